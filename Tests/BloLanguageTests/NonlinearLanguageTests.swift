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
