import BlomodelCore
import SolverInterface
import XCTest

@testable import ModelFormats

final class NamesTests: XCTestCase {
    func testSanitisingPerFormat() {
        XCTAssertEqual(FileNames.sanitize("x[1,A]", for: .lp), "x(1,A)")
        XCTAssertEqual(FileNames.sanitize("x[1,A]", for: .mps), "x[1,A]")
        XCTAssertEqual(FileNames.sanitize("a b$c'd", for: .mps), "a_b_c_d")
        XCTAssertEqual(FileNames.sanitize("a b<c>", for: .lp), "a_b_c_")
        XCTAssertEqual(FileNames.sanitize("2x", for: .lp), "_2x")
        XCTAssertEqual(FileNames.sanitize(".x", for: .lp), "_.x")
        XCTAssertEqual(FileNames.sanitize("e1", for: .lp), "_e1")
        XCTAssertEqual(FileNames.sanitize("E-x", for: .lp), "E_x", "- is not allowed; E then _ is no exponent")
        XCTAssertEqual(FileNames.sanitize("ex", for: .lp), "ex")
        XCTAssertEqual(FileNames.sanitize("free", for: .lp), "_free")
        XCTAssertEqual(FileNames.sanitize("free", for: .mps), "free")
        XCTAssertEqual(FileNames.sanitize("", for: .mps), "_")
        XCTAssertEqual(FileNames.sanitize(String(repeating: "a", count: 300), for: .lp).count, 255)
    }

    func testUniqueNamesGetDeterministicSuffixes() {
        XCTAssertEqual(FileNames.unique(["a b", "a_b", "a_b_2", "a b"], for: .mps), ["a_b", "a_b_3", "a_b_2", "a_b_4"])
        XCTAssertEqual(FileNames.unique(["obj", "x"], for: .lp, reserved: ["obj"]), ["obj_2", "x"])
        let long = String(repeating: "y", count: 300)
        let names = FileNames.unique([long, long], for: .lp)
        XCTAssertEqual(names[1].count, 255)
        XCTAssertTrue(names[1].hasSuffix("_2"))
        XCTAssertNotEqual(names[0], names[1])
    }
}

final class WriterTests: XCTestCase {
    /// min 1.5 x - y[1] + 2 + x^2 + 3 x y[1]: x integer in [0, 5], y[1] free, b binary, w <= -1;
    /// r1: x + y[1] >= 1, r2: -2 <= x - b <= 4, e: w = -3.
    func sample() -> StandardForm {
        var f = StandardForm()
        f.addColumn(name: "x", lower: 0, upper: 5, cost: 1.5, integer: true)
        f.addColumn(name: "y[1]", lower: -.infinity, upper: .infinity, cost: -1)
        f.addColumn(name: "b", lower: 0, upper: 1, integer: true)
        f.addColumn(name: "w", lower: -.infinity, upper: -1)
        f.objectiveConstant = 2
        f.quadraticObjective = [.init(0, 0, 1), .init(1, 0, 3)]
        f.addRow(name: "r1", entries: [(0, 1), (1, 1)], lower: 1, upper: .infinity)
        f.addRow(name: "r2", entries: [(0, 1), (2, -1)], lower: -2, upper: 4)
        f.addRow(name: "e", entries: [(3, 1)], lower: -3, upper: -3)
        return f
    }

    func testMPSGolden() throws {
        let text = try ProgramFile(sample(), format: .mps, title: "sample").text(comments: ["c"])
        XCTAssertEqual(
            text,
            """
            * c
            NAME sample FREE
            ROWS
             N obj
             G r1
             G r2
             E e
            COLUMNS
             MARKER 'MARKER' 'INTORG'
             x obj 1.5
             x r1 1
             x r2 1
             MARKER 'MARKER' 'INTEND'
             y[1] obj -1
             y[1] r1 1
             MARKER 'MARKER' 'INTORG'
             b r2 -1
             MARKER 'MARKER' 'INTEND'
             w e 1
             obj_constant obj 2
            RHS
             RHS r1 1
             RHS r2 -2
             RHS e -3
            RANGES
             RNG r2 6
            BOUNDS
             LO BND x 0
             UP BND x 5
             FR BND y[1]
             BV BND b
             MI BND w
             UP BND w -1
             FX BND obj_constant 1
            QUADOBJ
             x x 2
             x y[1] 3
            ENDATA

            """)
    }

    func testLPGolden() throws {
        let text = try ProgramFile(sample(), format: .lp).text()
        XCTAssertEqual(
            text,
            """
            Minimize
             obj: 1.5 x - 1 y(1) + 0 b + 0 w + 2 obj_constant + [ 2 x ^ 2 + 6 x * y(1) ] / 2
            Subject To
             r1: 1 x + 1 y(1) >= 1
             r2_lo: 1 x - 1 b >= -2
             r2_up: 1 x - 1 b <= 4
             _e: 1 w = -3
            Bounds
             0 <= x <= 5
             y(1) free
             -inf <= w <= -1
             obj_constant = 1
            General
             x
            Binary
             b
            End

            """)
    }

    func testNumbersRoundTripAndNoConstantColumnWithoutAConstant() throws {
        var f = StandardForm()
        f.addColumn(name: "x", lower: 1.0 / 3, upper: 1e13, cost: 0.1)
        f.addRow(name: "obj", entries: [(0, 3.1111111111111112)], lower: -.infinity, upper: 28.0 / 9)
        let mps = try ProgramFile(f, format: .mps).text()
        XCTAssertTrue(mps.contains(" x obj 0.1\n"), mps)
        XCTAssertTrue(mps.contains(" L obj_2\n"), "a row named like the objective gets a suffix")
        XCTAssertTrue(mps.contains(" LO BND x 0.3333333333333333\n"), mps)
        XCTAssertFalse(mps.contains("UP BND x"), "an upper bound of 1e13 is no bound")
        XCTAssertFalse(mps.contains("obj_constant"))
        XCTAssertEqual(Double("0.3333333333333333"), 1.0 / 3)
        XCTAssertEqual(ProgramFile.number(-0.0), "0")
        XCTAssertEqual(ProgramFile.number(1e-7), "1e-07")
    }

    func testInvalidDataIsRefusedBeforeWriting() {
        var f = StandardForm()
        f.addColumn(name: "x", lower: 0, upper: 1, cost: .nan)
        XCTAssertThrowsError(try ProgramFile(f, format: .lp))
    }

    func testNameMapJSON() throws {
        let file = try ProgramFile(sample(), format: .lp)
        let map = NameMap(
            file: file, model: "m", route: "exact-kkt", routeDescription: "d", leaderObjective: "F", leaderSense: "maximize", objectiveSign: -1,
            columnOrigins: (0..<4).map { .init(kind: "variable", modelName: "v\($0)", description: "variable \"v\($0)\"") },
            rowOrigins: (0..<3).map { .init(kind: "leader_constraint", modelName: "c\($0)", description: "c", attributes: [("pair", .int($0))]) })
        let object = try JSONSerialization.jsonObject(with: Data(map.json.utf8)) as! [String: Any]
        let objective = object["objective"] as! [String: Any]
        XCTAssertEqual(objective["sign"] as? Double, -1)
        XCTAssertEqual(objective["constant_column"] as? String, "obj_constant")
        let columns = object["columns"] as! [[String: Any]], rows = object["rows"] as! [[String: Any]]
        XCTAssertEqual(columns.count, 5)
        XCTAssertEqual(columns[1]["name"] as? String, "y(1)")
        XCTAssertEqual(columns[1]["description"] as? String, "variable \"v1\"")
        XCTAssertEqual(rows.count, 4, "the ranged row is two rows of the LP file")
        XCTAssertEqual(rows[2]["range_side"] as? String, "upper")
        XCTAssertEqual(rows[2]["model_name"] as? String, "c1")
    }
}

final class SolutionFileTests: XCTestCase {
    let columns = ["x", "y(1)", "b"]

    func testCBCSolution() throws {
        let text = "Optimal - objective value -16.00000000\n      0 x   4   0\n**    2 b   1   0.5\n"
        let s = try SolverSolutionFile(text: text, path: "s.sol")
        XCTAssertEqual(s.solver, "cbc")
        XCTAssertEqual(s.termination, .optimal)
        XCTAssertEqual(s.objective, -16)
        XCTAssertEqual(try s.point(columns: columns), [4, 0, 1], "cbc leaves out zero columns")
        XCTAssertEqual(s.omittedColumns(columns), 1)
        let stopped = try SolverSolutionFile(text: "Stopped on time (no integer solution - continuous used) - objective value 3\n 0 x 1 0\n", path: "s")
        XCTAssertEqual(stopped.termination, .timeLimit)
        XCTAssertFalse(stopped.hasPoint)
        XCTAssertEqual(try SolverSolutionFile(text: "Stopped on iterations - objective value 3\n", path: "s").termination, .nodeLimit)
        XCTAssertEqual(try SolverSolutionFile(text: "Integer infeasible - objective value 3\n", path: "s").termination, .infeasible)
        // printingOptions all: rows first, numbered from 0, then the columns.
        let all = try SolverSolutionFile(text: "Optimal - objective value 1\n 0 r1 5 0\n 1 r2 6 0\n 0 x 1 0\n 1 y(1) 2 0\n 2 b 0 0\n", path: "s")
        XCTAssertEqual(try all.point(columns: columns), [1, 2, 0])
    }

    func testGlpsolRawSolutions() throws {
        let mip = "c Problem: p\nc Status:     INTEGER OPTIMAL\ns mip 1 3 o -12\ni 1 0\nj 1 0\nj 2 2.5\nj 3 1\ne o f\n"
        let s = try SolverSolutionFile(text: mip, path: "g.sol")
        XCTAssertEqual(s.solver, "glpsol")
        XCTAssertEqual(s.termination, .optimal)
        XCTAssertEqual(s.statusText, "INTEGER OPTIMAL")
        XCTAssertEqual(try s.point(columns: columns), [0, 2.5, 1])
        let bas = "s bas 1 3 f f -4\ni 1 u 4 -1\nj 1 b 4 0\nj 2 l 0 1\nj 3 l 0 0\ne o f\n"
        XCTAssertEqual(try SolverSolutionFile(text: bas, path: "g").point(columns: columns), [4, 0, 0])
        XCTAssertEqual(try SolverSolutionFile(text: "s bas 1 1 f n -4\nj 1 b 4 0\ne o f\n", path: "g").termination, .unbounded)
        XCTAssertEqual(try SolverSolutionFile(text: "s mip 1 1 n 0\nj 1 0\ne o f\n", path: "g").termination, .infeasible)
        let feasible = try SolverSolutionFile(text: "s mip 1 1 f 3\nj 1 0\ne o f\n", path: "g")
        XCTAssertTrue(feasible.hasPoint)
        XCTAssertNotEqual(feasible.termination, .optimal)
    }

    /// Bad input: a positioned diagnostic with the line quoted, never a crash.
    func testBadFilesArePositioned() {
        func message(_ text: String, columns: [String]? = nil) -> String {
            do {
                let s = try SolverSolutionFile(text: text, path: "bad.sol")
                _ = try s.point(columns: columns ?? self.columns)
                return "no error"
            } catch let d as Diagnostic {
                return d.rendered
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(message("").hasPrefix("bad.sol:1:1: error: the solution file is empty"))
        XCTAssertTrue(message("hello world\n").hasPrefix("bad.sol:1:1: error: expected CBC's status line"))
        XCTAssertTrue(message("Optimal - objective value 1\n 0 x nan 0\n").hasPrefix("bad.sol:2:6: error: the value of column 'x' is not a finite number: 'nan'"), message("Optimal - objective value 1\n 0 x nan 0\n"))
        XCTAssertTrue(message("Optimal - objective value 1\n 0 x 1 0\n junk\n").hasPrefix("bad.sol:3:2: error: expected a column line"))
        XCTAssertTrue(message("Optimal - objective value 1\n 0 z 1 0\n").hasPrefix("bad.sol:2:1: error: column 'z' is not a column of the exported program"))
        XCTAssertTrue(message("Optimal - objective value 1\n 1 x 1 0\n").contains("column 'x' is number 1 in the file and 0"))
        XCTAssertTrue(message("Weird - objective value 1\n").hasPrefix("bad.sol:1:1: error: unknown CBC status 'Weird'"))
        XCTAssertTrue(message("s mip 1 3 o 0\nj 1 0\nj 3 1\ne o f\n").hasPrefix("bad.sol:1:1: error: column 2 ('y(1)') is missing"))
        XCTAssertTrue(message("s mip 1 2 o 0\nj 1 0\nj 2 1\ne o f\n").contains("the solution has 2 column(s) and the exported program 3"))
        XCTAssertTrue(message("s mip 1 1 o 0\nj 1 -inf\ne o f\n").hasPrefix("bad.sol:2:5: error: the value of column 1 is not a finite number"))
        XCTAssertTrue(message("s mip 1 1 o 0\nj 7 1\ne o f\n").hasPrefix("bad.sol:2:3: error: column number '7' is not between 1 and 1"))
        XCTAssertTrue(message("s mip 1 1 o 0\nq 7 1\n").hasPrefix("bad.sol:2:1: error: expected a line of glpsol's raw solution"))
        XCTAssertTrue(message("Problem:    p\nRows: 3\n").contains("glpsol's printable report (-o)"))
        let rendered = message("Optimal - objective value 1\n 0 x 1e400 0\n")
        XCTAssertTrue(rendered.contains("\n     0 x 1e400 0\n         ^~~~~"), rendered)
    }
}
