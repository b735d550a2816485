import BlomodelCore

/// A bilevel model built in Swift: the leader's problem with the follower's nested inside.
///
/// ```swift
/// let m = Bilevel("toll")
/// let T = m.leader.variables("T", over: tolled, bounds: 0...10)
/// let x = m.follower.variables("x", over: commodities, arcs, bounds: 0...)
/// m.leader.maximize("revenue", sum(tolled) { a in T[a] * sum(commodities) { k in x[k, a] } })
/// m.follower.minimize("cost", sum(commodities, arcs) { k, a in cost[a] * x[k, a] })
/// m.follower.constraints("balance", over: commodities, nodes) { k, n in ... == supply[k, n] }
/// let model = try m.build()
/// ```
///
/// It builds the same model as a `.blo` file, through the same builder (`ModelBuilder`), with
/// the same checks and the same words. Misuse is reported with the Swift file, line and
/// column of the declaration (or of the function call) that caused it: declarations do not
/// throw; the first error is kept and `build()` throws it.
public final class Bilevel {
    public let name: String
    package var builder = ModelBuilder()
    /// The first error of a declaration, thrown by `build()`.
    public private(set) var firstError: Diagnostic?
    /// The graph nodes before this index have their source ranges (see `locate(at:)`).
    var located = 0
    /// One graph node per variable, shared by every use.
    var variableNodes: [VarID: NodeID] = [:]
    /// Where the model was created (where a missing part is reported).
    let location: SourceLocation

    public init(_ name: String, file: String = #fileID, line: Int = #line, column: Int = #column) {
        self.name = name
        location = SourceLocation(file: file, line: line, column: column)
    }

    /// The leader (upper level): its variables are parameters of the follower.
    public var leader: Level<Leader> { Level(model: self) }
    /// The follower (lower level).
    public var follower: Level<Follower> { Level(model: self) }

    /// The model, checked: throws the first declaration error, or what the builder finds at the
    /// end (a level without an objective, a follower without variables, numbers outside the
    /// supported range).
    public func build() throws -> BilevelModel {
        if let firstError { throw firstError }
        return try builder.finish(name: name, at: location)
    }

    /// Keeps the first error (declarations go on, so that handles stay usable).
    func record(_ error: Error, at location: SourceLocation) {
        guard firstError == nil else { return }
        if var d = error as? Diagnostic {
            if d.location == nil || d.location == .unknown { d.location = location }
            firstError = d
        } else {
            firstError = Diagnostic(.error, "\(error)", at: location)
        }
    }

    /// Runs a builder step, recording its error at `location`.
    func step(at location: SourceLocation, _ body: (inout ModelBuilder) throws -> Void) {
        do { try body(&builder) } catch { record(error, at: location) }
    }

    /// The expression of one variable.
    func expression(of id: VarID) -> Expr {
        let node: NodeID
        if let n = variableNodes[id] {
            node = n
        } else {
            node = builder.graph.add(.variable(id))
            variableNodes[id] = node
        }
        return Expr(model: self, terms: Combination(node), variable: id)
    }

    /// The value of an expression that must be a constant (a bound), or nil with the error recorded.
    func constant(_ e: Expr, _ what: String, at location: SourceLocation) -> Double? {
        guard let terms = accept(e, at: location) else { return nil }
        guard terms.isConstant else {
            let v = terms.nodes.lazy.compactMap { self.builder.graph.variables(in: $0).first }.first
            record(
                Diagnostic(
                    .error, "\(what) must be a constant, but it involves the variable '\(v.map { builder.variables[$0].name } ?? "?")'",
                    at: location), at: location)
            return nil
        }
        return terms.constant
    }

    /// Gives the nodes built since the last declaration the location of this one: expressions are
    /// built (as arguments) just before the declaration that takes them, so a message about a node
    /// (a product the exact routes refuse, say) points at the Swift line that wrote it.
    func locate(at location: SourceLocation) {
        let range = builder.graph.range(location)
        builder.graph.locate(from: located, at: range)
        located = builder.graph.count
    }

    /// An expression's terms for a declaration: its failure recorded at `location` (nil then).
    func accept(_ e: Expr, at location: SourceLocation) -> Combination? {
        locate(at: location)
        if let f = e.failure {
            record(f, at: location)
            return nil
        }
        if let m = e.model, m !== self {
            record(
                Diagnostic(
                    .error, "this expression uses variables of the model '\(m.name)', not of '\(name)'", at: location),
                at: location)
            return nil
        }
        return e.terms
    }
}

/// Which level a handle, a family or a constraint belongs to, as a type: the leader's and the
/// follower's declarations differ where the model's rules do (only the leader reads
/// `dual(con)`, only the follower's constraints have a `dualBound`).
public protocol LevelTag {
    static var owner: Owner { get }
}
public enum Leader: LevelTag {
    public static var owner: Owner { .leader }
}
public enum Follower: LevelTag {
    public static var owner: Owner { .theFollower }
}

/// A family of variables indexed over a set (or one variable: `x[]`).
public struct VariableFamily<L: LevelTag> {
    let model: Bilevel
    public let name: String
    /// The members, in the order of the index set(s).
    public let members: [Tuple]
    let ids: [Tuple: VarID]
    let dimension: Int
    let location: SourceLocation

    /// The variable of one member: `x[k, a]` (the parts are joined into one tuple).
    public subscript(_ parts: any SetMember..., file file: String = #fileID, line line: Int = #line, column column: Int = #column)
        -> Expr
    {
        let key = parts.flatMap(\.parts)
        let at = SourceLocation(file: file, line: line, column: column)
        guard key.count == dimension || members.isEmpty else {
            return .failed("'\(name)' takes \(dimension) subscript\(dimension == 1 ? "" : "s"), got \(key.count)", at: at)
        }
        guard let id = ids[key] else {
            return .failed(
                "\(indexedName(name, key)) is outside the index set of '\(name)'", at: at, notes: memberSuggestion(key, among: members))
        }
        return model.expression(of: id)
    }

    /// Every variable of the family, in member order.
    public var all: [Expr] { members.map { model.expression(of: ids[$0]!) } }
    /// The identifiers of the family's variables, by member.
    public func id(of member: Tuple) -> VarID? { ids[member] }
}

/// A family of constraints indexed over a set (or one constraint).
public struct ConstraintFamily<L: LevelTag> {
    package let model: Bilevel
    public let name: String
    public let members: [Tuple]
    /// The builder's rows of this family (members without variables are not rows).
    let rows: Range<Int>

    /// One member, for `dual(...)` and for results.
    public subscript(_ parts: any SetMember...) -> ConstraintMember<L> {
        ConstraintMember(family: self, key: parts.flatMap(\.parts))
    }
}

/// One member of a constraint family: `balance[k, n]`.
public struct ConstraintMember<L: LevelTag> {
    package let family: ConstraintFamily<L>
    public let key: Tuple
    /// `balance[1,3]`.
    public var name: String { indexedName(family.name, key) }
}

extension ConstraintFamily where L == Follower {
    /// Bounds the magnitude of every multiplier of the family (the `.blo` `dualbound M` after a
    /// follower constraint): a user-given big-M, recorded and checked like the language's.
    @discardableResult
    public func dualBound(_ value: Double, file: String = #fileID, line: Int = #line, column: Int = #column) -> Self {
        let at = SourceLocation(file: file, line: line, column: column)
        model.step(at: at) { try $0.setDualBound(value, onRows: rows, at: at) }
        return self
    }

    /// The same with a constant expression (`.dualBound(sum(arcs) { a in cost[a] })`).
    @_disfavoredOverload
    @discardableResult
    public func dualBound(_ value: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Self {
        let at = SourceLocation(file: file, line: line, column: column)
        guard let v = model.constant(value, "a dual bound", at: at) else { return self }
        return dualBound(v, file: file, line: line, column: column)
    }

    /// A bound per member (`cap{i in N}: ... dualbound c[i]`): `.dualBound { member in c.value(member)! }`.
    @discardableResult
    public func dualBound(
        file: String = #fileID, line: Int = #line, column: Int = #column, _ perMember: (Tuple) -> Double
    ) -> Self {
        let at = SourceLocation(file: file, line: line, column: column)
        model.step(at: at) { try $0.setDualBound(perMember, onRows: rows, at: at) }
        return self
    }
}

/// The declarations of one level: `m.leader` or `m.follower`.
public struct Level<L: LevelTag> {
    let model: Bilevel

    var owner: Owner { L.owner }

    // MARK: Variables

    /// One variable: `let z = m.leader.variable("z", bounds: 0...5, kind: .integer)`; `start` is
    /// where the gradient methods begin (`var z := 2;` in the language).
    public func variable(
        _ name: String, bounds: some BoundsConvertible = Bounds.free, kind: VariableKind = .continuous, start: Double? = nil,
        file: String = #fileID, line: Int = #line, column: Int = #column
    ) -> Expr {
        let family = declare(name, [[]], kind, SourceLocation(file: file, line: line, column: column), start: { _ in start }) { _ in bounds }
        guard let id = family.ids[[]] else { return .failed("'\(name)' was not declared", at: family.location) }
        return model.expression(of: id)
    }

    /// A family over one set: `m.leader.variables("T", over: tolled, bounds: 0...10)`; `start`
    /// (the same for every member) is where the gradient methods begin.
    public func variables<S: Sequence>(
        _ name: String, over s: S, bounds: some BoundsConvertible = Bounds.free, kind: VariableKind = .continuous,
        start: Double? = nil, file: String = #fileID, line: Int = #line, column: Int = #column
    ) -> VariableFamily<L> where S.Element: SetMember {
        declare(name, s.map(\.parts), kind, SourceLocation(file: file, line: line, column: column), start: { _ in start }) { _ in bounds }
    }

    /// A family over one set with bounds per member: `bounds: { k in 0...demand[k] }`.
    public func variables<S: Sequence, B: BoundsConvertible>(
        _ name: String, over s: S, kind: VariableKind = .continuous, file: String = #fileID, line: Int = #line,
        column: Int = #column, bounds: (S.Element) -> B
    ) -> VariableFamily<L> where S.Element: SetMember {
        let members = Array(s)
        var byKey: [Tuple: any BoundsConvertible] = [:]
        for a in members { byKey[a.parts] = bounds(a) }
        return declare(name, members.map(\.parts), kind, SourceLocation(file: file, line: line, column: column)) { byKey[$0]! }
    }

    /// A family over the product of two sets: `m.follower.variables("x", over: K, arcs, bounds: 0...)`.
    public func variables<S: Sequence, T: Sequence>(
        _ name: String, over s: S, _ t: T, bounds: some BoundsConvertible = Bounds.free, kind: VariableKind = .continuous,
        file: String = #fileID, line: Int = #line, column: Int = #column
    ) -> VariableFamily<L> where S.Element: SetMember, T.Element: SetMember {
        let keys = product(s.map(\.parts), t.map(\.parts))
        return declare(name, keys, kind, SourceLocation(file: file, line: line, column: column)) { _ in bounds }
    }

    /// A family over the product of two sets with bounds per member.
    public func variables<S: Sequence, T: Sequence, B: BoundsConvertible>(
        _ name: String, over s: S, _ t: T, kind: VariableKind = .continuous, file: String = #fileID, line: Int = #line,
        column: Int = #column, bounds: (S.Element, T.Element) -> B
    ) -> VariableFamily<L> where S.Element: SetMember, T.Element: SetMember {
        var keys: [Tuple] = []
        var byKey: [Tuple: any BoundsConvertible] = [:]
        let ts = Array(t)
        for a in s {
            for b in ts {
                let key = a.parts + b.parts
                keys.append(key)
                byKey[key] = bounds(a, b)
            }
        }
        return declare(name, keys, kind, SourceLocation(file: file, line: line, column: column)) { byKey[$0]! }
    }

    /// A family over the product of three sets.
    public func variables<S: Sequence, T: Sequence, U: Sequence>(
        _ name: String, over s: S, _ t: T, _ u: U, bounds: some BoundsConvertible = Bounds.free,
        kind: VariableKind = .continuous, file: String = #fileID, line: Int = #line, column: Int = #column
    ) -> VariableFamily<L> where S.Element: SetMember, T.Element: SetMember, U.Element: SetMember {
        let keys = product(product(s.map(\.parts), t.map(\.parts)), u.map(\.parts))
        return declare(name, keys, kind, SourceLocation(file: file, line: line, column: column)) { _ in bounds }
    }

    func product(_ a: [Tuple], _ b: [Tuple]) -> [Tuple] {
        var r: [Tuple] = []
        r.reserveCapacity(a.count * b.count)
        for x in a { for y in b { r.append(x + y) } }
        return r
    }

    func declare(
        _ name: String, _ keys: [Tuple], _ kind: VariableKind, _ at: SourceLocation, start: (Tuple) -> Double? = { _ in nil },
        _ bounds: (Tuple) -> any BoundsConvertible
    ) -> VariableFamily<L> {
        var ids: [Tuple: VarID] = [:]
        var members: [Tuple] = []
        // The bounds first: reading a bound's expression reads the model's graph.
        var given: [(key: Tuple, bounds: Bounds)] = []
        var failure: Diagnostic?
        var seen = Set<Tuple>()
        for key in keys where seen.insert(key).inserted {
            let b = bounds(key)
            if failure == nil, var f = b.boundsFailure {
                if f.location == nil || f.location == .unknown { f.location = at }
                failure = f
            }
            given.append((key, b.bounds))
        }
        model.step(at: at) { b in
            try b.claim(name, as: .variable, at: at, length: name.count)
            if let failure { throw failure }
            for (key, r) in given {
                var v = Variable(base: name, index: key, owner: owner, lower: r.lower, upper: r.upper, kind: kind, location: at)
                v.start = start(key)
                ids[key] = try b.addVariable(v)
                members.append(key)
            }
        }
        if keys.isEmpty {
            model.builder.warnings.append(
                Diagnostic(
                    .warning, "the family '\(name)' has no members: its index set is empty", at: at,
                    notes: ["check the data or the filter that made the set"]))
        }
        model.locate(at: at)
        return VariableFamily(
            model: model, name: name, members: members, ids: ids, dimension: keys.first?.count ?? 0, location: at)
    }

    // MARK: Objectives

    /// `minimize name: e` (one objective per level).
    public func minimize(_ name: String, _ e: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) {
        objective(.minimize, name, e, SourceLocation(file: file, line: line, column: column))
    }

    /// `minimize e`, named `leader_objective` or `follower_objective`.
    public func minimize(_ e: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) {
        objective(.minimize, nil, e, SourceLocation(file: file, line: line, column: column))
    }

    /// `maximize name: e` (one objective per level).
    public func maximize(_ name: String, _ e: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) {
        objective(.maximize, name, e, SourceLocation(file: file, line: line, column: column))
    }

    /// `maximize e`, named `leader_objective` or `follower_objective`.
    public func maximize(_ e: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) {
        objective(.maximize, nil, e, SourceLocation(file: file, line: line, column: column))
    }

    func objective(_ sense: ObjectiveSense, _ name: String?, _ e: Expr, _ at: SourceLocation) {
        guard let terms = model.accept(e, at: at) else { return }
        model.step(at: at) { try $0.setObjective(owner, sense, name: name, terms, at: at) }
    }

    // MARK: Constraints

    /// One constraint: `m.follower.constraint("c1", -x + y <= 3)`.
    @discardableResult
    public func constraint(
        _ name: String, _ relation: Relation, file: String = #fileID, line: Int = #line, column: Int = #column
    ) -> ConstraintFamily<L> {
        rows(name, [([], relation)], SourceLocation(file: file, line: line, column: column))
    }

    /// A family over one set: `m.follower.constraints("cap", over: arcs) { a in y[a] <= x[a] }`.
    @discardableResult
    public func constraints<S: Sequence>(
        _ name: String, over s: S, file: String = #fileID, line: Int = #line, column: Int = #column,
        _ body: (S.Element) -> Relation
    ) -> ConstraintFamily<L> where S.Element: SetMember {
        rows(name, s.map { ($0.parts, body($0)) }, SourceLocation(file: file, line: line, column: column))
    }

    /// A family over the product of two sets: `{ k, n in ... == supply[k, n] }`.
    @discardableResult
    public func constraints<S: Sequence, T: Sequence>(
        _ name: String, over s: S, _ t: T, file: String = #fileID, line: Int = #line, column: Int = #column,
        _ body: (S.Element, T.Element) -> Relation
    ) -> ConstraintFamily<L> where S.Element: SetMember, T.Element: SetMember {
        let ts = Array(t)
        var members: [(Tuple, Relation)] = []
        for a in s { for b in ts { members.append((a.parts + b.parts, body(a, b))) } }
        return rows(name, members, SourceLocation(file: file, line: line, column: column))
    }

    /// A family over the product of three sets.
    @discardableResult
    public func constraints<S: Sequence, T: Sequence, U: Sequence>(
        _ name: String, over s: S, _ t: T, _ u: U, file: String = #fileID, line: Int = #line, column: Int = #column,
        _ body: (S.Element, T.Element, U.Element) -> Relation
    ) -> ConstraintFamily<L> where S.Element: SetMember, T.Element: SetMember, U.Element: SetMember {
        let ts = Array(t), us = Array(u)
        var members: [(Tuple, Relation)] = []
        for a in s { for b in ts { for c in us { members.append((a.parts + b.parts + c.parts, body(a, b, c))) } } }
        return rows(name, members, SourceLocation(file: file, line: line, column: column))
    }

    func rows(_ name: String, _ members: [(Tuple, Relation)], _ at: SourceLocation) -> ConstraintFamily<L> {
        let first = model.builder.constraints.count
        model.step(at: at) { try $0.claim(name, as: .constraint, at: at, length: name.count) }
        for (key, relation) in members {
            switch relation.shape {
            case .compare(let a, let op, let b):
                guard let lhs = model.accept(a, at: at), let rhs = model.accept(b, at: at) else { continue }
                model.step(at: at) { try $0.addConstraint(name, index: key, owner: owner, lhs, op, rhs, at: at) }
            case .ranged(let lo, let e, let hi):
                guard let body = model.accept(e, at: at) else { continue }
                model.step(at: at) { try $0.addRangedConstraint(name, index: key, owner: owner, lower: lo, body, upper: hi, at: at) }
            }
        }
        return ConstraintFamily(model: model, name: name, members: members.map(\.0), rows: first..<model.builder.constraints.count)
    }
}

extension Level where L == Follower {
    /// The default bound on the magnitude of every follower dual without its own (the `.blo`
    /// statement `dualbound M;`): a user-given big-M.
    public func dualBound(_ value: Double, file: String = #fileID, line: Int = #line, column: Int = #column) {
        let at = SourceLocation(file: file, line: line, column: column)
        model.step(at: at) { try $0.setFollowerDualBound(value, at: at) }
    }

    /// The same with a constant expression (`dualBound(sum(arcs) { a in cost[a] })`).
    @_disfavoredOverload
    public func dualBound(_ value: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) {
        let at = SourceLocation(file: file, line: line, column: column)
        guard let v = model.constant(value, "a dual bound", at: at) else { return }
        model.step(at: at) { try $0.setFollowerDualBound(v, at: at) }
    }
}

extension Level where L == Leader {
    /// `dual(con[i])`: the follower's dual of one of its constraints, the rate of change of its
    /// optimal value with the constraint's right-hand side (only the leader reads it).
    public func dual(_ member: ConstraintMember<Follower>, file: String = #fileID, line: Int = #line, column: Int = #column)
        -> Expr
    {
        let at = SourceLocation(file: file, line: line, column: column)
        return model.expression(of: model.builder.dualVariable(of: member.family.name, member.key, at: at))
    }

    /// `dual(con)` of a constraint without an index.
    public func dual(_ family: ConstraintFamily<Follower>, file: String = #fileID, line: Int = #line, column: Int = #column)
        -> Expr
    {
        let at = SourceLocation(file: file, line: line, column: column)
        return model.expression(of: model.builder.dualVariable(of: family.name, [], at: at))
    }
}

/// "did you mean" for a member outside an index set: the closest member by its written form
/// (families of at most 10^4 members are compared).
func memberSuggestion(_ key: Tuple, among members: [Tuple]) -> [String] {
    guard members.count <= 10_000, !key.isEmpty else { return [] }
    let written = key.map(\.description).joined(separator: ",")
    let candidates = members.filter { $0.count == key.count }.map { $0.map(\.description).joined(separator: ",") }
    guard let best = closestName(to: written, among: candidates) else { return [] }
    return ["did you mean [\(best)]?"]
}
