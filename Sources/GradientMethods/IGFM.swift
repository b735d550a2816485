import Foundation
import SolverInterface

/// IGFM with the switching gradient method as its oracle (seed 003, Algorithms 1 and 2;
/// docs/notes/seed-methods.md section 2): zeroth-order descent on the optimistic hyper-objective
/// `varphi(x) = min_{y in Y*(x)} F(x, y)`,
///
///     g_t = (d_x / (2 delta)) (varphi~(x_t + delta u_t) - varphi~(x_t - delta u_t)) u_t,
///     x_{t+1} = P_X(x_t - eta g_t),
///
/// `u_t` uniform on the unit sphere (a seeded generator: the same seed gives the same run), and
/// `varphi~(x) = F(x, y_out)` from SGM. `g_t` estimates the gradient of the delta-smoothed
/// `varphi_delta`, which lies in the Goldstein delta-subdifferential (Lin, Zheng and Jordan 2022).
/// The last iterate is returned (the paper's theory draws a random one), with the stationarity
/// measured there: the norm of the average `m` of `N = 10 d_x` two-point estimates, projected on
/// the box (`|x - P_X(x - m)|`).
package struct IGFM: Sendable {
    package struct Options: Sendable {
        /// The leader's step eta.
        package var step = 1.0
        package var delta = 1e-3
        /// SGM's switching threshold (it takes F-steps where f - f^ <= 2 theta).
        package var theta = 1e-8
        /// SGM's K_0 (the follower's estimate of its value) and K (the switching phase).
        package var innerSteps = 100
        /// SGM's step tau (nil: 1/L, L the larger of the curvatures of f and F in y at the start).
        package var innerStep: Double?
        package var seed: UInt64 = 1
        /// The number of two-point estimates of the final measure, per leader variable.
        package var measureSamplesPerDimension = 10
        /// The budget, tolerance, start, deadline and stop callback every method's loop shares.
        /// `control.maximumIterations` is T; `control.tolerance` bounds the Goldstein estimate.
        package var control = RunControl()
        package init() {}
    }

    package var options: Options
    package init(options: Options) { self.options = options }

    /// SGM's answer at one x: `y_out`, `varphi~(x) = F(x, y_out)`, `f(x, y_out) - f^*`, and
    /// whether it took an F-step at all (otherwise `y_out` is phase 1's estimate).
    package struct Oracle: Sendable {
        package var y: [Double]
        package var value: Double
        package var gap: Double
        package var upperSteps: Int
    }

    /// SGM (seed 003, Algorithm 1): K_0 projected gradient steps of f from y_0 give `f^ = f(x, y^)`;
    /// then K steps from y_0 again, each an F-step where `f(x, y_k) - f^ <= 2 theta` (y_k recorded)
    /// and an f-step otherwise; `y_out` is the average of the recorded y_k (phase 1's y^ when none).
    package static func sgm(_ p: SmoothBilevel, x: [Double], y0: [Double], steps: Int, tau: Double, theta: Double) -> Oracle {
        var yHat = p.projectFollower(y0)
        for _ in 0..<steps { yHat = p.projectFollower(axpy(-tau, p.lowerValueAndGradient(x, yHat).gradient, yHat)) }
        let gHat = p.lowerValue(x, yHat)
        var y = p.projectFollower(y0)
        var sum = [Double](repeating: 0, count: y.count)
        var count = 0
        for _ in 0..<steps {
            let (g, gy) = p.lowerValueAndGradient(x, y)
            if g - gHat <= 2 * theta {
                sum = axpy(1, y, sum)
                count += 1
                y = p.projectFollower(axpy(-tau, p.upperGradient(x, y).follower, y))
            } else {
                y = p.projectFollower(axpy(-tau, gy, y))
            }
        }
        let out = count > 0 ? sum.map { $0 / Double(count) } : yHat
        return Oracle(y: out, value: p.upperValue(x, out), gap: p.lowerValue(x, out) - gHat, upperSteps: count)
    }

    package func run(_ p: SmoothBilevel) -> LeaderDescent.Result {
        let start = Date()
        let d = p.leaderCount
        var x = p.projectLeader(options.control.leaderStart ?? SmoothBilevel.start(p.xLower, p.xUpper))
        var y = p.projectFollower(options.control.followerStart ?? SmoothBilevel.start(p.yLower, p.yUpper))
        let tau = options.innerStep ?? 1 / Swift.max(
            p.curvature(x, y, free: [Bool](repeating: true, count: p.followerCount)), p.upperFollowerCurvature(x, y))
        var random = SplitMix64(seed: options.seed)
        let delta = options.delta
        func oracle(_ x: [Double], _ y0: [Double]) -> Oracle {
            IGFM.sgm(p, x: x, y0: y0, steps: options.innerSteps, tau: tau, theta: options.theta)
        }
        /// One two-point estimate at x along a fresh direction (the oracle warm-started at y0).
        func estimate(_ x: [Double], _ y0: [Double]) -> (g: [Double], plus: Oracle, minus: Oracle) {
            let u = random.unitVector(d)
            let plus = oracle(p.projectLeader(axpy(delta, u, x)), y0)
            let minus = oracle(p.projectLeader(axpy(-delta, u, x)), y0)
            let c = Double(d) / (2 * delta) * (plus.value - minus.value)
            return (u.map { c * $0 }, plus, minus)
        }
        var trace: [LeaderDescent.TraceRow] = []
        var warnings: [String] = []
        var iterations = 0
        var noUpperStep = false
        var current = oracle(x, y)
        /// The final measure at the returned point: the norm of the average of N estimates.
        func finish(_ stop: LeaderDescent.Stop, _ note: String? = nil) -> LeaderDescent.Result {
            let samples = Swift.max(1, options.measureSamplesPerDimension * d)
            var mean = [Double](repeating: 0, count: d)
            for _ in 0..<samples { mean = axpy(1 / Double(samples), estimate(x, current.y).g, mean) }
            // Projected on the box, as the other methods' measures: at a bound the outward part is no descent.
            let measure = norm(axpy(-1, p.projectLeader(axpy(-1, mean, x)), x))
            var s = stop
            if s == .iterationLimit, measure <= options.control.tolerance { s = .converged }
            if noUpperStep {
                warnings.append(
                    "SGM took no leader step at some points (no follower iterate within 2 theta of its estimated optimum): its answer there is the follower's estimate alone (raise --theta or --inner-steps)")
            }
            return LeaderDescent.Result(
                x: x, y: current.y, stop: s, iterations: iterations, stationarity: measure, trace: trace, warnings: warnings, notFinite: note)
        }
        while true {
            guard current.value.isFinite, allFinite(current.y) else { return finish(.notFinite, "at iteration \(iterations)") }
            y = current.y
            if current.upperSteps == 0 { noUpperStep = true }
            let e = estimate(x, y)
            let row = LeaderDescent.TraceRow(
                iteration: iterations, leaderObjective: p.upperSign * current.value, stationarity: norm(e.g),
                followerStationarity: Swift.max(current.gap, 0), step: options.step, seconds: Date().timeIntervalSince(start))
            trace.append(row)
            if options.control.shouldStop?(row) == true || Interruption.requested { return finish(.interrupted) }
            if iterations >= options.control.maximumIterations { return finish(.iterationLimit) }
            if let deadline = options.control.deadline, Date() >= deadline { return finish(.timeLimit) }
            guard allFinite(e.g) else { return finish(.notFinite, "in the two-point estimate at iteration \(iterations)") }
            x = p.projectLeader(axpy(-options.step, e.g, x))
            iterations += 1
            if x.contains(where: { Swift.abs($0) > 1e12 }) {
                return finish(.diverging, "at iteration \(iterations): the iterates passed 1e12 in magnitude")
            }
            current = oracle(x, y)
        }
    }
}

extension SmoothBilevel {
    /// The largest eigenvalue (power iteration) of the leader objective's Hessian in y.
    func upperFollowerCurvature(_ x: [Double], _ y: [Double]) -> Double {
        SmoothBilevel.largestEigenvalue(dimension: followerCount) { upperFollowerProducts(x, y, $0).follower }
    }
}

/// A small deterministic generator (SplitMix64): the same seed gives the same directions on
/// every machine.
package struct SplitMix64: Sendable {
    var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    package mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }
    /// Standard normal (Box-Muller).
    package mutating func normal() -> Double {
        let u = uniform(), v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }
    /// Uniform on the unit sphere in R^n: a normalised Gaussian vector.
    package mutating func unitVector(_ n: Int) -> [Double] {
        guard n > 0 else { return [] }
        while true {
            let g = (0..<n).map { _ in normal() }
            let s = norm(g)
            if s > 1e-300 { return g.map { $0 / s } }
        }
    }
}
