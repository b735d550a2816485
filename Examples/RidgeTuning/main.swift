// Per-feature ridge penalties lambda_j >= 0 tuned on a validation split, on real data: the diabetes data of
// Efron, Hastie, Johnstone and Tibshirani (2004) (data/README.md). The follower fits the weights w
// and intercept b of a ridge regression on the training half with one penalty per feature,
// lambda_j; the leader chooses lambda to minimise the validation half's mean squared error. Ten
// hyperparameters: no grid can search them, so the answer is checked three ways: the follower's
// weights at the answer against the closed form (X'X/n + diag(lambda)) w = X'y/n; the validation
// error against the best single shared penalty (a grid with the follower in closed form) and
// against ordinary least squares, which the tuned penalties must match or beat.
//
//   swift run RidgeTuningExample [data/diabetes.csv [leader iterations, default 1000]]
//
// The hyper-objective is flat along some penalties (a feature whose weight is near zero): plain
// projected gradient descent on the leader improves the validation error quickly and then
// slowly, so the report says `feasible` (iteration limit) rather than `local` at 1000 iterations.
import Blomodel
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let path = arguments.first ?? "Examples/RidgeTuning/data/diabetes.csv"
let iterations = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000

do {
    let table = try DataTable(csv: path)
    let names = Array(table.columns.dropLast())
    var rows: [[Double]] = []
    for row in table.table.rows { rows.append(row.map { Double($0.text) ?? .nan }) }
    // Even rows train, odd rows validate; features standardised and the response centred with the
    // training half's means and deviations.
    let train = rows.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
    let valid = rows.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    let d = names.count
    let means = (0...d).map { j in train.map { $0[j] }.reduce(0, +) / Double(train.count) }
    let deviations = (0..<d).map { j in (train.map { pow($0[j] - means[j], 2) }.reduce(0, +) / Double(train.count)).squareRoot() }
    func prepare(_ data: [[Double]]) -> (x: [[Double]], y: [Double]) {
        (data.map { r in (0..<d).map { (r[$0] - means[$0]) / deviations[$0] } }, data.map { $0[d] - means[d] })
    }
    let (xt, yt) = prepare(train), (xv, yv) = prepare(valid)

    let m = Bilevel("ridge_diabetes")
    let r = m.leader.variables("lambda", over: names, bounds: 0.0...100.0)  // the penalties
    let w = m.follower.variables("w", over: names)
    let b = m.follower.variable("b")
    func mse(_ x: [[Double]], _ y: [Double]) -> Expr {
        sum(0..<x.count) { i in (sum(0..<d) { j in x[i][j] * w[names[j]] } + b - y[i]) ** 2 } / Double(x.count)
    }
    m.leader.minimize("validation_mse", mse(xv, yv))
    m.follower.minimize("training_loss", mse(xt, yt) + sum(names) { j in r[j] * w[j] ** 2 })

    var options = BlomodelOptions()
    options.gradient.method = "aid-cg"
    options.gradient.start = Dictionary(uniqueKeysWithValues: names.map { ("lambda[\($0)]", 1.0) })
    options.gradient.tolerance = 1e-6
    options.gradient.iterations = iterations
    // Quasi-Newton leader steps (--lbfgs): the validation loss is flat along some penalties, where
    // gradient steps crawl (1000 iterations, not converged; L-BFGS converges).
    options.gradient.quasiNewton = 10
    let result = try m.solve(options: options)

    // The closed forms: ridge with penalties lambda (the intercept unpenalised; centred data give b = 0).
    func ridge(_ lambda: [Double]) -> [Double] {
        let n = Double(xt.count)
        var a = (0..<d).map { i in (0..<d).map { j in (0..<xt.count).map { xt[$0][i] * xt[$0][j] }.reduce(0, +) / n } }
        for i in 0..<d { a[i][i] += lambda[i] }
        let rhs = (0..<d).map { i in [(0..<xt.count).map { xt[$0][i] * yt[$0] }.reduce(0, +) / n] }
        return LinearAlgebraSolve(a, rhs)
    }
    func validation(_ wv: [Double]) -> Double {
        (0..<xv.count).map { i in pow(zip(xv[i], wv).map(*).reduce(0, +) - yv[i], 2) }.reduce(0, +) / Double(xv.count)
    }
    let tunedR = names.map { result[r[$0]] ?? .nan }
    let closed = ridge(tunedR)
    let weightError = zip(names, closed).map { abs((result[w[$0.0]] ?? .nan) - $0.1) }.max() ?? .nan
    let shared = stride(from: -12.0, through: 6.0, by: 0.01).map { s in (s, validation(ridge([Double](repeating: exp(s), count: d)))) }
        .min { $0.1 < $1.1 }!
    let ols = validation(ridge([Double](repeating: 0, count: d)))

    print("per-feature penalties (aid-cg): validation MSE \(String(format: "%.4f", result.leaderObjective ?? .nan)), \(result.gradient?.iterations ?? 0) iterations, \(result.certification)")
    print("  follower's weights against the closed form at the answer: max difference \(String(format: "%.2g", weightError))")
    print(String(format: "one shared penalty (grid, step 0.01 in log): validation MSE %.4f at lambda = %.4g", shared.1, exp(shared.0)))
    print(String(format: "ordinary least squares:                       validation MSE %.4f", ols))
    print("feature  penalty  weight")
    for j in names {
        print(j.padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: " %7.4f  %8.3f", result[r[j]] ?? .nan, result[w[j]] ?? .nan))
    }
} catch let d as Diagnostic {
    print(d.withSourceLine().rendered)
    exit(1)
}

/// Gaussian elimination with partial pivoting for the small normal equations.
func LinearAlgebraSolve(_ a: [[Double]], _ b: [[Double]]) -> [Double] {
    let n = a.count
    var m = (0..<n).map { a[$0] + [b[$0][0]] }
    for c in 0..<n {
        let p = (c..<n).max { abs(m[$0][c]) < abs(m[$1][c]) }!
        m.swapAt(c, p)
        for r in (c + 1)..<n {
            let f = m[r][c] / m[c][c]
            for k in c...n { m[r][k] -= f * m[c][k] }
        }
    }
    var x = [Double](repeating: 0, count: n)
    for c in stride(from: n - 1, through: 0, by: -1) {
        x[c] = (m[c][n] - ((c + 1)..<n).map { m[c][$0] * x[$0] }.reduce(0, +)) / m[c][c]
    }
    return x
}
