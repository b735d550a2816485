import BlomodelCore

/// A bilevel model printed as `.blo` text, with the names the text gives to the model's variables,
/// constraints and objectives.
public struct BloText: Sendable {
    /// The `.blo` source.
    public var text: String
    /// The name in the text of each variable (by `VarID`; `dual(...)` variables are written as
    /// `dual(con)` and keep the model's name here).
    public var variableNames: [String]
    /// The name in the text of each constraint (by index in `model.constraints`).
    public var constraintNames: [String]
}

/// Prints a `BilevelModel` whose expressions are linear or quadratic as `.blo` text that the
/// language reads back to the same model: the same variables (bounds, kinds, owners, start
/// values), the same rows (sides, dual bounds), the same objectives (senses, names, constants),
/// and the follower block's `dualbound`.
///
/// The text is deterministic and readable: a comment header, the `upper` block (the leader's
/// variables, its objective, its constraints) and the `lower` block, one declaration or
/// constraint per line, numbers printed exactly (the shortest decimal that reads back to the same
/// double), terms in variable order.
///
/// Names: every variable and constraint is declared as a scalar. A name that is a valid `.blo`
/// identifier is kept; an indexed name `flow[1,2]` becomes `flow_1_2`, other characters become
/// `_`, and a clash gets `_2`, `_3`, ...; the line of a renamed entity ends with a comment naming
/// the original (`# flow[1,2]`, or the name given in `originalNames`). The variables of a level
/// are declared in model order, so the text's variable order is the model's when the leader's
/// variables come first (models from `.blo` files); otherwise the same variables come in a
/// different order.
///
/// Refused, with a `Diagnostic` at the offending expression: an expression without a quadratic
/// view (a function of variables, degree three), and a model with more than one follower.
public enum BloWriter {
    /// The text of `model`. `comments` are printed first as `#` lines; `originalNames` maps a
    /// model name (variable, constraint or objective) to a name to mention in its line's comment
    /// (an MPS file's name, for a model read from the MibS format).
    public static func write(_ model: BilevelModel, comments: [String] = [], originalNames: [String: String] = [:]) throws -> BloText {
        if let part = model.nonquadraticParts.first {
            let at = model.graph.location(of: part.failure.node)
            throw Diagnostic(
                .error, "the .blo writer prints linear and quadratic expressions; \(part.part) has \(model.describe(part))",
                at: at == .unknown ? nil : at, length: model.graph.length(of: part.failure.node))
        }
        if let other = (model.variables.map(\.owner) + model.constraints.map(\.owner)).first(where: { $0.isFollower && $0 != .theFollower }) {
            throw Diagnostic(.error, "the .blo language has one follower; this model has \(other)")
        }
        var taken = Set<String>()
        func unique(_ name: String) -> String {
            var candidate = NameAssigner.isIdentifier(name) ? name : NameAssigner.sanitized(name)
            let stem = candidate
            var k = 2
            while taken.contains(candidate) {
                candidate = "\(stem)_\(k)"
                k += 1
            }
            taken.insert(candidate)
            return candidate
        }
        func flat(_ base: String, _ index: Tuple) -> String {
            index.isEmpty ? base : base + "_" + index.map { NameAssigner.sanitized($0.description).trimmingLeadingUnderscoreOfDigits() }.joined(separator: "_")
        }
        // Names: variables, then constraints, then objectives (in model order).
        var variableNames = [String](repeating: "", count: model.variables.count)
        for (j, v) in model.variables.enumerated() {
            if case .dual = v.role { continue }
            variableNames[j] = unique(flat(v.base, v.index))
        }
        let constraintNames = model.constraints.map { unique(flat($0.base, $0.index)) }
        for (j, v) in model.variables.enumerated() {
            if case .dual(let i) = v.role {
                guard model.constraints.indices.contains(i) else {
                    throw Diagnostic(.error, "\(v.name) refers to no constraint of the model", at: v.location)
                }
                variableNames[j] = "dual(\(constraintNames[i]))"
            }
        }
        let leaderObjective = unique(model.upperObjective.name)
        let followerObjective = unique(model.lowerObjective.name)

        func note(_ written: String, _ modelName: String) -> String {
            let original = originalNames[modelName] ?? modelName
            return original == written ? "" : "  # \(original)"
        }

        var out = ""
        for c in comments {
            for line in c.split(separator: "\n", omittingEmptySubsequences: false) { out += line.isEmpty ? "#\n" : "# \(line)\n" }
        }
        for owner in [Owner.leader, .theFollower] {
            out += owner.isLeader ? "upper {\n" : "lower {\n"
            for (j, v) in model.variables.enumerated() where v.owner == owner {
                if case .dual = v.role { continue }
                out += "  var \(variableNames[j])\(attributes(v));\(note(variableNames[j], v.name))\n"
            }
            let objective = owner.isLeader ? model.upperObjective : model.lowerObjective
            let objectiveName = owner.isLeader ? leaderObjective : followerObjective
            out += "  \(objective.sense.rawValue) \(objectiveName): \(expression(objective.expression, variableNames));"
            out += note(objectiveName, objective.name) + "\n"
            for (i, c) in model.constraints.enumerated() where c.owner == owner {
                out += "  \(constraintNames[i]): \(row(c, variableNames))"
                if let m = c.dualBound, owner.isFollower, case .constraint = c.dualBoundSource { out += " dualbound \(formatNumber(m))" }
                out += ";\(note(constraintNames[i], c.name))\n"
            }
            if owner.isFollower, let m = model.lowerDualBound { out += "  dualbound \(formatNumber(m));\n" }
            out += "}\n"
        }
        return BloText(text: out, variableNames: variableNames, constraintNames: constraintNames)
    }

    /// ` >= 0, <= 10 integer`, ` = 3`, ` binary`, or nothing for a free continuous variable.
    static func attributes(_ v: Variable) -> String {
        var parts: [String] = []
        let binaryRange = v.kind == .binary && v.lower == 0 && v.upper == 1
        if !binaryRange {
            if v.lower == v.upper {
                parts.append("= \(formatNumber(v.lower))")
            } else {
                if v.lower.isFinite { parts.append(">= \(formatNumber(v.lower))") }
                if v.upper.isFinite { parts.append("<= \(formatNumber(v.upper))") }
            }
        }
        if let s = v.start { parts.append(":= \(formatNumber(s))") }
        var text = parts.isEmpty ? "" : " " + parts.joined(separator: ", ")
        if v.kind != .continuous { text += " " + v.kind.rawValue }
        return text
    }

    /// A constraint's relation: `body <= u`, `body >= l`, `body = b`, or `l <= body <= u`.
    static func row(_ c: Constraint, _ names: [String]) -> String {
        let body = expression(c.body, names)
        if c.lower == c.upper { return "\(body) = \(formatNumber(c.lower))" }
        switch (c.lower.isFinite, c.upper.isFinite) {
        case (true, true): return "\(formatNumber(c.lower)) <= \(body) <= \(formatNumber(c.upper))"
        case (true, false): return "\(body) >= \(formatNumber(c.lower))"
        case (false, true): return "\(body) <= \(formatNumber(c.upper))"
        case (false, false):
            // A row without sides: written with the side the language reads as no bound (1e12).
            return "\(body) <= 1e12"
        }
    }

    /// `3*x - y + 2*x*y + x^2 - 4` (terms in variable order, the constant last); `0` when empty.
    static func expression(_ e: QuadExpr, _ names: [String]) -> String {
        var terms: [(Double, String)] = []
        for (j, a) in e.linear.terms { terms.append((a, names[j])) }
        for (p, a) in e.quadratic {
            terms.append((a, p.first == p.second ? "\(names[p.first])^2" : "\(names[p.first])*\(names[p.second])"))
        }
        var out = ""
        for (k, (a, name)) in terms.enumerated() {
            let magnitude = abs(a)
            let factor = magnitude == 1 ? name : "\(formatNumber(magnitude))*\(name)"
            if k == 0 {
                out = a < 0 ? "-" + factor : factor
            } else {
                out += a < 0 ? " - " + factor : " + " + factor
            }
        }
        let k = e.linear.constant
        if k != 0 || out.isEmpty {
            if out.isEmpty {
                out = formatNumber(k)
            } else {
                out += k < 0 ? " - \(formatNumber(-k))" : " + \(formatNumber(k))"
            }
        }
        return out
    }
}

extension String {
    /// A member written as `_3` by `NameAssigner.sanitized` is `3` inside a flattened name.
    fileprivate func trimmingLeadingUnderscoreOfDigits() -> String {
        if hasPrefix("_"), dropFirst().first?.isNumber == true { return String(dropFirst()) }
        return self
    }
}
