import BlomodelCore
import Foundation
import XCTest

@testable import Differentiation

/// A small seeded generator (SplitMix64): the same numbers on every machine and run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { Double.random(in: a..<b, using: &self) }
    mutating func int(_ n: Int) -> Int { Int.random(in: 0..<n, using: &self) }
    mutating func vector(_ n: Int, _ a: Double = -1, _ b: Double = 1) -> [Double] { (0..<n).map { _ in uniform(a, b) } }
}

/// Central finite differences of a scalar function.
func finiteDifferenceGradient(_ f: ([Double]) -> Double, at x: [Double], step: Double = 1e-6) -> [Double] {
    (0..<x.count).map { j in
        var plus = x, minus = x
        let h = step * max(1, abs(x[j]))
        plus[j] += h
        minus[j] -= h
        return (f(plus) - f(minus)) / (2 * h)
    }
}

/// The Hessian by central finite differences of a gradient (columns), symmetrised.
func finiteDifferenceHessian(_ gradient: ([Double]) -> [Double], at x: [Double], step: Double = 1e-5) -> [[Double]] {
    let n = x.count
    var columns: [[Double]] = []
    for j in 0..<n {
        var plus = x, minus = x
        let h = step * max(1, abs(x[j]))
        plus[j] += h
        minus[j] -= h
        let gp = gradient(plus), gm = gradient(minus)
        columns.append((0..<n).map { (gp[$0] - gm[$0]) / (2 * h) })
    }
    return (0..<n).map { i in (0..<n).map { j in 0.5 * (columns[j][i] + columns[i][j]) } }
}

func multiply(_ m: [[Double]], _ v: [Double]) -> [Double] {
    m.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
}

/// Asserts two vectors agree within `tolerance * max(1, |expected|)` entrywise.
func assertClose(
    _ actual: [Double], _ expected: [Double], tolerance: Double, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "sizes " + message(), file: file, line: line)
    for (k, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance * max(1, abs(e))) {
        XCTFail("entry \(k): \(a) vs \(e) " + message(), file: file, line: line)
        return
    }
}

/// Random expressions over a few variables, built through the Combination API (and a few raw
/// nodes), with every node kind nested at random. Candidates are kept only when they are
/// inside their domains, of moderate size and away from the kinks of abs, min and max at all
/// the given points, so that finite differences are meaningful there.
struct RandomGraphBuilder {
    var graph = ExpressionGraph()
    var rng: SeededGenerator
    let variableCount: Int
    let points: [[Double]]
    /// Expressions built so far, with their values at the points.
    var pool: [(Combination, [Double])] = []

    init(seed: UInt64, variableCount: Int, points: Int) {
        rng = SeededGenerator(seed: seed)
        self.variableCount = variableCount
        var r = rng
        self.points = (0..<points).map { _ in r.vector(variableCount, -1.2, 1.2) }
        rng = r
        graph.parameters = [("p", 0.75)]
        for j in 0..<variableCount { pool.append((graph.variable(j), values(graph.variable(j)))) }
    }

    mutating func values(_ c: Combination) -> [Double] {
        let node = graph.node(c)
        return points.map { graph.evaluate(node, at: $0) }
    }

    mutating func pick() -> (Combination, [Double]) {
        // Prefer recent entries, so nesting gets deep.
        let n = pool.count
        let k = rng.int(3) == 0 ? rng.int(n) : max(0, n - 1 - rng.int(min(n, 6)))
        return pool[k]
    }

    /// `b^2 + 0.5`, positive everywhere.
    mutating func positive(_ b: Combination) -> Combination {
        var p = graph.power(b, 2)
        p.add(Combination(constant: 0.5))
        return p
    }

    /// Adds one random expression to the pool when it passes the checks; returns whether it did.
    @discardableResult
    mutating func grow() -> Bool {
        let (a, va) = pick()
        let (b, vb) = pick()
        var candidate: Combination?
        var margins: [Double] = []
        switch rng.int(17) {
        case 0:
            var s = a
            s.add(b, times: rng.uniform(-2, 2))
            s.add(Combination(constant: rng.uniform(-1, 1)))
            candidate = s
        case 1: candidate = graph.multiply(a, b)
        case 2: candidate = graph.divide(a, positive(b))
        case 3: candidate = graph.divide(a, b); margins = vb.map { abs($0) - 0.3 }
        case 4: candidate = graph.power(a, [2, 3, -1, 4][rng.int(4)]); margins = va.map { abs($0) - 0.2 }
        case 5: candidate = graph.power(positive(a), [0.5, 1.5, -0.5, 2.5][rng.int(4)])
        case 6:
            let f: [MathFunction] = [.sin, .cos, .tanh, .sigmoid, .softplus]
            candidate = graph.call(f[rng.int(f.count)], a)
        case 7: candidate = graph.call(.exp, a.scaled(0.5))
        case 8: candidate = graph.call(.log, positive(a))
        case 9: candidate = graph.call(.log, a); margins = va.map { $0 - 0.2 }
        case 10: candidate = graph.call(.sqrt, positive(a))
        case 11: candidate = graph.call(.log1p, a); margins = va.map { $0 + 0.8 }
        case 12: candidate = graph.call(.abs, a); margins = va.map { abs($0) - 0.05 }
        case 13, 14:
            let (c, vc) = pick()
            let maximum = rng.int(2) == 0
            candidate = graph.extremum([a, b, c], maximum: maximum)
            margins = (0..<points.count).map { i in
                let sorted = [va[i], vb[i], vc[i]].sorted(by: maximum ? (>) : (<))
                return abs(sorted[1] - sorted[0]) - 0.05
            }
        case 15:
            // Raw nodes the builder would fold: a product by a constant node, a parameter,
            // a nested linear node with a constant child.
            let an = graph.node(a)
            let k = graph.add(.constant(rng.uniform(-2, 2)))
            let p = graph.add(.parameter(0))
            let product = graph.add(.product(an, k))
            candidate = Combination(graph.add(.linear(constant: 0.1, coefficients: [1, -0.5, 2], children: [product, p, k])))
        default:
            let an = graph.node(a), bn = graph.node(b)
            candidate = Combination(graph.add(.quotient(graph.add(.product(an, bn)), graph.add(.constant(rng.uniform(1, 3))))))
        }
        guard let c = candidate, !c.isConstant else { return false }
        let v = values(c)
        guard v.allSatisfy({ $0.isFinite && abs($0) < 50 }), margins.allSatisfy({ $0 > 0 }) else { return false }
        pool.append((c, v))
        return true
    }

    /// A root: a random combination of the last few expressions (and, sometimes, a quadratic term).
    mutating func root() -> NodeID {
        var s = Combination(constant: rng.uniform(-1, 1))
        for (c, _) in pool.suffix(3) { s.add(c, times: rng.uniform(-1.5, 1.5)) }
        if rng.int(2) == 0 {
            s.add(graph.multiply(graph.variable(rng.int(variableCount)), graph.variable(rng.int(variableCount))), times: 0.7)
        }
        return graph.node(s)
    }
}
