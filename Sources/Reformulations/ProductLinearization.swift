import BlomodelCore
import Foundation

/// Makes products with a bounded integer leader variable exact and linear, in the
/// leader's objective and constraints (a `BilevelModel` -> `BilevelModel` pass).
///
/// For a term `c u v` where `u` is an integer leader variable in `[l, U]` (finite) and
/// `v` is any variable with a finite range `[vL, vU]` (a follower variable, a leader
/// variable, or `dual(con)` with a `dualbound`):
///
///     u = l + sum_k 2^k b_k,  b_k binary, k = 0 .. floor(log2(U - l))   (row expand[u])
///     u v = l v + sum_k 2^k w_k,   w_k = b_k v
///
/// and each `w = b v` with `b` binary is exactly (not as a relaxation) the four rows
///
///     vL b <= w <= vU b,    v - vU (1 - b) <= w <= v - vL (1 - b)
///
/// (at `b = 0` they force `w = 0`, at `b = 1` they force `w = v`). A binary `u` needs no
/// digits. Ranges of variables without declared bounds come from LPs over the linear
/// constraints of both levels (valid at every bilevel-feasible point).
///
/// Before that, products of `dual(con)` with the follower part of `con`'s body are rewritten
/// by complementarity (`dualTimesBody`).
///
/// Which terms: every product in a leader constraint; in the leader's objective, the
/// products of distinct variables, unless the objective is left to strong duality
/// (its products are all leader x follower products the follower's objective also has)
/// or is convex as a whole (outer approximation solves it). Squares are left to outer
/// approximation. A product that must be made linear but cannot (no integer factor, or
/// an unbounded factor) is refused with its position and what would fix it.
///
/// Produces: the same model with linear leader expressions where terms were expanded,
/// the digits and product variables appended as leader variables with role `.auxiliary`
/// (so user variables keep their identifiers: the map back is the identity on them), and
/// the new rows as leader constraints.
package enum ProductLinearization {
    public struct Result {
        public var model: BilevelModel
        /// One line per expanded term (for `--explain`).
        public var termPlan: [String]
        /// How each auxiliary variable follows from the others (warm starts compute them).
        public var definitions: [VarID: Definition] = [:]
        /// Proven ranges of `dual(con)` by constraint index (dual vertices), where available.
        public var provenDualRanges: [Int: Interval] = [:]
    }

    /// The widest integer range binary expansion takes: 31 binary digits.
    public static let maximumExpansionWidth = Double(Int32.max)

    /// The value an auxiliary variable must take.
    public enum Definition: Sendable {
        /// Digit `k` of `u - offset` in binary.
        case digit(of: VarID, offset: Double, k: Int)
        /// `b * v`.
        case product(VarID, VarID)
    }

    /// The auxiliary variables' values at a point where the user's variables are set
    /// (digits before products: product variables have larger identifiers).
    public static func complete(_ values: inout [Double], _ definitions: [VarID: Definition]) {
        for j in definitions.keys.sorted() {
            switch definitions[j]! {
            case .digit(let u, let offset, let k):
                let d = (values[u] - offset).rounded()
                // Expanded ranges are at most 2^31 wide; anything else (a NaN, an absurd start) has no digits.
                guard d.isFinite, d >= 0, d <= maximumExpansionWidth else {
                    values[j] = 0
                    continue
                }
                values[j] = Double((Int(d) >> k) & 1)
            case .product(let b, let v): values[j] = values[b] * values[v]
            }
        }
    }

    /// Expands the products described above. The pass makes no solver call: the ranges of user
    /// variables without finite bounds come from `ranges` (LPs over the high-point relaxation,
    /// computed before the pass by `HighPointRanges.prove`); a variable it lacks keeps its declared bounds.
    public static func apply(_ input: BilevelModel, ranges highPoint: HighPointRanges) throws -> Result {
        var model = input
        var plan: [String] = []
        var definitions: [VarID: Definition] = [:]
        var digitsOf: [VarID: (offset: Double, digits: [(VarID, Double)])] = [:]
        var productOf: [VarPair: VarID] = [:]
        var ranges: [VarID: Interval] = [:]
        var rangeSource: [VarID: String] = [:]
        let vars = input.variables

        func fail(_ message: String, _ at: SourceLocation, _ notes: [String]) -> Diagnostic {
            Diagnostic(.error, message, at: at, length: 1, notes: notes).withSourceLine()
        }
        func isBoundedInteger(_ j: VarID) -> Bool {
            model.variables[j].owner == .leader && model.variables[j].kind != .continuous
                && model.variables[j].lower.isFinite && model.variables[j].upper.isFinite
                && model.variables[j].upper - model.variables[j].lower <= ProductLinearization.maximumExpansionWidth
        }
        /// A user variable's bounds, made finite where LPs over the linear constraints of both
        /// levels could (valid at every bilevel-feasible point).
        func declaredOrRelaxed(_ j: VarID) -> Interval {
            let r = input.variables[j].bounds
            guard !r.lower.isFinite || !r.upper.isFinite else { return r }
            return highPoint.ranges[j] ?? r
        }
        func range(_ j: VarID) -> Interval {
            if let r = ranges[j] { return r }
            var r = model.variables[j].role == .decision ? declaredOrRelaxed(j) : model.variables[j].bounds
            if case .dual(let row) = model.variables[j].role {
                rangeSource[j] = r.lower.isFinite && r.upper.isFinite ? "dualbound, user-given" : "unbounded"
                if let proven = provenDualRanges?[row], proven.lower.isFinite || proven.upper.isFinite {
                    // Every optimal dual in a bounded face of the follower's dual polyhedron lies
                    // within its vertices' range: take the tighter of that and the user's dualbound.
                    let tighter = Interval(max(r.lower, proven.lower), min(r.upper, proven.upper))
                    if tighter.lower <= tighter.upper, tighter != r {
                        r = tighter
                        rangeSource[j] = "vertices of the follower's dual polyhedron, proven"
                    }
                }
            }
            ranges[j] = r
            return r
        }
        lazy var provenDualRanges: [Int: Interval]? = Self.provenDualRanges(input, ranges: declaredOrRelaxed)
        func digits(_ u: VarID) -> (offset: Double, digits: [(VarID, Double)]) {
            if let d = digitsOf[u] { return d }
            let v = model.variables[u]
            var result: (offset: Double, digits: [(VarID, Double)])
            if v.lower == v.upper {
                result = (v.lower, [])
            } else if v.lower == 0 && v.upper == 1 {
                result = (0, [(u, 1)])
            } else {
                let count = Int(Foundation.floor(Foundation.log2(v.upper - v.lower))) + 1
                var row = LinearExpr.variable(u)
                var list: [(VarID, Double)] = []
                for k in 0..<count {
                    let b = model.addVariable(
                        Variable(base: "\(v.name)_bit\(k)", owner: .leader, lower: 0, upper: 1, kind: .binary, role: .auxiliary, location: v.location))
                    definitions[b] = .digit(of: u, offset: v.lower, k: k)
                    let weight = Foundation.pow(2, Double(k))
                    row.add(b, -weight)
                    list.append((b, weight))
                }
                var c = Constraint(base: "expand[\(v.name)]", owner: .leader, body: QuadExpr(linear: row), lower: v.lower, upper: v.lower, location: v.location)
                c.isAuxiliary = true
                model.constraints.append(c)
                result = (v.lower, list)
            }
            digitsOf[u] = result
            return result
        }
        /// w = b * v for a binary b, by the four exact rows.
        func product(_ b: VarID, _ v: VarID, _ r: Interval, at: SourceLocation) -> VarID {
            let key = VarPair(b, v)
            if let w = productOf[key] { return w }
            let name = "\(model.variables[b].name)*\(model.variables[v].name)"
            let w = model.addVariable(
                Variable(base: name, owner: .leader, lower: min(0, r.lower), upper: max(0, r.upper), role: .auxiliary, location: at))
            func row(_ suffix: String, _ terms: SparseMap<VarID>, _ lo: Double, _ hi: Double) {
                var c = Constraint(
                    base: "product[\(name)]:\(suffix)", owner: .leader, body: QuadExpr(linear: LinearExpr(terms: terms)), lower: lo, upper: hi, location: at)
                c.isAuxiliary = true
                model.constraints.append(c)
            }
            row("lo", [w: 1, b: -r.lower], 0, .infinity)  // w >= vL b
            row("hi", [w: 1, b: -r.upper], -.infinity, 0)  // w <= vU b
            row("on_lo", [w: 1, v: -1, b: -r.upper], -r.upper, .infinity)  // w >= v - vU (1 - b)
            row("on_hi", [w: 1, v: -1, b: -r.lower], -.infinity, -r.lower)  // w <= v - vL (1 - b)
            productOf[key] = w
            definitions[w] = .product(b, v)
            return w
        }

        /// Expands the terms of `e` chosen by `select`; throws for those that `mustExpand` and cannot be.
        func expand(_ e: QuadExpr, where place: String, mustExpand: Bool, select: (VarPair) -> Bool) throws -> QuadExpr {
            var out = e
            for (p, c) in e.sortedQuadratic where select(p) {
                let at = e.origins[p] ?? .unknown
                let candidates = [(p.first, p.second), (p.second, p.first)].filter { isBoundedInteger($0.0) }
                guard !candidates.isEmpty else {
                    if !mustExpand { continue }
                    let unbounded = [p.first, p.second].first { vars[$0].owner == .leader && vars[$0].kind != .continuous }
                    if let u = unbounded, vars[u].lower.isFinite, vars[u].upper.isFinite {
                        throw fail(
                            "the product \(vars[p.first].name)*\(vars[p.second].name) in \(place) would expand the integer variable \(vars[u].name) over [\(formatNumber(vars[u].lower)), \(formatNumber(vars[u].upper))], more than 31 binary digits",
                            at, ["binary expansion takes integer ranges up to 2^31 - 1 wide; tighten the bounds of \(vars[u].name)"])
                    }
                    if let u = unbounded {
                        throw fail(
                            "the product \(vars[p.first].name)*\(vars[p.second].name) in \(place) needs finite bounds on the integer variable \(vars[u].name) to be linearized exactly",
                            at, ["declare bounds on \(vars[u].name): binary expansion writes it with finitely many binary digits"])
                    }
                    throw fail(
                        "the product \(vars[p.first].name)*\(vars[p.second].name) in \(place) cannot be made linear",
                        at, ["a product in a leader constraint is linearized exactly when one factor is an integer or binary leader variable with finite bounds and the other has finite bounds"])
                }
                // The integer with fewer digits is expanded; the other factor must be bounded.
                let (u, v) = candidates.min { model.variables[$0.0].upper - model.variables[$0.0].lower < model.variables[$1.0].upper - model.variables[$1.0].lower }!
                let r = range(v)
                guard r.lower.isFinite, r.upper.isFinite else {
                    let what: String
                    if case .dual = vars[v].role { what = "declare 'dualbound' on the constraint of \(vars[v].name)" } else { what = "declare bounds on \(vars[v].name), or constraints that bound it" }
                    throw fail(
                        "the product \(vars[p.first].name)*\(vars[p.second].name) in \(place) is linearized by binary expansion of \(vars[u].name), which needs a finite range for \(vars[v].name)",
                        at, [what])
                }
                let d = digits(u)
                out.addQuadratic(p, -c)
                out.linear.add(v, c * d.offset)
                for (b, weight) in d.digits {
                    if b == v {
                        out.linear.add(v, c * weight)  // b * b = b for a binary
                    } else {
                        out.linear.add(product(b, v, r, at: at), c * weight)
                    }
                }
                plan.append(
                    "\(place): \(vars[p.first].name)*\(vars[p.second].name) -> product-linearization: \(d.digits.count == 1 && d.digits[0].0 == u ? "\(vars[u].name) is binary" : "binary expansion of \(vars[u].name) (\(d.digits.count) digits)"), each digit times \(vars[v].name) in [\(formatNumber(r.lower)), \(formatNumber(r.upper))]\(rangeSource[v].map { " (\($0))" } ?? "") by four exact rows (exact)")
            }
            return out
        }

        // Complementarity first: dual(con) times the whole follower part of con's body.
        model.upperObjective.expression = dualTimesBody(model.upperObjective.expression, input, "the leader's objective", &plan)
        for i in model.constraints.indices where model.constraints[i].owner == .leader && !model.constraints[i].body.isLinear {
            model.constraints[i].body = dualTimesBody(model.constraints[i].body, input, "leader constraint \(model.constraints[i].name)", &plan)
        }

        // Leader constraints: every product.
        for i in input.constraints.indices where input.constraints[i].owner == .leader && !model.constraints[i].body.isLinear {
            model.constraints[i].body = try expand(
                model.constraints[i].body, where: "leader constraint \(input.constraints[i].name)", mustExpand: true) { _ in true }
        }
        // Leader objective: products of distinct variables, unless strong duality or outer approximation takes it whole.
        let F = model.upperObjective
        if !F.expression.isLinear, !leftToStrongDuality(model), !isConvex(F) {
            model.upperObjective.expression = try expand(F.expression, where: "the leader's objective", mustExpand: false) { $0.first != $0.second }
        }
        return Result(model: model, termPlan: plan, definitions: definitions, provenDualRanges: provenDualRanges ?? [:])
    }

    /// `dual(con) * (a'y)`, where `a'y` is the follower part of the body of a follower constraint
    /// `a'y + e'x` that is an equality (`= b`) or one-sided (`>= lo` or `<= hi`), equals
    /// `dual(con) * (b - e'x)` at every bilevel-feasible point: for an equality trivially, for an
    /// inequality by complementarity (a nonzero dual makes the row active). Terms
    /// `rho * dual(con) * y_j` for every `y_j` of the body with the same `rho` are replaced by
    /// `rho * b * dual(con) - rho * sum_k e_k dual(con) x_k`; the products with leader variables
    /// this leaves are expanded next when `x_k` is a bounded integer, or refused. Anything else
    /// is left for the other passes (and refused).
    static func dualTimesBody(_ e: QuadExpr, _ model: BilevelModel, _ place: String, _ plan: inout [String]) -> QuadExpr {
        var out = e
        var byDual: [VarID: [(VarPair, VarID, Double)]] = [:]
        for (p, c) in e.sortedQuadratic {
            for (d, other) in [(p.first, p.second), (p.second, p.first)] {
                if case .dual = model.variables[d].role, model.variables[other].owner.isFollower {
                    byDual[d, default: []].append((p, other, c))
                }
            }
        }
        for (d, terms) in byDual.sorted(by: { $0.key < $1.key }) {
            guard case .dual(let row) = model.variables[d].role else { continue }
            let c = model.constraints[row]
            let body = c.body.linear.terms.filter { model.variables[$0.key].owner.isFollower }
            let leaderPart = c.body.linear.terms.filter { model.variables[$0.key].owner == .leader }
            guard body.count == terms.count, !(c.lower.isFinite && c.upper.isFinite && c.lower != c.upper) else { continue }
            let rho = terms[0].2 / (body[terms[0].1] ?? .nan)
            guard rho.isFinite, terms.allSatisfy({ t in body[t.1].map { abs(t.2 - rho * $0) <= 1e-9 * max(1, abs(t.2)) } ?? false }) else { continue }
            let rhs = c.lower.isFinite ? c.lower : c.upper
            let at = e.origins[terms[0].0]
            for t in terms { out.addQuadratic(t.0, -t.2) }
            out.linear.add(d, rho * rhs)
            // Leader variables in the row move to the right-hand side: dual x (rhs - e'x); the
            // products dual x x_k that this leaves go to binary expansion (or are refused).
            for (k, ek) in leaderPart { out.addQuadratic(VarPair(d, k), -rho * ek, at: at) }
            plan.append(
                "\(place): \(model.variables[d].name) x the follower part of \(c.name) -> complementarity: equals \(model.variables[d].name) x (\(leaderPart.isEmpty ? formatNumber(rhs) : "its right-hand side minus its leader part")) at every bilevel-feasible point (exact)")
        }
        return out
    }

    /// Proven ranges of `dual(con)` for the rows that `dual()` refers to, from the vertices of
    /// the follower's dual polyhedron (`DualVertexBounds`) over the variables' ranges: the KKT
    /// system of the follower alone (the leader's objective and products set aside) is built,
    /// and each multiplier's vertex bound gives `dual(con) = s (lambda_lo - lambda_up)` a range.
    /// Nil when the method does not apply (too many bases, unbounded parameters).
    static func provenDualRanges(_ model: BilevelModel, ranges: @escaping (VarID) -> Interval) -> [Int: Interval]? {
        let rows = Set(model.variables.compactMap { v -> Int? in if case .dual(let r) = v.role { return r } else { return nil } })
        guard !rows.isEmpty else { return nil }
        var follower = model
        follower.upperObjective = Objective(sense: .minimize, name: "none", expression: QuadExpr())
        for i in follower.constraints.indices where follower.constraints[i].owner == .leader {
            follower.constraints[i].body = QuadExpr(linear: follower.constraints[i].body.linear)
        }
        guard let classification = try? Classifier.classify(follower) else { return nil }
        let kkt = KKTReformulation.apply(follower, classification)
        let bound: (Int) -> Interval = { k in
            if case .original(let j) = kkt.columns[k].origin { return ranges(j) }
            return Interval(kkt.columns[k].lower, kkt.columns[k].upper)
        }
        guard let vertex = DualVertexBounds.compute(kkt, bounds: bound) else { return nil }
        let sign = model.lowerObjective.sense.sign
        var out: [Int: Interval] = [:]
        for row in rows {
            var r = Interval.zero
            for (k, column) in kkt.columns.enumerated() {
                guard case .rowDual(let i, let side) = column.origin, i == row else { continue }
                let m = vertex[k] ?? .infinity
                switch side {
                case .equality: r = r + Interval(-m, m)
                case .lower: r = r + Interval(0, m)
                case .upper: r = r + Interval(-m, 0)
                }
            }
            out[row] = sign * r
        }
        return out
    }

    /// The user variables whose high-point ranges `apply` may ask for (those without finite
    /// bounds among: the factors of leader constraints' products; of the leader objective's
    /// products when it is expanded; and, when the model has `dual(con)` variables, the variables
    /// of the follower objective's products, which appear in stationarity). Sorted. A superset
    /// of what `apply` reads, so `HighPointRanges.prove` can compute them before the pass.
    static func variablesNeedingRanges(_ input: BilevelModel) -> [VarID] {
        var model = input
        var scratch: [String] = []
        model.upperObjective.expression = dualTimesBody(model.upperObjective.expression, input, "", &scratch)
        for i in model.constraints.indices where model.constraints[i].owner == .leader && !model.constraints[i].body.isLinear {
            model.constraints[i].body = dualTimesBody(model.constraints[i].body, input, "", &scratch)
        }
        var wanted = Set<VarID>()
        func add(_ e: QuadExpr, decisionsOnly: Bool) {
            for (p, _) in e.sortedQuadratic {
                for j in [p.first, p.second] where !decisionsOnly || model.variables[j].role == .decision { wanted.insert(j) }
            }
        }
        for c in model.constraints where c.owner == .leader { add(c.body, decisionsOnly: true) }
        let F = model.upperObjective
        if !F.expression.isLinear, !leftToStrongDuality(model), !isConvex(F) { add(F.expression, decisionsOnly: true) }
        if model.variables.contains(where: { if case .dual = $0.role { return true } else { return false } }) {
            add(model.lowerObjective.expression, decisionsOnly: false)
        }
        return wanted.filter { !input.variables[$0].lower.isFinite || !input.variables[$0].upper.isFinite }.sorted()
    }

    /// All of the objective's products are leader x follower products that the follower's objective also has.
    static func leftToStrongDuality(_ model: BilevelModel) -> Bool {
        let follower = Set(model.lowerObjective.expression.quadratic.keys)
        return model.upperObjective.expression.quadratic.keys.allSatisfy { p in
            model.variables[p.first].owner != model.variables[p.second].owner && follower.contains(p)
        }
    }

    static func isConvex(_ objective: Objective) -> Bool {
        var q: [VarPair: Double] = [:]
        for (p, c) in objective.expression.quadratic { q[p] = c * objective.sense.sign }
        return Convexity.check(q) == nil
    }
}
