/// The follower's problem at a fixed leader decision, `min_y f(x, y)` over the box `Y`, by
/// projected Newton steps on the free coordinates (conjugate gradients on Hessian-vector
/// products, with a backtracking search), and projected gradient steps with an Armijo search
/// where Newton does not help (warm-started). For a convex follower it converges to the minimum;
/// the stationarity measure `|y - P(y - grad_y f)|_inf` says how close it is.
package struct FollowerSolver: Sendable {
    /// The stationarity to reach.
    package var tolerance = 1e-12
    package var maximumIterations = 10_000

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
        if !p.followerRows.isEmpty {
            return p.solveConstrainedFollower(x, from: start, tolerance: tolerance, maximumIterations: maximumIterations)
        }
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
        /// One projected gradient step with an Armijo backtracking search; false when none decreases f.
        func gradientStep() -> Bool {
            var t = step
            for _ in 0..<60 {
                let trial = p.projectFollower(axpy(-t, g, y))
                var d2 = 0.0
                for i in y.indices { d2 += (trial[i] - y[i]) * (trial[i] - y[i]) }
                if d2 == 0 { return false }
                let (v, gt) = p.lowerValueAndGradient(x, trial)
                if v.isFinite, v <= value - 1e-4 / t * d2 {
                    y = trial
                    value = v
                    g = gt
                    step = Swift.min(t * 2, 1e6)
                    return true
                }
                t /= 2
            }
            return false
        }
        /// One projected Newton step (the free coordinates' Newton direction by conjugate gradients,
        /// then a backtracking search on f; near the minimum, where f's decrease drowns in rounding,
        /// the full step is taken when it lowers the stationarity); false when it does not help.
        func newtonStep() -> Bool {
            let free = p.freeFollowerCoordinates(y, gradient: g)
            guard let d = newtonDirection(p, x, y, g, free) else { return false }
            var t = 1.0
            for _ in 0..<30 {
                let trial = p.projectFollower(axpy(t, d, y))
                let (v, gt) = p.lowerValueAndGradient(x, trial)
                guard v.isFinite, allFinite(gt) else { t /= 2; continue }
                let predicted = dot(g, axpy(-1, y, trial))  // <= 0 along a descent direction
                if v <= value + 1e-4 * predicted || (t == 1 && stationarity(trial, gt) < measure && v <= value + 1e-12 * Swift.max(1, Swift.abs(value))) {
                    y = trial
                    value = v
                    g = gt
                    return true
                }
                t /= 2
            }
            return false
        }
        // Newton steps first (quadratic convergence for a smooth convex follower, whatever its
        // conditioning); projected gradient steps where Newton does not help (a nonconvex region,
        // a kink of the box).
        while measure > tolerance, iterations < maximumIterations, value.isFinite, allFinite(g) {
            iterations += 1
            if !newtonStep(), !gradientStep() { break }
            measure = stationarity(y, g)
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
