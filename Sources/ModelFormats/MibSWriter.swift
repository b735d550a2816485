import BlomodelCore

/// A bilevel model in the MibS format: the MPS text, the name-based aux text, and what the
/// format could not keep.
public struct MibSFiles: Sendable {
    /// The MPS file: every variable and row of both levels, bounds, integrality, the leader's
    /// objective as a minimisation.
    public var mps: String
    /// The aux file (name-based: `@NUMVARS`, `@NUMCONSTRS`, `@VARSBEGIN`...`@VARSEND`,
    /// `@CONSTRSBEGIN`...`@CONSTRSEND`, `@NAME`, `@MPS`).
    public var aux: String
    /// The MPS name of each variable (by `VarID`) and each constraint.
    public var columnNames: [String]
    /// (See `columnNames`.)
    public var rowNames: [String]
    /// What was rewritten or dropped (a maximisation negated, a follower objective's constant or
    /// leader terms, dual bounds), as warnings without a position.
    public var notes: [Diagnostic]
}

/// Writes a `BilevelModel` in the MibS format (an MPS file and a name-based aux file), following
/// the format's rules (docs/formats.md, "The MibS bilevel format"):
///
/// - every variable is a column (in model order), every constraint a row (in model order, `L`,
///   `G`, `E`, or a ranged row with its RANGES entry), named as the export names them
///   (`FileNames`); follower variables and rows are listed in
///   the aux file, the rest is the leader's. A single-variable leader row on a follower variable
///   stays a row: a bound in BOUNDS would make it the follower's;
/// - bounds are explicit (`FR`, `MI`, `LO`, `UP`, `FX`, `BV`; integer columns both sides, `LI` or
///   `MI` and `UI` or `PL`, so that no reader gives an integer column MPS's default binary range:
///   GLPK 5.0 keeps it after `LO` or `MI` alone), integer runs inside MARKER lines;
/// - the leader's objective is the objective row, as a minimisation (a maximisation is negated:
///   MibS always minimises), its constant a RHS entry on the objective row (CoinMpsIO's sign);
/// - the follower's objective is the `@VARSBEGIN` coefficients of the follower's variables, in
///   minimisation form (negated when it maximises). Its constant and its terms in leader variables
///   do not change the follower's decision and have no place in the format: they are dropped, with
///   a note;
/// - `dualbound` declarations have no place either (dropped, with a note).
///
/// Refused with a positioned `Diagnostic`: products and squares of variables and nonlinear
/// expressions (the MibS format holds linear models), `dual(...)` in the leader's expressions,
/// more than one follower.
public enum MibSWriter {
    /// The files for `model`; `name` is the instance name (`NAME`, `@NAME`), `mpsFileName` the
    /// name the aux file gives for its MPS file (`@MPS`).
    public static func write(_ model: BilevelModel, name: String, mpsFileName: String) throws -> MibSFiles {
        try refuseNonlinear(model)
        var notes: [Diagnostic] = []
        // MPS names: the model's, sanitised as the export sanitises them (no whitespace, `$` or `'`)
        // and made unique; rows do not take the objective row's name.
        let columnNames = FileNames.unique(model.variables.map(\.name), for: .mps)
        let objectiveRow = FileNames.sanitize(model.upperObjective.name, for: .mps)
        let rowNames = FileNames.unique(model.constraints.map(\.name), for: .mps, reserved: [objectiveRow])

        // The leader's objective as a minimisation.
        let leaderSign = model.upperObjective.sense.sign
        if model.upperObjective.sense == .maximize {
            notes.append(
                Diagnostic(
                    .warning, "the leader's objective \(model.upperObjective.name) is maximised: the MPS objective row is its negation (MibS minimises)"))
        }
        let objective = model.upperObjective.expression.linear.scaled(leaderSign)
        // The follower's objective in minimisation form, on the follower's variables.
        let followerSign = model.lowerObjective.sense.sign
        let follower = model.lowerObjective.expression.linear.scaled(followerSign)
        let leaderTerms = follower.terms.keys.filter { model.variables[$0].owner.isLeader }
        if !leaderTerms.isEmpty {
            notes.append(
                Diagnostic(
                    .warning,
                    "the follower's objective has terms in leader variables (\(leaderTerms.prefix(4).map { model.variables[$0].name }.joined(separator: ", "))): they are constant for the follower and the aux file cannot hold them, so they are dropped"))
        }
        if follower.constant != 0 {
            notes.append(Diagnostic(.warning, "the follower's objective constant \(formatNumber(model.lowerObjective.expression.constant)) is dropped: the aux file holds coefficients only"))
        }
        if model.lowerDualBound != nil || model.constraints.contains(where: { $0.dualBound != nil }) {
            notes.append(Diagnostic(.warning, "dualbound declarations are dropped: the MibS format has no place for them"))
        }

        // Column-major entries.
        var entries = [[(row: Int, value: Double)]](repeating: [], count: model.variables.count)
        for (i, c) in model.constraints.enumerated() {
            for (j, a) in c.body.linear.terms { entries[j].append((i, a)) }
        }

        var mps = "NAME \(FileNames.sanitize(name, for: .mps))\n"
        mps += "* written by blomodel: the leader's objective is the objective row (minimised); the aux file names the follower's part\n"
        mps += "ROWS\n N \(objectiveRow)\n"
        var ranges: [(Int, Double)] = []
        var rhs: [(Int, Double)] = []
        for (i, c) in model.constraints.enumerated() {
            let (lo, hi) = (c.lower, c.upper)
            let type: String
            if lo == hi {
                type = "E"
                if lo != 0 { rhs.append((i, lo)) }
            } else if lo.isFinite, hi.isFinite {
                // Ranged: the form whose bounds read back exactly (L: [hi - R, hi]; G: [lo, lo + R]).
                let r = hi - lo
                if hi - r == lo || lo + r != hi {
                    type = "L"
                    if hi != 0 { rhs.append((i, hi)) }
                } else {
                    type = "G"
                    if lo != 0 { rhs.append((i, lo)) }
                }
                ranges.append((i, r))
            } else if hi.isFinite {
                type = "L"
                if hi != 0 { rhs.append((i, hi)) }
            } else if lo.isFinite {
                type = "G"
                if lo != 0 { rhs.append((i, lo)) }
            } else {
                // No side: a free row, which MPS would drop; written as L with an infinite side.
                type = "L"
                rhs.append((i, 1e30))
            }
            mps += " \(type) \(rowNames[i])\n"
        }
        mps += "COLUMNS\n"
        var inMarker = false, markers = 0
        for (j, v) in model.variables.enumerated() {
            let integer = v.kind != .continuous
            if integer != inMarker {
                mps += integer ? "    MARKER\(markers) 'MARKER' 'INTORG'\n" : "    MARKER\(markers) 'MARKER' 'INTEND'\n"
                if !integer { markers += 1 }
                inMarker = integer
            }
            let cost = objective.terms[j]
            var pairs: [(String, Double)] = cost.map { [(objectiveRow, $0)] } ?? []
            pairs += entries[j].map { (rowNames[$0.row], $0.value) }
            // A column with no entry at all still needs a line to exist.
            if pairs.isEmpty { pairs = [(objectiveRow, 0)] }
            for (row, value) in pairs { mps += "    \(columnNames[j]) \(row) \(number(value))\n" }
        }
        if inMarker { mps += "    MARKER\(markers) 'MARKER' 'INTEND'\n" }
        let constant = model.upperObjective.expression.linear.constant * leaderSign
        if !rhs.isEmpty || constant != 0 {
            mps += "RHS\n"
            // CoinMpsIO: the objective row's RHS is the negated constant.
            if constant != 0 { mps += "    RHS \(objectiveRow) \(number(-constant))\n" }
            for (i, v) in rhs { mps += "    RHS \(rowNames[i]) \(number(v))\n" }
        }
        if !ranges.isEmpty {
            mps += "RANGES\n"
            for (i, r) in ranges { mps += "    RNG \(rowNames[i]) \(number(r))\n" }
        }
        var bounds = ""
        for (j, v) in model.variables.enumerated() {
            let c = columnNames[j]
            let (lo, hi) = (v.lower, v.upper)
            if v.kind == .binary, lo >= 0, hi <= 1 {
                bounds += " BV BND \(c)\n"
                if lo == hi { bounds += " FX BND \(c) \(number(lo))\n" }
                continue
            }
            if v.kind == .integer {
                // Both sides always: GLPK 5.0 keeps the default binary range after LO or MI alone.
                bounds += lo.isFinite ? " LI BND \(c) \(number(lo))\n" : " MI BND \(c)\n"
                bounds += hi.isFinite ? " UI BND \(c) \(number(hi))\n" : " PL BND \(c)\n"
                continue
            }
            if lo == hi {
                bounds += " FX BND \(c) \(number(lo))\n"
            } else if !lo.isFinite, !hi.isFinite {
                bounds += " FR BND \(c)\n"
            } else {
                if !lo.isFinite { bounds += " MI BND \(c)\n" } else if lo != 0 { bounds += " LO BND \(c) \(number(lo))\n" }
                if hi.isFinite { bounds += " UP BND \(c) \(number(hi))\n" }
            }
        }
        if !bounds.isEmpty { mps += "BOUNDS\n" + bounds }
        mps += "ENDATA\n"

        let followerVariables = model.variables(of: .theFollower)
        let followerRows = model.constraints(of: .theFollower)
        var aux = "@NUMVARS\n\(followerVariables.count)\n@NUMCONSTRS\n\(followerRows.count)\n@VARSBEGIN\n"
        for j in followerVariables { aux += "\(columnNames[j]) \(number(follower.terms[j] ?? 0))\n" }
        aux += "@VARSEND\n@CONSTRSBEGIN\n"
        for i in followerRows { aux += "\(rowNames[i])\n" }
        aux += "@CONSTRSEND\n@NAME\n\(name)\n@MPS\n\(mpsFileName)\n"
        return MibSFiles(mps: mps, aux: aux, columnNames: columnNames, rowNames: rowNames, notes: notes)
    }

    /// Numbers as Swift prints them (the shortest decimal that reads back to the same double).
    static func number(_ v: Double) -> String { formatNumber(v) }

    /// The MibS format holds linear models: a product, a square, a nonlinear function or a
    /// `dual(...)` is refused at its position.
    static func refuseNonlinear(_ model: BilevelModel) throws {
        let why = "the MibS format holds linear models"
        if let part = model.nonquadraticParts.first {
            let at = model.graph.location(of: part.failure.node)
            throw Diagnostic(
                .error, "\(why); \(part.part) has \(model.describe(part))", at: at == .unknown ? nil : at,
                length: model.graph.length(of: part.failure.node))
        }
        func check(_ e: QuadExpr, _ what: String, _ location: SourceLocation) throws {
            if let (pair, _) = e.quadratic.first(where: { _ in true }) {
                let at = e.origins[pair] ?? location
                let term = pair.first == pair.second
                    ? "the square of \(model.variables[pair.first].name)"
                    : "the product \(model.variables[pair.first].name) * \(model.variables[pair.second].name)"
                throw Diagnostic(
                    .error, "\(why); \(what) has \(term)", at: at == .unknown ? nil : at,
                    notes: ["write the model without products of variables (the MibS format has no quadratic section)"])
            }
        }
        try check(model.upperObjective.expression, "the leader's objective", model.upperObjective.location)
        try check(model.lowerObjective.expression, "the follower's objective", model.lowerObjective.location)
        for c in model.constraints {
            try check(c.body, "the \(c.owner) constraint \(c.name)", c.location)
            if c.owner.isFollower, c.owner != .theFollower {
                throw Diagnostic(.error, "the MibS format has one follower; \(c.name) belongs to \(c.owner)", at: c.location)
            }
        }
        for v in model.variables {
            if case .dual(let i) = v.role {
                throw Diagnostic(
                    .error, "\(v.name) has no counterpart in the MibS format: it describes followers by their primal problem only",
                    at: v.location == .unknown ? nil : v.location, length: 4,
                    notes: ["constraint \(model.constraints.indices.contains(i) ? model.constraints[i].name : "?")'s dual cannot be written"])
            }
            if v.owner.isFollower, v.owner != .theFollower {
                throw Diagnostic(.error, "the MibS format has one follower; \(v.name) belongs to \(v.owner)", at: v.location)
            }
        }
    }
}
