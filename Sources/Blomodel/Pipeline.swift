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
        if let output = options.outputPath, let input = model.inputFiles.first(where: { sameFile($0, output) }) {
            throw Diagnostic(
                .error, "refusing to write the report to '\(output)': it is \(input == model.inputFiles[0] ? "the model file" : "a data file the model reads ('\(input)')")",
                notes: ["choose another --output file"])
        }
        var report = try solve(model, options: options)
        report.timing.parse = parse
        return report
    }

    /// True when two paths name the same file (symbolic links and relative paths resolved; a
    /// file that does not exist yet is compared by its standardized path).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        func canonical(_ p: String) -> String {
            let absolute = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
            return URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath().path
        }
        return canonical(a) == canonical(b)
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
        routes(for: ModelFacts(classification: classification), options: options)
    }

    /// The route candidates for what is known of a model (a full description for `check`).
    public static func routes(for facts: ModelFacts, options: BlomodelOptions = BlomodelOptions()) -> [RouteCandidate] {
        options.routePlanner.candidates(for: facts, capabilities: options.solvers.capabilities)
    }

    /// Solves a model: reformulate and classify -> choose a route -> the route solves ->
    /// map back by column origins -> verify by re-solving the follower -> report.
    public static func solve(_ input: BilevelModel, options: BlomodelOptions = BlomodelOptions()) throws -> SolveReport {
        // The numeric range, for models built in code too (a model read from a file has been
        // through it: nothing changes then).
        var input = input
        try NumericRange.enforce(&input)
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
        report.warnings = input.warnings
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
        var reasons = unprovenBigMReasons(r, defaultM: options.bigM.defaultM)
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
        reasons += stoppedEarlyReasons(report)

        // Map back by user names.
        let original = r.modelPoint(point)
        mapBack(point, r, into: &report)
        reasons += userBoundReasons(point, r)

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
