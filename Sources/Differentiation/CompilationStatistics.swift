/// The shape of a compiled program: how much of the graph became matrix products and how much
/// remains as elementwise operations.
public struct CompilationStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Nodes reachable from the compiled roots.
    public var reachableNodes = 0
    /// Rows of the affine layer `z = A x + b`, and how many of them form its dense block.
    public var affineRows = 0
    public var denseAffineRows = 0
    /// Columns of the dense affine block.
    public var denseAffineColumns = 0
    /// Stored coefficients of the affine layer.
    public var affineNonzeros = 0
    /// Quadratic forms `1/2 x' S x`, their stored entries, and the largest dense core.
    public var quadraticBlocks = 0
    public var quadraticNonzeros = 0
    public var largestDenseCore = 0
    /// Elementwise operations of the tape, kernels (runs of one kind) and levels.
    public var tapeOperations = 0
    public var kernels = 0
    public var levels = 0

    /// One line, for benchmark output and debugging.
    public var description: String {
        "\(reachableNodes) nodes -> affine \(affineRows) rows (\(denseAffineRows)x\(denseAffineColumns) dense, "
            + "\(affineNonzeros) coefficients), \(quadraticBlocks) quadratic blocks (\(quadraticNonzeros) entries, "
            + "dense core \(largestDenseCore)), tape \(tapeOperations) operations in \(kernels) kernels, \(levels) levels"
    }
}
