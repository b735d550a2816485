import BlomodelCore

/// Replaces the follower's linear or convex quadratic program by its Karush-Kuhn-Tucker conditions.
///
/// The follower solves, for the leader's fixed `x`,
///
///     min_y  c(x)'y + q(y)          (a maximising follower is negated first; q is a convex quadratic form)
///     s.t.   lo_i <= a_i'y + e_i'x <= hi_i     (rows i)
///            l_j <= y_j <= u_j
///
/// Each finite side of a row is an inequality `g >= 0` (`g = a'y + e'x - lo` or
/// `g = hi - a'y - e'x`) with a multiplier `lambda >= 0`; an equality row has a
/// free multiplier `nu`; each finite bound has a multiplier `mu >= 0`.
/// Because the follower is an LP or a convex QP with linear constraints, these
/// conditions are necessary and sufficient (linear constraints need no constraint
/// qualification), and stationarity is linear because the gradient of q is:
///
///     primal feasibility   the rows and bounds above
///     stationarity         c_j(x) + dq/dy_j(y) - sum_i lambda_lo,i a_ij + sum_i lambda_up,i a_ij - sum_e nu_e a_ej
///                                 - mu_lo,j + mu_up,j = 0            for every follower variable j
///     dual feasibility     lambda >= 0, mu >= 0
///     complementarity      0 <= g  ⟂  lambda >= 0   for every inequality and finite bound
///
/// Accepts: a model the `Classifier` accepted. Produces: a `SingleLevelModel`
/// whose first columns are the bilevel model's variables (same identifiers),
/// followed by the multipliers (`dual_<row>`, `dual_lo_<row>`/`dual_up_<row>` for
/// ranged rows, `dual_lb_<var>`/`dual_ub_<var>` for bounds), the rows of both
/// levels, one `stationarity[<var>]` row per follower variable, one `dual_link[<dual>]` row
/// per `dual(con)` column (each row with its `RowOrigin`), and the complementarity pairs (`compl_<row>` ...). The objective is the leader's,
/// unchanged (it may still have products; see `StrongDualityLinearization`).
/// Solutions map back through the columns' `origin`.
package enum KKTReformulation {
    public static func apply(_ model: BilevelModel, _ classification: Classification) -> SingleLevelModel {
        // Primal feasibility: the model's variables and every row of both levels, with the
        // leader's objective (the high-point relaxation).
        var out = HighPointRelaxation.apply(model)

        // Stationarity rows start as the follower's cost vector c(x), in minimisation form.
        let sign = model.lowerObjective.sense.sign
        var stationarity: [VarID: LinearExpr] = [:]
        for j in classification.followerVariables { stationarity[j] = LinearExpr() }
        for (id, c) in model.lowerObjective.expression.linear.terms where model.variables[id].owner.isFollower {
            stationarity[id]!.constant += sign * c
        }
        for (p, c) in classification.followerBilinear.sorted(by: { $0.key < $1.key }) {  // in pair order: deterministic
            let (y, x) = model.variables[p.first].owner.isFollower ? (p.first, p.second) : (p.second, p.first)
            stationarity[y]!.add(x, c)  // already in minimisation form
        }
        // A convex quadratic follower: the gradient of q y_a y_b is q y_b in row a and q y_a in row b
        // (2 q y_a for a square), so stationarity stays linear.
        for (p, c) in classification.followerQuadratic {
            if p.first == p.second {
                stationarity[p.first]!.add(p.first, 2 * c)
            } else {
                stationarity[p.first]!.add(p.second, c)
                stationarity[p.second]!.add(p.first, c)
            }
        }

        func multiplier(_ name: String, free: Bool, _ origin: ColumnOrigin) -> Int {
            out.addColumn(.init(name: name, lower: free ? -.infinity : 0, upper: .infinity, isInteger: false, origin: origin))
        }

        for i in classification.followerRows {
            let c = model.constraints[i]
            let terms = c.body.linear
            if c.isEquality {
                let nu = multiplier("dual_\(c.name)", free: true, .rowDual(row: i, side: .equality))
                for (j, a) in terms.terms where model.variables[j].owner.isFollower { stationarity[j]!.add(nu, -a) }
                continue
            }
            let ranged = c.lower.isFinite && c.upper.isFinite
            if c.lower.isFinite {
                let lam = multiplier(ranged ? "dual_lo_\(c.name)" : "dual_\(c.name)", free: false, .rowDual(row: i, side: .lower))
                for (j, a) in terms.terms where model.variables[j].owner.isFollower { stationarity[j]!.add(lam, -a) }
                var g = terms
                g.constant -= c.lower
                out.complementarities.append(
                    Complementarity(name: ranged ? "compl_lo_\(c.name)" : "compl_\(c.name)", slack: g, multiplier: lam, origin: .rowDual(row: i, side: .lower)))
            }
            if c.upper.isFinite {
                let lam = multiplier(ranged ? "dual_up_\(c.name)" : "dual_\(c.name)", free: false, .rowDual(row: i, side: .upper))
                for (j, a) in terms.terms where model.variables[j].owner.isFollower { stationarity[j]!.add(lam, a) }
                var g = terms.scaled(-1)
                g.constant += c.upper
                out.complementarities.append(
                    Complementarity(name: ranged ? "compl_up_\(c.name)" : "compl_\(c.name)", slack: g, multiplier: lam, origin: .rowDual(row: i, side: .upper)))
            }
        }
        for j in classification.followerVariables {
            let v = model.variables[j]
            if v.lower == v.upper {
                let nu = multiplier("dual_fix_\(v.name)", free: true, .boundDual(variable: j, side: .equality))
                stationarity[j]!.add(nu, -1)
                continue
            }
            if v.lower.isFinite {
                let mu = multiplier("dual_lb_\(v.name)", free: false, .boundDual(variable: j, side: .lower))
                stationarity[j]!.add(mu, -1)
                out.complementarities.append(
                    Complementarity(name: "compl_lb_\(v.name)", slack: LinearExpr(constant: -v.lower, terms: [j: 1]), multiplier: mu, origin: .boundDual(variable: j, side: .lower)))
            }
            if v.upper.isFinite {
                let mu = multiplier("dual_ub_\(v.name)", free: false, .boundDual(variable: j, side: .upper))
                stationarity[j]!.add(mu, 1)
                out.complementarities.append(
                    Complementarity(name: "compl_ub_\(v.name)", slack: LinearExpr(constant: v.upper, terms: [j: -1]), multiplier: mu, origin: .boundDual(variable: j, side: .upper)))
            }
        }
        for j in classification.followerVariables {
            out.addRow("stationarity[\(model.variables[j].name)]", stationarity[j]!, lower: 0, upper: 0, origin: .stationarity(variable: j))
        }
        // dual(con): the rate of change of the follower's optimal value with the row's
        // right-hand side, in the follower's own sense: nu for an equality, lambda_lo - lambda_up
        // for an inequality, times the sense sign (a maximising follower was negated).
        var rowMultipliers: [Int: [(Int, DualSide)]] = [:]
        for (k, column) in out.columns.enumerated() {
            if case .rowDual(let row, let side) = column.origin { rowMultipliers[row, default: []].append((k, side)) }
        }
        for (j, v) in model.variables.enumerated() {
            guard case .dual(let row) = v.role else { continue }
            var link = LinearExpr.variable(j)
            for (k, side) in rowMultipliers[row] ?? [] {
                link.add(k, side == .upper ? sign : -sign)
            }
            out.addRow("dual_link[\(v.name)]", link, lower: 0, upper: 0, origin: .dualLink(variable: j, constraint: row))
        }
        return out
    }
}
