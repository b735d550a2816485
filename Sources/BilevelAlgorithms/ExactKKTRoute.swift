import BlomodelCore
import Foundation
import Reformulations
import SolverInterface

/// The exact route: the follower replaced by its KKT conditions, the toll pattern's products by
/// strong duality, complementarity by big-M, all lowered to one mixed-integer linear program
/// (the pass chain of `Planner.reformulate`), solved once.
///
/// Steps of `solve`:
/// 1. a warm start: the follower's optimal response (with its duals) to the LP relaxation's leader
///    decision, handed to the MILP solver (`WarmStart`);
/// 2. the MILP solve; at a time limit the better of the solver's incumbent and the start is kept;
/// 3. "infeasible or unbounded" is told apart by a feasibility solve;
/// 4. polishing: the binaries fixed at their values and the LP re-solved, so complementarity
///    holds exactly rather than up to the integrality tolerance.
///
/// Accepts: a linear leader objective (or one made linear by strong duality), and a MILP solver
/// that declares integer variables (the big-M rows need binaries). A convex quadratic leader
/// objective is accepted only by a MILP solver that also declares a quadratic objective (a
/// mixed-integer QP solver); otherwise `OuterApproximationRoute` takes it.
package struct ExactKKTRoute: Route {
    /// The route; it has no options of its own.
    public init() {}

    /// `exact-kkt`.
    public var name: String { "exact-kkt" }

    /// One line for the candidate list.
    public var summary: String { "KKT conditions, strong duality and big-M: one MILP, solved to optimality" }

    /// Accepts linear leader objectives (and the toll pattern) when the MILP solver handles integers.
    public func assess(_ facts: ModelFacts, capabilities: RouteCapabilities) -> RouteAssessment {
        guard let classification = facts.classification else { return .refused(facts.refusalText) }
        if classification.hasIntegerFollower {
            return .refused("the follower has integer variables: its KKT conditions do not characterise its optimum")
        }
        let milp = capabilities.milp
        guard milp.capabilities.integerVariables else {
            return .refused("\(milp.name) declares no integer variables, which the big-M rows of complementarity need")
        }
        switch classification.leaderObjective {
        case .linear:
            return .accepted("the leader's objective is linear: the KKT conditions and big-M make one MILP for \(milp.name)")
        case .strongDuality(let rho):
            return .accepted(
                "the leader's products are \(formatNumber(rho)) x the follower's: strong duality makes the objective linear, one MILP for \(milp.name)")
        case .outerApproximation:
            if milp.capabilities.quadraticObjective {
                return .accepted("the leader's objective is a convex quadratic and \(milp.name) solves mixed-integer QPs")
            }
            return .refused(
                "the leader's objective is a convex quadratic, and \(milp.name) declares no quadratic objective (the MILP would be a mixed-integer QP)")
        }
    }

    /// Warm start, one MILP solve, the infeasible-or-unbounded check and polishing.
    public func solve(_ r: Reformulated, context: RouteContext) throws -> RouteOutcome {
        let form = r.standardForm
        // A program without binaries is an LP: it goes to the LP solver whose optimality
        // certificates are checked (CBC once called an unbounded LP optimal; DifferentialTests).
        let backend = form.integerCount == 0 && form.quadraticObjective.isEmpty ? context.solvers.dualLP : context.solvers.milp
        var options = context.options
        var notes: [String] = []
        // Everything, the warm start and polishing included, within the run's time limit.
        let deadline = context.options.timeLimit.map { Date().addingTimeInterval($0) }
        func remaining(_ cap: Double) -> Double { deadline.map { max(0.05, min(cap, $0.timeIntervalSinceNow)) } ?? cap }
        // A bilevel-feasible start (the follower's response to the LP relaxation's leader decision):
        // a heuristic, given at most a quarter of the time. The relaxation goes to the MILP solver
        // (GLPK took 30 s on the relaxation of supply S8's big-M program, CBC under a second).
        let start =
            form.integerCount > 0 && remaining(30) >= 0.2
            ? WarmStart.build(
                r.model, r, lp: context.solvers.dualLP, qp: context.solvers.qp, relaxation: context.solvers.milp,
                timeLimit: deadline == nil ? 30 : remaining(30) / 4)
            : nil
        options.startingPoint = start
        if deadline != nil { options.timeLimit = remaining(.infinity) }
        var result = try backend.solve(form, options: options)
        if result.termination == .timeLimit, let start {
            // Keep the better of the solver's incumbent and the start.
            let incumbent = result.solution.map { form.objectiveValue($0) } ?? .infinity
            if form.objectiveValue(start) < incumbent - 1e-9 {
                result.solution = start
                notes.append(
                    "the solver stopped without a better point; the answer is the follower's response to the leader decision of the LP relaxation (a heuristic)")
            }
        }
        result.termination = try InfeasibleOrUnbounded.resolve(result.termination, form, solver: backend, options: options)
        if let point = result.solution, form.integerCount > 0, form.quadraticObjective.isEmpty {
            if let polished = Self.polish(point, form, backend, timeLimit: remaining(60)) {
                result.solution = polished
            } else {
                notes.append("polishing (re-solving the LP with the binaries fixed) failed; the point is the MILP's own")
            }
        }
        return RouteOutcome(result: result, notes: notes)
    }

    /// Polishing: fixes the integer columns at their rounded values and re-solves the LP,
    /// so complementarity holds exactly instead of up to the integrality tolerance.
    static func polish(_ point: [Double], _ form: StandardForm, _ backend: any SolverBackend, timeLimit: Double = 60) -> [Double]? {
        guard point.count >= form.columnCount else { return nil }
        var fixed = form
        for j in 0..<fixed.columnCount where fixed.isInteger[j] {
            let v = point[j].rounded()
            fixed.columnLower[j] = v
            fixed.columnUpper[j] = v
            fixed.isInteger[j] = false
        }
        guard let polished = try? backend.solve(fixed, options: SolveOptions(timeLimit: timeLimit)),
            polished.termination == .optimal
        else { return nil }
        return polished.solution
    }
}
