import BlomodelCore

/// Why the solver stopped. Kept apart from whether it has a point to offer.
public enum TerminationStatus: String, Sendable {
    case optimal
    case infeasible
    case unbounded
    /// The solver proved one of the two but could not say which.
    case infeasibleOrUnbounded = "infeasible_or_unbounded"
    case timeLimit = "time_limit"
    /// A node limit stopped a branch-and-bound.
    case nodeLimit = "node_limit"
    /// The user interrupted the run (SIGINT).
    case interrupted
    case error
}

/// Options every backend understands.
public struct SolveOptions: Sendable {
    /// Wall-clock limit in seconds.
    public var timeLimit: Double?
    /// Relative MIP gap at which to stop.
    public var relativeGap: Double?
    /// Integrality tolerance for the MIP search, deliberately tighter than GLPK's
    /// default 1e-5: a binary left at 1e-5 times a big-M of 1e5 would relax a
    /// complementarity by a whole unit. What remains (1e-7 times M) is removed by
    /// polishing (the LP re-solved with the binaries fixed) and checked by the verifier.
    public var integralityTolerance: Double = 1e-7
    /// A feasible point to start the MIP search from (backends that cannot use one ignore it).
    public var startingPoint: [Double]?
    /// Gomory mixed-integer cuts, where the backend makes them optional (GLPK). Outer
    /// approximation re-solves a master without them when its bound crosses a feasible
    /// point's value: on masters with hundreds of dense cut rows GLPK's Gomory cuts once
    /// gave such a wrong bound.
    public var gomoryCuts = true

    public init(timeLimit: Double? = nil, relativeGap: Double? = nil) {
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
    }

    /// Rejects options no library should see (backends call this with `StandardForm.validate`).
    public func validate() throws {
        if let t = timeLimit, !(t > 0) { throw SolverError.invalidProblem("time limit must be positive") }
        if let g = relativeGap, !(g >= 0) { throw SolverError.invalidProblem("gap must be nonnegative") }
        if !(integralityTolerance > 0 && integralityTolerance < 0.5) {
            throw SolverError.invalidProblem("integrality tolerance must be in (0, 0.5)")
        }
    }
}

/// What a backend returns.
public struct SolverResult: Sendable {
    public var termination: TerminationStatus
    /// The primal point, when the solver has one (it may have one at a time limit).
    public var solution: [Double]?
    public var objective: Double?
    /// The best proven bound on the objective, for MIPs.
    public var bestBound: Double?
    /// For linear programs solved to optimality, when the backend provides them: the
    /// dual value of each row and the reduced cost of each column (minimisation:
    /// `reducedCost = cost - A' rowDual`).
    public var rowDuals: [Double]?
    public var reducedCosts: [Double]?
    /// The library's own status text, for reports and bug hunting.
    public var rawStatus: String
    public var seconds: Double

    public init(
        termination: TerminationStatus, solution: [Double]? = nil, objective: Double? = nil, bestBound: Double? = nil,
        rawStatus: String, seconds: Double = 0
    ) {
        self.termination = termination
        self.solution = solution
        self.objective = objective
        self.bestBound = bestBound
        self.rawStatus = rawStatus
        self.seconds = seconds
    }

    /// The relative gap between the incumbent and the bound, when both exist.
    public var relativeGap: Double? {
        guard let objective, let bestBound else { return nil }
        return abs(objective - bestBound) / max(1, abs(objective))
    }
}

public enum SolverError: Error, CustomStringConvertible, Sendable {
    case invalidProblem(String)
    case libraryFailure(String)

    public var description: String {
        switch self {
        case .invalidProblem(let m): return "invalid problem data: \(m)"
        case .libraryFailure(let m): return "solver failure: \(m)"
        }
    }
}

/// What a backend can do, declared as data so plans can be checked before a solve.
public struct SolverCapabilities: Sendable {
    public var integerVariables: Bool
    public var timeLimit: Bool
    public var relativeGap: Bool
    /// Accepts a convex quadratic objective (`StandardForm.quadraticObjective`).
    public var quadraticObjective: Bool
    public init(integerVariables: Bool, timeLimit: Bool, relativeGap: Bool, quadraticObjective: Bool = false) {
        self.integerVariables = integerVariables
        self.timeLimit = timeLimit
        self.relativeGap = relativeGap
        self.quadraticObjective = quadraticObjective
    }

    /// Throws when the problem needs something this backend does not have.
    public func check(_ problem: StandardForm, backend: String) throws {
        if !problem.quadraticObjective.isEmpty, !quadraticObjective {
            throw SolverError.invalidProblem("\(backend) does not solve problems with a quadratic objective")
        }
        if problem.integerCount > 0, !integerVariables {
            throw SolverError.invalidProblem("\(backend) does not solve problems with integer variables")
        }
    }
}

/// A linear, mixed-integer or convex quadratic solver.
public protocol SolverBackend: Sendable {
    /// The name users type: `glpk`, `cbc`.
    var name: String { get }
    var capabilities: SolverCapabilities { get }
    /// Solves a minimisation problem. Invalid data throws before any library call.
    func solve(_ problem: StandardForm, options: SolveOptions) throws -> SolverResult
}
