import BloLanguage
import BlomodelCore
import Foundation
import XCTest

@testable import Reformulations

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

/// Liu and Hart (1994): min -x - 3y s.t. y in argmin { y : -x + y <= 3, x + 2y <= 12, 4x - y <= 12, y >= 0 }.
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

final class KKTTests: XCTestCase {
    func testKKTPrintout() throws {
        let m = try model(liuHart)
        let c = try Classifier.classify(m)
        let kkt = KKTReformulation.apply(m, c)
        try assertGolden(kkt.description, "liu_hart.kkt.txt")
    }

    func testBigMPrintoutAndSources() throws {
        let m = try model(liuHart)
        let r = try Planner.reformulate(m, lpSolver: nil)
        try assertGolden(r.milp.description, "liu_hart.milp.txt")
        // Without an LP solver the slack of c1 (y - x <= 3) is unbounded by interval arithmetic:
        // the default M is used and recorded as unproven.
        let c1 = r.bigM.first { $0.pair == "compl_c1" }!
        XCTAssertEqual(c1.primalSource, .default)
        let c2 = r.bigM.first { $0.pair == "compl_c2" }!
        XCTAssertEqual(c2.primalSource, .interval)
        XCTAssertEqual(c2.primalM, 12)
        // The dual polyhedron {1 + l1 + 2 l2 - l3 - mu = 0, all >= 0} has vertices l3 = 1 and mu = 1.
        let c3 = r.bigM.first { $0.pair == "compl_c3" }!
        XCTAssertEqual(c3.dualSource, .dualVertices)
        XCTAssertEqual(c3.dualM, 1)
        XCTAssertEqual(c2.dualM, 0, "l2 is zero at every vertex: the pair needs no binary")
        XCTAssertNil(c2.binaryColumn)
    }

    func testStrongDualityLinearizesTollProducts() throws {
        // One tolled arc (cost 1 + T) against a toll-free one (cost 4), demand 2.
        let m = try model(
            """
            upper { var T >= 0, <= 10; maximize R: T * a; }
            lower {
              var a >= 0, <= 2;
              var b >= 0, <= 2;
              minimize cost: (1 + T) * a + 4 * b;
              demand: a + b = 2;
              dualbound 20;
            }
            """)
        let r = try Planner.reformulate(m, lpSolver: nil)
        XCTAssertTrue(r.milp.objective.isLinear)
        XCTAssertEqual(r.classification.leaderProductFactor, 1)
        try assertGolden(r.complementarityModel.description, "toll_small.mpcc.txt")
    }
}

final class ClassifierTests: XCTestCase {
    func expectRefusal(_ text: String, _ fragment: String, line: Int, file: StaticString = #filePath, testLine: UInt = #line) {
        do {
            let m = try model(text)
            _ = try Classifier.classify(m)
            XCTFail("expected a refusal", file: file, line: testLine)
        } catch let d as Diagnostic {
            XCTAssertTrue(d.message.contains(fragment), d.message, file: file, line: testLine)
            XCTAssertEqual(d.location?.line, line, file: file, line: testLine)
        } catch { XCTFail("\(error)", file: file, line: testLine) }
    }

    func testFollowerMustBeAnLP() {
        expectRefusal(
            "upper { var x >= 0; minimize F: x; }\nlower { var y >= 0;\n minimize f: y*y; c: y >= x; }",
            "the follower's objective has the quadratic term y*y", line: 3)
    }

    func testProductInAConstraint() {
        expectRefusal(
            "upper { var x >= 0; minimize F: x; }\nlower { var y >= 0; minimize f: y;\n c: x*y >= 1; }",
            "constraint c has the product x*y", line: 3)
    }

    func testLeaderProductsMustMatchTheFollowers() {
        expectRefusal(
            "upper { var x >= 0, <= 1;\n minimize F: x*y; }\nlower { var y >= 0, <= 1; minimize f: y; c: y >= x; }",
            "which the follower's objective does not have", line: 2)
        expectRefusal(
            "upper { var x >= 0, <= 1; maximize F: x*y; }\nlower { var y >= 0, <= 1; minimize f: x*y;\n c: y >= x; }",
            "involves leader variables, so strong duality cannot", line: 3)
    }

    func testQuadraticLeaderIsRefused() {
        expectRefusal(
            "upper { var x >= 0;\n minimize F: x*x; }\nlower { var y >= 0; minimize f: y; c: y >= x; }",
            "the leader's objective has the quadratic term x*x", line: 2)
    }
}
