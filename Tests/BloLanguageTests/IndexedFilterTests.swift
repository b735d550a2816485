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

    /// A bare name compared with an index is a symbol written without quotes: the error says so,
    /// at the name, on the indexed fast path (`i == north`) and the full scan (`j != north`), and
    /// keeps the "did you mean" note when a declared name is close.
    func testUnquotedSymbolInAComparisonSaysToQuoteIt() throws {
        func model(_ filter: String) -> String {
            """
            set NODES = {"north", "south", "east"};
            set ARCS = {("north","south"), ("south","east"), ("east","north")};
            param cap{ARCS} = 1;
            upper { var x >= 0; minimize F: x; }
            lower {
              var f{ARCS} >= 0;
              minimize c: sum{(i,j) in ARCS} f[i,j];
              out: sum{(i,j) in ARCS: \(filter)} f[i,j] <= x;
            }
            """
        }
        func diagnostic(_ filter: String) throws -> Diagnostic {
            do {
                _ = try load(model(filter))
            } catch let d as Diagnostic {
                return d
            }
            struct NoError: Error {}
            XCTFail("no error for \(filter)")
            throw NoError()
        }
        let column = "  out: sum{(i,j) in ARCS: ".count + 1
        for (filter, example, offset) in [
            ("i == north", "i == \"north\"", 5), ("j != north", "j != \"north\"", 5), ("north != i", "\"north\" != i", 0),
            // The fast path writes the index first.
            ("north == i", "i == \"north\"", 0), ("i == \"south\" and j == north", "j == \"north\"", 22),
        ] {
            let d = try diagnostic(filter)
            XCTAssertEqual(d.message, "unknown name 'north'", filter)
            XCTAssertEqual(d.location?.line, 8, filter)
            XCTAssertEqual(d.location?.column, column + offset, "\(filter): \(d.rendered)")
            XCTAssertEqual(d.notes, ["to compare with the symbol north, write it in quotes: \(example)"], filter)
            XCTAssertTrue(d.rendered.contains("^~~~~"), d.rendered)
        }
        // A close declared name: both notes.
        let near = try diagnostic("i == nodes")
        XCTAssertEqual(near.message, "unknown name 'nodes'")
        XCTAssertEqual(near.notes, ["did you mean 'NODES'?", "to compare with the symbol nodes, write it in quotes: i == \"nodes\""])
        // Order comparisons take numbers: no note about symbols.
        XCTAssertEqual(try diagnostic("i < north").notes, [])
        // Quoted, the model is valid.
        XCTAssertNoThrow(try load(model("i == \"north\"")))
    }

    /// A set's name where a member is meant (a data table's key): the error says it is a set and
    /// how to write the symbol, instead of calling the name unknown.
    func testSetNameAsAMemberSaysToQuoteIt() throws {
        let text = """
            set OFFERS = {C, D};
            set C = {1};
            param price{OFFERS} = [C: 6, D: 9];
            upper { var x >= 0; minimize F: x; }
            lower { var y >= 0; minimize f: y; c: y >= x; }
            """
        do {
            _ = try load(text)
            XCTFail("a set's name as a table key must be refused")
        } catch let d as Diagnostic {
            XCTAssertEqual(d.message, "'C' is a set, not a member of one")
            XCTAssertEqual(d.notes, ["to use the symbol C here, write it in quotes: \"C\""])
            XCTAssertEqual(d.location?.line, 3)
            XCTAssertEqual(d.location?.column, 24)
        }
    }
}
