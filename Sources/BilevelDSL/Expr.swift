import BlomodelCore

/// An expression of a model built in Swift: `2 * x[i] + y`, `T[a] * sum(K) { k in x[k, a] }`,
/// `exp(-w) + (x - 1) ** 2`.
///
/// Expressions are built as they are written, into the expression graph of the model whose
/// variables they use (the `.blo` language builds the same graph): constants fold
/// (`2 * 3 * x` is one term), sums stay flat (`+=` appends), and products, quotients, powers
/// and functions become graph nodes. An expression without variables is a number.
///
/// Misuse that an operator cannot report at once (a division by zero, a function outside its
/// domain, variables of two models mixed) travels with the expression and is reported, with
/// the Swift file and line, when the expression is used in an objective or a constraint.
public struct Expr {
    /// The model whose graph holds the nodes (nil for a number).
    let model: Bilevel?
    var terms: Combination
    /// The variable this expression is, when it is exactly one variable (for typed results).
    public internal(set) var variable: VarID?
    /// The first misuse found while building the expression.
    var failure: Diagnostic?

    init(model: Bilevel?, terms: Combination, variable: VarID? = nil, failure: Diagnostic? = nil) {
        self.model = model
        self.terms = terms
        self.variable = variable
        self.failure = failure
    }

    /// A number as an expression.
    public init(_ value: Double) { self.init(model: nil, terms: Combination(constant: value)) }

    /// The name of the variable this expression is (`x`, `T[1,2]`), or nil.
    public var variableName: String? {
        guard let v = variable, let model, model.builder.variables.indices.contains(v) else { return nil }
        return model.builder.variables[v].name
    }

    /// The misuse this expression carries, if any (reported when it is used in a declaration).
    public var failureMessage: String? { failure?.message }
    /// The notes of that misuse.
    public var failureNotes: [String] { failure?.notes ?? [] }

    /// The model whose variables the expression uses (for evaluating it at a solution).
    public var modelForValues: Bilevel? { model }

    /// The expression's value at a point of its model (values by variable identifier).
    public func evaluate(at point: [Double]) -> Double {
        guard let model, !terms.isConstant else { return terms.constant }
        var s = terms.constant
        for (a, n) in zip(terms.coefficients, terms.nodes) { s += a * model.builder.graph.evaluate(n, at: point) }
        return s
    }

    /// True when the expression involves no variable (its value is `constant`).
    public var isConstant: Bool { terms.isConstant }
    /// The constant term (the whole value when `isConstant`).
    public var constant: Double { terms.constant }

    static func failed(_ message: String, at location: SourceLocation, notes: [String] = []) -> Expr {
        Expr(model: nil, terms: Combination(constant: 0), failure: Diagnostic(.error, message, at: location, notes: notes))
    }
}

extension Expr: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int) { self.init(Double(value)) }
    public init(floatLiteral value: Double) { self.init(value) }
}

// MARK: - Combining

extension Expr {
    /// The model two operands share; mixing two models is a failure of the result.
    static func combine(_ a: Expr, _ b: Expr) -> (Bilevel?, Diagnostic?) {
        let failure = a.failure ?? b.failure
        switch (a.model, b.model) {
        case (nil, let m), (let m, nil): return (m, failure)
        case (let m?, let n?):
            if m === n { return (m, failure) }
            return (
                m,
                failure
                    ?? Diagnostic(
                        .error, "this expression mixes variables of two models, '\(m.name)' and '\(n.name)'",
                        at: .unknown, notes: ["build each expression from the variables of one model"])
            )
        }
    }

    /// A result made of nodes of `model` (or a number).
    static func made(_ model: Bilevel?, _ terms: Combination, _ failure: Diagnostic?) -> Expr {
        var e = Expr(model: model, terms: terms, failure: failure)
        if !terms.isFinite, e.failure == nil {
            let nan = !terms.constant.isNaN && !terms.coefficients.contains(where: \.isNaN) ? false : true
            e.failure = Diagnostic(
                .error,
                nan
                    ? "this expression has a constant that is not a number (NaN: an undefined operation on data, such as log of a negative number or 0/0)"
                    : "this expression has a constant that is not a finite number (an overflow)", at: .unknown,
                notes: nan ? ["check the data the expression computes with"] : ["rescale the data: coefficients must stay well inside +-1e308"])
        }
        return e
    }

    /// Runs a graph operation on the model's graph (a number needs none).
    static func onGraph(_ model: Bilevel?, _ body: (inout ExpressionGraph) -> Combination) -> Combination {
        guard let model else {
            var scratch = ExpressionGraph()
            return body(&scratch)
        }
        return body(&model.builder.graph)
    }
}

public func + (a: Expr, b: Expr) -> Expr {
    let (m, f) = Expr.combine(a, b)
    var t = a.terms
    t.add(b.terms)
    return .made(m, t, f)
}

public func - (a: Expr, b: Expr) -> Expr {
    let (m, f) = Expr.combine(a, b)
    var t = a.terms
    t.add(b.terms, times: -1)
    return .made(m, t, f)
}

public prefix func - (a: Expr) -> Expr { .made(a.model, a.terms.scaled(-1), a.failure) }
public prefix func + (a: Expr) -> Expr { a }

public func * (a: Expr, b: Expr) -> Expr {
    let (m, f) = Expr.combine(a, b)
    return .made(m, Expr.onGraph(m) { $0.multiply(a.terms, b.terms) }, f)
}

public func / (a: Expr, b: Expr) -> Expr {
    let (m, f) = Expr.combine(a, b)
    if b.isConstant, b.constant == 0 {
        return .made(m, Combination(constant: 0), f ?? Diagnostic(.error, "division by zero", at: .unknown))
    }
    return .made(m, Expr.onGraph(m) { $0.divide(a.terms, b.terms) }, f)
}

@_disfavoredOverload
public func + (a: Expr, b: Double) -> Expr { a + Expr(b) }
@_disfavoredOverload
public func + (a: Double, b: Expr) -> Expr { Expr(a) + b }
@_disfavoredOverload
public func - (a: Expr, b: Double) -> Expr { a - Expr(b) }
@_disfavoredOverload
public func - (a: Double, b: Expr) -> Expr { Expr(a) - b }
@_disfavoredOverload
public func * (a: Expr, b: Double) -> Expr { a * Expr(b) }
@_disfavoredOverload
public func * (a: Double, b: Expr) -> Expr { Expr(a) * b }
@_disfavoredOverload
public func / (a: Expr, b: Double) -> Expr { a / Expr(b) }
@_disfavoredOverload
public func / (a: Double, b: Expr) -> Expr { Expr(a) / b }

/// `a += b` appends in place: accumulating a long sum in a loop takes time in its length.
public func += (a: inout Expr, b: Expr) {
    let (m, f) = Expr.combine(a, b)
    a.terms.add(b.terms)
    a = .made(m, a.terms, f)
}
public func -= (a: inout Expr, b: Expr) {
    let (m, f) = Expr.combine(a, b)
    a.terms.add(b.terms, times: -1)
    a = .made(m, a.terms, f)
}
@_disfavoredOverload
public func += (a: inout Expr, b: Double) { a.terms.constant += b }
@_disfavoredOverload
public func -= (a: inout Expr, b: Double) { a.terms.constant -= b }

precedencegroup ExponentiationPrecedence {
    higherThan: MultiplicationPrecedence
    associativity: right
}

/// `base ** p`: a power with a constant exponent (`x ** 2`, `x ** 0.5`, `y ** -1`). It binds
/// tighter than `*`; a prefix minus binds tighter still, so write `-(x ** 2)` for the negated square.
infix operator ** : ExponentiationPrecedence

public func ** (base: Expr, exponent: Double) -> Expr { pow(base, exponent) }

/// `base ^ exponent` for a constant exponent, checked as the language checks `^`.
public func pow(
    _ base: Expr, _ exponent: Double, file: String = #fileID, line: Int = #line, column: Int = #column
) -> Expr {
    let at = SourceLocation(file: file, line: line, column: column)
    guard exponent.isFinite else { return .failed("the exponent is not a finite number", at: at) }
    if base.isConstant {
        let v = ExpressionGraph.power(base.constant, exponent)
        guard v.isFinite else {
            return .failed(
                "\(formatNumber(base.constant)) ^ \(formatNumber(exponent)) is not a finite real number", at: at,
                notes: base.constant < 0 ? ["a negative number has no real power with a fractional exponent"] : [])
        }
        return Expr(model: nil, terms: Combination(constant: v), failure: base.failure)
    }
    return .made(base.model, Expr.onGraph(base.model) { $0.power(base.terms, exponent) }, base.failure)
}

// MARK: - Functions

/// `f(argument)`, checked for a constant argument's domain as the language checks it.
func apply(_ f: MathFunction, _ a: Expr, _ at: SourceLocation) -> Expr {
    var failure: Diagnostic?
    let result = Expr.onGraph(a.model) { graph -> Combination in
        guard let r = graph.call(f, a.terms) else {
            failure = Diagnostic(
                .error, "\(f.rawValue)(\(formatNumber(a.constant))) is undefined: \(f.rawValue) takes \(f.domain ?? "finite numbers")",
                at: at)
            return Combination(constant: 0)
        }
        return r
    }
    if failure == nil, result.isConstant, !result.constant.isFinite {
        failure = Diagnostic(.error, "\(f.rawValue)(\(formatNumber(a.constant))) is not a finite number", at: at)
    }
    return .made(a.model, result, a.failure ?? failure)
}

public func exp(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.exp, a, SourceLocation(file: file, line: line, column: column))
}
public func log(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.log, a, SourceLocation(file: file, line: line, column: column))
}
public func log1p(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.log1p, a, SourceLocation(file: file, line: line, column: column))
}
public func sqrt(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.sqrt, a, SourceLocation(file: file, line: line, column: column))
}
public func sin(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.sin, a, SourceLocation(file: file, line: line, column: column))
}
public func cos(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.cos, a, SourceLocation(file: file, line: line, column: column))
}
public func tanh(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.tanh, a, SourceLocation(file: file, line: line, column: column))
}
/// The logistic function `1 / (1 + exp(-t))`.
public func sigmoid(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.sigmoid, a, SourceLocation(file: file, line: line, column: column))
}
/// `log(1 + exp(t))`, computed without overflow.
public func softplus(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.softplus, a, SourceLocation(file: file, line: line, column: column))
}
/// `|t|` (nonsmooth).
public func abs(_ a: Expr, file: String = #fileID, line: Int = #line, column: Int = #column) -> Expr {
    apply(.abs, a, SourceLocation(file: file, line: line, column: column))
}

/// The smallest of two or more expressions (nonsmooth).
@_disfavoredOverload
public func min(_ a: Expr, _ b: Expr, _ rest: Expr...) -> Expr {
    extremum([a, b] + rest, maximum: false)
}
/// The largest of two or more expressions (nonsmooth).
@_disfavoredOverload
public func max(_ a: Expr, _ b: Expr, _ rest: Expr...) -> Expr {
    extremum([a, b] + rest, maximum: true)
}

func extremum(_ arguments: [Expr], maximum: Bool) -> Expr {
    var model: Bilevel?
    var failure: Diagnostic?
    for a in arguments {
        let (m, f) = Expr.combine(Expr(model: model, terms: Combination(constant: 0), failure: failure), a)
        model = m
        failure = f
    }
    return .made(model, Expr.onGraph(model) { $0.extremum(arguments.map(\.terms), maximum: maximum) }, failure)
}

// MARK: - Sums

/// `sum{a in s} term(a)`: one flat sum, however many members.
public func sum<S: Sequence>(_ s: S, _ term: (S.Element) throws -> Expr) rethrows -> Expr {
    var total = Expr(0)
    for a in s { total += try term(a) }
    return total
}

/// `sum{a in s, b in t} term(a, b)`.
public func sum<S: Sequence, T: Sequence>(_ s: S, _ t: T, _ term: (S.Element, T.Element) throws -> Expr) rethrows
    -> Expr
{
    var total = Expr(0)
    for a in s { for b in t { total += try term(a, b) } }
    return total
}

/// `sum{a in s, b in t, c in u} term(a, b, c)`.
public func sum<S: Sequence, T: Sequence, U: Sequence>(
    _ s: S, _ t: T, _ u: U, _ term: (S.Element, T.Element, U.Element) throws -> Expr
) rethrows -> Expr {
    var total = Expr(0)
    for a in s { for b in t { for c in u { total += try term(a, b, c) } } }
    return total
}

/// The sum of expressions.
public func sum<S: Sequence>(_ terms: S) -> Expr where S.Element == Expr {
    var total = Expr(0)
    for t in terms { total += t }
    return total
}

// MARK: - Relations

/// A constraint's relation, `lhs <= rhs`, `lhs >= rhs`, `lhs == rhs`, or `e.in(lo...hi)`:
/// what a constraint declaration takes.
public struct Relation {
    enum Shape {
        case compare(Expr, ModelBuilder.Relation, Expr)
        case ranged(Double, Expr, Double)
    }
    let shape: Shape

    var failure: Diagnostic? {
        switch shape {
        case .compare(let a, _, let b): return Expr.combine(a, b).1
        case .ranged(_, let e, _): return e.failure
        }
    }
    var model: Bilevel? {
        switch shape {
        case .compare(let a, _, let b): return a.model ?? b.model
        case .ranged(_, let e, _): return e.model
        }
    }
}

public func <= (a: Expr, b: Expr) -> Relation { Relation(shape: .compare(a, .lessEqual, b)) }
public func >= (a: Expr, b: Expr) -> Relation { Relation(shape: .compare(a, .greaterEqual, b)) }
public func == (a: Expr, b: Expr) -> Relation { Relation(shape: .compare(a, .equal, b)) }
public func <= <T: BinaryFloatingPoint>(a: Expr, b: T) -> Relation { a <= Expr(Double(b)) }
public func >= <T: BinaryFloatingPoint>(a: Expr, b: T) -> Relation { a >= Expr(Double(b)) }
public func == <T: BinaryFloatingPoint>(a: Expr, b: T) -> Relation { a == Expr(Double(b)) }
public func <= <T: BinaryFloatingPoint>(a: T, b: Expr) -> Relation { Expr(Double(a)) <= b }
public func >= <T: BinaryFloatingPoint>(a: T, b: Expr) -> Relation { Expr(Double(a)) >= b }
public func == <T: BinaryFloatingPoint>(a: T, b: Expr) -> Relation { Expr(Double(a)) == b }

extension Expr {
    /// The ranged constraint `range.lowerBound <= self <= range.upperBound` (the `.blo` `lo <= e <= hi`).
    public func `in`(_ range: ClosedRange<Double>) -> Relation {
        Relation(shape: .ranged(range.lowerBound, self, range.upperBound))
    }
}

// MARK: - What is not an expression's operation, said by the compiler

@available(*, unavailable, message: "powers are written with ** (x ** 2) or pow(x, 2); ^ is not a power in Swift")
public func ^ (base: Expr, exponent: Double) -> Expr { fatalError() }

@available(*, unavailable, message: "a constraint is <=, >= or ==; strict inequalities are not constraints")
public func < (a: Expr, b: Expr) -> Relation { fatalError() }

@available(*, unavailable, message: "a constraint is <=, >= or ==; strict inequalities are not constraints")
public func > (a: Expr, b: Expr) -> Relation { fatalError() }
