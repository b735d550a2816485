/// An expression under construction: `constant + sum coefficients[k] * nodes[k]`.
///
/// Builders (the `.blo` elaborator, and the Swift DSL to come) work on combinations so
/// that constants fold as they are written (`2 * 3 * x` is one term) and long sums stay
/// flat: adding a term appends to two arrays, and the whole sum becomes one `.linear`
/// node when it is stored (`ExpressionGraph.node(_:)`).
public struct Combination: Sendable {
    public var constant: Double
    public var coefficients: [Double] = []
    public var nodes: [NodeID] = []

    public init(constant: Double) { self.constant = constant }

    public init(_ node: NodeID, coefficient: Double = 1) {
        constant = 0
        coefficients = [coefficient]
        nodes = [node]
    }

    /// True when no node is involved (the value is `constant`).
    public var isConstant: Bool { nodes.isEmpty }

    /// True when the constant and every coefficient are finite numbers.
    public var isFinite: Bool { constant.isFinite && coefficients.allSatisfy(\.isFinite) }

    /// `self += factor * other`, by appending.
    public mutating func add(_ other: Combination, times factor: Double = 1) {
        constant += factor * other.constant
        if factor == 0 { return }
        coefficients.append(contentsOf: factor == 1 ? other.coefficients : other.coefficients.map { $0 * factor })
        nodes.append(contentsOf: other.nodes)
    }

    public func scaled(_ factor: Double) -> Combination {
        if factor == 0 { return Combination(constant: 0) }
        var r = self
        r.constant *= factor
        for k in r.coefficients.indices { r.coefficients[k] *= factor }
        return r
    }
}

extension ExpressionGraph {
    /// A variable, as a term of one node.
    public mutating func variable(_ id: VarID, at range: SourceRange = .unknown) -> Combination {
        Combination(add(.variable(id), at: range))
    }

    /// The node holding a combination: the node itself when it is `1 * node`, otherwise a
    /// new `.linear` node (a constant becomes a `.constant` node).
    public mutating func node(_ c: Combination, at range: SourceRange = .unknown) -> NodeID {
        if c.nodes.isEmpty { return add(.constant(c.constant), at: range) }
        if c.nodes.count == 1, c.constant == 0, c.coefficients[0] == 1 { return c.nodes[0] }
        return add(.linear(constant: c.constant, coefficients: c.coefficients, children: c.nodes), at: range)
    }

    /// `a * b`: a scaling when either is a constant, otherwise a product node.
    public mutating func multiply(_ a: Combination, _ b: Combination, at range: SourceRange = .unknown) -> Combination {
        if a.isConstant { return b.scaled(a.constant) }
        if b.isConstant { return a.scaled(b.constant) }
        // A scalar factor of a single-node term stays outside: 2x * 3y is 6 (x*y).
        var factor = 1.0
        var left = a, right = b
        if left.nodes.count == 1, left.constant == 0 { factor *= left.coefficients[0]; left.coefficients[0] = 1 }
        if right.nodes.count == 1, right.constant == 0 { factor *= right.coefficients[0]; right.coefficients[0] = 1 }
        let p = add(.product(node(left, at: range), node(right, at: range)), at: range)
        return Combination(p, coefficient: factor)
    }

    /// `a / b`. The caller checks that a constant `b` is not zero.
    public mutating func divide(_ a: Combination, _ b: Combination, at range: SourceRange = .unknown) -> Combination {
        if b.isConstant { return a.scaled(1 / b.constant) }
        if a.isConstant, a.constant == 0 { return Combination(constant: 0) }
        return Combination(add(.quotient(node(a, at: range), node(b, at: range)), at: range))
    }

    /// `a ^ p` for a constant exponent. The caller checks a constant base's domain.
    public mutating func power(_ a: Combination, _ p: Double, at range: SourceRange = .unknown) -> Combination {
        if a.isConstant { return Combination(constant: ExpressionGraph.power(a.constant, p)) }
        if p == 0 { return Combination(constant: 1) }
        if p == 1 { return a }
        return Combination(add(.power(node(a, at: range), exponent: p), at: range))
    }

    /// `f(a)`; a constant argument is evaluated (nil when it is outside the domain).
    public mutating func call(_ f: MathFunction, _ a: Combination, at range: SourceRange = .unknown) -> Combination? {
        if a.isConstant { return f.apply(a.constant).map { Combination(constant: $0) } }
        return Combination(add(.call(f, node(a, at: range)), at: range))
    }

    /// `min(...)` or `max(...)` of two or more arguments; constants fold.
    public mutating func extremum(
        _ arguments: [Combination], maximum: Bool, at range: SourceRange = .unknown
    ) -> Combination {
        if arguments.allSatisfy(\.isConstant) {
            let values = arguments.map(\.constant)
            return Combination(constant: (maximum ? values.max() : values.min()) ?? .nan)
        }
        let children = arguments.map { node($0, at: range) }
        return Combination(add(maximum ? .maximum(children) : .minimum(children), at: range))
    }
}

extension ExpressionGraph {
    /// The nodes of a quadratic form (for expressions that exist only as views, such as the
    /// rows a pass adds): one `.linear` node over variable and product nodes.
    public mutating func node(for q: QuadExpr) -> NodeID {
        var c = Combination(constant: q.constant)
        for (j, a) in q.linear.terms { c.add(variable(j), times: a) }
        for (p, a) in q.quadratic {
            let x = add(.variable(p.first)), y = add(.variable(p.second))
            c.add(Combination(add(.product(x, y))), times: a)
        }
        return add(.linear(constant: c.constant, coefficients: c.coefficients, children: c.nodes))
    }
}

extension BilevelModel {
    /// The model with every objective and constraint present in the graph: those that exist
    /// only as quadratic views get nodes (`ExpressionGraph.node(for:)`).
    public func withFunctions() -> BilevelModel {
        var m = self
        if m.upperObjective.function == nil { m.upperObjective.function = m.graph.node(for: m.upperObjective.expression) }
        if m.lowerObjective.function == nil { m.lowerObjective.function = m.graph.node(for: m.lowerObjective.expression) }
        for i in m.constraints.indices where m.constraints[i].function == nil {
            m.constraints[i].function = m.graph.node(for: m.constraints[i].body)
        }
        return m
    }
}
