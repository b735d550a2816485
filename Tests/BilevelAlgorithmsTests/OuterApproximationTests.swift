import BlomodelCore
import GLPKBackend
import IpoptBackend
import Reformulations
import SolverInterface
import XCTest

@testable import BilevelAlgorithms

/// Outer approximation's master columns and cuts carry typed origins.
final class OuterApproximationTests: XCTestCase {
    func testEpigraphColumnsAndCutsAreTyped() throws {
        let r = try Planner.reformulate(try model(bard1988), lpSolver: GLPKBackend())
        let outcome = try OuterApproximation.solve(
            r.standardForm, milp: GLPKBackend(), qp: IpoptBackend(), options: SolveOptions(timeLimit: 60))
        XCTAssertTrue(outcome.converged)
        XCTAssertEqual(outcome.upperBound * r.objectiveSign, 17, accuracy: 1e-6)
        let blocks = outcome.masterColumns.count
        XCTAssertGreaterThan(blocks, 0)
        XCTAssertEqual(outcome.masterColumns, (0..<blocks).map { ColumnOrigin.epigraph(block: $0) })
        XCTAssertEqual(outcome.masterRows.count, outcome.iterations.last?.cuts)
        for origin in outcome.masterRows {
            guard case .outerApproximationCut(let block) = origin else { return XCTFail("\(origin)") }
            XCTAssertTrue((0..<blocks).contains(block))
        }
    }

    func testTheRouteSolvesAndSummarises() throws {
        let r = try Planner.reformulate(try model(bard1988), lpSolver: GLPKBackend())
        let solvers = SolverSuite(milp: GLPKBackend(), dualLP: GLPKBackend(), qp: IpoptBackend())
        let outcome = try OuterApproximationRoute().solve(r, context: RouteContext(solvers: solvers, options: SolveOptions()))
        XCTAssertEqual(outcome.result.termination, .optimal)
        let summary = try XCTUnwrap(outcome.outerApproximation)
        XCTAssertTrue(summary.converged)
        XCTAssertEqual(summary.objective, 17, accuracy: 1e-6)
        XCTAssertTrue(outcome.plan.first?.hasPrefix("outer-approximation:") ?? false)
    }
}
