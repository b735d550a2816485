import ArgumentParser
import Blomodel
import Foundation

/// `blomodel reformulate FILE --route ROUTE -o OUT`: the route's single-level program as free MPS
/// or CPLEX LP, and its name map (docs/formats.md).
struct Reformulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a route's single-level program as free MPS or CPLEX LP, with a name map (JSON) of its rows and columns.")

    @Argument(help: modelArgumentHelp, completion: .file(extensions: ["blo"])) var file: String
    @Option(help: "The route whose program is written (exportable: \(Blomodel.exportableRoutes.joined(separator: ", "))).",
        completion: .list(Blomodel.exportableRoutes))
    var route: String = "exact-kkt"
    @Option(name: [.customShort("o"), .customLong("output")], help: "The program file (.mps or .lp).", completion: .file(extensions: ["mps", "lp"]))
    var output: String
    @Option(help: "The format: mps or lp (default: from the output's extension).") var format: String?
    @Option(help: "The name map's file (default: OUTPUT.names.json).", completion: .file(extensions: ["json"])) var names: String?
    @Option(name: .customLong("dual-bound"), help: "Bound for follower duals without a declared 'dualbound' (as for solve).")
    var dualBound: Double?
    @OptionGroup var chattiness: Chattiness

    func validate() throws {
        if let format, ProgramFileFormat(rawValue: format) == nil { throw ValidationError("--format must be mps or lp") }
        if format == nil, ProgramFileFormat(path: output) == nil {
            throw ValidationError("cannot tell the format from '\(output)': name it .mps or .lp, or give --format mps|lp")
        }
        if let d = dualBound, !(d > 0 && d < NumericRange.infiniteBound) {
            throw ValidationError("--dual-bound must be a positive number below 1e12 (larger bounds mean no bound)")
        }
        if let names, names == output { throw ValidationError("--names must differ from the program file") }
    }

    func run() throws {
        let format = format.flatMap(ProgramFileFormat.init(rawValue:)) ?? ProgramFileFormat(path: output)!
        let namesPath = names ?? output + ".names.json"
        var options = BlomodelOptions()
        options.bigM.dualBound = dualBound
        let input = try readStandardInputIfAsked(file)
        let (program, map) = try exitingOnErrors {
            let model = try input.map { try Blomodel.load(source: $0) } ?? ModelLoader.load(path: file)
            if !chattiness.quiet { printWarnings(model.warnings) }
            for (flag, path) in [("--output", output), ("--names", namesPath)] {
                try Blomodel.refuseOverwritingInputs(path, of: model, modelIsFile: input == nil, flag: flag)
            }
            let exported = try Blomodel.singleLevelProgram(model, route: route, options: options)
            return try exported.write(format)
        }
        for (path, text) in [(output, program), (namesPath, map)] {
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                printDiagnostic(Diagnostic(.error, "cannot write '\(path)': \(error.localizedDescription)"))
                throw ExitCode(ExitStatus.internalError.rawValue)
            }
        }
        if !chattiness.quiet { printError("wrote \(output) (\(format.rawValue)) and \(namesPath)") }
    }
}
