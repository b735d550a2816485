import BilevelAlgorithms
import BlomodelCore
import Foundation

/// What the solve produced, why it stopped, and how far the answer can be trusted.
public struct SolveReport: Sendable {
    public enum Status: String, Sendable {
        case optimal, infeasible, unbounded
        case timeLimit = "time_limit"
        case error
    }
    public enum Certification: String, Sendable {
        /// The follower re-solve agrees and every big-M is proven or user-given.
        case verified
        /// A point is reported but something could not be vouched for (see `certificationReasons`).
        case unverified
        /// The follower re-solve disagrees: the point is not an answer of the bilevel problem.
        case notBilevelFeasible = "not_bilevel_feasible"
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
    public var status: Status
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
    /// Outer approximation, when the leader's objective is quadratic: the bounds (in the
    /// leader's sense: `bound` is the best proven bound on the leader's optimum) and the gap.
    public var outerApproximation: OuterApproximationSummary?
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
