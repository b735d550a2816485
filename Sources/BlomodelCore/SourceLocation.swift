/// A position in a source file: 1-based line and column.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A location for things that were not read from a file (models built in code).
    public static let unknown = SourceLocation(file: "<code>", line: 0, column: 0)

    public var description: String { "\(file):\(line):\(column)" }
}

/// The text of one source file, kept so that diagnostics can quote the offending line.
public struct SourceFile: Sendable {
    public let path: String
    public let text: String
    public let lines: [Substring]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        // "\r\n" is one Character in Swift, so both line ends are named.
        self.lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    }

    /// The text of a 1-based line, without its newline, or nil when out of range.
    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= lines.count else { return nil }
        var s = String(lines[number - 1])
        if s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}
