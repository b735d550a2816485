import Foundation
import XCTest

@testable import BlomodelCore

final class ExpressionGraphTests: XCTestCase {
    let at = SourceLocation(file: "m.blo", line: 3, column: 7)

    /// 5 + 3x + 2 x y - x^2, built as a builder would.
    func testQuadraticViewIsSortedAndExact() throws {
        var g = ExpressionGraph()
        let r = g.range(at, length: 2)
        let x = g.variable(1, at: r), y = g.variable(0, at: r)
        var e = Combination(constant: 5)
        e.add(x, times: 3)
        e.add(g.multiply(g.multiply(Combination(constant: 2), x), y, at: r))
        e.add(g.power(x, 2, at: r), times: -1)
        let root = g.node(e)
        let q = try g.quadraticView(root).get()
        XCTAssertEqual(q.constant, 5)
        XCTAssertEqual(q.linear.sortedTerms.map(\.0), [1])
        XCTAssertEqual(q.sortedQuadratic.map(\.0), [VarPair(0, 1), VarPair(1, 1)])
        XCTAssertEqual(q.quadratic[VarPair(0, 1)], 2)
        XCTAssertEqual(q.quadratic[VarPair(1, 1)], -1)
        XCTAssertEqual(q.origins[VarPair(0, 1)], at, "a product remembers where it was written")
        // The view and the graph agree at a point.
        let point = [0.7, -1.3]
        XCTAssertEqual(g.evaluate(root, at: point), q.evaluate(point), accuracy: 1e-12)
    }

    func testExtractionFailsAtTheOffendingNode() {
        var g = ExpressionGraph()
        let x = g.variable(0), y = g.variable(1)
        let sinAt = SourceLocation(file: "m.blo", line: 9, column: 14)
        var e = x
        e.add(g.call(.sin, y, at: g.range(sinAt, length: 3))!)
        let root = g.node(e)
        guard case .failure(let f) = g.quadraticView(root) else { return XCTFail("sin(y) has no quadratic view") }
        XCTAssertEqual(f.kind, .function(.sin))
        XCTAssertEqual(f.variables, [1])
        XCTAssertEqual(g.location(of: f.node), sinAt)
        XCTAssertEqual(f.describe(variables: "a follower variable"), "sin of a follower variable here")

        let cube = g.node(g.power(x, 3))
        guard case .failure(let c) = g.quadraticView(cube) else { return XCTFail("x^3 is not quadratic") }
        XCTAssertEqual(c.kind, .degreeAboveTwo)
        let xyz = g.node(g.multiply(g.multiply(x, y), g.variable(2)))
        guard case .failure(let d) = g.quadraticView(xyz) else { return XCTFail("xyz is not quadratic") }
        XCTAssertEqual(d.kind, .degreeAboveTwo)
    }

    func testConstantsFoldAndDomainsAreChecked() {
        var g = ExpressionGraph()
        XCTAssertNil(g.call(.log, Combination(constant: -1)), "log(-1) is outside the domain")
        XCTAssertNil(g.call(.sqrt, Combination(constant: -4)))
        XCTAssertEqual(g.call(.exp, Combination(constant: 0))?.constant, 1)
        XCTAssertEqual(g.count, 0, "constants create no nodes")
        XCTAssertEqual(MathFunction.softplus.apply(800)!, 800, accuracy: 1e-9, "softplus does not overflow")
        XCTAssertEqual(MathFunction.sigmoid.apply(-800)!, 0, accuracy: 1e-300)
    }

    /// A long sum is one flat node, and its view costs one sort (no recursion, no quadratic time).
    func testALongSumIsFlat() throws {
        var g = ExpressionGraph()
        var e = Combination(constant: 0)
        let n = 200_000
        for k in 0..<n { e.add(g.variable((k * 7919) % n), times: 1) }
        let root = g.node(e)
        let q = try g.quadraticView(root).get()
        XCTAssertEqual(q.linear.terms.count, n)
        XCTAssertEqual(q.linear.terms.keys, Array(0..<n))
    }

    func testEvaluateMatchesClosedForms() {
        var g = ExpressionGraph()
        let x = g.variable(0)
        let funcs: [(MathFunction, (Double) -> Double)] = [
            (.exp, exp), (.log, log), (.log1p, log1p), (.sqrt, sqrt), (.sin, sin), (.cos, cos), (.tanh, tanh),
            (.sigmoid, { 1 / (1 + exp(-$0)) }), (.softplus, { log(1 + exp($0)) }), (.abs, { Swift.abs($0) }),
        ]
        for (f, closed) in funcs {
            let root = g.node(g.call(f, x)!)
            XCTAssertEqual(g.evaluate(root, at: [0.37]), closed(0.37), accuracy: 1e-14, f.rawValue)
        }
        let q = g.node(g.divide(x, g.power(x, 0.5)))
        XCTAssertEqual(g.evaluate(q, at: [4]), 2, accuracy: 1e-14)
        let m = g.node(g.extremum([x, Combination(constant: 1)], maximum: true))
        XCTAssertEqual(g.evaluate(m, at: [0.5]), 1)
    }
}

final class ExpressionGraphLimitTests: XCTestCase {
    /// `(sum of 10^4 variables)^2` would expand to 5 * 10^7 terms: refused at the power,
    /// before any is built. A product of two such sums too.
    func testHugeExpansionsAreRefusedNotBuilt() {
        var g = ExpressionGraph()
        var sum = Combination(constant: 0)
        for j in 0..<10_000 { sum.add(g.variable(j)) }
        let square = g.node(g.power(sum, 2))
        guard case .failure(let f) = g.quadraticView(square) else { return XCTFail("the square is too large") }
        XCTAssertEqual(f.kind, .tooManyTerms(10_000 * 10_001 / 2))
        let product = g.node(g.multiply(sum, sum))
        guard case .failure(let p) = g.quadraticView(product) else { return XCTFail("the product is too large") }
        XCTAssertEqual(p.kind, .tooManyTerms(100_000_000))
        // Below the limit the view is exact.
        var small = Combination(constant: 0)
        for j in 0..<100 { small.add(g.variable(j)) }
        let smallSquare = g.node(g.power(small, 2))
        let q = try? g.quadraticView(smallSquare).get()
        XCTAssertEqual(q?.quadratic.count, 100 * 101 / 2)
        // A node made on a later copy of the graph is refused, not read out of range.
        let old = g
        let later = g.node(g.power(small, 3))
        guard case .failure(let u) = old.quadraticView(later) else { return XCTFail("the node is not in the old copy") }
        XCTAssertEqual(u.kind, .unknownNode)
    }
}
