import BloLanguage
import BlomodelCore
import Foundation
import XCTest

@testable import GradientMethods

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func load(_ text: String) throws -> BilevelModel {
    try ModelLoader.load(source: SourceFile(path: "test.blo", text: text), directory: NSTemporaryDirectory())
}

/// The rules on problems with closed forms.
final class HypergradientTests: XCTestCase {
    /// Stackelberg-Cournot (Models/classic/stackelberg_cournot): the leader's best quantity is
    /// q_l* = (a + c_f - 2 c_l) / (2b) = 50, the follower's answer q_f* = (a - c_f - b q_l)/(2b) = 15.
    func testCournotByEveryRule() throws {
        let model = try ModelLoader.load(path: repository.appendingPathComponent("Models/classic/stackelberg_cournot/stackelberg_cournot.blo").path)
        let p = try SmoothBilevel.make(model)
        let rules: [HypergradientRule] = [
            .aidCG(iterations: 50, tolerance: 1e-12), .aidNeumann(terms: 200, eta: nil), .aidExact,
            .itdReverse(steps: 200, eta: nil, truncation: nil), .itdForward(steps: 200, eta: nil),
            .itdReverse(steps: 200, eta: nil, truncation: 100),
        ]
        // From both sides of the optimum (the box's middle, 50, is the optimum itself).
        for rule in rules {
            for start in [5.0, 95.0] {
                var o = LeaderDescent.Options()
                o.rule = rule
                o.step = 0.5
                o.control.tolerance = 1e-8
                o.control.leaderStart = [start]
                o.control.followerStart = [0]
                let r = LeaderDescent(options: o).run(p)
                XCTAssertEqual(r.stop, .converged, "\(rule) from \(start)")
                XCTAssertGreaterThan(r.iterations, 0)
                XCTAssertEqual(r.x[0], 50, accuracy: 1e-5, "\(rule) from \(start)")
                XCTAssertEqual(r.y[0], 15, accuracy: 1e-5, "\(rule) from \(start)")
                XCTAssertTrue(r.warnings.isEmpty, "\(rule): \(r.warnings)")
            }
        }
    }

    /// The hypergradient against a central difference of Phi(x) = F(x, y*(x)) on a problem with
    /// a nonlinear coupling: every implicit rule agrees with it.
    func testImplicitRulesAgreeWithFiniteDifferences() throws {
        let model = try load("""
            upper { var x1 >= -2, <= 2; var x2 >= -2, <= 2;
              minimize F: (y1 - 1)^2 + exp(0.5*y2) + x1^2 + 0.3*x2 + sin(x1 * y1); }
            lower { var y1; var y2;
              minimize f: 0.5*(2*y1^2 + y1*y2 + y2^2) - x1*y1 - exp(0.2*x2)*y2 + 0.1*y1^4; }
            """)
        let p = try SmoothBilevel.make(model)
        let solver = FollowerSolver(tolerance: 1e-12, maximumIterations: 100_000)
        let x = [0.4, -0.7]
        func phi(_ x: [Double]) -> Double {
            let r = solver.solve(p, x: x, from: [0, 0])
            return p.upperValue(x, r.y)
        }
        let h = 1e-5
        let reference = (0..<2).map { j -> Double in
            var a = x, b = x
            a[j] += h
            b[j] -= h
            return (phi(a) - phi(b)) / (2 * h)
        }
        for rule: HypergradientRule in [.aidCG(iterations: 100, tolerance: 1e-13), .aidExact, .aidNeumann(terms: 2000, eta: nil)] {
            let g = p.hypergradient(x, yStart: [0, 0], rule: rule, follower: solver)
            for j in 0..<2 { XCTAssertEqual(g.gradient[j], reference[j], accuracy: 1e-6, "\(rule) [\(j)]") }
            XCTAssertNil(g.warning)
        }
        // Iterative differentiation through many steps approaches the same number.
        let itd = p.hypergradient(x, yStart: [0, 0], rule: .itdReverse(steps: 3000, eta: nil, truncation: nil), follower: solver)
        let itf = p.hypergradient(x, yStart: [0, 0], rule: .itdForward(steps: 3000, eta: nil), follower: solver)
        for j in 0..<2 {
            XCTAssertEqual(itd.gradient[j], reference[j], accuracy: 1e-5)
            XCTAssertEqual(itf.gradient[j], itd.gradient[j], accuracy: 1e-9, "forward and reverse mode are the same derivative")
        }
    }

    /// A singular follower Hessian is said, not hidden behind a number.
    func testSingularHessianIsReported() throws {
        let model = try load("""
            upper { var x >= -1, <= 1; minimize F: (x - 0.5)^2 + y1^2; }
            lower { var y1 >= -5, <= 5; var y2 >= -5, <= 5; minimize f: (y1 + y2 - x)^2; }
            """)
        let p = try SmoothBilevel.make(model)
        let g = p.hypergradient([0.2], yStart: [0, 0], rule: .aidExact, follower: FollowerSolver())
        XCTAssertNotNil(g.warning)
        XCTAssertTrue(g.warning!.contains("singular"), g.warning!)
    }

    /// A quadratic follower's Hessian is read from its quadratic view: the same matrix as the
    /// Hessian-vector products give, for a maximised objective too (its sign flipped).
    func testConstantFollowerHessianMatchesHessianVectorProducts() throws {
        let model = try load("""
            upper { var x >= -1, <= 1; minimize F: x^2 + y1 + y2 + y3; }
            lower { var y1; var y2; var y3;
              maximize f: -(2*y1^2 + y1*y2 + 3*y2^2 - 0.5*y2*y3 + y3^2) + x*y1*0 + 4*x*y2 - y3; }
            """)
        let p = try SmoothBilevel.make(model)
        let constant = try XCTUnwrap(p.constantFollowerHessian)
        for j in 0..<3 {
            var e = [0.0, 0, 0]
            e[j] = 1
            let column = p.lowerFollowerProducts([0.3], [0.1, -0.2, 0.5], e).follower
            for i in 0..<3 { XCTAssertEqual(constant[i][j], column[i], accuracy: 1e-12, "[\(i)][\(j)]") }
        }
        XCTAssertEqual(constant[0][0], 4)
        XCTAssertEqual(constant[1][2], -0.5)
    }

    func testRefusals() throws {
        XCTAssertTrue(
            SmoothBilevel.refusal(try load("upper { var x >= 0; minimize F: abs(x - y); } lower { var y; minimize f: (y - x)^2; }"))!
                .contains("not smooth"))
        XCTAssertTrue(
            SmoothBilevel.refusal(try load("upper { var x integer >= 0, <= 3; minimize F: x + y; } lower { var y; minimize f: (y - x)^2; }"))!
                .contains("continuous"))
        // Linear rows are taken; nonlinear ones and leader rows on the follower's variables are not.
        XCTAssertNil(SmoothBilevel.refusal(try load("upper { var x >= 0; minimize F: x + y; c0: x <= 5; } lower { var y; minimize f: (y - x)^2; c: y <= 3 + x; }")))
        XCTAssertTrue(
            SmoothBilevel.refusal(try load("upper { var x >= 0; minimize F: x + y; } lower { var y; minimize f: (y - x)^2; c: y^2 <= 3; }"))!
                .contains("c is nonlinear"))
        XCTAssertTrue(
            SmoothBilevel.refusal(try load("upper { var x >= 0; minimize F: x + y; c: x + y <= 4; } lower { var y; minimize f: (y - x)^2; }"))!
                .contains("couples the levels"))
    }
}

/// The value-function methods on the Cournot duopoly.
final class ValueFunctionMethodTests: XCTestCase {
    func cournot() throws -> SmoothBilevel {
        try SmoothBilevel.make(ModelLoader.load(path: repository.appendingPathComponent("Models/classic/stackelberg_cournot/stackelberg_cournot.blo").path))
    }

    /// BOME reaches the closed form q_l = 50, q_f = 15 with the value-function gap closed.
    func testBOMEReachesTheClosedForm() throws {
        var o = JointDescent.Options()
        o.rule = .bome(eta: 0.5)
        o.step = 1
        o.control.maximumIterations = 5000
        o.control.leaderStart = [5]
        o.control.followerStart = [0]
        let r = JointDescent(options: o).run(try cournot())
        XCTAssertEqual(r.stop, .converged)
        XCTAssertEqual(r.x[0], 50, accuracy: 1e-4)
        XCTAssertEqual(r.y[0], 15, accuracy: 1e-4)
    }

    /// PBGD's penalty leaves the follower off its optimum by O(1/gamma) (Shen and Chen 2023): ten
    /// times gamma, a tenth of the leader's error and a hundredth of the follower's gap. (The
    /// follower's objective is quadratic with curvature 2, so one step of 1/2 gives its minimum.)
    func testPBGDErrorShrinksWithThePenalty() throws {
        var errors: [Double] = [], gaps: [Double] = []
        let p = try cournot()
        for gamma in [100.0, 1000.0] {
            var o = JointDescent.Options()
            o.rule = .pbgd(gamma: gamma)
            o.step = 1
            o.control.tolerance = 1e-9
            o.innerSteps = 1
            o.control.maximumIterations = 200_000
            o.control.leaderStart = [5]
            o.control.followerStart = [0]
            let r = JointDescent(options: o).run(p)
            XCTAssertEqual(r.stop, .converged, "gamma \(gamma)")
            errors.append(abs(r.x[0] - 50))
            let best = FollowerSolver().solve(p, x: r.x, from: r.y)
            gaps.append(p.lowerValue(r.x, r.y) - best.value)
        }
        XCTAssertEqual(errors[0] / errors[1], 10, accuracy: 0.3)
        XCTAssertEqual(gaps[0] / gaps[1], 100, accuracy: 3)
        XCTAssertLessThan(errors[1], 0.03)
    }

    /// PBGD's gradient penalty `gamma |grad_y f|^2`: the same O(1/gamma) approach to the optimum
    /// (q_l = 50.633 and 50.063 for gamma = 10 and 100: ten times gamma, a tenth of the error).
    func testPBGDGradientPenaltyErrorShrinksWithThePenalty() throws {
        let p = try cournot()
        var errors: [Double] = []
        for gamma in [10.0, 100.0] {
            var o = JointDescent.Options()
            o.rule = .pbgdGradient(gamma: gamma)
            o.step = 1
            o.control.tolerance = 1e-9
            o.control.maximumIterations = 100_000
            o.control.leaderStart = [5]
            o.control.followerStart = [0]
            let r = JointDescent(options: o).run(p)
            XCTAssertEqual(r.stop, .converged, "gamma \(gamma)")
            errors.append(abs(r.x[0] - 50))
        }
        XCTAssertEqual(errors[0] / errors[1], 10, accuracy: 0.3)
        XCTAssertLessThan(errors[1], 0.07)
    }
}
