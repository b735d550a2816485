import BlomodelCore
import Foundation
import Reformulations
import SolverInterface

/// The value-function route: the follower's optimality as a bound by its optimal-value function.
///
/// - An integer or mixed-integer follower: master MILPs on the high-point relaxation refined by
///   value-function and no-good cuts (`IntegerFollowerSearch`), when every linking variable is
///   integer and bounded (the classification refuses the others before any solve).
/// - An LP follower: one MILP, the value-function program (`ValueFunctionReformulation`): the
///   follower's objective at most its dual objective, one row instead of a binary per
///   complementarity pair, exact when its leader x follower and leader x multiplier products have
///   integer bounded leader factors. It rests on the multipliers' bounds it uses (proven or not,
///   as the report says). The planner chooses it first when it is exact and every multiplier
///   bound it uses is proven (`ModelFacts.valueFunction`); `--route value-function` forces it.
package struct ValueFunctionRoute: Route {
    /// The most master MILPs the search solves before it stops with its incumbent.
    public var iterationLimit: Int
    public var name: String { "value-function" }
    public var summary: String { "the follower's optimality as a bound by its optimal-value function, refined by cuts" }

    public init(iterationLimit: Int = 100_000) {
        self.iterationLimit = iterationLimit
    }

    public func assess(_ facts: ModelFacts, capabilities: RouteCapabilities) -> RouteAssessment {
        guard let classification = facts.classification else {
            if let d = facts.description, d.follower.integerVariables + d.follower.binaryVariables > 0 {
                return .refused(facts.refusalText)
            }
            return .refused("it takes integer followers (\(facts.refusalText))")
        }
        guard capabilities.milp.capabilities.integerVariables else {
            return .refused("\(capabilities.milp.name) declares no integer variables, which the value-function programs need")
        }
        if classification.hasIntegerFollower {
            let linking = classification.linkingVariables.count
            return .accepted(
                "the follower has integer variables and its \(linking) linking variable(s) are integer and bounded: master MILPs with value-function and no-good cuts (\(capabilities.milp.name)) end with a proven optimum")
        }
        if let why = classification.valueFunctionRefusal {
            return .refused("for integer followers, and LP followers whose value-function row is exact: \(why)")
        }
        if case .outerApproximation = classification.leaderObjective {
            return .refused("the leader's objective is quadratic: outer approximation solves it")
        }
        if facts.forcedRoute == name {
            return .accepted("forced by --route; the value-function program: the follower's objective at most its dual objective, one MILP (\(capabilities.milp.name))")
        }
        guard let vf = facts.valueFunction else {
            return .refused(
                "taken when its row is exact and every multiplier bound it uses is proven, which is known once the bounds are proven (solve); available with --route value-function")
        }
        if vf.boundsNotProven > 0 {
            return .refused(
                "its row is exact but \(vf.boundsNotProven) of the \(vf.boundsUsed) multiplier bound(s) it uses are not proven; available with --route value-function")
        }
        return .accepted(
            "the value-function program is exact and rests on \(vf.boundsUsed) proven multiplier bound(s): one row, \(vf.bits) expansion bit(s) and \(vf.products) exact product(s) in place of \(vf.pairs) complementarity binaries; one MILP (\(capabilities.milp.name)) with the follower's optimality in its LP relaxation")
    }

    public func solve(_ r: Reformulated, context: RouteContext) throws -> RouteOutcome {
        if r.classification.hasIntegerFollower {
            return try IntegerFollowerSearch.run(r, context: context, iterationLimit: iterationLimit).0
        }
        return try solveProgram(r, context: context)
    }

    /// A point of the value-function program in the columns of the big-M program: the
    /// complementarity model's columns come first in both; each pair's binary is 1 where its
    /// multiplier is positive (then its slack is zero).
    package static func bigMPoint(_ point: [Double], _ r: Reformulated) -> [Double] {
        var mapped = Array(point.prefix(r.complementarityModel.columns.count))
        mapped += Array(repeating: 0, count: max(0, r.standardForm.columnCount - mapped.count))
        for record in r.bigM {
            if let z = record.binaryColumn { mapped[z] = mapped[record.multiplierColumn] > 1e-9 ? 1 : 0 }
        }
        return mapped
    }

    /// The value-function program of an LP follower, solved as one MILP; the point is returned in
    /// the columns of the big-M program (`r.standardForm`), with the complementarity binaries set
    /// from the multipliers.
    func solveProgram(_ r: Reformulated, context: RouteContext) throws -> RouteOutcome {
        guard
            let vf = ValueFunctionReformulation.apply(
                mpcc: r.complementarityModel, model: r.model, classification: r.classification, bigM: r.bigM)
        else {
            let why =
                ValueFunctionReformulation.refusal(
                    mpcc: r.complementarityModel, model: r.model, classification: r.classification, bigM: r.bigM) ?? "unknown"
            throw Diagnostic(.error, "the value-function program cannot be built exactly: \(why)")
        }
        let (form, _) = try Lowering.apply(vf.program)
        var options = context.options
        options.startingPoint = nil
        var result = try context.solvers.milp.solve(form, options: options)
        result.solution = result.solution.map { Self.bigMPoint($0, r) }
        let plan = [
            "value-function: \(vf.blocks == 1 ? "one row" : "\(vf.blocks) rows, one per independent block of the follower, summing to") (\(vf.rowText)) in place of \(r.complementarityModel.complementarities.count) complementarity pair(s); \(vf.bits) expansion bit(s), \(vf.products) exact product(s); \(form.rowCount) rows, \(form.columnCount) columns, \(form.integerCount) integer column(s); solved by \(context.solvers.milp.name)"
        ]
        var outcome = RouteOutcome(result: result, plan: plan)
        outcome.basis = .multiplierBounds(vf.boundedPairs)
        outcome.programSize = (form.rowCount, form.columnCount, form.integerCount)
        return outcome
    }
}
