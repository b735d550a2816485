import BlomodelCore
import Foundation
import GradientMethods
import Reformulations

/// The gradient methods with their own loops (not the leader's hypergradient descent, not the
/// value-function joint descent): `bvfim`, `cccp-bo`, `igfm` (docs/gradient-methods.md).
extension GradientOptions {
    static let ownLoops: Set<String> = ["bvfim", "cccp-bo", "igfm"]

    /// Whether the method's own follower point is its answer's (the methods that move x and y
    /// together and are judged by their gap), rather than the follower solved again at its x.
    static func keepsItsFollowerPoint(_ name: String) -> Bool {
        ["bome", "pbgd", "pbgd-gradient", "bvfim", "cccp-bo"].contains(name)
    }
}

extension Blomodel {
    /// What a method needs beyond what every gradient method needs, checked before it starts:
    /// notes for the plan, or a diagnostic when the model does not qualify.
    static func methodRequirements(_ name: String, _ model: BilevelModel) throws -> [String] {
        guard name == "cccp-bo" else { return [] }
        // Its projection (onto D_k, by the one-multiplier dual) is over the boxes only.
        if let row = model.constraints.first(where: { $0.owner == .leader }) {
            throw Diagnostic(
                .error,
                "cccp-bo does not take the leader's constraints (\(row.name) is one): its projection onto D_k is over the variables' boxes only",
                at: row.location == .unknown ? nil : row.location,
                notes: ["write them as bounds, or use a method that takes them: aid-cg, aid-exact, pbgd"]
            ).withSourceLine()
        }
        let (convex, why) = ModelDescription.followerJointlyConvex(model)
        if convex == true { return ["cccp-bo: \(why), as its linearisation of the value function needs (seed 002, Assumption 1)"] }
        let objective = model.lowerObjective
        throw Diagnostic(
            .error,
            "cccp-bo needs the follower's objective convex in the leader's and the follower's variables together (seed 002, Assumption 1: then the value function is convex and its linearisation keeps the iterates feasible); \(why)",
            at: objective.location == .unknown ? nil : objective.location,
            notes: ["a method for followers convex in their own variables only: --method bome, or igfm"]
        ).withSourceLine()
    }

    /// Runs `name` when it has its own loop (nil for the others).
    static func runOwnLoop(_ name: String, _ p: SmoothBilevel, _ o: LeaderDescent.Options, _ g: GradientOptions) -> LeaderDescent.Result? {
        switch name {
        case "cccp-bo":
            var c = CCCPBO.Options()
            c.rho = g.rho
            c.epsilon = g.epsilon
            c.control = o.control
            return CCCPBO(options: c).run(p)
        case "igfm":
            var c = IGFM.Options()
            c.step = g.step
            c.delta = g.delta
            c.theta = g.theta
            c.innerSteps = g.innerSteps
            c.innerStep = g.innerStep
            c.seed = g.seed
            c.control = o.control
            return IGFM(options: c).run(p)
        case "bvfim":
            var c = BVFIM.Options()
            c.step = g.step
            c.control = o.control
            c.innerSteps = g.innerSteps
            c.innerStep = g.innerStep
            return BVFIM(options: c).run(p)
        default:
            return nil
        }
    }

    /// What a method's certification means beyond the common reasons.
    static func methodCertificationNotes(_ name: String, gap: Double, _ g: GradientOptions) -> [String] {
        switch name {
        case "cccp-bo":
            return [
                "cccp-bo solves the epsilon-relaxed problem (seed 002, problem (6)): f(x, y) - min_y f(x, y) <= epsilon = \(String(format: "%.2g", g.epsilon)) by design (measured \(String(format: "%.2g", gap))); for an answer the follower re-solve accepts, give --epsilon below the verification tolerance"
            ]
        case "igfm":
            return [
                "igfm's measure is an estimate of |grad phi_delta| at the returned (last) point, the mean of \(10) x (leader variables) two-point estimates with delta = \(String(format: "%.2g", g.delta)): an element of the Goldstein delta-subdifferential of the optimistic hyper-objective (Lin, Zheng and Jordan 2022), not a gradient"
            ]
        case "bvfim":
            return ["bvfim's y is its own iterate (barrier parameters at the end of their schedule), judged by the follower gap above"]
        default:
            return []
        }
    }
}
