import Reformulations

/// A route that does not exist yet, listed so that users see what else is coming and what it
/// would need. It refuses every model, saying so.
package struct PlannedRoute: Route {
    /// The route's name.
    public var name: String
    /// What the route will do.
    public var summary: String
    /// What the route will need of a model, or which models it is meant for.
    public var purpose: String
    /// Whether a described model would qualify, in words (nil: no opinion beyond `purpose`).
    public var qualification: (@Sendable (ModelDescription) -> String)?

    /// A placeholder with its name, summary and purpose.
    public init(
        name: String, summary: String, purpose: String, qualification: (@Sendable (ModelDescription) -> String)? = nil
    ) {
        self.name = name
        self.summary = summary
        self.purpose = purpose
        self.qualification = qualification
    }

    /// Always refused: not yet available (with whether the model would qualify, when described).
    public func assess(_ facts: ModelFacts, capabilities: RouteCapabilities) -> RouteAssessment {
        if let qualification, let d = facts.description { return .refused("not yet available; \(qualification(d))") }
        return .refused("not yet available; \(purpose)")
    }

    /// Never called (the route refuses every model); throws if it is.
    public func solve(_ problem: Reformulated, context: RouteContext) throws -> RouteOutcome {
        throw RoutePlanner.Failure.notAvailable(name)
    }

    /// Branch-and-bound over complementarity pairs, without big-M values.
    public static let complementarityBranchAndBound = PlannedRoute(
        name: "branch-and-bound",
        summary: "branch on complementarity pairs (slack or multiplier zero) without big-M values",
        purpose: "it will need no bounds on slacks or multipliers, so no M has to be proven or given")
}

/// The gradient methods (`GradientMethods`, run by the facade on the model itself, not on the
/// KKT program): listed so that `check` and `--explain` say whether they take a model. The
/// facade runs them when `--method` is given or when no exact route takes a smooth model; the
/// planner never hands them a reformulated program.
package struct GradientMethodsRoute: Route {
    public var name: String { "gradient-methods" }
    public var summary: String { "descent on the leader's objective with hypergradients (implicit or iterative differentiation of the follower's answer)" }
    public init() {}

    public func assess(_ facts: ModelFacts, capabilities: RouteCapabilities) -> RouteAssessment {
        guard let d = facts.description else {
            return .refused("a local answer for smooth models; used with --method, or when no exact route takes the model")
        }
        let needs = d.gradientMethodNeeds
        if needs.isEmpty {
            return .accepted(
                "a local answer (hypergradient descent): continuous, smooth, "
                    + (d.followerConvex == true
                        ? "the follower convex in its own variables"
                            + (d.followerStrongConvexity != nil ? " and strongly convex (implicit differentiation applies)" : "")
                        : "the follower's convexity not shown (its answers are checked from several starts)"))
        }
        return .refused("it needs " + needs.joined(separator: "; "))
    }

    public func solve(_ problem: Reformulated, context: RouteContext) throws -> RouteOutcome {
        throw RoutePlanner.Failure.notAvailable(name)
    }
}
