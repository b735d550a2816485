import BloLanguage
import BlomodelCore
import Foundation
import Reformulations
import SolverInterface
import XCTest

@testable import BilevelAlgorithms

func model(_ text: String) throws -> BilevelModel {
    try ModelLoader.load(source: SourceFile(path: "test.blo", text: text), directory: NSTemporaryDirectory())
}

let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

/// Compares a printout with a checked-in file. Set BLOMODEL_UPDATE_GOLDEN=1 to rewrite
/// the files, then review the diff by hand before committing.
func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let url = goldenDirectory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["BLOMODEL_UPDATE_GOLDEN"] == "1" {
        try text.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    XCTAssertEqual(text, expected, "printout differs from Golden/\(name)", file: file, line: line)
}

/// Liu and Hart (1994): a bilevel LP.
let liuHart = """
    upper { var x >= 0; minimize F: -x - 3*y; }
    lower {
      var y >= 0;
      minimize f: y;
      c1: -x + y <= 3;
      c2: x + 2*y <= 12;
      c3: 4*x - y <= 12;
    }
    """

/// Bard (1988), example 1: a convex quadratic leader over a convex QP follower.
let bard1988 = """
    upper { var x >= 0; minimize F: (x - 5)^2 + (2*y + 1)^2; }
    lower {
      var y >= 0;
      minimize f: (y - 1)^2 - 1.5*x*y;
      g1: 3*x - y >= 3;
      g2: x - 0.5*y <= 4;
      g3: x + y <= 7;
    }
    """

/// One tolled arc against a toll-free one: the toll pattern (strong duality).
let toll = """
    upper { var T >= 0, <= 10; maximize R: T * a; }
    lower {
      var a >= 0, <= 2;
      var b >= 0, <= 2;
      minimize cost: (1 + T) * a + 4 * b;
      demand: a + b = 2;
      dualbound 20;
    }
    """

/// The planner's candidate lists, printed as `--explain` and `check` print them. Capabilities
/// are data, so these need no solver library.
final class RoutePlannerTests: XCTestCase {
    let glpk = BackendProfile(name: "glpk", capabilities: SolverCapabilities(integerVariables: true, timeLimit: true, relativeGap: true))
    let ipopt = BackendProfile(
        name: "ipopt", capabilities: SolverCapabilities(integerVariables: false, timeLimit: true, relativeGap: false, quadraticObjective: true))
    let lpOnly = BackendProfile(name: "lp-only", capabilities: SolverCapabilities(integerVariables: false, timeLimit: true, relativeGap: false))

    func classify(_ text: String) throws -> Classification {
        try Planner.classify(try model(text), lpSolver: nil).1
    }

    func testBilevelLPTakesTheExactRoute() throws {
        let c = try classify(liuHart)
        let planner = RoutePlanner.standard()
        let (route, candidates) = try planner.choose(for: ModelFacts(classification: c), capabilities: RouteCapabilities(milp: glpk, qp: ipopt))
        XCTAssertEqual(route.name, "exact-kkt")
        XCTAssertEqual(candidates.map(\.name), ["value-function", "branch-and-bound", "exact-kkt", "outer-approximation", "gradient-methods"])
        try assertGolden(RoutePlanner.describe(candidates), "liu_hart.routes.txt")
    }

    func testTollPatternTakesTheExactRouteThroughStrongDuality() throws {
        let candidates = RoutePlanner.standard().candidates(for: try classify(toll), capabilities: RouteCapabilities(milp: glpk, qp: ipopt))
        try assertGolden(RoutePlanner.describe(candidates), "toll.routes.txt")
    }

    func testQuadraticLeaderIsRefusedByTheExactRouteAndTakenByOuterApproximation() throws {
        let c = try classify(bard1988)
        let (route, candidates) = try RoutePlanner.standard().choose(for: ModelFacts(classification: c), capabilities: RouteCapabilities(milp: glpk, qp: ipopt))
        XCTAssertEqual(route.name, "outer-approximation")
        XCTAssertFalse(candidates[2].assessment.accepted)
        try assertGolden(RoutePlanner.describe(candidates), "bard_1988.routes.txt")
        // With --oa-milp-only, no QP solver is needed.
        let milpOnly = RoutePlanner.standard(outerApproximation: OuterApproximationRoute(milpOnly: true))
        let (chosen, list) = try milpOnly.choose(for: ModelFacts(classification: c), capabilities: RouteCapabilities(milp: glpk, qp: nil))
        XCTAssertEqual(chosen.name, "outer-approximation")
        XCTAssertTrue(list[3].assessment.reason.contains("--oa-milp-only"), list[3].assessment.reason)
    }

    func testNoRouteIsADiagnosticThatListsEveryReason() throws {
        // A quadratic leader without a QP solver (and without --oa-milp-only): every route refuses.
        let c = try classify(bard1988)
        let candidates = RoutePlanner.standard().candidates(for: c, capabilities: RouteCapabilities(milp: glpk, qp: nil))
        try assertGolden(RoutePlanner.describe(candidates), "bard_1988_no_qp.routes.txt")
        XCTAssertThrowsError(try RoutePlanner.standard().choose(for: ModelFacts(classification: c), capabilities: RouteCapabilities(milp: glpk, qp: nil))) { error in
            guard let d = error as? Diagnostic else { return XCTFail("\(error)") }
            XCTAssertTrue(d.message.contains("no route can solve this model"), d.message)
            XCTAssertEqual(d.notes.count, 5)
            XCTAssertTrue(d.notes[3].hasPrefix("outer-approximation: the QP subproblems need a solver"), d.notes[3])
        }
        // A MILP solver without integer variables cannot take the exact route either.
        let lp = RoutePlanner.standard().candidates(for: try classify(liuHart), capabilities: RouteCapabilities(milp: lpOnly, qp: ipopt))
        XCTAssertEqual(lp[2].assessment, .refused("lp-only declares no integer variables, which the big-M rows of complementarity need"))
        XCTAssertFalse(lp.contains { $0.assessment.accepted })
    }

    /// A smooth nonlinear model, described in full: the exact routes refuse it at its first
    /// nonquadratic node, and the gradient route takes it.
    func testNonlinearModelIsRefusedAtItsNodeAndQualifiesForGradientMethods() throws {
        let m = try model(
            """
            upper { var x >= 0, <= 2; minimize F: (x - 1)^2 + exp(-y); }
            lower { var y >= 0, <= 3; minimize f: (y - x)^2 + softplus(y); }
            """)
        let d = ModelDescription.describe(m, lpSolver: nil)
        let candidates = RoutePlanner.standard().candidates(for: ModelFacts(description: d), capabilities: RouteCapabilities(milp: glpk, qp: ipopt))
        XCTAssertEqual(candidates.filter { $0.assessment.accepted }.map(\.name), ["gradient-methods"])
        XCTAssertTrue(candidates[1].assessment.reason.contains("exp of the follower variable y here (test.blo:1:51)"), candidates[1].assessment.reason)
        try assertGolden(RoutePlanner.describe(candidates), "nonlinear.routes.txt")
    }
}
