/// What a node is, structurally, while a graph is compiled:
/// `constant + sum a_j x_j + sum c_jk x_j x_k + sum b_k t_k`, where the `t_k` are
/// operations already placed on the tape.
///
/// Sums of any depth flatten into one expansion, so an affine expression becomes one row of
/// the affine layer and a quadratic one becomes one quadratic block, however it was written.
/// The terms are kept in written order (duplicates allowed); they are sorted and merged once,
/// when the layer or block is built.
struct Expansion {
    var constant: Double = 0
    var linear: [(Int32, Double)] = []
    var quadratic: [(Int32, Int32, Double)] = []
    /// Tape operations (builder references) and their coefficients.
    var nonlinear: [(Int, Double)] = []

    init(constant: Double = 0) { self.constant = constant }

    var isConstant: Bool { linear.isEmpty && quadratic.isEmpty && nonlinear.isEmpty }
    var isAffine: Bool { quadratic.isEmpty && nonlinear.isEmpty }

    /// `self += factor * other`, by appending.
    mutating func add(_ other: Expansion, times factor: Double) {
        constant += factor * other.constant
        if factor == 1 {
            linear.append(contentsOf: other.linear)
            quadratic.append(contentsOf: other.quadratic)
            nonlinear.append(contentsOf: other.nonlinear)
        } else {
            for (j, a) in other.linear { linear.append((j, factor * a)) }
            for (j, k, c) in other.quadratic { quadratic.append((j, k, factor * c)) }
            for (t, b) in other.nonlinear { nonlinear.append((t, factor * b)) }
        }
    }

    func scaled(_ factor: Double) -> Expansion {
        var e = Expansion()
        e.add(self, times: factor)
        return e
    }

    /// The product of two affine expansions, multiplied out:
    /// `(c + a'x)(d + b'x) = cd + c b'x + d a'x + sum a_j b_k x_j x_k`.
    static func product(_ u: Expansion, _ v: Expansion) -> Expansion {
        var e = Expansion(constant: u.constant * v.constant)
        if u.constant != 0 { for (j, b) in v.linear { e.linear.append((j, u.constant * b)) } }
        if v.constant != 0 { for (j, a) in u.linear { e.linear.append((j, v.constant * a)) } }
        for (j, a) in u.linear { for (k, b) in v.linear { e.quadratic.append((j, k, a * b)) } }
        return e
    }
}
