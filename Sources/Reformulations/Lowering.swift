import BlomodelCore
import SolverInterface

/// Lowers a linear single-level model to the solver-neutral `StandardForm`
/// (zero-based columns and rows, minimisation, ±infinity bounds).
/// A maximisation is negated; `objectiveSign` says how to read the value back.
public enum Lowering {
    public enum Failure: Error, CustomStringConvertible {
        case nonlinearObjective(String)
        case pendingComplementarity(String)
        public var description: String {
            switch self {
            case .nonlinearObjective(let s): return "internal error: the objective still has the product \(s)"
            case .pendingComplementarity(let s): return "internal error: complementarity \(s) was not reformulated"
            }
        }
    }

    public static func apply(_ model: SingleLevelModel) throws -> (StandardForm, objectiveSign: Double) {
        if let (p, _) = model.objective.sortedQuadratic.first {
            throw Failure.nonlinearObjective("\(model.columns[p.first].name)*\(model.columns[p.second].name)")
        }
        if let c = model.complementarities.first { throw Failure.pendingComplementarity(c.name) }
        let sign = model.sense.sign
        var sf = StandardForm()
        for c in model.columns {
            sf.addColumn(name: c.name, lower: c.lower, upper: c.upper, integer: c.isInteger)
        }
        for (j, c) in model.objective.linear.terms { sf.objective[j] = sign * c }
        sf.objectiveConstant = sign * model.objective.linear.constant
        for r in model.rows {
            sf.addRow(name: r.name, entries: r.expression.sortedTerms, lower: r.lower, upper: r.upper)
        }
        return (sf, sign)
    }
}
