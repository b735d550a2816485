import Foundation
import XCTest

/// The level rules the DSL states as types: a snippet that breaks one must not compile. Each
/// snippet is type-checked by `swiftc` against the modules of this build; a control snippet that
/// keeps the rules must compile (so a broken set-up cannot pass for a refusal).
final class LevelRuleTypeTests: XCTestCase {
    func typecheck(_ body: String) throws -> (ok: Bool, output: String) {
        let modules = repository.appendingPathComponent(".build/debug/Modules").path
        guard FileManager.default.fileExists(atPath: modules) else {
            struct NoBuild: Error {}
            XCTFail("no debug build at \(modules): run 'make test'")
            throw NoBuild()
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("level-rules-\(UUID().uuidString).swift")
        try ("import Blomodel\nlet m = Bilevel(\"m\")\nlet x = m.leader.variable(\"x\")\nlet y = m.follower.variable(\"y\")\n" + body + "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let shims = ["CGLPK", "CCbc", "CIpopt", "CLapack", "CBlas"].flatMap { ["-I", repository.appendingPathComponent("Sources/\($0)").path] }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swiftc", "-typecheck", "-I", modules] + shims + [file.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus == 0, String(decoding: data, as: UTF8.self))
    }

    func testTheRulesKeptCompile() throws {
        let r = try typecheck("""
            let c = m.follower.constraint("c", y <= x).dualBound(10)
            m.follower.dualBound(100)
            m.leader.maximize(m.leader.dual(c) + x)
            m.follower.minimize(y)
            """)
        XCTAssertTrue(r.ok, r.output)
    }

    /// Only the leader observes the follower's duals.
    func testTheFollowerHasNoDual() throws {
        let r = try typecheck("let c = m.follower.constraint(\"c\", y <= x)\nlet d = m.follower.dual(c)")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.output.contains("requires the types 'Follower' and 'Leader' be equivalent"), r.output)
    }

    /// Only the follower's constraints have duals.
    func testALeaderRowHasNoDual() throws {
        let r = try typecheck("let c = m.leader.constraint(\"c\", x <= 1)\nlet d = m.leader.dual(c)")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.output.contains("error:"), r.output)
    }

    /// A dual bound is a bound on the follower's multipliers.
    func testALeaderRowHasNoDualBound() throws {
        let r = try typecheck("m.leader.constraint(\"c\", x <= 1).dualBound(5)")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.output.contains("requires the types 'Leader' and 'Follower' be equivalent"), r.output)
        let block = try typecheck("m.leader.dualBound(5)")
        XCTAssertFalse(block.ok)
    }
}
