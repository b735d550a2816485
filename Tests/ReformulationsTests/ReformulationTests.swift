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

    func testBigMPassTakesItsLPBoundsAsData() throws {
        // The pass makes no solver call: an LP bound arrives in BigMProofs. Here the slack of c3
        // (12 - 4x + y, x unbounded above), unbounded by interval arithmetic, gets a hand-given
        // relaxation maximum.
        let m = try model(liuHart)
        let c = try Classifier.classify(m)
        let mpcc = KKTReformulation.apply(m, c)
        let pair = try XCTUnwrap(mpcc.complementarities.firstIndex { $0.name == "compl_c3" })
        var proofs = try BigMProofs.prove(mpcc, model: m, options: BigMOptions(), lpSolver: nil)
        XCTAssertTrue(proofs.slackMaxima.isEmpty && proofs.multiplierMaxima.isEmpty, "no LPs without a solver")
        XCTAssertNotNil(proofs.vertexBounds)
        proofs.slackMaxima[pair] = 3
        let (milp, records) = BigMComplementarity.apply(mpcc, model: m, options: BigMOptions(), proofs: proofs)
        let c3 = try XCTUnwrap(records.first { $0.pairIndex == pair })
        XCTAssertEqual(c3.primalSource, .relaxationLP)
        XCTAssertEqual(c3.primalM, 3)
        XCTAssertNotNil(c3.binaryColumn)
        let slackRow = try XCTUnwrap(milp.rows(where: { $0 == .complementarity(pair: pair, side: .slack) }).first)
        XCTAssertEqual(slackRow.expression.terms[try XCTUnwrap(c3.binaryColumn)], 3, "slack + M z <= M")
        // The same inputs give the same printout: the pass is a function of its data.
        XCTAssertEqual(BigMComplementarity.apply(mpcc, model: m, options: BigMOptions(), proofs: proofs).0.description, milp.description)
    }

    func testQuadraticFollowerStationarityAndDualLink() throws {
        // Bard (1988) ex. 1 with a dual in the leader: stationarity of y gets 2y - 1.5x - 2,
        // and dual(g1) is linked to g1's multiplier (a >= row of a minimising follower: +lambda).
        let m = try model(
            """
            upper { var x >= 0; minimize F: (x - 5)^2 + (2*y + 1)^2 + dual(g1); }
            lower {
              var y >= 0;
              minimize f: (y - 1)^2 - 1.5*x*y;
              g1: 3*x - y >= 3;
              g2: x - 0.5*y <= 4;
              g3: x + y <= 7;
            }
            """)
        let c = try Classifier.classify(m)
        XCTAssertEqual(c.leaderObjective, .outerApproximation)
        let kkt = KKTReformulation.apply(m, c)
        try assertGolden(kkt.description, "bard_1988_dual.kkt.txt")
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
    func expectRefusal(
        _ text: String, _ fragment: String, line: Int, note: String? = nil, file: StaticString = #filePath, testLine: UInt = #line
    ) {
        do {
            let m = try model(text)
            _ = try Classifier.classify(m)
            XCTFail("expected a refusal", file: file, line: testLine)
        } catch let d as Diagnostic {
            XCTAssertTrue(d.message.contains(fragment), d.message, file: file, line: testLine)
            XCTAssertEqual(d.location?.line, line, file: file, line: testLine)
            if let note { XCTAssertTrue(d.notes.contains { $0.contains(note) }, "\(d.notes)", file: file, line: testLine) }
        } catch { XCTFail("\(error)", file: file, line: testLine) }
    }

    func testFollowerMustBeConvex() {
        // A maximised square is not concave: refused at the term, naming the block.
        expectRefusal(
            "upper { var x >= 0; minimize F: x; }\nlower { var y >= 0;\n maximize f: y*y; c: y <= x; }",
            "the follower's objective is not concave in (y)", line: 3, note: "maximise a concave")
        // The Hessian block of (y1, y2) is [[2, 4], [4, 2]], eigenvalues 6 and -2: indefinite; y3 is fine.
        expectRefusal(
            "upper { var x >= 0; minimize F: x; }\nlower { var y1 >= 0; var y2 >= 0; var y3 >= 0;\n minimize f: y3^2 + y1^2 + y2^2 + 4*y1*y2; c: y1 + y2 + y3 >= x; }",
            "not convex in (y1, y2)", line: 3, note: "y1*y2")
    }

    func testConvexFollowerIsAccepted() throws {
        let m = try model("upper { var x >= 0, <= 4; minimize F: x - y; }\nlower { var y >= 0; minimize f: (y - x)^2; }")
        let c = try Classifier.classify(m)
        XCTAssertEqual(c.followerQuadratic.count, 1)
        XCTAssertEqual(c.problemClass, "bilevel: linear leader, convex QP follower")
    }

    func testProductInAFollowerConstraint() {
        expectRefusal(
            "upper { var x >= 0; minimize F: x; }\nlower { var y >= 0; minimize f: y;\n c: x*y >= 1; }",
            "follower constraint c has the product x*y", line: 3)
    }

    func testLeaderProductsMustMatchTheFollowersOrBeConvex() {
        expectRefusal(
            "upper { var x >= 0, <= 1;\n minimize F: x*y; }\nlower { var y >= 0, <= 1; minimize f: y; c: y >= x; }",
            "the leader's objective is not convex in (x, y)", line: 2,
            note: "the follower's objective does not have the product")
        expectRefusal(
            "upper { var x >= 0, <= 1;\n maximize F: x*y; }\nlower { var y >= 0, <= 1; minimize f: x*y;\n c: y >= x; }",
            "the leader's objective is not concave in (x, y)", line: 2,
            note: "follower constraints involve leader variables")
    }

    func testConvexLeaderGoesToOuterApproximationAndNonconvexIsRefused() throws {
        let m = try model("upper { var x >= 0;\n minimize F: x*x; }\nlower { var y >= 0; minimize f: y; c: y >= x; }")
        XCTAssertEqual(try Classifier.classify(m).leaderObjective, .outerApproximation)
        expectRefusal(
            "upper { var x >= 0;\n maximize F: x*x; }\nlower { var y >= 0; minimize f: y; c: y >= x; }",
            "the leader's objective is not concave in (x)", line: 2, note: "outer approximation")
    }
}

/// The pass chain: each pass records its map back, and a point maps back in reverse order.
final class PassChainTests: XCTestCase {
    func testChainRecordsEveryPassAndMapsBackInReverse() throws {
        let m = try model(liuHart)
        let r = try Planner.reformulate(m, lpSolver: nil)
        XCTAssertEqual(r.chain.records.map(\.name), ["product-linearization", "kkt", "big-m", "lower"])
        let columns = r.standardForm.columnCount
        XCTAssertEqual(r.chain.records[1].map, .prefix(inputCount: 2, outputCount: r.complementarityModel.columns.count))
        XCTAssertEqual(r.chain.records[3].map, .identity(count: columns))
        let point = (0..<columns).map(Double.init)
        XCTAssertEqual(r.chain.pullBack(point), [0, 1], "the user's two variables are the first two columns")
        XCTAssertEqual(r.modelPoint(point), [0, 1])
        XCTAssertEqual(r.plan, r.chain.plan)
    }

    func testAPassRefusesWhatItCannotTake() throws {
        let m = try model("upper { var x >= 0; minimize F: exp(x) + y; }\nlower { var y >= 0; minimize f: y; c: y >= x; }")
        var chain = PassChain()
        let c = Classification(
            problemClass: "", reasons: [], leaderVariables: [0], followerVariables: [1], followerRows: [0], leaderOnlyFollowerRows: [],
            followerBilinear: [:], followerQuadratic: [:], leaderObjective: .linear, hasIntegerLeaderVariables: false)
        XCTAssertThrowsError(try chain.run(KKTPass(classification: c), m)) { error in
            XCTAssertTrue("\(error)".contains("the kkt pass cannot take its input"), "\(error)")
        }
        XCTAssertTrue(chain.records.isEmpty)
    }
}
