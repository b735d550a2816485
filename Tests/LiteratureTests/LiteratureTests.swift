import Blomodel
import Foundation
import XCTest

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Published optima of the models in Models/. Each model file cites its source in its
/// header; the values here are the published leader objectives (and, where the
/// source gives it, the leader's decision), not numbers produced by this code.
let publishedOptima: [(file: String, leader: Double, point: [String: Double])] = [
    // Anandalingam and White (1990), IEEE TAC 35(10); BOLIB AnandalinghamWhite1990.
    ("literature/anandalingam_white_1990.blo", -49, ["x": 16, "y": 11]),
    // Bard (1984); BOLIB Bard1984a: F = 3.1111 at (0.8889, 2.2222).
    ("literature/bard_1984a.blo", 28.0 / 9, ["x": 8.0 / 9, "y": 20.0 / 9]),
    // Bard (1991), JOTA 68(2), example 2; BOLIB Bard1991Ex2.
    ("literature/bard_1991_ex2.blo", -1, [:]),
    // Bard and Falk (1982), Computers & OR 9(1), example 2; BOLIB BardFalk1982Ex2.
    ("literature/bard_falk_1982_ex2.blo", -3.25, ["x[1]": 2, "x[2]": 0]),
    // Ben-Ayed and Blair (1990), Operations Research 38(3); BOLIB BenAyedBlair1990a.
    ("literature/ben_ayed_blair_1990a.blo", -2.5, ["x": 1]),
    // Bialas and Karwan (1984), Management Science 30(8); BOLIB BialasKarwan1984a.
    ("literature/bialas_karwan_1984a.blo", -2, [:]),
    // Candler and Townsley (1982), Computers & OR 9(1); BOLIB CandlerTownsley1982.
    ("literature/candler_townsley_1982.blo", -29.2, ["x[1]": 0, "x[2]": 0.9, "y[1]": 0, "y[2]": 0.6, "y[3]": 0.4]),
    // Clark and Westerberg (1988); BOLIB ClarkWesterberg1988.
    ("literature/clark_westerberg_1988.blo", -37, ["x": 19, "y": 14]),
    // Clark and Westerberg (1990), Comput. Chem. Eng. 14(1); BOLIB ClarkWesterberg1990b.
    ("literature/clark_westerberg_1990b.blo", -13, ["x": 5, "y[1]": 4, "y[2]": 2]),
    // Glackin, Ecker and Kupferschmid (2009), JOTA 140; BOLIB GlackinEtal2009.
    ("literature/glackin_et_al_2009.blo", 6, ["x[1]": 1, "x[2]": 2, "y": 0]),
    // Haurie, Savard and White (1990), Operations Research 38(3); BOLIB HaurieSavardWhite1990.
    ("literature/haurie_savard_white_1990.blo", 27, ["x": 12, "y": 3]),
    // Liu and Hart (1994), EJOR 73(1); BOLIB LiuHart1994.
    ("literature/liu_hart_1994.blo", -16, ["x": 4, "y": 4]),
    // Mersha and Dempe (2006), Appl. Math. Comput. 180, example 2; BOLIB MershaDempe2006Ex2.
    ("literature/mersha_dempe_2006_ex2.blo", -20, ["x": 8, "y": 6]),
    // The same as published, x and y free: no M can be proven; the M-free route proves it.
    ("literature/mersha_dempe_2006_ex2_free.blo", -20, ["x": 8, "y": 6]),
    // Liu and Hart (1994) without sign restrictions: the same optimum (closed form in the file).
    ("literature/liu_hart_1994_free.blo", -16, ["x": 4, "y": 4]),
    // Tuy, Migdalas and Varbrand (1993), J. Global Optim. 3; BOLIB TuyEtal1993.
    ("literature/tuy_et_al_1993.blo", -3.25, ["x[1]": 2, "x[2]": 0]),
    // Visweswaran et al. (1996); BOLIB VisweswaranEtal1996.
    ("literature/visweswaran_et_al_1996.blo", 28.0 / 9, ["x": 8.0 / 9, "y": 20.0 / 9]),
    // Quadratic models (each header cites its source and how the optimum was re-checked).
    // Aiyoshi and Shimizu (1984), example 2 (LP/QP): global optimum 0 per BASBLib as_1984_01
    // (BOLIB lists the paper's local solution, 5). Two optimal points; either may be returned.
    ("literature/aiyoshi_shimizu_1984_ex2.blo", 0, ["x1": 0, "y1": -10]),
    // Bard (1998), Practical Bilevel Optimization, ch. 8 (QP/LP); BOLIB BardBook1998.
    ("literature/bard_book_1998.blo", 0, ["x1": 25, "x2": 30, "y1": 5, "y2": 10]),
    // Shimizu and Aiyoshi (1981), example 2 (QP/QP); BOLIB ShimizuAiyoshi1981Ex2.
    ("literature/shimizu_aiyoshi_1981_ex2.blo", 225, ["x1": 20, "x2": 5, "y1": 10, "y2": 5]),
    // Bard (1988), IEEE TAC 33(1), example 1 (QP/QP); BOLIB Bard1988Ex1.
    ("literature/bard_1988_ex1.blo", 17, ["x": 1, "y": 0]),
    // Clark and Westerberg (1990), example a (QP/QP); BOLIB ClarkWesterberg1990a.
    ("literature/clark_westerberg_1990a.blo", 5, ["x": 1, "y": 3]),
    // Calamai and Vicente (1994), problem b (QP/QP); BOLIB CalamaiVicente1994b: F = 0.3125.
    // The leader's objective is flat to second order along one direction at the optimum, so
    // the point is only accurate to about the square root of the outer-approximation tolerance;
    // it is checked with its own tolerance in QuadraticModelTests.
    ("literature/calamai_vicente_1994b.blo", 0.3125, [:]),
    // Muu and Quy (2003), J. Global Optim. 26, example 1 (QP/QP); BOLIB MuuQuy2003Ex1: F = -2.0769.
    ("literature/muu_quy_2003_ex1.blo", -27.0 / 13, ["x": 11.0 / 13, "y1": 10.0 / 13, "y2": 0]),
    // Liu, Mu, Yuan, Zeng and Zhang (2020)'s hard instance, seed 003's Example 5.3: optimum 0 at x = 1,
    // y = (1, 1), derived (the optimistic hyper-objective is (x - 1)^2); QP/QP, so the exact routes prove it.
    ("nonlinear/liu_2020_counterexample/liu_2020_counterexample.blo", 0, ["x": 1, "y1": 1]),
    // Seed 003's Example 4.1 (discontinuous hyper-objective x^2 + sign(x), optimistic -1 at x = 0,
    // y = -1, derived in docs/notes/seed-methods.md); QP leader, LP follower: proven by the exact routes.
    ("nonlinear/discontinuous_hyperobjective/discontinuous_hyperobjective.blo", -1, ["x": 0, "y": -1]),
    // Lucchetti, Mignanego and Pieri (1987), Optimization 18 (products, strong duality); BOLIB LucchettiEtal1987.
    ("literature/lucchetti_et_al_1987.blo", 0, ["x": 1, "y": 0]),
    // Yezza (1996), example 3.1 (products in both objectives, strong duality); BOLIB Yezza1996Ex31.
    ("literature/yezza_1996_ex31.blo", 1.5, ["x": 0.25, "y": 0]),
    // Dempe and Franke (2011), example 4.2 (QP leader, LP follower set by the leader); BOLIB
    // DempeFranke2011Ex42: F = 2.13 (rounded); 2.125 at these points by hand (the model's README).
    ("literature/dempe_franke_2011_ex42/dempe_franke_2011_ex42.blo", 2.125, ["x1": -1, "x2": -1, "y1": 2.25, "y2": 1.25]),
    // Smooth bilevel problems from BASBLib (basblsolver/BASBLib), quadratic at both levels: the exact
    // routes prove them; GradientLiteratureTests runs the gradient methods on the same files.
    // Bard (1998), Example 8.1.3; BASBLib b_1998_04: F* = 81.33 at x = 10.02, y = 0.82 (rounded);
    // 81.327869 at x = 50102/5002 by hand (the model's header).
    ("nonlinear/bard_1998_ex813/bard_1998_ex813.blo", 81.32786885245902, ["x": 50102.0 / 5002, "y": 50 * 50102.0 / 5002 - 500]),
    // Bard (1998), Example 8.5.1; BASBLib b_1998_07: F* = -1.41 at x = 1.89, y = (0.89, 0); -38/27 at 17/9 by hand.
    ("nonlinear/bard_1998_ex851/bard_1998_ex851.blo", -38.0 / 27, ["x": 17.0 / 9, "y1": 8.0 / 9, "y2": 0]),
    // De Silva (1978), Falk and Liu (1995); BASBLib d_1978_01, fl_1995_01: F* = -1 at x = y = (0.5, 0.5).
    ("nonlinear/desilva_1978/desilva_1978.blo", -1, ["x1": 0.5, "x2": 0.5, "y1": 0.5, "y2": 0.5]),
    // Dempe (2000), Example 5.6 (d = 1); BASBLib d_2000_01: F* = 0 at x = 0.5, y = -0.5.
    ("nonlinear/dempe_2000_ex56/dempe_2000_ex56.blo", 0, ["x": 0.5, "y": -0.5]),
    // Tuy, Migdalas and Hoai-Phuong (2007), Example 1; BASBLib tmh_2007_01: F* = 22.5 at x = 1.5, y = 4.5.
    ("nonlinear/tuy_2007_ex1/tuy_2007_ex1.blo", 22.5, ["x": 1.5, "y": 4.5]),
    // Toll setting; optimum 75 checked by path enumeration (see the model's header).
    ("classic/toll/toll.blo", 75, [:]),
    // Seven-node toll network: optimum by path enumeration (IndependentChecks).
    ("classic/toll7/toll7.blo", 190, [:]),
    // Maximum-flow interdiction (Wood 1993) with the valid, tight potential bound 1: optimum by
    // enumerating the interdiction sets (IndependentChecks). The M-free route checks the bound.
    ("classic/interdiction/interdiction.blo", 4, ["cut[4,6]": 1, "cut[5,6]": 1]),
    // Stackelberg pricing; optimum 63 at prices 9 checked by a grid search (see the header).
    ("classic/pricing/pricing.blo", 63, [:]),
    // Strategic producer priced by dual(balance); optimum 690 at q = 30 checked by merit order (see the header).
    ("classic/strategic_producer/strategic_producer.blo", 690, ["q": 30]),
]

/// Models beyond the exact routes: each is checked in `NonlinearModelTests` (its description,
/// and its derivatives against a closed form or finite differences); the exact routes refuse it
/// at the offending term, and `solve` takes the gradient route.
let beyondTheExactRoutes = [
    "classic/stackelberg_cournot/stackelberg_cournot.blo",  // closed-form optimum 1250 at q_l = 50
    "nonlinear/cccp_bo_synthetic/cccp_bo_synthetic.blo",  // no published optimum (convergence plots only)
    "nonlinear/nonsmooth_hyperobjective/nonsmooth_hyperobjective.blo",  // seed 003's Example 5.1: -2 at x = +-2 (derived)
]

final class LiteratureTests: XCTestCase {
    func testModelsBeyondTheExactRoutesAreRefusedWithAPositionAndTakeTheGradientRoute() throws {
        for m in beyondTheExactRoutes {
            let path = repositoryRoot.appendingPathComponent("Models/\(m)").path
            XCTAssertThrowsError(try Blomodel.reformulate(ModelLoader.load(path: path))) { error in
                guard let d = error as? Diagnostic else { return XCTFail("\(m): \(error)") }
                XCTAssertNotNil(d.location, m)
            }
            let r = try Blomodel.solve(file: path)
            XCTAssertEqual(r.route, "gradient-methods", m)
            XCTAssertEqual(r.certification, .local, "\(m): \(r.certificationReasons)")
            XCTAssertLessThanOrEqual(r.gradient?.followerGap ?? .nan, 1e-8, m)
            XCTAssertLessThanOrEqual(r.gradient?.stationarity ?? .nan, 1e-6, m)
        }
        // Stackelberg-Cournot against its closed form (the model's header): q_l = 50, q_f = 15, 1250.
        var options = BlomodelOptions()
        options.gradient.start = ["ql": 5, "qf": 90]
        let cournot = try Blomodel.solve(
            ModelLoader.load(path: repositoryRoot.appendingPathComponent("Models/\(beyondTheExactRoutes[0])").path), options: options)
        XCTAssertEqual(cournot.value(of: "ql") ?? .nan, 50, accuracy: 1e-6)
        XCTAssertEqual(cournot.value(of: "qf") ?? .nan, 15, accuracy: 1e-6)
        XCTAssertEqual(cournot.leaderObjective ?? .nan, 1250, accuracy: 1e-6)

        // Liu et al.'s counter-example (seed 003, Example 5.3): the follower ignores y2, so its
        // responses are not unique. Implicit and iterative differentiation stop at x = 1/2 or x = 1
        // (the paper: "both AID and ITD fail"), and the report does not call that local; BOME (what
        // auto takes here) reaches the optimum 0 at x = 1.
        let counter = try ModelLoader.load(
            path: repositoryRoot.appendingPathComponent("Models/nonlinear/liu_2020_counterexample/liu_2020_counterexample.blo").path)
        for method in ["aid-cg", "aid-exact", "itd-reverse", "itd-forward"] {
            var o = BlomodelOptions()
            o.gradient.method = method
            o.gradient.iterations = 500
            let r = try Blomodel.solve(counter, options: o)
            XCTAssertEqual(r.certification, .feasible, "\(method): \(r.certificationReasons)")
            XCTAssertGreaterThanOrEqual(r.leaderObjective ?? .nan, 0.5 - 1e-6, method)
        }
        // BDA (its aggregation steers the follower's steps towards the leader's best response) gets
        // there too, as Liu et al. (2020) designed it to.
        var bdaOptions = BlomodelOptions()
        bdaOptions.gradient.method = "bda"
        bdaOptions.gradient.iterations = 5000
        let bda = try Blomodel.solve(counter, options: bdaOptions)
        XCTAssertEqual(bda.certification, .local, "\(bda.certificationReasons)")
        XCTAssertEqual(bda.value(of: "x") ?? .nan, 1, accuracy: 1e-5)
        // (The exact routes take this QP/QP model and prove 0: see publishedOptima.)
        var auto = BlomodelOptions()
        auto.gradient.method = "auto"
        let bome = try Blomodel.solve(counter, options: auto)
        XCTAssertEqual(bome.gradient?.method, "bome", "auto: the follower is not strongly convex")
        XCTAssertEqual(bome.certification, .local)
        XCTAssertEqual(bome.value(of: "x") ?? .nan, 1, accuracy: 1e-5)
        XCTAssertEqual(bome.leaderObjective ?? .nan, 0, accuracy: 1e-8)
    }

    func testEveryModelHasAPublishedOptimum() throws {
        let models = FileManager.default.enumerator(atPath: repositoryRoot.appendingPathComponent("Models").path)!
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".blo") }
        XCTAssertGreaterThanOrEqual(models.count, 27)
        for m in models {
            XCTAssertTrue(
                publishedOptima.contains { $0.file == m } || beyondTheExactRoutes.contains(m)
                    || gradientLiteratureModels.contains(m)
                    // The integer followers: IntegerFollowerEnumerationTests and IntegerFollowerRouteTests.
                    || m.hasPrefix("integer/"), "Models/\(m) has no published optimum in this test")
        }
    }

    func testModelsSolveToTheirPublishedOptimaOnBothBackends() throws {
        for solver in SolverChoice.allCases {
            for entry in publishedOptima {
                var options = BlomodelOptions()
                options.solver = solver
                let path = repositoryRoot.appendingPathComponent("Models").appendingPathComponent(entry.file).path
                let report = try Blomodel.solve(file: path, options: options)
                let label = "\(entry.file) with \(solver.rawValue)"
                XCTAssertEqual(report.termination, .completed, label)
                XCTAssertEqual(report.certification, .provenOptimal, "\(label): \(report.certificationReasons)")
                XCTAssertEqual(report.leaderObjective ?? .nan, entry.leader, accuracy: 1e-6, label)
                let values = Dictionary(uniqueKeysWithValues: report.leaderVariables + report.followerVariables)
                for (name, v) in entry.point {
                    XCTAssertEqual(values[name] ?? .nan, v, accuracy: 1e-6, "\(label): \(name)")
                }
                if let oa = report.outerApproximation {
                    XCTAssertTrue(oa.converged, label)
                    XCTAssertLessThanOrEqual(oa.absoluteGap, 1e-6 * max(1, abs(oa.objective)), label)
                    XCTAssertEqual(oa.objective, report.leaderObjective ?? .nan, accuracy: 1e-6, label)
                }
            }
        }
    }
}

/// What the quadratic paths report, beyond the optimum.
final class QuadraticModelTests: XCTestCase {
    func solve(_ file: String, _ solver: SolverChoice = .glpk) throws -> SolveReport {
        var options = BlomodelOptions()
        options.solver = solver
        return try Blomodel.solve(file: repositoryRoot.appendingPathComponent("Models/literature/\(file)").path, options: options)
    }

    func testOuterApproximationReportsItsGapInJSON() throws {
        let report = try solve("bard_book_1998.blo", .cbc)
        let oa = try XCTUnwrap(report.outerApproximation)
        XCTAssertGreaterThanOrEqual(oa.iterations, 1)
        XCTAssertLessThanOrEqual(oa.bound, oa.objective + 1e-9)  // a lower bound when minimising
        let json = report.json.render()
        XCTAssertTrue(json.contains("\"outer_approximation\""), json)
        XCTAssertTrue(json.contains("\"relative_gap\""), json)
        XCTAssertTrue(report.text(explain: true).contains("outer-approximation"))
    }

    func testQuadraticFollowerIsVerifiedByAQPSolve() throws {
        // Shimizu and Aiyoshi (1981) ex. 2: the follower projects x onto [0, 10]^2.
        let report = try solve("shimizu_aiyoshi_1981_ex2.blo")
        XCTAssertEqual(report.verification?.outcome, .optimal)
        XCTAssertTrue(report.verification?.detail.contains("QP") ?? false)
        XCTAssertEqual(report.followerObjective ?? .nan, 100, accuracy: 1e-6)
        XCTAssertTrue(report.explanation.contains("quadratic term"), report.explanation)
    }

    func testOuterApproximationWithMILPsOnly() throws {
        // Kelley's cutting planes on the masters alone (no Ipopt), to a 1e-5 tolerance: the
        // MILP solvers' own tolerances keep the masters from certifying much less.
        for (file, optimum) in [
            ("bard_1988_ex1.blo", 17.0), ("shimizu_aiyoshi_1981_ex2.blo", 225), ("clark_westerberg_1990a.blo", 5),
            ("calamai_vicente_1994b.blo", 0.3125), ("bard_book_1998.blo", 0),
        ] {
            for solver in SolverChoice.allCases {
                var options = BlomodelOptions()
                options.solver = solver
                options.outerApproximationMILPOnly = true
                options.outerApproximationTolerance = 1e-5
                let report = try Blomodel.solve(
                    file: repositoryRoot.appendingPathComponent("Models/literature/\(file)").path, options: options)
                let label = "\(file) with \(solver.rawValue)"
                XCTAssertEqual(report.certification, .provenOptimal, "\(label): \(report.certificationReasons)")
                XCTAssertEqual(report.leaderObjective ?? .nan, optimum, accuracy: 1e-5 * max(1, abs(optimum)), label)
                XCTAssertTrue(report.outerApproximation?.converged ?? false, label)
            }
        }
    }

    func testConcaveMaximisationIsTheConvexMinimisationNegated() throws {
        // Clark and Westerberg (1990a) with the leader maximising -F: optimum -5 at (1, 3).
        let text = """
            upper { var x >= 0, <= 8; maximize G: -(x - 3)^2 - (y - 2)^2; }
            lower { var y; minimize f: (y - 5)^2; g1: -2*x + y <= 1; g2: x - 2*y <= -2; g3: x + 2*y <= 14; }
            """
        for solver in SolverChoice.allCases {
            var options = BlomodelOptions()
            options.solver = solver
            let report = try Blomodel.solve(try ModelLoader.load(source: SourceFile(path: "cw.blo", text: text)), options: options)
            XCTAssertEqual(report.certification, .provenOptimal, "\(report.certificationReasons)")
            XCTAssertEqual(report.leaderObjective ?? .nan, -5, accuracy: 1e-6)
            let oa = try XCTUnwrap(report.outerApproximation)
            XCTAssertGreaterThanOrEqual(oa.bound, oa.objective - 1e-6, "an upper bound when maximising")
        }
    }

    func testADualAtItsUserBoundIsFlagged() throws {
        // The price of b is the leader's own p whenever g runs (q <= 3), and p is free: nothing
        // proves a bound on it, and the leader pushes it to the declared bound 5, which is cutting
        // off better answers (the problem without it is unbounded): unverified, with that reason.
        let text = """
            upper { var q integer >= 0, <= 3; var p; maximize F: dual(b) * q; }
            lower { var g >= 0, <= 10; minimize f: p*g; b: g + q = 4 dualbound 5; }
            """
        let report = try Blomodel.solve(try ModelLoader.load(source: SourceFile(path: "bound.blo", text: text)))
        XCTAssertEqual(report.leaderObjective ?? .nan, 15, accuracy: 1e-9)
        XCTAssertEqual(report.certification, .optimalIfBoundsHold)
        XCTAssertTrue(report.certificationReasons.contains { $0.contains("dual(b) within ±5") }, "\(report.certificationReasons)")
        XCTAssertTrue(report.certificationReasons.contains { $0.contains("dual(b) = 5 is at its user-given bound 5") }, "\(report.certificationReasons)")
    }

    func testDualTimesRowBodyByComplementarity() throws {
        // Permits: the regulator issues x (integer, <= 10); firms earn 7 and 5 per unit (capacity 8
        // each) within the permits. The permit price is -dual(cap): 7 while x < 8, 5 for 8 < x < 16,
        // any value in [5, 7] at x = 8. Rent = price x (y1 + y2): 7x for x <= 8 (56 at x = 8, the
        // optimistic price), 5x above (50 at x = 10). Optimum 56 at x = 8, by hand.
        let text = """
            upper { var x integer >= 0, <= 10; maximize F: -dual(cap) * (y1 + y2); }
            lower { var y1 >= 0, <= 8; var y2 >= 0, <= 8; minimize f: -7*y1 - 5*y2; cap: y1 + y2 <= x dualbound 20; }
            """
        for solver in SolverChoice.allCases {
            var options = BlomodelOptions()
            options.solver = solver
            let report = try Blomodel.solve(try ModelLoader.load(source: SourceFile(path: "permits.blo", text: text)), options: options)
            XCTAssertEqual(report.certification, .provenOptimal, "\(report.certificationReasons)")
            XCTAssertEqual(report.leaderObjective ?? .nan, 56, accuracy: 1e-9)
            XCTAssertEqual(report.leaderVariables.first { $0.0 == "x" }?.1 ?? .nan, 8, accuracy: 1e-9)
            XCTAssertTrue(report.termPlan.contains { $0.contains("complementarity") }, "\(report.termPlan)")
        }
    }

    func testBinaryExpansionAgreesWithEnumeration() throws {
        // The follower maximises y over y + x <= 8, y - x <= 2, so y = min(8 - x, 2 + x); the
        // leader's best integer x in 0...6 by enumeration of that response, with x*y <= 20.
        let text = """
            upper { var x integer >= 0, <= 6; maximize F: x*y - 3*x; cap: x*y <= 20; }
            lower { var y >= 0; maximize f: y; c1: y + x <= 8; c2: y - x <= 2; }
            """
        let enumerated = (0...6).map { x -> (Double, Double) in
            let y = min(8 - Double(x), 2 + Double(x))
            return (Double(x) * y <= 20 ? Double(x) * y - 3 * Double(x) : -.infinity, Double(x))
        }.max { $0.0 < $1.0 }!
        for solver in SolverChoice.allCases {
            var options = BlomodelOptions()
            options.solver = solver
            let m = try ModelLoader.load(source: SourceFile(path: "expansion.blo", text: text))
            let report = try Blomodel.solve(m, options: options)
            XCTAssertEqual(report.certification, .provenOptimal, "\(report.certificationReasons)")
            XCTAssertEqual(report.leaderObjective ?? .nan, enumerated.0, accuracy: 1e-9)
            XCTAssertEqual(report.leaderVariables.first { $0.0 == "x" }?.1 ?? .nan, enumerated.1, accuracy: 1e-9)
            XCTAssertFalse(report.leaderVariables.contains { $0.0.contains("bit") }, "auxiliary variables are not reported")
            XCTAssertTrue(report.termPlan.contains { $0.contains("binary expansion of x") })
        }
    }

    func testCalamaiVicentePointWithinTheToleranceOfAFlatOptimum() throws {
        // Published point x = (5/4, 1/2, 1, 1), y = (1/4, 1/2); the follower's value -13/32.
        for solver in SolverChoice.allCases {
            let report = try solve("calamai_vicente_1994b.blo", solver)
            let values = Dictionary(uniqueKeysWithValues: report.leaderVariables + report.followerVariables)
            for (name, v) in ["x1": 1.25, "x2": 0.5, "x3": 1, "x4": 1, "y1": 0.25, "y2": 0.5] {
                XCTAssertEqual(values[name] ?? .nan, v, accuracy: 1e-4, "\(solver): \(name)")
            }
            XCTAssertEqual(report.followerObjective ?? .nan, -13.0 / 32, accuracy: 1e-4)
        }
    }
}

final class VerificationTests: XCTestCase {
    func liuHart() throws -> BilevelModel {
        try ModelLoader.load(path: repositoryRoot.appendingPathComponent("Models/literature/liu_hart_1994.blo").path)
    }

    func testVerifierAcceptsTheOptimum() throws {
        let v = Verifier.verify(try liuHart(), point: [4, 4], solver: SolverChoice.glpk.backend)
        XCTAssertEqual(v.outcome, .optimal)
    }

    func testVerifierCatchesAWrongPoint() throws {
        // (x, y) = (3, 2) satisfies the follower's rows (y <= 6, y <= 4.5, y >= 0), but the
        // follower minimises y and can reach y = 0: the point is not bilevel feasible.
        let v = Verifier.verify(try liuHart(), point: [3, 2], solver: SolverChoice.glpk.backend)
        XCTAssertEqual(v.outcome, .suboptimal)
        XCTAssertEqual(v.followerOptimum ?? .nan, 0, accuracy: 1e-9)
        XCTAssertEqual(v.gap, 2, accuracy: 1e-9)
        // A point that breaks the follower's own constraint c2 (x + 2y <= 12).
        let w = Verifier.verify(try liuHart(), point: [4, 7], solver: SolverChoice.cbc.backend)
        XCTAssertEqual(w.outcome, .infeasiblePoint)
        // A leader decision at which the follower has no feasible point (4x - y <= 12 and x + 2y <= 12 clash at x = 10).
        let u = Verifier.verify(try liuHart(), point: [10, 0], solver: SolverChoice.glpk.backend)
        XCTAssertEqual(u.outcome, .followerInfeasible)
    }

    func testTheMFreeSearchAloneReachesEveryPublishedOptimum() throws {
        // The branch-and-bound forced, without the big-M program's answer as a seed: the search
        // alone must prove each published optimum.
        for solver in SolverChoice.allCases {
            for entry in publishedOptima {
                var options = BlomodelOptions()
                options.solver = solver
                options.route = "branch-and-bound"
                options.branchAndBoundSeed = false
                let path = repositoryRoot.appendingPathComponent("Models").appendingPathComponent(entry.file).path
                let report = try Blomodel.solve(file: path, options: options)
                let label = "\(entry.file) with \(solver.rawValue), M-free search alone"
                XCTAssertEqual(report.route, "branch-and-bound", label)
                XCTAssertEqual(report.certification, .provenOptimal, "\(label): \(report.certificationReasons)")
                XCTAssertEqual(report.leaderObjective ?? .nan, entry.leader, accuracy: 1e-6, label)
                XCTAssertEqual(report.branchAndBound?.closed, true, label)
            }
        }
    }

    func testTooSmallPotentialBoundIsNamedInvalid() throws {
        // The seven-node toll model with `dualbound 1` on its flow-balance rows (far too small:
        // potentials are path costs). Big-M values derived from it cut off the optimum 190 (the
        // big-M program's answer is 138); the M-free route proves 190 and names the bound.
        let url = repositoryRoot.appendingPathComponent("Models/classic/toll7/toll7.blo")
        let text = try String(contentsOf: url, encoding: .utf8)
        let small = text.replacingOccurrences(of: "  dualbound sum{(i,j) in ARCS} cost[i,j] + sum{(i,j) in TOLLED} tmax;", with: "  dualbound 1;")
        XCTAssertNotEqual(small, text)
        let model = try ModelLoader.load(source: SourceFile(path: url.path, text: small))
        for solver in SolverChoice.allCases {
            var options = BlomodelOptions()
            options.solver = solver
            let r = try Blomodel.solve(model, options: options)
            XCTAssertEqual(r.route, "branch-and-bound")
            XCTAssertEqual(r.certification, .provenOptimal, "\(r.certificationReasons)")
            XCTAssertEqual(r.leaderObjective ?? .nan, 190, accuracy: 1e-6)
            XCTAssertTrue(r.certificationReasons.contains { $0.hasPrefix("the lower block's dualbound 1 (line 35) is invalid") }, "\(r.certificationReasons)")
            // The big-M route, forced, trusts the bound: its answer is labelled with the assumption.
            options.route = "exact-kkt"
            let trusting = try Blomodel.solve(model, options: options)
            XCTAssertEqual(trusting.leaderObjective ?? .nan, 138, accuracy: 1e-6)
            XCTAssertEqual(trusting.certification, .optimalIfBoundsHold)
        }
    }

    func testUnboundedBilevelProblemHasItsOwnStatus() throws {
        // min -x with y >= x followed by a follower minimising y: every x >= 0 is bilevel feasible.
        let text = "upper { var x >= 0; minimize F: -x; }\nlower { var y >= 0; minimize f: y; c: y >= x; }"
        let m = try ModelLoader.load(source: SourceFile(path: "unbounded.blo", text: text))
        for solver in SolverChoice.allCases {
            var options = BlomodelOptions()
            options.solver = solver
            let r = try Blomodel.solve(m, options: options)
            XCTAssertEqual(r.termination, .completed)
            XCTAssertEqual(r.certification, .unbounded, "\(r.certificationReasons)")
            XCTAssertNil(r.leaderObjective)
        }
    }

    func testFreeVariablesAreProvenByTheMFreeRoute() throws {
        // Mersha and Dempe (2006) example 2 as published (x, y free): the high-point relaxation
        // is unbounded, so the slack's big-M is the unproven default. The M-free branch-and-bound
        // proves the optimum -20; the big-M route, forced, finds it but cannot vouch for it.
        let text = """
            upper { var x; minimize F: -x - 2*y; G1: 2*x - 3*y >= -12; G2: x + y <= 14; }
            lower { var y; minimize f: -y; g1: 3*x - y >= 3; g2: 3*x + y <= 30; }
            """
        let m = try ModelLoader.load(source: SourceFile(path: "md.blo", text: text))
        for solver in SolverChoice.allCases {
            var options = BlomodelOptions()
            options.solver = solver
            let proven = try Blomodel.solve(m, options: options)
            XCTAssertEqual(proven.route, "branch-and-bound")
            XCTAssertEqual(proven.leaderObjective ?? .nan, -20, accuracy: 1e-6)
            XCTAssertEqual(proven.certification, .provenOptimal, "\(proven.certificationReasons)")
            XCTAssertTrue(proven.json.render().contains("\"certification\": \"proven_optimal\""))
            options.route = "exact-kkt"
            let r = try Blomodel.solve(m, options: options)
            XCTAssertEqual(r.leaderObjective ?? .nan, -20, accuracy: 1e-6)
            XCTAssertEqual(r.certification, .feasible)
            XCTAssertTrue(r.certificationReasons.joined().contains("unproven default"))
            XCTAssertTrue(r.text().contains("certification  feasible"))
            XCTAssertTrue(r.json.render().contains("\"certification\": \"feasible\""))
        }
    }

    /// Solving `text` with each backend must stop with a diagnostic containing `fragment` at `line`.
    func expectFollowerError(_ text: String, _ fragment: String, line: Int, column: Int? = nil) throws {
        for solver in SolverChoice.allCases {
            var options = BlomodelOptions()
            options.solver = solver
            let model = try ModelLoader.load(source: SourceFile(path: "f.blo", text: text))
            XCTAssertThrowsError(try Blomodel.solve(model, options: options)) {
                let d = $0 as! Diagnostic
                XCTAssertTrue(d.message.contains(fragment), d.message)
                XCTAssertEqual(d.location?.line, line)
                if let column { XCTAssertEqual(d.location?.column, column) }
            }
        }
    }

    func testUnboundedFollowerIsAPositionedError() throws {
        try expectFollowerError(
            "upper { var x >= 0, <= 1; minimize F: x; }\nlower { var y >= 0;\n  minimize f: -y; c: y >= x; }",
            "the follower's objective 'f' is unbounded", line: 3, column: 3)
    }

    func testInfeasibleFollowerIsAPositionedError() throws {
        try expectFollowerError(
            "upper { var x >= 0, <= 1; minimize F: x; }\nlower { var y >= 0; minimize f: y;\n  c: x + y <= -1; }",
            "the follower's constraints cannot all hold", line: 3)
    }

    func testInfeasibleBilevelProblem() throws {
        // The leader insists on y >= 5 but the follower, minimising y, picks y = 0.
        let text = """
            upper { var x >= 0, <= 1; minimize F: x; G: y >= 5; }
            lower { var y >= 0, <= 10; minimize f: y; c: y >= x; }
            """
        let r = try Blomodel.solve(try ModelLoader.load(source: SourceFile(path: "inf.blo", text: text)))
        XCTAssertEqual(r.termination, .completed)
        XCTAssertEqual(r.certification, .infeasible)
    }
}
