import Foundation

// blomodel-fuzz: a deterministic mutation fuzzer of the front end (see docs/testing.md).
// The supervisor (this process) starts a worker (this executable with --worker) and watches it.

func replay(_ files: [String]) -> Int32 {
    var status: Int32 = 0
    for file in files {
        // In this process: a crash shows its backtrace here.
        let outcome = CheckHarness.run(modelPath: file)
        switch outcome {
        case .described(let s): print("\(file): described: \(s)")
        case .refused(let s): print("\(file): refused with a positioned diagnostic: \(s)")
        case .failure(let s):
            print("\(file): FAILURE: \(s)")
            status = 1
        }
    }
    return status
}

// Progress lines appear as they are printed, also when standard output is a file or a pipe.
setvbuf(stdout, nil, _IOLBF, 0)

do {
    let options = try FuzzOptions.parse(Array(CommandLine.arguments.dropFirst()))
    if !options.replay.isEmpty {
        exit(replay(options.replay))
    } else if options.isWorker {
        var worker = Worker(options: options)
        try worker.run()
    } else {
        exit(try Supervisor(options: options).run())
    }
} catch {
    FileHandle.standardError.write("blomodel-fuzz: \(error)\n".data(using: .utf8)!)
    exit(2)
}
