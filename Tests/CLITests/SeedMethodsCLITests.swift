import Blomodel
import Foundation
import XCTest

/// The seed methods of issue 10 from the command line: closed forms, refusals, certification
/// wording, determinism, and seed 003's examples.
final class SeedMethodsCLITests: XCTestCase {
    let cournot = "Models/classic/stackelberg_cournot/stackelberg_cournot.blo"
    let discontinuous = "Models/nonlinear/discontinuous_hyperobjective/discontinuous_hyperobjective.blo"
    let nonsmooth = "Models/nonlinear/nonsmooth_hyperobjective/nonsmooth_hyperobjective.blo"
    let synthetic = "Models/nonlinear/cccp_bo_synthetic/cccp_bo_synthetic.blo"

    func solve(_ arguments: [String]) throws -> (status: Int32, report: JSONValue, out: String, err: String) {
        let r = try blomodel(["solve"] + arguments + ["--json"])
        let validator = try ReportSchemaTests.reportValidator()
        let report = try JSONParser.parse(r.out)
        XCTAssertEqual(validator.errors(report), [], arguments.joined(separator: " "))
        return (r.status, report, r.out, r.err)
    }

    /// Cournot (q_l = 50 for exact hypergradients): the Hessian-free rule is exact here (one
    /// follower variable, lambda = its curvature 2), and igfm's finite differences find it too;
    /// WoodFisher with gamma = 0.5 stops at its own biased zero 50 / (1.5 - 1/2.5) = 45.45 and the
    /// report says so (feasible, the exact hypergradient measured); sign steps stop at the Nash
    /// point 100/3, also feasible.
    func testCournotClosedForms() throws {
        let local = try solve([cournot, "--method", "aid-hessian-free", "--start", "ql=5", "--step", "0.5"])
        XCTAssertEqual(local.status, 0, local.err)
        XCTAssertTrue(local.out.contains("\"certification\": \"local\""), local.out)
        XCTAssertEqual(number(local.report, "leader", "variables", "ql") ?? .nan, 50, accuracy: 1e-5)

        let igfm = try solve([cournot, "--method", "igfm", "--start", "ql=5", "--step", "0.5", "--iterations", "200"])
        XCTAssertEqual(igfm.status, 0, igfm.err)
        XCTAssertEqual(number(igfm.report, "leader", "variables", "ql") ?? .nan, 50, accuracy: 1e-5)
        XCTAssertTrue(igfm.out.contains("Goldstein"), igfm.out)

        let wf = try solve([cournot, "--method", "aid-woodfisher", "--damping", "0.5", "--start", "ql=5", "--step", "0.5"])
        XCTAssertEqual(wf.status, 0, wf.err)
        XCTAssertEqual(number(wf.report, "leader", "variables", "ql") ?? .nan, 50 / (1.5 - 1 / 2.5), accuracy: 1e-5)
        XCTAssertTrue(wf.out.contains("\"certification\": \"feasible\""), wf.out)
        XCTAssertTrue(wf.out.contains("biased"), wf.out)

        let sign = try solve([cournot, "--method", "itd-sign", "--inner-step", "0.01", "--inner-steps", "5000", "--start", "ql=5", "--step", "0.5"])
        XCTAssertEqual(number(sign.report, "leader", "variables", "ql") ?? .nan, 100.0 / 3, accuracy: 0.02)
        XCTAssertTrue(sign.out.contains("\"certification\": \"feasible\""), sign.out)
    }

    /// cccp-bo needs a jointly convex follower: Cournot's (Hessian [[0, 1], [1, 2]] in (q_l, q_f))
    /// is refused before the run, at the follower's objective; the synthetic problem's runs, and
    /// its report says the problem is the epsilon-relaxed one.
    func testCCCPBORefusalAndRelaxation() throws {
        let refused = try blomodel(["solve", cournot, "--method", "cccp-bo"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("cccp-bo needs the follower's objective convex in the leader's and the follower's variables together"), refused.err)
        XCTAssertTrue(refused.err.contains("stackelberg_cournot.blo:"), refused.err)

        let r = try solve([synthetic, "--method", "cccp-bo", "--epsilon", "1e-3"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("epsilon-relaxed problem"), r.out)
        XCTAssertTrue(r.out.contains("\"method\": \"cccp-bo\""), r.out)
        XCTAssertEqual(number(r.report, "leader", "objective") ?? .nan, -1, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(number(r.report, "gradient", "follower_gap") ?? .nan, 1e-3)
    }

    /// The same --seed gives the same bytes (the timing lines aside); the trace too.
    func testIGFMIsDeterministic() throws {
        var outputs: [String] = []
        for _ in 0..<2 {
            let r = try blomodel(["solve", synthetic, "--method", "igfm", "--seed", "5", "--step", "0.01", "--iterations", "20", "--quiet"])
            outputs.append(r.out.split(separator: "\n").filter { !$0.hasPrefix("time") }.joined(separator: "\n"))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        let other = try blomodel(["solve", synthetic, "--method", "igfm", "--seed", "6", "--step", "0.01", "--iterations", "20", "--quiet"])
        XCTAssertNotEqual(outputs[0], other.out.split(separator: "\n").filter { !$0.hasPrefix("time") }.joined(separator: "\n"))
    }

    /// Seed 003's Example 4.1: the exact route proves the optimistic optimum -1 (x = 0, y = -1);
    /// from x = 0.5 the hypergradient methods cross 0 and end at x = 0-, value -1; igfm ends left
    /// of 0 within 2e-3 of -1; cccp-bo refuses the bilinear follower -x y (not jointly convex).
    func testDiscontinuousExample() throws {
        let exact = try solve([discontinuous])
        XCTAssertTrue(exact.out.contains("\"certification\": \"proven_optimal\""), exact.out)
        XCTAssertEqual(number(exact.report, "leader", "objective") ?? .nan, -1, accuracy: 1e-9)
        XCTAssertEqual(number(exact.report, "follower", "variables", "y") ?? .nan, -1, accuracy: 1e-9)
        for method in ["aid-hessian-free", "bvfim"] {
            let r = try solve([discontinuous, "--method", method, "--start", "x=0.5"])
            XCTAssertEqual(number(r.report, "leader", "objective") ?? .nan, -1, accuracy: 1e-6, method)
        }
        let igfm = try solve([discontinuous, "--method", "igfm", "--start", "x=0.5", "--step", "0.1", "--iterations", "300"])
        XCTAssertLessThan(number(igfm.report, "leader", "objective") ?? .nan, -1 + 2e-3)
        XCTAssertEqual(try blomodel(["solve", discontinuous, "--method", "cccp-bo"]).status, 1)
    }

    /// Seed 003's Example 5.1 (varphi = -|x| on [-2, 2], minimal -2 at the ends): from x = 0.3 the
    /// methods that choose the optimistic y reach -2; the hypergradient methods that follow the
    /// indifferent follower's y = 0 see a flat F and stop where they start (feasible, F = 0).
    func testNonsmoothExample() throws {
        for method in ["bvfim", "cccp-bo", "igfm"] {
            let r = try solve([nonsmooth, "--method", method, "--start", "x=0.3", "--step", "0.1", "--iterations", "300"])
            XCTAssertEqual(number(r.report, "leader", "objective") ?? .nan, -2, accuracy: 1e-6, method)
        }
        for method in ["aid-hessian-free", "aid-woodfisher", "itd-sign"] {
            let r = try solve([nonsmooth, "--method", method, "--start", "x=0.3"])
            XCTAssertEqual(number(r.report, "leader", "objective") ?? .nan, 0, accuracy: 1e-12, method)
            XCTAssertFalse(r.out.contains("\"certification\": \"local\""), method)
        }
    }

    /// Seed 003's Example 5.3 (Liu et al.'s counter-example, optimum 0 at x = 1, y = (1, 1)), where
    /// AID and ITD stop at 0.5: bvfim and igfm (with a step for its curvature 2) reach it.
    func testCounterExample() throws {
        let path = "Models/nonlinear/liu_2020_counterexample/liu_2020_counterexample.blo"
        let igfm = try solve([path, "--method", "igfm", "--step", "0.1", "--iterations", "1000"])
        XCTAssertEqual(number(igfm.report, "leader", "objective") ?? .nan, 0, accuracy: 1e-6)
        XCTAssertEqual(number(igfm.report, "leader", "variables", "x") ?? .nan, 1, accuracy: 1e-3)
        let bvfim = try solve([path, "--method", "bvfim"])
        XCTAssertEqual(number(bvfim.report, "leader", "objective") ?? .nan, 0, accuracy: 1e-6)
        let hf = try solve([path, "--method", "aid-hessian-free"])
        XCTAssertEqual(number(hf.report, "leader", "objective") ?? .nan, 0.5, accuracy: 1e-6)
        XCTAssertFalse(hf.out.contains("\"certification\": \"local\""))
    }

    func testOptionMisuse() throws {
        for (flag, value) in [("--damping", "0"), ("--rho", "-1"), ("--epsilon", "0"), ("--delta", "nan"), ("--theta", "-2")] {
            let r = try blomodel(["solve", cournot, "--method", "igfm", flag, value])
            XCTAssertNotEqual(r.status, 0, flag)
            XCTAssertTrue(r.err.contains(flag), "\(flag): \(r.err)")
        }
    }
}
