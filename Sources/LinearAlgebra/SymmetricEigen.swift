import CLapack

/// Dense linear algebra through LAPACK. The only Swift code that imports `CLapack`.
public enum LinearAlgebra {
    /// The eigenvalues of a real symmetric matrix in ascending order, with the matching unit
    /// eigenvectors (`vectors[k]` belongs to `values[k]`), by LAPACK's `dsyev`. Nil when the
    /// input is not square or not finite, or LAPACK reports a failure.
    public static func symmetricEigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]])? {
        let n = matrix.count
        guard n > 0, matrix.allSatisfy({ $0.count == n && $0.allSatisfy(\.isFinite) }) else { return nil }
        // Column-major; the matrix is symmetric, so rows and columns read the same.
        var a = [Double](repeating: 0, count: n * n)
        for j in 0..<n { for i in 0..<n { a[j * n + i] = matrix[i][j] } }
        var w = [Double](repeating: 0, count: n)
        var size = Int32(n), lda = Int32(n), info: Int32 = 0
        let jobz: CChar = 86, uplo: CChar = 85  // "V", "U"
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
        let vectors = (0..<n).map { k in (0..<n).map { a[k * n + $0] } }
        return (w, vectors)
    }
}
