import BlomodelCore
import Foundation
import XCTest

@testable import Differentiation

/// Derivatives against closed forms, on the shapes the kernels are built for: quadratic forms
/// (dense through BLAS, and sparse) and a logistic loss whose affine arguments form one matrix.
final class ClosedFormTests: XCTestCase {
    /// `f(x, y) = 1/2 y'Ay - x'y` with x = variables 0..<n and y = n..<2n.
    func quadratic(_ A: [[Double]]) -> (ExpressionGraph, NodeID) {
        let n = A.count
        var g = ExpressionGraph()
        var f = Combination(constant: 0)
        for i in 0..<n {
            for j in 0..<n where A[i][j] != 0 {
                f.add(g.multiply(g.variable(n + i), g.variable(n + j)), times: 0.5 * A[i][j])
            }
        }
        for i in 0..<n { f.add(g.multiply(g.variable(i), g.variable(n + i)), times: -1) }
        let root = g.node(f)
        return (g, root)
    }

    func checkQuadratic(_ A: [[Double]], denseCore: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let n = A.count
        let (g, root) = quadratic(A)
        let f = try CompiledFunction(graph: g, root: root, variableCount: 2 * n)
        XCTAssertEqual(f.statistics.largestDenseCore, denseCore, "\(f.statistics)", file: file, line: line)
        XCTAssertEqual(f.statistics.tapeOperations, 0, "a quadratic form needs no tape", file: file, line: line)
        var rng = SeededGenerator(seed: 5)
        let x = rng.vector(n), y = rng.vector(n)
        let split = try VariableSplit(leader: Array(0..<n), follower: Array(n..<(2 * n)), variableCount: 2 * n)
        let point = split.combine(leader: x, follower: y)
        let Ay = multiply(A, y)
        let value = 0.5 * zip(y, Ay).reduce(0) { $0 + $1.0 * $1.1 } - zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
        XCTAssertEqual(f.value(at: point), value, accuracy: 1e-11, file: file, line: line)
        let gradient = f.gradient(at: point, split: split)
        assertClose(gradient.leader, y.map { -$0 }, tolerance: 1e-12, file: file, line: line)
        assertClose(gradient.follower, zip(Ay, x).map { $0 - $1 }, tolerance: 1e-12, file: file, line: line)
        let v = rng.vector(n), u = rng.vector(n)
        let yDirection = f.followerDirectionProducts(at: point, split: split, direction: v)
        assertClose(yDirection.follower, multiply(A, v), tolerance: 1e-12, "Hess_yy v = A v", file: file, line: line)
        assertClose(yDirection.leader, v.map { -$0 }, tolerance: 1e-12, "Hess_xy v = -v", file: file, line: line)
        let xDirection = f.leaderDirectionProducts(at: point, split: split, direction: u)
        assertClose(xDirection.follower, u.map { -$0 }, tolerance: 1e-12, "Hess_yx u = -u", file: file, line: line)
        assertClose(xDirection.leader, [Double](repeating: 0, count: n), tolerance: 1e-12, "Hess_xx = 0", file: file, line: line)
        let full = f.hessianVectorProduct(at: point, direction: split.combine(leader: u, follower: v))
        assertClose(full, split.combine(leader: v.map { -$0 }, follower: zip(multiply(A, v), u).map { $0 - $1 }), tolerance: 1e-12, file: file, line: line)
    }

    func testDenseQuadraticGoesThroughBLAS() throws {
        var rng = SeededGenerator(seed: 3)
        let n = 40
        var A = (0..<n).map { _ in rng.vector(n) }
        for i in 0..<n { for j in 0..<i { A[i][j] = A[j][i] } }
        try checkQuadratic(A, denseCore: n)
    }

    func testSparseQuadraticStaysSparse() throws {
        let n = 30
        let A = (0..<n).map { i in (0..<n).map { j in i == j ? 4.0 : (abs(i - j) == 1 ? -1.0 : 0) } }
        try checkQuadratic(A, denseCore: 0)
    }

    /// `L(w) = 1/N sum_i softplus(-b_i a_i'w) + lambda/2 |w|^2`; its gradient is
    /// `1/N sum_i -b_i sigmoid(-b_i a_i'w) a_i + lambda w` and its Hessian
    /// `1/N sum_i s_i (1 - s_i) a_i a_i' + lambda I`.
    func checkLogistic(samples m: Int, features d: Int, denseRows: Int) throws {
        var rng = SeededGenerator(seed: 11)
        let a = (0..<m).map { _ in rng.vector(d) }
        let b = (0..<m).map { _ in rng.int(2) == 0 ? -1.0 : 1.0 }
        let lambda = 0.1
        var g = ExpressionGraph()
        var loss = Combination(constant: 0)
        for i in 0..<m {
            var margin = Combination(constant: 0)
            for j in 0..<d { margin.add(g.variable(j), times: -b[i] * a[i][j]) }
            if let term = g.call(.softplus, margin) { loss.add(term, times: 1 / Double(m)) }
        }
        for j in 0..<d { loss.add(g.power(g.variable(j), 2), times: lambda / 2) }
        let f = try CompiledFunction(graph: g, expression: loss, variableCount: d)
        XCTAssertEqual(f.statistics.denseAffineRows, denseRows, "\(f.statistics)")
        XCTAssertEqual(f.statistics.affineRows, m)
        XCTAssertEqual(f.statistics.levels, 2, "softplus, then one combination")
        let w = rng.vector(d, -0.5, 0.5), v = rng.vector(d)
        var value = 0.0
        var gradient = w.map { lambda * $0 }
        var hv = v.map { lambda * $0 }
        for i in 0..<m {
            let t = -b[i] * zip(a[i], w).reduce(0) { $0 + $1.0 * $1.1 }
            let s = 1 / (1 + exp(-t))
            value += log(1 + exp(t)) / Double(m)
            let av = zip(a[i], v).reduce(0) { $0 + $1.0 * $1.1 }
            for j in 0..<d {
                gradient[j] += -b[i] * s * a[i][j] / Double(m)
                hv[j] += s * (1 - s) * av * a[i][j] / Double(m)
            }
        }
        value += lambda / 2 * w.reduce(0) { $0 + $1 * $1 }
        XCTAssertEqual(f.value(at: w), value, accuracy: 1e-12)
        assertClose(f.gradient(at: w), gradient, tolerance: 1e-12)
        assertClose(f.hessianVectorProduct(at: w, direction: v), hv, tolerance: 1e-12)
    }

    func testLogisticLossWithADenseDataMatrix() throws {
        try checkLogistic(samples: 120, features: 20, denseRows: 120)
    }

    func testLogisticLossWithFewFeaturesStaysSparse() throws {
        try checkLogistic(samples: 50, features: 4, denseRows: 0)
    }
}
