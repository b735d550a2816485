import Blomodel
import Foundation
import XCTest

/// Random small bilevel LPs, solved by every route and backend that takes them, must never
/// contradict each other: two proven optima must agree, a proven infeasible or unbounded
/// verdict must not meet an answer, and no bilevel-feasible answer may beat a proven optimum.
/// Each model is also solved with rows and the objective scaled by extreme factors (1e-9 ..
/// 1e9), which changes nothing mathematically: the verdicts must stay consistent.
final class DifferentialTests: XCTestCase {
    /// Rows are scaled by 10^k for k in -maximumExponent...maximumExponent.
    static var maximumExponent: Int { Int(ProcessInfo.processInfo.environment["BLOMODEL_DIFF_EXPONENT"] ?? "") ?? 6 }
    /// A deterministic generator (SplitMix64), so a failure names a reproducible seed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
    }

    /// A random bilevel LP as `.blo` text; rows are multiplied by `rowScale[i]` and the leader's
    /// objective by `objectiveScale` (positive factors: the same problem).
    static func model(seed: UInt64, rowScale: (Int) -> Double = { _ in 1 }, objectiveScale: Double = 1) -> String {
        var g = Generator(state: seed)
        let p = g.int(1...2), q = g.int(1...3)
        let xs = (1...p).map { "x\($0)" }, ys = (1...q).map { "y\($0)" }
        func bounds(_ g: inout Generator) -> String {
            switch g.int(0...3) {
            case 0: return ""
            case 1: return " >= 0"
            case 2: return " >= 0, <= \(g.int(1...20))"
            default: let u = g.int(1...15); return " >= -\(u), <= \(u)"
            }
        }
        func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)" }
        func linear(_ g: inout Generator, _ names: [String], scale: Double, density: Double = 0.7) -> String {
            var terms: [String] = []
            for n in names where g.chance(density) {
                let c = g.int(-5...5)
                if c != 0 { terms.append("\(number(Double(c) * scale))*\(n)") }
            }
            return terms.isEmpty ? "0" : terms.joined(separator: " + ")
        }
        var row = 0
        func constraint(_ g: inout Generator, _ names: [String]) -> String {
            let s = rowScale(row)
            row += 1
            let sense = g.chance(0.5) ? "<=" : ">="
            return "\(linear(&g, names, scale: s)) \(sense) \(number(Double(g.int(-10...20)) * s))"
        }
        var text = "upper {\n"
        for x in xs { text += "  var \(x)\(bounds(&g));\n" }
        text += "  minimize F: \(linear(&g, xs + ys, scale: objectiveScale, density: 0.9));\n"
        for k in 0..<g.int(0...2) { text += "  L\(k): \(constraint(&g, xs + ys));\n" }
        text += "}\nlower {\n"
        for y in ys { text += "  var \(y)\(bounds(&g));\n" }
        text += "  \(g.chance(0.5) ? "minimize" : "maximize") f: \(linear(&g, ys, scale: 1, density: 0.9));\n"
        for k in 0..<g.int(1...4) { text += "  c\(k): \(constraint(&g, xs + ys));\n" }
        return text + "}\n"
    }

    /// What a run claims, reduced to what can contradict another run.
    enum Verdict: CustomStringConvertible {
        case proven(Double), answer(Double), infeasible, unbounded, none(String)
        var description: String {
            switch self {
            case .proven(let v): return "proven \(v)"
            case .answer(let v): return "answer \(v)"
            case .infeasible: return "infeasible"
            case .unbounded: return "unbounded"
            case .none(let why): return "none (\(why))"
            }
        }
    }

    func verdict(_ text: String, solver: SolverChoice, route: String?, seed: Bool = true, scale: Double = 1) -> Verdict {
        var options = BlomodelOptions()
        options.solver = solver
        options.route = route
        options.branchAndBoundSeed = seed
        options.nodeLimit = 5000
        do {
            let model = try ModelLoader.load(source: SourceFile(path: "random.blo", text: text))
            let r = try Blomodel.solve(model, options: options)
            let value = (r.leaderObjective ?? .nan) / scale
            switch r.certification {
            case .provenOptimal: return .proven(value)
            case .optimalIfBoundsHold, .feasible, .local: return .answer(value)
            case .infeasible: return .infeasible
            case .unbounded: return .unbounded
            case .notBilevelFeasible: return .none("not bilevel feasible")
            case .unverified, .noAnswer: return .none(r.certification.rawValue)
            }
        } catch {
            // A refused model (a follower unbounded or infeasible for some leader decision, a
            // number out of range) is not a verdict.
            return .none("\(error)".prefix(60).description)
        }
    }

    /// Two verdicts contradict when their claims cannot both be true.
    static func contradiction(_ a: Verdict, _ b: Verdict) -> Bool {
        func differ(_ u: Double, _ v: Double) -> Bool { abs(u - v) > 1e-5 * max(1, abs(u), abs(v)) }
        switch (a, b) {
        case (.proven(let u), .proven(let v)): return differ(u, v)
        case (.proven(let u), .answer(let v)), (.answer(let v), .proven(let u)): return v < u - 1e-5 * max(1, abs(u))
        case (.infeasible, .proven), (.infeasible, .answer), (.proven, .infeasible), (.answer, .infeasible): return true
        case (.unbounded, .proven), (.proven, .unbounded), (.unbounded, .infeasible), (.infeasible, .unbounded): return true
        default: return false
        }
    }

    func testRandomModelsNeverContradictAcrossRoutesBackendsAndScalings() throws {
        var contradictions: [String] = []
        var counts: [String: Int] = [:]
        for seed in UInt64(1)...UInt64(120) {
            if ProcessInfo.processInfo.environment["BLOMODEL_DIFF_TRACE"] != nil { FileHandle.standardError.write("seed \(seed)\n".data(using: .utf8)!) }
            let text = Self.model(seed: seed)
            var verdicts: [(String, Verdict)] = [
                ("glpk", verdict(text, solver: .glpk, route: nil)),
                ("cbc", verdict(text, solver: .cbc, route: nil)),
                ("glpk m-free alone", verdict(text, solver: .glpk, route: "branch-and-bound", seed: false)),
                ("cbc m-free alone", verdict(text, solver: .cbc, route: "branch-and-bound", seed: false)),
            ]
            // The same problem with extreme but harmless scalings of rows and objective.
            var g = Generator(state: seed ^ 0xABCD)
            let exponents = (0..<8).map { _ in g.int(-Self.maximumExponent...Self.maximumExponent) }
            let objectiveExponent = g.int(-6...6)
            let scaled = Self.model(
                seed: seed, rowScale: { pow(10, Double(exponents[$0 % exponents.count])) },
                objectiveScale: pow(10, Double(objectiveExponent)))
            let factor = pow(10, Double(objectiveExponent))
            verdicts.append(("glpk scaled", verdict(scaled, solver: .glpk, route: nil, scale: factor)))
            verdicts.append(("cbc scaled", verdict(scaled, solver: .cbc, route: nil, scale: factor)))
            for (name, v) in verdicts {
                let kind: String
                switch v {
                case .proven: kind = "proven"
                case .answer: kind = "answer"
                case .infeasible: kind = "infeasible"
                case .unbounded: kind = "unbounded"
                case .none: kind = "none"
                }
                counts["\(name): \(kind)", default: 0] += 1
            }
            for i in verdicts.indices {
                for j in verdicts.indices where j > i {
                    if Self.contradiction(verdicts[i].1, verdicts[j].1) {
                        contradictions.append("seed \(seed): \(verdicts[i].0) says \(verdicts[i].1), \(verdicts[j].0) says \(verdicts[j].1)")
                    }
                }
            }
        }
        // The unscaled runs must mostly prove something: the test is not vacuous.
        XCTAssertGreaterThan(counts["glpk: proven", default: 0] + counts["glpk: infeasible", default: 0] + counts["glpk: unbounded", default: 0], 60, "\(counts)")
        XCTAssertTrue(contradictions.isEmpty, contradictions.prefix(20).joined(separator: "\n") + "\n\(counts.sorted { $0.key < $1.key })")
    }
}

extension DifferentialTests {
    /// Writes a seed's model and its scaled variant (BLOMODEL_DIFF_SEED) to /tmp, for reruns by hand.
    func testWriteSeed() throws {
        guard let s = ProcessInfo.processInfo.environment["BLOMODEL_DIFF_SEED"], let seed = UInt64(s) else { return }
        var g = Generator(state: seed ^ 0xABCD)
        let exponents = (0..<8).map { _ in g.int(-Self.maximumExponent...Self.maximumExponent) }
        let objectiveExponent = g.int(-6...6)
        try Self.model(seed: seed).write(toFile: "/tmp/diff_\(seed).blo", atomically: true, encoding: .utf8)
        try Self.model(seed: seed, rowScale: { pow(10, Double(exponents[$0 % exponents.count])) }, objectiveScale: pow(10, Double(objectiveExponent)))
            .write(toFile: "/tmp/diff_\(seed)_scaled.blo", atomically: true, encoding: .utf8)
    }
}
