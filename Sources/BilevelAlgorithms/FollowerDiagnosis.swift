import BlomodelCore
import Reformulations
import SolverInterface

/// Explains an infeasible reformulation when the cause is the follower itself:
/// its constraints cannot hold at any leader decision, or its objective is
/// unbounded wherever it is feasible (its dual is infeasible). Either is a
/// modelling error and is reported at a position in the model.
package enum FollowerDiagnosis {
    /// A positioned diagnostic when the follower alone is infeasible or unbounded, else nil
    /// (the infeasibility then comes from the leader's side, and is an answer, not an error).
    public static func diagnose(_ model: BilevelModel, _ r: Reformulated, solver: any SolverBackend) -> Diagnostic? {
        // 1. Primal: the follower's rows over every variable's bounds.
        var primal = StandardForm()
        for v in model.variables { primal.addColumn(name: v.name, lower: v.lower, upper: v.upper) }
        let followerRows = model.constraints.filter { $0.owner.isFollower }
        for c in followerRows {
            primal.addRow(name: c.name, entries: c.body.linear.sortedTerms, lower: c.lower, upper: c.upper)
        }
        if let result = try? solver.solve(primal, options: SolveOptions(timeLimit: 30)), result.termination == .infeasible {
            let at = followerRows.first?.location ?? model.lowerObjective.location
            return Diagnostic(
                .error, "the follower's constraints cannot all hold, at any leader decision within the variables' bounds",
                at: at, length: 1,
                notes: ["the follower's problem must be feasible for the leader's decisions; check the signs and right-hand sides of the lower block"]
            ).withSourceLine()
        }
        // 2. Dual: stationarity with nonnegative multipliers. When it has no solution,
        //    the follower's objective is unbounded wherever its constraints hold.
        let mpcc = r.complementarityModel
        var dual = StandardForm()
        for c in mpcc.columns { dual.addColumn(name: c.name, lower: c.lower, upper: c.upper) }
        for row in mpcc.stationarityRows {
            dual.addRow(name: row.name, entries: row.expression.sortedTerms, lower: row.lower, upper: row.upper)
        }
        if let result = try? solver.solve(dual, options: SolveOptions(timeLimit: 30)), result.termination == .infeasible {
            let o = model.lowerObjective
            return Diagnostic(
                .error,
                "the follower's objective '\(o.name)' is unbounded: it can \(o.sense == .minimize ? "decrease" : "increase") without limit at every leader decision",
                at: o.location, length: o.sense.rawValue.count,
                notes: ["bound the follower's variables, or add the constraints that limit them"]
            ).withSourceLine()
        }
        return nil
    }
}
