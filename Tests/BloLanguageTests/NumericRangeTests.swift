import BlomodelCore
import Foundation
import XCTest

@testable import BloLanguage

/// The numeric range (docs/language.md, "Numbers"): bounds and right-hand sides of 1e12 or more
/// in magnitude mean "no bound" and a warning says so; coefficients outside [1e-9, 1e9] are errors
/// at the term.
final class NumericRangeTests: XCTestCase {
    let lower = "\nlower { var y >= 0; minimize f: y; c: y >= x - 1; }"

    func testCoefficientsOutsideTheRangeAreErrorsAtTheTerm() {
        expectError("upper { var x >= 0, <= 1; minimize F: 2e9*⟪x; }" + lower, "the coefficient 2e+09 of x in the leader's objective F is outside the supported range")
        expectError("upper { var x >= 0, <= 1; minimize F: x; }\nlower { var y >= 0; minimize f: y; c: y >= 1e155 * ⟪x - 1; }", "the coefficient -1e+155 of x in c")
        // A coefficient made by folding constants, and one of a product of two variables.
        expectError("upper { var x >= 0, <= 1; minimize F: x + 1e5 * 1e5 * ⟪y; }" + lower, "the coefficient 1e+10 of y")
        expectError("upper { var x >= 0, <= 1; minimize F: x + 1e10 * x ⟪* y; }" + lower, "the coefficient 1e+10 of x*y")
    }

    /// Coefficients below 1e-9 are kept when the model is built (the gradient methods take them)
    /// and refused, at the term, by the exact routes' rule (`NumericRange.enforce` without
    /// `keepSmallCoefficients`, which `solve` applies before it reformulates).
    func testSmallCoefficientsAreKeptByTheBuildAndRefusedByTheExactRule() throws {
        for (marked, fragment) in [
            ("upper { var x >= 0, <= 1; minimize F: x; }\nlower { var y >= 0; minimize f: 1e-10*⟪y; c: y >= x - 1; }", "the coefficient 1e-10 of y in the follower's objective f"),
            ("upper { var x >= 0, <= 1; minimize F: x; }\nlower { var y >= 0; minimize f: 1e-12 * y⟪^2; c: y >= x - 1; }", "the coefficient 1e-12 of y^2"),
        ] {
            var model = try load(marked.replacingOccurrences(of: "⟪", with: ""))
            XCTAssertTrue(model.lowerObjective.expression.linear.sortedTerms.contains { abs($0.1) < 1e-9 } || !model.lowerObjective.expression.sortedQuadratic.isEmpty)
            XCTAssertThrowsError(try NumericRange.enforce(&model)) { error in
                guard let d = error as? Diagnostic else { return XCTFail("\(error)") }
                XCTAssertTrue(d.message.contains(fragment), d.message)
                let line = marked.split(separator: "\n")[1]
                XCTAssertEqual(d.location?.line, 2)
                XCTAssertEqual(d.location?.column, line.distance(from: line.startIndex, to: line.range(of: "⟪")!.lowerBound) + 1)
            }
        }
    }

    /// Many refused numbers: one error at the first, counting the others (positions are looked
    /// up for the first few only, so this stays linear in the model's size).
    func testManyRefusedCoefficientsAreCountedNotAllPositioned() {
        let text = "upper { var x{1..20000} >= 0, <= 1; minimize F: sum{i in 1..20000} 1e10 * x[i]; }\nlower { var y >= 0; minimize f: y; c: y >= x[1] - 1; }"
        let clock = Date()
        XCTAssertThrowsError(try load(text)) { error in
            guard let d = error as? Diagnostic else { return XCTFail("\(error)") }
            XCTAssertTrue(d.message.contains("the coefficient 1e+10 of x[1] in the leader's objective F"), d.message)
            XCTAssertEqual(d.notes.last, "19999 more number(s) of the model are outside the range as well")
        }
        XCTAssertLessThan(Date().timeIntervalSince(clock), 20)
    }

    func testTheRangeIsInclusiveAndZeroIsNoCoefficient() throws {
        let m = try load("upper { var x >= 0, <= 1; minimize F: 1e9*x - 1e-9*y + 0*x*y; }" + lower)
        XCTAssertEqual(m.upperObjective.expression.linear.terms[0], 1e9)
        XCTAssertTrue(m.warnings.isEmpty)
    }

    func testHugeBoundsOnTheRelaxingSideAreInfiniteWithAWarning() throws {
        let m = try load("upper {\n  var x{1..3} >= -1e17, <= 1e12;\n  minimize F: sum{i in 1..3} x[i];\n  big: x[1] + y <= 1e15;\n}\nlower {\n  var y >= 0;\n  minimize f: y;\n  dualbound 1e20;\n  c: y >= x[1] - 1 dualbound 1e13;\n}")
        for v in m.variables where v.base == "x" {
            XCTAssertEqual(v.lower, -.infinity)
            XCTAssertEqual(v.upper, .infinity)
        }
        let big = try XCTUnwrap(m.constraints.first { $0.base == "big" })
        XCTAssertEqual(big.upper, .infinity)
        XCTAssertNil(m.lowerDualBound)
        XCTAssertNil(m.constraints.first { $0.base == "c" }?.dualBound)
        // One warning per declaration and side, at its position, quoting the line.
        let lines = m.warnings.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.message)" }
        XCTAssertEqual(m.warnings.count, 5, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("2:3 the lower bound -1e+17 of x[1] is treated as -infinity") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("2:3 the upper bound 1e+12 of x[1] is treated as +infinity") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("4:3 the right-hand side 1e+15 of big is treated as +infinity") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("9:3 the follower's dual bound 1e+20 is treated as no bound") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("10:30 the dual bound 1e+13 of c is treated as no bound") }, "\(lines)")
        XCTAssertTrue(m.warnings.allSatisfy { $0.severity == .warning && $0.sourceLine != nil })
        XCTAssertEqual(m.warnings[0].notes, ["and 2 more member(s) of the same declaration"])
        // Applying the policy again changes nothing and says nothing new.
        var again = m
        XCTAssertEqual(try NumericRange.enforce(&again).count, 0)
        XCTAssertEqual(again.warnings.count, m.warnings.count)
    }

    func testBoundsJustBelowTheThresholdStay() throws {
        let m = try load("upper { var x >= -9.99e11, <= 9.99e11; minimize F: x; }" + lower)
        XCTAssertEqual(m.variables[0].lower, -9.99e11)
        XCTAssertEqual(m.variables[0].upper, 9.99e11)
        XCTAssertTrue(m.warnings.isEmpty)
    }

    func testHugeBoundsOnTheBindingSideAreErrors() {
        expectError("upper { ⟪var x >= 1e13; minimize F: x; }" + lower, "x must be at least 1e+13, beyond the largest magnitude a bound may have")
        expectError("upper { ⟪var x = -2e12; minimize F: x; }" + lower, "x must be at most -2e+12")
        expectError("upper { var x >= 0, <= 1; minimize F: x; }\nlower { var y >= 0; minimize f: y; ⟪c: y + x = 5e12; }", "c needs its body to be equal to 5e+12")
        expectError("upper { var x >= 0, <= 1; minimize F: x; }\nlower { var y >= 0; minimize f: y; ⟪c: y - x <= -1e12; }", "c needs its body to be at most -1e+12")
    }

    /// Models built in code go through the same policy (the facade applies it); without a file,
    /// diagnostics have no position.
    func testModelsBuiltInCode() throws {
        var m = BilevelModel(
            name: "code", upperObjective: Objective(sense: .minimize, name: "F", expression: QuadExpr(linear: .variable(0, 1e10))),
            lowerObjective: Objective(sense: .minimize, name: "f", expression: QuadExpr(linear: .variable(1))))
        m.addVariable(Variable(base: "x", owner: .leader, lower: 0, upper: 1e30))
        m.addVariable(Variable(base: "y", owner: .theFollower, lower: 0))
        XCTAssertThrowsError(try NumericRange.enforce(&m)) { error in
            guard let d = error as? Diagnostic else { return XCTFail("\(error)") }
            XCTAssertNil(d.location)
            XCTAssertTrue(d.message.contains("the coefficient 1e+10 of x"), d.message)
        }
        m.upperObjective.expression = QuadExpr(linear: .variable(0))
        let warnings = try NumericRange.enforce(&m)
        XCTAssertEqual(warnings.map(\.message), ["the upper bound 1e+30 of x is treated as +infinity (its magnitude is 1e+12 or more)"])
        XCTAssertEqual(m.variables[0].upper, .infinity)
    }
}
