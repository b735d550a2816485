import BlomodelCore
import Foundation
import XCTest

@testable import BloLanguage

/// Function calls, division by expressions and real exponents; limits on nesting and size.
final class NonlinearLanguageTests: XCTestCase {
    let tail = "\nlower { var y >= 0; minimize f: y; c: y >= x; }"

    func testFunctionsInBothLevelsParseAndEvaluate() throws {
        let m = try load(
            """
            upper { var x >= 0.1, <= 3; minimize F: exp(x) + sin(y) - log(1 + x*y) + sqrt(x)^3 / (1 + y); }
            lower { var y >= 0, <= 2; minimize f: softplus(y - x) + sigmoid(y) * tanh(x) + log1p(y) - cos(x)*y + abs(y - 1) + max(y, x/2); }
            """)
        let F = try XCTUnwrap(m.upperObjective.function), f = try XCTUnwrap(m.lowerObjective.function)
        XCTAssertEqual(m.upperObjective.nonquadratic?.kind, .function(.exp))
        XCTAssertNotNil(m.lowerObjective.nonquadratic)
        XCTAssertFalse(m.isQuadratic)
        let (x, y) = (0.7, 1.3)
        XCTAssertEqual(
            m.graph.evaluate(F, at: [x, y]), exp(x) + sin(y) - log(1 + x * y) + pow(sqrt(x), 3) / (1 + y), accuracy: 1e-12)
        XCTAssertEqual(
            m.graph.evaluate(f, at: [x, y]),
            log(1 + exp(y - x)) + 1 / (1 + exp(-y)) * tanh(x) + log1p(y) - cos(x) * y + abs(y - 1) + max(y, x / 2),
            accuracy: 1e-12)
    }

    func testConstantCallsFoldAndQuotientsOfVariablesAreNodes() throws {
        let m = try load("upper { var x >= 1; minimize F: exp(0) * x + log(exp(2)) + x / (1 + x); }" + tail)
        guard case .quotient = m.upperObjective.nonquadratic?.kind else { return XCTFail("x / (1 + x) is a quotient node") }
        XCTAssertEqual(m.graph.evaluate(m.upperObjective.function!, at: [3, 0]), 3 + 2 + 0.75, accuracy: 1e-12)
        // A quadratic model keeps its exact view.
        let q = try load("upper { var x >= 1; minimize F: x / 4 + sqrt(16) * x^2; }" + tail)
        XCTAssertEqual(q.upperObjective.expression.linear.terms[0], 0.25)
        XCTAssertEqual(q.upperObjective.expression.quadratic[VarPair(0, 0)], 4)
    }

    func testFunctionErrorsArePositioned() {
        expectError("upper { var x >= 0; minimize F: ⟪sinh(x); }" + tail, "unknown function 'sinh'")
        do {
            _ = try load("upper { var x >= 0; minimize F: sine(x); }" + tail)
        } catch let d as Diagnostic {
            XCTAssertTrue(d.notes.contains("did you mean 'sin'?"), "\(d.notes)")
        } catch { XCTFail("\(error)") }
        expectError("upper { var x >= 0; minimize F: ⟪exp(x, 2); }" + tail, "exp() takes one argument, got 2")
        expectError("upper { var x >= 0; minimize F: ⟪max(x); }" + tail, "max() takes two or more arguments")
        expectError("upper { var x >= 0; minimize F: x + ⟪log(-1); }" + tail, "log(-1) is undefined: log takes positive numbers")
        expectError("upper { var x >= 0; minimize F: x + ⟪sqrt(2 - 3); }" + tail, "sqrt(-1) is undefined")
        expectError("param p = 2;\nupper { var x >= 0; minimize F: ⟪p(x); }" + tail, "'p' is a parameter, not a function")
        expectError("upper { var x >= 0; minimize F: x ⟪/ (1 - 1); }" + tail, "division by zero")
    }

    /// Parentheses nested up to the documented limit work; deeper input is a positioned
    /// error, not a stack overflow.
    func testNestingLimit() throws {
        let depth = Parser.maximumNesting - 8
        let ok = "upper { var x >= 0; minimize F: " + String(repeating: "(", count: depth) + "x" + String(repeating: ")", count: depth) + "; }" + tail
        XCTAssertEqual(try load(ok).upperObjective.expression.linear.terms[0], 1)
        for deep in [
            String(repeating: "(", count: 100_000) + "x" + String(repeating: ")", count: 100_000),
            String(repeating: "-", count: 100_000) + "x",
            String(repeating: "exp(", count: 100_000) + "x" + String(repeating: ")", count: 100_000),
            "x" + String(repeating: "^x", count: 100_000),
        ] {
            do {
                _ = try load("upper { var x >= 0; minimize F: " + deep + "; }" + tail)
                XCTFail("expected a nesting error")
            } catch let d as Diagnostic {
                XCTAssertTrue(d.message.contains("nested more than \(Parser.maximumNesting) levels"), d.message)
                XCTAssertEqual(d.location?.line, 1)
            }
        }
        // Filters: a long 'and' chain and deep 'not's.
        let ands = (1...20_000).map { "i != \($0 + 5)" }.joined(separator: " and ")
        let m = try load("set N = 1..10;\nupper { var x >= 0; var z{i in N: \(ands)} >= 0; minimize F: x + sum{i in N: i <= 5} z[i]; }" + tail)
        XCTAssertEqual(m.variables.filter { $0.base == "z" }.count, 5)
        expectError(
            "set N = 1..5;\nupper { var x >= 0; var z{i in N: " + String(repeating: "not ", count: 100_000) + "i == 1} >= 0; minimize F: x; }" + tail,
            "nested more than")
    }

    /// A written-out sum of 10^5 terms: one flat chain, elaborated in one pass.
    func testLongWrittenSum() throws {
        let n = 100_000
        let terms = (1...n).map { "\($0 % 7 + 1)*z[\($0)]" }.joined(separator: " + ")
        let m = try load("set N = 1..\(n);\nupper { var x >= 0; var z{N} >= 0; minimize F: x + \(terms); }" + tail)
        XCTAssertEqual(m.upperObjective.expression.linear.terms.count, n + 1)
        XCTAssertEqual(m.upperObjective.expression.linear.terms[n], Double(n % 7 + 1), "z[n] is variable n")
    }

    /// 10^6 generated product terms of a dense quadratic form over 1000 variables.
    func testMillionGeneratedTerms() throws {
        let m = try load(
            """
            set N = 1..1000;
            upper { var x >= 0; minimize F: x; }
            lower { var y{N} >= 0, <= 1; minimize f: sum{i in N, j in N} (i + j) / 1000 * y[i] * y[j] - sum{i in N} x * y[i]; }
            """)
        XCTAssertEqual(m.lowerObjective.expression.quadratic.count, 1000 * 1001 / 2 + 1000, "y'Qy and x*y[i]")
    }

    func testSetSizeLimit() {
        expectError(
            "set A = 1..10000;\nupper { var x >= 0; minimize F: x + sum{i in A, ⟪j in A} 0 * x; }" + tail,
            "more than 10000000 members")
    }
}

/// Inputs found by review: non-finite values, huge exponents, long conditions, graph bodies
/// that must match their bounds, nested sums past the node limit.
final class AdversarialInputTests: XCTestCase {
    let head = "upper { var x >= 1, <= 2; minimize F: x; }\nlower { var y >= 0, <= 1; minimize f: "
    let tail = "; c: y >= x - 1; }"

    func testNonFiniteValuesArePositionedErrors() {
        expectError(head + "⟪1e400*y" + tail, "the number '1e400' is too large to represent")
        expectError(head + "⟪x*1e308*10" + tail, "not a finite number (an overflow)")
        expectError(head + "⟪x/1e-320" + tail, "not a finite number (an overflow)")
        expectError(head + "x⟪/(y - y)" + tail, "has no finite value")
        expectError(head + "(y - y - 1)⟪^0.5" + tail, "has no finite value")
        expectError(head + "⟪log(x - x) + y" + tail, "log of terms that cancel to a constant outside its domain")
    }

    func testHugeAndLargeIntegerExponents() throws {
        // Even powers of a negative base beyond 64 keep their sign; a huge exponent is no crash.
        XCTAssertEqual(ExpressionGraph.power(-2, 66), pow(2, 66))
        XCTAssertEqual(ExpressionGraph.power(-1, 65), -1)
        let m = try load("param p = (-2)^66;\n" + head + "y^1e308 + p * y" + tail)
        XCTAssertEqual(m.lowerObjective.nonquadratic?.kind, .degreeAboveTwo)
    }

    /// The graph's body of a row equals its quadratic view when the view's constant moved to the bounds.
    func testRowFunctionMatchesItsBounds() throws {
        let m = try load("upper { var x >= 0; minimize F: x; }\nlower { var y >= 0; minimize f: y; c: (y + 1)^2 <= 4; }")
        let c = m.constraints[0]
        XCTAssertEqual(c.upper, 3)
        for y in [0.0, 1, 2.5] {
            XCTAssertEqual(m.graph.evaluate(try XCTUnwrap(c.function), at: [0, y]), c.body.evaluate([0, y]), accuracy: 1e-12)
        }
    }

    /// 200 000 'and's in a condition inside a range, and in a filter: flat lists, no deep trees.
    func testLongConditionsAreFlat() throws {
        let ands = Array(repeating: "i == 1", count: 200_000).joined(separator: " and ")
        let m = try load(
            "set S = {i in 1..3, j in 1..(if i == 1 and \(ands) then 2 else 3)};\nset T = {i in 1..2: i == 1 and \(ands)};\n"
                + "upper { var x{T} >= 0; minimize F: sum{(i,j) in S} x[1]; }\nlower { var y >= 0; minimize f: y; c: y >= x[1]; }")
        XCTAssertEqual(m.upperObjective.expression.linear.terms[0], 2 + 3 + 3)
    }

    /// Nested sums multiply their sizes: past the node limit, a positioned error.
    func testNestedSumsStopAtTheNodeLimit() throws {
        let source = SourceFile(
            path: "test.blo",
            text: "upper { var x >= 0; minimize F: ⟪sum{a in 1..100} sum{b in 1..100} x; }\nlower { var y >= 0; minimize f: y; c: y >= x; }"
                .replacingOccurrences(of: "⟪", with: ""))
        var parser = try Parser(source: source)
        let statements = try parser.parseModel()
        let elaborator = Elaborator(source: source, directory: NSTemporaryDirectory())
        elaborator.nodeLimit = 1000
        XCTAssertThrowsError(try elaborator.elaborate(statements, name: "test")) { error in
            guard let d = error as? Diagnostic else { return XCTFail("\(error)") }
            XCTAssertTrue(d.message.contains("more than 1000 expression nodes"), d.message)
            XCTAssertEqual(d.location?.column, 50, "the inner sum, where the limit was passed")
        }
    }
}

final class IntegerBoundTests: XCTestCase {
    let tail = "\nlower { var y >= 0; minimize f: y; c: y >= n; }"

    func testIntegerBoundsAreRoundedInward() throws {
        let m = try load("upper { var n >= 0.5, <= 3.7 integer; minimize F: n; }" + tail)
        XCTAssertEqual(m.variables[0].lower, 1)
        XCTAssertEqual(m.variables[0].upper, 3)
        let near = try load("upper { var n >= 0.9999999999, <= 2.0000000001 integer; minimize F: n; }" + tail)
        XCTAssertEqual(near.variables[0].lower, 1, "a bound within 1e-9 of an integer is that integer")
        XCTAssertEqual(near.variables[0].upper, 2)
        expectError("upper { ⟪var n >= 0.2, <= 0.8 integer; minimize F: n; }" + tail, "has no integer value between 0.2 and 0.8")
    }
}
