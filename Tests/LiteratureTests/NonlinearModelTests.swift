import Blomodel
import Differentiation
import Foundation
import XCTest

/// The nonlinear and beyond-the-exact-class models in `Models/`: read from their files,
/// described, and differentiated through the graph the elaborator built.
final class NonlinearModelTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func load(_ path: String) throws -> BilevelModel {
        try ModelLoader.load(path: Self.repository.appendingPathComponent(path).path)
    }

    /// Li (seed 000), section 3.1, with a = 100, b = 1, c_l = 10, c_f = 20: the hypergradient of
    /// the leader's profit through the follower's best response is (a + c_f)/2 - c_l - b q_l
    /// (from eq. 17), zero at the Stackelberg quantity q_l = 50.
    func testStackelbergCournotHypergradientFromTheModelFile() throws {
        let m = try load("Models/classic/stackelberg_cournot/stackelberg_cournot.blo")
        let d = try BilevelDerivatives(model: m)
        for ql in [0.0, 30, 50, 70] {
            let qf = (100 - 20 - ql) / 2
            let point = d.split.combine(leader: [ql], follower: [qf])
            XCTAssertEqual(d.lowerObjective.gradient(at: point, split: d.split).follower[0], 0, accuracy: 1e-12)
            let gF = d.upperObjective.gradient(at: point, split: d.split)
            let products = d.lowerObjective.followerDirectionProducts(at: point, split: d.split, direction: [1])
            let hypergradient = gF.leader[0] - products.leader[0] / products.follower[0] * gF.follower[0]
            XCTAssertEqual(hypergradient, 60 - 10 - ql, accuracy: 1e-10, "q_l = \(ql)")
        }
        let description = ModelDescription.describe(m, lpSolver: nil)
        XCTAssertNotNil(description.exactRefusal, "an indefinite leader objective is beyond the exact routes")
        XCTAssertEqual(try XCTUnwrap(description.followerStrongConvexity), 2, accuracy: 1e-12)
        XCTAssertEqual(description.gradientMethodNeeds, [])
    }

    /// The CCCP-BO synthetic problem (seed 002, section 5) with its CSV data: the compiled
    /// gradient of the leader's objective (sin and log over 20 variables) matches central
    /// differences of the graph's own evaluation.
    func testCCCPSyntheticGradientMatchesFiniteDifferences() throws {
        let m = try load("Models/nonlinear/cccp_bo_synthetic/cccp_bo_synthetic.blo")
        XCTAssertEqual(m.variables.count, 20)
        let d = try BilevelDerivatives(model: m)
        let root = try XCTUnwrap(m.upperObjective.function)
        let point = (0..<20).map { sin(Double($0) * 1.7) }
        let gradient = d.upperObjective.gradient(at: point)
        XCTAssertEqual(d.upperObjective.value(at: point), m.graph.evaluate(root, at: point), accuracy: 1e-12)
        for j in 0..<20 {
            var plus = point, minus = point
            plus[j] += 1e-6
            minus[j] -= 1e-6
            let difference = (m.graph.evaluate(root, at: plus) - m.graph.evaluate(root, at: minus)) / 2e-6
            XCTAssertEqual(gradient[j], difference, accuracy: 1e-6, "variable \(m.variables[j].name)")
        }
        let description = ModelDescription.describe(m, lpSolver: nil)
        XCTAssertEqual(description.follower.objective.expressionClass, .convexQuadratic)
        XCTAssertEqual(description.followerConvex, true)
        XCTAssertNil(description.followerStrongConvexity, "A is singular: the follower is not strongly convex")
    }
}
