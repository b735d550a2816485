import Blomodel
import Foundation
import XCTest

/// Checks of the classic models' optima by methods that share nothing with the
/// reformulation: enumeration of the follower's possible responses, with only a
/// plain LP solve per candidate.
final class IndependentChecks: XCTestCase {
    /// Toll setting: for every choice of one simple path per commodity, the largest
    /// revenue such that each chosen path is a cheapest path (costs plus tolls) is an
    /// LP in the tolls. The optimistic bilevel optimum is the best over all choices.
    func testTollOptimumByPathEnumeration() throws {
        XCTAssertEqual(try Self.tollOptimumByPathEnumeration("Models/classic/toll"), 75, accuracy: 1e-9, "the optimum written in Models/classic/toll/toll.blo")
        XCTAssertEqual(try Self.tollOptimumByPathEnumeration("Models/classic/toll7"), 190, accuracy: 1e-9, "the optimum of Models/classic/toll7")
    }

    /// Maximum-flow interdiction: for every set of at most `budget` (2) arcs, the maximum flow from 1
    /// to 6 without them, as an LP; the leader's optimum is the least of them.
    func testInterdictionOptimumByEnumeration() throws {
        let dir = repositoryRoot.appendingPathComponent("Models/classic/interdiction")
        let arcs = try String(contentsOf: dir.appendingPathComponent("arcs.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        let lp = SolverChoice.glpk.backend
        func maxFlow(without removed: Set<Int>) throws -> Double {
            var p = StandardForm()
            let v = p.addColumn(name: "v", lower: 0, upper: .infinity, cost: -1)
            for (a, arc) in arcs.enumerated() { p.addColumn(name: "f\(a)", lower: 0, upper: removed.contains(a) ? 0 : arc[2]) }
            for n in 1...6 {
                var entries: [(Int, Double)] = []
                for (a, arc) in arcs.enumerated() {
                    if Int(arc[0]) == n { entries.append((a + 1, 1)) }
                    if Int(arc[1]) == n { entries.append((a + 1, -1)) }
                }
                if n == 1 { entries.append((v, -1)) }
                if n == 6 { entries.append((v, 1)) }
                p.addRow(name: "balance\(n)", entries: entries, lower: 0, upper: 0)
            }
            let r = try lp.solve(p, options: SolveOptions())
            XCTAssertEqual(r.termination, .optimal)
            return -(r.objective ?? .nan)
        }
        var best = try maxFlow(without: [])
        XCTAssertEqual(best, 21, accuracy: 1e-9)
        for a in arcs.indices {
            best = min(best, try maxFlow(without: [a]))
            for b in (a + 1)..<arcs.count { best = min(best, try maxFlow(without: [a, b])) }
        }
        XCTAssertEqual(best, 4, accuracy: 1e-9, "the optimum written in Models/classic/interdiction/interdiction.blo")
    }

    /// The optimistic optimum of a toll model directory (arcs.csv, commodities.csv, tmax 20) by enumeration.
    static func tollOptimumByPathEnumeration(_ directory: String) throws -> Double {
        let dir = repositoryRoot.appendingPathComponent(directory)
        func rows(_ file: String) throws -> [[String]] {
            try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        }
        let arcs = try rows("arcs.csv").map { (from: Int($0[0])!, to: Int($0[1])!, cost: Double($0[2])!, tolled: $0[3] == "1") }
        let commodities = try rows("commodities.csv").map { (origin: Int($0[1])!, destination: Int($0[2])!, demand: Double($0[3])!) }
        let tolled = arcs.indices.filter { arcs[$0].tolled }
        let tmax = 20.0

        func paths(from o: Int, to d: Int, visited: Set<Int>) -> [[Int]] {
            if o == d { return [[]] }
            var result: [[Int]] = []
            for (a, arc) in arcs.enumerated() where arc.from == o && !visited.contains(arc.to) {
                for rest in paths(from: arc.to, to: d, visited: visited.union([arc.to])) { result.append([a] + rest) }
            }
            return result
        }
        let options = commodities.map { paths(from: $0.origin, to: $0.destination, visited: [$0.origin]) }
        func cost(_ path: [Int]) -> Double { path.reduce(0) { $0 + arcs[$1].cost } }

        var best = -Double.infinity
        var choice = [Int](repeating: 0, count: commodities.count)
        let lp = SolverChoice.glpk.backend
        func visit(_ k: Int) throws {
            if k == commodities.count {
                var p = StandardForm()
                for a in tolled { p.addColumn(name: "T\(a)", lower: 0, upper: tmax) }
                for (k, c) in commodities.enumerated() {
                    let chosen = options[k][choice[k]]
                    for a in chosen where arcs[a].tolled { p.objective[tolled.firstIndex(of: a)!] -= c.demand }
                    // cost(chosen) + T(chosen) <= cost(q) + T(q) for every other path q.
                    for q in options[k] {
                        var entries: [(Int, Double)] = []
                        for a in chosen where arcs[a].tolled { entries.append((tolled.firstIndex(of: a)!, 1)) }
                        for a in q where arcs[a].tolled { entries.append((tolled.firstIndex(of: a)!, -1)) }
                        p.addRow(name: "shortest", entries: entries, lower: -.infinity, upper: cost(q) - cost(chosen))
                    }
                }
                let r = try lp.solve(p, options: SolveOptions())
                if r.termination == .optimal, let v = r.objective { best = max(best, -v) }
                return
            }
            for i in options[k].indices {
                choice[k] = i
                try visit(k + 1)
            }
        }
        try visit(0)
        return best
    }

    /// Pricing: with prices p_A, p_B on a grid, the customer's LP is solved and, among
    /// its optimal purchases, the one best for the firm is taken (optimistic). Both
    /// prices at 9 give 63, and no grid point gives more.
    func testPricingOptimumByGridSearch() throws {
        let lp = SolverChoice.glpk.backend
        let competitors: [(price: Double, capacity: Double)] = [(6, 3), (9, 4), (12, 10)]
        let capacities = [4.0, 5.0]
        func revenue(_ pa: Double, _ pb: Double) throws -> Double {
            func problem(_ objective: [Double]) -> StandardForm {
                var p = StandardForm()
                for (j, c) in capacities.enumerated() { p.addColumn(name: "buy\(j)", lower: 0, upper: c, cost: objective[j]) }
                for (j, c) in competitors.enumerated() { p.addColumn(name: "other\(j)", lower: 0, upper: c.capacity, cost: objective[2 + j]) }
                p.addRow(name: "need", entries: (0..<5).map { ($0, 1) }, lower: 10, upper: 10)
                return p
            }
            let spend = [pa, pb] + competitors.map(\.price)
            let cheapest = try lp.solve(problem(spend), options: SolveOptions()).objective!
            var firm = problem([-pa, -pb, 0, 0, 0])
            firm.addRow(name: "optimal", entries: spend.enumerated().map { ($0.offset, $0.element) }, lower: -.infinity, upper: cheapest + 1e-9)
            return -(try lp.solve(firm, options: SolveOptions()).objective!)
        }
        var best = -Double.infinity
        for i in 0...40 {
            for j in 0...40 { best = max(best, try revenue(Double(i) / 2, Double(j) / 2)) }
        }
        XCTAssertEqual(best, 63, accuracy: 1e-6)
        XCTAssertEqual(try revenue(9, 9), 63, accuracy: 1e-6)
    }

    /// Strategic producer: for each offered quantity q, the operator dispatches the rivals in
    /// merit order; the price is any dual of the balance row, i.e. any value between the cost of
    /// the last unit used and the next one (an interval at a capacity boundary), and the
    /// optimistic convention gives the leader the highest. No LP, no reformulation.
    func testStrategicProducerOptimumByMeritOrder() throws {
        let dir = repositoryRoot.appendingPathComponent("Models/classic/strategic_producer")
        let units = try String(contentsOf: dir.appendingPathComponent("generators.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
            .map { (capacity: Double($0[1])!, cost: Double($0[2])!) }.sorted { $0.cost < $1.cost }
        let (demand, ownCost, priceCap) = (100.0, 12.0, 100.0)
        var best = -Double.infinity, bestQ = -1
        for q in 0...60 {
            var residual = demand - Double(q)
            var price = 0.0
            for (k, u) in units.enumerated() {
                if residual > u.capacity {
                    residual -= u.capacity
                } else if residual == u.capacity {
                    price = k + 1 < units.count ? units[k + 1].cost : priceCap  // any price up to the next unit's cost
                    residual = 0
                    break
                } else {
                    price = u.cost
                    residual = 0
                    break
                }
            }
            XCTAssertEqual(residual, 0)
            let profit = (price - ownCost) * Double(q)
            if profit > best { (best, bestQ) = (profit, q) }
        }
        XCTAssertEqual(best, 690)
        XCTAssertEqual(bestQ, 30)
    }
}
