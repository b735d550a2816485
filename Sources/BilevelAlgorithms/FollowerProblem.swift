import BlomodelCore
import SolverInterface

/// The follower's LP (convex QP, or MILP for an integer follower) at a fixed leader decision, in minimisation form: the leader's
/// values are substituted into the follower's objective and rows. Used by the
/// verifier (is the follower's point optimal?) and by the warm start (what does the
/// follower answer to a given leader decision?).
struct FollowerProblem {
    var form = StandardForm()
    /// Follower variable -> column of `form`.
    var column: [VarID: Int] = [:]
    /// Model constraint index -> row of `form` (rows with follower variables).
    var row: [Int: Int] = [:]
    /// +1 when the follower minimises, -1 when it maximises (the form always minimises).
    var sign: Double
    /// A follower row without follower variables that fails at the leader's decision.
    var failingLeaderOnlyRow: Constraint?
    /// True when the follower's objective has products of its own variables (a convex QP).
    var isQuadratic = false
    /// True when the follower has integer or binary variables (a MILP).
    var isInteger: Bool { form.integerCount > 0 }

    /// The solver for this problem: the given LP solver, or the QP solver for a quadratic
    /// follower (nil when the follower is quadratic and no QP solver was given).
    func solver(_ lp: any SolverBackend, qp: (any SolverBackend)?) -> (any SolverBackend)? { isQuadratic ? qp : lp }

    init(_ model: BilevelModel, at point: [Double], tolerance: Double = 1e-6) {
        let f = model.lowerObjective
        sign = f.sense.sign
        for j in model.variables(of: .theFollower) {
            let v = model.variables[j]
            column[j] = form.addColumn(name: v.name, lower: v.lower, upper: v.upper, integer: v.kind != .continuous)
        }
        var constant = 0.0
        for (id, c) in f.expression.linear.terms {
            if let k = column[id] { form.objective[k] += sign * c } else { constant += sign * c * point[id] }
        }
        for (p, c) in f.expression.quadratic {
            switch (column[p.first], column[p.second]) {
            case (let a?, nil): form.objective[a] += sign * c * point[p.second]
            case (nil, let b?): form.objective[b] += sign * c * point[p.first]
            case (nil, nil): constant += sign * c * point[p.first] * point[p.second]
            case (let a?, let b?): form.quadraticObjective.append(.init(a, b, sign * c))
            }
        }
        form.objectiveConstant = constant + sign * f.expression.constant
        isQuadratic = !form.quadraticObjective.isEmpty
        for (i, c) in model.constraints.enumerated() where c.owner.isFollower {
            var entries: [(Int, Double)] = []
            var shift = 0.0
            for (id, a) in c.body.linear.sortedTerms {
                if let k = column[id] { entries.append((k, a)) } else { shift += a * point[id] }
            }
            if entries.isEmpty {
                if shift < c.lower - tolerance * max(1, abs(c.lower)) || shift > c.upper + tolerance * max(1, abs(c.upper)) {
                    failingLeaderOnlyRow = failingLeaderOnlyRow ?? c
                }
                continue
            }
            row[i] = form.rowCount
            form.addRow(name: c.name, entries: entries, lower: c.lower - shift, upper: c.upper - shift)
        }
    }
}
