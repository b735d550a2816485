import BlomodelCore
import Foundation
import GradientMethods

// blomodel-bench --gradient [--repeats N]: the gradient methods on the quadratic bilevel problem
// of the --ad benchmark (n = 1000 leader and 1000 follower variables, A dense):
//
//   min_x 1/2 |y - t|^2 + 1/2 mu |x|^2,   y in argmin_y 1/2 y'Ay - x'y,
//
// per method: milliseconds per hypergradient at a point where the follower is solved (the cost
// of one leader iteration, the follower warm-started at its answer), its largest difference from
// the exact hypergradient mu x + A^-1 (y - t) (aid-exact), and the seconds to solve the whole
// problem from x = sin(i) to a projected hypergradient of 1e-6 (aid-cg and itd-reverse).
// PyTorch's numbers for the same hypergradient are in the --ad table (Benchmarks/ad_peers.py).
func runGradientBenchmark(repeats: Int) throws {
    let n = 1000, mu = 0.1
    var builder = ModelBuilder()
    var quadratic = Combination(constant: 0)
    let xs = (0..<n).map { i in try! builder.addVariable(Variable(base: "x", index: [.int(i)], owner: .leader)) }
    let ys = (0..<n).map { i in try! builder.addVariable(Variable(base: "y", index: [.int(i)], owner: .theFollower)) }
    let build = seconds {
        for i in 0..<n {
            for j in 0..<n {
                let a = 1 / (1 + Double(abs(i - j))) + (i == j ? 1 : 0)
                quadratic.add(builder.graph.multiply(builder.graph.variable(ys[i]), builder.graph.variable(ys[j])), times: 0.5 * a)
            }
        }
        for i in 0..<n { quadratic.add(builder.graph.multiply(builder.graph.variable(xs[i]), builder.graph.variable(ys[i])), times: -1) }
    }
    var upper = Combination(constant: 0)
    for i in 0..<n {
        let t = cos(0.3 * Double(i))
        var d = builder.graph.variable(ys[i])
        d.constant -= t
        upper.add(builder.graph.multiply(d, d), times: 0.5)
        upper.add(builder.graph.multiply(builder.graph.variable(xs[i]), builder.graph.variable(xs[i])), times: 0.5 * mu)
    }
    try builder.setObjective(.leader, .minimize, name: "F", upper, at: .unknown)
    try builder.setObjective(.theFollower, .minimize, name: "f", quadratic, at: .unknown)
    let model = try builder.finish(name: "quadratic_bilevel")
    var problem: SmoothBilevel?
    let compile = try seconds { problem = try SmoothBilevel.make(model) }
    guard let p = problem else { return }
    print(String(format: "quadratic bilevel problem, n = %d: graph built in %.2f s, compiled in %.2f s", n, build, compile))

    let x = (0..<n).map { sin(Double($0)) }
    let solver = FollowerSolver()
    let follower = solver.solve(p, x: x, from: [Double](repeating: 0, count: n))
    let exact = p.hypergradient(x, yStart: follower.y, rule: .aidExact, follower: solver).gradient
    let rules: [(String, HypergradientRule)] = [
        ("aid-cg", .aidCG(iterations: 500, tolerance: 1e-10)), ("aid-neumann (K = 100)", .aidNeumann(terms: 100, eta: nil)),
        ("aid-exact", .aidExact), ("itd-reverse (K = 100)", .itdReverse(steps: 100, eta: nil, truncation: nil)),
        ("itd-truncated (K = 100, K' = 10)", .itdReverse(steps: 100, eta: nil, truncation: 10)),
        ("bda (K = 100)", .bda(steps: 100, eta: nil, mu: 0.5)),
    ]
    let widths = [34, 18, 26]
    print(pad(["method", "ms / hypergradient", "max |difference| to exact"], widths))
    for (name, rule) in rules {
        var g: [Double] = []
        let r = name == "aid-exact" ? max(1, repeats / 10) : repeats
        let ms = medianMilliseconds(repeats: r) { g = p.hypergradient(x, yStart: follower.y, rule: rule, follower: solver).gradient }
        let difference = zip(g, exact).map { abs($0 - $1) }.max() ?? .nan
        print(pad([name, String(format: "%.2f", ms), String(format: "%.2g", difference)], widths))
    }
    print(pad(["whole solve to 1e-6", "seconds", "leader iterations"], widths))
    for (name, rule) in [("aid-cg", HypergradientRule.aidCG(iterations: 500, tolerance: 1e-10)), ("itd-reverse (K = 100)", .itdReverse(steps: 100, eta: nil, truncation: nil))] {
        var o = LeaderDescent.Options()
        o.rule = rule
        o.leaderStart = x
        o.followerStart = follower.y
        o.tolerance = 1e-6
        var result: LeaderDescent.Result?
        let s = seconds { result = LeaderDescent(options: o).run(p) }
        print(pad([name, String(format: "%.2f", s), "\(result?.iterations ?? 0) (\(result?.stop.rawValue ?? "-"))"], widths))
    }
}
