import BlomodelCore
import SolverInterface

// The MILP routes' passes as `ReformulationPass` values: each wraps the pure function that
// does the work (documented with its math where it is defined), says what it accepts, and
// returns the map back. `Planner.reformulate` chains them.

/// Exact linearization of products with a bounded integer leader variable (binary expansion).
/// Map back: the input's variables keep their identifiers; auxiliary variables are dropped.
package struct ProductLinearizationPass: ReformulationPass {
    public var ranges: HighPointRanges
    public var name: String { "product-linearization" }
    public init(ranges: HighPointRanges) { self.ranges = ranges }

    public func accepts(_ input: BilevelModel) -> PassVerdict {
        input.isQuadratic ? .accepted : .refused("the model has expressions without a quadratic view")
    }

    public func apply(_ input: BilevelModel) throws -> PassOutput<ProductLinearization.Result> {
        let r = try ProductLinearization.apply(input, ranges: ranges)
        let m = r.model
        let summary =
            r.termPlan.isEmpty
            ? nil
            : "product-linearization: \(r.termPlan.count) product(s) with a bounded integer leader variable made linear by binary expansion (exact); \(m.variables.filter { $0.role == .auxiliary }.count) auxiliary variable(s), \(m.constraints.filter(\.isAuxiliary).count) row(s)"
        return PassOutput(r, map: .prefix(inputCount: input.variables.count, outputCount: m.variables.count), summary: summary)
    }
}

/// The follower's KKT conditions (`KKTReformulation`). Map back: the model's variables are the
/// first columns; multipliers follow and are dropped.
package struct KKTPass: ReformulationPass {
    public var classification: Classification
    public var name: String { "kkt" }
    public init(classification: Classification) { self.classification = classification }

    public func accepts(_ input: BilevelModel) -> PassVerdict {
        if !input.isQuadratic { return .refused("the model has expressions without a quadratic view") }
        if classification.followerVariables.contains(where: { input.variables[$0].kind != .continuous }) {
            return .refused("the follower has integer variables")
        }
        return .accepted
    }

    public func apply(_ input: BilevelModel) throws -> PassOutput<SingleLevelModel> {
        let kkt = KKTReformulation.apply(input, classification)
        return PassOutput(
            kkt, map: .prefix(inputCount: input.variables.count, outputCount: kkt.columns.count),
            summary:
                "kkt: replace the follower LP by primal feasibility, \(classification.followerVariables.count) stationarity row(s), dual feasibility and \(kkt.complementarities.count) complementarity pair(s)"
        )
    }
}

/// Strong duality for leader x follower products proportional to the follower's
/// (`StrongDualityLinearization`). Map back: the identity.
package struct StrongDualityPass: ReformulationPass {
    public var model: BilevelModel
    public var classification: Classification
    public var name: String { "strong-duality" }
    public init(model: BilevelModel, classification: Classification) {
        self.model = model
        self.classification = classification
    }

    public func accepts(_ input: SingleLevelModel) -> PassVerdict {
        classification.leaderProductFactor == nil ? .refused("the leader's products are not proportional to the follower's") : .accepted
    }

    public func apply(_ input: SingleLevelModel) throws -> PassOutput<SingleLevelModel> {
        let out = StrongDualityLinearization.apply(input, model: model, classification)
        return PassOutput(
            out, map: .identity(count: input.columns.count),
            summary:
                "strong-duality: replace the leader's \(model.upperObjective.expression.quadratic.count) leader x follower product(s) by \(classification.leaderProductFactor ?? .nan) x (dual objective - follower's constant costs): exact"
        )
    }
}

/// Complementarity pairs to binaries and big-M rows (`BigMComplementarity`), with the bounds
/// proven before the chain (`BigMProofs`). Map back: the binaries are dropped.
package struct BigMPass: ReformulationPass {
    public var model: BilevelModel
    public var options: BigMOptions
    public var proofs: BigMProofs
    public var name: String { "big-m" }
    public init(model: BilevelModel, options: BigMOptions, proofs: BigMProofs) {
        self.model = model
        self.options = options
        self.proofs = proofs
    }

    public func accepts(_ input: SingleLevelModel) -> PassVerdict { .accepted }

    public func apply(_ input: SingleLevelModel) throws -> PassOutput<(SingleLevelModel, [BigMRecord])> {
        let (milp, records) = BigMComplementarity.apply(input, model: model, options: options, proofs: proofs)
        let binaries = records.filter { $0.binaryColumn != nil }.count
        return PassOutput(
            (milp, records), map: .prefix(inputCount: input.columns.count, outputCount: milp.columns.count),
            summary: "big-m: \(binaries) complementarity pair(s) to a binary and two rows; \(records.count - binaries) pair(s) hold without a binary")
    }
}

/// The solver-neutral standard form (`Lowering`). Map back: the identity (the objective's sign
/// is recorded in `Reformulated.objectiveSign`).
package struct LoweringPass: ReformulationPass {
    public var name: String { "lower" }
    public init() {}

    public func accepts(_ input: SingleLevelModel) -> PassVerdict {
        input.complementarities.isEmpty ? .accepted : .refused("complementarity pairs remain (run big-m first)")
    }

    public func apply(_ input: SingleLevelModel) throws -> PassOutput<(StandardForm, objectiveSign: Double)> {
        let (sf, sign) = try Lowering.apply(input)
        return PassOutput(
            (sf, objectiveSign: sign), map: .identity(count: sf.columnCount),
            summary: "lower: \(sf.rowCount) row(s), \(sf.columnCount) column(s), \(sf.integerCount) integer column(s)")
    }
}
