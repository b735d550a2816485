import Blomodel
import Foundation
import XCTest

/// The message a `.blo` text is refused with (for "the same words as the language").
func languageError(_ text: String) -> String? {
    do {
        _ = try ModelLoader.load(source: SourceFile(path: "test.blo", text: text), directory: NSTemporaryDirectory())
        return nil
    } catch let d as Diagnostic {
        return d.message
    } catch {
        return "\(error)"
    }
}

/// The first error of a model built in Swift, with where it was reported.
func buildError(_ m: Bilevel) -> Diagnostic? {
    do {
        _ = try m.build()
        return nil
    } catch {
        return error as? Diagnostic
    }
}

final class DSLErrorTests: XCTestCase {
    /// A follower's integer variable builds, and the value-function route solves it: Moore and
    /// Bard (1990)'s example, optimum F = -22 at (2, 2) (the file Models/integer/moore_bard_1990.blo).
    func testFollowerIntegerVariableIsSolvedByTheValueFunctionRoute() throws {
        let m = Bilevel("moore_bard")
        let x = m.leader.variable("x", bounds: 0...10, kind: .integer)
        let y = m.follower.variable("y", bounds: 0...10, kind: .integer)
        m.leader.minimize(-1 * x - 10 * y)
        m.follower.minimize(1 * y)
        m.follower.constraint("c1", -25 * x + 20 * y <= 30)
        m.follower.constraint("c2", x + 2 * y <= 10)
        m.follower.constraint("c3", 2 * x - y <= 15)
        m.follower.constraint("c4", 2 * x + 10 * y >= 15)
        let result = try m.solve(.glpk)
        XCTAssertEqual(result.certification, .provenOptimal)
        XCTAssertEqual(result.leaderObjective ?? .nan, -22, accuracy: 1e-9)
        XCTAssertEqual(result[x] ?? .nan, 2, accuracy: 1e-9)
        XCTAssertEqual(result[y] ?? .nan, 2, accuracy: 1e-9)
    }

    /// A member outside a family's index set: the language's words, at the subscript.
    func testOutsideIndexSet() throws {
        let m = Bilevel("m")
        let x = m.leader.variables("x", over: 1...3, bounds: 0...1)
        let y = m.follower.variable("y", bounds: 0...)
        let line = #line + 1
        m.leader.minimize(x[4] + y)
        m.follower.minimize(y)
        let d = try XCTUnwrap(buildError(m))
        XCTAssertEqual(d.location?.line, line)
        let words = languageError(
            "set N = 1..3; upper { var x{N} >= 0, <= 1; minimize x[4] + y; } lower { var y >= 0; minimize y; }")
        XCTAssertEqual(d.message, words)
        XCTAssertEqual(d.message, "x[4] is outside the index set of 'x'")
    }

    func testDuplicateNamesAndObjectives() throws {
        let m = Bilevel("m")
        let x = m.leader.variable("x")
        _ = m.follower.variable("x")
        m.leader.minimize(x)
        XCTAssertEqual(buildError(m)?.message.hasPrefix("'x' is already declared at line"), true)

        let n = Bilevel("n")
        let a = n.leader.variable("a", bounds: 0...1)
        let b = n.follower.variable("b", bounds: 0...1)
        n.leader.minimize(a)
        let line = #line + 1
        n.leader.maximize(a + b)
        n.follower.minimize(b)
        let d = try XCTUnwrap(buildError(n))
        XCTAssertEqual(d.location?.line, line)
        XCTAssertEqual(d.message, "the upper level already has an objective (line \(line - 2)); each level has exactly one")
        XCTAssertEqual(
            languageError("upper { var a >= 0, <= 1; minimize a;\n maximize a + b; } lower { var b >= 0, <= 1; minimize b; }"),
            "the upper level already has an objective (line 1); each level has exactly one")
    }

    func testConstantRowsAndDomains() throws {
        let m = Bilevel("m")
        let x = m.leader.variable("x", bounds: 0...1)
        let y = m.follower.variable("y", bounds: 0...1)
        m.leader.minimize(x + y)
        m.follower.minimize(y)
        m.follower.constraint("ok", Expr(1) <= 2)  // true without variables: dropped
        let line = #line + 1
        m.follower.constraint("never", Expr(3) <= 2)
        let d = try XCTUnwrap(buildError(m))
        XCTAssertEqual(d.location?.line, line)
        XCTAssertEqual(d.message, "never involves no variables and can never hold")

        let n = Bilevel("n")
        let u = n.leader.variable("u", bounds: 0...1)
        let v = n.follower.variable("v", bounds: 0...1)
        let callLine = #line + 1
        n.leader.minimize(u + log(Expr(-1)) * v)
        n.follower.minimize(v)
        let e = try XCTUnwrap(buildError(n))
        XCTAssertEqual(e.location?.line, callLine)
        XCTAssertEqual(e.message, "log(-1) is undefined: log takes positive numbers")
        XCTAssertEqual(
            e.message,
            languageError("upper { var u >= 0, <= 1; minimize u + log(-1) * v; } lower { var v >= 0, <= 1; minimize v; }"))

        let z = Bilevel("z")
        let p = z.leader.variable("p", bounds: 0...1)
        let q = z.follower.variable("q", bounds: 0...1)
        let divisionLine = #line + 1
        z.leader.minimize(p / 0 + q)
        z.follower.minimize(q)
        let f = try XCTUnwrap(buildError(z))
        XCTAssertEqual(f.message, "division by zero")
        XCTAssertEqual(f.location?.line, divisionLine)
    }

    func testMissingObjectiveAndFollower() throws {
        let m = Bilevel("m")
        let x = m.leader.variable("x")
        m.leader.minimize(x)
        XCTAssertEqual(buildError(m)?.message, "the lower level has no objective")
    }

    /// `dual(con)` is only on the leader's handle (a compile-time rule); used in a follower's row it
    /// is refused at the row.
    func testDualInTheFollowersProblem() throws {
        let m = Bilevel("m")
        let x = m.leader.variable("x", bounds: 0...10)
        let y = m.follower.variable("y", bounds: 0...)
        let cap = m.follower.constraint("cap", y <= x)
        let price = m.leader.dual(cap)
        m.leader.maximize(price * 2 + x)
        m.follower.maximize(y)
        let line = #line + 1
        m.follower.constraint("bad", y <= price)
        let d = try XCTUnwrap(buildError(m))
        XCTAssertEqual(d.location?.line, line)
        XCTAssertTrue(d.message.hasPrefix(ModelBuilder.dualInFollowerMessage), d.message)
    }

    /// Variables of two models in one expression.
    func testTwoModels() throws {
        let a = Bilevel("a"), b = Bilevel("b")
        let x = a.leader.variable("x", bounds: 0...1)
        let y = b.follower.variable("y", bounds: 0...1)
        let ya = a.follower.variable("y", bounds: 0...1)
        let line = #line + 1
        a.leader.minimize(x + y)
        a.follower.minimize(ya)
        let d = try XCTUnwrap(buildError(a))
        XCTAssertEqual(d.location?.line, line)
        XCTAssertTrue(d.message.contains("two models"), d.message)
    }
}

/// The random bilevel LP of Tests/Fixtures/hard_bilevel_lp.blo, read as data and built in Swift.
func hardModel() throws -> Bilevel {
    let text = try String(contentsOf: repository.appendingPathComponent("Tests/Fixtures/hard_bilevel_lp.blo"), encoding: .utf8)
    var rows: [(name: String, terms: [(Double, String)], rhs: Double)] = []
    var leaderCost: [(Double, String)] = [], followerCost: [(Double, String)] = []
    func terms(_ s: Substring) -> [(Double, String)] {
        s.split(separator: "+").map { t in
            let parts = t.split(separator: "*")
            return (Double(parts[0].trimmingCharacters(in: .whitespaces))!, parts[1].trimmingCharacters(in: .whitespaces))
        }
    }
    for raw in text.split(separator: "\n") {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("minimize F:") { leaderCost = terms(line.dropFirst(11).dropLast()) }
        if line.hasPrefix("minimize f:") { followerCost = terms(line.dropFirst(11).dropLast()) }
        if line.hasPrefix("c"), let colon = line.firstIndex(of: ":"), let ge = line.range(of: ">=") {
            rows.append(
                (String(line[..<colon]), terms(line[line.index(after: colon)..<ge.lowerBound]),
                 Double(line[ge.upperBound...].dropLast().trimmingCharacters(in: .whitespaces))!))
        }
    }
    let m = Bilevel("hard_bilevel_lp")
    var v: [String: Expr] = [:]
    for i in 0..<6 { v["x\(i)"] = m.leader.variable("x\(i)", bounds: 0...10) }
    for j in 0..<24 { v["y\(j)"] = m.follower.variable("y\(j)", bounds: 0...) }
    m.leader.minimize("F", sum(leaderCost) { a, n in a * v[n]! })
    m.follower.minimize("f", sum(followerCost) { a, n in a * v[n]! })
    for r in rows { m.follower.constraint(r.name, sum(r.terms) { a, n in a * v[n]! } >= r.rhs) }
    return m
}

final class DSLSolveTests: XCTestCase {
    /// The toll model built in code, solved, read back by typed handles.
    func testTollSolvedInCode() throws {
        let m = Bilevel("toll-small")
        let arcs: [Tuple] = [[1, 2], [1, 3], [2, 3]]
        let cost = Parameter("cost", [[1, 2]: 2, [1, 3]: 10, [2, 3]: 2] as [Tuple: Double])
        let T = m.leader.variables("T", over: [[1, 2]] as [Tuple], bounds: 0...20)
        let x = m.follower.variables("x", over: arcs, bounds: 0...1)
        m.leader.maximize("revenue", T[1, 2] * x[1, 2])
        m.follower.minimize("cost", sum(arcs) { a in cost[a] * x[a] } + T[1, 2] * x[1, 2])
        let balance = m.follower.constraints("balance", over: 1...3) { n in
            sum(arcs.filter { $0[0] == .int(n) }) { x[$0] } - sum(arcs.filter { $0[1] == .int(n) }) { x[$0] }
                == (n == 1 ? 1 : n == 3 ? -1 : 0)
        }
        m.follower.dualBound(100)
        let result = try m.solve(.glpk)
        // The path 1-2-3 costs 4 + T against 10 for 1-3: the toll is 6 (optimistic follower).
        XCTAssertEqual(result.certification, .provenOptimal)
        XCTAssertEqual(result.leaderObjective ?? .nan, 6, accuracy: 1e-6)
        XCTAssertEqual(result[T[1, 2]] ?? .nan, 6, accuracy: 1e-6)
        XCTAssertEqual(result[x][[1, 3]] ?? .nan, 0, accuracy: 1e-6)
        XCTAssertEqual(result[x].count, 3)
        // The potential difference between origin and destination is the path's cost, 10.
        let d1 = try XCTUnwrap(result.dual(balance[1])), d3 = try XCTUnwrap(result.dual(balance[3]))
        XCTAssertEqual(abs(d1 - d3), 10, accuracy: 1e-6)
    }

    /// The hard instance built in code matches its `.blo` twin exactly.
    func testHardModelParity() throws {
        try assertParity({ try hardModel() }, "Tests/Fixtures/hard_bilevel_lp.blo")
    }

    /// Cancelling the task stops the solve at its next step, with a report (termination
    /// `interrupted`), long before the search would end.
    func testTaskCancellationStopsTheSolve() async throws {
        let m = try hardModel()
        var options = BlomodelOptions()
        options.route = "branch-and-bound"
        options.branchAndBoundSeed = false
        let start = Date()
        let task = Task { try await m.solve(.glpk, options: options) }
        try await Task.sleep(for: .milliseconds(700))
        task.cancel()
        let report = try await task.value
        XCTAssertEqual(report.termination, .interrupted)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
        XCTAssertFalse(Interruption.requested, "the process-wide flag stays clear")
    }

    /// A `Cancellation` in the options stops a synchronous solve from another thread.
    func testCancellationFromAnotherThread() throws {
        let m = try hardModel().build()
        var options = BlomodelOptions()
        options.route = "branch-and-bound"
        options.branchAndBoundSeed = false
        let cancellation = Cancellation()
        options.cancellation = cancellation
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.7) { cancellation.cancel() }
        let report = try Blomodel.solve(m, options: options)
        XCTAssertEqual(report.termination, .interrupted)
    }
}

/// The README's tour: the pricing model in Swift beside its `.blo` twin.
final class ReadmeTourTests: XCTestCase {
    func testReadmePricingPair() throws {
        let text = """
            set P = {A, B};
            set OFFERS = {C, D, E};
            param price{OFFERS} = [C: 6, D: 9, E: 12];
            upper {
              var p{P} >= 0, <= 20;
              maximize revenue: sum{i in P} p[i] * buy[i];
            }
            lower {
              var buy{P} >= 0, <= 5;
              var other{OFFERS} >= 0, <= 4;
              minimize spend: sum{i in P} p[i] * buy[i] + sum{c in OFFERS} price[c] * other[c];
              demand: sum{i in P} buy[i] + sum{c in OFFERS} other[c] = 10;
              dualbound 20;
            }
            """
        let twin = try ModelLoader.load(source: SourceFile(path: "pricing.blo", text: text), directory: NSTemporaryDirectory())

        let P = ["A", "B"], offers = ["C", "D", "E"]
        let price = Parameter("price", ["C": 6, "D": 9, "E": 12])
        let m = Bilevel("pricing")
        let p = m.leader.variables("p", over: P, bounds: 0...20)
        let buy = m.follower.variables("buy", over: P, bounds: 0...5)
        let other = m.follower.variables("other", over: offers, bounds: 0...4)
        m.leader.maximize("revenue", sum(P) { i in p[i] * buy[i] })
        m.follower.minimize("spend", sum(P) { i in p[i] * buy[i] } + sum(offers) { c in price[c] * other[c] })
        m.follower.constraint("demand", sum(P) { i in buy[i] } + sum(offers) { c in other[c] } == 10)
        m.follower.dualBound(20)

        XCTAssertEqual(try Blomodel.reformulate(m.build()).milp.description, try Blomodel.reformulate(twin).milp.description)
        let result = try m.solve(.cbc, timeLimit: .seconds(60))
        // An independent check: with both products at price q, the optimistic customer buys the
        // firm's units after the offers cheaper than q (C: 4 at 6, D: 4 at 9, E: 4 at 12);
        // q = 6 sells 10 units (tying with C), the best of the candidate prices.
        XCTAssertEqual(result.certification, .provenOptimal)
        XCTAssertEqual(result.leaderObjective ?? .nan, 60, accuracy: 1e-6)
        let offerList: [(price: Double, units: Double)] = [(6, 4), (9, 4), (12, 4)]
        let revenueAt = [6.0, 9, 12, 20].map { q in q * min(10, max(0, 10 - offerList.filter { $0.price < q }.map(\.units).reduce(0, +))) }
        XCTAssertEqual(revenueAt.max()!, 60)
    }
}

/// What reads naturally: parameters in bounds, members compared with integers, constant
/// expressions as dual bounds.
final class DSLConvenienceTests: XCTestCase {
    func testNaturalSpellings() throws {
        let capacity = Parameter("capacity", ["A": 4, "B": 5])
        let cost = Parameter("cost", [[1, 2]: 2, [2, 3]: 3] as [Tuple: Double])
        let arcs: [Tuple] = [[1, 2], [2, 3]]
        let m = Bilevel("m")
        let p = m.leader.variables("p", over: ["A", "B"], bounds: 0...10)
        let buy = m.follower.variables("buy", over: ["A", "B"]) { i in 0...capacity[i] }
        let f = m.follower.variables("f", over: arcs, bounds: 0...)
        m.leader.maximize(p["A"] * buy["A"])
        m.follower.minimize(sum(["A", "B"]) { i in p[i] * buy[i] } + sum(arcs) { a in cost[a] * f[a] })
        let n = 2
        m.follower.constraint("through", sum(arcs.filter { $0[1] == n }) { a in f[a] } == sum(arcs.filter { $0[0] == n }) { a in f[a] })
        m.follower.constraint("need", buy["A"] + buy["B"] >= 6)
        m.follower.dualBound(sum(arcs) { a in cost[a] } + 10)
        let model = try m.build()
        XCTAssertEqual(model.variables.map(\.upper), [10, 10, 4, 5, .infinity, .infinity])
        XCTAssertEqual(model.lowerDualBound, 15)
        XCTAssertEqual(model.constraints[0].body.linear.terms.map(\.1), [1, -1])
    }

    /// `start:` is the language's `:=`: the same start values in the model, and the gradient
    /// methods begin there.
    func testStartValuesMatchTheLanguage() throws {
        let m = Bilevel("s")
        let x = m.leader.variable("x", bounds: 0...10, start: 3)
        let y = m.follower.variables("y", over: [1, 2], start: -2)
        m.leader.minimize((x - 1) ** 2 + y[1] ** 2 + y[2] ** 2)
        m.follower.minimize((y[1] - x) ** 2 + (y[2] + x) ** 2)
        let model = try m.build()
        let text = try Blomodel.load(
            source: SourceFile(
                path: "s.blo",
                text: "upper { var x >= 0, <= 10, := 3; minimize F: (x - 1)^2 + y[1]^2 + y[2]^2; }\nlower { var y{i in 1..2} := -2; minimize f: (y[1] - x)^2 + (y[2] + x)^2; }"))
        XCTAssertEqual(model.variables.map(\.start), [3, -2, -2])
        XCTAssertEqual(text.variables.map(\.start), model.variables.map(\.start))
        var options = BlomodelOptions()
        options.gradient.method = "aid-cg"
        options.gradient.iterations = 0
        XCTAssertEqual(try m.solve(options: options)[x] ?? .nan, 3)
    }

    func testBoundsThatAreNotNumbers() throws {
        let capacity = Parameter("capacity", ["A": 4])
        let m = Bilevel("m")
        let x = m.leader.variable("x", bounds: 0...1)
        let line = #line + 1
        _ = m.follower.variables("buy", over: ["A", "B"]) { i in 0...capacity[i] }
        m.leader.minimize(x)
        let d = try XCTUnwrap(buildError(m))
        XCTAssertEqual(d.message, "capacity[B] has no value and 'capacity' has no default")
        XCTAssertEqual(d.location?.line, line)

        let n = Bilevel("n")
        let z = n.leader.variable("z", bounds: 0...1)
        let boundLine = #line + 1
        _ = n.follower.variable("y", bounds: 0...(2 * z))
        XCTAssertEqual(buildError(n)?.message, "a variable bound must be a constant, but it involves the variable 'z'")
        XCTAssertEqual(buildError(n)?.location?.line, boundLine)
        XCTAssertEqual(
            languageError("upper { var z >= 0, <= 1; minimize z; } lower { var y >= 0, <= 2*z; minimize y; }"),
            "a variable bound must be a constant, but it involves the variable 'z'")
    }
}

final class DSLEventTests: XCTestCase {
    /// Progress values arrive while the search runs (nodes growing, bounds on the right side of the
    /// incumbent), then the report.
    func testEventsOfALongSearch() async throws {
        let m = try hardModel()
        var options = BlomodelOptions()
        options.route = "branch-and-bound"
        options.branchAndBoundSeed = false
        var progress: [SearchProgress] = []
        var report: SolveReport?
        for try await event in try m.events(.glpk, timeLimit: .seconds(2), options: options) {
            switch event {
            case .progress(let p): progress.append(p)
            case .finished(let r): report = r
            }
        }
        let r = try XCTUnwrap(report)
        XCTAssertEqual(r.termination, .timeLimit)
        XCTAssertGreaterThanOrEqual(progress.count, 3)
        XCTAssertEqual(progress.map(\.nodes), progress.map(\.nodes).sorted())
        XCTAssertTrue(progress.allSatisfy { $0.route == "branch-and-bound" })
        for p in progress {
            if let i = p.incumbent, let b = p.bound { XCTAssertLessThanOrEqual(b, i + 1e-9, "a minimising leader's bound is below") }
        }
    }

    /// Leaving the loop early cancels the solve: the next solve of the process is not disturbed,
    /// and the abandoned one stops (its thread ends) instead of running on.
    func testLeavingEarlyCancels() async throws {
        let m = try hardModel()
        var options = BlomodelOptions()
        options.route = "branch-and-bound"
        options.branchAndBoundSeed = false
        let start = Date()
        for try await event in try m.events(.glpk, options: options) {
            if case .progress = event { break }
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertFalse(Interruption.requested)
        let small = Bilevel("small")
        let x = small.leader.variable("x", bounds: 0...)
        let y = small.follower.variable("y", bounds: 0...)
        small.leader.minimize(-x - 3 * y)
        small.follower.minimize(y)
        small.follower.constraint("c1", -x + y <= 3)
        small.follower.constraint("c2", x + 2 * y <= 12)
        small.follower.constraint("c3", 4 * x - y <= 12)
        let r = try await small.solve()
        XCTAssertEqual(r.leaderObjective ?? .nan, -16, accuracy: 1e-6)
    }
}

/// What the new-user trial found, fixed.
final class DSLTrialFindingsTests: XCTestCase {
    /// `result.dual(c)` means what `m.leader.dual(c)` means: the rate of change of the
    /// follower's optimal value with the right-hand side, in the follower's sense.
    func testDualsHaveTheModelsSign() throws {
        // A maximising follower with a binding capacity: one more unit earns 5.
        let m = Bilevel("m")
        let x = m.leader.variable("x", bounds: 2...2)
        let s = m.follower.variable("s", bounds: 0...)
        m.leader.minimize(x + s)
        m.follower.maximize("profit", 5 * s)
        let cap = m.follower.constraint("cap", s <= x)
        let r = try m.solve()
        XCTAssertEqual(r.dual(cap) ?? .nan, 5, accuracy: 1e-9)
        XCTAssertEqual(r.multiplier(cap[]) ?? .nan, 5, accuracy: 1e-9, "the KKT multiplier as listed")

        // A minimising follower: a binding capacity lowers its cost (a negative dual), a demand
        // row raises it (positive), an equality is the price.
        let n = Bilevel("n")
        let d = n.leader.variable("d", bounds: 4...4)
        let cheap = n.follower.variable("cheap", bounds: 0...)
        let dear = n.follower.variable("dear", bounds: 0...)
        n.leader.minimize(d + cheap)
        n.follower.minimize(2 * cheap + 7 * dear)
        let capacity = n.follower.constraint("capacity", cheap <= 3)
        let demand = n.follower.constraint("demand", cheap + dear >= d)
        let result = try n.solve()
        XCTAssertEqual(result.dual(capacity) ?? .nan, -5, accuracy: 1e-9, "one more cheap unit saves 7 - 2")
        XCTAssertEqual(result.dual(demand) ?? .nan, 7, accuracy: 1e-9, "one more unit of demand is bought dear")
        XCTAssertEqual(result.value(2 * cheap + 7 * dear) ?? .nan, 13, accuracy: 1e-9)
        XCTAssertEqual(result.followerObjective ?? .nan, 13, accuracy: 1e-9)
        XCTAssertEqual("\(result.certification)", "proven_optimal")
    }

    /// A `Double` computed in a family's closure compares with an expression.
    func testComputedBoundsInClosures() throws {
        let m = Bilevel("m")
        let x = m.leader.variables("x", over: 1...3, bounds: 0...10)
        let y = m.follower.variable("y", bounds: 0...)
        m.leader.maximize(sum(1...3) { i in x[i] } + y)
        m.follower.minimize(y)
        m.leader.constraints("c", over: 1...3) { i in x[i] <= Double(i) + 1 }
        m.leader.constraints("d", over: 1...3) { i in Double(i) * 2 >= x[i] }
        let r = try m.solve()
        XCTAssertEqual(r.leaderObjective ?? .nan, 2 + 3 + 4, accuracy: 1e-9)
    }

    /// A refusal about a node (here the exact routes' leader x follower product) points at the
    /// Swift line that wrote it, not at "<code>".
    func testRefusalsPointAtTheSwiftLine() throws {
        let m = Bilevel("m")
        let x = m.leader.variable("x", bounds: 0...4)
        let y = m.follower.variable("y", bounds: 0...4)
        m.leader.minimize(-x - y)
        let line = #line + 1
        m.follower.minimize(y * y * y - x * y)
        do {
            _ = try Blomodel.reformulate(m.build())
            XCTFail("a cubic follower objective is refused by the exact routes")
        } catch let d as Diagnostic {
            XCTAssertEqual(d.location?.file, "BilevelDSLTests/DSLTests.swift", d.rendered)
            XCTAssertEqual(d.location?.line, line, d.rendered)
        }
    }

    func testTypoedMembersGetASuggestionAndEmptyFamiliesAWarning() throws {
        let m = Bilevel("m")
        let p = m.leader.variables("p", over: ["north", "south"], bounds: 0...1)
        let none = m.leader.variables("q", over: [String](), bounds: 0...1)
        let y = m.follower.variable("y", bounds: 0...)
        _ = none
        m.leader.minimize(p["nort"] + y)
        m.follower.minimize(y)
        let d = try XCTUnwrap(buildError(m))
        XCTAssertEqual(d.notes, ["did you mean [north]?"])

        let n = Bilevel("n")
        _ = n.leader.variables("q", over: [String](), bounds: 0...1)
        let z = n.leader.variable("z", bounds: 0...1)
        let w = n.follower.variable("w", bounds: 0...)
        n.leader.minimize(z + w)
        n.follower.minimize(w)
        let model = try n.build()
        XCTAssertEqual(model.warnings.map(\.message), ["the family 'q' has no members: its index set is empty"])

        let cost = Parameter("cost", ["north": 1.0, "south": 2.0])
        XCTAssertEqual(cost["nort"].failureMessage, "cost[nort] has no value and 'cost' has no default")
        XCTAssertEqual(cost["nort"].failureNotes, ["did you mean [north]?"])
    }
}
