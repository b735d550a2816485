import BlomodelCore

/// A member of an index set, or a part of one: an integer, a string (a symbol), an `Element`,
/// or a tuple of them (`[1, 2]`, `["paris", 3]`). A subscript's parts are joined into one tuple,
/// as in the language: with `arcs` a set of pairs, `x[k, a]` is `x[k, i, j]`.
///
/// Conform a type of your own (a struct for arcs, say) by giving its parts.
public protocol SetMember {
    /// The member's parts, in order.
    var parts: Tuple { get }
}

extension Int: SetMember {
    public var parts: Tuple { [.int(self)] }
}
extension String: SetMember {
    /// A string that reads as an integer is that integer, as in CSV data and `.blo` files.
    public var parts: Tuple { [Int(self).map(BlomodelCore.Element.int) ?? .symbol(self)] }
}
extension Element: SetMember {
    public var parts: Tuple { [self] }
}
extension Array: SetMember where Element: SetMember {
    public var parts: Tuple { flatMap(\.parts) }
}

extension Element: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A string literal that reads as an integer is that integer.
    public init(stringLiteral value: String) { self = Int(value).map(BlomodelCore.Element.int) ?? .symbol(value) }
}

/// A variable's bounds: `0...10`, `0...`, `...5`, `Bounds.free`, `Bounds.fixed(3)`.
public struct Bounds: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public init(lower: Double = -.infinity, upper: Double = .infinity) {
        self.lower = lower
        self.upper = upper
    }
    /// No bound (the default).
    public static let free = Bounds()
    /// `x = value`.
    public static func fixed(_ value: Double) -> Bounds { Bounds(lower: value, upper: value) }
}

/// What `bounds:` accepts: a `Bounds`, or a range of `Int` or `Double` (`0...10`, `0...`, `...5`),
/// or of constant expressions (`0...capacity[i]`, with `capacity` a `Parameter`).
public protocol BoundsConvertible {
    var bounds: Bounds { get }
    /// Why the bounds are not numbers (a parameter member without a value), if they are not.
    var boundsFailure: Diagnostic? { get }
}

extension BoundsConvertible {
    public var boundsFailure: Diagnostic? { nil }
}

/// `lower...upper` with a constant expression on one side (`0...capacity[i]`, `minimum[i]...10`);
/// for expressions on both sides, `ExprBounds(lower:upper:)`.
public struct ExprBounds: BoundsConvertible {
    let lower: Expr
    let upper: Expr
    public init(lower: Expr, upper: Expr) {
        self.lower = lower
        self.upper = upper
    }
    public var bounds: Bounds { Bounds(lower: lower.constant, upper: upper.constant) }
    public var boundsFailure: Diagnostic? {
        if let f = lower.failure ?? upper.failure { return f }
        for e in [lower, upper] where !e.isConstant {
            let name = e.model.flatMap { m in
                e.terms.nodes.lazy.compactMap { m.builder.graph.variables(in: $0).first }.first.map { m.builder.variables[$0].name }
            }
            return Diagnostic(.error, "a variable bound must be a constant, but it involves the variable '\(name ?? "?")'")
        }
        return nil
    }
}

@_disfavoredOverload
public func ... (lower: Double, upper: Expr) -> ExprBounds { ExprBounds(lower: Expr(lower), upper: upper) }
@_disfavoredOverload
public func ... (lower: Expr, upper: Double) -> ExprBounds { ExprBounds(lower: lower, upper: Expr(upper)) }

extension Element {
    /// `$0[0] == n` with `n` an `Int`: the member is that integer.
    @_disfavoredOverload
    public static func == (a: Element, b: Int) -> Bool { a == .int(b) }
    /// `$0[0] == city` with `city` a `String`: the member is that symbol (or integer, if it reads as one).
    @_disfavoredOverload
    public static func == (a: Element, b: String) -> Bool { a == Element(stringLiteral: b) }
    @_disfavoredOverload
    public static func != (a: Element, b: Int) -> Bool { !(a == b) }
    @_disfavoredOverload
    public static func != (a: Element, b: String) -> Bool { !(a == b) }
}

/// A number type a range of bounds may use.
public protocol BoundValue: Comparable {
    var doubleValue: Double { get }
}
extension Int: BoundValue {
    public var doubleValue: Double { Double(self) }
}
extension Double: BoundValue {
    public var doubleValue: Double { self }
}

extension Bounds: BoundsConvertible {
    public var bounds: Bounds { self }
}
extension ClosedRange: BoundsConvertible where Bound: BoundValue {
    public var bounds: Bounds { Bounds(lower: lowerBound.doubleValue, upper: upperBound.doubleValue) }
}
extension PartialRangeFrom: BoundsConvertible where Bound: BoundValue {
    public var bounds: Bounds { Bounds(lower: lowerBound.doubleValue) }
}
extension PartialRangeThrough: BoundsConvertible where Bound: BoundValue {
    public var bounds: Bounds { Bounds(upper: upperBound.doubleValue) }
}
