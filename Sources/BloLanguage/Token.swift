import BlomodelCore

/// A lexical token of the `.blo` language.
package struct Token: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case identifier(String)
        case keyword(String)
        case number(Double)
        case string(String)
        /// Operators and punctuation: `+ - * / ( ) [ ] { } , ; : .. <= >= == != < > =`.
        case symbol(String)
        case end
    }

    package var kind: Kind
    package var location: SourceLocation
    /// The length of the token's text, for carets.
    package var length: Int

    /// How the token reads in a message.
    package var spelling: String {
        switch kind {
        case .identifier(let s), .keyword(let s): return "'\(s)'"
        case .number(let v): return "'\(v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v))'"
        case .string(let s): return "\"\(s)\""
        case .symbol(let s): return "'\(s)'"
        case .end: return "end of file"
        }
    }
}

/// Words with a fixed meaning; they cannot name sets, parameters, variables or constraints.
package let bloKeywords: Set<String> = [
    "set", "param", "var", "upper", "lower", "minimize", "maximize", "sum", "in", "integer", "binary",
    "default", "csv", "dualbound", "and", "or", "not", "dual", "if", "then", "else",
]
