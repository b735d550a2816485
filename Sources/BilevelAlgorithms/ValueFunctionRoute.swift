import BlomodelCore
import Reformulations

/// The value-function route: the follower's optimality as a bound by its optimal-value function,
/// refined by cuts (`IntegerFollowerSearch`). It takes followers with integer variables, which
/// the KKT conditions cannot describe, when every linking variable is integer and bounded (the
/// classification refuses the others before any solve).
package struct ValueFunctionRoute: Route {
    /// The most master MILPs the search solves before it stops with its incumbent.
    public var iterationLimit: Int
    public var name: String { "value-function" }
    public var summary: String { "the follower's optimality as a bound by its optimal-value function, refined by cuts" }

    public init(iterationLimit: Int = 100_000) {
        self.iterationLimit = iterationLimit
    }

    public func assess(_ facts: ModelFacts, capabilities: RouteCapabilities) -> RouteAssessment {
        guard let classification = facts.classification else {
            if let d = facts.description, d.follower.integerVariables + d.follower.binaryVariables > 0 {
                return .refused(facts.refusalText)
            }
            return .refused("it takes integer followers (\(facts.refusalText))")
        }
        guard classification.hasIntegerFollower else {
            return .refused("it takes integer followers; a continuous follower's optimality is exact through its KKT conditions")
        }
        guard capabilities.milp.capabilities.integerVariables else {
            return .refused("\(capabilities.milp.name) declares no integer variables, which the master and follower MILPs need")
        }
        let linking = classification.linkingVariables.count
        return .accepted(
            "the follower has integer variables and its \(linking) linking variable(s) are integer and bounded: master MILPs with value-function and no-good cuts (\(capabilities.milp.name)) end with a proven optimum")
    }

    public func solve(_ r: Reformulated, context: RouteContext) throws -> RouteOutcome {
        try IntegerFollowerSearch.run(r, context: context, iterationLimit: iterationLimit).0
    }
}
