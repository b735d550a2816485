import BlomodelCore

/// A recursive-descent parser from tokens to statements. It stops at the first
/// error with a positioned diagnostic that says what was expected.
package struct Parser {
    let source: SourceFile
    var tokens: [Token]
    var position = 0
    /// How deeply the expression being parsed is nested (parentheses, signs, powers, calls,
    /// sums, conditions); limited to `maximumNesting` so that no input can exhaust the stack.
    var nesting = 0

    /// The deepest nesting of an expression, as in C compilers' bracket depth.
    package static let maximumNesting = 256

    package init(source: SourceFile) throws {
        self.source = source
        self.tokens = try Lexer(source: source).tokenize()
    }

    /// Parses a whole file.
    package mutating func parseModel() throws -> [Statement] {
        var statements: [Statement] = []
        while !atEnd {
            if acceptSymbol(";") { continue }
            statements.append(try parseTopStatement())
        }
        return statements
    }

    // MARK: - Token helpers

    var current: Token { tokens[position] }
    var atEnd: Bool { if case .end = current.kind { return true } else { return false } }
    func peek(_ k: Int = 1) -> Token { tokens[min(position + k, tokens.count - 1)] }

    mutating func advance() -> Token {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    func isSymbol(_ s: String, _ t: Token? = nil) -> Bool {
        if case .symbol(let v) = (t ?? current).kind { return v == s }
        return false
    }
    func isKeyword(_ s: String, _ t: Token? = nil) -> Bool {
        if case .keyword(let v) = (t ?? current).kind { return v == s }
        return false
    }
    func isIdentifier(_ t: Token? = nil) -> Bool {
        if case .identifier = (t ?? current).kind { return true }
        return false
    }

    mutating func acceptSymbol(_ s: String) -> Bool {
        if isSymbol(s) {
            _ = advance()
            return true
        }
        return false
    }
    mutating func acceptKeyword(_ s: String) -> Bool {
        if isKeyword(s) {
            _ = advance()
            return true
        }
        return false
    }

    func error(_ message: String, at token: Token? = nil, notes: [String] = []) -> Diagnostic {
        let t = token ?? current
        return source.error(message, at: t.location, length: t.length, notes: notes)
    }

    mutating func expectSymbol(_ s: String, _ context: String) throws {
        guard acceptSymbol(s) else { throw error("expected '\(s)' \(context), found \(current.spelling)") }
    }

    mutating func expectIdentifier(_ context: String) throws -> (String, Token) {
        let t = current
        switch t.kind {
        case .identifier(let s):
            _ = advance()
            return (s, t)
        case .keyword(let s):
            throw error("'\(s)' is a reserved word and cannot be used as \(context)")
        default:
            throw error("expected \(context), found \(t.spelling)")
        }
    }

    // MARK: - Statements

    mutating func parseTopStatement() throws -> Statement {
        let t = current
        switch t.kind {
        case .keyword("set"): return try parseSet()
        case .keyword("param"): return try parseParam()
        case .keyword("upper"), .keyword("lower"):
            _ = advance()
            let level: Owner = isKeyword("upper", t) ? .leader : .theFollower
            try expectSymbol("{", "to open the \(level.blockName) block")
            var body: [Statement] = []
            while !isSymbol("}") {
                if atEnd {
                    throw error("the \(level.blockName) block opened at line \(t.location.line) is not closed; expected '}'")
                }
                if acceptSymbol(";") { continue }
                body.append(try parseBlockStatement(level))
            }
            _ = advance()
            return .block(level, body, t.location)
        case .keyword("var"), .keyword("minimize"), .keyword("maximize"):
            throw error(
                "\(t.spelling) must be inside an 'upper { ... }' or 'lower { ... }' block",
                notes: ["declarations of the leader go in 'upper', those of the follower in 'lower'"])
        default:
            throw error(
                "expected 'set', 'param', 'upper' or 'lower', found \(t.spelling)",
                notes: isIdentifier(t) ? ["constraints belong inside an 'upper' or 'lower' block"] : [])
        }
    }

    mutating func parseBlockStatement(_ level: Owner) throws -> Statement {
        let t = current
        switch t.kind {
        case .keyword("var"):
            _ = advance()
            let (name, _) = try expectIdentifier("a variable name")
            let indexing = isSymbol("{") ? try parseIndexing() : nil
            var attributes: [VarAttribute] = []
            // Each kind of attribute at most once (a second bound would only replace the first),
            // so that a declaration's work per member is bounded whatever its length.
            var seen: [String: Token] = [:]
            while !isSymbol(";") {
                let a = current
                let kind: String
                switch a.kind {
                case .symbol(">="): kind = "a lower bound"
                case .symbol("<="): kind = "an upper bound"
                case .symbol("="): kind = "a fixed value"
                case .symbol(":="): kind = "a start value"
                case .keyword("integer"), .keyword("binary"): kind = "'integer' or 'binary'"
                default: kind = ""
                }
                if !kind.isEmpty, let first = seen[kind] {
                    throw error(
                        "'\(name)' already has \(kind) (at \(first.location.line):\(first.location.column))",
                        notes: ["give each bound once"])
                }
                if !kind.isEmpty { seen[kind] = a }
                if acceptSymbol(">=") {
                    attributes.append(VarAttribute(kind: .lower(try parseAdditive()), location: a.location))
                } else if acceptSymbol("<=") {
                    attributes.append(VarAttribute(kind: .upper(try parseAdditive()), location: a.location))
                } else if acceptSymbol("=") {
                    attributes.append(VarAttribute(kind: .fixed(try parseAdditive()), location: a.location))
                } else if acceptSymbol(":=") {
                    attributes.append(VarAttribute(kind: .start(try parseAdditive()), location: a.location))
                } else if acceptKeyword("integer") {
                    attributes.append(VarAttribute(kind: .integer, location: a.location))
                } else if acceptKeyword("binary") {
                    attributes.append(VarAttribute(kind: .binary, location: a.location))
                } else {
                    throw error(
                        "expected a bound ('>= value', '<= value'), a start value (':= value'), 'integer', 'binary' or ';' in the declaration of '\(name)', found \(current.spelling)"
                    )
                }
                _ = acceptSymbol(",")
            }
            _ = advance()
            return .variable(name: name, indexing: indexing, attributes: attributes, t.location)
        case .keyword("minimize"), .keyword("maximize"):
            _ = advance()
            let sense: ObjectiveSense = isKeyword("minimize", t) ? .minimize : .maximize
            var name: String?
            if isIdentifier(), isSymbol(":", peek()) {
                name = try expectIdentifier("an objective name").0
                _ = advance()
            }
            let e = try parseAdditive()
            try expectSymbol(";", "after the objective")
            return .objective(sense: sense, name: name, expression: e, t.location)
        case .keyword("dualbound"):
            _ = advance()
            let e = try parseAdditive()
            try expectSymbol(";", "after the dual bound")
            return .dualBound(e, t.location)
        case .identifier:
            let (name, _) = try expectIdentifier("a constraint name")
            let indexing = isSymbol("{") ? try parseIndexing() : nil
            try expectSymbol(":", "after the constraint name '\(name)'")
            var parts = [try parseAdditive()]
            var relations: [String] = []
            while isSymbol("<=") || isSymbol(">=") || isSymbol("=") || isSymbol("==") {
                if case .symbol(let s) = advance().kind { relations.append(s == "==" ? "=" : s) }
                parts.append(try parseAdditive())
            }
            if relations.isEmpty {
                throw error("expected '<=', '>=' or '=' in constraint '\(name)', found \(current.spelling)")
            }
            if relations.count > 2 {
                throw error("a constraint has at most two relations ('lo <= expr <= hi')")
            }
            if relations.count == 2, !(relations[0] == relations[1] && relations[0] != "=") {
                throw error(
                    "a ranged constraint must read 'lo <= expr <= hi' or 'hi >= expr >= lo'",
                    at: nil)
            }
            var dualBound: SyntaxExpr?
            if acceptKeyword("dualbound") { dualBound = try parseAdditive() }
            try expectSymbol(";", "at the end of constraint '\(name)'")
            return .constraint(
                name: name, indexing: indexing, parts: parts, relations: relations, dualBound: dualBound, t.location)
        case .keyword("set"), .keyword("param"):
            throw error("\(t.spelling) declarations go outside the 'upper' and 'lower' blocks")
        case .keyword("upper"), .keyword("lower"):
            throw error("blocks cannot be nested; close the \(level.blockName) block with '}' first")
        default:
            throw error(
                "expected 'var', 'minimize', 'maximize', 'dualbound' or a constraint in the \(level.blockName) block, found \(t.spelling)"
            )
        }
    }

    mutating func parseSet() throws -> Statement {
        let t = advance()
        let (name, _) = try expectIdentifier("a set name")
        if isSymbol("{") { throw error("indexed sets are not supported; declare one set per name") }
        try expectSymbol("=", "after the set name '\(name)'")
        let value = try parseSetRef(allowBareExplicit: true)
        try expectSymbol(";", "after the definition of set '\(name)'")
        return .set(name: name, indexing: nil, value: value, t.location)
    }

    mutating func parseParam() throws -> Statement {
        let t = advance()
        let (name, _) = try expectIdentifier("a parameter name")
        let indexing = isSymbol("{") ? try parseIndexing() : nil
        var value: ParamValue?
        var defaultValue: SyntaxExpr?
        if acceptSymbol("=") {
            if isSymbol("[") {
                value = try parseTable()
            } else if isKeyword("csv") {
                let c = advance()
                try expectSymbol("(", "after 'csv'")
                let file = try expectString("a CSV file name")
                try expectSymbol(",", "after the file name")
                let column = try expectString("a column name")
                try expectSymbol(")", "to close 'csv('")
                value = .csv(file: file, column: column, c.location)
            } else {
                value = .expression(try parseAdditive())
            }
        }
        if acceptKeyword("default") { defaultValue = try parseAdditive() }
        try expectSymbol(";", "after the definition of parameter '\(name)'")
        return .param(name: name, indexing: indexing, value: value, defaultValue: defaultValue, t.location)
    }

    mutating func expectString(_ what: String) throws -> String {
        if case .string(let s) = current.kind {
            _ = advance()
            return s
        }
        throw error("expected \(what) in double quotes, found \(current.spelling)")
    }

    mutating func parseTable() throws -> ParamValue {
        try expectSymbol("[", "to open the data table")
        var entries: [(key: [SyntaxExpr], value: SyntaxExpr, location: SourceLocation)] = []
        while !isSymbol("]") {
            let at = current.location
            var key: [SyntaxExpr]
            if acceptSymbol("(") {
                key = [try parseAdditive()]
                while acceptSymbol(",") { key.append(try parseAdditive()) }
                try expectSymbol(")", "to close the key tuple")
            } else {
                key = [try parsePrimary(symbolsAllowed: true)]
            }
            try expectSymbol(":", "between a key and its value")
            let v = try parseAdditive()
            entries.append((key, v, at))
            if !acceptSymbol(",") { break }
        }
        try expectSymbol("]", "to close the data table")
        return .table(entries)
    }

    /// Whether the tokens at the cursor start an index pattern followed by `in`.
    func startsPattern() -> Bool {
        if isIdentifier(), isKeyword("in", peek()) { return true }
        if isSymbol("(") {
            var k = 1
            while true {
                guard isIdentifier(peek(k)) else { return false }
                k += 1
                if isSymbol(",", peek(k)) {
                    k += 1
                    continue
                }
                return isSymbol(")", peek(k)) && isKeyword("in", peek(k + 1))
            }
        }
        return false
    }

    mutating func parseIndexing() throws -> Indexing {
        try nested { try $0.parseIndexingBody() }
    }

    mutating func parseIndexingBody() throws -> Indexing {
        let open = current
        try expectSymbol("{", "to open an indexing expression")
        var items: [Indexing.Item] = []
        repeat {
            let at = current.location
            var names: [String] = []
            if startsPattern() {
                if acceptSymbol("(") {
                    repeat { names.append(try expectIdentifier("an index name").0) } while acceptSymbol(",")
                    try expectSymbol(")", "to close the index tuple")
                } else {
                    names.append(try expectIdentifier("an index name").0)
                }
                _ = advance()  // 'in'
            }
            items.append(Indexing.Item(names: names, set: try parseSetRef(allowBareExplicit: false), location: at))
        } while acceptSymbol(",")
        var condition: SyntaxExpr?
        if acceptSymbol(":") { condition = try parseCondition() }
        guard acceptSymbol("}") else {
            throw error("expected '}' to close the indexing opened at \(open.location.line):\(open.location.column), found \(current.spelling)")
        }
        return Indexing(items: items, condition: condition, location: open.location)
    }

    /// A set where one is expected.
    mutating func parseSetRef(allowBareExplicit: Bool) throws -> SetRef {
        let t = current
        if isKeyword("csv") {
            _ = advance()
            try expectSymbol("(", "after 'csv'")
            let file = try expectString("a CSV file name")
            var columns: [String] = []
            while acceptSymbol(",") { columns.append(try expectString("a column name")) }
            try expectSymbol(")", "to close 'csv('")
            if columns.isEmpty { throw error("a set read from CSV needs at least one column name", at: t) }
            return .csv(file, columns, t.location)
        }
        if isSymbol("{") {
            if startsPatternAfterBrace() {
                return .builder(try parseIndexing(), t.location)
            }
            _ = advance()
            var members: [[SyntaxExpr]] = []
            while !isSymbol("}") {
                if acceptSymbol("(") {
                    var tuple = [try parseAdditive(symbolsAllowed: true)]
                    while acceptSymbol(",") { tuple.append(try parseAdditive(symbolsAllowed: true)) }
                    try expectSymbol(")", "to close the tuple")
                    members.append(tuple)
                } else {
                    members.append([try parseAdditive(symbolsAllowed: true)])
                }
                if !acceptSymbol(",") { break }
            }
            try expectSymbol("}", "to close the set")
            return .explicit(members, t.location)
        }
        if case .identifier(let name) = t.kind, !isSymbol("..", peek()), !isSymbol("[", peek()) {
            _ = advance()
            return .named(name, t.location, length: t.length)
        }
        let lo = try parseAdditive()
        guard acceptSymbol("..") else {
            throw error("expected a set (a name, 'a..b' or '{...}'), found an expression", at: t)
        }
        let hi = try parseAdditive()
        return .range(lo, hi, t.location)
    }

    func startsPatternAfterBrace() -> Bool {
        var copy = self
        copy.position += 1
        return copy.startsPattern()
    }

    // MARK: - Expressions

    /// `a or b or ...` as one flat list (so no tree as deep as the chain is long).
    mutating func parseCondition() throws -> SyntaxExpr {
        let first = try parseAnd()
        guard isKeyword("or") else { return first }
        let at = current.location
        var operands = [first]
        while isKeyword("or") {
            _ = advance()
            operands.append(try parseAnd())
        }
        return .logical("or", operands, at)
    }

    mutating func parseAnd() throws -> SyntaxExpr {
        let first = try parseNot()
        guard isKeyword("and") else { return first }
        let at = current.location
        var operands = [first]
        while isKeyword("and") {
            _ = advance()
            operands.append(try parseNot())
        }
        return .logical("and", operands, at)
    }

    /// Counts one level of nesting for the duration of `body`.
    mutating func nested<T>(_ body: (inout Parser) throws -> T) throws -> T {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Parser.maximumNesting else {
            throw error(
                "this expression is nested more than \(Parser.maximumNesting) levels deep",
                notes: ["parentheses, signs, powers, function calls, sums and conditions count as levels; split the expression, or write a long sum as a flat 'a + b + ...' or as 'sum{...}'"])
        }
        return try body(&self)
    }

    mutating func parseNot() throws -> SyntaxExpr {
        if isKeyword("not"), !isKeyword("in", peek()) {
            let t = advance()
            return .unary("not", try nested { try $0.parseNot() }, t.location)
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> SyntaxExpr {
        let lhs = try parseAdditive(symbolsAllowed: true)
        for op in ["==", "!=", "<=", ">=", "<", ">", "="] where isSymbol(op) {
            let t = advance()
            let rhs = try parseAdditive(symbolsAllowed: true)
            return .binary(op == "=" ? "==" : op, lhs, rhs, t.location)
        }
        var negated = false
        if isKeyword("not"), isKeyword("in", peek()) {
            _ = advance()
            negated = true
        }
        if isKeyword("in") {
            let t = advance()
            let members: [SyntaxExpr]
            if case .tuple(let items, _) = lhs { members = items } else { members = [lhs] }
            return .membership(members, try parseSetRef(allowBareExplicit: false), negated: negated, t.location)
        }
        return lhs
    }

    /// `a + b - c ...` as one flat chain, whatever its length.
    mutating func parseAdditive(symbolsAllowed: Bool = false) throws -> SyntaxExpr {
        let start = current.location
        let first = try parseMultiplicative(symbolsAllowed)
        guard isSymbol("+") || isSymbol("-") else { return first }
        var operands = [Operand("+", first, start)]
        while isSymbol("+") || isSymbol("-") {
            let t = advance()
            guard case .symbol(let op) = t.kind else { break }
            operands.append(Operand(op, try parseMultiplicative(symbolsAllowed), t.location))
        }
        return .chain(operands, start)
    }

    /// `a * b / c ...` as one flat chain.
    mutating func parseMultiplicative(_ symbolsAllowed: Bool = false) throws -> SyntaxExpr {
        let start = current.location
        let first = try parseUnary(symbolsAllowed)
        guard isSymbol("*") || isSymbol("/") else { return first }
        var operands = [Operand("*", first, start)]
        while isSymbol("*") || isSymbol("/") {
            let t = advance()
            guard case .symbol(let op) = t.kind else { break }
            operands.append(Operand(op, try parseUnary(symbolsAllowed), t.location))
        }
        return .chain(operands, start)
    }

    mutating func parseUnary(_ symbolsAllowed: Bool = false) throws -> SyntaxExpr {
        try nested { p in
            if case .symbol(let op) = p.current.kind, op == "-" || op == "+" {
                let t = p.advance()
                return .unary(op, try p.parseUnary(symbolsAllowed), t.location)
            }
            return try p.parsePower(symbolsAllowed)
        }
    }

    /// `a ^ b` binds tighter than a sign (`-x^2` is `-(x^2)`) and groups to the right.
    mutating func parsePower(_ symbolsAllowed: Bool = false) throws -> SyntaxExpr {
        let base = try parsePrimary(symbolsAllowed: symbolsAllowed)
        guard isSymbol("^") else { return base }
        let t = advance()
        return .binary("^", base, try parseUnary(symbolsAllowed), t.location)
    }

    mutating func parsePrimary(symbolsAllowed: Bool = false) throws -> SyntaxExpr {
        let t = current
        switch t.kind {
        case .number(let v):
            _ = advance()
            return .number(v, t.location)
        case .string(let s):
            _ = advance()
            return .string(s, t.location)
        case .identifier(let name) where isSymbol("(", peek()):
            // A function call: `exp(x)`, `min(a, b)`.
            _ = advance()
            _ = advance()
            var arguments: [SyntaxExpr] = []
            if !isSymbol(")") {
                repeat { arguments.append(try parseAdditive(symbolsAllowed: symbolsAllowed)) } while acceptSymbol(",")
            }
            try expectSymbol(")", "to close the arguments of '\(name)('")
            return .call(name, arguments, t.location, length: t.length)
        case .identifier(let name):
            _ = advance()
            var subscripts: [SyntaxExpr] = []
            var length = t.length
            if acceptSymbol("[") {
                repeat { subscripts.append(try parseAdditive(symbolsAllowed: true)) } while acceptSymbol(",")
                let close = current
                try expectSymbol("]", "to close the subscript of '\(name)'")
                length = close.location.column - t.location.column + 1
                if close.location.line != t.location.line { length = t.length }
            }
            return .name(name, subscripts, t.location, length: length)
        case .keyword("sum"):
            _ = advance()
            guard isSymbol("{") else { throw error("expected '{' after 'sum'") }
            let indexing = try parseIndexing()
            return .sum(indexing, try parseMultiplicative(symbolsAllowed), t.location)
        case .keyword("if"):
            _ = advance()
            let condition = try parseCondition()
            guard acceptKeyword("then") else { throw error("expected 'then' after the condition of 'if', found \(current.spelling)") }
            let a = try parseAdditive(symbolsAllowed: symbolsAllowed)
            guard acceptKeyword("else") else { throw error("expected 'else' in 'if ... then ... else ...', found \(current.spelling)") }
            let b = try parseAdditive(symbolsAllowed: symbolsAllowed)
            return .conditional(condition, a, b, t.location)
        case .keyword("dual"):
            _ = advance()
            try expectSymbol("(", "after 'dual'")
            let inner = try parseAdditive()
            try expectSymbol(")", "to close 'dual('")
            return .dual(inner, t.location)
        case .symbol("("):
            _ = advance()
            let first = try parseCondition()
            if acceptSymbol(",") {
                var items = [first]
                repeat { items.append(try parseAdditive(symbolsAllowed: true)) } while acceptSymbol(",")
                try expectSymbol(")", "to close the tuple")
                return .tuple(items, t.location)
            }
            try expectSymbol(")", "to close the parenthesis")
            return first
        case .end:
            throw error("unexpected end of file in an expression")
        default:
            throw error("expected an expression, found \(t.spelling)")
        }
    }
}
