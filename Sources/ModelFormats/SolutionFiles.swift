import BlomodelCore
import Foundation
import SolverInterface

/// A solution file another solver wrote for an exported program (`blomodel solve --solution`).
///
/// Two formats are read, told apart by their first line:
/// - CBC's (`cbc F.mps solve solu SOL`): a status line `Optimal - objective value -16` (or
///   `Infeasible`, `Unbounded`, `Stopped on time`, `Stopped on iterations`, `Stopped on ctrl-c`,
///   ..., and `(no integer solution - continuous used)` when the values are the LP relaxation's),
///   then one line per column, `index name value reduced-cost` (a line may start with `**`, which
///   marks a value outside its bounds). Values have 8 significant digits. CBC's default printing
///   leaves out the columns whose value and reduced cost are both zero: they read as 0, and
///   every listed column must sit at its own number. With `printingOptions all` the rows come
///   first, numbered from 0 again; they are skipped.
/// - GLPK's raw format (`glpsol ... -w SOL`, GLPK 5.0): `c` comment lines, a status line
///   `s mip ROWS COLS STATUS OBJ` (or `s bas ROWS COLS PRIM DUAL OBJ`, `s ipt ...`), `i` lines
///   for rows, `j` lines for columns (`j k value`; `j k stat value dual` for `bas`;
///   `j k value dual` for `ipt`), and `e o f`. It names no column: values are matched by
///   position, which the export keeps equal to the program's column order. Values have 15
///   significant digits.
///
/// glpsol's printable report (`-o`) is recognised and refused: it keeps 6 significant digits,
/// too few for the verification's tolerance.
///
/// Every problem is a positioned diagnostic (`SOL:line:column: error: ...`) quoting the line.
public struct SolverSolutionFile: Sendable {
    /// The solver that wrote the file: `cbc` or `glpsol`.
    public var solver: String
    /// Why the solver stopped, as the file states it (mapped to the project's statuses).
    public var termination: TerminationStatus
    /// The file's own words for its status (`Optimal`, `INTEGER OPTIMAL`, `s mip ... o`).
    public var statusText: String
    /// Whether the file's values are a point of the program the solver vouches for (false for an
    /// infeasible or undefined status, and for CBC's "continuous used").
    public var hasPoint: Bool
    /// The objective value the file states, when it states one.
    public var objective: Double?

    /// One value read from the file, with where it was.
    struct Entry: Sendable {
        var value: Double
        var token: String
        var line: Int
        var column: Int
        /// CBC's 0-based column number.
        var index: Int? = nil
    }

    let source: SourceFile
    /// CBC: values by name; glpsol: values by 1-based column position.
    var named: [String: Entry] = [:]
    var positional: [Int: Entry] = [:]
    /// glpsol: the column count of the status line, and where that line is.
    var declaredColumns: Int?
    var statusLine = 1

    /// Reads a solution file's text; `path` names it in diagnostics.
    public init(text: String, path: String) throws {
        source = SourceFile(path: path, text: text)
        solver = ""
        termination = .error
        statusText = ""
        hasPoint = false
        guard let first = source.lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            throw source.error(
                "the solution file is empty: expected CBC's solution (cbc F solve solu SOL) or glpsol's raw solution (glpsol ... -w SOL)",
                at: SourceLocation(file: path, line: 1, column: 1))
        }
        let head = String(source.lines[first])
        if head.hasPrefix("c ") || head.hasPrefix("s ") || head == "c" {
            try readGlpsol()
        } else if head.hasPrefix("Problem:") {
            throw source.error(
                "this is glpsol's printable report (-o), which keeps 6 significant digits, too few to verify the point",
                at: SourceLocation(file: path, line: first + 1, column: 1), length: 8,
                notes: ["write glpsol's raw solution instead: glpsol --freemps F.mps -w F.sol (or --lp F.lp -w F.sol)"])
        } else {
            try readCBC(firstLine: first)
        }
    }

    // MARK: - CBC

    mutating func readCBC(firstLine: Int) throws {
        solver = "cbc"
        statusLine = firstLine + 1
        let line = String(source.lines[firstLine])
        guard let range = line.range(of: " - objective value ") else {
            throw error(
                "expected CBC's status line ('Optimal - objective value ...') or glpsol's raw solution ('c ...' / 's ...')", line: statusLine,
                column: 1, length: max(1, line.count))
        }
        let status = line[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let objectiveText = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
        statusText = status
        objective = Self.number(objectiveText)
        let lower = status.lowercased()
        hasPoint = true
        if lower.hasPrefix("optimal") {
            termination = .optimal
        } else if lower.hasPrefix("infeasible") || lower.hasPrefix("integer infeasible") {
            termination = .infeasible
            hasPoint = false
        } else if lower.hasPrefix("unbounded") {
            termination = .unbounded
            hasPoint = false
        } else if lower.hasPrefix("stopped on time") {
            termination = .timeLimit
        } else if lower.hasPrefix("stopped on iterations") || lower.hasPrefix("stopped on nodes") {
            // CBC's words for its node and iteration limits.
            termination = .nodeLimit
        } else if lower.hasPrefix("stopped on ctrl-c") {
            termination = .interrupted
        } else if lower.hasPrefix("stopped") {
            termination = .error
        } else {
            throw error("unknown CBC status '\(status)'", line: statusLine, column: 1, length: max(1, status.count),
                notes: ["known: Optimal, Infeasible, Integer infeasible, Unbounded, Stopped on time, Stopped on iterations, Stopped on ctrl-c"])
        }
        if lower.contains("no integer solution") || lower.contains("continuous used") { hasPoint = false }
        var previous = -1
        for i in (firstLine + 1)..<source.lines.count {
            let text = String(source.lines[i])
            var fields = Self.fields(text)
            if fields.isEmpty { continue }
            if fields[0].text == "**" { fields.removeFirst() }
            guard fields.count == 4, Int(fields[0].text) != nil else {
                throw error(
                    "expected a column line 'index name value reduced-cost'", line: i + 1, column: fields.first?.column ?? 1,
                    length: max(1, text.trimmingCharacters(in: .whitespaces).count))
            }
            let name = fields[1].text
            // With `printingOptions all` CBC lists the rows first, then the columns, each block
            // numbered from 0: a number that does not increase starts the columns.
            let index = Int(fields[0].text)!
            if index <= previous { named = [:] }
            previous = index
            var entry = try value(fields[2], line: i + 1, what: "the value of column '\(name)'")
            entry.index = index
            _ = try value(fields[3], line: i + 1, what: "the reduced cost of column '\(name)'")
            if named[name] != nil {
                throw error("column '\(name)' appears twice", line: i + 1, column: fields[1].column, length: name.count,
                    notes: ["first at line \(named[name]!.line); write only the columns (cbc's default printingOptions)"])
            }
            named[name] = entry
        }
    }

    // MARK: - glpsol

    mutating func readGlpsol() throws {
        solver = "glpsol"
        var kind: String?
        var ended = false
        for i in 0..<source.lines.count {
            let text = String(source.lines[i])
            let fields = Self.fields(text)
            guard let tag = fields.first else { continue }
            let n = i + 1
            if ended {
                throw error("text after the end line 'e o f'", line: n, column: tag.column, length: max(1, tag.text.count))
            }
            switch tag.text {
            case "c":
                if text.hasPrefix("c Status:") { statusText = text.dropFirst(9).trimmingCharacters(in: .whitespaces) }
            case "s":
                guard kind == nil else { throw error("a second status line", line: n, column: 1) }
                guard fields.count >= 2, ["mip", "bas", "ipt"].contains(fields[1].text) else {
                    throw error("expected 's mip', 's bas' or 's ipt'", line: n, column: fields.count >= 2 ? fields[1].column : 1,
                        length: fields.count >= 2 ? fields[1].text.count : 1)
                }
                let k = fields[1].text
                let expected = k == "bas" ? 7 : 6
                guard fields.count == expected else {
                    throw error("expected \(expected) fields on glpsol's 's \(k)' line, found \(fields.count)", line: n, column: 1, length: max(1, text.count))
                }
                guard let rows = Int(fields[2].text), rows >= 0 else { throw error("expected the row count", line: n, column: fields[2].column, length: fields[2].text.count) }
                guard let cols = Int(fields[3].text), cols >= 0 else { throw error("expected the column count", line: n, column: fields[3].column, length: fields[3].text.count) }
                _ = rows
                declaredColumns = cols
                statusLine = n
                kind = k
                let objectiveField = fields[expected - 1]
                objective = try value(objectiveField, line: n, what: "the objective value").value
                try setGlpsolStatus(k, fields: fields, line: n)
            case "i":
                guard kind != nil else { throw error("a row line before the status line 's ...'", line: n, column: 1) }
            case "j":
                guard let k = kind else { throw error("a column line before the status line 's ...'", line: n, column: 1) }
                // mip: j k value; bas: j k stat value dual; ipt: j k value dual.
                let count = k == "mip" ? 3 : (k == "bas" ? 5 : 4)
                guard fields.count == count else {
                    throw error("expected \(count) fields on a column line of a '\(k)' solution, found \(fields.count)", line: n, column: 1, length: max(1, text.count))
                }
                guard let index = Int(fields[1].text), index >= 1, index <= declaredColumns! else {
                    throw error("column number '\(fields[1].text)' is not between 1 and \(declaredColumns!)", line: n, column: fields[1].column, length: fields[1].text.count)
                }
                if let earlier = positional[index] {
                    throw error("column \(index) appears twice", line: n, column: fields[1].column, length: fields[1].text.count, notes: ["first at line \(earlier.line)"])
                }
                positional[index] = try value(fields[k == "bas" ? 3 : 2], line: n, what: "the value of column \(index)")
            case "e":
                ended = true
            default:
                throw error("expected a line of glpsol's raw solution ('c', 's', 'i', 'j' or 'e')", line: n, column: tag.column, length: max(1, tag.text.count))
            }
        }
        guard kind != nil else {
            throw error("glpsol's raw solution has no status line 's ...'", line: source.lines.count, column: 1)
        }
        if statusText.isEmpty { statusText = "s \(kind!)" }
    }

    /// GLPK's status letters: mip `o` optimal, `f` feasible (not proven optimal), `n` no
    /// feasible point, `u` undefined; bas and ipt give the primal and dual status (`f f` optimal,
    /// `f n` unbounded, `n` infeasible).
    mutating func setGlpsolStatus(_ kind: String, fields: [Field], line: Int) throws {
        func letter(_ f: Field) throws -> String {
            guard ["o", "f", "n", "u", "i"].contains(f.text) else {
                throw error("unknown status letter '\(f.text)' (GLPK writes o, f, n, u or i)", line: line, column: f.column, length: f.text.count)
            }
            return f.text
        }
        let primal = try letter(fields[4])
        let dual = kind == "bas" ? try letter(fields[5]) : nil
        hasPoint = false
        switch (kind, primal, dual) {
        case ("bas", "f", "f"?), (_, "o", _):
            termination = .optimal
            hasPoint = true
        case ("mip", "f", _):
            // An integer-feasible point whose optimality glpsol did not prove (a limit stopped it;
            // the file does not say which).
            termination = .error
            hasPoint = true
        case ("bas", "f", "n"?):
            termination = .unbounded
        case (_, "n", _):
            termination = .infeasible
        default:
            termination = .error
        }
    }

    // MARK: - The point

    /// The point in the order of `columns` (the export's file columns, `ProgramFile.fileColumns`):
    /// CBC's values by name, glpsol's by position. Throws a positioned diagnostic when a column is
    /// missing, a name is not one of the export's, or the counts differ.
    public func point(columns: [String]) throws -> [Double] {
        if solver == "glpsol" {
            guard declaredColumns == columns.count else {
                throw error(
                    "the solution has \(declaredColumns ?? 0) column(s) and the exported program \(columns.count)", line: statusLine, column: 1,
                    notes: ["the file must come from a solve of this export (same model, route and options)"])
            }
            var out: [Double] = []
            for j in 1..<(columns.count + 1) {
                guard let e = positional[j] else {
                    throw error("column \(j) ('\(columns[j - 1])') is missing", line: statusLine, column: 1,
                        notes: ["glpsol's raw solution lists every column as 'j k ...'"])
                }
                out.append(e.value)
            }
            return out
        }
        let known = Set(columns)
        for (name, e) in named.sorted(by: { $0.value.line < $1.value.line }) where !known.contains(name) {
            throw error(
                "column '\(name)' is not a column of the exported program", line: e.line, column: 1,
                notes: ["the file must come from a solve of this export (same model, route and options)"]
                    + (closestName(to: name, among: columns).map { ["did you mean '\($0)'?"] } ?? []))
        }
        // CBC numbers the columns as the file it read: each listed one must sit at its place.
        let position = Dictionary(columns.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        for (name, e) in named.sorted(by: { $0.value.line < $1.value.line }) where e.index != position[name] {
            throw error(
                "column '\(name)' is number \(e.index ?? -1) in the file and \(position[name]!) in the exported program", line: e.line, column: 1,
                notes: ["the file must come from a solve of this export (same model, route and options, the same format)"])
        }
        // CBC's default printing leaves out the columns whose value and reduced cost are both 0.
        return columns.map { named[$0]?.value ?? 0 }
    }

    // MARK: - Fields and numbers

    struct Field {
        var text: String
        var column: Int
    }

    /// The whitespace-separated fields of a line, with 1-based columns.
    static func fields(_ line: String) -> [Field] {
        var out: [Field] = []
        var current = "", start = 0, col = 0
        for c in line {
            col += 1
            if c == " " || c == "\t" || c == "\r" {
                if !current.isEmpty { out.append(Field(text: current, column: start)) }
                current = ""
            } else {
                if current.isEmpty { start = col }
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(Field(text: current, column: start)) }
        return out
    }

    /// A finite decimal number (digits, sign, point, exponent), or nil.
    static func number(_ s: String) -> Double? {
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }), let v = Double(s), v.isFinite else { return nil }
        return v
    }

    func value(_ f: Field, line: Int, what: String) throws -> Entry {
        guard let v = Self.number(f.text) else {
            let lower = f.text.lowercased()
            let kind = lower.contains("nan") || lower.contains("inf") || Double(f.text) != nil ? "not a finite number" : "not a number"
            throw error("\(what) is \(kind): '\(f.text)'", line: line, column: f.column, length: f.text.count)
        }
        return Entry(value: v, token: f.text, line: line, column: f.column)
    }

    func error(_ message: String, line: Int, column: Int, length: Int = 1, notes: [String] = []) -> Diagnostic {
        source.error(message, at: SourceLocation(file: source.path, line: line, column: column), length: length, notes: notes)
    }
}

extension SolverSolutionFile {
    /// An error about the file as a whole, at its status line (a point that does not fit the
    /// exported program, for example).
    public func errorAtStatusLine(_ message: String, notes: [String] = []) -> Diagnostic {
        error(message, line: statusLine, column: 1, length: max(1, source.line(statusLine)?.count ?? 1), notes: notes)
    }

    /// How many of `columns` the file leaves out (CBC's default printing omits zeros).
    public func omittedColumns(_ columns: [String]) -> Int { solver == "cbc" ? columns.filter { named[$0] == nil }.count : 0 }

    /// The columns named in the file (CBC's format), or nil for a positional one (glpsol's).
    public var columnNames: Set<String>? { solver == "cbc" ? Set(named.keys) : nil }
}
