import BlomodelCore

/// How a point of a pass's output maps back to a point of its input: data, not a closure,
/// so a chain can be printed, compared in tests, and inverted without running any pass code.
public enum SolutionMap: Sendable, Equatable, CustomStringConvertible {
    /// The output has the input's columns, in the same order.
    case identity(count: Int)
    /// The output keeps the input's columns first, in order, and appends `outputCount - inputCount`
    /// columns of its own (multipliers, binaries, auxiliary variables): they are dropped.
    case prefix(inputCount: Int, outputCount: Int)

    /// The input's point from the output's.
    public func pullBack(_ point: [Double]) -> [Double] {
        switch self {
        case .identity: return point
        case .prefix(let n, _): return Array(point.prefix(n))
        }
    }

    public var description: String {
        switch self {
        case .identity(let n): return "identity (\(n) columns)"
        case .prefix(let n, let m): return "first \(n) of \(m) columns"
        }
    }
}

/// What a pass says of an input before it runs.
public enum PassVerdict: Sendable, Equatable {
    case accepted
    case refused(String)
}

/// What a pass returns: its output, the map back, and one line for `--explain`.
package struct PassOutput<Output> {
    public var output: Output
    public var map: SolutionMap
    /// The plan line (nil when the pass had nothing to do).
    public var summary: String?

    public init(_ output: Output, map: SolutionMap, summary: String?) {
        self.output = output
        self.map = map
        self.summary = summary
    }
}

/// A reformulation step, in the manner of CVXPY's reductions and MathOptInterface's bridges:
/// it declares what it accepts, and `apply` returns its output with the typed map back.
/// Passes are pure: the data they need (bound proofs, the classification) is given to them
/// when they are made, and they make no solver calls.
package protocol ReformulationPass: Sendable {
    associatedtype Input
    associatedtype Output
    /// A short, stable name (`kkt`, `big-m`), used in plans and records.
    var name: String { get }
    /// Whether `apply` can take this input, and why not.
    func accepts(_ input: Input) -> PassVerdict
    /// The output and the map back. Inputs are never mutated.
    func apply(_ input: Input) throws -> PassOutput<Output>
}

/// One applied pass of a chain.
public struct PassRecord: Sendable, Equatable {
    public var name: String
    public var summary: String?
    public var map: SolutionMap
}

/// The passes applied to a model, in order. Solutions map back through them in reverse.
package struct PassChain: Sendable {
    public private(set) var records: [PassRecord] = []

    public init() {}

    /// Runs a pass on its input and records it. A refusal here is a planning error (the
    /// planner only chains passes whose inputs they accept), reported as a diagnostic.
    public mutating func run<P: ReformulationPass>(_ pass: P, _ input: P.Input) throws -> P.Output {
        if case .refused(let why) = pass.accepts(input) {
            throw Diagnostic(.error, "the \(pass.name) pass cannot take its input: \(why)")
        }
        let result = try pass.apply(input)
        records.append(PassRecord(name: pass.name, summary: result.summary, map: result.map))
        return result.output
    }

    /// A point of the last output mapped back through every pass: a point of the first input.
    public func pullBack(_ point: [Double]) -> [Double] {
        records.reversed().reduce(point) { $1.map.pullBack($0) }
    }

    /// A point of the last output mapped back to the input of the pass named `name` (the
    /// model as that pass saw it).
    public func pullBack(_ point: [Double], toInputOf name: String) -> [Double]? {
        guard let k = records.firstIndex(where: { $0.name == name }) else { return nil }
        return records[k...].reversed().reduce(point) { $1.map.pullBack($0) }
    }

    /// The plan lines, in order.
    public var plan: [String] { records.compactMap(\.summary) }
}
