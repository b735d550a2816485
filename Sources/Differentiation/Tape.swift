/// The nonlinear part of a compiled program: a flat list of elementary operations over slots,
/// in topological order, grouped into kernels.
///
/// Slot `s` holds one scalar: the affine rows `z` and the quadratic forms `q` come first,
/// then operation `k` writes slot `base + k`. Operations are sorted by level (one more than
/// the deepest operation they read; `z` and `q` are level 0) and, inside a level, by kind, so
/// that a run of operations of one kind (5000 `softplus` of 5000 affine rows) is one kernel:
/// a loop with the kind decided once. Every sweep is a loop over this list, forward for values
/// and tangents, backward for adjoints: nothing recurses, whatever the depth of the input.
struct Tape: Sendable {
    /// A run of operations of one kind, `start..<end`.
    struct Kernel: Sendable {
        var operation: Operation
        var start: Int
        var end: Int
    }

    /// The slot written by operation 0.
    let base: Int
    let operations: [Operation]
    /// The first and second operand slots (unused ones are 0).
    let first: [Int32]
    let second: [Int32]
    /// The exponent of a power, the constant of a combination.
    let parameter: [Double]
    /// Arguments of combinations, minima and maxima: operation `k` reads
    /// `argumentSlot[argumentStart[k]..<argumentStart[k + 1]]`.
    let argumentStart: [Int32]
    let argumentSlot: [Int32]
    let argumentCoefficient: [Double]
    let kernels: [Kernel]
    /// The number of levels.
    let levels: Int

    var count: Int { operations.count }

    init(
        base: Int, operations: [Operation], first: [Int32], second: [Int32], parameter: [Double],
        argumentStart: [Int32], argumentSlot: [Int32], argumentCoefficient: [Double], levels: Int
    ) {
        self.base = base
        self.operations = operations
        self.first = first
        self.second = second
        self.parameter = parameter
        self.argumentStart = argumentStart
        self.argumentSlot = argumentSlot
        self.argumentCoefficient = argumentCoefficient
        self.levels = levels
        var kernels: [Kernel] = []
        for (k, op) in operations.enumerated() {
            if let last = kernels.last, last.operation == op, last.end == k {
                kernels[kernels.count - 1].end = k + 1
            } else {
                kernels.append(Kernel(operation: op, start: k, end: k + 1))
            }
        }
        self.kernels = kernels
    }
}

/// The raw buffers one sweep reads and writes (owned by a `Workspace`).
struct SweepBuffers {
    var value: UnsafeMutablePointer<Double>
    var adjoint: UnsafeMutablePointer<Double>
    var tangent: UnsafeMutablePointer<Double>
    var adjointTangent: UnsafeMutablePointer<Double>
    /// First and second local derivatives of the unary operations and powers.
    var first: UnsafeMutablePointer<Double>
    var second: UnsafeMutablePointer<Double>
    /// The argument position chosen by each minimum or maximum.
    var active: UnsafeMutablePointer<Int32>
}

extension Tape {
    /// Values of every operation (and, with `derivatives`, their local derivatives).
    func forward(_ b: SweepBuffers, derivatives: Bool) {
        first.withUnsafeBufferPointer { first in
            second.withUnsafeBufferPointer { second in
                parameter.withUnsafeBufferPointer { parameter in
                    argumentStart.withUnsafeBufferPointer { start in
                        argumentSlot.withUnsafeBufferPointer { slot in
                            argumentCoefficient.withUnsafeBufferPointer { coefficient in
                                let v = b.value
                                for kernel in kernels {
                                    let op = kernel.operation
                                    switch op {
                                    case .power:
                                        for k in kernel.start..<kernel.end {
                                            let (y, d1, d2) = LocalDerivatives.power(v[Int(first[k])], parameter[k])
                                            v[base + k] = y
                                            if derivatives { b.first[k] = d1; b.second[k] = d2 }
                                        }
                                    case .product:
                                        for k in kernel.start..<kernel.end { v[base + k] = v[Int(first[k])] * v[Int(second[k])] }
                                    case .quotient:
                                        for k in kernel.start..<kernel.end { v[base + k] = v[Int(first[k])] / v[Int(second[k])] }
                                    case .combination:
                                        for k in kernel.start..<kernel.end {
                                            var s = parameter[k]
                                            for e in Int(start[k])..<Int(start[k + 1]) { s += coefficient[e] * v[Int(slot[e])] }
                                            v[base + k] = s
                                        }
                                    case .minimum, .maximum:
                                        let isMaximum = op == .maximum
                                        for k in kernel.start..<kernel.end {
                                            let lo = Int(start[k]), hi = Int(start[k + 1])
                                            var best = v[Int(slot[lo])], chosen = lo
                                            var sawNaN = best.isNaN
                                            for e in (lo + 1)..<max(lo + 1, hi) {
                                                let a = v[Int(slot[e])]
                                                if a.isNaN { sawNaN = true }
                                                if isMaximum ? a > best : a < best {
                                                    best = a
                                                    chosen = e
                                                }
                                            }
                                            v[base + k] = sawNaN ? .nan : best
                                            b.active[k] = Int32(chosen)
                                        }
                                    default:
                                        for k in kernel.start..<kernel.end {
                                            let (y, d1, d2) = LocalDerivatives.unary(op, v[Int(first[k])])
                                            v[base + k] = y
                                            if derivatives { b.first[k] = d1; b.second[k] = d2 }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Directional derivatives of every operation along the tangents of the level-0 slots
    /// (after `forward(_:derivatives: true)`).
    func forwardTangent(_ b: SweepBuffers) {
        withOperands { first, second, _, start, slot, coefficient in
            let v = b.value, t = b.tangent
            for kernel in kernels {
                switch kernel.operation {
                case .product:
                    for k in kernel.start..<kernel.end {
                        let i = Int(first[k]), j = Int(second[k])
                        t[base + k] = t[i] * v[j] + v[i] * t[j]
                    }
                case .quotient:
                    for k in kernel.start..<kernel.end {
                        let i = Int(first[k]), j = Int(second[k])
                        t[base + k] = (t[i] - v[base + k] * t[j]) / v[j]
                    }
                case .combination:
                    for k in kernel.start..<kernel.end {
                        var s = 0.0
                        for e in Int(start[k])..<Int(start[k + 1]) { s += coefficient[e] * t[Int(slot[e])] }
                        t[base + k] = s
                    }
                case .minimum, .maximum:
                    for k in kernel.start..<kernel.end { t[base + k] = t[Int(slot[Int(b.active[k])])] }
                default:
                    for k in kernel.start..<kernel.end { t[base + k] = b.first[k] * t[Int(first[k])] }
                }
            }
        }
    }

    /// Adjoints: every slot's adjoint gains the sensitivity of the seeded outputs, in one
    /// backward loop (after `forward(_:derivatives: true)`).
    func reverse(_ b: SweepBuffers) {
        withOperands { first, second, _, start, slot, coefficient in
            for kernel in kernels.reversed() {
                for k in stride(from: kernel.end - 1, through: kernel.start, by: -1) {
                    reverseOperation(k, kernel.operation, b, first, second, start, slot, coefficient)
                }
            }
        }
    }

    /// Adjoints and their tangents (forward-over-reverse): after `forward(_:derivatives: true)`
    /// and `forwardTangent`, with the outputs' adjoints seeded and their adjoint tangents zero.
    func reverseSecondOrder(_ b: SweepBuffers) {
        withOperands { first, second, _, start, slot, coefficient in
            for kernel in kernels.reversed() {
                for k in stride(from: kernel.end - 1, through: kernel.start, by: -1) {
                    reverseSecondOrderOperation(k, kernel.operation, b, first, second, start, slot, coefficient)
                }
            }
        }
    }

    /// The adjoint step of the operations `ops` (descending), for one sparse Jacobian row.
    func reverse(_ b: SweepBuffers, operations ops: ArraySlice<Int32>) {
        withOperands { first, second, _, start, slot, coefficient in
            for k in ops {
                reverseOperation(Int(k), operations[Int(k)], b, first, second, start, slot, coefficient)
            }
        }
    }

    typealias Operands = (
        UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Double>,
        UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Double>
    )

    private func withOperands(_ body: (Operands) -> Void) {
        first.withUnsafeBufferPointer { first in
            second.withUnsafeBufferPointer { second in
                parameter.withUnsafeBufferPointer { parameter in
                    argumentStart.withUnsafeBufferPointer { start in
                        argumentSlot.withUnsafeBufferPointer { slot in
                            argumentCoefficient.withUnsafeBufferPointer { coefficient in
                                body((first, second, parameter, start, slot, coefficient))
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func reverseOperation(
        _ k: Int, _ op: Operation, _ b: SweepBuffers, _ first: UnsafeBufferPointer<Int32>,
        _ second: UnsafeBufferPointer<Int32>, _ start: UnsafeBufferPointer<Int32>, _ slot: UnsafeBufferPointer<Int32>,
        _ coefficient: UnsafeBufferPointer<Double>
    ) {
        let out = base + k
        let w = b.adjoint[out]
        if w == 0 { return }
        let v = b.value, a = b.adjoint
        switch op {
        case .product:
            let i = Int(first[k]), j = Int(second[k])
            a[i] += v[j] * w
            a[j] += v[i] * w
        case .quotient:
            let i = Int(first[k]), j = Int(second[k])
            a[i] += w / v[j]
            a[j] -= w * v[out] / v[j]
        case .combination:
            for e in Int(start[k])..<Int(start[k + 1]) { a[Int(slot[e])] += coefficient[e] * w }
        case .minimum, .maximum:
            a[Int(slot[Int(b.active[k])])] += w
        default:
            a[Int(first[k])] += b.first[k] * w
        }
    }

    @inline(__always)
    private func reverseSecondOrderOperation(
        _ k: Int, _ op: Operation, _ b: SweepBuffers, _ first: UnsafeBufferPointer<Int32>,
        _ second: UnsafeBufferPointer<Int32>, _ start: UnsafeBufferPointer<Int32>, _ slot: UnsafeBufferPointer<Int32>,
        _ coefficient: UnsafeBufferPointer<Double>
    ) {
        let out = base + k
        let w = b.adjoint[out], wt = b.adjointTangent[out]
        if w == 0 && wt == 0 { return }
        let v = b.value, t = b.tangent, a = b.adjoint, at = b.adjointTangent
        switch op {
        case .product:
            let i = Int(first[k]), j = Int(second[k])
            a[i] += v[j] * w
            a[j] += v[i] * w
            at[i] += t[j] * w + v[j] * wt
            at[j] += t[i] * w + v[i] * wt
        case .quotient:
            // y = u / d: dy/du = 1/d, dy/dd = -y/d; d2y/du dd = -1/d^2, d2y/dd2 = 2u/d^3.
            let i = Int(first[k]), j = Int(second[k])
            let d = v[j], y = v[out], r = 1 / d
            a[i] += w * r
            a[j] -= w * y * r
            at[i] += wt * r - w * t[j] * r * r
            at[j] += -wt * y * r + w * (-t[i] * r * r + 2 * y * t[j] * r * r)
        case .combination:
            for e in Int(start[k])..<Int(start[k + 1]) {
                let s = Int(slot[e]), c = coefficient[e]
                a[s] += c * w
                at[s] += c * wt
            }
        case .minimum, .maximum:
            let s = Int(slot[Int(b.active[k])])
            a[s] += w
            at[s] += wt
        default:
            let i = Int(first[k])
            let d1 = b.first[k]
            a[i] += d1 * w
            at[i] += b.second[k] * t[i] * w + d1 * wt
        }
    }
}
