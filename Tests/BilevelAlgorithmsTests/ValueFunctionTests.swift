import BloLanguage
import BlomodelCore
import Foundation
import GLPKBackend
import Reformulations
import SolverInterface
import XCTest

@testable import BilevelAlgorithms

/// The value-function route against brute force (no solver in the check): random small
/// bilevel programs with integer followers, and LP followers with integer leaders.
final class ValueFunctionTests: XCTestCase {
    let suite = SolverSuite(milp: GLPKBackend(), dualLP: GLPKBackend(), qp: nil)

    /// A deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    }

    /// One random instance: two integer leader variables in [0, 2], two integer follower
    /// variables in [0, 3], two follower rows and one leader row with integer coefficients,
    /// random objectives and follower sense. Sometimes downward closed (nonnegative follower
    /// coefficients in `<=` rows), so both kinds of cut are exercised.
    struct Instance {
        var leaderCost: [Int], followerCost: [Int], followerLeaderCost: [Int]
        var followerRows: [(x: [Int], y: [Int], rhs: Int)]
        var leaderRow: (x: [Int], y: [Int], rhs: Int)
        var zeroSum: Bool { leaderRow.y == [0, 0] && leaderCost[2] == -2 * followerCost[0] && leaderCost[3] == -2 * followerCost[1] && !followerMaximizes }
        var followerMaximizes: Bool

        init(_ g: inout Random) {
            let packing = g.int(0...1) == 1
            leaderCost = (0..<4).map { _ in g.int(-5...5) }
            followerCost = (0..<2).map { _ in g.int(packing ? -5 ... -1 : -5...5) }
            followerLeaderCost = (0..<2).map { _ in g.int(-3...3) }
            followerRows = (0..<2).map { _ in
                (x: (0..<2).map { _ in g.int(-3...3) }, y: (0..<2).map { _ in g.int(packing ? 0...3 : -3...3) }, rhs: g.int(0...6))
            }
            leaderRow = (x: (0..<2).map { _ in g.int(-2...2) }, y: (0..<2).map { _ in g.int(-2...2) }, rhs: g.int(1...6))
            followerMaximizes = !packing && g.int(0...1) == 1
            // Zero-sum (the leader pays twice what the follower gains, no follower variable in
            // the leader's row): the search's projected masters.
            if packing && g.int(0...1) == 1 {
                leaderCost[2] = -2 * followerCost[0]
                leaderCost[3] = -2 * followerCost[1]
                leaderRow.y = [0, 0]
            }
        }

        func terms(_ c: [Int], _ names: [String]) -> String {
            zip(c, names).map { "\($0.0) * \($0.1)" }.joined(separator: " + ")
        }

        var text: String {
            """
            upper {
              var x1 integer >= 0, <= 2; var x2 integer >= 0, <= 2;
              minimize F: \(terms(leaderCost, ["x1", "x2", "y1", "y2"]));
              l1: \(terms(leaderRow.x + leaderRow.y, ["x1", "x2", "y1", "y2"])) <= \(leaderRow.rhs);
            }
            lower {
              var y1 integer >= 0, <= 3; var y2 integer >= 0, <= 3;
              \(followerMaximizes ? "maximize" : "minimize") f: \(terms(followerCost + followerLeaderCost, ["y1", "y2", "x1", "x2"]));
              r1: \(terms(followerRows[0].x + followerRows[0].y, ["x1", "x2", "y1", "y2"])) <= \(followerRows[0].rhs);
              r2: \(terms(followerRows[1].x + followerRows[1].y, ["x1", "x2", "y1", "y2"])) <= \(followerRows[1].rhs);
            }
            """
        }

        /// The optimistic optimum by enumeration of every (x, y) in the boxes; nil when no
        /// leader decision has a bilevel-feasible point.
        func bruteForce() -> Int? {
            var best: Int?
            for x1 in 0...2 {
                for x2 in 0...2 {
                    let x = [x1, x2]
                    var responses: [([Int], Int)] = []
                    for y1 in 0...3 {
                        for y2 in 0...3 {
                            let y = [y1, y2]
                            let ok = followerRows.allSatisfy { r in r.x[0] * x[0] + r.x[1] * x[1] + r.y[0] * y[0] + r.y[1] * y[1] <= r.rhs }
                            if ok {
                                let f = followerCost[0] * y[0] + followerCost[1] * y[1]
                                responses.append((y, followerMaximizes ? -f : f))
                            }
                        }
                    }
                    guard let phi = responses.map(\.1).min() else { continue }
                    for (y, f) in responses where f == phi {
                        let r = leaderRow
                        guard r.x[0] * x[0] + r.x[1] * x[1] + r.y[0] * y[0] + r.y[1] * y[1] <= r.rhs else { continue }
                        let F = leaderCost[0] * x[0] + leaderCost[1] * x[1] + leaderCost[2] * y[0] + leaderCost[3] * y[1]
                        best = min(best ?? F, F)
                    }
                }
            }
            return best
        }
    }

    /// 90 random instances: the search's answer (or its "infeasible") equals brute force.
    func testIntegerFollowerSearchAgainstBruteForce() throws {
        var g = Random(state: 2026)
        var solved = 0, infeasible = 0, zeroSum = 0
        for k in 0..<90 {
            let instance = Instance(&g)
            let m = try ModelLoader.load(source: SourceFile(path: "random\(k).blo", text: instance.text), directory: NSTemporaryDirectory())
            let r = try Planner.reformulate(m, lpSolver: GLPKBackend())
            XCTAssertTrue(r.classification.hasIntegerFollower)
            if instance.zeroSum { zeroSum += 1 }
            let (outcome, summary) = try IntegerFollowerSearch.run(r, context: RouteContext(solvers: suite, options: SolveOptions()), iterationLimit: 1000)
            let expected = instance.bruteForce()
            if let expected {
                XCTAssertEqual(outcome.result.termination, .optimal, "instance \(k):\n\(instance.text)")
                XCTAssertEqual((outcome.result.objective ?? .nan) * r.objectiveSign, Double(expected), accuracy: 1e-6, "instance \(k):\n\(instance.text)")
                XCTAssertEqual(summary.bound ?? .nan, Double(expected), accuracy: 1e-6, "instance \(k): the bound")
                solved += 1
            } else {
                XCTAssertEqual(outcome.result.termination, .infeasible, "instance \(k):\n\(instance.text)")
                infeasible += 1
            }
        }
        XCTAssertGreaterThan(solved, 50)
        XCTAssertGreaterThan(zeroSum, 10, "zero-sum instances (projected masters)")
        print("value-function search: \(solved) random instances solved to the brute-force optimum (\(zeroSum) zero-sum), \(infeasible) infeasible as brute force says")
    }

    /// The value-function program of LP followers with integer leaders against the KKT big-M
    /// program on the same random instances (the follower's variables made continuous): the
    /// same optimum wherever both end optimal, and the same verdict where one is infeasible.
    func testValueFunctionProgramAgreesWithTheKKTProgram() throws {
        var g = Random(state: 7)
        var compared = 0
        for k in 0..<40 {
            let instance = Instance(&g)
            let text = instance.text.replacingOccurrences(of: "var y1 integer", with: "var y1").replacingOccurrences(of: "var y2 integer", with: "var y2")
            let m = try ModelLoader.load(source: SourceFile(path: "lp\(k).blo", text: text), directory: NSTemporaryDirectory())
            let r = try Planner.reformulate(m, lpSolver: GLPKBackend())
            XCTAssertNil(r.classification.valueFunctionRefusal, "instance \(k)")
            let context = RouteContext(solvers: suite, options: SolveOptions())
            let vf = try ValueFunctionRoute().solve(r, context: context).result
            let kkt = try ExactKKTRoute().solve(r, context: context).result
            if kkt.termination == .optimal, vf.termination == .optimal {
                XCTAssertEqual((vf.objective ?? .nan) * r.objectiveSign, (kkt.objective ?? .nan) * r.objectiveSign, accuracy: 1e-6, "instance \(k):\n\(text)")
                compared += 1
            } else {
                XCTAssertEqual(vf.termination == .infeasible, kkt.termination == .infeasible, "instance \(k): \(vf.termination) vs \(kkt.termination)\n\(text)")
            }
        }
        XCTAssertGreaterThan(compared, 25)
    }

    /// The value-function program's rows, as a golden printout: the follower's rows, stationarity,
    /// the expansion of the integer x (two bits for [0, 2], with its range row), the products of
    /// its bits with the multipliers of c1 and c2 (four rows each), and the value-function row.
    func testValueFunctionProgramGolden() throws {
        let m = try ModelLoader.load(
            source: SourceFile(
                path: "vf.blo",
                text: """
                    upper { var x integer >= 0, <= 2; minimize F: x - y; }
                    lower { var y >= 0, <= 10; minimize f: -y; c1: y - x <= 3; c2: y + 2*x <= 8; dualbound 5; }
                    """), directory: NSTemporaryDirectory())
        let r = try Planner.reformulate(m, lpSolver: GLPKBackend())
        let vf = try XCTUnwrap(
            ValueFunctionReformulation.apply(mpcc: r.complementarityModel, model: r.model, classification: r.classification, bigM: r.bigM))
        try assertGolden(vf.program.description + "\nvalue-function row: " + vf.rowText + "\n", "value_function_program.txt")
        // Solved: x = 1 gives y = 4 (c1) and F = -3; x = 0 gives y = 3, F = -3; x = 2, y = 4, F = -2.
        let outcome = try ValueFunctionRoute().solve(r, context: RouteContext(solvers: suite, options: SolveOptions()))
        XCTAssertEqual((outcome.result.objective ?? .nan) * r.objectiveSign, -3, accuracy: 1e-6)
    }

    /// A follower made of two independent blocks (y with c1, c2; v with d1, d2) gets one
    /// value-function row per block; the program's optimum is the enumeration's (each block's
    /// follower response in closed form at every leader decision).
    func testIndependentBlocksGetOneRowEach() throws {
        let m = try ModelLoader.load(
            source: SourceFile(
                path: "blocks.blo",
                text: """
                    upper { var x integer >= 0, <= 2; var u integer >= 0, <= 3; minimize F: x - y + u - 2*v; }
                    lower {
                      var y >= 0, <= 10; var v >= 0, <= 10;
                      minimize f: -y - v;
                      c1: y - x <= 3; c2: y + 2*x <= 8; d1: v + u <= 4; d2: v - u <= 1;
                      dualbound 5;
                    }
                    """), directory: NSTemporaryDirectory())
        let r = try Planner.reformulate(m, lpSolver: GLPKBackend())
        let vf = try XCTUnwrap(
            ValueFunctionReformulation.apply(mpcc: r.complementarityModel, model: r.model, classification: r.classification, bigM: r.bigM))
        XCTAssertEqual(vf.blocks, 2)
        XCTAssertEqual(vf.program.rows.filter { $0.origin == .valueFunction }.count, 2)
        // Enumeration: the follower maximises y and v separately.
        var best = Double.infinity
        for x in 0...2 {
            for u in 0...3 {
                let y = Double(min(3 + x, 8 - 2 * x, 10)), v = Double(min(4 - u, 1 + u, 10))
                best = min(best, Double(x) - y + Double(u) - 2 * v)
            }
        }
        let outcome = try ValueFunctionRoute().solve(r, context: RouteContext(solvers: suite, options: SolveOptions()))
        XCTAssertEqual((outcome.result.objective ?? .nan) * r.objectiveSign, best, accuracy: 1e-6)
    }

    /// The optimistic check frees the auxiliary column of a product with a follower variable:
    /// at x = 1, y2 = 1 (so w = x y1 = 0), the follower's other optimal response y1 = 1 gives the
    /// leader -1, and the check must see it.
    func testOptimisticCheckFreesProductAuxiliaries() throws {
        let m = try ModelLoader.load(
            source: SourceFile(
                path: "aux.blo",
                text: """
                    upper { var x binary; minimize F: -x * y1; }
                    lower { var y1 binary; var y2 binary; maximize f: y1 + y2; r: y1 + y2 <= 1; }
                    """), directory: NSTemporaryDirectory())
        let r = try Planner.reformulate(m, lpSolver: GLPKBackend())
        let model = r.model
        XCTAssertEqual(model.variables.count, 4, "x, y1, y2 and the product's auxiliary")
        var point = [Double](repeating: 0, count: model.variables.count)
        for (j, v) in model.variables.enumerated() where v.name == "x" || v.name == "y2" { point[j] = 1 }
        let best = try XCTUnwrap(Verifier.optimisticValue(model, point: point, phi: 1, solver: GLPKBackend()))
        XCTAssertEqual(best, -1, accuracy: 1e-9)
    }

    /// The value-function program of an LP follower with a variable fixed by its bounds (its
    /// free multiplier enters the row as `- nu l`): x + y with y = 5 is the optimum (y + z <= 6,
    /// z fixed at 1, the follower maximises y).
    func testValueFunctionProgramWithAFixedFollowerVariable() throws {
        let m = try ModelLoader.load(
            source: SourceFile(
                path: "fixed.blo",
                text: """
                    upper { var x integer >= 0, <= 1; minimize F: x + y; }
                    lower { var y >= 0, <= 10; var z >= 1, <= 1; minimize f: -y; c1: y + z - x <= 6; }
                    """), directory: NSTemporaryDirectory())
        let r = try Planner.reformulate(m, lpSolver: GLPKBackend())
        var facts = ModelFacts(classification: r.classification, bigM: r.bigM, forcedRoute: "value-function")
        facts.forcedRoute = "value-function"
        let route = ValueFunctionRoute()
        XCTAssertTrue(route.assess(facts, capabilities: suite.capabilities).accepted)
        let outcome = try route.solve(r, context: RouteContext(solvers: suite, options: SolveOptions()))
        XCTAssertEqual(outcome.result.termination, .optimal)
        // x = 0: y = 5, F = 5; x = 1: y = 6, F = 7.
        XCTAssertEqual((outcome.result.objective ?? .nan) * r.objectiveSign, 5, accuracy: 1e-6)
        XCTAssertEqual(r.modelPoint(try XCTUnwrap(outcome.result.solution))[1], 5, accuracy: 1e-6)
    }
}
