import BloLanguage
import BlomodelCore
import GLPKBackend
import IpoptBackend
import XCTest

@testable import GradientMethods

/// The follower's linear constraints: its solve (Newton steps with QP subproblems), the implicit
/// hypergradient of its KKT conditions, the leader's rows, and the value-function methods'
/// projections, on problems with closed forms.
final class LinearConstraintTests: XCTestCase {
    let qp = IpoptBackend(linearFeasibility: GLPKBackend())

    /// min (x - 1)^2 + 10 (y1 - 0.2)^2 over x in [0, 4], the follower min (y1 - 1)^2 + (y2 - 1)^2
    /// s.t. y1 + y2 <= x (the row moves with x). For x < 2 the row is active and
    /// y = (x/2, x/2); there Phi(x) = (x - 1)^2 + 10 (x/2 - 0.2)^2, Phi'(x) = 7x - 4, minimal at
    /// x = 4/7 with Phi = 9/35; for x >= 2, y = (1, 1) and Phi = (x - 1)^2 + 6.4, increasing. So
    /// x* = 4/7, y* = (2/7, 2/7), the only stationary point.
    let rowModel = """
        upper { var x >= 0, <= 4; minimize F: (x - 1)^2 + 10 * (y1 - 0.2)^2; }
        lower { var y1; var y2; minimize f: (y1 - 1)^2 + (y2 - 1)^2; cap: y1 + y2 <= x; }
        """

    func testConstrainedFollowerSolve() throws {
        let p = try SmoothBilevel.make(try load(rowModel), quadraticSolver: qp)
        let solver = FollowerSolver()
        for (x, expected) in [(1.0, [0.5, 0.5]), (3.0, [1.0, 1.0]), (0.4, [0.2, 0.2])] {
            let r = solver.solve(p, x: [x], from: [5, -7])
            XCTAssertTrue(r.finite)
            for i in 0..<2 { XCTAssertEqual(r.y[i], expected[i], accuracy: 1e-7, "x = \(x)") }
        }
    }

    /// Every implicit rule's hypergradient against a central difference of Phi, where the row is
    /// active (x = 1.5: Phi' = 7x - 4 = 6.5) and where it is not (x = 3.5: Phi' = 2(x - 1) = 5).
    func testImplicitHypergradientThroughAnActiveRow() throws {
        let p = try SmoothBilevel.make(try load(rowModel), quadraticSolver: qp)
        let solver = FollowerSolver()
        for (x, closedForm) in [(1.5, 6.5), (3.5, 5.0)] {
            func phi(_ x: Double) -> Double { p.upperValue([x], solver.solve(p, x: [x], from: [0, 0]).y) }
            let h = 1e-4
            let difference = (phi(x + h) - phi(x - h)) / (2 * h)
            XCTAssertEqual(difference, closedForm, accuracy: 1e-5)
            for rule: HypergradientRule in [.aidCG(iterations: 100, tolerance: 1e-12), .aidExact, .aidNeumann(terms: 500, eta: nil)] {
                let g = p.hypergradient([x], yStart: [0, 0], rule: rule, follower: solver)
                XCTAssertNil(g.warning, "\(rule)")
                XCTAssertEqual(g.gradient[0], closedForm, accuracy: 1e-6, "\(rule) at x = \(x)")
            }
        }
    }

    func testLeaderDescentReachesTheClosedForm() throws {
        let p = try SmoothBilevel.make(try load(rowModel), quadraticSolver: qp)
        for rule: HypergradientRule in [.aidCG(iterations: 100, tolerance: 1e-12), .aidExact, .aidNeumann(terms: 300, eta: nil)] {
            for start in [0.2, 3.8] {
                var o = LeaderDescent.Options()
                o.rule = rule
                o.control.tolerance = 1e-7
                o.control.leaderStart = [start]
                let r = LeaderDescent(options: o).run(p)
                XCTAssertEqual(r.stop, .converged, "\(rule) from \(start)")
                XCTAssertEqual(r.x[0], 4.0 / 7, accuracy: 1e-6, "\(rule) from \(start)")
                XCTAssertEqual(r.y[0], 2.0 / 7, accuracy: 1e-6)
                XCTAssertEqual(p.upperValue(r.x, r.y), 9.0 / 35, accuracy: 1e-9)
            }
        }
    }

    /// PBGD projects (x, y) jointly onto the rows and penalises the value-function gap (whose
    /// gradient in x carries the row's multiplier): its answer approaches x* = 4/7 as O(1/gamma)
    /// (measured: 0.625 for gamma = 10, 0.5775 for 100), feasible at every iterate.
    func testPenaltyMethodWithRows() throws {
        let p = try SmoothBilevel.make(try load(rowModel), quadraticSolver: qp, nonemptySetSolver: IpoptBackend())
        var errors: [Double] = []
        for gamma in [10.0, 100] {
            var o = JointDescent.Options()
            o.rule = .pbgd(gamma: gamma)
            o.control.maximumIterations = 2000
            o.control.tolerance = 1e-4
            o.control.leaderStart = [1]
            let r = JointDescent(options: o).run(p)
            XCTAssertEqual(r.stop, .converged, "gamma \(gamma)")
            XCTAssertLessThanOrEqual(p.followerRows.maxViolation(r.x, r.y), 1e-8)
            errors.append(abs(r.x[0] - 4.0 / 7))
        }
        XCTAssertLessThan(errors[0], 0.1)
        XCTAssertLessThan(errors[1], errors[0] / 5, "\(errors)")
    }

    /// The leader's own rows: min (x1 - 1)^2 + (x2 - 1)^2 + y^2, y = x1 (the follower's
    /// min (y - x1)^2), s.t. x1 + x2 <= 1. KKT: x1 = 1/3, x2 = 2/3 (multiplier 2/3); the
    /// unconstrained optimum (1/2, 1) violates the row.
    func testLeaderRows() throws {
        let model = try load("""
            upper { var x1 >= -5, <= 5; var x2 >= -5, <= 5; minimize F: (x1 - 1)^2 + (x2 - 1)^2 + y^2; budget: x1 + x2 <= 1; }
            lower { var y; minimize f: (y - x1)^2; }
            """)
        let p = try SmoothBilevel.make(model, quadraticSolver: qp)
        var o = LeaderDescent.Options()
        o.control.tolerance = 1e-8
        o.control.leaderStart = [-4, 4]
        let r = LeaderDescent(options: o).run(p)
        XCTAssertEqual(r.stop, .converged)
        XCTAssertEqual(r.x[0], 1.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(r.x[1], 2.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(r.y[0], 1.0 / 3, accuracy: 1e-6)
    }

    /// Iterative differentiation cannot differentiate through the polyhedral projection: said
    /// before the run, at the row.
    func testIterativeRulesRefuseFollowerRows() throws {
        let p = try SmoothBilevel.make(try load(rowModel), quadraticSolver: qp)
        let r = p.refusal(for: .itdReverse(steps: 10, eta: nil, truncation: nil))
        XCTAssertNotNil(r)
        XCTAssertTrue(r!.reason.contains("cap is one"), r!.reason)
        XCTAssertEqual(r!.location?.line, 2)
        XCTAssertNil(p.refusal(for: .aidExact))
        // Without a QP solver, rows cannot be projected onto.
        XCTAssertThrowsError(try SmoothBilevel.make(try load(rowModel)))
    }

    /// A row with a small multiplier: the interior-point QP stops 3.5e-6 inside it (its
    /// complementarity tolerance over the multiplier 2e-6), and the polish puts the follower on
    /// it. min (x - 1)^2 + y^2, the follower min (y - x)^2 s.t. y <= 1: at x = 1 + 1e-6 the
    /// follower's answer is y = 1 and Phi'(x) = 2(x - 1) = 2e-6 on that piece (the other piece,
    /// y = x, would give 2(x - 1) + 2x = 2.000004).
    func testFollowerOnAWeaklyActiveRow() throws {
        let model = try load("""
            upper { var x >= 0, <= 4; minimize F: (x - 1)^2 + y^2; }
            lower { var y; minimize f: (y - x)^2; cap: y <= 1; }
            """)
        let p = try SmoothBilevel.make(model, quadraticSolver: qp)
        let x = [1 + 1e-6]
        let r = FollowerSolver().solve(p, x: x, from: [0])
        XCTAssertEqual(r.y[0], 1, accuracy: 1e-12)
        let h = p.hypergradient(x, yStart: [0], rule: .aidExact, follower: FollowerSolver())
        XCTAssertEqual(h.gradient[0], 2e-6, accuracy: 1e-10)
    }

    /// Linearly dependent active rows (LICQ fails): the hypergradient says it is not defined.
    func testDependentActiveRowsAreReported() throws {
        let model = try load("""
            upper { var x >= 0, <= 4; minimize F: (x - 3)^2 + y1; }
            lower { var y1; var y2; minimize f: (y1 - 1)^2 + (y2 - 1)^2; a: y1 + y2 <= x; b: 2*y1 + 2*y2 <= 2*x; }
            """)
        let p = try SmoothBilevel.make(model, quadraticSolver: qp)
        let g = p.hypergradient([1], yStart: [0, 0], rule: .aidCG(iterations: 50, tolerance: 1e-12), follower: FollowerSolver())
        XCTAssertNotNil(g.warning)
        XCTAssertTrue(g.warning!.contains("linearly dependent"), g.warning ?? "")
    }
}
