import BlomodelCore

/// Splits `.blo` source text into tokens. Comments run from `#` to the end of the line.
package struct Lexer {
    let source: SourceFile

    package init(source: SourceFile) { self.source = source }

    /// The one-character operators and punctuation.
    static let symbols = Set("+-*/^()[]{},;:<>=".unicodeScalars)

    package func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(source.text.unicodeScalars)
        var i = 0, line = 1, column = 1
        func loc() -> SourceLocation { SourceLocation(file: source.path, line: line, column: column) }
        func advance(_ n: Int = 1) {
            for _ in 0..<n {
                if chars[i] == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                i += 1
            }
        }
        func isIdentStart(_ c: Unicode.Scalar) -> Bool {
            // ASCII first: the Unicode property lookup is the slow path.
            if c.isASCII { return c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
            return c.properties.isAlphabetic
        }
        func isIdentPart(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\r" || c == "\n" {
                advance()
                continue
            }
            if c == "#" {
                while i < chars.count, chars[i] != "\n" { advance() }
                continue
            }
            let start = loc()
            if isIdentStart(c) {
                var s = ""
                while i < chars.count, isIdentPart(chars[i]) {
                    s.unicodeScalars.append(chars[i])
                    advance()
                }
                let kind: Token.Kind = bloKeywords.contains(s) ? .keyword(s) : .identifier(s)
                tokens.append(Token(kind: kind, location: start, length: s.count))
                continue
            }
            if isDigit(c) || (c == "." && i + 1 < chars.count && isDigit(chars[i + 1])) {
                var s = ""
                while i < chars.count, isDigit(chars[i]) {
                    s.unicodeScalars.append(chars[i])
                    advance()
                }
                // A '.' followed by '.' is the range operator, not a decimal point.
                if i < chars.count, chars[i] == ".", !(i + 1 < chars.count && chars[i + 1] == ".") {
                    s.append(".")
                    advance()
                    while i < chars.count, isDigit(chars[i]) {
                        s.unicodeScalars.append(chars[i])
                        advance()
                    }
                }
                if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                    var j = i + 1
                    if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                    if j < chars.count, isDigit(chars[j]) {
                        while i < j {
                            s.unicodeScalars.append(chars[i])
                            advance()
                        }
                        while i < chars.count, isDigit(chars[i]) {
                            s.unicodeScalars.append(chars[i])
                            advance()
                        }
                    }
                }
                if i < chars.count, isIdentStart(chars[i]) {
                    throw source.error(
                        "invalid number '\(s)\(Character(chars[i]))'", at: start, length: s.count + 1,
                        notes: ["put an operator between a number and a name, e.g. '2*x'"])
                }
                guard let v = Double(s) else { throw source.error("invalid number '\(s)'", at: start, length: s.count) }
                guard v.isFinite else {
                    throw source.error("the number '\(s)' is too large to represent", at: start, length: s.count)
                }
                tokens.append(Token(kind: .number(v), location: start, length: s.count))
                continue
            }
            if c == "\"" {
                advance()
                var s = ""
                while i < chars.count, chars[i] != "\"", chars[i] != "\n" {
                    s.unicodeScalars.append(chars[i])
                    advance()
                }
                guard i < chars.count, chars[i] == "\"" else {
                    throw source.error("unterminated string", at: start, notes: ["close the string with '\"' on the same line"])
                }
                advance()
                tokens.append(Token(kind: .string(s), location: start, length: s.count + 2))
                continue
            }
            // Scalars compared directly: this loop runs once per character of the file.
            if i + 1 < chars.count, (chars[i + 1] == "=" && "<>=!:".unicodeScalars.contains(c)) || (c == "." && chars[i + 1] == ".") {
                tokens.append(Token(kind: .symbol(String(Character(c)) + String(Character(chars[i + 1]))), location: start, length: 2))
                advance(2)
                continue
            }
            if Lexer.symbols.contains(c) {
                tokens.append(Token(kind: .symbol(String(Character(c))), location: start, length: 1))
                advance()
                continue
            }
            // Control, invisible and combining characters are named by their code point.
            let hex = String(c.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            let visible = c.properties.isGraphemeBase && !c.properties.isWhitespace
            let shown = c.isASCII && visible ? "'\(Character(c))'" : visible ? "'\(Character(c))' (\(code))" : code
            throw source.error("unexpected character \(shown)", at: start)
        }
        tokens.append(Token(kind: .end, location: loc(), length: 1))
        return tokens
    }
}
