/// A compiled set of roots: the affine layer, the quadratic blocks and the tape, with the slot
/// of every output. Immutable; every evaluation brings its own `Workspace`.
///
/// Slots: `0..<affine.rowCount` are the rows of `z = A x + b`, the next `blocks.count` are the
/// quadratic forms `q_k = 1/2 x' S_k x`, and the tape's operations follow.
///
/// Sweeps (for outputs `y` and weights `w`):
/// - values: `z`, then `q` (keeping `S_k x`), then the tape forward;
/// - gradient of `w'y`: seed the outputs' adjoints with `w`, run the tape backward, then
///   `g = A' zbar + sum_k qbar_k S_k x` (one transposed matrix product);
/// - Hessian-vector product (forward over reverse): tangents `zdot = A v`, `qdot_k = (S_k x)' v`
///   and the tape's tangents, then adjoints and their tangents backward, then
///   `H v = A' zbardot + sum_k (qbardot_k S_k x + qbar_k S_k v)`.
final class Program: Sendable {
    let variableCount: Int
    let affine: AffineLayer
    let blocks: [QuadraticBlock]
    /// Where block `k`'s local vectors start in the workspace's block buffers.
    let blockOffset: [Int]
    let tape: Tape
    /// The slot of each compiled root.
    let outputs: [Int]
    let statistics: CompilationStatistics

    init(variableCount: Int, affine: AffineLayer, blocks: [QuadraticBlock], tape: Tape, outputs: [Int], reachable: Int) {
        self.variableCount = variableCount
        self.affine = affine
        self.blocks = blocks
        var offsets = [0]
        for b in blocks { offsets.append(offsets[offsets.count - 1] + b.order) }
        blockOffset = offsets
        self.tape = tape
        self.outputs = outputs
        var s = CompilationStatistics()
        s.reachableNodes = reachable
        s.affineRows = affine.rowCount
        s.denseAffineRows = affine.denseRowCount
        s.denseAffineColumns = affine.denseColumns.count
        s.affineNonzeros = affine.nonzeros
        s.quadraticBlocks = blocks.count
        s.quadraticNonzeros = blocks.reduce(0) { $0 + $1.nonzeros }
        s.largestDenseCore = blocks.reduce(0) { max($0, $1.core.count) }
        s.tapeOperations = tape.count
        s.kernels = tape.kernels.count
        s.levels = tape.levels
        statistics = s
    }

    var slotCount: Int { tape.base + tape.count }
    /// The slot of quadratic block `k`.
    func blockSlot(_ k: Int) -> Int { affine.rowCount + k }

    func makeWorkspace() -> Workspace {
        let dense = max(affine.denseColumns.count, blocks.reduce(0) { max($0, $1.core.count) })
        return Workspace(
            slots: slotCount, operations: tape.count, localSize: blockOffset[blockOffset.count - 1], denseSize: dense,
            variableCount: variableCount)
    }

    // MARK: - Sweeps

    /// Values of every slot at `x` (and the tape's local derivatives when asked).
    func forward(_ w: Workspace, _ x: UnsafePointer<Double>, derivatives: Bool) {
        affine.multiply(x, into: w.value, withOffsets: true, gather: w.gather)
        for (k, block) in blocks.enumerated() {
            let local = w.localPoint + blockOffset[k], s = w.blockProduct + blockOffset[k]
            block.variables.withUnsafeBufferPointer { vars in for i in 0..<vars.count { local[i] = x[Int(vars[i])] } }
            block.multiply(local, into: s, gather: w.gather, scatter: w.scatter)
            var q = 0.0
            for i in 0..<block.order { q += local[i] * s[i] }
            w.value[blockSlot(k)] = 0.5 * q
        }
        tape.forward(w.buffers, derivatives: derivatives)
    }

    /// Tangents of every slot along `v` (after `forward(_:_:derivatives: true)`).
    func forwardTangent(_ w: Workspace, _ v: UnsafePointer<Double>) {
        affine.multiply(v, into: w.tangent, withOffsets: false, gather: w.gather)
        for (k, block) in blocks.enumerated() {
            let local = w.localDirection + blockOffset[k], s = w.blockProduct + blockOffset[k]
            block.variables.withUnsafeBufferPointer { vars in for i in 0..<vars.count { local[i] = v[Int(vars[i])] } }
            block.multiply(local, into: w.blockDirectionProduct + blockOffset[k], gather: w.gather, scatter: w.scatter)
            var q = 0.0
            for i in 0..<block.order { q += s[i] * local[i] }
            w.tangent[blockSlot(k)] = q
        }
        tape.forwardTangent(w.buffers)
    }

    /// Seeds the outputs' adjoints with `weights` (missing weights are 0), all other adjoints 0.
    private func seed(_ w: Workspace, _ weights: UnsafeBufferPointer<Double>, secondOrder: Bool) {
        w.adjoint.update(repeating: 0, count: slotCount)
        if secondOrder { w.adjointTangent.update(repeating: 0, count: slotCount) }
        for (r, slot) in outputs.enumerated() where r < weights.count { w.adjoint[slot] += weights[r] }
    }

    /// `w.full = grad (weights' outputs)` at the point of the last `forward(_:_:derivatives: true)`.
    func gradient(_ w: Workspace, weights: UnsafeBufferPointer<Double>) {
        seed(w, weights, secondOrder: false)
        tape.reverse(w.buffers)
        w.full.update(repeating: 0, count: variableCount)
        affine.addTransposeProduct(w.adjoint, into: w.full, scratch: w.scatter)
        for (k, block) in blocks.enumerated() {
            let a = w.adjoint[blockSlot(k)]
            if a == 0 { continue }
            let s = w.blockProduct + blockOffset[k]
            block.variables.withUnsafeBufferPointer { vars in for i in 0..<vars.count { w.full[Int(vars[i])] += a * s[i] } }
        }
    }

    /// `w.full = Hessian(weights' outputs) v` (after `forward` with derivatives and `forwardTangent`).
    func hessianProduct(_ w: Workspace, weights: UnsafeBufferPointer<Double>) {
        seed(w, weights, secondOrder: true)
        tape.reverseSecondOrder(w.buffers)
        w.full.update(repeating: 0, count: variableCount)
        affine.addTransposeProduct(w.adjointTangent, into: w.full, scratch: w.scatter)
        for (k, block) in blocks.enumerated() {
            let a = w.adjoint[blockSlot(k)], at = w.adjointTangent[blockSlot(k)]
            if a == 0 && at == 0 { continue }
            let s = w.blockProduct + blockOffset[k], r = w.blockDirectionProduct + blockOffset[k]
            block.variables.withUnsafeBufferPointer { vars in
                for i in 0..<vars.count { w.full[Int(vars[i])] += at * s[i] + a * r[i] }
            }
        }
    }

    // MARK: - Whole computations on arrays

    /// Runs `body` with the point as a pointer, or returns nil when its size is wrong.
    private func withPoint<T>(_ x: [Double], _ body: (UnsafePointer<Double>) -> T) -> T? {
        guard x.count == variableCount else { return nil }
        return x.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else {
                // No variables: any valid pointer does, nothing is read.
                var dummy = 0.0
                return withUnsafePointer(to: &dummy) { body($0) }
            }
            return body(base)
        }
    }

    /// The outputs' values at `x` (NaN when `x` has the wrong size).
    func values(at x: [Double]) -> [Double] {
        let w = makeWorkspace()
        let done: Void? = withPoint(x) { forward(w, $0, derivatives: false) }
        guard done != nil else { return [Double](repeating: .nan, count: outputs.count) }
        return outputs.map { w.value[$0] }
    }

    /// The outputs' values and the gradient of `weights' outputs` at `x`.
    func valuesAndGradient(at x: [Double], weights: [Double]) -> (values: [Double], gradient: [Double]) {
        let w = makeWorkspace()
        let done: Void? = withPoint(x) { p in
            forward(w, p, derivatives: true)
            weights.withUnsafeBufferPointer { gradient(w, weights: $0) }
        }
        guard done != nil else {
            return ([Double](repeating: .nan, count: outputs.count), [Double](repeating: .nan, count: variableCount))
        }
        return (outputs.map { w.value[$0] }, Array(UnsafeBufferPointer(start: w.full, count: variableCount)))
    }

    /// `Hessian(weights' outputs) v` at `x` (NaN when a size is wrong).
    func hessianProduct(at x: [Double], direction v: [Double], weights: [Double]) -> [Double] {
        let w = makeWorkspace()
        let done: Void? = withPoint(x) { p in
            guard v.count == variableCount else { return nil }
            forward(w, p, derivatives: true)
            v.withUnsafeBufferPointer { d in forwardTangent(w, d.baseAddress ?? p) }
            weights.withUnsafeBufferPointer { hessianProduct(w, weights: $0) }
            return ()
        } ?? nil
        guard done != nil else { return [Double](repeating: .nan, count: variableCount) }
        return Array(UnsafeBufferPointer(start: w.full, count: variableCount))
    }
}
