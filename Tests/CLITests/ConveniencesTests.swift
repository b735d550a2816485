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
}
