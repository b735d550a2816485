import Foundation
import BlomodelCore

/// How the leader's objective is made linear (or handed to outer approximation).
public enum LeaderObjectiveTreatment: Sendable, Equatable {
    /// Already linear.
    case linear
    /// Leader x follower products equal `factor` x the follower objective's products:
    /// replaced through strong duality (`StrongDualityLinearization`).
    case strongDuality(factor: Double)
    /// A convex quadratic (in minimisation form): solved by outer approximation,
    /// a sequence of MILPs with tangent cuts (`OuterApproximation`).
    case outerApproximation
}

/// What kind of bilevel problem a model is, computed once, with the reasons.
public struct Classification: Sendable {
    /// A short name of the class, e.g. "bilevel LP".
    public var problemClass: String
    /// One line per fact that led to the class (printed by `check` and `--explain`).
    public var reasons: [String]
    /// One line per quadratic or bilinear term (or group of terms): where it is and which pass handles it.
    public var termPlan: [String] = []
    public var leaderVariables: [VarID]
    public var followerVariables: [VarID]
    /// Follower constraints that involve follower variables (those get multipliers).
    public var followerRows: [Int]
    /// Follower constraints without follower variables: conditions on the leader's decision only.
    public var leaderOnlyFollowerRows: [Int]
    /// Leader x follower products of the follower objective, in minimisation form.
    public var followerBilinear: [VarPair: Double]
    /// Follower x follower terms of the follower objective, in minimisation form (convex).
    public var followerQuadratic: [VarPair: Double]
    public var leaderObjective: LeaderObjectiveTreatment
    public var hasIntegerLeaderVariables: Bool
    /// The follower's integer and binary variables (empty for a continuous follower). A follower
    /// with integer variables has no KKT conditions: the value-function route solves it.
    public var integerFollowerVariables: [VarID] = []
    /// Leader variables with a nonzero coefficient in a follower row that has follower variables
    /// (the follower's optimal value depends on the leader's decision through them only).
    public var linkingVariables: [VarID] = []

    /// Why the value-function program of a continuous follower cannot be exact (nil when it can,
    /// given bounds on the multipliers): `ValueFunctionReformulation.modelRefusal`.
    public var valueFunctionRefusal: String?

    /// True when the follower has integer or binary variables.
    public var hasIntegerFollower: Bool { !integerFollowerVariables.isEmpty }
    /// The strong-duality factor `rho`, when that pass applies.
    public var leaderProductFactor: Double? {
        if case .strongDuality(let rho) = leaderObjective { return rho }
        return nil
    }
}

/// Decides whether a model is in the class the exact path handles, and why.
///
/// Accepted:
/// - the follower's objective is a convex quadratic in its own variables (checked
///   numerically on the Hessian), plus products of follower variables with leader
///   variables (affine costs in the leader's decision); KKT stationarity stays linear;
/// - follower constraints are affine in the variables of both levels;
/// - follower variables are continuous;
/// - the leader's objective is linear; or has leader x follower products proportional
///   to those of an LP follower's objective (toll setting, pricing: strong duality);
///   or is a convex quadratic when minimised (concave when maximised), solved by outer
///   approximation;
/// - the leader's constraints are linear (products with bounded integer leader
///   variables were expanded before, by `ProductLinearization`).
/// Anything else is refused with a diagnostic naming the term, its position, and what
/// would make the model solvable.
public enum Classifier {
    public static func classify(_ model: BilevelModel) throws -> Classification {
        let vars = model.variables
        func name(_ p: VarPair) -> String { "\(vars[p.first].name)*\(vars[p.second].name)" }
        func levelsOf(_ p: VarPair) -> (Owner, Owner) { (vars[p.first].owner, vars[p.second].owner) }
        func fail(_ message: String, _ at: SourceLocation, _ notes: [String] = []) -> Diagnostic {
            Diagnostic(.error, message, at: at, length: 1, notes: notes).withSourceLine()
        }
        func list(_ ids: [VarID]) -> String {
            let names = ids.prefix(6).map { vars[$0].name }
            return names.joined(separator: ", ") + (ids.count > 6 ? ", ... (\(ids.count) variables)" : "")
        }

        // The exact routes read quadratic views: a model beyond them is refused at its first
        // offending node (the description in `ModelDescription` says which routes remain).
        if let part = model.nonquadraticParts.first {
            let f = part.failure
            throw Diagnostic(
                .error,
                "the exact MILP route takes linear and quadratic expressions; \(part.part) has \(model.describe(part))",
                at: model.graph.location(of: f.node), length: model.graph.length(of: f.node),
                notes: [
                    "'blomodel check' lists the routes for this model and why each can or cannot take it",
                    "smooth nonlinear bilevel models are for the gradient methods: solve --method auto gives a local answer (docs/gradient-methods.md)",
                ]
            ).withSourceLine()
        }
        var reasons: [String] = [], termPlan: [String] = []
        let leader = model.variables(of: .leader), follower = model.variables(of: .theFollower)
        let auxiliary = leader.filter { vars[$0].role != .decision }.count
        reasons.append(
            "\(leader.count - auxiliary) leader variable(s)\(auxiliary > 0 ? " (and \(auxiliary) introduced by the passes or standing for duals)" : ""), \(follower.count) follower variable(s)")
        let integerFollower = follower.filter { vars[$0].kind != .continuous }
        if !integerFollower.isEmpty {
            return try IntegerFollowerClassifier.classify(model, integerFollower: integerFollower, reasons: reasons, fail: fail)
        }

        // Follower objective.
        let f = model.lowerObjective
        var bilinear: [VarPair: Double] = [:], followerQuadratic: [VarPair: Double] = [:]
        followerQuadratic.reserveCapacity(model.lowerObjective.expression.quadratic.count)
        for (p, c) in f.expression.sortedQuadratic {
            switch levelsOf(p) {
            case (.follower, .follower): followerQuadratic[p] = c * f.sense.sign
            case (.leader, .leader): continue  // constant for the follower: it does not change its decision
            default: bilinear[p] = c * f.sense.sign
            }
        }
        if let bad = Convexity.check(followerQuadratic) {
            let first = followerQuadratic.keys.sorted().first { bad.variables.contains($0.first) }!
            throw fail(
                "the follower's objective is not \(f.sense == .minimize ? "convex" : "concave") in (\(list(bad.variables))): its Hessian there has the eigenvalue \(formatNumber(rounded(f.sense.sign * bad.eigenvalue)))",
                f.expression.origins[first] ?? f.location,
                [
                    "a quadratic follower must \(f.sense == .minimize ? "minimise a convex" : "maximise a concave") function, so that its KKT conditions characterise its optimum",
                    "the terms of this block are: " + followerQuadratic.keys.sorted().filter { bad.variables.contains($0.first) }.prefix(6).map(name).joined(separator: ", "),
                ])
        }
        if !followerQuadratic.isEmpty {
            reasons.append("follower objective is a convex quadratic in the follower's variables (\(followerQuadratic.count) term(s), Hessian checked numerically)")
            termPlan.append("follower objective: \(followerQuadratic.count) quadratic term(s) (\(followerQuadratic.keys.sorted().prefix(4).map(name).joined(separator: ", "))) -> kkt: linear terms of stationarity (exact, the follower is convex)")
        } else {
            reasons.append("follower objective is linear in the follower's variables")
        }
        if !bilinear.isEmpty {
            reasons.append("follower objective multiplies follower variables by leader variables (\(bilinear.count) product(s)); stationarity stays linear")
            termPlan.append("follower objective: \(bilinear.count) leader x follower product(s) (\(bilinear.keys.sorted().prefix(4).map(name).joined(separator: ", "))) -> kkt: leader variables in stationarity (exact)")
        }

        // Constraints.
        var followerRows: [Int] = [], leaderOnly: [Int] = []
        var followerRowsWithLeaderVars: [Int] = []
        for (i, c) in model.constraints.enumerated() {
            if let (p, _) = c.body.sortedQuadratic.first {
                if c.owner.isFollower {
                    throw fail(
                        "follower constraint \(c.name) has the product \(name(p)); follower constraints must be linear",
                        c.body.origins[p] ?? c.location,
                        ["the follower's feasible set must be a polyhedron for its KKT conditions to be exact"])
                }
                throw fail(
                    "leader constraint \(c.name) has the product \(name(p)), which cannot be made linear",
                    c.body.origins[p] ?? c.location,
                    ["a product in a leader constraint is linearized exactly when one factor is an integer or binary leader variable with finite bounds and the other has finite bounds"])
            }
            guard c.owner.isFollower else { continue }
            let ids = c.body.linear.terms.keys
            if ids.contains(where: { vars[$0].owner.isFollower }) {
                followerRows.append(i)
                if ids.contains(where: { vars[$0].owner == .leader }) { followerRowsWithLeaderVars.append(i) }
            } else {
                leaderOnly.append(i)
            }
        }
        let leaderRows = model.constraints.filter { $0.owner == .leader }
        let auxiliaryRows = leaderRows.filter(\.isAuxiliary).count
        reasons.append(
            "follower has \(followerRows.count) linear constraint(s); leader has \(leaderRows.count - auxiliaryRows)\(auxiliaryRows > 0 ? " (and \(auxiliaryRows) from product linearization)" : "")")
        let leaderOnlySet = Set(leaderOnly)
        for v in vars {
            guard case .dual(let row) = v.role else { continue }
            if leaderOnlySet.contains(row) {
                throw fail(
                    "\(v.name) refers to a follower constraint without follower variables, which has no multiplier",
                    v.location, ["such a constraint only restricts the leader's decision; its dual is not defined by the follower's problem"])
            }
            termPlan.append("\(v.name) -> kkt: a column linked to the multiplier of \(model.constraints[row].name) (rate of change of the follower's optimal value with its right-hand side)")
        }
        if !leaderOnly.isEmpty {
            reasons.append(
                "\(leaderOnly.count) follower constraint(s) involve no follower variable and are kept as conditions on the leader's decision")
        }

        // Leader objective.
        let F = model.upperObjective
        let quadratic = F.expression.sortedQuadratic
        var treatment = LeaderObjectiveTreatment.linear
        if quadratic.isEmpty {
            reasons.append("leader objective is linear")
        } else if case .success(let rho) = strongDualityFactor(quadratic, bilinear, followerQuadratic, followerRowsWithLeaderVars, levelsOf) {
            treatment = .strongDuality(factor: rho)
            reasons.append(
                "leader objective has \(quadratic.count) leader x follower product(s) = \(formatNumber(rho)) x the follower's: linearized exactly by strong duality")
            termPlan.append("leader objective: \(quadratic.count) leader x follower product(s) (\(quadratic.prefix(4).map { name($0.0) }.joined(separator: ", "))) -> strong-duality: rho x (dual objective - follower's constant costs) (exact)")
        } else {
            var minimised: [VarPair: Double] = [:]
            for (p, c) in quadratic { minimised[p] = c * F.sense.sign }
            if let bad = Convexity.check(minimised) {
                let first = quadratic.map(\.0).first { bad.variables.contains($0.first) }!
                var notes = [
                    "the exact path solves a convex quadratic leader objective when minimising (concave when maximising) by outer approximation",
                    "a product with an integer or binary leader variable with finite bounds is linearized exactly (binary expansion)",
                ]
                if let d = bad.variables.first(where: { if case .dual = vars[$0].role { return true } else { return false } }) {
                    notes.append(
                        "a product with \(vars[d].name) is exact when the other factor is an integer or binary leader variable with finite bounds, or when the products make up the whole body of its constraint (no leader variables, not ranged); otherwise it is a nonconvex bilinear term")
                }
                if case .failure(let why) = strongDualityFactor(quadratic, bilinear, followerQuadratic, followerRowsWithLeaderVars, levelsOf),
                    levelsOf(first).0.isLeader != levelsOf(first).1.isLeader
                {
                    notes.append("strong duality does not apply: \(why)")
                }
                throw fail(
                    "the leader's objective is not \(F.sense == .minimize ? "convex" : "concave") in (\(list(bad.variables))): its Hessian there has the eigenvalue \(formatNumber(rounded(F.sense.sign * bad.eigenvalue))) (term \(name(first)))",
                    F.expression.origins[first] ?? F.location, notes)
            }
            treatment = .outerApproximation
            reasons.append("leader objective is a \(F.sense == .minimize ? "convex" : "concave") quadratic (\(quadratic.count) term(s), Hessian checked numerically): outer approximation")
            termPlan.append("leader objective: \(quadratic.count) quadratic term(s) (\(quadratic.prefix(4).map { name($0.0) }.joined(separator: ", "))) -> outer-approximation: epigraph variable and tangent cuts, MILPs until the gap closes (exact within the stated tolerance)")
        }
        let integers = leader.contains { vars[$0].kind != .continuous }
        if integers { reasons.append("the leader has integer variables") }
        let followerKind = followerQuadratic.isEmpty ? "LP" : "convex QP"
        let leaderKind: String
        switch treatment {
        case .linear: leaderKind = integers ? "mixed-integer linear" : "linear"
        case .strongDuality: leaderKind = "linear after strong duality (toll/pricing pattern)"
        case .outerApproximation: leaderKind = "convex quadratic (outer approximation)"
        }
        var problemClass = "bilevel: \(leaderKind) leader, \(followerKind) follower"
        if followerQuadratic.isEmpty, bilinear.isEmpty, treatment == .linear {
            problemClass = integers ? "mixed-integer leader, LP follower" : "bilevel LP"
        } else if treatment == .linear, followerQuadratic.isEmpty {
            problemClass = "bilevel LP with leader-dependent follower costs"
        } else if case .strongDuality = treatment {
            problemClass = "bilevel LP with leader x follower products in both objectives (toll/pricing pattern)"
        }
        var result = Classification(
            problemClass: problemClass, reasons: reasons, termPlan: termPlan, leaderVariables: leader,
            followerVariables: follower, followerRows: followerRows, leaderOnlyFollowerRows: leaderOnly,
            followerBilinear: bilinear, followerQuadratic: followerQuadratic, leaderObjective: treatment,
            hasIntegerLeaderVariables: integers)
        result.valueFunctionRefusal = ValueFunctionReformulation.modelRefusal(model, result)
        return result
    }

    enum Factor { case success(Double), failure(String) }

    /// Six significant digits, for eigenvalues in messages.
    static func rounded(_ v: Double) -> Double {
        guard v != 0, v.isFinite else { return v }
        let scale = Foundation.pow(10, 5 - Foundation.floor(Foundation.log10(abs(v))))
        return (v * scale).rounded() / scale
    }

    /// The factor `rho` with (the leader's products) = rho x (the follower objective's products),
    /// when strong duality can make them linear; otherwise why not.
    static func strongDualityFactor(
        _ quadratic: [(VarPair, Double)], _ bilinear: [VarPair: Double], _ followerQuadratic: [VarPair: Double],
        _ followerRowsWithLeaderVars: [Int], _ levelsOf: (VarPair) -> (Owner, Owner)
    ) -> Factor {
        guard let (p0, c0) = quadratic.first else { return .failure("no products") }
        if quadratic.contains(where: { levelsOf($0.0).0.isLeader == levelsOf($0.0).1.isLeader }) {
            return .failure("the leader's objective has terms other than leader x follower products")
        }
        guard let b0 = bilinear[p0] else { return .failure("the follower's objective does not have the product of the leader's first term") }
        let rho = c0 / b0
        for (p, c) in quadratic {
            guard let b = bilinear[p], abs(c - rho * b) <= 1e-9 * max(1, abs(c)) else {
                return .failure("the leader's products are not proportional to the follower's")
            }
        }
        if bilinear.count != quadratic.count { return .failure("the follower's objective has products the leader's lacks") }
        if !followerQuadratic.isEmpty { return .failure("the follower is quadratic, so its strong-duality equation is not linear") }
        if !followerRowsWithLeaderVars.isEmpty {
            return .failure("follower constraints involve leader variables, so the dual objective would have products")
        }
        return .success(rho)
    }
}
