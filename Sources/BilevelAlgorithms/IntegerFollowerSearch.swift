import BlomodelCore
import Foundation
import Reformulations
import SolverInterface

/// The value-function search for integer and mixed-integer followers: master MILPs on the
/// high-point relaxation, refined by value-function cuts, until the master's optimum is bilevel
/// feasible or no better point remains.
///
/// The bilevel problem (optimistic), with the follower minimising `d'y` (plus terms in `x` alone,
/// constants for it) and `x_L` the linking variables (integer, bounded):
///
///     min F(x, y)  s.t.  (x, y) in HPR,  d'y <= phi(x_L) = min { d'y' : y' feasible for the follower at x_L }
///
/// Each iteration solves the master (the high-point relaxation HPR with the cuts so far); with its
/// point (x^, y^) and its linking values x^_L:
/// 1. the follower's MILP at x^_L gives phi(x^_L) and an optimal response y~;
/// 2. if d'y^ <= phi(x^_L) the master's point is bilevel feasible: it is optimal (the master is a
///    relaxation of what is left);
/// 3. otherwise the restricted MILP  min F s.t. HPR, x_L = x^_L, d'y <= phi(x^_L)  gives the best
///    bilevel-feasible point with these linking values (the optimistic choice among the follower's
///    optima), a candidate incumbent;
/// 4. cuts: the **value-function cut** of the response y~ (valid for every x where y~ is feasible
///    for the follower, the follower can do at least as well as y~):
///
///        d'y <= d'y~ + M * sum_i w_i,     w_i = 1 only if follower row i is violated by y~ at x,
///
///    where each w_i is a binary with `a_i'x >= t_i w_i + min(a_i'x) (1 - w_i)` (or the mirror for a
///    lower side), `t_i` the smallest integer value of `a_i'x` that violates row i at y~ (exact,
///    because the linking variables are integer and the row's linking coefficients are integers,
///    after scaling a row by the least k <= 1000 that makes them so), and
///    `M = max{ d'y : (x, y) in the LP relaxation of HPR } - d'y~` (an LP, solved by GLPK: proven);
///    and a **no-good cut** excluding x^_L, whose best point is known (a binary's literal, or one
///    binary per general-integer variable saying it moved up or down).
/// The search stops when the master is infeasible or its bound reaches the incumbent's value:
/// finitely many linking values exist, and each is excluded once explored, so it terminates.
/// Every MILP goes to the user's backend (GLPK or CBC). The answer is proven optimal: no big-M is
/// assumed (the Ms above are proven by an LP and by the variables' bounds).
///
/// Sources: Moore and Bard (1990) for the high-point relaxation and the role of linking
/// variables; the value-function cut over the response's feasibility region is that of Lozano and
/// Smith (2017, "A value-function-based exact approach for the bilevel mixed-integer programming
/// problem", Operations Research 65(3)), here with exact integer thresholds; the no-good cut on
/// the linking variables as in DeNegre and Ralphs (2009).
/// What the value-function search for an integer follower did, for reports (values in the
/// leader's sense).
public struct ValueFunctionSummary: Sendable, Equatable {
    /// Master MILPs, follower MILPs (one per linking decision explored) and restricted MILPs (the
    /// optimistic choice at a decision) solved.
    public var masters: Int
    public var followerMILPs: Int
    public var restrictedMILPs: Int
    /// Value-function (or repair) cuts and no-good cuts added.
    public var valueFunctionCuts: Int
    public var noGoodCuts: Int
    /// The incumbent's leader objective and the best bound, when known.
    public var incumbent: Double?
    public var bound: Double?
    /// True when the bound met the incumbent (or no decision was left): the answer is optimal.
    public var closed: Bool
    /// True when the masters were projected (a zero-sum model).
    public var zeroSum: Bool
}

package enum IntegerFollowerSearch {
    /// What the search did, for the report and the benchmark.
    public struct Summary: Sendable {
        /// Master MILPs solved.
        public var masters = 0
        /// Follower MILPs solved (one per linking decision explored).
        public var followerSolves = 0
        /// Restricted MILPs solved (the optimistic choice at a linking decision).
        public var restrictedSolves = 0
        /// Value-function cuts and no-good cuts added.
        public var valueFunctionCuts = 0
        public var noGoodCuts = 0
        /// The master's last bound and the incumbent's value, in the leader's sense.
        public var bound: Double?
        public var incumbent: Double?
        /// Seconds spent inside MILP solves.
        public var solverSeconds = 0.0
        /// The last master problem solved (the high-point relaxation with every cut), for the
        /// benchmark's comparison with a standalone solver.
        public var lastMaster: StandardForm?
    }

    /// One side of a follower row with linking variables, as `a'x + b'y <= h`, scaled so that the
    /// linking coefficients `a` are integers.
    struct LinkingRow {
        /// The scaled linking coefficients (integers) and follower coefficients.
        var leader: [(Int, Double)]
        var follower: [(Int, Double)]
        /// The scaled right-hand side.
        var upper: Double
        /// The range of `a'x` over the linking variables' bounds.
        var minimum: Double, maximum: Double
    }

    /// Runs the search on the high-point relaxation `r.standardForm` (columns = `r.model`'s variables).
    public static func run(_ r: Reformulated, context: RouteContext, iterationLimit: Int) throws -> (RouteOutcome, Summary) {
        let clock = Date()
        let model = r.model, cls = r.classification, hpr = r.standardForm
        let n = hpr.columnCount
        let backend = context.solvers.milp
        let sign = r.objectiveSign
        var summary = Summary()
        var notes: [String] = []

        // The follower's objective in minimisation form, on its own variables.
        let fsign = model.lowerObjective.sense.sign
        var d = [Double](repeating: 0, count: n)
        for (j, c) in model.lowerObjective.expression.linear.terms where model.variables[j].owner.isFollower { d[j] = fsign * c }
        let followerColumns = cls.followerVariables
        func followerValue(_ p: [Double]) -> Double { followerColumns.reduce(0) { $0 + d[$1] * p[$1] } }
        let linking = cls.linkingVariables

        // The linking rows: follower rows with linking variables, scaled so that their linking
        // coefficients are integers (nil when no k <= 1000 does it: no value-function cut uses them).
        var linkingRows: [LinkingRow] = []
        var unscalable: String?
        let linkingSet = Set(linking)
        for i in cls.followerRows {
            let c = model.constraints[i]
            let terms = c.body.linear.sortedTerms
            let leader = terms.filter { linkingSet.contains($0.0) }
            guard !leader.isEmpty else { continue }
            guard let k = (1...1000).first(where: { k in leader.allSatisfy { abs(Double(k) * $0.1 - (Double(k) * $0.1).rounded()) <= 1e-9 * max(1, abs(Double(k) * $0.1)) } })
            else {
                unscalable = unscalable ?? c.name
                linkingRows = []
                break
            }
            // Each finite side as a row `a'x + b'y <= h` (a lower side negated).
            for (side, bound) in [(1.0, c.upper), (-1.0, -c.lower)] where bound.isFinite {
                let s = side * Double(k)
                var lo = 0.0, hi = 0.0
                for (j, a) in leader {
                    let v = model.variables[j]
                    let aa = (s * a).rounded()
                    lo += aa > 0 ? aa * v.lower : aa * v.upper
                    hi += aa > 0 ? aa * v.upper : aa * v.lower
                }
                linkingRows.append(
                    LinkingRow(
                        leader: leader.map { ($0.0, (s * $0.1).rounded()) },
                        follower: terms.filter { model.variables[$0.0].owner.isFollower }.map { ($0.0, s * $0.1) },
                        upper: Double(k) * bound, minimum: lo, maximum: hi))
            }
        }
        // A downward-closed follower (variables from 0, every row `b'y <= h(x)` with b >= 0): zeroing
        // coordinates of a response keeps it feasible, so the repair cut applies.
        let downwardClosed =
            followerColumns.allSatisfy { model.variables[$0].lower == 0 }
            && cls.followerRows.allSatisfy { i in
                let c = model.constraints[i]
                let b = c.body.linear.sortedTerms.filter { model.variables[$0.0].owner.isFollower }.map(\.1)
                return (c.lower == -.infinity && b.allSatisfy { $0 >= 0 }) || (c.upper == .infinity && b.allSatisfy { $0 <= 0 })
            }

        // M's base: the largest d'y over the LP relaxation of the high-point relaxation (GLPK).
        var dMax: Double?
        if unscalable == nil, !downwardClosed {
            var lp = hpr
            lp.isInteger = Array(repeating: false, count: n)
            lp.objective = d.map { -$0 }
            lp.objectiveConstant = 0
            lp.quadraticObjective = []
            let t = Date()
            let res = try? context.solvers.dualLP.solve(lp, options: SolveOptions(timeLimit: 60))
            if let res, res.termination == .optimal, let v = res.objective { dMax = -v }
            summary.solverSeconds += Date().timeIntervalSince(t)
            if dMax == nil {
                let why =
                    res?.termination == .unbounded
                    ? "is unbounded above over the high-point relaxation's LP relaxation"
                    : "has no proven maximum over the high-point relaxation's LP relaxation (\(res?.rawStatus ?? "the LP failed"))"
                notes.append(
                    "the follower's objective \(why), so no value-function cut can be bounded: the search explores linking decisions one by one (no-good cuts)")
            }
        } else if let unscalable {
            notes.append(
                "follower row \(unscalable) has linking coefficients that no k <= 1000 makes integral: value-function cuts need exact thresholds, so the search explores linking decisions one by one (no-good cuts)")
        }

        // The zero-sum case: the leader's objective is a leader part minus c > 0 times the
        // follower's (on the follower's variables), and no leader row has follower variables.
        // Every optimal response then gives the leader the same value, the problem is
        // min_x g(x) - c phi(x), and the masters need the follower's variables only through d'y:
        // they drop the follower's rows (kept in the follower and restricted MILPs) and relax its
        // variables to their boxes, where d'y acts as an epigraph variable bounded by the cuts.
        // A relaxation still (phi(x) <= every cut, and <= the largest d'y over the box).
        let projected = Self.isZeroSum(r, d: d)
        var master = hpr
        if projected {
            master = Self.projectedMaster(hpr, r)
            notes.append(
                "zero-sum: the leader's objective is the follower's negated (plus terms in the leader's variables) and no leader row has follower variables, so the masters keep the follower's variables only through its objective (its rows dropped, its variables continuous)")
        }
        var incumbent: [Double]?
        var upper = Double.infinity  // incumbent value, minimisation form
        var lower = -Double.infinity  // master bound, minimisation form
        var termination: TerminationStatus = .optimal
        var raw = "optimal"
        var exhausted = false
        var lastProgress = Date.distantPast
        func remaining() -> Double? {
            context.options.timeLimit.map { max(0.01, $0 - Date().timeIntervalSince(clock)) }
        }
        func timedSolve(_ form: StandardForm, gap: Double?, gomory: Bool = true) throws -> SolverResult {
            var o = SolveOptions(timeLimit: remaining(), relativeGap: gap)
            o.integralityTolerance = context.options.integralityTolerance
            o.gomoryCuts = gomory
            let t = Date()
            defer { summary.solverSeconds += Date().timeIntervalSince(t) }
            return try backend.solve(form, options: o)
        }
        func tolerance(_ v: Double) -> Double { 1e-9 * max(1, abs(v)) }
        // The bound meets the incumbent (within the user's relative gap, when one is given).
        func closed() -> Bool {
            upper - lower <= max(tolerance(upper), (context.options.relativeGap ?? 0) * max(1, abs(upper)))
        }
        func report() {
            summary.bound = lower.isFinite ? sign * lower : nil
            summary.incumbent = upper.isFinite ? sign * upper : nil
            let elapsed = Date().timeIntervalSince(clock)
            guard elapsed >= context.progressAfter, Date().timeIntervalSince(lastProgress) >= 2 else { return }
            lastProgress = Date()
            let gap = upper.isFinite && lower.isFinite ? abs(upper - lower) / max(1, abs(upper)) : nil
            context.progress?(
                "value-function: \(summary.masters) master(s), bound \(summary.bound.map(formatNumber) ?? "-"), incumbent \(summary.incumbent.map(formatNumber) ?? "-")\(gap.map { String(format: ", gap %.2g%%", 100 * $0) } ?? "") after \(String(format: "%.1f", elapsed)) s")
            context.searchProgress?(
                SearchProgress(
                    route: "value-function", nodes: summary.masters, open: 0, incumbent: summary.incumbent, bound: summary.bound,
                    relativeGap: gap, seconds: elapsed))
        }

        search: while true {
            if Interruption.requested {
                (termination, raw) = (.interrupted, "interrupted")
                break
            }
            if summary.masters >= iterationLimit {
                (termination, raw) = (.nodeLimit, "iteration limit \(iterationLimit) reached")
                break
            }
            // (GLPK's Gomory cuts tripled the time of knapsack interdiction's masters, whose rows
            // are few and dense: measured on the ladder's last master with 25 items, 0.94 s against 0.31 s.)
            let m = try timedSolve(master, gap: context.options.relativeGap, gomory: false)
            summary.masters += 1
            summary.lastMaster = master
            switch m.termination {
            case .optimal: break
            case .infeasible:
                // Every linking decision is explored or cut off: the incumbent is optimal.
                exhausted = true
                lower = max(lower, upper)
                break search
            case .unbounded, .infeasibleOrUnbounded:
                if summary.masters == 1 {
                    (termination, raw) = (.error, "the high-point relaxation is unbounded (\(m.rawStatus))")
                    notes.append(
                        "the high-point relaxation (both levels' rows, the leader's objective) is unbounded: give the variables bounds, so that the search has a finite master problem")
                } else {
                    (termination, raw) = (.error, "a master problem was \(m.termination.rawValue) (\(m.rawStatus))")
                }
                break search
            case .timeLimit, .nodeLimit, .interrupted, .error:
                (termination, raw) = (m.termination, "master MILP: \(m.rawStatus)")
                break search
            }
            guard let point = m.solution, let value = m.objective else {
                (termination, raw) = (.error, "the master MILP reported no point")
                break
            }
            // The master's bound (its own best bound when it stopped at a gap).
            if let bound = m.bestBound {
                lower = max(lower, bound)
            } else if context.options.relativeGap == nil {
                lower = max(lower, value)  // solved to optimality: its value is its bound
            }
            if upper.isFinite, closed() {
                exhausted = true
                break
            }
            var x = Array(point.prefix(n))
            for j in linking { x[j] = x[j].rounded() }

            // 1. The follower's MILP at the linking decision.
            let problem = FollowerProblem(model, at: x)
            let key = linking.map { x[$0] }
            var response: [Double]?
            var phi: Double?
            // (Follower rows without follower variables are conditions on the leader, in the
            // master and the restricted MILP already; they are not checked here at the rounded point.)
            do {
                var fo = SolveOptions(timeLimit: remaining(), relativeGap: 0)
                fo.integralityTolerance = context.options.integralityTolerance
                let t = Date()
                let res = try backend.solve(problem.form, options: fo)
                summary.solverSeconds += Date().timeIntervalSince(t)
                summary.followerSolves += 1
                switch res.termination {
                case .optimal:
                    if let s = res.solution {
                        // The response, its integer coordinates exactly integral (the cuts'
                        // thresholds are computed from it).
                        var y = x
                        for (j, k) in problem.column { y[j] = model.variables[j].kind == .continuous ? s[k] : s[k].rounded() }
                        response = y
                        phi = followerValue(y)
                    }
                case .infeasible, .unbounded, .infeasibleOrUnbounded: break  // no follower optimum at x_L
                default:
                    (termination, raw) = (res.termination == .interrupted ? .interrupted : (res.termination == .timeLimit ? .timeLimit : .error), "follower MILP: \(res.rawStatus)")
                    break search
                }
            }

            if let phi, let response {
                // 2. The master's point is bilevel feasible: optimal when the master was solved to
                // optimality (with a user's gap, an incumbent; the search goes on).
                if !projected, followerValue(point) <= phi + tolerance(phi) {
                    if value < upper {
                        upper = value
                        incumbent = x.enumerated().map { j, v in linkingSet.contains(j) ? v : point[j] }
                    }
                    if closed() {
                        exhausted = true
                        break
                    }
                }
                // 3. The best bilevel-feasible point with these linking values.
                var restricted = hpr
                for j in linking { (restricted.columnLower[j], restricted.columnUpper[j]) = (x[j], x[j]) }
                restricted.addRow(
                    name: "value_function", entries: followerColumns.filter { d[$0] != 0 }.map { ($0, d[$0]) }, lower: -.infinity,
                    upper: phi + 1e-7 * max(1, abs(phi)))
                let res = try timedSolve(restricted, gap: 0)
                summary.restrictedSolves += 1
                switch res.termination {
                case .optimal:
                    if let s = res.solution, let v = res.objective, v < upper {
                        upper = v
                        incumbent = Array(s.prefix(n))
                    }
                case .infeasible: break  // no leader-feasible point among the follower's optima
                case .unbounded, .infeasibleOrUnbounded:
                    (termination, raw) = (.error, "the restricted problem at a linking decision is unbounded (\(res.rawStatus))")
                    notes.append("the leader's objective is unbounded among the follower's optimal responses at a linking decision: give the leader's variables bounds")
                    break search
                default:
                    (termination, raw) = (res.termination, "restricted MILP: \(res.rawStatus)")
                    break search
                }
                // 4a. The value-function cut of the response.
                if unscalable == nil, downwardClosed {
                    addRepairCut(response: response, rows: linkingRows, d: d, followerColumns: followerColumns, to: &master)
                    summary.valueFunctionCuts += 1
                } else if let dMax,
                    addValueFunctionCut(response: response, dMax: dMax, rows: linkingRows, d: d, followerColumns: followerColumns, to: &master)
                {
                    summary.valueFunctionCuts += 1
                }
            }
            // 4b. The no-good cut on the linking decision.
            if linking.isEmpty || !addNoGoodCut(key: key, linking: linking, model: model, to: &master) {
                exhausted = true  // a single linking decision, now explored
                lower = max(lower, upper)
                break
            }
            summary.noGoodCuts += 1
            report()
        }
        report()

        let elapsed = Date().timeIntervalSince(clock)
        if exhausted {
            if incumbent == nil {
                (termination, raw) = (.infeasible, "no linking decision has a bilevel-feasible point")
            } else {
                (termination, raw) = (.optimal, "optimal: the master's bound reached the incumbent")
            }
        }
        var result = SolverResult(
            termination: termination, solution: incumbent, objective: upper.isFinite ? upper : nil,
            bestBound: lower.isFinite ? min(lower, upper) : nil, rawStatus: raw, seconds: elapsed)
        if termination == .optimal, upper - lower <= tolerance(upper) { result.bestBound = upper }
        summary.bound = result.bestBound.map { sign * $0 }
        summary.incumbent = upper.isFinite ? sign * upper : nil
        let line =
            "value-function search: \(summary.masters) master MILP(s), \(summary.followerSolves) follower MILP(s), \(summary.restrictedSolves) restricted MILP(s); \(summary.valueFunctionCuts) value-function cut(s), \(summary.noGoodCuts) no-good cut(s); every MILP by \(backend.name)"
        var outcome = RouteOutcome(result: result, plan: [line], notes: notes)
        outcome.basis = .withoutBigM
        outcome.valueFunction = ValueFunctionSummary(
            masters: summary.masters, followerMILPs: summary.followerSolves, restrictedMILPs: summary.restrictedSolves,
            valueFunctionCuts: summary.valueFunctionCuts, noGoodCuts: summary.noGoodCuts, incumbent: summary.incumbent,
            bound: summary.bound, closed: termination == .optimal, zeroSum: projected)
        return (outcome, summary)
    }

    /// The threshold of a `<=` row at a response: the smallest integer value `t` of `a'x` that
    /// violates `a'x <= h - b'y~` (nil when no `x` within the bounds does).
    static func violationThreshold(_ row: LinkingRow, response: [Double]) -> (t: Double, r: Double)? {
        let r = row.upper - row.follower.reduce(0) { $0 + $1.1 * response[$1.0] }
        let t = (r + 1e-9 * max(1, abs(r))).rounded(.down) + 1
        return t <= row.maximum ? (t, r) : nil
    }

    /// True when the leader's objective, on the follower's variables, is `-c d` for some `c > 0`
    /// (both in minimisation form) and no leader row has a follower variable.
    static func isZeroSum(_ r: Reformulated, d: [Double]) -> Bool {
        let model = r.model, hpr = r.standardForm
        let followers = r.classification.followerVariables
        // (Rows of the form are the model's constraints, in order; the follower's boxes bound the
        // masters once its rows are dropped.)
        guard hpr.rowCount == model.constraints.count,
            followers.allSatisfy({ model.variables[$0].lower.isFinite && model.variables[$0].upper.isFinite }),
            let k = followers.first(where: { d[$0] != 0 })
        else { return false }
        let c = -hpr.objective[k] / d[k]
        guard c > 0, c.isFinite else { return false }
        for j in followers where abs(hpr.objective[j] + c * d[j]) > 1e-12 * max(1, abs(hpr.objective[j])) { return false }
        for (i, constraint) in model.constraints.enumerated() where constraint.owner == .leader {
            for p in hpr.rowStart[i]..<hpr.rowStart[i + 1] where model.variables[hpr.columnIndex[p]].owner.isFollower { return false }
        }
        return true
    }

    /// The high-point relaxation without the follower's rows that have follower variables, its
    /// variables continuous (rows `i` of the form are the model's constraints `i`).
    static func projectedMaster(_ hpr: StandardForm, _ r: Reformulated) -> StandardForm {
        let dropped = Set(r.classification.followerRows)
        var master = StandardForm()
        for j in 0..<hpr.columnCount {
            let follower = r.model.variables[j].owner.isFollower
            master.addColumn(
                name: hpr.columnNames[j], lower: hpr.columnLower[j], upper: hpr.columnUpper[j], cost: hpr.objective[j],
                integer: hpr.isInteger[j] && !follower)
        }
        master.objectiveConstant = hpr.objectiveConstant
        for i in 0..<hpr.rowCount where !dropped.contains(i) {
            let entries = (hpr.rowStart[i]..<hpr.rowStart[i + 1]).map { (hpr.columnIndex[$0], hpr.values[$0]) }
            master.addRow(name: hpr.rowNames[i], entries: entries, lower: hpr.rowLower[i], upper: hpr.rowUpper[i])
        }
        return master
    }

    /// A 0-1 quantity `w = constant + coefficient * column` that says whether a row is violated.
    struct Indicator {
        var column: Int
        var coefficient: Double
        var constant: Double
    }

    /// A 0-1 indicator that is 1 only when the row is violated at the response (and, when
    /// `exact`, whenever it is). A side whose linking part is one variable taking two values
    /// (a binary, `a x`) is its own indicator (`x - lo`, or `hi - x` for `a < 0`); otherwise a new
    /// binary `w` with `a'x >= t w + min (1 - w)` and, when `exact`, `a'x <= (t - 1) + (max - t + 1) w`.
    static func violationIndicator(_ row: LinkingRow, t: Double, r: Double, exact: Bool, to master: inout StandardForm) -> Indicator {
        if row.leader.count == 1, row.maximum - row.minimum == abs(row.leader[0].1) {
            // t lies in (min, max]: only the variable's other value violates the side.
            let (j, a) = row.leader[0]
            let lo = a > 0 ? row.minimum / a : row.maximum / a
            let hi = lo + 1
            return a > 0 ? Indicator(column: j, coefficient: 1, constant: -lo) : Indicator(column: j, coefficient: -1, constant: hi)
        }
        let w = master.addColumn(name: "vf_w_\(master.columnCount)", lower: 0, upper: 1, integer: true)
        master.addRow(
            name: "vf_only_if_\(master.rowCount)", entries: row.leader + [(w, -(t - row.minimum))], lower: row.minimum, upper: .infinity)
        if exact {
            // Satisfied means a'x <= t - 1 (an integer), exactly.
            master.addRow(name: "vf_if_\(master.rowCount)", entries: row.leader + [(w, -(row.maximum - (t - 1)))], lower: -.infinity, upper: t - 1)
        }
        return Indicator(column: w, coefficient: 1, constant: 0)
    }

    /// `d'y <= d'y~ + M sum w_i`, with a 0-1 indicator `w_i` per linking row that `y~` violates at
    /// some `x` within the bounds, allowed to be 1 only where it does. Returns false when the cut
    /// would be implied (`d'y~` is already the largest value of `d'y`).
    @discardableResult
    static func addValueFunctionCut(
        response: [Double], dMax: Double, rows: [LinkingRow], d: [Double], followerColumns: [VarID], to master: inout StandardForm
    ) -> Bool {
        let dy = followerColumns.reduce(0) { $0 + d[$1] * response[$1] }
        guard dMax - dy > 1e-9 * max(1, abs(dMax)) else { return false }
        // Proven by the LP and a margin for its rounding.
        let bigM = dMax - dy + 1e-6 * max(1, abs(dMax))
        var entries = followerColumns.filter { d[$0] != 0 }.map { ($0, d[$0]) }
        var rhs = dy + 1e-7 * max(1, abs(dy))  // a margin for the response's own tolerance, as the restricted MILP has
        for row in rows {
            guard let (t, r) = violationThreshold(row, response: response) else { continue }
            let w = violationIndicator(row, t: t, r: r, exact: false, to: &master)
            entries.append((w.column, -bigM * w.coefficient))
            rhs += bigM * w.constant
        }
        master.addRow(name: "vf_cut_\(master.rowCount)", entries: entries, lower: -.infinity, upper: rhs)
        return true
    }

    /// The repair cut of a downward-closed follower: at any `x`, the response with the follower
    /// variables of its violated linking rows set to 0 is feasible (every row is `b'y <= h(x)` with
    /// `b >= 0`, and a row violated with those variables at 0 makes `x` infeasible for the
    /// follower altogether), so
    ///
    ///     d'y <= sum_j d_j y~_j (1 - z_j),   z_j = 1 exactly when a linking row with y_j is violated.
    ///
    /// For knapsack interdiction this is the classic `p'y >= sum_j p_j y~_j (1 - x_j)`.
    static func addRepairCut(response: [Double], rows: [LinkingRow], d: [Double], followerColumns: [VarID], to master: inout StandardForm) {
        let dy = followerColumns.reduce(0) { $0 + d[$1] * response[$1] }
        var zeroedBy: [VarID: [Indicator]] = [:]  // follower variable -> indicators of its violated rows
        for row in rows {
            let support = row.follower.filter { response[$0.0] != 0 && $0.1 != 0 }.map(\.0)
            guard !support.isEmpty, let (t, r) = violationThreshold(row, response: response) else { continue }
            let w = violationIndicator(row, t: t, r: r, exact: true, to: &master)
            for j in support { zeroedBy[j, default: []].append(w) }
        }
        var entries = followerColumns.filter { d[$0] != 0 }.map { ($0, d[$0]) }
        var rhs = dy + 1e-7 * max(1, abs(dy))  // a margin for the response's own tolerance
        for j in zeroedBy.keys.sorted() where d[j] * response[j] != 0 {
            let ws = zeroedBy[j]!
            let c = d[j] * response[j]
            if ws.count == 1 {
                entries.append((ws[0].column, c * ws[0].coefficient))
                rhs -= c * ws[0].constant
                continue
            }
            // z_j = max_i w_i: z_j >= w_i and z_j <= sum_i w_i.
            let z = master.addColumn(name: "vf_z_\(master.columnCount)", lower: 0, upper: 1)
            for w in ws {
                master.addRow(name: "vf_z_ge_\(master.rowCount)", entries: [(z, 1), (w.column, -w.coefficient)], lower: w.constant, upper: .infinity)
            }
            master.addRow(
                name: "vf_z_le_\(master.rowCount)", entries: [(z, 1)] + ws.map { ($0.column, -$0.coefficient) }, lower: -.infinity,
                upper: ws.reduce(0) { $0 + $1.constant })
            entries.append((z, c))
        }
        master.addRow(name: "vf_repair_\(master.rowCount)", entries: entries, lower: -.infinity, upper: rhs)
    }

    /// Excludes the linking decision `key` from the master: at least one linking variable moves.
    /// Returns false when no variable can move (every linking variable fixed by its bounds).
    static func addNoGoodCut(key: [Double], linking: [VarID], model: BilevelModel, to master: inout StandardForm) -> Bool {
        var literals: [(Int, Double)] = []
        var constant = 0.0  // literals' sum = sum(entries) + constant >= 1
        for (k, j) in linking.enumerated() {
            let v = model.variables[j]
            let (lo, hi, at) = (v.lower.rounded(.up), v.upper.rounded(.down), key[k])
            if lo >= hi { continue }
            if lo == 0 && hi == 1 {
                // A binary's literal: x_j when it was 0, 1 - x_j when it was 1.
                if at == 0 { literals.append((j, 1)) } else { literals.append((j, -1)); constant += 1 }
                continue
            }
            if at < hi {
                // delta_up = 1 only if x_j >= at + 1:  x_j - (at + 1 - lo) delta_up >= lo.
                let up = master.addColumn(name: "nogood_up_\(master.columnCount)", lower: 0, upper: 1, integer: true)
                master.addRow(name: "nogood_up_row_\(master.rowCount)", entries: [(j, 1), (up, -(at + 1 - lo))], lower: lo, upper: .infinity)
                literals.append((up, 1))
            }
            if at > lo {
                // delta_down = 1 only if x_j <= at - 1:  x_j + (hi - at + 1) delta_down <= hi.
                let down = master.addColumn(name: "nogood_down_\(master.columnCount)", lower: 0, upper: 1, integer: true)
                master.addRow(name: "nogood_down_row_\(master.rowCount)", entries: [(j, 1), (down, hi - at + 1)], lower: -.infinity, upper: hi)
                literals.append((down, 1))
            }
        }
        guard !literals.isEmpty else { return false }
        master.addRow(name: "nogood_\(master.rowCount)", entries: literals, lower: 1 - constant, upper: .infinity)
        return true
    }
}
