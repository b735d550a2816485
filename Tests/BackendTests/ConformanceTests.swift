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

    /// Numbers a C library chokes on are refused before any call (docs/solvers.md, "The numeric
    /// range"): GLPK aborts its scaling on a row with two coefficients near 1e155 (or 1e-155), CLP
    /// asserts on an objective coefficient of 1e25.
    func testNumbersOutsideTheLibraryRangeNeverReachTheLibrary() {
        for b in backends {
            func refused(_ p: StandardForm, _ what: String) {
                XCTAssertThrowsError(try b.solve(p, options: SolveOptions()), "\(b.name): \(what)") { error in
                    guard case SolverError.invalidProblem(let m) = error else { return XCTFail("\(b.name): \(error)") }
                    XCTAssertTrue(m.contains("outside") || m.contains("beyond"), m)
                }
            }
            var objective = lp()
            objective.objective[0] = 1e25
            refused(objective, "objective 1e25")
            var huge = lp()
            huge.values[0] = 1e155
            huge.values[1] = 1e155
            refused(huge, "a row of 1e155")
            var tiny = lp()
            tiny.values[0] = 1e-155
            tiny.values[1] = 1e-155
            refused(tiny, "a row of 1e-155")
            var quadratic = lp()
            quadratic.quadraticObjective = [.init(0, 0, 1e21)]
            XCTAssertThrowsError(try quadratic.validate(), "quadratic 1e21")
            var bindingBound = lp()
            bindingBound.columnLower[1] = 1e13
            bindingBound.columnUpper[1] = 1e14
            refused(bindingBound, "x >= 1e13")
            var bindingRow = lp()
            bindingRow.rowLower[0] = -1e13
            bindingRow.rowUpper[0] = -1e13
            refused(bindingRow, "a row = -1e13")
        }
    }

    /// Bounds of 1e12 or more in magnitude on their relaxing side are passed as infinite.
    func testHugeBoundsOnTheirRelaxingSideAreInfinite() throws {
        for b in backends {
            var p = StandardForm()
            p.addColumn(name: "x", lower: -1e13, upper: 1e13, cost: -1)
            p.addRow(name: "r", entries: [(0, 1)], lower: -1e300, upper: 1e15)
            let t = try b.solve(p, options: SolveOptions()).termination
            XCTAssertTrue(t == .unbounded || t == .infeasibleOrUnbounded, "\(b.name): \(t)")
            p.columnUpper[0] = 9.99e11
            let r = try b.solve(p, options: SolveOptions())
            XCTAssertEqual(r.objective ?? .nan, -9.99e11, accuracy: 1e-3, b.name)
        }
    }

    /// Every verdict of GLPK's presolver (GLP_ENOPFS, GLP_ENODFS) is checked without it before a
    /// result is returned (issue 8: the presolver called a master containing a feasible point
    /// infeasible). Here the verdicts are right, and the retry says so with the real status.
    func testGLPKPresolverVerdictsAreRetriedWithoutThePresolver() throws {
        var infeasible = lp()
        infeasible.addRow(name: "c", entries: [(0, 1)], lower: 5, upper: .infinity)
        let r1 = try GLPKBackend().solve(infeasible, options: SolveOptions())
        XCTAssertEqual(r1.termination, .infeasible)
        XCTAssertTrue(r1.rawStatus.hasPrefix("glp_simplex: GLP_NOFEAS (retried without the presolver after glp_simplex: GLP_ENOPFS)"), r1.rawStatus)
        var unbounded = StandardForm()
        unbounded.addColumn(name: "x", lower: 0, upper: .infinity, cost: -1)
        unbounded.addRow(name: "r", entries: [(0, 1)], lower: 1, upper: .infinity)
        let r2 = try GLPKBackend().solve(unbounded, options: SolveOptions())
        XCTAssertEqual(r2.termination, .unbounded, r2.rawStatus)
        XCTAssertTrue(r2.rawStatus.contains("retried without the presolver after glp_simplex: GLP_ENODFS"), r2.rawStatus)
        var mip = infeasible
        mip.isInteger[0] = true
        let r3 = try GLPKBackend().solve(mip, options: SolveOptions())
        XCTAssertEqual(r3.termination, .infeasible)
        XCTAssertTrue(r3.rawStatus.contains("retried without the presolver after glp_intopt: GLP_ENOPFS"), r3.rawStatus)
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

#if canImport(Glibc)
import Glibc
#endif

/// Library calls run with file descriptor 1 on standard error, so that nothing a library prints
/// reaches the report `solve --json` writes on standard output.
final class LibraryOutputTests: XCTestCase {
    /// The device and inode a file descriptor points at.
    func identity(_ fd: Int32) -> (UInt64, UInt64) {
        var s = stat()
        fstat(fd, &s)
        return (UInt64(s.st_dev), UInt64(s.st_ino))
    }

    func testStandardOutputPointsAtStandardErrorDuringACallAndIsRestored() throws {
        // Standard error goes to a file of our own for the test, so the two are told apart.
        let path = NSTemporaryDirectory() + "library-output-\(UUID().uuidString)"
        let file = open(path, O_CREAT | O_WRONLY, 0o600)
        XCTAssertGreaterThanOrEqual(file, 0)
        let savedError = dup(2)
        dup2(file, 2)
        defer {
            dup2(savedError, 2)
            close(savedError)
            close(file)
            unlink(path)
        }
        let before = identity(1)
        XCTAssertFalse(LibraryOutput.isRedirected)
        let inside = LibraryOutput.onStandardError { () -> (UInt64, UInt64) in
            // Nested calls (CBC re-solves a relaxation inside a solve) keep the redirection.
            let nested = LibraryOutput.onStandardError { identity(1) }
            XCTAssertTrue(nested == identity(2))
            XCTAssertTrue(LibraryOutput.isRedirected)
            _ = "from a library\n".withCString { write(1, $0, strlen($0)) }
            return identity(1)
        }
        XCTAssertTrue(inside == identity(2), "fd 1 pointed at standard error during the call")
        XCTAssertTrue(identity(1) == before, "fd 1 restored after the call")
        XCTAssertFalse(LibraryOutput.isRedirected)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "from a library\n")
    }
}
