import BlomodelCore
import Reformulations
import SolverInterface

/// A whole strategy for solving a classified bilevel model: which reformulation it relies on,
/// which solvers it calls and how it loops over them (one MILP, a sequence of master MILPs,
/// later a branch-and-bound or a gradient method).
///
/// Contract:
/// - `assess` is pure: from the classification and the solvers' declared capabilities alone it
///   says whether the route applies, and why in one sentence (printed by `--explain` and
///   `check`, and in the JSON report). It makes no solver call.
/// - `solve` is called only after `assess` accepted. It receives the output of the pass chain
///   (`Reformulated`) and the solvers as values, and returns why it stopped and the best point
///   in the columns of `Reformulated.standardForm`. It does not map the point back or verify it:
///   the facade does that the same way for every route.
/// - Input errors are thrown as `Diagnostic`s; solver outcomes (infeasible, time limit) are
///   returned in the outcome.
package protocol Route: Sendable {
    /// A short, stable name (`exact-kkt`), used in reports.
    var name: String { get }
    /// One line saying what the route does.
    var summary: String { get }
    /// Whether this route can solve a model of this class with solvers of these capabilities, and why.
    func assess(_ facts: ModelFacts, capabilities: RouteCapabilities) -> RouteAssessment
    /// Solves the reformulated model.
    func solve(_ problem: Reformulated, context: RouteContext) throws -> RouteOutcome
}

/// What the planner knows of a model when it assesses the routes.
package struct ModelFacts: Sendable {
    /// The exact routes' classification, when they can take the model.
    public var classification: Classification?
    /// Why the exact routes refuse the model, positioned at the offending term (nil when they take it).
    public var refusal: Diagnostic?
    /// The full description (what `blomodel check` computes), when available: the routes that
    /// take models beyond the exact class read it.
    public var description: ModelDescription?
    /// The big-M records of the pass chain (every M with its source), once they are proven:
    /// the planner prefers the M-free route when one of them is not proven.
    public var bigM: [BigMRecord]?
    /// The route the user forced (`--route`), if any.
    public var forcedRoute: String?
    /// The value-function program of an LP follower, when it can be built exactly, with what
    /// its multiplier bounds rest on (known once the bounds are proven): the planner prefers it
    /// when every bound it uses is proven.
    public var valueFunction: ValueFunctionFacts?

    /// What the planner knows of an LP follower's value-function program.
    public struct ValueFunctionFacts: Sendable, Equatable {
        /// Multiplier bounds the program uses, and how many of them are not proven.
        public var boundsUsed: Int
        public var boundsNotProven: Int
        /// Expansion bits and exact products the program adds.
        public var bits: Int
        public var products: Int
        /// The complementarity pairs (each a binary in the big-M program) its one row replaces.
        public var pairs: Int

        public init(boundsUsed: Int, boundsNotProven: Int, bits: Int, products: Int, pairs: Int) {
            self.boundsUsed = boundsUsed
            self.boundsNotProven = boundsNotProven
            self.bits = bits
            self.products = products
            self.pairs = pairs
        }

        /// The facts of a reformulated model's value-function program; nil for an integer
        /// follower or when the program cannot be built exactly.
        package init?(_ r: Reformulated) {
            guard !r.classification.hasIntegerFollower, r.classification.valueFunctionRefusal == nil,
                let vf = ValueFunctionReformulation.apply(
                    mpcc: r.complementarityModel, model: r.model, classification: r.classification, bigM: r.bigM)
            else { return nil }
            let records = Dictionary(r.bigM.map { ($0.pairIndex, $0) }, uniquingKeysWith: { a, _ in a })
            let notProven = vf.boundedPairs.filter { records[$0]?.dualSource.provenance != .proven }.count
            self.init(
                boundsUsed: vf.boundedPairs.count, boundsNotProven: notProven, bits: vf.bits, products: vf.products,
                pairs: r.complementarityModel.complementarities.count)
        }
    }

    /// Facts from the exact routes' classification alone (what `solve` has).
    public init(
        classification: Classification, bigM: [BigMRecord]? = nil, forcedRoute: String? = nil, valueFunction: ValueFunctionFacts? = nil
    ) {
        self.classification = classification
        self.bigM = bigM
        self.forcedRoute = forcedRoute
        self.valueFunction = valueFunction
    }

    /// Facts from a full description.
    public init(description: ModelDescription) {
        self.classification = description.classification
        self.refusal = description.exactRefusal
        self.description = description
    }

    /// Why the exact routes refuse, in one line with the position.
    var refusalText: String {
        guard let refusal else { return "the model is outside the exact routes' class" }
        return refusal.message + (refusal.location.map { " (\($0))" } ?? "")
    }
}

/// A route's verdict on a model, with the reason in words.
public struct RouteAssessment: Sendable, Equatable {
    /// True when the route can solve the model.
    public var accepted: Bool
    /// One sentence: why it applies, or what the model (or the solvers) would need.
    public var reason: String

    /// The route applies, because of `reason`.
    public static func accepted(_ reason: String) -> RouteAssessment { RouteAssessment(accepted: true, reason: reason) }
    /// The route does not apply, because of `reason`.
    public static func refused(_ reason: String) -> RouteAssessment { RouteAssessment(accepted: false, reason: reason) }
}

/// What a route receives besides the reformulated model.
package struct RouteContext: Sendable {
    /// The backends, by role.
    public var solvers: SolverSuite
    /// The user's time limit and gap, for the route's solver calls.
    public var options: SolveOptions
    /// Where progress lines go (standard error for the command line), or nil for none.
    public var progress: (@Sendable (String) -> Void)?
    /// Where a search's progress goes as values (library users: a progress bar, a log), at most
    /// every quarter of a second, or nil for none.
    public var searchProgress: (@Sendable (SearchProgress) -> Void)?
    /// Progress lines start once a search has run this long (seconds).
    public var progressAfter = 3.0

    /// A context from solvers and options.
    public init(solvers: SolverSuite, options: SolveOptions) {
        self.solvers = solvers
        self.options = options
    }
}

/// What a route produced.
package struct RouteOutcome: Sendable {
    /// Why it stopped, and the best point in the columns of `Reformulated.standardForm`.
    public var result: SolverResult
    /// Lines the route adds to the plan after the pass chain's (for `--explain`).
    public var plan: [String] = []
    /// Notes for the report (a heuristic answer, a failed polishing step, ...).
    public var notes: [String] = []
    /// Outer approximation's bounds and gap, when the route ran it.
    public var outerApproximation: OuterApproximationSummary?
    /// The value-function search's masters, cuts and bounds, when the route ran it.
    public var valueFunction: ValueFunctionSummary?
    /// The M-free branch-and-bound's nodes, bounds and gap, when the route ran it.
    public var branchAndBound: BranchAndBoundSummary?
    /// What an `optimal` termination rests on.
    public var basis: OptimalityBasis = .bigM
    /// The size of the program the route solved, when it is not `Reformulated.standardForm`
    /// (the value-function program): rows, columns, integer columns.
    public var programSize: (rows: Int, columns: Int, integers: Int)?

    /// An outcome from a solver result.
    public init(result: SolverResult, plan: [String] = [], notes: [String] = [], outerApproximation: OuterApproximationSummary? = nil) {
        self.result = result
        self.plan = plan
        self.notes = notes
        self.outerApproximation = outerApproximation
    }
}

/// What a route's `optimal` termination rests on, so the report can say what was proven.
public enum OptimalityBasis: Sendable, Equatable {
    /// The big-M program was solved to optimality: as strong as its M values (proven, user-given
    /// or default; the facade reads `Reformulated.bigM`).
    case bigM
    /// A search that assumed no M closed its gap: proven without assumptions.
    case withoutBigM
    /// A program that uses the multiplier bounds (dual M) of these complementarity pairs and no
    /// other M (the value-function program's exact products): as strong as those bounds.
    case multiplierBounds([Int])

    /// True when an answer of this basis rests on the multiplier bound of `record`'s pair.
    public func usesMultiplierBound(_ record: BigMRecord) -> Bool {
        switch self {
        case .bigM: return record.binaryColumn != nil
        case .withoutBigM: return false
        case .multiplierBounds(let pairs): return pairs.contains(record.pairIndex)
        }
    }
}

/// Where a long search is: what `RouteContext.searchProgress` (and the library's `onProgress`)
/// receives. Values are in the leader's sense (a maximising leader's bound is an upper bound).
public struct SearchProgress: Sendable, Equatable {
    /// The route searching (`branch-and-bound`).
    public var route: String
    /// Nodes solved so far, and nodes still open.
    public var nodes: Int
    public var open: Int
    /// The best bilevel-feasible value found so far, nil when there is none.
    public var incumbent: Double?
    /// The best proven bound on the optimum, nil when unknown.
    public var bound: Double?
    /// `|incumbent - bound| / max(1, |incumbent|)`, nil when either is unknown.
    public var relativeGap: Double?
    /// Seconds since the search started.
    public var seconds: Double

    public init(route: String, nodes: Int, open: Int, incumbent: Double?, bound: Double?, relativeGap: Double?, seconds: Double) {
        self.route = route
        self.nodes = nodes
        self.open = open
        self.incumbent = incumbent
        self.bound = bound
        self.relativeGap = relativeGap
        self.seconds = seconds
    }
}
