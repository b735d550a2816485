import CLapack

/// Dense linear algebra through LAPACK. The only Swift code that imports `CLapack`.
public enum LinearAlgebra {
    /// The eigenvalues of a real symmetric matrix in ascending order, with the matching unit
    /// eigenvectors (`vectors[k]` belongs to `values[k]`), by LAPACK's `dsyev`. Nil when the
    /// input is not square or not finite, or LAPACK reports a failure.
    public static func symmetricEigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]])? {
        dsyev(matrix, vectors: true)
    }

    /// The eigenvalues alone, in ascending order (`dsyev` without vectors: several times faster
    /// on large matrices). Nil as for `symmetricEigen`.
    public static func symmetricEigenvalues(_ matrix: [[Double]]) -> [Double]? {
        dsyev(matrix, vectors: false)?.values
    }

    static func dsyev(_ matrix: [[Double]], vectors wanted: Bool) -> (values: [Double], vectors: [[Double]])? {
        let n = matrix.count
        guard n > 0, matrix.allSatisfy({ $0.count == n && $0.allSatisfy(\.isFinite) }) else { return nil }
        // Column-major; the matrix is symmetric, so rows and columns read the same.
        var a = [Double](repeating: 0, count: n * n)
        for j in 0..<n { for i in 0..<n { a[j * n + i] = matrix[i][j] } }
        var w = [Double](repeating: 0, count: n)
        var size = Int32(n), lda = Int32(n), info: Int32 = 0
        let jobz: CChar = wanted ? 86 : 78, uplo: CChar = 85  // "V" or "N", "U"
        // Workspace query, then the computation.
        var query = 0.0, lwork: Int32 = -1
        withUnsafePointer(to: jobz) { jz in
            withUnsafePointer(to: uplo) { ul in dsyev_(jz, ul, &size, &a, &lda, &w, &query, &lwork, &info) }
        }
        guard info == 0 else { return nil }
        lwork = Int32(max(Double(3 * n), query))
        var work = [Double](repeating: 0, count: Int(lwork))
        withUnsafePointer(to: jobz) { jz in
            withUnsafePointer(to: uplo) { ul in dsyev_(jz, ul, &size, &a, &lda, &w, &work, &lwork, &info) }
        }
        guard info == 0 else { return nil }
        let vectors = wanted ? (0..<n).map { k in (0..<n).map { a[k * n + $0] } } : []
        return (w, vectors)
    }

    /// Whether the symmetric band matrix with the given upper-triangle entries `(i, j, value)`
    /// (`i <= j`, `j - i <= bandwidth`, repeated entries summed) plus `shift` on the diagonal is
    /// positive definite, by LAPACK's banded Cholesky (`dpbtrf`): `n * bandwidth^2` work instead
    /// of the `n^3` of an eigenvalue decomposition. Nil for invalid or non-finite input.
    public static func isPositiveDefiniteBand(
        n: Int, bandwidth: Int, entries: [(Int, Int, Double)], shift: Double
    ) -> Bool? {
        guard n > 0, bandwidth >= 0, bandwidth < n, shift.isFinite else { return nil }
        let ldab = bandwidth + 1
        guard ldab.multipliedReportingOverflow(by: n).partialValue < 200_000_000 else { return nil }
        // Upper band storage, column-major: AB[kd + i - j, j] = A[i, j] for j - kd <= i <= j.
        var ab = [Double](repeating: 0, count: ldab * n)
        for j in 0..<n { ab[bandwidth + j * ldab] = shift }
        for (i, j, v) in entries {
            guard i >= 0, j < n, i <= j, j - i <= bandwidth, v.isFinite else { return nil }
            ab[bandwidth + i - j + j * ldab] += v
        }
        var size = Int32(n), kd = Int32(bandwidth), lda = Int32(ldab), info: Int32 = 0
        let uplo: CChar = 85  // "U"
        withUnsafePointer(to: uplo) { ul in dpbtrf_(ul, &size, &kd, &ab, &lda, &info) }
        if info < 0 { return nil }
        return info == 0
    }

    /// Solves `A X = B` for a square `A` (rows of arrays) and several right-hand sides (`B` by
    /// rows: `B[i]` holds row i of every right-hand side), by LAPACK's LU with partial pivoting
    /// (`dgetrf`, `dgetrs`). Nil when `A` is singular or nearly so: a pivot of magnitude at most
    /// `pivotTolerance` times the largest entry of `A`. Row i of the result holds the solution's
    /// row i for every right-hand side.
    public static func solve(_ A: [[Double]], _ B: [[Double]], pivotTolerance: Double = 1e-10) -> [[Double]]? {
        let n = A.count
        guard n > 0, A.allSatisfy({ $0.count == n }), B.count == n else { return n == 0 ? [] : nil }
        let k = B[0].count
        var scale = 0.0
        var a = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            for i in 0..<n {
                a[j * n + i] = A[i][j]
                scale = max(scale, abs(A[i][j]))
            }
        }
        guard scale > 0, scale.isFinite else { return nil }
        var size = Int32(n), lda = Int32(n), info: Int32 = 0
        var pivots = [Int32](repeating: 0, count: n)
        dgetrf_(&size, &size, &a, &lda, &pivots, &info)
        guard info == 0 else { return nil }
        for i in 0..<n where abs(a[i * n + i]) <= pivotTolerance * scale { return nil }
        guard k > 0 else { return (0..<n).map { _ in [] } }
        var b = [Double](repeating: 0, count: n * k)
        for c in 0..<k { for i in 0..<n { b[c * n + i] = B[i][c] } }
        var nrhs = Int32(k), ldb = Int32(n)
        let trans: CChar = 78  // "N"
        withUnsafePointer(to: trans) { t in dgetrs_(t, &size, &nrhs, a, &lda, pivots, &b, &ldb, &info) }
        guard info == 0 else { return nil }
        return (0..<n).map { i in (0..<k).map { b[$0 * n + i] } }
    }
}
