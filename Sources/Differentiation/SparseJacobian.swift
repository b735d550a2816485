/// A sparse Jacobian at one point: the values of a fixed `SparsityPattern`
/// (`values[k]` belongs to `pattern.columns[k]`).
public struct SparseJacobian: Sendable, Equatable {
    /// The structural nonzeros (shared by every point).
    public let pattern: SparsityPattern
    /// The entries, aligned with `pattern.columns`.
    public var values: [Double]

    /// A Jacobian from its pattern and values.
    public init(pattern: SparsityPattern, values: [Double]) {
        self.pattern = pattern
        self.values = values
    }

    /// The entry in row `row` and column `column` (0 outside the pattern).
    public func entry(row: Int, column: Int) -> Double {
        guard row >= 0, row < pattern.rowCount else { return 0 }
        let range = pattern.rowStart[row]..<pattern.rowStart[row + 1]
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi {
            let mid = (lo + hi) / 2
            if pattern.columns[mid] < column { lo = mid + 1 } else { hi = mid }
        }
        return lo < range.upperBound && pattern.columns[lo] == column ? values[lo] : 0
    }

    /// The Jacobian as dense rows (for tests and small problems).
    public func dense(columns n: Int) -> [[Double]] {
        (0..<pattern.rowCount).map { r in
            var row = [Double](repeating: 0, count: n)
            for k in pattern.rowStart[r]..<pattern.rowStart[r + 1] where pattern.columns[k] < n {
                row[pattern.columns[k]] = values[k]
            }
            return row
        }
    }
}
