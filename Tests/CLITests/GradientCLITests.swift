import Blomodel
import Foundation
import XCTest

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `solve --method ...`: the gradient route from the command line.
final class GradientCLITests: XCTestCase {
    let cournot = "Models/classic/stackelberg_cournot/stackelberg_cournot.blo"

    func testEveryMethodReachesTheCournotClosedFormWithAValidReport() throws {
        let validator = try ReportSchemaTests.reportValidator()
        for method in ["aid-cg", "aid-neumann", "aid-exact", "itd-reverse", "itd-forward", "itd-truncated", "bome"] {
            let r = try blomodel(["solve", cournot, "--method", method, "--start", "ql=5", "--step", "0.5", "--iterations", "5000", "--json"])
            XCTAssertEqual(r.status, 0, "\(method): \(r.err)")
            let report = try JSONParser.parse(r.out)
            XCTAssertEqual(validator.errors(report), [], method)
            XCTAssertTrue(r.out.contains("\"certification\": \"local\""), "\(method): \(r.out)")
            // q_l = (a - 2 c_l + c_f) / (2b) = 50, q_f = 15: to the stationarity tolerance.
            XCTAssertEqual(number(report, "leader", "variables", "ql") ?? .nan, 50, accuracy: 1e-5, method)
            XCTAssertEqual(number(report, "follower", "variables", "qf") ?? .nan, 15, accuracy: 1e-5, method)
            XCTAssertEqual(number(report, "leader", "objective") ?? .nan, 1250, accuracy: 1e-6, method)
            XCTAssertTrue(r.out.contains("\"method\": \"\(method)\""), method)
        }
    }

    func testTraceFileAndTextReport() throws {
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("cournot-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let r = try blomodel(["solve", cournot, "--method", "aid-cg", "--start", "ql=90", "--step", "0.25", "--trace", trace])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("certification  local"), r.out)
        XCTAssertTrue(r.out.contains("gradient       aid-cg: "), r.out)
        let rows = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.first, "iteration,leader_objective,stationarity,follower_stationarity,step,seconds")
        XCTAssertGreaterThan(rows.count, 3)
        let last = rows.last!.split(separator: ",")
        XCTAssertEqual(Double(last[1])!, 1250, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(Double(last[2])!, 1e-6)
        // The leader's objective never gets worse along the trace (a maximised profit here).
        let values = rows.dropFirst().map { Double($0.split(separator: ",")[1])! }
        for (a, b) in zip(values, values.dropFirst()) { XCTAssertGreaterThanOrEqual(b, a - 1e-9) }
    }

    /// `--plot` draws the curves: well-formed SVG, one line per curve, the same bytes twice.
    func testPlotIsAWellFormedDeterministicSVG() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var pictures: [Data] = []
        for k in 0..<2 {
            let path = dir.appendingPathComponent("run\(k).svg").path
            let r = try blomodel(["solve", "Models/nonlinear/cccp_bo_synthetic/cccp_bo_synthetic.blo", "--plot", path, "--quiet"])
            XCTAssertEqual(r.status, 0, r.err)
            pictures.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        XCTAssertEqual(pictures[0], pictures[1], "the same run draws the same bytes")
        final class Counter: NSObject, XMLParserDelegate {
            var polylines = 0, texts = 0
            func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if e == "polyline" { polylines += 1 }
                if e == "text" { texts += 1 }
            }
        }
        let counter = Counter()
        let parser = XMLParser(data: pictures[0])
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "well-formed XML: \(String(describing: parser.parserError))")
        XCTAssertEqual(counter.polylines, 3, "leader objective, projected hypergradient, follower stationarity")
        XCTAssertTrue(String(decoding: pictures[0], as: UTF8.self).contains("cccp_bo_synthetic: bome"))
    }

    /// Bad runs end with a clear word and no answer, never a crash: an unbounded leader runs off
    /// and is reported as diverging (exit 6); steps into a function's domain edge (log of a
    /// nonpositive number) are retried shorter and the run reaches the closed form.
    func testDivergingAndDomainEdges() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gradient-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let unbounded = dir.appendingPathComponent("unbounded.blo").path
        try "upper { var x; minimize F: -x + (y - x)^2; }\nlower { var y; minimize f: (y - x)^2; }\n"
            .write(toFile: unbounded, atomically: true, encoding: .utf8)
        let r = try blomodel(["solve", unbounded, "--method", "aid-cg", "--json"])
        XCTAssertEqual(r.status, 6, r.err)
        XCTAssertTrue(r.out.contains("\"certification\": \"no_answer\""), r.out)
        XCTAssertTrue(r.out.contains("\"stop\": \"diverging\""), r.out)
        XCTAssertTrue(r.out.contains("the leader's objective may be unbounded"), r.out)

        // Phi(x) = (x - 0.5)^2 - log(x - 0.2) + x^2 (the follower answers y = x): stationary where
        // 4x^2 - 1.8x - 0.8 = 0, x = (1.8 + sqrt(16.04)) / 8; from x = 5 the first steps leave log's domain.
        let edge = dir.appendingPathComponent("edge.blo").path
        try "upper { var x >= 0, <= 10; minimize F: (x - 0.5)^2 - log(x - 0.2) + y^2; }\nlower { var y; minimize f: (y - x)^2; }\n"
            .write(toFile: edge, atomically: true, encoding: .utf8)
        let e = try blomodel(["solve", edge, "--method", "aid-cg", "--start", "x=5", "--json"])
        XCTAssertEqual(e.status, 0, e.err)
        let report = try JSONParser.parse(e.out)
        XCTAssertEqual(number(report, "leader", "variables", "x") ?? .nan, (1.8 + 16.04.squareRoot()) / 8, accuracy: 1e-6)
        XCTAssertTrue(e.out.contains("\"certification\": \"local\""), e.out)
    }

    func testMisuseIsRefusedWithItsReason() throws {
        let unknown = try blomodel(["solve", cournot, "--method", "aid-gc"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.err.contains("unknown --method 'aid-gc' (did you mean 'aid-cg'?)"), unknown.err)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gradient-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let nonsmooth = dir.appendingPathComponent("nonsmooth.blo").path
        try "upper { var x >= 0, <= 3; minimize F: abs(x - y); }\nlower { var y >= 0, <= 3; minimize f: (y - 1)^2; }\n"
            .write(toFile: nonsmooth, atomically: true, encoding: .utf8)
        let r = try blomodel(["solve", nonsmooth, "--method", "aid-cg"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("the gradient methods cannot take this model: the leader's objective is not smooth"), r.err)

        let trace = try blomodel(["solve", "Models/literature/liu_hart_1994.blo", "--trace", dir.appendingPathComponent("t.csv").path])
        XCTAssertEqual(trace.status, 1)
        XCTAssertTrue(trace.err.contains("--trace: no gradient method ran"), trace.err)

        let start = try blomodel(["solve", cournot, "--method", "aid-cg", "--start", "qll=3"])
        XCTAssertEqual(start.status, 1)
        XCTAssertTrue(start.err.contains("the start names 'qll', which is not a variable of the model"), start.err)
    }
}

/// A number at a path of object keys in a parsed report.
func number(_ v: JSONValue, _ path: String...) -> Double? {
    var current = v
    for key in path {
        guard case .object(let fields) = current, let next = fields.first(where: { $0.0 == key })?.1 else { return nil }
        current = next
    }
    if case .number(let x) = current { return x }
    return nil
}

/// Linear constraints on the gradient route (docs/gradient-methods.md, "Constraints").
final class GradientConstraintCLITests: XCTestCase {
    /// The follower's row moves with x: y = (x/2, x/2) while it is active, Phi'(x) = 7x - 4, so
    /// x* = 4/7 and F* = 9/35 (derived in LinearConstraintTests). The exact route proves the same
    /// number: the two routes agree.
    let model = """
        upper { var x >= 0, <= 4; minimize F: (x - 1)^2 + 10 * (y1 - 0.2)^2; }
        lower { var y1; var y2; minimize f: (y1 - 1)^2 + (y2 - 1)^2; cap: y1 + y2 <= x; }
        """

    /// PBGD's joint step 1/L with L by power iteration: the follower (y - x)^2's Hessian has its
    /// top eigenvector (1, -1)/sqrt 2 in (x, y), orthogonal to the all-ones start that was used
    /// (L = 2 was found for 402 with gamma = 100, and the run oscillated off to y = -99). The
    /// optimum: y = min(x, 1), F = (x - 1)^2 + (y - 1)^2, so x* = 1, y* = 1.
    func testPenaltyStepOnAFollowerOfXMinusY() throws {
        let r = try blomodel(
            ["solve", "-", "--method", "pbgd", "--penalty", "10", "--iterations", "400", "--json"],
            input: "upper { var x >= 0, <= 4; minimize F: (x - 1)^2 + (y - 1)^2; }\nlower { var y; minimize f: (y - x)^2; cap: y <= 1; }")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("\"stop\": \"converged\""), r.out)
        let report = try JSONParser.parse(r.out)
        XCTAssertEqual(number(report, "leader", "variables", "x") ?? .nan, 1, accuracy: 1e-3)
        XCTAssertEqual(number(report, "follower", "variables", "y") ?? .nan, 1, accuracy: 1e-3)
    }

    func testImplicitDifferentiationWithAFollowerRowAgreesWithTheExactRoute() throws {
        let validator = try ReportSchemaTests.reportValidator()
        for method in ["aid-cg", "aid-exact"] {
            let r = try blomodel(["solve", "-", "--method", method, "--start", "x=3.5", "--json"], input: model)
            XCTAssertEqual(r.status, 0, r.err)
            let report = try JSONParser.parse(r.out)
            XCTAssertEqual(validator.errors(report), [], method)
            XCTAssertTrue(r.out.contains("\"certification\": \"local\""), r.out)
            XCTAssertEqual(number(report, "leader", "variables", "x") ?? .nan, 4.0 / 7, accuracy: 1e-6, method)
            XCTAssertEqual(number(report, "leader", "objective") ?? .nan, 9.0 / 35, accuracy: 1e-9, method)
        }
        let exact = try blomodel(["solve", "-", "--json"], input: model)
        XCTAssertEqual(exact.status, 0, exact.err)
        XCTAssertTrue(exact.out.contains("\"certification\": \"proven_optimal\""), exact.out)
        XCTAssertEqual(number(try JSONParser.parse(exact.out), "leader", "objective") ?? .nan, 9.0 / 35, accuracy: 1e-7)
    }

    /// A method that cannot take the rows says so before it starts, at the row, with a caret.
    func testMethodsThatCannotTakeRowsSaySoAtTheRow() throws {
        for method in ["itd-reverse", "bda", "bome"] {
            let r = try blomodel(["solve", "-", "--method", method], input: model)
            XCTAssertEqual(r.status, 1, "\(method): \(r.out) \(r.err)")
            XCTAssertTrue(r.err.contains("<stdin>:2:"), r.err)
            XCTAssertTrue(r.err.contains("cap"), r.err)
            XCTAssertTrue(r.err.contains("^"), r.err)
        }
        // cccp-bo projects onto the boxes only: a leader row is refused at the row.
        let leaderRow = try blomodel(
            ["solve", "-", "--method", "cccp-bo"],
            input: "upper { var x1 >= -3, <= 3; var x2 >= -3, <= 3; minimize F: (x1 - 2)^2 + (x2 - 2)^2 + (y - 1)^2; r: x1 + x2 <= 1; }\nlower { var y; minimize f: (y - x1)^2; }")
        XCTAssertEqual(leaderRow.status, 1, leaderRow.out)
        XCTAssertTrue(leaderRow.err.contains("<stdin>:1:98: error: cccp-bo does not take the leader's constraints (r is one)"), leaderRow.err)
        // No leader variables: nothing to move (IGFM once looped forever drawing a direction in R^0).
        let noLeader = try blomodel(["solve", "-", "--method", "igfm"], input: "upper { minimize F: (y - 1)^2; }\nlower { var y >= -2, <= 2; minimize f: y^2; }")
        XCTAssertEqual(noLeader.status, 1, noLeader.out)
        XCTAssertTrue(noLeader.err.contains("the leader has no variables"), noLeader.err)
        // A nonlinear row is refused by every method.
        let nonlinear = try blomodel(
            ["solve", "-", "--method", "aid-cg"],
            input: "upper { var x >= 0, <= 4; minimize F: (x - 1)^2 + y; }\nlower { var y; minimize f: (y - x)^2; c: y^2 <= 2; }")
        XCTAssertNotEqual(nonlinear.status, 0)
        XCTAssertTrue(nonlinear.err.contains("c is nonlinear"), nonlinear.err)
    }
}

/// Coefficients below 1e-9: refused by the exact routes (with a note naming the gradient route),
/// taken by the gradient methods. The follower min 1e-10 (y - x)^2 + 1e-10 y^2 over y has the
/// answer y = x/2 whatever the scale; the leader min (x - 1)^2 + (y - 1)^2 then has x* = 6/5
/// (Phi(x) = (x - 1)^2 + (x/2 - 1)^2, Phi' = 2(x - 1) + (x/2 - 1) = 0).
final class SmallCoefficientCLITests: XCTestCase {
    let model = "upper { var x >= -5, <= 5; minimize F: (x - 1)^2 + (y - 1)^2; }\nlower { var y; minimize f: 1e-10 * (y - x)^2 + 1e-10 * y^2; }\n"

    func testExactRoutesRefuseAndGradientMethodsTakeSmallCoefficients() throws {
        let exact = try blomodel(["solve", "-"], input: model)
        XCTAssertEqual(exact.status, 1, exact.out + exact.err)
        XCTAssertTrue(exact.err.contains("is outside the supported range"), exact.err)
        XCTAssertTrue(exact.err.contains("the gradient methods take coefficients below 1e-9"), exact.err)
        let check = try blomodel(["check", "-"], input: model)
        XCTAssertEqual(check.status, 1, check.err)
        let gradient = try blomodel(["solve", "-", "--method", "aid-exact", "--json"], input: model)
        XCTAssertEqual(gradient.status, 0, gradient.err)
        let report = try JSONParser.parse(gradient.out)
        XCTAssertEqual(number(report, "leader", "variables", "x") ?? .nan, 1.2, accuracy: 1e-6)
        XCTAssertEqual(number(report, "follower", "variables", "y") ?? .nan, 0.6, accuracy: 1e-6)
    }
}

/// `--start @FILE`: a JSON report of an earlier solve, or name=value / name,value lines.
final class StartFileCLITests: XCTestCase {
    let cournot = "Models/classic/stackelberg_cournot/stackelberg_cournot.blo"

    func testStartFromAReportAndFromACSV() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("start-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A first run from ql = 5, stopped after 2 iterations: its point is the next run's start.
        let first = try blomodel(["solve", cournot, "--method", "aid-cg", "--start", "ql=5", "--iterations", "2", "--json"])
        XCTAssertEqual(first.status, 0, first.err)
        let report = dir.appendingPathComponent("first.json")
        try first.out.write(to: report, atomically: true, encoding: .utf8)
        let ql = try XCTUnwrap(number(try JSONParser.parse(first.out), "leader", "variables", "ql"))
        XCTAssertNotEqual(ql, 5)
        let resumed = try blomodel(["solve", cournot, "--method", "aid-cg", "--start", "@" + report.path, "--iterations", "0", "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertEqual(number(try JSONParser.parse(resumed.out), "leader", "variables", "ql") ?? .nan, ql, accuracy: 1e-12)
        // A CSV with a header and a comment.
        let csv = dir.appendingPathComponent("start.csv")
        try "name,value\n# the leader's quantity\nql,7.5\n".write(to: csv, atomically: true, encoding: .utf8)
        let fromCSV = try blomodel(["solve", cournot, "--method", "aid-cg", "--start", "@" + csv.path, "--iterations", "0", "--json"])
        XCTAssertEqual(fromCSV.status, 0, fromCSV.err)
        XCTAssertEqual(number(try JSONParser.parse(fromCSV.out), "leader", "variables", "ql") ?? .nan, 7.5, accuracy: 1e-12)
        // Bad files say where.
        let bad = dir.appendingPathComponent("bad.txt")
        try "ql=5\nqf\n".write(to: bad, atomically: true, encoding: .utf8)
        let r = try blomodel(["solve", cournot, "--method", "aid-cg", "--start", "@" + bad.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("bad.txt:2: 'qf' is not name=number"), r.err)
        let missing = try blomodel(["solve", cournot, "--method", "aid-cg", "--start", "@" + dir.appendingPathComponent("none.json").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.err.contains("cannot read the file"), missing.err)
    }
}

/// Start values in the model (`var x := 3;`, docs/language.md): where the gradient methods
/// begin, unless `--start` names the variable.
final class ModelStartCLITests: XCTestCase {
    let model = "upper { var x >= 0, <= 10, := 3; minimize F: (x - 1)^2 + y^2; }\nlower { var y := -2; minimize f: (y - x)^2; }\n"

    func testTheModelsStartAndTheOptionsOverride() throws {
        let fromModel = try blomodel(["solve", "-", "--method", "aid-cg", "--iterations", "0", "--json"], input: model)
        XCTAssertEqual(fromModel.status, 0, fromModel.err)
        XCTAssertEqual(number(try JSONParser.parse(fromModel.out), "leader", "variables", "x") ?? .nan, 3, accuracy: 1e-12)
        let overridden = try blomodel(["solve", "-", "--method", "aid-cg", "--iterations", "0", "--start", "x=4", "--json"], input: model)
        XCTAssertEqual(number(try JSONParser.parse(overridden.out), "leader", "variables", "x") ?? .nan, 4, accuracy: 1e-12)
        // A start outside the bounds is a warning; one that is not a constant is an error.
        let outside = try blomodel(["check", "-"], input: "upper { var x >= 0, <= 1, := 5; minimize F: x + y; }\nlower { var y >= 0; minimize f: y; c: y >= x; }\n")
        XCTAssertTrue(outside.err.contains("warning: the start value 5 of x is outside its bounds [0, 1]"), outside.err)
        let bad = try blomodel(["check", "-"], input: "upper { var z; var x := z; minimize F: x + y + z; }\nlower { var y >= 0; minimize f: y; c: y >= x; }\n")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("<stdin>:1:"), bad.err)
        XCTAssertTrue(bad.err.contains("a start value must be a constant"), bad.err)
        let twice = try blomodel(["check", "-"], input: "upper { var x := 1, := 2; minimize F: x + y; }\nlower { var y >= 0; minimize f: y; c: y >= x; }\n")
        XCTAssertEqual(twice.status, 1)
        XCTAssertTrue(twice.err.contains("'x' already has a start value"), twice.err)
    }
}

/// `--lbfgs`: quasi-Newton directions for the leader. The follower min (y - x1^2)^2 has the
/// answer y = x1^2, so Phi(x) = (1 - x1)^2 + 100 (x2 - x1^2)^2 is Rosenbrock's function: its
/// minimum 0 at (1, 1), from the classic start (-1.2, 1); with x1 <= 0.5 the minimum moves to the
/// bound, (0.5, 0.25) with Phi = 0.25.
final class QuasiNewtonLeaderCLITests: XCTestCase {
    func model(_ upper: String) -> String {
        "upper { var x1 >= -2, <= \(upper), := -1.2; var x2 >= -2, <= 2, := 1; minimize F: (1 - x1)^2 + 100 * (x2 - y)^2; }\nlower { var y; minimize f: (y - x1^2)^2; }\n"
    }

    func testRosenbrockThroughAFollower() throws {
        var iterations: [String: Double] = [:]
        for flags in [[String](), ["--lbfgs"]] {
            let r = try blomodel(["solve", "-", "--method", "aid-exact", "--iterations", "5000", "--tolerance", "1e-8", "--json"] + flags, input: model("2"))
            XCTAssertEqual(r.status, 0, r.err)
            let report = try JSONParser.parse(r.out)
            XCTAssertTrue(r.out.contains("\"certification\": \"local\""), r.out)
            XCTAssertEqual(number(report, "leader", "variables", "x1") ?? .nan, 1, accuracy: 1e-7)
            XCTAssertEqual(number(report, "leader", "variables", "x2") ?? .nan, 1, accuracy: 1e-7)
            iterations[flags.first ?? "gradient"] = number(report, "gradient", "iterations")
        }
        // Measured: 442 gradient steps, 41 quasi-Newton ones.
        XCTAssertLessThan(iterations["--lbfgs"] ?? .infinity, 100)
        XCTAssertGreaterThan(iterations["gradient"] ?? 0, 3 * (iterations["--lbfgs"] ?? .infinity))
        // A bound active at the optimum: the quasi-Newton direction keeps off the held coordinate.
        let bounded = try blomodel(["solve", "-", "--method", "aid-cg", "--lbfgs", "--tolerance", "1e-8", "--json"], input: model("0.5"))
        XCTAssertEqual(bounded.status, 0, bounded.err)
        let report = try JSONParser.parse(bounded.out)
        XCTAssertEqual(number(report, "leader", "variables", "x1") ?? .nan, 0.5, accuracy: 1e-9)
        XCTAssertEqual(number(report, "leader", "variables", "x2") ?? .nan, 0.25, accuracy: 1e-7)
        XCTAssertEqual(number(report, "leader", "objective") ?? .nan, 0.25, accuracy: 1e-9)
    }
}
