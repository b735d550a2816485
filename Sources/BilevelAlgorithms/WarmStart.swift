import BlomodelCore
import Reformulations
import SolverInterface

/// A bilevel-feasible point of the reformulated MILP, built without branching: take
/// a leader decision (from the LP relaxation of the MILP, or the leader's bounds), let
/// the follower answer it by solving its LP, and read the follower's multipliers from
/// that LP's duals; each complementarity binary is 1 where the multiplier is positive.
/// The point is handed to the MILP solver as a start (CBC), and is the answer of last
/// resort when the solver stops at its time limit without one. It must satisfy every
/// row of the MILP, or it is not used.
package enum WarmStart {
    /// A start in the columns of `r.standardForm`, or nil when no candidate leader decision gives
    /// one. `lp` must report duals (GLPK does); `qp` answers for a quadratic follower (none: no start).
    /// `relaxation` solves the MILP's LP relaxation (only a leader decision is read from it: any
    /// solver will do; default `lp`), within `timeLimit` seconds, as does each follower LP.
    public static func build(
        _ model: BilevelModel, _ r: Reformulated, lp: any SolverBackend, qp: (any SolverBackend)?,
        relaxation: (any SolverBackend)? = nil, timeLimit: Double = 30
    ) -> [Double]? {
        let n = model.variables.count
        func clamp(_ v: Double, _ variable: Variable) -> Double {
            var x = min(max(v, variable.lower), variable.upper)
            if variable.kind != .continuous { x = x.rounded() }
            return x.isFinite ? x : 0
        }
        var candidates: [[Double]] = []
        var relaxed = r.standardForm
        relaxed.isInteger = relaxed.isInteger.map { _ in false }
        relaxed.quadraticObjective = []  // a heuristic: the linear part is enough to pick a leader decision
        if let result = try? (relaxation ?? lp).solve(relaxed, options: SolveOptions(timeLimit: timeLimit)), result.termination == .optimal,
            let x = result.solution
        {
            candidates.append((0..<n).map { clamp(x[$0], model.variables[$0]) })
        }
        candidates.append(model.variables.map { clamp(0, $0) })
        for leader in candidates {
            if let start = respond(model, r, leader: leader, lp: lp, qp: qp) { return start }
        }
        return nil
    }

    /// The MILP point made of the leader's decision and the follower's optimal response with its
    /// duals, when it satisfies every row of the MILP.
    static func respond(
        _ model: BilevelModel, _ r: Reformulated, leader: [Double], lp: any SolverBackend, qp: (any SolverBackend)?
    ) -> [Double]? {
        guard let point = response(model, r, leader: leader, lp: lp, qp: qp) else { return nil }
        return r.standardForm.maxViolation(point) <= 1e-6 ? point : nil
    }

    /// The point (columns of `r.standardForm`) made of the leader's decision and the follower's
    /// optimal response with its duals, not checked against the MILP's rows: its first columns
    /// (the KKT program's) satisfy complementarity by construction; whether the leader's rows
    /// hold is for the caller to check. Nil when the follower has no optimal response.
    static func response(
        _ model: BilevelModel, _ r: Reformulated, leader: [Double], lp: any SolverBackend, qp: (any SolverBackend)?
    ) -> [Double]? {
        let problem = FollowerProblem(model, at: leader)
        guard problem.failingLeaderOnlyRow == nil, let solver = problem.solver(lp, qp: qp),
            let result = try? solver.solve(problem.form, options: SolveOptions(timeLimit: 30)),
            result.termination == .optimal, let y = result.solution, let rowDuals = result.rowDuals,
            let reducedCosts = result.reducedCosts
        else { return nil }
        var original = leader
        for (j, k) in problem.column { original[j] = y[k] }
        var point = [Double](repeating: 0, count: r.milp.columns.count)
        for (k, column) in r.milp.columns.enumerated() {
            switch column.origin {
            case .original(let j): point[k] = original[j]
            case .rowDual(let i, let side):
                guard let row = problem.row[i] else { continue }
                let pi = rowDuals[row]
                point[k] = side == .equality ? pi : (side == .lower ? max(pi, 0) : max(-pi, 0))
            case .boundDual(let j, let side):
                guard let c = problem.column[j] else { continue }
                let d = reducedCosts[c]
                point[k] = side == .equality ? d : (side == .lower ? max(d, 0) : max(-d, 0))
            case .complementarityBinary, .epigraph, .expansionBit, .exactProduct: break
            }
        }
        for record in r.bigM {
            if let z = record.binaryColumn { point[z] = point[record.multiplierColumn] > 1e-9 ? 1 : 0 }
        }
        // dual(con) columns from the multipliers just set, as the link rows define them; then the
        // auxiliary variables of product linearization (digits and products, which may involve
        // the duals). Original variables keep their identifiers as MILP columns.
        let sign = model.lowerObjective.sense.sign
        var dualValue: [Int: Double] = [:]
        for (k, column) in r.milp.columns.enumerated() {
            if case .rowDual(let i, let side) = column.origin { dualValue[i, default: 0] += (side == .upper ? -sign : sign) * point[k] }
        }
        for (j, v) in model.variables.enumerated() {
            if case .dual(let row) = v.role { original[j] = dualValue[row] ?? 0 }
        }
        ProductLinearization.complete(&original, r.auxiliaryDefinitions)
        for (j, v) in model.variables.enumerated() where v.role != .decision { point[j] = original[j] }
        return point
    }
}
