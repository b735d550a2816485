// The toll-setting model (Labbe, Marcotte and Savard 1998) built in Swift, with its data from
// CSV files, solved and read back through typed handles. Its twin in the language is
// Models/classic/toll/toll.blo; both build the same model.
//
//   swift run TollInCodeExample [data-folder]      (default: Models/classic/toll)
import Blomodel
import Foundation

let folder = CommandLine.arguments.dropFirst().first ?? "Models/classic/toll"

do {
    // Data: arcs (from, to, cost, tolled) and commodities (k, origin, destination, demand).
    let arcData = try DataTable(csv: folder + "/arcs.csv")
    let commodityData = try DataTable(csv: folder + "/commodities.csv")
    let arcs = try arcData.members("from", "to")
    let cost = try arcData.parameter("cost", by: "from", "to")
    let tolledArcs = try arcs.filter { try arcData.parameter("tolled", by: "from", "to").value($0) == 1 }
    let K = try commodityData.members("k")
    let origin = try commodityData.parameter("origin", by: "k")
    let destination = try commodityData.parameter("destination", by: "k")
    let demand = try commodityData.parameter("demand", by: "k")
    let nodes = Array(Set(arcs.flatMap { $0 })).sorted()
    /// A node given as a number in the data.
    func node(_ v: Double?) -> Element { v.map { .int(Int($0)) } ?? .symbol("?") }
    let tmax = 20.0

    let m = Bilevel("toll")
    // The leader (a highway authority) sets tolls; the follower (the users) routes every
    // commodity on a cheapest path given costs plus tolls.
    let T = m.leader.variables("T", over: tolledArcs, bounds: 0...tmax)
    let x = m.follower.variables("x", over: K, arcs) { k, _ in 0...demand[k] }
    m.leader.maximize("revenue", sum(K, tolledArcs) { k, a in T[a] * x[k, a] })
    m.follower.minimize(
        "travel_cost", sum(K, arcs) { k, a in cost[a] * x[k, a] } + sum(K, tolledArcs) { k, a in T[a] * x[k, a] })
    m.follower.constraints("balance", over: K, nodes) { k, n in
        let out = sum(arcs.filter { $0[0] == n }) { a in x[k, a] }
        let into = sum(arcs.filter { $0[1] == n }) { a in x[k, a] }
        let d = demand.value(k)!
        let supply = n == node(origin.value(k)) ? d : n == node(destination.value(k)) ? -d : 0
        return out - into == supply
    }
    // Node potentials are shortest-path distances: never above all costs plus all tolls.
    m.follower.dualBound(sum(arcs) { a in cost[a] } + Double(tolledArcs.count) * tmax)

    let result = try m.solve(.cbc, timeLimit: .seconds(60))
    print("\(result.certification.rawValue): revenue \(result.leaderObjective.map { String($0) } ?? "-")")
    print("arc     toll   flow")
    for a in tolledArcs {
        let flow = K.map { k in result[x[k, a]] ?? 0 }.reduce(0, +)
        let name = a.map(\.description).joined(separator: "-")
        print(name.padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%4.1f  %5.1f", result[T[a]] ?? .nan, flow))
    }
} catch let d as Diagnostic {
    print(d.withSourceLine().rendered)
    exit(1)
}
