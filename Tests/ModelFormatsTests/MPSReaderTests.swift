import BlomodelCore
import GLPKBackend
import SolverInterface
import XCTest

@testable import ModelFormats

/// The MPS reader, section by section and rule by rule (/work/shared/formats/mibs-format.md, §2),
/// each against a small file, and where the outside tools read the same file, against them:
/// glpsol (free MPS) and cbc (CoinMpsIO, MibS's own reader; fixed-format files).
final class MPSReaderTests: XCTestCase {
    /// Our reading solved by GLPK through the backend.
    func ourOptimum(_ text: String) throws -> Double? {
        let form = try parseMPS(text).standardForm()
        let r = try GLPKBackend().solve(form, options: SolveOptions())
        guard r.termination == .optimal, let x = r.solution else { return nil }
        let mps = try parseMPS(text)
        return mps.objectiveSense == .maximize ? -form.objectiveValue(x) : form.objectiveValue(x)
    }

    // MARK: - Sections

    static let sections = """
        * a comment line first, as CPLEX writes one
        NAME          sections
        ROWS
         L  lim
         N  cost
         G  low
         E  eq
         N  spare
         L  rng
        COLUMNS
            x  cost  1  lim  1
            x  low   1  spare  7
            y  cost  2  eq  1
            y  rng   1
            z  cost  -1  rng  1
            z  lim   1
        RHS
            RHS  lim  10  low  2
            RHS  eq   3   rng  8
        RANGES
            RNG  rng  5
        BOUNDS
         UP BND  x  4
         LO BND  y  -1
         MI BND  z
         UP BND  z  3
        ENDATA
        """

    func testSectionsRowsAndColumns() throws {
        let m = try parseMPS(Self.sections)
        XCTAssertEqual(m.name, "sections")
        XCTAssertEqual(m.objectiveName, "cost")
        XCTAssertEqual(m.droppedFreeRows, ["spare"])
        XCTAssertEqual(m.rows.map(\.name), ["lim", "low", "eq", "rng"])
        XCTAssertEqual(m.columns.map(\.name), ["x", "y", "z"])
        XCTAssertEqual(m.columns.map(\.objective), [1, 2, -1])
        XCTAssertEqual(m.rows[0].coefficients.keys, [0, 2])
        XCTAssertEqual(m.rows.map(\.lower), [-.infinity, 2, 3, 3])
        XCTAssertEqual(m.rows.map(\.upper), [10, .infinity, 3, 8])
        XCTAssertEqual(m.columns.map(\.lower), [0, -1, -.infinity])
        XCTAssertEqual(m.columns.map(\.upper), [4, .infinity, 3])
        XCTAssertEqual(m.rows[0].location.line, 4)
        XCTAssertEqual(m.columns[2].location, SourceLocation(file: "t.mps", line: 15, column: 5))
    }

    func testSectionsGiveGLPKsOptimum() throws {
        // min x + 2y - z: y = 3 (eq), x >= 2 (low), z <= min(3, 8 - y = 5, 10 - x) -> 2 + 6 - 3 = 5.
        let ours = try ourOptimum(Self.sections)
        XCTAssertEqual(ours, 5)
        XCTAssertEqual(try glpsolOptimum(Self.sections), 5)
    }

    // MARK: - RANGES

    /// One row `r: x` with sense, rhs and range; the optimum of min x and max x gives its sides.
    func rangeFile(_ sense: String, rhs: Double, range: Double, maximize: Bool) -> String {
        """
        NAME r
        \(maximize ? "OBJSENSE\n    MAX\n" : "")ROWS
         N obj
         \(sense) r
        COLUMNS
         x obj 1 r 1
        RHS
         RHS r \(rhs)
        RANGES
         RNG r \(range)
        BOUNDS
         FR BND x
        ENDATA
        """
    }

    func testRangesFollowTheMPSRulesAsGLPKDoes() throws {
        // (sense, rhs, range) -> [lower, upper]
        let cases: [(String, Double, Double, Double, Double)] = [
            ("L", 10, 4, 6, 10), ("L", 10, -4, 6, 10), ("G", 2, 3, 2, 5), ("G", 2, -3, 2, 5),
            ("E", 3, 2, 3, 5), ("E", 3, -2, 1, 3), ("E", 3, 0, 3, 3),
        ]
        for (sense, rhs, range, lower, upper) in cases {
            let row = try parseMPS(rangeFile(sense, rhs: rhs, range: range, maximize: false)).rows[0]
            XCTAssertEqual([row.lower, row.upper], [lower, upper], "\(sense) \(rhs) R \(range)")
            XCTAssertEqual(try glpsolOptimum(rangeFile(sense, rhs: rhs, range: range, maximize: false)), lower, "glpsol min, \(sense) R \(range)")
            XCTAssertEqual(
                try glpsolOptimum(rangeFile(sense, rhs: rhs, range: range, maximize: false), maximize: true), upper, "glpsol --max, \(sense) R \(range)")
            XCTAssertEqual(try ourOptimum(rangeFile(sense, rhs: rhs, range: range, maximize: true)), upper)
        }
    }

    // MARK: - OBJSENSE

    func testObjectiveSenseOnTheSameLineAndTheNext() throws {
        let body = "ROWS\n N obj\n L c\nCOLUMNS\n x obj 1 c 1\nRHS\n RHS c 4\nENDATA\n"
        // GLPK 5.0 has no OBJSENSE section: its --max on the file without one is the reference.
        XCTAssertEqual(try glpsolOptimum("NAME s\n" + body, maximize: true), 4)
        XCTAssertEqual(try glpsolOptimum("NAME s\n" + body), 0)
        for header in ["OBJSENSE MAX\n", "OBJSENSE\n    MAX\n", "OBJSENSE\n\tMAXIMIZE\n", "OBJSENSE MIN\n", "OBJSENSE\n  MIN\n"] {
            let m = try parseMPS("NAME s\n" + header + body)
            let max = header.contains("MAX")
            XCTAssertEqual(m.objectiveSense, max ? .maximize : .minimize, header)
            XCTAssertEqual(m.objectiveSenseLocation?.line, 2)
            XCTAssertEqual(try ourOptimum("NAME s\n" + header + body), max ? 4 : 0)
        }
        XCTAssertTrue(diagnostic { _ = try parseMPS("NAME s\nOBJSENSE\n UP\n" + body) }.contains("t.mps:3:2: error: OBJSENSE must be MAX or MIN, not 'UP'"))
    }

    func testCoinMpsIOIgnoresObjsenseMaxWhichIsWhyMibSMinimises() throws {
        // cbc 2.10 (CoinMpsIO, MibS's reader) prints "MAX found after OBJSENSE - Coin ignores" and
        // minimises: min x over x <= 4 is 0. The MibS loader warns about such a file.
        let file = [
            "NAME          s", "OBJSENSE", "    MAX", "ROWS", " N  obj", " L  c", "COLUMNS", fixedLine("", "x", "obj", "1.0", "c", "1.0"), "RHS",
            fixedLine("", "RHS", "c", "4.0"), "ENDATA",
        ].joined(separator: "\n") + "\n"
        XCTAssertEqual(try parseMPS(file).objectiveSense, .maximize)
        XCTAssertEqual(try cbcOptimum(file).value, 0)
    }

    // MARK: - The objective row's RHS

    func testObjectiveConstantIsTheNegatedRHSAsCoinMpsIOReadsIt() throws {
        // cbc (CoinMpsIO): min x - 5 with x >= 1 is -4. GLPK 5.0 reads the opposite sign (6).
        let file = [
            "NAME          t", "ROWS", " N  obj", " L  c1", "COLUMNS", fixedLine("", "x", "obj", "1.0", "c1", "1.0"), "RHS",
            fixedLine("", "RHS", "obj", "5.0", "c1", "2.0"), "BOUNDS", fixedLine("LO", "BND", "x", "1.0"), "ENDATA",
        ].joined(separator: "\n") + "\n"
        let m = try parseMPS(file)
        XCTAssertEqual(m.objectiveConstant, -5)
        XCTAssertEqual(try ourOptimum(file), -4)
        let cbc = try cbcOptimum(file)
        XCTAssertEqual(cbc.value, -4, cbc.status)
        XCTAssertEqual(try glpsolOptimum(file), 6, "GLPK reads the objective row's RHS with the other sign")
    }

    // MARK: - Integrality and bounds (CoinMpsIO's rules, checked with cbc)

    func testIntegerColumnWithoutBoundsIsBinaryAndAnyBoundEntrySwitchesThatOff() throws {
        // min -x - y - w - v: x in a MARKER block with no bound entry is binary (<= 1); y has
        // only LO 0, w only LI 0 (general integers, no upper bound), v has UI 7 and BV none.
        func file(_ bounds: [String]) -> String {
            ([
                "NAME          z", "ROWS", " N  obj", " L  c1", "COLUMNS", "    MARKER                 'MARKER'                 'INTORG'",
                fixedLine("", "x", "obj", "-1.0", "c1", "1.0"), fixedLine("", "y", "obj", "-1.0"), fixedLine("", "w", "obj", "-1.0"),
                "    MARKER                 'MARKER'                 'INTEND'", "RHS", fixedLine("", "RHS", "c1", "10.0"), "BOUNDS",
            ] + bounds + ["ENDATA"]).joined(separator: "\n") + "\n"
        }
        let bounded = file([fixedLine("UP", "BND", "y", "3.0"), fixedLine("UI", "BND", "w", "7.0")])
        let m = try parseMPS(bounded)
        XCTAssertEqual(m.columns.map(\.kind), [.binary, .integer, .integer])
        XCTAssertEqual(m.columns.map(\.upper), [1, 3, 7])
        XCTAssertEqual(try ourOptimum(bounded), -11)
        XCTAssertEqual(try cbcOptimum(bounded).value, -11)
        // LO 0 alone switches the default off: y is unbounded above (cbc says unbounded).
        let lo = file([fixedLine("LO", "BND", "y", "0.0"), fixedLine("UP", "BND", "w", "2.0")])
        XCTAssertEqual(try parseMPS(lo).columns[1].upper, .infinity)
        let loStatus = try cbcOptimum(lo).status
        XCTAssertTrue(loStatus.lowercased().contains("unbounded"), loStatus)
        // LI 0 alike.
        let li = file([fixedLine("LI", "BND", "y", "0.0"), fixedLine("UP", "BND", "w", "2.0")])
        XCTAssertEqual(try parseMPS(li).columns[1].upper, .infinity)
        XCTAssertEqual(try parseMPS(li).columns[1].kind, .integer)
        XCTAssertTrue(try cbcOptimum(li).status.lowercased().contains("unbounded"))
    }

    func testBVLIUIAndInfiniteValues() throws {
        let text = """
            NAME b
            ROWS
             N obj
             L c
            COLUMNS
             a obj -1 c 1
             b obj -1 c 1
             d obj -1 c 1
             e obj -1
            RHS
             RHS c 100
            BOUNDS
             BV BOUND a 0.
             BV b
             LI bnd d -2
             UI bnd d 1e+30
             UP bnd e 1e30
             LO bnd e -1e25
            ENDATA
            """
        let m = try parseMPS(text)
        XCTAssertEqual(m.columns.map(\.kind), [.binary, .binary, .integer, .continuous])
        XCTAssertEqual(m.columns.map(\.lower), [0, 0, -2, -.infinity])
        XCTAssertEqual(m.columns.map(\.upper), [1, 1, .infinity, .infinity])
    }

    func testNegativeUpperBoundWithoutLowerBoundEntryMakesTheLowerBoundInfinite() throws {
        // min x with UP x -3: CoinMpsIO makes x free below (cbc: unbounded); after LO -10 it is [-10, -3].
        func file(_ bounds: [String]) -> String {
            // (CoinMpsIO wants an RHS line before BOUNDS.)
            (["NAME          n", "ROWS", " N  obj", " L  c", "COLUMNS", fixedLine("", "x", "obj", "1.0", "c", "1.0"), "RHS", "BOUNDS"] + bounds + ["ENDATA"])
                .joined(separator: "\n") + "\n"
        }
        let alone = try parseMPS(file([fixedLine("UP", "BND", "x", "-3.0")]))
        XCTAssertEqual(alone.columns[0].lower, -.infinity)
        XCTAssertEqual(alone.columns[0].upper, -3)
        XCTAssertTrue(alone.warnings.first?.rendered.contains("t.mps:9:25: warning: the upper bound -3 of 'x' is negative") == true, "\(alone.warnings)")
        XCTAssertTrue(try cbcOptimum(file([fixedLine("UP", "BND", "x", "-3.0")])).status.lowercased().contains("unbounded"))
        let withLower = file([fixedLine("LO", "BND", "x", "-10.0"), fixedLine("UP", "BND", "x", "-3.0")])
        XCTAssertEqual(try parseMPS(withLower).columns[0].lower, -10)
        XCTAssertEqual(try cbcOptimum(withLower).value, -10)
        XCTAssertEqual(try ourOptimum(withLower), -10)
    }

    func testFixedFreeAndPlusBounds() throws {
        let text = "NAME f\nROWS\n N obj\nCOLUMNS\n a obj 1\n b obj 1\n c obj 1\nBOUNDS\n FX B a 2.5\n FR B b\n PL B c\n MI B c\nENDATA\n"
        let m = try parseMPS(text)
        XCTAssertEqual(m.columns.map(\.lower), [2.5, -.infinity, -.infinity])
        XCTAssertEqual(m.columns.map(\.upper), [2.5, .infinity, .infinity])
    }

    // MARK: - Quadratic objectives

    func testQuadobjIsOneTriangleAndQmatrixAllOfQ() throws {
        // 1/2 [x y] [[2, 1], [1, 4]] [x y]' = x^2 + x y + 2 y^2 (the CPLEX and CoinMpsIO convention).
        let head = "NAME q\nROWS\n N obj\nCOLUMNS\n x obj 1\n y obj 1\n"
        let quadobj = try parseMPS(head + "QUADOBJ\n x x 2\n x y 1\n y y 4\nENDATA\n")
        let qmatrix = try parseMPS(head + "QMATRIX\n x x 2\n x y 1\n y x 1\n y y 4\nENDATA\n")
        let expected = [StandardForm.QuadraticTerm(0, 0, 1), .init(0, 1, 1), .init(1, 1, 2)]
        XCTAssertEqual(quadobj.quadraticObjective, expected)
        XCTAssertEqual(qmatrix.quadraticObjective, expected)
        XCTAssertEqual(quadobj.standardForm().objectiveValue([1, 2]), 1 + 2 + 1 + 2 + 8)
        XCTAssertTrue(diagnostic { _ = try parseMPS(head + "QMATRIX\n x y 1\n y x 2\nENDATA\n") }.contains("t.mps:8:2: error: QMATRIX is not symmetric"))
        XCTAssertTrue(diagnostic { _ = try parseMPS(head + "QUADOBJ\n x y 1\n y x 1\nENDATA\n") }.contains("QUADOBJ gives the entry (y, x) twice"))
    }

    // MARK: - Layout

    func testTabsCRLFCommentsJunkAfterEndataAndNoFinalNewline() throws {
        let clean = try parseMPS(Self.sections)
        var messy = Self.sections.replacingOccurrences(of: "    ", with: "\t").replacingOccurrences(of: "  ", with: " \t ")
        messy = messy.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: "COLUMNS", with: "* note\r\nCOLUMNS")
        messy += "\r\nthis is junk after ENDATA\r\n(and more)"
        let m = try parseMPS(messy)
        XCTAssertEqual(canonicalMPS(m), canonicalMPS(clean))
        XCTAssertEqual(m.warnings.count, 0)
        // No final newline, an empty NAME and an empty RANGES section.
        let bare = try parseMPS("NAME\nROWS\n N obj\n L c\nCOLUMNS\n x obj 1 c 1\nRHS\n RHS c 2\nRANGES\nENDATA")
        XCTAssertEqual(bare.name, "")
        XCTAssertEqual(bare.rows[0].upper, 2)
        // A missing ENDATA is read, with a warning.
        let cut = try parseMPS("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\n")
        XCTAssertTrue(cut.warnings.first?.message.contains("no ENDATA") == true)
    }

    func canonicalMPS(_ m: MPSFile) -> String {
        let f = m.standardForm()
        return "\(f.columnNames) \(f.columnLower) \(f.columnUpper) \(f.objective) \(f.rowNames) \(f.rowLower) \(f.rowUpper) \(f.columnIndex) \(f.values) \(f.isInteger)"
    }

    // MARK: - Bad input

    func testBadInputIsAPositionedDiagnostic() {
        let base = "NAME b\nROWS\n N obj\n L c\nCOLUMNS\n x obj 1 c 1\n"
        let cases: [(String, String)] = [
            (base + "SOS\n S1 SOS\nENDATA\n", "t.mps:7:1: error: unsupported MPS section 'SOS'"),
            (base + "RHS\n RHS c 1.2.3\nENDATA\n", "t.mps:8:8: error: '1.2.3' is not a number (right-hand side)"),
            (base + "RHS\n RHS c nan\nENDATA\n", "t.mps:8:8: error: 'nan' is not a number"),
            (base + "RHS\n RHS c inf\nENDATA\n", "t.mps:8:8: error: 'inf' is not a number"),
            (base + " y obj 1e30\nENDATA\n", "t.mps:7:8: error: the coefficient 1e30 is infinite"),
            (base + "BOUNDS\n UP BND w 3\nENDATA\n", "t.mps:8:9: error: unknown column 'w' (COLUMNS does not declare it)"),
            (base + " y obj 1 d 2\nENDATA\n", "t.mps:7:10: error: unknown row 'd' (ROWS does not declare it)"),
            (base + " y obj 1\n x c 2\nENDATA\n", "t.mps:8:2: error: the entries of column 'x' are split"),
            (base + " x c 2\nENDATA\n", "t.mps:7:4: error: column 'x' has two entries in row 'c'"),
            (base + "BOUNDS\n SC BND x 3\nENDATA\n", "t.mps:8:2: error: unsupported bound type 'SC'"),
            (base + "BOUNDS\n LO BND x 1e30\nENDATA\n", "t.mps:8:11: error: the lower bound 1e30 of 'x' is infinite on its binding side"),
            (base + "BOUNDS\n UP BND x\nENDATA\n", "t.mps:8:9: error: the UP bound of 'x' has no value"),
            ("NAME b\nROWS\n X c\nENDATA\n", "t.mps:3:2: error: unknown row type 'X'"),
            (" x obj 1\n", "t.mps:1:2: error: a data line before any section"),
            (base + "RHS\n RHS c 1\n RHS c 2\nENDATA\n", "t.mps:9:6: error: a second RHS entry for row 'c'"),
            (base + "BOUNDS\n LO BND x 5\n UP BND x 3\nENDATA\n", "t.mps:6:2: error: column 'x' has lower bound 5 above its upper bound 3"),
        ]
        for (text, expected) in cases {
            let message = diagnostic { _ = try parseMPS(text) }
            XCTAssertTrue(message.hasPrefix(expected), "\(message)\n-- expected: \(expected)")
            // The line is quoted, with a caret.
            XCTAssertTrue(message.contains("\n    ") && message.contains("^"), message)
        }
    }

    func testLargeFileIsReadWithoutRecursion() throws {
        // 200 000 columns in one row: one loop, no recursion, in bounded time.
        var text = "NAME big\nROWS\n N obj\n L c\nCOLUMNS\n"
        for j in 0..<200_000 { text += " x\(j) obj 1 c 1\n" }
        text += "RHS\n RHS c 1\nENDATA\n"
        let m = try parseMPS(text)
        XCTAssertEqual(m.columns.count, 200_000)
        XCTAssertEqual(m.rows[0].coefficients.count, 200_000)
    }
}
