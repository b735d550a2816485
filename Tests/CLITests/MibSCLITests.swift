import Foundation
import XCTest

/// `blomodel solve/check` on MibS instances (`--aux`, or the aux file found as MibS finds it),
/// `blomodel convert` both ways, and bad MibS input (docs/cli.md, docs/formats.md).
final class MibSCLITests: XCTestCase {
    let fixtures = "Tests/ModelFormatsTests/Fixtures"

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("blomodel-mibs-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The leader's line of a text report: ("minimize", -16).
    func leader(_ report: String) -> (sense: String, value: Double)? {
        guard let line = report.split(separator: "\n").first(where: { $0.hasPrefix("leader ") && $0.contains(" = ") }) else { return nil }
        let words = line.split(separator: " ")
        guard let eq = words.firstIndex(of: "="), eq + 1 < words.count, let v = Double(words[eq + 1]) else { return nil }
        return (String(words[1]), v)
    }

    func testSolveAMibSInstanceWithAndWithoutAux() throws {
        let r = try blomodel(["solve", "\(fixtures)/liu_hart_1994.mps", "--aux", "\(fixtures)/liu_hart_1994.aux"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("certification  proven_optimal"), r.out)
        XCTAssertEqual(leader(r.out)?.value, -16)
        XCTAssertFalse(r.err.contains("note: reading"), r.err)
        // Without --aux: <basename>.aux, as MibS looks for it, and a note says so.
        let guessed = try blomodel(["solve", "\(fixtures)/liu_hart_1994.mps"])
        XCTAssertEqual(guessed.status, 0, guessed.err)
        XCTAssertEqual(leader(guessed.out)?.value, -16)
        XCTAssertTrue(
            guessed.err.contains("note: reading the follower's part of \(fixtures)/liu_hart_1994.mps from \(fixtures)/liu_hart_1994.aux (no --aux given"),
            guessed.err)
        // The aux file alone (its @MPS names the MPS file).
        let aux = try blomodel(["solve", "\(fixtures)/liu_hart_1994.aux", "--quiet"])
        XCTAssertEqual(leader(aux.out)?.value, -16, aux.err)
    }

    /// Integer followers (the value-function route): the knapsack interdiction fixture (5 by
    /// enumeration, Tests/ModelFormatsTests/MibSTests.swift) and MibS's own files moore90_2 (5) and
    /// linderoth (-2) and the input documentation's example (-41), stored verbatim in Models/integer with their .blo twins, which give the same.
    func testSolveIntegerFollowerMibSFiles() throws {
        let cases = [
            ("\(fixtures)/knapsack_interdiction_3.mps", "\(fixtures)/knapsack_interdiction_3.aux", 5.0),
            ("Models/integer/mibs_moore90_2/moore90_2.mps", "Models/integer/mibs_moore90_2/moore90_2.aux", 5),
            ("Models/integer/mibs_linderoth/linderoth.mps", "Models/integer/mibs_linderoth/linderoth.aux", -2),
            // MibS's input documentation: published x = 6, y = 5, F = -41.
            ("Models/integer/mibs_general_example/generalExample.mps", "Models/integer/mibs_general_example/generalExample.aux", -41),
        ]
        for (mps, aux, optimum) in cases {
            let r = try blomodel(["solve", mps, "--aux", aux])
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssertTrue(r.out.contains("certification  proven_optimal"), r.out)
            XCTAssertEqual(leader(r.out)?.value, optimum, mps)
        }
    }

    func testCheckAMibSInstance() throws {
        let r = try blomodel(["check", "\(fixtures)/liu_hart_1994.mps", "--aux", "\(fixtures)/liu_hart_1994.aux"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("class      bilevel LP"), r.out)
        XCTAssertTrue(r.out.contains("follower   minimize follower_objective; 1 variable(s), 3 constraint(s)"), r.out)
        // An integer follower is read (the routes decide what they take).
        let m = try blomodel(["check", "\(fixtures)/moore_bard_1990.mps", "--aux", "\(fixtures)/moore_bard_1990_legacy.aux"])
        XCTAssertTrue(m.out.contains("leader     minimize OBJ; 1 variable(s), 0 constraint(s)"), m.out + m.err)
        XCTAssertTrue(m.out.contains("follower variables: 0 continuous, 1 integer, 0 binary"), m.out)
    }

    func testConvertMibSToBlo() throws {
        let dir = try scratch()
        let out = dir.appendingPathComponent("moore.blo").path
        let r = try blomodel(["convert", "\(fixtures)/moore_bard_1990.aux", "-o", out])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(
            try String(contentsOfFile: out, encoding: .utf8),
            """
            # moore_bard_1990: converted by blomodel from the MibS instance moore_bard_1990.mps + moore_bard_1990.aux.
            # The leader minimises the MPS objective; the aux file gave the follower's variables, rows and objective;
            # bounds of follower variables are the follower's (declared in the lower block).
            upper {
              var x >= 0 integer;
              minimize OBJ: -x - 10*y;
            }
            lower {
              var y >= 0 integer;
              minimize follower_objective: y;
              R0: -25*x + 20*y <= 30;
              R1: x + 2*y <= 10;
              R2: 2*x - y <= 15;
              R3: 2*x + 10*y >= 15;
            }

            """)
        // A continuous-follower instance converted to .blo solves to the same optimum.
        let liu = dir.appendingPathComponent("liu.blo").path
        XCTAssertEqual(try blomodel(["convert", "\(fixtures)/liu_hart_1994.mps", "--aux", "\(fixtures)/liu_hart_1994.aux", "-o", liu]).status, 0)
        let solved = try blomodel(["solve", liu])
        XCTAssertEqual(solved.status, 0, solved.err)
        XCTAssertEqual(leader(solved.out)?.value, -16)
        // Standard output without -o.
        let printed = try blomodel(["convert", "\(fixtures)/liu_hart_1994.aux"])
        XCTAssertTrue(printed.out.contains("  c3: 4*x - y <= 12;\n"), printed.out)
    }

    /// A handful of the literature's bilevel LPs: .blo -> MibS -> solve gives the .blo optimum.
    func testBloToMibSSolvesToTheSameOptimum() throws {
        let dir = try scratch()
        let models = [
            "literature/liu_hart_1994", "literature/bard_1991_ex2", "literature/candler_townsley_1982", "literature/anandalingam_white_1990",
            "literature/bard_1984a", "literature/tuy_et_al_1993", "classic/interdiction/interdiction",
        ]
        for model in models {
            let name = (model as NSString).lastPathComponent
            let base = dir.appendingPathComponent(name).path
            let c = try blomodel(["convert", "Models/\(model).blo", "--to", "mibs", "-o", base])
            XCTAssertEqual(c.status, 0, c.err)
            XCTAssertTrue(FileManager.default.fileExists(atPath: base + ".mps") && FileManager.default.fileExists(atPath: base + ".aux"))
            let original = try blomodel(["solve", "Models/\(model).blo"])
            let converted = try blomodel(["solve", base + ".mps", "--aux", base + ".aux"])
            XCTAssertEqual(original.status, 0, original.err)
            XCTAssertEqual(converted.status, 0, converted.err)
            XCTAssertTrue(converted.out.contains("certification  proven_optimal"), model + converted.out)
            let a = try XCTUnwrap(leader(original.out), original.out), b = try XCTUnwrap(leader(converted.out), converted.out)
            // The MibS leader minimises: a maximisation comes back negated.
            XCTAssertEqual(b.sense, "minimize")
            XCTAssertEqual(a.sense == "maximize" ? -b.value : b.value, a.value, accuracy: 1e-7, model)
        }
    }

    func testConvertRefusals() throws {
        let dir = try scratch()
        // Two files need a base name.
        let noOutput = try blomodel(["convert", "Models/literature/liu_hart_1994.blo", "--to", "mibs"])
        XCTAssertEqual(noOutput.status, 1)
        XCTAssertTrue(noOutput.err.contains("give their base name with -o"), noOutput.err)
        // A quadratic model: the MibS format holds linear models, said at the term.
        let quadratic = try blomodel(["convert", "Models/literature/bard_1988_ex1.blo", "--to", "mibs", "-o", dir.appendingPathComponent("q").path])
        XCTAssertEqual(quadratic.status, 1)
        XCTAssertTrue(quadratic.err.contains("Models/literature/bard_1988_ex1.blo:"), quadratic.err)
        XCTAssertTrue(quadratic.err.contains("error: the MibS format holds linear models"), quadratic.err)
        XCTAssertTrue(quadratic.err.contains("^"), quadratic.err)
        // Never over an input.
        let copy = dir.appendingPathComponent("liu.mps").path
        try FileManager.default.copyItem(atPath: "\(root.path)/\(fixtures)/liu_hart_1994.mps", toPath: copy)
        let over = try blomodel(["convert", copy, "--aux", "\(fixtures)/liu_hart_1994.aux", "-o", copy])
        XCTAssertEqual(over.status, 1)
        XCTAssertTrue(over.err.contains("refusing to write"), over.err)
    }

    func testBadMibSInputIsPositionedAndExitsNonZero() throws {
        let dir = try scratch()
        let mps = try String(contentsOfFile: "\(root.path)/\(fixtures)/liu_hart_1994.mps", encoding: .utf8)
        func write(_ text: String, _ name: String) throws -> String {
            let p = dir.appendingPathComponent(name).path
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
        let good = try write(mps, "good.mps")
        // An aux file naming a column the MPS file lacks.
        let badAux = try write("@NUMVARS 1\n@NUMCONSTRS 1\n@VARSBEGIN\nw 1\n@VARSEND\n@CONSTRSBEGIN\nc1\n@CONSTRSEND\n", "bad.aux")
        var r = try blomodel(["solve", good, "--aux", badAux])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("bad.aux:4:1: error: 'w' is not a column of \(good)"), r.err)
        XCTAssertTrue(r.err.contains("\n    w 1\n    ^\n"), r.err)
        // A row the MPS file lacks.
        let badRow = try write("@NUMVARS 1\n@NUMCONSTRS 1\n@VARSBEGIN\ny 1\n@VARSEND\n@CONSTRSBEGIN\nc9\n@CONSTRSEND\n", "row.aux")
        r = try blomodel(["check", good, "--aux", badRow])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("row.aux:7:1: error: 'c9' is not a row of \(good)"), r.err)
        // An unsupported section and a number that is not one, in the MPS file.
        let aux = "\(root.path)/\(fixtures)/liu_hart_1994.aux"
        let sos = try write(mps.replacingOccurrences(of: "ENDATA", with: "SOS\n S1 SOS\nENDATA"), "sos.mps")
        r = try blomodel(["solve", sos, "--aux", aux])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("sos.mps:18:1: error: unsupported MPS section 'SOS'"), r.err)
        let nan = try write(mps.replacingOccurrences(of: "RHS c3 12", with: "RHS c3 1x2"), "nan.mps")
        r = try blomodel(["convert", nan, "--aux", aux])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("nan.mps:17:12: error: '1x2' is not a number (right-hand side)"), r.err)
        // CRLF line ends and tabs are fine.
        let crlf = try write(mps.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: "    ", with: "\t"), "crlf.mps")
        r = try blomodel(["solve", crlf, "--aux", aux, "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(leader(r.out)?.value, -16)
        // No aux file at all.
        r = try blomodel(["solve", good])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("no aux file for \(good): give one with --aux"), r.err)
    }
}
