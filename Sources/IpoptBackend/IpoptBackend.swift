import CIpopt
import Foundation
import SolverInterface

/// Ipopt (interior point optimizer) through its C interface, for convex quadratic
/// programs: the follower's QP at a fixed leader decision (verification, warm start)
/// and the continuous subproblems of outer approximation. It has no integer variables.
///
/// The objective `c'x + sum q_k x_i x_j + constant`, the linear rows and the constant
/// Hessian are handed over through callbacks that read a `QuadraticProgram` passed as
/// `user_data`. Infinite bounds become Ipopt's ±1e19 (`nlp_*_bound_inf`). The banner and
/// all output are switched off. Ipopt's multipliers follow `L = f + mult_g'g`; they are
/// turned into this package's convention (`rowDual = d objective / d row bound`,
/// `reducedCost = z_L - z_U`), the same as GLPK's.
///
/// CLP's quadratic simplex (`Clp_loadQuadraticObjective`) was tried first and dropped:
/// through its C interface it returned non-optimal points with an optimal status on
/// small box-constrained QPs (the optimum of the linear part only), and its barrier
/// aborted the process on a QP with a free variable.
///
/// Ipopt's Mehrotra path dereferences a missing affine step when its restoration phase runs (a
/// segmentation fault; coin-or/Ipopt issue 114), and the restoration phase runs on infeasible
/// problems: a QP whose rows contradict its bounds ended the process. With an LP solver given
/// (`linearFeasibility`, GLPK in the facade), the rows and bounds are first checked for a feasible
/// point by an LP with a zero objective; an infeasible problem is reported as infeasible without
/// calling Ipopt.
public struct IpoptBackend: SolverBackend {
    /// The LP solver that checks the rows and bounds for a feasible point before Ipopt runs.
    public var linearFeasibility: (any SolverBackend)?

    /// Ipopt alone (`linearFeasibility: nil`: an infeasible problem may reach Ipopt's Mehrotra
    /// path), or with an LP solver that checks feasibility first.
    public init(linearFeasibility: (any SolverBackend)? = nil) {
        self.linearFeasibility = linearFeasibility
    }

    public let name = "ipopt"
    public let capabilities = SolverCapabilities(
        integerVariables: false, timeLimit: true, relativeGap: false, quadraticObjective: true)

    public func solve(_ problem: StandardForm, options: SolveOptions) throws -> SolverResult {
        // Mehrotra's predictor-corrector is the accurate choice for LPs and convex QPs; when it
        // ends without a verdict (it does not detect infeasibility), Ipopt's default algorithm,
        // which has a restoration phase and an infeasibility test, decides.
        if let lp = linearFeasibility, problem.columnCount > 0 {
            // Rows and bounds only: a zero objective, no quadratic part.
            var feasibility = problem
            feasibility.quadraticObjective = []
            feasibility.objective = [Double](repeating: 0, count: problem.columnCount)
            feasibility.objectiveConstant = 0
            let check = try lp.solve(feasibility, options: SolveOptions(timeLimit: options.timeLimit))
            if check.termination == .infeasible {
                return SolverResult(
                    termination: .infeasible,
                    rawStatus: "no point satisfies the rows and bounds (\(lp.name): \(check.rawStatus)); Ipopt was not called",
                    seconds: check.seconds)
            }
        }
        // Rows without entries (a fixed column's terms moved into the bounds) are facts: checked
        // here and left out, so that Ipopt sees no zero row (and no problem without a Jacobian,
        // which CreateIpoptProblem refuses).
        let kept = (0..<problem.rowCount).filter { problem.rowStart[$0] < problem.rowStart[$0 + 1] }
        if kept.count < problem.rowCount {
            for i in 0..<problem.rowCount where problem.rowStart[i] == problem.rowStart[i + 1] {
                if problem.rowLower[i] > 1e-9 * max(1, abs(problem.rowLower[i])) || problem.rowUpper[i] < -1e-9 * max(1, abs(problem.rowUpper[i])) {
                    return SolverResult(termination: .infeasible, rawStatus: "row \(problem.rowNames[i]) has no variables and excludes 0; Ipopt was not called")
                }
            }
            var reduced = problem
            (reduced.rowNames, reduced.rowLower, reduced.rowUpper) = (kept.map { problem.rowNames[$0] }, kept.map { problem.rowLower[$0] }, kept.map { problem.rowUpper[$0] })
            reduced.rowStart = [0]
            reduced.columnIndex = []
            reduced.values = []
            for i in kept {
                reduced.columnIndex += problem.columnIndex[problem.rowStart[i]..<problem.rowStart[i + 1]]
                reduced.values += problem.values[problem.rowStart[i]..<problem.rowStart[i + 1]]
                reduced.rowStart.append(reduced.values.count)
            }
            var result = try solve(reduced, options: options)
            if let duals = result.rowDuals {
                var all = [Double](repeating: 0, count: problem.rowCount)
                for (k, i) in kept.enumerated() { all[i] = duals[k] }
                result.rowDuals = all
            }
            return result
        }
        return try LibraryOutput.onStandardError {
            let first = try solve(problem, options: options, mehrotra: true)
            if first.termination == .error || first.termination == .timeLimit {
                let second = try solve(problem, options: options, mehrotra: false)
                if second.termination != .error { return second }
            }
            return first
        }
    }

    func solve(_ problem: StandardForm, options: SolveOptions, mehrotra: Swift.Bool) throws -> SolverResult {
        let problem = try problem.prepared()
        try options.validate()
        try capabilities.check(problem, backend: name)
        let clock = Date()
        let n = problem.columnCount, m = problem.rowCount
        if n == 0 {
            return SolverResult(termination: .optimal, solution: [], objective: problem.objectiveConstant, rawStatus: "empty problem")
        }
        let data = QuadraticProgram(problem)
        let big = 1e19
        func ip(_ v: Double) -> Double { v == .infinity ? big : (v == -.infinity ? -big : v) }
        var xL = problem.columnLower.map(ip), xU = problem.columnUpper.map(ip)
        var gL = problem.rowLower.map(ip), gU = problem.rowUpper.map(ip)
        if m == 0 { gL = [0]; gU = [0] }
        guard
            let ipopt = CreateIpoptProblem(
                Int32(n), &xL, &xU, Int32(m), &gL, &gU, Int32(problem.values.count), Int32(data.hessian.count), 0,
                evalF, evalG, evalGradF, evalJacG, evalH)
        else { throw SolverError.libraryFailure("CreateIpoptProblem returned null") }
        defer { FreeIpoptProblem(ipopt) }
        func option(_ key: String, _ value: String) {
            _ = key.withCString { k in
                value.withCString { v in AddIpoptStrOption(ipopt, UnsafeMutablePointer(mutating: k), UnsafeMutablePointer(mutating: v)) }
            }
        }
        func option(_ key: String, _ value: Double) {
            _ = key.withCString { AddIpoptNumOption(ipopt, UnsafeMutablePointer(mutating: $0), value) }
        }
        func option(_ key: String, _ value: Int32) {
            _ = key.withCString { AddIpoptIntOption(ipopt, UnsafeMutablePointer(mutating: $0), value) }
        }
        option("sb", "yes")
        option("print_level", Int32(0))
        // Without it, Ipopt stopped short of the optimum on an outer-approximation subproblem.
        if mehrotra {
            option("mehrotra_algorithm", "yes")
            // Not in the restoration phase: there Ipopt 3.11's Mehrotra step reads an affine step
            // that was never computed and the process dies (coin-or/Ipopt issue 114).
            option("resto.mehrotra_algorithm", "no")
        }
        option("hessian_constant", "yes")
        option("jac_c_constant", "yes")
        option("jac_d_constant", "yes")
        // Mehrotra's method converges in tens of iterations on LPs and QPs or not at all; a
        // short leash makes the fallback quick.
        option("max_iter", Int32(mehrotra ? 300 : 3000))
        if mehrotra {
            // Exact bounds and tight tolerances for the accurate path; the fallback keeps Ipopt's
            // defaults, whose slight relaxation of bounds copes with feasible sets without interior.
            option("tol", 1e-10)
            option("bound_relax_factor", 0.0)
            option("constr_viol_tol", 1e-10)
            // Ipopt's own termination test is on a scaled error; with large multipliers (big-M
            // columns) that let it stop 4e-5 short of a subproblem's optimum. Unscaled dual
            // infeasibility and complementarity must be small as well.
            option("dual_inf_tol", 1e-10)
            option("compl_inf_tol", 1e-10)
        }
        if let t = options.timeLimit { option("max_cpu_time", t) }

        // Start inside the bounds.
        var x = (0..<n).map { j -> Double in
            let (l, u) = (problem.columnLower[j], problem.columnUpper[j])
            if l.isFinite && u.isFinite { return (l + u) / 2 }
            if l.isFinite { return l + 1 }
            if u.isFinite { return u - 1 }
            return 0
        }
        var g = [Double](repeating: 0, count: max(m, 1))
        var multG = [Double](repeating: 0, count: max(m, 1))
        var zL = [Double](repeating: 0, count: n), zU = [Double](repeating: 0, count: n)
        var objective = 0.0
        let status = withExtendedLifetime(data) {
            IpoptSolve(ipopt, &x, &g, &objective, &multG, &zL, &zU, Unmanaged.passUnretained(data).toOpaque())
        }
        let code = status.rawValue
        let raw = "IpoptSolve returned \(code)"
        var result: SolverResult
        switch code {
        case 0, 1:  // Solve_Succeeded, Solved_To_Acceptable_Level
            result = SolverResult(termination: .optimal, solution: x, objective: problem.objectiveValue(x), rawStatus: raw)
            result.rowDuals = (0..<m).map { -multG[$0] }
            result.reducedCosts = (0..<n).map { zL[$0] - zU[$0] }
        case 2: result = SolverResult(termination: .infeasible, rawStatus: raw + " (infeasible problem detected)")
        case 4: result = SolverResult(termination: .unbounded, rawStatus: raw + " (diverging iterates)")
        case -4: result = SolverResult(termination: .timeLimit, rawStatus: raw + " (time limit)")
        default: result = SolverResult(termination: .error, rawStatus: raw)
        }
        result.seconds = Date().timeIntervalSince(clock)
        return result
    }
}

/// The data the callbacks read: the objective's gradient and constant Hessian, and the rows.
final class QuadraticProgram {
    let form: StandardForm
    /// Lower-triangle Hessian entries (row >= column), as Ipopt wants them.
    let hessian: [(row: Int32, column: Int32, value: Double)]

    init(_ form: StandardForm) {
        self.form = form
        var h: [Swift.Int: Double] = [:]  // key row * n + column
        let n = form.columnCount
        for t in form.quadraticObjective {
            // d2/dx_i dx_j of q x_i x_j: q (i != j), 2q (i == j).
            let key = t.second * n + t.first
            h[key, default: 0] += t.first == t.second ? 2 * t.coefficient : t.coefficient
        }
        hessian = h.sorted { $0.key < $1.key }.map { (Int32($0.key / n), Int32($0.key % n), $0.value) }
    }

    static func from(_ p: UnsafeMutableRawPointer?) -> QuadraticProgram {
        Unmanaged<QuadraticProgram>.fromOpaque(p!).takeUnretainedValue()
    }
}

private let evalF: Eval_F_CB = { n, x, _, value, user in
    let qp = QuadraticProgram.from(user)
    value!.pointee = qp.form.objectiveValue(Array(UnsafeBufferPointer(start: x, count: Swift.Int(n))))
    return 1
}

private let evalGradF: Eval_Grad_F_CB = { n, x, _, grad, user in
    let qp = QuadraticProgram.from(user)
    for j in 0..<Swift.Int(n) { grad![j] = qp.form.objective[j] }
    for t in qp.form.quadraticObjective {
        grad![t.first] += t.coefficient * x![t.second]
        grad![t.second] += t.coefficient * x![t.first]
    }
    return 1
}

private let evalG: Eval_G_CB = { _, x, _, m, g, user in
    let form = QuadraticProgram.from(user).form
    for i in 0..<Swift.Int(m) {
        var s = 0.0
        for k in form.rowStart[i]..<form.rowStart[i + 1] { s += form.values[k] * x![form.columnIndex[k]] }
        g![i] = s
    }
    return 1
}

private let evalJacG: Eval_Jac_G_CB = { _, _, _, m, _, iRow, jCol, values, user in
    let form = QuadraticProgram.from(user).form
    if let values {
        for k in 0..<form.values.count { values[k] = form.values[k] }
    } else {
        for i in 0..<Swift.Int(m) {
            for k in form.rowStart[i]..<form.rowStart[i + 1] {
                iRow![k] = Int32(i)
                jCol![k] = Int32(form.columnIndex[k])
            }
        }
    }
    return 1
}

private let evalH: Eval_H_CB = { _, _, _, objFactor, _, _, _, _, iRow, jCol, values, user in
    let qp = QuadraticProgram.from(user)
    for (k, h) in qp.hessian.enumerated() {
        if let values { values[k] = objFactor * h.value } else {
            iRow![k] = h.row
            jCol![k] = h.column
        }
    }
    return 1
}
