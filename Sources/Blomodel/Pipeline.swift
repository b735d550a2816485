import BilevelAlgorithms
import BlomodelCore
import Foundation
import GradientMethods

/// The whole path from a `.blo` file to a verified answer:
/// parse -> reformulate and classify -> choose a route -> the route solves -> map back -> verify -> report.
/// The facade is the only code that instantiates concrete backends (`BlomodelOptions.solvers`).
public enum Blomodel {
    /// Reads, solves and verifies a model file. Input errors throw `Diagnostic`s
    /// with positions; solver outcomes (infeasible, time limit, ...) are in the report.
    public static func solve(file path: String, options: BlomodelOptions = BlomodelOptions()) throws -> SolveReport {
        let clock = Date()
        let model = try ModelLoader.load(path: path)
        return try solve(loaded: model, parseSeconds: Date().timeIntervalSince(clock), modelIsFile: true, options: options)
    }

    /// The name a model read from standard input has in diagnostics (`<stdin>:3:7: error: ...`).
    /// It is never opened as a file.
    public static let standardInputName = "<stdin>"

    /// Reads a model's text from standard input (`blomodel solve -`), as the source of a model
    /// named `standardInputName`.
    public static func readStandardInput() throws -> SourceFile {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostic(.error, "cannot read the model from standard input: it is not UTF-8 text")
        }
        return SourceFile(path: standardInputName, text: text)
    }

    /// Parses a model from its text (standard input, or a model built as a string): diagnostics
    /// name `source.path` and quote this text, and CSV paths are relative to `directory` (by
    /// default the current directory).
    public static func load(source: SourceFile, directory: String? = nil) throws -> BilevelModel {
        try source.requotingErrors {
            try ModelLoader.load(source: source, directory: directory ?? FileManager.default.currentDirectoryPath)
        }
    }

    /// Solves a model given as text (`blomodel solve -` reads it from standard input): as
    /// `solve(file:)`, with the diagnostics naming `source.path` and quoting this text, and CSV
    /// paths relative to `directory` (by default the current directory).
    public static func solve(source: SourceFile, directory: String? = nil, options: BlomodelOptions = BlomodelOptions()) throws
        -> SolveReport
    {
        let clock = Date()
        let model = try load(source: source, directory: directory)
        return try source.requotingErrors {
            try solve(loaded: model, parseSeconds: Date().timeIntervalSince(clock), modelIsFile: false, options: options)
        }
    }

    /// The solve of a parsed model, after the check that the report will not overwrite one of its
    /// input files: the model's own file (when `modelIsFile`) and every data file it read.
    static func solve(loaded model: BilevelModel, parseSeconds: Double, modelIsFile: Bool, options: BlomodelOptions) throws -> SolveReport {
        options.log?(
            "parse: \(model.name): \(model.variables.count) variable(s), \(model.constraints.count) constraint(s), \(model.warnings.count) warning(s) in \(seconds(parseSeconds))")
        let files = modelIsFile ? model.inputFiles : Array(model.inputFiles.dropFirst())
        if let output = options.outputPath, let input = files.first(where: { sameFile($0, output) }) {
            throw Diagnostic(
                .error, "refusing to write the report to '\(output)': it is \(modelIsFile && input == model.inputFiles[0] ? "the model file" : "a data file the model reads ('\(input)')")",
                notes: ["choose another --output file"])
        }
        var report = try solve(model, options: options)
        report.timing.parse = parseSeconds
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
        // The bound-proving LPs go to GLPK, whose optimality certificates are checked in double
        // precision (an exact simplex behind it): a "proven" M rests on them. CBC once called an
        // unbounded relaxation optimal, which "proved" an M (DifferentialTests, seed 88).
        try Planner.reformulate(model, bigM: options.bigM, lpSolver: SolverChoice.glpk.backend)
    }

    /// The route candidates for a classified model with the solvers of `options` (what
    /// `blomodel check` and `--explain` print).
    public static func routes(for classification: Classification, options: BlomodelOptions = BlomodelOptions()) -> [RouteCandidate] {
        routes(for: ModelFacts(classification: classification, forcedRoute: options.route), options: options)
    }

    /// The route candidates for what is known of a model (a full description for `check`).
    package static func routes(for facts: ModelFacts, options: BlomodelOptions = BlomodelOptions()) -> [RouteCandidate] {
        options.routePlanner.candidates(for: facts, capabilities: options.solvers.capabilities)
    }

    /// Solves a model: reformulate and classify -> choose a route -> the route solves ->
    /// map back by column origins -> verify by re-solving the follower -> report.
    public static func solve(_ input: BilevelModel, options: BlomodelOptions = BlomodelOptions()) throws -> SolveReport {
        // The options' cancellation stops this solve (and only this one) at its next step.
        try Interruption.$current.withValue(options.cancellation ?? Interruption.current) {
            try solveModel(input, options: options)
        }
    }

    static func solveModel(_ input: BilevelModel, options: BlomodelOptions) throws -> SolveReport {
        var options = options
        // The numeric range, for models built in code too (a model read from a file has been
        // through it: nothing changes then).
        var input = input
        try NumericRange.enforce(&input, keepSmallCoefficients: true)
        let calls = options.log.map { SolverCallLog($0) }
        // `--solution`: the route reads another solver's answer to the exported program.
        let fromFile = try options.solutionFile.map { try SolutionFileRoute(path: $0, route: options.route) }
        let log = options.log ?? { _ in }
        let runStart = Date()
        var clock = Date()
        // Gradient methods: when asked for, or when no exact route takes a smooth model.
        if fromFile == nil, let reason = gradientReason(input, options: options, exactRefusal: nil) {
            return try solveByGradients(input, reason: reason, options: options)
        }
        // The exact routes' numeric range: coefficients below 1e-9 too.
        try enforceExactRange(&input)
        let r: Reformulated
        do {
            // Unless another route is forced, bound LPs that only the big-M program would use are
            // skipped when the value-function program is exact and proven without them.
            var options = options
            options.bigM.valueFunctionFirst = fromFile == nil && (options.route == nil || options.route == "value-function")
            // Unless a route is forced, the LPs stop once some M cannot be proven (the M-free search then
            // takes the model and uses none).
            options.bigM.stopAtFirstUnprovablePair = fromFile == nil && options.route == nil
            r = try reformulate(input, options: options)
        } catch let d as Diagnostic {
            guard fromFile == nil, let reason = gradientReason(input, options: options, exactRefusal: d) else { throw d }
            return try solveByGradients(input, reason: reason, options: options)
        }
        // The MILP backend: the user's, or the one measured faster for this class of problem.
        var solverReason: String?
        let valueFunctionFacts = ModelFacts.ValueFunctionFacts(r)
        if options.solver == nil {
            let (choice, why) = SolverChoice.automatic(for: r.classification)
            options.solver = choice
            solverReason = why
        }
        let solvers = calls.map { options.solvers.logged($0) } ?? options.solvers
        let backend = solvers.milp
        // The model the passes worked on: the input's variables keep their identifiers, and
        // auxiliary variables of product linearization follow them.
        // (With the user's bounds: the bounds the planner proved and added are not trusted by the
        // verification.)
        let model = r.verificationModel
        var report = SolveReport(
            modelName: model.name, problemClass: r.classification.problemClass, solver: fromFile?.solverLabel ?? backend.name, termination: .error,
            certification: .noAnswer, certificationReasons: [], rawSolverStatus: "",
            leaderObjectiveName: model.upperObjective.name, leaderSense: model.upperObjective.sense,
            followerObjectiveName: model.lowerObjective.name, followerSense: model.lowerObjective.sense)
        report.warnings = input.warnings
        report.timing.reformulation = Date().timeIntervalSince(clock)
        report.plan = r.plan
        if let solverReason {
            report.plan.append("solver: \(backend.name) (automatic: \(solverReason); --solver chooses)")
            log("solver choice: \(backend.name) (automatic: \(solverReason))")
        }
        report.classificationReasons = r.classification.reasons
        report.termPlan = r.classification.termPlan
        report.bigM = r.bigM
        report.rows = r.standardForm.rowCount
        report.columns = r.standardForm.columnCount
        report.binaries = r.standardForm.integerCount
        log("classification: \(r.classification.problemClass)")
        let proven = r.bigM.filter { $0.weakest == .proven }.count, user = r.bigM.filter { $0.weakest == .userGiven }.count
        log(
            "reformulation: \(report.rows) rows, \(report.columns) columns, \(report.binaries) binaries; \(r.bigM.count) complementarity pair(s): \(proven) proven M, \(user) user-given, \(r.bigM.count - proven - user) default, in \(seconds(report.timing.reformulation))")
        for (i, step) in r.plan.enumerated() { log("plan \(i + 1): \(step)") }

        // The route: the forced one, or the first that accepts this class with these solvers and these Ms.
        let facts = ModelFacts(classification: r.classification, bigM: r.bigM, forcedRoute: options.route, valueFunction: valueFunctionFacts)
        let (route, candidates) = try fromFile.map { ($0 as any Route, $0.candidates(facts)) }
            ?? options.routePlanner.choose(for: facts, capabilities: solvers.capabilities)
        report.routes = candidates
        report.route = route.name
        log("route: \(route.name): \(candidates.first { $0.name == route.name }?.assessment.reason ?? "")")
        clock = Date()
        // The time limit is for the whole run: the route gets what the reformulation left.
        let remaining = options.timeLimit.map { max(0.01, $0 - Date().timeIntervalSince(runStart)) }
        var context = RouteContext(solvers: solvers, options: SolveOptions(timeLimit: remaining, relativeGap: options.relativeGap))
        context.progress = options.progress
        context.searchProgress = options.onProgress
        context.progressAfter = options.progressAfter
        var outcome = try route.solve(r, context: context)
        if let size = outcome.programSize { (report.rows, report.columns, report.binaries) = size }
        // An "infeasible" that rests on one MILP solver's word is confirmed before it is reported.
        if fromFile == nil, outcome.result.termination == .infeasible, outcome.basis == .bigM {
            outcome = try confirmInfeasible(outcome, r, context: context, options: options)
        }
        let result = outcome.result
        report.plan += outcome.plan
        report.notes += outcome.notes
        report.outerApproximation = outcome.outerApproximation
        report.branchAndBound = outcome.branchAndBound
        report.valueFunction = outcome.valueFunction
        if result.termination == .infeasible, !r.classification.hasIntegerFollower, let d = FollowerDiagnosis.diagnose(model, r, solver: backend) {
            throw d
        }
        report.rawSolverStatus = result.rawStatus
        report.mipGap = result.relativeGap
        (report.bestBound, report.bestBoundValidity) = bestBound(outcome, r, options: options)
        report.timing.solver = Date().timeIntervalSince(clock)
        calls?.flush()
        var finished = "\(route.name) finished: \(result.termination) (\(result.rawStatus)) in \(seconds(report.timing.solver))"
        if let bb = outcome.branchAndBound { finished += "; branch-and-bound \(bb.nodes) node(s), \(bb.relaxations) relaxation(s)" }
        if let oa = outcome.outerApproximation { finished += "; outer approximation \(oa.iterations) MILP(s), \(oa.cuts) cut(s)" }
        if let b = report.bestBound { finished += "; best bound \(formatNumber(b))" }
        log(finished)

        switch result.termination {
        case .optimal, .infeasible, .unbounded, .infeasibleOrUnbounded: report.termination = .completed
        case .timeLimit: report.termination = .timeLimit
        case .nodeLimit: report.termination = .nodeLimit
        case .interrupted: report.termination = .interrupted
        case .error: report.termination = .error
        }
        // What the program solved assumed: Ms that are not proven (when the route used them) and
        // user-given ranges of dual(con) in product linearization (every route uses those).
        let assumptions = Assumptions(r, basis: outcome.basis, defaultM: options.bigM.defaultM)
        switch result.termination {
        case .infeasible, .unbounded:
            let what = result.termination == .infeasible ? "infeasible" : "unbounded"
            if assumptions.isEmpty {
                report.certification = result.termination == .infeasible ? .infeasible : .unbounded
            } else {
                report.certification = .noAnswer
                report.certificationReasons = ["the single-level program is \(what), but it rests on bounds that are not proven"] + assumptions.reasons
            }
            return report
        case .infeasibleOrUnbounded:
            report.certification = .noAnswer
            report.certificationReasons = ["the solver proved the program infeasible or unbounded but could not say which"]
            return report
        default: break
        }
        // Outer approximation's incumbent is bilevel feasible even when it stopped on an error
        // (a failed master, crossed bounds): it is reported and verified, with the reason.
        guard let point = result.solution, point.count >= r.standardForm.columnCount else {
            report.certification = .noAnswer
            report.certificationReasons = [
                report.termination == .completed
                    ? "no point was found" : "the run stopped (\(report.termination.rawValue)) before a bilevel-feasible point was found"
            ]
            return report
        }
        var reasons = stoppedEarlyReasons(report)

        // Map back by user names.
        let original = r.modelPoint(point)
        mapBack(point, r, into: &report)
        let binding = userBoundReasons(point, r, basis: outcome.basis, dualBoundOption: options.bigM.dualBound)
        // A user's --gap lets the search stop with its bound short of the answer: not proven.
        if let gap = options.relativeGap, let bound = report.bestBound, let value = report.leaderObjective,
            abs(value - bound) > 1e-9 * max(1, abs(value))
        {
            reasons.append(
                "the search stopped with its bound \(formatNumber(bound)) short of the answer (relative gap \(String(format: "%.3g", abs(value - bound) / max(1, abs(value)))), as --gap \(formatNumber(gap)) allows); the point may not be optimal")
        }

        clock = Date()
        let v = Verifier.verify(
            model, point: original, solver: backend, qpSolver: solvers.qp, tolerance: options.verificationTolerance)
        report.timing.verification = Date().timeIntervalSince(clock)
        report.verification = v
        calls?.flush()
        log("verification: \(v.outcome.rawValue): \(v.detail) in \(seconds(report.timing.verification))")
        // An integer follower's optimistic choice is found by search, so it is checked too: among
        // the follower's optimal responses at the leader's decision, none is better for the leader.
        if v.outcome == .optimal, r.classification.hasIntegerFollower, let phi = v.followerOptimum {
            let clock = Date()
            let atPoint = model.upperObjective.expression.evaluate(original)
            let best = Verifier.optimisticValue(model, point: original, phi: phi, solver: backend)
            report.timing.verification += Date().timeIntervalSince(clock)
            let sense = model.upperObjective.sense.sign
            if let best, sense * (atPoint - best) > options.verificationTolerance * max(1, abs(best)) {
                reasons.insert(
                    "the follower has another optimal response at the leader's decision with a better leader objective (\(formatNumber(clean(best))) instead of \(formatNumber(clean(atPoint)))): the point is bilevel feasible but not the optimistic choice",
                    at: 0)
            } else if best == nil {
                reasons.insert("the optimistic choice among the follower's optimal responses could not be re-solved", at: 0)
            } else {
                report.verification?.detail += "; no other optimal response of the follower is better for the leader"
            }
        }
        if v.outcome == .solverFailure {
            // The re-solve itself failed: nothing is known either way.
            report.certification = .unverified
            reasons.insert("verification could not be done: the follower's re-solve failed (\(v.detail))", at: 0)
        } else if v.outcome != .optimal {
            report.certification = .notBilevelFeasible
            reasons.insert("verification: \(v.detail)", at: 0)
        } else if !reasons.isEmpty {
            report.certification = .feasible
        } else if assumptions.hasDefault {
            report.certification = .feasible
            reasons += assumptions.reasons + binding
        } else if !assumptions.isEmpty {
            report.certification = .optimalIfBoundsHold
            reasons += assumptions.reasons + binding
        } else {
            // Proven without the user's bounds; any of them the answer exceeds is named.
            report.certification = .provenOptimal
            reasons += binding
        }
        report.certificationReasons = reasons
        return report
    }

    /// The best bound on the leader's optimum that the route knows, in the leader's sense, and what
    /// it bounds: the M-free search's (no M), outer approximation's or the MILP solver's (as
    /// strong as the program's Ms).
    static func bestBound(_ outcome: RouteOutcome, _ r: Reformulated, options: BlomodelOptions)
        -> (Double?, SolveReport.BoundValidity?)
    {
        let bound: Double?
        if let bb = outcome.branchAndBound, !bb.checkOnly {
            bound = bb.bound
        } else if let oa = outcome.outerApproximation {
            bound = oa.bound.isFinite ? oa.bound : nil
        } else {
            bound = outcome.result.bestBound.map { r.objectiveSign * $0 }
        }
        guard let bound, bound.isFinite else { return (nil, nil) }
        let assumptions = Assumptions(r, basis: outcome.basis, defaultM: options.bigM.defaultM)
        return (clean(bound), assumptions.isEmpty ? .bilevel : (assumptions.hasDefault ? .bigMProgram : .ifBoundsHold))
    }

    /// A MILP's "infeasible" confirmed: the same program on the other backend (without Gomory
    /// cuts); when the two disagree, the M-free branch-and-bound decides.
    static func confirmInfeasible(_ outcome: RouteOutcome, _ r: Reformulated, context: RouteContext, options: BlomodelOptions) throws
        -> RouteOutcome
    {
        let used = options.solver ?? .glpk
        let other: SolverChoice = used == .glpk ? .cbc : .glpk
        var check = context.options
        check.gomoryCuts = false
        var confirmed = outcome
        var form = r.standardForm
        form.quadraticObjective = []  // feasibility is the question
        if let second = try? other.backend.solve(form, options: check), second.termination == .infeasible {
            confirmed.notes.append("the MILP's infeasibility is confirmed by \(other.rawValue)")
            return confirmed
        }
        let search = BranchAndBoundRoute(nodeLimit: options.nodeLimit, bigMSeed: false)
        guard search.assess(ModelFacts(classification: r.classification, forcedRoute: search.name), capabilities: context.solvers.capabilities).accepted
        else {
            confirmed.result.termination = .error
            confirmed.notes.append("\(used.rawValue) reported the MILP infeasible and \(other.rawValue) did not confirm it")
            return confirmed
        }
        var decided = try search.solve(r, context: context)
        decided.notes.insert(
            "\(used.rawValue) reported the MILP infeasible and \(other.rawValue) did not confirm it; the M-free branch-and-bound decided", at: 0)
        return decided
    }

    /// A duration for the `--verbose` lines.
    static func seconds(_ t: Double) -> String { String(format: "%.3f s", t) }

    /// Rounds away solver noise and negative zero, for stable output: a value is rounded to 10
    /// significant digits when that moves it by less than 1e-9 of itself (so 4.0000000000001
    /// prints as 4 and 1.7879e-5 keeps its digits), and magnitudes below 1e-12 are zero.
    static func clean(_ v: Double) -> Double {
        guard v.isFinite, abs(v) >= 1e-12 else { return v.isFinite ? 0 : v }
        let scale = pow(10, 9 - floor(log10(abs(v))))
        let r = (v * scale).rounded() / scale
        let value = abs(r - v) <= 1e-9 * abs(v) ? r : v
        return value == 0 ? 0 : value
    }
}

extension SourceFile {
    /// The diagnostic with its source line quoted from this text whenever it points into it. A
    /// line quoted before is replaced: passes quote from the file of that name on disk, and a
    /// model read from standard input has none (a file named `<stdin>` is not it).
    public func requoting(_ d: Diagnostic) -> Diagnostic {
        guard let at = d.location, at.file == path else { return d }
        var quoted = d
        quoted.sourceLine = line(at.line)
        return quoted
    }

    /// Runs `body`, re-quoting the diagnostics it throws from this text.
    func requotingErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let d as Diagnostic {
            throw requoting(d)
        } catch let list as DiagnosticList {
            throw DiagnosticList(list.diagnostics.map(requoting))
        }
    }
}

extension Blomodel {
    /// The numeric range of the exact routes (coefficients from 1e-9, docs/solvers.md), with a note
    /// where the gradient methods would take the model.
    package static func enforceExactRange(_ model: inout BilevelModel) throws {
        do { try NumericRange.enforce(&model) } catch var d as Diagnostic {
            if SmoothBilevel.refusal(model) == nil {
                d.notes.append("the gradient methods take coefficients below 1e-9 (solve --method auto gives a local answer)")
            }
            throw d
        }
    }
}
