import BlomodelCore
import Foundation
import SolverInterface

/// The outcome of re-solving the follower at the leader's decision.
public struct Verification: Sendable {
    /// What the re-solve says about the point.
    public enum Outcome: String, Sendable {
        /// The follower's point is optimal for its own problem (within tolerance).
        case optimal
        /// The follower could do better: the point is not bilevel feasible.
        case suboptimal
        /// The follower's point violates its own constraints.
        case infeasiblePoint = "infeasible_point"
        /// The follower has no feasible point (or is unbounded) at the leader's decision.
        case followerInfeasible = "follower_infeasible"
        /// The follower's problem is unbounded at the leader's decision.
        case followerUnbounded = "follower_unbounded"
        /// The re-solve itself failed (or no solver for it was given): nothing is known.
        case solverFailure = "solver_failure"
    }
    /// What the re-solve says about the point.
    public var outcome: Outcome
    /// The follower's optimal value at the leader's decision, in its own sense.
    public var followerOptimum: Double?
    /// The follower's objective at the reported point, in its own sense.
    public var followerAtPoint: Double
    /// How much better the follower could do (>= 0; 0 means optimal).
    public var gap: Double
    /// The largest violation of a follower row or bound at the point.
    public var maxViolation: Double
    /// One sentence for the report.
    public var detail: String
    /// Wall-clock time of the check.
    public var seconds: Double

    package init(
        outcome: Outcome, followerOptimum: Double?, followerAtPoint: Double, gap: Double, maxViolation: Double, detail: String,
        seconds: Double
    ) {
        self.outcome = outcome
        self.followerOptimum = followerOptimum
        self.followerAtPoint = followerAtPoint
        self.gap = gap
        self.maxViolation = maxViolation
        self.detail = detail
        self.seconds = seconds
    }
}

/// Checks a point by fixing the leader's variables and solving the follower's LP alone
/// (a quadratic follower's QP with the QP solver given, whatever the MILP solver).
package enum Verifier {
    /// Re-solves the follower at the leader's part of `point` (the bilevel model's variables, in
    /// order) with `solver` (an LP) or, for a quadratic follower, `qpSolver`; without a QP solver a
    /// quadratic follower's check ends in `.solverFailure`.
    public static func verify(
        _ model: BilevelModel, point: [Double], solver: any SolverBackend, qpSolver: (any SolverBackend)? = nil,
        tolerance: Double = 1e-6
    ) -> Verification {
        let clock = Date()
        let f = model.lowerObjective
        let atPoint = f.expression.evaluate(point)
        func done(_ o: Verification.Outcome, optimum: Double?, gap: Double, violation: Double, _ detail: String)
            -> Verification
        {
            Verification(
                outcome: o, followerOptimum: optimum, followerAtPoint: atPoint, gap: gap, maxViolation: violation,
                detail: detail, seconds: Date().timeIntervalSince(clock))
        }
        // Feasibility of the point for the follower.
        var worst = 0.0, worstName = ""
        for c in model.constraints where c.owner.isFollower {
            let v = c.body.evaluate(point)
            let scale = max(1, abs(v), abs(c.lower.isFinite ? c.lower : 0), abs(c.upper.isFinite ? c.upper : 0))
            let violation = max(c.lower - v, v - c.upper, 0) / scale
            if violation > worst { (worst, worstName) = (violation, c.name) }
        }
        for j in model.variables(of: .theFollower) {
            let v = model.variables[j]
            let violation = max(v.lower - point[j], point[j] - v.upper, 0) / max(1, abs(point[j]))
            if violation > worst { (worst, worstName) = (violation, "bound of \(v.name)") }
            if v.kind != .continuous, abs(point[j] - point[j].rounded()) > worst {
                (worst, worstName) = (abs(point[j] - point[j].rounded()), "integrality of \(v.name)")
            }
        }

        // The follower's LP at the leader's decision.
        let problem = FollowerProblem(model, at: point, tolerance: tolerance)
        let sign = problem.sign
        if let c = problem.failingLeaderOnlyRow {
            return done(
                .followerInfeasible, optimum: nil, gap: .infinity, violation: worst,
                "follower constraint \(c.name) fails at the leader's decision")
        }
        guard let followerSolver = problem.solver(solver, qp: qpSolver) else {
            return done(
                .solverFailure, optimum: nil, gap: .infinity, violation: worst,
                "the follower is a convex QP and no QP solver was given for its re-solve")
        }
        let result: SolverResult
        do {
            result = try followerSolver.solve(problem.form, options: SolveOptions(timeLimit: 60))
        } catch {
            return done(.solverFailure, optimum: nil, gap: .infinity, violation: worst, "\(error)")
        }
        switch result.termination {
        case .optimal:
            guard let objective = result.objective else {
                return done(.solverFailure, optimum: nil, gap: .infinity, violation: worst, "the re-solve reported no objective value")
            }
            let phi = objective * sign  // back to the follower's own sense
            let gap = max(0, sign * (atPoint - phi))
            let scale = max(1, abs(phi))
            if worst > tolerance {
                return done(
                    .infeasiblePoint, optimum: phi, gap: gap, violation: worst,
                    "the follower's point violates \(worstName) by \(worst) (relative)")
            }
            if gap > tolerance * scale {
                return done(
                    .suboptimal, optimum: phi, gap: gap, violation: worst,
                    "the follower can improve its objective from \(atPoint) to \(phi)")
            }
            return done(
                .optimal, optimum: phi, gap: gap, violation: worst,
                problem.isQuadratic
                    ? "the follower's point is optimal for its QP (re-solved by \(followerSolver.name.capitalizedFirst))"
                    : "the follower's point is optimal for its \(problem.isInteger ? "MILP (re-solved by \(followerSolver.name.capitalizedFirst))" : "LP")")
        case .infeasible:
            return done(.followerInfeasible, optimum: nil, gap: .infinity, violation: worst, "the follower's \(problem.isInteger ? "MILP" : "LP") is infeasible at the leader's decision")
        case .unbounded, .infeasibleOrUnbounded:
            return done(.followerUnbounded, optimum: nil, gap: .infinity, violation: worst, "the follower's \(problem.isInteger ? "MILP" : "LP") is unbounded at the leader's decision")
        default:
            return done(.solverFailure, optimum: nil, gap: .infinity, violation: worst, result.rawStatus)
        }
    }
}

extension Verifier {
    /// The optimistic choice at the point's leader decision: the best leader objective over the
    /// follower's optimal responses (follower rows, the follower's objective at most `phi`, the
    /// leader's rows with follower variables), with every leader variable fixed at the point.
    /// Returns the best value in the leader's sense, or nil when the MILP could not be solved.
    /// Used for integer followers, whose route finds the optimistic response by search.
    public static func optimisticValue(_ model: BilevelModel, point: [Double], phi: Double, solver: any SolverBackend) -> Double? {
        var problem = FollowerProblem(model, at: point)
        var form = problem.form
        // The follower's objective at most phi (its own sense, so the row reads sign * f <= sign * phi).
        let entries = (0..<form.columnCount).filter { form.objective[$0] != 0 }.map { ($0, form.objective[$0]) }
        let bound = problem.sign * phi - form.objectiveConstant
        form.addRow(name: "value_function", entries: entries, lower: -.infinity, upper: bound + 1e-7 * max(1, abs(bound)))
        // Auxiliary columns of product linearization (a product of a leader and a follower
        // variable) follow the response: they are free here, tied by their rows below.
        for (j, v) in model.variables.enumerated() where v.owner == .leader && v.role == .auxiliary {
            problem.column[j] = form.addColumn(name: v.name, lower: v.lower, upper: v.upper, integer: v.kind != .continuous)
        }
        // The leader's objective and rows, with the leader's values substituted.
        let F = model.upperObjective
        let lsign = F.sense.sign
        form.objective = Array(repeating: 0, count: form.columnCount)
        form.quadraticObjective = []
        var constant = F.expression.constant
        for (id, c) in F.expression.linear.terms {
            if let k = problem.column[id] { form.objective[k] += lsign * c } else { constant += c * point[id] }
        }
        for (p, c) in F.expression.quadratic {
            switch (problem.column[p.first], problem.column[p.second]) {
            case (let a?, nil): form.objective[a] += lsign * c * point[p.second]
            case (nil, let b?): form.objective[b] += lsign * c * point[p.first]
            case (nil, nil): constant += c * point[p.first] * point[p.second]
            case (let a?, let b?): form.quadraticObjective.append(.init(a, b, lsign * c))
            }
        }
        form.objectiveConstant = 0
        for c in model.constraints where c.owner == .leader {
            var row: [(Int, Double)] = []
            var shift = 0.0
            for (id, a) in c.body.linear.sortedTerms {
                if let k = problem.column[id] { row.append((k, a)) } else { shift += a * point[id] }
            }
            guard !row.isEmpty, c.body.quadratic.isEmpty else { continue }
            form.addRow(name: c.name, entries: row, lower: c.lower - shift, upper: c.upper - shift)
        }
        problem.form = form
        guard let result = try? solver.solve(form, options: SolveOptions(timeLimit: 60, relativeGap: 0)), result.termination == .optimal,
            let v = result.objective
        else { return nil }
        return lsign * v + constant
    }
}

extension String {
    /// The string with its first letter in upper case (`ipopt` -> `Ipopt`), for solver names in sentences.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
