import BilevelAlgorithms
import BlomodelCore
import Foundation

/// What the solve produced, why it stopped, and how far the answer can be trusted.
public struct SolveReport: Sendable {
    /// Why the run stopped (apart from what it found: `certification`).
    public enum Termination: String, Sendable, CustomStringConvertible {
        /// The route ran to its end: an optimum, infeasibility or unboundedness was established
        /// (how firmly is the certification's business).
        case completed
        /// The time limit (`--time-limit`, wall clock) stopped it.
        case timeLimit = "time_limit"
        /// The node limit of the branch-and-bound (`--node-limit`) stopped it.
        case nodeLimit = "node_limit"
        /// SIGINT stopped it.
        case interrupted
        /// A solver failed, or a gradient method met a number that is not finite.
        case error
        /// A gradient method ran its iterations without reaching its tolerance.
        case iterationLimit = "iteration_limit"

        /// `completed`, `time_limit`, ...: the word the reports use.
        public var description: String { rawValue }
    }
    /// What was proven about the answer. One vocabulary for every route (docs/cli.md).
    public enum Certification: String, Sendable, CustomStringConvertible {
        /// The follower re-solve agrees, and optimality needs no assumption: every big-M is proven,
        /// or the M-free branch-and-bound closed its gap.
        case provenOptimal = "proven_optimal"
        /// Optimal if the user-given bounds named in the reasons hold (they could not be checked).
        case optimalIfBoundsHold = "optimal_if_bounds_hold"
        /// Bilevel feasible (the follower re-solve agrees), optimality unproven (see the reasons).
        case feasible
        /// A local answer of a gradient method, with its measured residuals.
        case local
        /// The follower re-solve disagrees: the point is not an answer of the bilevel problem.
        case notBilevelFeasible = "not_bilevel_feasible"
        /// No bilevel-feasible point exists (proven).
        case infeasible
        /// The leader's objective is unbounded over bilevel-feasible points (proven).
        case unbounded
        /// A point whose bilevel feasibility could not be checked (the follower's re-solve failed).
        case unverified
        /// The run stopped without an answer (see the termination and the reasons).
        case noAnswer = "no_answer"

        /// `proven_optimal`, `local`, ...: the word the reports use.
        public var description: String { rawValue }

        /// True when the report offers a bilevel-feasible point.
        public var hasAnswer: Bool { self == .provenOptimal || self == .optimalIfBoundsHold || self == .feasible || self == .local }
    }
    /// What a best bound bounds (`bestBound`).
    public enum BoundValidity: String, Sendable {
        /// The bilevel problem's optimum, without assumption (the M-free search, or a program
        /// whose every M is proven).
        case bilevel
        /// The bilevel problem's optimum if the user-given bounds named in the reasons hold.
        case ifBoundsHold = "if_bounds_hold"
        /// The big-M program's optimum only: it rests on default Ms that are not proven, so it does
        /// not bound the bilevel problem's optimum.
        case bigMProgram = "big_m_program"
    }
    public struct Timing: Sendable {
        public var parse = 0.0, reformulation = 0.0, solver = 0.0, verification = 0.0
    }

    public var modelName: String
    public var problemClass: String
    public var solver: String
    /// The route that solved the model (`exact-kkt`, `outer-approximation`).
    public var route: String?
    /// Every known route with its verdict on this model, in the planner's order.
    public var routes: [RouteCandidate] = []
    public var termination: Termination
    public var certification: Certification
    public var certificationReasons: [String]
    public var rawSolverStatus: String
    public var leaderObjectiveName: String
    public var leaderSense: ObjectiveSense
    public var leaderObjective: Double?
    public var followerObjectiveName: String
    public var followerSense: ObjectiveSense
    public var followerObjective: Double?
    /// Values by user names (`x`, `flow[1,2]`), in declaration order.
    public var leaderVariables: [(String, Double)] = []
    public var followerVariables: [(String, Double)] = []
    /// The follower's multipliers by constraint name (`>= 0` for inequalities of the
    /// follower in minimisation form; see docs/reformulations.md), bound multipliers as `bound_lb:x`.
    public var followerDuals: [(String, Double)] = []
    public var verification: Verification?
    public var mipGap: Double?
    /// The best proven bound on the leader's optimum, in the leader's sense (below the incumbent
    /// when minimising), when the route knows one: the M-free branch-and-bound's, outer
    /// approximation's, or the MILP solver's; `bestBoundValidity` says what it bounds.
    public var bestBound: Double?
    public var bestBoundValidity: BoundValidity?
    /// The relative gap between the incumbent (the leader's objective) and the best bound:
    /// `|incumbent - bound| / max(1, |incumbent|)`, nil without either.
    public var relativeGap: Double? {
        guard let bestBound, let leaderObjective else { return nil }
        let gap = leaderSense == .minimize ? leaderObjective - bestBound : bestBound - leaderObjective
        return max(0, gap) / max(1, abs(leaderObjective))
    }
    /// True when a limit or SIGINT stopped the run before it finished.
    public var stoppedEarly: Bool {
        termination == .timeLimit || termination == .nodeLimit || termination == .interrupted || termination == .iterationLimit
    }
    /// Outer approximation, when the leader's objective is quadratic: the bounds (in the
    /// leader's sense: `bound` is the best proven bound on the leader's optimum) and the gap.
    public var outerApproximation: OuterApproximationSummary?
    /// The value-function search's masters, cuts and bounds (an integer follower), when it ran.
    public var valueFunction: ValueFunctionSummary?
    /// The M-free branch-and-bound's nodes, bounds and gap, when the route ran it.
    public var branchAndBound: BranchAndBoundSummary?
    /// A gradient method's run: its iterations, residuals and trace, when a gradient route ran.
    public var gradient: GradientSummary?
    public var bigM: [BigMRecord] = []
    public var plan: [String] = []
    public var classificationReasons: [String] = []
    /// Which pass handles each quadratic or bilinear term.
    public var termPlan: [String] = []
    public var rows = 0, columns = 0, binaries = 0
    public var notes: [String] = []
    /// What was said about the model without refusing it (numbers treated as infinite), with positions.
    public var warnings: [Diagnostic] = []
    public var timing = Timing()
}

/// What a gradient method did (docs/gradient-methods.md): its stationarity measure and the
/// follower's optimality at the answer, measured, and why the run stopped.
public struct GradientSummary: Sendable {
    /// `aid-cg`, `itd-reverse`, ...
    public var method: String
    public var iterations: Int
    /// `converged`, `iteration_limit`, `time_limit`, `interrupted`, `not_finite`, `stalled`.
    public var stop: String
    /// The projected hypergradient's size `|x - P(x - grad Phi)|_inf` at the answer.
    public var stationarity: Double
    /// `f(x, y) - min_y f(x, y)` at the answer (follower's minimisation form), with the minimum
    /// solved again to high accuracy from two starts.
    public var followerGap: Double
    /// The follower's stationarity at the answer.
    public var followerStationarity: Double
    /// Whether the follower is convex in its own variables (nil: not shown either way): then
    /// `followerGap` is exact, otherwise it is the best of the starts tried.
    public var followerConvex: Bool?
    /// What the method's assumptions said (a singular Hessian, ...), each once.
    public var warnings: [String]
    /// One row per leader iteration.
    public var trace: [TraceRow]

    /// What `stationarity` measures: the projected hypergradient, or for the methods that move
    /// x and y together the projected step of their joint direction.
    public var measureName: String {
        switch method {
        case "bvfim": return "projected barrier step"
        case "cccp-bo": return "|g_k| = rho |z_k - z_k+1| (best iterate)"
        case "igfm": return "Goldstein estimate |grad phi_delta|"
        default: return ["bome", "pbgd", "pbgd-gradient"].contains(method) ? "projected joint direction" : "projected hypergradient"
        }
    }

    public struct TraceRow: Sendable, Equatable {
        public var iteration: Int
        public var leaderObjective: Double
        public var stationarity: Double
        public var followerStationarity: Double
        public var step: Double
        public var seconds: Double
    }
}
