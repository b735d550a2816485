import BloLanguage
import BlomodelCore
import XCTest

@testable import Reformulations

/// Every row of a reformulated model carries the origin of its role: passes find rows by
/// origin, and these tests tie each origin to the row it must describe.
final class RowOriginTests: XCTestCase {
    /// Models that exercise every pass that adds rows: a bilevel LP, the toll pattern (strong
    /// duality), a quadratic follower with `dual(con)`, and binary expansion of a product.
    let models: [(String, String)] = [
        ("liu_hart", liuHart),
        (
            "toll_small",
            """
            upper { var T >= 0, <= 10; maximize R: T * a; }
            lower {
              var a >= 0, <= 2;
              var b >= 0, <= 2;
              minimize cost: (1 + T) * a + 4 * b;
              demand: a + b = 2;
              dualbound 20;
            }
            """
        ),
        (
            "bard_dual",
            """
            upper { var x >= 0; minimize F: (x - 5)^2 + (2*y + 1)^2 + dual(g1); }
            lower {
              var y >= 0;
              minimize f: (y - 1)^2 - 1.5*x*y;
              g1: 3*x - y >= 3;
              g2: x - 0.5*y <= 4;
              g3: x + y <= 7;
            }
            """
        ),
        (
            "expansion",
            """
            upper { var x integer >= 0, <= 6; maximize F: x*y - 3*x; cap: x*y <= 20; }
            lower { var y >= 0, <= 8; maximize f: y; c1: y + x <= 8; c2: y - x <= 2; }
            """
        ),
    ]

    func testEveryRowHasTheOriginOfItsRole() throws {
        for (label, text) in models {
            let r = try Planner.reformulate(try model(text), lpSolver: nil)
            let m = r.model
            let milp = r.milp
            // The bilevel model's constraints come first, in order, each with its level's origin.
            for (i, c) in m.constraints.enumerated() {
                let row = milp.rows[i]
                XCTAssertEqual(row.name, c.name, label)
                let expected: RowOrigin =
                    c.owner.isFollower ? .followerConstraint(i) : (c.isAuxiliary ? .productLinearization(constraint: i) : .leaderConstraint(i))
                XCTAssertEqual(row.origin, expected, "\(label): \(row.name)")
            }
            // One stationarity row per follower variable, naming it.
            let stationarity = milp.stationarityRows
            XCTAssertEqual(stationarity.map(\.origin.stationarityVariable), r.classification.followerVariables.map { Optional($0) }, label)
            for row in stationarity {
                let j = try XCTUnwrap(row.origin.stationarityVariable)
                XCTAssertEqual(row.name, "stationarity[\(m.variables[j].name)]", label)
                XCTAssertEqual(m.variables[j].owner, .theFollower, label)
            }
            // Every other row: a dual link naming its dual(con) column, or a big-M row naming its pair.
            for row in milp.rows {
                switch row.origin {
                case .leaderConstraint(let i), .followerConstraint(let i), .productLinearization(let i):
                    XCTAssertEqual(row.name, m.constraints[i].name, label)
                case .stationarity: break
                case .dualLink(let j, let constraint):
                    XCTAssertEqual(row.name, "dual_link[\(m.variables[j].name)]", label)
                    XCTAssertEqual(m.variables[j].role, .dual(constraint: constraint), label)
                case .complementarity(let pair, let side):
                    let name = r.complementarityModel.complementarities[pair].name
                    let record = try XCTUnwrap(r.bigM.first { $0.pairIndex == pair }, label)
                    XCTAssertEqual(record.pair, name, label)
                    XCTAssertNotNil(record.binaryColumn, label)
                    let suffix = String(name.dropFirst("compl_".count))
                    XCTAssertEqual(row.name, (side == .slack ? "compl_slack_" : "compl_dual_") + suffix, label)
                default:
                    XCTFail("\(label): unexpected origin \(row.origin) of \(row.name)")
                }
            }
            // Each binary of the big-M pass has its two rows.
            for record in r.bigM where record.binaryColumn != nil {
                for side in [ComplementaritySide.slack, .multiplier] {
                    XCTAssertEqual(milp.rows(where: { $0 == .complementarity(pair: record.pairIndex, side: side) }).count, 1, "\(label): \(record.pair)")
                }
            }
        }
    }

    func testDualLinkAndProductRowsAreTyped() throws {
        let bard = try Planner.reformulate(try model(models[2].1), lpSolver: nil)
        XCTAssertEqual(bard.milp.rows(where: { if case .dualLink = $0 { return true } else { return false } }).map(\.name), ["dual_link[dual(g1)]"])
        let expansion = try Planner.reformulate(try model(models[3].1), lpSolver: nil)
        let products = expansion.milp.rows(where: { if case .productLinearization = $0 { return true } else { return false } })
        XCTAssertFalse(products.isEmpty)
        XCTAssertTrue(products.allSatisfy { $0.name.hasPrefix("product[") || $0.name.hasPrefix("expand[") }, "\(products.map(\.name))")
    }
}
