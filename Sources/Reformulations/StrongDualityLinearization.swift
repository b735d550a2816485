import BlomodelCore

/// Makes the leader's leader x follower products linear through strong duality
/// of the follower's LP (the toll-setting / pricing pattern).
///
/// With the follower in minimisation form `min_y sum_j (c0_j + d_j(x)) y_j`, its
/// bilinear part is `B(x,y) = sum_j d_j(x) y_j`. When the follower's rows have no
/// leader variables, the KKT conditions imply strong duality:
///
///     sum_j (c0_j + d_j(x)) y_j = D(lambda, nu, mu)
///        = sum lambda_lo,i lo_i - sum lambda_up,i hi_i + sum nu_e rhs_e + sum mu_lo,j l_j - sum mu_up,j u_j
///
/// (multiply stationarity by `y_j`, sum, and use complementarity). Hence
/// `B = D - sum_j c0_j y_j`, which is linear. A leader objective whose products
/// are `rho * B` becomes `rho * (D - c0'y)` plus its linear part: exact, not a relaxation.
///
/// Accepts: the KKT model of a classified model with `leaderProductFactor` set.
/// Produces: the same model with a linear objective. Map back: identity.
package enum StrongDualityLinearization {
    public static func apply(_ input: SingleLevelModel, model: BilevelModel, _ classification: Classification)
        -> SingleLevelModel
    {
        guard let rho = classification.leaderProductFactor else { return input }
        var out = input
        var replacement = LinearExpr()
        let sign = model.lowerObjective.sense.sign
        // - c0'y
        for (id, c) in model.lowerObjective.expression.linear.terms where model.variables[id].owner.isFollower {
            replacement.add(id, -sign * c)
        }
        // + D(lambda, nu, mu)
        for (k, column) in input.columns.enumerated() {
            switch column.origin {
            case .rowDual(let row, let side):
                let c = model.constraints[row]
                switch side {
                case .lower: replacement.add(k, c.lower)
                case .upper: replacement.add(k, -c.upper)
                case .equality: replacement.add(k, c.lower)
                }
            case .boundDual(let j, let side):
                let v = model.variables[j]
                switch side {
                case .lower: replacement.add(k, v.lower)
                case .upper: replacement.add(k, -v.upper)
                case .equality: replacement.add(k, v.lower)
                }
            default: break
            }
        }
        var objective = QuadExpr(linear: input.objective.linear)
        objective.linear.add(replacement, times: rho)
        out.objective = objective
        return out
    }
}
