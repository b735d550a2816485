import BlomodelCore
import XCTest

@testable import BloLanguage

final class IndexedFilterTests: XCTestCase {
    /// `i == n` takes the indexed fast path of the elaborator, `i - n == 0` the full scan:
    /// both must give the same rows.
    func testIndexedFilterAgreesWithTheFullScan() throws {
        func coefficients(_ filter: String) throws -> [[Double]] {
            let m = try load(
                """
                set N = 1..4;
                set ARCS = {(1,2), (2,3), (1,3), (3,4), (2,4), (4,1)};
                upper { var x >= 0; minimize F: x; }
                lower {
                  var f{ARCS} >= 0;
                  minimize c: sum{(i,j) in ARCS} f[i,j];
                  out{n in N}: sum{(i,j) in ARCS: \(filter)} (i + j) * f[i,j] <= x;
                }
                """)
            return m.constraints.map { c in (1...6).map { c.body.linear.terms[$0] ?? 0 } }
        }
        let fast = try coefficients("i == n and j != 1"), slow = try coefficients("i - n == 0 and j != 1")
        XCTAssertEqual(fast, slow)
        XCTAssertEqual(fast[0], [3, 0, 4, 0, 0, 0], "node 1: arcs (1,2) and (1,3)")
        XCTAssertEqual(fast[3], [0, 0, 0, 0, 0, 0], "node 4's only arc goes to 1 and is filtered out")
    }
}
