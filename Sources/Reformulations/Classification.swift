import BlomodelCore

/// What kind of bilevel problem a model is, computed once, with the reasons.
public struct Classification: Sendable {
    /// A short name of the class, e.g. "bilevel LP".
    public var problemClass: String
    /// One line per fact that led to the class (printed by `check` and `--explain`).
    public var reasons: [String]
    public var leaderVariables: [VarID]
    public var followerVariables: [VarID]
    /// Follower constraints that involve follower variables (those get multipliers).
    public var followerRows: [Int]
    /// Follower constraints without follower variables: conditions on the leader's decision only.
    public var leaderOnlyFollowerRows: [Int]
    /// Leader x follower products of the follower objective, in minimisation form.
    public var followerBilinear: [VarPair: Double]
    /// When the leader objective has products, the factor `rho` with
    /// leader products = rho * follower products (the toll/pricing pattern).
    public var leaderProductFactor: Double?
    public var hasIntegerLeaderVariables: Bool
}

/// Decides whether a model is in the class the exact path handles, and why.
///
/// Accepted (issue scope "bilevel LP"):
/// - the follower's objective is linear in its own variables; it may multiply
///   follower variables by affine functions of leader variables;
/// - follower constraints are affine in the variables of both levels;
/// - follower variables are continuous;
/// - the leader's objective is linear, or has leader x follower products that are
///   proportional to those of the follower objective (toll setting, pricing);
///   then follower constraints must not involve leader variables, so that
///   strong duality makes the products linear;
/// - the leader's constraints are linear.
/// Anything else is refused with a diagnostic naming the term and its position.
public enum Classifier {
    public static func classify(_ model: BilevelModel) throws -> Classification {
        let vars = model.variables
        func name(_ p: VarPair) -> String { "\(vars[p.first].name)*\(vars[p.second].name)" }
        func levelsOf(_ p: VarPair) -> (Level, Level) { (vars[p.first].level, vars[p.second].level) }
        func fail(_ message: String, _ at: SourceLocation, _ notes: [String] = []) -> Diagnostic {
            Diagnostic(.error, message, at: at, length: 1, notes: notes).withSourceLine()
        }

        var reasons: [String] = []
        let leader = model.variables(at: .upper), follower = model.variables(at: .lower)
        reasons.append("\(leader.count) leader variable(s), \(follower.count) follower variable(s)")

        // Follower objective.
        let f = model.lowerObjective
        var bilinear: [VarPair: Double] = [:]
        for (p, c) in f.expression.sortedQuadratic {
            switch levelsOf(p) {
            case (.lower, .lower):
                throw fail(
                    "the follower's objective has the quadratic term \(name(p)); the follower must be a linear program",
                    f.expression.origins[p] ?? f.location,
                    ["quadratic followers (convex QP) are planned; for now the follower objective must be linear in its own variables"])
            case (.upper, .upper):
                continue  // constant for the follower: it does not change its decision
            default:
                bilinear[p] = c * f.sense.sign
            }
        }
        reasons.append(
            bilinear.isEmpty
                ? "follower objective is linear in the follower's variables"
                : "follower objective multiplies follower variables by leader variables (\(bilinear.count) product(s)); stationarity stays linear")

        // Constraints.
        var followerRows: [Int] = [], leaderOnly: [Int] = []
        var followerRowsWithLeaderVars: [Int] = []
        for (i, c) in model.constraints.enumerated() {
            if let (p, _) = c.body.sortedQuadratic.first {
                let which = c.level == .lower ? "follower" : "leader"
                throw fail(
                    "constraint \(c.name) has the product \(name(p)); \(which) constraints must be linear",
                    c.body.origins[p] ?? c.location,
                    ["products in constraints are not supported yet"])
            }
            guard c.level == .lower else { continue }
            let ids = c.body.linear.terms.keys
            if ids.contains(where: { vars[$0].level == .lower }) {
                followerRows.append(i)
                if ids.contains(where: { vars[$0].level == .upper }) { followerRowsWithLeaderVars.append(i) }
            } else {
                leaderOnly.append(i)
            }
        }
        reasons.append("follower has \(followerRows.count) linear constraint(s); leader has \(model.constraints(at: .upper).count)")
        if !leaderOnly.isEmpty {
            reasons.append(
                "\(leaderOnly.count) follower constraint(s) involve no follower variable and are kept as conditions on the leader's decision")
        }

        // Leader objective.
        let F = model.upperObjective
        var leaderProducts: [(VarPair, Double)] = []
        for (p, c) in F.expression.sortedQuadratic {
            switch levelsOf(p) {
            case (.upper, .upper), (.lower, .lower):
                throw fail(
                    "the leader's objective has the quadratic term \(name(p)); only linear leader objectives are supported yet",
                    F.expression.origins[p] ?? F.location,
                    ["products of a leader and a follower variable are supported when the follower's objective has the same products (toll/pricing)"])
            default: leaderProducts.append((p, c))
            }
        }
        var factor: Double?
        if let (p0, c0) = leaderProducts.first {
            guard let b0 = bilinear[p0] else {
                throw fail(
                    "the leader's objective has the product \(name(p0)), which the follower's objective does not have",
                    F.expression.origins[p0] ?? F.location,
                    ["leader x follower products are made linear through strong duality only when they are proportional to the follower objective's products (the toll/pricing pattern)"])
            }
            let rho = c0 / b0
            for (p, c) in leaderProducts {
                guard let b = bilinear[p], abs(c - rho * b) <= 1e-9 * max(1, abs(c)) else {
                    throw fail(
                        "the leader's product \(name(p)) is not proportional to the follower's products (factor \(rho) from \(name(p0)))",
                        F.expression.origins[p] ?? F.location,
                        ["strong duality linearizes rho * (the follower's bilinear terms) only as a whole"])
                }
            }
            let leaderPairs = Set(leaderProducts.map(\.0))
            for (p, _) in bilinear.sorted(by: { $0.key < $1.key }) where !leaderPairs.contains(p) {
                throw fail(
                    "the follower's product \(name(p)) is missing from the leader's objective; the leader's products must be proportional to all of the follower's",
                    f.expression.origins[p] ?? f.location)
            }
            if let i = followerRowsWithLeaderVars.first {
                let c = model.constraints[i]
                throw fail(
                    "follower constraint \(c.name) involves leader variables, so strong duality cannot make the leader's products linear",
                    c.location,
                    ["in the toll/pricing pattern the leader acts on the follower's costs only; move leader variables out of follower constraints"])
            }
            factor = rho
            reasons.append(
                "leader objective has \(leaderProducts.count) leader x follower product(s) = \(rho) x the follower's: linearized exactly by strong duality")
        } else {
            reasons.append("leader objective is linear")
        }
        let integers = leader.contains { vars[$0].kind != .continuous }
        if integers { reasons.append("the leader has integer variables") }
        let problemClass: String
        if factor != nil {
            problemClass = "bilevel LP with leader x follower products in both objectives (toll/pricing pattern)"
        } else if !bilinear.isEmpty {
            problemClass = "bilevel LP with leader-dependent follower costs"
        } else {
            problemClass = integers ? "mixed-integer leader, LP follower" : "bilevel LP"
        }
        return Classification(
            problemClass: problemClass, reasons: reasons, leaderVariables: leader, followerVariables: follower,
            followerRows: followerRows, leaderOnlyFollowerRows: leaderOnly, followerBilinear: bilinear,
            leaderProductFactor: factor, hasIntegerLeaderVariables: integers)
    }
}
