import Foundation
import LinearAlgebra

/// How the hypergradient `grad Phi(x)` of `Phi(x) = F(x, y*(x))` is computed (docs/gradient-methods.md).
package enum HypergradientRule: Sendable, Equatable {
    /// Implicit differentiation: `grad_x F - Hess_xy f v` with `Hess_yy f v = grad_y F` on the
    /// follower's free coordinates, `v` by conjugate gradients.
    case aidCG(iterations: Int, tolerance: Double)
    /// ... `v` by the Neumann series `eta sum_k (I - eta Hess_yy f)^k grad_y F` (K terms).
    case aidNeumann(terms: Int, eta: Double?)
    /// ... `v` by a dense factorisation (LU, LAPACK) of the follower's Hessian.
    case aidExact
    /// Iterative differentiation through K projected gradient steps of the follower (step
    /// `eta`), reverse mode over the last `truncation` steps (all when nil).
    case itdReverse(steps: Int, eta: Double?, truncation: Int?)
    /// ... forward mode (the Jacobian dy/dx carried along, one column per leader variable).
    case itdForward(steps: Int, eta: Double?)
    /// Bilevel descent aggregation (Liu, Mu, Yuan, Zeng and Zhang, ICML 2020; seed 004 eq. (37)):
    /// the follower's K steps aggregate both objectives,
    /// `y_{t+1} = P(y_t - eta (a_t grad_y F + (1 - a_t) grad_y f))`, `a_t = mu / (t + 1)`, and the
    /// hypergradient is differentiated through them (reverse mode). For followers with several
    /// optimal responses: the aggregation steers towards the leader's best one.
    case bda(steps: Int, eta: Double?, mu: Double)
    /// Seed 001's Hessian-free approximation: `F_x - (1/lambda) Hess_xy f F_y` (lambda nil: the
    /// follower Hessian's largest eigenvalue).
    case aidHessianFree(damping: Double?)
    /// Seed 001's one-shot WoodFisher approximation: `H ~ v v' + gamma I`, `v = H F_y / sqrt(F_y'H F_y)`,
    /// inverted by Sherman-Morrison (gamma nil: 1e-3 times the largest eigenvalue).
    case aidWoodFisher(damping: Double?)
    /// Seed 001's signGD follower steps `y <- P(y - beta sign(grad_y f))`, K of them; the
    /// hypergradient is `F_x(x, y_K)` (the sign's derivative vanishes almost everywhere).
    case itdSign(steps: Int, beta: Double?)

    package var isImplicit: Bool {
        switch self {
        case .aidCG, .aidNeumann, .aidExact, .aidHessianFree, .aidWoodFisher: return true
        default: return false
        }
    }
}

/// One hypergradient: the follower's point it was computed at, the gradient, and what went wrong.
package struct Hypergradient: Sendable {
    package var y: [Double]
    package var gradient: [Double]
    /// The follower's stationarity at `y` (implicit rules) or after the K steps (iterative ones).
    package var followerStationarity: Double
    package var followerIterations: Int
    /// Why the number is not to be trusted (a singular Hessian, CG that did not converge), if so.
    package var warning: String?
}

extension SmoothBilevel {
    /// An estimate of the largest eigenvalue of the follower's Hessian on the free coordinates
    /// (power iteration), for step sizes `1/L`.
    func curvature(_ x: [Double], _ y: [Double], free: [Bool]) -> Double {
        SmoothBilevel.largestEigenvalue(dimension: followerCount, mask: free) { masked(lowerFollowerProducts(x, y, $0).follower, free) }
    }

    /// The largest eigenvalue (in magnitude) of a symmetric operator (on the coordinates `mask`
    /// keeps), by 50 steps of power iteration from a fixed pseudo-random start (the all-ones
    /// vector is orthogonal to the top eigenvector of any Hessian of a function of `y - x`: a step
    /// 200 times too long was found that way); 1 for an operator that is zero. Power iteration approaches it from
    /// below, but from a generic start 50 steps are well above half of it, and a gradient step
    /// `1/L` is stable up to `2/L`.
    static func largestEigenvalue(dimension n: Int, mask: [Bool]? = nil, _ apply: ([Double]) -> [Double]) -> Double {
        var v = (0..<n).map { i -> Double in
            let s = Foundation.sin(Double(i) * 12.9898 + 78.233) * 43758.5453
            return 1 + (s - s.rounded(.down)) - 0.5
        }
        if let mask { v = masked(v, mask) }
        var size = norm(v)
        guard size > 0 else { return 1 }
        v = v.map { $0 / size }
        // An operator that vanishes on the start (no curvature at all) gives 1: a unit step.
        var lambda = 1.0
        for _ in 0..<50 {
            let h = apply(v)
            size = norm(h)
            if !(size > 0) || !size.isFinite { break }
            lambda = size
            v = h.map { $0 / size }
        }
        return Swift.max(lambda, 1e-12)
    }

    /// The hypergradient at `x`, warm-starting the follower at `yStart`.
    package func hypergradient(
        _ x: [Double], yStart: [Double], rule: HypergradientRule, follower: FollowerSolver
    ) -> Hypergradient {
        switch rule {
        case .aidCG, .aidNeumann, .aidExact:
            let r = follower.solve(self, x: x, from: yStart)
            return implicit(x, r, rule)
        case .itdReverse(let steps, let eta, let truncation):
            return iterativeReverse(x, yStart, steps: steps, eta: eta, truncation: truncation)
        case .itdForward(let steps, let eta):
            return iterativeForward(x, yStart, steps: steps, eta: eta)
        case .bda(let steps, let eta, let mu):
            return aggregated(x, yStart, steps: steps, eta: eta, mu: mu)
        case .aidHessianFree(let damping):
            return hessianFreeHypergradient(x, follower.solve(self, x: x, from: yStart), damping: damping)
        case .aidWoodFisher(let damping):
            return woodFisherHypergradient(x, follower.solve(self, x: x, from: yStart), damping: damping)
        case .itdSign(let steps, let beta):
            return signHypergradient(x, yStart, steps: steps, beta: beta)
        }
    }

    /// Implicit differentiation (docs/gradient-methods.md): the KKT form of `implicitKKT`, which
    /// for a follower without rows is `grad_x F - Hess_xy f v` with `Hess_yy f v = grad_y F` on
    /// the free coordinates.
    private func implicit(_ x: [Double], _ r: FollowerSolver.Result, _ rule: HypergradientRule) -> Hypergradient {
        implicitKKT(x, r, rule)
    }

    /// K projected gradient steps `y_{t+1} = P(y_t - eta grad_y f(x, y_t))` from `y0`, then the
    /// exact derivative of `F(x, y_K)` through them, backward.
    private func iterativeReverse(_ x: [Double], _ y0: [Double], steps: Int, eta given: Double?, truncation: Int?) -> Hypergradient {
        unrolled(x, y0, steps: steps, eta: given, truncation: truncation) { _ in 0 }
    }

    /// BDA's aggregated steps from `y0`, then the derivative of `F(x, y_K)` through them, backward.
    private func aggregated(_ x: [Double], _ y0: [Double], steps: Int, eta given: Double?, mu: Double) -> Hypergradient {
        unrolled(x, y0, steps: steps, eta: given, truncation: nil) { t in mu / Double(t + 1) }
    }

    /// K projected steps `y_{t+1} = P(y_t - eta (a_t grad_y F + (1 - a_t) grad_y f))` from `y0`
    /// (`a_t = 0`: plain gradient steps of the follower), then the derivative of `F(x, y_K)`
    /// through the last `truncation` of them (all when nil), in reverse mode: with `D_t` the
    /// unclipped coordinates and `H_t = a_t Hess F + (1 - a_t) Hess f` at `y_t`,
    /// `grad_x -= eta H_t,xy D_t alpha`, `alpha <- D_t alpha - eta H_t,yy D_t alpha`.
    private func unrolled(
        _ x: [Double], _ y0: [Double], steps: Int, eta given: Double?, truncation: Int?, weight: (Int) -> Double
    ) -> Hypergradient {
        var y = projectFollower(y0)
        let eta = given ?? 1 / curvature(x, y, free: [Bool](repeating: true, count: followerCount))
        var trajectory: [[Double]] = [], masks: [[Bool]] = []
        trajectory.reserveCapacity(steps)
        for t in 0..<steps {
            let a = weight(t)
            var direction = lowerValueAndGradient(x, y).gradient
            if a != 0 {
                let gF = upperGradient(x, y).follower
                for i in direction.indices { direction[i] = a * gF[i] + (1 - a) * direction[i] }
            }
            let raw = axpy(-eta, direction, y)
            let next = projectFollower(raw)
            trajectory.append(y)
            masks.append(raw.indices.map { raw[$0] == next[$0] })
            y = next
        }
        let gF = upperGradient(x, y)
        var gx = gF.leader
        var alpha = gF.follower
        let first = truncation.map { Swift.max(0, steps - $0) } ?? 0
        var t = steps - 1
        while t >= first {
            let a = weight(t)
            let w = masked(alpha, masks[t])
            var h = lowerFollowerProducts(x, trajectory[t], w)
            if a != 0 {
                let hU = upperFollowerProducts(x, trajectory[t], w)
                for j in h.leader.indices { h.leader[j] = a * hU.leader[j] + (1 - a) * h.leader[j] }
                for i in h.follower.indices { h.follower[i] = a * hU.follower[i] + (1 - a) * h.follower[i] }
            }
            gx = axpy(-eta, h.leader, gx)
            alpha = axpy(-eta, h.follower, w)
            t -= 1
        }
        return Hypergradient(y: y, gradient: gx, followerStationarity: followerStationarity(x, y), followerIterations: steps, warning: nil)
    }

    /// `|y - P(y - grad_y f(x, y))|_inf`.
    func followerStationarity(_ x: [Double], _ y: [Double]) -> Double {
        let moved = projectFollower(axpy(-1, lowerValueAndGradient(x, y).gradient, y))
        return y.indices.map { Swift.abs(y[$0] - moved[$0]) }.max() ?? 0
    }

    /// The same steps with the Jacobian `Z = dy/dx` carried forward (one column per leader variable).
    private func iterativeForward(_ x: [Double], _ y0: [Double], steps: Int, eta given: Double?) -> Hypergradient {
        var y = projectFollower(y0)
        let eta = given ?? 1 / curvature(x, y, free: [Bool](repeating: true, count: followerCount))
        let n = leaderCount
        var z = [[Double]](repeating: [Double](repeating: 0, count: followerCount), count: n)  // z[j] = dy/dx_j
        for _ in 0..<steps {
            let g = lowerValueAndGradient(x, y).gradient
            let raw = axpy(-eta, g, y)
            let next = projectFollower(raw)
            let mask = raw.indices.map { raw[$0] == next[$0] }
            for j in 0..<n {
                var e = [Double](repeating: 0, count: n)
                e[j] = 1
                let hyx = lowerLeaderProducts(x, y, e).follower
                let hyyz = lowerFollowerProducts(x, y, z[j]).follower
                var col = z[j]
                for i in col.indices { col[i] = mask[i] ? col[i] - eta * (hyyz[i] + hyx[i]) : 0 }
                z[j] = col
            }
            y = next
        }
        let gF = upperGradient(x, y)
        var gx = gF.leader
        for j in 0..<n { gx[j] += dot(z[j], gF.follower) }
        return Hypergradient(y: y, gradient: gx, followerStationarity: followerStationarity(x, y), followerIterations: steps, warning: nil)
    }
}

extension SmoothBilevel {
    /// The follower Hessian's smallest eigenvalue on the free coordinates at `(x, y)`, assembled
    /// by Hessian-vector products and given to LAPACK; nil when there are more than `limit` free
    /// coordinates (not checked) or none.
    package func smallestFollowerEigenvalue(_ x: [Double], _ y: [Double], limit: Int = 2000) -> Double? {
        if !followerRows.isEmpty { return smallestReducedEigenvalue(x, y, limit: limit) }
        let g = lowerValueAndGradient(x, y).gradient
        let free = freeFollowerCoordinates(y, gradient: g)
        let index = free.indices.filter { free[$0] }
        guard !index.isEmpty, index.count <= limit else { return nil }
        var h = followerHessian(x, y, on: index)
        // Symmetrise (rounding in the products).
        for r in h.indices { for c in 0..<r { let m = (h[r][c] + h[c][r]) / 2; h[r][c] = m; h[c][r] = m } }
        return LinearAlgebra.symmetricEigenvalues(h)?.first
    }

    /// A direction of negative curvature of the follower's objective at `(x, y)` (the eigenvector
    /// of the Hessian's most negative eigenvalue on the free coordinates, 0 elsewhere), when that
    /// eigenvalue is below `-1e-8` times the Hessian's scale: `y` is then a saddle or a maximum of
    /// the follower, whatever its gradient says. Nil otherwise, or beyond `limit` free coordinates.
    package func negativeCurvatureDirection(_ x: [Double], _ y: [Double], limit: Int = 2000) -> [Double]? {
        let g = lowerValueAndGradient(x, y).gradient
        let free = followerRows.isEmpty ? freeFollowerCoordinates(y, gradient: g) : activeSet(x, y).free
        let index = free.indices.filter { free[$0] }
        guard !index.isEmpty, index.count <= limit else { return nil }
        var h = followerHessian(x, y, on: index)
        for r in h.indices { for c in 0..<r { let m = (h[r][c] + h[c][r]) / 2; h[r][c] = m; h[c][r] = m } }
        let scale = Swift.max(1, h.indices.map { Swift.abs(h[$0][$0]) }.max() ?? 0)
        guard let (values, vectors) = LinearAlgebra.symmetricEigen(h), let lambda = values.first, lambda < -1e-8 * scale else { return nil }
        var d = [Double](repeating: 0, count: followerCount)
        for (k, i) in index.enumerated() { d[i] = vectors[0][k] }
        return d
    }

    /// The follower Hessian's block on the coordinates `index`, one Hessian-vector product per column.
    func followerHessian(_ x: [Double], _ y: [Double], on index: [Int]) -> [[Double]] {
        if let constant = constantFollowerHessian { return index.map { i in index.map { constant[i][$0] } } }
        var h = [[Double]](repeating: [Double](repeating: 0, count: index.count), count: index.count)
        for (c, j) in index.enumerated() {
            var e = [Double](repeating: 0, count: followerCount)
            e[j] = 1
            let column = lowerFollowerProducts(x, y, e).follower
            for (r, i) in index.enumerated() { h[r][c] = column[i] }
        }
        return h
    }
}
