/// What outer approximation did, in the leader's sense.
public struct OuterApproximationSummary: Sendable {
    /// The number of master MILPs solved.
    public var iterations: Int
    /// The number of tangent cuts in the last master.
    public var cuts: Int
    /// The leader's objective at the answer.
    public var objective: Double
    /// The proven bound on the leader's optimum (a lower bound when minimising).
    public var bound: Double
    /// `|objective - bound|`.
    public var absoluteGap: Double
    /// The absolute gap over `max(1, |objective|)`.
    public var relativeGap: Double
    /// True when the gap closed within the tolerance.
    public var converged: Bool
    /// The stopping tolerance (`--oa-tolerance`).
    public var tolerance: Double
    /// Why it stopped before the gap closed.
    public var stopReason: String?

    /// A summary from its parts.
    public init(
        iterations: Int, cuts: Int, objective: Double, bound: Double, absoluteGap: Double, relativeGap: Double,
        converged: Bool, tolerance: Double, stopReason: String?
    ) {
        self.iterations = iterations
        self.cuts = cuts
        self.objective = objective
        self.bound = bound
        self.absoluteGap = absoluteGap
        self.relativeGap = relativeGap
        self.converged = converged
        self.tolerance = tolerance
        self.stopReason = stopReason
    }
}
