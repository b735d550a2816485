/// A message about the user's input: where, what, and how to fix it.
///
/// Rendered in the compiler style every editor understands:
///
///     model.blo:4:12: error: unknown name 'cots'
///         minimize sum{a in ARCS} cots[a] * f[a];
///                                 ^~~~
///     note: did you mean 'cost'?
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    public var severity: Severity
    public var message: String
    public var location: SourceLocation?
    /// The quoted source line, when the location is in a file we read.
    public var sourceLine: String?
    /// How many characters the caret underlines (at least one).
    public var length: Int
    /// Follow-up lines: hints, "did you mean", what would make the input valid.
    public var notes: [String]

    public init(
        _ severity: Severity = .error, _ message: String, at location: SourceLocation? = nil,
        sourceLine: String? = nil, length: Int = 1, notes: [String] = []
    ) {
        self.severity = severity
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
        self.length = max(1, length)
        self.notes = notes
    }

    /// The diagnostic as the lines a terminal shows.
    public var rendered: String {
        var out = ""
        if let location { out += "\(location): " }
        out += "\(severity.rawValue): \(message)"
        if let sourceLine, let location, location.column >= 1 {
            out += "\n    " + sourceLine.replacingTabs()
            let pad = String(repeating: " ", count: location.column - 1)
            out += "\n    " + pad + "^" + String(repeating: "~", count: max(0, length - 1))
        }
        for note in notes { out += "\nnote: \(note)" }
        return out
    }

    public var description: String { rendered }

    /// The first line only: `file:line:column: severity: message`, with the notes after semicolons.
    public var headline: String {
        var out = ""
        if let location { out += "\(location): " }
        out += "\(severity.rawValue): \(message)"
        for note in notes { out += "; \(note)" }
        return out
    }
}

/// One or more diagnostics raised together (the parser may report several errors).
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.rendered).joined(separator: "\n") }
}

extension String {
    fileprivate func replacingTabs() -> String {
        map { $0 == "\t" ? " " : String($0) }.joined()
    }
}

extension SourceFile {
    /// The diagnostic with its source line quoted from this file, when it points into it.
    public func quoting(_ d: Diagnostic) -> Diagnostic {
        guard d.sourceLine == nil, let at = d.location, at.file == path, let text = line(at.line) else { return d }
        var quoted = d
        quoted.sourceLine = text
        return quoted
    }

    /// An error at a location in this file, quoting its line.
    public func error(_ message: String, at location: SourceLocation, length: Int = 1, notes: [String] = [])
        -> Diagnostic
    {
        Diagnostic(.error, message, at: location, sourceLine: line(location.line), length: length, notes: notes)
    }
}

/// The longest name that gets a "did you mean" note: the edit distance takes time in the
/// product of the two lengths, and a model may declare many long names.
public let longestSuggestedName = 64

/// The closest candidate by edit distance, for "did you mean" notes (names and candidates
/// longer than `longestSuggestedName` are not compared).
public func closestName(to name: String, among candidates: [String]) -> String? {
    guard name.count <= longestSuggestedName else { return nil }
    var best: (String, Int)?
    for candidate in candidates where candidate.count <= longestSuggestedName {
        let limit = max(1, min(name.count, candidate.count) / 2)
        // Lengths further apart than the limit cannot be within it.
        if abs(name.count - candidate.count) > limit { continue }
        let d = editDistance(name.lowercased(), candidate.lowercased())
        if d <= limit, best == nil || d < best!.1 { best = (candidate, d) }
    }
    return best?.0
}

/// Levenshtein distance between two strings.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

#if canImport(Foundation)
import Foundation

extension Diagnostic {
    /// The same diagnostic with its source line filled in from the file on disk,
    /// for diagnostics raised after parsing (classification, reformulation).
    public func withSourceLine() -> Diagnostic {
        // Names in angle brackets (`<stdin>`, `<code>`) are not files: never open one.
        guard sourceLine == nil, let location, location.line > 0, !location.file.hasPrefix("<"),
            let text = try? String(contentsOfFile: location.file, encoding: .utf8)
        else { return self }
        var d = self
        d.sourceLine = SourceFile(path: location.file, text: text).line(location.line)
        return d
    }
}
#endif
