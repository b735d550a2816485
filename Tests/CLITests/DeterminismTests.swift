import Foundation
import XCTest

/// The same model and options give byte-identical reports, timing aside, across processes.
///
/// Each process seeds Swift's hashing differently, so anything that sums or prints in
/// dictionary order shows up here as a difference between two runs.
final class DeterminismTests: XCTestCase {
    /// Every `.blo` file under `Models/`, sorted.
    static func models() -> [String] {
        let base = root.appendingPathComponent("Models")
        let walker = FileManager.default.enumerator(atPath: base.path)
        var found: [String] = []
        while let p = walker?.nextObject() as? String { if p.hasSuffix(".blo") { found.append("Models/" + p) } }
        return found.sorted()
    }

    /// The report without the fields that measure time.
    static func withoutTiming(_ text: String) -> String {
        var out: [Substring] = []
        var inTiming = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.contains("\"timing\": {") { inTiming = true; continue }
            if inTiming { if line.contains("}") { inTiming = false }; continue }
            if line.hasPrefix("time ") { continue }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }

    /// Standard error without the progress lines of long runs (they say how many seconds have
    /// passed: `..., 1.0 s`), which depend on the machine's speed.
    static func withoutProgress(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in
                guard line.hasSuffix(" s"), let comma = line.lastIndex(of: ",") else { return true }
                return Double(line[line.index(after: comma)...].dropLast(2).trimmingCharacters(in: .whitespaces)) == nil
            }
            .joined(separator: "\n")
    }

    /// The ladder fixtures (value-function programs with products, network bounds, the M-free
    /// search): the program's columns were once built in dictionary order (the follower's leader x
    /// follower products), which changed the reported multipliers from one process to the next.
    func testEveryLadderFixtureGivesTheSameReportTwice() throws {
        let base = root.appendingPathComponent("Tests/Fixtures/ladders")
        let files = try FileManager.default.contentsOfDirectory(atPath: base.path).filter { $0.hasSuffix(".blo") }.sorted()
        XCTAssertGreaterThan(files.count, 20, "the ladder fixtures were not found")
        for file in files {
            let arguments = ["solve", "Tests/Fixtures/ladders/" + file, "--json"]
            let a = try blomodel(arguments), b = try blomodel(arguments)
            XCTAssertEqual(a.status, 0, "\(file): \(a.err)")
            XCTAssertEqual(Self.withoutTiming(a.out), Self.withoutTiming(b.out), "\(file) differs between two runs")
        }
    }

    func testEveryModelGivesTheSameReportTwice() throws {
        let models = Self.models()
        XCTAssertGreaterThan(models.count, 20, "the models were not found")
        let reportSchema = try ReportSchemaTests.reportValidator(), checkSchema = try ReportSchemaTests.checkValidator()
        for model in models {
            // (--iterations bounds the models the gradient route solves: same iterations, same bytes;
            // the exact routes ignore it.)
            for arguments in [["solve", model, "--json", "--iterations", "20"], ["solve", model, "--explain", "--iterations", "20"], ["check", model], ["check", model, "--json"]] {
                let a = try blomodel(arguments), b = try blomodel(arguments)
                XCTAssertEqual(a.status, b.status, "\(arguments)")
                XCTAssertEqual(Self.withoutTiming(a.out), Self.withoutTiming(b.out), "\(arguments.joined(separator: " ")) differs between two runs")
                XCTAssertEqual(Self.withoutProgress(a.err), Self.withoutProgress(b.err), "\(arguments)")
                // Every JSON report printed matches its schema (docs/report.schema.json, docs/check.schema.json).
                if arguments.contains("--json"), !a.out.isEmpty {
                    let validator = arguments[0] == "solve" ? reportSchema : checkSchema
                    XCTAssertEqual(validator.errors(try JSONParser.parse(a.out)), [], "\(arguments.joined(separator: " ")) breaks the schema")
                }
            }
        }
    }
}
