#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Keeps the C libraries off standard output, where `blomodel solve --json` prints its report.
///
/// Every backend switches its library's output off (GLPK: `glp_term_out(GLP_OFF)` and a terminal
/// hook that swallows what GLPK prints before it aborts; CBC: log levels 0; Ipopt: `print_level 0`
/// and `sb yes`), but a library may still print: GLPK writes its fatal-error messages to standard
/// output whatever the setting. So each library call also runs inside `LibraryOutput.onStandardError`,
/// which points file descriptor 1 at standard error for its duration (`dup`, `dup2`) and back
/// afterwards. Calls nest (CBC re-solves a relaxation inside a solve); the first entry redirects and
/// the last exit restores. Buffered C output is flushed at both ends, so nothing written before
/// the call leaks to standard error and nothing written during it reaches standard output.
public enum LibraryOutput {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var saved: Int32 = -1

    /// Runs `body` with file descriptor 1 pointing at standard error.
    public static func onStandardError<T>(_ body: () throws -> T) rethrows -> T {
        enter()
        defer { leave() }
        return try body()
    }

    /// True while a library call is running with standard output redirected (for tests).
    public static var isRedirected: Bool {
        lock.lock()
        defer { lock.unlock() }
        return depth > 0
    }

    private static func enter() {
        lock.lock()
        defer { lock.unlock() }
        depth += 1
        guard depth == 1 else { return }
        fflush(stdout)
        saved = dup(1)
        if saved >= 0 { _ = dup2(2, 1) }
    }

    private static func leave() {
        lock.lock()
        defer { lock.unlock() }
        depth -= 1
        guard depth == 0 else { return }
        fflush(stdout)
        if saved >= 0 {
            _ = dup2(saved, 1)
            close(saved)
            saved = -1
        }
    }
}
