import Blomodel
import Foundation
import XCTest

/// Runs the built `blomodel` and says how it ended: by exit (with its status) or by a signal.
func blomodelRun(_ arguments: [String]) throws -> (exited: Bool, status: Int32, out: String, err: String) {
    try runProduct("blomodel", arguments)
}

/// A model in a temporary file; its path.
func temporaryModel(_ text: String, name: String = "hostile") throws -> String {
    let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString).blo"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Issue 8, item 4: numbers the C libraries choke on never reach them, and no library writes to
/// standard output. Each model here once ended the process with a signal (the message says which).
final class HostileNumbersTests: XCTestCase {
    /// Liu and Hart (1994), optimum -16 at (4, 4), with the leader's bound written as +-B.
    func liuHart(leaderBound: String, follower: String = "y >= 0") -> String {
        """
        upper {
          var x >= -\(leaderBound), <= \(leaderBound);
          minimize F: -x - 3*y;
        }
        lower {
          var \(follower);
          minimize f: y;
          c1: -x + y <= 3;
          c2: x + 2*y <= 12;
          c3: 4*x - y <= 12;
        }
        """
    }

    /// GLPK aborted (its scaling: "glp_set_rii: invalid scale factor") on a row with two
    /// coefficients near 1e155; CLP asserted (`fabs(obj[i]) < 1.0e25`) on an objective coefficient
    /// of 1e25. Both are now positioned input errors, on both backends.
    func testCoefficientsTheLibrariesChokeOnArePositionedErrors() throws {
        let glpkAbort = try temporaryModel("upper {\n  var x >= 0, <= 10;\n  minimize F: -x - 3*y;\n}\nlower {\n  var y >= 0;\n  minimize f: y;\n  c1: -1e155*x + 1e155*y <= 3;\n  c2: x + 2*y <= 12;\n}\n")
        let clpAssert = try temporaryModel("upper {\n  var x >= 0, <= 10;\n  minimize F: 1e25*x - 3*y;\n}\nlower {\n  var y >= 0;\n  minimize f: y;\n  c1: -x + y <= 3;\n  c2: x + 2*y <= 12;\n}\n")
        for (path, position, message) in [
            (glpkAbort, "8:14", "the coefficient -1e+155 of x in c1 is outside the supported range"),
            (clpAssert, "3:20", "the coefficient 1e+25 of x in the leader's objective F is outside the supported range"),
        ] {
            for solver in ["glpk", "cbc"] {
                let r = try blomodelRun(["solve", path, "--solver", solver, "--json"])
                XCTAssertTrue(r.exited, "\(solver): ended by a signal: \(r.err)")
                XCTAssertEqual(r.status, 1, "\(solver): \(r.err)")
                XCTAssertTrue(r.err.contains("\(path):\(position): error: \(message)"), r.err)
                XCTAssertTrue(r.err.contains("^"), "a caret under the term: \(r.err)")
                XCTAssertEqual(r.out, "", "nothing on standard output")
            }
        }
    }

    /// Leader bounds of +-1e17 meant as "free" gave F = 0 labelled verified (a GLPK relaxation LP
    /// over the huge bounds was taken as a proof); the optimum is -16. They are now infinite, the
    /// report and standard error say so, and the answer is right.
    func testHugeBoundsAreInfiniteAndSaidSo() throws {
        for follower in ["y >= 0", "y"] {
            let path = try temporaryModel(liuHart(leaderBound: "1e17", follower: follower))
            for solver in ["glpk", "cbc"] {
                let label = "\(follower), \(solver)"
                let r = try blomodelRun(["solve", path, "--solver", solver, "--json"])
                XCTAssertTrue(r.exited, "\(label): \(r.err)")
                XCTAssertEqual(r.status, 0, "\(label): \(r.err)")
                XCTAssertTrue(r.err.contains("\(path):2:3: warning: the lower bound -1e+17 of x is treated as -infinity"), r.err)
                XCTAssertTrue(r.err.contains("\(path):2:3: warning: the upper bound 1e+17 of x is treated as +infinity"), r.err)
                let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], label)
                let leader = try XCTUnwrap(report["leader"] as? [String: Any], label)
                XCTAssertEqual(leader["objective"] as? Double ?? .nan, -16, accuracy: 1e-6, label)
                XCTAssertNotEqual(report["certification"] as? String, "not_bilevel_feasible", label)
                let warnings = try XCTUnwrap(report["warnings"] as? [String], label)
                XCTAssertEqual(warnings.count, 2, label)
                XCTAssertTrue(warnings.allSatisfy { $0.hasPrefix("\(path):2:3: warning: the ") }, "\(warnings)")
                // x free and y >= 0: the high-point relaxation is bounded, so every M is proven; y
                // free too: no M is, and the M-free branch-and-bound proves the optimum.
                XCTAssertEqual(report["certification"] as? String, "proven_optimal", label)
            }
        }
        // The text report carries the warnings too; `check` prints them.
        let path = try temporaryModel(liuHart(leaderBound: "1e17"))
        let text = try blomodelRun(["solve", path])
        XCTAssertTrue(text.out.contains("\(path):2:3: warning: the lower bound -1e+17 of x is treated as -infinity"), text.out)
        let check = try blomodelRun(["check", path])
        XCTAssertEqual(check.status, 0, check.err)
        XCTAssertTrue(check.err.contains("warning: the upper bound 1e+17 of x is treated as +infinity"), check.err)
        XCTAssertTrue(check.err.contains("^~~"), check.err)
    }

    /// GLPK's MIP presolver asserted (`q->lb < q->ub`, npp3.c) on these small models with an
    /// unbounded follower and printed its message on standard output. Found by random search.
    static let presolverAssertions = [
        """
        upper {
          var x0;
          var x1 >= 0;
          minimize F: 1*x1 + -3*y0;
        }
        lower {
          var y0 >= 0;
          var y1;
          minimize f: -3*y0 + 3*y1;
          c0: 3*x0 + 3*y0 + 3*y1 >= -4;
          c1: -1*y0 + -3*y1 >= -2;
        }
        """,
        """
        upper {
          var x0 >= -4, <= 1;
          minimize F: 3*y0 + 2*y2;
          u0: 1*x0 + 2*y0 + 3*y1 + -1*y2 <= 1;
        }
        lower {
          var y0 >= -3, <= 10;
          var y1;
          var y2;
          minimize f: -3*y0 + -2*y2;
          c0: 2*x0 + -3*y0 + 1*y1 + 2*y2 >= -2;
          c1: -3*x0 + -1*y0 + 1*y1 + -3*y2 <= 2;
          c2: -3*x0 + -3*y0 + 2*y1 + -3*y2 >= 2;
        }
        """,
    ]

    func testGLPKsPresolverAssertionEndsInAPositionedMessage() throws {
        for (k, text) in Self.presolverAssertions.enumerated() {
            let path = try temporaryModel(text)
            for solver in ["glpk", "cbc"] {
                let r = try blomodelRun(["solve", path, "--solver", solver, "--json"])
                XCTAssertTrue(r.exited, "model \(k), \(solver): ended by a signal: \(r.err)")
                XCTAssertEqual(r.status, 1, "model \(k), \(solver): \(r.err)")
                XCTAssertTrue(r.err.contains("\(path):"), r.err)
                XCTAssertTrue(r.err.contains("error: the follower's objective 'f' is unbounded"), r.err)
                XCTAssertEqual(r.out, "", "model \(k), \(solver): standard output")
            }
        }
    }

    /// The same models at the library level: GLPK's failure is caught and the MILP solved again
    /// without the presolver.
    func testGLPKsFatalErrorIsCaughtAndRetriedWithoutThePresolver() throws {
        for text in Self.presolverAssertions {
            let model = try ModelLoader.load(source: SourceFile(path: "m.blo", text: text))
            let form = try Blomodel.reformulate(model).standardForm
            let r = try SolverChoice.glpk.backend.solve(form, options: SolveOptions())
            XCTAssertTrue(r.rawStatus.contains("retried without the presolver after glp_intopt: GLPK stopped on an internal error (Assertion failed: q->lb < q->ub"), r.rawStatus)
            XCTAssertNotEqual(r.termination, .error, r.rawStatus)
            XCTAssertNotEqual(r.termination, .optimal, "the follower is unbounded: the KKT system has no point")
        }
    }

    /// Found by a random search: with CBC, an LP "proved" a slack bound of 1.3e15 (now no bound:
    /// 1e12 or more), whose big-M row went to the solvers as infinite; the QP relaxation of outer
    /// approximation then sent Ipopt into its restoration phase with Mehrotra's step, which
    /// ended the process (segmentation fault).
    func testNoSignalOnAQuadraticLeaderWithFreeFollowerVariables() throws {
        let path = try temporaryModel("""
            upper {
              var x0 >= 0;
              var x1 >= -5, <= 6;
              minimize F: -3*x0 + -1*x1 + -2*y0 + -1*y2 + 2*x0^2;
            }
            lower {
              var y0;
              var y1;
              var y2;
              minimize f: -2*y0 + -1*y1 + -2*x0;
              c0: 1*x0 + -1*y1 + 2*y2 <= 3;
              c1: -1*x0 + -1*x1 + -2*y0 + -2*y1 + 2*y2 >= 10;
              c2: -2*x0 + 2*y0 + 1*y1 + -2*y2 <= 4;
            }
            """)
        for solver in ["glpk", "cbc"] {
            let r = try blomodelRun(["solve", path, "--solver", solver, "--json"])
            XCTAssertTrue(r.exited, "\(solver): ended by a signal: \(r.err)")
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(r.out.utf8)), "\(solver): \(r.out)")
        }
    }

    /// `--json` prints one JSON object whatever the route and the libraries it calls.
    func testJSONReportsParse() throws {
        for (file, solver) in [
            ("Models/literature/liu_hart_1994.blo", "glpk"), ("Models/classic/toll/toll.blo", "cbc"),
            ("Models/literature/shimizu_aiyoshi_1981_ex2.blo", "glpk"), ("Models/literature/bard_book_1998.blo", "cbc"),
            ("Models/literature/dempe_franke_2011_ex42/dempe_franke_2011_ex42.blo", "glpk"),
        ] {
            let r = try blomodelRun(["solve", file, "--solver", solver, "--json"])
            XCTAssertTrue(r.exited, "\(file): \(r.err)")
            XCTAssertEqual(r.status, 0, "\(file): \(r.err)")
            let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
            XCTAssertEqual(object?["termination"] as? String, "completed", file)
        }
    }

    /// Dempe and Franke (2011), example 4.2: an unpolished master point was kept as the incumbent
    /// and the run ended NOT BILEVEL FEASIBLE. Optimum 2.125 at x = (-1, -1), y = (2.25, 1.25)
    /// (Models/literature/dempe_franke_2011_ex42/README.md), as published (free y: no M can be
    /// proven, and the M-free branch-and-bound proves it) and with the box of the model file.
    func testDempeFrankeSolvesToItsOptimumOnBothBackends() throws {
        let published = try temporaryModel(
            "upper { var x1 >= -1, <= 1; var x2 >= -1, <= -1; minimize F: x1 + (y1 - 1)^2 + y2^2; }\nlower { var y1; var y2; minimize f: x1*y1 + x2*y2; g1: -y1 + y2 <= 1; g2: y1 + y2 <= 3.5; g3: y2 <= 2; }\n")
        for (path, certification) in [
            (published, "proven_optimal"), ("Models/literature/dempe_franke_2011_ex42/dempe_franke_2011_ex42.blo", "proven_optimal"),
        ] {
            for solver in ["glpk", "cbc"] {
                for extra in [[], ["--oa-milp-only", "--oa-tolerance", "1e-5"]] {
                    let label = "\(path), \(solver) \(extra)"
                    let r = try blomodelRun(["solve", path, "--solver", solver, "--json"] + extra)
                    XCTAssertTrue(r.exited, "\(label): \(r.err)")
                    XCTAssertEqual(r.status, 0, "\(label): \(r.err)")
                    let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], label)
                    XCTAssertEqual(report["certification"] as? String, certification, label)
                    let verification = try XCTUnwrap(report["verification"] as? [String: Any], label)
                    XCTAssertEqual(verification["outcome"] as? String, "optimal", label)
                    let leader = try XCTUnwrap(report["leader"] as? [String: Any], label)
                    XCTAssertEqual(leader["objective"] as? Double ?? .nan, 2.125, accuracy: extra.isEmpty ? 1e-6 : 1e-4, label)
                    let follower = try XCTUnwrap((report["follower"] as? [String: Any])?["variables"] as? [String: Double], label)
                    XCTAssertEqual(follower["y1"] ?? .nan, 2.25, accuracy: extra.isEmpty ? 1e-6 : 1e-2, label)
                }
            }
        }
    }
}
