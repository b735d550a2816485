import BilevelAlgorithms
import BlomodelCore
import Foundation
import ModelFormats
import Reformulations
import SolverInterface

/// A route that "solves" by reading the solution another solver wrote for an export of the
/// same program (`blomodel solve FILE --solution SOL`): the reformulation is rebuilt from the
/// model (deterministic, so the columns are those of the export), the file's values are matched
/// to the program's columns (by name for CBC, by position for glpsol's raw format), checked
/// against the program's rows and bounds, and returned with the status the file states. The
/// facade then maps the point back and verifies it exactly as it does its own answers.
struct SolutionFileRoute: Route {
    /// The solution file's path, as given.
    let path: String
    /// The file, read and checked for syntax.
    let solution: SolverSolutionFile
    /// The route whose program was exported.
    let exported: String

    /// Reads the file (a positioned diagnostic for anything wrong in it); `route` is the exported
    /// route (`exact-kkt` by default), refused when it has no single program.
    init(path: String, route: String?) throws {
        let route = route ?? "exact-kkt"
        guard Blomodel.exportableRoutes.contains(route) else { throw Blomodel.exportRefusal(route) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostic(.error, "cannot read the solution file '\(path)'")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostic(.error, "the solution file '\(path)' is not UTF-8 text")
        }
        self.path = path
        self.solution = try SolverSolutionFile(text: text, path: path)
        self.exported = route
    }

    /// The report's solver: `cbc (solution file)`.
    var solverLabel: String { "\(solution.solver) (solution file)" }

    var name: String { exported }
    var summary: String { "the \(exported) program's solution, read from \(path) (written by \(solution.solver))" }

    func assess(_ facts: ModelFacts, capabilities: RouteCapabilities) -> RouteAssessment {
        guard facts.classification != nil else { return .refused(facts.refusal?.message ?? "the model is outside the exact routes' class") }
        return .accepted("the point of the exported \(exported) program is read from \(path), written by \(solution.solver)")
    }

    /// The candidate list of a solve from a file: this route alone.
    func candidates(_ facts: ModelFacts) -> [RouteCandidate] {
        RoutePlanner(routes: [self]).candidates(for: facts, capabilities: BlomodelOptions().solvers.capabilities)
    }

    func solve(_ r: Reformulated, context: RouteContext) throws -> RouteOutcome {
        // The exported program: the big-M MILP, or the value-function program (whose point is
        // then carried into the big-M program's columns, as the route itself does).
        let program = exported == "value-function" ? try Blomodel.valueFunctionProgram(r) : Blomodel.exactKKTProgram(r)
        let form = program.form
        // CBC names the columns as the file it read did: MPS names or LP names.
        let mps = try ProgramFile(form, format: .mps), lp = try ProgramFile(form, format: .lp)
        var layout = mps
        if let names = solution.columnNames, !names.isSubset(of: Set(mps.fileColumns)), names.isSubset(of: Set(lp.fileColumns)) { layout = lp }
        let values = try solution.point(columns: layout.fileColumns)
        let point = Array(values.prefix(form.columnCount))
        var notes = ["the point was read from \(path) (written by \(solution.solver) for the exported \(exported) program), not computed by blomodel"]
        let omitted = solution.omittedColumns(layout.fileColumns)
        if omitted > 0 { notes.append("\(omitted) column(s) are not in the file, which cbc's default printing does for zero values: read as 0") }
        if solution.hasPoint {
            if let constant = layout.constantColumn, abs(values[form.columnCount] - 1) > 1e-6 {
                throw solution.errorAtStatusLine("the objective's constant column '\(constant)' is \(values[form.columnCount]), not 1")
            }
            if let worst = Self.worstViolation(point, form), worst.amount > 1e-6 {
                throw solution.errorAtStatusLine(
                    "the file's point violates \(worst.what) of the exported program by \(String(format: "%.3g", worst.amount))",
                    notes: ["the file must come from a solve of this export (same model, route and options)"])
            }
        } else {
            notes.append("the file states no point (\(solution.statusText))")
        }
        let result = SolverResult(
            termination: solution.termination,
            solution: solution.hasPoint ? (exported == "value-function" ? ValueFunctionRoute.bigMPoint(point, r) : point) : nil,
            objective: solution.hasPoint ? form.objectiveValue(point) : nil,
            rawStatus: solution.statusText)
        var outcome = RouteOutcome(
            result: result, plan: ["read the solution of the exported \(exported) program from \(path) (\(solution.solver))"], notes: notes)
        if exported == "value-function", let vf = ValueFunctionReformulation.apply(
            mpcc: r.complementarityModel, model: r.model, classification: r.classification, bigM: r.bigM)
        {
            outcome.basis = .multiplierBounds(vf.boundedPairs)
        }
        return outcome
    }

    /// The largest violation of a bound, a row or integrality at the point (relative to
    /// max(1, |bound|)), with what is violated in the program's names.
    static func worstViolation(_ x: [Double], _ f: StandardForm) -> (what: String, amount: Double)? {
        var worst: (String, Double)?
        func consider(_ what: @autoclosure () -> String, _ amount: Double) {
            if amount > (worst?.1 ?? 0) { worst = (what(), amount) }
        }
        for j in 0..<f.columnCount {
            consider("the lower bound of column \(f.columnNames[j])", (f.columnLower[j] - x[j]) / max(1, abs(f.columnLower[j])))
            consider("the upper bound of column \(f.columnNames[j])", (x[j] - f.columnUpper[j]) / max(1, abs(f.columnUpper[j])))
            if f.isInteger[j] { consider("the integrality of column \(f.columnNames[j])", abs(x[j] - x[j].rounded())) }
        }
        for i in 0..<f.rowCount {
            var a = 0.0
            for k in f.rowStart[i]..<f.rowStart[i + 1] { a += f.values[k] * x[f.columnIndex[k]] }
            consider("row \(f.rowNames[i])", (f.rowLower[i] - a) / max(1, abs(f.rowLower[i])))
            consider("row \(f.rowNames[i])", (a - f.rowUpper[i]) / max(1, abs(f.rowUpper[i])))
        }
        return worst.map { (what: $0.0, amount: $0.1) }
    }
}
