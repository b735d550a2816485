import BlomodelCore
import Foundation

extension CSVTable {
    /// Reads a file; `path` is relative to the model's directory.
    static func read(_ path: String, relativeTo directory: String, from model: SourceFile, at location: SourceLocation)
        throws -> CSVTable
    {
        let full = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: full), let text = String(data: data, encoding: .utf8)
        else {
            throw model.error(
                "cannot read CSV file '\(path)'", at: location, length: 3,
                notes: ["looked for \(full); CSV paths are relative to the model file (to the current directory for a model read from standard input)"])
        }
        let file = SourceFile(path: full, text: text)
        guard let table = try CSVTable.parse(file) else {
            throw model.error("CSV file '\(path)' is empty; it needs a header row", at: location, length: 3)
        }
        return table
    }

    /// The index of a named column, or a diagnostic at the `csv(...)` call.
    func column(_ name: String, model: SourceFile, at location: SourceLocation) throws -> Int {
        if let i = header.firstIndex(of: name) { return i }
        var notes = ["the columns are: " + header.joined(separator: ", ")]
        if let s = closestName(to: name, among: header) { notes.insert("did you mean '\(s)'?", at: 0) }
        throw model.error("CSV file '\(source.path)' has no column '\(name)'", at: location, length: 3, notes: notes)
    }

}
