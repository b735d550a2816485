/// What each output row of a program reads, computed once for sparse Jacobians: the tape
/// operations it depends on (descending, the order of its backward sweep), the affine rows and
/// quadratic blocks under them, and the variables they read (the row's sparsity pattern).
///
/// A Jacobian row is then one backward sweep over the row's own operations only, so rows that
/// share nothing cost together what one sweep over the whole tape costs.
struct JacobianPlan: Sendable {
    let pattern: SparsityPattern
    let operationStart: [Int]
    let operations: [Int32]
    let slotStart: [Int]
    /// The affine-row and quadratic-block slots each row reads.
    let slots: [Int32]

    init(program: Program) {
        let tape = program.tape
        let base = tape.base, rows = program.affine.rowCount
        var stamp = [Int32](repeating: -1, count: program.slotCount)
        var columnStamp = [Int32](repeating: -1, count: program.variableCount)
        var rowStart = [0], columns: [Int] = []
        var operationStart = [0], operations: [Int32] = []
        var slotStart = [0], slots: [Int32] = []
        var stack: [Int] = []
        for (r, output) in program.outputs.enumerated() {
            let mark = Int32(r)
            var ops: [Int32] = [], levelZero: [Int32] = []
            stack.append(output)
            stamp[output] = mark
            while let s = stack.popLast() {
                if s < base {
                    levelZero.append(Int32(s))
                    continue
                }
                let k = s - base
                ops.append(Int32(k))
                func visit(_ t: Int) {
                    if stamp[t] != mark {
                        stamp[t] = mark
                        stack.append(t)
                    }
                }
                switch tape.operations[k] {
                case .combination, .minimum, .maximum:
                    for e in Int(tape.argumentStart[k])..<Int(tape.argumentStart[k + 1]) { visit(Int(tape.argumentSlot[e])) }
                case .product, .quotient:
                    visit(Int(tape.first[k]))
                    visit(Int(tape.second[k]))
                default:
                    visit(Int(tape.first[k]))
                }
            }
            ops.sort(by: >)
            levelZero.sort()
            operations.append(contentsOf: ops)
            operationStart.append(operations.count)
            slots.append(contentsOf: levelZero)
            slotStart.append(slots.count)
            var rowColumns: [Int] = []
            func add(_ j: Int32) {
                if columnStamp[Int(j)] != mark {
                    columnStamp[Int(j)] = mark
                    rowColumns.append(Int(j))
                }
            }
            for s in levelZero {
                if Int(s) < rows {
                    for j in program.affine.columns(ofRow: Int(s)) { add(j) }
                } else {
                    for j in program.blocks[Int(s) - rows].variables { add(j) }
                }
            }
            rowColumns.sort()
            columns.append(contentsOf: rowColumns)
            rowStart.append(columns.count)
        }
        pattern = SparsityPattern(rowStart: rowStart, columns: columns)
        self.operationStart = operationStart
        self.operations = operations
        self.slotStart = slotStart
        self.slots = slots
    }

    /// The Jacobian's values at the point of the workspace's last forward sweep (with derivatives).
    func values(_ program: Program, _ w: Workspace) -> [Double] {
        var values = [Double](repeating: 0, count: pattern.nonzeros)
        let rows = program.affine.rowCount, base = program.tape.base
        w.adjoint.update(repeating: 0, count: program.slotCount)
        w.full.update(repeating: 0, count: program.variableCount)
        for (r, output) in program.outputs.enumerated() {
            w.adjoint[output] = 1
            program.tape.reverse(w.buffers, operations: operations[operationStart[r]..<operationStart[r + 1]])
            for e in slotStart[r]..<slotStart[r + 1] {
                let s = Int(slots[e])
                let a = w.adjoint[s]
                if a != 0 {
                    if s < rows {
                        program.affine.addRow(s, times: a, into: w.full)
                    } else {
                        let k = s - rows, block = program.blocks[k], products = w.blockProduct + program.blockOffset[k]
                        for (i, j) in block.variables.enumerated() { w.full[Int(j)] += a * products[i] }
                    }
                }
                w.adjoint[s] = 0
            }
            for e in operationStart[r]..<operationStart[r + 1] { w.adjoint[base + Int(operations[e])] = 0 }
            for k in pattern.rowStart[r]..<pattern.rowStart[r + 1] {
                values[k] = w.full[pattern.columns[k]]
                w.full[pattern.columns[k]] = 0
            }
        }
        return values
    }
}
