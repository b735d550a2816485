import Blomodel
import Foundation

/// Front-end timing on generated inputs: lexing and parsing, then elaboration (names, index
/// sets, the expression graph and its quadratic views), for the large-input cases of the
/// language (a written-out sum of 10^5 terms, an indexed sum of 10^6 generated product terms,
/// nesting at the documented limit).
func runElaborationBenchmark() throws {
    let n = 100_000
    let written =
        "set N = 1..\(n);\nupper { var x >= 0; var z{N} >= 0; minimize F: x + "
        + (1...n).map { "\($0 % 7 + 1)*z[\($0)]" }.joined(separator: " + ")
        + "; }\nlower { var y >= 0; minimize f: y; c: y >= x; }\n"
    let generated = """
        set N = 1..1000;
        upper { var x >= 0; minimize F: x; }
        lower { var y{N} >= 0, <= 1; minimize f: sum{i in N, j in N} (i + j) / 1000 * y[i] * y[j] - sum{i in N} x * y[i]; }

        """
    let depth = Parser.maximumNesting - 8
    let nested =
        "upper { var x >= 0; minimize F: " + String(repeating: "(", count: depth) + "x + 1"
        + String(repeating: ")", count: depth) + "; }\nlower { var y >= 0; minimize f: y; c: y >= x; }\n"
    let cases: [(String, String, String)] = [
        ("written-out sum", "10^5 terms", written),
        ("generated quadratic", "10^6 terms", generated),
        ("nested parentheses", "\(depth) levels", nested),
    ]
    print("front end (release build): lexing and parsing, then elaboration with the quadratic views")
    let widths = [22, 14, 10, 10, 12, 10, 12]
    print(pad(["input", "size", "MB", "parse s", "elaborate s", "nodes", "quad terms"], widths))
    for (name, size, text) in cases {
        let source = SourceFile(path: "bench.blo", text: text)
        var clock = Date()
        var parser = try Parser(source: source)
        let statements = try parser.parseModel()
        let parse = Date().timeIntervalSince(clock)
        clock = Date()
        let model = try Elaborator(source: source, directory: NSTemporaryDirectory()).elaborate(statements, name: "bench")
        let elaborate = Date().timeIntervalSince(clock)
        let terms = model.upperObjective.expression.quadratic.count + model.lowerObjective.expression.quadratic.count
        print(pad([
            name, size, String(format: "%.1f", Double(text.utf8.count) / 1e6), String(format: "%.3f", parse),
            String(format: "%.3f", elaborate), "\(model.graph.count)", "\(terms)",
        ], widths))
    }
}
