import BlomodelCore
import Differentiation
import SolverInterface

/// A smooth bilevel problem as the gradient methods see it, in minimisation form:
///
///     min_x  F(x, y*(x))   s.t. x in X (a box and linear rows on x)
///     y*(x) = argmin_y f(x, y)   s.t. y in Y (a box) and linear rows on (x, y)
///
/// `F` and `f` are the model's objectives times their senses' signs (a maximised objective is
/// negated), compiled once (`BilevelDerivatives`); every derivative is exact (no finite
/// differences). Built by `SmoothBilevel.make`, which refuses, with the reason, a model the
/// methods cannot take.
package struct SmoothBilevel: Sendable {
    package let model: BilevelModel
    package let derivatives: BilevelDerivatives
    package var split: VariableSplit { derivatives.split }
    /// +1 or -1: `F = upperSign * (the leader's objective as written)`.
    package let upperSign: Double
    package let lowerSign: Double
    package let xLower: [Double], xUpper: [Double]
    package let yLower: [Double], yUpper: [Double]
    /// The leader's linear rows (on `x` only) and the follower's (on `x` and `y`).
    package let leaderRows: LinearRows
    package let followerRows: LinearRows
    /// The convex QP solver for the projections onto the rows and the follower's Newton
    /// subproblems (nil: a model with rows cannot be taken).
    package let quadraticSolver: (any SolverBackend)?
    /// The same for sets known to be nonempty (without the checked solver's feasibility
    /// pre-solve): the leader's and the joint polyhedra once a point of them is known, the
    /// follower's at a given x after its first QP.
    let nonemptySetSolver: (any SolverBackend)?
    /// The follower's Hessian in `y` when its objective is quadratic (constant: read from its
    /// quadratic view, not assembled by Hessian-vector products), for up to 2000 follower variables.
    let constantFollowerHessian: [[Double]]?

    package var leaderCount: Int { xLower.count }
    package var followerCount: Int { yLower.count }

    /// Why a model is not for the gradient methods (nil when it is).
    package static func refusal(_ model: BilevelModel) -> String? { refusalAt(model)?.reason }

    /// The reason and where it is in the model (a variable's, a constraint's or a node's position).
    package static func refusalAt(_ model: BilevelModel) -> (reason: String, location: SourceLocation?)? {
        if let v = model.variables.first(where: { $0.kind != .continuous }) {
            return ("the gradient methods need continuous variables; \(v.name) is \(v.kind.rawValue)", v.location)
        }
        if let v = model.variables.first(where: { if case .dual = $0.role { return true } else { return false } }) {
            return ("the gradient methods do not take dual(...) in the leader's expressions (\(v.base))", v.location)
        }
        if let r = linearRows(model, split: VariableSplit(model: model)).refusal { return r }
        if model.variables(of: .leader).isEmpty {
            return ("the leader has no variables: there is nothing for a gradient method to move (the follower's problem alone is an optimisation problem; an exact route solves it)", model.upperObjective.location == .unknown ? nil : model.upperObjective.location)
        }
        let graph = model.graph
        for (what, root) in [("the leader's objective", model.upperObjective.function), ("the follower's objective", model.lowerObjective.function)] {
            guard let root else { continue }
            if let n = graph.reachable(from: [root]).first(where: { graph[$0].isNonsmooth }) {
                let at = graph.location(of: n)
                return (
                    "\(what) is not smooth: it has \(describe(graph[n])) here (the gradient methods need derivatives everywhere)",
                    at == .unknown ? nil : at
                )
            }
        }
        return nil
    }

    static func describe(_ node: ExpressionNode) -> String {
        switch node {
        case .call(let f, _): return "\(f.rawValue)(...)"
        case .minimum: return "min(...)"
        case .maximum: return "max(...)"
        default: return "a nonsmooth operation"
        }
    }

    /// The problem of `model`, or the reason the methods cannot take it.
    /// Constraints (linear ones) need `quadraticSolver`, a convex QP backend that reports an
    /// empty set as infeasible; `nonemptySetSolver` (default: the same) is used where the set is
    /// known to have a point.
    package static func make(
        _ model: BilevelModel, quadraticSolver: (any SolverBackend)? = nil, nonemptySetSolver: (any SolverBackend)? = nil
    ) throws -> SmoothBilevel {
        if let r = refusalAt(model) { throw GradientRefusal(reason: r.reason, location: r.location) }
        var p = try SmoothBilevel(model: model, quadraticSolver: quadraticSolver, nonemptySetSolver: nil)
        if let c = (p.leaderRows.rows + p.followerRows.rows).first {
            guard quadraticSolver != nil else {
                throw GradientRefusal(reason: "constraints need a QP solver for their projections (\(c.name)); none was given", location: c.location)
            }
            guard p.projectJoint(SmoothBilevel.start(p.xLower, p.xUpper), SmoothBilevel.start(p.yLower, p.yUpper)) != nil else {
                throw GradientRefusal(reason: "no point satisfies the constraints and bounds of both levels together", location: c.location)
            }
            p = try SmoothBilevel(model: model, quadraticSolver: quadraticSolver, nonemptySetSolver: nonemptySetSolver ?? quadraticSolver)
        }
        return p
    }

    /// Why `rule` cannot take this problem (nil when it can), with the position of what it cannot take.
    package func refusal(for rule: HypergradientRule) -> GradientRefusal? {
        guard let row = followerRows.rows.first else { return nil }
        switch rule {
        case .aidCG, .aidNeumann, .aidExact: return nil
        default:
            return GradientRefusal(
                reason: "this rule does not take linear follower constraints (\(row.name) is one): iterative differentiation would have to differentiate the projection onto them, and the approximate implicit rules ignore their multipliers; use aid-cg, aid-neumann or aid-exact (implicit differentiation of the follower's KKT conditions), or pbgd",
                location: row.location)
        }
    }

    private init(model: BilevelModel, quadraticSolver: (any SolverBackend)?, nonemptySetSolver: (any SolverBackend)?) throws {
        self.model = model
        self.quadraticSolver = quadraticSolver
        self.nonemptySetSolver = nonemptySetSolver
        derivatives = try BilevelDerivatives(model: model)
        upperSign = model.upperObjective.sense.sign
        lowerSign = model.lowerObjective.sense.sign
        let s = derivatives.split
        xLower = s.leader.map { model.variables[$0].lower }
        xUpper = s.leader.map { model.variables[$0].upper }
        yLower = s.follower.map { model.variables[$0].lower }
        yUpper = s.follower.map { model.variables[$0].upper }
        constantFollowerHessian = SmoothBilevel.quadraticHessian(model, split: s, sign: lowerSign)
        let rows = SmoothBilevel.linearRows(model, split: s)
        leaderRows = rows.leader
        followerRows = rows.follower
    }

    /// `Hess_yy f` from the follower objective's quadratic view (its value is the objective's),
    /// or nil when it has none or the follower has more than 2000 variables.
    static func quadraticHessian(_ model: BilevelModel, split: VariableSplit, sign: Double) -> [[Double]]? {
        let objective = model.lowerObjective
        guard objective.nonquadratic == nil, split.follower.count <= 2000 else { return nil }
        var position: [VarID: Int] = [:]
        for (k, j) in split.follower.enumerated() { position[j] = k }
        let n = split.follower.count
        var h = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for (pair, c) in objective.expression.sortedQuadratic {
            guard let i = position[pair.first], let j = position[pair.second] else { continue }
            if i == j { h[i][i] += 2 * sign * c } else { h[i][j] += sign * c; h[j][i] += sign * c }
        }
        return h
    }

    // MARK: Evaluation (minimisation form)

    package func point(_ x: [Double], _ y: [Double]) -> [Double] { split.combine(leader: x, follower: y) }

    /// `F(x, y)`.
    package func upperValue(_ x: [Double], _ y: [Double]) -> Double {
        upperSign * derivatives.upperObjective.value(at: point(x, y))
    }

    /// `(grad_x F, grad_y F)`.
    package func upperGradient(_ x: [Double], _ y: [Double]) -> SplitVector {
        scaled(derivatives.upperObjective.gradient(at: point(x, y), split: split), upperSign)
    }

    /// `(Hess_xy F v, Hess_yy F v)` for a follower direction `v`.
    package func upperFollowerProducts(_ x: [Double], _ y: [Double], _ v: [Double]) -> SplitVector {
        scaled(derivatives.upperObjective.followerDirectionProducts(at: point(x, y), split: split, direction: v), upperSign)
    }

    /// `f(x, y)`.
    package func lowerValue(_ x: [Double], _ y: [Double]) -> Double {
        lowerSign * derivatives.lowerObjective.value(at: point(x, y))
    }

    /// `f(x, y)` and `grad_y f(x, y)`.
    package func lowerValueAndGradient(_ x: [Double], _ y: [Double]) -> (value: Double, gradient: [Double]) {
        let (v, g) = derivatives.lowerObjective.valueAndGradient(at: point(x, y))
        let follower = split.split(g).follower
        return (lowerSign * v, follower.map { lowerSign * $0 })
    }

    /// `(Hess_xy f v, Hess_yy f v)` for a follower direction `v`.
    package func lowerFollowerProducts(_ x: [Double], _ y: [Double], _ v: [Double]) -> SplitVector {
        scaled(derivatives.lowerObjective.followerDirectionProducts(at: point(x, y), split: split, direction: v), lowerSign)
    }

    /// `(Hess_xx f u, Hess_yx f u)` for a leader direction `u`.
    package func lowerLeaderProducts(_ x: [Double], _ y: [Double], _ u: [Double]) -> SplitVector {
        scaled(derivatives.lowerObjective.leaderDirectionProducts(at: point(x, y), split: split, direction: u), lowerSign)
    }

    private func scaled(_ v: SplitVector, _ s: Double) -> SplitVector {
        s == 1 ? v : SplitVector(leader: v.leader.map { s * $0 }, follower: v.follower.map { s * $0 })
    }

    // MARK: Boxes

    /// The projection onto the leader's box, and its rows when it has some (a QP; the box's
    /// clipping if the QP fails).
    package func projectLeader(_ x: [Double]) -> [Double] {
        guard !leaderRows.isEmpty, let qp = nonemptySetSolver ?? quadraticSolver else { return clip(x, xLower, xUpper) }
        let rows = leaderRows.rows.map { (index: $0.leaderIndex, coefficient: $0.leaderCoefficient, lower: $0.lower, upper: $0.upper) }
        return QuadraticSubproblem(backend: qp).solve(hessian: nil, linear: x.map { -$0 }, lower: xLower, upper: xUpper, rows: rows)
            ?? clip(x, xLower, xUpper)
    }
    package func projectFollower(_ y: [Double]) -> [Double] { clip(y, yLower, yUpper) }

    private func clip(_ v: [Double], _ lo: [Double], _ hi: [Double]) -> [Double] {
        var r = v
        for i in r.indices { r[i] = Swift.min(Swift.max(r[i], lo[i]), hi[i]) }
        return r
    }

    /// The follower coordinates not held at a bound by the gradient (`g` pushes them out of
    /// the box): those the follower's answer moves along, locally.
    package func freeFollowerCoordinates(_ y: [Double], gradient g: [Double], tolerance: Double = 1e-9) -> [Bool] {
        y.indices.map { i in
            let scale = Swift.max(1, Swift.abs(y[i]))
            if y[i] <= yLower[i] + tolerance * scale, g[i] > 0 { return false }
            if y[i] >= yUpper[i] - tolerance * scale, g[i] < 0 { return false }
            return true
        }
    }

    /// A start inside the boxes: the model's bounds' midpoints where both are finite, the
    /// finite bound where one is, 0 otherwise.
    package static func start(_ lower: [Double], _ upper: [Double]) -> [Double] {
        zip(lower, upper).map { lo, hi in
            if lo.isFinite, hi.isFinite { return (lo + hi) / 2 }
            if lo.isFinite { return Swift.max(lo, 0) }
            if hi.isFinite { return Swift.min(hi, 0) }
            return 0
        }
    }
}

/// A model the gradient methods cannot take, with the reason.
package struct GradientRefusal: Error, CustomStringConvertible {
    package var reason: String
    package var location: SourceLocation?
    package var description: String { reason }
}

// MARK: - Small vector helpers

@inline(__always) func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
}

@inline(__always) func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

func axpy(_ alpha: Double, _ x: [Double], _ y: [Double]) -> [Double] {
    var r = y
    for i in r.indices { r[i] += alpha * x[i] }
    return r
}

func masked(_ v: [Double], _ free: [Bool]) -> [Double] {
    var r = v
    for i in r.indices where !free[i] { r[i] = 0 }
    return r
}

func allFinite(_ v: [Double]) -> Bool { v.allSatisfy(\.isFinite) }

/// Conjugate gradients for `H v = b` with `H` symmetric, given as a product: the solution, the
/// final residual's squared norm, the iterations, and whether a direction of nonpositive
/// curvature (`p'Hp <= 0`: `H` not positive definite) stopped it.
func conjugateGradients(
    _ apply: ([Double]) -> [Double], _ b: [Double], maximumIterations: Int, relativeTolerance: Double
) -> (solution: [Double], residual: Double, iterations: Int, curvature: Double?) {
    var v = [Double](repeating: 0, count: b.count)
    var residual = b, p = b
    var rr = dot(residual, residual)
    let target = relativeTolerance * relativeTolerance * Swift.max(rr, 1e-300)
    var k = 0
    while k < maximumIterations, rr > target {
        let hp = apply(p)
        let php = dot(p, hp)
        // Curvature at the level of rounding counts as none: a singular H must not give a huge step.
        guard php > 1e-12 * dot(p, p), php.isFinite else { return (v, rr, k, php) }
        let alpha = rr / php
        v = axpy(alpha, p, v)
        residual = axpy(-alpha, hp, residual)
        let next = dot(residual, residual)
        p = axpy(next / rr, p, residual)
        rr = next
        k += 1
    }
    return (v, rr, k, nil)
}
