import BilevelAlgorithms
import BlomodelCore
import Foundation

/// The whole path from a `.blo` file to a verified answer:
/// parse -> reformulate and classify -> choose a route -> the route solves -> map back -> verify -> report.
/// The facade is the only code that instantiates concrete backends (`BlomodelOptions.solvers`).
public enum Blomodel {
    /// Reads, solves and verifies a model file. Input errors throw `Diagnostic`s
    /// with positions; solver outcomes (infeasible, time limit, ...) are in the report.
    public static func solve(file path: String, options: BlomodelOptions = BlomodelOptions()) throws -> SolveReport {
        let clock = Date()
        let model = try ModelLoader.load(path: path)
        let parse = Date().timeIntervalSince(clock)
        var report = try solve(model, options: options)
        report.timing.parse = parse
        return report
    }

    /// Reformulates without solving (for `--explain`, `check` and golden tests).
    public static func reformulate(_ model: BilevelModel, options: BlomodelOptions = BlomodelOptions()) throws
        -> Reformulated
    {
        try Planner.reformulate(model, bigM: options.bigM, lpSolver: options.solver.backend)
    }

    /// The route candidates for a classified model with the solvers of `options` (what
    /// `blomodel check` and `--explain` print).
    public static func routes(for classification: Classification, options: BlomodelOptions = BlomodelOptions()) -> [RouteCandidate] {
        options.routePlanner.candidates(for: classification, capabilities: options.solvers.capabilities)
    }

    /// Solves a model: reformulate and classify -> choose a route -> the route solves ->
    /// map back by column origins -> verify by re-solving the follower -> report.
    public static func solve(_ input: BilevelModel, options: BlomodelOptions = BlomodelOptions()) throws -> SolveReport {
        let solvers = options.solvers
        let backend = solvers.milp
        var clock = Date()
        let r = try reformulate(input, options: options)
        // The model the passes worked on: the input's variables keep their identifiers, and
        // auxiliary variables of product linearization follow them.
        let model = r.model
        var report = SolveReport(
            modelName: model.name, problemClass: r.classification.problemClass, solver: backend.name, status: .error,
            certification: .unverified, certificationReasons: [], rawSolverStatus: "",
            leaderObjectiveName: model.upperObjective.name, leaderSense: model.upperObjective.sense,
            followerObjectiveName: model.lowerObjective.name, followerSense: model.lowerObjective.sense)
        report.timing.reformulation = Date().timeIntervalSince(clock)
        report.plan = r.plan
        report.classificationReasons = r.classification.reasons
        report.termPlan = r.classification.termPlan
        report.bigM = r.bigM
        report.rows = r.standardForm.rowCount
        report.columns = r.standardForm.columnCount
        report.binaries = r.standardForm.integerCount

        // The route: the first one that accepts this class with these solvers.
        let (route, candidates) = try options.routePlanner.choose(for: r.classification, capabilities: solvers.capabilities)
        report.routes = candidates
        report.route = route.name
        clock = Date()
        let outcome = try route.solve(r, context: RouteContext(solvers: solvers, options: SolveOptions(timeLimit: options.timeLimit, relativeGap: options.relativeGap)))
        let result = outcome.result
        report.plan += outcome.plan
        report.notes += outcome.notes
        report.outerApproximation = outcome.outerApproximation
        if result.termination == .infeasible, let d = FollowerDiagnosis.diagnose(model, r, solver: backend) {
            throw d
        }
        report.rawSolverStatus = result.rawStatus
        report.mipGap = result.relativeGap
        report.timing.solver = Date().timeIntervalSince(clock)

        switch result.termination {
        case .optimal: report.status = .optimal
        case .infeasible: report.status = .infeasible
        case .unbounded, .infeasibleOrUnbounded: report.status = .unbounded
        case .timeLimit: report.status = .timeLimit
        case .error: report.status = .error
        }
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
                "\(defaults.count) complementarity pair(s) use the unproven default big-M \(formatNumber(options.bigM.defaultM)); " + fixes.joined(separator: "; "))
        }
        if report.status == .infeasible, !r.bigM.filter({ $0.weakest != .proven }).isEmpty {
            report.notes.append("the reformulation is infeasible; some big-M values are not proven, so a too-small bound may be the cause")
        }
        // Outer approximation's incumbent is bilevel feasible even when it stopped on an error
        // (a failed master, crossed bounds): it is reported and verified, with the reason.
        let hasAnswer = report.status == .optimal || report.status == .timeLimit
            || (report.status == .error && report.outerApproximation != nil)
        guard let point = result.solution, point.count >= r.standardForm.columnCount, hasAnswer else {
            report.certification = .unverified
            report.certificationReasons = reasons + ["no point to verify"]
            return report
        }
        if let oa = report.outerApproximation, !oa.converged {
            reasons.append(
                "outer approximation stopped before its gap closed (\(oa.stopReason ?? "stopped"); relative gap \(String(format: "%.3g", oa.relativeGap))); the point is bilevel feasible but may not be optimal")
        } else if report.status == .timeLimit {
            reasons.append("the solver stopped at the time limit; the point may not be optimal")
        }

        // Map back by user names.
        let n = model.variables.count
        let original = Array(point[0..<n])
        for (j, v) in model.variables.enumerated() {
            let value = clean(original[j])
            guard v.role == .decision else { continue }
            if v.level == .upper { report.leaderVariables.append((v.name, value)) } else { report.followerVariables.append((v.name, value)) }
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

        clock = Date()
        let v = Verifier.verify(
            model, point: original, solver: backend, qpSolver: solvers.qp, tolerance: options.verificationTolerance)
        report.timing.verification = Date().timeIntervalSince(clock)
        report.verification = v
        if v.outcome == .optimal {
            report.certification = reasons.isEmpty ? .verified : .unverified
        } else if v.outcome == .solverFailure {
            // The re-solve itself failed: nothing is known either way.
            report.certification = .unverified
            reasons.insert("verification could not be done: the follower's re-solve failed (\(v.detail))", at: 0)
        } else {
            report.certification = .notBilevelFeasible
            reasons.insert("verification: \(v.detail)", at: 0)
        }
        report.certificationReasons = reasons
        return report
    }

    /// Rounds away solver noise (1e-12) and negative zero, for stable output.
    static func clean(_ v: Double) -> Double {
        let r = (v * 1e9).rounded() / 1e9
        let value = abs(r - v) < 1e-9 * max(1, abs(v)) ? r : v
        return value == 0 ? 0 : value
    }
}
