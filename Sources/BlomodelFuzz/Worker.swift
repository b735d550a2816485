import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The child process that runs the inputs. Before each input it writes the input to
/// `WORK/current/` and a heartbeat line (`I <number> <what>`) to standard output, so that
/// the supervisor can save the input and say what it was when the process dies or stalls.
///
/// The seed corpus runs first, unchanged; then mutants of the pool (the seeds, and every
/// mutant that showed an outcome not seen before: a new kind of diagnostic, a new class of
/// model). The pool's growth depends on outcomes only, which are deterministic, so a seed
/// gives the same sequence of inputs on every run.
struct Worker {
    let options: FuzzOptions
    /// The files of `current/` as last written (only changed data files are rewritten).
    var onDisk: [String: [UInt8]] = [:]
    var executed = 0
    /// Inputs read and described (the others were refused with a diagnostic).
    var described = 0
    /// FNV-1a over every input run, printed at the end: equal digests, equal inputs.
    var digest: UInt64 = 0xCBF2_9CE4_8422_2325

    static let poolLimit = 4096
    static let keptSizeLimit = 64 << 10

    init(options: FuzzOptions) { self.options = options }

    var modelPath: String { (options.currentDirectory as NSString).appendingPathComponent("model.blo") }

    mutating func run() throws -> Never {
        setMemoryLimit()
        let seeds = try Corpus.load(options.corpus)
        guard !seeds.isEmpty else { throw FuzzError("the corpus (\(options.corpus.joined(separator: ", "))) has no .blo file") }
        try FileManager.default.createDirectory(atPath: options.currentDirectory, withIntermediateDirectories: true)
        beat("S \(seeds.count)")
        let start = DispatchTime.now().uptimeNanoseconds
        func stop() -> Bool {
            if let n = options.iterations, executed >= n { return true }
            if let s = options.seconds, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 >= s { return true }
            return false
        }
        var seen = Set<String>()
        for seed in seeds where !stop() {
            seen.insert(try execute(seed, what: "seed \(seed.origin)").signature)
        }
        var mutator = Mutator(seed: options.seed)
        var pool = seeds
        while !stop() {
            // Said first, so that a crash of the mutator itself is not blamed on the last input.
            beat("G \(executed)")
            let base = pool[mutator.random.below(pool.count)], donor = pool[mutator.random.below(pool.count)]
            let (input, applied) = mutator.mutate(base, donor: donor)
            let outcome = try execute(input, what: "mutant of \(base.origin): " + applied.joined(separator: ", "))
            if seen.insert(outcome.signature).inserted, input.model.count <= Worker.keptSizeLimit {
                var kept = input
                kept.origin = base.origin.hasSuffix(" (mutated)") ? base.origin : base.origin + " (mutated)"
                if pool.count < Worker.poolLimit {
                    pool.append(kept)
                } else {
                    pool[seeds.count + mutator.random.below(pool.count - seeds.count)] = kept
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        beat("D \(executed) \(seconds) \(seen.count) \(pool.count) \(String(digest, radix: 16)) \(described)")
        exit(0)
    }

    /// Writes the input, beats, runs it; a failure is written down and ends the process.
    mutating func execute(_ input: FuzzInput, what: String) throws -> Outcome {
        try write(input)
        for byte in input.model { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01B3 }
        for f in input.files { for byte in Array(f.name.utf8) + f.bytes { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01B3 } }
        beat("I \(executed) " + what.replacingOccurrences(of: "\n", with: " "))
        if let fault = options.injectedFault, fault.at == executed { inject(fault.kind) }
        let outcome = CheckHarness.run(modelPath: modelPath)
        if case .failure(let message) = outcome {
            try? message.write(toFile: options.failureFile, atomically: true, encoding: .utf8)
            exit(3)
        }
        executed += 1
        if case .described = outcome { described += 1 }
        return outcome
    }

    /// `current/` holds exactly the input: `model.blo` and its data files.
    mutating func write(_ input: FuzzInput) throws {
        let directory = options.currentDirectory
        try Data(input.model).write(to: URL(fileURLWithPath: modelPath))
        var wanted: [String: [UInt8]] = [:]
        for f in input.files { wanted[f.name] = f.bytes }
        for name in onDisk.keys.sorted() where wanted[name] == nil {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        for f in input.files where onDisk[f.name] != f.bytes {
            try Data(f.bytes).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(f.name)))
        }
        onDisk = wanted
    }

    /// One line to the supervisor.
    func beat(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { exit(5) }  // The supervisor is gone.
                offset += n
            }
        }
    }

    /// Runaway memory becomes a failed allocation (a crash the supervisor sees), not a
    /// machine that swaps.
    func setMemoryLimit() {
        guard options.memoryLimit > 0 else { return }
        let bytes = rlim_t(options.memoryLimit) << 20
        var limit = rlimit(rlim_cur: bytes, rlim_max: bytes)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
    }

    /// For the supervisor's own tests: a trap, an endless loop, or a reported failure.
    func inject(_ kind: String) {
        switch kind {
        case "crash":
            let items: [Int] = []
            print(items[executed])  // An index out of range: a trap, as a bug would give.
        case "hang":
            while true { sleep(1) }
        default:
            try? "injected failure".write(toFile: options.failureFile, atomically: true, encoding: .utf8)
            exit(3)
        }
    }
}
