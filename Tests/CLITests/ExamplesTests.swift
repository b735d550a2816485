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
