import XCTest

@testable import BlomodelCore

final class IntervalTests: XCTestCase {
    func testSumAndScaling() {
        let a = Interval(-1, 2), b = Interval(0, 3)
        XCTAssertEqual(a + b, Interval(-1, 5))
        XCTAssertEqual(-2 * a, Interval(-4, 2))
        XCTAssertEqual(0 * Interval(-.infinity, .infinity), .zero, "a zero coefficient removes the term")
    }

    func testProductCoversAllCorners() {
        XCTAssertEqual(Interval(-1, 2) * Interval(-3, 4), Interval(-6, 8))
        XCTAssertEqual(Interval(0, 0) * Interval(-.infinity, .infinity), .zero)
    }

    func testLinearRangeOverBounds() {
        // 12 - x - 2y with x, y >= 0 is at most 12 and unbounded below.
        let e = LinearExpr(constant: 12, terms: [0: -1, 1: -2])
        let r = e.range { _ in Interval(0, .infinity) }
        XCTAssertEqual(r.upper, 12)
        XCTAssertEqual(r.lower, -.infinity)
    }
}

final class ExpressionTests: XCTestCase {
    func testProductOfLinearExpressionsIsQuadratic() {
        let x = QuadExpr.variable(0), y = QuadExpr.variable(1)
        let p = QuadExpr.product(x + QuadExpr(constant: 1), y)!
        XCTAssertEqual(p.quadratic[VarPair(0, 1)], 1)
        XCTAssertEqual(p.linear.terms[1], 1)
        XCTAssertNil(QuadExpr.product(p, x), "degree three is refused")
    }

    func testCancellingTermsDisappear() {
        let x = QuadExpr.variable(0)
        XCTAssertTrue((x - x).isConstant)
    }
}

final class DiagnosticTests: XCTestCase {
    func testRenderingShowsLineAndCaret() {
        let file = SourceFile(path: "m.blo", text: "param n = 3;\nparam m = nn;\n")
        let d = file.error("unknown name 'nn'", at: SourceLocation(file: "m.blo", line: 2, column: 11), length: 2, notes: ["did you mean 'n'?"])
        XCTAssertEqual(
            d.rendered,
            """
            m.blo:2:11: error: unknown name 'nn'
                param m = nn;
                          ^~
            note: did you mean 'n'?
            """)
    }

    func testWindowsLineEndings() {
        let file = SourceFile(path: "m.blo", text: "param n = 3;\r\nparam m = nn;\r\n")
        XCTAssertEqual(file.line(2), "param m = nn;")
        XCTAssertEqual(file.line(1), "param n = 3;")
    }

    func testClosestName() {
        XCTAssertEqual(closestName(to: "cots", among: ["cost", "demand"]), "cost")
        XCTAssertNil(closestName(to: "zzz", among: ["cost", "demand"]))
        XCTAssertEqual(editDistance("kitten", "sitting"), 3)
    }
}
