import SolverInterface

/// Free MPS, as GLPK (`glpsol --freemps`) and CBC read it.
///
///     NAME model FREE
///     ROWS
///      N obj
///      L row ...                (E, G, L; a ranged row is G with a RANGES entry)
///     COLUMNS
///      x obj 1                  (one entry per line; integer columns between
///      MARKER 'MARKER' 'INTORG'  MARKER lines)
///     RHS
///      RHS row value
///     RANGES
///      RNG row upper-lower
///     BOUNDS
///      UP BND x 3               (FX, FR, MI, PL, LO, UP, BV; every bound written explicitly)
///     QUADOBJ
///      x y value                (objective = c'x + 1/2 x'Qx, each pair i <= j once)
///     ENDATA
///
/// `FREE` on the `NAME` line makes CBC read the file as free MPS (without it CBC reads fixed
/// columns and misreads short lines); GLPK ignores the word. The objective constant is a fixed
/// column (`ProgramFile`), never a right-hand side on the objective row, whose sign GLPK and CBC
/// read differently.
public enum MPSWriter {
    /// The text of `file` (its format is taken to be MPS), with each comment line after `*`.
    public static func write(_ file: ProgramFile, comments: [String] = []) -> String {
        let f = file.form
        let num = ProgramFile.number
        var out = ""
        for c in comments { out += "* \(c)\n" }
        out += "NAME \(file.title) FREE\n"
        out += "ROWS\n N \(file.objectiveName)\n"
        for r in file.rows {
            let (l, u) = (f.rowLower[r.formRow], f.rowUpper[r.formRow])
            let type: String
            if l == u {
                type = "E"
            } else if l.isFinite {
                type = "G"
            } else if u.isFinite {
                type = "L"
            } else {
                type = "N"
            }
            out += " \(type) \(r.name)\n"
        }
        // Entries by column: the objective first, then the rows in order.
        let (start, rowIndex, values) = f.columnCompressed()
        out += "COLUMNS\n"
        var inIntegers = false
        for j in 0..<f.columnCount {
            if f.isInteger[j] != inIntegers {
                out += inIntegers ? " MARKER 'MARKER' 'INTEND'\n" : " MARKER 'MARKER' 'INTORG'\n"
                inIntegers = f.isInteger[j]
            }
            let name = file.columnNames[j]
            // A column without entries is still declared, by its (zero) objective entry.
            if f.objective[j] != 0 || start[j] == start[j + 1] { out += " \(name) \(file.objectiveName) \(num(f.objective[j]))\n" }
            for k in start[j]..<start[j + 1] { out += " \(name) \(file.rows[rowIndex[k]].name) \(num(values[k]))\n" }
        }
        if inIntegers { out += " MARKER 'MARKER' 'INTEND'\n" }
        if let constant = file.constantColumn { out += " \(constant) \(file.objectiveName) \(num(f.objectiveConstant))\n" }
        out += "RHS\n"
        var ranges = ""
        for r in file.rows {
            let (l, u) = (f.rowLower[r.formRow], f.rowUpper[r.formRow])
            let rhs = l.isFinite ? l : (u.isFinite ? u : 0)
            if rhs != 0 { out += " RHS \(r.name) \(num(rhs))\n" }
            if l.isFinite, u.isFinite, l != u { ranges += " RNG \(r.name) \(num(u - l))\n" }
        }
        if !ranges.isEmpty { out += "RANGES\n" + ranges }
        out += "BOUNDS\n"
        for j in 0..<f.columnCount {
            out += bounds(file.columnNames[j], f.columnLower[j], f.columnUpper[j], integer: f.isInteger[j])
        }
        if let constant = file.constantColumn { out += " FX BND \(constant) 1\n" }
        if !f.quadraticObjective.isEmpty {
            out += "QUADOBJ\n"
            for (pair, q) in quadraticEntries(f) {
                // 1/2 x'Qx: a diagonal entry is twice the coefficient of x_i^2, an off-diagonal one
                // (listed once, standing for Q_ij = Q_ji) the coefficient of x_i x_j.
                out += " \(file.columnNames[pair.0]) \(file.columnNames[pair.1]) \(num(pair.0 == pair.1 ? 2 * q : q))\n"
            }
        }
        out += "ENDATA\n"
        return out
    }

    /// The bound lines of one column: nothing for a continuous column in [0, +inf), otherwise
    /// every finite side written out.
    static func bounds(_ name: String, _ l: Double, _ u: Double, integer: Bool) -> String {
        let num = ProgramFile.number
        if l == u { return " FX BND \(name) \(num(l))\n" }
        if integer, l == 0, u == 1 { return " BV BND \(name)\n" }
        if l == -.infinity, u == .infinity { return " FR BND \(name)\n" }
        var out = ""
        if l == -.infinity {
            out += " MI BND \(name)\n"
        } else if l != 0 || integer {
            out += " LO BND \(name) \(num(l))\n"
        }
        if u.isFinite {
            out += " UP BND \(name) \(num(u))\n"
        } else if integer {
            // Some readers give an integer column without an upper bound the upper bound 1.
            out += " PL BND \(name)\n"
        }
        return out
    }

    /// The quadratic terms summed by pair (i <= j), in column order.
    static func quadraticEntries(_ f: StandardForm) -> [((Int, Int), Double)] {
        var sums: [Int: Double] = [:]
        let n = f.columnCount
        for t in f.quadraticObjective { sums[t.first * n + t.second, default: 0] += t.coefficient }
        return sums.keys.sorted().compactMap { key in
            let q = sums[key]!
            return q == 0 ? nil : ((key / n, key % n), q)
        }
    }
}
