import BlomodelCore
import LinearAlgebra
import SolverInterface

/// What kind of function an objective or a constraint body is.
public enum ExpressionClass: String, Sendable, CaseIterable {
    case linear
    case convexQuadratic = "convex quadratic"
    case concaveQuadratic = "concave quadratic"
    case nonconvexQuadratic = "nonconvex quadratic"
    /// Quadratic, with a block of linked variables too large for the eigenvalue check
    /// (`Convexity.maximumEigenBlock`).
    case uncheckedQuadratic = "quadratic (curvature not checked: too large)"
    case smoothNonlinear = "smooth nonlinear"
    case nonsmooth
}

/// One objective or constraint body, described.
public struct PartDescription: Sendable {
    public var expressionClass: ExpressionClass
    /// Convex, concave, affine, ... as eigenvalues (quadratic) or composition rules (nonlinear) show.
    public var curvature: Curvature
    /// Where a nonsmooth or nonlinear node sits, for messages.
    public var detail: String?
}

/// A level of the model (leader or follower), described.
public struct LevelDescription: Sendable {
    public var objectiveSense: ObjectiveSense
    public var objective: PartDescription
    /// How many constraints of each class the level has.
    public var constraintClasses: [(ExpressionClass, Int)]
    public var continuousVariables: Int
    public var integerVariables: Int
    public var binaryVariables: Int
    /// In what variables the classes are computed: all for the leader, the follower's own
    /// for the follower (the leader's decision is a parameter there).
    public var withRespectTo: String
}

/// The description of a bilevel model that `blomodel check` prints: per level the class of
/// its objective and constraints, integrality, the follower's convexity in its own variables
/// (strong convexity where it can be shown), and the routes that can take the model.
///
/// Unlike `Classifier.classify`, which throws at the first term the exact route cannot take,
/// this never throws: it says what the model is, then what can be done with it.
public struct ModelDescription: Sendable {
    public var leader: LevelDescription
    public var follower: LevelDescription
    /// The follower's problem is convex in its own variables (objective convex when
    /// minimised, concave when maximised; feasible set convex): true, false, or nil when
    /// neither could be shown.
    public var followerConvex: Bool?
    /// The smallest eigenvalue of the follower objective's Hessian in its own variables
    /// (minimisation form), when the objective is quadratic and it is positive.
    public var followerStrongConvexity: Double?
    /// Facts behind the follower's properties, one line each.
    public var followerNotes: [String]
    /// Why the gradient methods cannot take the model's constraints (a nonlinear row, a leader row
    /// on the follower's variables), nil when they can (bounds and linear rows).
    public var gradientConstraintNeed: String? = nil
    /// The exact routes' classification, when they can take the model.
    public var classification: Classification?
    /// Why the exact routes refuse the model, positioned at the offending term (nil when they take it).
    public var exactRefusal: Diagnostic?

    /// The exact route's problem class, when it takes the model.
    public var exactClass: String? { classification?.problemClass }
    /// How each quadratic or bilinear term is handled, when the exact routes take the model.
    public var termPlan: [String] { classification?.termPlan ?? [] }

    /// The gradient methods' needs that this model does not meet (empty when it qualifies):
    /// continuous variables, smooth functions, a follower convex in its own variables.
    public var gradientMethodNeeds: [String] {
        var needs: [String] = []
        let integers = leader.integerVariables + leader.binaryVariables + follower.integerVariables + follower.binaryVariables
        if integers > 0 { needs.append("continuous variables (the model has \(integers) integer or binary)") }
        for (who, l) in [("leader", leader), ("follower", follower)]
        where l.objective.expressionClass == .nonsmooth || l.constraintClasses.contains(where: { $0.0 == .nonsmooth && $0.1 > 0 }) {
            let at = l.objective.expressionClass == .nonsmooth ? l.objective.detail.map { ": " + $0 } ?? "" : " in a constraint"
            needs.append("smooth functions (the \(who)'s level has abs, min or max\(at))")
        }
        // Unknown convexity is taken (the answer's follower is re-solved from several starts, and
        // the report says the gap was measured so); a follower shown nonconvex is not.
        if followerConvex == false { needs.append("a follower convex in its own variables (it is not)") }
        if let rows = gradientConstraintNeed { needs.append(rows) }
        return needs
    }
}

extension ModelDescription {
    /// Describes a model. `lpSolver` serves the exact route's bound proofs (product
    /// linearization) while deciding whether it accepts the model.
    public static func describe(_ model: BilevelModel, lpSolver: (any SolverBackend)?) -> ModelDescription {
        let followerIDs = Set(model.variables(of: .theFollower))
        let leaderIDs = Set(model.variables(of: .leader))
        var notes: [String] = []

        let leader = level(model, .leader, fixed: [], respect: "all variables")
        let follower = level(model, .theFollower, fixed: leaderIDs, respect: "the follower's own variables (the leader's are parameters)")

        // Convexity of the follower's problem in its own variables.
        let sign = model.lowerObjective.sense.sign
        let objectiveCurvature = sign > 0 ? follower.objective.curvature : follower.objective.curvature.negated
        var convex: Bool? = objectiveCurvature.isConvex ? true : nil
        if follower.objective.expressionClass == .nonconvexQuadratic { convex = false }
        if follower.objective.expressionClass == .concaveQuadratic, sign > 0 { convex = false }
        if follower.objective.expressionClass == .convexQuadratic, sign < 0 { convex = false }
        if convex == true {
            notes.append("the follower's objective is \(sign > 0 ? "convex" : "concave") in its own variables (it \(sign > 0 ? "minimises" : "maximises"))")
        } else if convex == false {
            notes.append("the follower's objective is not \(sign > 0 ? "convex" : "concave") in its own variables")
        } else {
            notes.append("the follower objective's curvature in its own variables could not be shown (\(follower.objective.curvature.rawValue))")
        }
        var feasibleSetConvex: Bool? = true
        for c in model.constraints where c.owner.isFollower {
            let k = rowCurvature(model, c, fixed: leaderIDs)
            let ok =
                (c.lower.isFinite && c.upper.isFinite) ? (k == .affine || k == .constant)
                : c.upper.isFinite ? k.isConvex : k.isConcave
            if !ok {
                // Composition rules can show a set convex, never nonconvex ({y : exp(y) >= x} is
                // an interval): the set's convexity is then not shown, not refuted.
                feasibleSetConvex = nil
                notes.append("follower constraint \(c.name) does not show a convex feasible set (its body is \(k.rawValue) in the follower's variables, and the row needs \(c.lower.isFinite && c.upper.isFinite ? "affine" : c.upper.isFinite ? "convex" : "concave"))")
                break
            }
        }
        if feasibleSetConvex == true { notes.append("the follower's feasible set is convex (every row's body has the right curvature)") }
        if follower.integerVariables + follower.binaryVariables > 0 {
            convex = false
            notes.append("the follower has integer variables")
        } else if convex == true {
            convex = feasibleSetConvex
        }

        // Strong convexity, where the objective is quadratic in the follower's variables.
        var modulus: Double?
        if model.lowerObjective.nonquadratic == nil, convex == true {
            var own: [VarPair: Double] = [:]
            for (p, c) in model.lowerObjective.expression.quadratic
            where followerIDs.contains(p.first) && followerIDs.contains(p.second) {
                own[p] = c * sign
            }
            // Positive beyond rounding: relative to the largest Hessian entry, as in `Convexity.check`.
            let scale = own.values.reduce(1.0) { max($0, 2 * abs($1)) }
            if let m = Convexity.smallestEigenvalue(own, over: model.variables(of: .theFollower)) {
                if m > 1e-9 * scale {
                    modulus = m
                    notes.append("the follower's objective is strongly \(sign > 0 ? "convex" : "concave") in its own variables with modulus \(formatNumber(Classifier.rounded(m))) (smallest eigenvalue of the Hessian of its minimisation form)")
                } else {
                    notes.append("the follower's objective is not strongly \(sign > 0 ? "convex" : "concave") in its own variables (a Hessian eigenvalue is 0: its optimum may not be unique)")
                }
            } else {
                notes.append("strong convexity was not checked (a block of more than \(Convexity.maximumEigenBlock) variables)")
            }
        } else if convex == true {
            notes.append("strong convexity is not shown for nonquadratic objectives")
        }

        var description = ModelDescription(
            leader: leader, follower: follower, followerConvex: convex, followerStrongConvexity: modulus,
            followerNotes: notes, classification: nil, exactRefusal: nil)
        // The gradient methods take bounds and linear rows; a leader row must not involve the
        // follower's variables (GradientMethods.SmoothBilevel.refusal says the same at the row).
        if let c = model.constraints.first(where: { $0.nonquadratic != nil || !$0.body.quadratic.isEmpty }) {
            description.gradientConstraintNeed = "linear constraints (\(c.name) is nonlinear)"
        } else if let c = model.constraints.first(where: { c in c.owner == .leader && c.body.linear.sortedTerms.contains { followerIDs.contains($0.0) && $0.1 != 0 } }) {
            description.gradientConstraintNeed = "leader constraints on the leader's variables only (\(c.name) couples the levels)"
        }
        do {
            description.classification = try Planner.classify(model, lpSolver: lpSolver).1
        } catch let e as Diagnostic {
            description.exactRefusal = e
        } catch {
            description.exactRefusal = Diagnostic(.error, "\(error)")
        }
        return description
    }

    static func level(_ model: BilevelModel, _ level: Owner, fixed: Set<VarID>, respect: String) -> LevelDescription {
        let objective = level == .leader ? model.upperObjective : model.lowerObjective
        let ids = model.variables(of: level).filter { model.variables[$0].role == .decision }
        var counts: [ExpressionClass: Int] = [:]
        for c in model.constraints where c.owner == level {
            counts[part(model, body: c.body, function: c.function, failure: c.nonquadratic, fixed: fixed).expressionClass, default: 0] += 1
        }
        return LevelDescription(
            objectiveSense: objective.sense,
            objective: part(model, body: objective.expression, function: objective.function, failure: objective.nonquadratic, fixed: fixed),
            constraintClasses: ExpressionClass.allCases.compactMap { k in counts[k].map { (k, $0) } },
            continuousVariables: ids.filter { model.variables[$0].kind == .continuous }.count,
            integerVariables: ids.filter { model.variables[$0].kind == .integer }.count,
            binaryVariables: ids.filter { model.variables[$0].kind == .binary }.count,
            withRespectTo: respect)
    }

    /// The class and curvature of one expression, in the variables not in `fixed`.
    static func part(
        _ model: BilevelModel, body: QuadExpr, function: NodeID?, failure: ExtractionFailure?, fixed: Set<VarID>
    ) -> PartDescription {
        if failure == nil {
            // Quadratic: eigenvalues of the Hessian in the free variables decide.
            var free: [VarPair: Double] = [:]
            free.reserveCapacity(body.quadratic.count)
            for (p, c) in body.quadratic where !fixed.contains(p.first) && !fixed.contains(p.second) { free[p] = c }
            let linearInFree = free.isEmpty
            if linearInFree {
                let constant = !body.linear.terms.keys.contains { !fixed.contains($0) }
                    && !body.quadratic.keys.contains { !fixed.contains($0.first) || !fixed.contains($0.second) }
                return PartDescription(expressionClass: .linear, curvature: constant ? .constant : .affine)
            }
            // One eigenvalue computation per block decides both (tolerance as in `Convexity.check`).
            guard let range = Convexity.eigenvalueRange(free, maximumBlock: Convexity.maximumEigenBlock) else {
                // Too large for eigenvalues: a banded Cholesky may still show the curvature.
                if Convexity.bandedShowsConvex(free) { return PartDescription(expressionClass: .convexQuadratic, curvature: .convex) }
                if Convexity.bandedShowsConvex(free, negated: true) {
                    return PartDescription(expressionClass: .concaveQuadratic, curvature: .concave)
                }
                return PartDescription(
                    expressionClass: .uncheckedQuadratic, curvature: .unknown,
                    detail: "a block of more than \(Convexity.maximumEigenBlock) linked variables: its eigenvalues were not computed")
            }
            let tolerance = 1e-9 * max(1, range.scale)
            let convex = range.smallest >= -tolerance
            let concave = range.largest <= tolerance
            if convex { return PartDescription(expressionClass: .convexQuadratic, curvature: .convex) }
            if concave { return PartDescription(expressionClass: .concaveQuadratic, curvature: .concave) }
            return PartDescription(expressionClass: .nonconvexQuadratic, curvature: .unknown)
        }
        guard let root = function else { return PartDescription(expressionClass: .smoothNonlinear, curvature: .unknown) }
        let nodes = model.graph.reachable(from: [root])
        let freeVariables = nodes.contains { if case .variable(let j) = model.graph[$0] { return !fixed.contains(j) } else { return false } }
        // Nonsmooth only where a kink depends on the free variables (`abs(x)` of the leader's
        // `x` is a constant in the follower's problem).
        if let n = nodes.first(where: { model.graph[$0].isNonsmooth && model.graph.variables(in: $0).contains { !fixed.contains($0) } }) {
            return PartDescription(
                expressionClass: .nonsmooth, curvature: CurvatureAnalysis(model.graph, fixed: fixed).curvature(of: root),
                detail: "nonsmooth at \(model.graph.location(of: n))")
        }
        if !freeVariables { return PartDescription(expressionClass: .linear, curvature: .constant) }
        return PartDescription(
            expressionClass: .smoothNonlinear, curvature: CurvatureAnalysis(model.graph, fixed: fixed).curvature(of: root),
            detail: failure.map { "\(model.describe($0)) (\(model.graph.location(of: $0.node)))" })
    }

    static func rowCurvature(_ model: BilevelModel, _ c: Constraint, fixed: Set<VarID>) -> Curvature {
        part(model, body: c.body, function: c.function, failure: c.nonquadratic, fixed: fixed).curvature
    }

}

extension ModelDescription {
    /// The description as the lines `blomodel check` prints.
    public var lines: [String] {
        func level(_ name: String, _ l: LevelDescription) -> [String] {
            var out = ["\(name) objective (\(l.objectiveSense.rawValue)): \(l.objective.expressionClass.rawValue), curvature \(l.objective.curvature.rawValue), in \(l.withRespectTo)"]
            if let detail = l.objective.detail { out.append("  \(detail)") }
            let rows = l.constraintClasses.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ")
            out.append("\(name) constraints: \(rows.isEmpty ? "none" : rows)")
            out.append(
                "\(name) variables: \(l.continuousVariables) continuous, \(l.integerVariables) integer, \(l.binaryVariables) binary")
            return out
        }
        var out = level("leader", leader) + level("follower", follower)
        let convexity = followerConvex == true ? "convex" : followerConvex == false ? "not convex" : "convexity not shown"
        out.append("follower problem: \(convexity) in its own variables"
            + (followerStrongConvexity.map { ", strongly (modulus \(formatNumber(Classifier.rounded($0))), in minimisation form)" } ?? ""))
        for n in followerNotes { out.append("  - \(n)") }
        return out
    }
}
