/// One member of a set: an integer or a symbol. Tuples of elements index
/// multi-dimensional sets such as arcs `(i,j)`.
public enum Element: Hashable, Sendable, Comparable, CustomStringConvertible {
    case int(Int)
    case symbol(String)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .symbol(let s): return s
        }
    }

    public static func < (lhs: Element, rhs: Element) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a < b
        case (.int, .symbol): return true
        case (.symbol, .int): return false
        case (.symbol(let a), .symbol(let b)): return a < b
        }
    }
}

/// A tuple of elements; a one-dimensional set holds tuples of length one.
public typealias Tuple = [Element]

/// The display form of an indexed name: `x`, `x[3]`, `flow[1,2]`.
public func indexedName(_ base: String, _ index: Tuple) -> String {
    index.isEmpty ? base : base + "[" + index.map(\.description).joined(separator: ",") + "]"
}
