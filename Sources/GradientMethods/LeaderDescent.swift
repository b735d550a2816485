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
        /// Quasi-Newton directions (L-BFGS with this many pairs, on the coordinates not held at a
        /// bound) instead of gradient steps; nil: projected gradient steps of Barzilai-Borwein length.
        package var quasiNewton: Int?
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
        /// The warning of the hypergradient at the answer itself (the others may be of earlier
        /// iterates: a singular Hessian at a point the run left is not a failure at the answer).
        package var lastWarning: String? = nil
        /// True when `warnings` are per iterate and `lastWarning` is the answer's (the leader's
        /// loop); false when every warning is about the answer.
        package var warningsPerIterate = false
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
        // L-BFGS's pairs (s, g+ - g), newest last.
        var pairs: [(s: [Double], y: [Double])] = []
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
                warnings: warnings, notFinite: where_, lastWarning: h.warning, warningsPerIterate: true)
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
            let direction = quasiNewtonDirection(p, x, h.gradient, pairs) ?? h.gradient.map { -$0 }
            let trialX = p.projectLeader(axpy(step, direction, x))
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
                if let memory = options.quasiNewton {
                    if curvature > 1e-10 * norm(sMove) * norm(gMove) {
                        pairs.append((sMove, gMove))
                        if pairs.count > memory { pairs.removeFirst() }
                    } else {
                        // No positive curvature along the move (a nonconvex region): the old pairs
                        // describe somewhere else; start again from gradient steps.
                        pairs.removeAll()
                    }
                }
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
                if options.quasiNewton != nil, !pairs.isEmpty {
                    // A quasi-Newton direction carries its own length: the unit step first.
                    step = 1
                } else if curvature > 0, curvature.isFinite {
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

    /// L-BFGS's direction `-H g` (the two-loop recursion, Nocedal and Wright 2006, Algorithm 7.4)
    /// on the coordinates the gradient does not hold at a bound, 0 on the others (a two-metric
    /// projection, Bertsekas 1982); nil when quasi-Newton steps are off, there are no pairs yet, or
    /// the direction is not one of descent.
    func quasiNewtonDirection(_ p: SmoothBilevel, _ x: [Double], _ g: [Double], _ pairs: [(s: [Double], y: [Double])]) -> [Double]? {
        guard options.quasiNewton != nil, !pairs.isEmpty else { return nil }
        let free = x.indices.map { i -> Bool in
            let scale = 1e-12 * Swift.max(1, Swift.abs(x[i]))
            if x[i] <= p.xLower[i] + scale, g[i] > 0 { return false }
            if x[i] >= p.xUpper[i] - scale, g[i] < 0 { return false }
            return true
        }
        let usable = pairs.map { (masked($0.s, free), masked($0.y, free)) }.filter { dot($0.0, $0.1) > 0 }
        guard let last = usable.last else { return nil }
        var q = masked(g, free)
        var alphas: [Double] = []
        for (s, y) in usable.reversed() {
            let a = dot(s, q) / dot(s, y)
            alphas.append(a)
            q = axpy(-a, y, q)
        }
        var r = q.map { $0 * dot(last.0, last.1) / dot(last.1, last.1) }
        for ((s, y), a) in zip(usable, alphas.reversed()) {
            let b = dot(y, r) / dot(s, y)
            r = axpy(a - b, s, r)
        }
        let d = r.map { -$0 }
        guard allFinite(d), dot(d, g) < 0 else { return nil }
        return d
    }
}
