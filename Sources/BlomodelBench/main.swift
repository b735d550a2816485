import Blomodel
import Foundation

// blomodel-bench: toll-setting instances of growing size, generated deterministically
// from a seed, solved end to end; prints one row per instance.
//
//   blomodel-bench [--solver glpk|cbc] [--time-limit S] [--sizes 3,5,7,...] [--seed N]
//   blomodel-bench --models DIR            every .blo under DIR with both solvers
//   blomodel-bench --m-free DIR            the big-M route against the M-free branch-and-bound
//   blomodel-bench --integer-follower [N,...] knapsack interdiction ladder, value-function route
//                                           (IntegerFollowerBench.swift; the last master in cbc alone)
//   blomodel-bench --qp-sizes 2,4,8,...    generated QP/QP instances (outer approximation)
//   blomodel-bench --ad [DIR] [--repeats N] compiled gradients and Hessian-vector products
//                                           (DifferentiationBench.swift; peers: Benchmarks/ad_peers.py)
//
// Instance of side w: a w x w grid of nodes with arcs both ways between neighbours,
// costs uniform in 1...9, about 15% of the arcs tolled (toll at most 20), and two
// commodities (opposite corners and the two other corners, demand 10 and 5). The
// model is written as a .blo file with CSV data so that parsing is measured too;
// each balance row carries a dual bound, the node's distance from the origin with
// every toll at its maximum (a valid bound on some optimal potential).

struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
    mutating func uniform(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func writeInstance(side w: Int, seed: UInt64, directory: String) throws -> String {
    var g = Generator(state: seed &+ UInt64(w) &* 7919)
    func node(_ r: Int, _ c: Int) -> Int { r * w + c + 1 }
    var arcs = "from,to,cost,tolled\n"
    var list: [(Int, Int, Int)] = []  // from, to, cost with the largest toll
    for r in 0..<w {
        for c in 0..<w {
            for (dr, dc) in [(0, 1), (1, 0), (0, -1), (-1, 0)] {
                let (r2, c2) = (r + dr, c + dc)
                guard r2 >= 0, r2 < w, c2 >= 0, c2 < w else { continue }
                let tolled = g.uniform(100) < 15 ? 1 : 0
                let cost = 1 + g.uniform(9)
                arcs += "\(node(r, c)),\(node(r2, c2)),\(cost),\(tolled)\n"
                list.append((node(r, c), node(r2, c2), cost + 20 * tolled))
            }
        }
    }
    // Bounds on the node potentials (the duals of the balance rows): some optimal dual is
    // the shortest-path distance from the commodity's origin, which is at most the distance
    // with every toll at its maximum (Bellman-Ford on the small grid).
    func distances(from o: Int) -> [Int] {
        var d = [Int](repeating: Int.max / 2, count: w * w + 1)
        d[o] = 0
        var changed = true
        while changed {
            changed = false
            for (i, j, c) in list where d[i] + c < d[j] {
                d[j] = d[i] + c
                changed = true
            }
        }
        return d
    }
    var potentials = "k,n,bound\n"
    for (k, o) in [(1, node(0, 0)), (2, node(0, w - 1))] {
        let d = distances(from: o)
        for n in 1...(w * w) { potentials += "\(k),\(n),\(max(1, d[n]))\n" }
    }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try potentials.write(toFile: directory + "/potentials.csv", atomically: true, encoding: .utf8)
    let commodities = """
        k,origin,destination,demand
        1,\(node(0, 0)),\(node(w - 1, w - 1)),10
        2,\(node(0, w - 1)),\(node(w - 1, 0)),5

        """
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try arcs.write(toFile: directory + "/arcs.csv", atomically: true, encoding: .utf8)
    try commodities.write(toFile: directory + "/commodities.csv", atomically: true, encoding: .utf8)
    let model = """
        set NODES = 1..\(w * w);
        set ARCS = csv("arcs.csv", "from", "to");
        param cost{ARCS} = csv("arcs.csv", "cost");
        param tolled{ARCS} = csv("arcs.csv", "tolled");
        set TOLLED = {(i,j) in ARCS: tolled[i,j] == 1};
        set K = csv("commodities.csv", "k");
        param origin{K} = csv("commodities.csv", "origin");
        param destination{K} = csv("commodities.csv", "destination");
        param demand{K} = csv("commodities.csv", "demand");
        param tmax = 20;
        param potential{K, NODES} = csv("potentials.csv", "bound");
        upper {
          var T{TOLLED} >= 0, <= tmax;
          maximize revenue: sum{k in K, (i,j) in TOLLED} T[i,j] * x[k,i,j];
        }
        lower {
          var x{k in K, (i,j) in ARCS} >= 0, <= demand[k];
          minimize travel_cost: sum{k in K, (i,j) in ARCS} cost[i,j] * x[k,i,j]
                              + sum{k in K, (i,j) in TOLLED} T[i,j] * x[k,i,j];
          balance{k in K, n in NODES}:
              sum{(i,j) in ARCS: i == n} x[k,i,j] - sum{(i,j) in ARCS: j == n} x[k,i,j]
            = if n == origin[k] then demand[k] else (if n == destination[k] then -demand[k] else 0)
            dualbound potential[k,n];
        }

        """
    let path = directory + "/toll.blo"
    try model.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A QP/QP family of dimension n: the leader steers targets x toward a, paying c for the
/// follower's y; the follower tracks x within boxes and a shared budget:
///   min_x sum (x_i - a_i)^2 + sum c_i y_i,  x in [-5, 15]^n
///   y in argmin { sum (y_i - x_i)^2 : 0 <= y_i <= u_i, sum y_i <= B }
func writeQPInstance(n: Int, seed: UInt64, directory: String) throws -> String {
    var g = Generator(state: seed &+ UInt64(n) &* 104729)
    var data = "i,a,c,u\n"
    var capacity = 0
    for i in 1...n {
        let u = 2 + g.uniform(8)
        capacity += u
        data += "\(i),\(g.uniform(12)),\(g.uniform(7) - 3),\(u)\n"
    }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try data.write(toFile: directory + "/items.csv", atomically: true, encoding: .utf8)
    let model = """
        set I = csv("items.csv", "i");
        param a{I} = csv("items.csv", "a");
        param c{I} = csv("items.csv", "c");
        param u{I} = csv("items.csv", "u");
        param B = \(capacity / 2);
        upper {
          var x{I} >= -5, <= 15;
          minimize F: sum{i in I} (x[i] - a[i])^2 + sum{i in I} c[i] * y[i];
        }
        lower {
          var y{i in I} >= 0, <= u[i];
          minimize f: sum{i in I} (y[i] - x[i])^2;
          budget: sum{i in I} y[i] <= B;
          # Stationarity 2 (y_i - x_i) + lambda - mu_lo,i + mu_up,i = 0 with |x_i| <= 15 leaves
          # an optimal lambda <= 30, so every multiplier of some optimal dual is at most 40.
          dualbound 40;
        }

        """
    let path = directory + "/qp.blo"
    try model.write(toFile: path, atomically: true, encoding: .utf8)
    if ProcessInfo.processInfo.environment["BLOMODEL_BENCH_KEEP"] != nil { print("instance in \(directory)") }
    return path
}

func pad(_ cells: [String], _ widths: [Int]) -> String {
    zip(cells, widths).map { $0.0.count >= $0.1 ? $0.0 : String(repeating: " ", count: $0.1 - $0.0.count) + $0.0 }.joined(separator: " ")
}

var options = BlomodelOptions()
options.solver = .cbc
options.timeLimit = 60
var sides = [3, 5, 7, 10, 14, 17]
var seed: UInt64 = 1
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let a = arguments.removeFirst()
    let value = arguments.isEmpty ? "" : arguments.removeFirst()
    switch a {
    case "--solver": options.solver = SolverChoice(rawValue: value) ?? .cbc
    case "--time-limit": options.timeLimit = Double(value) ?? 60
    case "--sizes": sides = value.split(separator: ",").compactMap { Int($0) }
    case "--seed": seed = UInt64(value) ?? 1
    case "--models":
        // Every model under a folder, with both solvers: time and outer-approximation work.
        let files = (FileManager.default.enumerator(atPath: value)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".blo") }.sorted()
        let widths = [44, 10, 9, 9, 6, 6, 12]
        print(pad(["model", "leader", "glpk s", "cbc s", "oa it", "cuts", "certified"], widths))
        for f in files {
            var cells = [String(f.split(separator: "/").last!.dropLast(4))]
            var seconds: [String] = [], oa = "-", cuts = "-", cert = "", objective = "-"
            for solver in SolverChoice.allCases {
                var o = options
                o.solver = solver
                o.timeLimit = 60
                let clock = Date()
                guard let r = try? Blomodel.solve(file: value.hasSuffix("/") ? value + f : value + "/" + f, options: o) else {
                    seconds.append("error")
                    continue
                }
                seconds.append(String(format: "%.3f", Date().timeIntervalSince(clock)))
                objective = r.leaderObjective.map { String(format: "%.6g", $0) } ?? "-"
                if let s = r.outerApproximation {
                    oa = "\(s.iterations)"
                    cuts = "\(s.cuts)"
                }
                cert += (cert.isEmpty ? "" : "/") + (r.certification == .provenOptimal ? "yes" : "no")
            }
            cells += [objective] + seconds + [oa, cuts, cert]
            print(pad(cells, widths))
        }
        exit(0)
    case "--integer-follower":
        // Knapsack interdiction of growing item counts (IntegerFollowerBench.swift).
        let sizes = value.hasPrefix("--") || value.isEmpty ? [10, 15, 20, 25, 30, 35, 40] : value.split(separator: ",").compactMap { Int($0) }
        try integerFollowerLadder(sizes: sizes, seed: seed, timeLimit: options.timeLimit ?? 60)
        exit(0)
    case "--m-free":
        // Every model under a folder: the big-M route (forced) against the M-free branch-and-bound
        // (forced, without the big-M seed), same solver, same model: time, nodes, certification.
        let files = (FileManager.default.enumerator(atPath: value)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".blo") }.sorted()
        let widths = [36, 12, 10, 24, 10, 8, 16]
        print("big-M route against the M-free branch-and-bound (no seed), solver \((options.solver ?? .cbc).rawValue)")
        print(pad(["model", "leader", "big-M s", "big-M certification", "m-free s", "nodes", "m-free cert."], widths))
        for f in files {
            let path = value.hasSuffix("/") ? value + f : value + "/" + f
            var cells = [String(f.split(separator: "/").last!.dropLast(4))]
            var objective = "-"
            var bigM = options, mFree = options
            bigM.route = "exact-kkt"
            bigM.timeLimit = 60
            mFree.route = "branch-and-bound"
            mFree.branchAndBoundSeed = false
            mFree.timeLimit = 60
            var clock = Date()
            let a = try? Blomodel.solve(file: path, options: bigM)
            let aSeconds = Date().timeIntervalSince(clock)
            clock = Date()
            let b = try? Blomodel.solve(file: path, options: mFree)
            let bSeconds = Date().timeIntervalSince(clock)
            objective = (b?.leaderObjective ?? a?.leaderObjective).map { String(format: "%.6g", $0) } ?? "-"
            cells += [
                objective, a == nil ? "-" : String(format: "%.3f", aSeconds), a?.certification.rawValue ?? "refused",
                b == nil ? "-" : String(format: "%.3f", bSeconds), b?.branchAndBound.map { "\($0.nodes)" } ?? "-",
                b?.certification.rawValue ?? "refused",
            ]
            print(pad(cells, widths))
        }
        exit(0)
    case "--ad":
        // An optional folder for the data (the peers script reads it), then an optional repeat count.
        var directory = NSTemporaryDirectory() + "blomodel-ad-bench"
        var rest = arguments
        if !value.isEmpty && !value.hasPrefix("--") { directory = value } else if !value.isEmpty { rest.insert(value, at: 0) }
        var repeats = 50
        if rest.count >= 2, rest[0] == "--repeats" { repeats = max(1, Int(rest[1]) ?? 50) }
        try runDifferentiationBenchmark(directory: directory, repeats: repeats)
        exit(0)
    case "--gradient":
        var repeats = 20
        if value == "--repeats", let r = arguments.first.flatMap({ Int($0) }) { repeats = max(1, r) }
        try runGradientBenchmark(repeats: repeats)
        exit(0)
    case "--elaboration":
        if !value.isEmpty { arguments.insert(value, at: 0) }
        try runElaborationBenchmark()
        exit(0)
    case "--qp-sizes":
        let sizes = value.split(separator: ",").compactMap { Int($0) }
        let base = NSTemporaryDirectory() + "blomodel-qp-bench-\(getpid())"
        print("QP/QP instances (leader convex, follower convex with a budget), solver \((options.solver ?? .cbc).rawValue), seed \(seed)")
        let widths = [5, 6, 9, 9, 9, 7, 6, 10, 12, 12]
        print(pad(["n", "rows", "binaries", "reform s", "solver s", "oa it", "cuts", "rel gap", "certified", "F"], widths))
        for n in sizes {
            let path = try writeQPInstance(n: n, seed: seed, directory: base + "/n\(n)")
            do {
                let r = try Blomodel.solve(file: path, options: options)
                let s = r.outerApproximation
                print(pad([
                    "\(n)", "\(r.rows)", "\(r.binaries)", String(format: "%.3f", r.timing.reformulation),
                    String(format: "%.3f", r.timing.solver), s.map { "\($0.iterations)" } ?? "-", s.map { "\($0.cuts)" } ?? "-",
                    s.map { String(format: "%.1e", $0.relativeGap) } ?? "-", r.certification.rawValue,
                    r.leaderObjective.map { String(format: "%.4f", $0) } ?? "-",
                ], widths))
            } catch {
                print("n=\(n): \(error)")
            }
        }
        if ProcessInfo.processInfo.environment["BLOMODEL_BENCH_KEEP"] == nil { try? FileManager.default.removeItem(atPath: base) }
        exit(0)
    default:
        print("usage: blomodel-bench [--solver glpk|cbc] [--time-limit S] [--sizes 3,5,7] [--seed N] | --models DIR | --qp-sizes 2,4,8 | --ad [DIR] [--repeats N] | --gradient [--repeats N] | --elaboration")
        exit(64)
    }
}

let base = NSTemporaryDirectory() + "blomodel-bench-\(getpid())"
print("toll setting on w x w grids, 2 commodities, solver \((options.solver ?? .cbc).rawValue), time limit \(Int(options.timeLimit ?? 0)) s, seed \(seed)")
let header = ["nodes", "arcs", "rows", "columns", "binaries", "parse s", "reform s", "solver s", "verify s", "reform/solver", "termination", "certification", "revenue"]
let widths = [6, 6, 7, 8, 9, 8, 9, 9, 9, 13, 11, 14, 9]
func row(_ cells: [String]) -> String {
    zip(cells, widths).map { $0.0.count >= $0.1 ? $0.0 : String(repeating: " ", count: $0.1 - $0.0.count) + $0.0 }.joined(separator: " ")
}
print(row(header))
for w in sides {
    let path = try writeInstance(side: w, seed: seed, directory: base + "/w\(w)")
    do {
        let r = try Blomodel.solve(file: path, options: options)
        let arcs = (try? String(contentsOfFile: base + "/w\(w)/arcs.csv", encoding: .utf8))?.split(separator: "\n").count ?? 1
        let t = r.timing
        print(row([
            "\(w * w)", "\(arcs - 1)", "\(r.rows)", "\(r.columns)", "\(r.binaries)",
            String(format: "%.3f", t.parse), String(format: "%.3f", t.reformulation), String(format: "%.3f", t.solver),
            String(format: "%.3f", t.verification), String(format: "%.3f", t.reformulation / max(t.solver, 1e-9)),
            r.termination.rawValue, r.certification.rawValue, r.leaderObjective.map { String(format: "%.2f", $0) } ?? "-",
        ]))
    } catch {
        print("w=\(w): \(error)")
    }
}
if ProcessInfo.processInfo.environment["BLOMODEL_BENCH_KEEP"] == nil { try? FileManager.default.removeItem(atPath: base) } else { print("instances kept in \(base)") }
