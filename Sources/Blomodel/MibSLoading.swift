import BlomodelCore
import Foundation
import ModelFormats

/// A model read from a file of any format blomodel reads: a `.blo` file, or a MibS instance (an
/// MPS file and its aux file).
public struct LoadedModel: Sendable {
    /// The bilevel model.
    public var model: BilevelModel
    /// For a MibS instance: its MPS and aux files, whether the aux file was found by MibS's rule
    /// (`<basename>.aux`, then `.txt`) rather than given, and the names the model changed.
    public var mpsPath: String?
    /// (See `mpsPath`.)
    public var auxPath: String?
    /// (See `mpsPath`.)
    public var auxWasGuessed = false
    /// (See `mpsPath`.)
    public var renamed: [(model: String, file: String)] = []

    /// True for a MibS instance.
    public var isMibS: Bool { mpsPath != nil }

    /// The line that says which aux file was used when none was given (nil otherwise).
    public var auxNote: String? {
        guard auxWasGuessed, let auxPath, let mpsPath else { return nil }
        return "note: reading the follower's part of \(mpsPath) from \(auxPath) (no --aux given; MibS looks for <basename>.aux, then <basename>.txt)"
    }
}

extension Blomodel {
    /// True when `path` names a MibS file by its extension (`.mps`, or `.aux` with its MPS file
    /// named inside).
    public static func isMibSPath(_ path: String) -> Bool {
        let ext = (path as NSString).pathExtension.lowercased()
        return ext == "mps" || ext == "aux"
    }

    /// The aux file MibS looks for beside an MPS file when none is given: `<basename>.aux`, then
    /// `<basename>.txt` (nil when neither exists).
    public static func defaultAuxPath(forMPS path: String) -> String? {
        let base = (path as NSString).deletingPathExtension
        for candidate in [base + ".aux", base + ".txt"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// Reads a MibS instance into a bilevel model (docs/formats.md, "The MibS bilevel format").
    ///
    /// - `mps`: the MPS file; or nil when `aux` names it (its `@MPS` line, relative to the aux
    ///   file's directory).
    /// - `aux`: the aux file; nil tries `<basename>.aux` then `<basename>.txt`, as MibS does.
    public static func load(mps: String?, aux: String?) throws -> LoadedModel {
        var auxPath = aux
        var guessed = false
        if auxPath == nil, let mps {
            guard let found = defaultAuxPath(forMPS: mps) else {
                let base = (mps as NSString).deletingPathExtension
                throw Diagnostic(
                    .error, "no aux file for \(mps): give one with --aux (MibS looks for \(base).aux, then \(base).txt; neither exists)",
                    notes: ["the aux file names the follower's variables, rows and objective"])
            }
            auxPath = found
            guessed = true
        }
        guard let auxPath else { throw Diagnostic(.error, "a MibS instance needs its MPS file or its aux file") }
        let auxFile = try MibSAuxReader.read(path: auxPath)
        var mpsPath = mps
        if mpsPath == nil {
            guard let named = auxFile.mpsFile, !named.isEmpty else {
                throw Diagnostic(
                    .error, "\(auxPath) does not name its MPS file (no @MPS line): give the MPS file as well",
                    at: SourceLocation(file: auxPath, line: 1, column: 1), sourceLine: auxFile.source.line(1),
                    notes: ["blomodel convert inst.mps --aux \((auxPath as NSString).lastPathComponent) -o inst.blo"])
            }
            let directory = (auxPath as NSString).deletingLastPathComponent
            let candidate = named.hasPrefix("/") || directory.isEmpty ? named : directory + "/" + named
            guard FileManager.default.fileExists(atPath: candidate) else {
                throw auxFile.source.error(
                    "the MPS file '\(named)' named here does not exist (looked for \(candidate))",
                    at: auxFile.mpsFileLocation ?? SourceLocation(file: auxPath, line: 1, column: 1), length: named.count)
            }
            mpsPath = candidate
        }
        let mpsFile = try MPSReader.read(path: mpsPath!)
        let instance = try MibS.instance(mps: mpsFile, aux: auxFile)
        return LoadedModel(model: instance.model, mpsPath: mpsPath, auxPath: auxPath, auxWasGuessed: guessed, renamed: instance.renamed)
    }

    /// Reads a model file: a MibS instance when `aux` is given or the path ends in `.mps` or
    /// `.aux`, otherwise a `.blo` file.
    public static func loadModel(file path: String, aux: String? = nil) throws -> LoadedModel {
        if aux != nil || isMibSPath(path) {
            let isAux = (path as NSString).pathExtension.lowercased() == "aux" && aux == nil
            return try load(mps: isAux ? nil : path, aux: isAux ? path : aux)
        }
        return LoadedModel(model: try ModelLoader.load(path: path))
    }

    /// Reads, solves and verifies a model file of any format (`loadModel(file:aux:)`).
    public static func solve(file path: String, aux: String?, options: BlomodelOptions = BlomodelOptions()) throws -> SolveReport {
        guard aux != nil || isMibSPath(path) else { return try solve(file: path, options: options) }
        let clock = Date()
        let loaded = try loadModel(file: path, aux: aux)
        if let note = loaded.auxNote { options.log?(note) }
        return try solve(loaded: loaded.model, parseSeconds: Date().timeIntervalSince(clock), modelIsFile: true, options: options)
    }

    /// True when two paths name the same file (relative paths and symbolic links resolved): an
    /// output must never overwrite an input.
    public static func isSameFile(_ a: String, _ b: String) -> Bool { sameFile(a, b) }

    /// The `.blo` text of a model, with a header saying where it came from (for a MibS instance:
    /// its files and the names that were changed).
    public static func bloText(_ loaded: LoadedModel) throws -> String {
        var comments: [String] = []
        if let mps = loaded.mpsPath, let aux = loaded.auxPath {
            comments = [
                "\(loaded.model.name): converted by blomodel from the MibS instance \((mps as NSString).lastPathComponent) + \((aux as NSString).lastPathComponent).",
                "The leader minimises the MPS objective; the aux file gave the follower's variables, rows and objective;",
                "bounds of follower variables are the follower's (declared in the lower block).",
            ]
            if !loaded.renamed.isEmpty { comments.append("Names that are not .blo identifiers were changed; each such line ends with the file's name.") }
        } else {
            comments = ["\(loaded.model.name): written by blomodel."]
        }
        var original: [String: String] = [:]
        for (m, f) in loaded.renamed { original[m] = f }
        return try BloWriter.write(loaded.model, comments: comments, originalNames: original).text
    }
}
