import BlomodelCore
import Foundation
import SolverInterface

/// Global minimisation of a convex quadratic objective over a mixed-integer linear
/// feasible set, with MILP and convex-QP solvers only (outer approximation, after
/// Duran and Grossmann 1986, in the form of Fletcher and Leyffer 1994).
///
/// The problem is `min c'x + q(x)` over `P = {x : rows, bounds, x_I integer}`, with
/// `q` a convex quadratic form. Convexity gives, at any point `xbar`,
///
///     q(x) >= q(xbar) + grad q(xbar)'(x - xbar) = grad q(xbar)'x - q(xbar)
///
/// (for a quadratic form `grad q(xbar)'xbar = 2 q(xbar)`). The *master* MILP
/// `min c'x + t` over `P` with these cuts on the epigraph variable `t` is a
/// relaxation, so its optimum is a lower bound. For the master's integer part, the
/// *subproblem* QP (integers fixed, solved by a convex-QP solver) gives a feasible
/// point, an upper bound and the next cut. The first cut is taken at the optimum
/// of the continuous QP relaxation, which bounds the master. Each integer
/// assignment is visited at most once before the bounds meet (a cut at the
/// subproblem's optimum makes the master's value for that assignment at least the
/// subproblem's), so the method ends; it stops when
/// `upper - lower <= max(absoluteGap, relativeGap * max(1, |upper|))`.
/// Without a QP solver (`qp: nil`, `--oa-milp-only`) it is Kelley's cutting-plane method:
/// the master's own points are the upper bounds and the cut points, and each epigraph
/// variable starts from its block's lower bound over the variables' box; convergence is
/// then finite where the optimum is at a vertex of the master's polyhedron and asymptotic
/// otherwise (the tolerance decides).
/// Each master is started from the incumbent (the `t` columns at their blocks' values).
///
/// Only polished, re-verified points become incumbents. A master's point satisfies integrality
/// only to the MILP solver's tolerance: a binary at 1 - 1e-8 under a big-M of 1e4 relaxes a
/// complementarity by 1e-4, and such a point, kept as the incumbent, was reported NOT BILEVEL
/// FEASIBLE (Dempe and Franke 2011, example 4.2). So each master point is *polished*: its integer
/// columns are rounded, and if the rows then fail by more than 1e-6 or the point fails its check,
/// the integers are fixed and the master's LP (its cuts included) is re-solved, which gives a
/// vertex where every complementarity holds exactly. The candidates (the polished
/// point, and the subproblem's point, whose integers are fixed as well) must satisfy the form's
/// rows to 1e-6, and, when the caller gives a check (`accept`: the route re-solves the follower),
/// pass it, before either may replace the incumbent.
/// The quadratic part is split into blocks of variables linked by products, with one
/// epigraph variable and its own cuts per block (`q = sum_b q_b`), so a separable
/// objective is approximated term by term.
///
/// Accepts: a `StandardForm` whose quadratic part is convex (the classifier checks
/// this). Produces: the best point found, both bounds and the iteration log. The master's
/// own columns and rows carry typed origins (`ColumnOrigin.epigraph`, `RowOrigin.outerApproximationCut`).
///
/// This is an algorithm (it iterates over solver calls), not a pass: `OuterApproximationRoute`
/// runs it on the form the pass chain produced.
package enum OuterApproximation {
    /// When to stop.
    public struct Options: Sendable {
        /// The method stops when `upper - lower` is at most this (or at most `relativeGap` times `max(1, |upper|)`).
        public var absoluteGap = 1e-6
        /// The relative stopping tolerance, scaled by `max(1, |upper|)`.
        public var relativeGap = 1e-6
        /// The most master MILPs to solve.
        public var maxIterations = 200
        /// The default tolerances (1e-6) and 200 iterations.
        public init() {}
    }

    /// The bounds after one master MILP and its subproblem.
    public struct Iteration: Sendable {
        /// The best proven lower bound so far.
        public var lowerBound: Double
        /// The best feasible point's value so far.
        public var upperBound: Double
        /// The number of cuts in the master so far.
        public var cuts: Int
    }

    /// What the method found, with its bounds and log.
    public struct Outcome: Sendable {
        /// Termination and the best point, in the columns of the input form.
        public var result: SolverResult
        public var lowerBound: Double
        public var upperBound: Double
        public var iterations: [Iteration]
        /// `upper - lower`, and relative to `max(1, |upper|)`.
        public var absoluteGap: Double { upperBound - lowerBound }
        public var relativeGap: Double { absoluteGap / max(1, abs(upperBound)) }
        public var converged: Bool
        /// Why it stopped before the gap closed (nil when it converged).
        public var stopReason: String?
        /// The origins of the columns the master appended to the input form, in order (one
        /// `.epigraph(block:)` per block of the quadratic part).
        public var masterColumns: [ColumnOrigin] = []
        /// The origins of the rows the master appended to the input form, in order (one
        /// `.outerApproximationCut(block:)` per cut).
        public var masterRows: [RowOrigin] = []
        /// How many candidate points (polished master points or subproblem points that would have
        /// improved the incumbent) failed their check and were not kept.
        public var rejectedPoints = 0
    }

    /// The quadratic terms grouped by connected blocks of variables.
    static func blocks(_ terms: [StandardForm.QuadraticTerm]) -> [[StandardForm.QuadraticTerm]] {
        var parent: [Int: Int] = [:]
        func find(_ v: Int) -> Int {
            var r = v
            while let p = parent[r], p != r { r = p }
            return r
        }
        for t in terms {
            for v in [t.first, t.second] where parent[v] == nil { parent[v] = v }
            let (a, b) = (find(t.first), find(t.second))
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var groups: [Int: [StandardForm.QuadraticTerm]] = [:]
        for t in terms { groups[find(t.first), default: []].append(t) }
        return groups.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Minimises `form` (a convex quadratic objective over a mixed-integer linear set) with
    /// master MILPs on `milp` and convex-QP subproblems on `qp` (none: Kelley's cutting planes).
    /// `accept`, when given, re-verifies a candidate incumbent (a point in the columns of `form`)
    /// before it is kept; the route passes the follower's re-solve.
    public static func solve(
        _ form: StandardForm, milp: any SolverBackend, qp: (any SolverBackend)?, options: SolveOptions,
        oa: Options = Options(), accept: (([Double]) -> Bool)? = nil
    ) throws -> Outcome {
        let clock = Date()
        func remaining() -> Double? { options.timeLimit.map { max(1e-3, $0 - Date().timeIntervalSince(clock)) } }
        func timeUp() -> Bool { options.timeLimit.map { Date().timeIntervalSince(clock) >= $0 } ?? false }
        let n = form.columnCount
        // The quadratic part split into independent blocks (variables linked by products), one
        // epigraph variable per block: a separable objective gets a cut per term, which is far
        // stronger than one aggregated cut.
        let blocks = Self.blocks(form.quadraticObjective)
        func q(_ b: Int, _ x: [Double]) -> Double { blocks[b].reduce(0) { $0 + $1.coefficient * x[$1.first] * x[$1.second] } }
        func gradient(_ b: Int, _ x: [Double]) -> [Int: Double] {
            var g: [Int: Double] = [:]
            for t in blocks[b] {
                g[t.first, default: 0] += t.coefficient * x[t.second]
                g[t.second, default: 0] += t.coefficient * x[t.first]
            }
            return g
        }
        func qpOptions() -> SolveOptions { SolveOptions(timeLimit: remaining()) }
        /// `form` with its integer columns fixed at the rounded values of `x`, as a continuous
        /// problem. The fixed columns' terms move into the rows' bounds: a big-M row
        /// `slack + M z <= M` with `z = 1` becomes `slack <= 0`, so that a solver's tolerance
        /// (relative to a bound's magnitude) leaves the slack 1e-8 of room, not 1e-8 times M
        /// (Ipopt's default algorithm relaxes bounds by 1e-8 max(1, |bound|)).
        func fixingIntegers(of x: [Double], in problem: StandardForm) -> StandardForm {
            var fixed = problem
            for j in 0..<n where form.isInteger[j] {
                let v = x[j].rounded()
                fixed.columnLower[j] = v
                fixed.columnUpper[j] = v
                fixed.isInteger[j] = false
            }
            fixed.rowStart = [0]
            fixed.columnIndex = []
            fixed.values = []
            for i in 0..<problem.rowCount {
                var moved = 0.0
                for k in problem.rowStart[i]..<problem.rowStart[i + 1] {
                    let j = problem.columnIndex[k]
                    if j < n, form.isInteger[j] {
                        moved += problem.values[k] * x[j].rounded()
                    } else {
                        fixed.columnIndex.append(j)
                        fixed.values.append(problem.values[k])
                    }
                }
                fixed.rowStart.append(fixed.values.count)
                fixed.rowLower[i] -= moved
                fixed.rowUpper[i] -= moved
            }
            return fixed
        }
        /// True when a point may become the incumbent: the form's rows and bounds hold to 1e-6 and
        /// the caller's check agrees.
        func acceptable(_ x: [Double]) -> Bool {
            form.maxViolation(x) <= 1e-6 && (accept?(x) ?? true)
        }

        // No integers: the QP is the whole problem.
        if form.integerCount == 0, let qp {
            let r = try qp.solve(form, options: qpOptions())
            let v = r.objective ?? .nan
            return Outcome(
                result: r, lowerBound: v, upperBound: v, iterations: [], converged: r.termination == .optimal,
                stopReason: r.termination == .optimal ? nil : "the QP solver stopped: \(r.rawStatus)")
        }

        var master = form
        master.quadraticObjective = []
        let t = blocks.indices.map { master.addColumn(name: "oa_epigraph_\($0)", lower: -.infinity, upper: .infinity, cost: 1) }
        let masterColumns = blocks.indices.map { ColumnOrigin.epigraph(block: $0) }
        var masterRows: [RowOrigin] = []
        var lower = -Double.infinity
        var x0: [Double]?
        if let qp {
            // The continuous relaxation: the first cut, and a bound on the master.
            var relaxed = form
            relaxed.isInteger = relaxed.isInteger.map { _ in false }
            let root = try qp.solve(relaxed, options: qpOptions())
            guard root.termination == .optimal, let point = root.solution else {
                return Outcome(
                    result: SolverResult(termination: root.termination, rawStatus: "QP relaxation: " + root.rawStatus),
                    lowerBound: -.infinity, upperBound: .infinity, iterations: [], converged: false,
                    stopReason: "the continuous QP relaxation was not solved: \(root.rawStatus)")
            }
            x0 = point
            lower = root.objective ?? -.infinity
        } else {
            // MILPs only: each block's epigraph variable starts from the block's lower bound over
            // the variables' box (interval arithmetic), which keeps the first master bounded.
            for (b, terms) in blocks.enumerated() {
                var range = Interval.point(0)
                for term in terms {
                    let xi = Interval(form.columnLower[term.first], form.columnUpper[term.first])
                    let product = term.first == term.second ? xi.squared : xi * Interval(form.columnLower[term.second], form.columnUpper[term.second])
                    range = range + term.coefficient * product
                }
                guard range.lower.isFinite else {
                    return Outcome(
                        result: SolverResult(termination: .error, rawStatus: "outer approximation without a QP solver"),
                        lowerBound: -.infinity, upperBound: .infinity, iterations: [], converged: false,
                        stopReason: "outer approximation with MILPs only needs finite bounds on the variables of the quadratic objective")
                }
                master.columnLower[t[b]] = range.lower
            }
        }
        /// Tangent cuts at x for the blocks given (all by default).
        func addCut(at x: [Double], blocks chosen: [Int]? = nil) {
            for b in chosen ?? Array(blocks.indices) {
                var entries = gradient(b, x).map { ($0.key, -$0.value) }
                entries.append((t[b], 1))
                master.addRow(name: "oa_cut_\(master.rowCount - form.rowCount)", entries: entries, lower: -q(b, x), upper: .infinity)
                masterRows.append(.outerApproximationCut(block: b))
            }
        }
        func epigraph(_ x: [Double]) -> [Double] { blocks.indices.map { q($0, x) } }
        if let x0 { addCut(at: x0) }

        var incumbent: [Double]?, upper = Double.infinity
        /// Candidates that failed their check (rows or the caller's re-verification).
        var rejected = 0
        var log: [Iteration] = []
        var last = SolverResult(termination: .error, rawStatus: "no iteration")
        var termination = TerminationStatus.optimal
        var stopReason: String?
        for _ in 0..<oa.maxIterations {
            var masterOptions = SolveOptions(timeLimit: remaining(), relativeGap: options.relativeGap)
            masterOptions.integralityTolerance = options.integralityTolerance
            if let incumbent { masterOptions.startingPoint = incumbent + epigraph(incumbent) }
            let m = try milp.solve(master, options: masterOptions)
            let lowerBefore = lower
            last = m
            guard m.termination == .optimal || m.termination == .timeLimit, let xm = m.solution, xm.count >= n else {
                termination = incumbent == nil ? m.termination : .error
                if m.termination == .timeLimit { termination = .timeLimit }
                stopReason = m.termination == .timeLimit ? "time limit" : "a master MILP failed: \(m.rawStatus)"
                break
            }
            if m.termination == .optimal, let value = m.objective {
                // CBC may report a best bound above its own optimum at the root; take the smaller.
                lower = max(lower, min(m.bestBound ?? value, value))
            }
            // Subproblem: the integers of the master's point fixed.
            let x = Array(xm[0..<n])
            let sub = try qp?.solve(fixingIntegers(of: x, in: form), options: qpOptions())
                ?? SolverResult(termination: .error, rawStatus: "no QP solver")
            // The master's point polished: its integers rounded, or, when that point fails the rows
            // by more than 1e-6 or its check (it used the room the integrality tolerance leaves
            // under a big-M), the integers fixed and the master's LP re-solved, so that
            // complementarity holds exactly rather than up to the integrality tolerance.
            var rounded = x
            for j in 0..<n where form.isInteger[j] { rounded[j] = x[j].rounded() }
            /// Takes a candidate as the incumbent when it improves and passes its check: nil when it
            /// does not improve, else whether it was taken.
            func consider(_ candidate: [Double]) -> Bool? {
                let value = form.objectiveValue(candidate)
                guard value < upper else { return nil }
                guard acceptable(candidate) else {
                    rejected += 1
                    return false
                }
                upper = value
                incumbent = candidate
                return true
            }
            /// The polished master point (the rounded one, or the LP's when that one fails), as the
            /// incumbent if it improves and passes; true when it was taken.
            func considerMasterPoint() throws -> Bool {
                if form.maxViolation(rounded) <= 1e-6 {
                    switch consider(rounded) {
                    case true?: return true
                    case nil: return false  // no improvement
                    case false?: break  // it failed its check: the LP's point may not
                    }
                }
                guard form.integerCount > 0 else { return false }
                let lp = try milp.solve(fixingIntegers(of: x, in: master), options: SolveOptions(timeLimit: remaining()))
                guard lp.termination == .optimal, let xp = lp.solution, xp.count >= n else { return false }
                return consider(Array(xp[0..<n])) ?? false
            }
            // The polished master point is preferred to the subproblem's (an interior-point QP
            // solution is accurate to its tolerance and may sit 1e-8 outside a row; a polished
            // master point at a vertex is exact) unless the subproblem's is better by more than
            // the tolerance. A candidate that fails its check gives way to the other.
            var subproblemPoint: [Double]?
            if sub.termination == .optimal, let xs = sub.solution, form.maxViolation(xs) <= 1e-6 { subproblemPoint = xs }
            var usedSubproblem = false
            if let xs = subproblemPoint {
                let (vs, vm) = (form.objectiveValue(xs), form.objectiveValue(rounded))
                usedSubproblem = vs < vm - max(oa.absoluteGap, oa.relativeGap * max(1, abs(vm)))
            }
            if usedSubproblem, let xs = subproblemPoint {
                if consider(xs) != true { _ = try considerMasterPoint() }
            } else if try !considerMasterPoint(), let xs = subproblemPoint {
                _ = consider(xs)
            }
            // Cuts: at the subproblem's optimum (every block), and at the master's point, for every
            // block when it is the incumbent candidate, else for the blocks it underestimates.
            if let xs = sub.solution, sub.termination == .optimal { addCut(at: xs) }
            let violated = blocks.indices.filter { q($0, x) > xm[t[$0]] + 1e-9 * max(1, abs(q($0, x))) }
            if !usedSubproblem {
                addCut(at: x)
            } else if !violated.isEmpty {
                addCut(at: x, blocks: violated)
            }
            if qp == nil, let incumbent, !violated.isEmpty {
                // Without subproblems, also cut halfway between the master's point and the best
                // point: near a flat minimum, cuts at the master's points alone approach slowly.
                addCut(at: zip(x, incumbent).map { ($0 + $1) / 2 }, blocks: violated)
            }
            log.append(Iteration(lowerBound: lower, upperBound: upper, cuts: master.rowCount - form.rowCount))
            if m.termination == .timeLimit || timeUp() {
                termination = .timeLimit
                stopReason = "time limit"
                break
            }
            if lower > upper + max(oa.absoluteGap, oa.relativeGap * max(1, abs(upper))), masterOptions.gomoryCuts {
                // The master claims a bound above a feasible point's value: numerical trouble,
                // seen with GLPK's Gomory cuts on masters with many dense cut rows. The same
                // master once more without them, for its bound.
                masterOptions.gomoryCuts = false
                masterOptions.timeLimit = remaining()
                let again = try milp.solve(master, options: masterOptions)
                if again.termination == .optimal, let v = again.objective {
                    lower = max(lowerBefore, min(again.bestBound ?? v, v))
                }
            }
            if lower > upper + max(oa.absoluteGap, oa.relativeGap * max(1, abs(upper))) {
                // A relaxation's bound above a feasible point's value: numerical trouble (in the
                // master's tolerances, or big-M values); the bound cannot be trusted.
                termination = .error
                stopReason = "the bounds crossed (lower \(lower) > upper \(upper)): numerical trouble in the master MILP, often from large big-M values"
                break
            }
            if upper - lower <= max(oa.absoluteGap, oa.relativeGap * max(1, abs(upper))) {
                termination = .optimal
                break
            }
            termination = .timeLimit  // iterations exhausted unless the gap closes
            stopReason = "\(oa.maxIterations) iterations"
        }
        let converged = termination == .optimal && incumbent != nil
        var result = SolverResult(
            termination: incumbent == nil || termination == .error ? termination : (converged ? .optimal : .timeLimit),
            solution: incumbent,
            objective: incumbent == nil ? nil : upper, bestBound: lower,
            rawStatus: "outer approximation: \(log.count) master MILP(s), \(master.rowCount - form.rowCount) cut(s); last master: \(last.rawStatus)")
        result.seconds = Date().timeIntervalSince(clock)
        return Outcome(
            result: result, lowerBound: lower, upperBound: upper, iterations: log, converged: converged,
            stopReason: converged ? nil : stopReason, masterColumns: masterColumns, masterRows: masterRows,
            rejectedPoints: rejected)
    }
}
