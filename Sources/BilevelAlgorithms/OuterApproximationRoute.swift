import BlomodelCore
import Reformulations
import SolverInterface

/// The route for a convex quadratic leader objective: the pass chain's mixed-integer program
/// (KKT, big-M) keeps the quadratic objective, and `OuterApproximation` solves it with master
/// MILPs and tangent cuts, alternating with convex QP subproblems over the masters' binaries
/// (or with the MILP solver alone: Kelley's cutting planes).
///
/// Accepts: a leader objective classified `.outerApproximation` (convex when minimised, concave
/// when maximised), a MILP solver that declares integer variables, and a QP solver that declares
/// a quadratic objective unless `milpOnly`.
package struct OuterApproximationRoute: Route {
    /// Stopping tolerances and the iteration limit.
    public var options: OuterApproximation.Options
    /// Run without QP subproblems (`--oa-milp-only`).
    public var milpOnly: Bool

    /// The route with the given relative and absolute tolerance (`--oa-tolerance`).
    public init(tolerance: Double = 1e-6, milpOnly: Bool = false) {
        var options = OuterApproximation.Options()
        options.relativeGap = tolerance
        options.absoluteGap = tolerance
        self.options = options
        self.milpOnly = milpOnly
    }

    /// `outer-approximation`.
    public var name: String { "outer-approximation" }

    /// One line for the candidate list.
    public var summary: String { "a convex quadratic leader objective by master MILPs with tangent cuts until the bounds meet" }

    /// Accepts a convex quadratic leader objective when the solvers it needs are there.
    public func assess(_ facts: ModelFacts, capabilities: RouteCapabilities) -> RouteAssessment {
        guard let classification = facts.classification else { return .refused(facts.refusalText) }
        if classification.hasIntegerFollower {
            return .refused("the follower has integer variables: its KKT conditions do not characterise its optimum")
        }
        let milp = capabilities.milp
        switch classification.leaderObjective {
        case .linear, .strongDuality:
            return .refused("the leader's objective is linear\(classification.leaderProductFactor != nil ? " after strong duality" : ""): there is nothing to approximate")
        case .outerApproximation:
            break
        }
        guard milp.capabilities.integerVariables else {
            return .refused("\(milp.name) declares no integer variables, which the master problems need")
        }
        if milpOnly {
            return .accepted("the leader's objective is a convex quadratic: master MILPs (\(milp.name)) with tangent cuts at their own points (no QP solver, --oa-milp-only)")
        }
        guard let qp = capabilities.qp, qp.capabilities.quadraticObjective else {
            return .refused("the QP subproblems need a solver that declares a quadratic objective, and none is available (--oa-milp-only runs without one)")
        }
        return .accepted("the leader's objective is a convex quadratic: master MILPs (\(milp.name)) with tangent cuts, convex QP subproblems (\(qp.name))")
    }

    /// Runs outer approximation on the reformulated program and summarises its bounds.
    public func solve(_ r: Reformulated, context: RouteContext) throws -> RouteOutcome {
        let form = r.standardForm
        let backend = context.solvers.milp
        // A point becomes the incumbent only if the follower's re-solve at its leader decision
        // agrees (or cannot tell: the facade's final verification then says so).
        let model = r.model, qp = context.solvers.qp
        let accept: ([Double]) -> Bool = { point in
            let v = Verifier.verify(model, point: r.modelPoint(point), solver: backend, qpSolver: qp)
            return v.outcome == .optimal || v.outcome == .solverFailure
        }
        let outcome = try OuterApproximation.solve(
            form, milp: backend, qp: milpOnly ? nil : context.solvers.qp, options: context.options, oa: options,
            accept: accept)
        var result = outcome.result
        result.termination = try InfeasibleOrUnbounded.resolve(result.termination, form, solver: backend, options: context.options)
        let sign = r.objectiveSign
        let summary = OuterApproximationSummary(
            iterations: outcome.iterations.count, cuts: outcome.iterations.last?.cuts ?? 0,
            objective: sign * outcome.upperBound, bound: sign * outcome.lowerBound,
            absoluteGap: max(0, outcome.absoluteGap), relativeGap: max(0, outcome.relativeGap), converged: outcome.converged,
            tolerance: options.relativeGap, stopReason: outcome.stopReason)
        let plan =
            "outer-approximation: the leader's \(form.quadraticObjective.count) quadratic term(s) go to epigraph variables (one per block of linked variables) with tangent cuts; master MILPs (\(backend.name)) alternate with convex QPs over the master's binaries (Ipopt; none with --oa-milp-only) until the bounds meet; each master point is polished (binaries fixed, LP re-solved) and re-verified before it may become the incumbent"
        let notes = outcome.rejectedPoints == 0 ? [] : [
            "outer approximation kept \(outcome.rejectedPoints) candidate point(s) out of the incumbent: they failed the follower's re-solve or the rows' check after polishing"
        ]
        return RouteOutcome(result: result, plan: [plan], notes: notes, outerApproximation: summary)
    }
}
