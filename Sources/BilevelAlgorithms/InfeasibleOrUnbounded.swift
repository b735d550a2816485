import SolverInterface

/// Tells "infeasible" from "unbounded" when a solver could only say "one of the two":
/// the same problem with a zero objective is solved; a feasible point means unbounded.
enum InfeasibleOrUnbounded {
    /// `termination` itself unless it is `.infeasibleOrUnbounded`; then `.unbounded` when the
    /// problem has a feasible point, `.infeasible` when it has none, unchanged when the check fails.
    static func resolve(
        _ termination: TerminationStatus, _ form: StandardForm, solver: any SolverBackend, options: SolveOptions
    ) throws -> TerminationStatus {
        guard termination == .infeasibleOrUnbounded else { return termination }
        var feasibility = form
        feasibility.objective = feasibility.objective.map { _ in 0 }
        feasibility.quadraticObjective = []
        let f = try solver.solve(feasibility, options: options)
        return f.termination == .optimal ? .unbounded : (f.termination == .infeasible ? .infeasible : termination)
    }
}
