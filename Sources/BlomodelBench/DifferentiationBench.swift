import BlomodelCore
import Differentiation
import Foundation

// blomodel-bench --ad [DIR]: the compiled derivatives of two graphs, median times over repeated
// runs, and the data written to DIR (default: a temporary folder) for Benchmarks/ad_peers.py,
// which times the same computations in PyTorch (and NumPy).
//
//   quadratic  f(x, y) = 1/2 y'Ay - x'y, n = 1000 (2000 variables), A dense and symmetric,
//              A_ij = 1/(1 + |i - j|) + [i == j] (positive definite), x_i = sin(i), y_i = cos(i),
//              written as the double sum 1/2 sum_ij A_ij y_i y_j - sum_i x_i y_i (10^6 products);
//              also the hypergradient of the bilevel problem
//                min_x 1/2 |y - t|^2 + 1/2 mu |x|^2,  y in argmin_y f(x, y)
//              at a point where y solves the follower (A y = x): grad F = mu x + p with
//              A p = y - t, p by conjugate gradients on Hessian-vector products (Hess_yy f p),
//              then Hess_xy f p from the same product;
//   logistic   L(w) = 1/N sum_i softplus(-b_i a_i'w) + lambda/2 |w|^2, N = 5000 samples,
//              d = 100 features, data from a fixed generator, written to logistic.csv and read back.

/// A fixed linear congruential generator, so the data are the same on every machine.
struct DataGenerator {
    var state: UInt64
    mutating func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}

func medianMilliseconds(repeats: Int, _ body: () -> Void) -> Double {
    body()  // warm-up
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    return times[times.count / 2]
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Writes the logistic-regression data: columns y (the label, -1 or 1) and a1..ad.
func writeLogisticData(samples m: Int, features d: Int, path: String) throws {
    var g = DataGenerator(state: 2024)
    let truth = (0..<d).map { _ in 2 * g.uniform() - 1 }
    var text = "y," + (1...d).map { "a\($0)" }.joined(separator: ",") + "\n"
    for _ in 0..<m {
        let a = (0..<d).map { _ in 2 * g.uniform() - 1 }
        let margin = zip(a, truth).reduce(0) { $0 + $1.0 * $1.1 } + 0.5 * (2 * g.uniform() - 1)
        text += (margin >= 0 ? "1," : "-1,") + a.map { String($0) }.joined(separator: ",") + "\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Reads the labels and the feature rows back.
func readLogisticData(path: String) throws -> (labels: [Double], rows: [[Double]]) {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var labels: [Double] = [], rows: [[Double]] = []
    for line in text.split(separator: "\n").dropFirst() {
        let cells = line.split(separator: ",").compactMap { Double($0) }
        guard let label = cells.first else { continue }
        labels.append(label)
        rows.append(Array(cells.dropFirst()))
    }
    return (labels, rows)
}

func runDifferentiationBenchmark(directory: String, repeats: Int) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var rows: [[String]] = []
    let widths = [40, 16, 9, 10, 12]
    print("compiled derivatives (release build; median of \(repeats) runs after one warm-up; data in \(directory))")
    print(pad(["computation", "size", "build s", "compile s", "median ms"], widths))

    // The quadratic 1/2 y'Ay - x'y.
    let n = 1000
    var quadraticGraph = ExpressionGraph()
    var quadraticRoot = NodeID(0)
    let build = seconds {
        var f = Combination(constant: 0)
        for i in 0..<n {
            for j in 0..<n {
                let a = 1 / (1 + Double(abs(i - j))) + (i == j ? 1 : 0)
                f.add(quadraticGraph.multiply(quadraticGraph.variable(n + i), quadraticGraph.variable(n + j)), times: 0.5 * a)
            }
        }
        for i in 0..<n { f.add(quadraticGraph.multiply(quadraticGraph.variable(i), quadraticGraph.variable(n + i)), times: -1) }
        quadraticRoot = quadraticGraph.node(f)
    }
    var quadratic: CompiledFunction?
    let compile = try seconds { quadratic = try CompiledFunction(graph: quadraticGraph, root: quadraticRoot, variableCount: 2 * n) }
    guard let q = quadratic else { return }
    let split = try VariableSplit(leader: Array(0..<n), follower: Array(n..<(2 * n)), variableCount: 2 * n)
    let point = split.combine(leader: (0..<n).map { sin(Double($0)) }, follower: (0..<n).map { cos(Double($0)) })
    let direction = (0..<(2 * n)).map { sin(0.5 * Double($0)) }
    var sink = 0.0
    let qg = medianMilliseconds(repeats: repeats) { sink += q.gradient(at: point)[0] }
    let qh = medianMilliseconds(repeats: repeats) { sink += q.hessianVectorProduct(at: point, direction: direction)[0] }
    rows.append(["1/2 y'Ay - x'y: gradient", "n = \(n)", String(format: "%.3f", build), String(format: "%.3f", compile), String(format: "%.3f", qg)])
    rows.append(["1/2 y'Ay - x'y: Hessian-vector product", "n = \(n)", "", "", String(format: "%.3f", qh)])

    // The hypergradient of the quadratic bilevel problem by conjugate gradients.
    let mu = 0.1
    let target = (0..<n).map { cos(0.3 * Double($0)) }
    let x = (0..<n).map { sin(Double($0)) }
    // The follower's answer A y = x, by conjugate gradients on Hess_yy f (outside the timing).
    // The point's derivatives are made once; each product is then one symmetric mat-vec.
    func conjugateGradient(_ b: [Double], at p: PointDerivatives, tolerance: Double) -> (solution: [Double], iterations: Int) {
        var z = [Double](repeating: 0, count: n), r = b, d = b
        var rr = r.reduce(0) { $0 + $1 * $1 }
        let stop = tolerance * tolerance * max(rr, 1e-300)
        var k = 0
        while rr > stop && k < 200 {
            let ad = p.followerDirectionProducts(split: split, direction: d).follower
            let alpha = rr / zip(d, ad).reduce(0) { $0 + $1.0 * $1.1 }
            for i in 0..<n {
                z[i] += alpha * d[i]
                r[i] -= alpha * ad[i]
            }
            let next = r.reduce(0) { $0 + $1 * $1 }
            for i in 0..<n { d[i] = r[i] + next / rr * d[i] }
            rr = next
            k += 1
        }
        return (z, k)
    }
    let follower = conjugateGradient(
        x, at: q.derivatives(at: split.combine(leader: x, follower: [Double](repeating: 0, count: n))), tolerance: 1e-12
    ).solution
    let bilevelPoint = split.combine(leader: x, follower: follower)
    var iterations = 0
    var hypergradient: [Double] = []
    let hg = medianMilliseconds(repeats: repeats) {
        let gradientF = zip(follower, target).map { $0 - $1 }  // grad_y F; grad_x F = mu x
        let atPoint = q.derivatives(at: bilevelPoint)
        let (p, k) = conjugateGradient(gradientF, at: atPoint, tolerance: 1e-10)
        iterations = k
        let xy = atPoint.followerDirectionProducts(split: split, direction: p).leader
        hypergradient = zip(x, xy).map { mu * $0 - $1 }
    }
    rows.append([
        "hypergradient by CG (\(iterations) HVPs + 1)", "n = \(n)", "", "", String(format: "%.3f", hg),
    ])
    let hypergradientText = hypergradient.map { String($0) }.joined(separator: "\n")
    try hypergradientText.write(toFile: directory + "/hypergradient_swift.txt", atomically: true, encoding: .utf8)

    // The logistic loss over data read from CSV.
    let m = 5000, d = 100, lambda = 1e-2
    let csv = directory + "/logistic.csv"
    try writeLogisticData(samples: m, features: d, path: csv)
    var logisticGraph = ExpressionGraph()
    var logisticRoot = NodeID(0)
    let logisticBuild = try seconds {
        let data = try readLogisticData(path: csv)
        var loss = Combination(constant: 0)
        for (b, a) in zip(data.labels, data.rows) {
            var margin = Combination(constant: 0)
            for (j, aj) in a.enumerated() { margin.add(logisticGraph.variable(j), times: -b * aj) }
            if let term = logisticGraph.call(.softplus, margin) { loss.add(term, times: 1 / Double(data.labels.count)) }
        }
        for j in 0..<d { loss.add(logisticGraph.power(logisticGraph.variable(j), 2), times: lambda / 2) }
        logisticRoot = logisticGraph.node(loss)
    }
    var logistic: CompiledFunction?
    let logisticCompile = try seconds { logistic = try CompiledFunction(graph: logisticGraph, root: logisticRoot, variableCount: d) }
    guard let l = logistic else { return }
    let w = (0..<d).map { 0.1 * sin(Double($0)) }, v = (0..<d).map { cos(Double($0)) }
    let lg = medianMilliseconds(repeats: repeats) { sink += l.gradient(at: w)[0] }
    let lh = medianMilliseconds(repeats: repeats) { sink += l.hessianVectorProduct(at: w, direction: v)[0] }
    rows.append(["logistic loss: gradient", "\(m) x \(d)", String(format: "%.3f", logisticBuild), String(format: "%.3f", logisticCompile), String(format: "%.3f", lg)])
    rows.append(["logistic loss: Hessian-vector product", "\(m) x \(d)", "", "", String(format: "%.3f", lh)])
    for r in rows { print(pad(r, widths)) }
    print("quadratic:", q.statistics)
    print("logistic: ", l.statistics)
    print(String(format: "check values: quadratic gradient[0] %.12g, logistic value %.12g, logistic gradient[0] %.12g, hypergradient[0] %.12g",
                 q.gradient(at: point)[0], l.value(at: w), l.gradient(at: w)[0], hypergradient.first ?? .nan))
    if sink.isNaN { print("(NaN seen)") }
}
