import BlomodelCore

/// The curvature of an expression, as disciplined convex programming's composition rules
/// can show it (CVXPY's DCP rules, with unknown-sign parameters treated as unknown).
public enum Curvature: String, Sendable, Comparable {
    case constant, affine, convex, concave
    /// Neither convexity nor concavity could be shown (it may still hold).
    case unknown

    public static func < (a: Curvature, b: Curvature) -> Bool { a.order < b.order }
    var order: Int { [.constant: 0, .affine: 1, .convex: 2, .concave: 3, .unknown: 4][self] ?? 4 }

    public var isConvex: Bool { self == .constant || self == .affine || self == .convex }
    public var isConcave: Bool { self == .constant || self == .affine || self == .concave }

    /// The curvature of `-e`.
    public var negated: Curvature {
        switch self {
        case .convex: return .concave
        case .concave: return .convex
        default: return self
        }
    }

    /// The curvature of `a + b`.
    public static func sum(_ a: Curvature, _ b: Curvature) -> Curvature {
        if a == .constant { return b }
        if b == .constant { return a }
        if a == .affine { return b }
        if b == .affine { return a }
        return a == b ? a : .unknown
    }
}

/// Curvature of the nodes of an expression graph by composition rules, in one pass in
/// topological order. Variables in `fixed` count as constants (for "convex in the
/// follower's own variables", the leader's variables are fixed).
package struct CurvatureAnalysis {
    /// The sign of a constant-valued node, when known.
    enum Sign { case nonnegative, nonpositive, zero, unknown }

    public let graph: ExpressionGraph
    let fixed: Set<VarID>

    public init(_ graph: ExpressionGraph, fixed: Set<VarID>) {
        self.graph = graph
        self.fixed = fixed
    }

    /// The curvature of the expression at `root`.
    public func curvature(of root: NodeID) -> Curvature {
        var curvature: [Int: Curvature] = [:]
        var sign: [Int: Sign] = [:]
        var value: [Int: Double] = [:]  // numeric constants, where known
        func c(_ n: NodeID) -> Curvature { curvature[n.index] ?? .unknown }
        func s(_ n: NodeID) -> Sign { sign[n.index] ?? .unknown }
        for id in graph.reachable(from: [root]) {
            let i = id.index
            var k = Curvature.unknown
            var sg = Sign.unknown
            switch graph[id] {
            case .constant(let v):
                k = v.isFinite ? .constant : .unknown
                value[i] = v
                sg = v > 0 ? .nonnegative : v < 0 ? .nonpositive : v == 0 ? .zero : .unknown
            case .parameter(let p):
                k = .constant
                let v = graph.parameters[p].value
                sg = v > 0 ? .nonnegative : v < 0 ? .nonpositive : v == 0 ? .zero : .unknown
            case .variable(let j):
                k = fixed.contains(j) ? .constant : .affine
            case .linear(_, let coefficients, let children):
                k = .constant
                for (a, child) in zip(coefficients, children) where a != 0 {
                    k = Curvature.sum(k, a > 0 ? c(child) : c(child).negated)
                }
                if k == .constant {
                    sg = .unknown
                }
            case .product(let a, let b):
                k = Self.product(c(a), s(a), c(b), s(b))
            case .quotient(let a, let b):
                // a / b with a constant b of known sign is a scaling; anything else is unknown.
                if c(b) == .constant, let v = value[b.index], v != 0 {
                    k = v > 0 ? c(a) : c(a).negated
                } else if c(a) == .constant, c(b) == .constant {
                    k = .constant
                }
            case .power(let a, let p):
                k = Self.power(c(a), p)
            case .call(let f, let a):
                k = Self.call(f, c(a))
            case .minimum(let children):
                let ks = children.map(c)
                k = ks.allSatisfy { $0 == .constant } ? .constant : ks.allSatisfy(\.isConcave) ? .concave : .unknown
            case .maximum(let children):
                let ks = children.map(c)
                k = ks.allSatisfy { $0 == .constant } ? .constant : ks.allSatisfy(\.isConvex) ? .convex : .unknown
            }
            curvature[i] = k
            sign[i] = sg
        }
        return c(root)
    }

    static func product(_ ka: Curvature, _ sa: Sign, _ kb: Curvature, _ sb: Sign) -> Curvature {
        if ka == .constant, kb == .constant { return .constant }
        // A constant factor: its sign decides; unknown-sign constants (parameters of the other
        // level) keep affinity only.
        if ka == .constant || kb == .constant {
            let (k, s) = ka == .constant ? (kb, sa) : (ka, sb)
            switch (k, s) {
            case (.affine, _): return .affine
            case (_, .zero): return .constant
            case (_, .nonnegative): return k
            case (_, .nonpositive): return k.negated
            default: return .unknown
            }
        }
        return .unknown
    }

    static func power(_ k: Curvature, _ p: Double) -> Curvature {
        if k == .constant { return .constant }
        if p == 0 { return .constant }
        if p == 1 { return k }
        guard k == .affine else {
            // Convex nonnegative bases raised to p >= 1 are not tracked (signs are not known).
            return .unknown
        }
        let integer = p == p.rounded()
        if integer, p > 0, p.truncatingRemainder(dividingBy: 2) == 0 { return .convex }  // even powers of affine expressions
        if !integer, p > 1 { return .convex }  // defined for a nonnegative base only, where convex
        if p > 0, p < 1 { return .concave }  // ditto, concave
        if !integer, p < 0 { return .convex }  // positive base only
        return .unknown  // odd powers, negative integer powers: sign-dependent
    }

    static func call(_ f: MathFunction, _ k: Curvature) -> Curvature {
        if k == .constant { return .constant }
        switch f {
        case .exp, .softplus:
            // Convex and nondecreasing: convex of convex.
            return k.isConvex ? .convex : .unknown
        case .log, .log1p, .sqrt:
            // Concave and nondecreasing: concave of concave.
            return k.isConcave ? .concave : .unknown
        case .abs:
            return k == .affine ? .convex : .unknown
        case .sin, .cos, .tanh, .sigmoid:
            return .unknown
        }
    }
}
