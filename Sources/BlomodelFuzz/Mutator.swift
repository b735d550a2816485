/// Mutations of fuzz inputs: byte-level, token-level, line-level, splices of two inputs,
/// deep nesting, long chains and huge sets in the model; cell and line edits in its CSV files.
///
/// Every choice comes from `random`, so a seed gives the same mutations on every run. A
/// mutation that does not apply (no number to replace) falls back on another; every chain of
/// fallbacks ends in one that always applies (inserting bytes or a token).
struct Mutator {
    var random: FuzzRandom

    /// A mutated model larger than this is dropped for a smaller mutation (as libFuzzer's `-max_len`).
    static let maximumModelSize = 2 << 20

    init(seed: UInt64) { random = FuzzRandom(seed: seed) }

    /// `input` with one to four mutations stacked; the names of the mutations applied.
    /// Half of the inputs get only gentle mutations, which mostly keep a model readable, so
    /// that the description and the classification see many variants, not only the parser.
    mutating func mutate(_ input: FuzzInput, donor: FuzzInput) -> (FuzzInput, [String]) {
        var output = input
        var applied: [String] = []
        if random.chance(1, in: 2) {
            for _ in 0..<random.pick([1, 1, 2, 3]) { applied.append(mutateGently(&output.model)) }
            return (output, applied)
        }
        let count = random.pick([1, 1, 1, 1, 2, 2, 3, 4])
        for _ in 0..<count {
            if !output.files.isEmpty, random.chance(1, in: 8) {
                let k = random.below(output.files.count)
                var bytes = output.files[k].bytes
                let name = mutateCSV(&bytes)
                output.files[k].bytes = bytes
                applied.append("\(name) (\(output.files[k].name))")
                continue
            }
            var bytes = output.model
            let name = mutateModel(&bytes, donor: donor)
            guard bytes.count <= Mutator.maximumModelSize else { continue }
            if name == "splice" || name == "line from another input" {
                // The donor's data files come along (those the input does not have already).
                for f in donor.files where !output.files.contains(where: { $0.name == f.name }) { output.files.append(f) }
                output.files.sort { $0.name < $1.name }
            }
            output.model = bytes
            applied.append(name)
        }
        // Mostly valid UTF-8 (what the lexer sees); now and then not (the reader's own error).
        if String(validatingUTF8Bytes: output.model) == nil, !random.chance(1, in: 16) {
            output.model = Array(String(decoding: output.model, as: UTF8.self).utf8)
            applied.append("made valid UTF-8")
        }
        return (output, applied)
    }

    // MARK: - The model

    mutating func mutateModel(_ b: inout [UInt8], donor: FuzzInput) -> String {
        switch random.below(100) {
        case 0..<6: return flipBit(&b)
        case 6..<12: return setByte(&b)
        case 12..<18: return insertSnippet(&b)
        case 18..<22: return deleteBytes(&b)
        case 22..<24: return truncate(&b)
        case 24..<30: return swapTokens(&b)
        case 30..<36: return duplicateToken(&b)
        case 36..<42: return deleteToken(&b)
        case 42..<54: return replaceNumber(&b)
        case 54..<62: return replaceWord(&b)
        case 62..<68: return insertDictionaryToken(&b)
        case 68..<72: return duplicateLine(&b)
        case 72..<75: return deleteLine(&b)
        case 75..<78: return swapLines(&b)
        case 78..<81: return lineFromDonor(&b, donor.model)
        case 81..<85: return splice(&b, donor.model)
        case 85..<92: return nest(&b)
        case 92..<97: return repeatChain(&b)
        default: return hugeSet(&b)
        }
    }

    // MARK: Gentle mutations

    mutating func mutateGently(_ b: inout [UInt8]) -> String {
        switch random.below(100) {
        case 0..<30: return replaceNumberGently(&b)
        case 30..<50: return swapOperator(&b)
        case 50..<65: return insertFactor(&b)
        case 65..<75: return wrapInCall(&b)
        case 75..<85: return addAttribute(&b)
        default:
            // A name replaced by another name of the same input.
            let words = Mutator.pieces(b).filter { $0.kind == .word && !Mutator.keywords.contains(String(decoding: b[$0.range], as: UTF8.self)) }
            guard let p = words.isEmpty ? nil : random.pick(words) else { return replaceNumberGently(&b) }
            b.replaceSubrange(p.range, with: Array(b[random.pick(words).range]))
            return "name replaced"
        }
    }

    static let ordinaryNumbers = ["0", "1", "2", "3", "-1", "0.5", "10", "100", "1000", "1e-6", "1e6", "-2.5", "7"]

    mutating func replaceNumberGently(_ b: inout [UInt8]) -> String {
        guard let p = token(b, [.number]) else { return swapOperator(&b) }
        let pool = random.chance(1, in: 2) ? Mutator.ordinaryNumbers : Mutator.extremeNumbers
        b.replaceSubrange(p.range, with: Array(random.pick(pool).utf8))
        return "number changed"
    }

    /// Operators and words with a counterpart of the same grammar.
    static let counterparts: [[String]] = [
        ["+", "-"], ["*", "/"], ["<=", ">=", "="], ["minimize", "maximize"], ["integer", "binary"], ["and", "or"],
        ["==", "!=", "<", ">"], ["exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "softplus", "log1p"], ["min", "max"],
    ]

    mutating func swapOperator(_ b: inout [UInt8]) -> String {
        let all = Set(Mutator.counterparts.joined())
        let candidates = Mutator.pieces(b).filter { all.contains(String(decoding: b[$0.range], as: UTF8.self)) }
        guard !candidates.isEmpty else { return insertFactor(&b) }
        let p = random.pick(candidates)
        let text = String(decoding: b[p.range], as: UTF8.self)
        let group = Mutator.counterparts.first { $0.contains(text) }!
        b.replaceSubrange(p.range, with: Array(random.pick(group).utf8))
        return "operator swapped"
    }

    /// `t` becomes `t * u` (or `t ^ 2`, `t * t`) for a name `u` of the input: products of
    /// variables of both levels, squares, higher powers.
    mutating func insertFactor(_ b: inout [UInt8]) -> String {
        let words = Mutator.pieces(b).filter { $0.kind == .word && !Mutator.keywords.contains(String(decoding: b[$0.range], as: UTF8.self)) }
        // (No name: a token is inserted, which always applies, so that fallbacks cannot cycle.)
        guard let p = words.isEmpty ? nil : random.pick(words) else { return insertDictionaryToken(&b) }
        // A subscripted name keeps its subscript: the factor goes after the closing bracket.
        var end = p.range.upperBound
        if end < b.count, b[end] == 91, let close = b[end...].firstIndex(of: 93) { end = close + 1 }
        let factor: String
        switch random.below(4) {
        case 0: factor = " ^ " + random.pick(["2", "3", "0.5", "-1", "2.5"])
        case 1: factor = " * " + String(decoding: b[p.range.lowerBound..<end], as: UTF8.self)
        default: factor = " * " + String(decoding: b[random.pick(words).range], as: UTF8.self)
        }
        b.insert(contentsOf: Array(factor.utf8), at: end)
        return "factor inserted"
    }

    mutating func wrapInCall(_ b: inout [UInt8]) -> String {
        guard let p = token(b, [.word, .number]) else { return insertFactor(&b) }
        let f = random.pick(Mutator.functions)
        let (open, close) = f == "min" || f == "max" ? ("\(f)(0, ", ")") : ("\(f)(", ")")
        b.insert(contentsOf: Array(close.utf8), at: p.range.upperBound)
        b.insert(contentsOf: Array(open.utf8), at: p.range.lowerBound)
        return "wrapped in \(f)"
    }

    /// ` integer`, ` binary`, a bound or a dual bound before a statement's `;`.
    mutating func addAttribute(_ b: inout [UInt8]) -> String {
        let semicolons = Mutator.pieces(b).filter { $0.kind == .symbol && b[$0.range.lowerBound] == 59 }
        guard !semicolons.isEmpty else { return insertFactor(&b) }
        let p = random.pick(semicolons)
        let attribute = random.pick([" integer", " binary", ", >= -1", ", <= 1e6", " dualbound 100", ", = 2", ", >= 0.5, <= 0.7 integer"])
        b.insert(contentsOf: Array(attribute.utf8), at: p.range.lowerBound)
        return "attribute added"
    }

    static let interestingBytes: [UInt8] = Array("\n\r\t \"#(){}[],;:.-+*/^=<>!019ex_".utf8) + [0, 0x7F, 0xFF, 0xC3, 0xA9, 0xE2, 0x80]

    /// Text that stresses the lexer and the diagnostics' columns: multi-byte and combining
    /// characters, invisible ones, line ends other than "\n", a byte-order mark.
    static let snippets: [String] = [
        "é", "e\u{301}", "∑", "𝑥", "Ω", "İ", "ß", "ﬁ", "👍🏽", "\u{200B}", "\u{FEFF}", "\u{2028}", "\u{85}", "\u{202E}",
        "\r\n", "\r", "\u{0}", "\t", "\"", "#", "..", "...", "..1", "1..", "<=", ">=", "==", "!=", "=<", "=>", "::", ";;",
        "{}", "()", "[]", "(,)", "{,}", "[,]", "\"\"", "\"unterminated", "0.", ".0", "1e", "1e+", "1e-", "2x", "x2",
    ]

    mutating func flipBit(_ b: inout [UInt8]) -> String {
        guard !b.isEmpty else { return insertSnippet(&b) }
        b[random.below(b.count)] ^= UInt8(1 << random.below(8))
        return "bit flip"
    }

    mutating func setByte(_ b: inout [UInt8]) -> String {
        guard !b.isEmpty else { return insertSnippet(&b) }
        b[random.below(b.count)] = random.pick(Mutator.interestingBytes)
        return "byte replaced"
    }

    mutating func insertSnippet(_ b: inout [UInt8]) -> String {
        let at = random.below(b.count + 1)
        if random.chance(1, in: 2) {
            b.insert(contentsOf: Array(random.pick(Mutator.snippets).utf8), at: at)
        } else {
            b.insert(contentsOf: (0..<random.inRange(1...8)).map { _ in random.pick(Mutator.interestingBytes) }, at: at)
        }
        return "bytes inserted"
    }

    mutating func deleteBytes(_ b: inout [UInt8]) -> String {
        guard !b.isEmpty else { return insertSnippet(&b) }
        let start = random.below(b.count)
        let end = min(b.count, start + random.inRange(1...16))
        b.removeSubrange(start..<end)
        return "bytes deleted"
    }

    mutating func truncate(_ b: inout [UInt8]) -> String {
        guard !b.isEmpty else { return insertSnippet(&b) }
        b.removeSubrange(random.below(b.count)...)
        return "truncated"
    }

    // MARK: Tokens

    /// A run of source bytes of one kind, as a lenient lexer sees it (never fails).
    struct Piece {
        enum Kind { case space, comment, word, number, string, symbol }
        var range: Range<Int>
        var kind: Kind
    }

    static func isWordByte(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0x80 }
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    static func pieces(_ b: [UInt8]) -> [Piece] {
        var result: [Piece] = []
        var i = 0
        while i < b.count {
            let start = i, c = b[i]
            let kind: Piece.Kind
            if c == 32 || c == 9 || c == 10 || c == 13 {
                while i < b.count, b[i] == 32 || b[i] == 9 || b[i] == 10 || b[i] == 13 { i += 1 }
                kind = .space
            } else if c == 35 {  // '#'
                while i < b.count, b[i] != 10 { i += 1 }
                kind = .comment
            } else if isWordByte(c) {
                while i < b.count, isWordByte(b[i]) || isDigit(b[i]) { i += 1 }
                kind = .word
            } else if isDigit(c) || (c == 46 && i + 1 < b.count && isDigit(b[i + 1])) {
                while i < b.count, isDigit(b[i]) || b[i] == 46 && !(i + 1 < b.count && b[i + 1] == 46) { i += 1 }
                if i < b.count, b[i] == 101 || b[i] == 69 {
                    i += 1
                    if i < b.count, b[i] == 43 || b[i] == 45 { i += 1 }
                    while i < b.count, isDigit(b[i]) { i += 1 }
                }
                kind = .number
            } else if c == 34 {  // '"'
                i += 1
                while i < b.count, b[i] != 34, b[i] != 10 { i += 1 }
                if i < b.count, b[i] == 34 { i += 1 }
                kind = .string
            } else {
                i += 1
                if i < b.count, [UInt8]("<>=!.".utf8).contains(c), b[i] == 61 || (c == 46 && b[i] == 46) { i += 1 }
                kind = .symbol
            }
            result.append(Piece(range: start..<i, kind: kind))
        }
        return result
    }

    /// The pieces that are tokens (not spaces or comments), optionally of one kind.
    mutating func token(_ b: [UInt8], _ kinds: Set<Piece.Kind> = [.word, .number, .string, .symbol]) -> Piece? {
        let candidates = Mutator.pieces(b).filter { kinds.contains($0.kind) }
        return candidates.isEmpty ? nil : random.pick(candidates)
    }

    mutating func swapTokens(_ b: inout [UInt8]) -> String {
        guard let p = token(b), let q = token(b), p.range != q.range else { return flipBit(&b) }
        let (first, second) = p.range.lowerBound < q.range.lowerBound ? (p, q) : (q, p)
        let a = Array(b[first.range]), c = Array(b[second.range])
        b.replaceSubrange(second.range, with: a)
        b.replaceSubrange(first.range, with: c)
        return "tokens swapped"
    }

    mutating func duplicateToken(_ b: inout [UInt8]) -> String {
        guard let p = token(b), let q = token(b) else { return insertDictionaryToken(&b) }
        let copy = Array(b[p.range])
        b.insert(contentsOf: [32] + copy + [32], at: random.chance(1, in: 2) ? q.range.lowerBound : q.range.upperBound)
        return "token duplicated"
    }

    mutating func deleteToken(_ b: inout [UInt8]) -> String {
        guard let p = token(b) else { return insertDictionaryToken(&b) }
        b.removeSubrange(p.range)
        return "token deleted"
    }

    /// Numbers at and beyond the edges: zeros, extremes of a double and of integers, text
    /// that only looks like a number, and values next to the documented limits.
    static let extremeNumbers: [String] = [
        "0", "-0", "0.0", "-0.0", "1", "-1", "2", "0.5", ".5", "1.", "3.25", "1e308", "-1e308", "1.7976931348623157e308",
        "1.7976931348623159e308", "1e309", "1e400", "-1e400", "1e-308", "4.9e-324", "5e-324", "1e-400", "2.2250738585072014e-308",
        "1e-9", "1e-10", "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "18446744073709551616", "99999999999999999999999999999999", "1" + String(repeating: "0", count: 400),
        "0." + String(repeating: "0", count: 400) + "1", String(repeating: "9", count: 5000), "2147483647", "2147483648",
        "4294967296", "1000000000000000", "1e15", "1e16", "10000001", "20000000", "255", "256", "257",
        "nan", "NaN", "inf", "-inf", "Infinity", "0x10", "1_000", "1e", "1e+", "00001", "1.5e3", "-1e-5",
    ]

    mutating func replaceNumber(_ b: inout [UInt8]) -> String {
        guard let p = token(b, [.number]) ?? token(b) else { return insertSnippet(&b) }
        b.replaceSubrange(p.range, with: Array(random.pick(Mutator.extremeNumbers).utf8))
        return "number replaced"
    }

    static let keywords = [
        "set", "param", "var", "upper", "lower", "minimize", "maximize", "sum", "in", "integer", "binary", "default", "csv",
        "dualbound", "and", "or", "not", "dual", "if", "then", "else",
    ]
    static let functions = ["exp", "log", "log1p", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus", "abs", "min", "max"]
    static let oddNames = ["x", "y", "i", "N", "_", "__", "é", "x_1", "nan", "inf", "e", "E", String(repeating: "a", count: 2000)]

    mutating func replaceWord(_ b: inout [UInt8]) -> String {
        guard let p = token(b, [.word]) else { return replaceNumber(&b) }
        let replacement: String
        switch random.below(4) {
        case 0:
            // A name from the same input: a set where a parameter was, a variable where an index was...
            let words = Mutator.pieces(b).filter { $0.kind == .word }
            replacement = String(decoding: b[random.pick(words).range], as: UTF8.self)
        case 1: replacement = random.pick(Mutator.keywords)
        case 2: replacement = random.pick(Mutator.functions)
        default: replacement = random.pick(Mutator.oddNames)
        }
        b.replaceSubrange(p.range, with: Array(replacement.utf8))
        return "word replaced"
    }

    static let dictionary: [String] =
        keywords + functions + [
            "+", "-", "*", "/", "^", "(", ")", "[", "]", "{", "}", ",", ";", ":", "..", "<=", ">=", "==", "!=", "<", ">", "=",
            "\"arcs.csv\"", "csv(\"arcs.csv\", \"from\")", "1..3", "{1,2}", "(1,2)", "x[1]", "dual(c)", "0", "1",
        ]

    mutating func insertDictionaryToken(_ b: inout [UInt8]) -> String {
        let at = token(b).map { random.chance(1, in: 2) ? $0.range.lowerBound : $0.range.upperBound } ?? b.count
        b.insert(contentsOf: Array((" " + random.pick(Mutator.dictionary) + " ").utf8), at: at)
        return "token inserted"
    }

    // MARK: Lines

    static func lineRanges(_ b: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (i, c) in b.enumerated() where c == 10 {
            ranges.append(start..<(i + 1))
            start = i + 1
        }
        if start < b.count { ranges.append(start..<b.count) }
        return ranges
    }

    mutating func duplicateLine(_ b: inout [UInt8]) -> String {
        let lines = Mutator.lineRanges(b)
        guard !lines.isEmpty else { return insertSnippet(&b) }
        var line = Array(b[random.pick(lines)])
        if line.last != 10 { line.append(10) }
        let at = random.pick(lines).lowerBound
        // Now and then many copies: a long file of repeated declarations.
        let copies = random.chance(1, in: 8) ? random.pick([100, 1000, 10000]) : 1
        b.insert(contentsOf: Array((0..<copies).map { _ in line }.joined()), at: at)
        return copies == 1 ? "line duplicated" : "line repeated"
    }

    mutating func deleteLine(_ b: inout [UInt8]) -> String {
        let lines = Mutator.lineRanges(b)
        guard !lines.isEmpty else { return insertSnippet(&b) }
        b.removeSubrange(random.pick(lines))
        return "line deleted"
    }

    mutating func swapLines(_ b: inout [UInt8]) -> String {
        let lines = Mutator.lineRanges(b)
        guard lines.count >= 2 else { return duplicateLine(&b) }
        var order = lines.map { Array(b[$0]) }
        let i = random.below(order.count), j = random.below(order.count)
        order.swapAt(i, j)
        b = order.flatMap { $0.last == 10 ? $0 : $0 + [10] }
        return "lines swapped"
    }

    mutating func lineFromDonor(_ b: inout [UInt8], _ donor: [UInt8]) -> String {
        let lines = Mutator.lineRanges(donor)
        guard !lines.isEmpty else { return duplicateLine(&b) }
        var line = Array(donor[random.pick(lines)])
        if line.last != 10 { line.append(10) }
        let mine = Mutator.lineRanges(b)
        b.insert(contentsOf: line, at: mine.isEmpty ? 0 : random.pick(mine).lowerBound)
        return "line from another input"
    }

    /// The start of one input and the end of another, cut at line starts.
    mutating func splice(_ b: inout [UInt8], _ donor: [UInt8]) -> String {
        let mine = Mutator.lineRanges(b), theirs = Mutator.lineRanges(donor)
        guard !mine.isEmpty, !theirs.isEmpty else { return lineFromDonor(&b, donor) }
        let cut = random.pick(mine).lowerBound, from = random.pick(theirs).lowerBound
        b = Array(b[..<cut]) + Array(donor[from...])
        return "splice"
    }

    // MARK: Structure

    /// Wrappers that nest: each is an opening and a closing text around a token.
    static let wrappers: [(String, String)] = [
        ("(", ")"), ("-", ""), ("+", ""), ("- ", ""), ("exp(", ")"), ("abs(", ")"), ("min(0, ", ")"), ("max(", ", 1)"),
        ("sqrt(", ")"), ("not ", ""), ("sum{i in 1..1} ", ""), ("sum{N} ", ""), ("if 1 == 1 then ", " else 0"),
        ("if 1 < 2 then 1 else ", ""), ("2^", ""), ("(", "^2)"), ("(1, ", ")"), ("{", "}"), ("[", "]"), ("dual(", ")"),
        ("{i in ", "}"), ("((", ") and 1 == 1)"), ("(1 == 1 or ", ")"), ("x[", "]"), ("f(", ")"), ("{(i,j) in {", "}: i == j}"),
    ]

    mutating func nest(_ b: inout [UInt8]) -> String {
        guard let p = token(b, [.word, .number]) ?? token(b) else { return insertSnippet(&b) }
        let (open, close) = random.pick(Mutator.wrappers)
        let depth = random.pick([2, 10, 100, 200, 254, 255, 256, 257, 258, 300, 1000, 5000, 50000])
        // Now and then unbalanced: the openings alone, as in a truncated file.
        let closing = random.chance(1, in: 6) ? "" : String(repeating: close, count: depth)
        b.insert(contentsOf: Array(closing.utf8), at: p.range.upperBound)
        b.insert(contentsOf: Array(String(repeating: open, count: depth).utf8), at: p.range.lowerBound)
        return "nested \(depth) deep"
    }

    /// A long flat chain after a token: `t + t + t ...`, `t and t and ...`, `t, t, ...`.
    mutating func repeatChain(_ b: inout [UInt8]) -> String {
        guard let p = token(b, [.word, .number]) ?? token(b) else { return insertSnippet(&b) }
        let text = Array(b[p.range])
        let op = Array(random.pick([" + ", " - ", " * ", " / ", " ^ ", " and ", " or ", ", ", " <= ", " "]).utf8)
        let count = random.pick([10, 1000, 20000, 100000])
        var chain: [UInt8] = []
        chain.reserveCapacity(count * (op.count + text.count))
        for _ in 0..<count { chain += op + text }
        b.insert(contentsOf: chain, at: p.range.upperBound)
        return "chain of \(count)"
    }

    /// A large explicit set, data table or range at the start of a line.
    mutating func hugeSet(_ b: inout [UInt8]) -> String {
        let n = random.pick([1000, 1000, 20000, 100000])
        let statement: String
        switch random.below(4) {
        case 0: statement = "set FUZZ = {" + (1...n).map(String.init).joined(separator: ",") + "};\n"
        case 1: statement = "set FUZZ = {" + (1...n).map { "(\($0),\($0 % 7))" }.joined(separator: ",") + "};\n"
        case 2: statement = "param FUZZ{1..\(n)} = [" + (1...n).map { "\($0): \($0)" }.joined(separator: ", ") + "];\n"
        default:
            // Sizes well under or over the limits: a set just under them is valid and takes seconds.
            statement = "set FUZZ = 1..\(random.pick(["300", "20000000", "1e300"]))"
                + ";\nparam FUZZ2 = sum{i in FUZZ, j in FUZZ} 1;\n"
        }
        let lines = Mutator.lineRanges(b)
        b.insert(contentsOf: Array(statement.utf8), at: lines.isEmpty ? 0 : random.pick(lines).lowerBound)
        return "huge set"
    }

    // MARK: - CSV files

    static let oddCells: [String] = [
        "", " ", "nan", "NaN", "inf", "-inf", "1e999", "-1e400", "-0", "\"", "\"a,b\"", "\"\"", "99999999999999999999",
        "9223372036854775808", "-9223372036854775808", "1e308", "4.9e-324", "x", "é", "0x10", "1,2", "1 2", "\t", "#", "1e", "+1",
    ]

    mutating func mutateCSV(_ b: inout [UInt8]) -> String {
        var lines = Mutator.lineRanges(b).map { Array(b[$0]) }
        switch random.below(10) {
        case 0: return flipBit(&b)
        case 1: return insertSnippet(&b)
        case 2: return truncate(&b)
        case 3:
            guard !lines.isEmpty else { return insertSnippet(&b) }
            lines.insert(random.pick(lines), at: random.below(lines.count + 1))
            b = lines.flatMap { $0.last == 10 ? $0 : $0 + [10] }
            return "csv line duplicated"
        case 4:
            guard !lines.isEmpty else { return insertSnippet(&b) }
            lines.remove(at: random.below(lines.count))
            b = Array(lines.joined())
            return "csv line deleted"
        case 5:
            // A column more (or fewer) on every line.
            let extra = Array((random.chance(1, in: 2) ? ",extra" : ",").utf8)
            b = lines.map { line in
                var l = line
                let end = l.last == 10 ? l.count - 1 : l.count
                if random.chance(1, in: 2) { l.insert(contentsOf: extra, at: end) } else if let comma = l.lastIndex(of: 44) {
                    l.removeSubrange(comma..<end)
                }
                return l
            }.flatMap { $0 }
            return "csv column changed"
        case 6:
            b = random.chance(1, in: 2) ? [] : (lines.first ?? [])
            return "csv emptied"
        default:
            // A cell replaced by an odd value.
            var cells: [Range<Int>] = []
            var start = 0
            for (i, c) in b.enumerated() where c == 44 || c == 10 {
                cells.append(start..<i)
                start = i + 1
            }
            if start <= b.count { cells.append(start..<b.count) }
            let cell = random.pick(cells)
            b.replaceSubrange(cell, with: Array(random.pick(Mutator.oddCells).utf8))
            return "csv cell replaced"
        }
    }
}

extension String {
    /// The string when `bytes` are valid UTF-8, else nil.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
