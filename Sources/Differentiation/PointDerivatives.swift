/// The derivatives of a compiled function (or of a weighted sum of compiled rows) at one fixed
/// point, for many directions: the forward sweep runs once, when the value is made, and every
/// Hessian-vector product after that costs only a tangent sweep and a backward sweep.
///
/// This is the shape of conjugate gradients and of implicit differentiation, which apply
/// `Hess_yy f` to many directions at the same point: for a quadratic form, a product is then
/// one symmetric matrix-vector product instead of two.
///
/// A `PointDerivatives` owns scratch memory that every call reuses, so one value must not be
/// used from two threads at once (make one per thread; the compiled function is shared).
/// Conventions (domains, nonsmooth points, sizes) are those of `CompiledFunction`.
public final class PointDerivatives {
    let program: Program
    let workspace: Workspace
    let weights: [Double]
    /// False when the point had the wrong size: every result is then NaN.
    let isValid: Bool

    /// The point, as given.
    public let point: [Double]

    init(program: Program, point: [Double], weights: [Double]) {
        self.program = program
        self.point = point
        self.weights = weights
        workspace = program.makeWorkspace()
        isValid = point.count == program.variableCount
        if isValid {
            point.withUnsafeBufferPointer { p in
                var dummy = 0.0
                withUnsafePointer(to: &dummy) { fallback in
                    program.forward(workspace, p.baseAddress ?? fallback, derivatives: true)
                }
            }
        }
    }

    private var nanVector: [Double] { [Double](repeating: .nan, count: program.variableCount) }

    /// The weighted sum of the outputs at the point (the function's value for a compiled function).
    public var value: Double {
        guard isValid else { return .nan }
        var s = 0.0
        for (r, slot) in program.outputs.enumerated() where r < weights.count { s += weights[r] * workspace.value[slot] }
        return s
    }

    /// The gradient at the point.
    public func gradient() -> [Double] {
        guard isValid else { return nanVector }
        weights.withUnsafeBufferPointer { program.gradient(workspace, weights: $0) }
        return Array(UnsafeBufferPointer(start: workspace.full, count: program.variableCount))
    }

    /// The Hessian at the point times `direction` (NaN when its size is wrong).
    public func hessianVectorProduct(direction: [Double]) -> [Double] {
        guard isValid, direction.count == program.variableCount else { return nanVector }
        direction.withUnsafeBufferPointer { d in
            var dummy = 0.0
            withUnsafePointer(to: &dummy) { fallback in program.forwardTangent(workspace, d.baseAddress ?? fallback) }
        }
        weights.withUnsafeBufferPointer { program.hessianProduct(workspace, weights: $0) }
        return Array(UnsafeBufferPointer(start: workspace.full, count: program.variableCount))
    }

    /// `(grad_x, grad_y)` at the point.
    public func gradient(split: VariableSplit) -> SplitVector {
        split.split(gradient())
    }

    /// `(Hess_xy v, Hess_yy v)` for a follower direction `v`.
    public func followerDirectionProducts(split: VariableSplit, direction v: [Double]) -> SplitVector {
        split.split(hessianVectorProduct(direction: split.combine(leader: [], follower: v)))
    }

    /// `(Hess_xx u, Hess_yx u)` for a leader direction `u`.
    public func leaderDirectionProducts(split: VariableSplit, direction u: [Double]) -> SplitVector {
        split.split(hessianVectorProduct(direction: split.combine(leader: u, follower: [])))
    }
}
