/// Seed 001's cheap hypergradients (docs/gradient-methods.md): the Hessian-free and the one-shot
/// WoodFisher approximations of implicit differentiation, and iterative differentiation through
/// sign-gradient follower steps. Each is one follower solve (or K steps) and at most two
/// Hessian-vector products; none solves a linear system.
extension SmoothBilevel {
    /// `aid-hessian-free` (seed 001 eq. (7)): the follower's Hessian is replaced by `lambda I`,
    /// `grad Phi ~ F_x - (1/lambda) Hess_xy f F_y` on the free coordinates (one mixed product).
    /// `lambda` is `damping`, or the follower Hessian's largest eigenvalue (power iteration).
    func hessianFreeHypergradient(_ x: [Double], _ r: FollowerSolver.Result, damping: Double?) -> Hypergradient {
        let y = r.y
        let gF = upperGradient(x, y)
        let free = freeFollowerCoordinates(y, gradient: r.gradient)
        let lambda = damping ?? curvature(x, y, free: free)
        let v = masked(gF.follower, free).map { $0 / lambda }
        let hx = lowerFollowerProducts(x, y, v).leader
        return Hypergradient(
            y: y, gradient: axpy(-1, hx, gF.leader), followerStationarity: r.stationarity, followerIterations: r.iterations, warning: nil)
    }

    /// `aid-woodfisher` (seed 001 (d), one shot): `H ~ v v' + gamma I` with the rank-1 factor exact
    /// along the right-hand side `b = F_y`: `v = H b / sqrt(b'Hb)` (so `v v' b = H b`), and the
    /// inverse by Sherman-Morrison. When `b'Hb <= 0` the factor is dropped (`H ~ gamma I`).
    /// `gamma` is `damping`, or 1e-3 times the follower Hessian's largest eigenvalue.
    func woodFisherHypergradient(_ x: [Double], _ r: FollowerSolver.Result, damping: Double?) -> Hypergradient {
        let y = r.y
        let gF = upperGradient(x, y)
        let free = freeFollowerCoordinates(y, gradient: r.gradient)
        let gamma = damping ?? 1e-3 * curvature(x, y, free: free)
        let b = masked(gF.follower, free)
        let hb = masked(lowerFollowerProducts(x, y, b).follower, free)
        let bhb = dot(b, hb)
        var warning: String?
        let solution: [Double]
        if bhb > 0, bhb.isFinite {
            let v = hb.map { $0 / bhb.squareRoot() }
            solution = shermanMorrison(v, gamma, b)
        } else {
            if dot(b, b) > 0 {
                warning = "the follower's curvature along grad_y F is not positive (b'Hb = \(bhb)): the WoodFisher factor was dropped (H ~ gamma I)"
            }
            solution = b.map { $0 / gamma }
        }
        let hx = lowerFollowerProducts(x, y, masked(solution, free)).leader
        return Hypergradient(
            y: y, gradient: axpy(-1, hx, gF.leader), followerStationarity: r.stationarity, followerIterations: r.iterations,
            warning: warning)
    }

    /// `itd-sign` (seed 001 eq. (signGD)): K steps `y <- P(y - beta sign(grad_y f(x, y)))` from
    /// `y0`; the sign has derivative 0 almost everywhere, so `dy_K/dx = 0` and the hypergradient is
    /// `F_x(x, y_K)`. `beta` is `given`, or 0.01 (the seed keeps it constant: the follower ends
    /// within about beta of its optimum, oscillating).
    func signHypergradient(_ x: [Double], _ y0: [Double], steps: Int, beta given: Double?) -> Hypergradient {
        let beta = given ?? 1e-2
        var y = projectFollower(y0)
        for _ in 0..<steps {
            let g = lowerValueAndGradient(x, y).gradient
            y = projectFollower(y.indices.map { y[$0] - beta * (g[$0] > 0 ? 1 : g[$0] < 0 ? -1 : 0) })
        }
        return Hypergradient(
            y: y, gradient: upperGradient(x, y).leader, followerStationarity: followerStationarity(x, y), followerIterations: steps,
            warning: nil)
    }
}

/// `(gamma I + v v')^{-1} w = w / gamma - (v'w) v / (gamma (gamma + v'v))` (Sherman-Morrison; the
/// seeds print it with a plus sign, which is wrong: docs/notes/seed-methods.md 3.5(d)).
func shermanMorrison(_ v: [Double], _ gamma: Double, _ w: [Double]) -> [Double] {
    let vw = dot(v, w), vv = dot(v, v)
    let c = vw / (gamma * (gamma + vv))
    return w.indices.map { w[$0] / gamma - c * v[$0] }
}
