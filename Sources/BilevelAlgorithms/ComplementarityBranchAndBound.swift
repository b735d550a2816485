import BlomodelCore
import Foundation
import SolverInterface

/// Branch-and-bound over complementarity pairs, without big-M values.
///
/// The problem is the KKT reformulation of a bilevel program with an LP or convex-QP follower
/// (a mathematical program with complementarity constraints):
///
///     minimize    F(v)                      (linear, or convex quadratic)
///     subject to  v in P                    (rows and bounds of `base`: both levels' rows,
///                                            stationarity, dual feasibility; integers allowed)
///                 0 <= s_k(v)  ⟂  lambda_k >= 0      for every pair k
///
/// Dropping the pairs gives a relaxation over `P`, solved by the backends (an LP, a convex QP, or a
/// MILP when the leader has integer variables). At a node whose relaxed point violates a pair
/// (`min(s_k, lambda_k) > 0`), two children split the node's feasible set exactly:
/// `lambda_k = 0` (the multiplier's bounds fixed at zero) and `s_k = 0` (a row, or the column's
/// bounds when the slack is one variable). No M appears anywhere: free variables and unbounded
/// multipliers need no bound, and a proven optimum is proven without assumptions.
///
/// - Bounds: a node's relaxation value bounds every point of its subtree; the smallest bound
///   among open nodes bounds the optimum. Nodes are taken best bound first (deeper first on ties).
/// - Incumbents: a relaxed point that satisfies every pair (after polishing: each pair's smaller
///   side fixed at zero and the relaxation re-solved, so complementarity holds exactly), and the
///   caller's heuristic (the follower's optimal response with its duals at the node's leader
///   decision) and seeds (for example the big-M MILP's answer: bilevel feasible whatever its M values).
/// - Unboundedness: a node whose relaxation is unbounded and has every pair fixed is a polyhedron of
///   complementary points, all bilevel feasible: the bilevel problem is unbounded. Otherwise an
///   unbounded node is branched on its first free pair.
/// - The search is complete: when every node is closed, the incumbent is optimal (or the problem
///   infeasible when there is none). A node that could not be solved (a solver error, the time
///   limit) keeps the search from claiming either.
///
/// The algorithm only decides which library calls to make (`SolverBackend.solve`); it solves no LP itself.
package struct ComplementarityBranchAndBound {
    /// One complementarity pair `0 <= slack ⟂ multiplier >= 0` over the columns of `base`.
    public struct Pair: Sendable {
        /// The slack, an affine function of the columns (nonnegative at feasible points).
        public var slack: LinearExpr
        /// The multiplier's column.
        public var multiplier: Int
        /// A name for reports.
        public var name: String
        /// A pair from its slack, multiplier column and name.
        public init(slack: LinearExpr, multiplier: Int, name: String) {
            self.slack = slack
            self.multiplier = multiplier
            self.name = name
        }
    }

    /// Limits and tolerances.
    public struct Options: Sendable {
        /// The wall-clock instant at which the search stops (nil: none).
        public var deadline: Date?
        /// The number of nodes after which the search stops.
        public var nodeLimit = 100_000
        /// A pair holds at a point when `min(slack, multiplier) <= tolerance * max(1, |slack|, |multiplier|)`.
        public var complementarityTolerance = 1e-7
        /// A node is pruned when its bound is within `absoluteGap + relativeGap * |incumbent|` of the incumbent.
        public var relativeGap = 1e-9
        public var absoluteGap = 1e-9
        /// Relative feasibility tolerance for seeds and heuristic points (`StandardForm.maxViolation`).
        public var feasibilityTolerance = 1e-6
        /// Called before every node after the first (progress reports); returns false to stop the search.
        public var progress: (@Sendable (Progress) -> Bool)?
        /// Default options.
        public init() {}
    }

    /// Where the search is, for progress lines and the final report.
    public struct Progress: Sendable {
        /// Nodes solved so far.
        public var nodes: Int
        /// Nodes still open.
        public var open: Int
        /// The incumbent's value (minimisation form), `+inf` when there is none.
        public var incumbent: Double
        /// The best bound (minimisation form), `-inf` when unknown.
        public var bound: Double
    }

    /// Why the search stopped.
    public enum Outcome: Equatable, Sendable {
        /// Every node closed: the incumbent is optimal.
        case optimal
        /// Every node closed without a feasible point.
        case infeasible
        /// A leaf (every pair fixed) has an unbounded relaxation.
        case unbounded
        /// The node limit was reached.
        case nodeLimit
        /// The deadline passed.
        case timeLimit
        /// The progress callback asked to stop.
        case stopped
        /// A relaxation could not be solved, so the search cannot claim optimality or infeasibility.
        case incomplete(String)
    }

    /// What the search found.
    public struct Result: Sendable {
        /// Why it stopped.
        public var outcome: Outcome
        /// The best complementary point found (columns of `base`), if any.
        public var incumbent: [Double]?
        /// Its objective value (minimisation form); `+inf` without one.
        public var upperBound: Double
        /// The best proven bound (minimisation form); equals `upperBound` when optimal.
        public var lowerBound: Double
        /// Nodes solved (relaxations, not counting polishing and heuristic solves).
        public var nodes: Int
        /// Relaxations solved in all (nodes, polishing, unboundedness checks).
        public var solves: Int
        /// Where the incumbent came from (`seed`, `relaxation`, `heuristic`).
        public var incumbentSource: String?
        /// The relative gap between the bounds.
        public var relativeGap: Double {
            guard upperBound.isFinite else { return .infinity }
            guard lowerBound.isFinite else { return .infinity }
            return max(0, upperBound - lowerBound) / max(1, abs(upperBound))
        }
    }

    /// The relaxation: every row and bound of the KKT program except the pairs.
    public var base: StandardForm
    /// The complementarity pairs.
    public var pairs: [Pair]
    /// The backend for relaxations (LPs and MILPs; a convex-QP backend when the objective is quadratic).
    public var solver: any SolverBackend
    public var options: Options

    /// A search over `base` and `pairs`, solved by `solver`.
    public init(base: StandardForm, pairs: [Pair], solver: any SolverBackend, options: Options = Options()) {
        self.base = base
        self.pairs = pairs
        self.solver = solver
        self.options = options
    }

    /// Which side of a pair a branch fixes at zero.
    enum Side: UInt8 { case multiplier, slack }

    /// A node of the tree: its fixing, its parent (the fixings of a node are those on the path to
    /// the root, walked by a loop), its bound and depth.
    struct Node {
        var parent: Int
        var pair: Int
        var side: Side
        var bound: Double
        var depth: Int
    }

    /// Runs the search from the given seeds (complementary points of `base`; the infeasible ones
    /// are ignored) and the heuristic (a relaxed point to a complementary point, or nil).
    public func run(seeds: [[Double]] = [], heuristic: (([Double]) -> [Double]?)? = nil) -> Result {
        var tree: [Node] = []
        var open = NodeQueue()
        var incumbent: [Double]?
        var upper = Double.infinity
        var source: String?
        var nodes = 0
        var solves = 0
        var incomplete: String?

        func accept(_ point: [Double], _ from: String) {
            guard point.count == base.columnCount, base.maxViolation(point) <= options.feasibilityTolerance,
                violation(point).worst <= options.complementarityTolerance
            else { return }
            let value = base.objectiveValue(point)
            if value < upper - options.absoluteGap {
                upper = value
                incumbent = point
                source = from
            }
        }
        for seed in seeds { accept(seed, "seed") }

        func pruned(_ bound: Double) -> Bool {
            guard upper.isFinite else { return false }
            return bound >= upper - options.absoluteGap - options.relativeGap * abs(upper)
        }
        func result(_ outcome: Outcome, lower: Double) -> Result {
            Result(
                outcome: outcome, incumbent: incumbent, upperBound: upper, lowerBound: incumbent == nil && outcome == .infeasible ? .infinity : min(lower, upper),
                nodes: nodes, solves: solves, incumbentSource: source)
        }

        // The root (index -1 stands for "no fixing").
        open.push(bound: -.infinity, depth: 0, node: -1)
        while let (node, bound, depth) = open.pop() {
            if pruned(bound) { continue }
            if let deadline = options.deadline, Date() >= deadline {
                open.push(bound: bound, depth: depth, node: node)
                return result(.timeLimit, lower: open.minimumBound)
            }
            if Interruption.requested {
                open.push(bound: bound, depth: depth, node: node)
                return result(.stopped, lower: open.minimumBound)
            }
            if nodes >= options.nodeLimit {
                open.push(bound: bound, depth: depth, node: node)
                return result(.nodeLimit, lower: open.minimumBound)
            }
            // Before every node (not only those that branch: a search whose nodes are unbounded
            // or pruned for minutes reports too), with this node counted as open.
            if let progress = options.progress, nodes > 0,
                !progress(Progress(nodes: nodes, open: open.count + 1, incumbent: upper, bound: min(bound, open.minimumBound, upper)))
            {
                open.push(bound: bound, depth: depth, node: node)
                return result(.stopped, lower: open.minimumBound)
            }
            nodes += 1
            let fixings = path(node, tree)
            guard let form = restricted(fixings) else { continue }  // a fixing outside a column's bounds: empty
            solves += 1
            var relaxed: SolverResult
            do { relaxed = try solver.solve(form, options: solveOptions()) } catch {
                incomplete = incomplete ?? "a relaxation failed: \(error)"
                continue
            }
            if relaxed.termination == .infeasibleOrUnbounded {
                solves += 1
                var feasibility = form
                feasibility.objective = feasibility.objective.map { _ in 0 }
                feasibility.quadraticObjective = []
                let check = try? solver.solve(feasibility, options: solveOptions())
                if check?.termination == .infeasible { relaxed.termination = .infeasible }
                if check?.termination == .optimal { relaxed.termination = .unbounded }
            }
            switch relaxed.termination {
            case .infeasible:
                continue
            case .unbounded:
                let fixed = Set(fixings.map(\.pair))
                guard let free = pairs.indices.first(where: { !fixed.contains($0) }) else {
                    // Every pair fixed: the node's points are all complementary, and unbounded.
                    return Result(
                        outcome: .unbounded, incumbent: incumbent, upperBound: -.infinity, lowerBound: -.infinity, nodes: nodes,
                        solves: solves, incumbentSource: source)
                }
                branch(on: free, from: node, bound: -.infinity, depth: depth, tree: &tree, open: &open)
                continue
            case .optimal:
                break
            case .timeLimit, .interrupted:
                open.push(bound: bound, depth: depth, node: node)
                nodes -= 1
                return result(relaxed.termination == .interrupted ? .stopped : .timeLimit, lower: open.minimumBound)
            case .error, .infeasibleOrUnbounded, .nodeLimit:
                incomplete = incomplete ?? "a relaxation ended with \(relaxed.rawStatus)"
                continue
            }
            guard let point = relaxed.solution, point.count == base.columnCount else {
                incomplete = incomplete ?? "a relaxation returned no point"
                continue
            }
            let value = relaxed.objective ?? form.objectiveValue(point)
            let nodeBound = max(bound, value)
            if pruned(nodeBound) { continue }

            // The caller's heuristic (the follower's answer at this node's leader decision).
            if let heuristic, let candidate = heuristic(point) {
                accept(candidate, "heuristic")
                if pruned(nodeBound) { continue }
            }

            let fixed = Set(fixings.map(\.pair))
            let v = violation(point, skipping: fixed)
            if v.worst <= options.complementarityTolerance {
                // Complementary up to the tolerance: polish (fix each pair's smaller side, re-solve).
                var polishFixings = fixings
                for k in pairs.indices where !fixed.contains(k) {
                    let s = pairs[k].slack.evaluate(point)
                    polishFixings.append((k, point[pairs[k].multiplier] <= s ? .multiplier : .slack))
                }
                if polishFixings.count == fixings.count {
                    accept(point, "relaxation")
                    if incumbent == nil || pruned(nodeBound) { continue }
                } else if let polishForm = restricted(polishFixings) {
                    solves += 1
                    if let p = try? solver.solve(polishForm, options: solveOptions()), p.termination == .optimal,
                        let x = p.solution
                    {
                        accept(x, "relaxation")
                        if pruned(nodeBound) { continue }
                    }
                }
            }
            // Branch on the most violated pair (or, when every free pair holds but polishing did
            // not close the node, on the free pair with the largest product).
            guard let k = v.index ?? v.largestProduct else {
                // Nothing left to branch on: the node's point is complementary.
                accept(point, "relaxation")
                continue
            }
            branch(on: k, from: node, bound: nodeBound, depth: depth, tree: &tree, open: &open)
        }
        if let incomplete { return result(.incomplete(incomplete), lower: -.infinity) }
        return incumbent == nil ? result(.infeasible, lower: .infinity) : result(.optimal, lower: upper)
    }

    func solveOptions() -> SolveOptions {
        var o = SolveOptions()
        if let deadline = options.deadline { o.timeLimit = max(0.01, deadline.timeIntervalSinceNow) }
        return o
    }

    /// The two children of `node`: the multiplier fixed at zero, and the slack fixed at zero.
    func branch(on pair: Int, from node: Int, bound: Double, depth: Int, tree: inout [Node], open: inout NodeQueue) {
        for side in [Side.slack, .multiplier] {
            tree.append(Node(parent: node, pair: pair, side: side, bound: bound, depth: depth + 1))
            open.push(bound: bound, depth: depth + 1, node: tree.count - 1)
        }
    }

    /// The fixings from the root to `node`, by a loop over parents.
    func path(_ node: Int, _ tree: [Node]) -> [(pair: Int, side: Side)] {
        var out: [(pair: Int, side: Side)] = []
        var k = node
        while k >= 0 {
            out.append((tree[k].pair, tree[k].side))
            k = tree[k].parent
        }
        return out.reversed()
    }

    /// The relaxation with the given sides fixed at zero; nil when a fixing is outside a column's bounds.
    func restricted(_ fixings: [(pair: Int, side: Side)]) -> StandardForm? {
        var form = base
        for (k, side) in fixings {
            let pair = pairs[k]
            switch side {
            case .multiplier:
                let j = pair.multiplier
                if form.columnLower[j] > 0 { return nil }
                form.columnLower[j] = 0
                form.columnUpper[j] = 0
            case .slack:
                let terms = pair.slack.sortedTerms
                if terms.count == 1, let (j, a) = terms.first, a != 0 {
                    // One variable: fix its bounds (a*x + c = 0).
                    let value = -pair.slack.constant / a
                    let tol = 1e-9 * max(1, abs(value))
                    if value < form.columnLower[j] - tol || value > form.columnUpper[j] + tol { return nil }
                    form.columnLower[j] = value
                    form.columnUpper[j] = value
                } else {
                    form.addRow(name: "fix_\(pair.name)", entries: terms, lower: -pair.slack.constant, upper: -pair.slack.constant)
                }
            }
        }
        return form
    }

    /// The worst pair violation at a point (pairs in `skipping` are fixed and hold by construction):
    /// the index of the most violated pair, and of the free pair with the largest product.
    func violation(_ point: [Double], skipping: Set<Int> = []) -> (worst: Double, index: Int?, largestProduct: Int?) {
        var worst = 0.0
        var index: Int?
        var product = 0.0
        var largest: Int?
        for (k, pair) in pairs.enumerated() where !skipping.contains(k) {
            let s = pair.slack.evaluate(point)
            let m = point[pair.multiplier]
            let scaled = min(s, m) / max(1, abs(s), abs(m))
            if scaled > worst {
                worst = scaled
                if scaled > options.complementarityTolerance { index = k }
            }
            let p = max(s, 0) * max(m, 0)
            if p > product {
                product = p
                largest = k
            }
        }
        if largest == nil { largest = pairs.indices.first(where: { !skipping.contains($0) }) }
        return (worst, index, largest)
    }
}

/// Open nodes, best bound first; deeper first on ties, then the order of insertion (deterministic).
struct NodeQueue {
    private var heap: [(bound: Double, depth: Int, sequence: Int, node: Int)] = []
    private var sequence = 0

    var count: Int { heap.count }

    /// The smallest bound among open nodes (`+inf` when none is open).
    var minimumBound: Double { heap.first?.bound ?? .infinity }

    private static func before(_ a: (bound: Double, depth: Int, sequence: Int, node: Int), _ b: (bound: Double, depth: Int, sequence: Int, node: Int)) -> Bool {
        if a.bound != b.bound { return a.bound < b.bound }
        if a.depth != b.depth { return a.depth > b.depth }
        return a.sequence < b.sequence
    }

    mutating func push(bound: Double, depth: Int, node: Int) {
        heap.append((bound, depth, sequence, node))
        sequence += 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (node: Int, bound: Double, depth: Int)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < heap.count, Self.before(heap[l], heap[best]) { best = l }
                if r < heap.count, Self.before(heap[r], heap[best]) { best = r }
                if best == i { break }
                heap.swapAt(i, best)
                i = best
            }
        }
        return (top.node, top.bound, top.depth)
    }
}
