/// A vector over the variables, cut into its leader part (the entries of `VariableSplit.leader`,
/// in that order) and its follower part (`VariableSplit.follower`).
///
/// Gradients come back as `(grad_x f, grad_y f)`; a Hessian-vector product along a follower
/// direction as `(Hess_xy f v, Hess_yy f v)`, along a leader direction as
/// `(Hess_xx f u, Hess_yx f u)`.
public struct SplitVector: Sendable, Equatable {
    /// The entries of the leader's variables `x`.
    public var leader: [Double]
    /// The entries of the follower's variables `y`.
    public var follower: [Double]

    /// A split vector from its two parts.
    public init(leader: [Double], follower: [Double]) {
        self.leader = leader
        self.follower = follower
    }
}
