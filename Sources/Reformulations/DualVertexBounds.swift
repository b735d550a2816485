import BlomodelCore

/// Proven bounds on the follower's multipliers by enumerating the vertices of
/// the follower's dual polyhedron.
///
/// When the follower's costs do not depend on the leader (no leader variable in
/// a stationarity row), the multipliers live in a fixed polyhedron
/// `D = { (lambda, mu) >= 0, nu free : stationarity }`. For any leader decision,
/// the follower's optimal duals form a face of `D`, and when `D` is pointed every
/// nonempty face contains a vertex of `D`. That vertex satisfies complementarity
/// with every optimal follower point. So requiring each multiplier to be at most
/// its largest value over the vertices of `D` loses no KKT point: these M values
/// are proven. Used only for small followers (the number of bases is capped).
enum DualVertexBounds {
    /// Multiplier column -> its largest absolute value over the vertices of D, or nil
    /// when the method does not apply (costs depend on the leader, too many bases,
    /// no vertex found).
    static func compute(_ model: SingleLevelModel, maxBases: Int = 20000) -> [Int: Double]? {
        let stationarity = model.rows.filter { $0.name.hasPrefix("stationarity[") }
        guard !stationarity.isEmpty else { return nil }
        var multipliers: [Int] = []
        for (k, c) in model.columns.enumerated() {
            switch c.origin {
            case .rowDual, .boundDual: multipliers.append(k)
            default: break
            }
        }
        let multiplierSet = Set(multipliers)
        // Costs must not depend on the leader: stationarity rows hold multipliers only.
        for row in stationarity where row.expression.terms.keys.contains(where: { !multiplierSet.contains($0) }) {
            return nil
        }
        let free = multipliers.filter { model.columns[$0].lower == -.infinity }
        let nonnegative = multipliers.filter { model.columns[$0].lower != -.infinity }
        let m = stationarity.count
        let basicNonneg = m - free.count
        guard basicNonneg >= 0, basicNonneg <= nonnegative.count else { return nil }
        guard binomial(nonnegative.count, basicNonneg) <= Double(maxBases) else { return nil }

        // Row i: sum_k A[i][k] w_k = b_i (constants move to the right).
        let columnIndex = Dictionary(uniqueKeysWithValues: multipliers.enumerated().map { ($1, $0) })
        var A = [[Double]](repeating: [Double](repeating: 0, count: multipliers.count), count: m)
        var b = [Double](repeating: 0, count: m)
        for (i, row) in stationarity.enumerated() {
            for (k, a) in row.expression.terms { A[i][columnIndex[k]!] = a }
            b[i] = row.lower - row.expression.constant
        }
        var best = [Int: Double]()
        var found = false
        var chosen: [Int] = []
        func visit(_ start: Int) {
            if chosen.count == basicNonneg {
                let basis = free + chosen
                guard let w = solve(A, b, columns: basis.map { columnIndex[$0]! }) else { return }
                for (t, k) in basis.enumerated() where !free.contains(k) && w[t] < -1e-9 { return }
                found = true
                for (t, k) in basis.enumerated() { best[k] = max(best[k] ?? 0, abs(w[t])) }
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

    /// Solves the square system A[:, columns] w = b by Gaussian elimination with partial
    /// pivoting; nil when singular.
    static func solve(_ A: [[Double]], _ b: [Double], columns: [Int]) -> [Double]? {
        let n = columns.count
        guard n == A.count else { return nil }
        if n == 0 { return [] }
        var M = (0..<n).map { i in columns.map { A[i][$0] } + [b[i]] }
        for c in 0..<n {
            var p = c
            for r in c..<n where abs(M[r][c]) > abs(M[p][c]) { p = r }
            guard abs(M[p][c]) > 1e-10 else { return nil }
            M.swapAt(c, p)
            for r in 0..<n where r != c {
                let f = M[r][c] / M[c][c]
                if f != 0 { for k in c...n { M[r][k] -= f * M[c][k] } }
            }
        }
        return (0..<n).map { M[$0][n] / M[$0][$0] }
    }
}
