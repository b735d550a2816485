import Blomodel
import Foundation
import XCTest

/// The literature's test problems of `Models/literature`, written in Swift from the
/// mathematics: each must reformulate to exactly the single-level program of its `.blo` twin.
/// Data and optima as listed in BOLIB (Zhou, Zemkoho and Tin, "BOLIB: Bilevel Optimization
/// LIBrary of test problems", 2020) unless said otherwise; the `.blo` files say how each optimum
/// was re-checked. (Liu and Hart 1994 is in ParityTests.swift.)
final class LiteratureParityTests: XCTestCase {

    // MARK: - Linear leader, linear follower (LP/LP)

    /// Anandalingam and White (1990), IEEE Trans. Automatic Control 35(10).
    /// Optimum: F = -49 at (x, y) = (16, 11).
    func testAnandalingamWhite1990() throws {
        try assertParity({
            let m = Bilevel("anandalingam_white_1990")
            let x = m.leader.variable("x", bounds: 0...)
            let y = m.follower.variable("y", bounds: 0...)
            m.leader.minimize("F", -x - 3 * y)
            m.follower.minimize("f", 3 * y - x)
            m.follower.constraint("g1", x + 2 * y >= 10)
            m.follower.constraint("g2", -x + 2 * y >= -6)
            m.follower.constraint("g3", -2 * x + y >= -21)
            m.follower.constraint("g4", x + 2 * y <= 38)
            m.follower.constraint("g5", -x + 2 * y <= 18)
            return m
        }, "Models/literature/anandalingam_white_1990.blo")
    }

    /// Bard (1984), a linear bilevel example. Optimum: F = 28/9 at (x, y) = (8/9, 20/9).
    func testBard1984a() throws {
        try assertParity({
            let m = Bilevel("bard_1984a")
            let x = m.leader.variable("x", bounds: 0...)
            let y = m.follower.variable("y", bounds: 0...)
            m.leader.minimize("F", x + y)
            m.follower.minimize("f", -5 * x - y)
            m.follower.constraint("g1", x + y / 2 >= 2)
            m.follower.constraint("g2", -x / 4 + y <= 2)
            m.follower.constraint("g3", x + y / 2 <= 8)
            m.follower.constraint("g4", x - 2 * y <= 4)
            return m
        }, "Models/literature/bard_1984a.blo")
    }

    /// Visweswaran, Floudas, Ierapetritou and Pistikopoulos (1996): Bard (1984a) with g4's
    /// right-hand side 2 instead of 4. Optimum: F = 28/9 at (x, y) = (8/9, 20/9).
    func testVisweswaranEtAl1996() throws {
        try assertParity({
            let m = Bilevel("visweswaran_et_al_1996")
            let x = m.leader.variable("x", bounds: 0...)
            let y = m.follower.variable("y", bounds: 0...)
            m.leader.minimize("F", x + y)
            m.follower.minimize("f", -5 * x - y)
            m.follower.constraint("g1", x + y / 2 >= 2)
            m.follower.constraint("g2", -x / 4 + y <= 2)
            m.follower.constraint("g3", x + y / 2 <= 8)
            m.follower.constraint("g4", x - 2 * y <= 2)
            return m
        }, "Models/literature/visweswaran_et_al_1996.blo")
    }

    /// Bard (1991), "Some properties of the bilevel programming problem", JOTA 68(2), example 2.
    /// Optimum: F = -1 at x = 0, y = (0, 1).
    func testBard1991Ex2() throws {
        try assertParity({
            let m = Bilevel("bard_1991_ex2")
            let x = m.leader.variable("x", bounds: 0...)
            let y = m.follower.variables("y", over: 1...2, bounds: 0...)
            m.leader.minimize("F", -x + 10 * y[1] - y[2])
            m.follower.minimize("f", -y[1] - y[2])
            m.follower.constraint("g1", x + y[1] <= 1)
            m.follower.constraint("g2", x + y[2] <= 1)
            m.follower.constraint("g3", y[1] + y[2] <= 1)
            return m
        }, "Models/literature/bard_1991_ex2.blo")
    }

    /// Bard and Falk (1982), "An explicit solution to the multi-level programming problem",
    /// Computers & OR 9(1), example 2. Optimum: F = -3.25 at x = (2, 0), y = (1.5, 0).
    func testBardFalk1982Ex2() throws {
        try assertParity({
            let I = 1...2
            let m = Bilevel("bard_falk_1982_ex2")
            let x = m.leader.variables("x", over: I, bounds: 0...)
            let y = m.follower.variables("y", over: I, bounds: 0...)
            m.leader.minimize("F", -2 * x[1] + x[2] + 0.5 * y[1])
            m.follower.minimize("f", x[1] + x[2] - 4 * y[1] + y[2])
            m.follower.constraint("g1", 2 * x[1] - y[1] + y[2] >= 2.5)
            m.follower.constraint("g2", -x[1] + 3 * x[2] - y[2] >= -2)
            // No follower variable: a condition on the leader, stated in the follower's problem.
            m.follower.constraint("g3", x[1] + x[2] <= 2)
            return m
        }, "Models/literature/bard_falk_1982_ex2.blo")
    }

    /// Tuy, Migdalas and Varbrand (1993), "A global optimization approach for the linear
    /// two-level program", J. Global Optimization 3: Bard and Falk's example with x[1] + x[2] <= 2
    /// a leader constraint. Optimum: F = -3.25 at x = (2, 0), y = (1.5, 0).
    func testTuyEtAl1993() throws {
        try assertParity({
            let m = Bilevel("tuy_et_al_1993")
            let x = m.leader.variables("x", over: 1...2, bounds: 0...)
            let y = m.follower.variables("y", over: 1...2, bounds: 0...)
            m.leader.minimize("F", -2 * x[1] + x[2] + 0.5 * y[1])
            m.leader.constraint("G1", x[1] + x[2] <= 2)
            m.follower.minimize("f", -4 * y[1] + y[2])
            m.follower.constraint("g1", 2 * x[1] - y[1] + y[2] >= 2.5)
            m.follower.constraint("g2", -x[1] + 3 * x[2] - y[2] >= -2)
            return m
        }, "Models/literature/tuy_et_al_1993.blo")
    }

    /// Ben-Ayed and Blair (1990), "Computational difficulties of bilevel linear programming",
    /// Operations Research 38(3). Optimum: F = -2.5 at x = 1, y = (0, 1).
    func testBenAyedBlair1990a() throws {
        try assertParity({
            let m = Bilevel("ben_ayed_blair_1990a")
            let x = m.leader.variable("x", bounds: 0...1)
            let y = m.follower.variables("y", over: 1...2, bounds: 0...)
            m.leader.minimize("F", -1.5 * x - 6 * y[1] - y[2])
            m.follower.minimize("f", -y[1] - 5 * y[2])
            m.follower.constraint("g1", x + 3 * y[1] + y[2] <= 5)
            m.follower.constraint("g2", 2 * x + y[1] + 3 * y[2] <= 5)
            return m
        }, "Models/literature/ben_ayed_blair_1990a.blo")
    }

    /// Bialas and Karwan (1984), "Two-level linear programming", Management Science 30(8).
    /// Optimum: F = -2 at x = 2, y = (1, 0).
    func testBialasKarwan1984a() throws {
        try assertParity({
            let m = Bilevel("bialas_karwan_1984a")
            let x = m.leader.variable("x", bounds: 0...)
            let y = m.follower.variables("y", over: 1...2, bounds: 0...)
            m.leader.minimize("F", -x - y[2])
            m.follower.minimize("f", -y[2])
            m.follower.constraint("g1", x + y[1] + y[2] <= 3)
            m.follower.constraint("g2", x + y[1] - y[2] >= 1)
            m.follower.constraint("g3", -x + y[1] + y[2] <= 1)
            m.follower.constraint("g4", -x + y[1] - y[2] >= -1)
            m.follower.constraint("g5", y[2] <= 0.5)
            return m
        }, "Models/literature/bialas_karwan_1984a.blo")
    }

    /// Candler and Townsley (1982), "A linear two-level programming problem", Computers & OR 9(1).
    /// Optimum: F = -29.2 at x = (0, 0.9), y = (0, 0.6, 0.4); f = 3.2.
    func testCandlerTownsley1982() throws {
        try assertParity({
            let I = 1...2, J = 1...3
            let a = Parameter("a", [1: 4, 2: -40, 3: -4])  // the leader's costs of the follower's variables
            let c = Parameter("c", [1: 1, 2: 1, 3: 2])  // the follower's costs
            let m = Bilevel("candler_townsley_1982")
            let x = m.leader.variables("x", over: I, bounds: 0...)
            let y = m.follower.variables("y", over: J, bounds: 0...)
            m.leader.minimize("F", -8 * x[1] - 4 * x[2] + sum(J) { j in a[j] * y[j] })
            m.follower.minimize("f", x[1] + 2 * x[2] + sum(J) { j in c[j] * y[j] })
            m.follower.constraint("g1", -y[1] + y[2] + y[3] <= 1)
            m.follower.constraint("g2", 2 * x[1] - y[1] + 2 * y[2] - 0.5 * y[3] <= 1)
            m.follower.constraint("g3", 2 * x[2] + 2 * y[1] - y[2] - 0.5 * y[3] <= 1)
            return m
        }, "Models/literature/candler_townsley_1982.blo")
    }

    /// Clark and Westerberg (1988), a linear bilevel example with free variables.
    /// Optimum: F = -37 at (x, y) = (19, 14).
    func testClarkWesterberg1988() throws {
        try assertParity({
            let m = Bilevel("clark_westerberg_1988")
            let x = m.leader.variable("x")  // free
            let y = m.follower.variable("y")  // free
            m.leader.minimize("F", x - 4 * y)
            m.follower.minimize("f", y)
            m.follower.constraint("g1", 2 * x - y >= 0)
            m.follower.constraint("g2", 2 * x + 5 * y <= 108)
            m.follower.constraint("g3", -2 * x + 3 * y >= 4)
            return m
        }, "Models/literature/clark_westerberg_1988.blo")
    }

    /// Clark and Westerberg (1990), "Bilevel programming for steady-state chemical process
    /// design", Computers & Chemical Engineering 14(1), example b. Optimum: F = -13 at x = 5, y = (4, 2).
    func testClarkWesterberg1990b() throws {
        try assertParity({
            let m = Bilevel("clark_westerberg_1990b")
            let x = m.leader.variable("x", bounds: 0...8)
            let y = m.follower.variables("y", over: 1...2)  // free; y[1] is bounded by g1
            m.leader.minimize("F", -x - 3 * y[1] + 2 * y[2])
            m.follower.minimize("f", -y[1])
            m.follower.constraint("g1", y[1].in(0...4))
            m.follower.constraint("g2", -2 * x + y[1] + 4 * y[2] <= 16)
            m.follower.constraint("g3", 8 * x + 3 * y[1] - 2 * y[2] <= 48)
            m.follower.constraint("g4", 2 * x - y[1] + 3 * y[2] >= 12)
            return m
        }, "Models/literature/clark_westerberg_1990b.blo")
    }

    /// Glackin, Ecker and Kupferschmid (2009), "Solving bilevel linear programs using multiple
    /// objective linear programming", JOTA 140. Optimum: F = 6 at x = (1, 2), y = 0.
    func testGlackinEtAl2009() throws {
        try assertParity({
            let m = Bilevel("glackin_et_al_2009")
            let x = m.leader.variables("x", over: 1...2, bounds: 0...)
            let y = m.follower.variable("y", bounds: 0...)
            m.leader.minimize("F", -2 * x[1] + 4 * x[2] + 3 * y)
            m.leader.constraint("G1", x[2] - x[1] >= 1)
            m.follower.minimize("f", -y)
            m.follower.constraint("g1", x[1] + x[2] + y <= 4)
            m.follower.constraint("g2", 2 * x[1] + 2 * x[2] + y <= 6)
            return m
        }, "Models/literature/glackin_et_al_2009.blo")
    }

    /// Haurie, Savard and White (1990), "A note on an efficient point algorithm for a linear
    /// two-stage optimization problem", Operations Research 38(3). Optimum: F = 27 at (x, y) = (12, 3).
    func testHaurieSavardWhite1990() throws {
        try assertParity({
            let m = Bilevel("haurie_savard_white_1990")
            let x = m.leader.variable("x")
            let y = m.follower.variable("y")
            m.leader.minimize("F", x + 5 * y)
            m.follower.minimize("f", -y)
            m.follower.constraint("g1", -3 * x + 2 * y <= 6)
            m.follower.constraint("g2", 3 * x + 4 * y <= 48)
            m.follower.constraint("g3", 2 * x - 5 * y <= 9)
            m.follower.constraint("g4", x + y >= 8)
            return m
        }, "Models/literature/haurie_savard_white_1990.blo")
    }

    /// Liu and Hart (1994), EJOR 73(1), with the sign restrictions on x and y removed: the
    /// optimum is unchanged (F = -16 at (4, 4)), but no big-M can be proven.
    func testLiuHart1994Free() throws {
        try assertParity({
            let m = Bilevel("liu_hart_1994_free")
            let x = m.leader.variable("x")
            let y = m.follower.variable("y")
            m.leader.minimize("F", -x - 3 * y)
            m.follower.minimize("f", y)
            m.follower.constraint("c1", -x + y <= 3)
            m.follower.constraint("c2", x + 2 * y <= 12)
            m.follower.constraint("c3", 4 * x - y <= 12)
            return m
        }, "Models/literature/liu_hart_1994_free.blo")
    }

    /// Mersha and Dempe (2006), "Linear bilevel programming with upper level constraints
    /// depending on the lower level solution", Applied Mathematics and Computation 180,
    /// example 2, with the bounds B1 and B2 (which keep the optimum, F = -20 at (8, 6), and let
    /// every big-M be proven).
    func testMershaDempe2006Ex2() throws {
        try assertParity({
            let m = Bilevel("mersha_dempe_2006_ex2")
            let x = m.leader.variable("x")
            let y = m.follower.variable("y")
            m.leader.constraint("B1", x <= 100)
            m.leader.constraint("B2", y >= -100)
            m.leader.minimize("F", -x - 2 * y)
            // The leader's constraints involve the follower's variable.
            m.leader.constraint("G1", 2 * x - 3 * y >= -12)
            m.leader.constraint("G2", x + y <= 14)
            m.follower.minimize("f", -y)
            m.follower.constraint("g1", 3 * x - y >= 3)
            m.follower.constraint("g2", 3 * x + y <= 30)
            return m
        }, "Models/literature/mersha_dempe_2006_ex2.blo")
    }

    /// Mersha and Dempe (2006), example 2 as published: x and y free, the high-point relaxation
    /// unbounded. Optimum: F = -20 at (x, y) = (8, 6).
    func testMershaDempe2006Ex2Free() throws {
        try assertParity({
            let m = Bilevel("mersha_dempe_2006_ex2_free")
            let x = m.leader.variable("x")
            let y = m.follower.variable("y")
            m.leader.minimize("F", -x - 2 * y)
            m.leader.constraint("G1", 2 * x - 3 * y >= -12)
            m.leader.constraint("G2", x + y <= 14)
            m.follower.minimize("f", -y)
            m.follower.constraint("g1", 3 * x - y >= 3)
            m.follower.constraint("g2", 3 * x + y <= 30)
            return m
        }, "Models/literature/mersha_dempe_2006_ex2_free.blo")
    }

    // MARK: - Products of the leader's and the follower's variables, linear follower

    /// Lucchetti, Mignanego and Pieri (1987), "Existence theorems of equilibrium points in
    /// Stackelberg games with constraints", Optimization 18: both objectives share x*y.
    /// Optimum: F = 0, f = 0 at (x, y) = (1, 0).
    func testLucchettiEtAl1987() throws {
        try assertParity({
            let m = Bilevel("lucchetti_et_al_1987")
            let x = m.leader.variable("x", bounds: 0...1)
            let y = m.follower.variable("y", bounds: 0...1)
            m.leader.minimize("F", x * y - x / 2 + 1 / 2)
            m.follower.minimize("f", y * (x - 1))
            return m
        }, "Models/literature/lucchetti_et_al_1987.blo")
    }

    /// Yezza (1996), Example 3.1: the objectives share x*y with opposite signs.
    /// Optimum: F = 1.5, f = -2.5 at (x, y) = (1/4, 0).
    func testYezza1996Ex31() throws {
        try assertParity({
            let m = Bilevel("yezza_1996_ex31")
            let x = m.leader.variable("x", bounds: 0...1)
            let y = m.follower.variable("y", bounds: 0...1)
            m.leader.minimize("F", 2 * x - y * (4 * x - 3) + 1)
            m.follower.minimize("f", y * (4 * x - 1) - 2 * x - 2)
            return m
        }, "Models/literature/yezza_1996_ex31.blo")
    }

    // MARK: - Quadratic objectives

    /// Aiyoshi and Shimizu (1984), Example 2: a linear leader over a convex-QP follower (LP/QP).
    /// Global optimum (BASBLib): F = 0 at x = (0, 30), y = (-10, 10).
    func testAiyoshiShimizu1984Ex2() throws {
        try assertParity({
            let m = Bilevel("aiyoshi_shimizu_1984_ex2")
            let x1 = m.leader.variable("x1", bounds: 0...50)
            let x2 = m.leader.variable("x2", bounds: 0...50)
            let y1 = m.follower.variable("y1", bounds: -10...20)
            let y2 = m.follower.variable("y2", bounds: -10...20)
            m.leader.minimize("F", 2 * x1 + 2 * x2 - 3 * y1 - 3 * y2 - 60)
            m.leader.constraint("G1", x1 + x2 + y1 - 2 * y2 <= 40)
            m.follower.minimize("f", (y1 - x1 + 20) ** 2 + (y2 - x2 + 20) ** 2)
            m.follower.constraint("g1", 2 * y1 - x1 <= -10)
            m.follower.constraint("g2", 2 * y2 - x2 <= -10)
            return m
        }, "Models/literature/aiyoshi_shimizu_1984_ex2.blo")
    }

    /// Bard, "Practical Bilevel Optimization" (1998), ch. 8: Aiyoshi and Shimizu's example with
    /// the objectives swapped, a convex quadratic leader over a linear follower (QP/LP).
    /// Optimum: F = 0, f = 5 at x = (25, 30), y = (5, 10).
    func testBardBook1998() throws {
        try assertParity({
            let m = Bilevel("bard_book_1998")
            let x1 = m.leader.variable("x1", bounds: 0...50)
            let x2 = m.leader.variable("x2", bounds: 0...50)
            let y1 = m.follower.variable("y1", bounds: -10...20)
            let y2 = m.follower.variable("y2", bounds: -10...20)
            m.leader.minimize("F", (y1 - x1 + 20) ** 2 + (y2 - x2 + 20) ** 2)
            m.follower.minimize("f", 2 * x1 + 2 * x2 - 3 * y1 - 3 * y2 - 60)
            m.follower.constraint("g1", x1 + x2 + y1 - 2 * y2 <= 40)
            m.follower.constraint("g2", 2 * y1 - x1 <= -10)
            m.follower.constraint("g3", 2 * y2 - x2 <= -10)
            return m
        }, "Models/literature/bard_book_1998.blo")
    }

    /// Bard (1988), "Convex two-level optimization", Example 1: convex quadratic objectives at
    /// both levels, the follower's with a leader x follower product (QP/QP).
    /// Optimum: F = 17, f = 1 at (x, y) = (1, 0).
    func testBard1988Ex1() throws {
        try assertParity({
            let m = Bilevel("bard_1988_ex1")
            let x = m.leader.variable("x", bounds: 0...)
            let y = m.follower.variable("y", bounds: 0...)
            m.leader.minimize("F", (x - 5) ** 2 + (2 * y + 1) ** 2)
            m.follower.minimize("f", (y - 1) ** 2 - 1.5 * x * y)
            m.follower.constraint("g1", 3 * x - y >= 3)
            m.follower.constraint("g2", x - 0.5 * y <= 4)
            m.follower.constraint("g3", x + y <= 7)
            return m
        }, "Models/literature/bard_1988_ex1.blo")
    }

    /// Calamai and Vicente (1994), "Generating quadratic bilevel programming test problems",
    /// problem b: a convex quadratic leader over a strictly convex follower whose linear costs
    /// the leader sets (QP/QP). The published x is free; the box [-10, 10] keeps the optimum
    /// (F = 5/16, f = -13/32 at x = (5/4, 1/2, 1, 1), y = (1/4, 1/2)) and lets every big-M be proven.
    func testCalamaiVicente1994b() throws {
        try assertParity({
            let m = Bilevel("calamai_vicente_1994b")
            let x1 = m.leader.variable("x1", bounds: -10...10)
            let x2 = m.leader.variable("x2", bounds: -10...10)
            let x3 = m.leader.variable("x3", bounds: -10...10)
            let x4 = m.leader.variable("x4", bounds: -10...10)
            let y1 = m.follower.variable("y1")
            let y2 = m.follower.variable("y2")
            m.leader.minimize(
                "F",
                (x1 - 1) ** 2 / 2 + (x2 - 1) ** 2 / 2 + (x3 - 1) ** 2 / 2 + (x4 - 1) ** 2 / 2 + y1 ** 2 / 2 + y2 ** 2 / 2)
            m.follower.minimize("f", y1 ** 2 / 2 + y2 ** 2 / 2 - x1 * y1 - x2 * y2)
            m.follower.constraint("g1", y1 - x1 >= -1)
            m.follower.constraint("g2", y2 - x2 >= -1)
            m.follower.constraint("g3", y1 + x1 <= 3 / 2)
            m.follower.constraint("g4", y2 + x2 <= 3)
            m.follower.constraint("g5", x1 + y1 >= 1)
            m.follower.constraint("g6", x2 + y2 >= 1)
            return m
        }, "Models/literature/calamai_vicente_1994b.blo")
    }

    /// Clark and Westerberg (1990), example a: convex quadratic objectives at both levels (QP/QP).
    /// Optimum: F = 5, f = 4 at (x, y) = (1, 3).
    func testClarkWesterberg1990a() throws {
        try assertParity({
            let m = Bilevel("clark_westerberg_1990a")
            let x = m.leader.variable("x", bounds: 0...8)
            let y = m.follower.variable("y")
            m.leader.minimize("F", (x - 3) ** 2 + (y - 2) ** 2)
            m.follower.minimize("f", (y - 5) ** 2)
            m.follower.constraint("g1", -2 * x + y <= 1)
            m.follower.constraint("g2", x - 2 * y <= -2)
            m.follower.constraint("g3", x + 2 * y <= 14)
            return m
        }, "Models/literature/clark_westerberg_1990a.blo")
    }

    /// Dempe and Franke (2011), "An algorithm for solving a class of bilevel programming
    /// problems", example 4.2: a convex quadratic leader over a linear follower whose objective
    /// the leader sets. The box -10 <= y <= 10 cuts off no follower response (see the model's
    /// README.md). Optimum: F = 2.125 at x = (-1, -1), y = (2.25, 1.25).
    func testDempeFranke2011Ex42() throws {
        try assertParity({
            let m = Bilevel("dempe_franke_2011_ex42")
            let x1 = m.leader.variable("x1", bounds: -1...1)
            let x2 = m.leader.variable("x2", bounds: Bounds.fixed(-1))
            let y1 = m.follower.variable("y1", bounds: -10...10)
            let y2 = m.follower.variable("y2", bounds: -10...10)
            m.leader.minimize("F", x1 + (y1 - 1) ** 2 + y2 ** 2)
            m.follower.minimize("f", x1 * y1 + x2 * y2)
            m.follower.constraint("g1", -y1 + y2 <= 1)
            m.follower.constraint("g2", y1 + y2 <= 3.5)
            m.follower.constraint("g3", y2 <= 2)
            return m
        }, "Models/literature/dempe_franke_2011_ex42/dempe_franke_2011_ex42.blo")
    }

    /// Muu and Quy (2003), "A global optimization method for solving convex quadratic bilevel
    /// programming problems", J. Global Optim. 26, example 1: a follower whose Hessian couples
    /// its two variables (QP/QP). Optimum: F = -27/13 at x = 11/13, y = (10/13, 0).
    func testMuuQuy2003Ex1() throws {
        try assertParity({
            let m = Bilevel("muu_quy_2003_ex1")
            let x = m.leader.variable("x", bounds: 0...2)
            let y1 = m.follower.variable("y1", bounds: 0...)
            let y2 = m.follower.variable("y2", bounds: 0...)
            m.leader.minimize("F", x ** 2 - 4 * x + y1 ** 2 + y2 ** 2)
            m.follower.minimize("f", y1 * y2 - y1 * (3 * x - 1) + y2 * (x + 1) + y1 ** 2 + y2 ** 2 / 2)
            m.follower.constraint("g1", 2 * x - 2 * y1 - y2 + 1 >= 0)
            return m
        }, "Models/literature/muu_quy_2003_ex1.blo")
    }

    /// Shimizu and Aiyoshi (1981), Example 2: convex quadratic objectives at both levels (QP/QP).
    /// Optimum: F = 225, f = 100 at x = (20, 5), y = (10, 5).
    func testShimizuAiyoshi1981Ex2() throws {
        try assertParity({
            let m = Bilevel("shimizu_aiyoshi_1981_ex2")
            let x1 = m.leader.variable("x1")
            let x2 = m.leader.variable("x2")
            let y1 = m.follower.variable("y1", bounds: 0...10)
            let y2 = m.follower.variable("y2", bounds: 0...10)
            m.leader.minimize("F", (x1 - 30) ** 2 + (x2 - 20) ** 2 - 20 * y1 + 20 * y2)
            m.leader.constraint("G1", x1 + 2 * x2 >= 30)
            m.leader.constraint("G2", x1 + x2 <= 25)
            m.leader.constraint("G3", x2 <= 15)
            m.follower.minimize("f", (x1 - y1) ** 2 + (x2 - y2) ** 2)
            return m
        }, "Models/literature/shimizu_aiyoshi_1981_ex2.blo")
    }
}
