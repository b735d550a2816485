import BilevelAlgorithms
import Reformulations
import CbcBackend
import GLPKBackend
import IpoptBackend

/// The MILP backends users can choose.
public enum SolverChoice: String, CaseIterable, Sendable {
    case glpk, cbc

    public var backend: any SolverBackend {
        switch self {
        case .glpk: return GLPKBackend()
        case .cbc: return CbcBackend()
        }
    }

    /// The backend for a class of problem, when the user names none, with the reason (measured; docs/solvers.md, "Choosing"):
    /// - integer followers: GLPK. The value-function search solves many small master MILPs, and
    ///   CBC's set-up costs up to 25 ms a call (knapsack interdiction, 20 items: 0.22 s on GLPK,
    ///   3.1 s on CBC);
    /// - every route of an LP or QP follower (the value-function program, the big-M MILP, the
    ///   M-free branch-and-bound's MILPs, outer approximation's masters): CBC, faster on every
    ///   program that takes seconds (supply S4's big-M MILP 0.5 s against 27 s; a menu-pricing
    ///   value-function program proven in 56 s where GLPK stopped at 60 s with a 9 % gap), at the
    ///   price of its set-up on small ones (the natural toll ladder: 7-183 ms against 1-41 ms).
    public static func automatic(for classification: Classification) -> (SolverChoice, String) {
        if classification.hasIntegerFollower {
            return (.glpk, "integer follower: many small master MILPs, where GLPK's set-up is cheaper than CBC's")
        }
        return (.cbc, "CBC was faster on every program of this class that took seconds (GLPK only on small ones, by milliseconds)")
    }
}

/// Everything `solve` can be told.
public struct BlomodelOptions: Sendable {
    /// The MILP backend; nil: chosen by problem class once the model is classified
    /// (`SolverChoice.automatic(for:)`; the report and `--explain` say which and why).
    public var solver: SolverChoice?
    public var timeLimit: Double?
    public var relativeGap: Double?
    public var bigM = BigMOptions()
    /// Absolute tolerance (scaled by max(1, |value|)) of the follower re-solve check.
    public var verificationTolerance = 1e-6
    /// Outer approximation stops when (upper - lower) <= this x max(1, |upper|) (`--oa-tolerance`).
    public var outerApproximationTolerance = 1e-6
    /// Outer approximation with the MILP solver only (Kelley's cutting planes), without Ipopt's
    /// QP subproblems (`--oa-milp-only`): slower, but no second solver.
    public var outerApproximationMILPOnly = false
    /// A file the report will be written to (`--output`): refused before solving when it is the
    /// model or one of the files the model reads.
    public var outputPath: String?
    /// The gradient methods' method and options (`--method`; docs/gradient-methods.md).
    public var gradient = GradientOptions()
    /// The route to use instead of the planner's choice (`--route`).
    public var route: String?
    /// A solution file another solver wrote for the export of this model's program
    /// (`--solution`; `blomodel reformulate`): the point is read from it instead of solved for,
    /// then mapped back and verified like an answer of blomodel's own (docs/formats.md).
    public var solutionFile: String?
    /// The node limit of the M-free branch-and-bound (`--node-limit`).
    public var nodeLimit = 100_000
    /// Whether the M-free branch-and-bound first solves the big-M program as a seed (tests turn it
    /// off to exercise the search alone).
    public var branchAndBoundSeed = true
    /// Where progress lines of long searches go (the command line: standard error); nil for none.
    public var progress: (@Sendable (String) -> Void)?
    /// Where a long search reports where it is (nodes, incumbent, bound, gap), as values, at most
    /// every quarter of a second; nil for none.
    public var onProgress: (@Sendable (SearchProgress) -> Void)?
    /// Stops this solve when cancelled from another thread (or by the task's cancellation in
    /// `Bilevel.solve` from async code): the report then has the termination `interrupted` and
    /// the best point found so far.
    public var cancellation: Cancellation?
    /// The branch-and-bound's progress lines start once its search has run this long (seconds;
    /// `--verbose` makes it 0).
    public var progressAfter = 3.0
    /// Where the lines of `--verbose` go, one per step (parse, classification, reformulation,
    /// route, every solver call, verification); nil for none.
    public var log: (@Sendable (String) -> Void)?
    public init() {}
}

extension BlomodelOptions {
    /// The backends for these options, by role: the chosen MILP solver, GLPK for LPs whose
    /// duals are read (warm starts), Ipopt for convex QPs. The facade is the only code that
    /// instantiates concrete backends; everything below it receives them as values.
    package var solvers: SolverSuite {
        SolverSuite(milp: (solver ?? .glpk).backend, dualLP: SolverChoice.glpk.backend, qp: IpoptBackend(linearFeasibility: SolverChoice.glpk.backend))
    }

    /// The route planner for these options (outer approximation configured by them).
    package var routePlanner: RoutePlanner {
        RoutePlanner.standard(
            outerApproximation: OuterApproximationRoute(tolerance: outerApproximationTolerance, milpOnly: outerApproximationMILPOnly),
            branchAndBound: BranchAndBoundRoute(nodeLimit: nodeLimit, bigMSeed: branchAndBoundSeed),
            valueFunction: ValueFunctionRoute(iterationLimit: nodeLimit))
    }
}
