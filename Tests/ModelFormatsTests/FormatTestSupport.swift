import BlomodelCore
import Foundation
import XCTest

@testable import ModelFormats

/// The repository root and the fixtures of these tests.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// A fresh temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("blomodel-formats-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `text` to a file in a temporary directory and returns its path.
func writeTemporary(_ text: String, name: String) throws -> String {
    let url = try temporaryDirectory().appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Parses MPS text named `t.mps`.
func parseMPS(_ text: String, name: String = "t.mps") throws -> MPSFile {
    try MPSReader.parse(SourceFile(path: name, text: text))
}

/// The rendered diagnostic thrown by `body` (fails the test when nothing is thrown).
func diagnostic(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        try body()
        XCTFail("expected a diagnostic", file: file, line: line)
        return ""
    } catch let d as Diagnostic {
        return d.rendered
    } catch {
        XCTFail("expected a Diagnostic, got \(error)", file: file, line: line)
        return ""
    }
}

/// Runs an outside program (found on PATH); a missing program fails the test, naming the Debian
/// package that provides it.
func runTool(_ program: String, _ arguments: [String], package: String, directory: URL? = nil) throws -> (status: Int32, out: String) {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let path else {
        struct Missing: Error, CustomStringConvertible {
            var description: String
        }
        throw Missing(description: "\(program) is not installed: install the Debian package \(package) (apt-get install \(package))")
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    if let directory { p.currentDirectoryURL = directory }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The optimum glpsol finds for a free MPS file ("Objective:  obj = 6 (MINimum)").
/// GLPK 5.0 reads no OBJSENSE section: `maximize` passes `--max`.
func glpsolOptimum(_ mpsText: String, maximize: Bool = false) throws -> Double? {
    let path = try writeTemporary(mpsText, name: "glpsol.mps")
    let report = path + ".out"
    _ = try runTool("glpsol", ["--freemps", path, "-o", report] + (maximize ? ["--max"] : []), package: "glpk-utils")
    let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") where line.hasPrefix("Objective:") && line.contains("=") {
        let after = line.split(separator: "=")[1].split(separator: " ")
        return after.first.flatMap { Double($0) }
    }
    return nil
}

/// What cbc says of a (fixed-format) MPS file: the objective value, or nil with its status line.
func cbcOptimum(_ mpsText: String) throws -> (value: Double?, status: String) {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("cbc.mps").path
    try mpsText.write(toFile: path, atomically: true, encoding: .utf8)
    let solution = dir.appendingPathComponent("cbc.sol").path
    _ = try runTool("cbc", [path, "-solve", "-solu", solution], package: "coinor-cbc")
    let text = (try? String(contentsOfFile: solution, encoding: .utf8)) ?? ""
    let first = String(text.split(separator: "\n").first ?? "")
    guard first.hasPrefix("Optimal") else { return (nil, first) }
    return (Double(first.split(separator: " ").last ?? ""), first)
}

/// A line of a fixed-format MPS file: fields in columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61.
func fixedLine(_ f1: String, _ f2: String, _ f3: String = "", _ f4: String = "", _ f5: String = "", _ f6: String = "") -> String {
    func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
    var line = " " + pad(f1, 2) + " " + pad(f2, 8) + "  " + pad(f3, 8) + "  " + pad(f4, 12)
    if !f5.isEmpty { line += "   " + pad(f5, 8) + "  " + f6 }
    return line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
}

/// A model as sorted lines, for comparing two models: every variable (owner, kind, bounds, start),
/// constraint (owner, sides, body, dual bound) and both objectives, named by `variableName` and
/// `constraintName` (by default the model's names).
func canonical(
    _ m: BilevelModel, variableName: ((VarID) -> String)? = nil, constraintName: ((Int) -> String)? = nil,
    objectives: Bool = true
) -> [String] {
    let vname = variableName ?? { m.variables[$0].name }
    let cname = constraintName ?? { m.constraints[$0].name }
    func n(_ v: Double) -> String { formatNumber(v) }
    func expr(_ e: QuadExpr) -> String {
        var terms = e.linear.terms.map { "\(n($1))*\(vname($0))" }
        terms += e.quadratic.map { p, a in
            let pair = [vname(p.first), vname(p.second)].sorted()
            return "\(n(a))*\(pair[0])*\(pair[1])"
        }
        return terms.sorted().joined(separator: " ") + " const \(n(e.constant))"
    }
    var lines: [String] = []
    for (j, v) in m.variables.enumerated() {
        lines.append("var \(vname(j)) \(v.owner) \(v.kind.rawValue) [\(n(v.lower)), \(n(v.upper))] start \(v.start.map(n) ?? "-")")
    }
    for (i, c) in m.constraints.enumerated() {
        lines.append("row \(cname(i)) \(c.owner) [\(n(c.lower)), \(n(c.upper))] \(expr(c.body)) dualbound \(c.dualBound.map(n) ?? "-")")
    }
    if objectives {
        lines.append("leader \(m.upperObjective.sense.rawValue) \(expr(m.upperObjective.expression))")
        lines.append("follower \(m.lowerObjective.sense.rawValue) \(expr(m.lowerObjective.expression)) dualbound \(m.lowerDualBound.map(n) ?? "-")")
    }
    return lines.sorted()
}
