import BlomodelCore
import Foundation

/// A MibS auxiliary file as written, before its names and indices are checked against the MPS
/// file: which columns are the follower's, its objective, which rows are its, and (legacy
/// interdiction files) the interdiction costs and budget.
///
/// Both syntaxes are read, even mixed in one file, as MibS 1.2 does:
///
/// - name-based: `@NUMVARS n`, `@NUMCONSTRS m`, `@VARSBEGIN` then `n` pairs `column coefficient`
///   (optionally closed by `@VARSEND`), `@CONSTRSBEGIN` then `m` row names (optionally closed by
///   `@CONSTRSEND`), `@OBJSENSE MAX|MIN`, and the informational `@NAME`, `@MPS`, `@LP` (their
///   value is the rest of the line, or the next line). The spellings of MibS's documentation
///   table and old versions are accepted too: `@NUMCONSTR`, `@CONSTRBEGIN`, `@CONSTSBEGIN`,
///   `@CONSTREND`, `@CONSTSEND`.
/// - legacy: `N n`, `M m`, one `LC` per follower column (an index from 0 or a name), one `LR` per
///   follower row, one `LO` per follower objective coefficient (in `LC` order), `OS 1|-1`, and for
///   interdiction files one `IC` per MPS column and `IB budget`.
///
/// Unknown tokens are skipped with a warning (MibS skips them silently; a misspelt key such as
/// `@OBJESENSE` would otherwise change the instance unnoticed).
public struct MibSAuxFile: Sendable {
    /// A token of the file: its text and where it starts.
    public struct Item: Sendable {
        /// The token as written.
        public var text: String
        /// Where it starts.
        public var location: SourceLocation
    }

    /// A follower variable of the name-based syntax: the column's name and its objective coefficient.
    public struct FollowerVariable: Sendable {
        /// The column's name.
        public var column: Item
        /// Its coefficient in the follower's objective, as written.
        public var coefficient: Item
    }

    /// Which syntax the file uses (`mixed` when it has keys of both).
    public enum Syntax: String, Sendable { case nameBased = "name-based", legacy, mixed }

    /// The file's path and text, for diagnostics.
    public var source: SourceFile
    /// The syntax the file uses.
    public var syntax: Syntax = .nameBased
    /// `@NUMVARS` / `N`, `@NUMCONSTRS` / `M`, with where they were written.
    public var variableCount: (value: Int, at: SourceLocation)?
    /// (See `variableCount`.)
    public var rowCount: (value: Int, at: SourceLocation)?
    /// `@VARSBEGIN` pairs.
    public var followerVariables: [FollowerVariable] = []
    /// Where `@VARSBEGIN` is.
    public var variablesLocation: SourceLocation?
    /// `@CONSTRSBEGIN` names.
    public var followerRowNames: [Item] = []
    /// Where `@CONSTRSBEGIN` is.
    public var rowsLocation: SourceLocation?
    /// Legacy `LC`, `LR`, `LO` values in order.
    public var legacyColumns: [Item] = []
    /// Legacy `LR` values.
    public var legacyRows: [Item] = []
    /// Legacy `LO` values.
    public var legacyObjective: [Item] = []
    /// The follower's sense (`@OBJSENSE MAX` or `OS -1`: maximise).
    public var followerSense: ObjectiveSense = .minimize
    /// Where the sense was given, if it was.
    public var senseLocation: SourceLocation?
    /// Interdiction: `IC` costs (one per MPS column) and the `IB` budget.
    public var interdictionCosts: [Item] = []
    /// The `IB` value.
    public var interdictionBudget: Item?
    /// `@NAME` and `@MPS` (or `@LP`), informational.
    public var instanceName: String?
    /// The MPS file named by `@MPS` or `@LP`.
    public var mpsFile: String?
    /// Where that name is written.
    public var mpsFileLocation: SourceLocation?
    /// What was said without refusing the file (unknown tokens skipped).
    public var warnings: [Diagnostic] = []

    /// True for the interdiction variant (an `IB` key).
    public var isInterdiction: Bool { interdictionBudget != nil }

    /// An empty file read from `source`.
    public init(source: SourceFile) { self.source = source }
}

/// Reads MibS auxiliary files (`MibSAuxFile`).
public enum MibSAuxReader {
    /// Reads the file at `path`.
    public static func read(path: String) throws -> MibSAuxFile {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1)
        else {
            throw Diagnostic(.error, "cannot read the MibS auxiliary file '\(path)'")
        }
        return try parse(SourceFile(path: path, text: text))
    }

    static let newKeys: Set<String> = [
        "@NUMVARS", "@NUMCONSTRS", "@NUMCONSTR", "@NUMCONSTS", "@VARSBEGIN", "@VARSEND", "@CONSTRSBEGIN", "@CONSTRBEGIN",
        "@CONSTSBEGIN", "@CONSTRSEND", "@CONSTREND", "@CONSTSEND", "@OBJSENSE", "@NAME", "@MPS", "@LP",
    ]
    static let legacyKeys: Set<String> = ["N", "M", "LC", "LR", "LO", "OS", "IC", "IB"]

    /// Parses aux text; diagnostics name `source.path`. Counts are checked here; names and
    /// indices are checked against the MPS file by `MibS.instance`.
    public static func parse(_ source: SourceFile) throws -> MibSAuxFile {
        var aux = MibSAuxFile(source: source)
        // Tokens with their line (for the whole-line values of @NAME and @MPS).
        var items: [(item: MibSAuxFile.Item, line: Int)] = []
        for (n, raw) in source.lines.enumerated() {
            var text = String(raw)
            if text.hasSuffix("\r") { text.removeLast() }
            for f in fields(of: text) {
                items.append((MibSAuxFile.Item(text: f.text, location: SourceLocation(file: source.path, line: n + 1, column: f.column)), n + 1))
            }
        }
        func fail(_ message: String, _ item: MibSAuxFile.Item, notes: [String] = []) -> Diagnostic {
            source.error(message, at: item.location, length: item.text.count, notes: notes)
        }
        func count(_ k: Int, after key: MibSAuxFile.Item) throws -> (Int, SourceLocation) {
            guard k < items.count else { throw fail("\(key.text) needs a number after it", key) }
            let t = items[k].item
            guard let v = Int(t.text), v >= 0 else { throw fail("'\(t.text)' is not a count (a nonnegative integer) after \(key.text)", t) }
            return (v, t.location)
        }
        var sawNew = false, sawLegacy = false
        var unknown: [MibSAuxFile.Item] = []
        var k = 0
        while k < items.count {
            let key = items[k].item
            let word = key.text
            if newKeys.contains(word) { sawNew = true } else if legacyKeys.contains(word) { sawLegacy = true }
            switch word {
            case "@NUMVARS", "N":
                if let previous = aux.variableCount {
                    throw fail("the number of follower variables is given twice (first at line \(previous.at.line))", key)
                }
                let (v, at) = try count(k + 1, after: key)
                aux.variableCount = (v, at)
                k += 2
            case "@NUMCONSTRS", "@NUMCONSTR", "@NUMCONSTS", "M":
                if let previous = aux.rowCount {
                    throw fail("the number of follower rows is given twice (first at line \(previous.at.line))", key)
                }
                let (v, at) = try count(k + 1, after: key)
                aux.rowCount = (v, at)
                k += 2
            case "@VARSBEGIN":
                if aux.variablesLocation != nil { throw fail("a second @VARSBEGIN section", key) }
                aux.variablesLocation = key.location
                k += 1
                // Pairs until @VARSEND or the next @ key (the count is checked below).
                while k < items.count, !items[k].item.text.hasPrefix("@") {
                    guard k + 1 < items.count, !items[k + 1].item.text.hasPrefix("@") else {
                        throw fail(
                            "follower variable '\(items[k].item.text)' has no objective coefficient", items[k].item,
                            notes: ["each line of @VARSBEGIN is a column name and its coefficient in the follower's objective (0 included)"])
                    }
                    aux.followerVariables.append(.init(column: items[k].item, coefficient: items[k + 1].item))
                    k += 2
                }
                if k < items.count, items[k].item.text == "@VARSEND" { k += 1 }
            case "@CONSTRSBEGIN", "@CONSTRBEGIN", "@CONSTSBEGIN":
                if aux.rowsLocation != nil { throw fail("a second \(word) section", key) }
                aux.rowsLocation = key.location
                k += 1
                while k < items.count, !items[k].item.text.hasPrefix("@") {
                    aux.followerRowNames.append(items[k].item)
                    k += 1
                }
                if k < items.count, ["@CONSTRSEND", "@CONSTREND", "@CONSTSEND"].contains(items[k].item.text) { k += 1 }
            case "@VARSEND", "@CONSTRSEND", "@CONSTREND", "@CONSTSEND":
                throw fail("\(word) without its section's beginning", key)
            case "@OBJSENSE", "OS":
                guard k + 1 < items.count else { throw fail("\(word) needs a value after it", key) }
                let v = items[k + 1].item
                let maximize: Bool
                switch (word, v.text.uppercased()) {
                case ("@OBJSENSE", "MAX"), ("@OBJSENSE", "MAXIMIZE"), ("OS", "-1"), ("OS", "-1.0"), ("OS", "-1."): maximize = true
                case ("@OBJSENSE", "MIN"), ("@OBJSENSE", "MINIMIZE"), ("OS", "1"), ("OS", "1.0"), ("OS", "1."): maximize = false
                default:
                    throw fail(
                        word == "OS" ? "OS must be 1 (minimise) or -1 (maximise), not '\(v.text)'" : "@OBJSENSE must be MAX or MIN, not '\(v.text)'", v)
                }
                if let previous = aux.senseLocation {
                    throw fail("the follower's sense is given twice (first at line \(previous.line))", key)
                }
                aux.followerSense = maximize ? .maximize : .minimize
                aux.senseLocation = key.location
                k += 2
            case "LC", "LR", "LO", "IC":
                guard k + 1 < items.count else { throw fail("\(word) needs a value after it", key) }
                let v = items[k + 1].item
                switch word {
                case "LC": aux.legacyColumns.append(v)
                case "LR": aux.legacyRows.append(v)
                case "LO": aux.legacyObjective.append(v)
                default: aux.interdictionCosts.append(v)
                }
                k += 2
            case "IB":
                guard k + 1 < items.count else { throw fail("IB needs a value after it", key) }
                if aux.interdictionBudget != nil { throw fail("IB is given twice", key) }
                aux.interdictionBudget = items[k + 1].item
                k += 2
            case "@NAME", "@MPS", "@LP":
                // The rest of the line, or the next line.
                let line = items[k].line
                var j = k + 1
                var words: [String] = []
                while j < items.count, items[j].line == line {
                    words.append(items[j].item.text)
                    j += 1
                }
                var at = j < items.count ? items[j].item.location : key.location
                if words.isEmpty, j < items.count, !items[j].item.text.hasPrefix("@") {
                    let next = items[j].line
                    at = items[j].item.location
                    while j < items.count, items[j].line == next {
                        words.append(items[j].item.text)
                        j += 1
                    }
                } else if !words.isEmpty {
                    at = items[k + 1].item.location
                }
                let value = words.joined(separator: " ")
                if word == "@NAME" {
                    aux.instanceName = value
                } else {
                    aux.mpsFile = value
                    aux.mpsFileLocation = at
                }
                k = j
            default:
                unknown.append(key)
                k += 1
            }
        }
        aux.syntax = sawNew && sawLegacy ? .mixed : sawLegacy ? .legacy : .nameBased
        if let first = unknown.first {
            var w = fail("'\(first.text)' is not a key of the MibS auxiliary format: skipped, as MibS does", first)
            w.severity = .warning
            if first.text.hasPrefix("@") {
                let keys = Array(newKeys).sorted()
                if let near = closestName(to: first.text, among: keys) { w.notes.append("did you mean '\(near)'?") }
            }
            if unknown.count > 1 { w.notes.append("\(unknown.count - 1) more unknown token(s) skipped") }
            aux.warnings.append(w)
        }
        if !sawNew && !sawLegacy {
            throw Diagnostic(
                .error, "the MibS auxiliary file has no keys (@NUMVARS, @VARSBEGIN, ... or N, M, LC, LR, LO)",
                at: SourceLocation(file: source.path, line: 1, column: 1), sourceLine: source.line(1))
        }
        return aux
    }
}
