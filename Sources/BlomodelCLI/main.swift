import ArgumentParser
import Blomodel
import Foundation

/// Exit codes, documented in docs/cli.md.
enum ExitStatus: Int32 {
    /// An answer: proven optimal, optimal if the named bounds hold, or bilevel feasible (the
    /// certification says which).
    case answer = 0
    case inputError = 1
    /// Proven infeasible.
    case infeasible = 2
    case notBilevelFeasible = 3
    case internalError = 4
    /// Proven unbounded.
    case unbounded = 5
    /// Stopped (time or node limit, a solver failure) without an answer, or with a point that could not be checked.
    case noAnswer = 6

    /// The exit status for a report's certification.
    init(_ certification: SolveReport.Certification) {
        switch certification {
        case .provenOptimal, .optimalIfBoundsHold, .feasible, .local: self = .answer
        case .infeasible: self = .infeasible
        case .unbounded: self = .unbounded
        case .notBilevelFeasible: self = .notBilevelFeasible
        case .unverified, .noAnswer: self = .noAnswer
        }
    }
}

/// The exit status of a run stopped by SIGINT (128 + 2, the shells' convention), after its report.
let interruptedExitStatus: Int32 = 130

/// SIGINT requests a stop: the searches end at their next step with the best point so far, and
/// the report is printed. A second SIGINT ends the process at once.
func installInterruptHandler(quiet: Bool = false) {
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler {
        if Interruption.requested { exit(interruptedExitStatus) }
        Interruption.request()
        if !quiet {
            FileHandle.standardError.write("interrupted: stopping at the next step with the best point found (SIGINT again to quit now)\n".data(using: .utf8)!)
        }
    }
    source.resume()
    interruptSource = source
}
nonisolated(unsafe) var interruptSource: DispatchSourceSignal?

struct BlomodelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blomodel",
        abstract: "Model, reformulate, solve and verify bilevel optimization problems.",
        version: "blomodel \(BlomodelVersion.current)",
        subcommands: [Solve.self, Check.self, Reformulate.self, Convert.self])
}

extension SolverChoice: ExpressibleByArgument {}

/// The model's text when it was read from standard input (`-`): diagnostics that point into it
/// quote it, and nothing opens a file named `<stdin>`.
nonisolated(unsafe) var standardInputSource: SourceFile?

/// The diagnostic with its source line: from standard input's text, or from the file on disk.
func quoted(_ d: Diagnostic) -> Diagnostic {
    if let source = standardInputSource, d.location?.file == source.path { return source.requoting(d) }
    return d.withSourceLine()
}

func printDiagnostic(_ error: Error) {
    let text: String
    switch error {
    case let d as Diagnostic: text = quoted(d).rendered
    case let list as DiagnosticList: text = list.diagnostics.map { quoted($0).rendered }.joined(separator: "\n")
    default: text = "error: \(error)"
    }
    FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
}

/// Warnings on standard error, as a compiler prints them (the source line and a caret).
func printWarnings(_ warnings: [Diagnostic]) {
    for w in warnings { FileHandle.standardError.write((quoted(w).rendered + "\n").data(using: .utf8)!) }
}

/// The model argument: `-` reads the model from standard input (CSV paths then relative to the
/// current directory).
let modelArgumentHelp = ArgumentHelp(
    "The model file (.blo), or - to read the model from standard input.",
    discussion: "A model read from standard input is named <stdin> in diagnostics, and its CSV paths are relative to the current directory.")

/// The `--aux` option of `solve` and `check`.
let auxHelp = ArgumentHelp(
    "The MibS aux file of an .mps model (the follower's variables, rows and objective).",
    discussion: "Without it, an .mps model's aux file is <basename>.aux, then <basename>.txt, as MibS looks for it; an .aux model names its MPS file with @MPS.")

/// Reads standard input when the model argument is `-`.
func readStandardInputIfAsked(_ file: String) throws -> SourceFile? {
    guard file == "-" else { return nil }
    let source = try exitingOnErrors { try Blomodel.readStandardInput() }
    standardInputSource = source
    return source
}

/// A line on standard error.
func printError(_ line: String) {
    FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
}

/// How much `solve` and `check` say on standard error besides errors (`--quiet`, `--verbose`).
struct Chattiness: ParsableArguments {
    @Flag(help: "Print nothing on standard error but errors: no warnings, no progress lines.") var quiet = false
    @Flag(help: "Print what each step does on standard error (parse, classification, route, solver calls with times) and progress lines from the start.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
    }

    /// The `--verbose` log: each line with the time since the command started, nil without `--verbose`.
    func log() -> (@Sendable (String) -> Void)? {
        guard verbose else { return nil }
        let start = Date()
        return { line in printError(String(format: "[%7.3f s] ", Date().timeIntervalSince(start)) + line) }
    }
}

/// Runs `body`; a diagnostic is printed and ends the command with exit 1 (an input error), any
/// other error is printed and ends it with exit 4.
func exitingOnErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as Diagnostic {
        printDiagnostic(e)
        throw ExitCode(ExitStatus.inputError.rawValue)
    } catch let e as DiagnosticList {
        printDiagnostic(e)
        throw ExitCode(ExitStatus.inputError.rawValue)
    } catch {
        printDiagnostic(error)
        throw ExitCode(ExitStatus.internalError.rawValue)
    }
}

/// `--solver`: a backend, or `auto` (by problem class, `SolverChoice.automatic`).
enum SolverFlag: String, CaseIterable, ExpressibleByArgument {
    case auto, glpk, cbc
    var choice: SolverChoice? { SolverChoice(rawValue: rawValue) }
}

struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Solve a .blo model (or a MibS instance) and verify the answer.")

    @Argument(help: modelArgumentHelp, completion: .file(extensions: ["blo", "mps", "aux"])) var file: String
    @Option(help: auxHelp, completion: .file(extensions: ["aux", "txt"])) var aux: String?
    @Option(
        help: ArgumentHelp(
            "The MILP backend: auto, glpk or cbc.",
            discussion: "auto: GLPK for integer followers (many small master MILPs), CBC for LP and QP followers; --explain says which and why."))
    var solver: SolverFlag = .auto
    @Option(name: .customLong("time-limit"), help: "Time limit of the whole run in wall-clock seconds.") var timeLimit: Double?
    @Option(help: "Relative MIP gap at which the solver may stop.") var gap: Double?
    @Option(name: .customLong("dual-bound"), help: "Bound for follower duals without a declared 'dualbound'.")
    var dualBound: Double?
    @Option(
        name: .customLong("oa-tolerance"),
        help: "Outer approximation (quadratic leader objectives) stops when upper - lower <= this x max(1, |upper|).")
    var oaTolerance: Double = 1e-6
    @Flag(
        name: .customLong("oa-milp-only"),
        help: "Outer approximation with the MILP solver alone (cutting planes at the masters' points), without Ipopt.")
    var oaMILPOnly = false
    @Flag(help: "Print one JSON object instead of the text report.") var json = false
    @Option(help: "Write the report to this file instead of standard output.", completion: .file()) var output: String?
    @Flag(help: "Print the classification, the plan and every big-M with its source.") var explain = false
    @Option(
        help: "Use this route instead of the planner's choice: branch-and-bound, exact-kkt, outer-approximation, value-function.",
        completion: .list(["branch-and-bound", "exact-kkt", "outer-approximation", "value-function"]))
    var route: String?
    @Option(name: .customLong("node-limit"), help: "Node limit of the M-free branch-and-bound; master MILPs of the value-function search.") var nodeLimit: Int = 100_000
    @Option(
        help: "Read the answer from this solution file (cbc's solu, glpsol's -w) of the program 'blomodel reformulate' exported, and verify it.",
        completion: .file())
    var solution: String?
    @OptionGroup var gradient: GradientFlags
    @OptionGroup var chattiness: Chattiness

    func validate() throws {
        try gradient.validate()
        if chattiness.quiet && json && explain {
            throw ValidationError("--explain with --json prints the explanation on standard error, which --quiet keeps for errors")
        }
        if let t = timeLimit, !(t > 0 && t.isFinite) { throw ValidationError("--time-limit must be a positive number of seconds") }
        if let g = gap, !(g >= 0 && g.isFinite) { throw ValidationError("--gap must be a nonnegative number") }
        if let d = dualBound, !(d > 0 && d < NumericRange.infiniteBound) {
            throw ValidationError("--dual-bound must be a positive number below 1e12 (larger bounds mean no bound)")
        }
        if !(oaTolerance > 0 && oaTolerance < 1) { throw ValidationError("--oa-tolerance must be in (0, 1)") }
        if nodeLimit < 1 { throw ValidationError("--node-limit must be a positive number of nodes") }
    }

    func run() throws {
        var options = BlomodelOptions()
        options.solver = solver.choice
        options.timeLimit = timeLimit
        options.relativeGap = gap
        options.bigM.dualBound = dualBound
        options.outerApproximationTolerance = oaTolerance
        options.outerApproximationMILPOnly = oaMILPOnly
        options.outputPath = output
        options.route = route
        options.nodeLimit = nodeLimit
        options.solutionFile = solution
        options.gradient = try gradient.options()
        if !chattiness.quiet { options.progress = { line in printError(line) } }
        if chattiness.verbose { options.progressAfter = 0 }
        options.log = chattiness.log()
        installInterruptHandler(quiet: chattiness.quiet)
        let input = try readStandardInputIfAsked(file)
        let report = try exitingOnErrors {
            if let input { return try Blomodel.solve(source: input, options: options) }
            printAuxNote(file: file, aux: aux, quiet: chattiness.quiet)
            return try Blomodel.solve(file: file, aux: aux, options: options)
        }
        if !chattiness.quiet { printWarnings(report.warnings) }
        var text = json ? report.json.render() + "\n" : report.text(explain: explain)
        if json && explain { FileHandle.standardError.write(report.explanation.data(using: .utf8)!) }
        if let output {
            do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                printDiagnostic(Diagnostic(.error, "cannot write '\(output)': \(error.localizedDescription)"))
                throw ExitCode(ExitStatus.internalError.rawValue)
            }
            text = ""
        }
        print(text, terminator: "")
        for (flag, path) in [("--trace", gradient.trace), ("--plot", gradient.plot)] {
            guard let path else { continue }
            guard let summary = report.gradient else {
                printDiagnostic(Diagnostic(.error, "\(flag): no gradient method ran (the route was \(report.route ?? "none")), so there is no trace to write"))
                throw ExitCode(ExitStatus.inputError.rawValue)
            }
            let content = flag == "--plot" ? summary.plot(model: report.modelName).svg : summary.traceText(json: path.hasSuffix(".json"))
            do { try content.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                printDiagnostic(Diagnostic(.error, "cannot write '\(path)': \(error.localizedDescription)"))
                throw ExitCode(ExitStatus.internalError.rawValue)
            }
        }
        options.log?("certification: \(report.certification.rawValue) (termination \(report.termination.rawValue))")
        if report.termination == .interrupted { throw ExitCode(interruptedExitStatus) }
        let status = ExitStatus(report.certification)
        if status != .answer { throw ExitCode(status.rawValue) }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse a .blo model and describe it: the class of each level, the follower's convexity, and the routes that can take it.")

    @Argument(help: modelArgumentHelp, completion: .file(extensions: ["blo", "mps", "aux"])) var file: String
    @Option(help: auxHelp, completion: .file(extensions: ["aux", "txt"])) var aux: String?
    @Flag(help: "Print the description as JSON.") var json = false
    @OptionGroup var chattiness: Chattiness

    func run() throws {
        let log = chattiness.log() ?? { _ in }
        var clock = Date()
        let input = try readStandardInputIfAsked(file)
        let model = try exitingOnErrors {
            if let input { return try Blomodel.load(source: input) }
            printAuxNote(file: file, aux: aux, quiet: chattiness.quiet)
            return try Blomodel.loadModel(file: file, aux: aux).model
        }
        log(
            "parse: \(model.name): \(model.variables.count) variable(s), \(model.constraints.count) constraint(s), \(model.warnings.count) warning(s) in \(String(format: "%.3f", Date().timeIntervalSince(clock))) s")
        if !chattiness.quiet { printWarnings(model.warnings) }
        // The exact routes' numeric range (small coefficients included), as solve applies it.
        try exitingOnErrors {
            var strict = model
            try Blomodel.enforceExactRange(&strict)
        }
        clock = Date()
        let d = ModelDescription.describe(model, lpSolver: SolverChoice.glpk.backend)
        log("description: \(d.exactClass ?? "beyond the exact routes") in \(String(format: "%.3f", Date().timeIntervalSince(clock))) s")
        var facts = ModelFacts(description: d)
        // The big-M proofs decide between the big-M program and the M-free branch-and-bound.
        if d.classification != nil {
            clock = Date()
            let r = try? Blomodel.reformulate(model)
            facts.bigM = r?.bigM
            facts.valueFunction = r.flatMap { ModelFacts.ValueFunctionFacts($0) }
            let proven = facts.bigM?.filter { $0.weakest == .proven }.count ?? 0
            log(
                "big-M proofs: \(facts.bigM.map { "\($0.count) complementarity pair(s), \(proven) proven" } ?? "the reformulation failed") in \(String(format: "%.3f", Date().timeIntervalSince(clock))) s")
        }
        let routes = Blomodel.routes(for: facts)
        let chosen = routes.first(where: \.assessment.accepted)?.name
        log("route: \(chosen ?? "none available")")
        if json {
            print(d.json(model: model, routes: routes).render())
        } else {
            let leader = model.variables.filter { $0.owner == .leader && $0.role == .decision }.count
            let follower = model.variables(of: .theFollower).count
            print("model      \(model.name)")
            print("class      \(d.exactClass ?? "beyond the exact routes (see below)")")
            print("leader     \(model.upperObjective.sense.rawValue) \(model.upperObjective.name); \(leader) variable(s), \(model.constraints(of: .leader).count) constraint(s)")
            print("follower   \(model.lowerObjective.sense.rawValue) \(model.lowerObjective.name); \(follower) variable(s), \(model.constraints(of: .theFollower).count) constraint(s)")
            print("description")
            for line in d.lines { print("  " + line) }
            if !d.termPlan.isEmpty {
                print("terms")
                for t in d.termPlan { print("  - \(t)") }
            }
            print("routes", terminator: "\n" + RoutePlanner.describe(routes))
            print("route      \(chosen ?? "none available: no route can take this model yet")")
        }
        // No available route: say why at the offending term, and fail like an input error.
        if chosen == nil {
            printDiagnostic(d.exactRefusal ?? Diagnostic(.error, "no route can solve this model with the available solvers"))
            throw ExitCode(ExitStatus.inputError.rawValue)
        }
    }
}

BlomodelCommand.main()

/// The gradient methods' options of `solve` (docs/gradient-methods.md).
struct GradientFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Solve by a gradient method: auto, \(GradientOptions.methods.map(\.name).joined(separator: ", ")) (a local answer).",
            discussion: GradientOptions.methods.map { "\($0.name): \($0.summary)" }.joined(separator: "\n")),
        completion: .list(["auto"] + GradientOptions.methods.map(\.name)))
    var method: String?
    @Option(help: "The leader's step size (halved while the leader's objective would get worse).") var step: Double = 1
    @Option(help: "The leader's iterations.") var iterations: Int = 1000
    @Flag(help: "The hypergradient methods' leader takes L-BFGS directions (10 pairs, on the variables not held at a bound) instead of gradient steps.")
    var lbfgs = false
    @Option(help: "Stop when the projected hypergradient is at most this (infinity norm).") var tolerance: Double = 1e-6
    @Option(name: .customLong("inner-steps"), help: "Iterative differentiation's follower steps K (and the Neumann series' terms).")
    var innerSteps: Int = 100
    @Option(help: "itd-truncated: differentiate through the last K' follower steps.") var truncation: Int = 10
    @Option(name: .customLong("inner-step"), help: "The follower's step in iterative differentiation (default 1/L).") var innerStep: Double?
    @Option(
        help: ArgumentHelp(
            "Start values, as name=value pairs separated by commas (x=1,w[2]=0.5), or @FILE.",
            discussion:
                "@FILE reads them from a file: a JSON report of an earlier solve (solve --json; its leader's and follower's variables), or lines name=value or name,value (a CSV with a header name,value is fine; # starts a comment)."
        )) var start: String?
    @Option(help: "Write the gradient method's trace (iteration, leader objective, stationarity, seconds) to this .csv or .json file.", completion: .file())
    var trace: String?
    @Option(help: "Draw the gradient method's convergence curves to this .svg file.", completion: .file()) var plot: String?
    @Option(help: "bda: the aggregation weight mu, a_t = mu / (t + 1) (default 0.5).") var mu: Double = 0.5
    @Option(help: "bome: the rate eta at which the value-function gap must decrease (default 0.5).") var eta: Double = 0.5
    @Option(help: "pbgd, pbgd-gradient: the penalty gamma on the value-function gap or on |grad_y f|^2 (default 100).") var penalty: Double = 100
    @Option(help: "aid-hessian-free: lambda in the Hessian's replacement lambda I (default: its largest eigenvalue L); aid-woodfisher: gamma in v v' + gamma I (default 1e-3 L).")
    var damping: Double?
    @Option(help: "cccp-bo: the proximal constant rho, the step being 1/rho (default: the leader objective's curvature at the start, doubled where the descent inequality fails; the theory needs rho >= L).")
    var rho: Double?
    @Option(help: "cccp-bo: the relaxation of the follower's optimality, f - min f <= epsilon (default 1e-4).") var epsilon: Double = 1e-4
    @Option(help: "igfm: the smoothing radius delta of the two-point estimates (default 1e-3).") var delta: Double = 1e-3
    @Option(help: "igfm: SGM's threshold theta, leader steps where f - f^ <= 2 theta (default 1e-8).") var theta: Double = 1e-8
    @Option(help: "igfm: the seed of the random directions (the same seed gives the same run; default 1).") var seed: UInt64 = 1

    func validate() throws {
        if let m = method, m != "auto", !GradientOptions.methods.contains(where: { $0.name == m }) {
            let names = ["auto"] + GradientOptions.methods.map(\.name)
            let hint = closestName(to: m, among: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw ValidationError("unknown --method '\(m)'\(hint); the methods are \(names.joined(separator: ", "))")
        }
        if !(step > 0 && step.isFinite) { throw ValidationError("--step must be a positive number") }
        if iterations < 0 { throw ValidationError("--iterations must be a nonnegative number") }
        if !(tolerance > 0 && tolerance.isFinite) { throw ValidationError("--tolerance must be a positive number") }
        if innerSteps < 1 { throw ValidationError("--inner-steps must be at least 1") }
        if truncation < 1 { throw ValidationError("--truncation must be at least 1") }
        if let e = innerStep, !(e > 0 && e.isFinite) { throw ValidationError("--inner-step must be a positive number") }
        if !(eta > 0 && eta.isFinite) { throw ValidationError("--eta must be a positive number") }
        if !(mu > 0 && mu < 1) { throw ValidationError("--mu must be in (0, 1)") }
        if !(penalty > 0 && penalty.isFinite) { throw ValidationError("--penalty must be a positive number") }
        if let d = damping, !(d > 0 && d.isFinite) { throw ValidationError("--damping must be a positive number") }
        if let r = rho, !(r > 0 && r.isFinite) { throw ValidationError("--rho must be a positive number") }
        if !(epsilon > 0 && epsilon.isFinite) { throw ValidationError("--epsilon must be a positive number") }
        if !(delta > 0 && delta.isFinite) { throw ValidationError("--delta must be a positive number") }
        if !(theta > 0 && theta.isFinite) { throw ValidationError("--theta must be a positive number") }
        _ = try startValues()
    }

    func startValues() throws -> [String: Double] {
        guard let start else { return [:] }
        if start.hasPrefix("@") { return try startFile(String(start.dropFirst())) }
        var values: [String: Double] = [:]
        // Names may hold commas inside brackets (w[1,2]=3): split at commas outside brackets.
        var depth = 0, current = "", parts: [String] = []
        for c in start {
            if c == "[" { depth += 1 }
            if c == "]" { depth -= 1 }
            if c == ",", depth == 0 { parts.append(current); current = "" } else { current.append(c) }
        }
        parts.append(current)
        for part in parts where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2, let v = Double(pieces[1]), v.isFinite else {
                throw ValidationError("--start: '\(part)' is not name=number")
            }
            values[pieces[0]] = v
        }
        return values
    }

    /// Start values from a file: a JSON report (its leader's and follower's variables) or
    /// name=value / name,value lines.
    func startFile(_ path: String) throws -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--start @\(path): cannot read the file")
        }
        var values: [String: Double] = [:]
        if path.hasSuffix(".json") {
            guard let report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw ValidationError("--start @\(path): not a JSON object (a report of solve --json is expected)")
            }
            for level in ["leader", "follower"] {
                guard let variables = (report[level] as? [String: Any])?["variables"] as? [String: Any] else { continue }
                for (name, value) in variables {
                    guard let v = (value as? NSNumber)?.doubleValue, v.isFinite else {
                        throw ValidationError("--start @\(path): the value of \(name) is not a finite number")
                    }
                    values[name] = v
                }
            }
            if values.isEmpty { throw ValidationError("--start @\(path): the report has no leader or follower variables") }
            return values
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("--start @\(path): not UTF-8 text") }
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty || (n == 0 && line.replacingOccurrences(of: " ", with: "") == "name,value") { continue }
            // The last '=' or ',' outside brackets separates the name from the value (w[1,2],3).
            var depth = 0, split: String.Index?
            for i in line.indices {
                if line[i] == "[" { depth += 1 }
                if line[i] == "]" { depth -= 1 }
                if depth == 0, line[i] == "=" || line[i] == "," { split = i }
            }
            guard let at = split, let v = Double(line[line.index(after: at)...].trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw ValidationError("--start @\(path):\(n + 1): '\(line)' is not name=number or name,number")
            }
            values[line[..<at].trimmingCharacters(in: .whitespaces)] = v
        }
        return values
    }

    func options() throws -> GradientOptions {
        var o = GradientOptions()
        o.method = method
        o.step = step
        o.iterations = iterations
        o.quasiNewton = lbfgs ? 10 : nil
        o.tolerance = tolerance
        o.innerSteps = innerSteps
        o.truncation = truncation
        o.innerStep = innerStep
        o.eta = eta
        o.mu = mu
        o.penalty = penalty
        o.damping = damping
        o.rho = rho
        o.epsilon = epsilon
        o.delta = delta
        o.theta = theta
        o.seed = seed
        o.start = try startValues()
        return o
    }
}
