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

/// The columns of a table row printed by the experiments (names may hold one space-free word).
private func columns(_ line: Substring) -> [String] { line.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }

/// Data hyper-cleaning on the breast cancer data (Examples/DataCleaning), small size: the fit to
/// the corrupted labels as is matches an independent NumPy Newton solve (Examples/DataCleaning/
/// check.py --small prints test accuracy 0.8286 and validation loss 0.620854 for it, and 1.0 for
/// the clean labels); aid-cg's weights lower the validation loss, flag the flipped labels far better
/// than chance (30 % of the samples are flipped), and its follower is the weighted fit's optimum.
final class DataCleaningExampleTests: XCTestCase {
    func testCleaningFlagsTheFlippedLabelsAndTheFitsAreChecked() throws {
        let r = try runProduct("DataCleaningExample", ["--small"])
        XCTAssertEqual(r.status, 0, r.err + r.out)
        let lines = r.out.split(separator: "\n")
        XCTAssertTrue(r.out.contains("72 training (22 labels flipped), 36 validation, 35 test rows"), r.out)
        XCTAssertTrue(r.out.contains("clean labels    (Newton fit on the true training labels: test accuracy 1.0000, validation 0.075500)"), r.out)
        let asIs = try columns(XCTUnwrap(lines.first { $0.hasPrefix("as-is (w = 1)") })).dropFirst(4).map { $0 }
        // iterations seconds validation test_acc flagged precision recall newton_diff follower_grad stop certification
        XCTAssertEqual(Double(asIs[2])!, 0.620854, accuracy: 2e-6, "the unweighted fit's validation loss (NumPy: 0.620854)")
        XCTAssertEqual(Double(asIs[3])!, 0.8286, accuracy: 1e-4, "the unweighted fit's test accuracy (NumPy: 0.8286)")
        let aid = try columns(XCTUnwrap(lines.first { $0.hasPrefix("aid-cg ") })).dropFirst().map { $0 }
        let validation = Double(aid[2])!, accuracy = Double(aid[3])!, precision = Double(aid[5])!, recall = Double(aid[6])!
        XCTAssertLessThan(validation, 0.5 * Double(asIs[2])!, "the weights lower the validation loss")
        XCTAssertGreaterThanOrEqual(accuracy, Double(asIs[3])!, "and do not lower the test accuracy")
        XCTAssertGreaterThan(precision, 0.6, "flagged samples are mostly flipped ones (chance: 0.3)")
        XCTAssertGreaterThan(recall, 0.6, "most flipped samples are flagged")
        XCTAssertLessThan(Double(aid[7])!, 1e-6, "the follower's weights against the independent Newton fit")
        XCTAssertLessThan(Double(aid[8])!, 1e-8, "the follower's gradient at the answer")
        XCTAssertTrue(["local", "feasible"].contains(aid.last!), r.out)
    }
}

/// Seed 003's Example 5.4 (Examples/AdversarialLeastSquares), small size: no method's varphi(x) is
/// below the optimum of the closed form (least squares on S); where the follower is solved, its
/// answer on S is the closed form's (a_i'x + lambda b_i) / (1 + lambda), and the leader's objective at
/// (x, y) is at least varphi(x) (the optimistic choice off S is the best one); BDA, whose
/// aggregation moves the free y_i towards a_i'x, comes within 20 % of the optimum in 100
/// iterations. The paper's sigma_min^+ = 1e-9 is used (coefficients below the exact routes' range,
/// which the gradient methods take).
final class AdversarialLeastSquaresExampleTests: XCTestCase {
    func testEveryAnswerIsAboveTheClosedFormOptimumAndTheFollowerMatchesIt() throws {
        let r = try runProduct("AdversarialLeastSquaresExample", ["--small", "--steps", "1", "--methods", "aid-exact,bda"])
        XCTAssertEqual(r.status, 0, r.err + r.out)
        XCTAssertTrue(r.out.contains("sigma_min^+ = 1e-09"), r.out)
        let header = try XCTUnwrap(r.out.split(separator: "\n").first { $0.hasPrefix("optimum varphi* = ") })
        let optimum = try XCTUnwrap(Double(columns(header)[3]))
        XCTAssertGreaterThan(optimum, 0)
        // method step param varphi ratio F iterations seconds follower_check certification ...
        let rows = r.out.split(separator: "\n").map(columns).filter { ["aid-exact", "bda"].contains($0.first ?? "") }
        XCTAssertEqual(rows.count, 1 + 3, r.out)
        for row in rows {
            let varphi = Double(row[3])!, leader = Double(row[5])!
            XCTAssertGreaterThanOrEqual(varphi, optimum * (1 - 1e-9), row.joined(separator: " "))
            if row[9] != "not_bilevel_feasible" && row[9] != "not_bilevel_fe" {
                XCTAssertLessThan(Double(row[8])!, 1e-6, "the follower on S against the closed form: \(row)")
                XCTAssertGreaterThanOrEqual(leader, varphi - 1e-9, "F(x, y) >= varphi(x): \(row)")
            }
        }
        let bda = rows.filter { $0[0] == "bda" }.map { Double($0[4])! }.min()!
        XCTAssertLessThan(bda, 1.2, "BDA's varphi / varphi*")
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
