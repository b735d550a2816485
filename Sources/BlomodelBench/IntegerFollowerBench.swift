import BilevelAlgorithms
import Blomodel
import Foundation
import ModelFormats
import Reformulations
import SolverInterface

// The integer-follower ladder (issue 11): knapsack interdiction of growing item counts
// (KnapsackInterdiction.swift), solved by the value-function route on GLPK and CBC.
//
//   blomodel-bench --integer-follower [SIZES]     e.g. 10,15,20,25,30
//
// Per instance and backend: the leader's optimum and certification, the master MILPs and the
// follower MILPs of the search, the wall time of the whole solve (parse to verification); then
// the search alone, run again: its time, the part inside MILP calls and the rest (our overhead:
// building the problems and cuts). To separate the solver from the tool once more, the last master problem (the
// high-point relaxation with every cut) is written as MPS and solved by the cbc program alone,
// next to the time the in-process CBC took on the same master.

func integerFollowerLadder(sizes: [Int], seed: UInt64, timeLimit: Double) throws {
    let directory = NSTemporaryDirectory() + "blomodel-kip-bench"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let cbcProgram = ["/usr/bin/cbc", "/usr/local/bin/cbc"].first { FileManager.default.isExecutableFile(atPath: $0) }
    print("integer-follower ladder: knapsack interdiction (seed \(seed)), value-function route, time limit \(Int(timeLimit)) s")
    let widths = [5, 6, 10, 16, 8, 9, 9, 9, 9, 9, 12, 11]
    print(
        pad(
            ["items", "solver", "leader", "certification", "masters", "follower", "wall s", "search s", "MILP s", "other s", "last master", "cbc alone"],
            widths))
    for n in sizes {
        let path = try writeKnapsackInterdiction(items: n, seed: seed, directory: directory)
        for solver in [SolverChoice.glpk, .cbc] {
            var options = BlomodelOptions()
            options.solver = solver
            options.timeLimit = timeLimit
            // The whole solve, as the command line runs it.
            let clock = Date()
            let report = try Blomodel.solve(file: path, options: options)
            let wall = Date().timeIntervalSince(clock)
            // The search alone, for its counts and the time inside MILP calls.
            let model = try ModelLoader.load(path: path)
            let r = try Blomodel.reformulate(model, options: options)
            let context = RouteContext(solvers: options.solvers, options: SolveOptions(timeLimit: timeLimit))
            let searchClock = Date()
            let (_, summary) = try IntegerFollowerSearch.run(r, context: context, iterationLimit: options.nodeLimit)
            let search = Date().timeIntervalSince(searchClock)
            var lastMaster = "-", alone = "-"
            if let master = summary.lastMaster {
                lastMaster = "\(master.rowCount)x\(master.columnCount)"
                if solver == .cbc, let cbc = cbcProgram {
                    let file = (directory as NSString).appendingPathComponent("kip_\(n)_last_master.mps")
                    try ProgramFile(master, format: .mps, title: "kip_\(n)_last_master").text().write(toFile: file, atomically: true, encoding: .utf8)
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: cbc)
                    process.arguments = [file, "sec", "\(Int(timeLimit))", "solve", "quit"]
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    let start = Date()
                    try process.run()
                    process.waitUntilExit()
                    alone = String(format: "%.3f", Date().timeIntervalSince(start))
                }
            }
            print(
                pad(
                    [
                        "\(n)", solver.rawValue, report.leaderObjective.map { String(format: "%.6g", $0) } ?? "-", report.certification.rawValue,
                        "\(summary.masters)", "\(summary.followerSolves)", String(format: "%.3f", wall),
                        String(format: "%.3f", search), String(format: "%.3f", summary.solverSeconds),
                        String(format: "%.3f", max(0, search - summary.solverSeconds)), lastMaster,
                        alone,
                    ], widths))
        }
    }
}
