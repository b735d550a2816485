import CClp
import Foundation
import SolverInterface

/// CLP (COIN-OR linear programming) through its C interface: linear programs and
/// convex quadratic programs (`Clp_loadQuadraticObjective`). Used to verify
/// quadratic followers and to solve the continuous subproblems of outer
/// approximation; it has no integer variables.
///
/// CLP's objective is `c'x + 1/2 x'Qx` with `Q` given by columns; a term
/// `q x_i x_j` of ours is `Q_ij = Q_ji = q` (and `Q_ii = 2q` on the diagonal).
/// CLP takes one triangle and mirrors it (passing both halves doubles the cross
/// terms: a conformance test checks this). Infinity is `COIN_DBL_MAX`. A model is
/// built and freed inside `solve`; nothing is shared.
public struct ClpBackend: SolverBackend {
    public init() {}

    public let name = "clp"
    public let capabilities = SolverCapabilities(
        integerVariables: false, timeLimit: true, relativeGap: false, quadraticObjective: true)

    public func solve(_ problem: StandardForm, options: SolveOptions) throws -> SolverResult {
        try problem.validate()
        try options.validate()
        try capabilities.check(problem, backend: name)
        let clock = Date()
        var p = problem
        if p.rowCount == 0 { p.addRow(name: "empty", entries: [], lower: -.infinity, upper: .infinity) }
        if p.columnCount == 0 {
            return SolverResult(termination: .optimal, solution: [], objective: p.objectiveConstant, rawStatus: "empty problem")
        }
        guard let model = Clp_newModel() else { throw SolverError.libraryFailure("Clp_newModel returned null") }
        defer { Clp_deleteModel(model) }
        Clp_setLogLevel(model, 0)
        let big = Double.greatestFiniteMagnitude
        func coin(_ v: Double) -> Double { v == .infinity ? big : (v == -.infinity ? -big : v) }
        let csc = p.columnCompressed()
        let start = csc.start.map { CoinBigIndex($0) }
        let index = csc.rowIndex.map { Int32($0) }
        Clp_loadProblem(
            model, Int32(p.columnCount), Int32(p.rowCount), start, index, csc.values, p.columnLower.map(coin),
            p.columnUpper.map(coin), p.objective, p.rowLower.map(coin), p.rowUpper.map(coin))
        if !p.quadraticObjective.isEmpty {
            // One triangle of Q by columns: CLP mirrors the off-diagonal entries itself.
            var entries = [[(Int32, Double)]](repeating: [], count: p.columnCount)
            for t in p.quadraticObjective {
                if t.first == t.second {
                    entries[t.first].append((Int32(t.first), 2 * t.coefficient))
                } else {
                    entries[t.second].append((Int32(t.first), t.coefficient))
                }
            }
            var qStart: [CoinBigIndex] = [0], qIndex: [Int32] = [], qValue: [Double] = []
            for column in entries {
                var merged: [Int32: Double] = [:]
                for (i, v) in column { merged[i, default: 0] += v }
                for (i, v) in merged.sorted(by: { $0.key < $1.key }) where v != 0 {
                    qIndex.append(i)
                    qValue.append(v)
                }
                qStart.append(CoinBigIndex(qIndex.count))
            }
            Clp_loadQuadraticObjective(model, Int32(p.columnCount), qStart, qIndex, qValue)
        }
        if let t = options.timeLimit { Clp_setMaximumSeconds(model, t) }
        let ret = p.quadraticObjective.isEmpty ? Clp_initialSolve(model) : Clp_primal(model, 0)
        let status = Clp_status(model), secondary = Clp_secondaryStatus(model)
        let raw = "Clp returned \(ret); Clp_status \(status), secondary \(secondary)"
        let n = problem.columnCount, m = problem.rowCount
        var result: SolverResult
        switch status {
        case 0 where secondary == 0 || secondary == 9 || secondary == 5:
            let x = Clp_getColSolution(model)!
            let solution = (0..<n).map { x[$0] }
            result = SolverResult(
                termination: .optimal, solution: solution, objective: problem.objectiveValue(solution), rawStatus: raw)
            let y = Clp_dualRowSolution(model)!, d = Clp_dualColumnSolution(model)!
            result.rowDuals = (0..<m).map { y[$0] }
            result.reducedCosts = (0..<n).map { d[$0] }
        case 0:
            result = SolverResult(termination: .error, rawStatus: raw + "; optimal only for the scaled problem")
        case 1: result = SolverResult(termination: .infeasible, rawStatus: raw)
        case 2: result = SolverResult(termination: .unbounded, rawStatus: raw)
        case 3:
            result = SolverResult(termination: Clp_hitMaximumIterations(model) != 0 ? .timeLimit : .error, rawStatus: raw)
        default: result = SolverResult(termination: .error, rawStatus: raw)
        }
        result.seconds = Date().timeIntervalSince(clock)
        return result
    }
}
