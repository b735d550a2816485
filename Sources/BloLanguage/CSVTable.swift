import BlomodelCore
import Foundation

/// A CSV file with a header row, read for `csv("file", "column")` data.
/// Cells keep their positions so that bad data is reported at `file:line:column`.
struct CSVTable {
    struct Cell {
        var text: String
        var location: SourceLocation
    }
    let source: SourceFile
    let header: [String]
    let rows: [[Cell]]

    /// Reads a file; `path` is relative to the model's directory.
    static func read(_ path: String, relativeTo directory: String, from model: SourceFile, at location: SourceLocation)
        throws -> CSVTable
    {
        let full = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: full), let text = String(data: data, encoding: .utf8)
        else {
            throw model.error(
                "cannot read CSV file '\(path)'", at: location, length: 3,
                notes: ["looked for \(full); CSV paths are relative to the model file (to the current directory for a model read from standard input)"])
        }
        let file = SourceFile(path: full, text: text)
        var parsed: [[Cell]] = []
        for (n, raw) in file.lines.enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            var cells: [Cell] = []
            var current = "", column = 1, start = 1, inQuotes = false
            for ch in line {
                if ch == "\"" {
                    inQuotes.toggle()
                } else if ch == ",", !inQuotes {
                    cells.append(Cell(text: current.trimmingCharacters(in: .whitespaces), location: SourceLocation(file: full, line: n + 1, column: start)))
                    current = ""
                    start = column + 1
                } else {
                    current.append(ch)
                }
                column += 1
            }
            cells.append(Cell(text: current.trimmingCharacters(in: .whitespaces), location: SourceLocation(file: full, line: n + 1, column: start)))
            parsed.append(cells)
        }
        guard let first = parsed.first else {
            throw model.error("CSV file '\(path)' is empty; it needs a header row", at: location, length: 3)
        }
        let table = CSVTable(source: file, header: first.map(\.text), rows: Array(parsed.dropFirst()))
        for row in table.rows where row.count != table.header.count {
            throw file.error(
                "this row has \(row.count) fields but the header has \(table.header.count)", at: row[0].location)
        }
        return table
    }

    /// The index of a named column, or a diagnostic at the `csv(...)` call.
    func column(_ name: String, model: SourceFile, at location: SourceLocation) throws -> Int {
        if let i = header.firstIndex(of: name) { return i }
        var notes = ["the columns are: " + header.joined(separator: ", ")]
        if let s = closestName(to: name, among: header) { notes.insert("did you mean '\(s)'?", at: 0) }
        throw model.error("CSV file '\(source.path)' has no column '\(name)'", at: location, length: 3, notes: notes)
    }

    static func element(_ text: String) -> Element {
        if let v = Int(text) { return .int(v) }
        return .symbol(text)
    }
}
