import BlomodelCore
import Foundation

/// The members of a set, in source order, with fast membership.
struct SetValue {
    var dimension: Int
    var members: [Tuple] = []
    var contains: Set<Tuple> = []

    init(dimension: Int) { self.dimension = dimension }

    mutating func insert(_ t: Tuple) {
        if contains.insert(t).inserted { members.append(t) }
    }
}

/// A parameter's data: values by index, and an optional default.
struct ParamTable {
    var dimension: Int
    var domain: Set<Tuple>?
    var values: [Tuple: Double] = [:]
    var defaultValue: Double?
    var location: SourceLocation
}

/// An indexed family of variables.
struct VarFamily {
    var owner: Owner
    var dimension: Int
    var ids: [Tuple: VarID] = [:]
    var location: SourceLocation
}

/// Turns the statements of a `.blo` file into a `BilevelModel`: resolves
/// names, expands index sets, reads CSV data, evaluates bounds, and checks
/// everything it can with positioned diagnostics.
///
/// Names must be declared before they are used, with one exception that a
/// bilevel model needs: each block may use the variables of the other block
/// wherever they are declared (the leader's objective names the follower's
/// variables). Within one block, variables are declared before use.
package final class Elaborator {
    let source: SourceFile
    let directory: String

    var sets: [String: SetValue] = [:]
    var params: [String: ParamTable] = [:]
    var families: [String: VarFamily] = [:]
    var constraintNames: [String: SourceLocation] = [:]
    /// Every declared name and where, found by a first scan (for "used before its declaration").
    var declarations: [String: SourceLocation] = [:]
    /// Every constraint name and where (`dual()` may name a constraint declared further down).
    var constraintDeclarations: [String: SourceLocation] = [:]
    var indexBindings = Bindings()
    /// The model under construction: the builder the Swift DSL shares, which owns every rule
    /// about variables, rows, objectives and duals.
    var builder = ModelBuilder()
    /// Every expression of the model, as written (the builder's).
    var graph: ExpressionGraph {
        get { builder.graph }
        _modify { yield &builder.graph }
    }
    var variables: [Variable] { builder.variables }
    /// The data files read, in order.
    var readFiles: [String] = []
    var blockLevel: Owner?
    /// Per set and tuple position, the members by their element there: lets a filter such as
    /// `{(i,j) in ARCS: i == n}` visit only the matching members instead of the whole set.
    var memberIndex: [String: [Int: [Element: [Tuple]]]] = [:]

    /// The most members a set, a product of sets or an indexed sum may have (as for ranges).
    package static let maximumMembers = 10_000_000
    /// The most expression nodes a model may have (about 50 bytes each): nested sums multiply
    /// their sizes, and this bounds the memory they can take.
    package static let maximumNodes = 20_000_000
    /// The node limit in force (`maximumNodes`; tests lower it).
    package var nodeLimit = Elaborator.maximumNodes
    /// The index members visited so far, and the limit in force (`maximumVisits`; tests lower
    /// it): see `ElaborationWork.swift`.
    var visits = 0
    package var visitLimit = Elaborator.maximumVisits

    package init(source: SourceFile, directory: String) {
        self.source = source
        self.directory = directory
    }

    func error(_ message: String, at location: SourceLocation, length: Int = 1, notes: [String] = []) -> Diagnostic {
        source.error(message, at: location, length: length, notes: notes)
    }

    // MARK: - Driver

    package func elaborate(_ statements: [Statement], name: String) throws -> BilevelModel {
        // The builder's diagnostics carry positions in this file; quote their lines.
        do { return try elaborateStatements(statements, name: name) } catch let d as Diagnostic { throw source.quoting(d) }
    }

    func elaborateStatements(_ statements: [Statement], name: String) throws -> BilevelModel {
        scanDeclarations(statements)
        var blocks: [Owner: SourceLocation] = [:]
        // Pass 1: sets, parameters and variables, in source order.
        for s in statements {
            switch s {
            case .set(let name, _, let value, let at): try declareSet(name, value, at)
            case .param(let name, let indexing, let value, let def, let at):
                try declareParam(name, indexing, value, def, at)
            case .block(let level, let body, let at):
                if let previous = blocks[level] {
                    throw error(
                        "a second '\(level.blockName)' block; the first is at line \(previous.line)", at: at,
                        length: level.blockName.count, notes: ["put all of the \(level.blockName) level in one block"])
                }
                blocks[level] = at
                blockLevel = level
                for case .variable(let name, let indexing, let attributes, let vat) in body {
                    try declareVariable(name, indexing, attributes, level, vat)
                }
                blockLevel = nil
            default: break
            }
        }
        // Pass 2: objectives and constraints.
        for case .block(let level, let body, let at) in statements {
            blockLevel = level
            for s in body {
                switch s {
                case .objective(let sense, let name, let e, let oat):
                    if let previous = builder.objectives[level] {
                        throw error(
                            "the \(level.blockName) level already has an objective (line \(previous.location.line)); each level has exactly one",
                            at: oat, length: sense.rawValue.count)
                    }
                    let body = try evaluate(e)
                    let range = graph.range(e.location)
                    try builder.setObjective(level, sense, name: name, body, at: oat, range: range)
                case .constraint(let name, let indexing, let parts, let relations, let dualBound, let cat):
                    try declareConstraint(name, indexing, parts, relations, dualBound, level, cat)
                case .dualBound(let e, let dat):
                    guard level == .theFollower else {
                        throw error(
                            "'dualbound' bounds the follower's dual variables; it belongs in the lower block", at: dat,
                            length: 9)
                    }
                    try builder.setFollowerDualBound(try constant(e, "a dual bound"), at: dat, valueLocation: e.location)
                default: break
                }
            }
            if builder.objectives[level] == nil {
                throw error(
                    "the \(level.blockName) block has no objective", at: at, length: level.blockName.count,
                    notes: ["add 'minimize <expression>;' or 'maximize <expression>;'"])
            }
            blockLevel = nil
        }
        let start = SourceLocation(file: source.path, line: 1, column: 1)
        guard blocks[.leader] != nil, blocks[.theFollower] != nil else {
            let missing = blocks[.leader] == nil ? "upper" : "lower"
            throw error(
                statements.isEmpty ? "the model is empty" : "the model has no '\(missing)' block", at: start,
                notes: ["a bilevel model has an 'upper { ... }' block (the leader) and a 'lower { ... }' block (the follower)"])
        }
        if !variables.contains(where: { $0.owner == .theFollower }) {
            throw error("the lower block declares no variables: the follower has nothing to decide", at: blocks[.theFollower]!, length: 5)
        }
        builder.inputFiles = [source.path] + readFiles
        return try builder.finish(name: name, at: start)
    }

    func scanDeclarations(_ statements: [Statement]) {
        for s in statements {
            switch s {
            case .set(let name, _, _, let at), .param(let name, _, _, _, let at):
                if declarations[name] == nil { declarations[name] = at }
            case .block(_, let body, _):
                for case .variable(let name, _, _, let at) in body where declarations[name] == nil {
                    declarations[name] = at
                }
                for case .constraint(let name, _, _, _, _, let at) in body where constraintDeclarations[name] == nil {
                    constraintDeclarations[name] = at
                }
            default: break
            }
        }
    }

    func checkFresh(_ name: String, _ at: SourceLocation) throws {
        let taken =
            sets[name] != nil || params[name] != nil || families[name] != nil || constraintNames[name] != nil
        if taken {
            let previous = declarations[name] ?? constraintNames[name]
            throw error(
                "'\(name)' is already declared" + (previous.map { " at line \($0.line)" } ?? ""), at: at,
                notes: ["each set, parameter, variable and constraint needs its own name"])
        }
    }

    // MARK: - Declarations

    func declareSet(_ name: String, _ value: SetRef, _ at: SourceLocation) throws {
        try checkFresh(name, at)
        sets[name] = try resolveSet(value)
    }

    func declareParam(_ name: String, _ indexing: Indexing?, _ value: ParamValue?, _ def: SyntaxExpr?, _ at: SourceLocation)
        throws
    {
        try checkFresh(name, at)
        var table = ParamTable(dimension: 0, location: at)
        if let def { table.defaultValue = try constant(def, "a default value") }
        guard let indexing else {
            switch value {
            case .expression(let e): table.values[[]] = try constant(e, "the value of parameter '\(name)'")
            case .none:
                guard table.defaultValue != nil else {
                    throw error("parameter '\(name)' has no value", at: at, notes: ["write 'param \(name) = <value>;'"])
                }
            case .table(let entries):
                throw error("a data table needs an indexed parameter, e.g. 'param \(name){I} = [...]'", at: entries.first?.location ?? at)
            case .csv(_, _, let cat):
                throw error("CSV data needs an indexed parameter, e.g. 'param \(name){I} = csv(...)'", at: cat)
            }
            params[name] = table
            return
        }
        let members = try expand(indexing)
        table.dimension = members.first?.tuple.count ?? indexDimension(indexing)
        table.domain = Set(members.map(\.tuple))
        switch value {
        case .none: break
        case .expression(let e):
            try expectVisits(members.count, [e], local: indexing.items.flatMap(\.names), at: at)
            for m in members {
                table.values[m.tuple] = try withBindings(m.bindings) { try constant(e, "the value of '\(name)'") }
            }
        case .table(let entries):
            for entry in entries {
                let key = try entry.key.map { try element($0, symbols: true) }
                guard key.count == table.dimension else {
                    throw error("the key has \(key.count) parts but '\(name)' is indexed by \(table.dimension)", at: entry.location)
                }
                guard table.domain!.contains(key) else {
                    throw error("\(indexedName(name, key)) is outside the index set of '\(name)'", at: entry.location)
                }
                table.values[key] = try constant(entry.value, "a data value")
            }
        case .csv(let file, let columnName, let cat):
            let csv = try CSVTable.read(file, relativeTo: directory, from: source, at: cat)
            readFiles.append(csv.source.path)
            let valueColumn = try csv.column(columnName, model: source, at: cat)
            guard csv.header.count > table.dimension, valueColumn >= table.dimension else {
                throw error(
                    "the first \(table.dimension) columns of '\(file)' are the index of '\(name)'; the value column must come after them",
                    at: cat, length: 3)
            }
            for row in csv.rows {
                let key = row[0..<table.dimension].map { CSVTable.element($0.text) }
                let cell = row[valueColumn]
                guard table.domain!.contains(key) else {
                    throw csv.source.error(
                        "\(indexedName(name, key)) is outside the index set of '\(name)'", at: row[0].location,
                        length: max(1, row[0].text.count))
                }
                if cell.text.isEmpty { continue }
                guard let v = Double(cell.text), v.isFinite else {
                    throw csv.source.error(
                        "'\(cell.text)' in column '\(columnName)' is not a number", at: cell.location,
                        length: max(1, cell.text.count))
                }
                table.values[key] = v
            }
        }
        params[name] = table
    }

    func indexDimension(_ indexing: Indexing) -> Int {
        indexing.items.reduce(0) { acc, item in
            if !item.names.isEmpty { return acc + item.names.count }
            if case .named(let n, _, _) = item.set, let s = sets[n] { return acc + s.dimension }
            return acc + 1
        }
    }

    func declareVariable(
        _ name: String, _ indexing: Indexing?, _ attributes: [VarAttribute], _ level: Owner, _ at: SourceLocation
    ) throws {
        try checkFresh(name, at)
        let members = try indexing.map { try expand($0) } ?? [(bindings: [:], tuple: [])]
        var family = VarFamily(
            owner: level, dimension: members.first?.tuple.count ?? indexing.map(indexDimension) ?? 0, location: at)
        let bounds: [SyntaxExpr] = attributes.compactMap {
            switch $0.kind {
            case .lower(let e), .upper(let e), .fixed(let e), .start(let e): return e
            case .integer, .binary: return nil
            }
        }
        try expectVisits(members.count, bounds, local: indexing?.items.flatMap(\.names) ?? [], at: at)
        for m in members {
            var v = Variable(base: name, index: m.tuple, owner: level, location: at)
            try withBindings(m.bindings) {
                for a in attributes {
                    switch a.kind {
                    case .lower(let e): v.lower = try constant(e, "a variable bound")
                    case .upper(let e): v.upper = try constant(e, "a variable bound")
                    case .fixed(let e):
                        v.lower = try constant(e, "a fixed value")
                        v.upper = v.lower
                    case .start(let e): v.start = try constant(e, "a start value")
                    case .integer, .binary:
                        // Both levels: an integer follower is solved by the value-function route.
                        if case .binary = a.kind {
                            // The builder clips a binary variable's bounds to [0, 1] (an empty range is an error).
                            v.kind = .binary
                        } else {
                            v.kind = .integer
                        }
                    }
                }
            }
            family.ids[m.tuple] = try builder.addVariable(v)
        }
        families[name] = family
    }

    func declareConstraint(
        _ name: String, _ indexing: Indexing?, _ parts: [SyntaxExpr], _ relations: [String], _ dualBound: SyntaxExpr?,
        _ level: Owner, _ at: SourceLocation
    ) throws {
        if constraintNames[name] != nil || sets[name] != nil || params[name] != nil || families[name] != nil {
            try checkFresh(name, at)
            throw error("constraint '\(name)' is declared twice", at: at, length: name.count)
        }
        constraintNames[name] = at
        if dualBound != nil, level == .leader {
            throw error(
                "'dualbound' applies to follower constraints; '\(name)' is in the upper block", at: dualBound!.location)
        }
        let members = try indexing.map { try expand($0) } ?? [(bindings: [:], tuple: [])]
        try expectVisits(
            members.count, parts + (dualBound.map { [$0] } ?? []), local: indexing?.items.flatMap(\.names) ?? [], at: at,
            length: name.count)
        for m in members {
            try withBindings(m.bindings) {
                let dual: ModelBuilder.DualBoundDeclaration?
                if let dualBound {
                    dual = ModelBuilder.DualBoundDeclaration(try constant(dualBound, "a dual bound"), at: dualBound.location)
                } else {
                    dual = nil
                }
                let member = m.tuple
                if parts.count == 2 {
                    let lhs = try evaluate(parts[0]), rhs = try evaluate(parts[1])
                    let relation: ModelBuilder.Relation =
                        relations[0] == "<=" ? .lessEqual : relations[0] == ">=" ? .greaterEqual : .equal
                    let range = graph.range(parts[0].location)
                    try builder.addConstraint(
                        name, index: member, owner: level, lhs, relation, rhs, dualBound: dual, at: at, range: range)
                } else {
                    var lo = try evaluate(parts[0]), hi = try evaluate(parts[2])
                    if relations[0] == ">=" { swap(&lo, &hi) }
                    guard lo.isConstant, hi.isConstant else {
                        throw error(
                            "the outer parts of a ranged constraint must be constants", at: at, length: name.count,
                            notes: ["write two constraints instead"])
                    }
                    let body = try evaluate(parts[1])
                    let range = graph.range(parts[1].location)
                    try builder.addRangedConstraint(
                        name, index: member, owner: level, lower: lo.constant, body, upper: hi.constant, dualBound: dual,
                        at: at, range: range)
                }
            }
        }
    }

    // MARK: - Index sets

    typealias Member = (bindings: Bindings, tuple: Tuple)

    func withBindings<T>(_ b: Bindings, _ body: () throws -> T) rethrows -> T {
        if b.isEmpty { return try body() }
        let depth = indexBindings.count
        indexBindings.push(b)
        defer { indexBindings.truncate(to: depth) }
        return try body()
    }

    /// All members of an indexing expression, in order, with their name bindings.
    func expand(_ indexing: Indexing) throws -> [Member] {
        if let members = try expandThroughIndex(indexing) { return members }
        if indexing.items.count > Elaborator.maximumDimension {
            throw tooManyParts(at: indexing.items[Elaborator.maximumDimension].location)
        }
        var result: [Member] = [(bindings: [:], tuple: [])]
        // The names bound by the items so far, and the length of the partial tuples.
        var bound: [String] = []
        var dimension = 0
        for item in indexing.items {
            for n in item.names where sets[n] != nil || params[n] != nil || families[n] != nil {
                throw error("index name '\(n)' is already the name of a set, parameter or variable", at: item.location)
            }
            // A set that does not depend on the names bound so far has the same size for every
            // partial member: the product's size is known before anything is built.
            var independent = false
            switch item.set {
            case .named: independent = true
            case .range(let lo, let hi, _): independent = !mentions(lo, bound) && !mentions(hi, bound)
            default: break
            }
            // Such a set is resolved once, not once per partial member.
            var known: SetValue?
            if independent, let first = result.first {
                known = try withBindings(first.bindings) { try resolveSet(item.set) }
                let size = known!.members.count
                if result.count.multipliedReportingOverflow(by: size).partialValue > Elaborator.maximumMembers
                    || result.count.multipliedReportingOverflow(by: size).overflow
                {
                    throw error(
                        "this indexing has more than \(Elaborator.maximumMembers) members (\(result.count) x \(size))", at: item.location,
                        notes: ["an index set, a product of sets or an indexed sum is limited to \(Elaborator.maximumMembers) members; filter it with ': condition' or split the model"])
                }
                try checkParts(members: result.count * size, dimension: dimension + known!.dimension, at: item.location)
            }
            var next: [Member] = []
            var parts = 0
            for partial in result {
                let set = try known ?? withBindings(partial.bindings) { try resolveSet(item.set) }
                // Counted as one member of `parts` parts: the parts built so far, in all.
                try checkParts(members: 1, dimension: partial.tuple.count + set.dimension, at: item.location)
                parts += set.members.count * (partial.tuple.count + set.dimension)
                try checkParts(members: parts, dimension: 1, at: item.location)
                if next.count + set.members.count > Elaborator.maximumMembers {
                    throw error(
                        "this indexing has more than \(Elaborator.maximumMembers) members", at: item.location,
                        notes: ["an index set, a product of sets or an indexed sum is limited to \(Elaborator.maximumMembers) members; filter it with ': condition' or split the model"])
                }
                if !item.names.isEmpty, set.dimension != item.names.count, !set.members.isEmpty {
                    throw error(
                        "the set has \(set.dimension)-tuples but the index binds \(item.names.count) name\(item.names.count == 1 ? "" : "s")",
                        at: item.location,
                        notes: set.dimension > 1 ? ["write '(" + (0..<set.dimension).map { "i\($0 + 1)" }.joined(separator: ",") + ") in ...'"] : [])
                }
                for t in set.members {
                    var b = partial.bindings
                    for (n, e) in zip(item.names, t) { b[n] = e }
                    next.append((bindings: b, tuple: partial.tuple + t))
                }
            }
            result = next
            bound += item.names
            dimension = result.first?.tuple.count ?? dimension + max(1, item.names.count)
        }
        try visit(result.count, at: indexing.location)
        if let condition = indexing.condition {
            try expectVisits(result.count, [condition], local: indexing.items.flatMap(\.names), at: indexing.location)
            result = try result.filter { m in try withBindings(m.bindings) { try truth(condition) } }
        }
        return result
    }

    /// The fast path of `expand` for one named set filtered by `name == expression`, where
    /// the expression does not depend on the item's own names. The full condition is still
    /// evaluated on every candidate, so the result is the same as the slow path's.
    func expandThroughIndex(_ indexing: Indexing) throws -> [Member]? {
        guard indexing.items.count == 1, let condition = indexing.condition else { return nil }
        let item = indexing.items[0]
        guard case .named(let setName, _, _) = item.set, !item.names.isEmpty, let set = sets[setName],
            set.dimension == item.names.count,
            !item.names.contains(where: { sets[$0] != nil || params[$0] != nil || families[$0] != nil }),
            let (position, keyExpression) = equalityFilter(condition, names: item.names)
        else { return nil }
        let key = try compared(keyExpression, "==", with: .name(item.names[position], [], indexing.location, length: 1), left: false)
        if memberIndex[setName]?[position] == nil {
            var byElement: [Element: [Tuple]] = [:]
            for t in set.members { byElement[t[position], default: []].append(t) }
            memberIndex[setName, default: [:]][position] = byElement
        }
        var result: [Member] = []
        let candidates = memberIndex[setName]![position]![key] ?? []
        try visit(candidates.count, at: indexing.location)
        try expectVisits(candidates.count, [condition], local: item.names, at: indexing.location)
        for t in candidates {
            var b = Bindings()
            for (n, e) in zip(item.names, t) { b[n] = e }
            if try withBindings(b, { try truth(condition) }) { result.append((bindings: b, tuple: t)) }
        }
        return result
    }

    /// In a conjunction, a test `name == e` (or `e == name`) with `name` one of `names`
    /// and `e` free of them: the position of `name` and `e`.
    func equalityFilter(_ e: SyntaxExpr, names: [String]) -> (Int, SyntaxExpr)? {
        if case .logical("and", let conjuncts, _) = e {
            for c in conjuncts { if let found = equalityFilter(c, names: names) { return found } }
            return nil
        }
        switch e {
        case .binary("==", let l, let r, _):
            for (a, b) in [(l, r), (r, l)] {
                if case .name(let n, let subs, _, _) = a, subs.isEmpty, let position = names.firstIndex(of: n),
                    !mentions(b, names)
                {
                    return (position, b)
                }
            }
            return nil
        default: return nil
        }
    }

    /// Whether an expression mentions any of the names (conservatively true for nested indexing).
    func mentions(_ e: SyntaxExpr, _ names: [String]) -> Bool {
        switch e {
        case .number, .string: return false
        case .name(let n, let subs, _, _): return names.contains(n) || subs.contains { mentions($0, names) }
        case .unary(_, let a, _): return mentions(a, names)
        case .binary(_, let a, let b, _): return mentions(a, names) || mentions(b, names)
        case .chain(let operands, _): return operands.contains { mentions($0.expr, names) }
        case .logical(_, let operands, _): return operands.contains { mentions($0, names) }
        case .call(_, let arguments, _, _): return arguments.contains { mentions($0, names) }
        case .tuple(let items, _): return items.contains { mentions($0, names) }
        case .conditional(let c, let a, let b, _): return mentions(c, names) || mentions(a, names) || mentions(b, names)
        case .sum, .membership, .dual: return true
        }
    }

    func resolveSet(_ ref: SetRef) throws -> SetValue {
        switch ref {
        case .named(let name, let at, let length):
            if let s = sets[name] { return s }
            throw unknownName(name, at: at, length: length, expected: "a set")
        case .range(let lo, let hi, let at):
            let a = try constant(lo, "the start of a range"), b = try constant(hi, "the end of a range")
            guard a == a.rounded(), b == b.rounded() else {
                throw error("the ends of a range 'a..b' must be integers", at: at)
            }
            guard abs(a) < 1e15, abs(b) < 1e15, b - a < 1e7 else {
                throw error(
                    "the range \(formatNumber(a))..\(formatNumber(b)) is too large; a set has at most 10000000 members", at: at)
            }
            var s = SetValue(dimension: 1)
            if a <= b {
                // The members of a range are distinct: no membership test, and storage of the final size.
                s.members.reserveCapacity(Int(b) - Int(a) + 1)
                s.contains.reserveCapacity(Int(b) - Int(a) + 1)
                for v in Int(a)...Int(b) {
                    let t: Tuple = [.int(v)]
                    s.members.append(t)
                    s.contains.insert(t)
                }
            }
            return s
        case .explicit(let members, let at):
            var s = SetValue(dimension: members.first?.count ?? 1)
            for m in members {
                guard m.count == s.dimension else {
                    throw error("all members of a set must have the same number of parts", at: m.first?.location ?? at)
                }
                s.insert(try m.map { try element($0, symbols: true) })
            }
            return s
        case .builder(let indexing, _):
            let members = try expand(indexing)
            var s = SetValue(dimension: members.first?.tuple.count ?? indexDimension(indexing))
            for m in members { s.insert(m.tuple) }
            return s
        case .csv(let file, let columns, let at):
            let csv = try CSVTable.read(file, relativeTo: directory, from: source, at: at)
            readFiles.append(csv.source.path)
            let indices = try columns.map { try csv.column($0, model: source, at: at) }
            var s = SetValue(dimension: columns.count)
            for row in csv.rows {
                for i in indices where row[i].text.isEmpty {
                    throw csv.source.error("empty field in column '\(csv.header[i])'", at: row[i].location)
                }
                s.insert(indices.map { CSVTable.element(row[$0].text) })
            }
            return s
        }
    }

    // MARK: - Expressions

    func unknownName(_ name: String, at: SourceLocation, length: Int, expected: String? = nil) -> Diagnostic {
        if let declared = declarations[name], (declared.line, declared.column) > (at.line, at.column) {
            return error(
                "'\(name)' is used before its declaration at line \(declared.line)", at: at, length: length,
                notes: ["move the declaration of '\(name)' above this line"])
        }
        if let e = expected {
            if params[name] != nil || families[name] != nil || indexBindings[name] != nil {
                return error("'\(name)' is not \(e)", at: at, length: length)
            }
        }
        let candidates = Array(sets.keys) + Array(params.keys) + Array(families.keys) + Array(indexBindings.keys)
        var notes: [String] = []
        if let s = closestName(to: name, among: candidates.sorted()) { notes.append("did you mean '\(s)'?") }
        return error("unknown name '\(name)'", at: at, length: length, notes: notes)
    }

    /// An expression that must not involve variables.
    func constant(_ e: SyntaxExpr, _ what: String) throws -> Double {
        var v = try evaluate(e)
        if !v.isConstant {
            // Terms that cancel (`x - x`) still make a constant.
            let root = graph.node(v)
            if case .success(let q) = graph.quadraticView(root), q.isConstant {
                v = Combination(constant: q.constant)
            } else {
                let name = graph.variables(in: root).first.map { variables[$0].name } ?? "?"
                throw error("\(what) must be a constant, but it involves the variable '\(name)'", at: e.location)
            }
        }
        guard v.constant.isFinite else { throw error("\(what) is not a finite number", at: e.location) }
        return v.constant
    }

    /// The set member an expression denotes (a subscript, a tuple part).
    func element(_ e: SyntaxExpr, symbols: Bool = false) throws -> Element {
        switch e {
        case .string(let s, _): return .symbol(s)
        case .name(let n, let subs, let at, let length) where subs.isEmpty:
            if let b = indexBindings[n] { return b }
            if params[n] == nil, families[n] == nil {
                if symbols, sets[n] == nil { return .symbol(n) }
                if sets[n] != nil {
                    throw error(
                        "'\(n)' is a set, not a member of one", at: at, length: length,
                        notes: ["to use the symbol \(n) here, write it in quotes: \"\(n)\""])
                }
                throw unknownName(n, at: at, length: length)
            }
        default: break
        }
        let v = try constant(e, "an index")
        guard v == v.rounded(), abs(v) < 1e15 else {
            throw error("an index must be an integer or a symbol, not \(formatNumber(v))", at: e.location)
        }
        return .int(Int(v))
    }

    /// The value of an expression: a constant, or terms over nodes it adds to the graph.
    /// Recursion here follows the nesting of the source, which the parser limits
    /// (`Parser.maximumNesting`); chains and indexed sums are loops.
    func evaluate(_ e: SyntaxExpr) throws -> Combination {
        switch e {
        case .number(let v, _): return Combination(constant: v)
        case .string(let s, let at):
            throw error("the symbol \"\(s)\" is not a number", at: at, length: s.count + 2)
        case .name(let name, let subscripts, let at, let length):
            if let b = indexBindings[name] {
                guard subscripts.isEmpty else { throw error("the index '\(name)' takes no subscript", at: at, length: length) }
                guard case .int(let v) = b else {
                    throw error("the index '\(name)' is the symbol '\(b)' here, not a number", at: at, length: length)
                }
                return Combination(constant: Double(v))
            }
            if let p = params[name] {
                guard p.location.line < at.line || (p.location.line == at.line && p.location.column < at.column) else {
                    throw unknownName(name, at: at, length: length)
                }
                let key = try subscriptKey(name, subscripts, dimension: p.dimension, at: at, length: length)
                if let v = p.values[key] { return Combination(constant: v) }
                if let domain = p.domain, !domain.contains(key) {
                    throw error(
                        "\(indexedName(name, key)) is outside the index set of '\(name)'", at: at, length: length,
                        notes: symbolNotes(subscripts))
                }
                if let d = p.defaultValue { return Combination(constant: d) }
                throw error(
                    "\(indexedName(name, key)) has no value and '\(name)' has no default", at: at, length: length,
                    notes: ["give the value in the data, or declare 'param \(name){...} ... default 0;'"])
            }
            if let f = families[name] {
                if f.owner == blockLevel, (f.location.line, f.location.column) > (at.line, at.column) {
                    throw unknownName(name, at: at, length: length)
                }
                let key = try subscriptKey(name, subscripts, dimension: f.dimension, at: at, length: length)
                guard let id = f.ids[key] else {
                    throw error(
                        "\(indexedName(name, key)) is outside the index set of '\(name)'", at: at, length: length,
                        notes: symbolNotes(subscripts))
                }
                return graph.variable(id, at: graph.range(at, length: length))
            }
            if sets[name] != nil {
                throw error("'\(name)' is a set; it cannot be used as a number", at: at, length: length)
            }
            if constraintNames[name] != nil {
                throw error("'\(name)' is a constraint; it cannot be used as a number", at: at, length: length)
            }
            throw unknownName(name, at: at, length: length)
        case .unary(let op, let inner, let at):
            switch op {
            case "-": return try evaluate(inner).scaled(-1)
            case "+": return try evaluate(inner)
            default: throw error("'not' gives a condition, not a number", at: at, length: 3)
            }
        case .chain(let operands, _):
            if operands.first?.op == "*" {
                var product = try evaluate(operands[0].expr)
                for o in operands.dropFirst() {
                    let factor = try evaluate(o.expr)
                    let range = graph.range(o.location)
                    if o.op == "*" {
                        product = graph.multiply(product, factor, at: range)
                    } else {
                        if factor.isConstant, factor.constant == 0 { throw error("division by zero", at: o.location) }
                        product = graph.divide(product, factor, at: range)
                    }
                }
                return try finite(product, e.location)
            }
            var total = Combination(constant: 0)
            for o in operands { total.add(try evaluate(o.expr), times: o.op == "-" ? -1 : 1) }
            return try finite(total, e.location)
        case .binary(let op, let l, let r, let at):
            guard op == "^" else { throw error("'\(op)' gives a condition, not a number", at: at, length: op.count) }
            let base = try evaluate(l), exponent = try evaluate(r)
            guard exponent.isConstant else {
                throw error(
                    "an exponent must be a number", at: r.location,
                    notes: ["for a variable exponent write exp(b * log(a)) (with a > 0)"])
            }
            let p = exponent.constant
            guard p.isFinite else { throw error("the exponent is not a finite number", at: r.location) }
            if base.isConstant {
                let v = ExpressionGraph.power(base.constant, p)
                guard v.isFinite else {
                    throw error(
                        "\(formatNumber(base.constant)) ^ \(formatNumber(p)) is not a finite real number", at: at,
                        notes: base.constant < 0 ? ["a negative number has no real power with a fractional exponent"] : [])
                }
                return Combination(constant: v)
            }
            return try finite(graph.power(base, p, at: graph.range(at)), at)
        case .call(let name, let arguments, let at, let length):
            return try call(name, arguments, at: at, length: length)
        case .sum(let indexing, let body, _):
            var total = Combination(constant: 0)
            let members = try expand(indexing)
            try expectVisits(members.count, [body], local: indexing.items.flatMap(\.names), at: e.location, length: 3)
            for m in members {
                total.add(try withBindings(m.bindings) { try evaluate(body) })
                if graph.count > nodeLimit {
                    throw error(
                        "the model has more than \(nodeLimit) expression nodes", at: e.location, length: 3,
                        notes: ["nested sums multiply their sizes; filter them with ': condition' or split the model"])
                }
            }
            return try finite(total, e.location)
        case .tuple(_, let at):
            throw error("a tuple is not a number", at: at)
        case .membership(_, _, _, let at):
            throw error("'in' gives a condition, not a number", at: at, length: 2)
        case .logical(let op, _, let at):
            throw error("'\(op)' gives a condition, not a number", at: at, length: op.count)
        case .conditional(let condition, let a, let b, _):
            return try truth(condition) ? evaluate(a) : evaluate(b)
        case .dual(let inner, let at):
            return graph.variable(try dualVariable(inner, at: at), at: graph.range(at, length: 4))
        }
    }

    /// A folded value must stay a finite number (`1e308 * 10`, `x / 1e-320` overflow).
    func finite(_ c: Combination, _ at: SourceLocation) throws -> Combination {
        guard c.isFinite else {
            throw error(
                "this expression has a constant that is not a finite number (an overflow)", at: at,
                notes: ["rescale the data: coefficients must stay well inside +-1e308"])
        }
        return c
    }

    /// The functions a `.blo` expression may call, by name.
    static let functions: [String: MathFunction] = Dictionary(uniqueKeysWithValues: MathFunction.allCases.map { ($0.rawValue, $0) })

    /// `f(arguments)`: a smooth or nonsmooth function, checked for its name, its number of
    /// arguments and, for constant arguments, its domain.
    func call(_ name: String, _ arguments: [SyntaxExpr], at: SourceLocation, length: Int) throws -> Combination {
        let range = graph.range(at, length: length)
        if name == "min" || name == "max" {
            guard arguments.count >= 2 else {
                throw error(
                    "\(name)() takes two or more arguments, got \(arguments.count)", at: at, length: length,
                    notes: ["write \(name)(a, b) or \(name)(a, b, c)"])
            }
            return graph.extremum(try arguments.map { try evaluate($0) }, maximum: name == "max", at: range)
        }
        guard let f = Elaborator.functions[name] else {
            if families[name] != nil || params[name] != nil || sets[name] != nil {
                let what = families[name] != nil ? "a variable" : params[name] != nil ? "a parameter" : "a set"
                throw error(
                    "'\(name)' is \(what), not a function", at: at, length: length,
                    notes: ["subscripts are written in brackets: \(name)[i]"])
            }
            var notes: [String] = []
            let known = (Array(Elaborator.functions.keys) + ["min", "max"]).sorted()
            if let s = closestName(to: name, among: known) { notes.append("did you mean '\(s)'?") }
            notes.append("the functions are " + known.joined(separator: ", "))
            throw error("unknown function '\(name)'", at: at, length: length, notes: notes)
        }
        guard arguments.count == 1 else {
            throw error("\(name)() takes one argument, got \(arguments.count)", at: at, length: length)
        }
        let argument = try evaluate(arguments[0])
        guard let result = graph.call(f, argument, at: range) else {
            throw error(
                "\(name)(\(formatNumber(argument.constant))) is undefined: \(name) takes \(f.domain ?? "finite numbers")",
                at: at, length: length)
        }
        if result.isConstant, !result.constant.isFinite {
            throw error("\(name)(\(formatNumber(argument.constant))) is not a finite number", at: at, length: length)
        }
        return result
    }

    /// The tuple a subscript list denotes, checked against the family's dimension.
    /// A bare name in a subscript that names nothing declared is a symbol (`q[widget]`), as in
    /// explicit set lists; a typo then shows up as a member outside the index set.
    /// The variable standing for `dual(name[key])` in the leader's expressions.
    func dualVariable(_ inner: SyntaxExpr, at: SourceLocation) throws -> VarID {
        guard blockLevel == .leader else {
            throw error(
                "dual() may appear only in the upper block: it is the follower's dual, which the leader observes",
                at: at, length: 4, notes: ["the follower's own problem cannot depend on its duals"])
        }
        guard case .name(let name, let subscripts, let nat, let length) = inner else {
            throw error("dual() takes a constraint, as in dual(balance) or dual(balance[t])", at: inner.location)
        }
        guard constraintDeclarations[name] != nil else {
            if families[name] != nil || params[name] != nil || sets[name] != nil {
                throw error(
                    "dual() takes a constraint, and '\(name)' is a \(families[name] != nil ? "variable" : params[name] != nil ? "parameter" : "set")",
                    at: nat, length: length)
            }
            var notes: [String] = []
            if let s = closestName(to: name, among: constraintDeclarations.keys.sorted()) { notes.append("did you mean '\(s)'?") }
            throw error("dual() of an unknown constraint '\(name)'", at: nat, length: length, notes: notes)
        }
        let key = try subscripts.map { try element($0, symbols: isUndeclaredName($0)) }
        return builder.dualVariable(of: name, key, at: at)
    }

    func subscriptKey(_ name: String, _ subscripts: [SyntaxExpr], dimension: Int, at: SourceLocation, length: Int) throws -> Tuple {
        let key = try subscripts.map { try element($0, symbols: isUndeclaredName($0)) }
        guard key.count == dimension else {
            throw error(
                "'\(name)' takes \(dimension) subscript\(dimension == 1 ? "" : "s"), got \(key.count)", at: at, length: length)
        }
        return key
    }

    func isUndeclaredName(_ e: SyntaxExpr) -> Bool {
        guard case .name(let n, let subs, _, _) = e, subs.isEmpty else { return false }
        return indexBindings[n] == nil && declarations[n] == nil && constraintNames[n] == nil
    }

    /// Notes for an index-set miss: which subscripts were read as symbols.
    func symbolNotes(_ subscripts: [SyntaxExpr]) -> [String] {
        subscripts.compactMap { e -> String? in
            guard isUndeclaredName(e), case .name(let n, _, _, _) = e else { return nil }
            var note = "'\(n)' is not a declared name, so it was read as the symbol \"\(n)\""
            if let s = closestName(to: n, among: Array(indexBindings.keys).sorted()) { note += "; did you mean the index '\(s)'?" }
            return note
        }
    }

    /// An operand of a comparison in a condition. A bare name that is not declared gets a note
    /// after `==` and `!=`: a symbol is written in quotes (`i == "north"`).
    func compared(_ e: SyntaxExpr, _ op: String, with other: SyntaxExpr, left: Bool) throws -> Element {
        do { return try element(e, symbols: false) } catch var d as Diagnostic {
            guard op == "==" || op == "!=", case .name(let n, let subs, _, _) = e, subs.isEmpty, sets[n] == nil,
                d.message == "unknown name '\(n)'"
            else { throw d }
            var example = "\"\(n)\""
            if case .name(let o, let oSubs, _, _) = other, oSubs.isEmpty { example = left ? "\(example) \(op) \(o)" : "\(o) \(op) \(example)" }
            d.notes.append("to compare with the symbol \(n), write it in quotes: \(example)")
            throw d
        }
    }

    /// A condition in an indexing filter.
    func truth(_ e: SyntaxExpr) throws -> Bool {
        switch e {
        case .logical(let op, let operands, _):
            for operand in operands {
                let t = try truth(operand)
                if op == "and", !t { return false }
                if op == "or", t { return true }
            }
            return op == "and"
        case .unary("not", let inner, _): return try !truth(inner)
        case .binary(let op, let l, let r, let at) where ["==", "!=", "<", "<=", ">", ">="].contains(op):
            let a = try compared(l, op, with: r, left: true), b = try compared(r, op, with: l, left: false)
            switch op {
            case "==": return a == b
            case "!=": return a != b
            default:
                guard case .int(let x) = a, case .int(let y) = b else {
                    throw error("'\(op)' compares numbers; symbols can only be compared with '==' and '!='", at: at)
                }
                switch op {
                case "<": return x < y
                case "<=": return x <= y
                case ">": return x > y
                default: return x >= y
                }
            }
        case .membership(let parts, let setRef, let negated, _):
            let t = try parts.map { try element($0) }
            let set = try resolveSet(setRef)
            // A set written in the test is built each time the test runs.
            if case .named = setRef {} else { try visit(set.members.count, at: setRef.location) }
            return set.contains.contains(t) != negated
        default:
            throw error("expected a condition (a comparison, 'in', 'and', 'or', 'not')", at: e.location)
        }
    }
}

/// Index names bound to set members, innermost last. A short array searched from the end:
/// most expressions see one to three names, for which this beats hashing every lookup.
struct Bindings: ExpressibleByDictionaryLiteral {
    private(set) var names: [String] = []
    private(set) var values: [Element] = []

    init() {}
    init(dictionaryLiteral elements: (String, Element)...) {
        for (n, v) in elements { self[n] = v }
    }

    var isEmpty: Bool { names.isEmpty }
    var count: Int { names.count }
    var keys: [String] { names }

    subscript(name: String) -> Element? {
        get {
            var i = names.count - 1
            while i >= 0 {
                if names[i] == name { return values[i] }
                i -= 1
            }
            return nil
        }
        set {
            if let i = names.lastIndex(of: name) {
                if let newValue { values[i] = newValue } else { names.remove(at: i); values.remove(at: i) }
            } else if let newValue {
                names.append(name)
                values.append(newValue)
            }
        }
    }

    mutating func push(_ other: Bindings) {
        names.append(contentsOf: other.names)
        values.append(contentsOf: other.values)
    }

    mutating func truncate(to count: Int) {
        names.removeSubrange(count...)
        values.removeSubrange(count...)
    }
}

/// Reads and elaborates `.blo` files.
public enum ModelLoader {
    /// Parses and elaborates a model file; CSV paths are relative to its directory.
    public static func load(path: String) throws -> BilevelModel {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw Diagnostic(.error, "cannot read model file '\(path)'")
        }
        return try load(source: SourceFile(path: path, text: text))
    }

    public static func load(source: SourceFile, directory: String? = nil) throws -> BilevelModel {
        var parser = try Parser(source: source)
        let statements = try parser.parseModel()
        let dir = directory ?? (source.path as NSString).deletingLastPathComponent
        let name = ((source.path as NSString).lastPathComponent as NSString).deletingPathExtension
        var model = try Elaborator(source: source, directory: dir.isEmpty ? "." : dir).elaborate(statements, name: name)
        // The builder applied the numeric range (docs/language.md, "Numbers"): huge bounds became
        // infinite with a warning, which quotes its line here.
        model.warnings = model.warnings.map(source.quoting)
        return model
    }
}
