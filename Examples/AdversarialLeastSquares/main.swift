// Seed 003's Example 5.4 and Table 2 (Section 7.1): least squares against an adversary who moves
// the targets, on real regression data. With A the rows a_i (features scaled to [-1, 1] and a 1 for
// the intercept), b the standardised targets, M = diag(m) and lambda = 1:
//
//   min_x  (1/2n) |A x - y|^2
//   s.t.   y in argmin_y (1/2n) |A x - y|_M^2 + (lambda/2n) |y - b|_M^2,
//
// half of m (the rows S = even row numbers) spread evenly over [1e-9, 1], the rest zero. Where
// m_i > 0 the follower's answer is y_i = (a_i'x + lambda b_i) / (1 + lambda); where m_i = 0 every
// y_i is optimal and the optimistic choice is y_i = a_i'x. So the hyper-objective is
//
//   varphi(x) = (1/2n) (lambda/(1+lambda))^2 sum_{i in S} (a_i'x - b_i)^2,
//
// minimised by least squares on S. Each method's answer is measured "by the value of varphi(x)"
// as the paper does, next to the optimum varphi* and the paper's numbers (abalone; ours: the
// diabetes data of Examples/RidgeTuning, see docs/gradient-experiments.md).
//
//   swift run -c release AdversarialLeastSquaresExample [--small] [--methods a,b] [--steps 1e2,1,...]
//       [--iterations 500] [--inner-steps 10] [--time-limit SECONDS] [data.csv]
//
// The CSV: a header, numeric columns, the target last. Without --methods every method of
// GradientOptions.methods runs (read at run time); each runs from x = 0, y = 0 for every step of
// the grid (and, for bda and bome, every mu or eta of the paper's grid), and the row with the
// smallest varphi(x) is printed. --small: every fourth row, a short grid, for the tests.
import Blomodel
import Foundation

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
let innerSteps = option("--inner-steps").flatMap(Int.init) ?? 10
let timeLimit = option("--time-limit").flatMap(Double.init) ?? 120
let steps = option("--steps").map { $0.split(separator: ",").compactMap { Double($0) } }
    ?? (small ? [1, 1e-1] : [1e2, 1e1, 1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5])
let methods = option("--methods").map { $0.split(separator: ",").map(String.init) } ?? GradientOptions.methods.map(\.name)
let showReasons = arguments.contains("--reasons")
arguments.removeAll { $0 == "--reasons" }
let path = arguments.first ?? "Examples/RidgeTuning/data/diabetes.csv"
let lambda = 1.0

// MARK: Data

let table = try DataTable(csv: path)
var all: [[Double]] = []
for row in table.table.rows { all.append(row.map { Double($0.text) ?? .nan }) }
precondition(!all.isEmpty && all.allSatisfy { $0.count == all[0].count && !$0.contains { $0.isNaN } }, "\(path): expected numeric columns")
let rows = small ? all.enumerated().filter { $0.offset % 4 == 0 }.map(\.element) : all
let n = rows.count, p = rows[0].count - 1
func standardise(_ column: [Double]) -> [Double] {
    let mean = column.reduce(0, +) / Double(column.count)
    let sd = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)).squareRoot()
    return column.map { ($0 - mean) / sd }
}
/// Features scaled to [-1, 1] as LIBSVM's svm-scale does for the paper's data. (Standardised
/// features make the sums of the intercept's cross terms zero up to rounding, about 1e-16, and the
/// model builder refuses a quadratic coefficient below 1e-9: docs/gradient-experiments.md.)
func scale(_ column: [Double]) -> [Double] {
    let lo = column.min()!, hi = column.max()!
    return column.map { 2 * ($0 - lo) / (hi - lo) - 1 }
}
let columns = (0..<p).map { j in scale(rows.map { $0[j] }) }
let a = (0..<n).map { i in (0..<p).map { columns[$0][i] } + [1.0] }  // with the intercept's 1
let k = p + 1
let b = standardise(rows.map { $0[p] })
let S = (0..<n).filter { $0 % 2 == 0 }
var m = [Double](repeating: 0, count: n)
/// M's nonzero half evenly in [sigmaMin, 1] (the paper: sigma_min^+ = 1e-9).
func spread(_ sigmaMin: Double) {
    for (r, i) in S.enumerated() { m[i] = sigmaMin + (1 - sigmaMin) * Double(r) / Double(max(S.count - 1, 1)) }
}

// MARK: The closed form and its optimum (plain Swift)

func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).map(*).reduce(0, +) }
let shrink = lambda / (1 + lambda)
func varphi(_ x: [Double]) -> Double { shrink * shrink * S.map { pow(dot(a[$0], x) - b[$0], 2) }.reduce(0, +) / (2 * Double(n)) }
/// Least squares on S: the normal equations by Gaussian elimination with partial pivoting.
func leastSquaresOnS() -> [Double] {
    var g = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
    for i in S {
        for r in 0..<k {
            for c in 0..<k { g[r][c] += a[i][r] * a[i][c] }
            g[r][k] += a[i][r] * b[i]
        }
    }
    for c in 0..<k {
        let piv = (c..<k).max { abs(g[$0][c]) < abs(g[$1][c]) }!
        g.swapAt(c, piv)
        for r in (c + 1)..<k {
            let f = g[r][c] / g[c][c]
            for j in c...k { g[r][j] -= f * g[c][j] }
        }
    }
    var x = [Double](repeating: 0, count: k)
    for c in stride(from: k - 1, through: 0, by: -1) {
        var rest: Double = 0
        for j in (c + 1)..<k { rest += g[c][j] * x[j] }
        x[c] = (g[c][k] - rest) / g[c][c]
    }
    return x
}
let xStar = leastSquaresOnS()
let optimum = varphi(xStar)

// MARK: The model, in the DSL

func adversarial() -> (Bilevel, VariableFamily<Leader>, VariableFamily<Follower>) {
    let model = Bilevel("adversarial_least_squares")
    let x = model.leader.variables("x", over: 0..<k)
    let y = model.follower.variables("y", over: 0..<n)
    func fit(_ i: Int) -> Expr { sum(0..<k) { j in a[i][j] * x[j] } }
    model.leader.minimize("mse", sum(0..<n) { i in (fit(i) - y[i]) ** 2 } / (2 * Double(n)))
    model.follower.minimize(
        "adversary",
        sum(S) { i in m[i] * (fit(i) - y[i]) ** 2 + lambda * m[i] * (y[i] - b[i]) ** 2 } / (2 * Double(n)))
    return (model, x, y)
}

/// Seed 003's Table 2 (abalone; mean +/- std over unstated runs), by blomodel's method name.
let paper: [String: String] = [
    "aid-cg": "AID 1.781 +/- 0.418", "itd-reverse": "ITD 0.982 +/- 0.015", "bda": "BDA 0.976 +/- 0.014",
    "bome": "BOME 0.999 +/- 0.140", "igfm": "IGFM 0.936 +/- 0.015",
]

// The paper's sigma_min^+ = 1e-9: follower coefficients m_i lambda b_i / n of about 1e-12, below the
// exact routes' numeric range, which the gradient methods take (docs/language.md, "Numbers").
let sigmaMin = 1e-9
spread(sigmaMin)
print("adversarial least squares (seed 003, Example 5.4): \(path)\(small ? " (every 4th row)" : ""): n = \(n) rows, \(p) features and an intercept, |S| = \(S.count), lambda = \(lambda), sigma_min^+ = \(String(format: "%g", sigmaMin))")
print("budget: \(iterations) leader iterations, \(innerSteps) follower iterations (--inner-steps), steps tuned over \(steps.map { String(format: "%g", $0) }.joined(separator: ", "))")
print(String(format: "optimum varphi* = %.6f (least squares on S); varphi(0) = %.6f", optimum, varphi([Double](repeating: 0, count: k))))
print("method          step      param  varphi(x)  varphi/varphi*  F(x,y)      iterations  seconds  follower_check  certification         paper (abalone)")
do {
    for method in methods {
        // The paper's grids: BDA's mu, BOME's eta; one value for the others.
        let parameters: [Double?] = method == "bda" ? [0.1, 0.5, 0.9] : method == "bome" ? [0.9, 0.5, 0.1] : [nil]
        var best: (line: String, value: Double)?
        for step in steps {
            for parameter in parameters {
                let (model, x, y) = adversarial()
                var options = BlomodelOptions()
                options.gradient.method = method
                options.gradient.step = step
                options.gradient.iterations = iterations
                options.gradient.innerSteps = innerSteps
                options.gradient.tolerance = 1e-9
                if let parameter { if method == "bda" { options.gradient.mu = parameter } else { options.gradient.eta = parameter } }
                options.timeLimit = timeLimit
                let clock = Date()
                let result: SolveReport
                do { result = try m_solve(model, options) } catch let e as Diagnostic {
                    print("\(method) step \(step): \(e.message)")
                    continue
                }
                let seconds = Date().timeIntervalSince(clock)
                let xv = (0..<k).map { result[x[$0]] ?? .nan }
                let yv = (0..<n).map { result[y[$0]] ?? .nan }
                let value = varphi(xv)
                // The follower's answer on S against the closed form, where m_i >= 1e-3 (below, the
                // follower's stationarity tolerance leaves y_i loosely determined).
                let check = S.filter { m[$0] >= 1e-3 }.map { abs(yv[$0] - (dot(a[$0], xv) + lambda * b[$0]) / (1 + lambda)) }.max() ?? .nan
                let line =
                    method.padding(toLength: 14, withPad: " ", startingAt: 0)
                    + String(format: "  %-8g  %5@  %9.6f  %14.4f  %10.6f  %10d  %7.2f  %14.2g", step, parameter.map { String(format: "%g", $0) } ?? "-", value, value / optimum, result.leaderObjective ?? .nan, result.gradient?.iterations ?? 0, seconds, check)
                    + "  " + "\(result.certification)".padding(toLength: 20, withPad: " ", startingAt: 0) + "  " + (paper[method] ?? "")
                if small || showReasons { print(line) }
                if showReasons { print("    stop: \(result.gradient?.stop ?? "-"); " + result.certificationReasons.joined(separator: "; ")) }
                if value.isFinite, value < (best?.value ?? .infinity) { best = (line, value) }
            }
        }
        if !small { print(best?.line ?? "\(method): no finite answer on the grid") }
    }
} catch let e as Diagnostic {
    print(e.withSourceLine().rendered)
    exit(1)
}

func m_solve(_ model: Bilevel, _ options: BlomodelOptions) throws -> SolveReport { try model.solve(options: options) }
