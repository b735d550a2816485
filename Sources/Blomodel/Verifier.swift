import BlomodelCore
import Foundation

/// The outcome of re-solving the follower at the leader's decision.
public struct Verification: Sendable {
    public enum Outcome: String, Sendable {
        /// The follower's point is optimal for its own problem (within tolerance).
        case optimal
        /// The follower could do better: the point is not bilevel feasible.
        case suboptimal
        /// The follower's point violates its own constraints.
        case infeasiblePoint = "infeasible_point"
        /// The follower has no feasible point (or is unbounded) at the leader's decision.
        case followerInfeasible = "follower_infeasible"
        case followerUnbounded = "follower_unbounded"
        case solverFailure = "solver_failure"
    }
    public var outcome: Outcome
    /// The follower's optimal value at the leader's decision, in its own sense.
    public var followerOptimum: Double?
    /// The follower's objective at the reported point, in its own sense.
    public var followerAtPoint: Double
    /// How much better the follower could do (>= 0; 0 means optimal).
    public var gap: Double
    /// The largest violation of a follower row or bound at the point.
    public var maxViolation: Double
    public var detail: String
    public var seconds: Double
}

/// Checks a point by fixing the leader's variables and solving the follower's LP alone
/// (a quadratic follower's QP with Ipopt, whatever the MILP solver).
public enum Verifier {
    public static func verify(
        _ model: BilevelModel, point: [Double], solver: any SolverBackend, tolerance: Double = 1e-6
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
        for c in model.constraints where c.level == .lower {
            let v = c.body.evaluate(point)
            let scale = max(1, abs(v), abs(c.lower.isFinite ? c.lower : 0), abs(c.upper.isFinite ? c.upper : 0))
            let violation = max(c.lower - v, v - c.upper, 0) / scale
            if violation > worst { (worst, worstName) = (violation, c.name) }
        }
        for j in model.variables(at: .lower) {
            let v = model.variables[j]
            let violation = max(v.lower - point[j], point[j] - v.upper, 0) / max(1, abs(point[j]))
            if violation > worst { (worst, worstName) = (violation, "bound of \(v.name)") }
        }

        // The follower's LP at the leader's decision.
        let problem = FollowerProblem(model, at: point, tolerance: tolerance)
        let sign = problem.sign
        if let c = problem.failingLeaderOnlyRow {
            return done(
                .followerInfeasible, optimum: nil, gap: .infinity, violation: worst,
                "follower constraint \(c.name) fails at the leader's decision")
        }
        let result: SolverResult
        do {
            result = try problem.solver(solver).solve(problem.form, options: SolveOptions(timeLimit: 60))
        } catch {
            return done(.solverFailure, optimum: nil, gap: .infinity, violation: worst, "\(error)")
        }
        switch result.termination {
        case .optimal:
            let phi = result.objective! * sign  // back to the follower's own sense
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
                problem.isQuadratic ? "the follower's point is optimal for its QP (re-solved by Ipopt)" : "the follower's point is optimal for its LP")
        case .infeasible:
            return done(.followerInfeasible, optimum: nil, gap: .infinity, violation: worst, "the follower's LP is infeasible at the leader's decision")
        case .unbounded, .infeasibleOrUnbounded:
            return done(.followerUnbounded, optimum: nil, gap: .infinity, violation: worst, "the follower's LP is unbounded at the leader's decision")
        default:
            return done(.solverFailure, optimum: nil, gap: .infinity, violation: worst, result.rawStatus)
        }
    }
}
