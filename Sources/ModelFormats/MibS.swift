import BlomodelCore
import Foundation

/// A MibS instance (an MPS file and its auxiliary file) as a bilevel model, with the names the
/// model gives to the file's columns and rows.
public struct MibSInstance: Sendable {
    /// The model, built through `ModelBuilder` as the language would build it.
    public var model: BilevelModel
    /// For every column, row and objective whose name in the model differs from the file's: the
    /// model's name and the file's, in model order (variables, constraints, objectives).
    public var renamed: [(model: String, file: String)]
    /// What was said without refusing the instance (also in `model.warnings`).
    public var warnings: [Diagnostic] { model.warnings }
}

/// The MibS bilevel format: an MPS file (the high-point relaxation, the leader's objective) and an
/// auxiliary file (the follower's columns, rows and objective), read into a `BilevelModel`.
///
/// The mapping (docs/formats.md, "The MibS bilevel format"):
///
/// - columns listed in the aux file are follower variables (in MPS column order in the model);
///   the others are the leader's. Bounds and integrality come from the MPS file; a follower
///   variable's bounds are the follower's constraints, as in the language's lower block;
/// - rows listed in the aux file are follower rows, the others leader rows (they may contain
///   follower variables). E and ranged rows stay one row `lower <= body <= upper`;
/// - the leader minimises the MPS objective (constant and quadratic part included). MibS always
///   minimises it, whatever OBJSENSE says: an `OBJSENSE MAX` is read the same way, with a warning;
/// - the follower minimises `sum LO_i y_i` (`OS -1` or `@OBJSENSE MAX`: maximises it);
/// - interdiction files (`IB`): the MPS file is the follower's problem; n binary leader variables
///   `x0 ... x{n-1}` are added, a leader row `sum IC_j x_j <= IB`, follower rows
///   `y_j + u_j x_j <= u_j` (u_j the finite MPS upper bound of y_j), and the leader minimises the
///   negated MPS objective;
/// - names: a file's name that is a valid `.blo` identifier (or an indexed name such as `x[1,2]`
///   whose base is one) is kept; others are made valid deterministically (`renamed` lists them).
public enum MibS {
    /// Reads an MPS file and its aux file into a bilevel model.
    public static func load(mps mpsPath: String, aux auxPath: String) throws -> MibSInstance {
        let aux = try MibSAuxReader.read(path: auxPath)
        let mps = try MPSReader.read(path: mpsPath)
        return try instance(mps: mps, aux: aux)
    }

    /// The model of an MPS file and an aux file already read.
    public static func instance(mps: MPSFile, aux: MibSAuxFile) throws -> MibSInstance {
        let level = try followerPart(mps: mps, aux: aux)
        var names = NameAssigner()
        var b = ModelBuilder()
        b.inputFiles = [mps.source.path, aux.source.path]
        b.warnings = mps.warnings + aux.warnings
        if mps.objectiveSense == .maximize, let at = mps.objectiveSenseLocation {
            b.warnings.append(
                mps.source.quoting(
                    Diagnostic(
                        .warning, "OBJSENSE MAX is ignored: MibS always minimises the MPS objective, and so does this reading",
                        at: at, length: 8, notes: ["to maximise the leader's objective, negate its coefficients in the MPS file"])))
        }
        var renamed: [(model: String, file: String)] = []
        // Variables, in MPS column order (then the interdiction variables).
        var nodes: [NodeID] = []
        nodes.reserveCapacity(mps.columns.count)
        for (j, c) in mps.columns.enumerated() {
            let (base, index) = names.assign(c.name, as: .variable)
            let owner: Owner = level.followerColumns.contains(j) ? .theFollower : .leader
            try b.claimOnce(base, as: .variable, at: c.location)
            let v = Variable(base: base, index: index, owner: owner, lower: c.lower, upper: c.upper, kind: c.kind, location: c.location)
            if v.name != c.name { renamed.append((v.name, c.name)) }
            let id = try b.addVariable(v, length: c.name.count)
            nodes.append(b.graph.add(.variable(id)))
        }
        var interdiction: [NodeID] = []
        if level.interdictionCosts != nil {
            for j in mps.columns.indices {
                let (base, index) = names.assign("x\(j)", as: .variable)
                let at = aux.interdictionCosts[j].location
                try b.claimOnce(base, as: .variable, at: at)
                let id = try b.addVariable(Variable(base: base, index: index, owner: .leader, lower: 0, upper: 1, kind: .binary, location: at))
                interdiction.append(b.graph.add(.variable(id)))
            }
        }
        // Rows, in MPS order.
        for (i, r) in mps.rows.enumerated() {
            let (base, index) = names.assign(r.name, as: .constraint)
            try b.claimOnce(base, as: .constraint, at: r.location)
            let owner: Owner = level.followerRows.contains(i) ? .theFollower : .leader
            var body = Combination(constant: 0)
            body.coefficients = r.coefficients.values
            body.nodes = r.coefficients.keys.map { nodes[$0] }
            let name = indexedName(base, index)
            if name != r.name { renamed.append((name, r.name)) }
            try b.addRangedConstraint(base, index: index, owner: owner, lower: r.lower, body, upper: r.upper, at: r.location, nameLength: r.name.count)
        }
        if let costs = level.interdictionCosts, let budget = level.interdictionBudget {
            let (base, index) = names.assign("interdiction_budget", as: .constraint)
            let at = aux.interdictionBudget!.location
            try b.claimOnce(base, as: .constraint, at: at)
            var body = Combination(constant: 0)
            body.coefficients = costs
            body.nodes = interdiction
            try b.addRangedConstraint(base, index: index, owner: .leader, lower: -.infinity, body, upper: budget, at: at)
            for (j, c) in mps.columns.enumerated() {
                let (rowBase, rowIndex) = names.assign("interdict_\(c.name)", as: .constraint)
                try b.claimOnce(rowBase, as: .constraint, at: c.location)
                var row = Combination(nodes[j])
                row.add(Combination(interdiction[j], coefficient: c.upper))
                try b.addRangedConstraint(
                    rowBase, index: rowIndex, owner: .theFollower, lower: -.infinity, row, upper: c.upper, at: c.location,
                    nameLength: c.name.count)
            }
        }
        // Objectives.
        let sign = level.interdictionCosts == nil ? 1.0 : -1.0
        var leader = Combination(constant: sign * mps.objectiveConstant)
        for (j, c) in mps.columns.enumerated() where c.objective != 0 {
            leader.coefficients.append(sign * c.objective)
            leader.nodes.append(nodes[j])
        }
        for t in mps.quadraticObjective {
            let product = b.graph.multiply(Combination(nodes[t.first]), Combination(nodes[t.second]))
            leader.add(product, times: sign * t.coefficient)
        }
        let leaderName = names.assign(mps.objectiveName ?? "leader_objective", as: .objective).base
        if let n = mps.objectiveName, leaderName != n { renamed.append((leaderName, n)) }
        let leaderAt = mps.objectiveLocation ?? SourceLocation(file: mps.source.path, line: 1, column: 1)
        try b.setObjective(.leader, .minimize, name: leaderName, leader, at: leaderAt)
        var follower = Combination(constant: 0)
        for (j, coefficient) in zip(level.followerOrder, level.followerObjective) where coefficient != 0 {
            follower.coefficients.append(coefficient)
            follower.nodes.append(nodes[j])
        }
        let followerName = names.assign("follower_objective", as: .objective).base
        let followerAt = aux.variablesLocation ?? aux.senseLocation ?? SourceLocation(file: aux.source.path, line: 1, column: 1)
        try b.setObjective(.theFollower, aux.followerSense, name: followerName, follower, at: followerAt)
        let modelName: String = {
            if let n = aux.instanceName, !n.isEmpty { return n }
            if !mps.name.isEmpty { return mps.name }
            return ((mps.source.path as NSString).lastPathComponent as NSString).deletingPathExtension
        }()
        do {
            let model = try b.finish(name: modelName, at: aux.variablesLocation ?? SourceLocation(file: aux.source.path, line: 1, column: 1))
            return MibSInstance(model: model, renamed: renamed)
        } catch var d as Diagnostic {
            if d.sourceLine == nil, let at = d.location {
                if at.file == mps.source.path { d = mps.source.quoting(d) } else if at.file == aux.source.path { d = aux.source.quoting(d) }
            }
            throw d
        }
    }

    /// The follower's columns, rows and objective, checked against the MPS file.
    struct FollowerPart {
        var followerColumns: Set<Int> = []
        /// The follower's columns in the aux file's order, with their objective coefficients.
        var followerOrder: [Int] = []
        var followerObjective: [Double] = []
        var followerRows: Set<Int> = []
        var interdictionCosts: [Double]?
        var interdictionBudget: Double?
    }

    static func followerPart(mps: MPSFile, aux: MibSAuxFile) throws -> FollowerPart {
        let source = aux.source
        func fail(_ message: String, _ item: MibSAuxFile.Item, notes: [String] = []) -> Diagnostic {
            source.error(message, at: item.location, length: item.text.count, notes: notes)
        }
        func number(_ item: MibSAuxFile.Item, _ what: String) throws -> Double {
            guard let v = parseDecimal(item.text), abs(v) < MPSReader.infinity else {
                throw fail("'\(item.text)' is not a finite number (\(what))", item)
            }
            return v
        }
        func column(_ item: MibSAuxFile.Item, byIndex: Bool) throws -> Int {
            if let j = mps.columnIndex[item.text] { return j }
            if byIndex, let j = Int(item.text) {
                guard mps.columns.indices.contains(j) else {
                    throw fail(
                        "column index \(j) is out of range: \(mps.source.path) has \(mps.columns.count) column(s), indexed from 0", item)
                }
                return j
            }
            let hint = closestName(to: item.text, among: mps.columns.map(\.name)).map { ["did you mean '\($0)'?"] } ?? []
            throw fail("'\(item.text)' is not a column of \(mps.source.path)", item, notes: hint)
        }
        func row(_ item: MibSAuxFile.Item, byIndex: Bool) throws -> Int {
            if let i = mps.rowIndex[item.text] { return i }
            if byIndex, let i = Int(item.text) {
                guard mps.rows.indices.contains(i) else {
                    throw fail(
                        "row index \(i) is out of range: \(mps.source.path) has \(mps.rows.count) constraint row(s), indexed from 0 (the objective row not counted)",
                        item)
                }
                return i
            }
            if item.text == mps.objectiveName {
                throw fail("'\(item.text)' is the objective row of \(mps.source.path), not a constraint row", item)
            }
            let hint = closestName(to: item.text, among: mps.rows.map(\.name)).map { ["did you mean '\($0)'?"] } ?? []
            throw fail("'\(item.text)' is not a row of \(mps.source.path)", item, notes: hint)
        }
        let auxStart = SourceLocation(file: source.path, line: 1, column: 1)
        func countError(_ message: String, at: SourceLocation?) -> Diagnostic {
            let at = at ?? auxStart
            return Diagnostic(.error, message, at: at, sourceLine: source.line(at.line))
        }
        var part = FollowerPart()

        if aux.isInterdiction {
            // The MPS file is the follower's problem; the leader's part is built (MibS's loadProblemData).
            let n = mps.columns.count
            guard aux.interdictionCosts.count == n else {
                throw countError(
                    "the interdiction file gives \(aux.interdictionCosts.count) IC cost(s); \(mps.source.path) has \(n) column(s), one cost each",
                    at: aux.interdictionCosts.last?.location ?? aux.interdictionBudget?.location)
            }
            guard aux.legacyObjective.count == n else {
                throw countError(
                    "Missing second-stage (lower-level) objective coefficient(s): the file gives \(aux.legacyObjective.count) LO value(s) for \(n) follower column(s)",
                    at: aux.legacyObjective.last?.location ?? aux.interdictionBudget?.location)
            }
            if let c = mps.columns.first(where: { !$0.upper.isFinite }) {
                throw mps.source.error(
                    "interdiction needs a finite upper bound on every column; '\(c.name)' has none", at: c.location, length: c.name.count,
                    notes: ["MibS adds the follower row y + u x <= u with u the column's upper bound"])
            }
            part.followerColumns = Set(0..<n)
            part.followerOrder = Array(0..<n)
            part.followerObjective = try aux.legacyObjective.map { try number($0, "a follower objective coefficient") }
            part.followerRows = Set(mps.rows.indices)
            part.interdictionCosts = try aux.interdictionCosts.map { try number($0, "an interdiction cost") }
            part.interdictionBudget = try number(aux.interdictionBudget!, "the interdiction budget")
            return part
        }
        if !aux.interdictionCosts.isEmpty {
            throw fail("IC costs without an IB budget", aux.interdictionCosts[0], notes: ["an interdiction file gives one IC per MPS column and IB"])
        }

        // Follower columns: the name-based pairs, or the legacy LC / LO lists.
        var seenColumns: [Int: SourceLocation] = [:]
        func addColumn(_ j: Int, _ item: MibSAuxFile.Item, _ coefficient: Double) throws {
            if let previous = seenColumns[j] {
                throw fail("column '\(mps.columns[j].name)' is listed twice (first at line \(previous.line))", item)
            }
            seenColumns[j] = item.location
            part.followerOrder.append(j)
            part.followerObjective.append(coefficient)
        }
        if aux.variablesLocation != nil {
            if !aux.legacyColumns.isEmpty {
                throw fail("follower columns given both by @VARSBEGIN and by LC", aux.legacyColumns[0])
            }
            for v in aux.followerVariables {
                try addColumn(try column(v.column, byIndex: false), v.column, try number(v.coefficient, "the follower objective coefficient of \(v.column.text)"))
            }
            if let n = aux.variableCount, n.value != aux.followerVariables.count {
                throw countError(
                    "@NUMVARS says \(n.value) follower variable(s); @VARSBEGIN lists \(aux.followerVariables.count)", at: n.at)
            }
        } else {
            if aux.legacyObjective.count != aux.legacyColumns.count {
                throw countError(
                    "Missing second-stage (lower-level) objective coefficient(s): \(aux.legacyColumns.count) LC column(s) and \(aux.legacyObjective.count) LO coefficient(s)",
                    at: (aux.legacyObjective.last ?? aux.legacyColumns.last)?.location)
            }
            for (c, o) in zip(aux.legacyColumns, aux.legacyObjective) {
                try addColumn(try column(c, byIndex: true), c, try number(o, "a follower objective coefficient"))
            }
            if let n = aux.variableCount, n.value != aux.legacyColumns.count {
                throw countError("N says \(n.value) follower variable(s); the file gives \(aux.legacyColumns.count) LC line(s)", at: n.at)
            }
        }
        if part.followerOrder.isEmpty {
            throw countError("the auxiliary file lists no follower variables", at: aux.variableCount?.at ?? aux.variablesLocation)
        }
        part.followerColumns = Set(part.followerOrder)

        // Follower rows.
        var seenRows: [Int: SourceLocation] = [:]
        let byName = aux.rowsLocation != nil
        if byName, !aux.legacyRows.isEmpty { throw fail("follower rows given both by @CONSTRSBEGIN and by LR", aux.legacyRows[0]) }
        for item in byName ? aux.followerRowNames : aux.legacyRows {
            let i = try row(item, byIndex: !byName)
            if let previous = seenRows[i] {
                throw fail("row '\(mps.rows[i].name)' is listed twice (first at line \(previous.line))", item)
            }
            seenRows[i] = item.location
        }
        let listed = byName ? aux.followerRowNames.count : aux.legacyRows.count
        if let m = aux.rowCount, m.value != listed {
            throw countError(
                byName
                    ? "@NUMCONSTRS says \(m.value) follower row(s); @CONSTRSBEGIN lists \(listed)"
                    : "M says \(m.value) follower row(s); the file gives \(listed) LR line(s)", at: m.at)
        }
        part.followerRows = Set(seenRows.keys)
        return part
    }
}

extension ModelBuilder {
    /// Claims a name unless this builder already claimed it for the same kind (members of one
    /// indexed family share their base name).
    mutating func claimOnce(_ name: String, as kind: NameKind, at location: SourceLocation) throws {
        if let previous = names[name], previous.kind == kind { return }
        try claim(name, as: kind, at: location, length: name.count)
    }
}

/// Gives the file's names valid `.blo` names, deterministically: a valid identifier is kept, an
/// indexed name `base[e1,...,ek]` (a valid base, integer or identifier members) keeps its base and
/// index, and anything else has its other characters replaced by `_` (a leading digit gets a `_`
/// before it, a reserved word one after it); a name already taken gets `_2`, `_3`, ...
struct NameAssigner {
    enum Kind { case variable, constraint, objective }

    /// Base names by the kind that took them, and for indexed families their dimension (a
    /// family's members share their base).
    private var bases: [String: (kind: Kind, dimension: Int?)] = [:]
    /// Full names taken.
    private var taken: Set<String> = []

    static let reserved: Set<String> = [
        "set", "param", "var", "upper", "lower", "minimize", "maximize", "sum", "in", "integer", "binary",
        "default", "csv", "dualbound", "and", "or", "not", "dual", "if", "then", "else",
    ]

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
            && !reserved.contains(s)
    }

    /// `s` as an identifier: other characters become `_`.
    static func sanitized(_ s: String) -> String {
        var out = String(s.unicodeScalars.map { c -> Character in
            c == "_" || (c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c))) ? Character(c) : "_"
        })
        if out.isEmpty { out = "_" }
        if let f = out.unicodeScalars.first, ("0"..."9").contains(f) { out = "_" + out }
        if reserved.contains(out) { out += "_" }
        return out
    }

    /// `base[e1,...,ek]` split, when the base is an identifier and each member an integer (written
    /// as Swift prints it) or an identifier.
    static func indexed(_ s: String) -> (String, Tuple)? {
        guard s.hasSuffix("]"), let open = s.firstIndex(of: "[") else { return nil }
        let base = String(s[..<open])
        let inner = s[s.index(after: open)..<s.index(before: s.endIndex)]
        guard isIdentifier(base), !inner.isEmpty else { return nil }
        var tuple: Tuple = []
        for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
            let p = String(part)
            if let v = Int(p), String(v) == p {
                tuple.append(.int(v))
            } else if isIdentifier(p) {
                tuple.append(.symbol(p))
            } else {
                return nil
            }
        }
        return (base, tuple)
    }

    /// The model's base name and index for a file's name.
    mutating func assign(_ name: String, as kind: Kind) -> (base: String, index: Tuple) {
        if kind != .objective, let (base, index) = NameAssigner.indexed(name), !taken.contains(name) {
            let previous = bases[base]
            if previous == nil || (previous!.kind == kind && previous!.dimension == index.count) {
                bases[base] = (kind, index.count)
                taken.insert(name)
                return (base, index)
            }
        }
        var base = NameAssigner.isIdentifier(name) ? name : NameAssigner.sanitized(name)
        if bases[base] != nil || taken.contains(base) {
            let stem = base
            var k = 2
            repeat {
                base = "\(stem)_\(k)"
                k += 1
            } while bases[base] != nil || taken.contains(base)
        }
        bases[base] = (kind, nil)
        taken.insert(base)
        return (base, [])
    }
}
