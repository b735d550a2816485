import Synchronization

/// A request to stop, set by the command line's SIGINT handler (or a library user) and read by
/// the searches between their library calls and by GLPK's MIP callback. The run then ends with
/// the best point found so far and the termination `interrupted`.
///
/// Two sources: the process-wide flag (`request()`, SIGINT) and the `Cancellation` of the solve
/// running on the current thread or task (`Interruption.$current`), which a library user cancels
/// from any thread, or which a Swift task's cancellation sets (`Bilevel.solve` in async code).
public enum Interruption {
    private static let flag = Atomic<Bool>(false)

    /// The cancellation of the solve in progress on this thread or task, if any.
    @TaskLocal public static var current: Cancellation?

    /// True once a stop was requested (process-wide, or for the solve in progress).
    public static var requested: Bool { flag.load(ordering: .relaxed) || current?.isCancelled == true }

    /// Requests a stop (safe from any thread).
    public static func request() { flag.store(true, ordering: .relaxed) }

    /// Clears the request (tests, and library users starting a new run).
    public static func reset() { flag.store(false, ordering: .relaxed) }
}

/// A cancellation for one solve: pass it in the options, call `cancel()` from any thread, and the
/// solve stops at its next step (the branch-and-bound's next node, GLPK's next MIP callback) with
/// the best point found so far and the termination `interrupted`.
public final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    /// Requests the stop (safe from any thread, any number of times).
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
