import Foundation
import SolverInterface

/// BVFIM (Liu, Liu, Yuan, Zeng and Zhang, ICML 2021; seed 001 eqs. (14)-(15)): the follower's
/// optimality as the value-function constraint `f(x, y) <= g*_mu(x)` with the relaxed value
///
///     g*_mu(x) = min_z f(x, z) + (mu1/2)|z|^2 + mu2,
///
/// under a log-barrier: descent in (x, y) on `Psi(x, y) = F(x, y) - theta ln(g*_mu(x) - f(x, y))`.
/// Each iteration: T projected gradient steps of z on the regularised follower (warm-started);
/// T projected gradient steps of y on Psi, each backtracked until the log's argument stays
/// positive and Psi decreases (Armijo); one such step of x, with Danskin's gradient
/// `grad g*_mu(x) = grad_x f(x, z)`. `mu1, mu2, theta` start at 1 and are multiplied by `decay`
/// each iteration down to `floor`, so the relaxed follower set shrinks towards the optimal one.
/// It stops when they are at the floor and the projected step of Psi in (x, y) is at most the
/// tolerance.
package struct BVFIM: Sendable {
    package struct Options: Sendable {
        /// The largest step of x and y (each backtracked).
        package var step = 1.0
        /// T: the steps of z and of y per iteration.
        package var innerSteps = 10
        /// z's step (nil: 1/(L + mu1), L the follower Hessian's largest eigenvalue at the start).
        package var innerStep: Double?
        package var initial = (mu1: 1.0, mu2: 1.0, theta: 1.0)
        package var decay = 0.95
        package var floor = 1e-9
        /// The budget, tolerance, start, deadline and stop callback every method's loop shares.
        /// `control.tolerance` bounds the barrier problem's projected step, once mu and theta are at their floor.
        package var control = RunControl()
        package init() {}
    }

    package var options: Options
    package init(options: Options) { self.options = options }

    package func run(_ p: SmoothBilevel) -> LeaderDescent.Result {
        let start = Date()
        var x = p.projectLeader(options.control.leaderStart ?? SmoothBilevel.start(p.xLower, p.xUpper))
        var y = p.projectFollower(options.control.followerStart ?? SmoothBilevel.start(p.yLower, p.yUpper))
        var z = y
        let lf = p.curvature(x, y, free: [Bool](repeating: true, count: p.followerCount))
        var mu1 = options.initial.mu1, mu2 = options.initial.mu2, theta = options.initial.theta
        var stepY = options.step, stepX = options.step
        var trace: [LeaderDescent.TraceRow] = []
        var iterations = 0
        var lastMeasure = Double.infinity
        func result(_ stop: LeaderDescent.Stop, _ note: String? = nil) -> LeaderDescent.Result {
            LeaderDescent.Result(x: x, y: y, stop: stop, iterations: iterations, stationarity: lastMeasure, trace: trace, warnings: [], notFinite: note)
        }
        /// g*_mu(x) estimated at the current z.
        func relaxedValue(_ x: [Double]) -> Double { p.lowerValue(x, z) + mu1 / 2 * dot(z, z) + mu2 }
        func barrier(_ x: [Double], _ y: [Double]) -> Double {
            let room = relaxedValue(x) - p.lowerValue(x, y)
            return room > 0 ? p.upperValue(x, y) - theta * Foundation.log(room) : .infinity
        }
        /// The gradient of Psi in (x, y) with z fixed (Danskin for g*_mu).
        func barrierGradient(_ x: [Double], _ y: [Double]) -> (leader: [Double], follower: [Double]) {
            let fy = p.lowerJointGradient(x, y)
            let fz = p.lowerJointGradient(x, z)
            let room = fz.value + mu1 / 2 * dot(z, z) + mu2 - fy.value
            let gF = p.upperGradient(x, y)
            let c = theta / room
            return (axpy(-c, axpy(-1, fy.leader, fz.leader), gF.leader), axpy(c, fy.follower, gF.follower))
        }
        /// One projected step with backtracking on Psi (the log's argument kept positive).
        func descend(_ v: [Double], _ g: [Double], _ step: inout Double, _ project: ([Double]) -> [Double], _ value: ([Double]) -> Double) -> [Double] {
            let current = value(v)
            var t = step
            for _ in 0..<60 {
                let trial = project(axpy(-t, g, v))
                var d2 = 0.0
                for i in v.indices { d2 += (trial[i] - v[i]) * (trial[i] - v[i]) }
                if d2 == 0 { return v }
                let w = value(trial)
                if w.isFinite, w <= current - 1e-4 / t * d2 {
                    step = Swift.min(2 * t, options.step)
                    return trial
                }
                t /= 2
            }
            step = t
            return v
        }
        while true {
            // z: T projected gradient steps on f(x, z) + mu1/2 |z|^2.
            let etaZ = options.innerStep ?? 1 / (lf + mu1)
            for _ in 0..<options.innerSteps {
                let g = p.lowerValueAndGradient(x, z).gradient
                z = p.projectFollower(z.indices.map { z[$0] - etaZ * (g[$0] + mu1 * z[$0]) })
            }
            // y strictly inside: the barrier needs f(x, y) < g*_mu(x). z is (mu2 > 0), so y is
            // pulled towards z, y <- z + s (y - z) with s halved, until it is (the parameters
            // decrease, and the relaxed set with them).
            var s = 1.0
            let y0 = y
            while !(relaxedValue(x) - p.lowerValue(x, y) > 0), s > 1e-12 {
                s /= 2
                y = y0.indices.map { z[$0] + s * (y0[$0] - z[$0]) }
            }
            if !(relaxedValue(x) - p.lowerValue(x, y) > 0) { y = z }
            for _ in 0..<options.innerSteps {
                let g = barrierGradient(x, y).follower
                guard allFinite(g) else { break }
                y = descend(y, g, &stepY, p.projectFollower) { barrier(x, $0) }
            }
            let gx = barrierGradient(x, y).leader
            guard allFinite(gx) else { return result(.notFinite, "at iteration \(iterations)") }
            let gy = barrierGradient(x, y).follower
            let movedX = p.projectLeader(axpy(-1, gx, x)), movedY = p.projectFollower(axpy(-1, gy, y))
            lastMeasure = Swift.max(
                zip(x, movedX).map { Swift.abs($0 - $1) }.max() ?? 0, zip(y, movedY).map { Swift.abs($0 - $1) }.max() ?? 0)
            let gap = p.lowerValue(x, y) - p.lowerValue(x, z)
            let row = LeaderDescent.TraceRow(
                iteration: iterations, leaderObjective: p.upperSign * p.upperValue(x, y), stationarity: lastMeasure,
                followerStationarity: Swift.max(gap, 0), step: stepX, seconds: Date().timeIntervalSince(start))
            trace.append(row)
            let atFloor = mu1 <= options.floor && mu2 <= options.floor && theta <= options.floor
            if atFloor, lastMeasure <= options.control.tolerance { return result(.converged) }
            if options.control.shouldStop?(row) == true || Interruption.requested { return result(.interrupted) }
            if iterations >= options.control.maximumIterations { return result(.iterationLimit) }
            if let deadline = options.control.deadline, Date() >= deadline { return result(.timeLimit) }
            x = descend(x, gx, &stepX, p.projectLeader) { barrier($0, y) }
            iterations += 1
            mu1 = Swift.max(mu1 * options.decay, options.floor)
            mu2 = Swift.max(mu2 * options.decay, options.floor)
            theta = Swift.max(theta * options.decay, options.floor)
            if x.contains(where: { Swift.abs($0) > 1e12 }) || y.contains(where: { Swift.abs($0) > 1e12 }) {
                return result(.diverging, "at iteration \(iterations): the iterates passed 1e12 in magnitude")
            }
        }
    }
}
