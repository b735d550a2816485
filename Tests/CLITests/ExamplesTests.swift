import Foundation
import XCTest

/// The programs in Examples/ run, and print what independent checks say they should.
final class ExamplesTests: XCTestCase {
    /// The toll model built in code from CSV: revenue 75 (the published optimum of its `.blo`
    /// twin, checked there by path enumeration), proven.
    func testTollInCode() throws {
        let r = try runProduct("TollInCodeExample", [])
        XCTAssertEqual(r.status, 0, r.err + r.out)
        XCTAssertTrue(r.out.hasPrefix("proven_optimal: revenue 75.0\n"), r.out)
        // Every commodity's flow crosses the tolled arc 4-6 (10 + 5 units).
        XCTAssertTrue(r.out.contains("4-6 "), r.out)
        XCTAssertTrue(r.out.contains("15.0\n"), r.out)
    }

    /// The pricing sweep: every row against the closed form of this small market. With the firm's
    /// price P (both products priced alike, capacity 4 + 5) and an optimistic customer, the
    /// firm sells what the offers cheaper than P leave of the need: revenue(need) =
    /// max over P in {6, 9, 12, 20} of P * min(9, max(0, need - capacity of offers below P)).
    func testPricingSweep() throws {
        let r = try runProduct("PricingSweepExample", [])
        XCTAssertEqual(r.status, 0, r.err + r.out)
        let rows = r.out.split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, 10)
        let offers: [(price: Double, capacity: Double)] = [(6, 3), (9, 4), (12, 10)]
        for row in rows {
            let f = row.split(separator: " ")
            let need = Double(f[0])!, revenue = Double(f[1])!
            let expected = [6.0, 9, 12, 20].map { p in
                p * min(9, max(0, need - offers.filter { $0.price < p }.map(\.capacity).reduce(0, +)))
            }.max()!
            XCTAssertEqual(revenue, expected, accuracy: 1e-6, "need \(need)")
            XCTAssertEqual(f.last, "proven_optimal")
        }
        XCTAssertTrue(r.out.contains("  10    63.00"), "the model of Models/classic/pricing (need 10) earns 63")
    }
}

/// The hyperparameter-tuning loop: every gradient method finds the penalty a grid search with
/// the follower in closed form finds (step 0.001 in r), and says its answer is local.
final class HyperparameterExampleTests: XCTestCase {
    func testEveryMethodMatchesTheClosedFormGrid() throws {
        let r = try runProduct("HyperparameterTuningExample", [])
        XCTAssertEqual(r.status, 0, r.err + r.out)
        let lines = r.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        let grid = try XCTUnwrap(lines.first { $0.first == "grid" })
        let gridR = Double(grid[2])!, gridLoss = Double(grid[4])!
        let methods = lines.filter { $0.count == 6 && $0[0] != "method" }
        XCTAssertEqual(methods.map { String($0[0]) }, ["aid-cg", "aid-exact", "aid-neumann", "itd-reverse", "itd-forward", "itd-truncated"])
        for m in methods {
            XCTAssertEqual(Double(m[1])!, gridR, accuracy: 0.002, "\(m[0]): r")
            XCTAssertEqual(Double(m[3])!, gridLoss, accuracy: 1e-6 * gridLoss, "\(m[0]): validation loss")
            XCTAssertEqual(m[5], "local", "\(m[0])")
        }
        // The penalty matters: the optimum is inside the box, away from its ends (-8, 4).
        XCTAssertTrue(gridR > -7 && gridR < 3, "r = \(gridR)")
    }
}

/// Ridge tuning on real data (the diabetes data, Examples/RidgeTuning/data): the tuned per-feature
/// penalties beat the best shared penalty and least squares on the validation half, and the
/// follower's weights at the answer are the closed form's.
final class RidgeTuningExampleTests: XCTestCase {
    func testTunedPenaltiesBeatTheSharedOneAndMatchTheClosedForm() throws {
        let r = try runProduct("RidgeTuningExample", ["Examples/RidgeTuning/data/diabetes.csv", "200"])
        XCTAssertEqual(r.status, 0, r.err + r.out)
        func mse(_ prefix: String) -> Double? {
            guard let line = r.out.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
                let range = line.range(of: "validation MSE ")
            else { return nil }
            return Double(line[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," })
        }
        let tuned = try XCTUnwrap(mse("per-feature")), shared = try XCTUnwrap(mse("one shared")), ols = try XCTUnwrap(mse("ordinary"))
        XCTAssertLessThan(tuned, shared - 50, "per-feature penalties fit the validation half better than one penalty")
        XCTAssertLessThan(shared, ols)
        let weights = try XCTUnwrap(r.out.split(separator: "\n").first { $0.contains("against the closed form") })
        let difference = try XCTUnwrap(Double(weights.split(separator: " ").last!))
        XCTAssertLessThan(difference, 1e-6)
        XCTAssertTrue(r.out.contains(", feasible") || r.out.contains(", local"), r.out)
    }
}

/// Seed 002's section 5 (Examples/CCCPBOSynthetic --small): the claims of its Figures 1 and 2,
/// checked by the example from its runs' traces and checked again here from its table.
final class CCCPBOSyntheticExampleTests: XCTestCase {
    func testFigureClaimsHold() throws {
        let r = try runProduct("CCCPBOSyntheticExample", ["--small"])
        XCTAssertEqual(r.status, 0, r.err + r.out)
        for claim in ["O(1/k)", "monotone leader objective", "grow with rho", "follower gap <= epsilon"] {
            let line = try XCTUnwrap(r.out.split(separator: "\n").first { $0.hasPrefix("claim") && $0.contains(claim) }, claim)
            XCTAssertTrue(line.contains(": holds ("), String(line))
        }
        // The rho rows: iterations to |g_k| <= 1e-3 increase with rho, and the largest k min |g_j|^2
        // stays below Theorem 4.3's 2 rho (F(z_1) - C_f).
        var rows: [[Substring]] = []
        for line in r.out.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 5, Double(f[0]) != nil, Double(f[1]) != nil { rows.append(f) }
        }
        XCTAssertEqual(rows.count, 2, r.out)
        XCTAssertLessThan(Double(rows[0][1])!, Double(rows[1][1])!)
        for row in rows { XCTAssertLessThanOrEqual(Double(row[3])!, Double(row[4])!) }
        XCTAssertTrue(r.out.contains("all claims hold"))
    }
}
