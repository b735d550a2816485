import Foundation

/// The command line of `blomodel-fuzz`.
struct FuzzOptions {
    var seconds: Double?
    var iterations: Int?
    var seed: UInt64 = 1
    var corpus: [String] = []
    var replay: [String] = []
    /// The most one input may take before it counts as a hang: inputs within the documented
    /// size limits can take twenty seconds (docs/testing.md, "Known slow spots").
    var timeout: Double = 30
    /// Holds `current/` (the input being run) and `findings/` (reproducers).
    var work = ".build/fuzz"
    /// The worker's address-space limit in MiB (0: none): runaway memory becomes a crash.
    var memoryLimit = 4096
    /// Set in the child process that runs the inputs.
    var isWorker = false
    /// Testing the supervisor only: make the worker crash, hang or report a failure at an input.
    var injectedFault: (kind: String, at: Int)?

    static let usage = """
        usage: blomodel-fuzz [--seconds N] [--iterations N] [--seed S] [--corpus DIR]... [--timeout S]
                             [--work DIR] [--memory-limit MB]
               blomodel-fuzz --replay FILE...

        Fuzzes the front end (lexer, parser, elaborator, description and classification: what
        'blomodel check' runs, without a MILP solve). The seed corpus is every .blo file under
        the corpus directories (default: Models and Tests/FuzzCorpus), each with the .csv files
        beside it; they run first as they are, then mutated. Every input is written to
        WORK/current/ before it runs; a crash, a hang (an input taking more than --timeout
        seconds) or a diagnostic without a valid position stops the run, saves the input to
        WORK/findings/ and prints how to replay it. Exit status 0: no failure.

          --seconds N        stop after N seconds (default 60 when --iterations is not given)
          --iterations N     stop after N inputs (the seed corpus included)
          --seed S           the mutations' seed; the same seed gives the same inputs (default 1)
          --corpus DIR       a seed directory (repeatable)
          --timeout S        the most one input may take (default 30)
          --work DIR         where current/ and findings/ go (default .build/fuzz)
          --memory-limit MB  the address space of the process that runs the inputs (default 4096; 0: none)
          --replay FILE      run one file (CSV paths relative to it) in this process and print the outcome
        """

    static func parse(_ arguments: [String]) throws -> FuzzOptions {
        var o = FuzzOptions()
        var i = 0
        func value(_ name: String) throws -> String {
            i += 1
            guard i < arguments.count else { throw FuzzError("\(name) needs a value") }
            return arguments[i]
        }
        func number<T: LosslessStringConvertible>(_ name: String, _ type: T.Type) throws -> T {
            let text = try value(name)
            guard let v = T(text) else { throw FuzzError("\(name): '\(text)' is not a valid number") }
            return v
        }
        while i < arguments.count {
            let a = arguments[i]
            switch a {
            case "--seconds":
                let s = try number(a, Double.self)
                guard s >= 0, s.isFinite else { throw FuzzError("--seconds must be a nonnegative number") }
                o.seconds = s
            case "--iterations":
                let n = try number(a, Int.self)
                guard n >= 0 else { throw FuzzError("--iterations must be nonnegative") }
                o.iterations = n
            case "--seed": o.seed = try number(a, UInt64.self)
            case "--corpus": o.corpus.append(try value(a))
            case "--replay": o.replay.append(try value(a))
            case "--timeout":
                let t = try number(a, Double.self)
                guard t > 0, t.isFinite else { throw FuzzError("--timeout must be a positive number of seconds") }
                o.timeout = t
            case "--work": o.work = try value(a)
            case "--memory-limit":
                let m = try number(a, Int.self)
                guard m >= 0, m < 1 << 40 else { throw FuzzError("--memory-limit must be a nonnegative number of MiB") }
                o.memoryLimit = m
            case "--worker": o.isWorker = true
            case "--inject-fault":
                let text = try value(a)
                let parts = text.split(separator: "@")
                guard parts.count == 2, ["crash", "hang", "failure"].contains(parts[0]), let at = Int(parts[1]) else {
                    throw FuzzError("--inject-fault takes crash@N, hang@N or failure@N")
                }
                o.injectedFault = (String(parts[0]), at)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw FuzzError("unknown argument '\(a)'\n\n\(usage)")
            }
            i += 1
        }
        if o.seconds == nil, o.iterations == nil { o.seconds = 60 }
        if o.corpus.isEmpty { o.corpus = ["Models", "Tests/FuzzCorpus"] }
        return o
    }

    /// The arguments that give a worker the same run.
    var workerArguments: [String] {
        var a = ["--worker", "--seed", String(seed), "--timeout", String(timeout), "--work", work, "--memory-limit", String(memoryLimit)]
        if let seconds { a += ["--seconds", String(seconds)] }
        if let iterations { a += ["--iterations", String(iterations)] }
        for c in corpus { a += ["--corpus", c] }
        if let f = injectedFault { a += ["--inject-fault", "\(f.kind)@\(f.at)"] }
        return a
    }

    var currentDirectory: String { (work as NSString).appendingPathComponent("current") }
    var findingsDirectory: String { (work as NSString).appendingPathComponent("findings") }
    var failureFile: String { (work as NSString).appendingPathComponent("failure.txt") }
}
