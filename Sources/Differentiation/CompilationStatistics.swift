/// The shape of a compiled program: how much of the graph became matrix products and how much
/// remains as elementwise operations.
public struct CompilationStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Nodes reachable from the compiled roots.
    public var reachableNodes = 0
    /// Rows of the affine layer `z = A x + b`.
    public var affineRows = 0
    /// Rows of the affine layer that form its dense block (multiplied through the BLAS).
    public var denseAffineRows = 0
    /// Columns of the dense affine block.
    public var denseAffineColumns = 0
    /// Stored coefficients of the affine layer.
    public var affineNonzeros = 0
    /// Quadratic forms `1/2 x' S x`.
    public var quadraticBlocks = 0
    /// Stored entries of the quadratic forms' matrices `S` (both triangles).
    public var quadraticNonzeros = 0
    /// The order of the largest dense core of a quadratic form (multiplied through the BLAS).
    public var largestDenseCore = 0
    /// Elementwise operations of the tape.
    public var tapeOperations = 0
    /// Kernels of the tape: runs of operations of one kind.
    public var kernels = 0
    /// Levels of the tape: the longest chain of operations.
    public var levels = 0

    /// One line, for benchmark output and debugging.
    public var description: String {
        "\(reachableNodes) nodes -> affine \(affineRows) rows (\(denseAffineRows)x\(denseAffineColumns) dense, "
            + "\(affineNonzeros) coefficients), \(quadraticBlocks) quadratic blocks (\(quadraticNonzeros) entries, "
            + "dense core \(largestDenseCore)), tape \(tapeOperations) operations in \(kernels) kernels, \(levels) levels"
    }
}
