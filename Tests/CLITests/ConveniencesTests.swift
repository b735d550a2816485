import Blomodel
import Foundation
import XCTest

/// The command line's conveniences (issue 9, item 5): `--version`, `-` for standard input, the
/// stopped-early line, `--quiet` and `--verbose`, shell completion.
final class ConveniencesTests: XCTestCase {
    /// A new empty directory under the temporary directory.
    func temporaryDirectory() throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("blomodel-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The JSON report without the lines that differ between two runs of the same model (the
    /// timing) or between a file and standard input (the model's name).
    func comparable(_ json: String) -> String {
        DeterminismTests.withoutTiming(json).split(separator: "\n").filter { !$0.hasPrefix("  \"model\": ") }.joined(separator: "\n")
    }

    // MARK: --version

    func testVersionFlagPrintsTheLibraryVersion() throws {
        let r = try blomodel(["--version"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "blomodel \(BlomodelVersion.current)\n")
        XCTAssertTrue(BlomodelVersion.current.split(separator: ".").count == 3, BlomodelVersion.current)
        let json = try blomodel(["solve", "Models/literature/liu_hart_1994.blo", "--json"])
        XCTAssertEqual(json.status, 0, json.err)
        XCTAssertTrue(json.out.hasPrefix("{\n  \"schema_version\": 1,\n  \"blomodel_version\": \"\(BlomodelVersion.current)\",\n"), json.out)
    }

    // MARK: - as the model file

    func testModelFromStandardInputGivesTheSameReportAsItsFile() throws {
        let path = "Models/literature/bard_1991_ex2.blo"
        let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        let fromFile = try blomodel(["solve", path, "--json"]), fromInput = try blomodel(["solve", "-", "--json"], input: text)
        XCTAssertEqual(fromFile.status, 0, fromFile.err)
        XCTAssertEqual(fromInput.status, fromFile.status, fromInput.err)
        XCTAssertEqual(comparable(fromInput.out), comparable(fromFile.out))
        XCTAssertTrue(fromInput.out.contains("\"model\": \"<stdin>\""), fromInput.out)
        let textReport = try blomodel(["solve", "-"], input: text)
        XCTAssertEqual(textReport.status, 0, textReport.err)
        XCTAssertTrue(textReport.out.hasPrefix("model          <stdin>\n"), textReport.out)
        let check = try blomodel(["check", "-"], input: text), checkFile = try blomodel(["check", path])
        XCTAssertEqual(check.status, 0, check.err)
        XCTAssertEqual(check.out.split(separator: "\n").dropFirst(), checkFile.out.split(separator: "\n").dropFirst())
    }

    /// Diagnostics name `<stdin>` and quote the text read, never a file of that name: a file
    /// called `<stdin>` in the working directory holds other text.
    func testErrorsOnStandardInputArePositionedAtStdin() throws {
        let dir = try temporaryDirectory()
        try "this is not the model\nnor is this line\nor this one\n".write(to: dir.appendingPathComponent("<stdin>"), atomically: true, encoding: .utf8)
        let bad = "upper { var x >= 0; minimize F: x + yy; }\nlower { var y >= 0; minimize f: y; c: y >= x; }\n"
        for command in ["solve", "check"] {
            let r = try blomodel([command, "-"], input: bad, currentDirectory: dir)
            XCTAssertEqual(r.status, 1, r.err)
            XCTAssertTrue(r.err.contains("<stdin>:1:37: error: unknown name 'yy'"), r.err)
            XCTAssertTrue(r.err.contains("    upper { var x >= 0; minimize F: x + yy; }\n" + String(repeating: " ", count: 40) + "^~"), r.err)
            XCTAssertTrue(r.err.contains("note: did you mean 'y'?"), r.err)
        }
        // An error raised after parsing (the classification), quoted by the passes from "the file".
        let nonconvex = "upper { var x >= 0; minimize F: x; }\nlower { var y >= 0;\n  minimize f: -y*y; c: y >= x; }\n"
        for command in ["solve", "check"] {
            let r = try blomodel([command, "-"], input: nonconvex, currentDirectory: dir)
            XCTAssertEqual(r.status, 1, r.err)
            XCTAssertTrue(r.err.contains("<stdin>:3:"), r.err)
            XCTAssertTrue(r.err.contains("    minimize f: -y*y; c: y >= x; }"), r.err)
            XCTAssertFalse(r.err.contains("or this one"), r.err)
        }
        // A warning (a huge bound treated as infinite) quotes standard input too.
        let huge = "upper { var x >= 0, <= 1e20; minimize F: -x; }\nlower { var y >= 0; minimize f: y; c: y >= x; d: y <= 3; }\n"
        let w = try blomodel(["check", "-"], input: huge, currentDirectory: dir)
        XCTAssertTrue(w.err.contains("<stdin>:1:"), w.err)
        XCTAssertTrue(w.err.contains("warning:"), w.err)
        XCTAssertTrue(w.err.contains("    upper { var x >= 0, <= 1e20;"), w.err)
    }

    /// CSV paths of a model read from standard input are relative to the working directory; an
    /// `--output` file named `<stdin>` is an ordinary file, a data file the model reads is refused.
    func testCSVPathsOfStandardInputAreRelativeToTheWorkingDirectory() throws {
        let dir = try temporaryDirectory()
        for f in ["arcs.csv", "commodities.csv"] {
            try FileManager.default.copyItem(at: root.appendingPathComponent("Models/classic/toll/\(f)"), to: dir.appendingPathComponent(f))
        }
        let model = try String(contentsOf: root.appendingPathComponent("Models/classic/toll/toll.blo"), encoding: .utf8)
        let r = try blomodel(["solve", "-"], input: model, currentDirectory: dir)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("revenue = 75"), r.out)
        // From the repository root the CSV files are not found: positioned at <stdin>.
        let missing = try blomodel(["solve", "-"], input: model)
        XCTAssertEqual(missing.status, 1, missing.err)
        XCTAssertTrue(missing.err.contains("<stdin>:16:"), missing.err)
        XCTAssertTrue(missing.err.contains("cannot read CSV file 'arcs.csv'"), missing.err)
        XCTAssertTrue(missing.err.contains("to the current directory for a model read from standard input"), missing.err)
        // --output: `<stdin>` is not the model; the data file is.
        let named = try blomodel(["solve", "-", "--output", "<stdin>"], input: model, currentDirectory: dir)
        XCTAssertEqual(named.status, 0, named.err)
        XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("<stdin>"), encoding: .utf8).contains("revenue = 75"))
        let data = try blomodel(["solve", "-", "--output", "arcs.csv"], input: model, currentDirectory: dir)
        XCTAssertEqual(data.status, 1, data.err)
        XCTAssertTrue(data.err.contains("refusing to write the report to 'arcs.csv': it is a data file the model reads"), data.err)
    }

    // MARK: the stopped-early line

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    /// A node limit on the M-free search: its bound (no M, so a bound on the bilevel optimum),
    /// the incumbent and the gap, in the text and the JSON.
    func testNodeLimitReportsBoundIncumbentAndGap() throws {
        let arguments = ["solve", "Models/literature/liu_hart_1994_free.blo", "--route", "branch-and-bound", "--node-limit", "2"]
        let text = try blomodel(arguments)
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("\nstopped        node limit; best bound -17, incumbent -16, gap 6.25%\n"), text.out)
        let report = try json(try blomodel(arguments + ["--json"]).out)
        XCTAssertEqual(report["termination"] as? String, "node_limit")
        XCTAssertEqual(report["best_bound"] as? Double, -17)
        XCTAssertEqual(report["best_bound_validity"] as? String, "bilevel")
        XCTAssertEqual(try XCTUnwrap(report["relative_gap"] as? Double), 0.0625, accuracy: 1e-12)
        // A completed run: bound and incumbent agree, and no stopped line.
        let done = try blomodel(["solve", "Models/literature/liu_hart_1994.blo"])
        XCTAssertFalse(done.out.contains("stopped "), done.out)
        let doneJSON = try json(try blomodel(["solve", "Models/literature/liu_hart_1994.blo", "--json"]).out)
        XCTAssertEqual(doneJSON["best_bound"] as? Double, -16)
        XCTAssertEqual(doneJSON["relative_gap"] as? Double, 0)
    }

    /// The hard instance stopped by a time limit: the M-free search knows no bound (open nodes
    /// with unbounded relaxations) and says so; GLPK's and CBC's MIP searches report theirs, which
    /// bound the big-M program only (default Ms), and the report says that too.
    func testTimeLimitOnTheHardInstanceReportsTheBoundOrItsAbsence() throws {
        let hard = "Tests/Fixtures/hard_bilevel_lp.blo"
        let free = try blomodel(["solve", hard, "--time-limit", "1.5"])
        XCTAssertEqual(free.status, 0, free.err)
        XCTAssertTrue(free.out.contains("\nstopped        time limit; incumbent -"), free.out)
        XCTAssertTrue(free.out.contains(", no bound known, so the gap is unknown\n"), free.out)
        let freeJSON = try json(try blomodel(["solve", hard, "--time-limit", "1.5", "--json"]).out)
        XCTAssertEqual(freeJSON["termination"] as? String, "time_limit")
        XCTAssertTrue(freeJSON["best_bound"] is NSNull)
        XCTAssertTrue(freeJSON["relative_gap"] is NSNull)
        for solver in ["glpk", "cbc"] {
            let arguments = ["solve", hard, "--time-limit", "1.5", "--route", "exact-kkt", "--solver", solver]
            let text = try blomodel(arguments)
            XCTAssertEqual(text.status, 0, text.err)
            XCTAssertTrue(text.out.contains("\nstopped        time limit; best bound -"), text.out)
            XCTAssertTrue(text.out.contains("(of the big-M program only: its default Ms are not proven"), text.out)
            let report = try json(try blomodel(arguments + ["--json"]).out)
            XCTAssertEqual(report["termination"] as? String, "time_limit", solver)
            let bound = try XCTUnwrap(report["best_bound"] as? Double, solver)
            let incumbent = try XCTUnwrap((report["leader"] as? [String: Any])?["objective"] as? Double, solver)
            XCTAssertLessThan(bound, incumbent, solver)
            XCTAssertEqual(report["best_bound_validity"] as? String, "big_m_program", solver)
            XCTAssertGreaterThan(try XCTUnwrap(report["relative_gap"] as? Double, solver), 0)
        }
        // A node limit after the big-M seed (half of the time limit): no bound, a stopped line.
        let nodes = try blomodel(["solve", hard, "--node-limit", "5", "--time-limit", "4"])
        XCTAssertEqual(nodes.status, 0, nodes.err)
        XCTAssertTrue(nodes.out.contains("\nstopped        node limit; incumbent "), nodes.out)
    }

    // MARK: --quiet and --verbose

    /// A model with a warning (a bound of 1e20 treated as infinite).
    let warned = "upper { var x >= 0, <= 1e20; minimize F: -x; }\nlower { var y >= 0; minimize f: y; c: y >= x; d: y <= 3; }\n"

    func testQuietPrintsOnlyErrors() throws {
        for command in ["solve", "check"] {
            let loud = try blomodel([command, "-"], input: warned)
            XCTAssertEqual(loud.status, 0, loud.err)
            XCTAssertTrue(loud.err.contains("warning: the upper bound"), loud.err)
            let quiet = try blomodel([command, "-", "--quiet"], input: warned)
            XCTAssertEqual(quiet.status, 0, quiet.err)
            XCTAssertEqual(quiet.err, "", command)
            XCTAssertEqual(DeterminismTests.withoutTiming(quiet.out), DeterminismTests.withoutTiming(loud.out), "--quiet changes standard error only")
            // Errors are still printed.
            let bad = try blomodel([command, "-", "--quiet"], input: "upper { var x >= 0; minimize F: x + yy; }\nlower { var y >= 0; minimize f: y; c: y >= x; }\n")
            XCTAssertEqual(bad.status, 1)
            XCTAssertTrue(bad.err.contains("<stdin>:1:37: error: unknown name 'yy'"), bad.err)
        }
        // No progress lines either (--verbose shows them for the same run).
        let hard = try blomodel(["solve", "Tests/Fixtures/hard_bilevel_lp.blo", "--time-limit", "1.5", "--quiet"])
        XCTAssertEqual(hard.status, 0, hard.err)
        XCTAssertEqual(hard.err, "")
        XCTAssertEqual(try blomodel(["solve", "Models/literature/liu_hart_1994.blo", "--quiet", "--verbose"]).status, 64)
        XCTAssertEqual(try blomodel(["solve", "Models/literature/liu_hart_1994.blo", "--quiet", "--json", "--explain"]).status, 64)
    }

    func testVerboseSaysWhatEachStepDid() throws {
        let r = try blomodel(["solve", "Tests/Fixtures/hard_bilevel_lp.blo", "--time-limit", "1.5", "--verbose"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.err.split(separator: "\n").map(String.init)
        for step in [
            "] parse: hard_bilevel_lp: 30 variable(s), 30 constraint(s), 0 warning(s) in ", "] classification: bilevel LP",
            "] reformulation: 162 rows, 138 columns, 54 binaries; 54 complementarity pair(s): 0 proven M, 0 user-given, 54 default, in ",
            "] plan 1: kkt: ", "] route: branch-and-bound: 54 pair(s) have no proven M", "] solver choice: cbc (automatic: CBC was faster on every program of this class", "] solver: cbc MILP, 162 rows x 138 columns (54 integer): ",
            "] solver: glpk ", "] branch-and-bound finished: timeLimit", "] verification: optimal: ", "] certification: feasible (termination time_limit)",
        ] {
            XCTAssertTrue(lines.contains { $0.contains(step) }, "no line with \"\(step)\" in:\n\(r.err)")
        }
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("[") || $0.hasPrefix("branch-and-bound: ") }, r.err)
        // Progress lines from the start of the search, not only after three seconds.
        XCTAssertTrue(lines.contains { $0.hasPrefix("branch-and-bound: 1 nodes, ") }, r.err)
        // The report itself is unchanged.
        XCTAssertTrue(r.out.hasPrefix("model          hard_bilevel_lp\n"), r.out)
        let check = try blomodel(["check", "Models/literature/liu_hart_1994.blo", "--verbose"])
        XCTAssertEqual(check.status, 0, check.err)
        for step in ["] parse: liu_hart_1994: ", "] description: bilevel LP in ", "] big-M proofs: 4 complementarity pair(s), 4 proven in ", "] route: exact-kkt"] {
            XCTAssertTrue(check.err.contains(step), "no \"\(step)\" in:\n\(check.err)")
        }
    }

    // MARK: shell completion

    /// ArgumentParser's completion scripts name the subcommands, the options and their values.
    func testCompletionScriptsNameTheSubcommandsAndOptions() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try blomodel(["--generate-completion-script", shell])
            XCTAssertEqual(r.status, 0, "\(shell): \(r.err)")
            for word in ["solve", "check", "time-limit", "node-limit", "json", "quiet", "verbose", "exact-kkt", "glpk", "cbc", "blo"] {
                XCTAssertTrue(r.out.contains(word), "\(shell) completion does not mention \(word)")
            }
        }
        let bash = try blomodel(["--generate-completion-script", "bash"])
        XCTAssertTrue(bash.out.hasPrefix("#!/bin/bash"), bash.out)
        XCTAssertTrue(bash.out.contains("--time-limit"), bash.out)
        XCTAssertTrue(bash.out.contains("complete -"), bash.out)
        XCTAssertEqual(try blomodel(["--generate-completion-script", "tcsh"]).status, 64)
    }
}
