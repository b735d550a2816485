import Blomodel
import Foundation
import XCTest

/// The classic models of `Models/classic` and `Models/nonlinear`, written in Swift: each must
/// build the model of its `.blo` twin (the same single-level program where an exact route
/// takes it; otherwise the same variables, rows, views and values). The toll model is in
/// ParityTests.swift.
final class ClassicParityTests: XCTestCase {
    /// The directory of a bundled model (its CSV data).
    func data(_ model: String) -> String { repository.appendingPathComponent("Models/" + model).path }

    /// Toll setting on a road network (Labbe, Marcotte and Savard, Management Science 44(12),
    /// 1998) on the seven-node network of `toll7`: three commodities, five tolled arcs. The
    /// leader sets tolls T on the tolled arcs to maximise its revenue; each commodity then
    /// travels on cheapest paths given costs plus tolls.
    func testToll7() throws {
        try assertParity({
            let arcData = try DataTable(csv: data("classic/toll7") + "/arcs.csv")
            let commodityData = try DataTable(csv: data("classic/toll7") + "/commodities.csv")
            let nodes = 1...7
            let arcs = try arcData.members("from", "to")
            let cost = try arcData.parameter("cost", by: "from", "to")
            let tolled = try arcData.parameter("tolled", by: "from", "to")
            let tolledArcs = arcs.filter { tolled.value($0) == 1 }
            let K = try commodityData.members("k")
            let origin = try commodityData.parameter("origin", by: "k")
            let destination = try commodityData.parameter("destination", by: "k")
            let demand = try commodityData.parameter("demand", by: "k")
            let tmax = 20.0  // the largest toll allowed on an arc

            let m = Bilevel("toll7")
            let T = m.leader.variables("T", over: tolledArcs, bounds: 0...tmax)
            // With positive costs an optimal flow has no cycle: no arc carries more than the demand.
            let x = m.follower.variables("x", over: K, arcs) { k, _ in 0...demand.value(k)! }
            m.leader.maximize("revenue", sum(K, tolledArcs) { k, a in T[a] * x[k, a] })
            m.follower.minimize(
                "travel_cost", sum(K, arcs) { k, a in cost[a] * x[k, a] } + sum(K, tolledArcs) { k, a in T[a] * x[k, a] })
            m.follower.constraints("balance", over: K, nodes) { k, n in
                let out = sum(arcs.filter { $0[0] == .int(n) }) { a in x[k, a] }
                let into = sum(arcs.filter { $0[1] == .int(n) }) { a in x[k, a] }
                let supply =
                    origin.value(k) == Double(n) ? demand.value(k)! : destination.value(k) == Double(n) ? -demand.value(k)! : 0
                return out - into == supply
            }
            // Node potentials (the duals of 'balance') can be taken as shortest-path distances,
            // which never exceed the sum of all arc costs and tolls.
            m.follower.dualBound(arcs.map { cost.value($0)! }.reduce(0, +) + Double(tolledArcs.count) * tmax)
            return m
        }, "Models/classic/toll7/toll7.blo")
    }

    /// Stackelberg pricing: a firm (the leader) prices its products; a customer (the follower)
    /// must buy `need` units and buys the cheapest mix of the firm's products and fixed-price
    /// competing offers, within every offer's capacity. Revenue price x quantity is also in the
    /// customer's cost: strong duality makes it linear, exactly. Optimum: revenue 63.
    func testPricing() throws {
        try assertParity({
            let products = try DataTable(csv: data("classic/pricing") + "/products.csv")
            let competitors = try DataTable(csv: data("classic/pricing") + "/competitors.csv")
            let P = try products.members("product")
            let C = try competitors.members("offer")
            let capacity = try products.parameter("capacity", by: "product")
            let price = try competitors.parameter("price", by: "offer")
            let supply = try competitors.parameter("capacity", by: "offer")
            let need = 10.0
            let pmax = 20.0

            let m = Bilevel("pricing")
            let p = m.leader.variables("p", over: P, bounds: 0...pmax)
            let buy = m.follower.variables("buy", over: P) { i in 0...capacity.value(i)! }
            let other = m.follower.variables("other", over: C) { c in 0...supply.value(c)! }
            m.leader.maximize("revenue", sum(P) { i in p[i] * buy[i] })
            m.follower.minimize("spend", sum(P) { i in p[i] * buy[i] } + sum(C) { c in price[c] * other[c] })
            m.follower.constraint("demand", sum(P) { i in buy[i] } + sum(C) { c in other[c] } == need)
            // The customer's marginal price (the dual of 'demand') never exceeds the dearest offer.
            m.follower.dualBound(pmax)
            return m
        }, "Models/classic/pricing/pricing.blo")
    }

    /// A strategic producer in a market cleared by an operator (in the style of Pereira,
    /// Granville, Fampa, Dix and Barroso, IEEE Trans. Power Systems 20(1), 2005). The producer
    /// offers an integer quantity q; the operator meets the demand at least cost; the market
    /// price is the dual of the balance, and the producer earns (price - its cost) x q.
    /// Optimum: profit 690 at q = 30.
    func testStrategicProducer() throws {
        try assertParity({
            let generators = try DataTable(csv: data("classic/strategic_producer") + "/generators.csv")
            let G = try generators.members("unit")
            let capacity = try generators.parameter("capacity", by: "unit")
            let cost = try generators.parameter("cost", by: "unit")
            let demand = 100.0
            let ownCost = 12.0
            let qmax = 60
            let priceCap = 100.0

            let m = Bilevel("strategic_producer")
            let q = m.leader.variable("q", bounds: 0...qmax, kind: .integer)
            let g = m.follower.variables("g", over: G) { i in 0...capacity.value(i)! }
            m.follower.minimize("dispatch_cost", sum(G) { i in cost[i] * g[i] })
            // The market price is at most the price cap: a bound on the dual, used as its big-M.
            let balance = m.follower.constraint("balance", sum(G) { i in g[i] } + q == demand).dualBound(priceCap)
            // dual(balance) takes the constraint's handle: the follower's problem is written first.
            let price = m.leader.dual(balance)
            m.leader.maximize("profit", price * q - ownCost * q)
            return m
        }, "Models/classic/strategic_producer/strategic_producer.blo")
    }

    /// Maximum-flow interdiction (Wood 1993, "Deterministic network interdiction", Mathematical
    /// and Computer Modelling 17(2)): the leader removes at most `budget` arcs to minimise the
    /// largest flow the follower can then send from the source to the sink. The follower's duals
    /// are node potentials of a minimum cut, in [-1, 1]. Optimum: the flow falls from 21 to 4.
    func testInterdiction() throws {
        try assertParity({
            let arcData = try DataTable(csv: data("classic/interdiction") + "/arcs.csv")
            let nodes = 1...6
            let arcs = try arcData.members("from", "to")
            let capacity = try arcData.parameter("capacity", by: "from", "to")
            let source = 1, sink = 6
            let budget = 2.0

            let m = Bilevel("interdiction")
            let cut = m.leader.variables("cut", over: arcs, kind: .binary)
            let v = m.follower.variable("v", bounds: 0...)
            let f = m.follower.variables("f", over: arcs, bounds: 0...)
            m.leader.minimize("flow_value", v)
            m.leader.constraint("spend", sum(arcs) { a in cut[a] } <= budget)
            m.follower.maximize("max_flow", v)
            m.follower.constraints("balance", over: nodes) { n in
                let out = sum(arcs.filter { $0[0] == .int(n) }) { a in f[a] }
                let into = sum(arcs.filter { $0[1] == .int(n) }) { a in f[a] }
                return out - into == (n == source ? v : n == sink ? -v : 0)
            }
            m.follower.constraints("open", over: arcs) { a in f[a] <= capacity[a] * (1 - cut[a]) }
            m.follower.dualBound(1)
            return m
        }, "Models/classic/interdiction/interdiction.blo")
    }

    /// Stackelberg-Cournot duopoly (Li, "A Gentle Introduction to Bilevel Optimization",
    /// section 3.1): the price is a - b (ql + qf); the leader chooses ql, the follower answers
    /// with qf. Optimum: ql = 50, qf = 15, leader profit 1250. The leader's objective is an
    /// indefinite quadratic, which the exact routes refuse: compared without reformulating.
    func testStackelbergCournot() throws {
        try assertModelsEqual({
            let a = 100.0, b = 1.0  // the inverse demand
            let cl = 10.0, cf = 20.0  // the leader's and the follower's unit costs

            let m = Bilevel("stackelberg_cournot")
            let ql = m.leader.variable("ql", bounds: 0...100)
            let qf = m.follower.variable("qf", bounds: 0...100)
            let price = a - b * (ql + qf)
            m.leader.maximize("leader_profit", price * ql - cl * ql)
            m.follower.maximize("follower_profit", price * qf - cf * qf)
            return m
        }, "Models/classic/stackelberg_cournot/stackelberg_cournot.blo")
    }

    /// The synthetic problem of Shen, Paternain, Liu, Kompella and Chen, "A method for bilevel
    /// optimization with convex lower-level problem" (CCCP-BO), section 5:
    ///
    ///     min_{x, y}  sin(c'x + d'y) + ln(||x + y||^2 + 1)
    ///     s.t. y in argmin_y 1/2 (y + x)' A (y + x),   A positive semidefinite, singular.
    ///
    /// A smooth nonlinear model: compared without reformulating.
    func testCCCPBOSynthetic() throws {
        try assertModelsEqual({
            let vectors = try DataTable(csv: data("nonlinear/cccp_bo_synthetic") + "/vectors.csv")
            let matrix = try DataTable(csv: data("nonlinear/cccp_bo_synthetic") + "/A.csv")
            let N = 1...10
            let c = try vectors.parameter("c", by: "i")
            let d = try vectors.parameter("d", by: "i")
            let A = try matrix.parameter("a", by: "i", "j")

            let m = Bilevel("cccp_bo_synthetic")
            let x = m.leader.variables("x", over: N, bounds: -10...10)
            let y = m.follower.variables("y", over: N, bounds: -10...10)
            m.leader.minimize(
                "F",
                sin(sum(N) { i in c[i] * x[i] } + sum(N) { i in d[i] * y[i] }) + log(sum(N) { i in (x[i] + y[i]) ** 2 } + 1))
            m.follower.minimize("f", 0.5 * sum(N, N) { i, j in A[i, j] * (y[i] + x[i]) * (y[j] + x[j]) })
            return m
        }, "Models/nonlinear/cccp_bo_synthetic/cccp_bo_synthetic.blo")
    }

    /// Liu et al.'s counter-example (seed 003, Example 5.3): the follower ignores y2.
    func testLiu2020Counterexample() throws {
        try assertModelsEqual({
            let m = Bilevel("liu_2020_counterexample")
            let x = m.leader.variable("x")
            let y1 = m.follower.variable("y1")
            let y2 = m.follower.variable("y2")
            m.leader.minimize("F", (x - y2) ** 2 + (y1 - 1) ** 2)
            m.follower.minimize("f", y1 ** 2 - 2 * x * y1)
            return m
        }, "Models/nonlinear/liu_2020_counterexample/liu_2020_counterexample.blo")
    }
}
