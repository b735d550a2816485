import BloLanguage
import BlomodelCore
import XCTest

@testable import ModelFormats

/// The MibS format: the aux file's syntaxes, the mapping to a bilevel model, and bad input
/// (/work/shared/formats/mibs-format.md, §1 and §3).
final class MibSTests: XCTestCase {
    func load(_ mps: String, _ aux: String) throws -> MibSInstance {
        try MibS.load(mps: fixtures.appendingPathComponent(mps).path, aux: fixtures.appendingPathComponent(aux).path)
    }

    func loadText(mps: String, aux: String) throws -> MibSInstance {
        try MibS.instance(mps: MPSReader.parse(SourceFile(path: "i.mps", text: mps)), aux: MibSAuxReader.parse(SourceFile(path: "i.aux", text: aux)))
    }

    /// The optimistic bilevel optimum of a small all-integer model by enumeration (each variable
    /// over its bounds, capped to [-limit, limit]): for each leader point, the follower's optimum
    /// over its own rows and bounds, then the best leader value among those optima that satisfy
    /// the leader's rows.
    func enumerate(_ m: BilevelModel, limit: Double = 10) -> (value: Double, point: [Double])? {
        func values(_ j: Int) -> [Double] {
            let v = m.variables[j]
            return Array(stride(from: max(v.lower, -limit), through: min(v.upper, limit), by: 1))
        }
        func points(_ ids: [Int]) -> [[Double]] {
            var all: [[Double]] = [[]]
            for j in ids { all = all.flatMap { p in values(j).map { p + [$0] } } }
            return all
        }
        func holds(_ c: Constraint, _ x: [Double]) -> Bool {
            let a = c.body.evaluate(x)
            return a >= c.lower - 1e-9 && a <= c.upper + 1e-9
        }
        let leader = m.variables(of: .leader), follower = m.variables(of: .theFollower)
        let fSign = m.lowerObjective.sense.sign, lSign = m.upperObjective.sense.sign
        var best: (Double, [Double])?
        for xl in points(leader) {
            var x = [Double](repeating: 0, count: m.variables.count)
            for (k, j) in leader.enumerated() { x[j] = xl[k] }
            var responses: [([Double], Double)] = []
            for yl in points(follower) {
                for (k, j) in follower.enumerated() { x[j] = yl[k] }
                if m.constraints.allSatisfy({ $0.owner.isLeader || holds($0, x) }) {
                    responses.append((x, fSign * m.lowerObjective.expression.evaluate(x)))
                }
            }
            guard let fbest = responses.map(\.1).min() else { continue }
            for (p, f) in responses where f <= fbest + 1e-9 && m.constraints.allSatisfy({ $0.owner.isFollower || holds($0, p) }) {
                let value = lSign * m.upperObjective.expression.evaluate(p)
                if best == nil || value < best!.0 { best = (value, p) }
            }
        }
        return best.map { (lSign * $0.0, $0.1) }
    }

    // MARK: - Moore and Bard (1990) in every aux syntax

    func testMooreBardInEveryAuxSyntaxIsTheSameModel() throws {
        let reference = try load("moore_bard_1990.mps", "moore_bard_1990.aux").model
        XCTAssertEqual(reference.name, "moore_bard_1990")
        XCTAssertEqual(
            canonical(reference),
            [
                "follower minimize 1*y const 0 dualbound -",
                "leader minimize -1*x -10*y const 0",
                "row R0 follower [-inf, 30] -25*x 20*y const 0 dualbound -",
                "row R1 follower [-inf, 10] 1*x 2*y const 0 dualbound -",
                "row R2 follower [-inf, 15] -1*y 2*x const 0 dualbound -",
                "row R3 follower [15, inf] 10*y 2*x const 0 dualbound -",
                "var x leader integer [0, inf] start -",
                "var y follower integer [0, inf] start -",
            ])
        for aux in ["moore_bard_1990_legacy.aux", "moore_bard_1990_legacy_names.aux"] {
            XCTAssertEqual(canonical(try load("moore_bard_1990.mps", aux).model), canonical(reference), aux)
        }
        // The documentation table's spellings (@NUMCONSTR, @CONSTRBEGIN, @CONSTREND), no end keys,
        // @NAME on its own line with spaces.
        let mps = try String(contentsOf: fixtures.appendingPathComponent("moore_bard_1990.mps"))
        let tolerant = "@NUMVARS 1\n@NUMCONSTR 4\n@VARSBEGIN\ny 1.\n@CONSTRBEGIN\nR0 R1\nR2\nR3\n@CONSTREND\n@NAME\nMoore and Bard\n"
        let t = try loadText(mps: mps, aux: tolerant)
        XCTAssertEqual(canonical(t.model), canonical(reference))
        XCTAssertEqual(t.model.name, "Moore and Bard")
        // The published optimum (x = 2, y = 2, F = -22), by enumeration of the loaded model.
        let optimum = try XCTUnwrap(enumerate(reference))
        XCTAssertEqual(optimum.value, -22)
        XCTAssertEqual(optimum.point, [2, 2])
    }

    func testFollowerSenseAndMaximisingLeaderObjective() throws {
        let mps = "NAME s\nOBJSENSE MAX\nROWS\n N obj\n L c\nCOLUMNS\n x obj 1 c 1\n y obj 1 c 1\nRHS\n RHS c 4\nENDATA\n"
        let legacy = try loadText(mps: mps, aux: "N 1\nM 1\nLC 1\nLR 0\nLO 2\nOS -1\n")
        XCTAssertEqual(legacy.model.lowerObjective.sense, .maximize)
        XCTAssertEqual(legacy.model.lowerObjective.expression.linear.terms[1], 2)
        // MibS minimises the MPS objective whatever OBJSENSE says: read the same way, with a warning.
        XCTAssertEqual(legacy.model.upperObjective.sense, .minimize)
        XCTAssertEqual(legacy.model.upperObjective.expression.linear.terms[0], 1)
        let warning = try XCTUnwrap(legacy.warnings.first { $0.message.contains("OBJSENSE MAX is ignored") })
        XCTAssertTrue(warning.rendered.hasPrefix("i.mps:2:1: warning: OBJSENSE MAX is ignored"), warning.rendered)
        let named = try loadText(mps: mps, aux: "@NUMVARS\n1\n@NUMCONSTRS\n1\n@VARSBEGIN\ny 2\n@VARSEND\n@CONSTRSBEGIN\nc\n@CONSTRSEND\n@OBJSENSE\nMAX\n")
        XCTAssertEqual(named.model.lowerObjective.sense, .maximize)
        // A misspelt key is skipped, as MibS skips it, with a warning: the follower minimises.
        let misspelt = try loadText(mps: mps, aux: "@NUMVARS 1 @NUMCONSTRS 1 @VARSBEGIN y 2 @VARSEND @CONSTRSBEGIN c @CONSTRSEND @OBJESENSE MAX\n")
        XCTAssertEqual(misspelt.model.lowerObjective.sense, .minimize)
        XCTAssertTrue(misspelt.warnings.contains { $0.rendered.contains("i.aux:1:78: warning: '@OBJESENSE' is not a key") }, "\(misspelt.warnings)")
    }

    // MARK: - Interdiction

    func testInterdictionFileExpandsToTheGeneralForm() throws {
        let expanded = try load("knapsack_interdiction_3.mps", "knapsack_interdiction_3.aux").model
        let general = try load("knapsack_interdiction_3_general.mps", "knapsack_interdiction_3_general.aux").model
        XCTAssertEqual(canonical(expanded), canonical(general))
        XCTAssertEqual(expanded.variables.map(\.name), ["y0", "y1", "y2", "x0", "x1", "x2"])
        XCTAssertEqual(expanded.variables.map(\.owner), [.theFollower, .theFollower, .theFollower, .leader, .leader, .leader])
        // Zero-sum: the leader minimises the follower's profit; by enumeration, interdicting y2 leaves 5.
        let optimum = try XCTUnwrap(enumerate(expanded))
        XCTAssertEqual(optimum.value, 5)
        XCTAssertEqual(optimum.point, [0, 1, 0, 0, 0, 1])
    }

    // MARK: - Names

    func testNamesAreKeptWhenValidAndMadeValidOtherwise() throws {
        let mps = """
            NAME n
            ROWS
             N obj
             L c-1
             L x
             L upper
            COLUMNS
             x(1) obj 1 c-1 1
             2y obj 1 x 1
             set obj 1 upper 1
             x[1] obj 1 c-1 1
             x[2] obj 1 x 1
             x_1_ obj 1
            RHS
             RHS c-1 4 x 3
             RHS upper 2
            ENDATA
            """
        let i = try loadText(mps: mps, aux: "@NUMVARS 2 @NUMCONSTRS 1 @VARSBEGIN set 1 x[2] 0 @VARSEND @CONSTRSBEGIN upper @CONSTRSEND")
        XCTAssertEqual(i.model.variables.map(\.name), ["x_1_", "_2y", "set_", "x[1]", "x[2]", "x_1__2"])
        XCTAssertEqual(i.model.constraints.map(\.name), ["c_1", "x_2", "upper_"])
        XCTAssertEqual(i.renamed.map(\.file), ["x(1)", "2y", "set", "x_1_", "c-1", "x", "upper"])
        // The .blo text keeps the file's names in comments and reads back to the same model.
        let original = Dictionary(uniqueKeysWithValues: i.renamed.map { ($0.model, $0.file) })
        let text = try BloWriter.write(i.model, originalNames: original)
        XCTAssertTrue(text.text.contains("  var x_1_ >= 0;  # x(1)\n"), text.text)
        XCTAssertTrue(text.text.contains("  var x_1 >= 0;  # x[1]\n"), text.text)
        XCTAssertTrue(text.text.contains("  c_1: x_1_ + x_1 <= 4;  # c-1\n"), text.text)
        let back = try ModelLoader.load(source: SourceFile(path: "n.blo", text: text.text))
        XCTAssertEqual(
            canonical(back, variableName: { back.variables[$0].name }),
            canonical(i.model, variableName: { text.variableNames[$0] }, constraintName: { text.constraintNames[$0] }).map {
                $0  // same names once written
            })
    }

    // MARK: - Real MibS files

    /// The MibS files stored verbatim in `Models/integer/` (from coin-or/MibS: moore90_2, linderoth,
    /// the input documentation's general example, DeNegre's knapsack interdiction K5010W02) load to the model of their `.blo` twin, written by
    /// hand from the files. The names differ (C0001 is x): variables and rows are compared in order
    /// within each level.
    func testRealMibSFilesLoadToTheirBloTwins() throws {
        let base = repositoryRoot.appendingPathComponent("Models/integer")
        let folders = try FileManager.default.contentsOfDirectory(atPath: base.path).filter {
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: base.appendingPathComponent($0).path, isDirectory: &directory) && directory.boolValue
        }.sorted()
        XCTAssertTrue(Set(["denegre_kip_k5010w02", "mibs_linderoth", "mibs_moore90_2"]).isSubset(of: folders), "\(folders)")
        func byLevel(_ m: BilevelModel) -> [String] {
            var vnames: [Int: String] = [:], cnames: [Int: String] = [:]
            for owner in [Owner.leader, .theFollower] {
                for (k, j) in m.variables(of: owner).enumerated() { vnames[j] = "\(owner)-var\(k)" }
                for (k, i) in m.constraints(of: owner).enumerated() { cnames[i] = "\(owner)-row\(k)" }
            }
            // The twins write `binary` for the files' integer [0, 1] columns and may maximise where
            // the aux file minimises the negation: both are the same model, compared in one form.
            var n = m
            for j in n.variables.indices where n.variables[j].kind == .binary { n.variables[j].kind = .integer }
            for level in [\BilevelModel.upperObjective, \BilevelModel.lowerObjective] where n[keyPath: level].sense == .maximize {
                n[keyPath: level].sense = .minimize
                n[keyPath: level].expression = -n[keyPath: level].expression
            }
            return canonical(n, variableName: { vnames[$0]! }, constraintName: { cnames[$0]! })
        }
        for folder in folders {
            let files = try FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent(folder).path)
            let mps = try XCTUnwrap(files.first { $0.hasSuffix(".mps") }), aux = try XCTUnwrap(files.first { $0.hasSuffix(".aux") })
            let loaded = try MibS.load(
                mps: base.appendingPathComponent(folder).appendingPathComponent(mps).path,
                aux: base.appendingPathComponent(folder).appendingPathComponent(aux).path
            ).model
            let twin = try ModelLoader.load(path: base.appendingPathComponent(folder).appendingPathComponent(folder + ".blo").path)
            XCTAssertEqual(byLevel(loaded), byLevel(twin), folder)
        }
    }

    // MARK: - Bad input

    func testAuxErrorsArePositionedInTheAuxFile() throws {
        let mps = try String(contentsOf: fixtures.appendingPathComponent("moore_bard_1990.mps"))
        let cases: [(String, String)] = [
            ("@NUMVARS\n1\n@NUMCONSTRS\n1\n@VARSBEGIN\nz 1\n@VARSEND\n@CONSTRSBEGIN\nR0\n@CONSTRSEND\n", "i.aux:6:1: error: 'z' is not a column of i.mps"),
            ("@NUMVARS 1 @NUMCONSTRS 1 @VARSBEGIN y 1 @VARSEND @CONSTRSBEGIN R9 @CONSTRSEND", "i.aux:1:64: error: 'R9' is not a row of i.mps"),
            ("@NUMVARS 1 @NUMCONSTRS 1 @VARSBEGIN y 1 @VARSEND @CONSTRSBEGIN OBJ @CONSTRSEND", "i.aux:1:64: error: 'OBJ' is the objective row of i.mps"),
            ("@NUMVARS 2 @NUMCONSTRS 1 @VARSBEGIN y 1 @VARSEND @CONSTRSBEGIN R0 @CONSTRSEND", "i.aux:1:10: error: @NUMVARS says 2 follower variable(s); @VARSBEGIN lists 1"),
            ("@NUMVARS 1 @NUMCONSTRS 3 @VARSBEGIN y 1 @VARSEND @CONSTRSBEGIN R0 @CONSTRSEND", "i.aux:1:24: error: @NUMCONSTRS says 3 follower row(s); @CONSTRSBEGIN lists 1"),
            ("@NUMVARS 1 @VARSBEGIN y @VARSEND", "i.aux:1:23: error: follower variable 'y' has no objective coefficient"),
            ("@NUMVARS 1 @VARSBEGIN y 1x @VARSEND", "i.aux:1:25: error: '1x' is not a finite number"),
            ("@NUMVARS 1 @VARSBEGIN y nan @VARSEND", "i.aux:1:25: error: 'nan' is not a finite number"),
            ("@NUMVARS 1 @VARSBEGIN y 1 y 2 @VARSEND", "i.aux:1:27: error: column 'y' is listed twice"),
            ("N 1\nM 1\nLC 5\nLR 0\nLO 1\n", "i.aux:3:4: error: column index 5 is out of range: i.mps has 2 column(s)"),
            ("N 1\nM 1\nLC 1\nLR 4\nLO 1\n", "i.aux:4:4: error: row index 4 is out of range: i.mps has 4 constraint row(s)"),
            ("N 1\nM 1\nLC 1\nLR 0\n", "i.aux:3:4: error: Missing second-stage (lower-level) objective coefficient(s)"),
            ("N 2\nM 1\nLC 1\nLR 0\nLO 1\n", "i.aux:1:3: error: N says 2 follower variable(s); the file gives 1 LC line(s)"),
            ("N 1\nLC 1\nLO 1\nOS 2\n", "i.aux:4:4: error: OS must be 1 (minimise) or -1 (maximise), not '2'"),
            ("N x\n", "i.aux:1:3: error: 'x' is not a count"),
            ("just words\n", "i.aux:1:1: error: the MibS auxiliary file has no keys"),
            ("IB 1\nLO 1\nLO 1\nIC 1\n", "i.aux:4:4: error: the interdiction file gives 1 IC cost(s); i.mps has 2 column(s)"),
        ]
        for (aux, expected) in cases {
            let message = diagnostic { _ = try loadText(mps: mps, aux: aux) }
            XCTAssertTrue(message.hasPrefix(expected), "\(message)\n-- expected: \(expected)")
            XCTAssertTrue(message.contains("^"), message)
        }
    }

    func testInterdictionNeedsFiniteUpperBounds() throws {
        let mps = "NAME k\nROWS\n N obj\n L cap\nCOLUMNS\n y0 obj -1 cap 1\nRHS\n RHS cap 1\nENDATA\n"
        let message = diagnostic { _ = try loadText(mps: mps, aux: "N 1\nLO -1\nIC 1\nIB 1\n") }
        XCTAssertTrue(message.hasPrefix("i.mps:6:2: error: interdiction needs a finite upper bound on every column; 'y0' has none"), message)
    }
}
