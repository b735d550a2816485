import CbcBackend
import GLPKBackend
import SolverInterface
import XCTest

/// One conformance suite for every backend.
final class ConformanceTests: XCTestCase {
    let backends: [any SolverBackend] = [GLPKBackend(), CbcBackend()]

    /// max 3x + 2y s.t. x + y <= 4, x + 3y <= 6, x <= 3 -> optimum 11 at (3, 1) (as a minimisation: -11).
    func lp() -> StandardForm {
        var p = StandardForm()
        p.addColumn(name: "x", lower: 0, upper: 3, cost: -3)
        p.addColumn(name: "y", lower: 0, upper: .infinity, cost: -2)
        p.addRow(name: "a", entries: [(0, 1), (1, 1)], lower: -.infinity, upper: 4)
        p.addRow(name: "b", entries: [(0, 1), (1, 3)], lower: -.infinity, upper: 6)
        return p
    }

    func testLinearProgram() throws {
        for b in backends {
            let r = try b.solve(lp(), options: SolveOptions())
            XCTAssertEqual(r.termination, .optimal, b.name)
            XCTAssertEqual(r.objective!, -11, accuracy: 1e-9, b.name)
            XCTAssertEqual(r.solution![0], 3, accuracy: 1e-9, b.name)
            XCTAssertEqual(r.solution![1], 1, accuracy: 1e-9, b.name)
        }
    }

    func testKnapsackWithObjectiveConstant() throws {
        // max 5a + 4b + 3c s.t. 2a + 3b + c <= 5, 4a + b + 2c <= 11, 3a + 4b + 2c <= 8, binary:
        // 9 at (1, 1, 0) by enumeration of the 8 points; as a minimisation with constant 7: -9 + 7.
        for b in backends {
            var p = StandardForm()
            for (n, c) in [("a", -5.0), ("b", -4), ("c", -3)] { p.addColumn(name: n, lower: 0, upper: 1, cost: c, integer: true) }
            p.objectiveConstant = 7
            p.addRow(name: "r1", entries: [(0, 2), (1, 3), (2, 1)], lower: -.infinity, upper: 5)
            p.addRow(name: "r2", entries: [(0, 4), (1, 1), (2, 2)], lower: -.infinity, upper: 11)
            p.addRow(name: "r3", entries: [(0, 3), (1, 4), (2, 2)], lower: -.infinity, upper: 8)
            let r = try b.solve(p, options: SolveOptions(timeLimit: 10, relativeGap: 0))
            XCTAssertEqual(r.termination, .optimal, b.name)
            XCTAssertEqual(r.objective!, -9 + 7, accuracy: 1e-9, b.name)
        }
    }

    func testInfeasibleAndUnbounded() throws {
        for b in backends {
            var p = lp()
            p.addRow(name: "c", entries: [(0, 1)], lower: 5, upper: .infinity)
            XCTAssertEqual(try b.solve(p, options: SolveOptions()).termination, .infeasible, b.name)
            var q = StandardForm()
            q.addColumn(name: "x", lower: 0, upper: .infinity, cost: -1)
            q.addRow(name: "r", entries: [(0, 1)], lower: 1, upper: .infinity)
            let t = try b.solve(q, options: SolveOptions()).termination
            XCTAssertTrue(t == .unbounded || t == .infeasibleOrUnbounded, "\(b.name): \(t)")
            var qi = q
            qi.isInteger[0] = true
            let ti = try b.solve(qi, options: SolveOptions()).termination
            XCTAssertTrue(ti == .unbounded || ti == .infeasibleOrUnbounded, "\(b.name): \(ti)")
        }
    }

    func testInvalidDataNeverReachesTheLibrary() {
        for b in backends {
            var nan = lp()
            nan.objective[0] = .nan
            XCTAssertThrowsError(try b.solve(nan, options: SolveOptions()), b.name)
            var crossed = lp()
            crossed.columnLower[0] = 5
            XCTAssertThrowsError(try b.solve(crossed, options: SolveOptions()), b.name)
            var badIndex = lp()
            badIndex.columnIndex[0] = 99
            XCTAssertThrowsError(try b.solve(badIndex, options: SolveOptions()), b.name)
            XCTAssertThrowsError(try b.solve(lp(), options: SolveOptions(timeLimit: -1)), b.name)
            var infiniteCoefficient = lp()
            infiniteCoefficient.values[0] = .infinity
            XCTAssertThrowsError(try b.solve(infiniteCoefficient, options: SolveOptions()), b.name)
        }
    }

    func testEmptyProblems() throws {
        for b in backends {
            var p = StandardForm()
            p.objectiveConstant = 2
            let r = try b.solve(p, options: SolveOptions())
            XCTAssertEqual(r.termination, .optimal, b.name)
            XCTAssertEqual(r.objective!, 2, accuracy: 1e-12, b.name)
        }
    }
}
