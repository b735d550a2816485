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
    package var auxiliaryDefinitions: [VarID: ProductLinearization.Definition]
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
    /// The passes applied, with their maps back: a point of `standardForm` maps back to the
    /// user's model (`chain.pullBack`) or to `model` (`chain.pullBack(_:toInputOf: "kkt")`).
    package var chain: PassChain

    /// Upper bounds the planner added to follower variables because every optimal response
    /// satisfies them (`NetworkFlowBounds`), with the variables' own upper bounds.
    public var impliedUpperBounds: [VarID: Double] = [:]

    /// `model` with the user's bounds: the implied ones removed. The follower is re-solved on it,
    /// so the verification does not rest on the planner's own bound proofs.
    public var verificationModel: BilevelModel {
        var m = model
        for (j, upper) in impliedUpperBounds { m.variables[j].upper = upper }
        return m
    }

    /// A solution of the standard form as values of `model`'s variables (auxiliary ones included).
    public func modelPoint(_ point: [Double]) -> [Double] {
        chain.pullBack(point, toInputOf: "kkt") ?? Array(point.prefix(model.variables.count))
    }
}

/// The pass chain shared by the MILP-based routes (`BilevelAlgorithms`): product linearization,
/// classification, KKT, strong duality, big-M and lowering. Which route then solves the result is
/// decided by `RoutePlanner` in `BilevelAlgorithms`.
package enum Planner {
    /// The first two steps: exact product linearization, then classification of the result
    /// (what `blomodel check` prints).
    public static func classify(_ model: BilevelModel, lpSolver: (any SolverBackend)?) throws
        -> (ProductLinearization.Result, Classification)
    {
        var chain = PassChain()
        return try classify(model, lpSolver: lpSolver, chain: &chain)
    }

    /// Product linearization (recorded in `chain`), then classification of its result.
    static func classify(_ model: BilevelModel, lpSolver: (any SolverBackend)?, chain: inout PassChain) throws
        -> (ProductLinearization.Result, Classification)
    {
        var network: NetworkFlowBounds.Result?
        return try classify(model, lpSolver: lpSolver, chain: &chain, network: &network)
    }

    /// The same, after the follower's flows are bounded where its network structure proves it
    /// (`NetworkFlowBounds`, reported in `network`).
    static func classify(
        _ model: BilevelModel, lpSolver: (any SolverBackend)?, chain: inout PassChain, network: inout NetworkFlowBounds.Result?
    ) throws -> (ProductLinearization.Result, Classification) {
        // A model beyond the quadratic class is refused at its first offending node.
        if !model.isQuadratic { _ = try Classifier.classify(model) }
        var model = model
        if model.isQuadratic {
            let found = NetworkFlowBounds.apply(model)
            if !found.originalUpper.isEmpty {
                model = found.model
                network = found
            }
        }
        // Bound proofs that need LPs run here, once; product linearization itself makes no solver call.
        let ranges = try HighPointRanges.prove(model, lpSolver: lpSolver)
        let products = try chain.run(ProductLinearizationPass(ranges: ranges), model)
        var classification = try Classifier.classify(products.model)
        classification.termPlan = products.termPlan + classification.termPlan
        return (products, classification)
    }

    /// Classify, then the chain: KKT, strong duality (when needed), big-M and lowering.
    public static func reformulate(
        _ model: BilevelModel, bigM options: BigMOptions = BigMOptions(), lpSolver: (any SolverBackend)?
    ) throws -> Reformulated {
        var chain = PassChain()
        var network: NetworkFlowBounds.Result?
        let (products, classification) = try classify(model, lpSolver: lpSolver, chain: &chain, network: &network)
        let model = products.model
        let implied = network?.originalUpper ?? [:]
        let networkLine = network?.summary.map { [$0] } ?? []
        if classification.hasIntegerFollower {
            // No KKT conditions for an integer follower: the value-function route starts from the
            // high-point relaxation and adds cuts (`IntegerFollowerSearch`).
            let hpr = try chain.run(HighPointRelaxationPass(classification: classification), model)
            let (sf, sign) = try chain.run(LoweringPass(), hpr)
            return Reformulated(
                classification: classification, model: model, auxiliaryDefinitions: products.definitions,
                provenDualRanges: products.provenDualRanges, complementarityModel: hpr, milp: hpr, standardForm: sf,
                objectiveSign: sign, bigM: [], plan: chain.plan, chain: chain, impliedUpperBounds: implied)
        }
        let kkt = try chain.run(KKTPass(classification: classification), model)
        var mpcc = kkt
        if classification.leaderProductFactor != nil {
            mpcc = try chain.run(StrongDualityPass(model: model, classification: classification), kkt)
        }
        // Bound proofs that need LPs run here, once; the big-M pass itself makes no solver call.
        // When the value-function program is exact and its multiplier bounds are proven without
        // LPs (stationarity, dual vertices), the LPs would only tighten slack bounds it does not use.
        var proofs: BigMProofs?
        if options.valueFunctionFirst, classification.valueFunctionRefusal == nil {
            let cheap = try BigMProofs.prove(mpcc, model: model, options: options, lpSolver: nil)
            let (_, records) = BigMComplementarity.apply(mpcc, model: model, options: options, proofs: cheap)
            if let vf = ValueFunctionReformulation.apply(mpcc: mpcc, model: model, classification: classification, bigM: records) {
                let byPair = Dictionary(records.map { ($0.pairIndex, $0) }, uniquingKeysWith: { a, _ in a })
                if vf.boundedPairs.allSatisfy({ byPair[$0]?.dualSource.provenance == .proven }) { proofs = cheap }
            }
        }
        let skipped = proofs != nil
        let used = try proofs ?? BigMProofs.prove(mpcc, model: model, options: options, lpSolver: lpSolver)
        let (milp, records) = try chain.run(BigMPass(model: model, options: options, proofs: used), mpcc)
        let (sf, sign) = try chain.run(LoweringPass(), milp)
        var plan = networkLine + chain.plan
        if let pair = used.stoppedAt {
            plan.append(
                "bound LPs stopped at \(pair): no LP bounds its multiplier, so some M cannot be proven and the M-free search, which uses none, takes the model")
        }
        if skipped {
            plan.append(
                "bound LPs skipped: every multiplier bound the value-function program uses is proven without them (stationarity, dual vertices), and its row uses no slack bound")
        }
        return Reformulated(
            classification: classification, model: model, auxiliaryDefinitions: products.definitions,
            provenDualRanges: products.provenDualRanges, complementarityModel: mpcc, milp: milp, standardForm: sf,
            objectiveSign: sign, bigM: records, plan: plan, chain: chain, impliedUpperBounds: implied)
    }
}
