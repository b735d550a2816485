import Blomodel
import Foundation

/// What one input did, as far as the fuzzer cares.
enum Outcome {
    /// Read and described; the signature summarises the description (class, convexity, route).
    case described(signature: String)
    /// Refused with a diagnostic; the signature is its message with names and numbers blanked.
    case refused(signature: String)
    /// Something that must not happen short of a crash: a diagnostic without a valid position,
    /// an error that is not a diagnostic.
    case failure(String)

    var signature: String {
        switch self {
        case .described(let s), .refused(let s): return s
        case .failure(let s): return "failure: " + s
        }
    }
}

/// Runs one model file through what `blomodel check` runs: the lexer, the parser, the
/// elaborator (CSV data read relative to the model's directory), the description (class,
/// curvature, convexity, the exact routes' classification with its LP bound proofs) and the
/// route planner, then renders the description as text and JSON and any diagnostic with its
/// source line. No MILP is solved.
enum CheckHarness {
    static func run(modelPath: String) -> Outcome {
        let model: BilevelModel
        do {
            model = try ModelLoader.load(path: modelPath)
        } catch let d as Diagnostic {
            return refused([d])
        } catch let list as DiagnosticList {
            return refused(list.diagnostics)
        } catch {
            return .failure("reading the model threw an error that is not a diagnostic: \(error)")
        }
        let description = ModelDescription.describe(model, lpSolver: SolverChoice.glpk.backend)
        let routes = Blomodel.routes(for: ModelFacts(description: description))
        let chosen = routes.first(where: \.assessment.accepted)?.name
        // What `check` prints, built and thrown away (rendering must not trap either).
        var printed = description.json(model: model, routes: routes).render()
        printed += description.lines.joined(separator: "\n") + RoutePlanner.describe(routes)
        printed += description.termPlan.joined(separator: "\n")
        var signature = [
            "described", description.exactClass ?? "-", description.leader.objective.expressionClass.rawValue,
            description.follower.objective.expressionClass.rawValue, "\(description.followerConvex.map(String.init) ?? "-")",
            chosen ?? "no route",
        ].joined(separator: " | ")
        if let refusal = description.exactRefusal {
            if let problem = positionProblem(refusal, modelPath: modelPath) {
                return .failure("the exact routes' refusal \(problem): \(refusal.rendered)")
            }
            printed += refusal.withSourceLine().rendered
            signature += " | " + template(refusal.message)
        }
        return printed.isEmpty ? .failure("empty description") : .described(signature: signature)
    }

    /// A refusal: every diagnostic of the front end names a valid position in the model or
    /// in a data file, except "cannot read model file" (the file itself is unreadable).
    static func refused(_ diagnostics: [Diagnostic]) -> Outcome {
        guard let first = diagnostics.first else { return .failure("an empty list of diagnostics") }
        for d in diagnostics {
            if d.location == nil, d.message.hasPrefix("cannot read model file") { continue }
            if let problem = positionProblem(d, modelPath: nil) {
                return .failure("a diagnostic \(problem): \(d.rendered)")
            }
            _ = d.withSourceLine().rendered
        }
        return .refused(signature: template(first.message))
    }

    /// Why a diagnostic's position is not valid (nil when it is): it must name a readable
    /// file, a line of it, and a column on that line (one past its end for "end of line").
    static func positionProblem(_ d: Diagnostic, modelPath: String?) -> String? {
        guard let at = d.location else { return "has no position" }
        if d.message.isEmpty { return "has an empty message" }
        guard at.line >= 1, at.column >= 1 else { return "has the position \(at.line):\(at.column)" }
        guard let data = FileManager.default.contents(atPath: at.file) else {
            return "names a file that cannot be read ('\(at.file)')"
        }
        let source = SourceFile(path: at.file, text: String(decoding: data, as: UTF8.self))
        guard at.line <= source.lines.count else {
            return "is at line \(at.line) of a file with \(source.lines.count) lines"
        }
        // The line as in the file (a lone carriage return at its end is a character too).
        let line = source.lines[at.line - 1]
        guard at.column <= line.unicodeScalars.count + 1 else {
            return "is at column \(at.column) of a line \(line.unicodeScalars.count) characters long"
        }
        return nil
    }

    /// A message with quoted text and numbers blanked: the kind of diagnostic, for telling
    /// new behaviour from old.
    static func template(_ message: String) -> String {
        var out = ""
        var quote: Character?
        var inNumber = false
        for c in message.prefix(200) {
            if let q = quote {
                if c == q {
                    out.append(c)
                    quote = nil
                }
                continue
            }
            if c == "'" || c == "\"" {
                out.append(c)
                out.append("_")
                quote = c
                continue
            }
            if c.isNumber {
                if !inNumber { out.append("#") }
                inNumber = true
                continue
            }
            inNumber = false
            out.append(c)
        }
        return out
    }
}
