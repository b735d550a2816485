import BlomodelCore
import SolverInterface

/// Lowers a single-level model to the solver-neutral `StandardForm`
/// (zero-based columns and rows, minimisation, ±infinity bounds).
/// A maximisation is negated; `objectiveSign` says how to read the value back.
/// A quadratic objective is kept as the form's quadratic part (convex after the
/// sign change: the classifier checked it); `OuterApproximation` (in `BilevelAlgorithms`) solves such forms.
package enum Lowering {
    public enum Failure: Error, CustomStringConvertible {
        case pendingComplementarity(String)
        public var description: String {
            switch self {
            case .pendingComplementarity(let s): return "internal error: complementarity \(s) was not reformulated"
            }
        }
    }

    public static func apply(_ model: SingleLevelModel) throws -> (StandardForm, objectiveSign: Double) {
        if let c = model.complementarities.first { throw Failure.pendingComplementarity(c.name) }
        let sign = model.sense.sign
        var sf = StandardForm()
        for c in model.columns {
            sf.addColumn(name: c.name, lower: c.lower, upper: c.upper, integer: c.isInteger)
        }
        for (j, c) in model.objective.linear.terms { sf.objective[j] = sign * c }
        sf.objectiveConstant = sign * model.objective.linear.constant
        sf.quadraticObjective = model.objective.sortedQuadratic.map { .init($0.0.first, $0.0.second, sign * $0.1) }
        for r in model.rows {
            sf.addRow(name: r.name, entries: r.expression.sortedTerms, lower: r.lower, upper: r.upper)
        }
        return (sf, sign)
    }
}
