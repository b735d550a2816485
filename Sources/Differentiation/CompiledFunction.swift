import BlomodelCore

/// One expression of a graph compiled for fast values, gradients and Hessian-vector products.
///
/// Compilation (`init`) reads the graph once: affine and quadratic parts become matrix
/// products (dense ones through the BLAS), the affine arguments of nonlinear nodes become the
/// rows of one matrix, and what remains runs as a flat tape of elementwise kernels (see
/// `docs/differentiation.md`). Parameters are read at their current values: compile again
/// after changing them.
///
/// Evaluation never traps: a point outside a function's domain gives NaN values and
/// derivatives, and a point or direction of the wrong size gives NaN results. At the
/// nonsmooth points of `abs`, `min` and `max` the derivative is that of one piece: `abs` has
/// derivative 0 at 0, and `min` or `max` follows the first argument that attains it.
///
/// The value is immutable and `Sendable`: every call allocates its own scratch memory.
public struct CompiledFunction: Sendable {
    let program: Program

    /// Compiles the expression `root` of `graph` over variables `0..<variableCount`; throws
    /// when the graph names a node, variable or parameter it does not have.
    public init(graph: ExpressionGraph, root: NodeID, variableCount: Int) throws {
        program = try Compiler.compile(graph: graph, roots: [root], variableCount: variableCount)
    }

    /// Compiles an expression under construction (a `Combination` over nodes of `graph`),
    /// without storing it in the caller's graph.
    public init(graph: ExpressionGraph, expression: Combination, variableCount: Int) throws {
        var g = graph
        let root = g.node(expression)
        try self.init(graph: g, root: root, variableCount: variableCount)
    }

    /// The number of variables of a point.
    public var variableCount: Int { program.variableCount }

    /// How the expression was compiled.
    public var statistics: CompilationStatistics { program.statistics }

    /// The value at `point`.
    public func value(at point: [Double]) -> Double {
        program.values(at: point)[0]
    }

    /// The gradient at `point`.
    public func gradient(at point: [Double]) -> [Double] {
        program.valuesAndGradient(at: point, weights: [1]).gradient
    }

    /// The value and the gradient at `point`, from one forward and one backward sweep.
    public func valueAndGradient(at point: [Double]) -> (value: Double, gradient: [Double]) {
        let r = program.valuesAndGradient(at: point, weights: [1])
        return (r.values[0], r.gradient)
    }

    /// The Hessian at `point` times `direction` (forward over reverse: one sweep each way).
    public func hessianVectorProduct(at point: [Double], direction: [Double]) -> [Double] {
        program.hessianProduct(at: point, direction: direction, weights: [1])
    }

    /// The derivatives at `point` for many directions: one forward sweep now, then each
    /// Hessian-vector product costs a tangent and a backward sweep (see `PointDerivatives`).
    public func derivatives(at point: [Double]) -> PointDerivatives {
        PointDerivatives(program: program, point: point, weights: [1])
    }

    // MARK: Mixed blocks

    /// `(grad_x f, grad_y f)` at `point`.
    public func gradient(at point: [Double], split: VariableSplit) -> SplitVector {
        split.split(gradient(at: point))
    }

    /// `(Hess_xy f v, Hess_yy f v)` for a follower direction `v` (one entry per follower
    /// variable), from one Hessian-vector product along `(0, v)`.
    public func followerDirectionProducts(at point: [Double], split: VariableSplit, direction v: [Double]) -> SplitVector {
        split.split(hessianVectorProduct(at: point, direction: split.combine(leader: [], follower: v)))
    }

    /// `(Hess_xx f u, Hess_yx f u)` for a leader direction `u` (one entry per leader
    /// variable), from one Hessian-vector product along `(u, 0)`.
    public func leaderDirectionProducts(at point: [Double], split: VariableSplit, direction u: [Double]) -> SplitVector {
        split.split(hessianVectorProduct(at: point, direction: split.combine(leader: u, follower: [])))
    }
}
