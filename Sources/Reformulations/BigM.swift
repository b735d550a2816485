import BlomodelCore

/// Where a big-M value came from. Every M is recorded with its source, and an
/// answer is called verified only when no M is a `default`.
public enum BigMSource: Sendable, Equatable, CustomStringConvertible {
    /// Interval arithmetic over the variables' declared bounds: proven.
    case interval
    /// The maximum of the quantity over the relaxation of the KKT system (all rows of
    /// both levels, stationarity, dual feasibility), solved as an LP: proven.
    case relaxationLP
    /// The largest value over the vertices of the follower's dual polyhedron: proven.
    case dualVertices
    /// Interval arithmetic over stationarity, from the bounds of the other multipliers;
    /// as strong as the weakest of them.
    case stationarity(weakest: Provenance)
    /// `dualbound` written on the constraint.
    case constraintDeclaration(SourceLocation)
    /// `dualbound` statement of the lower block.
    case blockDeclaration(SourceLocation)
    /// The `dualBound` option (`--dual-bound`).
    case option
    /// The documented default: unproven.
    case `default`

    /// How much trust an M deserves.
    public enum Provenance: Int, Sendable, Comparable {
        case unproven = 0, userGiven = 1, proven = 2
        public static func < (a: Provenance, b: Provenance) -> Bool { a.rawValue < b.rawValue }
    }

    public var provenance: Provenance {
        switch self {
        case .interval, .relaxationLP, .dualVertices: return .proven
        case .stationarity(let w): return w
        case .constraintDeclaration, .blockDeclaration, .option: return .userGiven
        case .default: return .unproven
        }
    }

    public var description: String {
        switch self {
        case .interval: return "interval arithmetic over variable bounds (proven)"
        case .relaxationLP: return "LP over the relaxed KKT system (proven)"
        case .dualVertices: return "vertices of the follower's dual polyhedron (proven)"
        case .stationarity(let w):
            return "stationarity with the other multipliers' bounds (" + (w == .proven ? "proven" : w == .userGiven ? "from user bounds" : "from default bounds, unproven") + ")"
        case .constraintDeclaration(let l): return "dualbound on the constraint at line \(l.line) (user-given)"
        case .blockDeclaration(let l): return "dualbound statement at line \(l.line) (user-given)"
        case .option: return "--dual-bound option (user-given)"
        case .default: return "default value (UNPROVEN)"
        }
    }
}

/// The big-M values of one complementarity pair.
public struct BigMRecord: Sendable {
    /// The pair's name (`compl_<row>`), for people and reports.
    public var pair: String
    /// The pair's index into `SingleLevelModel.complementarities` of the model the pass received
    /// (`Reformulated.complementarityModel`): how code finds the pair, never by name.
    public var pairIndex: Int
    /// Bound on the primal slack (the M of `slack <= M (1 - z)`); nil when the pair needs no binary.
    public var primalM: Double
    public var primalSource: BigMSource
    public var dualM: Double
    public var dualSource: BigMSource
    public var binaryColumn: Int?
    public var multiplierColumn: Int
    /// How the pair was resolved.
    public var resolution: Resolution = .binary

    public enum Resolution: String, Sendable {
        /// A binary and two big-M rows: both M values are used.
        case binary
        /// The slack is proven to be always zero: no binary, the dual M is not used.
        case slackAlwaysZero = "slack always zero"
        /// The multiplier is bounded by zero: it is fixed at zero, the primal M is not used.
        case multiplierZero = "multiplier fixed at zero"
    }

    /// The least trustworthy of the M values this pair actually uses.
    public var weakest: BigMSource.Provenance {
        switch resolution {
        case .binary: return min(primalSource.provenance, dualSource.provenance)
        case .slackAlwaysZero: return primalSource.provenance
        case .multiplierZero: return dualSource.provenance
        }
    }
}

/// Options of the big-M pass.
public struct BigMOptions: Sendable {
    /// The M used when nothing else bounds a quantity (documented; makes the answer unverified).
    public var defaultM: Double = 1e4
    /// A bound for every follower dual that has no declared one (`--dual-bound`).
    public var dualBound: Double?
    /// Solve LPs over the relaxed KKT system to prove bounds that interval arithmetic cannot.
    /// `nil` means: only when the model has at most `automaticTighteningLimit` pairs.
    public var tightenWithLP: Bool?
    public var automaticTighteningLimit = 400
    /// Skip the bound-proving LPs when the value-function program of an LP follower is exact and
    /// every multiplier bound it uses is proven without them (the planner then takes that
    /// program, which uses no slack bound): set by `solve` when no other route is forced.
    public var valueFunctionFirst = false
    /// Stop the bound-proving LPs at the first pair that can have no proven M (its multiplier
    /// unbounded over the relaxation): the planner then takes the M-free search, which uses no M.
    /// Set by `solve` when no route is forced.
    public var stopAtFirstUnprovablePair = false
    public init() {}
}

/// Replaces each complementarity pair `0 <= s ⟂ lambda >= 0` by a binary `z` and
///
///     lambda <= M_d z          (row compl_dual_<pair>)
///     s      <= M_p (1 - z)    (row compl_slack_<pair>)
///
/// M_p bounds the slack over every bilevel-feasible point; M_d bounds the
/// multiplier over every optimal dual of the follower. Sources, strongest first:
/// interval arithmetic over declared bounds; the vertices of the follower's dual
/// polyhedron; an LP over the relaxed KKT system (valid because every bilevel-feasible
/// point with any optimal dual lies in it); for bound multipliers, interval arithmetic
/// over the stationarity row; user declarations (`dualbound`); and last a documented
/// default, which makes the answer unverified. Each M is as small as its best source proves.
///
/// The pass is pure: the bounds that need LPs (and the dual-vertex enumeration) arrive as
/// data in `BigMProofs`, computed once before the pass by `BigMProofs.prove`.
package enum BigMComplementarity {
    /// The MILP rows for every pair of `input` (the MPCC), with the record of each M and its source.
    public static func apply(
        _ input: SingleLevelModel, model: BilevelModel, options: BigMOptions, proofs: BigMProofs
    ) -> (SingleLevelModel, [BigMRecord]) {
        var out = input
        out.complementarities = []
        let pairs = input.complementarities
        let sources = BigMSources(input: input, model: model, options: options, proofs: proofs)

        // Dual-side bounds first for row multipliers (needed to derive bound-multiplier M by stationarity).
        var dualBound = sources.rowDualBounds(multiplierMaxima: proofs.multiplierMaxima)
        // Bound multipliers: stationarity gives mu = (c_j(x) - sum a lambda ...) with the other terms bounded.
        for (k, column) in input.columns.enumerated() {
            guard case .boundDual = column.origin else { continue }
            var candidates = sources.boundDualCandidates(k, rowDualBounds: dualBound)
            if BigMSources.best(candidates) == nil, let m = proofs.multiplierMaxima[k] {
                candidates.append((m, .relaxationLP))
            }
            if let b = BigMSources.best(candidates) { dualBound[k] = b }
        }

        var records: [BigMRecord] = []
        for (index, pair) in pairs.enumerated() {
            // Primal side.
            var primal: (Double, BigMSource)
            // A bound of NumericRange.infiniteBound (1e12) or more is no bound (docs/solvers.md).
            let r = pair.slack.range(sources.columnBounds)
            if r.upper < NumericRange.infiniteBound {
                primal = (max(0, r.upper), .interval)
            } else if let m = proofs.slackMaxima[index], m < NumericRange.infiniteBound {
                primal = (max(0, m), .relaxationLP)
            } else {
                primal = (options.defaultM, .default)
            }
            let dual = dualBound[pair.multiplier] ?? (options.defaultM, .default)
            var record = BigMRecord(
                pair: pair.name, pairIndex: index, primalM: primal.0, primalSource: primal.1, dualM: dual.0, dualSource: dual.1,
                binaryColumn: nil, multiplierColumn: pair.multiplier)
            if primal.0 <= 1e-12 && primal.1.provenance == .proven {
                // The slack is always zero: the pair holds without a binary.
                record.resolution = .slackAlwaysZero
                records.append(record)
                continue
            }
            if dual.0 <= 1e-12 && dual.1.provenance != .unproven {
                out.columns[pair.multiplier].upper = 0
                record.resolution = .multiplierZero
                records.append(record)
                continue
            }
            let z = out.addColumn(
                .init(name: "compl_bin_\(pair.name.dropPrefix("compl_"))", lower: 0, upper: 1, isInteger: true, origin: .complementarityBinary(pair: index)))
            record.binaryColumn = z
            out.addRow("compl_dual_\(pair.name.dropPrefix("compl_"))", LinearExpr(terms: [pair.multiplier: 1, z: -dual.0]), lower: -.infinity, upper: 0,
                origin: .complementarity(pair: index, side: .multiplier))
            var slackRow = pair.slack
            slackRow.add(z, primal.0)
            out.addRow("compl_slack_\(pair.name.dropPrefix("compl_"))", slackRow, lower: -.infinity, upper: primal.0,
                origin: .complementarity(pair: index, side: .slack))
            records.append(record)
        }
        return (out, records)
    }
}

/// The bound sources of the big-M pass, shared by the pass and by `BigMProofs.prove` (which must
/// ask for exactly the LPs the pass will use). Pure.
struct BigMSources {
    let input: SingleLevelModel
    let model: BilevelModel
    let options: BigMOptions
    let proofs: BigMProofs
    /// The stationarity row of each bound multiplier (by column).
    let stationarityRowOfBoundDual: [Int: SingleLevelModel.Row]

    init(input: SingleLevelModel, model: BilevelModel, options: BigMOptions, proofs: BigMProofs) {
        self.input = input
        self.model = model
        self.options = options
        self.proofs = proofs
        var rows: [Int: SingleLevelModel.Row] = [:]
        for row in input.stationarityRows {
            for (k, _) in row.expression.terms {
                if case .boundDual = input.columns[k].origin { rows[k] = row }
            }
        }
        stationarityRowOfBoundDual = rows
        rowDualStationarityBounds = Self.rowDualStationarityBounds(input) { k in
            proofs.variableRanges[k] ?? Interval(input.columns[k].lower, input.columns[k].upper)
        }
    }

    /// A column's declared bounds.
    func columnBounds(_ k: Int) -> Interval { Interval(input.columns[k].lower, input.columns[k].upper) }

    /// A column's range: its declared bounds, tightened by the proofs where they are infinite.
    func range(_ k: Int) -> Interval { proofs.variableRanges[k] ?? columnBounds(k) }

    /// A user-given bound on a multiplier: `dualbound` on the constraint or the block, or the option.
    func declared(_ origin: ColumnOrigin) -> (Double, BigMSource)? {
        if case .rowDual(let row, _) = origin, let v = model.constraints[row].dualBound,
            case .constraint(let at) = model.constraints[row].dualBoundSource
        {
            return (v, .constraintDeclaration(at))
        }
        if let v = model.lowerDualBound, let at = model.lowerDualBoundLocation { return (v, .blockDeclaration(at)) }
        if let v = options.dualBound { return (v, .option) }
        return nil
    }

    /// Prefer stronger provenance; among equals, the smaller value.
    static func best(_ candidates: [(Double, BigMSource)?]) -> (Double, BigMSource)? {
        candidates.compactMap { $0 }.filter { $0.0 < NumericRange.infiniteBound && $0.0 >= 0 }.max { a, b in
            a.1.provenance != b.1.provenance ? a.1.provenance < b.1.provenance : a.0 > b.0
        }
    }

    /// The user variables in stationarity rows whose declared bounds are not both finite, in
    /// the order the rows name them (their ranges are worth an LP).
    static func stationarityColumnsToBound(_ input: SingleLevelModel) -> [Int] {
        var seen = Set<Int>(), out: [Int] = []
        for row in input.stationarityRows {
            for k in row.expression.terms.keys where !seen.contains(k) {
                guard case .original = input.columns[k].origin else { continue }
                seen.insert(k)
                if input.columns[k].lower.isFinite && input.columns[k].upper.isFinite { continue }
                out.append(k)
            }
        }
        return out
    }

    /// The row multipliers that have neither a dual-vertex bound, a stationarity bound nor a
    /// declared one: an LP over the relaxation is their only proven source.
    func rowDualsWithoutCheapBound() -> [Int] {
        input.columns.indices.filter { k in
            guard case .rowDual = input.columns[k].origin else { return false }
            return proofs.vertexBounds?[k] == nil && rowDualStationarityBounds[k] == nil && declared(input.columns[k].origin) == nil
        }
    }

    /// Bounds on row multipliers from single stationarity rows, by interval arithmetic with every
    /// other multiplier in its own column bounds (sign only: `[0, inf)` for an inequality's, free
    /// for an equality's) and the user variables in their ranges. A follower variable `w` that
    /// appears in one row only, `c_w - lambda - mu_w = 0` with `mu_w >= 0`, gives `lambda <= c_w`
    /// (the McCormick rows of linearised revenues, `docs/reformulations.md`). Proven; no solve.
    let rowDualStationarityBounds: [Int: Double]

    static func rowDualStationarityBounds(_ input: SingleLevelModel, range: (Int) -> Interval) -> [Int: Double] {
        var out: [Int: Double] = [:]
        func columnBounds(_ k: Int) -> Interval { Interval(input.columns[k].lower, input.columns[k].upper) }
        for row in input.stationarityRows where row.lower == row.upper {
            let terms = row.expression.sortedTerms
            // The range of every term, and which are unbounded on each side, so that each row
            // multiplier's bound is the row's others in one pass (not a sum per multiplier).
            var low = 0.0, high = 0.0, infiniteLow = 0, infiniteHigh = 0
            var termRanges: [Interval] = []
            termRanges.reserveCapacity(terms.count)
            for (id, a) in terms {
                let r: Interval
                if case .original = input.columns[id].origin { r = range(id) } else { r = columnBounds(id) }
                let t = Interval(min(a * r.lower, a * r.upper), max(a * r.lower, a * r.upper))
                let tl = t.lower.isNaN ? -Double.infinity : t.lower, th = t.upper.isNaN ? Double.infinity : t.upper
                termRanges.append(Interval(tl, th))
                if tl.isFinite { low += tl } else { infiniteLow += 1 }
                if th.isFinite { high += th } else { infiniteHigh += 1 }
            }
            let rhs = row.lower - row.expression.constant
            for (index, (id, a)) in terms.enumerated() {
                guard case .rowDual = input.columns[id].origin else { continue }
                let t = termRanges[index]
                // The others' range: the row's without this term.
                let othersLow = infiniteLow - (t.lower.isFinite ? 0 : 1) > 0 ? -Double.infinity : low - (t.lower.isFinite ? t.lower : 0)
                let othersHigh = infiniteHigh - (t.upper.isFinite ? 0 : 1) > 0 ? Double.infinity : high - (t.upper.isFinite ? t.upper : 0)
                // a * lambda = rhs - others
                let lo = rhs - othersHigh, hi = rhs - othersLow
                var lambda = a > 0 ? Interval(lo / a, hi / a) : Interval(hi / a, lo / a)
                let own = columnBounds(id)
                lambda = Interval(max(lambda.lower, own.lower), min(lambda.upper, own.upper))
                guard lambda.lower.isFinite, lambda.upper.isFinite, lambda.lower <= lambda.upper + 1e-9 else { continue }
                let m = max(abs(lambda.lower), abs(lambda.upper))
                if m < (out[id] ?? .infinity) { out[id] = m }
            }
        }
        return out
    }

    /// The best bound of every row multiplier, from the vertices, the LP maxima given, and declarations.
    func rowDualBounds(multiplierMaxima: [Int: Double]) -> [Int: (Double, BigMSource)] {
        var dualBound: [Int: (Double, BigMSource)] = [:]
        for (k, column) in input.columns.enumerated() {
            guard case .rowDual = column.origin else { continue }
            var proven: (Double, BigMSource)?
            if let m = proofs.vertexBounds?[k] {
                proven = (m, .dualVertices)
            }
            if let m = rowDualStationarityBounds[k], m < (proven?.0 ?? .infinity) {
                proven = (m, .stationarity(weakest: .proven))
            }
            if proven == nil, declared(column.origin) == nil, let m = multiplierMaxima[k] {
                // LPs only where nothing cheaper gives a bound: they cost two solves each.
                proven = (m, .relaxationLP)
            }
            if let b = Self.best([proven, declared(column.origin)]) { dualBound[k] = b }
        }
        return dualBound
    }

    /// The candidate bounds of bound multiplier `k` before any LP: its vertex bound, interval
    /// arithmetic over its stationarity row with the row multipliers' bounds, and the option.
    func boundDualCandidates(_ k: Int, rowDualBounds dualBound: [Int: (Double, BigMSource)]) -> [(Double, BigMSource)?] {
        var candidates: [(Double, BigMSource)?] = []
        if let m = proofs.vertexBounds?[k] { candidates.append((m, .dualVertices)) }
        if let row = stationarityRowOfBoundDual[k], let coefficient = row.expression.terms[k] {
            var weakest = BigMSource.Provenance.proven
            let rest = LinearExpr(constant: row.expression.constant, terms: row.expression.terms.filter { $0.key != k })
            let range = rest.range { id in
                switch input.columns[id].origin {
                case .original: return self.range(id)
                case .boundDual:
                    // The other bound of the same variable: when this multiplier is positive the
                    // variable sits at this bound, so by complementarity the other one is zero.
                    return .zero
                case .rowDual(_, let side):
                    guard let (m, source) = dualBound[id] else { return Interval(-.infinity, .infinity) }
                    weakest = min(weakest, source.provenance)
                    return side == .equality ? Interval(-m, m) : Interval(0, m)
                case .complementarityBinary: return Interval(0, 1)
                case .epigraph, .expansionBit, .exactProduct: return columnBounds(id)
                }
            }
            // rest + coefficient * mu = rhs  =>  mu = (rhs - rest) / coefficient
            let mu = (1 / coefficient) * (Interval.point(row.lower) + (-1) * range)
            if mu.upper.isFinite { candidates.append((max(0, mu.upper), .stationarity(weakest: weakest))) }
        }
        if let v = options.dualBound { candidates.append((v, .option)) }
        return candidates
    }
}

extension String {
    func dropPrefix(_ p: String) -> String { hasPrefix(p) ? String(dropFirst(p.count)) : self }
}

