// Seed 002's section 5 (Shen, Paternain, Liu, Kompella and Chen, CCCP-BO), Figures 1 and 2, on
// the synthetic problem of Models/nonlinear/cccp_bo_synthetic:
//
//   min_{x, y in [-10, 10]^10} sin(c'x + d'y) + ln(|x + y|^2 + 1)  s.t.  y in argmin 1/2 (y + x)'A(y + x)
//
// cccp-bo for several rho (Figure 1: |g_k|^2 against k beside Theorem 4.3's bound
// 2 rho (F(z_1) - C_f) / k, and the iterations to |g_k| <= 1e-3 against rho) and several epsilon
// (Figure 2: the follower's gap at the answer against epsilon, and the leader's objective
// against k). C_f = -1 bounds the leader's objective below (sin >= -1, ln >= 0); the
// Lipschitz constant of its gradient is at most L = |c|^2 + |d|^2 + 4 (docs/notes/seed-methods.md
// 1.7), and the rho of the runs are multiples of it, as the theorem asks (rho >= L).
// The claims are checked and printed; SVG figures and a text table go to the output directory.
//
//   swift run CCCPBOSyntheticExample [--small] [--out DIR] [MODEL.blo]
import Blomodel
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
let small = arguments.contains("--small")
arguments.removeAll { $0 == "--small" }
var outputDirectory: String?
if let i = arguments.firstIndex(of: "--out"), i + 1 < arguments.count {
    outputDirectory = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
let modelPath = arguments.first ?? "Models/nonlinear/cccp_bo_synthetic/cccp_bo_synthetic.blo"

// L = |c|^2 + |d|^2 + 4, from the model's data.
let vectors = try String(contentsOfFile: URL(fileURLWithPath: modelPath).deletingLastPathComponent().appendingPathComponent("vectors.csv").path, encoding: .utf8)
let L = vectors.split(separator: "\n").dropFirst().map { line -> Double in
    let f = line.split(separator: ",").map { Double($0)! }
    return f[1] * f[1] + f[2] * f[2]
}.reduce(4, +)
let lowerBound = -1.0  // C_f

/// One cccp-bo run from a fixed start (x_i = 3 sin(i)); its trace rows.
func run(rho: Double, epsilon: Double, iterations: Int) throws -> (report: SolveReport, trace: [GradientSummary.TraceRow]) {
    var options = BlomodelOptions()
    options.gradient.method = "cccp-bo"
    options.gradient.rho = rho
    options.gradient.epsilon = epsilon
    options.gradient.iterations = iterations
    options.gradient.tolerance = 1e-9
    for i in 1...10 { options.gradient.start["x[\(i)]"] = 3 * sin(Double(i)) }
    let report = try Blomodel.solve(file: modelPath, options: options)
    return (report, report.gradient?.trace ?? [])
}

let factors: [Double] = small ? [1, 4] : [1, 2, 4, 8]
let epsilons: [Double] = small ? [1e-2, 1e-4] : [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]
let iterations = small ? 400 : 1500
var table = "CCCP-BO on the synthetic problem of seed 002, section 5 (x_i = 3 sin(i) at the start; L = \(String(format: "%.4f", L)), C_f = -1)\n\n"
var failures: [String] = []
func claim(_ name: String, _ holds: Bool, _ detail: String) {
    table += "claim \(name): \(holds ? "holds" : "FAILS") (\(detail))\n"
    if !holds { failures.append(name) }
}

// Figure 1: several rho at epsilon = 1e-4.
let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
table += "rho        iterations to |g_k| <= 1e-3   F at the answer   max_k k min_{j<=k} |g_j|^2   2 rho (F(z_1) - C_f)\n"
var squared: [ConvergencePlot.Series] = []
var reach: [(Double, Double)] = []
var worstRatio = 0.0
var monotone = true
for (n, factor) in factors.enumerated() {
    let rho = factor * L
    let (report, trace) = try run(rho: rho, epsilon: 1e-4, iterations: iterations)
    let g2 = trace.map { $0.stationarity * $0.stationarity }
    let bound = 2 * rho * (trace[0].leaderObjective - lowerBound)
    var running = Double.infinity, worst = 0.0
    for (k, v) in g2.enumerated() {
        running = min(running, v)
        worst = max(worst, Double(k + 1) * running)
    }
    worstRatio = max(worstRatio, worst / bound)
    for (a, b) in zip(trace, trace.dropFirst()) where b.leaderObjective > a.leaderObjective + 1e-12 * max(1, abs(a.leaderObjective)) { monotone = false }
    let first = trace.firstIndex { $0.stationarity <= 1e-3 }
    reach.append((rho, first.map(Double.init) ?? .nan))
    squared.append(.init(label: "rho = \(String(format: "%g", factor)) L", color: colors[n], points: g2.enumerated().map { (Double($0.offset + 1), $0.element) }))
    squared.append(.init(label: "bound, rho = \(String(format: "%g", factor)) L", color: colors[n], points: (1...g2.count).map { (Double($0), bound / Double($0)) }))
    let reached = first.map { "\($0)" } ?? "not-reached"
    table += String(format: "%-10.4f ", rho) + reached.padding(toLength: 29, withPad: " ", startingAt: 0)
        + String(format: " %-17.10f %-28.4g %.4g\n", report.leaderObjective ?? .nan, worst, bound)
}
table += "\n"
claim("O(1/k) (Theorem 4.3: k min_{j<=k} |g_j|^2 <= 2 rho (F(z_1) - C_f))", worstRatio <= 1, String(format: "largest ratio to the bound %.3g", worstRatio))
claim("monotone leader objective (eq. (20))", monotone, "every run, every iteration")
let counts = reach.map(\.1)
claim(
    "iterations to |g_k| <= 1e-3 grow with rho", counts.allSatisfy(\.isFinite) && zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 } && counts.last! > counts.first!,
    counts.map { String(format: "%.0f", $0) }.joined(separator: ", "))

// Figure 2: several epsilon at rho = L.
table += "\nepsilon    follower gap at the answer   F at the answer   iterations\n"
var objective: [ConvergencePlot.Series] = []
var gaps: [(Double, Double)] = []
var gapHolds = true
var largestGap = 0.0
for (n, epsilon) in epsilons.enumerated() {
    let (report, trace) = try run(rho: L, epsilon: epsilon, iterations: iterations)
    let gap = report.gradient?.followerGap ?? .nan
    // Every iterate's gap (against an accurate follower solve) and the answer's (solved again).
    let worst = max(trace.map(\.followerStationarity).max() ?? .nan, gap)
    largestGap = max(largestGap, worst / epsilon)
    if !(worst <= epsilon * (1 + 1e-6) + 1e-9) { gapHolds = false }
    gaps.append((log10(epsilon), gap))
    objective.append(.init(label: "epsilon = \(String(format: "%g", epsilon))", color: colors[n % colors.count], points: trace.map { (Double($0.iteration + 1), $0.leaderObjective) }))
    table += String(format: "%-10g %-28.4g %-17.10f %d\n", epsilon, gap, report.leaderObjective ?? .nan, report.gradient?.iterations ?? 0)
}
table += "\n"
claim("follower gap <= epsilon at every iterate and at the answer", gapHolds, String(format: "largest gap / epsilon %.3g", largestGap))
if failures.isEmpty { table += "all claims hold\n" }
print(table, terminator: "")

if let dir = outputDirectory {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let pictures: [(String, ConvergencePlot)] = [
        ("cccp_bo_fig1_left.svg", ConvergencePlot(
            title: "CCCP-BO: |g_k|^2 and the O(1/k) bound 2 rho (F(z_1) - C_f) / k", xLabel: "iteration k",
            panels: [.init(title: "|g_k|^2 (log scale), epsilon = 1e-4", logScale: true, series: squared)])),
        ("cccp_bo_fig1_right.svg", ConvergencePlot(
            title: "CCCP-BO: iterations to |g_k| <= 1e-3 against rho", xLabel: "rho",
            panels: [.init(title: "iterations", logScale: false, series: [.init(label: "iterations", color: colors[0], points: reach)])])),
        ("cccp_bo_fig2_gap.svg", ConvergencePlot(
            title: "CCCP-BO: the follower's gap at the answer against epsilon (rho = L)", xLabel: "log10 epsilon",
            panels: [
                .init(title: "follower gap f - min f (log scale)", logScale: true, series: [
                    .init(label: "gap", color: colors[0], points: gaps),
                    .init(label: "epsilon", color: "#888888", points: gaps.map { ($0.0, pow(10, $0.0)) }),
                ])
            ])),
        ("cccp_bo_fig2_objective.svg", ConvergencePlot(
            title: "CCCP-BO: the leader's objective against k (rho = L)", xLabel: "iteration k",
            panels: [.init(title: "F(x_k, y_k)", logScale: false, series: objective)])),
    ]
    for (name, plot) in pictures { try plot.svg.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    try table.write(toFile: dir + "/cccp_bo_synthetic.txt", atomically: true, encoding: .utf8)
}
exit(failures.isEmpty ? 0 : 1)
