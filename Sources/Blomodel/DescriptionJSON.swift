import BlomodelCore
import BilevelAlgorithms
import Reformulations

extension ModelDescription {
    /// The description as JSON (`blomodel check --json`), keys in a fixed order.
    public func json(model: BilevelModel, routes: [RouteCandidate]) -> JSONValue {
        func level(_ l: LevelDescription, constraints: Int) -> JSONValue {
            var objective: [(String, JSONValue)] = [
                ("class", .string(l.objective.expressionClass.rawValue)),
                ("curvature", .string(l.objective.curvature.rawValue)),
                ("sense", .string(l.objectiveSense.rawValue)),
            ]
            if let d = l.objective.detail { objective.append(("detail", .string(d))) }
            return .object([
                ("objective", .object(objective)),
                ("with_respect_to", .string(l.withRespectTo)),
                ("constraints", .object(l.constraintClasses.map { ($0.0.rawValue, .number(Double($0.1))) })),
                ("constraint_count", .number(Double(constraints))),
                ("variables", .object([
                    ("continuous", .number(Double(l.continuousVariables))),
                    ("integer", .number(Double(l.integerVariables))),
                    ("binary", .number(Double(l.binaryVariables))),
                ])),
            ])
        }
        let routeList: [JSONValue] = routes.map { r in
            .object([
                ("name", .string(r.name)), ("accepted", .bool(r.assessment.accepted)), ("reason", .string(r.assessment.reason)),
            ])
        }
        let chosen: JSONValue = routes.first(where: \.assessment.accepted).map { .string($0.name) } ?? .null
        let leaderJSON = level(leader, constraints: model.constraints(of: .leader).count)
        let followerJSON = level(follower, constraints: model.constraints(of: .theFollower).count)
        return .object([
            ("schema_version", .number(Double(BlomodelVersion.checkSchema))),
            ("blomodel_version", .string(BlomodelVersion.current)),
            ("model", .string(model.name)),
            ("exact_class", exactClass.map { .string($0) } ?? .null),
            ("leader", leaderJSON),
            ("follower", followerJSON),
            ("follower_convex", followerConvex.map { .bool($0) } ?? .null),
            ("follower_strong_convexity", .number(followerStrongConvexity)),
            ("follower_notes", .array(followerNotes.map { .string($0) })),
            ("term_plan", .array(termPlan.map { .string($0) })),
            ("routes", .array(routeList)),
            ("route", chosen),
        ])
    }
}
