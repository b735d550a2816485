import BlomodelCore
import Foundation

/// A table of data from a CSV file with a header row: index sets and parameters for a model
/// built in Swift (the `.blo` language's `csv("file", "column", ...)`).
///
/// ```swift
/// let arcs = try DataTable(csv: "arcs.csv")
/// let A = try arcs.members("from", "to")                  // [[1, 2], [1, 3], ...]
/// let cost = try arcs.parameter("cost", by: "from", "to")  // cost[a], cost[1, 2]
/// ```
///
/// Errors in the data (a row with the wrong number of fields, a value that is not a number)
/// point into the CSV file; a missing file or column points at the Swift call.
public struct DataTable: Sendable {
    public let table: CSVTable

    /// Reads a CSV file (a relative path is relative to the working directory).
    public init(csv path: String, file: String = #fileID, line: Int = #line, column: Int = #column) throws {
        let at = SourceLocation(file: file, line: line, column: column)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Diagnostic(
                .error, "cannot read CSV file '\(path)'", at: at,
                notes: ["looked for \(path) from the working directory \(FileManager.default.currentDirectoryPath)"])
        }
        guard let table = try CSVTable.parse(SourceFile(path: path, text: text)) else {
            throw Diagnostic(.error, "CSV file '\(path)' is empty; it needs a header row", at: at)
        }
        self.table = table
    }

    /// The header's column names.
    public var columns: [String] { table.header }

    func column(_ name: String, _ at: SourceLocation) throws -> Int {
        if let i = table.header.firstIndex(of: name) { return i }
        var notes = ["the columns are: " + table.header.joined(separator: ", ")]
        if let s = closestName(to: name, among: table.header) { notes.insert("did you mean '\(s)'?", at: 0) }
        throw Diagnostic(.error, "CSV file '\(table.source.path)' has no column '\(name)'", at: at, notes: notes)
    }

    /// The distinct tuples of the named columns, in the order of the rows (a set: `set A =
    /// csv("arcs.csv", "from", "to")`). A field that reads as an integer is an integer.
    public func members(_ columns: String..., file: String = #fileID, line: Int = #line, column: Int = #column) throws
        -> [Tuple]
    {
        let at = SourceLocation(file: file, line: line, column: column)
        let indices = try columns.map { try self.column($0, at) }
        var seen = Set<Tuple>()
        var result: [Tuple] = []
        for row in table.rows {
            for i in indices where row[i].text.isEmpty {
                throw table.source.error("empty field in column '\(table.header[i])'", at: row[i].location)
            }
            let t = indices.map { CSVTable.element(row[$0].text) }
            if seen.insert(t).inserted { result.append(t) }
        }
        return result
    }

    /// A parameter: the named column's values by the index columns (`param cost{ARCS} =
    /// csv("arcs.csv", "cost")`). Empty value fields take the default.
    public func parameter(
        _ valueColumn: String, by index: String..., default defaultValue: Double? = nil, file: String = #fileID,
        line: Int = #line, column: Int = #column
    ) throws -> Parameter {
        let at = SourceLocation(file: file, line: line, column: column)
        let keys = try index.map { try self.column($0, at) }
        let v = try self.column(valueColumn, at)
        var values: [Tuple: Double] = [:]
        for row in table.rows {
            let key = keys.map { CSVTable.element(row[$0].text) }
            let cell = row[v]
            if cell.text.isEmpty { continue }
            guard let x = Double(cell.text), x.isFinite else {
                throw table.source.error(
                    "'\(cell.text)' in column '\(valueColumn)' is not a number", at: cell.location, length: max(1, cell.text.count))
            }
            values[key] = x
        }
        return Parameter(valueColumn, values, default: defaultValue)
    }
}

/// Indexed data: `cost[a]`, `demand[k]`. A subscript gives an `Expr` (a number), so that a
/// member without a value (and no default) is reported, with the Swift line, where the
/// expression is used; `value(_:)` gives the plain number.
public struct Parameter: Sendable {
    public let name: String
    public var values: [Tuple: Double]
    public var defaultValue: Double?

    public init(_ name: String, _ values: [Tuple: Double], default defaultValue: Double? = nil) {
        self.name = name
        self.values = values
        self.defaultValue = defaultValue
    }

    /// A parameter from Swift values by member: `Parameter("demand", [1: 10, 2: 5])`.
    public init<K: SetMember>(_ name: String, _ values: [K: Double], default defaultValue: Double? = nil) {
        var v: [Tuple: Double] = [:]
        for (k, x) in values { v[k.parts] = x }
        self.init(name, v, default: defaultValue)
    }

    /// The value of one member, or nil when it has none and there is no default.
    public func value(_ parts: any SetMember...) -> Double? {
        values[parts.flatMap(\.parts)] ?? defaultValue
    }

    public subscript(_ parts: any SetMember..., file file: String = #fileID, line line: Int = #line, column column: Int = #column)
        -> Expr
    {
        let key = parts.flatMap(\.parts)
        if let v = values[key] ?? defaultValue { return Expr(v) }
        let suggestion = memberSuggestion(key, among: Array(values.keys).sorted { $0.lexicographicallyPrecedes($1) })
        return .failed(
            "\(indexedName(name, key)) has no value and '\(name)' has no default",
            at: SourceLocation(file: file, line: line, column: column),
            notes: suggestion.isEmpty ? ["give the value in the data, or a default: Parameter(..., default: 0)"] : suggestion)
    }
}
