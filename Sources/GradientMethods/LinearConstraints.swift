import BlomodelCore
import Differentiation
import LinearAlgebra
import SolverInterface

/// Linear rows `lower <= a'x + b'y <= upper` on the leader's `x` and the follower's `y`
/// (positions in `x` and `y`, not model variable ids). The follower's rows may use both; the
/// leader's use `x` only (a leader row on the follower's variables couples the levels, which the
/// gradient methods refuse).
package struct LinearRows: Sendable {
    package struct Row: Sendable {
        package var name: String
        package var leaderIndex: [Int] = [], leaderCoefficient: [Double] = []
        package var followerIndex: [Int] = [], followerCoefficient: [Double] = []
        package var lower: Double
        package var upper: Double
        package var location: SourceLocation?

        /// `a'x + b'y`.
        package func activity(_ x: [Double], _ y: [Double]) -> Double {
            var s = 0.0
            for (k, j) in leaderIndex.enumerated() { s += leaderCoefficient[k] * x[j] }
            for (k, j) in followerIndex.enumerated() { s += followerCoefficient[k] * y[j] }
            return s
        }

        /// `a'x`.
        package func leaderActivity(_ x: [Double]) -> Double {
            var s = 0.0
            for (k, j) in leaderIndex.enumerated() { s += leaderCoefficient[k] * x[j] }
            return s
        }
    }

    package var rows: [Row] = []
    package var isEmpty: Bool { rows.isEmpty }
    package var count: Int { rows.count }

    /// The largest violation of a row at `(x, y)`, relative to the row's scale (1 or its bound).
    package func maxViolation(_ x: [Double], _ y: [Double]) -> Double {
        var worst = 0.0
        for r in rows {
            let a = r.activity(x, y)
            if r.lower.isFinite { worst = Swift.max(worst, (r.lower - a) / Swift.max(1, Swift.abs(r.lower))) }
            if r.upper.isFinite { worst = Swift.max(worst, (a - r.upper) / Swift.max(1, Swift.abs(r.upper))) }
        }
        return worst
    }
}

extension SmoothBilevel {
    /// The rows of `model` split by level, or the reason a row cannot be taken (nonlinear, a
    /// leader row on the follower's variables) with its position.
    static func linearRows(_ model: BilevelModel, split: VariableSplit) -> (leader: LinearRows, follower: LinearRows, refusal: (String, SourceLocation?)?) {
        var xPosition: [VarID: Int] = [:], yPosition: [VarID: Int] = [:]
        for (k, j) in split.leader.enumerated() { xPosition[j] = k }
        for (k, j) in split.follower.enumerated() { yPosition[j] = k }
        var leader = LinearRows(), follower = LinearRows()
        for c in model.constraints {
            let at: SourceLocation? = c.location == .unknown ? nil : c.location
            if c.nonquadratic != nil || !c.body.quadratic.isEmpty {
                return (leader, follower, ("the gradient methods take linear constraints; \(c.name) is nonlinear (write it with linear terms, or use an exact route)", at))
            }
            var row = LinearRows.Row(name: c.name, lower: c.lower - c.body.linear.constant, upper: c.upper - c.body.linear.constant, location: at)
            for (v, a) in c.body.linear.sortedTerms where a != 0 {
                if let k = xPosition[v] {
                    row.leaderIndex.append(k)
                    row.leaderCoefficient.append(a)
                } else if let k = yPosition[v] {
                    row.followerIndex.append(k)
                    row.followerCoefficient.append(a)
                }
            }
            if c.owner == .leader {
                if !row.followerIndex.isEmpty {
                    return (
                        leader, follower,
                        ("the gradient methods do not take leader constraints on the follower's variables (\(c.name) couples the levels); write it in the follower, or use an exact route", at)
                    )
                }
                leader.rows.append(row)
            } else {
                follower.rows.append(row)
            }
        }
        return (leader, follower, nil)
    }
}

/// Convex quadratic programs `min 1/2 z'Hz + c'z` over rows and a box, by the QP backend (Ipopt
/// in the facade): the projections onto the follower's and the leader's polyhedra and the
/// follower's Newton subproblems when it has linear constraints.
struct QuadraticSubproblem {
    var backend: any SolverBackend

    /// The minimiser and the backend's status, or nil when the backend has none (an
    /// infeasible polyhedron, a failure).
    func solve(
        hessian: [[Double]]?, linear c: [Double], lower: [Double], upper: [Double],
        rows: [(index: [Int], coefficient: [Double], lower: Double, upper: Double)]
    ) -> [Double]? {
        solveWithDuals(hessian: hessian, linear: c, lower: lower, upper: upper, rows: rows)?.z
    }

    /// The minimiser and the rows' multipliers (`d objective / d row bound`; zero for the rows
    /// the answer does not press against), or nil as for `solve`.
    func solveWithDuals(
        hessian: [[Double]]?, linear c: [Double], lower: [Double], upper: [Double],
        rows: [(index: [Int], coefficient: [Double], lower: Double, upper: Double)]
    ) -> (z: [Double], duals: [Double])? {
        var s = StandardForm()
        for i in c.indices { s.addColumn(name: "z\(i)", lower: lower[i], upper: upper[i], cost: c[i]) }
        if let h = hessian {
            for i in h.indices {
                // 1/2 z'Hz = sum_i H_ii/2 z_i^2 + sum_{i<j} H_ij z_i z_j.
                if h[i][i] != 0 { s.quadraticObjective.append(.init(i, i, h[i][i] / 2)) }
                for j in (i + 1)..<h.count where h[i][j] != 0 { s.quadraticObjective.append(.init(i, j, h[i][j])) }
            }
        } else {
            for i in c.indices { s.quadraticObjective.append(.init(i, i, 0.5)) }
        }
        for (k, r) in rows.enumerated() {
            s.addRow(name: "r\(k)", entries: Array(zip(r.index, r.coefficient)), lower: r.lower, upper: r.upper)
        }
        guard let result = try? backend.solve(s, options: SolveOptions()), result.termination == .optimal,
            let z = result.solution, z.count == c.count, allFinite(z)
        else { return nil }
        // The backend's word is checked: a set empty by less than its tolerances once came back
        // "optimal" at a point far outside it.
        for (i, v) in z.enumerated() where v < lower[i] - 1e-7 * Swift.max(1, Swift.abs(lower[i])) || v > upper[i] + 1e-7 * Swift.max(1, Swift.abs(upper[i])) {
            return nil
        }
        for r in rows {
            var a = 0.0
            for (k, j) in r.index.enumerated() { a += r.coefficient[k] * z[j] }
            if a < r.lower - 1e-7 * Swift.max(1, Swift.abs(r.lower)) || a > r.upper + 1e-7 * Swift.max(1, Swift.abs(r.upper)) { return nil }
        }
        let duals = result.rowDuals.map { $0.count == rows.count ? $0 : [Double](repeating: 0, count: rows.count) } ?? [Double](repeating: 0, count: rows.count)
        return (z, duals)
    }
}

extension SmoothBilevel {
    /// The follower's rows at the leader's `x`, as rows on `y` alone.
    func followerRowsAt(_ x: [Double]) -> [(index: [Int], coefficient: [Double], lower: Double, upper: Double)] {
        followerRows.rows.map { r in
            let shift = r.leaderActivity(x)
            return (r.followerIndex, r.followerCoefficient, r.lower - shift, r.upper - shift)
        }
    }

    /// The Euclidean projection of `y` onto the follower's feasible set at `x` (box and rows), or
    /// nil when it is empty or the QP backend fails.
    package func projectFollowerPolyhedron(_ x: [Double], _ y: [Double]) -> [Double]? {
        if followerRows.isEmpty { return projectFollower(y) }
        guard let qp = quadraticSolver else { return nil }
        return QuadraticSubproblem(backend: qp).solve(
            hessian: nil, linear: y.map { -$0 }, lower: yLower, upper: yUpper, rows: followerRowsAt(x))
    }

    /// The Euclidean projection of `(x, y)` onto the set of both levels' rows and boxes (the
    /// joint methods' step), or the boxes' clipping when there are no rows.
    package func projectJoint(_ x: [Double], _ y: [Double]) -> (x: [Double], y: [Double])? {
        if leaderRows.isEmpty, followerRows.isEmpty { return (projectLeader(x), projectFollower(y)) }
        guard let qp = nonemptySetSolver ?? quadraticSolver else { return nil }
        let n = leaderCount
        var rows: [(index: [Int], coefficient: [Double], lower: Double, upper: Double)] = []
        for r in leaderRows.rows + followerRows.rows {
            rows.append((r.leaderIndex + r.followerIndex.map { $0 + n }, r.leaderCoefficient + r.followerCoefficient, r.lower, r.upper))
        }
        guard
            let z = QuadraticSubproblem(backend: qp).solve(
                hessian: nil, linear: (x + y).map { -$0 }, lower: xLower + yLower, upper: xUpper + yUpper, rows: rows)
        else { return nil }
        return (Array(z[0..<n]), Array(z[n...]))
    }

    /// The follower's problem at `x` with its linear rows: Newton steps whose subproblem is the
    /// QP `min_z grad'(z - y) + 1/2 (z - y)'H(z - y)` over the rows and the box (`H` the
    /// follower's Hessian, shifted to be positive definite where it is not), each followed by a
    /// backtracking search on `f` along `z - y` (the segment stays feasible: the set is convex).
    /// The stationarity is the last step's length `|z - y|_inf` (0 exactly at a KKT point).
    func solveConstrainedFollower(_ x: [Double], from start: [Double], tolerance: Double, maximumIterations: Int) -> FollowerSolver.Result {
        let all = Array(0..<followerCount)
        var y = projectFollower(start)
        var (value, g) = lowerValueAndGradient(x, y)
        var measure = Double.infinity
        var iterations = 0
        let tol = Swift.max(tolerance, 1e-9)
        guard let qp = quadraticSolver else {
            return .init(y: y, value: value, gradient: g, iterations: 0, stationarity: .nan, finite: false)
        }
        let rows = followerRowsAt(x)
        var feasible = false
        var lastDuals: [Double] = []
        while iterations < Swift.min(maximumIterations, 200), value.isFinite, allFinite(g) {
            iterations += 1
            var h = followerHessian(x, y, on: all)
            for r in h.indices { for c in 0..<r { let m = (h[r][c] + h[c][r]) / 2; h[r][c] = m; h[c][r] = m } }
            if let lambda = LinearAlgebra.symmetricEigenvalues(h)?.first {
                let scale = h.indices.map { Swift.abs(h[$0][$0]) }.max() ?? 1
                let floor = 1e-10 * Swift.max(1, scale)
                if lambda < floor { for i in h.indices { h[i][i] += floor - lambda } }
            }
            // min 1/2 z'Hz + (g - Hy)'z.
            var c = g
            for i in c.indices { for j in y.indices { c[i] -= h[i][j] * y[j] } }
            // The first QP checks that the follower's set at x has a point; the later ones know it.
            guard let (z, duals) = QuadraticSubproblem(backend: feasible ? (nonemptySetSolver ?? qp) : qp).solveWithDuals(hessian: h, linear: c, lower: yLower, upper: yUpper, rows: rows)
            else { return .init(y: y, value: value, gradient: g, iterations: iterations, stationarity: .nan, finite: feasible && value.isFinite) }
            lastDuals = duals
            let d = axpy(-1, y, z)
            measure = d.map { Swift.abs($0) }.max() ?? 0
            if !feasible {
                // The first step makes the point feasible: taken whole.
                feasible = true
                y = z
                (value, g) = lowerValueAndGradient(x, y)
                continue
            }
            if measure <= tol * Swift.max(1, y.map { Swift.abs($0) }.max() ?? 0) { break }
            let slope = dot(g, d)
            // A step whose predicted decrease is below rounding: y is a KKT point to the QP's accuracy.
            if -slope <= 1e-14 * Swift.max(1, Swift.abs(value)) { break }
            var t = 1.0, moved = false
            for _ in 0..<40 {
                let trial = axpy(t, d, y)
                let (v, gt) = lowerValueAndGradient(x, trial)
                if v.isFinite, allFinite(gt), v <= value + 1e-4 * t * slope + 1e-13 * Swift.max(1, Swift.abs(value)) {
                    y = trial
                    value = v
                    g = gt
                    moved = true
                    break
                }
                t /= 2
            }
            if !moved { break }
        }
        if feasible, value.isFinite, allFinite(g), let polished = polish(x, y, value: value, duals: lastDuals) {
            (y, value, g) = polished
        }
        return .init(y: y, value: value, gradient: g, iterations: iterations, stationarity: measure, finite: feasible && value.isFinite && allFinite(g))
    }

    /// An interior-point QP ends near, not on, a row whose multiplier is small (its
    /// complementarity tolerance 1e-10 allows a slack of 1e-10 / multiplier: 3.5e-6 was seen),
    /// and the hypergradient would then be taken on the wrong piece. So the answer is polished:
    /// the rows the QP pressed against (a nonzero multiplier) or that are within 1e-7 of a bound
    /// are held as equalities, the coordinates at a bound fixed, and one Newton step on that
    /// equality-constrained problem, `[H A'; A 0][d; mu] = [-g; r]`, is taken (exact for a
    /// quadratic follower) when it keeps every row and bound and does not raise `f`.
    func polish(_ x: [Double], _ y: [Double], value: Double, duals: [Double]) -> (y: [Double], value: Double, gradient: [Double])? {
        let (boxFree, nearRows) = activeSet(x, y)
        let free = y.indices.map { i in boxFree[i] && y[i] > yLower[i] + 1e-9 * Swift.max(1, Swift.abs(y[i])) && y[i] < yUpper[i] - 1e-9 * Swift.max(1, Swift.abs(y[i])) }
        let scale = Swift.max(1, duals.map { Swift.abs($0) }.max() ?? 0)
        var active = nearRows
        for (k, d) in duals.enumerated() where Swift.abs(d) > 1e-9 * scale && !active.contains(k) { active.append(k) }
        active.sort()
        let index = free.indices.filter { free[$0] }
        guard !index.isEmpty, !active.isEmpty, active.count <= index.count else { return nil }
        let g = lowerValueAndGradient(x, y).gradient
        let h = followerHessian(x, y, on: index)
        let a = activeMatrix(active, free: free)
        let n = index.count, m = active.count
        var k = [[Double]](repeating: [Double](repeating: 0, count: n + m), count: n + m)
        for i in 0..<n { for j in 0..<n { k[i][j] = h[i][j] } }
        var rhs = index.map { [-g[$0]] }
        for (row, rk) in active.enumerated() {
            for (c, j) in index.enumerated() {
                k[n + row][c] = a[row][j]
                k[c][n + row] = a[row][j]
            }
            // The bound the row is held at: the nearer one (an equality row's only one).
            let r = followerRows.rows[rk]
            let activity = r.activity(x, y)
            let bound = !r.upper.isFinite || (r.lower.isFinite && Swift.abs(activity - r.lower) <= Swift.abs(activity - r.upper)) ? r.lower : r.upper
            rhs.append([bound - activity])
        }
        guard let solution = LinearAlgebra.solve(k, rhs) else { return nil }
        var next = y
        for (c, j) in index.enumerated() { next[j] += solution[c][0] }
        guard allFinite(next),
            followerRows.maxViolation(x, next) <= 1e-12,
            next.indices.allSatisfy({ next[$0] >= yLower[$0] && next[$0] <= yUpper[$0] })
        else { return nil }
        let (v, gn) = lowerValueAndGradient(x, next)
        guard v.isFinite, v <= value + 1e-12 * Swift.max(1, Swift.abs(value)) else { return nil }
        return (next, v, gn)
    }

    /// The follower's free coordinates (off their bounds) and active rows (at a bound, equality
    /// rows always) at its answer `y` for `x`: the pieces the follower's answer moves along,
    /// locally, under strict complementarity.
    func activeSet(_ x: [Double], _ y: [Double]) -> (free: [Bool], rows: [Int]) {
        let free = y.indices.map { i -> Bool in
            let scale = 1e-7 * Swift.max(1, Swift.abs(y[i]))
            return !(y[i] <= yLower[i] + scale || y[i] >= yUpper[i] - scale)
        }
        var active: [Int] = []
        for (k, r) in followerRows.rows.enumerated() {
            let a = r.activity(x, y)
            let atLower = r.lower.isFinite && a <= r.lower + 1e-7 * Swift.max(1, Swift.abs(r.lower))
            let atUpper = r.upper.isFinite && a >= r.upper - 1e-7 * Swift.max(1, Swift.abs(r.upper))
            if atLower || atUpper { active.append(k) }
        }
        return (free, active)
    }

    /// The active rows' follower coefficients on the free coordinates (dense, one array per row).
    func activeMatrix(_ rows: [Int], free: [Bool]) -> [[Double]] {
        rows.map { k in
            var a = [Double](repeating: 0, count: followerCount)
            let r = followerRows.rows[k]
            for (m, j) in r.followerIndex.enumerated() where free[j] { a[j] += r.followerCoefficient[m] }
            return a
        }
    }

    /// The projector onto the null space of the active rows `A` (on the free coordinates):
    /// `P v = v - A'(AA')^{-1} A v`, with `(AA')^{-1}`; nil when the rows are linearly dependent
    /// (the linear independence constraint qualification fails).
    func nullSpaceProjector(_ a: [[Double]]) -> ((_ v: [Double]) -> [Double], gramInverse: [[Double]])? {
        let m = a.count
        if m == 0 { return ({ $0 }, []) }
        var gram = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for i in 0..<m { for j in 0..<m { gram[i][j] = dot(a[i], a[j]) } }
        let identity = (0..<m).map { i in (0..<m).map { $0 == i ? 1.0 : 0 } }
        guard let inverse = LinearAlgebra.solve(gram, identity) else { return nil }
        let project: ([Double]) -> [Double] = { v in
            let av = a.map { dot($0, v) }
            var r = v
            for i in 0..<m {
                var coefficient = 0.0
                for j in 0..<m { coefficient += inverse[i][j] * av[j] }
                r = axpy(-coefficient, a[i], r)
            }
            return r
        }
        return (project, inverse)
    }
}

extension SmoothBilevel {
    /// Implicit differentiation of the follower's KKT conditions: with `A`, `B` the active rows'
    /// coefficients on the free `y` and on `x` (strict complementarity: the active set does not
    /// change nearby; no rows, no `A`), `H = f_yy` on the free coordinates,
    ///
    ///     [H  A'] [v]   [F_y]
    ///     [A  0 ] [w] = [ 0 ],      grad Phi = F_x - f_xy v - B'w.
    ///
    /// `aid-exact` factorises the whole matrix (LU); `aid-cg` and `aid-neumann` work in the null
    /// space of `A` (`v` from `PHP v = P F_y`, `P = I - A'(AA')^{-1}A`), then
    /// `w = (AA')^{-1} A (F_y - H v)`. Without rows the free coordinates are those the gradient
    /// does not hold at a bound (a coordinate at its bound with zero gradient moves with x).
    func implicitKKT(_ x: [Double], _ r: FollowerSolver.Result, _ rule: HypergradientRule) -> Hypergradient {
        let y = r.y
        // No follower answer at x (its set is empty there): no hypergradient; the leader's
        // search treats the point like one outside log's domain and steps back.
        guard r.finite else {
            return Hypergradient(
                y: y, gradient: x.map { _ in .nan }, followerStationarity: .nan, followerIterations: r.iterations, warning: nil)
        }
        let gF = upperGradient(x, y)
        let (free, active) = followerRows.isEmpty ? (freeFollowerCoordinates(y, gradient: r.gradient), []) : activeSet(x, y)
        let a = activeMatrix(active, free: free)
        let b = masked(gF.follower, free)
        func hyy(_ u: [Double]) -> [Double] { masked(lowerFollowerProducts(x, y, masked(u, free)).follower, free) }
        var v = [Double](repeating: 0, count: followerCount)
        var w = [Double](repeating: 0, count: active.count)
        var warning: String?
        if let (project, gramInverse) = nullSpaceProjector(a) {
            var solvedW = false
            switch rule {
            case .aidCG(let iterations, let tolerance):
                let pb = project(b)
                let cg = conjugateGradients({ project(hyy(project($0))) }, pb, maximumIterations: iterations, relativeTolerance: tolerance)
                v = project(cg.solution)
                let bb = dot(pb, pb)
                if cg.curvature != nil {
                    warning = a.isEmpty
                        ? "the follower's Hessian is singular or not positive definite along a conjugate-gradient direction (curvature p'Hp/p'p at most 1e-12): implicit differentiation assumes a strongly convex follower"
                        : "the follower's Hessian is singular or not positive definite on the null space of its active constraints (curvature p'Hp/p'p at most 1e-12 along a conjugate-gradient direction): implicit differentiation assumes a strongly convex follower there"
                } else if bb > 0, cg.residual > tolerance * tolerance * bb {
                    warning = "conjugate gradients stopped at their iteration limit above their tolerance (the follower's Hessian may be singular or ill-conditioned)"
                }
            case .aidNeumann(let terms, let given):
                let eta = given ?? 1 / curvature(x, y, free: free)
                var term = project(b)
                v = term
                for _ in 1..<Swift.max(terms, 1) {
                    term = axpy(-eta, project(hyy(term)), term)
                    v = axpy(1, term, v)
                }
                v = v.map { eta * $0 }
            case .aidExact:
                let index = free.indices.filter { free[$0] }
                let n = index.count, m = active.count
                if n > 0 {
                    let h = followerHessian(x, y, on: index)
                    var k = [[Double]](repeating: [Double](repeating: 0, count: n + m), count: n + m)
                    for i in 0..<n { for j in 0..<n { k[i][j] = h[i][j] } }
                    for (row, coefficients) in a.enumerated() {
                        for (c, j) in index.enumerated() {
                            k[n + row][c] = coefficients[j]
                            k[c][n + row] = coefficients[j]
                        }
                    }
                    let rhs = index.map { [b[$0]] } + [[Double]](repeating: [0], count: m)
                    if let s = LinearAlgebra.solve(k, rhs) {
                        for (c, j) in index.enumerated() { v[j] = s[c][0] }
                        for row in 0..<m { w[row] = s[n + row][0] }
                        solvedW = true
                    } else {
                        warning = m == 0
                            ? "the follower's Hessian is singular at its answer: implicit differentiation does not apply here"
                            : "the follower's KKT matrix (its Hessian with its active constraints) is singular at its answer: implicit differentiation does not apply here"
                    }
                }
            default: break
            }
            if !solvedW, !a.isEmpty {
                let residual = axpy(-1, hyy(v), b)
                let ar = a.map { dot($0, residual) }
                for i in w.indices {
                    var s = 0.0
                    for j in w.indices { s += gramInverse[i][j] * ar[j] }
                    w[i] = s
                }
            }
        } else {
            warning = "the follower's active constraints are linearly dependent at its answer (the linear independence constraint qualification fails): the implicit hypergradient is not defined there"
        }
        var g = axpy(-1, lowerFollowerProducts(x, y, masked(v, free)).leader, gF.leader)
        for (row, k) in active.enumerated() where w[row] != 0 {
            let r = followerRows.rows[k]
            for (m, j) in r.leaderIndex.enumerated() { g[j] -= w[row] * r.leaderCoefficient[m] }
        }
        return Hypergradient(y: y, gradient: g, followerStationarity: r.stationarity, followerIterations: r.iterations, warning: warning)
    }

    /// The smallest eigenvalue of the follower's Hessian on the null space of its active rows
    /// (free coordinates only) at `(x, y)`, by LAPACK; nil when that space is empty or larger
    /// than `limit`.
    func smallestReducedEigenvalue(_ x: [Double], _ y: [Double], limit: Int) -> Double? {
        let (free, active) = activeSet(x, y)
        let index = free.indices.filter { free[$0] }
        guard !index.isEmpty, index.count <= limit else { return nil }
        let a = activeMatrix(active, free: free)
        guard let (project, _) = nullSpaceProjector(a) else { return nil }
        // A basis of the null space: the eigenvectors of P (restricted to the free coordinates) with eigenvalue 1.
        var pm = [[Double]](repeating: [Double](repeating: 0, count: index.count), count: index.count)
        for (c, j) in index.enumerated() {
            var e = [Double](repeating: 0, count: followerCount)
            e[j] = 1
            let col = project(e)
            for (r, i) in index.enumerated() { pm[r][c] = col[i] }
        }
        guard let (values, vectors) = LinearAlgebra.symmetricEigen(pm) else { return nil }
        let basis = values.indices.filter { values[$0] > 0.5 }.map { vectors[$0] }
        guard !basis.isEmpty else { return nil }
        let h = followerHessian(x, y, on: index)
        let hz = basis.map { z in index.indices.map { r in index.indices.reduce(0.0) { $0 + h[r][$1] * z[$1] } } }
        var reduced = [[Double]](repeating: [Double](repeating: 0, count: basis.count), count: basis.count)
        for i in basis.indices { for j in basis.indices { reduced[i][j] = (dot(basis[i], hz[j]) + dot(basis[j], hz[i])) / 2 } }
        return LinearAlgebra.symmetricEigenvalues(reduced)?.first
    }
}

extension SmoothBilevel {
    /// The gradient in `x` of the follower's value function `v(x) = min_y f(x, y)` at its
    /// minimiser `theta`: `f_x(x, theta)` (Danskin) plus, for rows that involve `x`, the
    /// sensitivity term `B'lambda`, with `lambda = -(AA')^{-1} A f_y` the active rows'
    /// multipliers (`f_y + A'lambda = 0` on the free coordinates).
    func valueFunctionLeaderGradient(_ x: [Double], _ theta: [Double]) -> [Double] {
        var g = derivatives.lowerObjective.gradient(at: point(x, theta), split: split).leader.map { lowerSign * $0 }
        guard !followerRows.isEmpty else { return g }
        let (free, active) = activeSet(x, theta)
        guard !active.isEmpty else { return g }
        let a = activeMatrix(active, free: free)
        guard let (_, gramInverse) = nullSpaceProjector(a) else { return g }
        let fy = masked(lowerValueAndGradient(x, theta).gradient, free)
        let af = a.map { dot($0, fy) }
        for (row, k) in active.enumerated() {
            var lambda = 0.0
            for j in active.indices { lambda -= gramInverse[row][j] * af[j] }
            let r = followerRows.rows[k]
            for (m, j) in r.leaderIndex.enumerated() { g[j] += lambda * r.leaderCoefficient[m] }
        }
        return g
    }
}
