import Foundation
import SolverInterface

/// The leader's loop shared by the hypergradient methods: projected gradient descent on `x`,
///
///     x_{k+1} = P_X(x_k - alpha_k grad Phi(x_k)),
///
/// with the step halved (and the iterate kept) unless `Phi` decreases sufficiently (Armijo); each
/// trial starts from Barzilai-Borwein's step for the last move, at most the given step. It stops when the projected gradient
/// `|x - P_X(x - grad Phi)|_inf` is at most `tolerance`, at the iteration or time limit, when
/// asked to (`Interruption`, or the `shouldStop` closure), or at the first number that is not
/// finite (the last finite iterate is kept, and where it happened is said).
/// What every method's loop shares: its iteration budget, the tolerance of its stationarity
/// measure, its start (nil: the middle of the boxes, or 0), its deadline, and a callback after
/// every iteration (return true to stop).
package struct RunControl: Sendable {
    package var maximumIterations = 1000
    package var tolerance = 1e-6
    package var leaderStart: [Double]?
    package var followerStart: [Double]?
    package var deadline: Date?
    package var shouldStop: (@Sendable (LeaderDescent.TraceRow) -> Bool)?
    package init() {}
}

package struct LeaderDescent: Sendable {
    package struct Options: Sendable {
        package var rule: HypergradientRule = .aidCG(iterations: 200, tolerance: 1e-10)
        package var step = 1.0
        package var follower = FollowerSolver()
        /// The budget, tolerance, start, deadline and stop callback every method's loop shares.
        /// `control.tolerance` bounds the projected hypergradient `|x - P_X(x - grad Phi)|_inf`.
        package var control = RunControl()
        package init() {}
    }

    /// One row of the trace.
    package struct TraceRow: Sendable, Equatable {
        package var iteration: Int
        /// `Phi(x_k) = F(x_k, y_k)` in the leader's own sense (not negated).
        package var leaderObjective: Double
        /// The projected hypergradient's size, `|x - P_X(x - grad Phi)|_inf`.
        package var stationarity: Double
        package var followerStationarity: Double
        package var step: Double
        package var seconds: Double
    }

    package enum Stop: String, Sendable {
        case converged, iterationLimit = "iteration_limit", timeLimit = "time_limit", interrupted, notFinite = "not_finite"
        case stalled
        /// The iterates ran off beyond 1e12 in magnitude (an unbounded leader, or a step too long).
        case diverging
    }

    package struct Result: Sendable {
        package var x: [Double]
        package var y: [Double]
        package var stop: Stop
        package var iterations: Int
        package var stationarity: Double
        package var trace: [TraceRow]
        /// Warnings of the hypergradient rule (singular Hessian, ...), each once, in order.
        package var warnings: [String]
        /// Where a non-finite number appeared, when it did.
        package var notFinite: String?
    }

    package var options: Options
    package init(options: Options) { self.options = options }

    package func run(_ p: SmoothBilevel) -> Result {
        let start = Date()
        var x = p.projectLeader(options.control.leaderStart ?? SmoothBilevel.start(p.xLower, p.xUpper))
        var yWarm = options.control.followerStart ?? SmoothBilevel.start(p.yLower, p.yUpper)
        // With rows, a start whose follower has a feasible point: the projection of (x, y) onto
        // both levels' rows (the follower's set at its x then holds its y).
        if !p.followerRows.isEmpty || !p.leaderRows.isEmpty, let j = p.projectJoint(x, yWarm) {
            x = j.x
            yWarm = j.y
        }
        var step = options.step
        var trace: [TraceRow] = []
        var warnings: [String] = []
        var h = p.hypergradient(x, yStart: yWarm, rule: options.rule, follower: options.follower)
        var phi = p.upperValue(x, h.y)
        var iterations = 0
        var rejections = 0
        // Accepted steps in a row that lowered Phi by no more than rounding: a kink or a ridge
        // the projected gradient cannot leave (a piecewise linear Phi of an LP follower).
        var flat = 0
        func note(_ w: String?) { if let w, !warnings.contains(w) { warnings.append(w) } }
        note(h.warning)
        func measure(_ x: [Double], _ g: [Double]) -> Double {
            let moved = p.projectLeader(axpy(-1, g, x))
            return x.indices.map { Swift.abs(x[$0] - moved[$0]) }.max() ?? 0
        }
        func finish(_ stop: Stop, _ where_: String? = nil) -> Result {
            Result(
                x: x, y: h.y, stop: stop, iterations: iterations, stationarity: measure(x, h.gradient), trace: trace,
                warnings: warnings, notFinite: where_)
        }
        guard phi.isFinite, allFinite(h.gradient), allFinite(h.y) else {
            return finish(.notFinite, "at the start (x = \(x.map { "\($0)" }.joined(separator: ", ")))")
        }
        while true {
            let m = measure(x, h.gradient)
            let row = TraceRow(
                iteration: iterations, leaderObjective: p.upperSign * phi, stationarity: m,
                followerStationarity: h.followerStationarity, step: step, seconds: Date().timeIntervalSince(start))
            if trace.last?.iteration != iterations { trace.append(row) }
            if m <= options.control.tolerance { return finish(.converged) }
            if options.control.shouldStop?(row) == true || Interruption.requested { return finish(.interrupted) }
            if iterations >= options.control.maximumIterations { return finish(.iterationLimit) }
            if let d = options.control.deadline, Date() >= d { return finish(.timeLimit) }
            // A trial step; the iterate moves only when Phi does not rise.
            let trialX = p.projectLeader(axpy(-step, h.gradient, x))
            // Implicit rules: the follower's last answer is a warm start only. Iterative rules:
            // Phi_K(x; y0) depends on the follower's start y0, so the trials start where the
            // current point's K steps started (comparing two points of one function).
            if options.rule.isImplicit { yWarm = h.y }
            let trial = p.hypergradient(trialX, yStart: yWarm, rule: options.rule, follower: options.follower)
            let trialPhi = p.upperValue(trialX, trial.y)
            guard trialPhi.isFinite, allFinite(trial.gradient), allFinite(trial.y) else {
                // Out of the domain (a log's, or x where the follower has no feasible point):
                // back off faster than for a lack of decrease.
                step /= 8
                rejections += 1
                if rejections > 60 { return finish(.notFinite, "at iteration \(iterations + 1): the hyper-objective or its gradient is not finite near x") }
                continue
            }
            // Accept unless Phi rises beyond what rounding in the follower's answer explains.
            // Sufficient decrease (Armijo on the projected step), up to rounding in Phi: a step
            // that only matches Phi could cycle between points of equal value.
            let decrease = 1e-4 * dot(h.gradient, axpy(-1, trialX, x))
            if trialPhi <= phi - decrease + 1e-12 * Swift.max(1, Swift.abs(phi)) || rejections >= 60 {
                if rejections >= 60, trialPhi > phi { return finish(.stalled) }
                if trialX.contains(where: { Swift.abs($0) > 1e12 }) || trial.y.contains(where: { Swift.abs($0) > 1e12 }) {
                    return finish(.diverging, "at iteration \(iterations + 1): the iterates passed 1e12 in magnitude")
                }
                // The next trial step: Barzilai-Borwein's s's / s'(g+ - g) from this move (the
                // local curvature along it), at most the given step; doubling when it has none.
                let sMove = axpy(-1, x, trialX), gMove = axpy(-1, h.gradient, trial.gradient)
                let curvature = dot(sMove, gMove)
                // (Near a smooth minimum Phi's decrease also drowns in rounding, but the projected
                // gradient keeps falling; at a kink it does not.)
                let noDecrease = phi - trialPhi <= 1e-12 * Swift.max(1, Swift.abs(phi))
                flat = noDecrease && measure(trialX, trial.gradient) >= 0.99 * measure(x, h.gradient) ? flat + 1 : 0
                x = trialX
                h = trial
                phi = trialPhi
                if !options.rule.isImplicit {
                    // The next function: K steps from the follower's last iterate (so the steps
                    // accumulate across leader iterations, as in the papers), at the new x.
                    let again = p.hypergradient(x, yStart: h.y, rule: options.rule, follower: options.follower)
                    let againPhi = p.upperValue(x, again.y)
                    if againPhi.isFinite, allFinite(again.gradient), allFinite(again.y) {
                        yWarm = h.y
                        h = again
                        phi = againPhi
                    }
                }
                note(h.warning)
                iterations += 1
                rejections = 0
                if flat >= 5 { return finish(.stalled) }
                if curvature > 0, curvature.isFinite {
                    step = Swift.min(Swift.max(dot(sMove, sMove) / curvature, 1e-12), options.step)
                } else {
                    // No positive curvature along the move (Phi linear or concave there): longer
                    // steps, guarded by the sufficient-decrease test; an unbounded Phi then runs off
                    // past 1e12 quickly and is reported as diverging.
                    step = Swift.min(step * 2, 1e12)
                }
            } else {
                step /= 2
                rejections += 1
                // A step that moves x by less than rounding cannot make progress.
                let reach = step * (h.gradient.map { Swift.abs($0) }.max() ?? 0)
                if reach <= 1e-14 * Swift.max(1, x.map { Swift.abs($0) }.max() ?? 0) { return finish(.stalled) }
            }
        }
    }
}
