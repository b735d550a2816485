import BlomodelCore
import Foundation
import XCTest

@testable import Differentiation

/// Inputs that must not crash: points outside a domain, malformed graphs, wrong sizes, very
/// deep and very long expressions; and the documented conventions at nonsmooth points.
final class RobustnessTests: XCTestCase {
    func testOutsideTheDomainGivesNaN() throws {
        for f in [MathFunction.log, .sqrt, .log1p] {
            var g = ExpressionGraph()
            var e = Combination(constant: 1)
            e.add(g.call(f, g.variable(0))!, times: 2)
            let compiled = try CompiledFunction(graph: g, expression: e, variableCount: 1)
            XCTAssertTrue(compiled.value(at: [-3]).isNaN, f.rawValue)
            XCTAssertTrue(compiled.gradient(at: [-3])[0].isNaN, f.rawValue)
            XCTAssertTrue(compiled.hessianVectorProduct(at: [-3], direction: [1])[0].isNaN, f.rawValue)
            XCTAssertTrue(compiled.value(at: [0.5]).isFinite, f.rawValue)
        }
        var g = ExpressionGraph()
        let power = g.node(g.power(g.variable(0), 0.5))
        XCTAssertTrue(try CompiledFunction(graph: g, root: power, variableCount: 1).gradient(at: [-1])[0].isNaN)
        let quotient = g.node(g.divide(Combination(constant: 1), g.variable(0)))
        XCTAssertFalse(try CompiledFunction(graph: g, root: quotient, variableCount: 1).value(at: [0]).isFinite)
    }

    func testMalformedGraphsAreRejectedAtCompilation() {
        var g = ExpressionGraph()
        let x = g.add(.variable(3))
        XCTAssertThrowsError(try CompiledFunction(graph: g, root: x, variableCount: 2)) {
            XCTAssertEqual($0 as? DifferentiationError, .variableOutOfRange(x, variable: 3, variableCount: 2))
        }
        XCTAssertThrowsError(try CompiledFunction(graph: g, root: NodeID(17), variableCount: 4)) {
            XCTAssertEqual($0 as? DifferentiationError, .nodeOutOfRange(NodeID(17), nodeCount: 1))
        }
        let forward = g.add(.call(.sin, NodeID(1)))
        XCTAssertThrowsError(try CompiledFunction(graph: g, root: forward, variableCount: 4)) {
            XCTAssertEqual($0 as? DifferentiationError, .childNotBeforeParent(parent: forward, child: forward))
        }
        let dangling = g.add(.product(x, NodeID(99)))
        XCTAssertThrowsError(try CompiledRows(graph: g, roots: [x, dangling], variableCount: 4))
        let parameter = g.add(.parameter(2))
        XCTAssertThrowsError(try CompiledFunction(graph: g, root: parameter, variableCount: 4)) {
            XCTAssertEqual($0 as? DifferentiationError, .parameterOutOfRange(parameter, parameter: 2))
        }
        XCTAssertThrowsError(try VariableSplit(leader: [0, 1], follower: [1], variableCount: 2))
        XCTAssertThrowsError(try VariableSplit(leader: [0], follower: [5], variableCount: 2))
    }

    func testWrongSizesGiveNaNNotATrap() throws {
        var g = ExpressionGraph()
        let root = g.node(g.multiply(g.variable(0), g.variable(1)))
        let f = try CompiledFunction(graph: g, root: root, variableCount: 2)
        XCTAssertTrue(f.value(at: [1]).isNaN)
        XCTAssertTrue(f.gradient(at: [1, 2, 3]).allSatisfy(\.isNaN))
        XCTAssertTrue(f.hessianVectorProduct(at: [1, 2], direction: [1]).allSatisfy(\.isNaN))
        let rows = try CompiledRows(graph: g, roots: [root, root], variableCount: 2)
        XCTAssertTrue(rows.jacobian(at: []).values.allSatisfy(\.isNaN))
        XCTAssertEqual(rows.values(at: [2, 3]), [6, 6])
        let none = try CompiledRows(graph: g, roots: [], variableCount: 2)
        XCTAssertEqual(none.values(at: [1, 2]), [])
        XCTAssertEqual(none.jacobian(at: [1, 2]).values, [])
    }

    /// `abs` has derivative 0 at 0; `min` and `max` follow the first argument attaining them.
    func testNonsmoothConventions() throws {
        var g = ExpressionGraph()
        let x = g.variable(0), y = g.variable(1)
        let abs = g.call(.abs, x)!, max = g.extremum([x, y], maximum: true), min = g.extremum([y, x], maximum: false)
        let absolute = try CompiledFunction(graph: g, expression: abs, variableCount: 2)
        XCTAssertEqual(absolute.gradient(at: [0, 0]), [0, 0])
        XCTAssertEqual(absolute.gradient(at: [-2, 0]), [-1, 0])
        let maximum = try CompiledFunction(graph: g, expression: max, variableCount: 2)
        XCTAssertEqual(maximum.gradient(at: [1, 1]), [1, 0])
        XCTAssertEqual(maximum.gradient(at: [1, 2]), [0, 1])
        let minimum = try CompiledFunction(graph: g, expression: min, variableCount: 2)
        XCTAssertEqual(minimum.gradient(at: [1, 1]), [0, 1])
        XCTAssertTrue(minimum.value(at: [.nan, 1]).isNaN, "a NaN argument gives a NaN minimum")
    }

    /// 50 000 nested functions: compiled and differentiated by loops, nothing on the stack.
    func testDeepNestingNeedsNoRecursion() throws {
        var g = ExpressionGraph()
        var e = g.variable(0)
        let depth = 50_000
        for _ in 0..<depth { e = g.call(.sin, e)! }
        let f = try CompiledFunction(graph: g, expression: e, variableCount: 1)
        XCTAssertEqual(f.statistics.levels, depth)
        // d/dx sin(sin(...)) = prod cos(inner values).
        var value = 0.7, derivative = 1.0
        for _ in 0..<depth {
            derivative *= cos(value)
            value = sin(value)
        }
        let r = f.valueAndGradient(at: [0.7])
        XCTAssertEqual(r.value, value, accuracy: 1e-12)
        XCTAssertEqual(r.gradient[0], derivative, accuracy: 1e-12)
    }

    /// A sum of 200 000 terms is one affine row (dense: every term in one row over all columns).
    func testALongSumIsOneRow() throws {
        var g = ExpressionGraph()
        let n = 200_000
        var s = Combination(constant: 1)
        for k in 0..<n { s.add(g.variable((k * 7919) % n), times: Double(k % 7) - 3) }
        let f = try CompiledFunction(graph: g, expression: s, variableCount: n)
        XCTAssertEqual(f.statistics.affineRows, 1)
        XCTAssertEqual(f.statistics.tapeOperations, 0)
        let gradient = f.gradient(at: [Double](repeating: 1, count: n))
        XCTAssertEqual(gradient[7919 % n], Double(1 % 7) - 3)
    }

    /// Two compilations in one process give bit-identical results. (One process has one hash
    /// seed, so this cannot catch dictionary-order sums; `DeterminismTests` compares separate
    /// processes for the CLI, and the compiler iterates arrays in node order, not dictionaries.)
    func testCompilationIsDeterministic() throws {
        var builder = RandomGraphBuilder(seed: 4242, variableCount: 4, points: 1)
        var grown = 0
        for _ in 0..<300 where grown < 20 { if builder.grow() { grown += 1 } }
        let root = builder.root()
        let a = try CompiledFunction(graph: builder.graph, root: root, variableCount: 4)
        let b = try CompiledFunction(graph: builder.graph, root: root, variableCount: 4)
        let x = builder.points[0]
        XCTAssertEqual(a.statistics, b.statistics)
        XCTAssertEqual(a.gradient(at: x), b.gradient(at: x))
        XCTAssertEqual(a.hessianVectorProduct(at: x, direction: [1, 2, 3, 4]), b.hessianVectorProduct(at: x, direction: [1, 2, 3, 4]))
    }

    /// A shared subexpression is computed once: `exp(u) + sin(exp(u))` has one `exp`.
    func testSharedSubexpressionsAreCompiledOnce() throws {
        var g = ExpressionGraph()
        var u = g.variable(0)
        u.add(g.variable(1), times: 2)
        let e = g.call(.exp, u)!
        var s = e
        s.add(g.call(.sin, e)!)
        let f = try CompiledFunction(graph: g, expression: s, variableCount: 2)
        XCTAssertEqual(f.program.tape.operations.filter { $0 == .exp }.count, 1)
        XCTAssertEqual(f.statistics.affineRows, 1)
        let x = [0.3, -0.2]
        let t = exp(0.3 - 0.4)
        XCTAssertEqual(f.gradient(at: x)[1], 2 * t * (1 + cos(t)), accuracy: 1e-14)
    }
}
