import BilevelAlgorithms
import BlomodelCore
import Foundation

/// The steps of `Blomodel.solve` after the route: mapping the point back to the user's names,
/// and the reasons that keep an answer from being `proven_optimal` (besides the follower re-solve).
extension Blomodel {
    /// Why a point may not be optimal: outer approximation's gap still open, or a time limit.
    static func stoppedEarlyReasons(_ report: SolveReport) -> [String] {
        var reasons: [String] = []
        if let oa = report.outerApproximation, !oa.converged {
            reasons.append(
                "outer approximation stopped before its gap closed (\(oa.stopReason ?? "stopped"); relative gap \(String(format: "%.3g", oa.relativeGap))); the point is bilevel feasible but may not be optimal")
        } else if let bb = report.branchAndBound, !bb.closed, !bb.checkOnly {
            let gap = bb.relativeGap.isFinite ? String(format: "%.3g", bb.relativeGap) : "unknown"
            reasons.append(
                "branch-and-bound stopped before its gap closed (\(report.termination.rawValue), \(bb.nodes) node(s), bound \(bb.bound.map { formatNumber($0) } ?? "none"), relative gap \(gap)); the point is bilevel feasible but may not be optimal")
        } else if report.termination == .timeLimit {
            reasons.append("the solver stopped at the time limit; the point may not be optimal")
        } else if report.termination == .nodeLimit {
            reasons.append("the solver stopped at a node or iteration limit; the point may not be optimal")
        } else if report.termination == .interrupted {
            reasons.append("the run was interrupted; the point may not be optimal")
        } else if report.termination == .error {
            reasons.append("a solver failed before optimality was established (\(report.rawSolverStatus))")
        }
        return reasons
    }

    /// Fills the report's variables, duals and objectives from `point` (columns of `r.milp`), by
    /// user names and column origins.
    static func mapBack(_ point: [Double], _ r: Reformulated, into report: inout SolveReport) {
        let model = r.model
        let original = r.modelPoint(point)
        for (j, v) in model.variables.enumerated() {
            let value = clean(original[j])
            guard v.role == .decision else { continue }
            if v.owner == .leader { report.leaderVariables.append((v.name, value)) } else { report.followerVariables.append((v.name, value)) }
        }
        for (k, column) in r.milp.columns.enumerated() {
            switch column.origin {
            case .rowDual(let row, let side):
                let c = model.constraints[row]
                let key = side == .equality || !(c.lower.isFinite && c.upper.isFinite) ? c.name : "\(c.name):\(side.rawValue)"
                report.followerDuals.append((key, clean(point[k])))
            case .boundDual(let j, let side):
                report.followerDuals.append(("bound_\(side == .lower ? "lb" : side == .upper ? "ub" : "fix"):\(model.variables[j].name)", clean(point[k])))
            default: break
            }
        }
        report.leaderObjective = clean(model.upperObjective.expression.evaluate(original))
        report.followerObjective = clean(model.lowerObjective.expression.evaluate(original))
    }

    /// Declared multiplier bounds (`dualbound`, `--dual-bound`) that an answer found without them
    /// exceeds: they were invalid, and a big-M program built on them would have cut off that answer.
    /// One line per declaration, with how many multipliers exceed it.
    static func invalidDualBoundReasons(_ point: [Double], _ r: Reformulated, dualBoundOption: Double?) -> [String] {
        let model = r.model
        var exceeded: [String: (first: String, value: Double, bound: Double, count: Int)] = [:]
        var order: [String] = []
        for (k, column) in r.milp.columns.enumerated() {
            guard case .rowDual(let row, let side) = column.origin else { continue }
            let c = model.constraints[row]
            let declaration: String
            let bound: Double
            if let b = c.dualBound, case .constraint(let at)? = c.dualBoundSource {
                (declaration, bound) = ("the dualbound \(formatNumber(b)) on \(c.name) (line \(at.line))", b)
            } else if let b = model.lowerDualBound, let at = model.lowerDualBoundLocation {
                (declaration, bound) = ("the lower block's dualbound \(formatNumber(b)) (line \(at.line))", b)
            } else if let b = dualBoundOption {
                (declaration, bound) = ("--dual-bound \(formatNumber(b))", b)
            } else { continue }
            let value = point[k]
            guard abs(value) > bound * (1 + 1e-6) + 1e-9 else { continue }
            let key = side == .equality || !(c.lower.isFinite && c.upper.isFinite) ? c.name : "\(c.name):\(side.rawValue)"
            if var e = exceeded[declaration] {
                e.count += 1
                if abs(value) > abs(e.value) { (e.first, e.value) = (key, value) }
                exceeded[declaration] = e
            } else {
                exceeded[declaration] = (key, value, bound, 1)
                order.append(declaration)
            }
        }
        return order.map { declaration in
            let e = exceeded[declaration]!
            return "\(declaration) is invalid: the proven optimum needs \(e.count) multiplier(s) beyond it (largest: \(e.first) = \(formatNumber(clean(e.value))))"
        }
    }

    /// Bounds the user gave that are active at the answer (they may cut off better answers), and
    /// slacks that reached the default big-M.
    static func userBoundReasons(_ point: [Double], _ r: Reformulated, basis: OptimalityBasis, dualBoundOption: Double?) -> [String] {
        let model = r.model
        var reasons: [String] = []
        // A bound declared on a multiplier that is active at the answer may be cutting off
        // better answers. (Bounds derived through stationarity from declared ones are not
        // checked: their being tight says only that the declared potentials are reached.)
        // The M-free route did not use them: there, a declared bound the answer exceeds is invalid.
        if basis == .withoutBigM { reasons += invalidDualBoundReasons(point, r, dualBoundOption: dualBoundOption) }
        for record in r.bigM where basis.usesMultiplierBound(record) {
            switch record.dualSource {
            case .constraintDeclaration, .blockDeclaration, .option: break
            default: continue
            }
            if record.dualM > 0, point[record.multiplierColumn] > 1e-9,
                point[record.multiplierColumn] >= record.dualM * (1 - 1e-6)
            {
                reasons.append(
                    "the multiplier of \(record.pair) is at its user-given bound \(formatNumber(record.dualM)); a larger bound might give a better leader objective")
            }
        }
        // A dual(con) column bounded by a user's dualbound (its range in binary expansion) that
        // sits at that bound may be cutting off better answers in the same way.
        for (j, v) in model.variables.enumerated() {
            guard case .dual(let row) = v.role, let bound = model.dualBound(of: row), bound > 0 else { continue }
            // No alarm when a proven bound on the row's multipliers is no larger than the user's.
            let proven = r.bigM.filter { record in
                guard case .rowDual(let i, _) = r.milp.columns[record.multiplierColumn].origin, i == row else { return false }
                return record.dualSource.provenance == .proven && record.dualM <= bound * (1 + 1e-9)
            }
            let rowSides = r.milp.columns.filter { if case .rowDual(let i, _) = $0.origin { return i == row } else { return false } }.count
            if proven.count == rowSides && rowSides > 0 { continue }
            if let range = r.provenDualRanges[row], range.magnitude <= bound * (1 + 1e-9) { continue }
            if abs(point[j]) >= bound * (1 - 1e-6) {
                reasons.append(
                    "\(v.name) = \(formatNumber(clean(point[j]))) is at its user-given bound \(formatNumber(bound)); a larger 'dualbound' might give a better leader objective")
            }
        }
        for record in r.bigM where basis == .bigM && record.primalSource == .default && record.binaryColumn != nil {
            let pairs = r.complementarityModel.complementarities
            let slack = pairs.indices.contains(record.pairIndex) ? pairs[record.pairIndex].slack.evaluate(point) : 0
            if slack >= record.primalM * (1 - 1e-6) {
                reasons.append(
                    "the slack of \(record.pair) reached the default big-M \(formatNumber(record.primalM)): the leader's objective may be unbounded, or better beyond it")
            }
        }
        return reasons
    }
}

/// What the solved program assumed beyond the model: M values that are not proven (when the
/// route used them) and user-given ranges of `dual(con)` that product linearization relied on
/// (every route uses those). Empty when the answer needs no assumption.
struct Assumptions {
    /// One line per kind of assumption, naming the bounds.
    var reasons: [String] = []
    /// True when an unproven default M was used (the answer is then only bilevel feasible).
    var hasDefault = false

    var isEmpty: Bool { reasons.isEmpty }

    init(_ r: Reformulated, basis: OptimalityBasis, defaultM: Double) {
        if case .multiplierBounds = basis {
            let used = r.bigM.filter { basis.usesMultiplierBound($0) }
            let defaults = used.filter { $0.dualSource.provenance == .unproven }
            if let first = defaults.first {
                hasDefault = true
                reasons.append(
                    "\(defaults.count) multiplier bound(s) of the value-function row use the unproven default \(formatNumber(defaultM)) (first: \(first.pair)): declare 'dualbound' in the lower block, or use --route branch-and-bound, which needs no M")
            }
            let user = used.filter { $0.dualSource.provenance == .userGiven }
            if let first = user.first {
                reasons.append(
                    "\(user.count) multiplier bound(s) of the value-function row rest on user-given bounds that were not checked (first: \(first.pair)): \(first.dualSource)")
            }
        }
        if basis == .bigM {
            let defaults = r.bigM.filter { $0.weakest == .unproven }
            if !defaults.isEmpty {
                hasDefault = true
                let primal = defaults.filter { $0.primalSource == .default }.map(\.pair)
                let dual = defaults.filter { $0.dualSource == .default }.map(\.pair)
                var fixes: [String] = []
                if let p = primal.first {
                    fixes.append("\(primal.count) slack bound(s) (first: \(p)): bound the variables so the slack is bounded")
                }
                if let d = dual.first {
                    fixes.append("\(dual.count) dual bound(s) (first: \(d)): declare 'dualbound' in the lower block")
                }
                reasons.append(
                    "\(defaults.count) complementarity pair(s) use the unproven default big-M \(formatNumber(defaultM)); "
                        + fixes.joined(separator: "; ") + ", or use --route branch-and-bound, which needs no M")
            }
            let user = r.bigM.filter { $0.weakest == .userGiven }
            if !user.isEmpty {
                var sources: [String] = []
                for record in user {
                    for source in [record.primalSource, record.dualSource] where source.provenance == .userGiven {
                        let text = "\(source)"
                        if !sources.contains(text) { sources.append(text) }
                    }
                }
                reasons.append(
                    "\(user.count) complementarity pair(s) rest on user-given bounds that were not checked (first: \(user[0].pair)): "
                        + sources.prefix(3).joined(separator: "; ") + (sources.count > 3 ? "; ..." : ""))
            }
        }
        // dual(con) ranges from a user's dualbound, used by product linearization.
        let used = Set(r.auxiliaryDefinitions.values.flatMap { d -> [VarID] in
            if case .product(let a, let b) = d { return [a, b] }
            return []
        })
        var names: [String] = []
        for (j, v) in r.model.variables.enumerated() where used.contains(j) {
            guard case .dual(let row) = v.role, let bound = r.model.dualBound(of: row) else { continue }
            if let proven = r.provenDualRanges[row], proven.magnitude <= bound * (1 + 1e-9) { continue }
            names.append("\(v.name) within ±\(formatNumber(bound))")
        }
        if !names.isEmpty {
            reasons.append(
                "product linearization uses user-given dual ranges that were not proven: " + names.prefix(3).joined(separator: ", ")
                    + (names.count > 3 ? ", ..." : ""))
        }
    }
}
