import BlomodelCore
import Foundation
import XCTest

@testable import BloLanguage

/// Inputs the front-end fuzzer (`blomodel-fuzz`, docs/testing.md) found to crash or hang,
/// each kept as a test named after what it found. The inputs are also in the fuzz corpus
/// (`Tests/FuzzCorpus`), so every fuzz run starts from them.
final class FuzzRegressionTests: XCTestCase {
    let tail = "\nupper { var x >= 0, <= 10; minimize F: x; }\nlower { var y >= 0; minimize f: y; c: y >= x; }"

    /// Nested sums of constants add no expression node and each stays under the member limit,
    /// yet `sum^3` over 1..1000 visits 10^9 members (about twenty minutes): refused at once, at
    /// the outer sum, since the sizes are known before any member is built.
    func testNestedSumsOfConstantsAreRefusedBeforeTheWork() throws {
        let start = Date()
        expectError(
            "param p = ⟪sum{i in 1..1000} sum{j in 1..1000} sum{k in 1..1000} 1;" + tail,
            "would visit more than 20000000 index members in all")
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "refused before the work, not after it")
        // Range ends that are constant expressions count as known (a fuzz mutant wrapped one in
        // softplus, and the count ran to the limit: 2 * 10^7 visits, 30 s).
        expectError(
            "param n = 1000;\nparam p = ⟪sum{i in 1..n} sum{j in 1..softplus(2 * n)} sum{k in 1..if n > 1 then n else 2} 1;" + tail,
            "would visit more than 20000000 index members")
        // The same for a parameter that repeats a large sum for each of its members.
        expectError(
            "⟪param p{i in 1..100000} = sum{j in 1..1000} 1;" + tail, "would visit more than 20000000 index members")
    }

    /// Sums whose sets depend on the outer indices have no size known in advance: the count of
    /// visited members stops them where the limit is passed (here lowered to 1000).
    func testDependentNestedSumsStopAtTheVisitLimit() throws {
        let text = "param p = sum{i in 1..100} sum⟪{j in 1..i} 1;" + tail
        let source = SourceFile(path: "test.blo", text: text.replacingOccurrences(of: "⟪", with: ""))
        var parser = try Parser(source: source)
        let statements = try parser.parseModel()
        let elaborator = Elaborator(source: source, directory: NSTemporaryDirectory())
        elaborator.visitLimit = 1000
        XCTAssertThrowsError(try elaborator.elaborate(statements, name: "test")) { error in
            guard let d = error as? Diagnostic else { return XCTFail("\(error)") }
            XCTAssertTrue(d.message.contains("would visit more than 1000 index members"), d.message)
            XCTAssertEqual(d.location?.column, 31, "the inner indexing, where the limit was passed")
        }
        // Under the limit, the same model reads, with the right value (1 + 2 + ... + 44 = 990).
        let small = try load("param p = sum{i in 1..44} sum{j in 1..i} 1;" + tail.replacingOccurrences(of: "minimize F: x", with: "minimize F: p * x"))
        XCTAssertEqual(small.upperObjective.expression.linear.terms[0], 990)
    }

    /// A set written in a condition is built each time the condition runs: 10^6 tests of
    /// `j in 1..100000` would build 10^11 members. Refused at the indexing, before the work.
    func testASetBuiltInAConditionCountsForEveryTest() throws {
        expectError(
            "upper { var x >= 0; minimize F: sum{i in 1..1000} sum⟪{j in 1..1000: j in 1..100000} x; }"
                + "\nlower { var y >= 0; minimize f: y; c: y >= x; }",
            "would visit more than 20000000 index members")
    }

    /// `param v{K, K, ..., K}` over a two-member set doubles the product with every K: before
    /// the member limit (10^7) was reached, 2^23 members of 23 parts took gigabytes and
    /// minutes (a fuzz mutant of `csv_huge_ints.blo` with a chain of 10^5 K; the input is in
    /// the corpus as `product_of_long_tuples.blo`). Refused where the parts (members times
    /// their length) would pass 2 * 10^7, before the product is built: here 320 000 members
    /// of 64 parts (the 320 000 members of one part before it are built).
    func testProductsOfLongTuplesStopAtThePartLimit() throws {
        let start = Date()
        let ones = Array(repeating: "1", count: 63).joined(separator: ",")
        expectError("set T = {(\(ones))};\nparam v{1..320000, ⟪T} default 0;" + tail, "more than 20000000 index parts")
        // Fewer members of as many parts are fine.
        _ = try load("set T = {(\(ones))};\nparam v{1..1000, T} default 0;" + tail)
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
    }

    /// An indexing of 10^5 sets (each adding a part) is refused at once, at the 65th: building
    /// its tuples set by set would take time in the square of their length, even when a set is
    /// empty and nothing is built.
    func testIndexingsOfManySetsAreRefusedAtOnce() throws {
        let start = Date()
        let many = Array(repeating: "K", count: 100_000).joined(separator: ", ")
        expectError("set K = {1};\nset E = {};\nparam v{E, " + many + "} default 0;" + tail, "more than 64 index parts")
        // A tuple pattern of 65 names over a set of 65-tuples, too.
        let names = (1...65).map { "i\($0)" }.joined(separator: ","), ones = Array(repeating: "1", count: 65).joined(separator: ",")
        expectError("param w{⟪(\(names)) in {(\(ones))}} = 1;" + tail, "more than 64 index parts")
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
    }

    /// "Did you mean" compared an unknown name with every declared name by edit distance, in
    /// time the product of their lengths: 100 names of 3000 characters and an unknown one took
    /// 5 s, and longer names minutes. Names over 64 characters get no suggestion now; short
    /// ones still do.
    func testDidYouMeanIsBoundedForLongNames() throws {
        // Distinct names of 3000 a's and b's, the same on every run.
        func word(_ k: Int) -> String { "p\(k)_" + String((0..<3000).map { ($0 * 7 + k * 13) % (k % 5 + 3) < 2 ? "a" : "b" }) }
        let declarations = (0..<100).map { "param \(word($0)) = 1;\n" }.joined()
        let start = Date()
        expectError(declarations + "upper { var x >= 0; minimize F: x + ⟪\(word(100)); }\nlower { var y >= 0; minimize f: y; c: y >= x; }", "unknown name")
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        expectError("param cost = 1;" + tail.replacingOccurrences(of: "minimize F: x", with: "minimize F: ⟪cots * x"), "unknown name 'cots'")
        do {
            _ = try load("param cost = 1;" + tail.replacingOccurrences(of: "minimize F: x", with: "minimize F: cots * x"))
        } catch let d as Diagnostic {
            XCTAssertEqual(d.notes.first, "did you mean 'cost'?")
        }
    }

    /// The fuzzer's Unicode inputs showed messages quoting invisible characters: a NUL byte or
    /// a lone combining accent printed between quotes. They are named by code point now.
    func testUnexpectedCharactersThatDoNotPrintAreNamedByCodePoint() throws {
        expectError("param n = ⟪\u{0}1;", "unexpected character U+0000")
        // (A marker before a combining accent would combine with it: the position is checked by hand.)
        XCTAssertThrowsError(try load("param n = 1\u{301};")) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "unexpected character U+0301")
            XCTAssertEqual((error as? Diagnostic)?.location?.column, 12, "columns count Unicode scalars")
        }
        expectError("param n = ⟪\u{FEFF}1;", "unexpected character U+FEFF")
        expectError("param n = ⟪\u{2211} 1;", "unexpected character '\u{2211}' (U+2211)")
        expectError("param n = ⟪@;", "unexpected character '@'")
    }

    /// `var x{N} >= 0, <= 1 <= 1 <= 1 ...` (a fuzz mutant: a chain of 10^5 `<= 1` after a bound)
    /// was read as 10^5 upper bounds, each evaluated for each of the 3000 members: 16 s in a
    /// release build, minutes in a debug one. A second bound of a kind is an error now.
    func testABoundIsGivenOnce() throws {
        let lower = "\nlower { var y >= 0; minimize f: y; c: y >= 1; }"
        expectError("upper { var x{1..3000} >= 0, <= 1 ⟪<= 1 <= 1; minimize F: sum{i in 1..3000} x[i]; }" + lower, "'x' already has an upper bound (at 1:30)")
        expectError("upper { var x >= 0, ⟪>= 1; minimize F: x; }" + lower, "'x' already has a lower bound")
        expectError("upper { var n integer ⟪binary; minimize F: n; }" + lower, "already has 'integer' or 'binary'")
        // One of each kind is fine (a fixed value beside bounds, as before).
        _ = try load("upper { var x >= 0, <= 1 integer; var z = 1; minimize F: x + z; }" + lower)
    }
}
