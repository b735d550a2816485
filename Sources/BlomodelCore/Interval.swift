/// A closed interval of reals, possibly unbounded, for proving bounds on
/// expressions from bounds on variables (interval arithmetic).
public struct Interval: Equatable, Sendable, CustomStringConvertible {
    public var lower: Double
    public var upper: Double

    public init(_ lower: Double, _ upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    public static func point(_ v: Double) -> Interval { Interval(v, v) }
    public static let zero = Interval(0, 0)

    /// The largest absolute value in the interval.
    public var magnitude: Double { Swift.max(Swift.abs(lower), Swift.abs(upper)) }

    public static func + (a: Interval, b: Interval) -> Interval {
        Interval(a.lower + b.lower, a.upper + b.upper)
    }

    /// Scaling by a constant; zero times an infinite end is zero (the term is absent).
    public static func * (c: Double, a: Interval) -> Interval {
        if c == 0 { return .zero }
        let p = c * a.lower, q = c * a.upper
        return Interval(Swift.min(p, q), Swift.max(p, q))
    }

    /// Product of two intervals.
    public static func * (a: Interval, b: Interval) -> Interval {
        func mul(_ x: Double, _ y: Double) -> Double { (x == 0 || y == 0) ? 0 : x * y }
        let c = [mul(a.lower, b.lower), mul(a.lower, b.upper), mul(a.upper, b.lower), mul(a.upper, b.upper)]
        return Interval(c.min()!, c.max()!)
    }

    /// The square of the interval (tighter than `a * a`, which ignores that both factors are equal).
    public var squared: Interval {
        let (p, q) = (lower * lower, upper * upper)
        if lower <= 0 && upper >= 0 { return Interval(0, Swift.max(p, q)) }
        return Interval(Swift.min(p, q), Swift.max(p, q))
    }

    public var description: String { "[\(lower), \(upper)]" }
}

/// A number as people write it: `3`, `-0.5`, `1e+20`, `inf` (no trailing `.0`).
public func formatNumber(_ v: Double) -> String {
    if v == .infinity { return "inf" }
    if v == -.infinity { return "-inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    return String(v)
}
