import Foundation
import XCTest

/// Runs the built `blomodel-fuzz` executable (as `blomodel` is run in CLITests).
func blomodelFuzz(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
    let r = try runProduct("blomodel-fuzz", arguments)
    return (r.status, r.out, r.err)
}

/// The front-end fuzzer, briefly, as CI runs it: every corpus input and some mutants go through
/// what `blomodel check` runs without killing the process (docs/testing.md).
final class FuzzTests: XCTestCase {
    func workDirectory() -> String { NSTemporaryDirectory() + "blomodel-fuzz-\(UUID().uuidString)" }

    /// The corpus (the models and the hostile inputs) and mutants of it, with a fixed seed.
    func testABriefFuzzRunFindsNoFailure() throws {
        let work = workDirectory()
        let r = try blomodelFuzz(["--seed", "1", "--iterations", "400", "--timeout", "60", "--work", work])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("no failure in 400 inputs"), r.out)
    }

    /// The same seed gives the same inputs (the digest covers every input's bytes); another seed others.
    /// (The corpus comes first, unmutated: the run is longer than the corpus, so mutants follow.)
    func testTheSameSeedGivesTheSameInputs() throws {
        func digest(_ seed: String) throws -> String {
            let r = try blomodelFuzz(["--corpus", "Models", "--seed", seed, "--iterations", "120", "--timeout", "60", "--work", workDirectory()])
            XCTAssertEqual(r.status, 0, r.out + r.err)
            return r.out.components(separatedBy: "inputs digest ").last?.prefix(while: { $0.isHexDigit }).description ?? ""
        }
        let first = try digest("7")
        XCTAssertFalse(first.isEmpty)
        XCTAssertEqual(try digest("7"), first)
        XCTAssertNotEqual(try digest("8"), first)
    }

    /// The supervisor catches each kind of failure, saves the input and says how to replay it.
    func testCrashesHangsAndFailuresAreCaughtWithTheirInput() throws {
        for (fault, kind) in [("crash@30", "CRASH"), ("hang@31", "HANG"), ("failure@32", "FAILURE")] {
            let work = workDirectory()
            let r = try blomodelFuzz(["--corpus", "Models", "--iterations", "40", "--timeout", "2", "--work", work, "--inject-fault", fault])
            XCTAssertEqual(r.status, 1, fault + ": " + r.out + r.err)
            XCTAssertTrue(r.out.contains("blomodel-fuzz: \(kind):"), r.out)
            let input = fault.split(separator: "@")[1]
            let finding = work + "/findings/\(kind.lowercased())-seed1-input\(input)"
            XCTAssertTrue(r.out.contains("--replay \(finding)/model.blo"), r.out)
            // The saved input is the one that failed: input 30 onwards are mutants of the models.
            let saved = try String(contentsOfFile: finding + "/model.blo", encoding: .utf8)
            XCTAssertFalse(saved.isEmpty)
            XCTAssertTrue(FileManager.default.fileExists(atPath: finding + "/finding.txt"))
        }
    }

    /// Mutants of inputs without numbers, names or operators (an empty file, a comment): every
    /// mutation that does not apply falls back on one that does, without cycling (a cycle of
    /// fallbacks overflowed the stack on the empty seed, found by a fuzz run with seed 41).
    func testMutationsOfInputsWithoutTokensTerminate() throws {
        let corpus = workDirectory()
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        try "".write(toFile: corpus + "/empty.blo", atomically: true, encoding: .utf8)
        try "# a comment\n".write(toFile: corpus + "/comment.blo", atomically: true, encoding: .utf8)
        let r = try blomodelFuzz(["--corpus", corpus, "--iterations", "300", "--timeout", "60", "--work", workDirectory()])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("no failure in 300 inputs"), r.out)
    }

    /// A replayed input runs in the process; a reproducer of the corpus is described or refused.
    func testReplay() throws {
        let r = try blomodelFuzz(["--replay", "Models/classic/toll/toll.blo", "--replay", "Tests/FuzzCorpus/hostile/empty.blo"])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("toll.blo: described"), r.out)
        XCTAssertTrue(r.out.contains("empty.blo: refused with a positioned diagnostic: the model is empty"), r.out)
    }
}
