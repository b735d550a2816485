import Foundation
import SolverInterface

/// CCCP-BO (seed 002: Shen, Paternain, Liu, Kompella and Chen; docs/notes/seed-methods.md
/// section 1): the epsilon-relaxed value-function problem
///
///     min_{z = (x, y) in boxes} F(z)   s.t.   f(z) - v(x) <= epsilon,   v(x) = min_y f(x, y)
///
/// by projected gradient steps on a set that changes with k (Algorithm 1 in the form of its
/// Lemma 4.2, eq. (11)):
///
///     z_{k+1} = Proj_{D_k}(z_k - grad F(z_k) / rho),
///     D_k = { z in boxes : h_k(z) = f(z) - v(x_k) - <xi_k, x - x_k> - epsilon <= 0 },
///
/// with `v(x_k)` and `xi_k = grad_x f(x_k, y_{x_k})` (Danskin; a subgradient of the convex `v`
/// when `f` is jointly convex) from an accurate follower solve at `x_k`. `D_k` is convex and,
/// `v` being convex, inside the relaxed problem's feasible set: every iterate has a follower gap
/// at most epsilon. The projection is solved by its Lagrangian dual in one multiplier
/// (`projection`). The stationarity measure is `|g_k| = rho |z_k - z_{k+1}|` (seed 002 eq.
/// (15)); Theorem 4.3 bounds its minimum over k, so the iterate with the smallest is returned.
package struct CCCPBO: Sendable {
    package struct Options: Sendable {
        /// The proximal constant (the step is 1/rho); nil: the largest curvature of F at the start
        /// (power iteration), doubled whenever the descent inequality (20) fails.
        package var rho: Double?
        package var epsilon = 1e-4
        /// The accurate follower solve for v(x_k) and xi_k. Capped: on a singular follower, rounding can keep
        /// the stationarity above 1e-12 while gradient steps creep on for 1e5 iterations (100 s seen).
        package var follower = FollowerSolver(tolerance: 1e-12, maximumIterations: 500)
        /// The budget, tolerance, start, deadline and stop callback every method's loop shares.
        /// `control.tolerance` bounds `|g_k|` (Euclidean norm); `control.maximumIterations` is K.
        package var control = RunControl()
        package init() {}
    }

    package var options: Options
    package init(options: Options) { self.options = options }

    /// One projection's outcome: the point, its multiplier, and the KKT residual of eq. (11).
    package struct Projection: Sendable {
        package var z: [Double]
        package var lambda: Double
        /// `h_k(z)` at the answer (<= 0: inside D_k).
        package var constraint: Double
        /// `|z - P_box(z - (z - w) - lambda grad h(z))|_inf`, w the point projected: 0 at the projection.
        package var residual: Double
        package var dualIterations: Int
    }

    /// `argmin_{z in box, h(z) <= 0} |z - w|^2 / 2` for `w = z_k - grad F(z_k)/rho` and
    /// `h(z) = f(z) - value - <xi, x - xk> - epsilon` (f convex in z), by the dual in one multiplier:
    /// `z(lambda) = argmin_{box} |z - w|^2/2 + lambda h(z)` (strongly convex: projected Newton),
    /// `h(z(lambda))` is continuous and nonincreasing in lambda, and its root is found by a
    /// safeguarded secant (Illinois) search inside a bracket, keeping the feasible side
    /// (`h <= 0`); `lambda = 0` when the box projection of `w` is already in D_k.
    package static func projection(
        _ p: SmoothBilevel, w: [Double], xk: [Double], value: Double, xi: [Double], epsilon: Double
    ) -> Projection {
        let n = p.leaderCount
        let lower = p.xLower + p.yLower, upper = p.xUpper + p.yUpper
        let box = BoxMinimizer(lower: lower, upper: upper, tolerance: 1e-12, maximumIterations: 500)
        func parts(_ z: [Double]) -> ([Double], [Double]) { (Array(z[0..<n]), Array(z[n...])) }
        func h(_ z: [Double]) -> (Double, [Double]) {
            let (x, y) = parts(z)
            let f = p.lowerJointGradient(x, y)
            var lin = 0.0
            for j in 0..<n { lin += xi[j] * (x[j] - xk[j]) }
            return (f.value - value - lin - epsilon, axpy(-1, xi, f.leader) + f.follower)
        }
        func solve(_ lambda: Double, from start: [Double]) -> BoxMinimizer.Result {
            let r = box.minimize(
                from: start,
                valueAndGradient: { z in
                    var d2 = 0.0
                    for i in z.indices { d2 += (z[i] - w[i]) * (z[i] - w[i]) }
                    if lambda == 0 { return (d2 / 2, axpy(-1, w, z)) }
                    let (hv, hg) = h(z)
                    return (d2 / 2 + lambda * hv, axpy(lambda, hg, axpy(-1, w, z)))
                },
                hessianProduct: { z, d in
                    if lambda == 0 { return d }
                    let (x, y) = parts(z), (dx, dy) = parts(d)
                    let hd = p.lowerJointHessianProduct(x, y, dx, dy)
                    return axpy(lambda, hd.leader + hd.follower, d)
                })
            return r
        }
        func residual(_ z: [Double], _ lambda: Double) -> Double {
            let g = axpy(lambda, h(z).1, axpy(-1, w, z))
            return box.stationarity(z, g)
        }
        let z0 = box.project(w)
        let h0 = h(z0).0
        if h0 <= 0 { return Projection(z: z0, lambda: 0, constraint: h0, residual: residual(z0, 0), dualIterations: 0) }
        // A bracket: h(z(lo)) > 0 >= h(z(hi)).
        var lo = 0.0, hLo = h0, hi = 1.0
        var zHi = solve(hi, from: z0).z
        var hHi = h(zHi).0
        var count = 1
        while hHi > 0, count < 200 {
            lo = hi
            hLo = hHi
            hi *= 4
            zHi = solve(hi, from: zHi).z
            hHi = h(zHi).0
            count += 1
        }
        // Accurate to a millionth of epsilon on the feasible side.
        let target = 1e-6 * epsilon
        var zLast = zHi
        var side = 0
        while hHi < -target, hi - lo > 1e-15 * hi, count < 300 {
            // Illinois: a secant step, the retained end's value halved when one side repeats.
            var lambda = hi - hHi * (hi - lo) / (hHi - hLo)
            if !(lambda > lo + 1e-3 * (hi - lo) && lambda < hi - 1e-3 * (hi - lo)) { lambda = (lo + hi) / 2 }
            let r = solve(lambda, from: zLast)
            zLast = r.z
            let hv = h(r.z).0
            count += 1
            if hv > 0 {
                lo = lambda
                hLo = hv
                if side == -1 { hHi /= 2 }
                side = -1
            } else {
                hi = lambda
                hHi = hv
                zHi = r.z
                if side == 1 { hLo /= 2 }
                side = 1
            }
        }
        // hHi may have been halved by the Illinois rule: report the real value.
        let hz = h(zHi).0
        return Projection(z: zHi, lambda: hi, constraint: hz, residual: residual(zHi, hi), dualIterations: count)
    }

    package func run(_ p: SmoothBilevel) -> LeaderDescent.Result {
        let start = Date()
        let n = p.leaderCount
        var x = p.projectLeader(options.control.leaderStart ?? SmoothBilevel.start(p.xLower, p.xUpper))
        // The start must be feasible for the relaxed problem: the follower solved accurately at x_1.
        var follower = options.follower.solve(p, x: x, from: options.control.followerStart ?? SmoothBilevel.start(p.yLower, p.yUpper))
        var y = follower.y
        var rho = options.rho ?? Swift.max(p.jointCurvature(x, y, weight: 0), 1e-8)
        let adaptive = options.rho == nil
        var trace: [LeaderDescent.TraceRow] = []
        var warnings: [String] = []
        var iterations = 0
        var best: (x: [Double], y: [Double], measure: Double)?
        func result(_ stop: LeaderDescent.Stop, _ note: String? = nil) -> LeaderDescent.Result {
            let b = best ?? (x, y, .infinity)
            return LeaderDescent.Result(
                x: b.x, y: b.y, stop: stop, iterations: iterations, stationarity: b.measure, trace: trace, warnings: warnings, notFinite: note)
        }
        while true {
            // v(x_k) and xi_k from an accurate follower solve (warm-started).
            if iterations > 0 { follower = options.follower.solve(p, x: x, from: follower.y) }
            guard follower.finite else { return result(.notFinite, "in the follower's solve at iteration \(iterations)") }
            let value = follower.value
            let xi = p.lowerJointGradient(x, follower.y).leader
            let gap = p.lowerValue(x, y) - value
            let gF = p.upperGradient(x, y)
            let fz = p.upperValue(x, y)
            guard fz.isFinite, allFinite(gF.leader), allFinite(gF.follower) else { return result(.notFinite, "at iteration \(iterations)") }
            let z = x + y
            var projection: Projection
            var measure: Double
            var next: [Double]
            while true {
                let w = axpy(-1 / rho, gF.leader + gF.follower, z)
                projection = CCCPBO.projection(p, w: w, xk: x, value: value, xi: xi, epsilon: options.epsilon)
                next = projection.z
                measure = rho * norm(axpy(-1, next, z))
                // The descent inequality (20): |g|^2 <= 2 rho (F(z_k) - F(z_{k+1})) when rho >= L.
                let fNext = p.upperValue(Array(next[0..<n]), Array(next[n...]))
                let holds = fNext <= fz - measure * measure / (2 * rho) + 1e-12 * Swift.max(1, Swift.abs(fz))
                if holds || !fNext.isFinite { break }
                if adaptive, rho < 1e12 {
                    rho *= 2
                    continue
                }
                let message = "the descent inequality |g_k|^2 <= 2 rho (F(z_k) - F(z_k+1)) failed: rho = \(rho) is below the leader objective's curvature (Theorem 4.3 needs rho >= L)"
                if !warnings.contains(message) { warnings.append(message) }
                break
            }
            if best == nil || measure < best!.measure { best = (x, y, measure) }
            let row = LeaderDescent.TraceRow(
                iteration: iterations, leaderObjective: p.upperSign * fz, stationarity: measure, followerStationarity: Swift.max(gap, 0),
                step: 1 / rho, seconds: Date().timeIntervalSince(start))
            trace.append(row)
            if projection.residual > 1e-6 * Swift.max(1, norm(z)) {
                let w = "a projection's KKT residual was \(projection.residual) (the subproblem was not solved accurately)"
                if !warnings.contains(where: { $0.hasPrefix("a projection's KKT") }) { warnings.append(w) }
            }
            if measure <= options.control.tolerance { return result(.converged) }
            if options.control.shouldStop?(row) == true || Interruption.requested { return result(.interrupted) }
            if iterations >= options.control.maximumIterations { return result(.iterationLimit) }
            if let deadline = options.control.deadline, Date() >= deadline { return result(.timeLimit) }
            x = Array(next[0..<n])
            y = Array(next[n...])
            iterations += 1
            if x.contains(where: { Swift.abs($0) > 1e12 }) || y.contains(where: { Swift.abs($0) > 1e12 }) {
                return result(.diverging, "at iteration \(iterations): the iterates passed 1e12 in magnitude")
            }
        }
    }
}
