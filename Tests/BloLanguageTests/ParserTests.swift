import BlomodelCore
import Foundation
import XCTest

@testable import BloLanguage

/// Helpers: parse a model from text; diagnostics are checked at the position of a
/// marker. In the test sources, `⟪` marks where the caret must point (it is removed
/// before parsing).
func load(_ text: String, directory: String? = nil) throws -> BilevelModel {
    try ModelLoader.load(source: SourceFile(path: "test.blo", text: text), directory: directory ?? NSTemporaryDirectory())
}

func expectError(
    _ marked: String, _ fragment: String, directory: String? = nil, file: StaticString = #filePath, line: UInt = #line
) {
    let lines = marked.split(separator: "\n", omittingEmptySubsequences: false)
    var expected: (Int, Int)?
    for (n, l) in lines.enumerated() {
        if let r = l.range(of: "⟪") { expected = (n + 1, l.distance(from: l.startIndex, to: r.lowerBound) + 1) }
    }
    let text = marked.replacingOccurrences(of: "⟪", with: "")
    do {
        _ = try load(text, directory: directory)
        XCTFail("expected an error containing \"\(fragment)\"", file: file, line: line)
    } catch let d as Diagnostic {
        XCTAssertTrue(d.message.contains(fragment), "message was: \(d.message)", file: file, line: line)
        if let (l, c) = expected {
            XCTAssertEqual(d.location?.line, l, "line of: \(d.rendered)", file: file, line: line)
            XCTAssertEqual(d.location?.column, c, "column of: \(d.rendered)", file: file, line: line)
        }
        XCTAssertTrue(d.rendered.contains("^"), "a caret under the source line", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// Loads a model whose leader objective has no quadratic view, and checks the failure's kind
/// and that it points at the marked position.
func expectNonquadratic(
    _ marked: String, _ kind: ExtractionFailure.Kind, file: StaticString = #filePath, line: UInt = #line
) {
    let lines = marked.split(separator: "\n", omittingEmptySubsequences: false)
    var expected: (Int, Int)?
    for (n, l) in lines.enumerated() {
        if let r = l.range(of: "⟪") { expected = (n + 1, l.distance(from: l.startIndex, to: r.lowerBound) + 1) }
    }
    do {
        let m = try load(marked.replacingOccurrences(of: "⟪", with: ""))
        guard let f = m.upperObjective.nonquadratic else {
            return XCTFail("the leader's objective has a quadratic view", file: file, line: line)
        }
        XCTAssertEqual(f.kind, kind, file: file, line: line)
        let at = m.graph.location(of: f.node)
        if let (l, c) = expected {
            XCTAssertEqual(at.line, l, file: file, line: line)
            XCTAssertEqual(at.column, c, file: file, line: line)
        }
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

final class ParserTests: XCTestCase {
    func testSetsParamsAndIndexedDeclarations() throws {
        let m = try load(
            """
            # comment
            set N = 1..3;
            set ARCS = {(1,2), (2,3), (1,3)};
            set NAMES = {a, b};
            param c{(i,j) in ARCS} = i + 10*j;
            param w{NAMES} = [a: 1.5, b: 2] default 0;
            param n = 3;
            upper {
              var x{N} >= 0, <= n integer;
              minimize F: sum{i in N} x[i] - sum{(i,j) in ARCS: i < j and j != 3} c[i,j] * f[i,j];
            }
            lower {
              var f{ARCS} >= 0;
              minimize g: sum{(i,j) in ARCS} c[i,j] * f[i,j] + w["a"] * f[1,2];
              cap{(i,j) in ARCS}: f[i,j] <= x[i] dualbound 50;
              range: 1 <= f[1,2] + f[2,3] <= 4;
              dualbound 100;
            }
            """)
        XCTAssertEqual(m.variables.map(\.name), ["x[1]", "x[2]", "x[3]", "f[1,2]", "f[2,3]", "f[1,3]"])
        XCTAssertEqual(m.variables[0].kind, .integer)
        XCTAssertEqual(m.variables[0].upper, 3)
        XCTAssertEqual(m.constraints.map(\.name), ["cap[1,2]", "cap[2,3]", "cap[1,3]", "range"])
        XCTAssertEqual(m.constraints[0].dualBound, 50)
        XCTAssertEqual(m.constraints[3].lower, 1)
        XCTAssertEqual(m.constraints[3].upper, 4)
        XCTAssertEqual(m.lowerDualBound, 100)
        // c[1,2] = 21 and only (1,2) passes the filter i < j and j != 3.
        XCTAssertEqual(m.upperObjective.expression.quadratic.isEmpty, true)
        XCTAssertEqual(m.upperObjective.expression.linear.terms[3], -21)
        // follower objective: 21 f[1,2] + 1.5 f[1,2]
        XCTAssertEqual(m.lowerObjective.expression.linear.terms[3]!, 22.5, accuracy: 1e-12)
    }

    func testConditionalAndDivision() throws {
        let m = try load(
            """
            set N = 1..4;
            param s{n in N} = if n == 1 then 5 else (if n == 4 then -5 else 0);
            upper { var x >= 0; minimize F: x/2; }
            lower { var y{N} >= 0; minimize f: sum{n in N} s[n] * y[n]; }
            """)
        XCTAssertEqual(m.lowerObjective.expression.linear.terms[1], 5)
        XCTAssertEqual(m.lowerObjective.expression.linear.terms[4], -5)
        XCTAssertEqual(m.upperObjective.expression.linear.terms[0], 0.5)
    }

    func testCSVData() throws {
        let dir = NSTemporaryDirectory() + "blo-csv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "from,to,cost\n1,2,3.5\n2,3,4\n".write(toFile: dir + "/arcs.csv", atomically: true, encoding: .utf8)
        let m = try load(
            """
            set ARCS = csv("arcs.csv", "from", "to");
            param cost{ARCS} = csv("arcs.csv", "cost");
            upper { var t >= 0; maximize R: t; }
            lower { var f{ARCS} >= 0; minimize c: sum{(i,j) in ARCS} cost[i,j] * f[i,j]; }
            """, directory: dir)
        XCTAssertEqual(m.variables.map(\.name), ["t", "f[1,2]", "f[2,3]"])
        XCTAssertEqual(m.lowerObjective.expression.linear.terms[1], 3.5)
    }
}

final class DiagnosticPositionTests: XCTestCase {
    let tail = "\nlower { var y >= 0; minimize f: y; c: y >= x; }"

    func testSyntaxError() {
        expectError("upper { var x >= 0 ⟪minimize F: x; }" + tail, "expected a bound")
        expectError("upper { var x >= 0; minimize F: x ⟪}" + tail, "expected ';' after the objective")
        expectError("param n = 3 ⟪param m = 2;", "expected ';'")
    }

    func testUnknownNameWithSuggestion() {
        expectError("param cost = 3;\nupper { var x >= 0; minimize F: ⟪cots * x; }" + tail, "unknown name 'cots'")
        do {
            _ = try load("param cost = 3;\nupper { var x >= 0; minimize F: cots * x; }" + tail)
        } catch let d as Diagnostic {
            XCTAssertTrue(d.notes.contains("did you mean 'cost'?"))
        } catch { XCTFail("\(error)") }
    }

    func testIndexOutsideItsSet() {
        expectError("set N = 1..3;\nupper { var x{N} >= 0; minimize F: ⟪x[7]; }" + tail, "x[7] is outside the index set")
    }

    func testMissingCSVFileAndColumnAndBadNumber() throws {
        expectError("set A = ⟪csv(\"nowhere.csv\", \"a\");", "cannot read CSV file 'nowhere.csv'")
        let dir = NSTemporaryDirectory() + "blo-csv-bad-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "k,cost\n1,3\n2,abc\n".write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        expectError("set K = 1..2;\nparam c{K} = ⟪csv(\"d.csv\", \"cots\");", "has no column 'cots'", directory: dir)
        do {
            _ = try load("set K = 1..2;\nparam c{K} = csv(\"d.csv\", \"cost\");", directory: dir)
            XCTFail("expected an error")
        } catch let d as Diagnostic {
            XCTAssertTrue(d.message.contains("'abc' in column 'cost' is not a number"))
            XCTAssertEqual(d.location?.file, dir + "/d.csv")
            XCTAssertEqual(d.location?.line, 3)
            XCTAssertEqual(d.location?.column, 3)
        }
    }

    func testUsedBeforeDeclaration() {
        expectError("param a = ⟪b + 1;\nparam b = 2;", "'b' is used before its declaration at line 2")
        expectError(
            "upper { var x >= 0; minimize F: x; }\nlower { minimize f: ⟪y; var y >= 0; c: y >= x; }",
            "'y' is used before its declaration")
    }

    func testEmptyModelAndMissingBlocks() {
        expectError("", "the model is empty")
        expectError("param n = 1;", "has no 'upper' block")
        expectError("upper { var x >= 0; minimize F: x; }", "has no 'lower' block")
        expectError("upper { var x >= 0; }" + tail, "has no objective")
    }

    func testFollowerIntegerVariablesParse() throws {
        // Integer and binary follower variables are part of the language (the value-function route solves them).
        let m = try ModelLoader.load(
            source: SourceFile(path: "t.blo", text: "upper { var x >= 0; minimize F: x; }\nlower { var y >= 0 <= 3 integer; var b binary; minimize f: y + b; }"),
            directory: "/tmp")
        XCTAssertEqual(m.variables.map(\.kind), [.continuous, .integer, .binary])
        XCTAssertEqual(m.variables[2].upper, 1)
    }

    func testPowers() throws {
        // Squares expand; constants fold; -x^2 is -(x^2); other exponents make nodes without a
        // quadratic view, and the view's failure points at the '^'.
        let m = try load("upper { var x >= 0, <= 2; minimize F: (x - 1)^2 + 2^3*x - x^2; }" + tail)
        XCTAssertNil(m.upperObjective.expression.quadratic[VarPair(0, 0)])  // x^2 - x^2 cancels
        XCTAssertEqual(m.upperObjective.expression.linear.terms[0] ?? .nan, -2 + 8)
        XCTAssertEqual(m.upperObjective.expression.constant, 1)
        expectNonquadratic("upper { var x >= 0; minimize F: x⟪^3; }" + tail, .degreeAboveTwo)
        expectNonquadratic("upper { var x >= 0; minimize F: x⟪^0.5; }" + tail, .power(0.5))
        expectNonquadratic("upper { var x >= 0; minimize F: (x*y)⟪^2; }" + tail, .degreeAboveTwo)
        expectError("upper { var x >= 0; minimize F: x^⟪x; }" + tail, "an exponent must be a number")
        expectError("upper { var x >= 0; minimize F: (-2)⟪^0.5 * x; }" + tail, "is not a finite real number")
    }

    func testDualErrors() {
        // Unknown constraint, with a suggestion; a leader constraint; a member that does not exist;
        // a variable; dual() in the follower's block.
        let lower = "\nlower { var y >= 0; minimize f: y; cap{i in 1..2}: y <= i*x; }"
        expectError("upper { var x >= 0, <= 5; minimize F: x - dual(⟪capp[1]); }" + lower, "dual() of an unknown constraint 'capp'")
        expectError("upper { var x >= 0, <= 5; minimize F: x - ⟪dual(own); own: x <= 4; }" + lower, "refers to a leader constraint")
        expectError("upper { var x >= 0, <= 5; minimize F: x - ⟪dual(cap[3]); }" + lower, "'cap' has no member 3")
        expectError("upper { var x >= 0, <= 5; minimize F: x - dual(⟪x); }" + lower, "'x' is a variable")
        expectError(
            "upper { var x >= 0, <= 5; minimize F: x; }\nlower { var y >= 0; minimize f: y + ⟪dual(c); c: y >= x; }",
            "dual() may appear only in the upper block")
    }

    func testDualStandsForTheFollowersMultiplierWithItsSignedBound() throws {
        // A minimising follower's dual of a >= row is nonnegative: [0, 7] with dualbound 7.
        let m = try load(
            "upper { var x >= 0, <= 5; maximize F: dual(c) + x; }\nlower { var y >= 0; minimize f: y; c: y >= x dualbound 7; }")
        let d = try XCTUnwrap(m.variables.first { $0.name == "dual(c)" })
        XCTAssertEqual(d.role, .dual(constraint: 0))
        XCTAssertEqual(d.lower, 0)
        XCTAssertEqual(d.upper, 7)
    }

    func testLexerErrors() {
        expectError("param n = ⟪@;", "unexpected character '@'")
        expectError("param n = ⟪2x;", "invalid number")
        expectError("set A = {⟪\"abc};", "unterminated string")
    }

    func testWrongSubscriptCountAndConstantBounds() {
        expectError("set N = 1..2;\nupper { var x{N} >= 0; minimize F: ⟪x[1,2]; }" + tail, "takes 1 subscript, got 2")
        expectError("upper { var x >= 0; minimize F: x; }\nlower { var y >= 0, <= ⟪x; minimize f: y; }", "must be a constant")
    }

    func testDuplicateNames() {
        expectError("param n = 1;\n⟪param n = 2;", "'n' is already declared at line 1")
    }
}
