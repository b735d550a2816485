import Synchronization

/// A request to stop, set by the command line's SIGINT handler (or a library user) and read by
/// the searches between their library calls and by GLPK's MIP callback. The run then ends with
/// the best point found so far and the termination `interrupted`.
public enum Interruption {
    private static let flag = Atomic<Bool>(false)

    /// True once a stop was requested.
    public static var requested: Bool { flag.load(ordering: .relaxed) }

    /// Requests a stop (safe from any thread).
    public static func request() { flag.store(true, ordering: .relaxed) }

    /// Clears the request (tests, and library users starting a new run).
    public static func reset() { flag.store(false, ordering: .relaxed) }
}
