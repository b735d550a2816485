/// The index of a variable in its model.
public typealias VarID = Int

/// An unordered pair of variables, the key of a quadratic term.
public struct VarPair: Hashable, Sendable, Comparable {
    public let first: VarID
    public let second: VarID
    public init(_ a: VarID, _ b: VarID) {
        first = Swift.min(a, b)
        second = Swift.max(a, b)
    }
    public static func < (l: VarPair, r: VarPair) -> Bool {
        (l.first, l.second) < (r.first, r.second)
    }
}

/// A linear expression `constant + sum coefficient * variable`.
public struct LinearExpr: Equatable, Sendable {
    public var constant: Double = 0
    /// The coefficients, sorted by variable.
    public var terms: SparseMap<VarID> = [:]

    public init(constant: Double = 0, terms: SparseMap<VarID> = [:]) {
        self.constant = constant
        self.terms = terms
    }

    public static func variable(_ id: VarID, _ coefficient: Double = 1) -> LinearExpr {
        LinearExpr(terms: [id: coefficient])
    }

    /// The terms in variable order (the storage order).
    public var sortedTerms: [(VarID, Double)] {
        zip(terms.keys, terms.values).map { ($0, $1) }
    }

    public mutating func add(_ id: VarID, _ coefficient: Double) {
        terms.add(id, coefficient)
    }

    public mutating func add(_ other: LinearExpr, times factor: Double = 1) {
        constant += factor * other.constant
        terms.merge(other.terms, times: factor)
    }

    public func scaled(_ factor: Double) -> LinearExpr {
        LinearExpr(constant: constant * factor, terms: terms.scaled(factor))
    }

    /// The value at a point.
    public func evaluate(_ values: [Double]) -> Double {
        var s = constant
        for (id, c) in terms { s += c * values[id] }
        return s
    }

    /// Interval of values over boxes for the variables.
    public func range(_ bounds: (VarID) -> Interval) -> Interval {
        var r = Interval.point(constant)
        for (id, c) in sortedTerms { r = r + c * bounds(id) }
        return r
    }
}

/// A quadratic expression: linear part plus `sum coefficient * v_i * v_j`.
///
/// Smooth nonlinear functions for gradient methods will come as a separate
/// expression tree; every model that the exact (MILP) path accepts is quadratic.
public struct QuadExpr: Equatable, Sendable {
    public var linear = LinearExpr()
    /// The coefficients of `v_i * v_j`, sorted by pair.
    public var quadratic: SparseMap<VarPair> = [:]
    /// Where each quadratic term was written, to point at it in error messages.
    public var origins: [VarPair: SourceLocation] = [:]

    public init(linear: LinearExpr = LinearExpr(), quadratic: SparseMap<VarPair> = [:]) {
        self.linear = linear
        self.quadratic = quadratic
    }

    public init(constant: Double) { linear = LinearExpr(constant: constant) }

    public static func variable(_ id: VarID) -> QuadExpr { QuadExpr(linear: .variable(id)) }

    public var isLinear: Bool { quadratic.isEmpty }
    /// True when the constant and every coefficient are finite numbers.
    public var isFinite: Bool {
        linear.constant.isFinite && linear.terms.values.allSatisfy(\.isFinite) && quadratic.values.allSatisfy(\.isFinite)
    }
    public var constant: Double { linear.constant }
    public var isConstant: Bool { quadratic.isEmpty && linear.terms.isEmpty }

    /// The quadratic terms in pair order (the storage order).
    public var sortedQuadratic: [(VarPair, Double)] {
        zip(quadratic.keys, quadratic.values).map { ($0, $1) }
    }

    public mutating func addQuadratic(_ pair: VarPair, _ c: Double, at location: SourceLocation? = nil) {
        quadratic.add(pair, c)
        if quadratic[pair] == nil {
            origins[pair] = nil
        } else if let location, origins[pair] == nil {
            origins[pair] = location
        }
    }

    /// Adds another expression in place, by merging the sorted term lists.
    public mutating func add(_ b: QuadExpr) {
        linear.add(b.linear)
        if b.quadratic.isEmpty { return }
        quadratic.merge(b.quadratic)
        for (p, location) in b.origins where origins[p] == nil && quadratic[p] != nil { origins[p] = location }
    }

    public static func + (a: QuadExpr, b: QuadExpr) -> QuadExpr {
        var r = a
        r.add(b)
        return r
    }

    public static prefix func - (a: QuadExpr) -> QuadExpr { a.scaled(-1) }
    public static func - (a: QuadExpr, b: QuadExpr) -> QuadExpr { a + b.scaled(-1) }

    public func scaled(_ f: Double) -> QuadExpr {
        var r = QuadExpr(linear: linear.scaled(f), quadratic: quadratic.scaled(f))
        if f != 0 { r.origins = origins }
        return r
    }

    /// The product of two expressions, or nil when it would exceed degree two.
    public static func product(_ a: QuadExpr, _ b: QuadExpr, at location: SourceLocation? = nil) -> QuadExpr? {
        if a.isConstant { return b.scaled(a.constant) }
        if b.isConstant { return a.scaled(b.constant) }
        guard a.isLinear, b.isLinear else { return nil }
        var r = QuadExpr(linear: LinearExpr(constant: a.constant * b.constant))
        r.linear.terms.merge(a.linear.terms, times: b.constant)
        r.linear.terms.merge(b.linear.terms, times: a.constant)
        var products: [(VarPair, Double)] = []
        products.reserveCapacity(a.linear.terms.count * b.linear.terms.count)
        for (i, ci) in a.linear.terms {
            for (j, cj) in b.linear.terms { products.append((VarPair(i, j), ci * cj)) }
        }
        r.quadratic = SparseMap(summing: products)
        if let location { for p in r.quadratic.keys { r.origins[p] = location } }
        return r
    }

    public func evaluate(_ values: [Double]) -> Double {
        var s = linear.evaluate(values)
        for (p, c) in quadratic { s += c * values[p.first] * values[p.second] }
        return s
    }
}
