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
    public var terms: [VarID: Double] = [:]

    public init(constant: Double = 0, terms: [VarID: Double] = [:]) {
        self.constant = constant
        self.terms = terms
    }

    public static func variable(_ id: VarID, _ coefficient: Double = 1) -> LinearExpr {
        LinearExpr(terms: [id: coefficient])
    }

    /// The terms in variable order, for deterministic output.
    public var sortedTerms: [(VarID, Double)] {
        terms.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public mutating func add(_ id: VarID, _ coefficient: Double) {
        let v = (terms[id] ?? 0) + coefficient
        terms[id] = v == 0 ? nil : v
    }

    public mutating func add(_ other: LinearExpr, times factor: Double = 1) {
        constant += factor * other.constant
        for (id, c) in other.terms { add(id, factor * c) }
    }

    public func scaled(_ factor: Double) -> LinearExpr {
        var r = LinearExpr(constant: constant * factor)
        if factor != 0 { for (id, c) in terms { r.terms[id] = c * factor } }
        return r
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
    public var quadratic: [VarPair: Double] = [:]
    /// Where each quadratic term was written, to point at it in error messages.
    public var origins: [VarPair: SourceLocation] = [:]

    public init(linear: LinearExpr = LinearExpr(), quadratic: [VarPair: Double] = [:]) {
        self.linear = linear
        self.quadratic = quadratic
    }

    public init(constant: Double) { linear = LinearExpr(constant: constant) }

    public static func variable(_ id: VarID) -> QuadExpr { QuadExpr(linear: .variable(id)) }

    public var isLinear: Bool { quadratic.isEmpty }
    public var constant: Double { linear.constant }
    public var isConstant: Bool { quadratic.isEmpty && linear.terms.isEmpty }

    public var sortedQuadratic: [(VarPair, Double)] {
        quadratic.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public mutating func addQuadratic(_ pair: VarPair, _ c: Double, at location: SourceLocation? = nil) {
        let v = (quadratic[pair] ?? 0) + c
        if v == 0 {
            quadratic[pair] = nil
            origins[pair] = nil
        } else {
            quadratic[pair] = v
            if let location, origins[pair] == nil { origins[pair] = location }
        }
    }

    /// Adds another expression in place (sums of many terms stay linear in time).
    public mutating func add(_ b: QuadExpr) {
        linear.add(b.linear)
        for (p, c) in b.quadratic { addQuadratic(p, c, at: b.origins[p]) }
    }

    public static func + (a: QuadExpr, b: QuadExpr) -> QuadExpr {
        var r = a
        r.add(b)
        return r
    }

    public static prefix func - (a: QuadExpr) -> QuadExpr { a.scaled(-1) }
    public static func - (a: QuadExpr, b: QuadExpr) -> QuadExpr { a + b.scaled(-1) }

    public func scaled(_ f: Double) -> QuadExpr {
        var r = QuadExpr(linear: linear.scaled(f))
        if f != 0 {
            for (p, c) in quadratic { r.quadratic[p] = c * f }
            r.origins = origins
        }
        return r
    }

    /// The product of two expressions, or nil when it would exceed degree two.
    public static func product(_ a: QuadExpr, _ b: QuadExpr, at location: SourceLocation? = nil) -> QuadExpr? {
        if a.isConstant { return b.scaled(a.constant) }
        if b.isConstant { return a.scaled(b.constant) }
        guard a.isLinear, b.isLinear else { return nil }
        var r = QuadExpr(linear: LinearExpr(constant: a.constant * b.constant))
        for (id, c) in a.linear.terms { r.linear.add(id, c * b.constant) }
        for (id, c) in b.linear.terms { r.linear.add(id, c * a.constant) }
        for (i, ci) in a.linear.terms {
            for (j, cj) in b.linear.terms { r.addQuadratic(VarPair(i, j), ci * cj, at: location) }
        }
        return r
    }

    public func evaluate(_ values: [Double]) -> Double {
        var s = linear.evaluate(values)
        for (p, c) in quadratic { s += c * values[p.first] * values[p.second] }
        return s
    }
}
