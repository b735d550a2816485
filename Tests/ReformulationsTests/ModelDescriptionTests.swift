import BloLanguage
import BlomodelCore
import Foundation
import XCTest

@testable import Reformulations

/// `ModelDescription`: classes per level, the follower's convexity, and the routes.
final class ModelDescriptionTests: XCTestCase {
    func testBilevelLPIsTakenByTheExactRoute() throws {
        let d = ModelDescription.describe(try model(liuHart), lpSolver: nil)
        XCTAssertEqual(d.leader.objective.expressionClass, .linear)
        XCTAssertEqual(d.follower.objective.expressionClass, .linear)
        XCTAssertEqual(d.follower.constraintClasses.map(\.0), [.linear])
        XCTAssertEqual(d.followerConvex, true)
        XCTAssertNil(d.followerStrongConvexity, "an LP follower is not strongly convex")
        XCTAssertNil(d.exactRefusal)
        XCTAssertEqual(d.exactClass, "bilevel LP")
        XCTAssertEqual(d.gradientMethodNeeds, [])
    }

    /// min (x-1)^2 + (y-2)^2 over y in argmin { y^2 + 3 (y - x)^2 }: Hessian in y is 2 + 6 = 8.
    func testStrongConvexityOfAQuadraticFollower() throws {
        let d = ModelDescription.describe(
            try model(
                "upper { var x >= 0, <= 4; minimize F: (x - 1)^2 + (y - 2)^2; }\nlower { var y >= -10, <= 10; minimize f: y^2 + 3*(y - x)^2; }"),
            lpSolver: nil)
        XCTAssertEqual(d.leader.objective.expressionClass, .convexQuadratic)
        XCTAssertEqual(d.follower.objective.expressionClass, .convexQuadratic)
        XCTAssertEqual(try XCTUnwrap(d.followerStrongConvexity), 8, accuracy: 1e-9)
        XCTAssertEqual(d.classification?.leaderObjective, .outerApproximation)
        XCTAssertEqual(d.gradientMethodNeeds, [])
    }

    /// The CCCP-BO paper's synthetic problem (seed 002, section 5), in two dimensions:
    /// sin and log in the leader, a convex but not strongly convex quadratic follower.
    func testSmoothNonlinearLeaderWithConvexFollower() throws {
        let d = ModelDescription.describe(
            try model(
                """
                upper { var x1; var x2; minimize F: sin(x1 + 2*x2 + y1 - y2) + log((x1 + y1)^2 + (x2 + y2)^2 + 1); }
                lower { var y1; var y2; minimize f: 0.5 * (y1 + x1 + y2 + x2)^2; }
                """),
            lpSolver: nil)
        XCTAssertEqual(d.leader.objective.expressionClass, .smoothNonlinear)
        XCTAssertEqual(d.leader.objective.curvature, .unknown)
        XCTAssertEqual(d.follower.objective.expressionClass, .convexQuadratic)
        XCTAssertEqual(d.followerConvex, true)
        XCTAssertNil(d.followerStrongConvexity, "A = [1 1; 1 1] is singular")
        XCTAssertNil(d.classification, "the exact routes do not take a smooth nonlinear model")
        let refusal = try XCTUnwrap(d.exactRefusal)
        XCTAssertTrue(refusal.message.contains("sin of leader and follower variables"), refusal.message)
        XCTAssertEqual(refusal.location?.line, 1)
        XCTAssertEqual(d.gradientMethodNeeds, [])
    }

    func testNonsmoothAndNonconvexFollowers() throws {
        let nonsmooth = ModelDescription.describe(
            try model("upper { var x >= 0; minimize F: x + y; }\nlower { var y >= 0; minimize f: abs(y - x) + max(y, 1); }"),
            lpSolver: nil)
        XCTAssertEqual(nonsmooth.follower.objective.expressionClass, .nonsmooth)
        XCTAssertEqual(nonsmooth.follower.objective.curvature, .convex, "abs of affine plus max of affine is convex")
        XCTAssertEqual(nonsmooth.followerConvex, true)
        XCTAssertTrue(nonsmooth.gradientMethodNeeds.contains { $0.contains("smooth functions") }, "\(nonsmooth.gradientMethodNeeds)")

        let wavy = ModelDescription.describe(
            try model("upper { var x >= 0; minimize F: x + y; }\nlower { var y >= 0, <= 5; minimize f: sin(y) + x*y; }"),
            lpSolver: nil)
        XCTAssertNil(wavy.followerConvex, "sin is neither convex nor concave")

        let concave = ModelDescription.describe(
            try model("upper { var x >= 0; minimize F: x; }\nlower { var y >= 0, <= 1; minimize f: -y^2; c: y >= x; }"),
            lpSolver: nil)
        XCTAssertEqual(concave.follower.objective.expressionClass, .concaveQuadratic)
        XCTAssertEqual(concave.followerConvex, false)
    }

    func testConvexFeasibleSetNeedsTheRightCurvaturePerSide() throws {
        // exp(y) <= x is shown convex in y; exp(y) >= x is convex too ({y >= log x}), but
        // composition rules cannot show it: not shown, not refuted.
        let good = ModelDescription.describe(
            try model("upper { var x >= 1; minimize F: x; }\nlower { var y >= 0; minimize f: y; c: exp(y) <= x; }"), lpSolver: nil)
        XCTAssertEqual(good.followerConvex, true)
        XCTAssertEqual(good.follower.constraintClasses.map(\.0), [.smoothNonlinear])
        let bad = ModelDescription.describe(
            try model("upper { var x >= 1; minimize F: x; }\nlower { var y >= 0; minimize f: y; c: exp(y) >= x; }"), lpSolver: nil)
        XCTAssertNil(bad.followerConvex)
    }
}

/// Composition rules, one at a time (`x` is the leader's and fixed, `y` the follower's).
final class CurvatureTests: XCTestCase {
    func curvature(_ objective: String) throws -> Curvature {
        let m = try model("upper { var x >= 1; minimize F: x; }\nlower { var y >= 1; minimize f: \(objective); }")
        return CurvatureAnalysis(m.graph, fixed: Set(m.variables(of: .leader))).curvature(of: try XCTUnwrap(m.lowerObjective.function))
    }

    func testRules() throws {
        let cases: [(String, Curvature)] = [
            ("exp(2*y - x)", .convex), ("-exp(y)", .concave), ("log(y)", .concave), ("-log(y)", .convex),
            ("sqrt(y)", .concave), ("softplus(y) + y^4", .convex), ("y^0.5", .concave), ("y^1.5", .convex),
            ("y^3", .unknown), ("x * y", .affine), ("x * exp(y)", .unknown), ("2 * exp(y) / 4", .convex),
            ("exp(log(y))", .unknown), ("log(exp(y))", .unknown), ("max(exp(y), y)", .convex),
            ("min(log(y), y)", .concave), ("abs(y - x)", .convex), ("sin(y)", .unknown), ("exp(x)", .constant),
            ("1 / y", .unknown), ("y^(-0.5)", .convex), ("exp(y) - log(y)", .convex),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try curvature(text), expected, text)
        }
    }
}
