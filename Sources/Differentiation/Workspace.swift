/// The scratch memory of one evaluation of a compiled program: slot values, adjoints,
/// tangents, local derivatives, and the products of the quadratic blocks.
///
/// Allocated once per call (a few arrays of the program's size), owned by the call, released
/// at the end: compiled functions are immutable values that many threads may evaluate at once.
final class Workspace {
    let slots: Int
    let operations: Int
    let value: UnsafeMutablePointer<Double>
    let adjoint: UnsafeMutablePointer<Double>
    let tangent: UnsafeMutablePointer<Double>
    let adjointTangent: UnsafeMutablePointer<Double>
    let first: UnsafeMutablePointer<Double>
    let second: UnsafeMutablePointer<Double>
    let active: UnsafeMutablePointer<Int32>
    /// Per quadratic block (at `blockOffset[k]`): the local point, `S x`, the local direction, `S v`.
    let localPoint: UnsafeMutablePointer<Double>
    let blockProduct: UnsafeMutablePointer<Double>
    let localDirection: UnsafeMutablePointer<Double>
    let blockDirectionProduct: UnsafeMutablePointer<Double>
    let localSize: Int
    /// Gather and scatter room for the dense blocks.
    let gather: UnsafeMutablePointer<Double>
    let scatter: UnsafeMutablePointer<Double>
    let denseSize: Int
    /// A vector of the variables' size (gradients, Hessian-vector products, Jacobian rows).
    let full: UnsafeMutablePointer<Double>
    let variableCount: Int

    init(slots: Int, operations: Int, localSize: Int, denseSize: Int, variableCount: Int) {
        func zeros(_ n: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n))
            p.initialize(repeating: 0, count: max(1, n))
            return p
        }
        self.slots = slots
        self.operations = operations
        self.localSize = localSize
        self.denseSize = denseSize
        self.variableCount = variableCount
        value = zeros(slots)
        adjoint = zeros(slots)
        tangent = zeros(slots)
        adjointTangent = zeros(slots)
        first = zeros(operations)
        second = zeros(operations)
        active = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, operations))
        active.initialize(repeating: 0, count: max(1, operations))
        localPoint = zeros(localSize)
        blockProduct = zeros(localSize)
        localDirection = zeros(localSize)
        blockDirectionProduct = zeros(localSize)
        gather = zeros(denseSize)
        scatter = zeros(denseSize)
        full = zeros(variableCount)
    }

    deinit {
        for p in [
            value, adjoint, tangent, adjointTangent, first, second, localPoint, blockProduct, localDirection,
            blockDirectionProduct, gather, scatter, full,
        ] { p.deallocate() }
        active.deallocate()
    }

    var buffers: SweepBuffers {
        SweepBuffers(
            value: value, adjoint: adjoint, tangent: tangent, adjointTangent: adjointTangent, first: first,
            second: second, active: active)
    }
}
