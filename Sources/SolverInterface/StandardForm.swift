import BlomodelCore

/// A mixed-integer linear (or convex quadratic) program in the form every backend accepts:
///
///     minimize    c'x + sum_k q_k x_{i_k} x_{j_k} + constant
///     subject to  rowLower <= A x <= rowUpper
///                 columnLower <= x <= columnUpper,  x_j integer for j in integers
///
/// Columns and rows are zero-based; infinite bounds are `±Double.infinity`
/// (each backend translates to its own spelling). `A` is stored by rows.
/// The quadratic part is empty for linear programs; only backends that declare
/// `quadraticObjective` accept it (Ipopt), and it must be convex.
public struct StandardForm: Sendable {
    /// One term `coefficient * x_first * x_second` of the objective (`first <= second`).
    public struct QuadraticTerm: Sendable, Equatable {
        public var first: Int
        public var second: Int
        public var coefficient: Double
        public init(_ a: Int, _ b: Int, _ coefficient: Double) {
            first = min(a, b)
            second = max(a, b)
            self.coefficient = coefficient
        }
    }

    public var columnNames: [String] = []
    public var columnLower: [Double] = []
    public var columnUpper: [Double] = []
    public var isInteger: [Bool] = []
    public var objective: [Double] = []
    public var objectiveConstant: Double = 0
    public var quadraticObjective: [QuadraticTerm] = []
    public var rowNames: [String] = []
    public var rowLower: [Double] = []
    public var rowUpper: [Double] = []
    /// Row-compressed matrix: the entries of row i are `rowStart[i] ..< rowStart[i+1]`.
    public var rowStart: [Int] = [0]
    public var columnIndex: [Int] = []
    public var values: [Double] = []

    public init() {}

    public var columnCount: Int { columnLower.count }
    public var rowCount: Int { rowLower.count }
    public var integerCount: Int { isInteger.filter { $0 }.count }

    @discardableResult
    public mutating func addColumn(name: String, lower: Double, upper: Double, cost: Double = 0, integer: Bool = false)
        -> Int
    {
        columnNames.append(name)
        columnLower.append(lower)
        columnUpper.append(upper)
        objective.append(cost)
        isInteger.append(integer)
        return columnLower.count - 1
    }

    /// Adds a row; entries with the same column are summed, zeros dropped.
    public mutating func addRow(name: String, entries: [(Int, Double)], lower: Double, upper: Double) {
        var merged: [Int: Double] = [:]
        for (j, v) in entries { merged[j, default: 0] += v }
        for (j, v) in merged.sorted(by: { $0.key < $1.key }) where v != 0 {
            columnIndex.append(j)
            values.append(v)
        }
        rowStart.append(columnIndex.count)
        rowNames.append(name)
        rowLower.append(lower)
        rowUpper.append(upper)
    }

    /// The same matrix stored by columns (start, row index, value), as CBC wants it.
    public func columnCompressed() -> (start: [Int], rowIndex: [Int], values: [Double]) {
        var counts = [Int](repeating: 0, count: columnCount + 1)
        for j in columnIndex { counts[j + 1] += 1 }
        for j in 0..<columnCount { counts[j + 1] += counts[j] }
        var next = counts
        var rowIndex = [Int](repeating: 0, count: values.count)
        var vals = [Double](repeating: 0, count: values.count)
        for i in 0..<rowCount {
            for k in rowStart[i]..<rowStart[i + 1] {
                let j = columnIndex[k]
                rowIndex[next[j]] = i
                vals[next[j]] = values[k]
                next[j] += 1
            }
        }
        return (counts, rowIndex, vals)
    }

    /// The largest violation of a row or column bound (relative to max(1, |bound|)) and of
    /// integrality at a point; 0 when the point is feasible.
    public func maxViolation(_ x: [Double]) -> Double {
        guard x.count == columnCount else { return .infinity }
        var worst = 0.0
        for j in 0..<columnCount {
            let v = x[j]
            if !v.isFinite { return .infinity }
            worst = max(worst, (columnLower[j] - v) / max(1, abs(columnLower[j])), (v - columnUpper[j]) / max(1, abs(columnUpper[j])))
            if isInteger[j] { worst = max(worst, abs(v - v.rounded())) }
        }
        for i in 0..<rowCount {
            var a = 0.0
            for k in rowStart[i]..<rowStart[i + 1] { a += values[k] * x[columnIndex[k]] }
            worst = max(worst, (rowLower[i] - a) / max(1, abs(rowLower[i])), (a - rowUpper[i]) / max(1, abs(rowUpper[i])))
        }
        return max(0, worst)
    }

    /// The objective (including the constant and the quadratic part) at a point.
    public func objectiveValue(_ x: [Double]) -> Double {
        let linear = zip(objective, x).reduce(objectiveConstant) { $0 + $1.0 * $1.1 }
        return quadraticObjective.reduce(linear) { $0 + $1.coefficient * x[$1.first] * x[$1.second] }
    }

    /// Checks everything a C solver would choke on: NaN anywhere, infinite coefficients, crossed
    /// bounds, out-of-range indices, and numbers outside `NumericRange` (docs/solvers.md, "The
    /// numeric range"): a nonzero coefficient (objective, matrix, quadratic) whose magnitude is
    /// outside `NumericRange.libraryCoefficients` (GLPK's scaling aborts the process on a row with
    /// two coefficients near 1e155, CLP asserts on an objective coefficient of 1e25), or a bound
    /// that binds at a magnitude of `NumericRange.infiniteBound` or more (a lower bound of 1e13).
    /// A bound of that magnitude on its relaxing side is allowed: `prepared()` makes it infinite.
    /// Backends call `prepared()` before touching the library, so invalid data never reaches GLPK
    /// (which aborts the process), CLP or CBC (which assert) or Ipopt.
    public func validate() throws {
        func fail(_ m: String) -> SolverError { SolverError.invalidProblem(m) }
        guard columnNames.count == columnCount, columnUpper.count == columnCount, objective.count == columnCount,
            isInteger.count == columnCount, rowUpper.count == rowCount, rowNames.count == rowCount,
            rowStart.count == rowCount + 1, columnIndex.count == values.count, rowStart.last == values.count
        else { throw fail("inconsistent array sizes") }
        guard objectiveConstant.isFinite else { throw fail("objective constant is not finite") }
        let huge = NumericRange.infiniteBound
        let range = NumericRange.libraryCoefficients
        func outside(_ what: String, _ v: Double) -> SolverError {
            fail("\(what) is \(v), outside the range of magnitudes the solvers are given (\(range.lowerBound) to \(range.upperBound))")
        }
        for j in 0..<columnCount {
            let (l, u) = (columnLower[j], columnUpper[j])
            if l.isNaN || u.isNaN { throw fail("bound of column \(columnNames[j]) is NaN") }
            if l > u { throw fail("column \(columnNames[j]) has lower bound \(l) above upper bound \(u)") }
            if l == .infinity || u == -.infinity { throw fail("column \(columnNames[j]) has an empty domain") }
            if l >= huge || u <= -huge {
                throw fail("column \(columnNames[j]) must be \(l >= huge ? "at least \(l)" : "at most \(u)"), beyond the largest finite magnitude of a bound (\(huge))")
            }
            if !objective[j].isFinite { throw fail("objective coefficient of \(columnNames[j]) is not finite") }
            if !NumericRange.isLibraryCoefficient(objective[j]) { throw outside("the objective coefficient of \(columnNames[j])", objective[j]) }
        }
        for i in 0..<rowCount {
            let (l, u) = (rowLower[i], rowUpper[i])
            if l.isNaN || u.isNaN { throw fail("bound of row \(rowNames[i]) is NaN") }
            if l > u { throw fail("row \(rowNames[i]) has lower bound \(l) above upper bound \(u)") }
            if l == .infinity || u == -.infinity { throw fail("row \(rowNames[i]) can never be satisfied") }
            if l >= huge || u <= -huge {
                throw fail("row \(rowNames[i]) needs its body \(l >= huge ? "at least \(l)" : "at most \(u)"), beyond the largest finite magnitude of a right-hand side (\(huge))")
            }
            if rowStart[i] > rowStart[i + 1] { throw fail("row starts are not increasing") }
        }
        for t in quadraticObjective {
            if t.first < 0 || t.second >= columnCount { throw fail("quadratic term index out of range") }
            if !t.coefficient.isFinite { throw fail("quadratic coefficient is not finite") }
            if !NumericRange.isLibraryCoefficient(t.coefficient) {
                throw outside("the quadratic coefficient of \(columnNames[t.first]) * \(columnNames[t.second])", t.coefficient)
            }
        }
        for i in 0..<rowCount {
            for k in rowStart[i]..<rowStart[i + 1] {
                if columnIndex[k] < 0 || columnIndex[k] >= columnCount { throw fail("column index out of range") }
                if !values[k].isFinite { throw fail("matrix coefficient is not finite") }
                if !NumericRange.isLibraryCoefficient(values[k]) {
                    throw outside("the coefficient of \(columnNames[columnIndex[k]]) in row \(rowNames[i])", values[k])
                }
            }
        }
    }

    /// The problem as a library is given it: `validate()`, then every bound of magnitude
    /// `NumericRange.infiniteBound` or more on its relaxing side made infinite (a derived upper
    /// bound of 1e13 means "no bound", as a user's does). Only the bound arrays are copied.
    public func prepared() throws -> StandardForm {
        try validate()
        var p = self
        if columnLower.contains(where: { $0.isFinite && $0 <= -NumericRange.infiniteBound }) { p.columnLower = columnLower.map(NumericRange.lower) }
        if columnUpper.contains(where: { $0.isFinite && $0 >= NumericRange.infiniteBound }) { p.columnUpper = columnUpper.map(NumericRange.upper) }
        if rowLower.contains(where: { $0.isFinite && $0 <= -NumericRange.infiniteBound }) { p.rowLower = rowLower.map(NumericRange.lower) }
        if rowUpper.contains(where: { $0.isFinite && $0 >= NumericRange.infiniteBound }) { p.rowUpper = rowUpper.map(NumericRange.upper) }
        return p
    }
}

extension StandardForm {
    /// How far a claimed LP optimum is from satisfying the optimality conditions, recomputed in
    /// double precision from the point and the row duals alone (the reduced costs are recomputed as
    /// `c - A'y`, not read from the solver): the largest of the scaled primal violation, the dual
    /// sign violations (a column or row strictly inside its bounds needs a zero reduced cost or
    /// dual; at its lower bound a nonnegative one, at its upper a nonpositive one), 0 when the
    /// certificate holds. Integrality and a quadratic objective are not considered (LPs only).
    public func optimalityCertificateError(_ x: [Double], rowDuals y: [Double]) -> Double {
        guard x.count == columnCount, y.count == rowCount else { return .infinity }
        guard x.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite) else { return .infinity }
        var worst = 0.0
        func atLower(_ v: Double, _ l: Double, _ size: Double) -> Bool { l.isFinite && v <= l + 1e-9 * size }
        func atUpper(_ v: Double, _ u: Double, _ size: Double) -> Bool { u.isFinite && v >= u - 1e-9 * size }
        // Primal feasibility (columns and rows).
        for j in 0..<columnCount {
            worst = max(worst, (columnLower[j] - x[j]) / max(1, abs(columnLower[j])), (x[j] - columnUpper[j]) / max(1, abs(columnUpper[j])))
        }
        // Dual quantities are judged relative to the objective's own magnitude (costs of 1e-5 next
        // to rows of 1e3 must not hide behind an absolute tolerance).
        let costScale = max(objective.map { abs($0) }.max() ?? 0, Double.leastNormalMagnitude)
        let dualScale = max(y.map { abs($0) }.max() ?? 0, Double.leastNormalMagnitude)
        var d = objective
        var scale = objective.map { abs($0) }
        for i in 0..<rowCount {
            var activity = 0.0, size = 0.0
            for k in rowStart[i]..<rowStart[i + 1] {
                let j = columnIndex[k], a = values[k]
                activity += a * x[j]
                size += abs(a * x[j])
                d[j] -= a * y[i]
                scale[j] += abs(a * y[i])
            }
            let tolerance = max(1, abs(rowLower[i].isFinite ? rowLower[i] : 0), abs(rowUpper[i].isFinite ? rowUpper[i] : 0), size)
            worst = max(worst, (rowLower[i] - activity) / tolerance, (activity - rowUpper[i]) / tolerance)
            // Row dual signs (minimisation): y >= 0 at the lower side, <= 0 at the upper, 0 inside.
            let ys = y[i] / dualScale
            if !atLower(activity, rowLower[i], tolerance) { worst = max(worst, ys) }
            if !atUpper(activity, rowUpper[i], tolerance) { worst = max(worst, -ys) }
        }
        for j in 0..<columnCount {
            let dj = d[j] / max(scale[j], 1e-6 * costScale)
            let size = max(1, abs(x[j]))
            let lo = atLower(x[j], columnLower[j], size), up = atUpper(x[j], columnUpper[j], size)
            if !up { worst = max(worst, -dj) }  // can increase: a negative reduced cost would improve
            if !lo { worst = max(worst, dj) }  // can decrease: a positive one would
        }
        return max(0, worst)
    }
}
