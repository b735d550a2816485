import Blomodel
import Foundation
import XCTest

final class ParityTests: XCTestCase {
    func testLiuHart() throws {
        try assertParity({
            let m = Bilevel("liu_hart_1994")
            let x = m.leader.variable("x", bounds: 0...)
            let y = m.follower.variable("y", bounds: 0...)
            m.leader.minimize("F", -x - 3 * y)
            m.follower.minimize("f", y)
            m.follower.constraint("c1", -x + y <= 3)
            m.follower.constraint("c2", x + 2 * y <= 12)
            m.follower.constraint("c3", 4 * x - y <= 12)
            return m
        }, "Models/literature/liu_hart_1994.blo")
    }

    /// The code of the DocC tutorial (Sources/Blomodel/Blomodel.docc/BuildingTheTollModel.md).
    func testToll() throws {
        try assertParity({
            let dir = repository.appendingPathComponent("Models/classic/toll").path
            let arcData = try DataTable(csv: dir + "/arcs.csv")
            let commodityData = try DataTable(csv: dir + "/commodities.csv")
            let nodes = Array(1...6)
            let arcs = try arcData.members("from", "to")
            let cost = try arcData.parameter("cost", by: "from", "to")
            let tolled = try arcData.parameter("tolled", by: "from", "to")
            let tolledArcs = arcs.filter { tolled.value($0) == 1 }
            let K = try commodityData.members("k")
            let origin = try commodityData.parameter("origin", by: "k")
            let destination = try commodityData.parameter("destination", by: "k")
            let demand = try commodityData.parameter("demand", by: "k")
            let tmax = 20.0

            let m = Bilevel("toll")
            let T = m.leader.variables("T", over: tolledArcs, bounds: 0...tmax)
            let x = m.follower.variables("x", over: K, arcs) { k, _ in 0...demand[k] }
            m.leader.maximize("revenue", sum(K, tolledArcs) { k, a in T[a] * x[k, a] })
            m.follower.minimize(
                "travel_cost", sum(K, arcs) { k, a in cost[a] * x[k, a] } + sum(K, tolledArcs) { k, a in T[a] * x[k, a] })
            m.follower.constraints("balance", over: K, nodes) { k, n in
                let out = sum(arcs.filter { $0[0] == n }) { a in x[k, a] }
                let into = sum(arcs.filter { $0[1] == n }) { a in x[k, a] }
                let d = demand.value(k)!
                let supply = origin.value(k) == Double(n) ? d : destination.value(k) == Double(n) ? -d : 0
                return out - into == supply
            }
            m.follower.dualBound(sum(arcs) { a in cost[a] } + Double(tolledArcs.count) * tmax)
            return m
        }, "Models/classic/toll/toll.blo")
    }
}
