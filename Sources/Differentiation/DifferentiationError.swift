import BlomodelCore

/// Why a graph, a set of roots or a variable split cannot be compiled.
///
/// Compilation checks everything an evaluation later relies on (node and variable indices,
/// the order of children), so that evaluation itself never traps on bad input.
public enum DifferentiationError: Error, Equatable, CustomStringConvertible {
    /// A root or a child names a node the graph does not have.
    case nodeOutOfRange(NodeID, nodeCount: Int)
    /// A node names a child that does not come before it, so the graph is not in topological order.
    case childNotBeforeParent(parent: NodeID, child: NodeID)
    /// A variable node names a variable outside `0..<variableCount`.
    case variableOutOfRange(NodeID, variable: VarID, variableCount: Int)
    /// A parameter node names a parameter the graph does not have.
    case parameterOutOfRange(NodeID, parameter: Int)
    /// A variable split names a variable twice or a variable outside `0..<variableCount`.
    case invalidSplit(String)

    /// The error in words.
    public var description: String {
        switch self {
        case .nodeOutOfRange(let node, let count):
            return "node \(node) is not in the graph, which has \(count) nodes"
        case .childNotBeforeParent(let parent, let child):
            return "node \(parent) names child \(child), which does not come before it"
        case .variableOutOfRange(let node, let variable, let count):
            return "node \(node) reads variable \(variable), but only \(count) variables are compiled"
        case .parameterOutOfRange(let node, let parameter):
            return "node \(node) reads parameter \(parameter), which the graph does not have"
        case .invalidSplit(let reason):
            return "invalid variable split: \(reason)"
        }
    }
}
