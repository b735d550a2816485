/// The one way a `BilevelModel` is built: the `.blo` elaborator and the Swift DSL both feed it,
/// so the two front ends cannot drift apart.
///
/// A front end resolves its own names, sets and data, turns expressions into `Combination`s
/// over `graph`, and hands the builder variables, constraints, objectives and dual bounds. The
/// builder owns every rule about the model itself, with the same words for both front ends:
/// bounds and integrality, the follower's continuity, constant rows (true ones dropped, false
/// ones errors), one objective per level, `dual(con)` only in the leader's expressions and only
/// of a follower constraint, quadratic views, and the numeric range (`NumericRange`).
///
/// Errors are `Diagnostic`s at the locations the front end gives (a `.blo` position, or the
/// Swift file and line of a DSL call); the front end quotes its source line if it has one.
public struct ModelBuilder: Sendable {
    /// Every expression of the model, as written.
    public var graph = ExpressionGraph()
    public private(set) var variables: [Variable] = []
    public private(set) var constraints: [Constraint] = []
    public private(set) var objectives: [Owner: Objective] = [:]
    /// The follower's default bound on its dual variables (`dualbound M;`).
    public private(set) var followerDualBound: (value: Double, location: SourceLocation)?
    /// The data files read (after the model's own source).
    public var inputFiles: [String] = []
    /// What was said about the model without refusing it (the model's `warnings`).
    public var warnings: [Diagnostic] = []
    /// Variable families and constraints by name, where each was declared.
    public private(set) var names: [String: (kind: NameKind, location: SourceLocation)] = [:]

    /// `dual(con[i])` variables by the constraint member's name, resolved in `finish`.
    private var dualVariables: [String: VarID] = [:]
    private var pendingDuals: [(id: VarID, name: String, key: Tuple, at: SourceLocation, length: Int)] = []

    public enum NameKind: Sendable, Equatable { case variable, constraint }

    public init() {}

    // MARK: - Names

    /// Claims a name for a variable family or a constraint; a second claim is an error.
    public mutating func claim(_ name: String, as kind: NameKind, at location: SourceLocation, length: Int = 1) throws {
        if let previous = names[name] {
            if previous.kind == .constraint, kind == .constraint {
                throw Diagnostic(.error, "constraint '\(name)' is declared twice", at: location, length: name.count)
            }
            throw Diagnostic(
                .error, "'\(name)' is already declared" + ModelBuilder.lineSuffix(previous.location), at: location,
                length: length, notes: ["each set, parameter, variable and constraint needs its own name"])
        }
        names[name] = (kind, location)
    }

    static func lineSuffix(_ at: SourceLocation) -> String { at == .unknown ? "" : " at line \(at.line)" }

    // MARK: - Variables

    /// Adds a variable after checking its bounds: a binary variable's bounds are clipped to
    /// [0, 1], an integer variable's are rounded inward (a bound within 1e-9 of an integer is
    /// that integer), and an empty range is an error at `location`.
    @discardableResult
    public mutating func addVariable(_ variable: Variable, length: Int = 3) throws -> VarID {
        var v = variable
        if v.kind == .binary {
            v.lower = max(v.lower, 0)
            v.upper = min(v.upper, 1)
        }
        if v.lower.isNaN || v.upper.isNaN || v.lower > v.upper {
            throw Diagnostic(
                .error, "\(v.name) has lower bound \(formatNumber(v.lower)) above its upper bound \(formatNumber(v.upper))",
                at: v.location, length: length)
        }
        if let s = v.start, !s.isFinite {
            throw Diagnostic(.error, "the start value of \(v.name) is \(s), not a finite number", at: v.location, length: length)
        }
        if let s = v.start, s < v.lower || s > v.upper {
            warnings.append(
                Diagnostic(
                    .warning, "the start value \(formatNumber(s)) of \(v.name) is outside its bounds [\(formatNumber(v.lower)), \(formatNumber(v.upper))]: the gradient methods start at the nearest bound",
                    at: v.location, length: length))
        }
        if v.kind != .continuous {
            let lower = v.lower.isFinite ? (v.lower - 1e-9).rounded(.up) : v.lower
            let upper = v.upper.isFinite ? (v.upper + 1e-9).rounded(.down) : v.upper
            guard lower <= upper else {
                throw Diagnostic(
                    .error,
                    "the integer variable \(v.name) has no integer value between \(formatNumber(v.lower)) and \(formatNumber(v.upper))",
                    at: v.location, length: length)
            }
            v.lower = lower
            v.upper = upper
        }
        variables.append(v)
        return variables.count - 1
    }

    // MARK: - Objectives

    /// Sets a level's objective (each level has exactly one). Its constant stays: it shifts the
    /// reported value, not the decision.
    public mutating func setObjective(
        _ owner: Owner, _ sense: ObjectiveSense, name: String?, _ body: Combination, at location: SourceLocation,
        range: SourceRange = .unknown
    ) throws {
        if let previous = objectives[owner] {
            throw Diagnostic(
                .error,
                "the \(owner.blockName) level already has an objective (line \(previous.location.line)); each level has exactly one",
                at: location, length: sense.rawValue.count)
        }
        try checkFinite(body, at: location)
        if owner.isFollower { try refuseDuals(in: body, of: "the follower's objective", at: location) }
        var objective = Objective(
            sense: sense, name: name ?? (owner.isLeader ? "leader_objective" : "follower_objective"), expression: QuadExpr(),
            location: location)
        objective.function = graph.node(body, at: range)
        objectives[owner] = objective
    }

    // MARK: - Constraints

    /// The relation of a constraint `lhs REL rhs`.
    public enum Relation: String, Sendable {
        case lessEqual = "<=", greaterEqual = ">=", equal = "=="
    }

    /// Where a follower constraint's bound on its dual came from, with the bound.
    public struct DualBoundDeclaration: Sendable {
        public var value: Double
        public var location: SourceLocation
        public init(_ value: Double, at location: SourceLocation) {
            self.value = value
            self.location = location
        }
    }

    /// Adds `lhs REL rhs` as `lower <= lhs - rhs - constant <= upper`. A member without
    /// variables is a fact about the data: dropped when true, an error when false.
    public mutating func addConstraint(
        _ base: String, index: Tuple = [], owner: Owner, _ lhs: Combination, _ relation: Relation, _ rhs: Combination,
        dualBound: DualBoundDeclaration? = nil, at location: SourceLocation, nameLength: Int? = nil,
        range: SourceRange = .unknown
    ) throws {
        var body = lhs
        body.add(rhs, times: -1)
        let k = body.constant
        let (lower, upper): (Double, Double)
        switch relation {
        case .lessEqual: (lower, upper) = (-.infinity, -k)
        case .greaterEqual: (lower, upper) = (-k, .infinity)
        case .equal: (lower, upper) = (-k, -k)
        }
        body.constant = 0
        try addRow(base, index, owner, body, lower, upper, dualBound, location, nameLength ?? base.count, range)
    }

    /// Adds `lower <= body <= upper` for constant sides (`lower` may be -infinity, `upper` +infinity).
    public mutating func addRangedConstraint(
        _ base: String, index: Tuple = [], owner: Owner, lower: Double, _ body: Combination, upper: Double,
        dualBound: DualBoundDeclaration? = nil, at location: SourceLocation, nameLength: Int? = nil,
        range: SourceRange = .unknown
    ) throws {
        if lower > upper {
            throw Diagnostic(
                .error,
                "\(indexedName(base, index)) has its lower side \(formatNumber(lower)) above its upper side \(formatNumber(upper))",
                at: location, length: nameLength ?? base.count)
        }
        var b = body
        let k = b.constant
        b.constant = 0
        try addRow(base, index, owner, b, lower - k, upper - k, dualBound, location, nameLength ?? base.count, range)
    }

    private mutating func addRow(
        _ base: String, _ index: Tuple, _ owner: Owner, _ body: Combination, _ lower: Double, _ upper: Double,
        _ dualBound: DualBoundDeclaration?, _ location: SourceLocation, _ nameLength: Int, _ range: SourceRange
    ) throws {
        try checkFinite(body, at: location)
        if !lower.isNaN, !upper.isNaN {} else {
            throw Diagnostic(.error, "\(indexedName(base, index)) has a side that is not a number", at: location, length: nameLength)
        }
        var c = Constraint(base: base, index: index, owner: owner, body: QuadExpr(), lower: lower, upper: upper)
        c.location = location
        if let dualBound {
            guard owner.isFollower else {
                throw Diagnostic(
                    .error, "'dualbound' applies to follower constraints; '\(base)' is in the upper block",
                    at: dualBound.location)
            }
            guard dualBound.value > 0, dualBound.value.isFinite else {
                throw Diagnostic(.error, "a dual bound must be a positive number", at: dualBound.location)
            }
            c.dualBound = dualBound.value
            c.dualBoundSource = .constraint(dualBound.location)
        }
        if body.isConstant {
            // A row without variables is a fact about the data: true rows are dropped, false ones are errors.
            if c.lower > 1e-9 || c.upper < -1e-9 {
                throw Diagnostic(.error, "\(c.name) involves no variables and can never hold", at: location, length: nameLength)
            }
            return
        }
        if owner.isFollower { try refuseDuals(in: body, of: "the follower's constraint \(c.name)", at: location) }
        c.function = graph.node(body, at: range)
        constraints.append(c)
    }

    /// Sets the bound on the duals of rows already added (a DSL family's `.dualBound(M)`).
    public mutating func setDualBound(_ value: Double, onRows rows: Range<Int>, at location: SourceLocation) throws {
        try setDualBound({ _ in value }, onRows: rows, at: location)
    }

    /// Sets a bound per member (by the row's index tuple) on the duals of rows already added.
    public mutating func setDualBound(
        _ bound: (Tuple) -> Double, onRows rows: Range<Int>, at location: SourceLocation
    ) throws {
        for i in rows where constraints.indices.contains(i) {
            let value = bound(constraints[i].index)
            guard value > 0, value.isFinite else {
                throw Diagnostic(.error, "a dual bound must be a positive number", at: location)
            }
            guard constraints[i].owner.isFollower else {
                throw Diagnostic(
                    .error, "'dualbound' applies to follower constraints; '\(constraints[i].base)' is in the upper block",
                    at: location)
            }
            constraints[i].dualBound = value
            constraints[i].dualBoundSource = .constraint(location)
        }
    }

    /// The follower block's bound on every dual without its own (`dualbound M;`).
    public mutating func setFollowerDualBound(_ value: Double, at location: SourceLocation, valueLocation: SourceLocation? = nil)
        throws
    {
        guard value > 0, value.isFinite else {
            throw Diagnostic(.error, "a dual bound must be a positive number", at: valueLocation ?? location)
        }
        followerDualBound = (value, location)
    }

    // MARK: - Duals

    /// The variable standing for `dual(name[key])` in the leader's expressions (one per member,
    /// however often it is written). The constraint may be added later; `finish` resolves it.
    public mutating func dualVariable(of name: String, _ key: Tuple = [], at location: SourceLocation, length: Int = 4) -> VarID {
        let full = indexedName(name, key)
        if let id = dualVariables[full] { return id }
        let id = variables.count
        variables.append(Variable(base: "dual(\(full))", owner: .leader, role: .dual(constraint: -1), location: location))
        dualVariables[full] = id
        pendingDuals.append((id, name, key, location, length))
        return id
    }

    /// The words for a `dual()` in the follower's own problem.
    public static let dualInFollowerMessage =
        "dual() may appear only in the upper block: it is the follower's dual, which the leader observes"

    /// A follower's objective or row must not depend on `dual(...)` variables.
    private func refuseDuals(in body: Combination, of what: String, at location: SourceLocation) throws {
        guard !dualVariables.isEmpty else { return }
        let duals = Set(dualVariables.values)
        for root in body.nodes {
            for v in graph.variables(in: root) where duals.contains(v) {
                throw Diagnostic(
                    .error, ModelBuilder.dualInFollowerMessage + " (\(what) uses \(variables[v].base))", at: location,
                    notes: ["the follower's own problem cannot depend on its duals"])
            }
        }
    }

    private func checkFinite(_ body: Combination, at location: SourceLocation) throws {
        guard body.isFinite else {
            throw Diagnostic(
                .error, "this expression has a constant that is not a finite number (an overflow)", at: location,
                notes: ["rescale the data: coefficients must stay well inside +-1e308"])
        }
    }

    // MARK: - The model

    /// The model: quadratic views extracted, `dual(...)` variables resolved, the numeric range
    /// applied (huge bounds become infinite with a warning in `warnings`; coefficients outside
    /// the range are errors). `location` is where a missing part is reported.
    public func finish(name: String, at location: SourceLocation = .unknown) throws -> BilevelModel {
        for owner in [Owner.leader, .theFollower] where objectives[owner] == nil {
            throw Diagnostic(
                .error, "the \(owner.blockName) level has no objective", at: location,
                notes: ["each level has exactly one objective: minimize or maximize an expression"])
        }
        var b = self
        try b.extractViews()
        var model = BilevelModel(name: name, upperObjective: b.objectives[.leader]!, lowerObjective: b.objectives[.theFollower]!)
        model.graph = b.graph
        model.inputFiles = inputFiles
        model.variables = b.variables
        model.constraints = b.constraints
        if let (v, at) = followerDualBound {
            model.lowerDualBound = v
            model.lowerDualBoundLocation = at
        }
        try b.resolveDuals(&model)
        if model.variables(of: .theFollower).isEmpty {
            throw Diagnostic(
                .error, "the lower block declares no variables: the follower has nothing to decide", at: location, length: 5)
        }
        model.warnings = warnings
        // Small coefficients are kept here: the exact routes refuse them before they reformulate,
        // the gradient methods take them.
        try NumericRange.enforce(&model, keepSmallCoefficients: true)
        return model
    }

    /// The quadratic views of every objective and constraint, extracted in one batch. A view's
    /// constant moves to the row's bounds; a row whose terms cancel is dropped when true.
    private mutating func extractViews() throws {
        let levels: [Owner] = [.leader, .theFollower]
        let roots = levels.compactMap { objectives[$0]?.function } + constraints.compactMap(\.function)
        let views = graph.quadraticViews(roots)
        for (k, level) in levels.enumerated() {
            switch views[k] {
            case .success(let q): objectives[level]?.expression = q
            case .failure(let f):
                try refuseInvalid(f)
                objectives[level]?.nonquadratic = f
            }
        }
        var kept: [Constraint] = []
        kept.reserveCapacity(constraints.count)
        for (k, var c) in constraints.enumerated() {
            switch views[levels.count + k] {
            case .success(let q):
                c.body = q
                c.lower -= q.constant
                c.upper -= q.constant
                c.body.linear.constant = 0
                if q.constant != 0, let root = c.function {
                    // Keep the graph's body equal to the view: the constant moved to the bounds.
                    c.function = graph.add(
                        .linear(constant: -q.constant, coefficients: [1], children: [root]), at: graph.ranges[root.index])
                }
                if c.body.isConstant {
                    if c.lower > 1e-9 || c.upper < -1e-9 {
                        throw Diagnostic(
                            .error, "\(c.name) involves no variables and can never hold", at: c.location, length: c.base.count)
                    }
                    continue
                }
            case .failure(let f):
                try refuseInvalid(f)
                c.nonquadratic = f
            }
            kept.append(c)
        }
        constraints = kept
    }

    /// An expression without a finite value is an input error, whichever route would read it.
    private func refuseInvalid(_ f: ExtractionFailure) throws {
        guard f.isInvalid else { return }
        throw Diagnostic(
            .error, "this expression has no finite value: " + f.describe(variables: "constants"), at: graph.location(of: f.node),
            length: graph.length(of: f.node))
    }

    /// Points each `dual(...)` variable at its constraint and bounds it by the constraint's
    /// `dualbound` (with the sign its sense implies).
    private func resolveDuals(_ model: inout BilevelModel) throws {
        guard !pendingDuals.isEmpty else { return }
        var index: [String: Int] = [:]
        for (i, c) in model.constraints.enumerated() { index[c.name] = i }
        for d in pendingDuals {
            let full = indexedName(d.name, d.key)
            guard let i = index[full] else {
                throw Diagnostic(
                    .error, "dual(\(full)): '\(d.name)' has no member \(d.key.map { "\($0)" }.joined(separator: ","))", at: d.at,
                    length: d.length, notes: ["the subscripts must name a member of the constraint's index set"])
            }
            let c = model.constraints[i]
            guard c.owner.isFollower else {
                throw Diagnostic(
                    .error, "dual(\(full)) refers to a leader constraint; only the follower's constraints have duals in a bilevel model",
                    at: d.at, length: d.length,
                    notes: ["move the constraint into the lower block if the follower's price for it is meant"])
            }
            model.variables[d.id].role = .dual(constraint: i)
            let range = model.dualRange(of: i)
            model.variables[d.id].lower = range.lower
            model.variables[d.id].upper = range.upper
        }
    }
}
