import BlomodelCore
import Foundation
import SolverInterface

/// A (free) MPS file as read: its columns with bounds and integrality, its constraint rows with
/// sparse coefficients, the objective (linear, constant and quadratic), in the file's order.
///
/// This is plain data, with every part's position in the file so that later checks (an aux
/// file naming a column, a bilevel model built from it) can point at it. `standardForm()` turns
/// it into the single-level program the backends solve.
public struct MPSFile: Sendable {
    /// The sense of a constraint row in the ROWS section.
    public enum RowSense: String, Sendable {
        /// `L`: body <= right-hand side.
        case lessEqual = "L"
        /// `G`: body >= right-hand side.
        case greaterEqual = "G"
        /// `E`: body = right-hand side (a RANGES entry widens it).
        case equal = "E"
    }

    /// A column (variable) of the file.
    public struct Column: Sendable {
        /// The name as written.
        public var name: String
        /// The bounds after the BOUNDS section and the MPS defaults (`[0, +inf)`; `[0, 1]` for an
        /// integer column without any bound entry). Infinite bounds are `±infinity`.
        public var lower: Double = 0
        /// The upper bound (see `lower`).
        public var upper: Double = .infinity
        /// `binary` for `BV` columns and integer columns given the default `[0, 1]`; `integer` for
        /// other columns in a MARKER block or with an `LI`/`UI` bound; otherwise `continuous`.
        public var kind: VariableKind = .continuous
        /// The coefficient in the objective row (0 when the column has none).
        public var objective: Double = 0
        /// Where the column's first COLUMNS line names it.
        public var location: SourceLocation
        /// True when some BOUNDS line names the column (which switches off the default binary range).
        public var hasBoundEntry = false
    }

    /// A constraint row of the file (the objective row and later free rows are not rows here).
    public struct Row: Sendable {
        /// The name as written.
        public var name: String
        /// `L`, `G` or `E`.
        public var sense: RowSense
        /// The coefficients by column index, sorted.
        public var coefficients: SparseMap<Int> = [:]
        /// The right-hand side (0 when RHS gives none).
        public var rhs: Double = 0
        /// The RANGES value, if one was given.
        public var range: Double?
        /// Where the row is declared in ROWS.
        public var location: SourceLocation
        /// Where its right-hand side was given, if it was.
        public var rhsLocation: SourceLocation?

        /// The row's sides `lower <= body <= upper` (MPS semantics of RHS and RANGES: an `L` row with
        /// range R is `[rhs - |R|, rhs]`, a `G` row `[rhs, rhs + |R|]`, an `E` row `[rhs, rhs + R]`
        /// for R > 0 and `[rhs + R, rhs]` for R < 0).
        public var lower: Double {
            switch sense {
            case .lessEqual: return range.map { rhs - abs($0) } ?? -.infinity
            case .greaterEqual: return rhs
            case .equal: return range.map { $0 < 0 ? rhs + $0 : rhs } ?? rhs
            }
        }
        /// The row's upper side (see `lower`).
        public var upper: Double {
            switch sense {
            case .lessEqual: return rhs
            case .greaterEqual: return range.map { rhs + abs($0) } ?? .infinity
            case .equal: return range.map { $0 > 0 ? rhs + $0 : rhs } ?? rhs
            }
        }
    }

    /// The file's path (as given) and text, for diagnostics.
    public var source: SourceFile
    /// The NAME line's value (empty when absent or empty).
    public var name = ""
    /// The first `N` row: the objective. Nil when the file has no `N` row (a zero objective).
    public var objectiveName: String?
    /// Where the objective row is declared.
    public var objectiveLocation: SourceLocation?
    /// OBJSENSE (default minimise) and where it was written.
    public var objectiveSense: ObjectiveSense = .minimize
    /// Where OBJSENSE was written, if it was.
    public var objectiveSenseLocation: SourceLocation?
    /// The objective's constant: the negated RHS entry of the objective row (CoinMpsIO's
    /// `objectiveOffset` convention, also CPLEX's and HiGHS'; GLPK 5.0 reads the opposite sign).
    public var objectiveConstant: Double = 0
    /// Where the objective row's RHS entry was written, if it was.
    public var objectiveConstantLocation: SourceLocation?
    /// The quadratic part of the objective as terms `c * x_i * x_j` (i <= j), sorted, already
    /// including the 1/2 of the MPS convention `1/2 x'Qx`.
    public var quadraticObjective: [StandardForm.QuadraticTerm] = []
    /// Where the QUADOBJ or QMATRIX section starts, if there is one.
    public var quadraticLocation: SourceLocation?
    /// The columns, in order of first appearance in COLUMNS (the legacy aux format's indices).
    public var columns: [Column] = []
    /// The constraint rows, in ROWS order without the objective row (the legacy aux format's indices).
    public var rows: [Row] = []
    /// Names of the `N` rows after the first, which are dropped (as CoinMpsIO and GLPK do).
    public var droppedFreeRows: [String] = []
    /// What was said without refusing the file (an `UP` bound below zero, a missing ENDATA).
    public var warnings: [Diagnostic] = []

    /// Column index by name.
    public var columnIndex: [String: Int] = [:]
    /// Row index by name (the objective row and dropped rows are not in it).
    public var rowIndex: [String: Int] = [:]

    /// An empty file read from `source`.
    public init(source: SourceFile) { self.source = source }

    /// The single-level program as the backends take it: a minimisation (the objective negated,
    /// constant and quadratic part included, when OBJSENSE says MAX), rows with their MPS sides,
    /// columns with their bounds and integrality.
    public func standardForm() -> StandardForm {
        var form = StandardForm()
        let sign = objectiveSense.sign
        for c in columns {
            form.addColumn(name: c.name, lower: c.lower, upper: c.upper, cost: sign * c.objective, integer: c.kind != .continuous)
        }
        form.objectiveConstant = sign * objectiveConstant
        form.quadraticObjective = quadraticObjective.map { StandardForm.QuadraticTerm($0.first, $0.second, sign * $0.coefficient) }
        for r in rows {
            form.addRow(name: r.name, entries: Array(zip(r.coefficients.keys, r.coefficients.values)), lower: r.lower, upper: r.upper)
        }
        return form
    }
}

/// Reads free MPS (fixed-format files too, as free MPS: names never contain spaces).
///
/// Sections: NAME, OBJSENSE (`MAX`/`MIN` on the same line or the next), OBJSENSE's CPLEX
/// spellings `MAXIMIZE`/`MINIMIZE`, OBJNAME, ROWS (`N L G E`; the first `N` row is the objective,
/// later ones are dropped), COLUMNS (with `'MARKER' 'INTORG'`/`'INTEND'` lines), RHS (an entry on
/// the objective row is the negated objective constant), RANGES, BOUNDS (`UP LO FX FR MI PL BV LI
/// UI`; an integer column without any bound entry is binary; `UP` below zero on a column without a
/// lower bound entry makes the lower bound -infinity; magnitudes of 1e25 or more are infinite),
/// QUADOBJ (one triangle of Q) and QMATRIX (all of Q), objective `1/2 x'Qx`, and ENDATA (what
/// follows is ignored). Lines beginning with `*` are comments; tabs separate fields like spaces;
/// CRLF line ends and a missing final newline are accepted.
///
/// Anything else (SOS, an unknown section, a number that does not parse or is not finite where a
/// finite one is needed, a name the file does not declare, a column whose entries are split over
/// two blocks, a repeated entry) is a `Diagnostic` at the token, with the line quoted. The reader
/// is one loop over the lines: nothing recurses.
public enum MPSReader {
    /// Magnitudes at or above this are infinite (CoinMpsIO's `infinity_`).
    public static let infinity = 1e25

    /// Reads the file at `path`.
    public static func read(path: String) throws -> MPSFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostic(.error, "cannot read the MPS file '\(path)'")
        }
        guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
            throw Diagnostic(.error, "cannot read the MPS file '\(path)': it is not text")
        }
        return try parse(SourceFile(path: path, text: text))
    }

    /// Parses MPS text; diagnostics name `source.path`.
    public static func parse(_ source: SourceFile) throws -> MPSFile {
        var reader = Reader(source: source)
        try reader.run()
        return reader.file
    }
}

/// A whitespace-separated field of a line, with its 1-based column.
struct Field {
    var text: String
    var column: Int
}

/// Splits a line into fields at spaces and tabs.
func fields(of line: String) -> [Field] {
    var out: [Field] = []
    var current = "", start = 0, column = 0
    for ch in line {
        column += 1
        if ch == " " || ch == "\t" || ch == "\r" {
            if !current.isEmpty { out.append(Field(text: current, column: start)) }
            current = ""
        } else {
            if current.isEmpty { start = column }
            current.append(ch)
        }
    }
    if !current.isEmpty { out.append(Field(text: current, column: start)) }
    return out
}

/// A number in the MPS (and aux) files: an optional sign, digits with an optional decimal point,
/// an optional exponent. Nil for anything else (`nan`, `inf`, hexadecimal, `1d5`).
func parseDecimal(_ s: String) -> Double? {
    var sawDigit = false, sawPoint = false, sawExponent = false, previous: Character = " "
    for (k, ch) in s.enumerated() {
        switch ch {
        case "0"..."9": sawDigit = true
        case ".":
            if sawPoint || sawExponent { return nil }
            sawPoint = true
        case "e", "E":
            if sawExponent || !sawDigit { return nil }
            sawExponent = true
        case "+", "-":
            if !(k == 0 || previous == "e" || previous == "E") { return nil }
        default: return nil
        }
        previous = ch
    }
    guard sawDigit, let last = s.last, last.isNumber || last == "." else { return nil }
    return Double(s)
}

private struct Reader {
    enum Section: String {
        case name = "NAME", objsense = "OBJSENSE", objname = "OBJNAME", rows = "ROWS", columns = "COLUMNS", rhs = "RHS"
        case ranges = "RANGES", bounds = "BOUNDS", quadobj = "QUADOBJ", qmatrix = "QMATRIX", endata = "ENDATA"
    }

    let source: SourceFile
    var file: MPSFile
    var section: Section?
    var line = 0
    var integerMarker = false
    /// The objective row's name, and the names of dropped `N` rows.
    var objective: String?
    var freeRows: Set<String> = []
    /// The column of the current COLUMNS block, and the last row entry per (column) to catch repeats.
    var currentColumn: Int?
    var objectiveSeen = false
    /// Whether a column's lower bound was set by a bound entry (for the UP < 0 rule).
    var lowerSet: [Bool] = []
    /// QUADOBJ / QMATRIX entries by (i, j), with where each was written.
    var quadratic: [VarPair: (value: Double, at: SourceLocation)] = [:]
    var qmatrixEntries: [(i: Int, j: Int, value: Double, at: SourceLocation)] = []
    var sawEnd = false
    var objsensePending = false
    var objnamePending = false

    init(source: SourceFile) {
        self.source = source
        file = MPSFile(source: source)
    }

    func at(_ f: Field) -> SourceLocation { SourceLocation(file: source.path, line: line, column: f.column) }

    func fail(_ message: String, _ f: Field, notes: [String] = []) -> Diagnostic {
        source.error(message, at: at(f), length: f.text.count, notes: notes)
    }

    func number(_ f: Field, _ what: String) throws -> Double {
        guard let v = parseDecimal(f.text) else {
            throw fail("'\(f.text)' is not a number (\(what))", f)
        }
        return v
    }

    /// A number that must be finite (a coefficient): magnitudes of 1e25 or more are refused.
    func finite(_ f: Field, _ what: String) throws -> Double {
        let v = try number(f, what)
        guard abs(v) < MPSReader.infinity else {
            throw fail("the \(what) \(f.text) is infinite (magnitudes of 1e25 or more are infinite in MPS)", f)
        }
        return v
    }

    /// A bound or side: magnitudes of 1e25 or more become infinite, keeping their sign.
    func extended(_ f: Field, _ what: String) throws -> Double {
        let v = try number(f, what)
        return abs(v) >= MPSReader.infinity ? (v > 0 ? .infinity : -.infinity) : v
    }

    func column(_ f: Field) throws -> Int {
        if let j = file.columnIndex[f.text] { return j }
        let hint = closestName(to: f.text, among: file.columns.map(\.name)).map { ["did you mean '\($0)'?"] } ?? []
        throw fail("unknown column '\(f.text)' (COLUMNS does not declare it)", f, notes: hint)
    }

    func row(_ f: Field) throws -> Int? {
        if let i = file.rowIndex[f.text] { return i }
        if f.text == objective || freeRows.contains(f.text) { return nil }
        var candidates = Array(file.rowIndex.keys).sorted()
        if let objective { candidates.append(objective) }
        let hint = closestName(to: f.text, among: candidates).map { ["did you mean '\($0)'?"] } ?? []
        throw fail("unknown row '\(f.text)' (ROWS does not declare it)", f, notes: hint)
    }

    mutating func run() throws {
        for raw in source.lines {
            line += 1
            var text = String(raw)
            if text.hasSuffix("\r") { text.removeLast() }
            guard let first = text.first else { continue }
            if first == "*" { continue }
            let parts = fields(of: text)
            if parts.isEmpty { continue }
            if first != " " && first != "\t" {
                try startSection(parts)
                if sawEnd { break }
                continue
            }
            try dataLine(parts)
        }
        if !sawEnd {
            file.warnings.append(
                Diagnostic(
                    .warning, "the MPS file has no ENDATA line: it may be truncated",
                    at: SourceLocation(file: source.path, line: max(1, source.lines.count), column: 1)))
        }
        try finish()
    }

    mutating func startSection(_ parts: [Field]) throws {
        let word = parts[0].text.uppercased()
        guard let s = Section(rawValue: word) else {
            let known = ["NAME", "OBJSENSE", "OBJNAME", "ROWS", "COLUMNS", "RHS", "RANGES", "BOUNDS", "QUADOBJ", "QMATRIX", "ENDATA"]
            var notes = ["the sections read are \(known.joined(separator: ", ")); data lines begin with a space or a tab"]
            if ["SOS", "SETS", "CSECTION", "QCMATRIX", "QSECTION", "INDICATORS", "GENCONS", "PWLOBJ", "SCENARIOS"].contains(word) {
                notes = ["blomodel reads linear and quadratic-objective programs; this section is not supported"]
            }
            throw fail("unsupported MPS section '\(parts[0].text)'", parts[0], notes: notes)
        }
        if objsensePending { throw fail("OBJSENSE needs MAX or MIN (on its line or the next)", parts[0]) }
        if objnamePending { throw fail("OBJNAME needs a row name (on its line or the next)", parts[0]) }
        if section == .columns { currentColumn = nil }
        section = s
        switch s {
        case .name:
            // The rest of the line, as written (an empty NAME is fine).
            file.name = parts.dropFirst().map(\.text).joined(separator: " ")
        case .objsense:
            if parts.count > 1 { try objectiveSense(parts[1]) } else { objsensePending = true }
            file.objectiveSenseLocation = at(parts[0])
        case .objname:
            if parts.count > 1 { objectiveName(parts[1]) } else { objnamePending = true }
        case .quadobj, .qmatrix:
            if file.quadraticLocation != nil {
                throw fail("a second quadratic objective section: QUADOBJ and QMATRIX give Q once", parts[0])
            }
            file.quadraticLocation = at(parts[0])
        case .endata: sawEnd = true
        default: break
        }
    }

    mutating func objectiveSense(_ f: Field) throws {
        switch f.text.uppercased() {
        case "MAX", "MAXIMIZE", "MAXIMISE": file.objectiveSense = .maximize
        case "MIN", "MINIMIZE", "MINIMISE": file.objectiveSense = .minimize
        default: throw fail("OBJSENSE must be MAX or MIN, not '\(f.text)'", f)
        }
        objsensePending = false
    }

    mutating func objectiveName(_ f: Field) {
        objective = f.text
        objnamePending = false
    }

    mutating func dataLine(_ parts: [Field]) throws {
        guard let section else {
            throw fail("a data line before any section (NAME, ROWS, COLUMNS, ...)", parts[0])
        }
        switch section {
        case .name:
            // A name on the line after NAME (some writers).
            if file.name.isEmpty { file.name = parts.map(\.text).joined(separator: " ") }
        case .objsense:
            guard objsensePending else { throw fail("OBJSENSE takes one line: MAX or MIN", parts[0]) }
            try objectiveSense(parts[0])
        case .objname:
            guard objnamePending else { throw fail("OBJNAME takes one line: the objective row's name", parts[0]) }
            objectiveName(parts[0])
        case .rows: try rowLine(parts)
        case .columns: try columnLine(parts)
        case .rhs: try rhsLine(parts, ranges: false)
        case .ranges: try rhsLine(parts, ranges: true)
        case .bounds: try boundLine(parts)
        case .quadobj, .qmatrix: try quadraticLine(parts, full: section == .qmatrix)
        case .endata: break
        }
    }

    mutating func rowLine(_ parts: [Field]) throws {
        guard parts.count == 2 else {
            throw fail("a ROWS line is a type (N, L, G or E) and a row name", parts[min(parts.count - 1, 2)])
        }
        let name = parts[1].text
        if file.rowIndex[name] != nil || name == objective && objectiveSeen || freeRows.contains(name) {
            throw fail("row '\(name)' is declared twice", parts[1])
        }
        switch parts[0].text.uppercased() {
        case "N":
            if !objectiveSeen, objective == nil || objective == name {
                objective = name
                objectiveSeen = true
                file.objectiveName = name
                file.objectiveLocation = at(parts[1])
            } else {
                freeRows.insert(name)
                file.droppedFreeRows.append(name)
            }
        case "L", "G", "E":
            let sense = MPSFile.RowSense(rawValue: parts[0].text.uppercased())!
            file.rowIndex[name] = file.rows.count
            file.rows.append(MPSFile.Row(name: name, sense: sense, location: at(parts[1])))
        default:
            throw fail("unknown row type '\(parts[0].text)'", parts[0], notes: ["row types are N (objective or free), L (<=), G (>=) and E (=)"])
        }
    }

    mutating func columnLine(_ parts: [Field]) throws {
        // Marker lines: name 'MARKER' 'INTORG' / 'INTEND'.
        if parts.count >= 3, parts[1].text.trimmingCharacters(in: ["'", "\""]).uppercased() == "MARKER" {
            let kind = parts[2].text.trimmingCharacters(in: ["'", "\""]).uppercased()
            switch kind {
            case "INTORG": integerMarker = true
            case "INTEND": integerMarker = false
            default:
                throw fail("unsupported marker '\(parts[2].text)'", parts[2], notes: ["the markers read are 'INTORG' and 'INTEND' (integer columns)"])
            }
            currentColumn = nil
            return
        }
        guard parts.count == 3 || parts.count == 5 else {
            throw fail(
                "a COLUMNS line is a column name and one or two (row, value) pairs", parts[min(parts.count - 1, 5)],
                notes: parts.count == 2 ? ["the value is missing"] : [])
        }
        let name = parts[0].text
        let j: Int
        if let c = currentColumn, file.columns[c].name == name {
            j = c
        } else if let previous = file.columnIndex[name] {
            throw fail(
                "the entries of column '\(name)' are split: it already has a block at line \(file.columns[previous].location.line)",
                parts[0], notes: ["list every entry of a column in one run of lines (as GLPK and CoinMpsIO require)"])
        } else {
            j = file.columns.count
            file.columnIndex[name] = j
            file.columns.append(MPSFile.Column(name: name, location: at(parts[0])))
            lowerSet.append(false)
            if integerMarker { file.columns[j].kind = .integer }
        }
        currentColumn = j
        var k = 1
        while k + 1 < parts.count {
            let value = try finite(parts[k + 1], "coefficient")
            if parts[k].text == objective {
                if file.columns[j].objective != 0 || objectiveEntries.contains(j) {
                    throw fail("column '\(name)' has two entries in the objective row", parts[k])
                }
                objectiveEntries.insert(j)
                file.columns[j].objective = value
            } else if let i = try row(parts[k]) {
                if file.rows[i].coefficients.keys.last == j || rowEntries[i] == j {
                    throw fail("column '\(name)' has two entries in row '\(parts[k].text)'", parts[k])
                }
                rowEntries[i] = j
                file.rows[i].coefficients[j] = value
            }
            k += 2
        }
    }

    var objectiveEntries: Set<Int> = []
    /// The last column that gave an entry in each row (zeros are not stored, so this catches repeats).
    var rowEntries: [Int: Int] = [:]
    var rhsSeen: Set<Int> = []
    var rangeSeen: Set<Int> = []

    mutating func rhsLine(_ parts: [Field], ranges: Bool) throws {
        // [set name] row value [row value]: an odd count has the set name.
        let what = ranges ? "RANGES" : "RHS"
        guard (2...5).contains(parts.count) else {
            throw fail("an \(what) line is an optional set name and one or two (row, value) pairs", parts[min(parts.count - 1, 5)])
        }
        var k = parts.count % 2 == 1 ? 1 : 0
        while k + 1 < parts.count {
            let f = parts[k]
            if f.text == objective {
                if ranges { throw fail("RANGES on the objective row", f) }
                if file.objectiveConstantLocation != nil { throw fail("a second RHS entry for the objective row", f) }
                // CoinMpsIO: objectiveOffset = value, objective = c'x - offset.
                file.objectiveConstant = -(try finite(parts[k + 1], "objective constant"))
                file.objectiveConstantLocation = at(f)
            } else if let i = try row(f) {
                if ranges {
                    if rangeSeen.contains(i) { throw fail("a second RANGES entry for row '\(f.text)'", f) }
                    rangeSeen.insert(i)
                    let r = try extended(parts[k + 1], "range")
                    file.rows[i].range = r
                } else {
                    if rhsSeen.contains(i) { throw fail("a second RHS entry for row '\(f.text)'", f) }
                    rhsSeen.insert(i)
                    file.rows[i].rhs = try extended(parts[k + 1], "right-hand side")
                    file.rows[i].rhsLocation = at(f)
                }
            }
            k += 2
        }
    }

    mutating func boundLine(_ parts: [Field]) throws {
        let type = parts[0].text.uppercased()
        let needsValue = ["UP", "LO", "FX", "LI", "UI"].contains(type)
        let noValue = ["FR", "MI", "PL", "BV"].contains(type)
        guard needsValue || noValue else {
            var notes = ["the bound types read are UP, LO, FX, FR, MI, PL, BV, LI and UI"]
            if type == "SC" { notes.insert("semicontinuous columns (SC) are not supported", at: 0) }
            throw fail("unsupported bound type '\(parts[0].text)'", parts[0], notes: notes)
        }
        // type [set] column [value]
        var columnField: Field
        var valueField: Field?
        switch (parts.count, needsValue) {
        case (4, true): (columnField, valueField) = (parts[2], parts[3])
        case (3, true):
            if file.columnIndex[parts[2].text] != nil, parseDecimal(parts[2].text) == nil {
                throw fail("the \(type) bound of '\(parts[2].text)' has no value", parts[2])
            }
            (columnField, valueField) = (parts[1], parts[2])
        case (2, false): columnField = parts[1]
        case (3, false):
            // BV may carry a value: "BV col 1" or "BV set col".
            if file.columnIndex[parts[2].text] == nil, file.columnIndex[parts[1].text] != nil, parseDecimal(parts[2].text) != nil {
                columnField = parts[1]
            } else {
                columnField = parts[2]
            }
        case (4, false): columnField = parts[2]
        default:
            throw fail(
                needsValue ? "a \(type) bound is: \(type) [bound set] column value" : "a \(type) bound is: \(type) [bound set] column",
                parts[min(parts.count - 1, 3)])
        }
        let j = try column(columnField)
        let value = try valueField.map { try extended($0, "bound") }
        file.columns[j].hasBoundEntry = true
        var c = file.columns[j]
        func binding(_ side: String) -> Diagnostic {
            fail("the \(side) bound \(valueField!.text) of '\(c.name)' is infinite on its binding side", valueField!)
        }
        switch type {
        case "UP", "UI":
            guard let v = value else { break }
            if v == -.infinity { throw binding("upper") }
            c.upper = v
            if type == "UI" { c.kind = .integer }
            if v < 0, !lowerSet[j], c.lower == 0 {
                c.lower = -.infinity
                file.warnings.append(
                    source.quoting(
                        Diagnostic(
                            .warning, "the upper bound \(formatNumber(v)) of '\(c.name)' is negative and no lower bound was given: the lower bound is -infinity (MPS convention)",
                            at: at(valueField!), length: valueField!.text.count)))
            }
        case "LO", "LI":
            guard let v = value else { break }
            if v == .infinity { throw binding("lower") }
            c.lower = v
            lowerSet[j] = true
            if type == "LI" { c.kind = .integer }
        case "FX":
            guard let v = value else { break }
            if !v.isFinite { throw fail("the fixed value \(valueField!.text) of '\(c.name)' is infinite", valueField!) }
            c.lower = v
            c.upper = v
            lowerSet[j] = true
        case "FR":
            c.lower = -.infinity
            c.upper = .infinity
            lowerSet[j] = true
        case "MI":
            c.lower = -.infinity
            lowerSet[j] = true
        case "PL": c.upper = .infinity
        case "BV":
            c.lower = 0
            c.upper = 1
            c.kind = .binary
            lowerSet[j] = true
        default: break
        }
        file.columns[j] = c
    }

    mutating func quadraticLine(_ parts: [Field], full: Bool) throws {
        guard parts.count == 3 else {
            throw fail("a \(full ? "QMATRIX" : "QUADOBJ") line is two column names and a value", parts[min(parts.count - 1, 3)])
        }
        let i = try column(parts[0]), j = try column(parts[1])
        let v = try finite(parts[2], "quadratic coefficient")
        let location = at(parts[0])
        if full {
            qmatrixEntries.append((i, j, v, location))
            return
        }
        let pair = VarPair(i, j)
        if let previous = quadratic[pair] {
            throw fail(
                "QUADOBJ gives the entry (\(parts[0].text), \(parts[1].text)) twice (first at line \(previous.at.line))", parts[0],
                notes: ["QUADOBJ lists one triangle of Q: each pair once"])
        }
        quadratic[pair] = (v, location)
    }

    mutating func finish() throws {
        if objsensePending {
            throw Diagnostic(.error, "OBJSENSE needs MAX or MIN", at: file.objectiveSenseLocation)
        }
        // The default binary range: an integer column with no bound entry at all is in [0, 1].
        for j in file.columns.indices where file.columns[j].kind == .integer && !file.columns[j].hasBoundEntry {
            file.columns[j].upper = 1
            file.columns[j].kind = .binary
        }
        for j in file.columns.indices {
            let c = file.columns[j]
            if c.kind == .binary, c.lower < 0 || c.upper > 1 { file.columns[j].kind = .integer }
            if c.lower > c.upper {
                throw source.error(
                    "column '\(c.name)' has lower bound \(formatNumber(c.lower)) above its upper bound \(formatNumber(c.upper))",
                    at: c.location, length: c.name.count)
            }
        }
        for r in file.rows {
            let (lo, hi) = (r.lower, r.upper)
            if lo == .infinity || hi == -.infinity || lo > hi {
                throw source.error(
                    "row '\(r.name)' can never hold: its sides are [\(formatNumber(lo)), \(formatNumber(hi))]", at: r.rhsLocation ?? r.location,
                    length: r.name.count)
            }
        }
        // Q: QUADOBJ holds one triangle (an off-diagonal entry stands for Q_ij and Q_ji), QMATRIX all
        // of it (checked symmetric). The objective is 1/2 x'Qx: c_ii = Q_ii / 2, c_ij = Q_ij (i < j).
        if !qmatrixEntries.isEmpty {
            var entries: [Int: (value: Double, at: SourceLocation)] = [:]
            let n = file.columns.count
            for e in qmatrixEntries {
                if let previous = entries[e.i * n + e.j] {
                    throw source.error(
                        "QMATRIX gives the entry (\(file.columns[e.i].name), \(file.columns[e.j].name)) twice (first at line \(previous.at.line))",
                        at: e.at, length: file.columns[e.i].name.count)
                }
                entries[e.i * n + e.j] = (e.value, e.at)
            }
            for e in qmatrixEntries {
                let mirror = entries[e.j * n + e.i]?.value ?? 0
                if mirror != e.value {
                    throw source.error(
                        "QMATRIX is not symmetric: (\(file.columns[e.i].name), \(file.columns[e.j].name)) is \(formatNumber(e.value)), its mirror \(formatNumber(mirror))",
                        at: e.at, length: file.columns[e.i].name.count, notes: ["QMATRIX lists all of Q; QUADOBJ lists one triangle"])
                }
                if e.i <= e.j { quadratic[VarPair(e.i, e.j)] = (e.value, e.at) }
            }
        }
        let terms = quadratic.map { (pair, entry) in
            StandardForm.QuadraticTerm(pair.first, pair.second, pair.first == pair.second ? entry.value / 2 : entry.value)
        }
        file.quadraticObjective = terms.filter { $0.coefficient != 0 }.sorted { ($0.first, $0.second) < ($1.first, $1.second) }
    }
}
