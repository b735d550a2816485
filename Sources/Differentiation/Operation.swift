import BlomodelCore

/// The kind of one elementary operation of a compiled tape.
///
/// The first ten are the functions of one argument (`MathFunction`); the others read their
/// operands from the tape's operand arrays. The raw value orders operations inside a level,
/// so that operations of the same kind run together as one kernel.
enum Operation: UInt8, Sendable, Comparable {
    case exp, log, log1p, sqrt, sin, cos, tanh, sigmoid, softplus, abs
    /// `first ^ parameter`.
    case power
    /// `first * second`.
    case product
    /// `first / second`.
    case quotient
    /// `parameter + sum coefficient[k] * argument[k]`.
    case combination
    /// The smallest argument (the first one attaining it receives the derivative).
    case minimum
    /// The largest argument (the first one attaining it receives the derivative).
    case maximum

    init(_ f: MathFunction) {
        switch f {
        case .exp: self = .exp
        case .log: self = .log
        case .log1p: self = .log1p
        case .sqrt: self = .sqrt
        case .sin: self = .sin
        case .cos: self = .cos
        case .tanh: self = .tanh
        case .sigmoid: self = .sigmoid
        case .softplus: self = .softplus
        case .abs: self = .abs
        }
    }

    /// True for the operations of one argument whose local derivatives are stored in the forward pass.
    var isUnary: Bool { rawValue <= Operation.power.rawValue }

    static func < (a: Operation, b: Operation) -> Bool { a.rawValue < b.rawValue }
}
