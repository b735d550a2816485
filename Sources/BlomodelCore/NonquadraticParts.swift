/// Where a model leaves the quadratic class: the parts whose expressions have no quadratic
/// view, each with the failure that names the offending node.
public struct NonquadraticPart: Sendable {
    /// "the leader's objective", "the follower constraint c[2]", ...
    public var part: String
    public var owner: Owner
    public var isObjective: Bool
    public var failure: ExtractionFailure
}

extension BilevelModel {
    /// The objectives and constraints without a quadratic view, in source order of kind:
    /// objectives first (leader, follower), then constraints.
    public var nonquadraticParts: [NonquadraticPart] {
        var parts: [NonquadraticPart] = []
        if let f = upperObjective.nonquadratic {
            parts.append(NonquadraticPart(part: "the leader's objective", owner: .leader, isObjective: true, failure: f))
        }
        if let f = lowerObjective.nonquadratic {
            parts.append(NonquadraticPart(part: "the follower's objective", owner: .theFollower, isObjective: true, failure: f))
        }
        for c in constraints {
            guard let f = c.nonquadratic else { continue }
            parts.append(
                NonquadraticPart(
                    part: "the \(c.owner == .leader ? "leader" : "follower") constraint \(c.name)", owner: c.owner,
                    isObjective: false, failure: f))
        }
        return parts
    }

    /// Words for a set of variables: "the follower variable y", "leader variables (x[1], x[2])",
    /// "leader and follower variables (x, y)".
    public func phrase(for ids: [VarID]) -> String {
        let levels = Set(ids.map { variables[$0].owner })
        let names = ids.prefix(4).map { variables[$0].name }.joined(separator: ", ") + (ids.count > 4 ? ", ..." : "")
        let who = levels.count > 1 ? "leader and follower" : levels.first == .leader ? "leader" : "follower"
        if ids.count == 1 { return "the \(who) variable \(variables[ids[0]].name)" }
        if ids.isEmpty { return "constants" }
        return "\(who) variables (\(names))"
    }

    /// The failure of a part in words: "sin of the follower variable y here".
    public func describe(_ part: NonquadraticPart) -> String { describe(part.failure) }

    /// An extraction failure in words: "sin of the follower variable y here".
    public func describe(_ failure: ExtractionFailure) -> String {
        failure.describe(variables: phrase(for: failure.variables))
    }
}
