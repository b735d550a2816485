import BlomodelCore
import SolverInterface

/// Bound proofs that need LPs run once, outside the passes, and reach them as data: the passes
/// themselves make no solver calls. `HighPointRanges` is proven before the chain (for product
/// linearization); `BigMProofs` once the chain has built the KKT system it is about (for big-M).

/// The bounds the big-M pass uses that need LPs (and the dual-vertex enumeration, which decides
/// which LPs are needed), computed once before the pass by `prove`. The pass receives them as
/// data and makes no solver call, so it is pure: the same MPCC and proofs give the same MILP.
///
/// Every entry is proven: an LP maximum over the relaxed KKT system (all rows of both levels,
/// stationarity, dual links, column bounds; no complementarity, no integrality) bounds the
/// quantity at every bilevel-feasible point with any optimal dual, and a dual-vertex bound holds
/// at a vertex of the follower's dual polyhedron, which every optimal face contains.
package struct BigMProofs: Sendable {
    /// Ranges of the user variables in stationarity rows whose declared bounds are infinite (by column).
    public var variableRanges: [Int: Interval] = [:]
    /// The largest magnitude of each multiplier over the vertices of the follower's dual
    /// polyhedron (by column); nil when the method does not apply (`DualVertexBounds`).
    public var vertexBounds: [Int: Double]?
    /// The largest magnitude of a multiplier over the relaxation (by column), where the pass
    /// has no cheaper bound for it.
    public var multiplierMaxima: [Int: Double] = [:]
    /// The largest value of a pair's slack over the relaxation (by pair index), where interval
    /// arithmetic gives none.
    public var slackMaxima: [Int: Double] = [:]

    /// The pair whose M no LP could bound, when the LPs stopped there
    /// (`BigMOptions.stopAtFirstUnprovablePair`).
    public var stoppedAt: String?

    /// No proofs: the pass falls back on interval arithmetic, declarations and the default.
    public init() {}

    /// Computes the proofs for `input` (an MPCC) with the LPs the big-M pass will use, in the
    /// order it would use them. LPs run only when `options` allow tightening and `lpSolver` is given;
    /// the dual-vertex enumeration always runs.
    public static func prove(
        _ input: SingleLevelModel, model: BilevelModel, options: BigMOptions, lpSolver: (any SolverBackend)?
    ) throws -> BigMProofs {
        var proofs = BigMProofs()
        let pairs = input.complementarities
        let tighten = options.tightenWithLP ?? (pairs.count <= options.automaticTighteningLimit)
        let relaxation = tighten ? lpSolver.map { RelaxationBounds(input, solver: $0) } : nil

        // Ranges of the variables in stationarity rows: declared bounds, tightened where they
        // are infinite by LPs over the relaxation (valid at every bilevel-feasible point).
        if let relaxation {
            for k in BigMSources.stationarityColumnsToBound(input) {
                let declared = Interval(input.columns[k].lower, input.columns[k].upper)
                let hi = declared.upper.isFinite ? declared.upper : (try relaxation.max(.variable(k))) ?? .infinity
                let lo = declared.lower.isFinite ? declared.lower : -((try relaxation.max(.variable(k, -1))) ?? .infinity)
                proofs.variableRanges[k] = Interval(lo, hi)
            }
        }
        let ranges = proofs.variableRanges
        proofs.vertexBounds = DualVertexBounds.compute(
            input, bounds: { ranges[$0] ?? Interval(input.columns[$0].lower, input.columns[$0].upper) })
        guard let relaxation else { return proofs }

        // Once one pair can have no proven M, the planner takes the M-free search, which uses none:
        // the remaining LPs would only tighten the Ms of a heuristic seed (supply S3: 0.35 s of LPs
        // for a search of 2 ms). A pair whose slack is zero by its bounds needs no multiplier bound.
        let pairOfMultiplier = Dictionary(pairs.enumerated().map { ($1.multiplier, $0) }, uniquingKeysWith: { a, _ in a })
        func unprovable(multiplier k: Int) -> Bool {
            guard options.stopAtFirstUnprovablePair, let index = pairOfMultiplier[k] else { return false }
            let r = pairs[index].slack.range { Interval(input.columns[$0].lower, input.columns[$0].upper) }
            if r.upper <= 1e-12 { return false }
            proofs.stoppedAt = pairs[index].name
            return true
        }
        // Row multipliers without a vertex or declared bound.
        var sources = BigMSources(input: input, model: model, options: options, proofs: proofs)
        for k in sources.rowDualsWithoutCheapBound() {
            if let m = try relaxation.maxAbs(.variable(k)) {
                proofs.multiplierMaxima[k] = m
            } else if unprovable(multiplier: k) {
                return proofs
            }
        }
        // Bound multipliers without any other candidate.
        sources = BigMSources(input: input, model: model, options: options, proofs: proofs)
        let rowDualBounds = sources.rowDualBounds(multiplierMaxima: proofs.multiplierMaxima)
        for (k, column) in input.columns.enumerated() {
            guard case .boundDual = column.origin else { continue }
            if BigMSources.best(sources.boundDualCandidates(k, rowDualBounds: rowDualBounds)) == nil {
                if let m = try relaxation.maxAbs(.variable(k)) {
                    proofs.multiplierMaxima[k] = m
                } else if unprovable(multiplier: k) {
                    return proofs
                }
            }
        }
        // Slacks that interval arithmetic leaves unbounded.
        for (index, pair) in pairs.enumerated() where !pair.slack.range(sources.columnBounds).upper.isFinite {
            if let m = try relaxation.max(pair.slack) { proofs.slackMaxima[index] = m }
        }
        return proofs
    }
}

/// Ranges of user variables over the high-point relaxation of a bilevel model (the variables'
/// bounds and the linear constraints of both levels; the follower's optimality dropped), which
/// every bilevel-feasible point satisfies. Computed once before the pass chain by `prove`;
/// `ProductLinearization` receives them as data and makes no solver call.
package struct HighPointRanges: Sendable {
    /// Proven ranges by variable, for the variables without finite declared bounds that product
    /// linearization may need (an infinite side where the LP is unbounded or not solved).
    public var ranges: [VarID: Interval] = [:]

    /// No proofs: every variable keeps its declared bounds.
    public init() {}

    /// Two LPs (maximum and minimum) for each variable product linearization may need a range of;
    /// none without a solver.
    public static func prove(_ model: BilevelModel, lpSolver: (any SolverBackend)?) -> HighPointRanges {
        var proofs = HighPointRanges()
        guard let lpSolver else { return proofs }
        let wanted = ProductLinearization.variablesNeedingRanges(model)
        guard !wanted.isEmpty else { return proofs }
        let highPoint = RelaxationBounds(highPoint: model, solver: lpSolver)
        func max(_ e: LinearExpr) -> Double { ((try? highPoint.max(e)) ?? nil) ?? .infinity }
        for j in wanted {
            let r = model.variables[j].bounds
            proofs.ranges[j] = Interval(r.lower.isFinite ? r.lower : -max(.variable(j, -1)), r.upper.isFinite ? r.upper : max(.variable(j)))
        }
        return proofs
    }
}
