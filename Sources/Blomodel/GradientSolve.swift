import BilevelAlgorithms
import BlomodelCore
import Foundation
import GradientMethods
import IpoptBackend
import Reformulations

/// The gradient methods' options (`--method`, `--step`, ...; docs/gradient-methods.md).
public struct GradientOptions: Sendable {
    /// The method (`GradientOptions.methods`, or `auto`); nil: only when no exact route takes the model.
    public var method: String?
    /// The leader's step (halved while the hyper-objective would rise).
    public var step = 1.0
    /// The leader's iterations.
    public var iterations = 1000
    /// The hypergradient methods' leader takes L-BFGS directions with this many pairs (`--lbfgs`:
    /// 10) instead of projected gradient steps; nil: gradient steps.
    public var quasiNewton: Int?
    /// Stop when the projected hypergradient `|x - P(x - grad Phi)|_inf` is at most this.
    public var tolerance = 1e-6
    /// Iterative differentiation's follower steps K (and the Neumann series' terms).
    public var innerSteps = 100
    /// `itd-truncated`: differentiate through the last K' of the K steps.
    public var truncation = 10
    /// The follower's step in iterative differentiation and the Neumann series (nil: 1/L, with L
    /// the follower Hessian's largest eigenvalue by power iteration at the start).
    public var innerStep: Double?
    /// Start values by variable name (`x`, `w[3]`); others start at the middle of their box, or 0.
    public var start: [String: Double] = [:]
    /// Called after every leader iteration with its trace row; return true to stop.
    public var shouldStop: (@Sendable (GradientSummary.TraceRow) -> Bool)?
    public init() {}

    /// The methods, with what each computes.
    public static let methods: [(name: String, summary: String)] = [
        ("aid-cg", "implicit differentiation, the follower's Hessian system by conjugate gradients"),
        ("aid-neumann", "implicit differentiation, the inverse Hessian by a Neumann series"),
        ("aid-exact", "implicit differentiation, the follower's Hessian factorised (LU, LAPACK)"),
        ("itd-reverse", "iterative differentiation through K follower gradient steps, reverse mode"),
        ("itd-forward", "iterative differentiation through K follower gradient steps, forward mode"),
        ("itd-truncated", "iterative differentiation, reverse mode through the last K' of K steps"),
        ("bda", "bilevel descent aggregation: follower steps on a mix of both objectives, differentiated through (BDA)"),
        ("bome", "value function: x and y together, the direction closest to grad F that decreases the value-function gap (BOME)"),
        ("pbgd", "value function: x and y together, descent on F + gamma (f - min f) (penalty-based gradient descent)"),
        ("pbgd-gradient", "x and y together, descent on F + gamma |grad_y f|^2 (penalty-based gradient descent, gradient penalty)"),
        ("aid-hessian-free", "implicit differentiation with the follower's Hessian replaced by lambda I (one mixed product, no solve; seed 001)"),
        ("aid-woodfisher", "implicit differentiation with the follower's Hessian approximated by v v' + gamma I (one-shot WoodFisher, seed 001)"),
        ("itd-sign", "K sign-gradient follower steps; the hypergradient is F_x at their end (signGD, seed 001)"),
        ("bvfim", "value function: log-barrier descent in x and y on the relaxed value-function constraint (BVFIM)"),
        ("cccp-bo", "value function with tolerance epsilon: projected gradient steps on the linearised relaxed problem (CCCP-BO, seed 002); needs a jointly convex follower"),
        ("igfm", "zeroth-order descent on the optimistic hyper-objective with the switching gradient method as oracle (IGFM, seed 003)"),
    ]
    /// `aid-hessian-free`'s lambda and `aid-woodfisher`'s gamma (`--damping`; nil: the follower
    /// Hessian's largest eigenvalue L, and 1e-3 L).
    public var damping: Double?
    /// `cccp-bo`'s proximal constant rho (`--rho`; nil: the leader objective's curvature at the
    /// start, doubled where the descent inequality fails).
    public var rho: Double?
    /// `cccp-bo`'s relaxation of the follower's optimality, `f - v(x) <= epsilon` (`--epsilon`).
    public var epsilon = 1e-4
    /// `igfm`'s smoothing radius delta (`--delta`).
    public var delta = 1e-3
    /// `igfm`'s switching threshold theta of SGM (`--theta`).
    public var theta = 1e-8
    /// `igfm`'s random directions' seed (`--seed`): the same seed gives the same run.
    public var seed: UInt64 = 1
    /// BDA's aggregation weight: `a_t = mu / (t + 1)` (`--mu`).
    public var mu = 0.5
    /// BOME's rate `eta` (`--eta`).
    public var eta = 0.5
    /// PBGD's penalty `gamma` (`--penalty`).
    public var penalty = 100.0

    /// The methods that take linear constraints in the follower (docs/gradient-methods.md).
    /// (BOME's direction is built for followers without constraints (Liu et al. 2022): with a
    /// projection onto rows it stopped 0.07 away from the follower's optimum on a test model.)
    static let methodsTakingFollowerRows: Set<String> = ["aid-cg", "aid-neumann", "aid-exact", "pbgd"]

    var isValueFunction: Bool { method == "bome" || method == "pbgd" || method == "pbgd-gradient" }

    func rule(_ name: String) -> HypergradientRule? {
        switch name {
        case "aid-cg": return .aidCG(iterations: 500, tolerance: 1e-10)
        case "aid-neumann": return .aidNeumann(terms: innerSteps, eta: innerStep)
        case "aid-exact": return .aidExact
        case "itd-reverse": return .itdReverse(steps: innerSteps, eta: innerStep, truncation: nil)
        case "itd-forward": return .itdForward(steps: innerSteps, eta: innerStep)
        case "itd-truncated": return .itdReverse(steps: innerSteps, eta: innerStep, truncation: truncation)
        case "bda": return .bda(steps: innerSteps, eta: innerStep, mu: mu)
        case "aid-hessian-free": return .aidHessianFree(damping: damping)
        case "aid-woodfisher": return .aidWoodFisher(damping: damping)
        case "itd-sign": return .itdSign(steps: innerSteps, beta: innerStep)
        default: return nil
        }
    }
}

extension Blomodel {
    /// Why the planner sends a model to the gradient methods, or nil when it does not: a method
    /// was asked for, or no exact route takes the model and the gradient methods do.
    static func gradientReason(_ model: BilevelModel, options: BlomodelOptions, exactRefusal: Diagnostic?) -> String? {
        if let m = options.gradient.method { return "--method \(m) was given" }
        guard let exactRefusal, options.route == nil, SmoothBilevel.refusal(model) == nil else { return nil }
        // A follower shown not convex is not sent to a local method unasked: the exact route's
        // refusal (at the nonconvex term) stands; --method runs it anyway and reports.
        if ModelDescription.describe(model, lpSolver: nil).followerConvex == false { return nil }
        return "the exact routes refuse the model (\(exactRefusal.message)); it is smooth with box-bounded continuous variables"
    }

    /// Solves a smooth model by a gradient method: a local answer, with its residuals measured.
    static func solveByGradients(_ model: BilevelModel, reason: String, options: BlomodelOptions) throws -> SolveReport {
        let log = options.log ?? { _ in }
        let requested = options.gradient.method ?? "auto"
        var description: ModelDescription?
        description = ModelDescription.describe(model, lpSolver: nil)
        let name: String
        var why: String
        if requested == "auto" {
            // Implicit differentiation where the follower is shown strongly convex (its Hessian
            // invertible), iterative differentiation otherwise.
            if let d = description, d.followerStrongConvexity != nil {
                name = "aid-cg"
                why = "auto: the follower is strongly convex in its own variables, so implicit differentiation applies"
            } else if !model.constraints.allSatisfy({ $0.owner == .leader }) {
                name = "pbgd"
                why = "auto: the follower's strong convexity is not shown and it has constraints, so the value-function penalty method, which takes them (BOME does not)"
            } else {
                name = "bome"
                why = "auto: the follower's strong convexity is not shown (its optimal responses may not be unique), so a value-function method, which targets the leader's best response"
            }
        } else {
            name = requested
            why = "asked for"
        }
        let joint: JointRule? =
            switch name {
            case "bome": .bome(eta: options.gradient.eta)
            case "pbgd": .pbgd(gamma: options.gradient.penalty)
            case "pbgd-gradient": .pbgdGradient(gamma: options.gradient.penalty)
            default: nil
            }
        guard let rule = options.gradient.rule(name) ?? (joint != nil || GradientOptions.ownLoops.contains(name) ? .aidExact : nil) else {
            throw Diagnostic(
                .error, "unknown gradient method '\(name)'",
                notes: (closestName(to: name, among: GradientOptions.methods.map(\.name)).map { ["did you mean '\($0)'?"] } ?? [])
                    + ["the methods are auto, " + GradientOptions.methods.map(\.name).joined(separator: ", ")])
        }
        let problem: SmoothBilevel
        do { problem = try SmoothBilevel.make(model, quadraticSolver: options.solvers.qp, nonemptySetSolver: IpoptBackend()) } catch let r as GradientRefusal {
            throw Diagnostic(.error, "the gradient methods cannot take this model: \(r.reason)", at: r.location).withSourceLine()
        }
        if let row = problem.followerRows.rows.first, !GradientOptions.methodsTakingFollowerRows.contains(name) {
            throw Diagnostic(
                .error,
                "\(name) cannot take this model: it has linear follower constraints (\(row.name) is one), which \(name) does not handle; the methods that do are \(GradientOptions.methodsTakingFollowerRows.sorted().joined(separator: ", "))",
                at: row.location
            ).withSourceLine()
        }
        let methodNotes = try methodRequirements(name, model)
        var report = SolveReport(
            modelName: model.name, problemClass: description.map { "smooth bilevel (\($0.leader.objective.expressionClass.rawValue) leader, \($0.follower.objective.expressionClass.rawValue) follower)" } ?? "smooth bilevel",
            solver: "gradient", termination: .error, certification: .noAnswer, certificationReasons: [], rawSolverStatus: "",
            leaderObjectiveName: model.upperObjective.name, leaderSense: model.upperObjective.sense,
            followerObjectiveName: model.lowerObjective.name, followerSense: model.lowerObjective.sense)
        report.warnings = model.warnings
        report.route = "gradient-methods"
        report.plan = ["gradient route: \(reason)", "method \(name): \(why)"] + methodNotes
        log("route: gradient-methods: \(reason)")
        log("method: \(name): \(why)")

        // Start values by name.
        let split = problem.split
        var xStart = SmoothBilevel.start(problem.xLower, problem.xUpper)
        var yStart = SmoothBilevel.start(problem.yLower, problem.yUpper)
        let known = Set(model.variables.map(\.name))
        for key in options.gradient.start.keys.sorted() where !known.contains(key) {
            throw Diagnostic(
                .error, "the start names '\(key)', which is not a variable of the model",
                notes: closestName(to: key, among: Array(known).sorted()).map { ["did you mean '\($0)'?"] } ?? [])
        }
        // The model's start values (`var x := 2;`), then the options' (`--start`), which win.
        for (k, j) in split.leader.enumerated() { if let v = model.variables[j].start { xStart[k] = v } }
        for (k, j) in split.follower.enumerated() { if let v = model.variables[j].start { yStart[k] = v } }
        for (k, j) in split.leader.enumerated() { if let v = options.gradient.start[model.variables[j].name] { xStart[k] = v } }
        for (k, j) in split.follower.enumerated() { if let v = options.gradient.start[model.variables[j].name] { yStart[k] = v } }

        var o = LeaderDescent.Options()
        o.rule = rule
        o.step = options.gradient.step
        o.quasiNewton = options.gradient.quasiNewton
        o.control.maximumIterations = options.gradient.iterations
        o.control.tolerance = options.gradient.tolerance
        o.control.leaderStart = xStart
        o.control.followerStart = yStart
        o.control.deadline = options.timeLimit.map { Date().addingTimeInterval($0) }
        let stop = options.gradient.shouldStop
        let progress = options.progress
        let clock = Date()
        let printer = GradientProgressClock()
        o.control.shouldStop = { row in
            if let progress, row.seconds >= 1, printer.due(row.seconds) {
                progress(
                    "\(name): iteration \(row.iteration), leader objective \(formatNumber(row.leaderObjective)), |proj grad| \(String(format: "%.3g", row.stationarity)), \(String(format: "%.1f", row.seconds)) s")
            }
            return stop?(
                GradientSummary.TraceRow(
                    iteration: row.iteration, leaderObjective: row.leaderObjective, stationarity: row.stationarity,
                    followerStationarity: row.followerStationarity, step: row.step, seconds: row.seconds)) ?? false
        }
        let run: LeaderDescent.Result
        if let own = runOwnLoop(name, problem, o, options.gradient) {
            run = own
        } else if let joint {
            var j = JointDescent.Options()
            j.rule = joint
            j.step = options.gradient.step
            j.control = o.control
            j.innerSteps = options.gradient.innerSteps
            j.innerStep = options.gradient.innerStep
            run = JointDescent(options: j).run(problem)
        } else {
            run = LeaderDescent(options: o).run(problem)
        }
        report.timing.solver = Date().timeIntervalSince(clock)

        // The residuals, measured: the follower solved again to high accuracy at the answer's x,
        // from the answer's y and from the box's middle.
        let check = Date()
        let strict = FollowerSolver(tolerance: 1e-12, maximumIterations: 5_000)
        var solves = [run.y, SmoothBilevel.start(problem.yLower, problem.yUpper)].map { strict.solve(problem, x: run.x, from: $0) }
        // A re-solve can stop where the gradient vanishes at a saddle or a maximum of a nonconvex
        // follower (both starts stationary there): from a point of negative curvature, two more
        // starts along that direction.
        for r in solves where r.finite {
            guard let d = problem.negativeCurvatureDirection(run.x, r.y) else { continue }
            let t = 0.1 * max(1, r.y.map { abs($0) }.max() ?? 0)
            for step in [t, -t] { solves.append(strict.solve(problem, x: run.x, from: zip(r.y, d).map { $0 + step * $1 })) }
            break
        }
        let best = solves.filter(\.finite).min { $0.value < $1.value }
        // The follower's part of the answer: iterative differentiation and BDA end their K steps
        // near the follower's optimum, not at it; the answer is the leader's x with the follower's
        // response computed to high accuracy from there (implicit methods have it already; the
        // value-function methods' y is theirs, and its gap is what they are judged by).
        let y = !GradientOptions.keepsItsFollowerPoint(name) && solves[0].finite ? solves[0].y : run.y
        if !GradientOptions.keepsItsFollowerPoint(name), solves[0].finite, zip(y, run.y).contains(where: { abs($0 - $1) > 1e-9 * max(1, abs($1)) }) {
            report.plan.append("the follower's response at the answer was solved to high accuracy from the method's last iterate")
        }
        let atPoint = problem.lowerValue(run.x, y)
        let followerOptimum = best?.value ?? .nan
        let gap = max(0, atPoint - followerOptimum)
        let convex = description?.followerConvex
        let tolerance = options.verificationTolerance * max(1, abs(followerOptimum))
        let sense = model.lowerObjective.sense.sign
        // Both levels' rows at the point (the boxes hold by construction: every iterate is projected).
        let violation = max(problem.leaderRows.maxViolation(run.x, y), problem.followerRows.maxViolation(run.x, y))
        let rowsHold = violation <= options.verificationTolerance
        report.verification = Verification(
            outcome: !gap.isFinite ? .solverFailure : gap <= tolerance && rowsHold ? .optimal : .suboptimal,
            followerOptimum: followerOptimum.isFinite ? sense * followerOptimum : nil, followerAtPoint: sense * atPoint, gap: gap,
            maxViolation: violation,
            detail: gap.isFinite
                ? "the follower solved again at the leader's decision from \(solves.count) starts (\(problem.followerRows.isEmpty ? "projected gradient and Newton steps" : "Newton steps with QP subproblems for its rows")): gap \(formatNumber(gap))"
                    + (convex == true ? " (the follower is convex: its minimum)" : " (the follower's convexity is not shown: the best of the starts)")
                : "the follower's re-solve gave no finite value",
            seconds: Date().timeIntervalSince(check))
        report.timing.verification = Date().timeIntervalSince(check)

        report.gradient = GradientSummary(
            method: name, iterations: run.iterations, stop: run.stop.rawValue, stationarity: run.stationarity, followerGap: gap,
            followerStationarity: best?.stationarity ?? .nan, followerConvex: convex, warnings: run.warnings,
            trace: run.trace.map {
                GradientSummary.TraceRow(
                    iteration: $0.iteration, leaderObjective: $0.leaderObjective, stationarity: $0.stationarity,
                    followerStationarity: $0.followerStationarity, step: $0.step, seconds: $0.seconds)
            })
        report.rawSolverStatus = "\(name): \(run.stop.rawValue) after \(run.iterations) iteration(s)"
        switch run.stop {
        case .converged, .stalled: report.termination = .completed
        case .iterationLimit: report.termination = .iterationLimit
        case .timeLimit: report.termination = .timeLimit
        case .interrupted: report.termination = .interrupted
        case .notFinite, .diverging: report.termination = .error
        }
        log("\(name) finished: \(run.stop.rawValue) after \(run.iterations) iteration(s), |proj grad| \(String(format: "%.3g", run.stationarity)), follower gap \(String(format: "%.3g", gap))")

        // The point, by the model's names.
        let point = split.combine(leader: run.x, follower: y)
        report.leaderVariables = split.leader.map { (model.variables[$0].name, clean(point[$0])) }
        report.followerVariables = split.follower.map { (model.variables[$0].name, clean(point[$0])) }
        report.leaderObjective = clean(problem.upperSign * problem.upperValue(run.x, y))
        report.followerObjective = clean(sense * atPoint)
        if run.stop == .diverging {
            report.certification = .noAnswer
            report.certificationReasons = [
                "the run diverged \(run.notFinite ?? ""): the leader's objective may be unbounded over the boxes (give the leader's variables bounds), or the step is too long (--step)"
            ]
            return report
        }
        guard report.leaderObjective!.isFinite, atPoint.isFinite else {
            report.certification = .noAnswer
            report.certificationReasons = ["the method's last point has no finite objective value" + (run.notFinite.map { " (\($0))" } ?? "")]
            report.leaderObjective = nil
            report.followerObjective = nil
            return report
        }

        // What the point is: local (stationary, the follower optimal at it), bilevel feasible only,
        // or not bilevel feasible.
        var reasons: [String] = []
        let measureName = report.gradient?.measureName ?? "projected hypergradient"
        if let nf = run.notFinite { reasons.append("a number that is not finite appeared \(nf); the last finite iterate is reported") }
        // The assumptions that failed at the answer: for the leader's loop, its last
        // hypergradient's warning (earlier iterates' are reported as such); otherwise every warning.
        let failed = run.warningsPerIterate ? [run.lastWarning].compactMap { $0 } : run.warnings
        reasons += failed.map { "\(name): \($0)" }
        let earlier = run.warningsPerIterate ? run.warnings.filter { $0 != run.lastWarning } : []
        var stationary = run.stop == .converged
        // A hypergradient is the derivative of F(x, y(x)) along one response y(x): it is the
        // optimistic problem's only where the follower's answer is unique, which an isolated
        // minimum (a positive definite Hessian on the free coordinates) shows locally. There, the
        // exact implicit hypergradient at the answer is the measured residual, whatever the method
        // (iterative differentiation and BDA differentiate K steps, which biases theirs).
        var nonUniqueResponse: String?
        var measured: Double?
        if joint == nil, !GradientOptions.ownLoops.contains(name) {
            let scale = max(1, abs(followerOptimum))
            if let lambda = problem.smallestFollowerEigenvalue(run.x, y) {
                if lambda <= 1e-8 * scale {
                    // BDA aims at the leader's best response among several: not downgraded for it.
                    if name != "bda" {
                        nonUniqueResponse = lambda < -1e-8 * scale
                        ? "the follower's Hessian is not positive semidefinite at the answer (smallest eigenvalue \(String(format: "%.2g", lambda)) on its free variables: the follower is not convex there)"
                        : "the follower's Hessian is singular at the answer (smallest eigenvalue \(String(format: "%.2g", lambda)) on its free variables)"
                    }
                } else {
                    let h = problem.hypergradient(run.x, yStart: y, rule: .aidCG(iterations: 1000, tolerance: 1e-12), follower: strict)
                    let moved = problem.projectLeader(zip(run.x, h.gradient).map { $0 - $1 })
                    let m = zip(run.x, moved).map { abs($0 - $1) }.max() ?? 0
                    if m.isFinite, h.warning == nil { measured = m }
                }
            } else if problem.followerCount > 2000 {
                reasons.append("the follower's Hessian was not checked for singularity (more than 2000 free variables)")
            }
        }
        if let m = measured, stationary, m > 10 * options.gradient.tolerance {
            stationary = false
            reasons.append(
                "\(name) stopped where its own hypergradient vanished (\(String(format: "%.2g", run.stationarity))), but the exact implicit hypergradient at the answer is \(String(format: "%.2g", m)): the method's hypergradient is biased here (more --inner-steps, or an aid-* method)")
        }
        if let m = measured { report.gradient?.stationarity = m }
        if !rowsHold {
            report.certification = .notBilevelFeasible
            reasons.insert("the point violates the constraints by \(formatNumber(violation)) (relative)", at: 0)
        } else if !gap.isFinite || gap > tolerance {
            report.certification = .notBilevelFeasible
            reasons.insert(
                "the follower is not optimal at the answer: it could do better by \(formatNumber(gap)) (solved again to high accuracy)", at: 0)
        } else if stationary, failed.isEmpty, let why = nonUniqueResponse {
            report.certification = .feasible
            reasons.insert(
                "the follower is optimal at the point and \(name) is stationary, but \(why): the follower's optimal responses may not be unique, and the hypergradient follows the response the method found, not the leader's best one (optimistic); a value-function method (--method bome) targets the optimistic problem",
                at: 0)
        } else if stationary, failed.isEmpty {
            report.certification = .local
            reasons.insert(
                "a local answer of \(name): \(measured == nil ? measureName : "exact projected hypergradient at the answer") \(String(format: "%.2g", measured ?? run.stationarity)) <= \(String(format: "%.2g", measured == nil ? options.gradient.tolerance : 10 * options.gradient.tolerance)), follower gap \(String(format: "%.2g", gap))"
                    + (convex == true ? "" : "; the follower's convexity is not shown, so its gap is measured from \(solves.count) starts only"),
                at: 0)
        } else {
            report.certification = .feasible
            reasons.insert(
                stationary
                    ? "the follower is optimal at the point, but the hypergradient rests on an assumption that failed (below)"
                    : run.stop == .converged
                        ? "the follower is optimal at the point, but the point is not stationary (below)"
                        : "the follower is optimal at the point, but the method stopped (\(run.stop.rawValue)) with \(measureName) \(String(format: "%.2g", run.stationarity)) above the tolerance \(String(format: "%.2g", options.gradient.tolerance))",
                at: 0)
        }
        reasons += earlier.map { "\(name), at an earlier iterate (not at the answer): \($0)" }
        if report.certification == .feasible, convex != true {
            reasons.append("the follower's convexity is not shown: its gap was measured from \(solves.count) starts only")
        }
        report.certificationReasons = reasons + methodCertificationNotes(name, gap: gap, options.gradient)
        return report
    }
}

/// When the last progress line was printed (one line every two seconds).
final class GradientProgressClock: @unchecked Sendable {
    private var next = 0.0
    func due(_ elapsed: Double) -> Bool {
        guard elapsed >= next else { return false }
        next = elapsed + 2
        return true
    }
}

extension GradientSummary {
    /// The trace as CSV (a header row, then one row per iteration) or as a JSON array.
    public func traceText(json: Bool) -> String {
        if json {
            return JSONValue.array(
                trace.map {
                    .object([
                        ("iteration", .number(Double($0.iteration))), ("leader_objective", .number($0.leaderObjective)),
                        ("stationarity", .number($0.stationarity)), ("follower_stationarity", .number($0.followerStationarity)),
                        ("step", .number($0.step)), ("seconds", .number($0.seconds)),
                    ])
                }
            ).render() + "\n"
        }
        var s = "iteration,leader_objective,stationarity,follower_stationarity,step,seconds\n"
        for r in trace {
            s += "\(r.iteration),\(r.leaderObjective),\(r.stationarity),\(r.followerStationarity),\(r.step),\(r.seconds)\n"
        }
        return s
    }
}
