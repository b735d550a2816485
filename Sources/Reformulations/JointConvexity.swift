import BlomodelCore

extension ModelDescription {
    /// Whether the follower's objective (minimisation form) is convex jointly in the leader's and
    /// the follower's variables, as CCCP-BO needs (seed 002, Assumption 1): true when the Hessian
    /// of a quadratic objective in all variables is positive semidefinite or the composition rules
    /// show a nonlinear one convex, false when a quadratic one has a negative eigenvalue, nil when
    /// neither is shown. With the reason, in words.
    public static func followerJointlyConvex(_ model: BilevelModel) -> (convex: Bool?, reason: String) {
        let sign = model.lowerObjective.sense.sign
        let o = model.lowerObjective
        let d = part(model, body: o.expression, function: o.function, failure: o.nonquadratic, fixed: [])
        let curvature = sign > 0 ? d.curvature : d.curvature.negated
        if curvature.isConvex {
            return (true, "the follower's objective is \(sign > 0 ? "convex" : "concave") in the leader's and the follower's variables together")
        }
        switch (d.expressionClass, sign > 0) {
        case (.nonconvexQuadratic, _), (.concaveQuadratic, true), (.convexQuadratic, false):
            return (false, "the follower's objective is a quadratic that is not \(sign > 0 ? "convex" : "concave") in the leader's and the follower's variables together (its Hessian in all variables has a \(sign > 0 ? "negative" : "positive") eigenvalue)")
        default:
            return (nil, "the follower objective's curvature in the leader's and the follower's variables together could not be shown (\(d.curvature.rawValue))")
        }
    }
}
