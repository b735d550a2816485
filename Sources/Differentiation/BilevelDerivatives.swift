import BlomodelCore

/// Every function of a bilevel model compiled for differentiation, with the split of its
/// variables into the leader's `x` and the follower's `y`.
///
/// Objectives are compiled as written (a maximised objective is not negated: multiply by
/// `sense.sign` for a minimisation). Constraint rows are the bodies `g_i(x, y)` of
/// `lower <= g_i <= upper`, grouped by level in model order; `upperConstraintIndices[k]` and
/// `lowerConstraintIndices[k]` give row `k`'s index in `model.constraints`. Objectives and
/// rows that exist only as quadratic views are first given nodes (`withFunctions()`).
public struct BilevelDerivatives: Sendable {
    /// `x` = the upper level's variables, `y` = the lower level's.
    public let split: VariableSplit
    /// The leader's objective `F(x, y)`.
    public let upperObjective: CompiledFunction
    /// The follower's objective `f(x, y)`.
    public let lowerObjective: CompiledFunction
    /// The leader's constraint bodies.
    public let upperConstraints: CompiledRows
    /// The follower's constraint bodies.
    public let lowerConstraints: CompiledRows
    /// For each upper-level row, its index in `model.constraints`.
    public let upperConstraintIndices: [Int]
    /// For each lower-level row, its index in `model.constraints`.
    public let lowerConstraintIndices: [Int]

    /// Compiles every objective and constraint of `model`; throws when its graph is malformed.
    public init(model: BilevelModel) throws {
        let m = model.withFunctions()
        let n = m.variables.count
        split = VariableSplit(model: m)
        func root(_ f: NodeID?) -> NodeID { f ?? NodeID(-1) }
        upperObjective = try CompiledFunction(graph: m.graph, root: root(m.upperObjective.function), variableCount: n)
        lowerObjective = try CompiledFunction(graph: m.graph, root: root(m.lowerObjective.function), variableCount: n)
        upperConstraintIndices = m.constraints(of: .leader)
        lowerConstraintIndices = m.constraints(of: .theFollower)
        upperConstraints = try CompiledRows(
            graph: m.graph, roots: upperConstraintIndices.map { root(m.constraints[$0].function) }, variableCount: n)
        lowerConstraints = try CompiledRows(
            graph: m.graph, roots: lowerConstraintIndices.map { root(m.constraints[$0].function) }, variableCount: n)
    }
}
