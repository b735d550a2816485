/// The affine layer of a compiled program: every affine expression the rest of the program
/// reads, gathered into one matrix, `z = A x + b`.
///
/// The rows are the affine arguments of nonlinear operations (the `a_i' w` inside
/// `softplus(-b_i a_i' w)` for every sample `i`) and the affine parts of the outputs. Rows
/// with many entries form a dense block over the columns they use, multiplied by BLAS
/// `dgemv` (column-major, `denseRowCount` x `denseColumns.count`); the other rows are kept in
/// compressed sparse row form. The dense rows come first, so both blocks write contiguous
/// slices of `z`.
struct AffineLayer: Sendable {
    /// The number of rows (`z` slots).
    let rowCount: Int
    /// `b`, one entry per row.
    let offsets: [Double]
    /// The rows `0..<denseRowCount` form the dense block.
    let denseRowCount: Int
    /// The variables the dense block's columns stand for, ascending.
    let denseColumns: [Int32]
    /// True when `denseColumns` is `0..<variableCount`, so `x` need not be gathered.
    let denseColumnsAreAll: Bool
    /// The dense block, column-major.
    let dense: [Double]
    /// Row starts of the sparse rows (`rowCount - denseRowCount + 1` entries).
    let sparseStart: [Int]
    let sparseColumns: [Int32]
    let sparseValues: [Double]

    /// The number of stored coefficients.
    var nonzeros: Int { denseRowCount * denseColumns.count + sparseValues.count }

    /// Builds the layer from rows with sorted, merged terms. A set of rows becomes the dense
    /// block when each has at least 16 terms and together they fill at least 30% of the block
    /// spanned by their columns; the order of the rows then changes (dense first), and
    /// `order[r]` tells where builder row `r` went.
    static func build(constants: [Double], rows: [[(Int32, Double)]], variableCount: Int) -> (layer: AffineLayer, order: [Int]) {
        let m = rows.count
        let candidates = (0..<m).filter { rows[$0].count >= 16 }
        var columns: [Int32] = []
        var useDense = false
        if !candidates.isEmpty {
            var seen = [Bool](repeating: false, count: variableCount)
            var filled = 0
            for r in candidates {
                filled += rows[r].count
                for (j, _) in rows[r] where !seen[Int(j)] {
                    seen[Int(j)] = true
                    columns.append(j)
                }
            }
            columns.sort()
            useDense = Double(filled) >= 0.3 * Double(candidates.count) * Double(columns.count)
        }
        let denseRows = useDense ? candidates : []
        var isDense = [Bool](repeating: false, count: m)
        for r in denseRows { isDense[r] = true }
        let sparseRows = (0..<m).filter { !isDense[$0] }
        var order = [Int](repeating: 0, count: m)
        for (k, r) in (denseRows + sparseRows).enumerated() { order[r] = k }

        var offsets = [Double](repeating: 0, count: m)
        for r in 0..<m { offsets[order[r]] = constants[r] }
        let md = denseRows.count
        var dense: [Double] = []
        if useDense {
            var position = [Int](repeating: -1, count: variableCount)
            for (c, j) in columns.enumerated() { position[Int(j)] = c }
            dense = [Double](repeating: 0, count: md * columns.count)
            for (i, r) in denseRows.enumerated() {
                for (j, a) in rows[r] { dense[i + position[Int(j)] * md] += a }
            }
        } else {
            columns = []
        }
        var start = [0], sparseColumns: [Int32] = [], sparseValues: [Double] = []
        for r in sparseRows {
            for (j, a) in rows[r] {
                sparseColumns.append(j)
                sparseValues.append(a)
            }
            start.append(sparseColumns.count)
        }
        let all = columns.count == variableCount && columns.enumerated().allSatisfy { Int($0.element) == $0.offset }
        let layer = AffineLayer(
            rowCount: m, offsets: offsets, denseRowCount: md, denseColumns: columns, denseColumnsAreAll: all,
            dense: dense, sparseStart: start, sparseColumns: sparseColumns, sparseValues: sparseValues)
        return (layer, order)
    }

    private init(
        rowCount: Int, offsets: [Double], denseRowCount: Int, denseColumns: [Int32], denseColumnsAreAll: Bool,
        dense: [Double], sparseStart: [Int], sparseColumns: [Int32], sparseValues: [Double]
    ) {
        self.rowCount = rowCount
        self.offsets = offsets
        self.denseRowCount = denseRowCount
        self.denseColumns = denseColumns
        self.denseColumnsAreAll = denseColumnsAreAll
        self.dense = dense
        self.sparseStart = sparseStart
        self.sparseColumns = sparseColumns
        self.sparseValues = sparseValues
    }

    /// `z = A x (+ b when withOffsets)`. `gather` has room for `denseColumns.count` entries.
    func multiply(
        _ x: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>, withOffsets: Bool,
        gather: UnsafeMutablePointer<Double>
    ) {
        let md = denseRowCount, p = denseColumns.count
        if md > 0 && p > 0 {
            var source = x
            if !denseColumnsAreAll {
                denseColumns.withUnsafeBufferPointer { c in for k in 0..<p { gather[k] = x[Int(c[k])] } }
                source = UnsafePointer(gather)
            }
            dense.withUnsafeBufferPointer { d in
                guard let a = d.baseAddress else { return }
                BLAS.gemv(transposed: false, rows: md, columns: p, alpha: 1, a, source, beta: 0, z)
            }
        } else {
            for i in 0..<md { z[i] = 0 }
        }
        sparseStart.withUnsafeBufferPointer { start in
            sparseColumns.withUnsafeBufferPointer { columns in
                sparseValues.withUnsafeBufferPointer { values in
                    for r in 0..<(rowCount - md) {
                        var s = 0.0
                        for k in start[r]..<start[r + 1] { s += values[k] * x[Int(columns[k])] }
                        z[md + r] = s
                    }
                }
            }
        }
        if withOffsets {
            offsets.withUnsafeBufferPointer { b in for i in 0..<rowCount { z[i] += b[i] } }
        }
    }

    /// `g += A' w`. `scratch` has room for `denseColumns.count` entries.
    func addTransposeProduct(
        _ w: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
    ) {
        let md = denseRowCount, p = denseColumns.count
        if md > 0 && p > 0 {
            dense.withUnsafeBufferPointer { d in
                guard let a = d.baseAddress else { return }
                if denseColumnsAreAll {
                    BLAS.gemv(transposed: true, rows: md, columns: p, alpha: 1, a, w, beta: 1, g)
                } else {
                    BLAS.gemv(transposed: true, rows: md, columns: p, alpha: 1, a, w, beta: 0, scratch)
                    denseColumns.withUnsafeBufferPointer { c in for k in 0..<p { g[Int(c[k])] += scratch[k] } }
                }
            }
        }
        sparseStart.withUnsafeBufferPointer { start in
            sparseColumns.withUnsafeBufferPointer { columns in
                sparseValues.withUnsafeBufferPointer { values in
                    for r in 0..<(rowCount - md) {
                        let s = w[md + r]
                        if s == 0 { continue }
                        for k in start[r]..<start[r + 1] { g[Int(columns[k])] += values[k] * s }
                    }
                }
            }
        }
    }

    /// `g += scale * A[row, :]` (one row, for sparse Jacobians).
    func addRow(_ row: Int, times scale: Double, into g: UnsafeMutablePointer<Double>) {
        let md = denseRowCount
        if row < md {
            dense.withUnsafeBufferPointer { d in
                denseColumns.withUnsafeBufferPointer { c in
                    for k in 0..<c.count { g[Int(c[k])] += scale * d[row + k * md] }
                }
            }
        } else {
            let r = row - md
            for k in sparseStart[r]..<sparseStart[r + 1] { g[Int(sparseColumns[k])] += scale * sparseValues[k] }
        }
    }

    /// The variables row `row` reads (its structural nonzeros), ascending.
    func columns(ofRow row: Int) -> [Int32] {
        if row < denseRowCount { return denseColumns }
        let r = row - denseRowCount
        return Array(sparseColumns[sparseStart[r]..<sparseStart[r + 1]])
    }
}
