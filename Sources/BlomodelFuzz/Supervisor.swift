import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The parent process: starts a worker (this executable with `--worker`), reads its
/// heartbeats, and watches for the three ways an input can fail: the worker dies (a trap,
/// a signal, a stack overflow, an allocation beyond the memory limit), stalls (no heartbeat
/// for `--timeout` seconds: the worker is killed), or reports a failure it detected itself
/// (a diagnostic without a valid position). The input is then in `WORK/current/`; it is
/// copied to `WORK/findings/` with a note, and the replay command is printed.
struct Supervisor {
    let options: FuzzOptions

    func run() throws -> Int32 {
        let fm = FileManager.default
        try fm.createDirectory(atPath: options.currentDirectory, withIntermediateDirectories: true)
        try? fm.removeItem(atPath: options.failureFile)

        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: Supervisor.executablePath())
        worker.arguments = options.workerArguments
        var environment = ProcessInfo.processInfo.environment
        // Dictionary order must not depend on the process: the same seed, the same pool.
        environment["SWIFT_DETERMINISTIC_HASHING"] = "1"
        // A crash is reported at once (the replay shows the backtrace), not after a slow symbolication.
        environment["SWIFT_BACKTRACE"] = "enable=no"
        worker.environment = environment
        let pipe = Pipe()
        worker.standardOutput = pipe
        worker.standardInput = FileHandle.nullDevice
        try worker.run()

        let fd = pipe.fileHandleForReading.fileDescriptor
        var buffer: [UInt8] = []
        var lastInput: (number: Int, what: String)?
        var lastBeat = now()
        var seeds = 0
        var done: [Substring]?
        let start = now()
        var lastReport = start
        var slowest = Slowest()
        // True while the worker makes the next input: a crash then is the fuzzer's own.
        var generating = false
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        print("blomodel-fuzz: seed \(options.seed), corpus \(options.corpus.joined(separator: ", ")), "
            + [options.seconds.map { "\(formatSeconds($0)) s" }, options.iterations.map { "\($0) inputs" }].compactMap { $0 }
            .joined(separator: " or ") + ", timeout \(formatSeconds(options.timeout)) s per input")
        readLoop: while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 100)
            if ready > 0 {
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { break readLoop }  // The worker closed its end: it has exited.
                buffer += chunk[0..<n]
                while let newline = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    let fields = line.split(separator: " ", maxSplits: 2)
                    switch fields.first {
                    case "G":
                        generating = true
                    case "I":
                        generating = false
                        let t = now()
                        if let last = lastInput { slowest.note(t - lastBeat, "input \(last.number) (\(last.what))") }
                        lastInput = (Int(fields.count > 1 ? fields[1] : "") ?? -1, fields.count > 2 ? String(fields[2]) : "")
                        lastBeat = t
                    case "S":
                        seeds = Int(fields.count > 1 ? fields[1] : "") ?? 0
                        lastBeat = now()
                    case "D": done = line.split(separator: " ")
                    default: break
                    }
                }
            } else if ready < 0, errno != EINTR {
                break readLoop
            }
            let t = now()
            if t - lastBeat > options.timeout + (lastInput == nil ? 60 : 0) {
                kill(worker.processIdentifier, SIGKILL)
                worker.waitUntilExit()
                if generating {
                    print("blomodel-fuzz: the fuzzer itself made no progress for \(formatSeconds(t - lastBeat)) s while making the input after \(lastInput.map { "input \($0.number)" } ?? "the start"): a bug in blomodel-fuzz, not in the front end")
                    return 2
                }
                let what = lastInput.map { "input \($0.number) (\($0.what))" } ?? "the worker's start"
                return try found(
                    "hang", "no progress for \(formatSeconds(t - lastBeat)) s on \(what); killed", input: lastInput?.number)
            }
            if t - lastReport >= 10, let last = lastInput {
                lastReport = t
                print("  \(last.number + 1) inputs, \(Int(Double(last.number + 1) / (t - start)))/s")
            }
        }
        worker.waitUntilExit()
        let status = worker.terminationStatus
        if worker.terminationReason == .uncaughtSignal, generating {
            print("blomodel-fuzz: the fuzzer itself died of signal \(status) (\(Supervisor.signalName(status))) while making the input after \(lastInput.map { "input \($0.number)" } ?? "the start"): a bug in blomodel-fuzz, not in the front end")
            return 2
        }
        if worker.terminationReason == .uncaughtSignal {
            let what = lastInput.map { "input \($0.number) (\($0.what))" } ?? "the worker's start"
            return try found("crash", "the process died of signal \(status) (\(Supervisor.signalName(status))) on \(what)", input: lastInput?.number)
        }
        switch status {
        case 0:
            guard let done, done.count >= 7 else { return try found("crash", "the worker exited without its summary", input: lastInput?.number) }
            let executed = Int(done[1]) ?? 0, seconds = Double(done[2]) ?? 0
            let rate = seconds > 0 ? Int(Double(executed) / seconds) : 0
            print(
                "blomodel-fuzz: no failure in \(executed) inputs (\(seeds) from the corpus, \(max(0, executed - seeds)) mutants) in \(formatSeconds(seconds)) s, "
                    + "\(rate)/s; \(done[6]) read and described, the others refused with a diagnostic; "
                    + "\(done[3]) distinct outcomes, pool \(done[4]), inputs digest \(done[5])")
            if let last = lastInput { slowest.note(now() - lastBeat, "input \(last.number) (\(last.what))") }
            print("the slowest inputs:")
            for (seconds, what) in slowest.entries { print(String(format: "  %6.2f s  ", seconds) + String(what.prefix(160))) }
            return 0
        case 3:
            let message = (try? String(contentsOfFile: options.failureFile, encoding: .utf8)) ?? "(no message)"
            let what = lastInput.map { "input \($0.number) (\($0.what))" } ?? "the worker's start"
            return try found("failure", "\(message)\n  on \(what)", input: lastInput?.number)
        default:
            let what = lastInput.map { "input \($0.number) (\($0.what))" } ?? "the worker's start"
            if lastInput == nil {
                // The worker could not start (a missing corpus): its message is on standard error.
                print("blomodel-fuzz: the worker exited with status \(status) before the first input")
                return 2
            }
            return try found("crash", "the process exited with status \(status) on \(what)", input: lastInput?.number)
        }
    }

    /// Saves `current/` as a finding, prints what happened and how to replay it; exit status 1.
    func found(_ kind: String, _ message: String, input: Int?) throws -> Int32 {
        let fm = FileManager.default
        let name = "\(kind)-seed\(options.seed)-input\(input.map(String.init) ?? "none")"
        let target = (options.findingsDirectory as NSString).appendingPathComponent(name)
        try? fm.removeItem(atPath: target)
        try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
        for file in (try? fm.contentsOfDirectory(atPath: options.currentDirectory).sorted()) ?? [] {
            try fm.copyItem(
                atPath: (options.currentDirectory as NSString).appendingPathComponent(file),
                toPath: (target as NSString).appendingPathComponent(file))
        }
        try (message + "\n").write(toFile: (target as NSString).appendingPathComponent("finding.txt"), atomically: true, encoding: .utf8)
        let model = (target as NSString).appendingPathComponent("model.blo")
        print("""
            blomodel-fuzz: \(kind.uppercased()): \(message)
              reproducer: \(model) (with its data files)
              replay:     \(Supervisor.executablePath()) --replay \(model)
              or:         blomodel check \(model)
            """)
        if kind == "crash", options.memoryLimit > 0 {
            // The worker runs under an address-space limit; the replay does not.
            print("""
                  (the worker's address space was limited to \(options.memoryLimit) MiB: if the replay does not crash,
                   the input needed more memory; replay under the limit with
                   (ulimit -v \(options.memoryLimit * 1024); \(Supervisor.executablePath()) --replay \(model)))
                """)
        }
        return 1
    }

    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGILL: return "SIGILL: a Swift trap, e.g. an index out of range, an overflow, a nil unwrapped"
        case SIGTRAP: return "SIGTRAP: a Swift trap"
        case SIGABRT: return "SIGABRT: an abort, e.g. from a C library"
        case SIGSEGV: return "SIGSEGV: a bad memory access, e.g. a stack overflow"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE: an arithmetic fault"
        case SIGKILL: return "SIGKILL: killed, e.g. by the out-of-memory killer"
        default: return "signal \(signal)"
        }
    }
}

/// The slowest inputs of a run (the few longest times, with what the inputs were).
struct Slowest {
    var entries: [(Double, String)] = []
    mutating func note(_ seconds: Double, _ what: String) {
        guard entries.count < 5 || seconds > entries[entries.count - 1].0 else { return }
        entries.append((seconds, what))
        entries.sort { $0.0 > $1.0 }
        if entries.count > 5 { entries.removeLast() }
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() && abs(s) < 1e9 ? String(Int(s)) : String(format: "%.1f", s)
}
