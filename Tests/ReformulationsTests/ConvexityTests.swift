import BlomodelCore
import XCTest

@testable import Reformulations

/// The convexity check on matrices whose eigenvalues are known in closed form.
final class ConvexityTests: XCTestCase {
    func testSmallestEigenpairThroughLAPACK() {
        // [[2, 4], [4, 2]]: eigenvalues 2 - 4 = -2 and 2 + 4 = 6; (1, -1)/sqrt(2) belongs to -2.
        let (value, vector) = Convexity.smallestEigen([[2, 4], [4, 2]])
        XCTAssertEqual(value, -2, accuracy: 1e-12)
        XCTAssertEqual(abs(vector[0]), 1 / 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(vector[0], -vector[1], accuracy: 1e-12)
    }

    func testBlocksAreCheckedApart() {
        // y0^2 + y1^2 + 4 y1 y2 + y2^2 (block {1, 2}: Hessian [[2, 4], [4, 2]], indefinite) and a
        // convex block {0}; x3^2 - x3 x4 + x4^2 is convex (Hessian [[2, -1], [-1, 2]], eigenvalues 1, 3).
        let bad = Convexity.check([VarPair(0, 0): 1, VarPair(1, 1): 1, VarPair(1, 2): 4, VarPair(2, 2): 1])
        XCTAssertEqual(bad?.variables, [1, 2])
        XCTAssertEqual(bad?.eigenvalue ?? 0, -2, accuracy: 1e-12)
        XCTAssertNil(Convexity.check([VarPair(3, 3): 1, VarPair(3, 4): -1, VarPair(4, 4): 1]))
        // Positive semidefinite but singular, (y1 - y2)^2: accepted.
        XCTAssertNil(Convexity.check([VarPair(1, 1): 1, VarPair(1, 2): -2, VarPair(2, 2): 1]))
    }
}

/// Large banded Hessians are decided by a banded Cholesky (LAPACK dpbtrf) instead of dense
/// eigenvalues: a 20 000-variable chain in well under a second.
final class BandedConvexityTests: XCTestCase {
    /// sum (x_i - x_{i+1})^2 + eps * x_i^2 : tridiagonal, convex.
    func chain(_ n: Int, epsilon: Double) -> [VarPair: Double] {
        var q: [VarPair: Double] = [:]
        for i in 0..<n {
            q[VarPair(i, i), default: 0] += epsilon + (i > 0 ? 1 : 0) + (i < n - 1 ? 1 : 0)
            if i < n - 1 { q[VarPair(i, i + 1)] = -2 }
        }
        return q
    }

    func testLongChainIsConvex() {
        let q = chain(20_000, epsilon: 0)
        XCTAssertNil(Convexity.check(q), "a sum of squares of differences is convex (singular, PSD)")
        XCTAssertTrue(Convexity.bandedShowsConvex(q))
        XCTAssertFalse(Convexity.bandedShowsConvex(q, negated: true))
    }

    /// One negative entry on the diagonal of a 400-variable chain: refused, with the dense
    /// eigenvalue in the message (the banded test only ever proves convexity).
    func testIndefiniteChainIsRefused() throws {
        var q = chain(400, epsilon: 0.1)
        q[VarPair(200, 200)] = -5
        let failure = try XCTUnwrap(Convexity.check(q))
        XCTAssertLessThan(failure.eigenvalue, 0)
        XCTAssertFalse(Convexity.bandedShowsConvex(q))
    }
}
