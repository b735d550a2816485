import BlomodelCore

/// Several expressions of a graph (constraint rows) compiled together, with a sparse
/// Jacobian whose pattern is computed once.
///
/// Shared subexpressions are compiled once for all rows; values of all rows come from one
/// forward sweep; the Jacobian from one backward sweep per row over that row's own
/// operations; weighted sums (`J' w`, the Hessian of `w' g` times a direction, as in a
/// Lagrangian) from one sweep each. Conventions (domains, nonsmooth points, sizes) are those
/// of `CompiledFunction`.
public struct CompiledRows: Sendable {
    let program: Program
    let plan: JacobianPlan

    /// Compiles the expressions `roots` of `graph` over variables `0..<variableCount`; throws
    /// when the graph names a node, variable or parameter it does not have.
    public init(graph: ExpressionGraph, roots: [NodeID], variableCount: Int) throws {
        program = try Compiler.compile(graph: graph, roots: roots, variableCount: variableCount)
        plan = JacobianPlan(program: program)
    }

    /// The number of rows.
    public var rowCount: Int { program.outputs.count }

    /// The number of variables of a point.
    public var variableCount: Int { program.variableCount }

    /// How the rows were compiled.
    public var statistics: CompilationStatistics { program.statistics }

    /// The Jacobian's structural nonzeros, row by row. The columns of a row whose affine part
    /// lies in the dense block are all the dense block's columns.
    public var jacobianPattern: SparsityPattern { plan.pattern }

    /// Every row's value at `point`.
    public func values(at point: [Double]) -> [Double] {
        program.values(at: point)
    }

    /// The Jacobian at `point` (NaN values when the point has the wrong size).
    public func jacobian(at point: [Double]) -> SparseJacobian {
        guard point.count == program.variableCount else {
            return SparseJacobian(pattern: plan.pattern, values: [Double](repeating: .nan, count: plan.pattern.nonzeros))
        }
        let w = program.makeWorkspace()
        point.withUnsafeBufferPointer { p in
            var dummy = 0.0
            withUnsafePointer(to: &dummy) { fallback in program.forward(w, p.baseAddress ?? fallback, derivatives: true) }
        }
        return SparseJacobian(pattern: plan.pattern, values: plan.values(program, w))
    }

    /// `J' w = grad (w' g)` at `point`, from one backward sweep (missing weights are 0).
    public func transposedJacobianProduct(at point: [Double], weights: [Double]) -> [Double] {
        program.valuesAndGradient(at: point, weights: weights).gradient
    }

    /// `Hess(w' g) v` at `point`: the Hessian of the weighted sum of rows times `direction`.
    public func hessianVectorProduct(at point: [Double], weights: [Double], direction: [Double]) -> [Double] {
        program.hessianProduct(at: point, direction: direction, weights: weights)
    }

    /// The derivatives of `w' g` at `point` for many directions (a Lagrangian's Hessian applied
    /// in conjugate gradients, say): one forward sweep now, then a tangent and a backward sweep
    /// per product (see `PointDerivatives`).
    public func derivatives(at point: [Double], weights: [Double]) -> PointDerivatives {
        PointDerivatives(program: program, point: point, weights: weights)
    }

    // MARK: Mixed blocks

    /// `(grad_x (w' g), grad_y (w' g))` at `point`.
    public func transposedJacobianProduct(at point: [Double], weights: [Double], split: VariableSplit) -> SplitVector {
        split.split(transposedJacobianProduct(at: point, weights: weights))
    }

    /// `(Hess_xy (w' g) v, Hess_yy (w' g) v)` for a follower direction `v`.
    public func followerDirectionProducts(
        at point: [Double], weights: [Double], split: VariableSplit, direction v: [Double]
    ) -> SplitVector {
        split.split(hessianVectorProduct(at: point, weights: weights, direction: split.combine(leader: [], follower: v)))
    }

    /// `(Hess_xx (w' g) u, Hess_yx (w' g) u)` for a leader direction `u`.
    public func leaderDirectionProducts(
        at point: [Double], weights: [Double], split: VariableSplit, direction u: [Double]
    ) -> SplitVector {
        split.split(hessianVectorProduct(at: point, weights: weights, direction: split.combine(leader: u, follower: [])))
    }
}
