/// The name map of an export (`OUT.names.json`): for every row and column of the file, the
/// model's name and what it stands for, and how to get the leader's objective back from the
/// file's (minimisation) objective. docs/formats.md gives the schema with an example.
public struct NameMap: Sendable {
    /// A value in the map's JSON.
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int)
        case number(Double)
        case null
    }

    /// What a row or column of the file stands for, as plain data.
    public struct Origin: Sendable, Equatable {
        /// A stable word: `variable`, `row_multiplier`, `bound_multiplier`,
        /// `complementarity_binary`, `epigraph`, `objective_constant`; `leader_constraint`,
        /// `follower_constraint`, `product_linearization`, `stationarity`, `dual_link`,
        /// `strong_duality`, `complementarity`, `outer_approximation_cut`, `value_function`.
        public var kind: String
        /// The model's name of the thing (a variable, a constraint, a pair), or the pass's name.
        public var modelName: String
        /// One sentence for people ("follower multiplier of constraint c3 (lower side)").
        public var description: String
        /// Further keys, in order (`side`, `pair`, `constraint`, `variable`, `owner`, ...).
        public var attributes: [(String, Value)]

        /// An origin.
        public init(kind: String, modelName: String, description: String, attributes: [(String, Value)] = []) {
            self.kind = kind
            self.modelName = modelName
            self.description = description
            self.attributes = attributes
        }

        public static func == (a: Origin, b: Origin) -> Bool {
            a.kind == b.kind && a.modelName == b.modelName && a.description == b.description
                && a.attributes.map(\.0) == b.attributes.map(\.0) && a.attributes.map(\.1) == b.attributes.map(\.1)
        }
    }

    /// The exported file's layout.
    public var file: ProgramFile
    /// The model's name.
    public var model: String
    /// The route whose program this is, and its one-line description.
    public var route: String
    public var routeDescription: String
    /// The leader's objective: its name and sense in the model.
    public var leaderObjective: String
    public var leaderSense: String
    /// Multiply the file's objective value by this to get the leader's objective.
    public var objectiveSign: Double
    /// The origin of each of the form's columns and rows, in the form's order.
    public var columnOrigins: [Origin]
    public var rowOrigins: [Origin]

    /// A map of `file` with the origins of its form's columns and rows.
    public init(
        file: ProgramFile, model: String, route: String, routeDescription: String, leaderObjective: String, leaderSense: String,
        objectiveSign: Double, columnOrigins: [Origin], rowOrigins: [Origin]
    ) {
        self.file = file
        self.model = model
        self.route = route
        self.routeDescription = routeDescription
        self.leaderObjective = leaderObjective
        self.leaderSense = leaderSense
        self.objectiveSign = objectiveSign
        self.columnOrigins = columnOrigins
        self.rowOrigins = rowOrigins
    }

    /// The map as JSON: keys in a fixed order, two-space indentation, one row or column per line.
    public var json: String {
        let f = file.form
        var out = "{\n"
        out += "  \"format\": \(Self.render(.string(file.format.rawValue))),\n"
        out += "  \"model\": \(Self.render(.string(model))),\n"
        out += "  \"route\": \(Self.render(.string(route))),\n"
        out += "  \"route_description\": \(Self.render(.string(routeDescription))),\n"
        let objective: [(String, Value)] = [
            ("row", .string(file.objectiveName)), ("sense", .string("minimize")),
            ("leader_objective", .string(leaderObjective)), ("leader_sense", .string(leaderSense)),
            ("sign", .number(objectiveSign)), ("constant", .number(f.objectiveConstant)),
            ("constant_column", file.constantColumn.map { .string($0) } ?? .null),
            ("quadratic", .string(f.quadraticObjective.isEmpty ? "none" : "convex quadratic part: c'x + 1/2 x'Qx (MPS QUADOBJ, LP [ ] / 2)")),
            ("leader_value", .string("leader \(leaderObjective) = sign * (objective of the file, constant column included)")),
        ]
        out += "  \"objective\": " + Self.object(objective) + ",\n"
        var columns: [String] = []
        for j in 0..<f.columnCount {
            let o = j < columnOrigins.count ? columnOrigins[j] : Origin(kind: "unknown", modelName: f.columnNames[j], description: "")
            columns.append(
                Self.object(
                    [("name", .string(file.columnNames[j])), ("index", .int(j)), ("model_name", .string(o.modelName)), ("kind", .string(o.kind))]
                        + o.attributes + [("description", .string(o.description))]))
        }
        if let c = file.constantColumn {
            columns.append(
                Self.object([
                    ("name", .string(c)), ("index", .int(f.columnCount)), ("model_name", .null), ("kind", .string("objective_constant")),
                    ("description", .string("fixed at 1; its cost is the objective's constant")),
                ]))
        }
        out += "  \"columns\": [\n" + columns.map { "    " + $0 }.joined(separator: ",\n") + (columns.isEmpty ? "" : "\n") + "  ],\n"
        var rows: [String] = []
        for (k, r) in file.rows.enumerated() {
            let o = r.formRow < rowOrigins.count ? rowOrigins[r.formRow] : Origin(kind: "unknown", modelName: f.rowNames[r.formRow], description: "")
            var entry: [(String, Value)] = [("name", .string(r.name)), ("index", .int(k)), ("model_name", .string(o.modelName)), ("kind", .string(o.kind))]
            entry += o.attributes
            if let side = r.side { entry.append(("range_side", .string(side))) }
            entry.append(("description", .string(o.description)))
            rows.append(Self.object(entry))
        }
        out += "  \"rows\": [\n" + rows.map { "    " + $0 }.joined(separator: ",\n") + (rows.isEmpty ? "" : "\n") + "  ]\n"
        out += "}\n"
        return out
    }

    static func object(_ pairs: [(String, Value)]) -> String {
        "{" + pairs.map { "\(render(.string($0.0))): \(render($0.1))" }.joined(separator: ", ") + "}"
    }

    /// A JSON scalar: strings escaped (control characters as `\u00XX`), numbers as the files write them.
    static func render(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .int(let i): return String(i)
        case .number(let d): return d.isFinite ? ProgramFile.number(d) : "null"
        case .string(let s): return JSONString.quoted(s)
        }
    }
}

/// A JSON string literal: quotes and backslashes escaped, control characters as `\n`, `\t`, `\r`
/// or `\u00XX`. The one quoting of the name maps and the facade's JSON reports.
package enum JSONString {
    package static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
