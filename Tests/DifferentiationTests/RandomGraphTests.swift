import BlomodelCore
import XCTest

@testable import Differentiation

/// Every derivative the module computes, checked against central finite differences on random
/// graphs: random nesting of every node kind, at random points inside the domains.
final class RandomGraphTests: XCTestCase {
    let n = 5

    func testValuesGradientsAndHessianProductsMatchFiniteDifferences() throws {
        var rng = SeededGenerator(seed: 99)
        var kinds = Set<UInt8>()
        let split = try VariableSplit(leader: [3, 0], follower: [1, 2, 4], variableCount: n)
        for seed in UInt64(1)...40 {
            var builder = RandomGraphBuilder(seed: seed, variableCount: n, points: 2)
            var grown = 0
            for _ in 0..<400 where grown < 14 { if builder.grow() { grown += 1 } }
            let root = builder.root()
            let graph = builder.graph
            let f = try CompiledFunction(graph: graph, root: root, variableCount: n)
            for op in f.program.tape.operations { kinds.insert(op.rawValue) }
            for x in builder.points {
                let context = "seed \(seed) at \(x)"
                let reference = graph.evaluate(root, at: x)
                XCTAssertEqual(f.value(at: x), reference, accuracy: 1e-9 * max(1, abs(reference)), context)
                let gradient = f.gradient(at: x)
                assertClose(gradient, finiteDifferenceGradient({ graph.evaluate(root, at: $0) }, at: x), tolerance: 2e-5, context)

                // The Hessian by finite differences of the (checked) gradient.
                let H = finiteDifferenceHessian({ f.gradient(at: $0) }, at: x)
                let v = rng.vector(n)
                assertClose(f.hessianVectorProduct(at: x, direction: v), multiply(H, v), tolerance: 2e-5, context)

                // The same products from one forward sweep reused for several directions.
                let atPoint = f.derivatives(at: x)
                XCTAssertEqual(atPoint.value, f.value(at: x), accuracy: 1e-12, context)
                for _ in 0..<3 {
                    let d = rng.vector(n)
                    assertClose(atPoint.hessianVectorProduct(direction: d), f.hessianVectorProduct(at: x, direction: d), tolerance: 1e-12, context)
                    assertClose(atPoint.gradient(), gradient, tolerance: 1e-12, context)
                }

                // Mixed blocks against the blocks of the full Hessian.
                let s = split
                let g = f.gradient(at: x, split: s)
                assertClose(g.leader, s.leader.map { gradient[$0] }, tolerance: 1e-12, context)
                assertClose(g.follower, s.follower.map { gradient[$0] }, tolerance: 1e-12, context)
                let u = rng.vector(s.leader.count), w = rng.vector(s.follower.count)
                func block(_ rows: [Int], _ columns: [Int], _ d: [Double]) -> [Double] {
                    rows.map { i in zip(columns, d).reduce(0) { $0 + H[i][$1.0] * $1.1 } }
                }
                let followerProducts = f.followerDirectionProducts(at: x, split: s, direction: w)
                assertClose(followerProducts.follower, block(s.follower, s.follower, w), tolerance: 2e-5, "yy " + context)
                assertClose(followerProducts.leader, block(s.leader, s.follower, w), tolerance: 2e-5, "xy " + context)
                let leaderProducts = f.leaderDirectionProducts(at: x, split: s, direction: u)
                assertClose(leaderProducts.follower, block(s.follower, s.leader, u), tolerance: 2e-5, "yx " + context)
                assertClose(leaderProducts.leader, block(s.leader, s.leader, u), tolerance: 2e-5, "xx " + context)
            }
        }
        // The random graphs exercised every kind of tape operation.
        let missing = (0...Operation.maximum.rawValue).filter { !kinds.contains($0) }
        XCTAssertEqual(missing.map { Operation(rawValue: $0).map { "\($0)" } ?? "?" }, [])
    }

    func testJacobiansOfSeveralRowsMatchFiniteDifferences() throws {
        var rng = SeededGenerator(seed: 7)
        let split = try VariableSplit(leader: [3, 0], follower: [1, 2, 4], variableCount: n)
        for seed in UInt64(100)...115 {
            var builder = RandomGraphBuilder(seed: seed, variableCount: n, points: 2)
            var roots: [NodeID] = []
            for _ in 0..<4 {
                var grown = 0
                for _ in 0..<200 where grown < 4 { if builder.grow() { grown += 1 } }
                roots.append(builder.root())
            }
            // A row that reads only two variables keeps a sparse pattern.
            roots.append(builder.graph.node(builder.graph.multiply(builder.graph.variable(1), builder.graph.variable(3))))
            let graph = builder.graph
            let rows = try CompiledRows(graph: graph, roots: roots, variableCount: n)
            XCTAssertEqual(rows.jacobianPattern.columns[rows.jacobianPattern.rowStart[4]...], [1, 3])
            for x in builder.points {
                let context = "seed \(seed)"
                assertClose(rows.values(at: x), roots.map { graph.evaluate($0, at: x) }, tolerance: 1e-9, context)
                let J = rows.jacobian(at: x).dense(columns: n)
                for (r, root) in roots.enumerated() {
                    assertClose(J[r], finiteDifferenceGradient({ graph.evaluate(root, at: $0) }, at: x), tolerance: 2e-5, "row \(r) " + context)
                }
                let weights = rng.vector(roots.count)
                let expected = (0..<n).map { j in (0..<roots.count).reduce(0) { $0 + weights[$1] * J[$1][j] } }
                assertClose(rows.transposedJacobianProduct(at: x, weights: weights), expected, tolerance: 1e-10, context)
                let H = finiteDifferenceHessian({ rows.transposedJacobianProduct(at: $0, weights: weights) }, at: x)
                let v = rng.vector(n)
                assertClose(rows.hessianVectorProduct(at: x, weights: weights, direction: v), multiply(H, v), tolerance: 2e-5, context)
                let s = split
                let w = rng.vector(s.follower.count)
                let p = rows.followerDirectionProducts(at: x, weights: weights, split: s, direction: w)
                let reused = rows.derivatives(at: x, weights: weights)
                XCTAssertEqual(reused.followerDirectionProducts(split: s, direction: w), p)
                XCTAssertEqual(reused.gradient(split: s), rows.transposedJacobianProduct(at: x, weights: weights, split: s))
                let full = multiply(H, s.combine(leader: [], follower: w))
                assertClose(p.follower, s.follower.map { full[$0] }, tolerance: 2e-5, context)
                assertClose(p.leader, s.leader.map { full[$0] }, tolerance: 2e-5, context)
            }
        }
    }
}
