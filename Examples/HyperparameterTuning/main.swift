// Hyperparameter tuning as a bilevel problem, solved by gradient methods: the follower fits
// ridge regression weights w on a training split for a penalty lambda = exp(r); the leader
// chooses r to minimise the loss on a validation split. Every implicit and iterative method
// runs on the same model, built in Swift, and the answer is checked against a grid search over
// r with the follower solved in closed form, w = (X'X/n + lambda I)^-1 X'y/n.
//
//   swift run HyperparameterTuningExample
import Blomodel
import Foundation

// Deterministic data: y = X w* + noise, 8 features, 15 training and 15 validation rows (few
// rows for the features, and noise: the penalty matters).
struct Generator {
    var state: UInt64 = 2_026
    mutating func uniform() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
var random = Generator()
let features = 8, rows = 15
let truth = [1.0, -2, 0.5, 0, 3, 0, -1, 0.25]
func sample(_ n: Int) -> (x: [[Double]], y: [Double]) {
    var x: [[Double]] = [], y: [Double] = []
    for _ in 0..<n {
        let row = (0..<features).map { _ in 2 * random.uniform() - 1 }
        x.append(row)
        y.append(zip(row, truth).map(*).reduce(0, +) + 2 * random.normal())
    }
    return (x, y)
}
let train = sample(rows), validation = sample(rows)

func tuning() -> (Bilevel, Expr, VariableFamily<Follower>) {
    let m = Bilevel("ridge_tuning")
    let r = m.leader.variable("r", bounds: -8.0...4.0)  // log of the penalty
    let w = m.follower.variables("w", over: 0..<features)
    func loss(_ data: (x: [[Double]], y: [Double])) -> Expr {
        sum(0..<rows) { i in (sum(0..<features) { j in data.x[i][j] * w[j] } - data.y[i]) ** 2 } / Double(rows)
    }
    m.leader.minimize("validation_loss", loss(validation))
    m.follower.minimize("training_loss", loss(train) + exp(r) * sum(0..<features) { j in w[j] ** 2 })
    return (m, r, w)
}

// The independent check: closed-form ridge on a grid of r.
func ridge(_ lambda: Double) -> [Double] {
    var a = [[Double]](repeating: [Double](repeating: 0, count: features + 1), count: features)
    for i in 0..<features {
        for j in 0..<features { a[i][j] = (0..<rows).map { train.x[$0][i] * train.x[$0][j] }.reduce(0, +) / Double(rows) }
        a[i][i] += lambda
        a[i][features] = (0..<rows).map { train.x[$0][i] * train.y[$0] }.reduce(0, +) / Double(rows)
    }
    for c in 0..<features {  // Gaussian elimination (the matrix is positive definite)
        for r in (c + 1)..<features {
            let f = a[r][c] / a[c][c]
            for k in c...features { a[r][k] -= f * a[c][k] }
        }
    }
    var w = [Double](repeating: 0, count: features)
    for c in stride(from: features - 1, through: 0, by: -1) {
        w[c] = (a[c][features] - ((c + 1)..<features).map { a[c][$0] * w[$0] }.reduce(0, +)) / a[c][c]
    }
    return w
}
func validationLoss(_ w: [Double]) -> Double {
    (0..<rows).map { i in pow(zip(validation.x[i], w).map(*).reduce(0, +) - validation.y[i], 2) }.reduce(0, +) / Double(rows)
}
let grid = stride(from: -8.0, through: 4.0, by: 0.001).map { r in (r, validationLoss(ridge(exp(r)))) }
let best = grid.min { $0.1 < $1.1 }!

print("method          r          lambda     validation   iterations  certification")
do {
    for method in ["aid-cg", "aid-exact", "aid-neumann", "itd-reverse", "itd-forward", "itd-truncated"] {
        let (m, r, _) = tuning()
        var options = BlomodelOptions()
        options.gradient.method = method
        options.gradient.start = ["r": 0]
        options.gradient.innerSteps = 300
        options.gradient.truncation = 100
        options.gradient.tolerance = 1e-7
        let result = try m.solve(options: options)
        let rv = result[r] ?? .nan
        print(
            method.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(format: "%9.5f  %10.6f  %11.7f  %10d", rv, exp(rv), result.leaderObjective ?? .nan, result.gradient?.iterations ?? 0)
                + "  \(result.certification)")
    }
    print(String(format: "grid search     %9.5f  %10.6f  %11.7f  (closed-form ridge, step 0.001 in r)", best.0, exp(best.0), best.1))
} catch let d as Diagnostic {
    print(d.withSourceLine().rendered)
    exit(1)
}
