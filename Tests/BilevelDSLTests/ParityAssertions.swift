import Blomodel
import Foundation
import XCTest

/// The repository's root (for the bundled models).
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A model of `Models/` built in Swift must reformulate to exactly the single-level program of
/// its `.blo` twin.
func assertParity(_ built: () throws -> Bilevel, _ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let twin = try ModelLoader.load(path: repository.appendingPathComponent(path).path)
    let swift = try built().build()
    XCTAssertEqual(swift.variables.map(\.name), twin.variables.map(\.name), "variables", file: file, line: line)
    XCTAssertEqual(swift.constraints.map(\.name), twin.constraints.map(\.name), "constraints", file: file, line: line)
    let a = try Blomodel.reformulate(swift), b = try Blomodel.reformulate(twin)
    XCTAssertEqual(a.milp.description, b.milp.description, "the single-level programs differ", file: file, line: line)
}

/// For a model of `Models/` that no exact route reformulates (`Blomodel.reformulate` refuses it:
/// a nonconvex quadratic or a nonlinear model), what can be compared without a single-level
/// program: every variable (name, owner, kind, role, bounds), every row (name, owner, sides,
/// dual bound), both objectives (sense, name), the quadratic views of every objective and row
/// (or the kind of their `nonquadratic` failure), and the value of every objective and row,
/// through the expression graph, at `points` points inside the variables' bounds.
func assertModelsEqual(
    _ built: () throws -> Bilevel, _ path: String, points: Int = 4, file: StaticString = #filePath, line: UInt = #line
) throws {
    let twin = try ModelLoader.load(path: repository.appendingPathComponent(path).path)
    let swift = try built().build()

    // Variables.
    XCTAssertEqual(swift.variables.map(\.name), twin.variables.map(\.name), "variables", file: file, line: line)
    guard swift.variables.count == twin.variables.count else { return }
    for (a, b) in zip(swift.variables, twin.variables) {
        XCTAssertEqual(a.owner, b.owner, "the owner of \(a.name)", file: file, line: line)
        XCTAssertEqual(a.kind, b.kind, "the kind of \(a.name)", file: file, line: line)
        XCTAssertEqual(a.role, b.role, "the role of \(a.name)", file: file, line: line)
        XCTAssertEqual(a.lower, b.lower, "the lower bound of \(a.name)", file: file, line: line)
        XCTAssertEqual(a.upper, b.upper, "the upper bound of \(a.name)", file: file, line: line)
    }

    // Objectives.
    XCTAssertEqual(swift.lowerDualBound, twin.lowerDualBound, "the follower's default dual bound", file: file, line: line)
    for (what, a, b) in [
        ("the leader's objective", swift.upperObjective, twin.upperObjective),
        ("the follower's objective", swift.lowerObjective, twin.lowerObjective),
    ] {
        XCTAssertEqual(a.sense, b.sense, "the sense of \(what)", file: file, line: line)
        XCTAssertEqual(a.name, b.name, "the name of \(what)", file: file, line: line)
        assertSameView(a.expression, b.expression, what, file: file, line: line)
        XCTAssertEqual(a.nonquadratic?.kind, b.nonquadratic?.kind, "why \(what) is not quadratic", file: file, line: line)
    }

    // Rows.
    XCTAssertEqual(swift.constraints.map(\.name), twin.constraints.map(\.name), "constraints", file: file, line: line)
    guard swift.constraints.count == twin.constraints.count else { return }
    for (a, b) in zip(swift.constraints, twin.constraints) {
        XCTAssertEqual(a.owner, b.owner, "the owner of \(a.name)", file: file, line: line)
        XCTAssertEqual(a.lower, b.lower, "the lower side of \(a.name)", file: file, line: line)
        XCTAssertEqual(a.upper, b.upper, "the upper side of \(a.name)", file: file, line: line)
        XCTAssertEqual(a.dualBound, b.dualBound, "the dual bound of \(a.name)", file: file, line: line)
        assertSameView(a.body, b.body, a.name, file: file, line: line)
        XCTAssertEqual(a.nonquadratic?.kind, b.nonquadratic?.kind, "why \(a.name) is not quadratic", file: file, line: line)
    }

    // Values, at points inside the bounds (a fixed sequence, so that a failure is reproducible).
    var functions: [(String, NodeID?, NodeID?)] = [
        ("the leader's objective", swift.upperObjective.function, twin.upperObjective.function),
        ("the follower's objective", swift.lowerObjective.function, twin.lowerObjective.function),
    ]
    for (a, b) in zip(swift.constraints, twin.constraints) { functions.append((a.name, a.function, b.function)) }
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func uniform() -> Double {  // a linear congruential generator: a value in [0, 1)
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }
    for _ in 0..<points {
        let point = swift.variables.map { v -> Double in
            let lo = v.lower.isFinite ? v.lower : (v.upper.isFinite ? v.upper - 10 : -5)
            let hi = v.upper.isFinite ? v.upper : lo + 10
            return lo + uniform() * (hi - lo)
        }
        for (what, a, b) in functions {
            guard let a, let b else {
                XCTAssertEqual(a == nil, b == nil, "\(what): a graph function in one model only", file: file, line: line)
                continue
            }
            let x = swift.graph.evaluate(a, at: point), y = twin.graph.evaluate(b, at: point)
            XCTAssertEqual(x, y, accuracy: 1e-9 * Swift.max(1, Swift.abs(y)), "the value of \(what) at \(point)", file: file, line: line)
        }
    }
}

/// Two quadratic views with the same constant and coefficients (their source origins differ).
func assertSameView(_ a: QuadExpr, _ b: QuadExpr, _ what: String, file: StaticString, line: UInt) {
    XCTAssertEqual(a.linear, b.linear, "the linear part of \(what)", file: file, line: line)
    XCTAssertEqual(a.quadratic, b.quadratic, "the quadratic part of \(what)", file: file, line: line)
}
