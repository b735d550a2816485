import Foundation
import XCTest

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Runs a built executable of the package (debug build first, release otherwise) from the
/// repository root (or from `currentDirectory`), with `input` on its standard input (none when
/// nil), and says how it ended: by exit (with its status) or by a signal.
func runProduct(_ product: String, _ arguments: [String], input: String? = nil, currentDirectory: URL? = nil) throws
    -> (exited: Bool, status: Int32, out: String, err: String)
{
    let candidates = [".build/debug/\(product)", ".build/release/\(product)"].map { root.appendingPathComponent($0).path }
    guard let exe = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        struct NotBuilt: Error, CustomStringConvertible {
            var product: String
            var description: String { "the \(product) executable is not built (run 'make test', or 'swift build' first)" }
        }
        throw NotBuilt(product: product)
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = arguments
    p.currentDirectoryURL = currentDirectory ?? root
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let stdin = Pipe()
    p.standardInput = input == nil ? FileHandle.nullDevice : stdin
    try p.run()
    // Standard input is written, and standard error read, on their own threads: a pipe holds
    // 64 KiB, and a child blocked on a full one would never exit.
    let group = DispatchGroup()
    if let input {
        // A child that exits without reading it all must not end the tests with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        DispatchQueue.global().async(group: group) {
            try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
    }
    final class Box: @unchecked Sendable { var data = Data() }
    let e = Box()
    DispatchQueue.global().async(group: group) { e.data = err.fileHandleForReading.readDataToEndOfFile() }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return (p.terminationReason == .exit, p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e.data, as: UTF8.self))
}

/// Runs the built `blomodel`.
func blomodel(_ arguments: [String], input: String? = nil, currentDirectory: URL? = nil) throws -> (status: Int32, out: String, err: String) {
    let r = try runProduct("blomodel", arguments, input: input, currentDirectory: currentDirectory)
    return (r.status, r.out, r.err)
}

final class CLITests: XCTestCase {
    func testSolveTextReport() throws {
        let r = try blomodel(["solve", "Models/literature/liu_hart_1994.blo"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("termination    completed"))
        XCTAssertTrue(r.out.contains("certification  proven_optimal"))
        XCTAssertTrue(r.out.contains("minimize F = -16"))
    }

    func testJSONReportHasTheDocumentedKeys() throws {
        let r = try blomodel(["solve", "Models/classic/toll/toll.blo", "--json", "--solver", "cbc"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        XCTAssertEqual(object["termination"] as? String, "completed")
        XCTAssertEqual(object["certification"] as? String, "proven_optimal")
        let leader = object["leader"] as! [String: Any], follower = object["follower"] as! [String: Any]
        XCTAssertEqual(leader["objective"] as? Double, 75)
        XCTAssertNotNil((leader["variables"] as? [String: Any])?["T[1,2]"])
        XCTAssertNotNil((follower["variables"] as? [String: Any])?["x[1,1,2]"])
        XCTAssertNotNil((follower["duals"] as? [String: Any])?["balance[1,1]"])
        XCTAssertNotNil(follower["objective"] as? Double)
        let timing = object["timing"] as! [String: Any]
        for key in ["parse", "reformulation", "solver", "verification"] { XCTAssertNotNil(timing[key], key) }
    }

    func testExplainPrintsThePlanAndEveryBigM() throws {
        let r = try blomodel(["solve", "Models/literature/bard_1984a.blo", "--explain"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("plan\n  1. kkt:"))
        XCTAssertTrue(r.out.contains("compl_g1: slack <= "))
        XCTAssertTrue(r.out.contains("vertices of the follower's dual polyhedron (proven)"))
    }

    func testOutputFile() throws {
        let path = NSTemporaryDirectory() + "blomodel-report-\(UUID().uuidString).json"
        let r = try blomodel(["solve", "Models/literature/liu_hart_1994.blo", "--json", "--output", path])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("\"termination\": \"completed\""))
    }

    func testInputErrorExitsWithOneAndAPositionedMessage() throws {
        let path = NSTemporaryDirectory() + "bad-\(UUID().uuidString).blo"
        try "upper { var x >= 0; minimize F: x + yy; }\nlower { var y >= 0; minimize f: y; c: y >= x; }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let r = try blomodel(["solve", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("\(path):1:37: error: unknown name 'yy'"), r.err)
        XCTAssertTrue(r.err.contains("note: did you mean 'y'?"), r.err)
        XCTAssertTrue(r.err.contains("^~"), r.err)
        let missing = try blomodel(["solve", "no/such/file.blo"])
        XCTAssertEqual(missing.status, 1)
    }

    func testInfeasibleExitsWithTwo() throws {
        let path = NSTemporaryDirectory() + "inf-\(UUID().uuidString).blo"
        try "upper { var x >= 0, <= 1; minimize F: x; G: y >= 5; }\nlower { var y >= 0, <= 10; minimize f: y; c: y >= x; }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let r = try blomodel(["solve", path, "--json"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.out.contains("\"certification\": \"infeasible\""))
    }

    func testUsageErrors() throws {
        XCTAssertEqual(try blomodel(["solve", "Models/literature/liu_hart_1994.blo", "--solver", "cplex"]).status, 64)
        XCTAssertEqual(try blomodel(["solve", "Models/literature/liu_hart_1994.blo", "--time-limit", "-3"]).status, 64)
    }

    func testCheckSummarises() throws {
        let r = try blomodel(["check", "Models/classic/pricing/pricing.blo"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.contains("toll/pricing pattern"))
    }

    func testCheckRefusesAnUnsupportedModelWithAPosition() throws {
        let path = NSTemporaryDirectory() + "qp-\(UUID().uuidString).blo"
        try "upper { var x >= 0; minimize F: x; }\nlower { var y >= 0;\n  minimize f: -y*y; c: y >= x; }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let r = try blomodel(["check", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("\(path):3:"), r.err)
        XCTAssertTrue(r.err.contains("the follower's objective is not convex in (y)"), r.err)
    }

    func testCheckShowsHowQuadraticAndDualTermsAreHandled() throws {
        let r = try blomodel(["check", "Models/classic/strategic_producer/strategic_producer.blo"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("binary expansion of q"), r.out)
        XCTAssertTrue(r.out.contains("leader     maximize profit; 1 variable(s)"), r.out)
        let qp = try blomodel(["solve", "Models/literature/bard_1988_ex1.blo", "--json", "--oa-milp-only", "--oa-tolerance", "1e-5"])
        XCTAssertEqual(qp.status, 0, qp.err)
        XCTAssertTrue(qp.out.contains("\"outer_approximation\""), qp.out)
        XCTAssertTrue(qp.out.contains("\"converged\": true"), qp.out)
    }

    func testCheckAndExplainListTheRoutesWithReasons() throws {
        let check = try blomodel(["check", "Models/literature/liu_hart_1994.blo"])
        XCTAssertEqual(check.status, 0, check.err)
        XCTAssertTrue(check.out.contains("\n  * exact-kkt: accepted: the leader's objective is linear"), check.out)
        // (Linear constraints are taken by the gradient methods: the route qualifies, after the exact one.)
        XCTAssertTrue(check.out.contains("    gradient-methods: accepted: a local answer"), check.out)
        let explain = try blomodel(["solve", "Models/literature/bard_1988_ex1.blo", "--explain"])
        XCTAssertEqual(explain.status, 0, explain.err)
        XCTAssertTrue(explain.out.contains("    exact-kkt: refused: the leader's objective is a convex quadratic"), explain.out)
        XCTAssertTrue(explain.out.contains("  * outer-approximation: accepted:"), explain.out)
        let json = try blomodel(["solve", "Models/literature/bard_1988_ex1.blo", "--json"])
        XCTAssertEqual(json.status, 0, json.err)
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as! [String: Any]
        XCTAssertEqual(object["route"] as? String, "outer-approximation")
        let routes = try XCTUnwrap(object["routes"] as? [[String: Any]])
        XCTAssertEqual(routes.map { $0["name"] as? String }, ["value-function", "branch-and-bound", "exact-kkt", "outer-approximation", "gradient-methods"])
        XCTAssertEqual(routes.map { $0["accepted"] as? Bool }, [false, false, false, true, false])
        XCTAssertTrue((routes[1]["reason"] as? String ?? "").contains("every big-M is proven"), "\(routes[1])")
        XCTAssertTrue((routes[2]["reason"] as? String ?? "").contains("convex quadratic"))
        // A model with free variables: no M can be proven, and check says the M-free route takes it.
        let free = try blomodel(["check", "Models/literature/mersha_dempe_2006_ex2_free.blo"])
        XCTAssertEqual(free.status, 0, free.err)
        XCTAssertTrue(free.out.contains("  * branch-and-bound: accepted: 2 pair(s) have no proven M"), free.out)
    }

    func testTimeLimitAndGapOptionsAreAccepted() throws {
        let r = try blomodel(["solve", "Models/literature/candler_townsley_1982.blo", "--time-limit", "30", "--gap", "0", "--solver", "glpk"])
        XCTAssertEqual(r.status, 0, r.err)
    }

    /// `--output` never overwrites the model or a data file it reads (issue 8): refused before
    /// solving, the files untouched.
    func testOutputThatNamesAnInputIsRefused() throws {
        let dir = NSTemporaryDirectory() + "blo-output-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for f in ["toll.blo", "arcs.csv", "commodities.csv"] {
            try FileManager.default.copyItem(atPath: root.appendingPathComponent("Models/classic/toll/\(f)").path, toPath: dir + "/" + f)
        }
        let before = try String(contentsOfFile: dir + "/arcs.csv", encoding: .utf8)
        for target in ["\(dir)/toll.blo", "\(dir)/../\((dir as NSString).lastPathComponent)/arcs.csv"] {
            let r = try blomodel(["solve", dir + "/toll.blo", "--output", target])
            XCTAssertEqual(r.status, 1, r.err)
            XCTAssertTrue(r.err.contains("refusing to write the report"), r.err)
        }
        XCTAssertEqual(try String(contentsOfFile: dir + "/arcs.csv", encoding: .utf8), before)
        XCTAssertTrue(try String(contentsOfFile: dir + "/toll.blo", encoding: .utf8).contains("upper"))
        let ok = try blomodel(["solve", dir + "/toll.blo", "--output", dir + "/report.txt"])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertTrue(try String(contentsOfFile: dir + "/report.txt", encoding: .utf8).contains("revenue = 75"))
    }
}

final class InterruptionTests: XCTestCase {
    /// SIGINT stops the search at its next step: the report is printed with the termination
    /// `interrupted`, and the process exits 130 (not killed by the signal).
    func testSIGINTStopsTheRunWithAReport() throws {
        let exe = root.appendingPathComponent(".build/debug/blomodel").path
        guard FileManager.default.isExecutableFile(atPath: exe) else { return XCTFail("blomodel is not built") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["solve", "Tests/Fixtures/hard_bilevel_lp.blo", "--json"]
        p.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        Thread.sleep(forTimeInterval: 3)
        XCTAssertTrue(p.isRunning, "the instance must still be running when interrupted")
        let sent = Date()
        p.interrupt()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(sent), 30, "the run must stop soon after SIGINT")
        XCTAssertEqual(p.terminationReason, .exit, "the process must exit, not die of the signal")
        XCTAssertEqual(p.terminationStatus, 130, String(decoding: e, as: UTF8.self))
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: o) as? [String: Any])
        XCTAssertEqual(report["termination"] as? String, "interrupted")
        XCTAssertEqual(try ReportSchemaTests.reportValidator().errors(try JSONParser.parse(String(decoding: o, as: UTF8.self))), [])
        XCTAssertTrue(String(decoding: e, as: UTF8.self).contains("interrupted: stopping at the next step"))
    }
}
