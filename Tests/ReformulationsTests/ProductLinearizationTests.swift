import BloLanguage
import BlomodelCore
import Foundation
import XCTest

@testable import Reformulations

/// Binary expansion: the linearized model must agree with the original at every integer
/// point, and products that cannot be made exact must be refused at their position.
final class ProductLinearizationTests: XCTestCase {
    let text = """
        upper { var x integer >= 0, <= 6;
          maximize F: x*y - 3*x;
          cap: x*y <= 20; }
        lower { var y >= 0, <= 8; maximize f: y; c1: y + x <= 8; c2: y - x <= 2; }
        """

    func testExpandedExpressionsEqualTheProductsAtEveryIntegerPoint() throws {
        let m = try model(text)
        let r = try ProductLinearization.apply(m, ranges: HighPointRanges())
        XCTAssertEqual(r.termPlan.count, 2, "\(r.termPlan)")
        XCTAssertTrue(r.model.upperObjective.expression.isLinear)
        let digits = r.model.variables.indices.filter { r.model.variables[$0].name.hasPrefix("x_bit") && !r.model.variables[$0].name.contains("*") }
        XCTAssertEqual(digits.count, 3)  // 6 = 110 in binary: three digits
        // At x = k and any y in its range, set the digits and products as the rows force them.
        for k in 0...6 {
            for y in [0.0, 1.5, 4, 8] {
                var point = [Double](repeating: 0, count: r.model.variables.count)
                point[0] = Double(k)
                point[1] = y
                for (t, b) in digits.enumerated() { point[b] = Double((k >> t) & 1) }
                for (j, v) in r.model.variables.enumerated() where v.name.hasPrefix("x_bit") && v.name.contains("*") {
                    let bit = r.model.variables.firstIndex { $0.name == String(v.name.split(separator: "*")[0]) }!
                    point[j] = point[bit] * y
                }
                XCTAssertEqual(r.model.upperObjective.expression.evaluate(point), m.upperObjective.expression.evaluate(point), accuracy: 1e-12)
                let cap = r.model.constraints.first { $0.name == "cap" }!
                XCTAssertEqual(cap.body.evaluate(point), Double(k) * y, accuracy: 1e-12)
                for c in r.model.constraints where c.base.hasPrefix("product[") || c.base.hasPrefix("expand[") {
                    let v = c.body.evaluate(point)
                    XCTAssertTrue(v >= c.lower - 1e-9 && v <= c.upper + 1e-9, "\(c.name) at x=\(k), y=\(y)")
                }
            }
        }
    }

    func testRefusals() throws {
        func refusal(_ text: String) throws -> Diagnostic {
            do {
                _ = try ProductLinearization.apply(try model(text), ranges: HighPointRanges())
            } catch let d as Diagnostic { return d }
            struct NoRefusal: Error {}
            XCTFail("no refusal")
            throw NoRefusal()
        }
        // An integer without an upper bound.
        var d = try refusal("upper { var x integer >= 0;\n c: x*y <= 3; minimize F: x; }\nlower { var y >= 0, <= 2; minimize f: y; }")
        XCTAssertTrue(d.message.contains("needs finite bounds on the integer variable x"), d.message)
        XCTAssertEqual(d.location?.line, 2)
        // The other factor unbounded (no LP to bound it).
        d = try refusal("upper { var x integer >= 0, <= 3;\n c: x*y <= 3; minimize F: x; }\nlower { var y >= 0; minimize f: y; }")
        XCTAssertTrue(d.message.contains("needs a finite range for y"), d.message)
        // No integer factor in a constraint.
        d = try refusal("upper { var x >= 0, <= 3;\n c: x*y <= 3; minimize F: x; }\nlower { var y >= 0, <= 1; minimize f: y; }")
        XCTAssertTrue(d.message.contains("cannot be made linear"), d.message)
    }

    func testHighPointRangesArriveAsData() throws {
        // y has no upper bound: without proofs the product is refused; with a proven range handed
        // in (as HighPointRanges.prove would compute it from c1: y + x <= 8) it is expanded with it.
        let m = try model(
            "upper { var x integer >= 0, <= 6; maximize F: x - y; cap: x*y <= 20; }\nlower { var y >= 0; maximize f: y; c1: y + x <= 8; }")
        XCTAssertEqual(ProductLinearization.variablesNeedingRanges(m), [1], "y, the other factor of x*y")
        XCTAssertThrowsError(try ProductLinearization.apply(m, ranges: HighPointRanges()))
        var proofs = HighPointRanges()
        proofs.ranges[1] = Interval(0, 8)
        let r = try ProductLinearization.apply(m, ranges: proofs)
        XCTAssertTrue(r.termPlan[0].contains("each digit times y in [0, 8]"), r.termPlan[0])
        XCTAssertTrue(HighPointRanges.prove(m, lpSolver: nil).ranges.isEmpty, "no LPs without a solver")
    }

    func testProductsWithDuals() throws {
        // dual(c) times a bounded integer: expanded, with the tighter of the dualbound (10) and the
        // proven vertex range (stationarity 1 - lambda - mu = 0: lambda <= 1); without a dualbound
        // and with costs set by an unbounded leader variable (no proof): refused with the fix;
        // times a continuous variable: refused by the classifier with a note on duals.
        let lower = "\nlower { var y >= 0, <= 9; minimize f: y; c: y >= x dualbound 10; }"
        let expanded = try ProductLinearization.apply(
            try model("upper { var x integer >= 0, <= 5; maximize F: dual(c) * x; }" + lower), ranges: HighPointRanges())
        XCTAssertTrue(expanded.model.upperObjective.expression.isLinear)
        XCTAssertTrue(expanded.termPlan[0].contains("dual(c) in [0, 1] (vertices of the follower's dual polyhedron, proven)"), expanded.termPlan[0])
        do {
            _ = try ProductLinearization.apply(
                try model("upper { var x integer >= 0, <= 5; var z; maximize F: dual(c) * x - z; }\nlower { var y >= 0; minimize f: z*y; c: y >= x; }"),
                ranges: HighPointRanges())
            XCTFail("expected a refusal")
        } catch let d as Diagnostic {
            XCTAssertTrue(d.notes.contains { $0.contains("declare 'dualbound'") }, "\(d.notes)")
        }
        let continuous = try model("upper { var x >= 0, <= 5; maximize F: dual(c) * x; }" + lower)
        let kept = try ProductLinearization.apply(continuous, ranges: HighPointRanges())
        do {
            _ = try Classifier.classify(kept.model)
            XCTFail("expected a refusal")
        } catch let d as Diagnostic {
            XCTAssertTrue(d.message.contains("not concave in (x, dual(c))"), d.message)
            XCTAssertTrue(d.notes.contains { $0.contains("nonconvex bilinear term") }, "\(d.notes)")
        }
    }

    /// Integer ranges too wide for binary expansion are refused at the product, not trapped on.
    /// Bounds of 1e12 or more mean "no bound" (`NumericRange`): those ranges are infinite.
    func testTooWideIntegerRangesAreRefusedWithAPosition() throws {
        for (bounds, message) in [
            ("-1e11, <= 1e11", "more than 31 binary digits"), ("0, <= 1e11", "more than 31 binary digits"),
            ("-1e308, <= 1e308", "needs finite bounds"), ("0, <= 1e20", "needs finite bounds"),
        ] {
            let m = try model("upper { var n >= \(bounds) integer; minimize F: n; c: n * y <= 10; }\nlower { var y >= 0, <= 5; minimize f: -y; }")
            XCTAssertThrowsError(try ProductLinearization.apply(m, ranges: HighPointRanges())) { error in
                guard let d = error as? Diagnostic else { return XCTFail("\(error)") }
                XCTAssertTrue(d.message.contains(message), d.message)
                XCTAssertEqual(d.location?.line, 1)
            }
        }
    }
}
