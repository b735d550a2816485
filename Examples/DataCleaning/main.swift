// Data hyper-cleaning (Franceschi, Donini, Frasconi and Pontil 2017; Shaban, Cheng, Hatch and Boots
// 2019) on real data: the Breast Cancer Wisconsin (Diagnostic) data (data/README.md), with 30 % of
// the training labels flipped by a seeded generator. The leader gives every training sample a
// weight w_i in [0, 1]; the follower fits a logistic regression (30 weights and an intercept, a
// small ridge term: strongly convex) to the weighted training loss; the leader minimises the
// logistic loss on a clean validation split. A sample the leader turns down (w_i < 1/2) is
// "flagged": the table says how many of the flipped labels were flagged (recall) and how many of
// the flagged were flipped (precision), and the test accuracy of each method's fit against the
// fit to the corrupted data as is (all weights 1).
//
//   swift run -c release DataCleaningExample [--small] [--iterations N] [--step S]
//       [--methods aid-cg,itd-reverse,...] [--time-limit SECONDS] [data/breast_cancer.csv]
//
// Without --methods every method of GradientOptions.methods runs (read at run time). --small takes
// every fourth row (143) and aid-cg only: the test runs it. The follower's weights at each answer
// are checked against an independent Newton solve written here in plain Swift (no blomodel code),
// and the follower's gradient norm at the answer is computed here too.
import Blomodel
import Foundation

// MARK: Arguments

setvbuf(stdout, nil, _IOLBF, 0)
var arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    let v = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
    return v
}
let small = arguments.contains("--small")
arguments.removeAll { $0 == "--small" }
let iterations = option("--iterations").flatMap(Int.init) ?? (small ? 100 : 500)
let step = option("--step").flatMap(Double.init) ?? 1000
let timeLimit = option("--time-limit").flatMap(Double.init) ?? 600
let methods = option("--methods").map { $0.split(separator: ",").map(String.init) }
    ?? (small ? ["aid-cg"] : GradientOptions.methods.map(\.name))
let path = arguments.first ?? "Examples/DataCleaning/data/breast_cancer.csv"
let corruptedFraction = 0.3
let ridge = 0.01  // mu: the follower's (mu/2)(|theta|^2 + b^2)

// MARK: Data: a deterministic split, labels flipped by a seeded generator

/// A 64-bit linear congruential generator (Knuth's MMIX constants); Examples/DataCleaning/check.py
/// repeats it to check the split and the corruption independently.
struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 11
    }
    /// Uniform in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

let table = try DataTable(csv: path)
var all: [[Double]] = []
for row in table.table.rows { all.append(row.map { Double($0.text) ?? .nan }) }
precondition(all.count == 569 && all.allSatisfy { $0.count == 31 && !$0.contains { $0.isNaN } }, "expected 569 rows of 30 features and a label")
let rows = small ? all.enumerated().filter { $0.offset % 4 == 0 }.map(\.element) : all
// Row r (in the order above): r % 2 == 0 trains, r % 4 == 1 validates, r % 4 == 3 tests.
let trainRows = rows.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
let validRows = rows.enumerated().filter { $0.offset % 4 == 1 }.map(\.element)
let testRows = rows.enumerated().filter { $0.offset % 4 == 3 }.map(\.element)
let d = 30
let n = trainRows.count
// Features standardised with the training split's means and deviations; labels +1 benign, -1 malignant.
let means = (0..<d).map { j in trainRows.map { $0[j] }.reduce(0, +) / Double(n) }
let deviations = (0..<d).map { j in (trainRows.map { pow($0[j] - means[j], 2) }.reduce(0, +) / Double(n)).squareRoot() }
func features(_ rs: [[Double]]) -> [[Double]] { rs.map { r in (0..<d).map { (r[$0] - means[$0]) / deviations[$0] } } }
func labels(_ rs: [[Double]]) -> [Double] { rs.map { $0[d] == 1 ? 1.0 : -1.0 } }
let xt = features(trainRows), xv = features(validRows), xs = features(testRows)
let cleanLabels = labels(trainRows), yv = labels(validRows), ys = labels(testRows)
// Flip the labels of round(0.3 n) training samples, chosen by a partial Fisher-Yates shuffle.
var random = Generator(state: 2_017)
var order = Array(0..<n)
let corruptedCount = Int((corruptedFraction * Double(n)).rounded())
for i in 0..<corruptedCount { order.swapAt(i, i + random.below(n - i)) }
let corrupted = Set(order.prefix(corruptedCount))
let yt = cleanLabels.enumerated().map { corrupted.contains($0.offset) ? -$0.element : $0.element }

// MARK: The bilevel model, in the DSL

func cleaning() -> (Bilevel, VariableFamily<Leader>, VariableFamily<Follower>, Expr) {
    let m = Bilevel("hyper_cleaning")
    let w = m.leader.variables("w", over: 0..<n, bounds: 0.0...1.0)  // the samples' weights
    let theta = m.follower.variables("theta", over: 0..<d)
    let b = m.follower.variable("b")
    func margin(_ x: [Double], _ y: Double) -> Expr { y * (sum(0..<d) { j in x[j] * theta[j] } + b) }
    m.leader.minimize("validation_loss", sum(0..<xv.count) { i in softplus(-margin(xv[i], yv[i])) } / Double(xv.count))
    m.follower.minimize(
        "weighted_training_loss",
        sum(0..<n) { i in w[i] * softplus(-margin(xt[i], yt[i])) } / Double(n)
            + (ridge / 2) * (sum(0..<d) { j in theta[j] ** 2 } + b ** 2))
    return (m, w, theta, b)
}

// MARK: Independent checks, in plain Swift

func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }
func softplus(_ z: Double) -> Double { max(z, 0) + log1p(exp(-abs(z))) }
/// The follower's gradient in (theta, b) at the sample weights `w`.
func followerGradient(_ w: [Double], _ p: [Double]) -> [Double] {
    var g = p.map { ridge * $0 }
    for i in 0..<n {
        let z = yt[i] * (zip(xt[i], p).map(*).reduce(0, +) + p[d])
        let c = -w[i] * yt[i] * sigmoid(-z) / Double(n)
        for j in 0..<d { g[j] += c * xt[i][j] }
        g[d] += c
    }
    return g
}
/// The weighted ridge logistic regression by Newton's method with a backtracking search
/// (Gaussian elimination on the 31 x 31 system).
func newtonFit(_ w: [Double], labels y: [Double]) -> [Double] {
    func value(_ p: [Double]) -> Double {
        (0..<n).map { i in w[i] * softplus(-y[i] * (zip(xt[i], p).map(*).reduce(0, +) + p[d])) }.reduce(0, +) / Double(n)
            + ridge / 2 * p.map { $0 * $0 }.reduce(0, +)
    }
    var p = [Double](repeating: 0, count: d + 1)
    for _ in 0..<100 {
        var g = p.map { ridge * $0 }
        var h = (0...d).map { i in (0...d).map { j in i == j ? ridge : 0.0 } }
        for i in 0..<n {
            let xi = xt[i] + [1.0]
            let z = y[i] * zip(xi, p).map(*).reduce(0, +)
            let c = -w[i] * y[i] * sigmoid(-z) / Double(n), curvature = w[i] * sigmoid(z) * sigmoid(-z) / Double(n)
            for j in 0...d {
                g[j] += c * xi[j]
                for k in 0...d { h[j][k] += curvature * xi[j] * xi[k] }
            }
        }
        if (g.map { abs($0) }.max() ?? 0) < 1e-14 { break }
        let direction = solve(h, g)
        var t = 1.0, f0 = value(p)
        while t > 1e-10, value(zip(p, direction).map { $0 - t * $1 }) > f0 { t /= 2 }
        p = zip(p, direction).map { $0 - t * $1 }
        f0 = value(p)
    }
    return p
}
func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
    let k = a.count
    var m = (0..<k).map { a[$0] + [b[$0]] }
    for c in 0..<k {
        let p = (c..<k).max { abs(m[$0][c]) < abs(m[$1][c]) }!
        m.swapAt(c, p)
        for r in (c + 1)..<k {
            let f = m[r][c] / m[c][c]
            for j in c...k { m[r][j] -= f * m[c][j] }
        }
    }
    var x = [Double](repeating: 0, count: k)
    for c in stride(from: k - 1, through: 0, by: -1) { x[c] = (m[c][k] - ((c + 1)..<k).map { m[c][$0] * x[$0] }.reduce(0, +)) / m[c][c] }
    return x
}
func accuracy(_ p: [Double], _ x: [[Double]], _ y: [Double]) -> Double {
    Double((0..<x.count).filter { i in (zip(x[i], p).map(*).reduce(0, +) + p[d]) * y[i] > 0 }.count) / Double(x.count)
}
func validationLoss(_ p: [Double]) -> Double {
    (0..<xv.count).map { i in softplus(-yv[i] * (zip(xv[i], p).map(*).reduce(0, +) + p[d])) }.reduce(0, +) / Double(xv.count)
}

// MARK: Runs

print("hyper-cleaning: breast cancer (Wisconsin diagnostic), \(small ? "small (every 4th row)" : "all rows"): \(n) training (\(corruptedCount) labels flipped), \(xv.count) validation, \(xs.count) test rows; ridge \(ridge)")
print("leader iterations \(iterations), step \(step), time limit \(Int(timeLimit)) s per method; flagged: w_i < 0.5")
print("method          iterations  seconds  validation  test_acc  flagged  precision  recall  newton_diff  follower_grad  stop             certification")
func row(_ name: String, _ its: Int, _ seconds: Double, _ p: [Double], _ w: [Double], newton: Double, grad: Double, _ stop: String, _ cert: String) {
    let flagged = Set((0..<n).filter { w[$0] < 0.5 })
    let hits = flagged.intersection(corrupted).count
    let precision = flagged.isEmpty ? Double.nan : Double(hits) / Double(flagged.count)
    let recall = Double(hits) / Double(corruptedCount)
    print(
        name.padding(toLength: 15, withPad: " ", startingAt: 0)
            + String(
                format: " %10d  %7.2f  %10.6f  %8.4f  %7d  %9.3f  %6.3f  %11.2g  %13.2g", its, seconds, validationLoss(p), accuracy(p, xs, ys),
                flagged.count, precision, recall, newton, grad)
            + "  " + stop.padding(toLength: 15, withPad: " ", startingAt: 0) + "  \(cert)")
}
do {
    // The reference: the fit to the clean training labels (what cleaning aims at), by Newton.
    let ones = [Double](repeating: 1, count: n)
    let oracle = newtonFit(ones, labels: cleanLabels)
    print(String(format: "clean labels    (Newton fit on the true training labels: test accuracy %.4f, validation %.6f)", accuracy(oracle, xs, ys), validationLoss(oracle)))
    for name in ["as-is"] + methods {
        let (m, w, theta, b) = cleaning()
        var options = BlomodelOptions()
        options.gradient.method = name == "as-is" ? "aid-cg" : name
        options.gradient.start = Dictionary(uniqueKeysWithValues: (0..<n).map { ("w[\($0)]", 1.0) })
        options.gradient.iterations = name == "as-is" ? 0 : iterations
        options.gradient.step = step
        options.timeLimit = timeLimit
        let clock = Date()
        let result: SolveReport
        // A method that cannot take the model says why before it starts: a row of its own.
        do { result = try m.solve(options: options) } catch let e as Diagnostic where name != "as-is" {
            print(name.padding(toLength: 15, withPad: " ", startingAt: 0) + " refused: " + (e.message.split(separator: ";").first.map(String.init) ?? e.message))
            continue
        }
        let seconds = Date().timeIntervalSince(clock)
        let weights = (0..<n).map { result[w[$0]] ?? .nan }
        let p = (0..<d).map { result[theta[$0]] ?? .nan } + [result[b] ?? .nan]
        let reference = newtonFit(weights, labels: yt)
        let difference = zip(p, reference).map { abs($0 - $1) }.max() ?? .nan
        let gradient = followerGradient(weights, p).map { abs($0) }.max() ?? .nan
        row(name == "as-is" ? "as-is (w = 1)" : name, result.gradient?.iterations ?? 0, seconds, p, weights, newton: difference, grad: gradient, result.gradient?.stop ?? "-", "\(result.certification)")
    }
} catch let e as Diagnostic {
    print(e.withSourceLine().rendered)
    exit(1)
}
