import BlomodelCore
import LinearAlgebra

/// Numerical convexity of a quadratic form `sum_p q_p v_a v_b` (in minimisation form).
///
/// The Hessian `H` (with `H_aa = 2 q_aa`, `H_ab = H_ba = q_ab`) is split into its
/// connected blocks (variables linked by a product), and each block's smallest
/// eigenvalue is computed by LAPACK (`dsyev`). The form is convex when
/// every block's smallest eigenvalue is at least `-tolerance * max(1, max |H_ij|)`.
/// A failing block is returned with its variables, its smallest eigenvalue and the
/// matching eigenvector (a direction of negative curvature), so the message can
/// name the terms that make the function nonconvex.
public enum Convexity {
    public struct Failure: Sendable {
        /// The variables of the nonconvex block, in order.
        public var variables: [VarID]
        public var eigenvalue: Double
        /// The eigenvector, one entry per variable of the block.
        public var direction: [Double]
    }

    public static func check(_ quadratic: [VarPair: Double], tolerance: Double = 1e-9) -> Failure? {
        var worst: Failure?
        for block in blocks(quadratic) {
            // A large block with a narrow band (chains, grids in order): a banded Cholesky of
            // H + tolerance * I proves convexity in n * band^2 work. Only a failure needs the
            // dense eigenvalues (for the message).
            if block.variables.count > 200, bandedCheckShowsConvex(block, tolerance: tolerance) { continue }
            let (h, scale) = hessian(block)
            // Eigenvalues alone first; the direction only for a failing block.
            let value = LinearAlgebra.symmetricEigenvalues(h)?.first ?? -.infinity
            if value < -tolerance * max(1, scale), worst.map({ value < $0.eigenvalue }) ?? true {
                let (smallest, vector) = smallestEigen(h)
                worst = Failure(variables: block.variables, eigenvalue: smallest, direction: vector)
            }
        }
        return worst
    }

    /// A connected block of the Hessian: variables linked by products, with their terms.
    struct Block {
        var variables: [VarID]
        var terms: [(VarPair, Double)]
    }

    /// The blocks of a quadratic form, by union-find over the variables that appear in
    /// products; variables and terms in ascending order. Each term is visited a constant
    /// number of times, so a separable form of 10^5 squares costs 10^5, not 10^10.
    static func blocks(_ quadratic: [VarPair: Double]) -> [Block] {
        let terms = quadratic.sorted { $0.key < $1.key }
        var parent: [VarID: VarID] = [:]
        func find(_ v: VarID) -> VarID {
            var r = v
            while let p = parent[r], p != r { r = p }
            var c = v
            while let p = parent[c], p != r {
                parent[c] = r
                c = p
            }
            return r
        }
        for (p, _) in terms {
            if parent[p.first] == nil { parent[p.first] = p.first }
            if parent[p.second] == nil { parent[p.second] = p.second }
            let (a, b) = (find(p.first), find(p.second))
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var index: [VarID: Int] = [:]
        var result: [Block] = []
        for v in parent.keys.sorted() {
            let root = find(v)
            if let k = index[root] {
                result[k].variables.append(v)
            } else {
                index[root] = result.count
                result.append(Block(variables: [v], terms: []))
            }
        }
        for (p, c) in terms { if let k = index[find(p.first)] { result[k].terms.append((p, c)) } }
        return result
    }

    /// True when the block's Hessian is banded (in variable order) with a band under a tenth of
    /// its size, and `H + tolerance * max(1, max |H_ij|) * I` is positive definite: then every
    /// eigenvalue is above `-tolerance * max(1, max |H_ij|)`, the test `check` applies.
    static func bandedCheckShowsConvex(_ block: Block, tolerance: Double) -> Bool {
        let position = Dictionary(uniqueKeysWithValues: block.variables.enumerated().map { ($1, $0) })
        var entries: [(Int, Int, Double)] = []
        entries.reserveCapacity(block.terms.count)
        var band = 0, scale = 0.0
        for (p, c) in block.terms {
            guard let i = position[p.first], let j = position[p.second] else { continue }
            let (a, b) = (min(i, j), max(i, j))
            band = max(band, b - a)
            entries.append((a, b, a == b ? 2 * c : c))
            scale = max(scale, abs(a == b ? 2 * c : c))
        }
        let n = block.variables.count
        guard band * 10 < n else { return false }
        return LinearAlgebra.isPositiveDefiniteBand(n: n, bandwidth: band, entries: entries, shift: tolerance * max(1, scale)) == true
    }

    /// The Hessian of a block (`H_aa = 2 q_aa`, `H_ab = H_ba = q_ab`) and its largest entry's magnitude.
    static func hessian(_ block: Block) -> (matrix: [[Double]], scale: Double) {
        let position = Dictionary(uniqueKeysWithValues: block.variables.enumerated().map { ($1, $0) })
        let n = block.variables.count
        var h = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for (p, c) in block.terms {
            guard let i = position[p.first], let j = position[p.second] else { continue }
            if i == j {
                h[i][i] += 2 * c
            } else {
                h[i][j] += c
                h[j][i] += c
            }
        }
        var scale = 0.0
        for row in h { for v in row { scale = max(scale, abs(v)) } }
        return (h, scale)
    }

    /// The smallest eigenvalue of a symmetric matrix and its unit eigenvector (LAPACK `dsyev`).
    static func smallestEigen(_ matrix: [[Double]]) -> (Double, [Double]) {
        guard let e = LinearAlgebra.symmetricEigen(matrix) else {
            // Only non-finite input fails; call it nonconvex, with no direction.
            return (-.infinity, [Double](repeating: 0, count: matrix.count))
        }
        return (e.values[0], e.vectors[0])
    }
}

extension Convexity {
    /// The largest block of linked variables whose eigenvalues are computed for strong convexity.
    public static let maximumEigenBlock = 1500

    /// The smallest eigenvalue of the Hessian of `sum c * v_i * v_j` over `variables`
    /// (variables without a quadratic term contribute 0), or nil when a block of linked
    /// variables is larger than `maximumEigenBlock`.
    public static func smallestEigenvalue(_ quadratic: [VarPair: Double], over variables: [VarID]) -> Double? {
        let involved = Set(quadratic.keys.flatMap { [$0.first, $0.second] })
        var smallest = variables.contains { !involved.contains($0) } ? 0.0 : Double.infinity
        for block in blocks(quadratic) {
            if block.variables.count > maximumEigenBlock { return nil }
            smallest = min(smallest, LinearAlgebra.symmetricEigenvalues(hessian(block).matrix)?.first ?? -.infinity)
        }
        return smallest.isFinite ? smallest : 0
    }

    /// The smallest and largest eigenvalues of the Hessian of `sum c * v_i * v_j` (over the
    /// variables that appear in it), and the largest entry's magnitude (the scale for
    /// tolerances); eigenvalues only, one `dsyev` per block. Nil for an empty form, a
    /// non-finite one, or one with a block of more than `maximumBlock` variables.
    public static func eigenvalueRange(_ quadratic: [VarPair: Double], maximumBlock: Int = .max)
        -> (smallest: Double, largest: Double, scale: Double)?
    {
        var smallest = Double.infinity, largest = -Double.infinity, scale = 0.0
        let blocks = blocks(quadratic)
        if blocks.contains(where: { $0.variables.count > maximumBlock }) { return nil }
        for block in blocks {
            let (h, s) = hessian(block)
            scale = max(scale, s)
            guard let values = LinearAlgebra.symmetricEigenvalues(h), let lo = values.first, let hi = values.last else { return nil }
            smallest = min(smallest, lo)
            largest = max(largest, hi)
        }
        return smallest.isFinite ? (smallest, largest, scale) : nil
    }

    /// For forms too large for eigenvalues: whether banded Cholesky shows every block convex
    /// (or, with `negated`, concave). False when it cannot show it (not: when it is false).
    public static func bandedShowsConvex(_ quadratic: [VarPair: Double], negated: Bool = false, tolerance: Double = 1e-9) -> Bool {
        let form = negated ? quadratic.mapValues { -$0 } : quadratic
        return blocks(form).allSatisfy { bandedCheckShowsConvex($0, tolerance: tolerance) }
    }
}
