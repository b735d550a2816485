import BlomodelCore

/// The high-point relaxation: every row and bound of both levels, integrality of both levels, and
/// the leader's objective, without the condition that the follower be optimal.
///
///     min_{x,y}  F(x, y)   s.t.  leader rows, follower rows, bounds, integrality
///
/// It is a relaxation of the bilevel problem (every bilevel-feasible point satisfies it), so its
/// optimum bounds the bilevel optimum; the value-function route (`IntegerFollowerSearch`) adds
/// value-function cuts to it until its optimum is bilevel feasible.
///
/// Accepts: a model the `Classifier` accepted with an integer follower (linear rows and leader
/// objective). Produces: a `SingleLevelModel` whose columns are the model's variables in order
/// (same identifiers, origin `.original`), one row per constraint with its origin.
package enum HighPointRelaxation {
    public static func apply(_ model: BilevelModel) -> SingleLevelModel {
        var out = SingleLevelModel(sense: model.upperObjective.sense, objective: model.upperObjective.expression)
        for v in model.variables {
            out.addColumn(
                .init(name: v.name, lower: v.lower, upper: v.upper, isInteger: v.kind != .continuous, origin: .original(out.columns.count)))
        }
        for (i, c) in model.constraints.enumerated() {
            let origin: RowOrigin =
                c.owner.isFollower ? .followerConstraint(i) : (c.isAuxiliary ? .productLinearization(constraint: i) : .leaderConstraint(i))
            out.addRow(c.name, c.body.linear, lower: c.lower, upper: c.upper, origin: origin)
        }
        return out
    }
}

/// The high-point relaxation as a pass (`HighPointRelaxation`). Map back: the identity on the
/// model's variables.
package struct HighPointRelaxationPass: ReformulationPass {
    public var classification: Classification
    public var name: String { "high-point-relaxation" }
    public init(classification: Classification) { self.classification = classification }

    public func accepts(_ input: BilevelModel) -> PassVerdict {
        if !input.isQuadratic { return .refused("the model has expressions without a quadratic view") }
        if !input.upperObjective.expression.quadratic.isEmpty { return .refused("the leader's objective has products") }
        if input.constraints.contains(where: { !$0.body.quadratic.isEmpty }) { return .refused("a constraint has products") }
        return .accepted
    }

    public func apply(_ input: BilevelModel) throws -> PassOutput<SingleLevelModel> {
        let hpr = HighPointRelaxation.apply(input)
        return PassOutput(
            hpr, map: .identity(count: hpr.columns.count),
            summary:
                "high-point-relaxation: every row of both levels (\(hpr.rows.count)) and the leader's objective, without the follower's optimality; \(classification.integerFollowerVariables.count) integer follower variable(s), \(classification.linkingVariables.count) linking variable(s)"
        )
    }
}
