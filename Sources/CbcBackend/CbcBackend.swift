import CCbc
import Foundation
import SolverInterface

/// CBC (COIN-OR branch and cut) through its C interface.
///
/// Most CBC setters return nothing, so inputs are validated in Swift first (`StandardForm.prepared`:
/// CLP asserts, ending the process, on an objective coefficient of 1e25 or more). CBC's logs are
/// off (`Cbc_setLogLevel` 0, `log` and `slog` 0), and the solve runs with standard output pointed
/// at standard error (`LibraryOutput`).
/// A CBC model is never reused after `Cbc_solve`: each call builds a fresh one.
/// Infinity is spelled `COIN_DBL_MAX`. CBC has no objective constant: it is
/// added back here. SOS1 constraints are not used (coin-or/Cbc issue 363:
/// SOS1 sets with continuous members can give wrong answers).
public struct CbcBackend: SolverBackend {
    public init() {}

    public let name = "cbc"
    public let capabilities = SolverCapabilities(integerVariables: true, timeLimit: true, relativeGap: true)

    public func solve(_ problem: StandardForm, options: SolveOptions) throws -> SolverResult {
        try LibraryOutput.onStandardError { try solveWithCbc(problem, options: options) }
    }

    private func solveWithCbc(_ problem: StandardForm, options: SolveOptions) throws -> SolverResult {
        let problem = try problem.prepared()
        try options.validate()
        try capabilities.check(problem, backend: name)
        let clock = Date()
        var p = problem
        // CBC is not happy with a problem without rows; an always-satisfied empty row costs nothing.
        if p.rowCount == 0 { p.addRow(name: "empty", entries: [], lower: -.infinity, upper: .infinity) }
        if p.columnCount == 0 { p.addColumn(name: "empty", lower: 0, upper: 0) }

        guard let model = Cbc_newModel() else { throw SolverError.libraryFailure("Cbc_newModel returned null") }
        defer { Cbc_deleteModel(model) }
        let big = Double.greatestFiniteMagnitude
        func coin(_ v: Double) -> Double { v == .infinity ? big : (v == -.infinity ? -big : v) }
        let csc = p.columnCompressed()
        let start = csc.start.map { CoinBigIndex($0) }
        let index = csc.rowIndex.map { Int32($0) }
        let colLower = p.columnLower.map(coin), colUpper = p.columnUpper.map(coin)
        let rowLower = p.rowLower.map(coin), rowUpper = p.rowUpper.map(coin)
        Cbc_loadProblem(
            model, Int32(p.columnCount), Int32(p.rowCount), start, index, csc.values, colLower, colUpper,
            p.objective, rowLower, rowUpper)
        Cbc_setObjSense(model, 1)
        for j in 0..<p.columnCount where p.isInteger[j] { Cbc_setInteger(model, Int32(j)) }
        Cbc_setLogLevel(model, 0)
        Cbc_setParameter(model, "log", "0")
        Cbc_setParameter(model, "slog", "0")
        Cbc_setParameter(model, "integerTolerance", String(options.integralityTolerance))
        if let t = options.timeLimit {
            // Wall-clock seconds, as --time-limit promises (CBC counts CPU time by default). The
            // limit binds the branch-and-bound, not the preprocessing before it (a few seconds on
            // the largest programs measured). It is not also given as the driver's "sec"
            // parameter, which would bind the preprocessing: CBC 2.10.8 then crashed inside Cgl
            // (supply S8's big-M program, 2 s), and its cbc program called the same program
            // "infeasible or unbounded" when 1 s ran out in preprocessing.
            Cbc_setParameter(model, "timeMode", "elapsed")
            Cbc_setMaximumSeconds(model, t)
        }
        Cbc_setAllowableFractionGap(model, options.relativeGap ?? 1e-9)
        Cbc_setAllowableGap(model, 1e-9)

        // No MIP start under a time limit: CBC 2.10.8 dereferenced a null pointer inside Cgl when the
        // limit ran out with a start given (supply S8's big-M program with 2 or 3 s; without the
        // start it stops cleanly). The routes keep the start as their answer of last resort.
        if options.timeLimit == nil, let start = options.startingPoint, start.count == problem.columnCount, p.integerCount > 0,
            p.maxViolation(start + [Double](repeating: 0, count: p.columnCount - start.count)) <= 1e-6
        {
            var indices = (0..<Int32(start.count)).map { $0 }
            var values = start
            Cbc_setMIPStartI(model, Int32(start.count), &indices, &values)
        }
        let ret = Cbc_solve(model)
        let status = Cbc_status(model), secondary = Cbc_secondaryStatus(model)
        let raw = "Cbc_solve returned \(ret); Cbc_status \(status), secondary \(secondary)"
        let n = problem.columnCount
        // The incumbent: Cbc_bestSolution for MIPs (after a time limit Cbc_getColSolution may
        // hold the last LP relaxation instead), Cbc_getColSolution for LPs.
        func point() -> [Double]? {
            let best = Cbc_bestSolution(model).map { UnsafePointer($0) }
            let last: UnsafePointer<Double>? = Cbc_getColSolution(model)
            guard let x = p.integerCount > 0 ? best : last else { return nil }
            return (0..<n).map { x[$0] }
        }
        var result: SolverResult
        if Cbc_isProvenOptimal(model) != 0 {
            let obj = Cbc_getObjValue(model) + problem.objectiveConstant
            let bound = Cbc_getBestPossibleObjValue(model) + problem.objectiveConstant
            result = SolverResult(
                termination: .optimal, solution: point(), objective: obj,
                bestBound: p.integerCount == 0 ? obj : bound, rawStatus: raw)
        } else if Cbc_isProvenInfeasible(model) != 0 {
            result = SolverResult(termination: .infeasible, rawStatus: raw)
            if problem.integerCount == 0, Cbc_isInitialSolveProvenPrimalInfeasible(model) == 0 {
                // For a pure LP, CBC also says "infeasible" when the LP is dual infeasible
                // (unbounded); only a primal infeasibility proof of the LP solve is trusted.
                result = SolverResult(
                    termination: .infeasibleOrUnbounded,
                    rawStatus: raw + "; no primal infeasibility proof, so the LP may be unbounded")
            } else if problem.integerCount == 0, problem.objective.contains(where: { $0 != 0 }) {
                // Even with a "primal infeasibility proof", CBC has called a feasible, unbounded
                // LP infeasible (DifferentialTests, seed 32). The same LP without its objective
                // decides: feasible means the verdict was wrong (the LP is then unbounded or CBC
                // failed; "infeasible or unbounded" claims neither).
                var feasibility = problem
                feasibility.objective = feasibility.objective.map { _ in 0 }
                feasibility.quadraticObjective = []
                let check = try solve(feasibility, options: options)
                if check.termination != .infeasible {
                    result = SolverResult(
                        termination: .infeasibleOrUnbounded,
                        rawStatus: raw + "; the LP without its objective is \(check.termination.rawValue), so CBC's 'infeasible' is not trusted")
                }
            } else if problem.integerCount > 0 {
                // CBC reports an unbounded MIP as infeasible. Check the LP relaxation: when it is
                // not infeasible, the MIP may be unbounded, and we must not claim infeasibility.
                var relaxation = problem
                relaxation.isInteger = relaxation.isInteger.map { _ in false }
                let r = try solve(relaxation, options: options)
                if r.termination != .infeasible {
                    if r.termination == .unbounded || r.termination == .infeasibleOrUnbounded {
                        result = SolverResult(
                            termination: .infeasibleOrUnbounded,
                            rawStatus: raw + "; the LP relaxation is unbounded, so CBC's 'infeasible' is not trusted")
                    }
                }
            }
        } else if Cbc_isContinuousUnbounded(model) != 0 {
            result = SolverResult(termination: .infeasibleOrUnbounded, rawStatus: raw)
        } else if Cbc_isSecondsLimitReached(model) != 0 {
            let x = point()
            result = SolverResult(
                termination: .timeLimit, solution: x,
                objective: x == nil ? nil : Cbc_getObjValue(model) + problem.objectiveConstant,
                bestBound: Cbc_getBestPossibleObjValue(model) + problem.objectiveConstant, rawStatus: raw)
        } else {
            result = SolverResult(termination: .error, rawStatus: raw)
        }
        result.seconds = Date().timeIntervalSince(clock)
        return result
    }
}
