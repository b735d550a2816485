import BlomodelCore
import SolverInterface

/// The chain of passes for a classified model, with everything a user needs
/// to understand it (`--explain`).
public struct Reformulated: Sendable {
    public var classification: Classification
    /// The model after product linearization (the input's variables keep their identifiers;
    /// auxiliary variables follow them).
    public var model: BilevelModel
    /// How the auxiliary variables of product linearization follow from the others.
    public var auxiliaryDefinitions: [VarID: ProductLinearization.Definition]
    /// Proven ranges of `dual(con)` by constraint index, where dual vertices give them.
    public var provenDualRanges: [Int: Interval]
    /// The KKT model before big-M (an MPCC), for printouts.
    public var complementarityModel: SingleLevelModel
    /// The mixed-integer linear program handed to the solver.
    public var milp: SingleLevelModel
    public var standardForm: StandardForm
    /// Multiply the standard form's objective by this to get the leader's objective.
    public var objectiveSign: Double
    public var bigM: [BigMRecord]
    /// One line per pass, in order (the route chosen afterwards adds its own lines).
    public var plan: [String]
}

/// The pass chain shared by the MILP-based routes (`BilevelAlgorithms`): product linearization,
/// classification, KKT, strong duality, big-M and lowering. Which route then solves the result is
/// decided by `RoutePlanner` in `BilevelAlgorithms`.
public enum Planner {
    /// The first two steps: exact product linearization, then classification of the result
    /// (what `blomodel check` prints).
    public static func classify(_ model: BilevelModel, lpSolver: (any SolverBackend)?) throws
        -> (ProductLinearization.Result, Classification)
    {
        // Bound proofs that need LPs run here, once; product linearization itself makes no solver call.
        let products = try ProductLinearization.apply(model, ranges: HighPointRanges.prove(model, lpSolver: lpSolver))
        var classification = try Classifier.classify(products.model)
        classification.termPlan = products.termPlan + classification.termPlan
        return (products, classification)
    }

    /// Classify, then KKT, strong duality (when needed), big-M and lowering.
    public static func reformulate(
        _ model: BilevelModel, bigM options: BigMOptions = BigMOptions(), lpSolver: (any SolverBackend)?
    ) throws -> Reformulated {
        let (products, classification) = try classify(model, lpSolver: lpSolver)
        let model = products.model
        var plan: [String] = []
        if !products.termPlan.isEmpty {
            plan.append(
                "product-linearization: \(products.termPlan.count) product(s) with a bounded integer leader variable made linear by binary expansion (exact); \(model.variables.filter { $0.role == .auxiliary }.count) auxiliary variable(s), \(model.constraints.filter(\.isAuxiliary).count) row(s)")
        }
        let kkt = KKTReformulation.apply(model, classification)
        plan.append(
            "kkt: replace the follower LP by primal feasibility, \(classification.followerVariables.count) stationarity row(s), dual feasibility and \(kkt.complementarities.count) complementarity pair(s)")
        var mpcc = kkt
        if classification.leaderProductFactor != nil {
            mpcc = StrongDualityLinearization.apply(kkt, model: model, classification)
            plan.append(
                "strong-duality: replace the leader's \(model.upperObjective.expression.quadratic.count) leader x follower product(s) by \(classification.leaderProductFactor!) x (dual objective - follower's constant costs): exact")
        }
        // Bound proofs that need LPs run here, once; the big-M pass itself makes no solver call.
        let proofs = try BigMProofs.prove(mpcc, model: model, options: options, lpSolver: lpSolver)
        let (milp, records) = BigMComplementarity.apply(mpcc, model: model, options: options, proofs: proofs)
        let binaries = records.filter { $0.binaryColumn != nil }.count
        plan.append(
            "big-m: \(binaries) complementarity pair(s) to a binary and two rows; \(records.count - binaries) pair(s) hold without a binary")
        let (sf, sign) = try Lowering.apply(milp)
        plan.append("lower: \(sf.rowCount) row(s), \(sf.columnCount) column(s), \(sf.integerCount) integer column(s)")
        return Reformulated(
            classification: classification, model: model, auxiliaryDefinitions: products.definitions,
            provenDualRanges: products.provenDualRanges, complementarityModel: mpcc, milp: milp, standardForm: sf,
            objectiveSign: sign, bigM: records, plan: plan)
    }
}
