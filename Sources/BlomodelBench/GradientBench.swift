import Blomodel
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
        ("aid-hessian-free", .aidHessianFree(damping: nil)), ("aid-woodfisher", .aidWoodFisher(damping: nil)),
        ("itd-sign (K = 100, beta = 0.01)", .itdSign(steps: 100, beta: nil)),
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
        o.control.leaderStart = x
        o.control.followerStart = follower.y
        o.control.tolerance = 1e-6
        var result: LeaderDescent.Result?
        let s = seconds { result = LeaderDescent(options: o).run(p) }
        print(pad([name, String(format: "%.2f", s), "\(result?.iterations ?? 0) (\(result?.stop.rawValue ?? "-"))"], widths))
    }
    runOwnLoopBenchmark(p, x: x, y: follower.y)
    print("")
    print("ridge tuning, d = 20 features, one penalty exp(r), aid-cg:")
    try runRidgeScaling(repeats: repeats)
}

// blomodel-bench --gradient also times ridge tuning at growing sizes: one log-penalty r, d = 20
// features, n training and n validation rows from a fixed generator; per size the milliseconds
// per hypergradient (aid-cg, the follower warm-started at its answer) and the whole solve from r = 0.
func runRidgeScaling(repeats: Int) throws {
    let d = 20
    let widths = [10, 12, 20, 16, 20]
    print(pad(["rows n", "build (s)", "ms / hypergradient", "whole solve (s)", "iterations"], widths))
    for n in [100, 1000, 10000] {
        var generator = DataGenerator(state: UInt64(n))
        let truth = (0..<d).map { j in j % 3 == 0 ? 0.0 : Double(j % 5) - 2 }
        func sample() -> (x: [[Double]], y: [Double]) {
            var x: [[Double]] = [], y: [Double] = []
            for _ in 0..<n {
                let row = (0..<d).map { _ in 2 * generator.uniform() - 1 }
                x.append(row)
                y.append(zip(row, truth).map(*).reduce(0, +) + 4 * (generator.uniform() - 0.5))
            }
            return (x, y)
        }
        let train = sample(), valid = sample()
        var problem: SmoothBilevel?
        let build = try seconds {
            let m = Bilevel("ridge_\(n)")
            let r = m.leader.variable("r", bounds: -10.0...5.0)
            let w = m.follower.variables("w", over: 0..<d)
            func mse(_ data: (x: [[Double]], y: [Double])) -> Expr {
                sum(0..<n) { i in (sum(0..<d) { j in data.x[i][j] * w[j] } - data.y[i]) ** 2 } / Double(n)
            }
            m.leader.minimize("validation", mse(valid))
            m.follower.minimize("training", mse(train) + exp(r) * sum(0..<d) { j in w[j] ** 2 })
            problem = try SmoothBilevel.make(m.build())
        }
        guard let p = problem else { continue }
        let solver = FollowerSolver()
        let x = [0.0]
        let follower = solver.solve(p, x: x, from: [Double](repeating: 0, count: d))
        let ms = medianMilliseconds(repeats: repeats) {
            _ = p.hypergradient(x, yStart: follower.y, rule: .aidCG(iterations: 500, tolerance: 1e-10), follower: solver)
        }
        var o = LeaderDescent.Options()
        o.control.leaderStart = x
        o.control.followerStart = follower.y
        var result: LeaderDescent.Result?, quasi: LeaderDescent.Result?
        let whole = seconds { result = LeaderDescent(options: o).run(p) }
        o.quasiNewton = 10
        let wholeQuasi = seconds { quasi = LeaderDescent(options: o).run(p) }
        print(pad(["\(n)", String(format: "%.2f", build), String(format: "%.2f", ms), String(format: "%.3f", whole), "\(result?.iterations ?? 0) (\(result?.stop.rawValue ?? "-"))"], widths))
        print(pad(["  --lbfgs", "", "", String(format: "%.3f", wholeQuasi), "\(quasi?.iterations ?? 0) (\(quasi?.stop.rawValue ?? "-"))"], widths))
    }
}

/// The methods with their own loops on the same problem: milliseconds per leader iteration (the
/// median over 10 runs of 5 iterations, minus a run of none, divided by 5). cccp-bo does not apply
/// (the follower 1/2 y'Ay - x'y is not jointly convex in (x, y)).
func runOwnLoopBenchmark(_ p: SmoothBilevel, x: [Double], y: [Double]) {
    let widths = [34, 22]
    print(pad(["method (own loop)", "ms / leader iteration"], widths))
    func perIteration(_ run: (Int) -> Void) -> Double {
        let none = medianMilliseconds(repeats: 5) { run(0) }
        let five = medianMilliseconds(repeats: 5) { run(5) }
        return max(five - none, 0) / 5
    }
    let igfm = perIteration { k in
        var o = IGFM.Options()
        o.control.maximumIterations = k
        o.step = 1e-3
        o.innerSteps = 10
        o.measureSamplesPerDimension = 0
        o.control.leaderStart = x
        o.control.followerStart = y
        _ = IGFM(options: o).run(p)
    }
    print(pad(["igfm (K0 = K = 10, 3 SGM runs)", String(format: "%.2f", igfm)], widths))
    let bvfim = perIteration { k in
        var o = BVFIM.Options()
        o.control.maximumIterations = k
        o.innerSteps = 10
        o.control.leaderStart = x
        o.control.followerStart = y
        _ = BVFIM(options: o).run(p)
    }
    print(pad(["bvfim (T = 10)", String(format: "%.2f", bvfim)], widths))
    print(pad(["cccp-bo", "n/a (not jointly convex)"], widths))
}
