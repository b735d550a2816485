import Foundation
import ModelFormats

/// A JSON value with ordered object keys, so output is byte-stable.
public indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func number(_ v: Double?) -> JSONValue { v.map { .number($0) } ?? .null }

    /// Pretty-printed text with two-space indentation.
    public func render(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let v):
            if !v.isFinite { return "null" }
            if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
            return String(v)
        case .string(let s): return Self.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.render(indent: indent + 1) }.joined(separator: ",\n") + "\n" + close + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            return "{\n"
                + fields.map { pad + Self.quote($0.0) + ": " + $0.1.render(indent: indent + 1) }.joined(separator: ",\n")
                + "\n" + close + "}"
        }
    }

    static func quote(_ s: String) -> String { JSONString.quoted(s) }
}
