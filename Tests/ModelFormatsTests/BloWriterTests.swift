import BloLanguage
import BlomodelCore
import GLPKBackend
import SolverInterface
import XCTest

@testable import ModelFormats

/// Round trips through the `.blo` writer and the MibS writer, over every model of `Models/`.
final class BloWriterTests: XCTestCase {
    /// Every `.blo` file under `Models/`, sorted.
    static func modelFiles() throws -> [String] {
        let base = repositoryRoot.appendingPathComponent("Models")
        let enumerator = FileManager.default.enumerator(atPath: base.path)
        var files: [String] = []
        while let p = enumerator?.nextObject() as? String {
            if p.hasSuffix(".blo") { files.append(base.appendingPathComponent(p).path) }
        }
        return files.sorted()
    }

    /// True when a model is linear in the MibS sense: every expression has a quadratic view without
    /// quadratic terms, and no `dual(...)` variable.
    static func isLinear(_ m: BilevelModel) -> Bool {
        m.isQuadratic && m.upperObjective.expression.isLinear && m.lowerObjective.expression.isLinear
            && m.constraints.allSatisfy { $0.body.isLinear }
            && !m.variables.contains { if case .dual = $0.role { return true } else { return false } }
    }

    // MARK: - .blo -> BilevelModel -> .blo text -> BilevelModel

    func testEveryQuadraticModelReadsBackFromItsText() throws {
        var written = 0, refused: [String] = []
        for path in try Self.modelFiles() {
            let model = try ModelLoader.load(path: path)
            let text: BloText
            do { text = try BloWriter.write(model) } catch let d as Diagnostic {
                XCTAssertFalse(model.isQuadratic, "\(path): \(d)")
                XCTAssertTrue(d.message.hasPrefix("the .blo writer prints linear and quadratic expressions"), d.message)
                XCTAssertNotNil(d.location, d.rendered)
                refused.append((path as NSString).lastPathComponent)
                continue
            }
            let back = try ModelLoader.load(source: SourceFile(path: "roundtrip.blo", text: text.text))
            XCTAssertEqual(
                canonical(back), canonical(model, variableName: { j in
                    if case .dual = model.variables[j].role { return text.variableNames[j].replacingOccurrences(of: "dual(", with: "dual(") }
                    return text.variableNames[j]
                }, constraintName: { text.constraintNames[$0] }), path)
            XCTAssertEqual(back.upperObjective.name, model.upperObjective.name, path)
            XCTAssertEqual(back.lowerObjective.name, model.lowerObjective.name, path)
            // Deterministic: the same text again.
            XCTAssertEqual(try BloWriter.write(back).text.split(separator: "\n").count, text.text.split(separator: "\n").count)
            written += 1
        }
        // The models beyond the quadratic class (functions of variables, degree three).
        XCTAssertEqual(refused.count, 5, "\(refused)")
        XCTAssertEqual(written + refused.count, try Self.modelFiles().count)
    }

    func testTextOfASmallModelIsReadable() throws {
        let source = """
            upper {
              var x >= 0, <= 10 integer;
              var b binary;
              maximize F: 2*x - 0.1*y + 3*b + 1.5;
              link: y <= 3;
            }
            lower {
              var y >= -1, := 0.5;
              minimize f: y^2 - x*y;
              c1: -x + y <= 3 dualbound 20;
              c2: 1 <= x + 2*y <= 12;
              dualbound 100;
            }
            """
        let model = try ModelLoader.load(source: SourceFile(path: "small.blo", text: source))
        let text = try BloWriter.write(model, comments: ["a small model"]).text
        XCTAssertEqual(
            text,
            """
            # a small model
            upper {
              var x >= 0, <= 10 integer;
              var b binary;
              maximize F: 2*x + 3*b - 0.1*y + 1.5;
              link: y <= 3;
            }
            lower {
              var y >= -1, := 0.5;
              minimize f: -x*y + y^2;
              c1: -x + y <= 3 dualbound 20;
              c2: 1 <= x + 2*y <= 12;
              dualbound 100;
            }

            """)
    }

    func testNonquadraticModelIsRefusedAtTheExpression() throws {
        let source = "upper { var x >= 0; minimize F: x; }\nlower { var y >= 0; minimize f: exp(y) - x*y; c: y <= x; }\n"
        let model = try ModelLoader.load(source: SourceFile(path: "nl.blo", text: source))
        let message = diagnostic { _ = try BloWriter.write(model) }
        XCTAssertTrue(message.hasPrefix("nl.blo:2:33: error: the .blo writer prints linear and quadratic expressions; the follower's objective has exp of the follower variable y"), message)
    }

    // MARK: - .blo -> MibS -> BilevelModel

    /// The model as it comes back from the MibS format: the leader minimises (a maximisation
    /// negated), the follower minimises its own variables' terms (leader terms and its constant
    /// dropped), no dual bounds, the leader objective named after the objective row.
    static func mibsRewritten(_ m: BilevelModel) -> [String] {
        var r = m
        if r.upperObjective.sense == .maximize {
            r.upperObjective.sense = .minimize
            r.upperObjective.expression = -r.upperObjective.expression
        }
        var f = r.lowerObjective.expression.scaled(r.lowerObjective.sense.sign)
        f.linear.constant = 0
        f.linear.terms = SparseMap(summing: f.linear.terms.filter { m.variables[$0.0].owner.isFollower })
        r.lowerObjective.sense = .minimize
        r.lowerObjective.expression = f
        r.lowerDualBound = nil
        for i in r.constraints.indices { r.constraints[i].dualBound = nil }
        for j in r.variables.indices { r.variables[j].start = nil }
        return canonical(r, variableName: { "v\($0)" }, constraintName: { "c\($0)" })
    }

    func testEveryLinearModelComesBackFromTheMibSFormat() throws {
        var converted: [String] = [], refused: [String] = []
        for path in try Self.modelFiles() {
            let model = try ModelLoader.load(path: path)
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            guard Self.isLinear(model) else {
                let message = diagnostic { _ = try MibSWriter.write(model, name: name, mpsFileName: name + ".mps") }
                XCTAssertTrue(message.contains("error: the MibS format holds linear models") || message.contains("has no counterpart in the MibS format"), message)
                refused.append(name)
                continue
            }
            let files = try MibSWriter.write(model, name: name, mpsFileName: name + ".mps")
            let mps = try MPSReader.parse(SourceFile(path: name + ".mps", text: files.mps))
            let aux = try MibSAuxReader.parse(SourceFile(path: name + ".aux", text: files.aux))
            XCTAssertEqual(aux.mpsFile, name + ".mps")
            let back = try MibS.instance(mps: mps, aux: aux).model
            // Columns and rows keep the model's order and names.
            XCTAssertEqual(back.variables.map(\.name), model.variables.map { $0.name.replacingOccurrences(of: " ", with: "_") }, path)
            XCTAssertEqual(back.constraints.map(\.name), model.constraints.map { $0.name.replacingOccurrences(of: " ", with: "_") }, path)
            XCTAssertEqual(canonical(back, variableName: { "v\($0)" }, constraintName: { "c\($0)" }), Self.mibsRewritten(model), path)
            // glpsol reads the written file: the high-point relaxation has the same optimum.
            let form = mps.standardForm()
            let ours = try GLPKBackend().solve(form, options: SolveOptions())
            let theirs = try glpsolOptimum(files.mps)
            if ours.termination == .optimal, let x = ours.solution {
                XCTAssertEqual(try XCTUnwrap(theirs, path), form.objectiveValue(x), accuracy: 1e-6, path)
            } else {
                XCTAssertNil(theirs, path)
            }
            // Writing the model read back gives the same files.
            XCTAssertEqual(try MibSWriter.write(back, name: name, mpsFileName: name + ".mps").aux, files.aux, path)
            converted.append(name)
        }
        // Refused: the quadratic and bilinear models (toll, pricing, ...) and those beyond the
        // quadratic class; every other model (the bilevel LPs of the literature, the interdiction
        // models, the integer-follower models) is converted.
        XCTAssertGreaterThanOrEqual(converted.count, 29, "\(converted)")
        XCTAssertEqual(converted.count + refused.count, try Self.modelFiles().count)
        XCTAssertEqual(refused.count, 28, "\(refused)")
    }

    func testLeaderRowOnAFollowerVariableStaysALeaderRow() throws {
        let source = """
            upper { var x >= 0, <= 4; maximize F: x + y; cap: y <= 3; }
            lower { var y >= 1, <= 5; minimize f: -y + 7; c: x + y <= 6; }
            """
        let model = try ModelLoader.load(source: SourceFile(path: "b.blo", text: source))
        let files = try MibSWriter.write(model, name: "b", mpsFileName: "b.mps")
        XCTAssertEqual(
            files.mps,
            """
            NAME b
            * written by blomodel: the leader's objective is the objective row (minimised); the aux file names the follower's part
            ROWS
             N F
             L cap
             L c
            COLUMNS
                x F -1
                x c 1
                y F -1
                y cap 1
                y c 1
            RHS
                RHS cap 3
                RHS c 6
            BOUNDS
             UP BND x 4
             LO BND y 1
             UP BND y 5
            ENDATA

            """)
        XCTAssertEqual(files.aux, "@NUMVARS\n1\n@NUMCONSTRS\n1\n@VARSBEGIN\ny -1\n@VARSEND\n@CONSTRSBEGIN\nc\n@CONSTRSEND\n@NAME\nb\n@MPS\nb.mps\n")
        XCTAssertEqual(files.notes.map(\.message).count, 2, "\(files.notes)")  // maximisation negated, constant 7 dropped
        let back = try MibS.instance(
            mps: MPSReader.parse(SourceFile(path: "b.mps", text: files.mps)), aux: MibSAuxReader.parse(SourceFile(path: "b.aux", text: files.aux))
        ).model
        XCTAssertEqual(back.constraints.map(\.owner), [.leader, .theFollower])
        XCTAssertEqual(back.variables[1].lower, 1)
        XCTAssertEqual(back.variables[1].upper, 5)
    }

    func testIntegerAndBinaryColumnsAndRangedRowsReadBackExactly() throws {
        var b = ModelBuilder()
        let x = try b.addVariable(Variable(base: "x", owner: .leader, lower: -3, upper: .infinity, kind: .integer))
        let z = try b.addVariable(Variable(base: "z", owner: .leader, lower: 0, upper: 1, kind: .binary))
        let y = try b.addVariable(Variable(base: "y", owner: .theFollower, lower: 0, upper: .infinity, kind: .integer))
        let w = try b.addVariable(Variable(base: "w", owner: .theFollower, lower: -.infinity, upper: .infinity))
        func v(_ id: VarID, _ a: Double = 1) -> Combination { Combination(b.graph.add(.variable(id)), coefficient: a) }
        var body = v(x, 0.1)
        body.add(v(y, 0.7))
        try b.addRangedConstraint("r1", owner: .theFollower, lower: 0.1, body, upper: 0.3, at: .unknown)
        var body2 = v(z)
        body2.add(v(w))
        try b.addRangedConstraint("r2", owner: .leader, lower: -2, body2, upper: 2.5, at: .unknown)
        var leader = v(x)
        leader.add(v(w, -1))
        try b.setObjective(.leader, .minimize, name: "F", leader, at: .unknown)
        try b.setObjective(.theFollower, .minimize, name: "f", v(y), at: .unknown)
        let model = try b.finish(name: "k")
        let files = try MibSWriter.write(model, name: "k", mpsFileName: "k.mps")
        XCTAssertTrue(files.mps.contains(" LI BND x -3\n PL BND x\n BV BND z\n LI BND y 0\n PL BND y\n FR BND w\n"), files.mps)
        XCTAssertTrue(files.mps.contains("    MARKER0 'MARKER' 'INTORG'\n"), files.mps)
        let back = try MibS.instance(
            mps: MPSReader.parse(SourceFile(path: "k.mps", text: files.mps)), aux: MibSAuxReader.parse(SourceFile(path: "k.aux", text: files.aux))
        ).model
        XCTAssertEqual(canonical(back), canonical(model).map { $0.replacingOccurrences(of: "follower minimize 1*y const 0 dualbound -", with: "follower minimize 1*y const 0 dualbound -") })
        XCTAssertEqual(back.constraints[0].lower, 0.1)
        XCTAssertEqual(back.constraints[0].upper, 0.3)
    }

    func testProductsAreRefusedAtTheirPosition() throws {
        let source = "upper { var x >= 0; minimize F: x; }\nlower { var y >= 0; minimize f: y - 2*x*y; c: y <= x; }\n"
        let model = try ModelLoader.load(source: SourceFile(path: "p.blo", text: source))
        let message = diagnostic { _ = try MibSWriter.write(model, name: "p", mpsFileName: "p.mps") }
        XCTAssertTrue(message.hasPrefix("p.blo:2:"), message)
        XCTAssertTrue(message.contains("error: the MibS format holds linear models; the follower's objective has the product x * y"), message)
    }
}
