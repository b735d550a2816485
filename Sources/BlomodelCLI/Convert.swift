import ArgumentParser
import Blomodel
import Foundation

/// `blomodel convert`: a model from one format to another (docs/cli.md).
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model between the .blo language and the MibS format (an MPS file and an aux file).",
        discussion: """
            blomodel convert inst.aux -o inst.blo            (the aux file names its MPS file with @MPS)
            blomodel convert inst.mps --aux inst.aux -o inst.blo
            blomodel convert model.blo --to mibs -o out      (writes out.mps and out.aux)
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case blo, mibs }

    @Argument(help: "The model: a .blo file, a MibS .mps file, or a MibS .aux file that names its MPS file.", completion: .file(extensions: ["blo", "mps", "aux"]))
    var file: String
    @Option(help: "The MibS aux file of an .mps model (default: <basename>.aux, then <basename>.txt, as MibS looks for it).", completion: .file(extensions: ["aux", "txt"]))
    var aux: String?
    @Option(help: "The output format: blo or mibs (default: blo for a MibS instance, mibs for a .blo file).") var to: Format?
    @Option(name: [.short, .customLong("output")], help: "The output: a .blo file (standard output if omitted), or for mibs the base name of the .mps and .aux files.", completion: .file())
    var output: String?
    @OptionGroup var chattiness: Chattiness

    func run() throws {
        let loaded = try exitingOnErrors { try Blomodel.loadModel(file: file, aux: aux) }
        if !chattiness.quiet {
            if let note = loaded.auxNote { printError(note) }
            printWarnings(loaded.model.warnings)
        }
        let format = to ?? (loaded.isMibS ? .blo : .mibs)
        let inputs = loaded.model.inputFiles + [file]
        func refuseInput(_ path: String) throws {
            if let input = inputs.first(where: { Blomodel.isSameFile($0, path) }) {
                printDiagnostic(Diagnostic(.error, "refusing to write '\(path)': it is an input of the conversion ('\(input)')", notes: ["choose another -o"]))
                throw ExitCode(ExitStatus.inputError.rawValue)
            }
        }
        switch format {
        case .blo:
            let text = try exitingOnErrors { try Blomodel.bloText(loaded) }
            guard let output else {
                print(text, terminator: "")
                return
            }
            try refuseInput(output)
            try write(text, to: output)
        case .mibs:
            guard let output else {
                printDiagnostic(Diagnostic(.error, "--to mibs writes two files: give their base name with -o (out gives out.mps and out.aux)"))
                throw ExitCode(ExitStatus.inputError.rawValue)
            }
            let ext = (output as NSString).pathExtension.lowercased()
            let base = ext == "mps" || ext == "aux" ? (output as NSString).deletingPathExtension : output
            let (mpsPath, auxPath) = (base + ".mps", base + ".aux")
            try refuseInput(mpsPath)
            try refuseInput(auxPath)
            let name = (base as NSString).lastPathComponent
            let files = try exitingOnErrors {
                try MibSWriter.write(loaded.model, name: name, mpsFileName: (mpsPath as NSString).lastPathComponent)
            }
            if !chattiness.quiet { for n in files.notes { printError(n.rendered) } }
            try write(files.mps, to: mpsPath)
            try write(files.aux, to: auxPath)
        }
    }

    func write(_ text: String, to path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            printDiagnostic(Diagnostic(.error, "cannot write '\(path)': \(error.localizedDescription)"))
            throw ExitCode(ExitStatus.internalError.rawValue)
        }
    }
}

/// The note `solve` and `check` print when an .mps model's aux file is found by MibS's rule.
func printAuxNote(file: String, aux: String?, quiet: Bool) {
    guard !quiet, aux == nil, (file as NSString).pathExtension.lowercased() == "mps",
        let found = Blomodel.defaultAuxPath(forMPS: file)
    else { return }
    printError("note: reading the follower's part of \(file) from \(found) (no --aux given; MibS looks for <basename>.aux, then <basename>.txt)")
}
