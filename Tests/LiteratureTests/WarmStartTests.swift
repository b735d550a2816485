import Foundation
import XCTest

import Blomodel

final class WarmStartTests: XCTestCase {
    /// The warm start is the follower's optimal response with its duals: it must satisfy
    /// every row of the MILP, and its follower part must pass the follower re-solve.
    func testWarmStartIsFeasibleAndBilevelFeasible() throws {
        // The strategic producer has dual(balance) and binary-expansion variables, which the
        // start computes from the multipliers and the digits of q; Shimizu-Aiyoshi a QP follower.
        for file in [
            "classic/toll/toll.blo", "classic/pricing/pricing.blo", "literature/candler_townsley_1982.blo",
            "classic/strategic_producer/strategic_producer.blo", "literature/aiyoshi_shimizu_1984_ex2.blo",
        ] {
            let input = try ModelLoader.load(path: repositoryRoot.appendingPathComponent("Models/\(file)").path)
            let r = try Blomodel.reformulate(input)
            let model = r.model
            let solvers = BlomodelOptions().solvers
            let start = try XCTUnwrap(WarmStart.build(model, r, lp: solvers.dualLP, qp: solvers.qp), file)
            XCTAssertLessThanOrEqual(r.standardForm.maxViolation(start), 1e-6, file)
            let v = Verifier.verify(
                model, point: Array(start[0..<model.variables.count]), solver: SolverChoice.glpk.backend, qpSolver: solvers.qp)
            XCTAssertEqual(v.outcome, .optimal, file)
        }
    }
}
