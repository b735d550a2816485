/// Minimises a smooth convex function of `z` over a box by projected Newton steps on the free
/// coordinates (the direction by conjugate gradients on Hessian-vector products, a backtracking
/// search along the projected path), with projected gradient steps and an Armijo search where
/// Newton does not help. For the strongly convex subproblems of CCCP-BO (docs/gradient-methods.md).
struct BoxMinimizer {
    var lower: [Double]
    var upper: [Double]
    /// Stop when `|z - P(z - grad)|_inf` is at most this.
    var tolerance = 1e-12
    var maximumIterations = 500

    struct Result {
        var z: [Double]
        var value: Double
        var gradient: [Double]
        var stationarity: Double
        var iterations: Int
    }

    func project(_ z: [Double]) -> [Double] {
        var r = z
        for i in r.indices { r[i] = Swift.min(Swift.max(r[i], lower[i]), upper[i]) }
        return r
    }

    func stationarity(_ z: [Double], _ g: [Double]) -> Double {
        let moved = project(axpy(-1, g, z))
        var m = 0.0
        for i in z.indices { m = Swift.max(m, Swift.abs(z[i] - moved[i])) }
        return m
    }

    func minimize(
        from start: [Double], valueAndGradient: ([Double]) -> (Double, [Double]), hessianProduct: ([Double], [Double]) -> [Double]
    ) -> Result {
        var z = project(start)
        var (value, g) = valueAndGradient(z)
        var measure = stationarity(z, g)
        var iterations = 0
        var step = 1.0
        while measure > tolerance, iterations < maximumIterations, value.isFinite, allFinite(g) {
            iterations += 1
            // Free coordinates: not held at a bound by the gradient.
            let free = z.indices.map { i -> Bool in
                let scale = Swift.max(1, Swift.abs(z[i]))
                if z[i] <= lower[i] + 1e-12 * scale, g[i] > 0 { return false }
                if z[i] >= upper[i] - 1e-12 * scale, g[i] < 0 { return false }
                return true
            }
            var moved = false
            let cg = conjugateGradients(
                { masked(hessianProduct(z, masked($0, free)), free) }, masked(g.map { -$0 }, free),
                maximumIterations: 2 * z.count + 20, relativeTolerance: 1e-14)
            if !(cg.curvature != nil && cg.iterations == 0), allFinite(cg.solution) {
                let d = cg.solution
                var t = 1.0
                for _ in 0..<30 {
                    let trial = project(axpy(t, d, z))
                    let (v, gt) = valueAndGradient(trial)
                    if v.isFinite, allFinite(gt) {
                        let predicted = dot(g, axpy(-1, z, trial))
                        if v <= value + 1e-4 * predicted
                            || (t == 1 && stationarity(trial, gt) < measure && v <= value + 1e-12 * Swift.max(1, Swift.abs(value)))
                        {
                            z = trial
                            value = v
                            g = gt
                            moved = true
                            break
                        }
                    }
                    t /= 2
                }
            }
            if !moved {
                var t = step
                for _ in 0..<60 {
                    let trial = project(axpy(-t, g, z))
                    var d2 = 0.0
                    for i in z.indices { d2 += (trial[i] - z[i]) * (trial[i] - z[i]) }
                    if d2 == 0 { break }
                    let (v, gt) = valueAndGradient(trial)
                    if v.isFinite, v <= value - 1e-4 / t * d2 {
                        z = trial
                        value = v
                        g = gt
                        step = Swift.min(2 * t, 1e6)
                        moved = true
                        break
                    }
                    t /= 2
                }
            }
            if !moved { break }
            measure = stationarity(z, g)
        }
        return Result(z: z, value: value, gradient: g, stationarity: measure, iterations: iterations)
    }
}

extension SmoothBilevel {
    /// `f(x, y)` and its gradient in all variables, `(grad_x f, grad_y f)` (minimisation form).
    func lowerJointGradient(_ x: [Double], _ y: [Double]) -> (value: Double, leader: [Double], follower: [Double]) {
        let (v, g) = derivatives.lowerObjective.valueAndGradient(at: point(x, y))
        let s = split.split(g)
        return (lowerSign * v, s.leader.map { lowerSign * $0 }, s.follower.map { lowerSign * $0 })
    }

    /// The Hessian of `f` in all variables times `(dx, dy)`, as `(leader part, follower part)`.
    func lowerJointHessianProduct(_ x: [Double], _ y: [Double], _ dx: [Double], _ dy: [Double]) -> (leader: [Double], follower: [Double]) {
        let h = derivatives.lowerObjective.hessianVectorProduct(at: point(x, y), direction: point(dx, dy))
        let s = split.split(h)
        return (s.leader.map { lowerSign * $0 }, s.follower.map { lowerSign * $0 })
    }
}
