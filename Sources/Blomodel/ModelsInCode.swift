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
        _ solver: SolverChoice? = nil, timeLimit: Duration? = nil, options: BlomodelOptions = BlomodelOptions()
    ) throws -> SolveReport {
        var o = options
        o.solver = solver
        if let timeLimit { o.timeLimit = timeLimit.seconds }
        return try Blomodel.solve(build(), options: o)
    }

    /// The same from async code: cancelling the task stops the solve at its next step, with the
    /// best point found so far (termination `interrupted`). The solve runs on the caller's task.
    public func solve(
        _ solver: SolverChoice? = nil, timeLimit: Duration? = nil, options: BlomodelOptions = BlomodelOptions()
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
        _ solver: SolverChoice? = nil, timeLimit: Duration? = nil, options: BlomodelOptions = BlomodelOptions()
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

    /// The follower's dual of one of its constraints at the answer, as `m.leader.dual(...)` means
    /// it in the model: the rate of change of the follower's optimal value with the constraint's
    /// right-hand side, in the follower's own sense (for a cost-minimising follower, the dual of
    /// a `<=` capacity row is <= 0, of a `>=` demand row >= 0). Nil when the report has none.
    /// `multiplier(_:)` gives the KKT multipliers as the report lists them.
    public func dual(_ member: ConstraintMember<Follower>) -> Double? {
        rateOfChange(member.name, in: member.family.model)
    }

    /// The dual of a follower constraint without an index.
    public func dual(_ family: ConstraintFamily<Follower>) -> Double? {
        rateOfChange(family.name, in: family.model)
    }

    /// The KKT multiplier of a follower constraint as the report lists it (`>= 0` for an
    /// inequality in the follower's minimisation form; docs/reformulations.md); a ranged row has
    /// two, `name:lower` and `name:upper`, and this gives the one that is not zero.
    public func multiplier(_ member: ConstraintMember<Follower>) -> Double? {
        let entries = followerDuals.filter { $0.0 == member.name || $0.0.hasPrefix(member.name + ":") }
        return entries.first { $0.1 != 0 }?.1 ?? entries.first?.1
    }

    func rateOfChange(_ name: String, in model: Bilevel) -> Double? {
        guard let c = model.builder.constraints.first(where: { $0.name == name }) else { return nil }
        let sign = model.builder.objectives[.theFollower]?.sense.sign ?? 1
        if c.isEquality { return followerDuals.first { $0.0 == name }.map { sign * $0.1 } }
        if c.lower.isFinite, c.upper.isFinite {
            guard let lo = followerDuals.first(where: { $0.0 == name + ":lower" })?.1,
                let up = followerDuals.first(where: { $0.0 == name + ":upper" })?.1
            else { return nil }
            return sign * (lo - up)
        }
        guard let lambda = followerDuals.first(where: { $0.0 == name })?.1 else { return nil }
        return sign * (c.upper.isFinite ? -lambda : lambda)
    }

    /// The value of an expression of a model built in Swift at the report's point (`result.value(2 * x + y)`),
    /// or nil when the report has no point.
    public func value(_ e: Expr) -> Double? {
        guard leaderObjective != nil, let model = e.modelForValues else { return e.isConstant ? e.constant : nil }
        let values = valuesByName
        var point = [Double](repeating: 0, count: model.builder.variables.count)
        for (j, v) in model.builder.variables.enumerated() {
            guard let x = values[v.name] else {
                if case .dual = v.role, let d = dualValue(v, model) { point[j] = d; continue }
                return nil
            }
            point[j] = x
        }
        return e.evaluate(at: point)
    }

    func dualValue(_ v: Variable, _ model: Bilevel) -> Double? {
        // `dual(name[...])` variables: their base is `dual(<constraint member>)`.
        guard v.base.hasPrefix("dual("), v.base.hasSuffix(")") else { return nil }
        return rateOfChange(String(v.base.dropFirst(5).dropLast()), in: model)
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
