import BlomodelCore
import XCTest

@testable import Differentiation

/// The Stackelberg-Cournot duopoly of Li's "A Gentle Introduction to Bilevel Optimization"
/// (Yale S&DS 431/631 project report, section 3.1, the seed in /work/shared/seeds/000_*):
/// price `P = a - b (q_l + q_f)`, the leader maximises `(P - c_l) q_l`, the follower
/// `(P - c_f) q_f`. The follower's best response is `q_f* = (a - c_f - b q_l) / (2b)` (eq. 17),
/// and the leader's reduced profit `((a + c_f - b q_l)/2 - c_l) q_l` (eq. 18) has derivative
/// `(a + c_f)/2 - c_l - b q_l`, zero at `q_l* = (a + c_f - 2 c_l) / (2b)`.
///
/// The hypergradient built from the compiled blocks (implicit differentiation through the
/// follower's stationarity `grad_y f = 0`):
/// `dF/dx = grad_x F - Hess_xy f (Hess_yy f)^-1 grad_y F`.
final class StackelbergCournotTests: XCTestCase {
    let a = 100.0, b = 1.0, cl = 10.0, cf = 20.0

    /// The model with objectives in the graph (`function` set).
    func graphModel() -> BilevelModel {
        var m = BilevelModel(
            name: "cournot", upperObjective: Objective(sense: .maximize, name: "leader_profit", expression: QuadExpr()),
            lowerObjective: Objective(sense: .maximize, name: "follower_profit", expression: QuadExpr()))
        let ql = m.addVariable(Variable(base: "q_l", owner: .leader, lower: 0))
        let qf = m.addVariable(Variable(base: "q_f", owner: .theFollower, lower: 0))
        var g = ExpressionGraph()
        var price = Combination(constant: a)
        price.add(g.variable(ql), times: -b)
        price.add(g.variable(qf), times: -b)
        var leader = g.multiply(price, g.variable(ql))
        leader.add(g.variable(ql), times: -cl)
        var follower = g.multiply(price, g.variable(qf))
        follower.add(g.variable(qf), times: -cf)
        m.upperObjective.function = g.node(leader)
        m.lowerObjective.function = g.node(follower)
        // A leader row with a product of both levels, and the follower's capacity row.
        let revenueShare = g.node(g.multiply(g.variable(ql), g.variable(qf)))
        var capacity = g.variable(ql)
        capacity.add(g.variable(qf))
        m.constraints = [
            Constraint(base: "share", owner: .leader, body: QuadExpr(), lower: -.infinity, upper: 1000),
            Constraint(base: "capacity", owner: .theFollower, body: QuadExpr(), lower: -.infinity, upper: 90),
        ]
        m.constraints[0].function = revenueShare
        m.constraints[1].function = g.node(capacity)
        m.graph = g
        return m
    }

    /// The same model written only as quadratic views (as passes build rows): compiled through
    /// `withFunctions()`.
    func viewModel() -> BilevelModel {
        var leader = QuadExpr()
        leader.linear.add(0, a - cl)
        leader.addQuadratic(VarPair(0, 0), -b)
        leader.addQuadratic(VarPair(0, 1), -b)
        var follower = QuadExpr()
        follower.linear.add(1, a - cf)
        follower.addQuadratic(VarPair(1, 1), -b)
        follower.addQuadratic(VarPair(0, 1), -b)
        var m = BilevelModel(
            name: "cournot", upperObjective: Objective(sense: .maximize, name: "leader_profit", expression: leader),
            lowerObjective: Objective(sense: .maximize, name: "follower_profit", expression: follower))
        m.addVariable(Variable(base: "q_l", owner: .leader, lower: 0))
        m.addVariable(Variable(base: "q_f", owner: .theFollower, lower: 0))
        var share = QuadExpr()
        share.addQuadratic(VarPair(0, 1), 1)
        var capacity = QuadExpr.variable(0)
        capacity.linear.add(1, 1)
        m.constraints = [
            Constraint(base: "share", owner: .leader, body: share, lower: -.infinity, upper: 1000),
            Constraint(base: "capacity", owner: .theFollower, body: capacity, lower: -.infinity, upper: 90),
        ]
        return m
    }

    func hypergradient(_ d: BilevelDerivatives, leader ql: Double) -> (Double, Double) {
        let qf = (a - cf - b * ql) / (2 * b)
        let point = d.split.combine(leader: [ql], follower: [qf])
        let gF = d.upperObjective.gradient(at: point, split: d.split)
        let followerProducts = d.lowerObjective.followerDirectionProducts(at: point, split: d.split, direction: [1])
        // One follower variable: Hess_yy f and Hess_xy f are numbers.
        let hyy = followerProducts.follower[0], hxy = followerProducts.leader[0]
        let stationarity = d.lowerObjective.gradient(at: point, split: d.split).follower[0]
        return (gF.leader[0] - hxy / hyy * gF.follower[0], stationarity)
    }

    func check(_ model: BilevelModel) throws {
        let d = try BilevelDerivatives(model: model)
        XCTAssertEqual(d.split.leader, [0])
        XCTAssertEqual(d.split.follower, [1])
        for ql in [0.0, 30, 50, 70] {
            let (h, stationarity) = hypergradient(d, leader: ql)
            XCTAssertEqual(stationarity, 0, accuracy: 1e-12, "the closed-form response is stationary")
            XCTAssertEqual(h, (a + cf) / 2 - cl - b * ql, accuracy: 1e-12, "q_l = \(ql)")
        }
        XCTAssertEqual(hypergradient(d, leader: (a + cf - 2 * cl) / (2 * b)).0, 0, accuracy: 1e-12, "the Stackelberg leader")
        // Mixed blocks of the follower's profit: Hess_yy = -2b, Hess_yx = -b.
        let point = d.split.combine(leader: [40], follower: [10])
        XCTAssertEqual(d.lowerObjective.leaderDirectionProducts(at: point, split: d.split, direction: [1]).follower, [-b])
        XCTAssertEqual(d.lowerObjective.followerDirectionProducts(at: point, split: d.split, direction: [1]).follower, [-2 * b])
        // Rows by level.
        XCTAssertEqual(d.upperConstraintIndices, [0])
        XCTAssertEqual(d.lowerConstraintIndices, [1])
        XCTAssertEqual(d.upperConstraints.values(at: point), [400])
        XCTAssertEqual(d.upperConstraints.jacobian(at: point).dense(columns: 2), [[10, 40]])
        XCTAssertEqual(d.lowerConstraints.jacobian(at: point).dense(columns: 2), [[1, 1]])
        let rowProducts = d.upperConstraints.followerDirectionProducts(at: point, weights: [2], split: d.split, direction: [1])
        XCTAssertEqual(rowProducts.leader, [2], "Hess_xy (2 q_l q_f) = 2")
        XCTAssertEqual(rowProducts.follower, [0])
    }

    func testHypergradientFromGraphFunctions() throws { try check(graphModel()) }

    func testHypergradientFromQuadraticViews() throws { try check(viewModel()) }
}
