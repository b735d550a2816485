import BlomodelCore
import Foundation
import Reformulations
import SolverInterface

/// The M-free exact route: `ComplementarityBranchAndBound` over the KKT program of the pass chain
/// (`Reformulated.complementarityModel`, the program before big-M), so no M is needed and none
/// is assumed. The planner takes it wherever an M of the big-M route is not proven (a default or a
/// user's `dualbound`), and `--route branch-and-bound` forces it.
///
/// Steps of `solve`:
/// 1. seeds: the big-M MILP of the chain, solved first (its answer is bilevel feasible whatever
///    its M values, since its binaries make complementarity exact; it is optimal when the Ms are
///    valid), and the follower's response at the MILP relaxation's leader decision;
/// 2. the search, with the follower's response at each node's leader decision as a heuristic;
/// 3. the outcome: optimal (gap closed, without any M), infeasible, unbounded, or the best point
///    with its bound when a limit stopped it.
///
/// When the search finds a better point than the big-M MILP, the Ms cut off the optimum; the
/// report names the bounds the better point exceeds (`Blomodel.userBoundReasons`).
package struct BranchAndBoundRoute: Route {
    /// The node limit (`--node-limit`).
    public var nodeLimit: Int
    /// Whether to solve the big-M MILP first as a seed (true by default).
    public var bigMSeed: Bool

    /// The route with its node limit.
    public init(nodeLimit: Int = 100_000, bigMSeed: Bool = true) {
        self.nodeLimit = nodeLimit
        self.bigMSeed = bigMSeed
    }

    /// The nodes of the short search run before the big-M MILP when that MILP is only a heuristic
    /// (some M is a default); the MILP is solved only when this search does not close.
    public static let probeNodes = 100

    /// The budget of the check of user-given bounds: this many nodes (deterministic) ...
    public static let checkNodes = 1000
    /// ... within at least this many seconds ...
    public static let minimumCheckSeconds = 10.0
    /// ... or this multiple of the big-M program's solve, whichever is longer.
    public static let checkFactor = 2.0

    /// `branch-and-bound`.
    public var name: String { "branch-and-bound" }

    /// One line for the candidate list.
    public var summary: String { "branch on complementarity pairs (slack or multiplier zero) without big-M values" }

    /// Accepts an LP or convex-QP follower (the KKT program) when some M cannot be proven; a
    /// quadratic leader objective needs a QP solver and no integer leader variables.
    public func assess(_ facts: ModelFacts, capabilities: RouteCapabilities) -> RouteAssessment {
        guard let classification = facts.classification else { return .refused(facts.refusalText) }
        if classification.hasIntegerFollower {
            return .refused("the follower has integer variables: its KKT conditions do not characterise its optimum")
        }
        var relaxation = "LP relaxations (\(capabilities.milp.name))"
        if classification.hasIntegerLeaderVariables {
            guard capabilities.milp.capabilities.integerVariables else {
                return .refused("the leader has integer variables and \(capabilities.milp.name) declares none, which the relaxations need")
            }
            relaxation = "MILP relaxations (\(capabilities.milp.name))"
        }
        if case .outerApproximation = classification.leaderObjective {
            guard let qp = capabilities.qp, qp.capabilities.quadraticObjective else {
                return .refused("the leader's objective is quadratic and no QP solver is available for the relaxations")
            }
            if classification.hasIntegerLeaderVariables {
                return .refused("the leader's objective is quadratic and the leader has integer variables: the relaxations would be mixed-integer QPs")
            }
            relaxation = "convex QP relaxations (\(qp.name))"
        }
        if facts.forcedRoute == name { return .accepted("forced by --route; \(relaxation), no big-M") }
        guard let bigM = facts.bigM else {
            return .refused("taken when a big-M cannot be proven, which is known once the bounds are proven (solve)")
        }
        let unproven = bigM.filter { $0.weakest != .proven }
        if unproven.isEmpty {
            return .refused("every big-M is proven, so the big-M program is exact; no branching needed")
        }
        let defaults = unproven.filter { $0.weakest == .unproven }.count
        let user = unproven.count - defaults
        var what: [String] = []
        if defaults > 0 { what.append("\(defaults) pair(s) have no proven M") }
        if user > 0 { what.append("\(user) pair(s) rest on user-given bounds, which it checks") }
        return .accepted(what.joined(separator: " and ") + " (first: \(unproven[0].pair)): \(relaxation), no M assumed")
    }

    /// Seeds, the search, and the outcome in the columns of `r.standardForm`.
    public func solve(_ r: Reformulated, context: RouteContext) throws -> RouteOutcome {
        let start = Date()
        let deadline = context.options.timeLimit.map { start.addingTimeInterval($0) }
        var mpcc = r.complementarityModel
        let pairs = mpcc.complementarities.map { ComplementarityBranchAndBound.Pair(slack: $0.slack, multiplier: $0.multiplier, name: $0.name) }
        mpcc.complementarities = []
        let (base, _) = try Lowering.apply(mpcc)
        let quadratic = !base.quadraticObjective.isEmpty
        // LP relaxations go to the LP solver whose optimality certificates are checked in double
        // precision (GLPK, with its exact simplex behind it): the search's proof rests on them.
        let lpOnly = !quadratic && base.integerCount == 0
        guard let relaxationSolver = quadratic ? context.solvers.qp : (lpOnly ? context.solvers.dualLP : context.solvers.milp) else {
            throw RoutePlanner.Failure.notAvailable(name + " (no QP solver)")
        }
        var notes: [String] = []
        var seeds: [[Double]] = []
        var milpObjective: Double?
        var seedOutcome: RouteOutcome?
        let n = base.columnCount
        // No default M (every M proven or user-given): the search checks the big-M program's
        // answer within a budget, and falls back to it, as strong as its Ms, if it runs out.
        let checking = bigMSeed && !r.bigM.contains { $0.weakest == .unproven }

        // The follower's response at the leader decision of the relaxation's point, as a heuristic.
        var seen = Set<[UInt64]>()
        let model = r.model
        let leaderColumns = (0..<model.variables.count).filter { model.variables[$0].owner == .leader && model.variables[$0].role == .decision }
        let heuristic: ([Double]) -> [Double]? = { point in
            let leader = (0..<model.variables.count).map { j -> Double in
                let v = model.variables[j]
                var x = min(max(point[j], v.lower), v.upper)
                if v.kind != .continuous { x = x.rounded() }
                return x.isFinite ? x : 0
            }
            let key = leaderColumns.map { leader[$0].bitPattern }
            guard seen.insert(key).inserted else { return nil }
            guard let response = WarmStart.response(model, r, leader: leader, lp: context.solvers.dualLP, qp: context.solvers.qp)
            else { return nil }
            return Array(response.prefix(n))
        }

        // 1. A short search first, when the big-M program's answer would only be a heuristic (some M
        // is a default): when it closes, the big-M MILP is not needed (the peers' ladders: on supply
        // S8 that MILP took 39 of 40 s and the root closed the search; on a natural toll instance
        // GLPK took 23 s on it and the search closed in 5 nodes and a millisecond).
        var root: ComplementarityBranchAndBound.Result?
        if bigMSeed && !checking {
            var rootOptions = ComplementarityBranchAndBound.Options()
            // A node budget, not a time budget: the same model gives the same search.
            rootOptions.deadline = deadline
            rootOptions.nodeLimit = min(nodeLimit, Self.probeNodes)
            if let gap = context.options.relativeGap { rootOptions.relativeGap = max(rootOptions.relativeGap, gap) }
            let probe = ComplementarityBranchAndBound(base: base, pairs: pairs, solver: relaxationSolver, options: rootOptions)
                .run(seeds: [], heuristic: heuristic)
            if [.optimal, .infeasible, .unbounded].contains(probe.outcome) {
                root = probe
            } else if let point = probe.incumbent {
                seeds.append(point)
            }
        }
        // 2. The big-M program's answer (linear objectives: the MILP; quadratic: outer approximation).
        // (Not when the probe used up the time: the seed would run past the deadline.)
        if bigMSeed, root == nil, deadline.map({ $0.timeIntervalSinceNow > 0.1 }) ?? true {
            var seedOptions = context.options
            if let deadline { seedOptions.timeLimit = max(0.05, deadline.timeIntervalSinceNow * 0.5) }
            let seedRoute: any Route = quadratic ? OuterApproximationRoute() : ExactKKTRoute()
            if let outcome = try? seedRoute.solve(r, context: RouteContext(solvers: context.solvers, options: seedOptions)),
                let point = outcome.result.solution, point.count >= n
            {
                let candidate = Array(point.prefix(n))
                seeds.append(candidate)
                if outcome.result.termination == .optimal, outcome.outerApproximation?.converged ?? true {
                    milpObjective = base.objectiveValue(candidate)
                    seedOutcome = outcome
                }
            }
        }
        let seedSeconds = Date().timeIntervalSince(start)
        var options = ComplementarityBranchAndBound.Options()
        options.deadline = deadline
        if context.progress != nil || context.searchProgress != nil {
            // A progress line on standard error every two seconds once the search has run for
            // `progressAfter` seconds (three by default); progress values every quarter of a second.
            let sign = r.objectiveSign
            let searchStart = Date()
            let lastLine = ProgressClock(), lastValue = ProgressClock()
            let lines = context.progress, values = context.searchProgress
            let after = context.progressAfter
            options.progress = { p in
                let elapsed = Date().timeIntervalSince(searchStart)
                let gap = p.incumbent.isFinite && p.bound.isFinite ? max(0, p.incumbent - p.bound) / max(1, abs(p.incumbent)) : .infinity
                if let lines, elapsed >= after, lastLine.due(elapsed, every: 2) {
                    lines(
                        "branch-and-bound: \(p.nodes) nodes, \(p.open) open, incumbent \(p.incumbent.isFinite ? formatNumber(sign * p.incumbent) : "none"), bound \(p.bound.isFinite ? formatNumber(sign * p.bound) : "none"), gap \(gap.isFinite ? String(format: "%.3g%%", 100 * gap) : "-"), \(String(format: "%.1f", elapsed)) s")
                }
                if let values, lastValue.due(elapsed, every: 0.25) {
                    values(
                        SearchProgress(
                            route: "branch-and-bound", nodes: p.nodes, open: p.open,
                            incumbent: p.incumbent.isFinite ? sign * p.incumbent : nil, bound: p.bound.isFinite ? sign * p.bound : nil,
                            relativeGap: gap.isFinite ? gap : nil, seconds: elapsed))
                }
                return true
            }
        }
        if checking, seedOutcome != nil {
            let budget = Date().addingTimeInterval(max(Self.minimumCheckSeconds, Self.checkFactor * seedSeconds))
            options.deadline = min(deadline ?? budget, budget)
        }
        options.nodeLimit = checking && seedOutcome != nil ? min(nodeLimit, Self.checkNodes) : nodeLimit
        if let gap = context.options.relativeGap { options.relativeGap = max(options.relativeGap, gap) }
        let search = ComplementarityBranchAndBound(base: base, pairs: pairs, solver: relaxationSolver, options: options)
        let found = root ?? search.run(seeds: seeds, heuristic: heuristic)

        let closed = found.outcome == .optimal || found.outcome == .infeasible || found.outcome == .unbounded
        let summary = BranchAndBoundSummary(
            nodes: found.nodes, relaxations: found.solves, objective: found.incumbent == nil ? nil : r.objectiveSign * found.upperBound,
            bound: found.lowerBound.isFinite ? r.objectiveSign * found.lowerBound : nil, relativeGap: found.relativeGap,
            closed: closed, bigMObjective: milpObjective.map { r.objectiveSign * $0 }, incumbentSource: found.incumbentSource,
            stopReason: "\(found.outcome)")
        let plan =
            "branch-and-bound: \(pairs.count) complementarity pair(s), no big-M; \(quadratic ? "convex QP" : (base.integerCount > 0 ? "MILP" : "LP")) relaxations (\(relaxationSolver.name)); seeds: \(root != nil ? "none needed (the root closed the search)" : bigMSeed ? (quadratic ? "outer approximation of the big-M program" : "the big-M MILP") : "none"), the follower's response at each node's leader decision"
            + (checking ? "; a check of the big-M answer, within \(Self.checkNodes) nodes and max(\(formatNumber(Self.minimumCheckSeconds)) s, \(formatNumber(Self.checkFactor)) x the big-M solve)" : "")

        // The check ran out of budget without a better point: the big-M program's answer stands,
        // as strong as the user's bounds (the facade names them).
        if checking, !closed, let seedOutcome, let milpObjective, found.upperBound >= milpObjective - 1e-9 * max(1, abs(milpObjective)) {
            var fallback = seedOutcome
            fallback.plan = [plan]
            fallback.notes.append(
                "the check without M stopped after \(found.nodes) node(s) (\(found.outcome)) without finding a better point; the big-M program's answer is kept, as strong as its M values")
            var checked = summary
            checked.checkOnly = true
            fallback.branchAndBound = checked
            fallback.basis = .bigM
            return fallback
        }

        // The outcome in the columns of the big-M program (binaries set by which side is zero).
        var solution: [Double]?
        if let x = found.incumbent {
            var point = x + [Double](repeating: 0, count: r.standardForm.columnCount - n)
            for record in r.bigM {
                guard let z = record.binaryColumn, pairs.indices.contains(record.pairIndex) else { continue }
                let s = pairs[record.pairIndex].slack.evaluate(x)
                point[z] = s <= x[pairs[record.pairIndex].multiplier] ? 1 : 0
            }
            solution = point
        }
        let termination: TerminationStatus
        switch found.outcome {
        case .optimal: termination = .optimal
        case .infeasible: termination = .infeasible
        case .unbounded: termination = .unbounded
        case .timeLimit: termination = .timeLimit
        case .nodeLimit: termination = .nodeLimit
        case .stopped: termination = .interrupted
        case .incomplete: termination = .error
        }
        var result = SolverResult(
            termination: termination, solution: solution, objective: found.incumbent == nil ? nil : found.upperBound,
            bestBound: found.lowerBound.isFinite ? found.lowerBound : nil, rawStatus: "branch-and-bound: \(found.outcome)",
            seconds: Date().timeIntervalSince(start))
        if case .incomplete(let why) = found.outcome { notes.append("branch-and-bound could not close every node: \(why)") }
        if found.outcome == .nodeLimit { notes.append("branch-and-bound stopped at its node limit (\(nodeLimit)); raise it with --node-limit") }
        if let milpObjective, found.outcome == .unbounded {
            notes.append(
                "the big-M program's optimum (\(formatNumber(r.objectiveSign * milpObjective))) is an artefact of its M values: the problem is unbounded")
        } else if let milpObjective, found.incumbent != nil, found.upperBound < milpObjective - 1e-6 * max(1, abs(milpObjective)) {
            if r.bigM.allSatisfy({ $0.weakest == .proven }) {
                notes.append(
                    "\(context.solvers.milp.name) claimed \(formatNumber(r.objectiveSign * milpObjective)) optimal for the big-M program, whose every M is proven, but the search without M found a better bilevel-feasible point: a numerical failure of the MILP solve, caught by the check")
            } else {
                notes.append(
                    "the big-M program's optimum (\(formatNumber(r.objectiveSign * milpObjective))) is worse than the branch-and-bound answer: its M values cut off the optimum")
            }
        }
        result.rowDuals = nil
        var outcome = RouteOutcome(result: result, plan: [plan], notes: notes)
        outcome.branchAndBound = summary
        outcome.basis = .withoutBigM
        return outcome
    }
}

/// What the M-free branch-and-bound did, for reports (values in the leader's sense).
public struct BranchAndBoundSummary: Sendable, Equatable {
    /// Nodes solved.
    public var nodes: Int
    /// Relaxations solved in all.
    public var relaxations: Int
    /// The incumbent's leader objective.
    public var objective: Double?
    /// The best proven bound on the leader's optimum.
    public var bound: Double?
    /// The relative gap between them.
    public var relativeGap: Double
    /// True when every node closed (optimal, infeasible or unbounded proven).
    public var closed: Bool
    /// The big-M program's optimum (its seed), when it had one.
    public var bigMObjective: Double?
    /// Where the incumbent came from.
    public var incumbentSource: String?
    /// Why it stopped.
    public var stopReason: String
    /// True when the answer is the big-M program's and the search only checked it (and ran out of
    /// budget before closing its gap).
    public var checkOnly = false
}

/// When the last progress line was printed (the search runs on one thread; a class so the
/// `@Sendable` callback can update it).
final class ProgressClock: @unchecked Sendable {
    private var next = 0.0
    /// True when a line is due at `elapsed`; then the next one is `every` seconds later.
    func due(_ elapsed: Double, every: Double) -> Bool {
        guard elapsed >= next else { return false }
        next = elapsed + every
        return true
    }
}
