import BilevelDSL
import BlomodelCore
import Foundation

extension Bilevel {
    /// Builds and solves the model: classify, choose a route, reformulate, solve, verify by
    /// re-solving the follower, and report with the model's names.
    ///
    /// ```swift
    /// let result = try m.solve(.cbc, timeLimit: .seconds(60))
    /// print(result.certification, result[T[1, 2]] ?? .nan)
    /// ```
    public func solve(
        _ solver: SolverChoice = .glpk, timeLimit: Duration? = nil, options: BlomodelOptions = BlomodelOptions()
    ) throws -> SolveReport {
        var o = options
        o.solver = solver
        if let timeLimit { o.timeLimit = timeLimit.seconds }
        return try Blomodel.solve(build(), options: o)
    }

    /// The same from async code: cancelling the task stops the solve at its next step, with the
    /// best point found so far (termination `interrupted`). The solve runs on the caller's task.
    public func solve(
        _ solver: SolverChoice = .glpk, timeLimit: Duration? = nil, options: BlomodelOptions = BlomodelOptions()
    ) async throws -> SolveReport {
        var o = options
        let cancellation = o.cancellation ?? Cancellation()
        o.cancellation = cancellation
        return try await withTaskCancellationHandler {
            try solve(solver, timeLimit: timeLimit, options: o)
        } onCancel: {
            cancellation.cancel()
        }
    }
}

/// What `Bilevel.events(...)` yields: where the search is, then the report.
public enum SolveEvent: Sendable {
    case progress(SearchProgress)
    case finished(SolveReport)
}

extension Bilevel {
    /// The solve as an async sequence of events: progress values of long searches, then the
    /// report. The model is built first (a declaration error is thrown at once); the solve runs
    /// on its own thread, and ending the iteration early (or cancelling the iterating task)
    /// cancels it.
    ///
    /// ```swift
    /// for try await event in try m.events(.cbc) {
    ///     switch event {
    ///     case .progress(let p): print(p.nodes, p.relativeGap ?? .nan)
    ///     case .finished(let report): print(report.certification)
    ///     }
    /// }
    /// ```
    public func events(
        _ solver: SolverChoice = .glpk, timeLimit: Duration? = nil, options: BlomodelOptions = BlomodelOptions()
    ) throws -> AsyncThrowingStream<SolveEvent, Error> {
        let model = try build()
        var o = options
        o.solver = solver
        if let timeLimit { o.timeLimit = timeLimit.seconds }
        let cancellation = o.cancellation ?? Cancellation()
        o.cancellation = cancellation
        return AsyncThrowingStream { continuation in
            let previous = o.onProgress
            o.onProgress = { p in
                previous?(p)
                continuation.yield(.progress(p))
            }
            continuation.onTermination = { _ in cancellation.cancel() }
            let run = o
            Thread.detachNewThread {
                do {
                    continuation.yield(.finished(try Blomodel.solve(model, options: run)))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
    }
}

extension Duration {
    /// The duration in seconds, as a number.
    var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) * 1e-18
    }
}

extension SolveReport {
    /// The value of a variable of a model built in Swift (`result[z]`, `result[T[1, 2]]`), or nil
    /// when the report has no point or the expression is not a single variable.
    public subscript(_ variable: Expr) -> Double? {
        guard let name = variable.variableName else { return nil }
        return value(of: name)
    }

    /// Every value of a family, by member.
    public subscript<L: LevelTag>(_ family: VariableFamily<L>) -> [Tuple: Double] {
        let values = valuesByName
        var r: [Tuple: Double] = [:]
        for m in family.members { if let v = values[indexedName(family.name, m)] { r[m] = v } }
        return r
    }

    /// The follower's dual of one of its constraints at the answer (docs/reformulations.md has
    /// the sign convention), or nil when the report has none.
    public func dual(_ member: ConstraintMember<Follower>) -> Double? {
        followerDuals.first { $0.0 == member.name }?.1
    }

    /// The dual of a follower constraint without an index.
    public func dual(_ family: ConstraintFamily<Follower>) -> Double? {
        followerDuals.first { $0.0 == family.name }?.1
    }

    /// The value of a variable by its name (`x`, `flow[1,2]`).
    public func value(of name: String) -> Double? {
        leaderVariables.first { $0.0 == name }?.1 ?? followerVariables.first { $0.0 == name }?.1
    }

    var valuesByName: [String: Double] {
        var r: [String: Double] = [:]
        for (n, v) in leaderVariables + followerVariables where r[n] == nil { r[n] = v }
        return r
    }
}
