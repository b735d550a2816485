import BlomodelCore

/// The class of a model whose follower has integer or binary variables: the value-function route
/// (`IntegerFollowerSearch` in `BilevelAlgorithms`) solves it; the KKT conditions cannot describe
/// such a follower's optimum.
///
/// Accepted:
/// - the follower's objective is linear in its own variables (terms in the leader's variables
///   alone are constants for it), its constraints are linear;
/// - the leader's objective and constraints are linear (after the exact product linearization);
/// - every **linking variable** (a leader variable with a nonzero coefficient in a follower row
///   that has follower variables) is integer or binary with finite bounds: the follower's value
///   function then takes finitely many arguments, and the search ends with a proven optimum
///   (the usual condition for finite convergence: Moore and Bard 1990, DeNegre and Ralphs 2009,
///   Lozano and Smith 2017).
/// Anything else is refused at the offending variable or term, saying what would make it solvable.
enum IntegerFollowerClassifier {
    static func classify(
        _ model: BilevelModel, integerFollower: [VarID], reasons: [String],
        fail: (String, SourceLocation, [String]) -> Diagnostic
    ) throws -> Classification {
        let vars = model.variables
        var reasons = reasons
        let leader = model.variables(of: .leader), follower = model.variables(of: .theFollower)
        let route = "the value-function route solves integer followers"
        func name(_ p: VarPair) -> String { "\(vars[p.first].name)*\(vars[p.second].name)" }

        // The follower's objective: linear in its own variables.
        let f = model.lowerObjective
        if let (p, _) = f.expression.sortedQuadratic.first(where: { vars[$0.0.first].owner.isFollower || vars[$0.0.second].owner.isFollower }) {
            throw fail(
                "the follower has integer variables and its objective has the product \(name(p)); an integer follower's objective must be linear in its own variables",
                f.expression.origins[p] ?? f.location,
                ["\(route) (value-function cuts compare the follower's objective at two responses, which needs it linear)"])
        }
        reasons.append(
            "the follower has \(integerFollower.count) integer or binary variable(s) of \(follower.count); its objective is linear in them")

        // Rows: linear; follower rows with follower variables, and the linking variables.
        var followerRows: [Int] = [], leaderOnly: [Int] = []
        var linking = Set<VarID>()
        for (i, c) in model.constraints.enumerated() {
            if let (p, _) = c.body.sortedQuadratic.first {
                throw fail(
                    "\(c.owner.isFollower ? "follower" : "leader") constraint \(c.name) has the product \(name(p)), which cannot be made linear",
                    c.body.origins[p] ?? c.location,
                    ["with an integer follower, every constraint must be linear (products with a bounded integer leader variable are expanded exactly in leader constraints)"])
            }
            guard c.owner.isFollower else { continue }
            let ids = c.body.linear.terms.keys
            if ids.contains(where: { vars[$0].owner.isFollower }) {
                followerRows.append(i)
                for j in ids where vars[j].owner == .leader { linking.insert(j) }
            } else {
                leaderOnly.append(i)
            }
        }
        if let v = vars.first(where: { if case .dual = $0.role { return true } else { return false } }) {
            throw fail(
                "\(v.name) is the dual of a follower constraint, and the follower has integer variables: it has no multipliers",
                v.location, ["an integer program has no constraint duals; remove dual(...) or make the follower continuous"])
        }
        let linkingVariables = linking.sorted()
        for j in linkingVariables {
            let v = vars[j]
            if v.kind == .continuous {
                throw fail(
                    "leader variable \(v.name) is continuous and appears in the integer follower's constraints; the value-function route needs every such linking variable integer and bounded",
                    v.location,
                    [
                        "with continuous linking variables the follower's value function is not finitely described, and no route here proves an optimum",
                        "declare \(v.name) integer (or binary) with finite bounds, if the model allows it",
                    ])
            }
            if !(v.lower.isFinite && v.upper.isFinite) {
                throw fail(
                    "leader variable \(v.name) appears in the integer follower's constraints and has no finite \(v.lower.isFinite ? "upper" : "lower") bound; the value-function route needs every linking variable integer and bounded",
                    v.location, ["give \(v.name) finite bounds ('>= lo, <= hi') so that its values are finitely many"])
            }
        }
        reasons.append(
            linkingVariables.isEmpty
                ? "no leader variable appears in the follower's constraints: its optimal value does not depend on the leader"
                : "\(linkingVariables.count) linking variable(s) (\(linkingVariables.prefix(6).map { vars[$0].name }.joined(separator: ", "))\(linkingVariables.count > 6 ? ", ..." : "")), all integer and bounded")
        let leaderRows = model.constraints.filter { $0.owner == .leader }
        reasons.append("follower has \(followerRows.count) linear constraint(s); leader has \(leaderRows.count)")
        if !leaderOnly.isEmpty {
            reasons.append("\(leaderOnly.count) follower constraint(s) involve no follower variable and are kept as conditions on the leader's decision")
        }

        // The leader's objective: linear.
        let F = model.upperObjective
        if let (p, _) = F.expression.sortedQuadratic.first {
            throw fail(
                "the leader's objective has the product \(name(p)); with an integer follower the leader's objective must be linear",
                F.expression.origins[p] ?? F.location,
                ["\(route) with master MILPs, which need a linear objective (products with a bounded integer leader variable are expanded exactly)"])
        }
        reasons.append("leader objective is linear")
        let integers = leader.contains { vars[$0].kind != .continuous }
        if integers { reasons.append("the leader has integer variables") }
        let followerKind = integerFollower.count == follower.count ? "integer" : "mixed-integer"
        return Classification(
            problemClass: "bilevel: \(integers ? "mixed-integer linear" : "linear") leader, \(followerKind) linear follower",
            reasons: reasons, termPlan: [], leaderVariables: leader, followerVariables: follower, followerRows: followerRows,
            leaderOnlyFollowerRows: leaderOnly, followerBilinear: [:], followerQuadratic: [:], leaderObjective: .linear,
            hasIntegerLeaderVariables: integers, integerFollowerVariables: integerFollower, linkingVariables: linkingVariables)
    }
}
