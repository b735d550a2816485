import BlomodelCore
import Reformulations

/// One route with its verdict on a model (printed by `--explain` and `check`).
public struct RouteCandidate: Sendable, Equatable {
    /// The route's name.
    public var name: String
    /// What the route does.
    public var summary: String
    /// Accepted or refused, and why.
    public var assessment: RouteAssessment
}

/// Chooses a route for a classified model: every known route is assessed, in a fixed order
/// (exact routes first), and the first one that accepts is used. The whole list, with the
/// reasons, is kept for the report, so a user sees why a route was not taken and what the
/// model or the solvers would need for it.
package struct RoutePlanner: Sendable {
    /// Why planning or a route failed before any solve.
    public enum Failure: Error, CustomStringConvertible {
        /// A placeholder route was asked to solve.
        case notAvailable(String)
        /// The description, for messages.
        public var description: String {
            switch self {
            case .notAvailable(let name): return "internal error: the route \(name) is not available yet"
            }
        }
    }

    /// The routes, in the order of preference.
    public var routes: [any Route]

    /// A planner over the given routes, in order of preference.
    public init(routes: [any Route]) {
        self.routes = routes
    }

    /// The known routes: the value-function route (integer followers, and LP followers whose
    /// value-function program is exact and proven), the M-free branch-and-bound and the exact MILP
    /// route, outer approximation (configured) and the gradient methods.
    public static func standard(
        outerApproximation: OuterApproximationRoute = OuterApproximationRoute(), branchAndBound: BranchAndBoundRoute = BranchAndBoundRoute(),
        valueFunction: ValueFunctionRoute = ValueFunctionRoute()
    ) -> RoutePlanner {
        RoutePlanner(routes: [
            valueFunction, branchAndBound, ExactKKTRoute(), outerApproximation, GradientMethodsRoute(),
        ])
    }

    /// Every route with its assessment, in order.
    public func candidates(for facts: ModelFacts, capabilities: RouteCapabilities) -> [RouteCandidate] {
        routes.map { RouteCandidate(name: $0.name, summary: $0.summary, assessment: $0.assess(facts, capabilities: capabilities)) }
    }

    /// Every route with its assessment of a model the exact routes classified.
    public func candidates(for classification: Classification, capabilities: RouteCapabilities) -> [RouteCandidate] {
        candidates(for: ModelFacts(classification: classification), capabilities: capabilities)
    }

    /// The first route that accepts (or the forced one, when it accepts), with every candidate; a
    /// diagnostic listing the refusals when none does.
    public func choose(for facts: ModelFacts, capabilities: RouteCapabilities) throws
        -> (route: any Route, candidates: [RouteCandidate])
    {
        let list = candidates(for: facts, capabilities: capabilities)
        let classification = facts.classification.map { "\($0.problemClass)" } ?? "beyond the exact routes"
        if let forced = facts.forcedRoute {
            guard let index = routes.firstIndex(where: { $0.name == forced }) else {
                throw Diagnostic(.error, "unknown route '\(forced)'", notes: ["routes: " + routes.map(\.name).joined(separator: ", ")])
            }
            guard list[index].assessment.accepted else {
                throw Diagnostic(.error, "the route \(forced) cannot solve this model: \(list[index].assessment.reason)")
            }
            var marked = list
            marked.insert(marked.remove(at: index), at: 0)
            return (routes[index], marked)
        }
        guard let index = list.firstIndex(where: \.assessment.accepted) else {
            throw Diagnostic(
                .error, "no route can solve this model (\(classification)) with the available solvers",
                notes: list.map { "\($0.name): \($0.assessment.reason)" })
        }
        return (routes[index], list)
    }

    /// The candidate list as text, one route per line, the chosen one (the first accepted) marked `*`:
    ///
    ///     * exact-kkt: accepted: the leader's objective is linear: ...
    ///       outer-approximation: refused: ...
    public static func describe(_ candidates: [RouteCandidate], indent: String = "  ") -> String {
        let chosen = candidates.firstIndex(where: \.assessment.accepted)
        var out = ""
        for (i, c) in candidates.enumerated() {
            let mark = i == chosen ? "* " : "  "
            out += "\(indent)\(mark)\(c.name): \(c.assessment.accepted ? "accepted" : "refused"): \(c.assessment.reason)\n"
        }
        return out
    }
}
