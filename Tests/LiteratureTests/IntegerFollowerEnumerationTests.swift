import Blomodel
import Foundation
import GLPKBackend
import XCTest

@testable import BlomodelBench

/// Independent checks of the integer-follower models' optima (Models/integer/, issue 11): every
/// integer decision of the leader is enumerated; at each, the follower's MILP is solved with GLPK
/// (its optimal value phi), then a second MILP picks, among the follower's optimal responses
/// (follower rows, follower objective within 1e-9 relative of phi), the best for the leader under
/// the leader's rows: the optimistic value of that decision. The best over all decisions is the
/// optimistic optimum. The MILPs are built here from the model's expression graph (the quadratic
/// views of its objectives and rows), sharing nothing with the routes in BilevelAlgorithms.
///
/// The published optima below are the sources' numbers, as cited in each model's header.
final class IntegerFollowerEnumerationTests: XCTestCase {
    /// (model file under Models/integer, published leader optimum, published point or [:], the number
    /// of leader decisions enumeration must visit).
    static let cases: [(file: String, published: Double, point: [String: Double], decisions: Int)] = [
        // Moore and Bard (1990), Operations Research 38(5): F = -22 at (2, 2).
        ("moore_bard_1990.blo", -22, ["x": 2, "y": 2], 11),
        // Yue, Gao, Zeng and You (2019), J. Global Optim. 73, toy example 2 (PAO's test): (8, 6), F = -20.
        ("yue_et_al_2019_toy2.blo", -20, ["x": 8, "y": 6], 11),
        // BilevelJuMP's "MibS: Example 1" (solved with MibS): F = -53 at x = 6, y = 5.
        ("bileveljump_mibs_example1.blo", -53, ["x": 6, "y": 5], 11),
        // BilevelJuMP's "MibS: Example 2": F = -8 at x = 6, z = 0, y = 5.
        ("bileveljump_mibs_example2.blo", -8, ["x": 6, "z": 0, "y": 5], 22),
        // BilevelJuMP's test_Writing_MibS_input_v1: F = 8 at y = 8, z = 0, x = 0.
        ("bileveljump_mibs_input_v1.blo", 8, ["y": 8, "z": 0, "x": 0], 36),
        // BilevelJuMP's test_Writing_MibS_input_v5: F = -19 at x = 2, z = 1, y = 2.
        ("bileveljump_mibs_input_v5.blo", -19, ["x": 2, "z": 1, "y": 2], 20),
        // Caprara, Carvalho, Lodi and Woeginger (2016), Example 1: 3 at x = (1, 0, 0) (derived by hand in
        // the header; the paper's own statement of the value was not available).
        ("caprara_et_al_2016_ex1.blo", 3, ["x[1]": 1, "x[2]": 0, "x[3]": 0], 8),
        // MibS's moore90_2: 5 at (3, 1) (a third-party results table; by hand in the header).
        ("mibs_moore90_2/mibs_moore90_2.blo", 5, ["x": 3, "y": 1], 4),
        // MibS's linderoth: -2 (a third-party results table; no point given).
        ("mibs_linderoth/mibs_linderoth.blo", -2, [:], 16),
        // MibS's input-format documentation (coin-or/MibS, input.md), its example: "the optimal solution should be:
        // x = 6, y = 5", that is F = -x - 7y = -41.
        ("mibs_general_example/mibs_general_example.blo", -41, ["x": 6, "y": 5], 11),
        // Jayaswal and Sinha, "Bilevel Optimization: Applications, Models and Solution Approaches", Section 4,
        // companion repository's output SP_Interdict.txt: longest shortest path 16 (interdicting arcs 1 and 3).
        // Four interdiction sets attain 16 (header of the model), so only the value is checked.
        ("jayaswal_sinha_shortest_path_interdiction.blo", 16, [:], 32),
        // Jayaswal and Sinha, Section 3 (data Table 1), companion repository's output Output_PLS.txt: profit
        // 2329500 developing products 2, 7, 8 (segments buy 8, 7, 2, 8, 2).
        ("jayaswal_sinha_product_line.blo", 2_329_500,
         ["develop[1]": 0, "develop[2]": 1, "develop[3]": 0, "develop[4]": 0, "develop[5]": 0, "develop[6]": 0,
          "develop[7]": 1, "develop[8]": 1, "develop[9]": 0, "develop[10]": 0,
          "buy[1,8]": 1, "buy[2,7]": 1, "buy[3,2]": 1, "buy[4,8]": 1, "buy[5,2]": 1], 1024),
        // Pyomo Gallery, network_interdiction/max_flow, the notebook's output with one attack: flow 10, interdicting
        // Start -> C (Wood's 1993 formulation).
        ("pyomo_gallery_max_flow_interdiction.blo", 10,
         ["x[Start,B]": 0, "x[Start,C]": 1, "x[C,B]": 0, "x[B,End]": 0, "x[C,D]": 0, "x[D,End]": 0, "v": 10], 64),
        // Pyomo Gallery, network_interdiction/min_cost_flow, the notebook's output with one attack: cost 7300,
        // interdicting Start -> C; 10 units of supply and demand unmet.
        ("pyomo_gallery_min_cost_flow_interdiction.blo", 7300,
         ["x[Start,B]": 0, "x[Start,C]": 1, "x[C,B]": 0, "x[B,End]": 0, "x[C,D]": 0, "x[D,End]": 0,
          "y[Start,B]": 10, "y[C,B]": 10, "y[B,End]": 20, "unmet_supply[Start]": 10, "unmet_demand[End]": 10], 64),
    ]

    func testPublishedOptimaByEnumeration() throws {
        for c in Self.cases {
            let start = Date()
            let model = try Self.extract(Self.load("Models/integer/\(c.file)"))
            let outcome = try Self.optimisticOptimum(model)
            let seconds = Date().timeIntervalSince(start)
            XCTAssertEqual(outcome.decisions, c.decisions, "\(c.file): leader decisions enumerated")
            let value = try XCTUnwrap(outcome.value, "\(c.file): no bilevel-feasible decision")
            XCTAssertEqual(value, c.published, accuracy: 1e-6 * max(1, abs(c.published)), "\(c.file): published optimum")
            for (name, v) in c.point {
                XCTAssertEqual(outcome.point[name] ?? .nan, v, accuracy: 1e-6, "\(c.file): \(name) at the optimum")
            }
            print("enumeration \(c.file): F = \(value) at \(Self.describe(outcome.point)); \(outcome.decisions) decisions, \(outcome.feasible) bilevel feasible, \(String(format: "%.3f", seconds)) s")
        }
    }

    /// DeNegre's knapsack interdiction instance K5010W02 (ten items, 1024 leader decisions). No
    /// published value was available (header of the model); the enumeration's value is asserted
    /// against a second, plainer enumeration: for every removal set within the budget, the
    /// follower's knapsack is solved by enumerating its 2^10 packings in Swift (no solver at all).
    func testDeNegreKnapsackInterdictionByTwoEnumerations() throws {
        let model = try Self.extract(Self.load("Models/integer/denegre_kip_k5010w02/denegre_kip_k5010w02.blo"))
        let outcome = try Self.optimisticOptimum(model)
        XCTAssertEqual(outcome.decisions, 1024)
        let value = try XCTUnwrap(outcome.value)
        // The data, read from the MibS file stored beside the model (not from the .blo).
        let mps = try String(
            contentsOf: repositoryRoot.appendingPathComponent("Models/integer/denegre_kip_k5010w02/K5010W02.KNP.mps"), encoding: .utf8)
        let kip = try Self.knapsackInterdictionFromMibS(mps)
        let (plain, removal) = Self.knapsackInterdictionByBruteForce(kip)
        XCTAssertEqual(value, plain, accuracy: 1e-6, "the MILP enumeration and the brute force agree")
        for (i, r) in removal.enumerated() { XCTAssertEqual(outcome.point["x[\(i)]"] ?? .nan, r ? 1 : 0, accuracy: 1e-6, "x[\(i)]") }
        print("enumeration denegre_kip_k5010w02: F = \(value) at \(Self.describe(outcome.point)); \(outcome.decisions) decisions")
    }

    /// Yue et al. (2019) toy example 3: a continuous linking variable xr, so no enumeration of the
    /// leader. Instead xr runs over a grid (step 1/64 on [0, 28/9]; xz is enumerated at each), and the
    /// optimistic value is computed at each grid point as above. The published point (xr, xz, yr, yz) =
    /// (3, 8, 0.5, 0) has F = -243.5, but at xr = 3 exactly the follower answers yz = 1 and the leader
    /// gets far less: the value is an infimum approached from xr > 3 (header of the model). The test
    /// asserts that no grid point beats -243.5, that the grid approaches it within the slope of the
    /// leader's objective along the approach (20 - 9/2 = 15.5 per unit of xr), and that xr = 3 itself
    /// does not attain it.
    func testContinuousLinkingInfimumOnAGrid() throws {
        let model = try Self.extract(Self.load("Models/integer/yue_et_al_2019_toy3.blo"))
        let xr = try XCTUnwrap(model.leader.first { model.model.variables[$0].name == "xr" })
        XCTAssertEqual(model.model.variables[xr].kind, .continuous, "the linking variable is continuous")
        let (xrP, xzP, yrP, yzP): (Double, Double, Double, Double) = (3, 8, 0.5, 0)  // the published point
        let published: Double = 20 * xrP - 38 * xzP + yrP + 42 * yzP
        let h = 1.0 / 64
        let grid = (0...Int((28.0 / 9) / h)).map { Double($0) * h }
        let outcome = try Self.optimisticOptimum(model, continuousValues: [xr: grid])
        let value = try XCTUnwrap(outcome.value)
        XCTAssertGreaterThan(value, published, "no grid point beats the published infimum")
        XCTAssertLessThanOrEqual(value - published, 15.5 * h + 1e-9, "the grid approaches the infimum")
        XCTAssertEqual(outcome.point["xr"] ?? .nan, 3 + h, accuracy: 1e-12, "from the right of xr = 3")
        let atThree = try Self.optimisticOptimum(model, continuousValues: [xr: [3]])
        let valueAtThree = try XCTUnwrap(atThree.value)
        XCTAssertEqual(atThree.point["yz"] ?? .nan, 1, accuracy: 1e-6, "at xr = 3 the follower takes yz = 1")
        XCTAssertGreaterThan(valueAtThree, published + 100, "xr = 3 does not attain the infimum")
        print("grid yue_et_al_2019_toy3: inf F over the grid = \(value) at \(Self.describe(outcome.point)); at xr = 3: F = \(valueAtThree) at \(Self.describe(atThree.point)); \(outcome.decisions) grid decisions")
    }

    /// The benchmark's knapsack interdiction generator (Sources/BlomodelBench/KnapsackInterdiction.swift):
    /// the model it writes for n = 8 parses, and its optimum by the MILP enumeration (2^8 leader
    /// decisions) equals the plain brute force over removals and packings on the generator's numbers.
    func testKnapsackInterdictionGenerator() throws {
        let n = 8
        let instance = KnapsackInterdictionInstance(items: n, seed: 1)
        XCTAssertEqual(instance, KnapsackInterdictionInstance(items: n, seed: 1), "deterministic")
        XCTAssertNotEqual(instance, KnapsackInterdictionInstance(items: n, seed: 2), "the seed matters")
        XCTAssertTrue(instance.profit.allSatisfy { (1...100).contains($0) } && instance.weight.allSatisfy { (1...100).contains($0) })
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kip-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try writeKnapsackInterdiction(items: n, seed: 1, directory: dir)
        let model = try Self.extract(Self.load(absolute: path))
        XCTAssertEqual(model.leader.count, n)
        XCTAssertEqual(model.follower.count, n)
        let outcome = try Self.optimisticOptimum(model)
        XCTAssertEqual(outcome.decisions, 1 << n)
        let value = try XCTUnwrap(outcome.value)
        let kip = KIP(profit: instance.profit.map(Double.init), weight: instance.weight.map(Double.init),
                      cost: instance.cost.map(Double.init), capacity: Double(instance.capacity), budget: Double(instance.budget))
        let (plain, _) = Self.knapsackInterdictionByBruteForce(kip)
        XCTAssertEqual(value, plain, accuracy: 1e-6)
        // The instance is not trivial: interdiction lowers the follower's profit.
        let (untouched, _) = Self.knapsackInterdictionByBruteForce(KIP(profit: kip.profit, weight: kip.weight, cost: kip.cost, capacity: kip.capacity, budget: 0))
        XCTAssertLessThan(value, untouched)
        print("generator n = \(n): F = \(value) (no interdiction: \(untouched)) at \(Self.describe(outcome.point))")
    }

    // MARK: - Loading

    static func load(_ relative: String) throws -> BilevelModel {
        try load(absolute: repositoryRoot.appendingPathComponent(relative).path)
    }

    /// Loads a model (integer and binary follower variables are part of the language).
    static func load(absolute path: String) throws -> BilevelModel {
        try ModelLoader.load(path: path)
    }

    // MARK: - Linear data from the expression graph

    struct Row {
        var name: String
        var owner: Owner
        var terms: [(VarID, Double)]
        var lower: Double
        var upper: Double
    }

    struct Level {
        var sign: Double  // +1 minimise, -1 maximise
        var terms: [VarID: Double]
        var constant: Double
    }

    struct Linear {
        var model: BilevelModel
        var leader: [VarID]
        var follower: [VarID]
        var rows: [Row]
        var upper: Level
        var lower: Level
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The linear coefficients of every row and objective, read from the model's expression graph
    /// (`ExpressionGraph.quadraticView` of each node; a row's node has the value its bounds refer to).
    static func extract(_ m: BilevelModel) throws -> Linear {
        func linear(_ root: NodeID?, _ what: String) throws -> LinearExpr {
            guard let root else { throw Failure(description: "\(what) has no expression") }
            switch m.graph.quadraticView(root) {
            case .success(let q):
                guard q.isLinear else { throw Failure(description: "\(what) is not linear") }
                return q.linear
            case .failure(let f): throw f
            }
        }
        func level(_ o: Objective) throws -> Level {
            let e = try linear(o.function, "objective \(o.name)")
            return Level(sign: o.sense.sign, terms: Dictionary(uniqueKeysWithValues: e.sortedTerms), constant: e.constant)
        }
        var rows: [Row] = []
        for c in m.constraints {
            let e = try linear(c.function, "row \(c.name)")
            rows.append(Row(name: c.name, owner: c.owner, terms: e.sortedTerms, lower: c.lower - e.constant, upper: c.upper - e.constant))
        }
        let decisions = m.variables.indices.filter { m.variables[$0].role == .decision }
        return Linear(
            model: m, leader: decisions.filter { m.variables[$0].owner.isLeader },
            follower: decisions.filter { m.variables[$0].owner.isFollower }, rows: rows,
            upper: try level(m.upperObjective), lower: try level(m.lowerObjective))
    }

    // MARK: - Enumeration

    struct Outcome {
        /// The optimistic optimum (nil when no decision is bilevel feasible).
        var value: Double?
        var point: [String: Double] = [:]
        var decisions = 0
        var feasible = 0
    }

    static let glpk = GLPKBackend()

    /// The optimistic optimum over every integer decision of the leader (each continuous leader
    /// variable takes the values given for it).
    static func optimisticOptimum(_ e: Linear, continuousValues: [VarID: [Double]] = [:]) throws -> Outcome {
        let vars = e.model.variables
        let choices: [[Double]] = try e.leader.map { id in
            let v = vars[id]
            if v.kind == .continuous {
                guard let values = continuousValues[id] else { throw Failure(description: "\(v.name) is continuous: give its values") }
                return values
            }
            guard v.lower.isFinite, v.upper.isFinite else { throw Failure(description: "\(v.name) is unbounded: cannot enumerate") }
            return (Int(v.lower.rounded())...Int(v.upper.rounded())).map(Double.init)
        }
        let total = choices.reduce(1) { $0 * $1.count }
        guard total <= 30_000 else { throw Failure(description: "\(total) leader decisions: too many to enumerate") }

        var outcome = Outcome()
        var index = [Int](repeating: 0, count: choices.count)
        var x = [Double](repeating: 0, count: vars.count)
        for _ in 0..<total {
            for (k, id) in e.leader.enumerated() { x[id] = choices[k][index[k]] }
            outcome.decisions += 1
            if let (value, y) = try optimisticValue(e, at: x) {
                outcome.feasible += 1
                if outcome.value.map({ e.upper.sign * value < e.upper.sign * $0 - 1e-9 }) ?? true {
                    outcome.value = value
                    outcome.point = [:]
                    for id in e.leader { outcome.point[vars[id].name] = x[id] }
                    for (k, id) in e.follower.enumerated() { outcome.point[vars[id].name] = y[k] }
                }
            }
            // The next decision (odometer).
            var k = 0
            while k < index.count {
                index[k] += 1
                if index[k] < choices[k].count { break }
                index[k] = 0
                k += 1
            }
        }
        return outcome
    }

    /// The optimistic value of the leader's decision in `x` (leader entries set) and the follower's
    /// response attaining it; nil when the follower has no optimal response (infeasible) or none of
    /// them satisfies the leader's rows.
    static func optimisticValue(_ e: Linear, at x: [Double]) throws -> (Double, [Double])? {
        let vars = e.model.variables
        var column: [VarID: Int] = [:]
        var form = StandardForm()
        for id in e.follower {
            let v = vars[id]
            column[id] = form.addColumn(name: v.name, lower: v.lower, upper: v.upper, integer: v.kind != .continuous)
        }
        // A row at the decision: follower terms as entries, leader terms moved to the bounds.
        func restricted(_ r: Row) -> (entries: [(Int, Double)], lower: Double, upper: Double) {
            var shift = 0.0
            var entries: [(Int, Double)] = []
            for (id, a) in r.terms {
                if let j = column[id] { entries.append((j, a)) } else { shift += a * x[id] }
            }
            return (entries, r.lower - shift, r.upper - shift)
        }
        func holds(_ lower: Double, _ upper: Double) -> Bool {
            lower <= 1e-9 * max(1, abs(lower)) && upper >= -1e-9 * max(1, abs(upper))
        }
        for r in e.rows where r.owner.isFollower {
            let (entries, lo, up) = restricted(r)
            if entries.isEmpty {
                if !holds(lo, up) { return nil }
                continue
            }
            form.addRow(name: r.name, entries: entries, lower: lo, upper: up)
        }
        // The follower's MILP (minimising sign * objective; leader terms are constants at x).
        var follower = form
        for (id, a) in e.lower.terms { if let j = column[id] { follower.objective[j] = e.lower.sign * a } }
        let r1 = try glpk.solve(follower, options: SolveOptions())
        switch r1.termination {
        case .optimal: break
        case .infeasible: return nil
        default: throw Failure(description: "the follower's MILP ended \(r1.termination) at \(x)")
        }
        let phi = try XCTUnwrap(r1.objective)
        // Among the follower's optimal responses, the best for the leader, under the leader's rows.
        var best = form
        best.addRow(
            name: "follower_optimal", entries: follower.objective.enumerated().map { ($0.offset, $0.element) },
            lower: -.infinity, upper: phi + 1e-9 * max(1, abs(phi)))
        for r in e.rows where r.owner.isLeader {
            let (entries, lo, up) = restricted(r)
            if entries.isEmpty {
                if !holds(lo, up) { return nil }
                continue
            }
            best.addRow(name: r.name, entries: entries, lower: lo, upper: up)
        }
        for (id, a) in e.upper.terms { if let j = column[id] { best.objective[j] = e.upper.sign * a } }
        let r2 = try glpk.solve(best, options: SolveOptions())
        guard r2.termination == .optimal, let y = r2.solution else {
            if r2.termination == .infeasible { return nil }
            throw Failure(description: "the leader's MILP over the follower's optima ended \(r2.termination) at \(x)")
        }
        var value = e.upper.constant
        for (id, a) in e.upper.terms { value += a * (column[id].map { y[$0] } ?? x[id]) }
        return (value, y)
    }

    static func describe(_ point: [String: Double]) -> String {
        point.sorted { $0.key < $1.key }.map { "\($0.key) = \(String(format: "%g", $0.value))" }.joined(separator: ", ")
    }

    // MARK: - Knapsack interdiction without a solver

    struct KIP {
        var profit: [Double]
        var weight: [Double]
        var cost: [Double]
        var capacity: Double
        var budget: Double
    }

    /// The instance from a MibS file in DeNegre's layout: OBJROW profits, R0000000 weights,
    /// interdictionBudget costs (columns C* the follower's, x* the leader's).
    static func knapsackInterdictionFromMibS(_ mps: String) throws -> KIP {
        var profit: [Int: Double] = [:], weight: [Int: Double] = [:], cost: [Int: Double] = [:]
        var capacity = Double.nan, budget = Double.nan
        var section = ""
        for line in mps.split(separator: "\n") {
            if !line.hasPrefix(" ") { section = String(line); continue }
            let f = line.split(separator: " ").map(String.init)
            if section == "COLUMNS", f.count == 3, let v = Double(f[2]) {
                if f[0].hasPrefix("C0"), let i = Int(f[0].dropFirst()) {
                    if f[1] == "OBJROW" { profit[i] = v }
                    if f[1] == "R0000000" { weight[i] = v }
                } else if f[0].hasPrefix("x"), let i = Int(f[0].dropFirst()), f[1] == "interdictionBudget" {
                    cost[i] = v
                }
            } else if section == "RHS", f.count == 3, let v = Double(f[2]) {
                if f[1] == "R0000000" { capacity = v }
                if f[1] == "interdictionBudget" { budget = v }
            }
        }
        let n = profit.count
        guard n > 0, weight.count == n, cost.count == n, capacity.isFinite, budget.isFinite else {
            throw Failure(description: "not a knapsack interdiction instance in DeNegre's layout")
        }
        return KIP(profit: (0..<n).map { profit[$0]! }, weight: (0..<n).map { weight[$0]! }, cost: (0..<n).map { cost[$0]! },
                   capacity: capacity, budget: budget)
    }

    /// min over removals within the budget of the follower's best packing of the rest, both by
    /// enumerating subsets (bit masks); returns the value and the first optimal removal.
    static func knapsackInterdictionByBruteForce(_ k: KIP) -> (Double, [Bool]) {
        let n = k.profit.count
        var bestPacking = [Double](repeating: -1, count: 1 << n)  // by the mask of available items
        func packing(_ available: Int) -> Double {
            if bestPacking[available] >= 0 { return bestPacking[available] }
            var best = 0.0
            var s = available
            while s > 0 {
                var w = 0.0, p = 0.0
                for i in 0..<n where s & (1 << i) != 0 { w += k.weight[i]; p += k.profit[i] }
                if w <= k.capacity { best = max(best, p) }
                s = (s - 1) & available
            }
            bestPacking[available] = best
            return best
        }
        var value = Double.infinity
        var removal = 0
        for r in 0..<(1 << n) {
            var c = 0.0
            for i in 0..<n where r & (1 << i) != 0 { c += k.cost[i] }
            if c > k.budget { continue }
            let v = packing(((1 << n) - 1) & ~r)
            if v < value { value = v; removal = r }
        }
        return (value, (0..<n).map { removal & (1 << $0) != 0 })
    }
}
