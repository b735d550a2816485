import Blomodel
import Foundation
import XCTest

/// Runs an external solver with a time limit of its own; the test fails, naming the Debian
/// package, when the program is not installed.
func runSolver(_ program: String, _ arguments: [String], in dir: URL) throws -> (status: Int32, out: String) {
    let package = program == "glpsol" ? "glpk-utils" : "coinor-cbc"
    let path = ["/usr/bin/", "/usr/local/bin/", "/bin/"].map { $0 + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let path else {
        struct Missing: Error, CustomStringConvertible { var description: String }
        throw Missing(description: "\(program) is not installed: install the Debian package \(package) (apt-get install \(package); 'make test' does)")
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    p.currentDirectoryURL = dir
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

final class ExportTests: XCTestCase {
    /// The models the exact route refuses (beyond the quadratic class, or an indefinite leader):
    /// the gradient methods take them. Listed, not skipped.
    static let refused: Set<String> = [
        "stackelberg_cournot", "cccp_bo_synthetic", "colson_2002_bipa1", "mitsos_barton_2007_ex310", "mitsos_barton_2007_ex319",
        "nonsmooth_hyperobjective", "ye_zhu_2010_ex42",
    ]

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("blomodel-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func modelFiles() -> [String] {
        let models = root.appendingPathComponent("Models")
        let walker = FileManager.default.enumerator(atPath: models.path)!
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".blo") }.sorted().map { models.appendingPathComponent($0).path }
    }

    /// Every model of `Models/` the exact route takes is exported to MPS and LP; every exported
    /// MILP (25 without a quadratic objective) is solved by glpsol and by cbc from both files (4
    /// solves each, under a second in all), the solution files are read back, and the optimum
    /// agrees with blomodel's own solve of that route (GLPK); then `solve --solution` of each file
    /// verifies with the own solve's certification. The quadratic exports (a quadratic leader
    /// objective: QUADOBJ, `[ ] / 2`) are checked for their sections here; glpsol reads no
    /// quadratic objective and cbc's standalone solver ignores it in branch-and-bound. The
    /// value-function program is exported and checked the same way wherever it is exact; the
    /// integer-follower models (Models/integer) have no single-level program and are refused at
    /// their first integer follower variable, as are the models beyond the exact class.
    func testEveryModelExportsAndGlpsolAndCbcAgreeWithTheOwnSolve() throws {
        let dir = try temporaryDirectory()
        var exported: [String] = [], refused: [String] = [], integerFollowers: [String] = [], valueFunction: [String] = []
        var milps = 0, quadratic = 0
        for path in modelFiles() {
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let model = try ModelLoader.load(path: path)
            let program: ExportableProgram
            do {
                program = try Blomodel.singleLevelProgram(model, route: "exact-kkt")
            } catch let d as Diagnostic {
                XCTAssertNotNil(d.location, "\(name): a refusal names its position: \(d.rendered)")
                if path.contains("/Models/integer/") { integerFollowers.append(name) } else { refused.append(name) }
                continue
            }
            exported.append(name)
            if try check(program, path: path, name: name, route: "exact-kkt", in: dir) { milps += 1 } else { quadratic += 1 }
            if let vf = try? Blomodel.singleLevelProgram(model, route: "value-function") {
                valueFunction.append(name)
                XCTAssertTrue(try check(vf, path: path, name: name + ".vf", route: "value-function", in: dir), "\(name): the value-function program is a MILP")
            }
        }
        XCTAssertEqual(Set(refused), Self.refused, "the models the exact route refuses")
        XCTAssertEqual(refused.count, 7)
        XCTAssertEqual(
            integerFollowers.count, modelFiles().filter { $0.contains("/Models/integer/") }.count, "every integer-follower model is refused at its position")
        XCTAssertEqual(exported.count + refused.count + integerFollowers.count, modelFiles().count, "every model is exported or listed as refused")
        XCTAssertEqual(exported.count, 39)
        XCTAssertEqual(milps, 25)
        XCTAssertEqual(quadratic, 14)
        XCTAssertEqual(valueFunction, ["interdiction"], "the models whose value-function program is exact")
    }

    /// The program read back from its MPS export equals the exported one: the same columns (bounds,
    /// integrality), rows (bounds, coefficients) and objective (linear and quadratic, with the
    /// constant carried by the fixed column `obj_constant`, which the reader keeps as a column).
    func assertSameProgram(_ read: StandardForm, _ program: ExportableProgram, _ name: String) throws {
        let f = program.form
        let extra = read.columnCount - f.columnCount
        XCTAssertEqual(extra, f.objectiveConstant != 0 ? 1 : 0, "\(name): the constant's column")
        XCTAssertEqual(read.rowCount, f.rowCount, name)
        for j in 0..<f.columnCount {
            XCTAssertEqual(read.columnLower[j], f.columnLower[j], "\(name): lower bound of column \(j)")
            XCTAssertEqual(read.columnUpper[j], f.columnUpper[j], "\(name): upper bound of column \(j)")
            XCTAssertEqual(read.isInteger[j], f.isInteger[j], "\(name): integrality of column \(j)")
            XCTAssertEqual(read.objective[j], f.objective[j], "\(name): cost of column \(j)")
        }
        if extra == 1 { XCTAssertEqual(read.objective[f.columnCount] * read.columnLower[f.columnCount], f.objectiveConstant, name) }
        XCTAssertEqual(read.rowLower, f.rowLower, name)
        XCTAssertEqual(read.rowUpper, f.rowUpper, name)
        XCTAssertEqual(read.rowStart, f.rowStart, name)
        XCTAssertEqual(read.columnIndex, f.columnIndex, name)
        XCTAssertEqual(read.values, f.values, name)
        func sorted(_ q: [StandardForm.QuadraticTerm]) -> [StandardForm.QuadraticTerm] {
            q.sorted { ($0.first, $0.second) < ($1.first, $1.second) }
        }
        XCTAssertEqual(sorted(read.quadraticObjective), sorted(f.quadraticObjective), "\(name): the quadratic objective")
    }

    /// Writes the program as MPS and LP; for a MILP, solves both files with glpsol and cbc, reads
    /// the solutions back and compares with the own solve of `route` (true), or checks the
    /// quadratic sections of a MIQP (false).
    func check(_ program: ExportableProgram, path: String, name: String, route: String, in dir: URL) throws -> Bool {
        let (mps, mpsNames) = try program.write(.mps)
        let (lp, lpNames) = try program.write(.lp)
        // Deterministic: the same bytes again.
        XCTAssertEqual(try program.write(.mps).program, mps, name)
        XCTAssertEqual(try Blomodel.singleLevelProgram(try ModelLoader.load(path: path), route: route).write(.lp).program, lp, name)
        for map in [mpsNames, lpNames] { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(map.utf8)), name) }
        let mpsURL = dir.appendingPathComponent("\(name).mps"), lpURL = dir.appendingPathComponent("\(name).lp")
        try mps.write(to: mpsURL, atomically: true, encoding: .utf8)
        try lp.write(to: lpURL, atomically: true, encoding: .utf8)
        if !program.form.quadraticObjective.isEmpty {
            XCTAssertTrue(mps.contains("\nQUADOBJ\n"), name)
            XCTAssertTrue(lp.contains("] / 2"), name)
            // glpsol reads no quadratic objective and cbc ignores it in branch-and-bound: the
            // project's own MPS reader reads the export back, and it is the same program.
            try assertSameProgram(try MPSReader.parse(SourceFile(path: mpsURL.path, text: mps)).standardForm(), program, name)
            return false
        }
        var options = BlomodelOptions()
        options.route = route
        let own = try Blomodel.solve(file: path, options: options)
        guard let leader = own.leaderObjective else {
            XCTFail("\(name): the own solve has no answer (\(own.certification))")
            return true
        }
        let files: [(String, [String])] = [
            ("\(name).mps.glpsol", ["--freemps", mpsURL.lastPathComponent, "--tmlim", "20", "-w", "\(name).mps.glpsol"]),
            ("\(name).lp.glpsol", ["--lp", lpURL.lastPathComponent, "--tmlim", "20", "-w", "\(name).lp.glpsol"]),
            ("\(name).mps.cbc", [mpsURL.lastPathComponent, "sec", "20", "solve", "solu", "\(name).mps.cbc"]),
            ("\(name).lp.cbc", [lpURL.lastPathComponent, "sec", "20", "solve", "solu", "\(name).lp.cbc"]),
        ]
        for (solution, arguments) in files {
            let solverName = solution.hasSuffix("glpsol") ? "glpsol" : "cbc"
            let run = try runSolver(solverName, arguments, in: dir)
            let url = dir.appendingPathComponent(solution)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                XCTFail("\(solution): \(solverName) wrote no solution (exit \(run.status)):\n\(run.out.suffix(2000))")
                continue
            }
            // The reader, directly: the file's optimum is the own solve's.
            let file = try SolverSolutionFile(text: text, path: url.path)
            XCTAssertEqual(file.termination, .optimal, "\(solution): \(file.statusText)")
            let layout = try program.file(solution.contains(".lp.") ? .lp : .mps)
            let point = try file.point(columns: layout.fileColumns)
            let value = program.objectiveSign * program.form.objectiveValue(Array(point.prefix(program.form.columnCount)))
            XCTAssertEqual(value, leader, accuracy: 1e-6 * max(1, abs(leader)), "\(solution): the file's optimum")
            // solve --solution: the same report, the same certification.
            var fromFile = options
            fromFile.solutionFile = url.path
            let report = try Blomodel.solve(file: path, options: fromFile)
            XCTAssertEqual(report.certification, own.certification, "\(solution): \(report.certificationReasons)")
            XCTAssertEqual(report.solver, "\(solverName) (solution file)", solution)
            XCTAssertEqual(report.leaderObjective ?? .nan, leader, accuracy: 1e-6 * max(1, abs(leader)), solution)
        }
        return true
    }
}

final class ReformulateCommandTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("blomodel-reformulate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// reformulate -> cbc -> solve --solution, through the executables; the export is byte-identical
    /// from run to run.
    func testExportSolveWithCbcAndReadBack() throws {
        let dir = try temporaryDirectory()
        let out = dir.appendingPathComponent("toll.mps").path
        let r = try blomodel(["reformulate", "Models/classic/toll/toll.blo", "--route", "exact-kkt", "-o", out])
        XCTAssertEqual(r.status, 0, r.err)
        let first = try String(contentsOfFile: out, encoding: .utf8)
        let names = try String(contentsOfFile: out + ".names.json", encoding: .utf8)
        XCTAssertTrue(names.contains("\"kind\": \"complementarity_binary\""))
        XCTAssertEqual(try blomodel(["reformulate", "Models/classic/toll/toll.blo", "-o", out, "--names", dir.appendingPathComponent("n.json").path]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), first, "deterministic")
        XCTAssertEqual(try String(contentsOfFile: dir.appendingPathComponent("n.json").path, encoding: .utf8), names)
        _ = try runSolver("cbc", ["toll.mps", "solve", "solu", "toll.sol"], in: dir)
        let s = try blomodel(["solve", "Models/classic/toll/toll.blo", "--solution", dir.appendingPathComponent("toll.sol").path, "--json"])
        XCTAssertEqual(s.status, 0, s.err)
        let object = try JSONSerialization.jsonObject(with: Data(s.out.utf8)) as! [String: Any]
        XCTAssertEqual(object["solver"] as? String, "cbc (solution file)")
        XCTAssertEqual((object["leader"] as! [String: Any])["objective"] as? Double, 75)
        XCTAssertNotNil(object["certification"] as? String)
    }

    func testBadRoutesAndFormats() throws {
        let dir = try temporaryDirectory()
        let out = dir.appendingPathComponent("m.lp").path
        let unknown = try blomodel(["reformulate", "Models/literature/liu_hart_1994.blo", "--route", "exact-ktk", "-o", out])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.err.contains("error: unknown route 'exact-ktk'") && unknown.err.contains("did you mean 'exact-kkt'?"), unknown.err)
        let bb = try blomodel(["reformulate", "Models/literature/liu_hart_1994.blo", "--route", "branch-and-bound", "-o", out])
        XCTAssertEqual(bb.status, 1)
        XCTAssertTrue(bb.err.contains("the M-free branch-and-bound solves a sequence of programs; export exact-kkt instead"), bb.err)
        let gradient = try blomodel(["reformulate", "Models/literature/liu_hart_1994.blo", "--route", "gradient-methods", "-o", out])
        XCTAssertEqual(gradient.status, 1)
        XCTAssertTrue(gradient.err.contains("no program to export"), gradient.err)
        let format = try blomodel(["reformulate", "Models/literature/liu_hart_1994.blo", "-o", dir.appendingPathComponent("m.txt").path])
        XCTAssertNotEqual(format.status, 0)
        XCTAssertTrue(format.err.contains("name it .mps or .lp"), format.err)
        let refused = try blomodel(["reformulate", "Models/nonlinear/ye_zhu_2010_ex42/ye_zhu_2010_ex42.blo", "-o", out])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("ye_zhu_2010_ex42.blo:17:16: error:"), refused.err)
        let overwrite = try blomodel(["reformulate", "Models/literature/liu_hart_1994.blo", "-o", "Models/literature/liu_hart_1994.blo", "--format", "lp"])
        XCTAssertEqual(overwrite.status, 1)
        XCTAssertTrue(overwrite.err.contains("refusing to write"), overwrite.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// A solution file with a missing column, a NaN or junk: a positioned diagnostic, exit 1.
    func testBadSolutionFiles() throws {
        let dir = try temporaryDirectory()
        let model = "Models/literature/liu_hart_1994.blo"
        XCTAssertEqual(try blomodel(["reformulate", model, "-o", dir.appendingPathComponent("m.mps").path]).status, 0)
        _ = try runSolver("glpsol", ["--freemps", "m.mps", "-w", "m.sol"], in: dir)
        let good = try String(contentsOf: dir.appendingPathComponent("m.sol"), encoding: .utf8)
        let ok = try blomodel(["solve", model, "--solution", dir.appendingPathComponent("m.sol").path])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(ok.out.contains("certification  proven_optimal"), ok.out)
        let cases: [(String, String, String)] = [
            ("missing", good.replacingOccurrences(of: "\nj 2 ", with: "\nc 2 "), ":1: error: column 2 ('y') is missing"),
            ("nan", good.replacingOccurrences(of: "\nj 1 4\n", with: "\nj 1 nan\n"), ":5: error: the value of column 1 is not a finite number: 'nan'"),
            ("junk", good + "garbage here\n", "error: text after the end line 'e o f'"),
            ("wrong", "Optimal - objective value -16\n 0 x 4 0\n 1 y 3 0\n", "error: the file's point violates"),
        ]
        for (name, text, expected) in cases {
            let path = dir.appendingPathComponent("\(name).sol").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let r = try blomodel(["solve", model, "--solution", path])
            XCTAssertEqual(r.status, 1, "\(name): \(r.err)")
            XCTAssertTrue(r.err.contains(path) && r.err.contains(expected), "\(name): \(r.err)")
            XCTAssertTrue(r.err.contains("^"), "\(name): the line is quoted with a caret: \(r.err)")
        }
        let bb = try blomodel(["solve", model, "--solution", dir.appendingPathComponent("m.sol").path, "--route", "branch-and-bound"])
        XCTAssertEqual(bb.status, 1)
        XCTAssertTrue(bb.err.contains("export exact-kkt instead"), bb.err)
        let absent = try blomodel(["solve", model, "--solution", dir.appendingPathComponent("none.sol").path])
        XCTAssertEqual(absent.status, 1)
        XCTAssertTrue(absent.err.contains("cannot read the solution file"), absent.err)
    }
}
