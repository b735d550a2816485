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

    /// Dempe and Franke (2011), example 4.2 as published (the follower's variables free, so the
    /// complementarity pairs get the default big-M 1e4): optimum 2.125 at x = (-1, -1),
    /// y = (2.25, 1.25) (Models/literature/dempe_franke_2011_ex42/README.md).
    static let dempeFranke = """
        upper { var x1 >= -1, <= 1; var x2 >= -1, <= -1; minimize F: x1 + (y1 - 1)^2 + y2^2; }
        lower { var y1; var y2; minimize f: x1*y1 + x2*y2; g1: -y1 + y2 <= 1; g2: y1 + y2 <= 3.5; g3: y2 <= 2; }
        """

    /// Issue 8: a master point whose binaries sit within the integrality tolerance of their values
    /// (1 - 1e-8 under M = 1e4) relaxes complementarity by 1e-4; kept as the incumbent it was not
    /// bilevel feasible. A MILP solver that returns such points (as GLPK and CBC may) must not
    /// change the answer: each master point is polished and re-verified first.
    func testOnlyPolishedReverifiedPointsBecomeIncumbents() throws {
        let bilevel = try model(Self.dempeFranke)
        let r = try Planner.reformulate(bilevel, lpSolver: GLPKBackend())
        let sloppy = SloppyMILP(exact: GLPKBackend())
        func verify(_ x: [Double]) -> Verification {
            Verifier.verify(r.model, point: r.modelPoint(x), solver: GLPKBackend(), qpSolver: IpoptBackend())
        }
        for milpOnly in [false, true] {
            sloppy.points.removeAll()
            var oa = OuterApproximation.Options()
            if milpOnly { (oa.absoluteGap, oa.relativeGap) = (1e-5, 1e-5) }
            let outcome = try OuterApproximation.solve(
                r.standardForm, milp: sloppy, qp: milpOnly ? nil : IpoptBackend(), options: SolveOptions(timeLimit: 120), oa: oa,
                accept: { verify($0).outcome == .optimal })
            let label = milpOnly ? "MILPs only" : "with QP subproblems"
            // The hazard is real: some master points the sloppy solver returned are not bilevel feasible.
            let infeasible = sloppy.points.filter { verify(Array($0.prefix(r.standardForm.columnCount))).outcome != .optimal }
            XCTAssertFalse(infeasible.isEmpty, "\(label): the test's MILP solver produced no sloppy point")
            // The incumbent is bilevel feasible, exactly complementary, and optimal.
            let x = try XCTUnwrap(outcome.result.solution, label)
            XCTAssertEqual(verify(x).outcome, .optimal, label)
            XCTAssertEqual(outcome.upperBound * r.objectiveSign, 2.125, accuracy: milpOnly ? 1e-4 : 1e-6, label)
            XCTAssertTrue(outcome.converged, label)
            XCTAssertEqual(r.modelPoint(x)[0], -1, accuracy: 1e-6, label)
        }
    }

    /// Found by a random search: the follower's optimal set is a segment (y2 is free in it), and
    /// F depends on x0 alone: optimum -1.125 at x0 = 3/4 (F = -3 x0 + 2 x0^2). The subproblem's
    /// point kept the big-M rows' room of Ipopt's bound relaxation (1e-8 times M = 1e4) and failed
    /// the follower's re-solve at every iteration (200 masters, 104 s); with the fixed binaries
    /// moved into the rows' bounds the first subproblem's point is exact.
    func testSubproblemPointsPassTheFollowersReSolve() throws {
        let text = """
            upper { var x0 >= 0; minimize F: -3*x0 + 2*x0^2; }
            lower {
              var y0 <= 4; var y1; var y2 >= 0;
              minimize f: -1*y0 + -1*y1 + 3*y2;
              c0: -2*x0 + 1*y0 + -1*y1 + 3*y2 >= 5;
              c1: -1*x0 + -1*y0 >= 8;
              c2: -2*y0 + -1*y2 >= 5;
            }
            """
        let r = try Planner.reformulate(try model(text), lpSolver: GLPKBackend())
        var rejected = 0
        let outcome = try OuterApproximation.solve(
            r.standardForm, milp: GLPKBackend(), qp: IpoptBackend(linearFeasibility: GLPKBackend()), options: SolveOptions(timeLimit: 60),
            accept: { x in
                let ok = Verifier.verify(r.model, point: r.modelPoint(x), solver: GLPKBackend(), qpSolver: IpoptBackend()).outcome == .optimal
                if !ok { rejected += 1 }
                return ok
            })
        XCTAssertTrue(outcome.converged)
        XCTAssertEqual(outcome.upperBound, -1.125, accuracy: 1e-6)
        XCTAssertEqual(rejected, 0)
        XCTAssertLessThanOrEqual(outcome.iterations.count, 3)
    }

    /// The route with the same sloppy solver: the answer the facade would verify.
    func testTheRouteKeepsBilevelFeasiblePointsWithASloppySolver() throws {
        let r = try Planner.reformulate(try model(Self.dempeFranke), lpSolver: GLPKBackend())
        let solvers = SolverSuite(milp: SloppyMILP(exact: GLPKBackend()), dualLP: GLPKBackend(), qp: IpoptBackend())
        let outcome = try OuterApproximationRoute().solve(r, context: RouteContext(solvers: solvers, options: SolveOptions(timeLimit: 120)))
        XCTAssertEqual(outcome.result.termination, .optimal)
        let x = try XCTUnwrap(outcome.result.solution)
        let v = Verifier.verify(r.model, point: r.modelPoint(x), solver: GLPKBackend(), qpSolver: IpoptBackend())
        XCTAssertEqual(v.outcome, .optimal, v.detail)
        XCTAssertEqual(try XCTUnwrap(outcome.outerApproximation).objective, 2.125, accuracy: 1e-6)
    }
}

/// A MILP solver that returns what a real one may: the optimal binary assignment, but each binary
/// moved 1e-8 towards the inside of [0, 1] (within the integrality tolerance of 1e-7) and the
/// continuous columns re-optimised with them, so that they use the room a big-M row then leaves
/// (1e-4 under M = 1e4); its objective and bound are the exact solve's.
final class SloppyMILP: SolverBackend, @unchecked Sendable {
    let exact: any SolverBackend
    /// Every point returned with moved binaries.
    var points: [[Double]] = []
    init(exact: any SolverBackend) { self.exact = exact }
    var name: String { exact.name }
    var capabilities: SolverCapabilities { exact.capabilities }

    func solve(_ problem: StandardForm, options: SolveOptions) throws -> SolverResult {
        var result = try exact.solve(problem, options: options)
        guard problem.integerCount > 0, result.termination == .optimal, let x = result.solution else { return result }
        var moved = problem
        for j in 0..<problem.columnCount where problem.isInteger[j] {
            let v = x[j].rounded()
            let w = v == 1 ? 1 - 1e-8 : (v == 0 ? 1e-8 : v)
            (moved.columnLower[j], moved.columnUpper[j], moved.isInteger[j]) = (w, w, false)
        }
        let lp = try exact.solve(moved, options: SolveOptions(timeLimit: options.timeLimit))
        guard lp.termination == .optimal, let y = lp.solution else { return result }
        // The point moves; the reported objective and bound stay those of the exact solve.
        points.append(y)
        result.solution = y
        return result
    }
}
