import BlomodelCore
import Foundation

/// The value-function program of an LP follower: the follower's optimality as one row, its
/// objective at most its optimal value, with the optimal value written through its dual.
///
/// The follower (minimisation form) solves, at the leader's `x`,
///
///     phi(x) = min_y { c(x)'y : lo_i <= a_i'y + e_i'x <= hi_i,  l <= y <= u }
///
/// and `y` is optimal exactly when it is feasible, some multipliers are dual feasible
/// (stationarity rows, signs), and the duality gap is not positive. Writing each finite side
/// of a row or bound as `g_k(x, y) >= 0` with multiplier `lambda_k >= 0` (equality rows, and a
/// variable fixed by its bounds as the row `y_f = l_f`, with a free `nu_e`), stationarity turns
/// the gap into
///
///     sum_k g_k lambda_k = c(x)'y - sum_e nu_e (rhs_e - e_e'x) + sum_k h_k(x) lambda_k,
///
/// where `h_k(x)` is the part of `g_k` without follower variables. Since every `g_k lambda_k >= 0`,
/// the **value-function row**
///
///     c(x)'y - sum_e nu_e (rhs_e - e_e'x) + sum_k h_k(x) lambda_k <= 0          (f(x, y) <= phi(x))
///
/// with primal feasibility, stationarity and dual feasibility replaces all complementarity pairs
/// by one row and no binary per pair (weak duality gives the other inequality). The row has
/// products of leader variables with follower variables (from `c(x)`) and with multipliers (from
/// `e'x`). Each is made exact when the leader factor is integer or binary with finite bounds and
/// the other factor is bounded: `x = lower + sum_k 2^k b_k` (bits shared by all of `x`'s
/// products; a binary `x` is its own bit) and each `b_k v` by four rows
///
///     p <= v_max b,  p >= v_min b,  p <= v - v_min (1 - b),  p >= v - v_max (1 - b).
///
/// A multiplier's bound is the big-M pass's dual M of its pair (proven, user-given or the
/// default; the route says which it rests on); a follower variable's bound is its own.
///
/// Accepts: the complementarity model of an LP follower (the KKT pass's output). A convex-QP
/// follower's row would hold `y'Qy` (a convex quadratic constraint, which the MILP solvers do not
/// take); products with a continuous leader variable, an unbounded factor, or an equality row
/// with leader variables (its free multiplier has no bound) are refused with the reason.
package enum ValueFunctionReformulation {
    /// The program and what it rests on.
    public struct Result: Sendable {
        /// The value-function program (the complementarity model's columns and rows first).
        public var program: SingleLevelModel
        /// Pairs (indices into the complementarity model's pairs) whose multiplier bound (dual M)
        /// the program uses.
        public var boundedPairs: [Int]
        /// Exact products and expansion bits added.
        public var products: Int
        public var bits: Int
        /// The value-function row as text (`--explain`).
        public var rowText: String
        /// The independent blocks of the follower: one value-function row each.
        public var blocks: Int
    }

    /// The program, or the reason it cannot be built exactly.
    public static func apply(
        mpcc: SingleLevelModel, model: BilevelModel, classification: Classification, bigM: [BigMRecord]
    ) -> Result? {
        (try? build(mpcc: mpcc, model: model, classification: classification, bigM: bigM).get())
    }

    /// Why the value-function program cannot be built exactly for this model, or nil when it can.
    public static func refusal(mpcc: SingleLevelModel, model: BilevelModel, classification: Classification, bigM: [BigMRecord]) -> String? {
        if case .failure(let why) = build(mpcc: mpcc, model: model, classification: classification, bigM: bigM) { return why.text }
        return nil
    }

    struct Why: Error { var text: String }

    /// Why the program cannot be exact, from the model alone (before the multipliers' bounds are
    /// known): a QP follower, a product with a continuous or unbounded leader factor or an
    /// unbounded follower factor, an equality row with leader variables. Nil when it can.
    public static func modelRefusal(_ model: BilevelModel, _ classification: Classification) -> String? {
        let vars = model.variables
        if !classification.followerQuadratic.isEmpty {
            return "the follower is a convex QP: its value-function row would hold y'Qy, a quadratic constraint the MILP solvers do not take"
        }
        func integerBounded(_ j: VarID) -> Bool { vars[j].kind != .continuous && vars[j].lower.isFinite && vars[j].upper.isFinite }
        for p in classification.followerBilinear.keys.sorted() {
            let (y, x) = vars[p.first].owner.isFollower ? (p.first, p.second) : (p.second, p.first)
            if !integerBounded(x) {
                return "the follower's cost has the product \(vars[x].name)*\(vars[y].name) with \(vars[x].name) continuous or unbounded: the value-function row's products are exact only with integer bounded leader factors"
            }
            if !(vars[y].lower.isFinite && vars[y].upper.isFinite) {
                return "the follower's cost has the product \(vars[x].name)*\(vars[y].name) and \(vars[y].name) has no finite bounds"
            }
        }
        for i in classification.followerRows {
            let c = model.constraints[i]
            for (j, _) in c.body.linear.sortedTerms where vars[j].owner == .leader {
                if c.isEquality {
                    return "follower equality \(c.name) has the leader variable \(vars[j].name): its free multiplier has no bound for the product"
                }
                if !integerBounded(j) {
                    return "follower constraint \(c.name) has the leader variable \(vars[j].name), which is continuous or unbounded: its product with the multiplier is not exact"
                }
            }
        }
        return nil
    }

    static func build(
        mpcc: SingleLevelModel, model: BilevelModel, classification: Classification, bigM: [BigMRecord]
    ) -> Swift.Result<Result, Why> {
        let vars = model.variables
        guard classification.followerQuadratic.isEmpty else {
            return .failure(
                Why(
                    text:
                        "the follower is a convex QP: its value-function row holds y'Qy, a convex quadratic constraint that the MILP solvers do not take (exact-kkt solves it)"
                ))
        }
        var out = mpcc
        out.complementarities = []
        let dualM = Dictionary(bigM.map { ($0.pairIndex, $0) }, uniquingKeysWith: { a, _ in a })
        // The row, as linear terms plus products (leader variable, other column, coefficient).
        var linear = LinearExpr()
        var products: [(x: VarID, other: Int, coefficient: Double)] = []
        // c(x)'y: the follower's costs in minimisation form.
        let sign = model.lowerObjective.sense.sign
        for (j, c) in model.lowerObjective.expression.linear.terms where vars[j].owner.isFollower { linear.add(j, sign * c) }
        for (p, c) in classification.followerBilinear.sorted(by: { $0.key < $1.key }) {  // in pair order: deterministic
            let (y, x) = vars[p.first].owner.isFollower ? (p.first, p.second) : (p.second, p.first)
            products.append((x, y, c))
        }
        // - sum_e nu_e (rhs_e - e_e'x) for equality rows, and - nu_f l_f for a follower variable
        // fixed by its bounds (its free multiplier enters stationarity as an equality row's).
        for (k, column) in mpcc.columns.enumerated() {
            if case .boundDual(let j, .equality) = column.origin {
                linear.add(k, -vars[j].lower)
                continue
            }
            guard case .rowDual(let i, .equality) = column.origin else { continue }
            let c = model.constraints[i]
            let leaderTerms = c.body.linear.sortedTerms.filter { vars[$0.0].owner == .leader }
            if let first = leaderTerms.first {
                return .failure(
                    Why(
                        text:
                            "follower equality \(c.name) has the leader variable \(vars[first.0].name): its free multiplier has no bound for the product \(vars[first.0].name)*\(column.name) (exact-kkt solves it)"
                    ))
            }
            linear.add(k, -(c.lower - c.body.linear.constant))
        }
        // + sum_k h_k(x) lambda_k for every complementarity pair.
        var boundedPairs: [Int] = []
        for (index, pair) in mpcc.complementarities.enumerated() {
            let lambda = pair.multiplier
            var needsBound = false
            for (id, a) in pair.slack.sortedTerms where !(id < vars.count && vars[id].owner.isFollower) {
                guard id < vars.count else {
                    return .failure(Why(text: "the slack of \(pair.name) has the column \(mpcc.columns[id].name), which is not a model variable"))
                }
                products.append((id, lambda, a))
                needsBound = true
            }
            if pair.slack.constant != 0 { linear.add(lambda, pair.slack.constant) }
            if needsBound { boundedPairs.append(index) }
        }
        // Bounds of the products' other factors.
        // A multiplier's range: its column's bounds, the upper one at most its pair's dual M.
        let pairOfMultiplier = Dictionary(mpcc.complementarities.enumerated().map { ($1.multiplier, $0) }, uniquingKeysWith: { a, _ in a })
        func bounds(_ column: Int) -> (Double, Double)? {
            let c = out.columns[column]
            var (lo, hi) = (c.lower, c.upper)
            if let pairIndex = pairOfMultiplier[column], let record = dualM[pairIndex] { hi = min(hi, record.dualM) }
            return lo.isFinite && hi.isFinite ? (lo, hi) : nil
        }
        var bitsOf: [VarID: [Int]] = [:]
        // Each product column's non-leader factor (its block is the factor's).
        var productFactor: [Int: Int] = [:]
        var bitCount = 0, productCount = 0
        var productTerms = LinearExpr()
        var productText: [String] = []
        for (x, other, coefficient) in products {
            let v = vars[x]
            guard v.kind != .continuous, v.lower.isFinite, v.upper.isFinite else {
                return .failure(
                    Why(
                        text:
                            "the value-function row has the product \(v.name)*\(out.columns[other].name) and \(v.name) is \(v.kind == .continuous ? "continuous" : "unbounded"); it is exact only with integer or binary bounded leader factors (exact-kkt or branch-and-bound solve this model)"
                    ))
            }
            guard let (lo, hi) = bounds(other) else {
                return .failure(
                    Why(text: "the value-function row has the product \(v.name)*\(out.columns[other].name), and \(out.columns[other].name) has no finite bound"))
            }
            // The bits of x (shared by its products).
            let bits: [Int]
            if let known = bitsOf[x] {
                bits = known
            } else if v.lower == 0 && v.upper == 1 {
                bits = [x]
                bitsOf[x] = bits
            } else {
                let range = v.upper - v.lower
                let count = max(1, Int((log2(range + 1)).rounded(.up)))
                var created: [Int] = []
                var expansion = LinearExpr()
                expansion.add(x, 1)
                var span = LinearExpr()
                for k in 0..<count {
                    let b = out.addColumn(.init(name: "\(v.name)_bit\(k)", lower: 0, upper: 1, isInteger: true, origin: .expansionBit(variable: x, bit: k)))
                    created.append(b)
                    expansion.add(b, -pow(2, Double(k)))
                    span.add(b, pow(2, Double(k)))
                }
                out.addRow("expand_\(v.name)", expansion, lower: v.lower, upper: v.lower, origin: .expansion(variable: x))
                if pow(2, Double(count)) - 1 > range {
                    out.addRow("expand_range_\(v.name)", span, lower: -.infinity, upper: range, origin: .expansion(variable: x))
                }
                bitCount += count
                bits = created
                bitsOf[x] = bits
            }
            // x * v = lower * v + sum_k 2^k (b_k v).
            if v.lower != 0 && !(v.lower == 0 && v.upper == 1) { productTerms.add(other, coefficient * v.lower) }
            for (k, b) in bits.enumerated() {
                let p = out.addColumn(
                    .init(
                        name: "vf_\(out.columns[b].name)_\(out.columns[other].name)", lower: min(0, lo), upper: max(0, hi), isInteger: false,
                        origin: .exactProduct(variable: x, bit: k, factor: other)))
                productCount += 1
                productFactor[p] = other
                func row(_ terms: [(Int, Double)], lower: Double, upper: Double) {
                    var e = LinearExpr()
                    for (c, a) in terms { e.add(c, a) }
                    out.addRow("vf_product_\(p)_\(out.rows.count)", e, lower: lower, upper: upper, origin: .exactProduct(column: p))
                }
                row([(p, 1), (b, -hi)], lower: -.infinity, upper: 0)  // p <= hi b
                row([(p, 1), (b, -lo)], lower: 0, upper: .infinity)  // p >= lo b
                row([(p, 1), (other, -1), (b, -lo)], lower: -.infinity, upper: -lo)  // p <= v - lo (1 - b)
                row([(p, 1), (other, -1), (b, -hi)], lower: -hi, upper: .infinity)  // p >= v - hi (1 - b)
                productTerms.add(p, coefficient * (bits.count == 1 && bits[0] == x ? 1 : pow(2, Double(k))))
            }
            productText.append("\(formatNumber(coefficient)) \(v.name)*\(out.columns[other].name)")
        }
        // One row per independent block of the follower (Blocks, below): each block's duality gap
        // is nonnegative on its own, so each block's part of the row is at most zero. Exact like the
        // single row, and tighter in the LP relaxation (no block's slack pays for another's).
        let blocks = Blocks(model: model, mpcc: out, productFactor: productFactor)
        var rows: [Int: LinearExpr] = [:]
        for (id, c) in linear.sortedTerms { rows[blocks.of(id), default: LinearExpr()].add(id, c) }
        for (id, c) in productTerms.sortedTerms { rows[blocks.of(id), default: LinearExpr()].add(id, c) }
        let ordered = rows.keys.sorted()
        for (k, block) in ordered.enumerated() {
            out.addRow(ordered.count == 1 ? "value_function" : "value_function_\(k + 1)", rows[block]!, lower: -.infinity, upper: 0, origin: .valueFunction)
        }
        // Multipliers fixed at zero by the big-M pass's proofs stay fixed (their pair's dual M is used).
        for record in bigM where record.resolution == .multiplierZero {
            out.columns[record.multiplierColumn].upper = 0
            if !boundedPairs.contains(record.pairIndex) { boundedPairs.append(record.pairIndex) }
        }
        let linearText = linear.sortedTerms.prefix(6).map { "\(formatNumber($0.1)) \(out.columns[$0.0].name)" }
        let text =
            (linearText + productText.prefix(6)).joined(separator: " + ")
            + (linear.sortedTerms.count > 6 || productText.count > 6 ? " + ..." : "") + " <= 0"
        return .success(
            Result(
                program: out, boundedPairs: boundedPairs.sorted(), products: productCount, bits: bitCount, rowText: text,
                blocks: ordered.count))
    }

    /// The independent blocks of the follower: follower variables joined by the follower rows they
    /// share (union-find, no recursion). Every term of the value-function row belongs to one block:
    /// a follower variable's cost to its variable's, a row's multiplier to its row's, a bound's
    /// multiplier to its variable's, a product column to its non-leader factor's. Stationarity of a
    /// block's variables holds only its own multipliers, so the identity behind the row holds block
    /// by block (docs/reformulations.md).
    struct Blocks {
        /// The block (its smallest variable) of each model variable.
        private let root: [Int]
        private let model: BilevelModel
        private let mpcc: SingleLevelModel
        private let productFactor: [Int: Int]
        /// The first follower variable of each constraint that has one.
        private let rowVariable: [Int: Int]

        init(model: BilevelModel, mpcc: SingleLevelModel, productFactor: [Int: Int]) {
            self.model = model
            self.mpcc = mpcc
            self.productFactor = productFactor
            var sets = UnionFind(count: model.variables.count)
            var first: [Int: Int] = [:]
            for (i, c) in model.constraints.enumerated() {
                let follower = c.body.linear.sortedTerms.map(\.0).filter { model.variables[$0].owner.isFollower }
                guard let head = follower.first else { continue }
                first[i] = head
                for j in follower.dropFirst() { sets.union(head, j) }
            }
            rowVariable = first
            root = (0..<model.variables.count).map { sets.find($0) }
        }

        /// The block of a column of the program (-1: outside every block; such terms join one row).
        func of(_ column: Int) -> Int {
            // A product's factor is a follower variable or a multiplier, never another product.
            let c = productFactor[column] ?? column
            guard c < mpcc.columns.count else { return -1 }
            switch mpcc.columns[c].origin {
            case .original(let j) where model.variables[j].owner.isFollower: return root[j]
            case .rowDual(let row, _): return rowVariable[row].map { root[$0] } ?? -1
            case .boundDual(let j, _): return root[j]
            default: return -1
            }
        }
    }
}
