import BlomodelCore

/// A split of a model's variables into the leader's `x` and the follower's `y`, for the mixed
/// derivative blocks bilevel methods need (`grad_x f`, `grad_y f`, `Hess_yy f v`, `Hess_xy f v`,
/// `Hess_yx f u`).
///
/// Both lists are ascending and disjoint. A variable in neither list is held fixed: it takes
/// no part in directions and its derivatives are not reported.
public struct VariableSplit: Sendable, Equatable {
    /// The leader's variables `x`, ascending.
    public let leader: [VarID]
    /// The follower's variables `y`, ascending.
    public let follower: [VarID]
    /// The number of variables of the full point.
    public let variableCount: Int

    /// A split given by its two lists (sorted here); throws when a variable is out of range
    /// or in both lists.
    public init(leader: [VarID], follower: [VarID], variableCount: Int) throws {
        var owner = [Int8](repeating: 0, count: max(0, variableCount))
        for (list, mark) in [(leader, Int8(1)), (follower, Int8(2))] {
            for j in list {
                guard j >= 0, j < variableCount else {
                    throw DifferentiationError.invalidSplit("variable \(j) is not in 0..<\(variableCount)")
                }
                guard owner[j] == 0 else { throw DifferentiationError.invalidSplit("variable \(j) is listed twice") }
                owner[j] = mark
            }
        }
        self.leader = leader.sorted()
        self.follower = follower.sorted()
        self.variableCount = variableCount
    }

    /// The split of a bilevel model by the variables' levels: upper-level variables (including
    /// `dual(con)` variables, which the leader's side owns) are `x`, lower-level ones are `y`.
    public init(model: BilevelModel) {
        leader = model.variables(of: .leader)
        follower = model.variables(of: .theFollower)
        variableCount = model.variables.count
    }

    /// The full point with `x` and `y` in their places (missing entries, and variables in
    /// neither list, are 0).
    public func combine(leader x: [Double], follower y: [Double]) -> [Double] {
        var point = [Double](repeating: 0, count: variableCount)
        for (k, j) in leader.enumerated() where k < x.count { point[j] = x[k] }
        for (k, j) in follower.enumerated() where k < y.count { point[j] = y[k] }
        return point
    }

    /// The leader's and the follower's parts of a full vector (NaN where it is too short).
    public func split(_ full: [Double]) -> SplitVector {
        SplitVector(
            leader: leader.map { $0 < full.count ? full[$0] : .nan },
            follower: follower.map { $0 < full.count ? full[$0] : .nan })
    }
}
