import BilevelAlgorithms
import BlomodelCore
import Foundation

/// The steps of `Blomodel.solve` after the route: mapping the point back to the user's names,
/// and the reasons that keep an answer from being `verified` (besides the follower re-solve).
extension Blomodel {
    /// Why the big-M values cannot vouch for an answer: pairs that use the unproven default, with the fix.
    static func unprovenBigMReasons(_ r: Reformulated, defaultM: Double) -> [String] {
        var reasons: [String] = []
        let defaults = r.bigM.filter { $0.weakest == .unproven }
        if !defaults.isEmpty {
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
                "\(defaults.count) complementarity pair(s) use the unproven default big-M \(formatNumber(defaultM)); " + fixes.joined(separator: "; "))
        }
        return reasons
    }

    /// Why a point may not be optimal: outer approximation's gap still open, or a time limit.
    static func stoppedEarlyReasons(_ report: SolveReport) -> [String] {
        var reasons: [String] = []
        if let oa = report.outerApproximation, !oa.converged {
            reasons.append(
                "outer approximation stopped before its gap closed (\(oa.stopReason ?? "stopped"); relative gap \(String(format: "%.3g", oa.relativeGap))); the point is bilevel feasible but may not be optimal")
        } else if report.status == .timeLimit {
            reasons.append("the solver stopped at the time limit; the point may not be optimal")
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

    /// Bounds the user gave that are active at the answer (they may cut off better answers), and
    /// slacks that reached the default big-M.
    static func userBoundReasons(_ point: [Double], _ r: Reformulated) -> [String] {
        let model = r.model
        var reasons: [String] = []
        // A bound declared on a multiplier that is active at the answer may be cutting off
        // better answers. (Bounds derived through stationarity from declared ones are not
        // checked: their being tight says only that the declared potentials are reached.)
        for record in r.bigM where record.binaryColumn != nil {
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
        for record in r.bigM where record.primalSource == .default && record.binaryColumn != nil {
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
