import BlomodelCore
import SolverInterface

/// Bounds from LPs over the relaxation of a single-level model: its rows and
/// column bounds, without complementarity and integrality.
struct RelaxationBounds {
    let base: StandardForm
    let solver: any SolverBackend

    init(_ model: SingleLevelModel, solver: any SolverBackend) {
        var sf = StandardForm()
        for c in model.columns { sf.addColumn(name: c.name, lower: c.lower, upper: c.upper) }
        for r in model.rows {
            sf.addRow(name: r.name, entries: r.expression.sortedTerms, lower: r.lower, upper: r.upper)
        }
        base = sf
        self.solver = solver
    }

    /// The high-point relaxation of a bilevel model: its variables' bounds and the linear
    /// constraints of both levels (the follower's optimality dropped), which every
    /// bilevel-feasible point satisfies.
    init(highPoint model: BilevelModel, solver: any SolverBackend) {
        var sf = StandardForm()
        for v in model.variables { sf.addColumn(name: v.name, lower: v.lower, upper: v.upper) }
        for c in model.constraints where c.body.isLinear {
            sf.addRow(name: c.name, entries: c.body.linear.sortedTerms, lower: c.lower, upper: c.upper)
        }
        base = sf
        self.solver = solver
    }

    /// The maximum of an expression over the relaxation, or nil when unbounded or not solved.
    func max(_ e: LinearExpr) throws -> Double? {
        var p = base
        for (j, c) in e.terms { p.objective[j] = -c }
        let r = try solver.solve(p, options: SolveOptions(timeLimit: 10))
        guard r.termination == .optimal, let v = r.objective else { return nil }
        return -v + e.constant
    }

    /// The largest absolute value of an expression over the relaxation.
    func maxAbs(_ e: LinearExpr) throws -> Double? {
        guard let hi = try max(e), let lo = try max(e.scaled(-1)) else { return nil }
        return Swift.max(abs(hi), abs(lo))
    }
}
