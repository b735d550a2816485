/// The structural nonzeros of a Jacobian, row by row: row `r` has entries in the columns
/// `columns[rowStart[r]..<rowStart[r + 1]]`, ascending.
///
/// Computed once when rows are compiled: a column is in row `r`'s pattern when the row's
/// expression reads the variable (an entry may still be 0 at a given point).
public struct SparsityPattern: Sendable, Equatable {
    /// Row starts into `columns` (one more entry than there are rows).
    public let rowStart: [Int]
    /// Column (variable) indices, ascending within each row.
    public let columns: [Int]

    /// The number of rows.
    public var rowCount: Int { rowStart.count - 1 }
    /// The number of structural nonzeros.
    public var nonzeros: Int { columns.count }

    /// A pattern from row starts and columns.
    public init(rowStart: [Int], columns: [Int]) {
        self.rowStart = rowStart
        self.columns = columns
    }
}
