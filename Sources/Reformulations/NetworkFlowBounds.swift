import BlomodelCore

/// Upper bounds on a follower's flows implied by its optimality, from the network structure
/// the model exposes (docs/reformulations.md, "Bounds from network structure").
///
/// A block of the follower's equality rows is a **network** when every column in it is a
/// continuous follower variable with lower bound 0 and no upper bound, with at most one `+1`
/// and at most one `-1` entry in the block's rows (an arc; a single entry means its other end
/// is a node whose row is not written), whose other follower rows are all downward closed in it
/// (`<=` rows where its coefficient is nonnegative, `>=` rows where it is nonpositive), and whose
/// cost in the follower's objective (minimisation form, leader variables in their ranges) is
/// positive; the block's rows have constant right-hand sides `b_i` and no leader variable.
///
/// Then at every optimal solution of the follower, for every leader decision, the block's flow
/// has no directed cycle: removing a cycle's flow keeps every block row (balanced along the
/// cycle) and every downward closed row, and lowers the cost. An acyclic flow is a sum of paths
/// from the supply nodes (the nodes whose rows are not written form one node), so no arc carries
/// more than the total supply `S = sum_i max(b_i, 0) + max(-sum_i b_i, 0)`. The bound `x_a <= S`
/// holds on the follower's whole optimal set, so adding it to the follower's problem leaves the
/// optimal set, hence the bilevel problem, unchanged. The verification re-solves the follower
/// without it (`Reformulated.verificationModel`).
package enum NetworkFlowBounds {
    /// The model with the implied bounds, and what was found.
    public struct Result: Sendable {
        public var model: BilevelModel
        /// The variables bounded, with their original upper bounds (all +inf).
        public var originalUpper: [VarID: Double]
        /// Networks found, and the variables bounded.
        public var networks: Int
        /// One line for the plan, or nil when nothing was bounded.
        public var summary: String?
    }

    public static func apply(_ model: BilevelModel) -> Result {
        var result = Result(model: model, originalUpper: [:], networks: 0, summary: nil)
        let vars = model.variables
        // LP followers only: continuous follower variables, a follower objective with no product
        // of two follower variables, linear follower rows.
        guard !vars.contains(where: { $0.owner.isFollower && $0.kind != .continuous }) else { return result }
        let objective = model.lowerObjective.expression
        let sign = model.lowerObjective.sense.sign
        // The cost range of each follower variable over the leader's box.
        var costLow = [Double](repeating: 0, count: vars.count)
        for (j, c) in objective.linear.terms where vars[j].owner.isFollower { costLow[j] += sign * c }
        for (pair, q) in objective.sortedQuadratic {
            let (a, b) = (pair.first, pair.second)
            switch (vars[a].owner.isFollower, vars[b].owner.isFollower) {
            case (true, true): return result
            case (true, false): costLow[a] += (sign * q * vars[b].bounds).lower
            case (false, true): costLow[b] += (sign * q * vars[a].bounds).lower
            case (false, false): break
            }
        }
        // Rows: the candidate network rows, and the columns some other follower row blocks.
        var networkRows: [Int] = []
        var blocked = [Bool](repeating: false, count: vars.count)
        var plus = [Int](repeating: 0, count: vars.count), minus = [Int](repeating: 0, count: vars.count)
        for (i, c) in model.constraints.enumerated() where c.owner.isFollower {
            guard c.body.isLinear else { return result }
            let terms = c.body.linear.sortedTerms
            let follower = terms.filter { vars[$0.0].owner.isFollower }
            guard !follower.isEmpty else { continue }
            let hasLeader = follower.count != terms.count
            if c.isEquality && !hasLeader && follower.allSatisfy({ abs($0.1) == 1 }) {
                networkRows.append(i)
                for (j, a) in follower { if a > 0 { plus[j] += 1 } else { minus[j] += 1 } }
                continue
            }
            let atMost = c.upper.isFinite && !c.lower.isFinite, atLeast = c.lower.isFinite && !c.upper.isFinite
            for (j, a) in follower where !((atMost && a >= 0) || (atLeast && a <= 0)) { blocked[j] = true }
        }
        guard !networkRows.isEmpty else { return result }
        func isArc(_ j: Int) -> Bool {
            let v = vars[j]
            return v.owner.isFollower && v.lower == 0 && !v.upper.isFinite && !blocked[j] && plus[j] <= 1 && minus[j] <= 1
                && costLow[j] > 1e-9
        }
        // Blocks of network rows joined by shared columns (union-find, no recursion).
        var sets = UnionFind(count: networkRows.count)
        func find(_ k: Int) -> Int { sets.find(k) }
        var rowOfColumn: [Int: Int] = [:]
        for (k, i) in networkRows.enumerated() {
            for (j, _) in model.constraints[i].body.linear.sortedTerms {
                if let other = rowOfColumn[j] {
                    sets.union(other, k)
                } else {
                    rowOfColumn[j] = k
                }
            }
        }
        var valid: [Int: Bool] = [:], positive: [Int: Double] = [:], total: [Int: Double] = [:]
        var columns: [Int: [Int]] = [:]
        for (k, i) in networkRows.enumerated() {
            let block = find(k), c = model.constraints[i]
            let b = c.lower - c.body.linear.constant
            positive[block, default: 0] += max(b, 0)
            total[block, default: 0] += b
            if valid[block] == nil { valid[block] = true }
            for (j, _) in c.body.linear.sortedTerms where !isArc(j) { valid[block] = false }
        }
        for (j, k) in rowOfColumn.sorted(by: { $0.key < $1.key }) { columns[find(k), default: []].append(j) }
        var bounded = 0
        for block in valid.keys.sorted() where valid[block] == true {
            let supply = positive[block, default: 0] + max(-(total[block] ?? 0), 0)
            guard supply.isFinite, supply < NumericRange.infiniteBound else { continue }
            result.networks += 1
            for j in columns[block] ?? [] {
                result.originalUpper[j] = result.model.variables[j].upper
                result.model.variables[j].upper = supply
                bounded += 1
            }
        }
        if bounded > 0 {
            result.summary =
                "network bounds: \(bounded) follower flow(s) in \(result.networks) network(s) bounded by their network's supply (positive costs: every optimal flow is acyclic)"
        }
        return result
    }
}
