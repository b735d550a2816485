import CBlas

/// The dense matrix-vector products of the compiled kernels, through the BLAS. The only Swift
/// code that imports `CBlas`. Matrices are column-major; sizes are checked by the callers,
/// which never pass an empty dimension.
enum BLAS {
    /// `y := alpha * A x + beta * y` (or with `A'` when `transposed`) for an m x n matrix.
    static func gemv(
        transposed: Bool, rows m: Int, columns n: Int, alpha: Double, _ a: UnsafePointer<Double>,
        _ x: UnsafePointer<Double>, beta: Double, _ y: UnsafeMutablePointer<Double>
    ) {
        var trans: CChar = transposed ? 84 : 78  // "T", "N"
        var rows = Int32(m), columns = Int32(n), lda = Int32(max(1, m)), one: Int32 = 1
        var alpha = alpha, beta = beta
        dgemv_(&trans, &rows, &columns, &alpha, a, &lda, x, &one, &beta, y, &one)
    }

    /// `y := alpha * A x + beta * y` for a symmetric n x n matrix of which the upper triangle is read.
    static func symv(
        order n: Int, alpha: Double, _ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>, beta: Double,
        _ y: UnsafeMutablePointer<Double>
    ) {
        var uplo: CChar = 85  // "U"
        var order = Int32(n), lda = Int32(max(1, n)), one: Int32 = 1
        var alpha = alpha, beta = beta
        dsymv_(&uplo, &order, &alpha, a, &lda, x, &one, &beta, y, &one)
    }
}
