import BloLanguage
import BlomodelCore
import Foundation
import LinearAlgebra
import XCTest

@testable import GradientMethods

func model(_ path: String) throws -> SmoothBilevel {
    try SmoothBilevel.make(ModelLoader.load(path: repository.appendingPathComponent(path).path))
}

let cournotPath = "Models/classic/stackelberg_cournot/stackelberg_cournot.blo"

/// Seed 001's cheap hypergradients against closed forms on the Cournot duopoly (a = 100, b = 1,
/// c_l = 10, c_f = 20). In minimisation form F_x = -(a - 2bx - by - c_l), F_y = bx, f_yy = 2b,
/// f_xy = b, y*(x) = (a - c_f - bx)/(2b). A rule that replaces 1/f_yy by a number s has the zero
/// x = ((a + c_f - 2 c_l)/2) / (3b/2 - b^2 s): s = 1/(2b) gives the Stackelberg q_l = 50.
final class ApproximateHypergradientTests: XCTestCase {
    func leaderAnswer(_ rule: HypergradientRule) throws -> [Double] {
        var o = LeaderDescent.Options()
        o.rule = rule
        o.step = 0.5
        o.control.tolerance = 1e-9
        o.control.leaderStart = [5]
        o.control.followerStart = [0]
        let r = LeaderDescent(options: o).run(try model(cournotPath))
        XCTAssertEqual(r.stop, .converged, "\(rule)")
        return r.x
    }

    func expected(_ s: Double) -> Double { 50 / (1.5 - s) }

    /// lambda I for the Hessian: exact when lambda is the (one) eigenvalue 2b (the default), biased otherwise.
    func testHessianFreeClosedForms() throws {
        XCTAssertEqual(try leaderAnswer(.aidHessianFree(damping: nil))[0], 50, accuracy: 1e-6)
        XCTAssertEqual(try leaderAnswer(.aidHessianFree(damping: 4))[0], expected(1.0 / 4), accuracy: 1e-6)  // 40
        XCTAssertEqual(expected(1.0 / 4), 40, accuracy: 1e-12)
    }

    /// v v' + gamma I with v exact along F_y: 1/(2b + gamma) in one dimension.
    func testWoodFisherClosedForms() throws {
        for gamma in [0.5, 1e-3] {
            XCTAssertEqual(try leaderAnswer(.aidWoodFisher(damping: gamma))[0], expected(1 / (2 + gamma)), accuracy: 1e-6, "gamma \(gamma)")
        }
        // The default gamma = 1e-3 L = 2e-3.
        XCTAssertEqual(try leaderAnswer(.aidWoodFisher(damping: nil))[0], expected(1 / 2.002), accuracy: 1e-6)
    }

    /// Sherman-Morrison against a dense solve of (gamma I + v v') u = w (the seeds' printed sign
    /// would fail this), and the rank-1 model's exactness along an eigenvector of H.
    func testShermanMorrisonAgainstLAPACK() throws {
        var random = SplitMix64(seed: 7)
        for n in [1, 3, 8] {
            let v = (0..<n).map { _ in random.normal() }, w = (0..<n).map { _ in random.normal() }
            let gamma = 0.3
            var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            for i in 0..<n { for j in 0..<n { a[i][j] = v[i] * v[j] + (i == j ? gamma : 0) } }
            let dense = try XCTUnwrap(LinearAlgebra.solve(a, w.map { [$0] })).map { $0[0] }
            let sm = shermanMorrison(v, gamma, w)
            for i in 0..<n { XCTAssertEqual(sm[i], dense[i], accuracy: 1e-10) }
        }
    }

    /// A two-dimensional follower with H = diag(1, 4): when F_y is an eigenvector the one-shot
    /// WoodFisher hypergradient is implicit differentiation's with H + gamma I (to rounding).
    func testWoodFisherExactAlongAnEigenvector() throws {
        let p = try SmoothBilevel.make(load("""
            upper { var x >= -3, <= 3; minimize F: x^2 + 3*y2 + y1 * 0; }
            lower { var y1; var y2; minimize f: 0.5*y1^2 + 2*y2^2 - x*y1 - x*y2; }
            """))
        // F_y = (0, 3) is the eigenvector of eigenvalue 4: grad = 2x - f_xy (0, 3/(4 + gamma)) = 2x + 3/(4 + gamma).
        let gamma = 0.25
        let g = p.hypergradient([0.7], yStart: [0, 0], rule: .aidWoodFisher(damping: gamma), follower: FollowerSolver())
        XCTAssertEqual(g.gradient[0], 1.4 + 3 / (4 + gamma), accuracy: 1e-9)
        // Hessian-free with lambda = 4 is exact here too (F_y lies in the eigenvalue-4 space).
        let h = p.hypergradient([0.7], yStart: [0, 0], rule: .aidHessianFree(damping: 4), follower: FollowerSolver())
        XCTAssertEqual(h.gradient[0], 1.4 + 3.0 / 4, accuracy: 1e-9)
    }

    /// signGD follower steps carry no derivative: the hypergradient is F_x(x, y_K), whose zero on
    /// Cournot is the Nash equilibrium q_l = (a - 2 c_l + c_f)/(3b) = 100/3 (not Stackelberg's 50),
    /// reached to within about beta (the follower oscillates within beta of its answer).
    func testSignStepsFindTheNashPoint() throws {
        let p = try model(cournotPath)
        var o = LeaderDescent.Options()
        o.rule = .itdSign(steps: 5000, beta: 0.01)
        o.step = 0.5
        o.control.tolerance = 1e-9
        o.control.maximumIterations = 300
        o.control.leaderStart = [5]
        o.control.followerStart = [0]
        let r = LeaderDescent(options: o).run(p)
        XCTAssertEqual(r.x[0], 100.0 / 3, accuracy: 0.02)
        XCTAssertEqual(r.y[0], (80 - r.x[0]) / 2, accuracy: 0.02)
        // The hypergradient at a point is F_x at the K-th sign step: grad_y f = 2y + x - 80 < 0 at (40, 10).
        let h = p.hypergradient([40], yStart: [10], rule: .itdSign(steps: 1, beta: 0.5), follower: FollowerSolver())
        XCTAssertEqual(h.y[0], 10.5, accuracy: 1e-12)
        XCTAssertEqual(h.gradient[0], -(100 - 80 - 10.5 - 10), accuracy: 1e-12)
    }
}

/// CCCP-BO (seed 002) on its synthetic problem (Models/nonlinear/cccp_bo_synthetic).
final class CCCPBOTests: XCTestCase {
    let path = "Models/nonlinear/cccp_bo_synthetic/cccp_bo_synthetic.blo"

    /// v(x) = 0 and xi = 0 there, so D_k = {(x, y) : (x + y)'A(x + y) <= 2 epsilon} and the
    /// projection keeps t = x - y and projects s = x + y onto the ellipsoid: s = (I + mu A)^-1 s_w
    /// with mu >= 0 by bisection (docs/notes/seed-methods.md 1.7). The dual search agrees.
    func testProjectionMatchesTheEllipsoidClosedForm() throws {
        let p = try model(path)
        let n = 10
        // A from the Hessian of f in y (f = 1/2 (y + x)'A(y + x)).
        let a = p.followerHessian([Double](repeating: 0, count: n), [Double](repeating: 0, count: n), on: Array(0..<n))
        let w = (0..<(2 * n)).map { 0.8 * sin(Double($0) + 1) }
        for epsilon in [1e-2, 1e-4] {
            let proj = CCCPBO.projection(p, w: w, xk: [Double](repeating: 0, count: n), value: 0, xi: [Double](repeating: 0, count: n), epsilon: epsilon)
            let sw = (0..<n).map { w[$0] + w[n + $0] }, tw = (0..<n).map { w[$0] - w[n + $0] }
            func s(_ mu: Double) -> [Double] {
                var m = a.map { $0.map { mu * $0 } }
                for i in 0..<n { m[i][i] += 1 }
                return LinearAlgebra.solve(m, sw.map { [$0] })!.map { $0[0] }
            }
            func q(_ s: [Double]) -> Double {
                var total = 0.0
                for i in 0..<n { for j in 0..<n { total += s[i] * a[i][j] * s[j] } }
                return total
            }
            XCTAssertGreaterThan(q(sw), 2 * epsilon, "the point is outside D")
            var lo = 0.0, hi = 1.0
            while q(s(hi)) > 2 * epsilon { hi *= 2 }
            for _ in 0..<200 { let mid = (lo + hi) / 2; if q(s(mid)) > 2 * epsilon { lo = mid } else { hi = mid } }
            let sStar = s(hi)
            for i in 0..<n {
                XCTAssertEqual(proj.z[i], (sStar[i] + tw[i]) / 2, accuracy: 1e-7, "x[\(i)], epsilon \(epsilon)")
                XCTAssertEqual(proj.z[n + i], (sStar[i] - tw[i]) / 2, accuracy: 1e-7, "y[\(i)], epsilon \(epsilon)")
            }
            XCTAssertLessThanOrEqual(proj.constraint, 0)
            XCTAssertGreaterThan(proj.lambda, 0)
            XCTAssertLessThan(proj.residual, 1e-8)
        }
        // Inside D: the box projection itself, multiplier 0.
        let inside = CCCPBO.projection(p, w: [Double](repeating: 0.01, count: 2 * n), xk: [Double](repeating: 0, count: n), value: 0, xi: [Double](repeating: 0, count: n), epsilon: 1)
        XCTAssertEqual(inside.lambda, 0)
        XCTAssertEqual(inside.z, [Double](repeating: 0.01, count: 2 * n))
    }

    /// From x_i = 3 sin(i): the leader's objective decreases at every step (eq. (20)), every
    /// iterate's follower gap is at most epsilon, Theorem 4.3's bound holds, and the run reaches
    /// the global optimum -1 (sin = -1 with x + y = 0: feasible for every epsilon).
    func testSyntheticRunKeepsItsGuarantees() throws {
        let p = try model(path)
        var o = CCCPBO.Options()
        let rho = 9.2773  // L = |c|^2 + |d|^2 + 4 for this data
        o.rho = rho
        o.epsilon = 1e-3
        o.control.tolerance = 1e-7
        o.control.maximumIterations = 2000
        o.control.leaderStart = (1...10).map { 3 * sin(Double($0)) }
        let r = CCCPBO(options: o).run(p)
        XCTAssertEqual(r.stop, .converged)
        XCTAssertTrue(r.warnings.isEmpty, "\(r.warnings)")
        let f = r.trace.map(\.leaderObjective)
        for (a, b) in zip(f, f.dropFirst()) { XCTAssertLessThanOrEqual(b, a + 1e-12) }
        for row in r.trace { XCTAssertLessThanOrEqual(row.followerStationarity, 1e-3 * (1 + 1e-6)) }
        XCTAssertTrue(r.trace.contains { $0.followerStationarity > 0.5e-3 }, "the relaxed constraint was active along the way")
        var best = Double.infinity
        for (k, row) in r.trace.enumerated() {
            best = min(best, row.stationarity * row.stationarity)
            XCTAssertLessThanOrEqual(Double(k + 1) * best, 2 * rho * (f[0] + 1))
        }
        XCTAssertEqual(p.upperValue(r.x, r.y), -1, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(r.stationarity, 1e-7)
    }
}

/// IGFM with SGM (seed 003) on its Examples 4.1 and 5.1.
final class IGFMTests: XCTestCase {
    func run(_ path: String, start: Double, seed: UInt64 = 1, iterations: Int = 300, step: Double = 0.1) throws -> LeaderDescent.Result {
        var o = IGFM.Options()
        o.step = step
        o.control.maximumIterations = iterations
        o.control.leaderStart = [start]
        o.seed = seed
        return IGFM(options: o).run(try model(path))
    }

    /// Example 4.1: varphi = x^2 + 1 (x > 0), x^2 - 1 (x <= 0). The delta-smoothed function is
    /// minimal at x = -delta, so IGFM ends within a few delta left of 0 with the value -1 + O(delta^2).
    func testDiscontinuousExampleReachesMinusOne() throws {
        let r = try run("Models/nonlinear/discontinuous_hyperobjective/discontinuous_hyperobjective.blo", start: 0.5)
        // A two-point difference across the jump is about 1/delta: the iterate is thrown far left
        // and walks back; it stays on the left of 0, where the follower's answer is -1.
        XCTAssertLessThanOrEqual(r.x[0], 0)
        XCTAssertEqual(r.y[0], -1, accuracy: 1e-9)
        let p = try model("Models/nonlinear/discontinuous_hyperobjective/discontinuous_hyperobjective.blo")
        XCTAssertLessThan(p.upperValue(r.x, r.y), -1 + 2e-3)
    }

    /// Example 5.1: varphi = -|x| on [-2, 2]. From 0.3 IGFM reaches the minimiser x = 2 (value -2);
    /// from 0, the local maximum, every two-point difference is 0 by symmetry: it stays, and its
    /// Goldstein measure says stationary (Clarke stationary, not a minimum).
    func testNonsmoothExample() throws {
        let path = "Models/nonlinear/nonsmooth_hyperobjective/nonsmooth_hyperobjective.blo"
        let away = try run(path, start: 0.3)
        XCTAssertEqual(away.x[0], 2, accuracy: 1e-12)
        XCTAssertEqual(away.y[0], -1, accuracy: 1e-9)
        let stuck = try run(path, start: 0)
        XCTAssertEqual(stuck.x[0], 0)
        XCTAssertEqual(stuck.stationarity, 0)
        XCTAssertEqual(stuck.stop, .converged)
    }

    /// The same seed gives the same run; another seed other directions.
    func testSeededDirections() throws {
        let path = "Models/nonlinear/cccp_bo_synthetic/cccp_bo_synthetic.blo"
        let a = try run(path, start: 0.5, seed: 3, iterations: 5, step: 0.01)
        let b = try run(path, start: 0.5, seed: 3, iterations: 5, step: 0.01)
        let c = try run(path, start: 0.5, seed: 4, iterations: 5, step: 0.01)
        XCTAssertEqual(a.x, b.x)
        XCTAssertEqual(a.trace.map(\.leaderObjective), b.trace.map(\.leaderObjective))
        XCTAssertNotEqual(a.x, c.x)
        var g = SplitMix64(seed: 9)
        for n in [1, 2, 10] { XCTAssertEqual(norm(g.unitVector(n)), 1, accuracy: 1e-14) }
    }

    /// SGM's switching: with a follower indifferent in y2 (Liu et al.'s counter-example at x = 1),
    /// it takes leader steps on y2 and returns about y = (1, 1), the optimistic response; the average
    /// over the leader steps carries the transient of y2's approach, so its error falls as 1/K.
    func testSGMFindsTheOptimisticResponse() throws {
        let p = try model("Models/nonlinear/liu_2020_counterexample/liu_2020_counterexample.blo")
        let short = IGFM.sgm(p, x: [1], y0: [0, 0], steps: 400, tau: 0.25, theta: 1e-8)
        let o = IGFM.sgm(p, x: [1], y0: [0, 0], steps: 4000, tau: 0.25, theta: 1e-8)
        XCTAssertEqual(o.y[0], 1, accuracy: 2e-3)
        XCTAssertEqual(o.y[1], 1, accuracy: 2e-3)
        XCTAssertEqual(abs(1 - short.y[1]) / abs(1 - o.y[1]), 10, accuracy: 2)
        XCTAssertGreaterThan(o.upperSteps, 0)
    }
}

/// BVFIM's log-barrier on the relaxed value function.
final class BVFIMTests: XCTestCase {
    /// Liu et al.'s counter-example (seed 003's Example 5.3): the optimum 0 at x = 1, y = (1, 1),
    /// which implicit and iterative differentiation miss (they follow y2's start).
    func testReachesTheCounterExamplesOptimum() throws {
        let p = try model("Models/nonlinear/liu_2020_counterexample/liu_2020_counterexample.blo")
        var o = BVFIM.Options()
        o.control.maximumIterations = 1000
        o.control.leaderStart = [0]
        o.control.followerStart = [0, 0]
        let r = BVFIM(options: o).run(p)
        XCTAssertEqual(r.x[0], 1, accuracy: 1e-4)
        XCTAssertEqual(r.y[0], 1, accuracy: 1e-4)
        XCTAssertEqual(r.y[1], 1, accuracy: 1e-4)
        XCTAssertEqual(p.upperValue(r.x, r.y), 0, accuracy: 1e-7)
        // The follower's gap closes with the schedule (mu1, mu2 at their floor 1e-9).
        XCTAssertLessThan(p.lowerValue(r.x, r.y) - FollowerSolver().solve(p, x: r.x, from: r.y).value, 1e-8)
    }

    /// Example 5.1 from x = 0.3: the minimiser x = 2 with y = -1 (value -2).
    func testNonsmoothExample() throws {
        let p = try model("Models/nonlinear/nonsmooth_hyperobjective/nonsmooth_hyperobjective.blo")
        var o = BVFIM.Options()
        o.control.leaderStart = [0.3]
        let r = BVFIM(options: o).run(p)
        XCTAssertEqual(r.stop, .converged)
        XCTAssertEqual(r.x[0], 2, accuracy: 1e-9)
        XCTAssertEqual(r.y[0], -1, accuracy: 1e-6)
    }
}
