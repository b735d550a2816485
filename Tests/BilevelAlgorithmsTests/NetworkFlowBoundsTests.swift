import BloLanguage
import BlomodelCore
import Foundation
import GLPKBackend
import Reformulations
import SolverInterface
import XCTest

/// The follower-flow bounds from network structure (`NetworkFlowBounds`): which models get them,
/// and, on random networks, that no optimal flow exceeds them (the maximum of each flow over the
/// follower's whole optimal face, by two LPs, at random leader decisions).
final class NetworkFlowBoundsTests: XCTestCase {
    func load(_ text: String) throws -> BilevelModel {
        try ModelLoader.load(source: SourceFile(path: "net.blo", text: text), directory: NSTemporaryDirectory())
    }

    /// Two commodities on a triangle with a toll arc: each flow is bounded by its own demand.
    func testEachCommodityIsBoundedByItsDemand() throws {
        let m = try load(
            """
            upper { var t >= 0, <= 3 integer; maximize r: t * x1[1] + t * x2[1]; }
            lower {
              var x1{1..4} >= 0; var x2{1..4} >= 0;
              minimize f: (1 + t) * x1[1] + 5 * x1[2] + 2 * x1[3] + 2 * x1[4] + (1 + t) * x2[1] + 5 * x2[2] + 2 * x2[3] + 2 * x2[4];
              # arcs: 1: a->c (toll), 2: a->c, 3: a->b, 4: b->c; node c's row is not written
              a1: x1[1] + x1[2] + x1[3] = 3;  b1: x1[4] - x1[3] = 0;
              a2: x2[1] + x2[2] + x2[3] = 2;  b2: x2[4] - x2[3] = 0;
            }
            """)
        let found = NetworkFlowBounds.apply(m)
        XCTAssertEqual(found.networks, 2)
        for v in found.model.variables where v.owner.isFollower {
            XCTAssertEqual(v.upper, v.base == "x1" ? 3 : 2, v.name)
        }
        XCTAssertTrue(found.summary?.hasPrefix("network bounds: 8 follower flow(s) in 2 network(s)") == true, found.summary ?? "")
    }

    /// No bound where the argument fails: a zero-cost arc (a zero-cost cycle can carry any flow),
    /// a leader variable in a balance row, a flow another row does not let shrink (`>=` with a
    /// positive coefficient), a cost that can be zero for some leader decision.
    func testNoBoundWhereTheArgumentFails() throws {
        let cases = [
            "minimize f: 0 * y[1] + y[2] + y[3]; n1: y[1] - y[2] = 1; n2: y[2] - y[3] = 0;",  // y[1] costs nothing
            "minimize f: y[1] + y[2] + y[3]; n1: y[1] - y[2] = x; n2: y[2] - y[3] = 0;",
            "minimize f: y[1] + y[2] + y[3]; n1: y[1] - y[2] = 1; n2: y[2] - y[3] = 0; keep: y[3] >= 0.5;",
            "minimize f: (x - 1) * y[1] + y[2] + y[3]; n1: y[1] - y[2] = 1; n2: y[2] - y[3] = 0;",
        ]
        for body in cases {
            let m = try load("upper { var x >= 1, <= 2; minimize F: x; }\nlower { var y{1..3} >= 0; \(body) }")
            XCTAssertTrue(NetworkFlowBounds.apply(m).originalUpper.isEmpty, body)
        }
        // A downward closed capacity row keeps the bound; the cost (x + 1) * y[1] >= 2 is positive.
        let capacity = try load(
            "upper { var x >= 1, <= 2; minimize F: x; }\nlower { var y{1..3} >= 0; minimize f: (x + 1) * y[1] + y[2] + y[3]; n1: y[1] - y[2] = 1; n2: y[2] - y[3] = 0; cap: y[1] + y[3] <= 4; }"
        )
        XCTAssertEqual(NetworkFlowBounds.apply(capacity).originalUpper.count, 3)
    }

    /// Random networks (4-7 nodes, random arcs with positive costs, some with a toll `t` from the
    /// leader, one or two commodities, sometimes a shared capacity row): at random tolls, the
    /// largest value of every flow over the follower's optimal face is at most its bound.
    func testNoOptimalFlowExceedsItsBound() throws {
        var g = ValueFunctionTests.Random(state: 12)
        let glpk = GLPKBackend()
        var checked = 0
        for instance in 0..<40 {
            let n = g.int(4...7)
            var arcs: [(Int, Int, Int, Bool)] = []  // tail, head, cost, tolled
            var seen = Set<[Int]>()
            for i in 0..<n {  // a bidirectional ring: every pair connected
                for (u, v) in [(i, (i + 1) % n), ((i + 1) % n, i)] where seen.insert([u, v]).inserted {
                    arcs.append((u, v, g.int(3...9), false))
                }
            }
            for _ in 0..<g.int(1...6) {
                let u = g.int(0...(n - 1)), v = g.int(0...(n - 1))
                if u != v, seen.insert([u, v]).inserted { arcs.append((u, v, g.int(1...4), g.int(0...1) == 1)) }
            }
            let commodities = (0..<g.int(1...2)).map { _ in (g.int(0...(n - 1)), g.int(1...5)) }.map { (o, d) in
                (o, (o + 1 + g.int(0...(n - 2))) % n, d)
            }
            let capacity = g.int(0...1) == 1 ? g.int(2...9) : nil
            // The model text.
            var text = "upper { var t >= 0, <= 3 integer; minimize F: t; }\nlower {\n"
            for k in commodities.indices { text += "  var x\(k){1..\(arcs.count)} >= 0;\n" }
            var cost: [String] = []
            for k in commodities.indices {
                for (a, arc) in arcs.enumerated() { cost.append(arc.3 ? "(\(arc.2) + t) * x\(k)[\(a + 1)]" : "\(arc.2) * x\(k)[\(a + 1)]") }
            }
            text += "  minimize f: " + cost.joined(separator: " + ") + ";\n"
            for (k, c) in commodities.enumerated() {
                for node in 0..<n where node != c.1 {
                    let out = arcs.indices.filter { arcs[$0].0 == node }.map { "x\(k)[\($0 + 1)]" }
                    let into = arcs.indices.filter { arcs[$0].1 == node }.map { "x\(k)[\($0 + 1)]" }
                    text += "  n\(k)_\(node): " + out.joined(separator: " + ") + " - " + into.joined(separator: " - ")
                    text += " = \(node == c.0 ? c.2 : 0);\n"
                }
            }
            if let capacity {
                text += "  cap: " + commodities.indices.map { "x\($0)[1]" }.joined(separator: " + ") + " <= \(capacity);\n"
            }
            text += "}\n"
            let m = try load(text)
            let found = NetworkFlowBounds.apply(m)
            XCTAssertEqual(found.networks, commodities.count, "instance \(instance):\n\(text)")
            // The follower's LP at a random toll, then each flow's maximum over its optimal face.
            let t = Double(g.int(0...3))
            let followers = m.variables.indices.filter { m.variables[$0].owner.isFollower }
            var sf = StandardForm()
            var column: [Int: Int] = [:]
            for j in followers {
                column[j] = sf.columnCount
                sf.addColumn(name: m.variables[j].name, lower: 0, upper: .infinity)
            }
            var costs = [Double](repeating: 0, count: sf.columnCount)
            for (k, _) in commodities.enumerated() {
                for (a, arc) in arcs.enumerated() {
                    let j = try XCTUnwrap(m.variables.firstIndex { $0.name == "x\(k)[\(a + 1)]" })
                    costs[column[j]!] = Double(arc.2) + (arc.3 ? t : 0)
                }
            }
            for c in m.constraints where c.owner.isFollower {
                sf.addRow(name: c.name, entries: c.body.linear.sortedTerms.map { (column[$0.0]!, $0.1) }, lower: c.lower - c.body.linear.constant, upper: c.upper - c.body.linear.constant)
            }
            var first = sf
            first.objective = costs
            let phi = try glpk.solve(first, options: SolveOptions())
            guard phi.termination == .optimal, let value = phi.objective else { continue }  // a capacity made it infeasible
            var face = sf
            face.addRow(name: "optimal", entries: costs.enumerated().filter { $0.1 != 0 }.map { ($0.0, $0.1) }, lower: -.infinity, upper: value + 1e-7)
            for j in followers {
                var p = face
                p.objective = [Double](repeating: 0, count: p.columnCount)
                p.objective[column[j]!] = -1
                let r = try glp(p, glpk)
                XCTAssertLessThanOrEqual(r, found.model.variables[j].upper + 1e-6, "instance \(instance), \(m.variables[j].name):\n\(text)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 30)
    }

    /// The largest value of the column with objective -1 (an LP that must be solved to optimality).
    func glp(_ p: StandardForm, _ solver: GLPKBackend) throws -> Double {
        let r = try solver.solve(p, options: SolveOptions())
        XCTAssertEqual(r.termination, .optimal)
        return -(r.objective ?? .nan)
    }
}
