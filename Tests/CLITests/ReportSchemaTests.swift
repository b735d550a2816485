import Blomodel
import Foundation
import XCTest

/// The JSON reports against their JSON Schemas (`docs/report.schema.json`,
/// `docs/check.schema.json`), with the validator of the keywords those files use.
final class ReportSchemaTests: XCTestCase {
    static func reportValidator() throws -> JSONSchemaValidator {
        try JSONSchemaValidator(file: root.appendingPathComponent("docs/report.schema.json"))
    }

    static func checkValidator() throws -> JSONSchemaValidator {
        try JSONSchemaValidator(file: root.appendingPathComponent("docs/check.schema.json"))
    }

    /// A model written to a temporary file.
    func temporaryModel(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "schema-\(UUID().uuidString).blo"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The member of an object, by a path of keys.
    func member(_ v: JSONValue, _ keys: String...) -> JSONValue? {
        var current = v
        for k in keys {
            guard case .object(let fields) = current, let next = fields.first(where: { $0.0 == k })?.1 else { return nil }
            current = next
        }
        return current
    }

    /// Runs `solve --json` with the arguments, checks the exit status, validates the report and
    /// returns it.
    @discardableResult
    func validReport(_ arguments: [String], status: Int32, file: StaticString = #filePath, line: UInt = #line) throws -> JSONValue {
        let r = try blomodel(["solve"] + arguments + ["--json"])
        XCTAssertEqual(r.status, status, "\(arguments): \(r.err)", file: file, line: line)
        let report = try JSONParser.parse(r.out)
        let errors = try Self.reportValidator().errors(report)
        XCTAssertEqual(errors, [], "\(arguments.joined(separator: " ")): the report breaks the schema", file: file, line: line)
        return report
    }

    func string(_ v: JSONValue?) -> String? { if case .string(let s)? = v { return s } else { return nil } }
    func isNull(_ v: JSONValue?) -> Bool { if case .null? = v { return true } else { return false } }

    /// Real reports of every kind the brief names: optimal, infeasible, unbounded, with warnings,
    /// stopped by a node limit and a time limit, with branch-and-bound and outer-approximation
    /// details, resting on default and user-given big-Ms.
    func testSolveReportsMatchTheSchema() throws {
        let optimal = try validReport(["Models/literature/liu_hart_1994.blo"], status: 0)
        XCTAssertEqual(string(member(optimal, "certification")), "proven_optimal")
        XCTAssertEqual(string(member(optimal, "verification", "outcome")), "optimal")
        try validReport(["Models/classic/toll/toll.blo", "--solver", "cbc"], status: 0)

        let infeasible = try validReport(
            [try temporaryModel("upper { var x >= 0, <= 1; minimize F: x; G: y >= 5; }\nlower { var y >= 0, <= 10; minimize f: y; c: y >= x; }\n")],
            status: 2)
        XCTAssertEqual(string(member(infeasible, "certification")), "infeasible")
        XCTAssertTrue(isNull(member(infeasible, "verification")))

        let unbounded = try validReport([try temporaryModel("upper { var x >= 0; minimize F: -x; }\nlower { var y >= 0; minimize f: y; c: y >= x; }\n")], status: 5)
        XCTAssertEqual(string(member(unbounded, "certification")), "unbounded")

        let warned = try validReport(
            [try temporaryModel("upper { var x >= 0, <= 1e20; minimize F: -x; }\nlower { var y >= 0; minimize f: y; c: y >= x; d: y <= 3; }\n")], status: 0)
        guard case .array(let warnings)? = member(warned, "warnings") else { return XCTFail("no warnings list") }
        XCTAssertEqual(warnings.count, 1)

        let nodeLimit = try validReport(["Models/literature/liu_hart_1994_free.blo", "--route", "branch-and-bound", "--node-limit", "2"], status: 0)
        XCTAssertEqual(string(member(nodeLimit, "termination")), "node_limit")
        XCTAssertEqual(string(member(nodeLimit, "best_bound_validity")), "bilevel")

        let timeLimit = try validReport(["Tests/Fixtures/hard_bilevel_lp.blo", "--time-limit", "1"], status: 0)
        XCTAssertEqual(string(member(timeLimit, "termination")), "time_limit")
        let milpTimeLimit = try validReport(["Tests/Fixtures/hard_bilevel_lp.blo", "--time-limit", "1", "--route", "exact-kkt"], status: 0)
        XCTAssertEqual(string(member(milpTimeLimit, "best_bound_validity")), "big_m_program")

        let branchAndBound = try validReport(["Models/literature/liu_hart_1994_free.blo"], status: 0)
        XCTAssertEqual(string(member(branchAndBound, "route")), "branch-and-bound")
        XCTAssertEqual(string(member(branchAndBound, "branch_and_bound", "stop_reason")), "optimal")

        let defaultM = try validReport(["Models/literature/liu_hart_1994_free.blo", "--route", "exact-kkt"], status: 0)
        XCTAssertEqual(string(member(defaultM, "certification")), "feasible")
        guard case .array(let pairs)? = member(defaultM, "big_m") else { return XCTFail("no big_m list") }
        XCTAssertTrue(pairs.contains { string(member($0, "primal_source"))?.contains("default") ?? false }, "\(pairs.map { $0.render() })")
        let userM = try validReport(["Models/classic/toll/toll.blo", "--route", "exact-kkt"], status: 0)
        XCTAssertEqual(string(member(userM, "certification")), "optimal_if_bounds_hold")
        XCTAssertEqual(string(member(userM, "best_bound_validity")), "if_bounds_hold")

        let outer = try validReport(["Models/literature/bard_1988_ex1.blo"], status: 0)
        XCTAssertEqual(string(member(outer, "route")), "outer-approximation")
        XCTAssertFalse(isNull(member(outer, "outer_approximation")))
        try validReport(["Models/classic/strategic_producer/strategic_producer.blo"], status: 0)
    }

    func testCheckDescriptionsMatchTheSchema() throws {
        let validator = try Self.checkValidator()
        for (model, status) in [
            ("Models/literature/liu_hart_1994.blo", 0), ("Models/classic/toll/toll.blo", 0), ("Models/literature/bard_1988_ex1.blo", 0),
            ("Models/classic/strategic_producer/strategic_producer.blo", 0), ("Models/nonlinear/cccp_bo_synthetic/cccp_bo_synthetic.blo", 0),
            ("Models/classic/stackelberg_cournot/stackelberg_cournot.blo", 0),
        ] as [(String, Int32)] {
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent(model).path) else {
                XCTFail("\(model) is missing")
                continue
            }
            let r = try blomodel(["check", model, "--json"])
            XCTAssertEqual(r.status, status, "\(model): \(r.err)")
            let description = try JSONParser.parse(r.out)
            XCTAssertEqual(validator.errors(description), [], "\(model): the description breaks the schema")
        }
    }

    /// The validator rejects a wrong type, an unknown key, a value outside an enum, a missing
    /// key, another schema version, and a wrong type inside a `$ref`'d, nullable object.
    func testValidatorRejectsBrokenReports() throws {
        let validator = try Self.reportValidator()
        let good = try JSONParser.parse(try blomodel(["solve", "Models/literature/liu_hart_1994_free.blo", "--json"]).out)
        XCTAssertEqual(validator.errors(good), [])
        func edited(_ v: JSONValue, _ path: [String], _ change: (inout [(String, JSONValue)]) -> Void) -> JSONValue {
            guard case .object(var fields) = v else { return v }
            if path.isEmpty {
                change(&fields)
            } else if let i = fields.firstIndex(where: { $0.0 == path[0] }) {
                fields[i].1 = edited(fields[i].1, Array(path.dropFirst()), change)
            }
            return .object(fields)
        }
        func set(_ key: String, _ value: JSONValue) -> (inout [(String, JSONValue)]) -> Void {
            { fields in if let i = fields.firstIndex(where: { $0.0 == key }) { fields[i].1 = value } }
        }
        let cases: [(String, JSONValue, String)] = [
            ("a string for a count", edited(good, ["branch_and_bound"], set("nodes", .string("3"))), "$.branch_and_bound.nodes: a string is not of type integer"),
            ("a fraction for a count", edited(good, ["size"], set("rows", .number(2.5))), "$.size.rows: a number is not of type integer"),
            ("an unknown key", edited(good, []) { $0.append(("extra", .number(1))) }, "$: the key 'extra' is not allowed"),
            ("an unknown nested key", edited(good, ["leader"]) { $0.append(("value", .number(1))) }, "$.leader: the key 'value' is not allowed"),
            ("a value outside the enum", edited(good, [], set("termination", .string("finished"))), "$.termination: \"finished\" is not one of"),
            ("a missing key", edited(good, []) { $0.removeAll { $0.0 == "timing" } }, "$: the required key 'timing' is missing"),
            ("another schema version", edited(good, [], set("schema_version", .number(2))), "$.schema_version: 2 is not 1"),
            ("a boolean for a number", edited(good, [], set("best_bound", .bool(true))), "$.best_bound: a boolean is not of type number or null"),
            ("a negative gap", edited(good, [], set("relative_gap", .number(-0.5))), "$.relative_gap: -0.5 is below the minimum 0"),
            ("a string variable value", edited(good, ["leader", "variables"], set("x", .string("4"))), "$.leader.variables.x: a string is not of type number"),
            ("an array for a nullable object", edited(good, [], set("verification", .array([]))), "$.verification: matches 0 of the oneOf alternatives"),
        ]
        for (what, report, expected) in cases {
            let errors = validator.errors(report)
            XCTAssertFalse(errors.isEmpty, "\(what) was accepted")
            XCTAssertTrue(errors.contains { $0.contains(expected) }, "\(what): \(errors)")
        }
    }

    /// A keyword the validator does not check, anywhere in a schema, and a `$ref` outside
    /// `#/$defs`, are refused before any instance is validated.
    func testValidatorFailsLoudlyOnKeywordsItDoesNotCheck() throws {
        for schema in [
            ##"{"type": "string", "maxLength": 3}"##,
            ##"{"type": "object", "properties": {"a": {"type": "string", "pattern": "^x"}}}"##,
            ##"{"$defs": {"unused": {"type": "array", "minItems": 1}}, "type": "object"}"##,
            ##"{"type": "object", "additionalProperties": {"exclusiveMinimum": 0}}"##,
            ##"{"oneOf": [{"type": "null"}, {"format": "date"}]}"##,
            ##"{"$ref": "https://example.org/other.json"}"##,
            ##"{"$ref": "#/$defs/missing"}"##,
            ##"{"type": "float"}"##,
            ##"{"$schema": "http://json-schema.org/draft-07/schema#"}"##,
        ] {
            XCTAssertThrowsError(try JSONSchemaValidator(schema: try JSONParser.parse(schema)), schema)
        }
        XCTAssertNoThrow(try JSONSchemaValidator(schema: try JSONParser.parse(#"{"type": ["number", "null"], "minimum": 0, "description": "ok"}"#)))
    }

    /// Keys of the report that the schema does not describe, or the reverse, break the test above;
    /// this one checks that the schema lists its keys in the report's order, as docs/cli.md does.
    func testSchemaListsTheKeysInTheReportsOrder() throws {
        let schema = try JSONParser.parse(try String(contentsOf: root.appendingPathComponent("docs/report.schema.json"), encoding: .utf8))
        let report = try JSONParser.parse(try blomodel(["solve", "Models/literature/liu_hart_1994.blo", "--json"]).out)
        guard case .object(let properties)? = member(schema, "properties"), case .object(let fields) = report else { return XCTFail("not objects") }
        XCTAssertEqual(properties.map(\.0), fields.map(\.0))
        guard case .array(let required)? = member(schema, "required") else { return XCTFail("no required list") }
        XCTAssertEqual(required.compactMap { string($0) }, fields.map(\.0))
    }
}
