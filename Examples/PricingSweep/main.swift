// A Stackelberg pricing sweep: a firm prices its products A and B; a customer who must buy
// `need` units buys the cheapest mix of the firm's products and competing offers. How do the
// firm's best prices and revenue change with the customer's need? One model per value, built
// in Swift, solved exactly, printed as a table. (Models/classic/pricing/pricing.blo is the
// model at need = 10.)
//
//   swift run PricingSweepExample
import Blomodel
import Foundation

let products: [String] = ["A", "B"]
let capacity = Parameter("capacity", ["A": 4, "B": 5])
let offers: [String] = ["C", "D", "E"]
let price = Parameter("price", ["C": 6, "D": 9, "E": 12])
let supply = Parameter("supply", ["C": 3, "D": 4, "E": 10])
let pmax = 20.0

func pricing(need: Double) -> (Bilevel, VariableFamily<Leader>) {
    let m = Bilevel("pricing")
    let p = m.leader.variables("p", over: products, bounds: 0...pmax)
    let buy = m.follower.variables("buy", over: products) { i in 0...capacity.value(i)! }
    let other = m.follower.variables("other", over: offers) { c in 0...supply.value(c)! }
    m.leader.maximize("revenue", sum(products) { i in p[i] * buy[i] })
    m.follower.minimize("spend", sum(products) { i in p[i] * buy[i] } + sum(offers) { c in price[c] * other[c] })
    m.follower.constraint("demand", sum(products) { i in buy[i] } + sum(offers) { c in other[c] } == need)
    // The customer's marginal price never exceeds the dearest offer.
    m.follower.dualBound(pmax)
    return (m, p)
}

print("need  revenue  p[A]   p[B]   certification")
do {
    for need in stride(from: 2.0, through: 20.0, by: 2.0) {
        let (m, p) = pricing(need: need)
        let r = try m.solve(.glpk)
        let revenue = r.leaderObjective.map { String(format: "%7.2f", $0) } ?? "      -"
        let pa = r[p["A"]].map { String(format: "%5.2f", $0) } ?? "    -"
        let pb = r[p["B"]].map { String(format: "%5.2f", $0) } ?? "    -"
        print(String(format: "%4.0f", need) + "  \(revenue)  \(pa)  \(pb)  \(r.certification.rawValue)")
    }
} catch let d as Diagnostic {
    print(d.withSourceLine().rendered)
    exit(1)
}
