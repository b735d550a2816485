import BlomodelCore
import Foundation

/// The value and the first and second derivatives of the elementary functions of one argument.
///
/// Outside a function's domain all three are NaN (never a trap), so that a point outside the
/// domain gives a NaN value and NaN derivatives. Conventions at the nonsmooth point of `abs`:
/// the derivative at 0 is 0 (the subgradient of smallest magnitude) and the second derivative
/// is 0 everywhere.
enum LocalDerivatives {
    /// `(f(t), f'(t), f''(t))` for a function of one argument.
    @inline(__always)
    static func unary(_ op: Operation, _ t: Double) -> (Double, Double, Double) {
        switch op {
        case .exp:
            let e = Foundation.exp(t)
            return (e, e, e)
        case .log:
            guard t > 0 else { return (.nan, .nan, .nan) }
            let r = 1 / t
            return (Foundation.log(t), r, -r * r)
        case .log1p:
            guard t > -1 else { return (.nan, .nan, .nan) }
            let r = 1 / (1 + t)
            return (Foundation.log1p(t), r, -r * r)
        case .sqrt:
            guard t >= 0 else { return (.nan, .nan, .nan) }
            let s = Foundation.sqrt(t)
            return (s, 0.5 / s, -0.25 / (s * t))
        case .sin:
            let s = Foundation.sin(t), c = Foundation.cos(t)
            return (s, c, -s)
        case .cos:
            let s = Foundation.sin(t), c = Foundation.cos(t)
            return (c, -s, -c)
        case .tanh:
            let h = Foundation.tanh(t)
            let d = 1 - h * h
            return (h, d, -2 * h * d)
        case .sigmoid:
            let e = Foundation.exp(-Swift.abs(t))
            let s = t >= 0 ? 1 / (1 + e) : e / (1 + e)
            let d = s * (1 - s)
            return (s, d, d * (1 - 2 * s))
        case .softplus:
            // log(1 + exp(t)) = max(t, 0) + log1p(exp(-|t|)): no overflow for large |t|.
            let e = Foundation.exp(-Swift.abs(t))
            let s = t >= 0 ? 1 / (1 + e) : e / (1 + e)
            return ((t > 0 ? t : 0) + Foundation.log1p(e), s, s * (1 - s))
        case .abs:
            if t.isNaN { return (.nan, .nan, .nan) }
            return (Swift.abs(t), t > 0 ? 1 : (t < 0 ? -1 : 0), 0)
        default:
            return (.nan, .nan, .nan)
        }
    }

    /// `(t^p, p t^(p-1), p (p-1) t^(p-2))`, with `ExpressionGraph.power`'s conventions
    /// (NaN for a negative base and a non-integer exponent).
    @inline(__always)
    static func power(_ t: Double, _ p: Double) -> (Double, Double, Double) {
        let value = ExpressionGraph.power(t, p)
        if p == 2 { return (value, 2 * t, 2) }
        if p == 1 { return (value, 1, 0) }
        if p == 0 { return (value, 0, 0) }
        let first = p * ExpressionGraph.power(t, p - 1)
        let second = p * (p - 1) * ExpressionGraph.power(t, p - 2)
        return (value, value.isNaN ? .nan : first, value.isNaN ? .nan : second)
    }
}
