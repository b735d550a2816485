/// Where a column of a single-level model comes from: the map back from the
/// reformulated problem to the user's names is this data, not a closure.
public enum ColumnOrigin: Sendable, Equatable {
    /// A variable of the bilevel model, by its identifier there.
    case original(VarID)
    /// The follower's multiplier of constraint `row` (an index into `BilevelModel.constraints`).
    /// `side` says which inequality of a ranged row it belongs to; equalities use `.equality`.
    case rowDual(row: Int, side: DualSide)
    /// The follower's multiplier of a bound of follower variable `variable`.
    case boundDual(variable: VarID, side: DualSide)
    /// The binary that selects which side of a complementarity pair is zero
    /// (`pair` is an index into `SingleLevelModel.complementarities` of the model the big-M pass received).
    case complementarityBinary(pair: Int)
    /// The epigraph variable of one block of a quadratic objective in outer approximation's
    /// master problem (`block` counts the blocks of linked variables, in order).
    case epigraph(block: Int)
    /// Bit `bit` of the binary expansion `x = lower + sum_k 2^k b_k` of the integer leader variable
    /// `variable` (the value-function program's exact products).
    case expansionBit(variable: VarID, bit: Int)
    /// The product of the column `factor` with bit `bit` of the expansion of `variable` (or with
    /// `variable` itself when it is binary, `bit` 0), made exact by four rows.
    case exactProduct(variable: VarID, bit: Int, factor: Int)
}

/// Where a row of a single-level model comes from: passes find each other's rows by
/// this typed origin, never by name (names are for people and printouts).
public enum RowOrigin: Sendable, Equatable {
    /// A leader constraint of the bilevel model, by its index into `BilevelModel.constraints`.
    case leaderConstraint(Int)
    /// A row that product linearization added to the bilevel model (a digit expansion or one
    /// of the four rows of a product), by its index into `BilevelModel.constraints`.
    case productLinearization(constraint: Int)
    /// Primal feasibility of a follower constraint, by its index into `BilevelModel.constraints`.
    case followerConstraint(Int)
    /// Stationarity of the follower's Lagrangian with respect to follower variable `variable`.
    case stationarity(variable: VarID)
    /// The link `dual(con) = multipliers of con` for the column `variable` (role `.dual`) and the
    /// constraint `constraint` it refers to.
    case dualLink(variable: VarID, constraint: Int)
    /// A strong-duality row (the follower's primal objective equals its dual objective).
    /// The current strong-duality pass rewrites the leader's objective and adds no such row;
    /// the case is here for a pass that states the equation as a row.
    case strongDuality
    /// One of the two big-M rows of complementarity pair `pair` (an index into
    /// `SingleLevelModel.complementarities` of the model the big-M pass received).
    case complementarity(pair: Int, side: ComplementaritySide)
    /// A tangent cut of outer approximation on the epigraph variable of block `block`.
    case outerApproximationCut(block: Int)
    /// The value-function row of the value-function program: the follower's objective at most its
    /// dual objective (`ValueFunctionReformulation`).
    case valueFunction
    /// The binary expansion of the integer leader variable `variable` (`x - sum_k 2^k b_k = lower`,
    /// or the expansion's range).
    case expansion(variable: VarID)
    /// One of the four rows that make the product column `column` exact.
    case exactProduct(column: Int)

    /// The follower variable of a stationarity row, or nil for any other row.
    public var stationarityVariable: VarID? {
        if case .stationarity(let j) = self { return j }
        return nil
    }
}

/// Which half of a complementarity pair a big-M row bounds.
public enum ComplementaritySide: String, Sendable, Equatable {
    /// `slack <= M_p (1 - z)` (row `compl_slack_<pair>`).
    case slack
    /// `multiplier <= M_d z` (row `compl_dual_<pair>`).
    case multiplier
}

/// Which inequality a multiplier belongs to.
public enum DualSide: String, Sendable, Equatable {
    /// `body >= lower` (or `variable >= lower`).
    case lower
    /// `body <= upper` (or `variable <= upper`).
    case upper
    /// An equality row; its multiplier is free.
    case equality
}

/// A complementarity condition `0 <= slack  ⟂  multiplier >= 0`:
/// at least one of the two is zero.
public struct Complementarity: Sendable {
    public var name: String
    /// The primal slack, an affine expression that is nonnegative when feasible.
    public var slack: LinearExpr
    /// The column of the multiplier.
    public var multiplier: Int
    /// The follower row (or variable bound) this pair comes from, for messages.
    public var origin: ColumnOrigin

    public init(name: String, slack: LinearExpr, multiplier: Int, origin: ColumnOrigin) {
        self.name = name
        self.slack = slack
        self.multiplier = multiplier
        self.origin = origin
    }
}

/// A single-level mathematical program with named columns and rows, the
/// result of reformulating a bilevel model. It may still hold complementarity
/// pairs (an MPCC) until a pass replaces them, and a quadratic objective until
/// a pass linearizes it.
public struct SingleLevelModel: Sendable {
    public struct Column: Sendable {
        public var name: String
        public var lower: Double
        public var upper: Double
        public var isInteger: Bool
        public var origin: ColumnOrigin
        public init(name: String, lower: Double, upper: Double, isInteger: Bool, origin: ColumnOrigin) {
            self.name = name
            self.lower = lower
            self.upper = upper
            self.isInteger = isInteger
            self.origin = origin
        }
    }

    public struct Row: Sendable {
        public var name: String
        public var expression: LinearExpr
        public var lower: Double
        public var upper: Double
        /// What the row stands for; passes select rows by this, not by name.
        public var origin: RowOrigin
        public init(name: String, expression: LinearExpr, lower: Double, upper: Double, origin: RowOrigin) {
            self.name = name
            self.expression = expression
            self.lower = lower
            self.upper = upper
            self.origin = origin
        }
    }

    public var columns: [Column] = []
    public var rows: [Row] = []
    public var sense: ObjectiveSense
    /// Over the columns of this model.
    public var objective: QuadExpr
    public var complementarities: [Complementarity] = []

    public init(sense: ObjectiveSense, objective: QuadExpr = QuadExpr()) {
        self.sense = sense
        self.objective = objective
    }

    @discardableResult
    public mutating func addColumn(_ c: Column) -> Int {
        columns.append(c)
        return columns.count - 1
    }

    /// Appends the row `lower <= e <= upper` with its origin; the constant of `e` moves to the bounds.
    public mutating func addRow(_ name: String, _ e: LinearExpr, lower: Double, upper: Double, origin: RowOrigin) {
        // Constants move to the bounds so rows are `lower <= terms <= upper`.
        var e = e
        let k = e.constant
        e.constant = 0
        rows.append(Row(name: name, expression: e, lower: lower - k, upper: upper - k, origin: origin))
    }

    /// The rows whose origin satisfies `predicate`, in row order.
    public func rows(where predicate: (RowOrigin) -> Bool) -> [Row] {
        rows.filter { predicate($0.origin) }
    }

    /// The stationarity rows, one per follower variable, in row order.
    public var stationarityRows: [Row] { rows(where: { $0.stationarityVariable != nil }) }

    public var integerCount: Int { columns.filter(\.isInteger).count }
}

extension SingleLevelModel: CustomStringConvertible {
    /// A byte-stable printout, used by golden tests and `--explain`.
    public var description: String {
        func num(_ v: Double) -> String { v == .infinity ? "+inf" : formatNumber(v) }
        func term(_ c: Double, _ name: String, first: Bool) -> String {
            let sign = c < 0 ? "-" : "+"
            let mag = abs(c) == 1 ? "" : num(abs(c)) + " "
            if first { return (c < 0 ? "-" : "") + mag + name }
            return " \(sign) " + mag + name
        }
        func linear(_ e: LinearExpr) -> String {
            var s = ""
            for (id, c) in e.sortedTerms { s += term(c, columns[id].name, first: s.isEmpty) }
            if e.constant != 0 || s.isEmpty { s += s.isEmpty ? num(e.constant) : term(e.constant, "", first: false).trimmingTrailingSpace() }
            return s
        }
        var out = "\(sense.rawValue) "
        var obj = linear(objective.linear)
        for (p, c) in objective.sortedQuadratic {
            obj += term(c, "\(columns[p.first].name)*\(columns[p.second].name)", first: false)
        }
        out += obj + "\nsubject to\n"
        for r in rows {
            let body = linear(r.expression)
            if r.lower == r.upper {
                out += "  \(r.name): \(body) = \(num(r.lower))\n"
            } else if r.lower == -.infinity {
                out += "  \(r.name): \(body) <= \(num(r.upper))\n"
            } else if r.upper == .infinity {
                out += "  \(r.name): \(body) >= \(num(r.lower))\n"
            } else {
                out += "  \(r.name): \(num(r.lower)) <= \(body) <= \(num(r.upper))\n"
            }
        }
        if !complementarities.isEmpty {
            out += "complementarity\n"
            for c in complementarities {
                out += "  \(c.name): 0 <= \(linear(c.slack)) _|_ \(columns[c.multiplier].name) >= 0\n"
            }
        }
        out += "columns\n"
        for c in columns {
            let kind = c.isInteger ? (c.lower == 0 && c.upper == 1 ? " binary" : " integer") : ""
            out += "  \(c.name) in [\(num(c.lower)), \(num(c.upper))]\(kind)\n"
        }
        return out
    }
}

extension String {
    fileprivate func trimmingTrailingSpace() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
