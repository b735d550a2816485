import BilevelAlgorithms
import Foundation
import SolverInterface

/// The solver calls of a run, for `--verbose`: every MILP and QP solve, and every solve that
/// took 0.1 s or more, is one line; the short LP solves (the branch-and-bound makes thousands)
/// are counted, and the count is said when `flush` is called (after the route, after the
/// verification).
final class SolverCallLog: @unchecked Sendable {
    /// Solves shorter than this are counted rather than listed.
    static let listedSeconds = 0.1
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    /// Counted solves by backend name: how many, and their time.
    private var counted: [(name: String, calls: Int, seconds: Double)] = []

    init(_ log: @escaping @Sendable (String) -> Void) { self.log = log }

    func record(_ backend: String, _ problem: StandardForm, _ result: SolverResult?, error: Error?, seconds: Double) {
        let kind = problem.integerCount > 0 ? "MILP" : (problem.quadraticObjective.isEmpty ? "LP" : "QP")
        if kind == "LP", error == nil, seconds < Self.listedSeconds {
            lock.lock()
            if let i = counted.firstIndex(where: { $0.name == backend }) {
                counted[i].calls += 1
                counted[i].seconds += seconds
            } else {
                counted.append((backend, 1, seconds))
            }
            lock.unlock()
            return
        }
        let size = "\(problem.rowCount) rows x \(problem.columnCount) columns" + (problem.integerCount > 0 ? " (\(problem.integerCount) integer)" : "")
        let outcome = result.map { "\($0.termination) (\($0.rawStatus))" } ?? "failed: \(error.map { "\($0)" } ?? "?")"
        log("solver: \(backend) \(kind), \(size): \(outcome) in \(String(format: "%.3f", seconds)) s")
    }

    /// One line per backend for the short LP solves counted since the last flush.
    func flush() {
        lock.lock()
        let lines = counted
        counted = []
        lock.unlock()
        for c in lines {
            log("solver: \(c.name) \(c.calls) LP solve(s) of under \(formatNumber(Self.listedSeconds)) s each, \(String(format: "%.3f", c.seconds)) s in all")
        }
    }
}

/// A backend whose calls are recorded in a `SolverCallLog` (`--verbose`).
struct LoggedBackend: SolverBackend {
    let inner: any SolverBackend
    let calls: SolverCallLog

    var name: String { inner.name }
    var capabilities: SolverCapabilities { inner.capabilities }

    func solve(_ problem: StandardForm, options: SolveOptions) throws -> SolverResult {
        let clock = Date()
        do {
            let result = try inner.solve(problem, options: options)
            calls.record(name, problem, result, error: nil, seconds: Date().timeIntervalSince(clock))
            return result
        } catch {
            calls.record(name, problem, nil, error: error, seconds: Date().timeIntervalSince(clock))
            throw error
        }
    }
}

extension SolverSuite {
    /// The same backends, each call recorded in `calls`.
    func logged(_ calls: SolverCallLog) -> SolverSuite {
        SolverSuite(
            milp: LoggedBackend(inner: milp, calls: calls), dualLP: LoggedBackend(inner: dualLP, calls: calls),
            qp: qp.map { LoggedBackend(inner: $0, calls: calls) })
    }
}
