/// One quadratic form of a compiled program, `q = 1/2 x' S x` with `S` symmetric, over the
/// variables it reads.
///
/// Each written term `c x_j x_k` adds `c` to `S[j,k]` and to `S[k,j]`. Its gradient is `S x`
/// and its Hessian is `S`, so one symmetric product gives the value, the gradient and (with the
/// direction) the Hessian-vector product. The local variables whose rows are full enough form
/// a dense core multiplied by BLAS `dsymv` (a column-major square matrix); the other entries
/// are kept in compressed sparse row form over the local indices.
struct QuadraticBlock: Sendable {
    /// The variables the block reads, ascending; local index `i` stands for `variables[i]`.
    let variables: [Int32]
    /// The local indices of the dense core (ascending), and the core, column-major.
    let core: [Int32]
    let coreMatrix: [Double]
    /// The entries outside the core: row starts over local indices, local columns, values.
    let start: [Int]
    let columns: [Int32]
    let values: [Double]

    /// The local size.
    var order: Int { variables.count }
    /// The number of stored entries of `S`.
    var nonzeros: Int { core.count * core.count + values.count }

    /// Builds the block from written terms `(j, k, c)` meaning `c x_j x_k`. `localIndex` is a
    /// scratch array of `variableCount` entries, all -1 on entry and on return.
    static func build(terms: [(Int32, Int32, Double)], localIndex: inout [Int32]) -> QuadraticBlock {
        var variables: [Int32] = []
        for (j, k, _) in terms {
            if localIndex[Int(j)] < 0 { localIndex[Int(j)] = 0; variables.append(j) }
            if localIndex[Int(k)] < 0 { localIndex[Int(k)] = 0; variables.append(k) }
        }
        variables.sort()
        for (i, j) in variables.enumerated() { localIndex[Int(j)] = Int32(i) }
        let p = variables.count
        // Both triangles, bucketed by row (counting sort), then each row sorted by column with
        // ties kept in written order and merged: the same sums in every process.
        var count = [Int](repeating: 0, count: p + 1)
        for (j, k, _) in terms {
            count[Int(localIndex[Int(j)]) + 1] += 1
            count[Int(localIndex[Int(k)]) + 1] += 1
        }
        for i in 0..<p { count[i + 1] += count[i] }
        var fill = count
        var entryColumn = [Int32](repeating: 0, count: count[p])
        var entryValue = [Double](repeating: 0, count: count[p])
        for (j, k, c) in terms {
            let a = localIndex[Int(j)], b = localIndex[Int(k)]
            entryColumn[fill[Int(a)]] = b
            entryValue[fill[Int(a)]] = c
            fill[Int(a)] += 1
            entryColumn[fill[Int(b)]] = a
            entryValue[fill[Int(b)]] = c
            fill[Int(b)] += 1
        }
        for j in variables { localIndex[Int(j)] = -1 }
        var rowStart = [0], rowColumns: [Int32] = [], rowValues: [Double] = []
        rowColumns.reserveCapacity(entryColumn.count)
        rowValues.reserveCapacity(entryColumn.count)
        for i in 0..<p {
            let range = count[i]..<count[i + 1]
            let sorted = range.sorted { (entryColumn[$0], $0) < (entryColumn[$1], $1) }
            for e in sorted {
                if rowColumns.count > rowStart[i], rowColumns[rowColumns.count - 1] == entryColumn[e] {
                    rowValues[rowValues.count - 1] += entryValue[e]
                } else {
                    rowColumns.append(entryColumn[e])
                    rowValues.append(entryValue[e])
                }
            }
            rowStart.append(rowColumns.count)
        }
        // The dense core: the rows with at least 16 entries, when the entries among them fill
        // at least 30% of the square they span.
        var inCore = [Bool](repeating: false, count: p)
        var core: [Int32] = []
        for i in 0..<p where rowStart[i + 1] - rowStart[i] >= 16 {
            inCore[i] = true
            core.append(Int32(i))
        }
        var coreEntries = 0
        for i in core {
            for e in rowStart[Int(i)]..<rowStart[Int(i) + 1] where inCore[Int(rowColumns[e])] { coreEntries += 1 }
        }
        if core.count < 16 || Double(coreEntries) < 0.3 * Double(core.count) * Double(core.count) {
            for i in core { inCore[Int(i)] = false }
            core = []
        }
        var corePosition = [Int](repeating: -1, count: p)
        for (c, i) in core.enumerated() { corePosition[Int(i)] = c }
        let pc = core.count
        var coreMatrix = [Double](repeating: 0, count: pc * pc)
        var start = [0], columns: [Int32] = [], values: [Double] = []
        for i in 0..<p {
            for e in rowStart[i]..<rowStart[i + 1] {
                let k = Int(rowColumns[e])
                if inCore[i] && inCore[k] {
                    coreMatrix[corePosition[i] + corePosition[k] * pc] = rowValues[e]
                } else {
                    columns.append(rowColumns[e])
                    values.append(rowValues[e])
                }
            }
            start.append(columns.count)
        }
        return QuadraticBlock(
            variables: variables, core: core, coreMatrix: coreMatrix, start: start, columns: columns, values: values)
    }

    /// `s = S x` for a local vector `x` (`order` entries). `gather` and `scatter` have room for
    /// `core.count` entries each.
    func multiply(
        _ x: UnsafePointer<Double>, into s: UnsafeMutablePointer<Double>,
        gather: UnsafeMutablePointer<Double>, scatter: UnsafeMutablePointer<Double>
    ) {
        let p = variables.count
        start.withUnsafeBufferPointer { start in
            columns.withUnsafeBufferPointer { columns in
                values.withUnsafeBufferPointer { values in
                    for i in 0..<p {
                        var sum = 0.0
                        for e in start[i]..<start[i + 1] { sum += values[e] * x[Int(columns[e])] }
                        s[i] = sum
                    }
                }
            }
        }
        let pc = core.count
        guard pc > 0 else { return }
        core.withUnsafeBufferPointer { core in
            for c in 0..<pc { gather[c] = x[Int(core[c])] }
            coreMatrix.withUnsafeBufferPointer { a in
                guard let matrix = a.baseAddress else { return }
                BLAS.symv(order: pc, alpha: 1, matrix, gather, beta: 0, scatter)
            }
            for c in 0..<pc { s[Int(core[c])] += scatter[c] }
        }
    }
}
