import BilevelAlgorithms
import BlomodelCore
import Foundation

extension SolveReport {
    /// The JSON object documented in docs/cli.md.
    public var json: JSONValue {
        func values(_ list: [(String, Double)]) -> JSONValue { .object(list.map { ($0.0, .number($0.1)) }) }
        var verificationValue: JSONValue = .null
        if let v = verification {
            verificationValue = .object([
                ("outcome", .string(v.outcome.rawValue)),
                ("follower_optimum", .number(v.followerOptimum)),
                ("follower_at_point", .number(v.followerAtPoint)),
                ("gap", .number(v.gap.isFinite ? v.gap : nil)),
                ("max_violation", .number(v.maxViolation)),
                ("detail", .string(v.detail)),
            ])
        }
        var branchAndBoundValue: JSONValue = .null
        if let b = branchAndBound {
            let fields: [(String, JSONValue)] = [
                ("nodes", .number(Double(b.nodes))), ("relaxations", .number(Double(b.relaxations))),
                ("objective", .number(b.objective)), ("bound", .number(b.bound)),
                ("relative_gap", .number(b.relativeGap.isFinite ? b.relativeGap : nil)), ("closed", .bool(b.closed)),
                ("big_m_objective", .number(b.bigMObjective)),
                ("incumbent_source", b.incumbentSource.map { .string($0) } ?? .null),
                ("stop_reason", .string(b.stopReason)), ("check_only", .bool(b.checkOnly)),
            ]
            branchAndBoundValue = .object(fields)
        }
        var valueFunctionValue: JSONValue = .null
        if let v = valueFunction {
            valueFunctionValue = .object([
                ("masters", .number(Double(v.masters))), ("follower_milps", .number(Double(v.followerMILPs))),
                ("restricted_milps", .number(Double(v.restrictedMILPs))), ("value_function_cuts", .number(Double(v.valueFunctionCuts))),
                ("no_good_cuts", .number(Double(v.noGoodCuts))), ("incumbent", .number(v.incumbent)), ("bound", .number(v.bound)),
                ("closed", .bool(v.closed)), ("zero_sum", .bool(v.zeroSum)),
            ])
        }
        var gradientValue: JSONValue = .null
        if let g = gradient {
            let fields: [(String, JSONValue)] = [
                ("method", .string(g.method)), ("iterations", .number(Double(g.iterations))), ("stop", .string(g.stop)),
                ("stationarity", .number(g.stationarity)), ("follower_gap", .number(g.followerGap)),
                ("follower_stationarity", .number(g.followerStationarity)),
                ("follower_convex", g.followerConvex.map { .bool($0) } ?? .null),
                ("warnings", .array(g.warnings.map { .string($0) })),
            ]
            gradientValue = .object(fields)
        }
        return .object([
            ("schema_version", .number(Double(BlomodelVersion.reportSchema))),
            ("blomodel_version", .string(BlomodelVersion.current)),
            ("model", .string(modelName)),
            ("problem_class", .string(problemClass)),
            ("solver", .string(solver)),
            ("route", route.map { .string($0) } ?? .null),
            ("termination", .string(termination.rawValue)),
            ("certification", .string(certification.rawValue)),
            ("certification_reasons", .array(certificationReasons.map { .string($0) })),
            ("solver_status", .string(rawSolverStatus)),
            ("mip_gap", .number(mipGap)),
            ("best_bound", .number(bestBound)),
            ("best_bound_validity", bestBoundValidity.map { .string($0.rawValue) } ?? .null),
            ("relative_gap", .number(relativeGap)),
            (
                "outer_approximation",
                outerApproximation.map {
                    .object([
                        ("iterations", .number(Double($0.iterations))), ("cuts", .number(Double($0.cuts))),
                        ("objective", .number($0.objective)), ("bound", .number($0.bound)),
                        ("absolute_gap", .number($0.absoluteGap)), ("relative_gap", .number($0.relativeGap)),
                        ("tolerance", .number($0.tolerance)), ("converged", .bool($0.converged)),
                        ("stop_reason", $0.stopReason.map { .string($0) } ?? .null),
                    ])
                } ?? .null
            ),
            ("branch_and_bound", branchAndBoundValue),
            ("value_function", valueFunctionValue),
            ("gradient", gradientValue),
            (
                "leader",
                .object([
                    ("objective", .number(leaderObjective)), ("objective_name", .string(leaderObjectiveName)),
                    ("sense", .string(leaderSense.rawValue)), ("variables", values(leaderVariables)),
                ])
            ),
            (
                "follower",
                .object([
                    ("objective", .number(followerObjective)), ("objective_name", .string(followerObjectiveName)),
                    ("sense", .string(followerSense.rawValue)), ("variables", values(followerVariables)),
                    ("duals", values(followerDuals)),
                ])
            ),
            ("verification", verificationValue),
            ("term_plan", .array(termPlan.map { .string($0) })),
            (
                "routes",
                .array(
                    routes.map {
                        .object([
                            ("name", .string($0.name)), ("accepted", .bool($0.assessment.accepted)),
                            ("reason", .string($0.assessment.reason)),
                        ])
                    })
            ),
            (
                "big_m",
                .array(
                    bigM.map {
                        .object([
                            ("pair", .string($0.pair)), ("primal_m", .number($0.primalM)),
                            ("primal_source", .string($0.primalSource.description)), ("dual_m", .number($0.dualM)),
                            ("dual_source", .string($0.dualSource.description)),
                            ("binary", .bool($0.binaryColumn != nil)),
                            ("resolution", .string($0.resolution.rawValue)),
                        ])
                    })
            ),
            ("size", .object([("rows", .number(Double(rows))), ("columns", .number(Double(columns))), ("binaries", .number(Double(binaries)))])),
            (
                "timing",
                .object([
                    ("parse", .number(timing.parse)), ("reformulation", .number(timing.reformulation)),
                    ("solver", .number(timing.solver)), ("verification", .number(timing.verification)),
                ])
            ),
            ("notes", .array(notes.map { .string($0) })),
            ("warnings", .array(warnings.map { .string($0.headline) })),
        ])
    }

    /// The report a person reads at a glance.
    public func text(explain: Bool = false) -> String {
        func fmt(_ v: Double?) -> String {
            guard var v else { return "-" }
            if abs(v) < 1e-9 { v = 0 }
            if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
            return String(format: "%.9g", v)
        }
        // Long tables list the nonzero values only (the JSON report has all of them).
        func table(_ title: String, _ all: [(String, Double)]) -> String {
            guard !all.isEmpty else { return "" }
            let rows = all.count > 12 ? all.filter { abs($0.1) > 1e-9 } : all
            let width = max(4, rows.map(\.0.count).max() ?? 0)
            var s = "\n\(title)\n"
            for (name, value) in rows { s += "  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + fmt(value) + "\n" }
            if rows.count < all.count { s += "  (\(all.count - rows.count) more at zero; --json lists every value)\n" }
            return s
        }
        var s = "model          \(modelName)\n"
        s += "problem        \(problemClass)\n"
        if let route { s += "route          \(route)\n" }
        s += "termination    \(termination.rawValue)   (\(solver): \(rawSolverStatus))\n"
        var cert = certification == .notBilevelFeasible ? "NOT BILEVEL FEASIBLE" : certification.rawValue
        if let v = verification, v.outcome == .optimal { cert += "   (follower re-solve gap \(fmt(v.gap)))" }
        s += "certification  \(cert)\n"
        for r in certificationReasons { s += "               ! \(r)\n" }
        if stoppedEarly { s += "stopped        \(stoppedLine)\n" }
        if leaderObjective != nil {
            s += "leader         \(leaderSense.rawValue) \(leaderObjectiveName) = \(fmt(leaderObjective))\n"
            s += "follower       \(followerSense.rawValue) \(followerObjectiveName) = \(fmt(followerObjective))"
            if let v = verification, let opt = v.followerOptimum { s += "   (its optimum at the leader's decision: \(fmt(opt)))" }
            s += "\n"
            if let g = mipGap, g > 1e-9, outerApproximation == nil { s += "mip gap        \(fmt(g))\n" }
            if let bb = branchAndBound {
                let gap = bb.relativeGap.isFinite ? String(format: "%.2g", bb.relativeGap) : "-"
                let state = bb.closed ? "" : (bb.checkOnly ? "  (a check of the big-M answer; not closed: \(bb.stopReason))" : "  NOT CLOSED: \(bb.stopReason)")
                s += "branch & bound \(bb.nodes) node(s), \(bb.relaxations) relaxation(s); bound \(fmt(bb.bound)), relative gap \(gap)\(state)\n"
            }
            if let v = valueFunction {
                s += "value function \(v.masters) master(s), \(v.followerMILPs) follower MILP(s), \(v.valueFunctionCuts) value-function and \(v.noGoodCuts) no-good cut(s); bound \(fmt(v.bound))\(v.closed ? "" : "  NOT CLOSED")\(v.zeroSum ? " (zero-sum masters)" : "")\n"
            }
            if let g = gradient {
                let stop = g.stop == "converged" ? "converged" : "stopped: \(g.stop)"
                s += "gradient       \(g.method): \(g.iterations) iteration(s), \(stop); \(g.measureName) \(String(format: "%.2g", g.stationarity)), follower gap \(String(format: "%.2g", g.followerGap))\n"
            }
            if let oa = outerApproximation {
                s += "outer approx.  \(oa.iterations) MILP(s), \(oa.cuts) cut(s); bound \(fmt(oa.bound)), gap \(String(format: "%.2g", oa.absoluteGap)) (relative \(String(format: "%.2g", oa.relativeGap)), tolerance \(String(format: "%.2g", oa.tolerance)))\(oa.converged ? "" : "  NOT CONVERGED: \(oa.stopReason ?? "stopped")")\n"
            }
        }
        s += table("leader variables", leaderVariables)
        s += table("follower variables", followerVariables)
        if explain { s += table("follower duals", followerDuals) }
        if gradient == nil { s += "\nsize           \(rows) rows, \(columns) columns, \(binaries) binaries\n" } else { s += "\n" }
        s += String(
            format: "time           parse %.3f s, reformulation %.3f s, solver %.3f s, verification %.3f s\n",
            timing.parse, timing.reformulation, timing.solver, timing.verification)
        for n in notes { s += "note: \(n)\n" }
        for w in warnings { s += w.headline + "\n" }
        if explain { s += "\n" + explanation }
        return s
    }

    /// Why a run stopped early and how far its incumbent may be from the optimum:
    /// `time limit; best bound -12.5, incumbent -10, gap 25%`.
    public var stoppedLine: String {
        var parts: [String] = []
        switch termination {
        case .timeLimit: parts.append("time limit")
        case .nodeLimit: parts.append("node limit")
        case .interrupted: parts.append("interrupted")
        case .iterationLimit: parts.append("iteration limit")
        default: parts.append(termination.rawValue)
        }
        if let g = gradient {
            let at = leaderObjective.map { "last iterate \(formatNumber($0))" } ?? "no iterate"
            return parts[0] + "; \(at), \(g.measureName) \(String(format: "%.2g", g.stationarity)) (a local method has no bound on the optimum)"
        }
        var values: [String] = []
        if let bestBound {
            var b = "best bound \(formatNumber(bestBound))"
            switch bestBoundValidity {
            case .ifBoundsHold?: b += " (if the user-given bounds hold)"
            case .bigMProgram?: b += " (of the big-M program only: its default Ms are not proven, so not a bound on the bilevel optimum)"
            default: break
            }
            values.append(b)
        }
        values.append(leaderObjective.map { "incumbent \(formatNumber($0))" } ?? "no incumbent")
        if let gap = relativeGap {
            let percent = 100 * gap
            values.append("gap " + (percent >= 1000 ? String(format: "%.0f", percent) : String(format: "%.3g", percent)) + "%")
        } else if bestBound == nil {
            values.append("no bound known, so the gap is unknown")
        }
        return parts[0] + "; " + values.joined(separator: ", ")
    }

    /// The classification, the route candidates with their reasons, the plan and every big-M with its source.
    public var explanation: String {
        var s = "classification\n"
        for r in classificationReasons { s += "  - \(r)\n" }
        if !termPlan.isEmpty {
            s += "quadratic and bilinear terms\n"
            for t in termPlan { s += "  - \(t)\n" }
        }
        if !routes.isEmpty {
            s += "routes\n" + RoutePlanner.describe(routes)
        }
        s += "plan\n"
        for (i, p) in plan.enumerated() { s += "  \(i + 1). \(p)\n" }
        s += "big-M values\n"
        if bigM.isEmpty { s += "  (none)\n" }
        for m in bigM {
            let binary = m.resolution == .binary ? "" : "  [\(m.resolution.rawValue): no binary]"
            s += "  \(m.pair): slack <= \(formatNumber(m.primalM)) from \(m.primalSource); multiplier <= \(formatNumber(m.dualM)) from \(m.dualSource)\(binary)\n"
        }
        return s
    }
}
