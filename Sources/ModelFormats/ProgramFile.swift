import BlomodelCore
import SolverInterface

/// A single-level program laid out for a file: the standard form (as the solvers are given it,
/// `StandardForm.prepared()`), its rows and columns under names the format allows, and the
/// rows and columns the file adds.
///
/// The file's columns are the form's columns in order, then, when the objective has a constant,
/// one column fixed at 1 whose cost is the constant (`constantColumn`): GLPK 5.0 reads the
/// right-hand side of the MPS objective row as the constant itself and CBC 2.10 as its negation,
/// glpsol refuses a constant in an LP objective and CBC drops it, so a fixed column is the one
/// spelling every reader agrees on. The file's rows are the form's rows in order; in the LP
/// format a row with two different finite sides is written as two rows (`name_lo`, `name_up`),
/// since glpsol reads no ranged rows in that format (the MPS format keeps it as one row with a
/// `RANGES` entry).
public struct ProgramFile: Sendable {
    /// One row of the file.
    public struct FileRow: Sendable, Equatable {
        /// The row's name in the file.
        public var name: String
        /// The form's row it writes.
        public var formRow: Int
        /// Which side of a ranged row it is in the LP format (`lower` for `>=`, `upper` for `<=`),
        /// nil when the row is written whole.
        public var side: String?
    }

    /// The format.
    public var format: ProgramFileFormat
    /// The program, with bounds of 1e12 or more in magnitude made infinite (`prepared()`).
    public var form: StandardForm
    /// The name of the objective row (`obj`, unless a row of the form already has it).
    public var objectiveName: String
    /// The file name of each of the form's columns.
    public var columnNames: [String]
    /// The name of the column fixed at 1 that carries the objective constant, when there is one.
    public var constantColumn: String?
    /// The file's rows, in order.
    public var rows: [FileRow]
    /// The program's name (the MPS `NAME` line), sanitised.
    public var title: String

    /// Lays the form out for `format`: validates it (`StandardForm.prepared()`, which throws
    /// `SolverError.invalidProblem` on data no solver should see) and names every row and column.
    public init(_ form: StandardForm, format: ProgramFileFormat, title: String = "program") throws {
        self.format = format
        self.title = FileNames.sanitize(title, for: format)
        self.form = try form.prepared()
        // The objective row and the constant column take their names first; a model row or column
        // with the same name gets a suffix.
        objectiveName = "obj"
        columnNames = FileNames.unique(form.columnNames, for: format, reserved: form.objectiveConstant != 0 ? ["obj_constant"] : [])
        constantColumn = form.objectiveConstant != 0 ? "obj_constant" : nil
        var rowBases: [String] = []
        var owners: [(Int, String?)] = []
        for i in 0..<form.rowCount {
            let (l, u) = (self.form.rowLower[i], self.form.rowUpper[i])
            if format == .lp, l.isFinite, u.isFinite, l != u {
                rowBases += [form.rowNames[i] + "_lo", form.rowNames[i] + "_up"]
                owners += [(i, "lower"), (i, "upper")]
            } else {
                rowBases.append(form.rowNames[i])
                owners.append((i, nil))
            }
        }
        let names = FileNames.unique(rowBases, for: format, reserved: [objectiveName])
        rows = zip(names, owners).map { FileRow(name: $0.0, formRow: $0.1.0, side: $0.1.1) }
    }

    /// Every column of the file, in order: the form's, then the constant column.
    public var fileColumns: [String] { columnNames + (constantColumn.map { [$0] } ?? []) }

    /// The file's text (`MPSWriter` or `LPWriter`), with `comments` at the top.
    public func text(comments: [String] = []) -> String {
        switch format {
        case .mps: return MPSWriter.write(self, comments: comments)
        case .lp: return LPWriter.write(self, comments: comments)
        }
    }

    /// A number as the files write it: the shortest decimal that reads back as the same double
    /// (`4`, `0.1`, `3.1111111111111112`, `1e-07`), negative zero as `0`.
    public static func number(_ v: Double) -> String { formatNumber(v == 0 ? 0 : v) }
}
