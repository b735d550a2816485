import ClpBackend
import GLPKBackend
import SolverInterface
import XCTest

/// CLP as the LP and convex-QP backend. Optima are worked out by hand from the
/// KKT conditions (stated beside each problem), not taken from CLP.
final class ClpQuadraticTests: XCTestCase {
    let clp = ClpBackend()

    func testLinearProgramMatchesGLPKIncludingDuals() throws {
        // max 3x + 2y s.t. x + y <= 4, x + 3y <= 7, 0 <= x <= 3: optimum 11 at (3, 1); row a is the
        // only binding row with y basic, so its dual is -2 (minimisation form) and row b's is 0.
        var p = StandardForm()
        p.addColumn(name: "x", lower: 0, upper: 3, cost: -3)
        p.addColumn(name: "y", lower: 0, upper: .infinity, cost: -2)
        p.addRow(name: "a", entries: [(0, 1), (1, 1)], lower: -.infinity, upper: 4)
        p.addRow(name: "b", entries: [(0, 1), (1, 3)], lower: -.infinity, upper: 7)
        let r = try clp.solve(p, options: SolveOptions())
        XCTAssertEqual(r.termination, .optimal)
        XCTAssertEqual(r.objective!, -11, accuracy: 1e-9)
        XCTAssertEqual(r.rowDuals![0], -2, accuracy: 1e-9)
        XCTAssertEqual(r.rowDuals![1], 0, accuracy: 1e-9)
        // reduced cost of x = -3 - (-2) = -1 (x at its upper bound)
        XCTAssertEqual(r.reducedCosts![0], -1, accuracy: 1e-9)
        let g = try GLPKBackend().solve(p, options: SolveOptions())
        XCTAssertEqual(g.rowDuals![0], r.rowDuals![0], accuracy: 1e-9)
    }

    func testConvexQuadraticWithCrossTerm() throws {
        // min x^2 + y^2 + xy - 3x - 3y: unconstrained minimum (1, 1), value -3.
        // With x + y <= 1: x = y = 1/2 (gradient (-1.5, -1.5) = -1.5 (1, 1)), value -2.25.
        var p = StandardForm()
        p.addColumn(name: "x", lower: -10, upper: 10, cost: -3)
        p.addColumn(name: "y", lower: -.infinity, upper: .infinity, cost: -3)
        p.quadraticObjective = [.init(0, 0, 1), .init(1, 1, 1), .init(0, 1, 1)]
        var r = try clp.solve(p, options: SolveOptions())
        XCTAssertEqual(r.termination, .optimal)
        XCTAssertEqual(r.objective!, -3, accuracy: 1e-7)
        XCTAssertEqual(r.solution![0], 1, accuracy: 1e-5)
        XCTAssertEqual(r.solution![1], 1, accuracy: 1e-5)
        p.addRow(name: "cap", entries: [(0, 1), (1, 1)], lower: -.infinity, upper: 1)
        r = try clp.solve(p, options: SolveOptions())
        XCTAssertEqual(r.termination, .optimal)
        XCTAssertEqual(r.objective!, -2.25, accuracy: 1e-7)
        XCTAssertEqual(r.solution![0], 0.5, accuracy: 1e-5)
    }

    func testQuadraticWithActiveBoundAndConstant() throws {
        // min (x - 2)^2 = x^2 - 4x + 4 with x <= 1: x = 1, value 1.
        var p = StandardForm()
        p.addColumn(name: "x", lower: -.infinity, upper: 1, cost: -4)
        p.objectiveConstant = 4
        p.quadraticObjective = [.init(0, 0, 1)]
        let r = try clp.solve(p, options: SolveOptions())
        XCTAssertEqual(r.termination, .optimal)
        XCTAssertEqual(r.objective!, 1, accuracy: 1e-9)
        XCTAssertEqual(r.solution![0], 1, accuracy: 1e-9)
    }

    func testInfeasibleAndUnboundedAndRefusals() throws {
        var p = StandardForm()
        p.addColumn(name: "x", lower: 0, upper: 1)
        p.addRow(name: "r", entries: [(0, 1)], lower: 2, upper: .infinity)
        XCTAssertEqual(try clp.solve(p, options: SolveOptions()).termination, .infeasible)
        var q = StandardForm()
        q.addColumn(name: "x", lower: 0, upper: .infinity, cost: -1)
        XCTAssertEqual(try clp.solve(q, options: SolveOptions()).termination, .unbounded)
        // CLP has no integers; GLPK has no quadratic objective: both say so before any library call.
        q.isInteger[0] = true
        XCTAssertThrowsError(try clp.solve(q, options: SolveOptions()))
        var quadratic = StandardForm()
        quadratic.addColumn(name: "x", lower: 0, upper: 1)
        quadratic.quadraticObjective = [.init(0, 0, 1)]
        XCTAssertThrowsError(try GLPKBackend().solve(quadratic, options: SolveOptions()))
    }
}
