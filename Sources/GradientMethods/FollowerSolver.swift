/// The follower's problem at a fixed leader decision, `min_y f(x, y)` over the box `Y`, by
/// projected gradient descent with an Armijo backtracking line search (warm-started; the step
/// grows again after each accepted one). For a convex follower it converges to the minimum;
/// the stationarity measure `|y - P(y - grad_y f)|_inf` says how close it is.
package struct FollowerSolver: Sendable {
    /// Projected gradient runs to `max(tolerance, gradientPhaseTolerance)`; Newton steps on the
    /// free coordinates take it the rest of the way (quadratically, for a smooth convex follower).
    package var tolerance = 1e-12
    package var maximumIterations = 10_000
    package var gradientPhaseTolerance = 1e-6

    package init(tolerance: Double = 1e-12, maximumIterations: Int = 10_000) {
        self.tolerance = tolerance
        self.maximumIterations = maximumIterations
    }

    package struct Result: Sendable {
        package var y: [Double]
        package var value: Double
        package var gradient: [Double]
        package var iterations: Int
        /// `|y - P(y - grad_y f)|_inf` at `y`.
        package var stationarity: Double
        package var finite: Bool
    }

    package func solve(_ p: SmoothBilevel, x: [Double], from start: [Double]) -> Result {
        var y = p.projectFollower(start)
        var (value, g) = p.lowerValueAndGradient(x, y)
        var step = 1.0
        var iterations = 0
        func stationarity(_ y: [Double], _ g: [Double]) -> Double {
            let moved = p.projectFollower(axpy(-1, g, y))
            var m = 0.0
            for i in y.indices { m = Swift.max(m, Swift.abs(y[i] - moved[i])) }
            return m
        }
        var measure = stationarity(y, g)
        let phase = Swift.max(tolerance, gradientPhaseTolerance)
        while measure > phase, iterations < maximumIterations, value.isFinite, allFinite(g) {
            iterations += 1
            var t = step
            var accepted = false
            for _ in 0..<60 {
                let trial = p.projectFollower(axpy(-t, g, y))
                var d2 = 0.0
                for i in y.indices { d2 += (trial[i] - y[i]) * (trial[i] - y[i]) }
                if d2 == 0 { break }
                let (v, gt) = p.lowerValueAndGradient(x, trial)
                if v.isFinite, v <= value - 1e-4 / t * d2 {
                    y = trial
                    value = v
                    g = gt
                    accepted = true
                    break
                }
                t /= 2
            }
            if !accepted { break }
            step = Swift.min(t * 2, 1e6)
            measure = stationarity(y, g)
        }
        // Newton steps on the free coordinates (conjugate gradients on Hessian-vector products)
        // where the line search stalls in rounding: quadratic convergence near the minimum.
        var newton = 0
        while measure > tolerance, newton < 50, value.isFinite, allFinite(g) {
            newton += 1
            let free = p.freeFollowerCoordinates(y, gradient: g)
            guard let d = newtonDirection(p, x, y, g, free) else { break }
            let trial = p.projectFollower(axpy(1, d, y))
            let (v, gt) = p.lowerValueAndGradient(x, trial)
            let m = stationarity(trial, gt)
            guard v.isFinite, m < measure else {
                // Newton did not help (a nonconvex region, a kink of the box): more gradient steps.
                break
            }
            y = trial
            value = v
            g = gt
            measure = m
            iterations += 1
        }
        return Result(y: y, value: value, gradient: g, iterations: iterations, stationarity: measure, finite: value.isFinite && allFinite(g))
    }

    /// `d` with `Hess_ff d = -grad_f` on the free coordinates (0 elsewhere), or nil when the
    /// Hessian is not positive definite along the way.
    func newtonDirection(_ p: SmoothBilevel, _ x: [Double], _ y: [Double], _ g: [Double], _ free: [Bool]) -> [Double]? {
        let b = masked(g.map { -$0 }, free)
        let cg = conjugateGradients(
            { masked(p.lowerFollowerProducts(x, y, masked($0, free)).follower, free) }, b,
            maximumIterations: 2 * y.count + 20, relativeTolerance: 1e-14)
        if cg.curvature != nil, cg.iterations == 0 { return nil }
        let d = cg.solution
        return allFinite(d) ? d : nil
    }
}
