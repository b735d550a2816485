/// The two file formats of an exported single-level program.
public enum ProgramFileFormat: String, Sendable, CaseIterable {
    /// Free MPS (`.mps`): whitespace-separated fields, names without spaces.
    case mps
    /// CPLEX LP (`.lp`): the algebraic format CPLEX, GLPK and CBC read.
    case lp

    /// The format a file name's extension asks for (`.mps`, `.lp`, case-insensitive), or nil.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".mps") {
            self = .mps
        } else if lower.hasSuffix(".lp") {
            self = .lp
        } else {
            return nil
        }
    }
}

/// Names as a file format allows them: every row and column name of an export is sanitised for
/// its format, then made unique with deterministic suffixes (`_2`, `_3`, ...).
///
/// Rules (docs/formats.md, "Sanitising names"):
/// - both formats: at most 255 characters; an empty name becomes `_`;
/// - free MPS: no whitespace; `$` (a comment in COIN-OR's reader) and `'` (quotes the markers)
///   become `_`;
/// - CPLEX LP: only letters, digits and ``! " # $ % & ( ) / , . ; ? @ _ ` ' { } | ~``; `[` and `]`
///   become `(` and `)`, every other character `_`; a name starting with a digit or a period, or
///   with `e`/`E` followed by a digit, a sign or nothing (it would read as an exponent), or equal
///   to a keyword of the format (`st`, `bounds`, `free`, `inf`, `end`, ...) gets a `_` in front.
public enum FileNames {
    /// The longest name either format keeps (CPLEX's limit; GLPK's too).
    public static let maximumLength = 255

    /// Words of the LP format that a name must not be (compared case-insensitively).
    static let lpKeywords: Set<String> = [
        "st", "s.t.", "st.", "subject", "such", "to", "that", "bound", "bounds", "free", "inf", "infinity",
        "gen", "general", "generals", "integer", "integers", "bin", "binary", "binaries", "semi", "semis",
        "semi-continuous", "sos", "end", "minimize", "minimise", "minimum", "min", "maximize", "maximise", "maximum", "max",
    ]

    /// Characters the LP format allows in a name besides letters and digits.
    static let lpSymbols: Set<Character> = ["!", "\"", "#", "$", "%", "&", "(", ")", "/", ",", ".", ";", "?", "@", "_", "`", "'", "{", "}", "|", "~"]

    /// `name` with every character the format does not allow replaced, at most `maximumLength`
    /// characters long (before any uniqueness suffix).
    public static func sanitize(_ name: String, for format: ProgramFileFormat) -> String {
        var out = ""
        for c in name {
            switch format {
            case .mps:
                if c.isWhitespace || c == "$" || c == "'" || !c.isASCII || c.asciiValue! < 33 || c.asciiValue! == 127 {
                    out.append("_")
                } else {
                    out.append(c)
                }
            case .lp:
                if c == "[" {
                    out.append("(")
                } else if c == "]" {
                    out.append(")")
                } else if c.isASCII, c.isLetter || c.isNumber || lpSymbols.contains(c) {
                    out.append(c)
                } else {
                    out.append("_")
                }
            }
        }
        if out.isEmpty { out = "_" }
        if format == .lp {
            let chars = Array(out)
            let first = chars[0]
            let startsBadly =
                first.isNumber || first == "."
                || ((first == "e" || first == "E") && (chars.count == 1 || chars[1].isNumber || chars[1] == "+" || chars[1] == "-"))
            if startsBadly || lpKeywords.contains(out.lowercased()) { out = "_" + out }
        }
        if out.count > maximumLength { out = String(out.prefix(maximumLength)) }
        return out
    }

    /// The names sanitised for `format` and made unique: the first name with a given sanitised
    /// form keeps it; each later one gets the smallest suffix `_k` (k >= 2) that makes a name no
    /// other entry has and none of `reserved` (the base cut so the whole stays within
    /// `maximumLength`). The same input always gives the same names.
    public static func unique(_ names: [String], for format: ProgramFileFormat, reserved: Set<String> = []) -> [String] {
        let bases = names.map { sanitize($0, for: format) }
        var taken = reserved.union(bases)
        var firstSeen = reserved
        var out: [String] = []
        out.reserveCapacity(names.count)
        for base in bases {
            if !firstSeen.contains(base) {
                firstSeen.insert(base)
                out.append(base)
                continue
            }
            var k = 2
            while true {
                let suffix = "_\(k)"
                let candidate = String(base.prefix(maximumLength - suffix.count)) + suffix
                if !taken.contains(candidate) {
                    taken.insert(candidate)
                    out.append(candidate)
                    break
                }
                k += 1
            }
        }
        return out
    }
}
