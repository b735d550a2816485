import Foundation

/// One fuzz input: a model's text and the data files beside it (CSV files, by name).
struct FuzzInput {
    var model: [UInt8]
    /// The data files, sorted by name; the model reads them by relative path.
    var files: [(name: String, bytes: [UInt8])]
    /// Where the input came from (a corpus path), for messages.
    var origin: String
}

/// The seed corpus: every `.blo` file under the given directories (sorted by path, so the
/// order does not depend on the file system), each with the `.csv` files of its directory.
enum Corpus {
    static func load(_ directories: [String]) throws -> [FuzzInput] {
        var inputs: [FuzzInput] = []
        let fm = FileManager.default
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw FuzzError("the corpus directory '\(directory)' does not exist")
            }
            var models: [String] = []
            let walker = fm.enumerator(atPath: directory)
            while let p = walker?.nextObject() as? String { if p.hasSuffix(".blo") { models.append(p) } }
            for relative in models.sorted() {
                let path = (directory as NSString).appendingPathComponent(relative)
                inputs.append(try load(model: path))
            }
        }
        return inputs
    }

    /// A model file and the `.csv` files of its directory.
    static func load(model path: String) throws -> FuzzInput {
        let fm = FileManager.default
        guard let model = fm.contents(atPath: path) else { throw FuzzError("cannot read '\(path)'") }
        let directory = (path as NSString).deletingLastPathComponent
        var files: [(name: String, bytes: [UInt8])] = []
        let names = (try? fm.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        for name in names.sorted() where name.hasSuffix(".csv") {
            let full = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = fm.contents(atPath: full)
            else { continue }
            files.append((name, [UInt8](data)))
        }
        return FuzzInput(model: [UInt8](model), files: files, origin: path)
    }
}

struct FuzzError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
