import SolverInterface

/// CPLEX LP, as GLPK (`glpsol --lp`), CBC and CPLEX read it.
///
///     \ comments
///     Minimize
///      obj: 0 x + 2 y - z + 3 obj_constant + [ 2 x * y + 4 y ^ 2 ] / 2
///     Subject To
///      c1: x + y <= 4
///      r_lo: x - z >= -2          (a ranged row as two rows)
///      r_up: x - z <= 5
///     Bounds
///      -inf <= z <= 3             (x free, l <= x <= u, x >= l, x = v)
///     General
///      y
///     Binary
///      b
///     End
///
/// Every column appears in the objective, with a zero coefficient where it has none, in column
/// order: GLPK numbers columns in the order it first meets them, so its positional solution file
/// (`glpsol -w`) then lists them in the form's order; and CBC refuses a column that appears only
/// under `Bounds`. Lines are wrapped before 255 characters. The quadratic part is written with
/// the `/ 2` convention (doubled coefficients inside the brackets).
public enum LPWriter {
    /// The longest line written (CPLEX reads lines of up to 510 characters).
    static let lineLimit = 255

    /// The text of `file` (its format is taken to be LP), with each comment line after `\`.
    public static func write(_ file: ProgramFile, comments: [String] = []) -> String {
        let f = file.form
        var out = ""
        for c in comments { out += "\\ \(c)\n" }
        out += "Minimize\n"
        var objective = Line(start: " \(file.objectiveName):")
        for j in 0..<f.columnCount { objective.term(f.objective[j], file.columnNames[j], keepZero: true) }
        if let constant = file.constantColumn { objective.term(f.objectiveConstant, constant, keepZero: true) }
        let quadratic = MPSWriter.quadraticEntries(f)
        if !quadratic.isEmpty {
            objective.append("+ [")
            var first = true
            for (pair, q) in quadratic {
                // The bracket is halved: twice each coefficient inside it.
                let name = pair.0 == pair.1 ? "\(file.columnNames[pair.0]) ^ 2" : "\(file.columnNames[pair.0]) * \(file.columnNames[pair.1])"
                objective.term(2 * q, name, keepZero: false, leadingSign: !first)
                first = false
            }
            objective.append("] / 2")
        }
        out += objective.text
        out += "Subject To\n"
        let num = ProgramFile.number
        for r in file.rows {
            var line = Line(start: " \(r.name):")
            for k in f.rowStart[r.formRow]..<f.rowStart[r.formRow + 1] { line.term(f.values[k], file.columnNames[f.columnIndex[k]], keepZero: false) }
            // A row without entries still needs a left-hand side: a zero term of its first column.
            if f.rowStart[r.formRow] == f.rowStart[r.formRow + 1], let first = file.fileColumns.first { line.term(0, first, keepZero: true) }
            let (l, u) = (f.rowLower[r.formRow], f.rowUpper[r.formRow])
            switch r.side {
            case "lower"?: line.append(">= \(num(l))")
            case "upper"?: line.append("<= \(num(u))")
            default:
                if l == u {
                    line.append("= \(num(l))")
                } else if l.isFinite {
                    line.append(">= \(num(l))")
                } else if u.isFinite {
                    line.append("<= \(num(u))")
                } else {
                    line.append(">= -inf")
                }
            }
            out += line.text
        }
        out += "Bounds\n"
        for j in 0..<f.columnCount {
            let (name, l, u) = (file.columnNames[j], f.columnLower[j], f.columnUpper[j])
            if f.isInteger[j], l == 0, u == 1 { continue }  // the Binary section gives [0, 1]
            if l == u {
                out += " \(name) = \(num(l))\n"
            } else if l == -.infinity, u == .infinity {
                out += " \(name) free\n"
            } else if u == .infinity {
                if l != 0 { out += " \(name) >= \(num(l))\n" }
            } else {
                out += " \(l == -.infinity ? "-inf" : num(l)) <= \(name) <= \(num(u))\n"
            }
        }
        if let constant = file.constantColumn { out += " \(constant) = 1\n" }
        let general = (0..<f.columnCount).filter { f.isInteger[$0] && !(f.columnLower[$0] == 0 && f.columnUpper[$0] == 1) }
        let binary = (0..<f.columnCount).filter { f.isInteger[$0] && f.columnLower[$0] == 0 && f.columnUpper[$0] == 1 }
        if !general.isEmpty { out += "General\n" + general.map { " \(file.columnNames[$0])\n" }.joined() }
        if !binary.isEmpty { out += "Binary\n" + binary.map { " \(file.columnNames[$0])\n" }.joined() }
        out += "End\n"
        return out
    }

    /// A statement being written, wrapped before `lineLimit` characters (continuation lines start
    /// with spaces, which the format reads as part of the same statement).
    struct Line {
        var lines: [String]
        var isFirstTerm = true

        init(start: String) { lines = [start] }

        mutating func append(_ piece: String) {
            if lines[lines.count - 1].count + 1 + piece.count > LPWriter.lineLimit { lines.append("  ") }
            lines[lines.count - 1] += " " + piece
        }

        /// `+ c name` / `- c name`; a coefficient of 1 is written too (`1 x`), which every reader takes.
        mutating func term(_ c: Double, _ name: String, keepZero: Bool, leadingSign: Bool? = nil) {
            if c == 0 && !keepZero { return }
            let showSign = leadingSign ?? !isFirstTerm
            let magnitude = ProgramFile.number(abs(c))
            if c < 0 {
                append(showSign ? "- \(magnitude) \(name)" : "-\(magnitude) \(name)")
            } else {
                append(showSign ? "+ \(magnitude) \(name)" : "\(magnitude) \(name)")
            }
            isFirstTerm = false
        }

        var text: String { lines.joined(separator: "\n") + "\n" }
    }
}
