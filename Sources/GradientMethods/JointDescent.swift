import Foundation
import SolverInterface

/// Value-function methods: the leader's and the follower's variables move together, kept near
/// the follower's optimal set by the value-function gap `q(x, y) = f(x, y) - f(x, theta)`,
/// with `theta` T gradient steps of the follower from `y` (an estimate of `min_y f(x, y)`).
package enum JointRule: Sendable, Equatable {
    /// BOME (Liu, Ye, Wright, Stone and Liu, NeurIPS 2022): the direction
    /// `d = grad F + lambda grad q`, `lambda = max((eta |grad q|^2 - <grad F, grad q>) / |grad q|^2, 0)`,
    /// the smallest change of `grad F` that decreases `q` at the rate `eta |grad q|^2`.
    case bome(eta: Double)
    /// PBGD with the value-function penalty (Shen and Chen, ICML 2023): descent on
    /// `F + gamma q`, direction `grad F + gamma grad q`.
    case pbgd(gamma: Double)
    /// PBGD with the gradient penalty: descent on `F + gamma |grad_y f|^2`, direction
    /// `grad F + 2 gamma (Hess_xy f, Hess_yy f) grad_y f` (one Hessian-vector product).
    case pbgdGradient(gamma: Double)
}

/// Projected descent on `(x, y)` together for the value-function rules.
package struct JointDescent: Sendable {
    package struct Options: Sendable {
        package var rule: JointRule = .bome(eta: 0.5)
        /// The outer step `xi`.
        package var step = 0.1
        /// The follower steps T for `theta`, and their step (nil: 1/L by power iteration at the start).
        package var innerSteps = 10
        package var innerStep: Double?
        /// The budget, tolerance, start, deadline and stop callback every method's loop shares.
        /// `control.tolerance` bounds the projected direction `|v - P(v - d)|_inf` (and, for BOME, the gap `q`).
        package var control = RunControl()
        package init() {}
    }

    package var options: Options
    package init(options: Options) { self.options = options }

    package func run(_ p: SmoothBilevel) -> LeaderDescent.Result {
        let start = Date()
        // The projection onto both levels' boxes and rows (a QP when there are rows; the boxes'
        // clipping if that fails).
        func project(_ x: [Double], _ y: [Double]) -> (x: [Double], y: [Double]) {
            p.projectJoint(x, y) ?? (p.projectLeader(x), p.projectFollower(y))
        }
        var (x, y) = project(
            options.control.leaderStart ?? SmoothBilevel.start(p.xLower, p.xUpper), options.control.followerStart ?? SmoothBilevel.start(p.yLower, p.yUpper))
        // With follower rows, theta is the follower solved (Newton steps with QP subproblems)
        // instead of T projected gradient steps (each of which would be a projection QP).
        let solver = FollowerSolver(tolerance: 1e-10, maximumIterations: 200)
        let eta = options.innerStep ?? 1 / p.curvature(x, y, free: [Bool](repeating: true, count: p.followerCount))
        // The outer step: the given one, at most 1/L for L the curvature of F + c f in (x, y) at the
        // start (c = gamma for PBGD, 1 for BOME), so that a fixed step does not diverge.
        let xi: Double
        switch options.rule {
        case .bome: xi = Swift.min(options.step, 1 / p.jointCurvature(x, y, weight: 1))
        case .pbgd(let gamma): xi = Swift.min(options.step, 1 / p.jointCurvature(x, y, weight: gamma))
        case .pbgdGradient(let gamma):
            // The penalty's curvature is about 2 gamma L_f^2 (L_f: the follower Hessian's largest eigenvalue).
            let lf = p.curvature(x, y, free: [Bool](repeating: true, count: p.followerCount))
            xi = Swift.min(options.step, 1 / (p.jointCurvature(x, y, weight: 0) + 2 * gamma * lf * lf))
        }
        var trace: [LeaderDescent.TraceRow] = []
        var iterations = 0
        var lastMeasure = Double.infinity, lastGap = Double.infinity
        // PBGD's backtracking: the fraction of xi taken (halved while the penalty would rise).
        var shrink = 1.0
        func result(_ stop: LeaderDescent.Stop, _ note: String? = nil) -> LeaderDescent.Result {
            LeaderDescent.Result(
                x: x, y: y, stop: stop, iterations: iterations, stationarity: lastMeasure, trace: trace, warnings: [], notFinite: note)
        }
        while true {
            // theta: T projected gradient steps of the follower from y.
            var theta = y
            let needsTheta: Bool
            if case .pbgdGradient = options.rule { needsTheta = false } else { needsTheta = true }
            if needsTheta, !p.followerRows.isEmpty {
                theta = solver.solve(p, x: x, from: y).y
            } else {
                for _ in 0..<(needsTheta ? options.innerSteps : 0) {
                    theta = p.projectFollower(axpy(-eta, p.lowerValueAndGradient(x, theta).gradient, theta))
                }
            }
            let fy = p.lowerValueAndGradient(x, y)
            let fAtTheta = p.lowerValue(x, theta)
            let gap = fy.value - fAtTheta
            let gF = p.upperGradient(x, y)
            let fxAtY = p.derivatives.lowerObjective.gradient(at: p.point(x, y), split: p.split).leader.map { p.lowerSign * $0 }
            let fxAtTheta = p.valueFunctionLeaderGradient(x, theta)
            let gq = axpy(-1, fxAtTheta, fxAtY) + fy.gradient
            let gradF = gF.leader + gF.follower
            var d: [Double]
            switch options.rule {
            case .bome(let eta):
                let qq = dot(gq, gq)
                let lambda = qq > 0 ? Swift.max((eta * qq - dot(gradF, gq)) / qq, 0) : 0
                d = axpy(lambda, gq, gradF)
            case .pbgd(let gamma):
                d = axpy(gamma, gq, gradF)
            case .pbgdGradient(let gamma):
                let h = p.lowerFollowerProducts(x, y, fy.gradient)
                d = axpy(2 * gamma, h.leader + h.follower, gradF)
            }
            guard allFinite(d), gap.isFinite else { return result(.notFinite, "at iteration \(iterations)") }
            let v = x + y
            let n = p.leaderCount
            // The step's projection; with rows (a QP per projection) the measure is the gradient
            // mapping |v - P(v - xi d)|_inf / xi of the same projection, not a second QP.
            var stepped = project(axpy(-xi * shrink, Array(d[0..<n]), x), axpy(-xi * shrink, Array(d[n...]), y))
            if case .pbgd(let gamma) = options.rule, p.followerRows.isEmpty {
                // PBGD descends on one function, the penalty F + gamma (f - f(x, theta)): a step that
                // does not decrease it (Armijo) is halved. The 1/L bound leaves out the value
                // function's curvature in x, and a fixed step left the optimum of Bard (1998) 8.1.3.
                // (Not with follower rows: there theta comes from QPs whose accuracy, 1e-9, is
                // above the decrease the test asks of small steps, and the steps shrank to nothing.)
                func penalty(_ x: [Double], _ y: [Double], _ theta: [Double]) -> Double {
                    p.upperValue(x, y) + gamma * (p.lowerValue(x, y) - p.lowerValue(x, theta))
                }
                let current = penalty(x, y, theta)
                var tries = 0
                while tries < 40 {
                    var thetaNext = theta
                    if !p.followerRows.isEmpty {
                        thetaNext = solver.solve(p, x: stepped.x, from: theta).y
                    } else {
                        for _ in 0..<options.innerSteps {
                            thetaNext = p.projectFollower(axpy(-eta, p.lowerValueAndGradient(stepped.x, thetaNext).gradient, thetaNext))
                        }
                    }
                    let next = penalty(stepped.x, stepped.y, thetaNext)
                    let decrease = 1e-4 * dot(d, axpy(-1, stepped.x + stepped.y, x + y))
                    if next.isFinite, next <= current - decrease + 1e-12 * Swift.max(1, Swift.abs(current)) { break }
                    shrink /= 2
                    tries += 1
                    stepped = project(axpy(-xi * shrink, Array(d[0..<n]), x), axpy(-xi * shrink, Array(d[n...]), y))
                }
            }
            if p.leaderRows.isEmpty, p.followerRows.isEmpty {
                let m = project(axpy(-1, Array(d[0..<n]), x), axpy(-1, Array(d[n...]), y))
                let moved = m.x + m.y
                lastMeasure = v.indices.map { Swift.abs(v[$0] - moved[$0]) }.max() ?? 0
            } else {
                let moved = stepped.x + stepped.y
                lastMeasure = (v.indices.map { Swift.abs(v[$0] - moved[$0]) }.max() ?? 0) / (xi * shrink)
            }
            lastGap = Swift.max(gap, 0)
            let phi = p.upperValue(x, y)
            let row = LeaderDescent.TraceRow(
                iteration: iterations, leaderObjective: p.upperSign * phi, stationarity: lastMeasure, followerStationarity: lastGap,
                step: xi * shrink, seconds: Date().timeIntervalSince(start))
            trace.append(row)
            // BOME drives the gap to zero; PBGD's penalty leaves a gap of order 1/gamma^2 by design,
            // so it stops on its direction alone (the report measures the gap).
            let gapDone: Bool
            switch options.rule {
            case .bome: gapDone = lastGap <= options.control.tolerance
            case .pbgd, .pbgdGradient: gapDone = true
            }
            if lastMeasure <= options.control.tolerance, gapDone { return result(.converged) }
            if options.control.shouldStop?(row) == true || Interruption.requested { return result(.interrupted) }
            if iterations >= options.control.maximumIterations { return result(.iterationLimit) }
            if let deadline = options.control.deadline, Date() >= deadline { return result(.timeLimit) }
            (x, y) = stepped
            iterations += 1
            shrink = Swift.min(1, shrink * 2)
            if x.contains(where: { Swift.abs($0) > 1e12 }) || y.contains(where: { Swift.abs($0) > 1e12 }) {
                return result(.diverging, "at iteration \(iterations): the iterates passed 1e12 in magnitude")
            }
        }
    }
}

extension SmoothBilevel {
    /// The largest eigenvalue (power iteration) of the Hessian of `F + weight f` in all variables.
    func jointCurvature(_ x: [Double], _ y: [Double], weight: Double) -> Double {
        let point = self.point(x, y)
        return SmoothBilevel.largestEigenvalue(dimension: point.count) { v in
            let hu = derivatives.upperObjective.hessianVectorProduct(at: point, direction: v)
            let hl = derivatives.lowerObjective.hessianVectorProduct(at: point, direction: v)
            return hu.indices.map { upperSign * hu[$0] + weight * lowerSign * hl[$0] }
        }
    }
}
