// An example of using blomodel as a library: load a .blo model, solve it with
// both backends, and read the answer by the names written in the model.
//
//   swift run SolveModelExample [path/to/model.blo]
import Blomodel
import Foundation

let path = CommandLine.arguments.dropFirst().first ?? "Models/classic/toll/toll.blo"

do {
    let model = try ModelLoader.load(path: path)
    let classification = try Classifier.classify(model)
    print("\(model.name): \(classification.problemClass)")

    for solver in SolverChoice.allCases {
        var options = BlomodelOptions()
        options.solver = solver
        options.timeLimit = 60
        let report = try Blomodel.solve(model, options: options)
        print("\(solver.rawValue): \(report.termination.rawValue), \(report.certification.rawValue), "
            + "\(report.leaderObjectiveName) = \(report.leaderObjective.map { String($0) } ?? "-")")
        for (name, value) in report.leaderVariables where value != 0 {
            print("  \(name) = \(value)")
        }
    }
} catch let diagnostic as Diagnostic {
    print(diagnostic.withSourceLine().rendered)
    exit(1)
}
