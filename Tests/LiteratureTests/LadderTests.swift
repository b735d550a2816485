import Blomodel
import Foundation
import XCTest

/// The peers' ladder instances (issue 12; `../shared/peers`, converted by
/// `Benchmarks/ladders/blp_to_blo.py` into Tests/Fixtures/ladders): every one is proven optimal on
/// both backends, at the optimum found outside the project (the peers' README and the generators'
/// `meta.brute_force`: enumeration of every toll vector or price menu with the follower re-solved;
/// supply: an independent KKT MILP on HiGHS).
final class LadderTests: XCTestCase {
    /// (fixture, reference optimum, the route the planner must choose).
    static let cases: [(file: String, optimum: Double, route: String)] = [
        // Discrete toll setting as generated: toll bits, McCormick rows in the follower. The flows
        // have no bounds (no big-M slack bound is provable), the multipliers of the McCormick rows
        // are bounded by stationarity: the value-function program, proven.
        ("toll_T1_s1", 24, "value-function"), ("toll_T1_s2", 30, "value-function"), ("toll_T1_s3", 8, "value-function"),
        ("toll_T2_s1", 26, "value-function"), ("toll_T2_s2", 60, "value-function"), ("toll_T2_s3", 24, "value-function"),
        ("toll_T3_s1", 48, "value-function"), ("toll_T3_s2", 24, "value-function"), ("toll_T3_s3", 42, "value-function"),
        // The same instances written naturally (integer tolls, t*x products): the flows are bounded by
        // their commodity's demand (NetworkFlowBounds), so the value-function program is exact.
        ("toll_T1_s1_natural", 24, "value-function"), ("toll_T1_s2_natural", 30, "value-function"),
        ("toll_T1_s3_natural", 8, "value-function"), ("toll_T2_s1_natural", 26, "value-function"),
        ("toll_T2_s2_natural", 60, "value-function"), ("toll_T2_s3_natural", 24, "value-function"),
        ("toll_T3_s1_natural", 48, "value-function"), ("toll_T3_s2_natural", 24, "value-function"),
        ("toll_T3_s3_natural", 42, "value-function"),
        // Menu pricing (one-hot price levels, capacities): brute force over every menu.
        ("menu_M1_s1", 200, "value-function"), ("menu_M2_s1", 240, "value-function"), ("menu_M3_s1", 470, "value-function"),
        // LP-LP supply with a continuous leader (the value-function row's products would be bilinear).
        ("supply_S1_s1", 470.5025, "branch-and-bound"), ("supply_S2_s1", 1787.56492, "branch-and-bound"),
    ]

    func testEveryLadderInstanceIsProvenOptimalOnBothBackends() throws {
        for c in Self.cases {
            let path = repositoryRoot.appendingPathComponent("Tests/Fixtures/ladders/\(c.file).blo").path
            for solver in [SolverChoice.glpk, .cbc] {
                var options = BlomodelOptions()
                options.solver = solver
                let report = try Blomodel.solve(file: path, options: options)
                XCTAssertEqual(report.route, c.route, "\(c.file) \(solver)")
                XCTAssertEqual(report.certification, .provenOptimal, "\(c.file) \(solver): \(report.certificationReasons)")
                XCTAssertEqual(report.leaderObjective ?? .nan, c.optimum, accuracy: 1e-5 * max(1, abs(c.optimum)), "\(c.file) \(solver)")
                XCTAssertEqual(report.verification?.outcome, .optimal, "\(c.file) \(solver)")
            }
        }
    }

    /// The value-function program on the toll ladder uses no LP to prove its bounds: the plan says
    /// the bound LPs were skipped, and every multiplier bound it rests on comes from stationarity.
    /// The report's size is the program solved (the value-function program), not the big-M program.
    func testTollAsGeneratedNeedsNoBoundLPs() throws {
        let path = repositoryRoot.appendingPathComponent("Tests/Fixtures/ladders/toll_T3_s1.blo").path
        let report = try Blomodel.solve(file: path, options: BlomodelOptions())
        XCTAssertTrue(report.plan.contains { $0.hasPrefix("bound LPs skipped") }, "\(report.plan)")
        let mc = report.bigM.filter { $0.pair.hasPrefix("compl_mc_") }
        XCTAssertEqual(mc.count, 8, "4 tolled arcs, 2 bits each")
        for record in mc {
            XCTAssertEqual(record.dualSource, .stationarity(weakest: .proven), record.pair)
            // The follower pays step * 2^l for w_al, its only row is mc_al: lambda <= step * 2^l (step 2, two bits).
            XCTAssertTrue([2.0, 4.0].contains(record.dualM), "\(record.pair): \(record.dualM)")
        }
        // The big-M program has a binary per pair; the value-function program only the toll bits.
        XCTAssertEqual(report.binaries, 8, "the 8 toll bits, no complementarity binary")
    }

    /// The natural toll model: every flow is bounded by its commodity's demand (one network per
    /// commodity), the plan says so, and the verification re-solves the follower without the bounds.
    func testNaturalTollFlowsAreBoundedByTheirDemand() throws {
        let path = repositoryRoot.appendingPathComponent("Tests/Fixtures/ladders/toll_T2_s1_natural.blo").path
        let report = try Blomodel.solve(file: path, options: BlomodelOptions())
        XCTAssertTrue(report.plan.contains { $0.hasPrefix("network bounds: 48 follower flow(s) in 3 network(s)") }, "\(report.plan)")
        XCTAssertEqual(report.route, "value-function")
        XCTAssertEqual(report.certification, .provenOptimal)
        // The forced branch-and-bound (no bound LP either way) agrees.
        var options = BlomodelOptions()
        options.route = "branch-and-bound"
        XCTAssertEqual(try Blomodel.solve(file: path, options: options).leaderObjective ?? .nan, 26, accuracy: 1e-6)
    }

    /// A forced exact-kkt keeps the bound LPs (its Ms need them).
    func testForcedExactKKTKeepsTheBoundLPs() throws {
        let path = repositoryRoot.appendingPathComponent("Tests/Fixtures/ladders/menu_M1_s1.blo").path
        var options = BlomodelOptions()
        options.route = "exact-kkt"
        let report = try Blomodel.solve(file: path, options: options)
        XCTAssertFalse(report.plan.contains { $0.hasPrefix("bound LPs skipped") }, "\(report.plan)")
        XCTAssertTrue(report.bigM.contains { $0.dualSource == .relaxationLP || $0.primalSource == .relaxationLP })
    }
}
