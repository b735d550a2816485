import Blomodel
import Foundation

/// JSON text to `JSONValue` (objects keep their key order), for the schema tests: a strict
/// parser of RFC 8259 JSON, so that `true` and `1` stay apart (Foundation's parser gives both
/// as NSNumber on Linux).
struct JSONParser {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ text: String) throws -> JSONValue {
        var p = JSONParser(bytes: Array(text.utf8))
        let v = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.fail("text after the value") }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ what: String) -> Failure { Failure(description: "JSON: \(what) at byte \(i)") }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private mutating func literal(_ word: String, _ v: JSONValue) throws -> JSONValue {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw fail("expected \(word)") }
        i += w.count
        return v
    }

    private mutating func value() throws -> JSONValue {
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var fields: [(String, JSONValue)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                if fields.contains(where: { $0.0 == key }) { throw fail("duplicate key \(key)") }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                fields.append((key, try value()))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return .number(try number())
        }
    }

    private mutating func number() throws -> Double {
        let start = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
            return i - s
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let integer = i
        guard digits() > 0 else { throw fail("expected a number") }
        if bytes[integer] == UInt8(ascii: "0"), i - integer > 1 { throw fail("a leading zero") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw fail("expected digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail("expected an exponent") }
        }
        guard let v = Double(String(decoding: bytes[start..<i], as: UTF8.self)), v.isFinite else { throw fail("a bad number") }
        return v
    }

    private mutating func string() throws -> String {
        i += 1  // the opening quote
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { throw fail("unexpected end") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                        throw fail("a bad \\u escape")
                    }
                    i += 4
                    // Surrogate pairs are not expected in the reports (they escape only control characters).
                    guard let scalar = Unicode.Scalar(code) else { throw fail("a surrogate in a \\u escape") }
                    out.append(contentsOf: Array(String(scalar).utf8))
                default: throw fail("a bad escape")
                }
            default:
                if b < 0x20 { throw fail("a control character in a string") }
                out.append(b)
            }
        }
        throw fail("an unterminated string")
    }
}

/// A validator for exactly the part of JSON Schema (draft 2020-12) that `docs/report.schema.json`
/// and `docs/check.schema.json` use: `type`, `properties`, `required`, `additionalProperties`,
/// `items`, `enum`, `const`, `$ref` (to `#/$defs/...` only), `oneOf`, `anyOf`, `minimum`, and the
/// annotations `$schema`, `$defs`, `title`, `description`, `$comment`. Any other keyword, anywhere
/// in the schema (checked over the whole schema before any instance), is an error, so the
/// schema cannot use a keyword this validator would silently skip.
struct JSONSchemaValidator {
    struct SchemaError: Error, CustomStringConvertible {
        var description: String
    }

    static let assertions: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "const", "$ref", "oneOf", "anyOf", "minimum",
    ]
    static let annotations: Set<String> = ["$schema", "$defs", "title", "description", "$comment"]
    static let types: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]

    let root: JSONValue

    /// A validator for a schema, whose every keyword is checked first.
    init(schema: JSONValue) throws {
        root = schema
        guard case .object(let fields) = schema else { throw SchemaError(description: "the schema is not an object") }
        if let s = fields.first(where: { $0.0 == "$schema" })?.1 {
            guard case .string("https://json-schema.org/draft/2020-12/schema") = s else {
                throw SchemaError(description: "the schema is not draft 2020-12: \(s.render())")
            }
        }
        try checkSchema(schema, at: "#")
    }

    init(file: URL) throws {
        try self.init(schema: JSONParser.parse(try String(contentsOf: file, encoding: .utf8)))
    }

    /// Every subschema's keywords known and well formed, every `$ref` resolvable.
    private func checkSchema(_ schema: JSONValue, at path: String) throws {
        func fail(_ what: String) -> SchemaError { SchemaError(description: "schema \(path): \(what)") }
        if case .bool = schema { return }
        guard case .object(let fields) = schema else { throw fail("a subschema must be an object or a boolean") }
        for (key, value) in fields {
            guard Self.assertions.contains(key) || Self.annotations.contains(key) else {
                throw fail("the keyword '\(key)' is not one this validator checks")
            }
            let here = path + "/" + key
            switch key {
            case "type":
                let names: [JSONValue]
                if case .array(let list) = value { names = list } else { names = [value] }
                guard !names.isEmpty else { throw fail("an empty type list") }
                for n in names {
                    guard case .string(let s) = n, Self.types.contains(s) else { throw fail("an unknown type \(n.render())") }
                }
            case "properties", "$defs":
                guard case .object(let subs) = value else { throw fail("\(key) must be an object") }
                for (name, sub) in subs { try checkSchema(sub, at: here + "/" + name) }
            case "required":
                guard case .array(let names) = value, names.allSatisfy({ if case .string = $0 { return true } else { return false } })
                else { throw fail("required must be a list of strings") }
            case "additionalProperties", "items": try checkSchema(value, at: here)
            case "enum":
                guard case .array(let list) = value, !list.isEmpty else { throw fail("enum must be a non-empty list") }
            case "const": break
            case "$ref":
                guard case .string(let target) = value else { throw fail("$ref must be a string") }
                _ = try resolve(target, at: path)
            case "oneOf", "anyOf":
                guard case .array(let list) = value, !list.isEmpty else { throw fail("\(key) must be a non-empty list") }
                for (k, sub) in list.enumerated() { try checkSchema(sub, at: here + "/\(k)") }
            case "minimum":
                guard case .number = value else { throw fail("minimum must be a number") }
            case "$schema", "title", "description", "$comment":
                guard case .string = value else { throw fail("\(key) must be a string") }
            default: throw fail("the keyword '\(key)' is not handled")
            }
        }
    }

    /// The subschema a `$ref` names: `#/$defs/NAME` only.
    private func resolve(_ target: String, at path: String) throws -> JSONValue {
        let prefix = "#/$defs/"
        guard target.hasPrefix(prefix), case .object(let fields) = root,
            case .object(let defs)? = fields.first(where: { $0.0 == "$defs" })?.1,
            let found = defs.first(where: { $0.0 == String(target.dropFirst(prefix.count)) })?.1
        else { throw SchemaError(description: "schema \(path): $ref '\(target)' is not a definition of this schema (#/$defs/NAME)") }
        return found
    }

    /// The places where `instance` breaks the schema (empty when it is valid).
    func errors(_ instance: JSONValue) -> [String] {
        var found: [String] = []
        validate(instance, root, at: "$", into: &found)
        return found
    }

    private func validate(_ v: JSONValue, _ schema: JSONValue, at path: String, into errors: inout [String]) {
        if case .bool(let allowed) = schema {
            if !allowed { errors.append("\(path): not allowed here") }
            return
        }
        guard case .object(let fields) = schema else { return }
        let keyword = Dictionary(fields, uniquingKeysWith: { a, _ in a })
        if case .string(let target)? = keyword["$ref"], let sub = try? resolve(target, at: path) {
            validate(v, sub, at: path, into: &errors)
        }
        if let type = keyword["type"] {
            let names: [String]
            if case .array(let list) = type {
                names = list.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            } else if case .string(let s) = type {
                names = [s]
            } else {
                names = []
            }
            if !names.contains(where: { Self.has(v, type: $0) }) { errors.append("\(path): \(Self.typeName(v)) is not of type \(names.joined(separator: " or "))") }
        }
        if let e = keyword["enum"], case .array(let options) = e, !options.contains(where: { Self.equal($0, v) }) {
            errors.append("\(path): \(v.render()) is not one of \(e.render(indent: 0).replacingOccurrences(of: "\n", with: ""))")
        }
        if let c = keyword["const"], !Self.equal(c, v) { errors.append("\(path): \(v.render()) is not \(c.render())") }
        if case .number(let m)? = keyword["minimum"], case .number(let x) = v, x < m { errors.append("\(path): \(x) is below the minimum \(m)") }
        if case .object(let members) = v {
            var declared: [String: JSONValue] = [:]
            if case .object(let props)? = keyword["properties"] { for (k, s) in props { declared[k] = s } }
            if case .array(let required)? = keyword["required"] {
                for case .string(let name) in required where !members.contains(where: { $0.0 == name }) {
                    errors.append("\(path): the required key '\(name)' is missing")
                }
            }
            for (name, member) in members {
                if let s = declared[name] {
                    validate(member, s, at: "\(path).\(name)", into: &errors)
                } else if let extra = keyword["additionalProperties"] {
                    if case .bool(false) = extra {
                        errors.append("\(path): the key '\(name)' is not allowed")
                    } else {
                        validate(member, extra, at: "\(path).\(name)", into: &errors)
                    }
                }
            }
        }
        if case .array(let items) = v, let itemSchema = keyword["items"] {
            for (k, item) in items.enumerated() { validate(item, itemSchema, at: "\(path)[\(k)]", into: &errors) }
        }
        for combinator in ["oneOf", "anyOf"] {
            guard case .array(let subs)? = keyword[combinator] else { continue }
            var passing = 0
            var why: [String] = []
            for sub in subs {
                var e: [String] = []
                validate(v, sub, at: path, into: &e)
                if e.isEmpty { passing += 1 } else { why += e }
            }
            if combinator == "oneOf", passing != 1 {
                errors.append("\(path): matches \(passing) of the oneOf alternatives, not exactly one" + (passing == 0 ? " (\(why.joined(separator: "; ")))" : ""))
            }
            if combinator == "anyOf", passing == 0 { errors.append("\(path): matches none of the anyOf alternatives (\(why.joined(separator: "; ")))") }
        }
    }

    static func has(_ v: JSONValue, type: String) -> Bool {
        switch (type, v) {
        case ("object", .object), ("array", .array), ("string", .string), ("number", .number), ("boolean", .bool), ("null", .null): return true
        case ("integer", .number(let x)): return x == x.rounded()
        default: return false
        }
    }

    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// JSON equality: numbers by value, objects by their members in any order.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { field in y.contains { $0.0 == field.0 && equal($0.1, field.1) } }
        default: return false
        }
    }
}
