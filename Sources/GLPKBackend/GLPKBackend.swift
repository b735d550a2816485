import CGLPK
import Foundation
import SolverInterface

/// GLPK through its C API: `glp_simplex` for linear programs and `glp_intopt`
/// (with GLPK's presolver) for mixed-integer ones.
///
/// GLPK terminates the whole process when it is handed an invalid argument,
/// so every array is validated in Swift (`StandardForm.prepared`) before the
/// first call. Handles are created and freed inside `solve`; nothing is shared.
///
/// GLPK also aborts on its own internal failures (its MIP presolver asserts on some models with
/// an unbounded follower; its scaling on a row whose coefficients' product overflows). The
/// solving calls run behind the C shim's guard (`blo_glp_simplex`, `blo_glp_intopt`): a fatal error
/// frees GLPK's environment and comes back as a failed attempt, and what GLPK prints goes to a
/// terminal hook, never to standard output. An attempt that failed that way, or whose presolver
/// gave up (`GLP_ENOPFS`, `GLP_ENODFS`, `GLP_EFAIL`), is repeated on a fresh problem without the
/// presolver before any result is returned: the presolver's "no feasible solution" once came for
/// an outer-approximation master that contained a feasible point.
public struct GLPKBackend: SolverBackend {
    public init() {}

    public let name = "glpk"
    public let capabilities = SolverCapabilities(integerVariables: true, timeLimit: true, relativeGap: true)

    /// The largest violation of the LP optimality conditions (`StandardForm.optimalityCertificateError`)
    /// accepted from glp_simplex before the exact simplex is asked to confirm.
    static let certificateTolerance = 1e-7

    public func solve(_ problem: StandardForm, options: SolveOptions) throws -> SolverResult {
        let problem = try problem.prepared()
        try options.validate()
        try capabilities.check(problem, backend: name)
        let clock = Date()
        if problem.columnCount == 0 { return emptyProblem(problem) }
        var result = try LibraryOutput.onStandardError {
            let first = try attempt(problem, options, presolve: true, clock: clock)
            guard first.retry else { return first.result }
            // The presolver gave up or GLPK failed: once more without the presolver.
            var second = try attempt(problem, options, presolve: false, clock: clock)
            second.result.rawStatus += " (retried without the presolver after \(first.result.rawStatus))"
            return second.result
        }
        result.seconds = Date().timeIntervalSince(clock)
        return result
    }

    /// One attempt on a fresh GLPK problem: the result, and whether it should be repeated
    /// without the presolver (the presolver gave up, or GLPK stopped on a fatal error).
    private func attempt(_ problem: StandardForm, _ options: SolveOptions, presolve: Bool, clock: Date) throws
        -> (result: SolverResult, retry: Bool)
    {
        let guardrail = UnsafeMutablePointer<blo_glpk_guard>.allocate(capacity: 1)
        defer { guardrail.deallocate() }
        glp_term_out(GLP_OFF)
        blo_glpk_hooks(guardrail)
        defer { blo_glpk_unhook() }
        guard let lp = glp_create_prob() else { throw SolverError.libraryFailure("glp_create_prob returned null") }
        // After a fatal error GLPK's environment, and the problem with it, is gone.
        var alive = true
        defer { if alive { glp_delete_prob(lp) } }
        /// What GLPK printed before it failed, for the raw status.
        func failure(_ call: String) -> SolverResult {
            alive = false
            let message = withUnsafeBytes(of: guardrail.pointee.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let text = message.split(whereSeparator: \.isNewline).joined(separator: "; ")
            return SolverResult(termination: .error, rawStatus: "\(call): GLPK stopped on an internal error (\(text))")
        }
        load(problem, into: lp)
        let n = problem.columnCount, m = problem.rowCount
        let elapsed = Date().timeIntervalSince(clock)
        let limitMs: Int32 = options.timeLimit.map { Int32(min(Double(Int32.max), max(1, (($0 - elapsed) * 1000).rounded(.up)))) } ?? Int32.max

        var simplex = glp_smcp()
        glp_init_smcp(&simplex)
        simplex.msg_lev = GLP_MSG_OFF
        simplex.presolve = presolve ? GLP_ON : GLP_OFF
        simplex.tm_lim = limitMs
        if problem.integerCount == 0 {
            let ret = blo_glp_simplex(lp, &simplex, guardrail)
            if ret < 0 { return (failure("glp_simplex"), presolve) }
            var result: SolverResult
            switch ret {
            case 0:
                let status = glp_get_status(lp)
                switch status {
                case GLP_OPT:
                    var raw = "glp_simplex: GLP_OPT"
                    // The optimality certificate, recomputed in double precision: GLPK's simplex has
                    // stopped at a vertex that is not optimal on badly scaled rows (1e6 next to costs
                    // of 0.05; DifferentialTests). Then the exact (rational) simplex continues from
                    // that basis; an LP it cannot finish is an error, never a wrong optimum.
                    let x = (0..<n).map { glp_get_col_prim(lp, Int32($0 + 1)) }
                    let y = (0..<m).map { glp_get_row_dual(lp, Int32($0 + 1)) }
                    if problem.optimalityCertificateError(x, rowDuals: y) > Self.certificateTolerance {
                        var exact = glp_smcp()
                        glp_init_smcp(&exact)
                        exact.msg_lev = GLP_MSG_OFF
                        exact.tm_lim = limitMs
                        let e = blo_glp_exact(lp, &exact, guardrail)
                        if e < 0 { return (failure("glp_exact"), false) }
                        guard e == 0, glp_get_status(lp) == GLP_OPT else {
                            let r = SolverResult(
                                termination: e == GLP_ETMLIM ? .timeLimit : .error,
                                rawStatus: "glp_simplex: GLP_OPT failed its double-precision certificate; glp_exact: return code \(e), status \(glp_get_status(lp))")
                            return (r, false)
                        }
                        raw += "; certificate failed, corrected by glp_exact"
                    }
                    result = SolverResult(
                        termination: .optimal, solution: (0..<n).map { glp_get_col_prim(lp, Int32($0 + 1)) },
                        objective: glp_get_obj_val(lp), rawStatus: raw)
                    result.bestBound = result.objective
                    result.rowDuals = (0..<m).map { glp_get_row_dual(lp, Int32($0 + 1)) }
                    result.reducedCosts = (0..<n).map { glp_get_col_dual(lp, Int32($0 + 1)) }
                case GLP_NOFEAS: result = SolverResult(termination: .infeasible, rawStatus: "glp_simplex: GLP_NOFEAS")
                case GLP_UNBND: result = SolverResult(termination: .unbounded, rawStatus: "glp_simplex: GLP_UNBND")
                default: result = SolverResult(termination: .error, rawStatus: "glp_simplex: status \(status)")
                }
            case GLP_ENOPFS: return (SolverResult(termination: .infeasible, rawStatus: "glp_simplex: GLP_ENOPFS"), presolve)
            case GLP_ENODFS:
                return (SolverResult(termination: .infeasibleOrUnbounded, rawStatus: "glp_simplex: GLP_ENODFS"), presolve)
            case GLP_EFAIL: return (SolverResult(termination: .error, rawStatus: "glp_simplex: GLP_EFAIL"), presolve)
            case GLP_ETMLIM: result = SolverResult(termination: .timeLimit, rawStatus: "glp_simplex: GLP_ETMLIM")
            default: result = SolverResult(termination: .error, rawStatus: "glp_simplex: return code \(ret)")
            }
            return (result, false)
        }

        var parm = glp_iocp()
        glp_init_iocp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        parm.presolve = presolve ? GLP_ON : GLP_OFF
        parm.tm_lim = limitMs
        parm.tol_int = options.integralityTolerance
        if let gap = options.relativeGap { parm.mip_gap = gap }
        // All of GLPK's cut families and the feasibility pump: on the big-M toll benchmarks
        // they turn time-outs into solves in seconds (see docs/solvers.md).
        parm.gmi_cuts = options.gomoryCuts ? GLP_ON : GLP_OFF
        parm.mir_cuts = GLP_ON
        parm.cov_cuts = GLP_ON
        parm.clq_cuts = GLP_ON
        parm.fp_heur = GLP_ON
        // A stop request (SIGINT) ends the search at the next callback, with its incumbent. The
        // callback also keeps the best bound: the bound of the best active node (GLPK's search
        // minimises; a node's bound is valid for its whole subtree), for a search stopped early.
        let bestBound = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        bestBound.initialize(to: -Double.infinity)
        defer { bestBound.deallocate() }
        parm.cb_info = UnsafeMutableRawPointer(bestBound)
        parm.cb_func = { tree, info in
            guard let tree else { return }
            if Interruption.requested { glp_ios_terminate(tree) }
            let node = glp_ios_best_node(tree)
            guard node != 0, let info else { return }
            let bound = glp_ios_node_bound(tree, node), best = info.assumingMemoryBound(to: Double.self)
            if bound.isFinite, abs(bound) < 1e300, bound > best.pointee { best.pointee = bound }
        }
        if !presolve {
            // Without the presolver glp_intopt needs an optimal basis of the LP relaxation, which
            // also settles an infeasible or unbounded relaxation.
            let ret = blo_glp_simplex(lp, &simplex, guardrail)
            if ret < 0 { return (failure("glp_simplex (the MIP's relaxation)"), false) }
            if ret == GLP_ETMLIM { return (SolverResult(termination: .timeLimit, rawStatus: "glp_simplex (the MIP's relaxation): GLP_ETMLIM"), false) }
            let status = glp_get_status(lp)
            if ret != 0 || status != GLP_OPT {
                switch (ret, status) {
                case (0, GLP_NOFEAS):
                    return (SolverResult(termination: .infeasible, rawStatus: "glp_simplex (the MIP's relaxation): GLP_NOFEAS"), false)
                case (0, GLP_UNBND):
                    return (SolverResult(termination: .infeasibleOrUnbounded, rawStatus: "glp_simplex (the MIP's relaxation): GLP_UNBND"), false)
                default:
                    return (SolverResult(termination: .error, rawStatus: "glp_simplex (the MIP's relaxation): return code \(ret), status \(status)"), false)
                }
            }
        }
        let ret = blo_glp_intopt(lp, &parm, guardrail)
        if ret < 0 { return (failure("glp_intopt"), presolve) }
        let mipStatus = glp_mip_status(lp)
        let point: [Double]? =
            (mipStatus == GLP_OPT || mipStatus == GLP_FEAS) ? (0..<n).map { glp_mip_col_val(lp, Int32($0 + 1)) } : nil
        let objective = point == nil ? nil : glp_mip_obj_val(lp)
        // The best bound of a search that stopped early (never above its incumbent).
        let stoppedBound: Double? = bestBound.pointee.isFinite ? min(bestBound.pointee, objective ?? .infinity) : nil
        var result: SolverResult
        switch ret {
        case 0, GLP_EMIPGAP:
            if mipStatus == GLP_OPT || (mipStatus == GLP_FEAS && ret == GLP_EMIPGAP) {
                let text = ret == 0 ? "glp_intopt: GLP_OPT" : "glp_intopt: GLP_EMIPGAP (stopped at the relative gap)"
                result = SolverResult(
                    termination: .optimal, solution: point, objective: objective,
                    bestBound: ret == 0 ? objective : stoppedBound, rawStatus: text)
            } else if mipStatus == GLP_NOFEAS {
                result = SolverResult(termination: .infeasible, rawStatus: "glp_intopt: GLP_NOFEAS")
            } else {
                result = SolverResult(
                    termination: .error, solution: point, objective: objective,
                    rawStatus: "glp_intopt: mip status \(mipStatus)")
            }
        case GLP_ENOPFS: return (SolverResult(termination: .infeasible, rawStatus: "glp_intopt: GLP_ENOPFS"), presolve)
        case GLP_ENODFS:
            return (SolverResult(termination: .infeasibleOrUnbounded, rawStatus: "glp_intopt: GLP_ENODFS"), presolve)
        case GLP_EFAIL: return (SolverResult(termination: .error, rawStatus: "glp_intopt: GLP_EFAIL"), presolve)
        case GLP_ETMLIM:
            result = SolverResult(
                termination: .timeLimit, solution: point, objective: objective, bestBound: stoppedBound, rawStatus: "glp_intopt: GLP_ETMLIM")
        case GLP_ESTOP:
            result = SolverResult(
                termination: .interrupted, solution: point, objective: objective, bestBound: stoppedBound,
                rawStatus: "glp_intopt: GLP_ESTOP (interrupted)")
        default:
            result = SolverResult(termination: .error, rawStatus: "glp_intopt: return code \(ret)")
        }
        return (result, false)
    }

    /// Columns, rows, objective and matrix of `problem` into an empty GLPK problem.
    private func load(_ problem: StandardForm, into lp: OpaquePointer) {
        glp_set_obj_dir(lp, GLP_MIN)
        let n = problem.columnCount, m = problem.rowCount
        glp_add_cols(lp, Int32(n))
        if m > 0 { glp_add_rows(lp, Int32(m)) }
        for j in 0..<n {
            let (type, l, u) = Self.boundType(problem.columnLower[j], problem.columnUpper[j])
            glp_set_col_bnds(lp, Int32(j + 1), type, l, u)
            glp_set_obj_coef(lp, Int32(j + 1), problem.objective[j])
            if problem.isInteger[j] { glp_set_col_kind(lp, Int32(j + 1), GLP_IV) }
        }
        glp_set_obj_coef(lp, 0, problem.objectiveConstant)
        for i in 0..<m {
            let (type, l, u) = Self.boundType(problem.rowLower[i], problem.rowUpper[i])
            glp_set_row_bnds(lp, Int32(i + 1), type, l, u)
        }
        // glp_load_matrix takes 1-based triplets; element 0 of each array is unused.
        let ne = problem.values.count
        if ne > 0 {
            var ia = [Int32](repeating: 0, count: ne + 1)
            var ja = [Int32](repeating: 0, count: ne + 1)
            var ar = [Double](repeating: 0, count: ne + 1)
            for i in 0..<m {
                for k in problem.rowStart[i]..<problem.rowStart[i + 1] {
                    ia[k + 1] = Int32(i + 1)
                    ja[k + 1] = Int32(problem.columnIndex[k] + 1)
                    ar[k + 1] = problem.values[k]
                }
            }
            glp_load_matrix(lp, Int32(ne), &ia, &ja, &ar)
        }
    }

    /// GLPK's bound type for a pair of bounds (GLPK spells infinity as "no bound of that side").
    static func boundType(_ l: Double, _ u: Double) -> (Int32, Double, Double) {
        switch (l.isFinite, u.isFinite) {
        case (false, false): return (GLP_FR, 0, 0)
        case (true, false): return (GLP_LO, l, 0)
        case (false, true): return (GLP_UP, 0, u)
        case (true, true): return l == u ? (GLP_FX, l, u) : (GLP_DB, l, u)
        }
    }

    /// GLPK refuses problems without columns; the answer is known without it.
    private func emptyProblem(_ p: StandardForm) -> SolverResult {
        let feasible = (0..<p.rowCount).allSatisfy { p.rowLower[$0] <= 0 && 0 <= p.rowUpper[$0] }
        return feasible
            ? SolverResult(
                termination: .optimal, solution: [], objective: p.objectiveConstant,
                bestBound: p.objectiveConstant, rawStatus: "empty problem")
            : SolverResult(termination: .infeasible, rawStatus: "empty problem with an unsatisfiable row")
    }
}
