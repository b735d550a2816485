import BlomodelCore
import LinearAlgebra

/// Proven bounds on the follower's multipliers from the vertices of the
/// follower's dual polyhedron.
///
/// The multipliers `w = (lambda, nu, mu)` of the follower satisfy stationarity
/// `A w = b - E x` with `lambda, mu >= 0`, where `E x` is the part of the follower's
/// costs that depends on the leader (zero unless leader variables multiply follower
/// variables in the follower's objective). For a fixed leader decision `x`, the
/// optimal duals form a face of `D(x) = { w : A w = b - E x, lambda, mu >= 0 }`;
/// when `D(x)` is pointed, that face contains a vertex of `D(x)`, and a vertex is
/// complementary to every optimal follower point. A vertex is a basic solution
/// `w_B = A_B^-1 (b - E x)`, affine in `x`. So each multiplier may be bounded by the
/// largest magnitude of its component over all bases `B` and all `x` in the
/// leader's bounds (interval arithmetic; bases whose nonnegative components cannot
/// all be nonnegative are skipped). These M values are proven. Used for small
/// followers only (the number of bases is capped), and when every leader variable
/// in the costs has finite bounds. For a quadratic follower, stationarity also holds the
/// follower's own variables (`A w = b - E x - Q y`); they are treated like the leader's,
/// as parameters over their ranges, which keeps the bounds valid.
enum DualVertexBounds {
    /// Multiplier column -> the largest absolute value over the vertices, or nil when the
    /// method does not apply.
    /// `bounds` gives each non-multiplier column's range (declared bounds, or bounds proven by
    /// LPs over the relaxed KKT system); the method needs them finite.
    static func compute(
        _ model: SingleLevelModel, bounds: ((Int) -> Interval)? = nil, maxBases: Int = 20000
    ) -> [Int: Double]? {
        let box = bounds ?? { Interval(model.columns[$0].lower, model.columns[$0].upper) }
        let stationarity = model.stationarityRows
        guard !stationarity.isEmpty else { return nil }
        var multipliers: [Int] = []
        for (k, c) in model.columns.enumerated() {
            switch c.origin {
            case .rowDual, .boundDual: multipliers.append(k)
            default: break
            }
        }
        let multiplierSet = Set(multipliers)
        // Leader variables in the costs, which must be bounded.
        var leaderSet = Set<Int>()
        for row in stationarity {
            for k in row.expression.terms.keys where !multiplierSet.contains(k) {
                guard box(k).lower.isFinite, box(k).upper.isFinite else { return nil }
                leaderSet.insert(k)
            }
        }
        let leaderColumns = leaderSet.sorted()
        let free = multipliers.filter { model.columns[$0].lower == -.infinity }
        let nonnegative = multipliers.filter { model.columns[$0].lower != -.infinity }
        let m = stationarity.count
        let basicNonneg = m - free.count
        guard basicNonneg >= 0, basicNonneg <= nonnegative.count else { return nil }
        guard binomial(nonnegative.count, basicNonneg) <= Double(maxBases) else { return nil }

        // Row i: sum_k A[i][k] w_k = b_i - sum_x E[i][x] x.
        let columnIndex = Dictionary(uniqueKeysWithValues: multipliers.enumerated().map { ($1, $0) })
        let leaderIndex = Dictionary(uniqueKeysWithValues: leaderColumns.enumerated().map { ($1, $0) })
        var A = [[Double]](repeating: [Double](repeating: 0, count: multipliers.count), count: m)
        // Right-hand sides: column 0 is b, column 1 + t is -E[:, t].
        var rhs = [[Double]](repeating: [Double](repeating: 0, count: 1 + leaderColumns.count), count: m)
        for (i, row) in stationarity.enumerated() {
            for (k, a) in row.expression.terms {
                if let c = columnIndex[k] { A[i][c] = a } else { rhs[i][1 + leaderIndex[k]!] = -a }
            }
            rhs[i][0] = row.lower - row.expression.constant
        }
        let boxes = leaderColumns.map(box)

        var best = [Int: Double]()
        var found = false
        var chosen: [Int] = []
        func visit(_ start: Int) {
            if chosen.count == basicNonneg {
                let basis = free + chosen
                guard let solution = solve(A, rhs, columns: basis.map { columnIndex[$0]! }) else { return }
                // Each basic component as an interval over the leader's box.
                let ranges = solution.map { coefficients -> Interval in
                    var r = Interval.point(coefficients[0])
                    for (t, box) in boxes.enumerated() { r = r + coefficients[1 + t] * box }
                    return r
                }
                for (t, k) in basis.enumerated() where !free.contains(k) && ranges[t].upper < -1e-9 { return }
                found = true
                for (t, k) in basis.enumerated() {
                    let r = ranges[t]
                    let magnitude = free.contains(k) ? r.magnitude : max(0, r.upper)
                    best[k] = max(best[k] ?? 0, magnitude)
                }
                return
            }
            guard start < nonnegative.count else { return }
            for s in start..<nonnegative.count {
                if nonnegative.count - s < basicNonneg - chosen.count { break }
                chosen.append(nonnegative[s])
                visit(s + 1)
                chosen.removeLast()
            }
        }
        visit(0)
        guard found else { return nil }
        for k in multipliers where best[k] == nil { best[k] = 0 }  // zero at every vertex
        return best
    }

    static func binomial(_ n: Int, _ k: Int) -> Double {
        if k < 0 || k > n { return 0 }
        var r = 1.0
        for i in 0..<min(k, n - k) { r = r * Double(n - i) / Double(i + 1) }
        return r
    }

    /// Solves A[:, columns] W = R for several right-hand sides (LAPACK's LU); row t of the
    /// result holds basic variable t's coefficients. Nil when the basis matrix is singular
    /// (a pivot below 1e-10 of its largest entry).
    static func solve(_ A: [[Double]], _ R: [[Double]], columns: [Int]) -> [[Double]]? {
        let n = columns.count
        guard n == A.count else { return nil }
        if n == 0 { return [] }
        return LinearAlgebra.solve((0..<n).map { i in columns.map { A[i][$0] } }, R)
    }
}
