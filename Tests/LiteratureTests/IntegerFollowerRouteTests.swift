import Blomodel
import Foundation
import XCTest

@testable import BlomodelBench

/// The value-function route on the integer-follower models (Models/integer, issue 11): on both
/// backends, every model is solved to a proven optimum equal to the independent enumeration of
/// `IntegerFollowerEnumerationTests` (computed here again, not copied), at a point whose leader
/// value is that optimum; the model with a continuous linking variable is refused at it.
final class IntegerFollowerRouteTests: XCTestCase {
    static let models =
        IntegerFollowerEnumerationTests.cases.map(\.file) + ["denegre_kip_k5010w02/denegre_kip_k5010w02.blo"]

    func testEveryIntegerFollowerModelIsProvenOptimalOnBothBackends() throws {
        // Every model of the folder is here, or is the refused one below.
        let folder = repositoryRoot.appendingPathComponent("Models/integer").path
        let files = FileManager.default.enumerator(atPath: folder)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".blo") }
        XCTAssertEqual(Set(files), Set(Self.models + ["yue_et_al_2019_toy3.blo"]), "every integer-follower model is solved here")
        for file in Self.models {
            let path = repositoryRoot.appendingPathComponent("Models/integer/\(file)").path
            let enumeration = try IntegerFollowerEnumerationTests.optimisticOptimum(
                IntegerFollowerEnumerationTests.extract(IntegerFollowerEnumerationTests.load(absolute: path)))
            let expected = try XCTUnwrap(enumeration.value, file)
            for solver in [SolverChoice.glpk, .cbc] {
                var options = BlomodelOptions()
                options.solver = solver
                let report = try Blomodel.solve(file: path, options: options)
                XCTAssertEqual(report.route, "value-function", "\(file) \(solver)")
                XCTAssertEqual(report.certification, .provenOptimal, "\(file) \(solver): \(report.certificationReasons)")
                XCTAssertEqual(report.leaderObjective ?? .nan, expected, accuracy: 1e-6 * max(1, abs(expected)), "\(file) \(solver)")
                XCTAssertEqual(report.verification?.outcome, .optimal, "\(file) \(solver)")
                // The search's summary: closed, its bound the answer.
                let summary = try XCTUnwrap(report.valueFunction, file)
                XCTAssertTrue(summary.closed, file)
                XCTAssertEqual(summary.bound ?? .nan, expected, accuracy: 1e-6 * max(1, abs(expected)), "\(file) \(solver): the bound")
                XCTAssertLessThanOrEqual(summary.followerMILPs, summary.masters, "\(file): at most one follower MILP per master")
                XCTAssertTrue(report.verification?.detail.contains("no other optimal response") == true, "\(file): \(report.verification?.detail ?? "")")
            }
        }
    }

    /// Generated knapsack interdiction (the benchmark's generator) with 12 and 14 items against the
    /// brute force over removals and packings (no solver).
    func testGeneratedKnapsackInterdictionAgainstBruteForce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kip-route-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (n, seed) in [(12, UInt64(3)), (14, UInt64(7))] {
            let instance = KnapsackInterdictionInstance(items: n, seed: seed)
            let path = try writeKnapsackInterdiction(items: n, seed: seed, directory: dir)
            let kip = IntegerFollowerEnumerationTests.KIP(
                profit: instance.profit.map(Double.init), weight: instance.weight.map(Double.init), cost: instance.cost.map(Double.init),
                capacity: Double(instance.capacity), budget: Double(instance.budget))
            let (expected, _) = IntegerFollowerEnumerationTests.knapsackInterdictionByBruteForce(kip)
            for solver in [SolverChoice.glpk, .cbc] {
                var options = BlomodelOptions()
                options.solver = solver
                let report = try Blomodel.solve(file: path, options: options)
                XCTAssertEqual(report.certification, .provenOptimal, "n = \(n) \(solver)")
                XCTAssertEqual(report.leaderObjective ?? .nan, expected, accuracy: 1e-6, "n = \(n) \(solver)")
            }
        }
    }

    /// Yue et al. (2019) toy example 3 has the continuous linking variable xr: refused before any
    /// solve, at the variable, saying why.
    func testContinuousLinkingVariableIsRefusedAtIt() throws {
        let path = repositoryRoot.appendingPathComponent("Models/integer/yue_et_al_2019_toy3.blo").path
        XCTAssertThrowsError(try Blomodel.solve(file: path)) { error in
            guard let d = error as? Diagnostic else { return XCTFail("\(error)") }
            XCTAssertTrue(d.message.contains("leader variable xr is continuous and appears in the integer follower's constraints"), d.message)
            XCTAssertEqual(d.location?.file, path)
            XCTAssertNotNil(d.sourceLine)
        }
    }

    /// The MibS files stored beside four models (MibS's own instances and DeNegre's K5010W02, read
    /// as MibS reads them: the aux file found beside the MPS) solve on both backends to the
    /// enumeration's optimum of their .blo twins, proven.
    func testMibSFilesSolveToTheirTwinsOptima() throws {
        let pairs = [
            ("mibs_moore90_2/mibs_moore90_2.blo", "mibs_moore90_2/moore90_2.mps"),
            ("mibs_linderoth/mibs_linderoth.blo", "mibs_linderoth/linderoth.mps"),
            ("mibs_general_example/mibs_general_example.blo", "mibs_general_example/generalExample.mps"),
            ("denegre_kip_k5010w02/denegre_kip_k5010w02.blo", "denegre_kip_k5010w02/K5010W02.KNP.mps"),
        ]
        for (blo, mps) in pairs {
            let twin = repositoryRoot.appendingPathComponent("Models/integer/\(blo)").path
            let expected = try XCTUnwrap(
                IntegerFollowerEnumerationTests.optimisticOptimum(
                    IntegerFollowerEnumerationTests.extract(IntegerFollowerEnumerationTests.load(absolute: twin))
                ).value)
            for solver in [SolverChoice.glpk, .cbc] {
                var options = BlomodelOptions()
                options.solver = solver
                let report = try Blomodel.solve(file: repositoryRoot.appendingPathComponent("Models/integer/\(mps)").path, aux: nil, options: options)
                XCTAssertEqual(report.certification, .provenOptimal, "\(mps) \(solver)")
                XCTAssertEqual(report.leaderObjective ?? .nan, expected, accuracy: 1e-6 * max(1, abs(expected)), "\(mps) \(solver)")
            }
        }
    }

    /// A node limit stops the search with its incumbent, which is not called proven.
    func testIterationLimitIsNotProven() throws {
        let path = repositoryRoot.appendingPathComponent("Models/integer/denegre_kip_k5010w02/denegre_kip_k5010w02.blo").path
        var options = BlomodelOptions()
        options.nodeLimit = 2
        let report = try Blomodel.solve(file: path, options: options)
        XCTAssertEqual(report.termination, .nodeLimit)
        XCTAssertNotEqual(report.certification, .provenOptimal)
        XCTAssertEqual(report.valueFunction?.closed, false)
        XCTAssertEqual(report.valueFunction?.masters, 2)
    }
}
