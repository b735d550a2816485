import SolverInterface

/// A backend as the route planner sees it: its name and what it declares it can do.
/// Plain data, so plans can be computed (and tested) without any solver library.
package struct BackendProfile: Sendable {
    /// The name users type (`glpk`, `cbc`, `ipopt`).
    public var name: String
    /// What the backend declares.
    public var capabilities: SolverCapabilities

    /// A profile from a name and declared capabilities.
    public init(name: String, capabilities: SolverCapabilities) {
        self.name = name
        self.capabilities = capabilities
    }

    /// The profile of a backend value.
    public init(_ backend: any SolverBackend) {
        self.init(name: backend.name, capabilities: backend.capabilities)
    }
}

/// What the available solvers can do, by their role in a route: the input of `Route.assess`.
package struct RouteCapabilities: Sendable {
    /// The solver of the mixed-integer linear programs (the user's `--solver`).
    public var milp: BackendProfile
    /// The convex-QP solver, when one is available.
    public var qp: BackendProfile?

    /// Capabilities from profiles.
    public init(milp: BackendProfile, qp: BackendProfile?) {
        self.milp = milp
        self.qp = qp
    }
}

/// The backends a route may call, by role. The facade (`Blomodel`) builds it: it is the only
/// code that instantiates concrete backends; routes receive them as values.
package struct SolverSuite: Sendable {
    /// The solver of the mixed-integer linear programs; also re-solves LPs of the same problem
    /// (polishing, the follower re-solve, the infeasible-or-unbounded check).
    public var milp: any SolverBackend
    /// An LP solver that reports row duals and reduced costs (warm starts read the follower's
    /// multipliers from it).
    public var dualLP: any SolverBackend
    /// A convex-QP solver (outer approximation's subproblems, a quadratic follower's re-solve), if any.
    public var qp: (any SolverBackend)?

    /// A suite from its backends.
    public init(milp: any SolverBackend, dualLP: any SolverBackend, qp: (any SolverBackend)?) {
        self.milp = milp
        self.dualLP = dualLP
        self.qp = qp
    }

    /// The declared capabilities of the suite's backends, for the route planner.
    public var capabilities: RouteCapabilities {
        RouteCapabilities(milp: BackendProfile(milp), qp: qp.map { BackendProfile($0) })
    }
}
