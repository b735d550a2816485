import Foundation

/// A CSV file with a header row: the data of `csv("file", "column")` in `.blo` files and of
/// `DataTable` in the Swift DSL. Cells keep their positions so that bad data is reported at
/// `file:line:column`. Blank lines and lines starting with `#` are skipped; fields may be quoted.
public struct CSVTable: Sendable {
    public struct Cell: Sendable {
        public var text: String
        public var location: SourceLocation
    }
    public let source: SourceFile
    public let header: [String]
    public let rows: [[Cell]]

    /// Parses a file's text; nil when it has no header row. A row with a different number of
    /// fields than the header is an error at the row.
    public static func parse(_ file: SourceFile) throws -> CSVTable? {
        let full = file.path
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
        guard let first = parsed.first else { return nil }
        let table = CSVTable(source: file, header: first.map(\.text), rows: Array(parsed.dropFirst()))
        for row in table.rows where row.count != table.header.count {
            throw file.error(
                "this row has \(row.count) fields but the header has \(table.header.count)", at: row[0].location)
        }
        return table
    }

    /// A field as a set member: an integer when it reads as one, otherwise a symbol.
    public static func element(_ text: String) -> Element {
        if let v = Int(text) { return .int(v) }
        return .symbol(text)
    }
}
