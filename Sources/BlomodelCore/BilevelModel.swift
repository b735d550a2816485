/// Which decision maker owns a variable, constraint or objective.
/// Which decision maker owns a variable, constraint or objective: the leader, or a follower.
///
/// Followers are numbered from 0. Today's models have one follower (`.follower(0)`); the
/// type is ready for several, each with its own problem parameterised by the leader's decision.
public enum Owner: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The leader (upper level): its variables are parameters of the followers.
    case leader
    /// Follower `k` (lower level).
    case follower(Int)

    /// The single follower of a model with one.
    public static let theFollower = Owner.follower(0)

    public var isLeader: Bool { self == .leader }
    public var isFollower: Bool { !isLeader }

    /// "leader", "follower" (or "follower 2" when there are several).
    public var description: String {
        switch self {
        case .leader: return "leader"
        case .follower(0): return "follower"
        case .follower(let k): return "follower \(k + 1)"
        }
    }

    /// The `.blo` block that declares this owner's part: `upper` or `lower`.
    public var blockName: String { isLeader ? "upper" : "lower" }

    public static func < (a: Owner, b: Owner) -> Bool {
        switch (a, b) {
        case (.leader, .follower): return true
        case (.follower(let i), .follower(let j)): return i < j
        default: return false
        }
    }
}

public enum VariableKind: String, Sendable { case continuous, integer, binary }

/// Why a variable exists: the user declared it, a pass introduced it, or it stands
/// for a follower dual written `dual(con)` in the leader's expressions.
public enum VariableRole: Sendable, Equatable {
    /// Declared by the user.
    case decision
    /// Introduced by a reformulation pass (binary-expansion digits, product variables);
    /// not reported to the user.
    case auxiliary
    /// `dual(con)`: equal to the follower's dual of constraint `constraint` (an index into
    /// `BilevelModel.constraints`), the rate of change of the follower's optimal value
    /// with the constraint's right-hand side. Owned by the leader's side of the model;
    /// it never appears in the follower's problem.
    case dual(constraint: Int)
}

public enum ObjectiveSense: String, Sendable {
    case minimize, maximize
    /// +1 for minimize, -1 for maximize: multiply to get a minimisation.
    public var sign: Double { self == .minimize ? 1 : -1 }
}

/// A scalar decision variable (one member of an indexed family).
public struct Variable: Sendable {
    public var base: String
    public var index: Tuple
    public var owner: Owner
    public var lower: Double
    public var upper: Double
    public var kind: VariableKind
    public var role: VariableRole = .decision
    /// A start value for local methods (`var x := 2;`): the gradient methods begin there (the
    /// exact routes do not use it).
    public var start: Double?
    public var location: SourceLocation

    public init(
        base: String, index: Tuple = [], owner: Owner, lower: Double = -.infinity, upper: Double = .infinity,
        kind: VariableKind = .continuous, role: VariableRole = .decision, location: SourceLocation = .unknown
    ) {
        self.role = role
        self.base = base
        self.index = index
        self.owner = owner
        self.lower = lower
        self.upper = upper
        self.kind = kind
        self.location = location
    }

    /// `x`, `x[3]`, `flow[1,2]`.
    public var name: String { indexedName(base, index) }
    public var bounds: Interval { Interval(lower, upper) }
}

/// An objective of one level.
public struct Objective: Sendable {
    public var sense: ObjectiveSense
    public var name: String
    /// The sorted quadratic view of the objective, for the MILP routes. Empty when the
    /// objective is not quadratic: `nonquadratic` then says why, and only `function` holds it.
    public var expression: QuadExpr
    /// The objective in the model's expression graph (nil for objectives built as views only).
    public var function: NodeID?
    /// Why the objective has no quadratic view (a function of variables, degree three, ...).
    public var nonquadratic: ExtractionFailure?
    public var location: SourceLocation

    public init(sense: ObjectiveSense, name: String, expression: QuadExpr, location: SourceLocation = .unknown) {
        self.sense = sense
        self.name = name
        self.expression = expression
        self.location = location
    }
}

/// Where a bound on a dual variable (a big-M on the dual side) came from.
public enum DualBoundSource: Sendable, Equatable {
    /// Written on the constraint (`dualbound 50`).
    case constraint(SourceLocation)
    /// The follower block's `dualbound` statement.
    case block(SourceLocation)
    /// Given on the command line or in the API options.
    case option
}

/// A scalar constraint `lower <= body <= upper` (one member of an indexed family).
/// `body` has no constant term; equalities have `lower == upper`.
public struct Constraint: Sendable {
    public var base: String
    public var index: Tuple
    public var owner: Owner
    /// The sorted quadratic view of the body (no constant term). Empty when the body is not
    /// quadratic: `nonquadratic` then says why, and only `function` holds it.
    public var body: QuadExpr
    /// The body in the model's expression graph, with the same value as `body`
    /// (nil for rows built as views only, such as those a pass adds).
    public var function: NodeID?
    /// Why the body has no quadratic view.
    public var nonquadratic: ExtractionFailure?
    public var lower: Double
    public var upper: Double
    /// A user-declared bound on the magnitude of this row's dual variable.
    public var dualBound: Double?
    public var dualBoundSource: DualBoundSource?
    /// Introduced by a reformulation pass (binary expansion), not written by the user.
    public var isAuxiliary = false
    public var location: SourceLocation

    public init(
        base: String, index: Tuple = [], owner: Owner, body: QuadExpr, lower: Double, upper: Double,
        dualBound: Double? = nil, dualBoundSource: DualBoundSource? = nil, location: SourceLocation = .unknown
    ) {
        self.base = base
        self.index = index
        self.owner = owner
        self.body = body
        self.lower = lower
        self.upper = upper
        self.dualBound = dualBound
        self.dualBoundSource = dualBoundSource
        self.location = location
    }

    public var name: String { indexedName(base, index) }
    public var isEquality: Bool { lower == upper }
}

/// A bilevel optimisation problem: the leader's problem with the follower's
/// problem nested inside. This is what both the `.blo` language and the
/// embedded DSL produce, and what every reformulation starts from.
public struct BilevelModel: Sendable {
    public var name: String
    /// Every expression of the model, as written. Objectives and constraints point into it
    /// (`function`); the MILP routes read their quadratic views instead.
    public var graph = ExpressionGraph()
    public var variables: [Variable] = []
    public var constraints: [Constraint] = []
    public var upperObjective: Objective
    public var lowerObjective: Objective
    /// The files the model was read from: its source and every data file (empty for models
    /// built in code). An output must never overwrite one of them.
    public var inputFiles: [String] = []
    /// What was said about the model without refusing it, in the order it was found (numbers
    /// treated as infinite by `NumericRange`); reports repeat these.
    public var warnings: [Diagnostic] = []
    /// The follower block's default bound on dual variables, if declared.
    public var lowerDualBound: Double?
    public var lowerDualBoundLocation: SourceLocation?

    public init(name: String, upperObjective: Objective, lowerObjective: Objective) {
        self.name = name
        self.upperObjective = upperObjective
        self.lowerObjective = lowerObjective
    }

    /// True when every objective and constraint has a quadratic view (the MILP routes' domain).
    public var isQuadratic: Bool {
        upperObjective.nonquadratic == nil && lowerObjective.nonquadratic == nil
            && constraints.allSatisfy { $0.nonquadratic == nil }
    }

    public func variables(of owner: Owner) -> [VarID] {
        variables.indices.filter { variables[$0].owner == owner }
    }

    public func constraints(of owner: Owner) -> [Int] {
        constraints.indices.filter { constraints[$0].owner == owner }
    }

    /// Adds a variable and returns its identifier.
    @discardableResult
    public mutating func addVariable(_ v: Variable) -> VarID {
        variables.append(v)
        return variables.count - 1
    }
}

extension BilevelModel {
    /// The bound on the magnitude of the follower's dual of constraint `i`: the constraint's own
    /// `dualbound`, else the lower block's.
    public func dualBound(of i: Int) -> Double? {
        constraints[i].dualBound ?? lowerDualBound
    }

    /// The range of `dual(constraints[i])`, the rate of change of the follower's optimal value
    /// with the constraint's right-hand side: its sign follows from the constraint's sense and
    /// the follower's (a `>=` row of a minimising follower has a nonnegative dual), its
    /// magnitude from `dualBound(of:)`.
    public func dualRange(of i: Int) -> Interval {
        let c = constraints[i]
        let m = dualBound(of: i) ?? .infinity
        var r = Interval(-m, m)
        if !c.isEquality {
            if c.lower.isFinite && !c.upper.isFinite { r = Interval(0, m) }
            if !c.lower.isFinite && c.upper.isFinite { r = Interval(-m, 0) }
        }
        return lowerObjective.sense == .minimize ? r : Interval(-r.upper, -r.lower)
    }
}
