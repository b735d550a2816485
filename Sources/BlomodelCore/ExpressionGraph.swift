import Foundation

/// Identifies a node of an `ExpressionGraph`: its position in the graph's node list.
///
/// The graph is append-only and a node is added after its children, so ascending
/// identifiers are a topological order: every pass over the graph is a loop, never a
/// recursion, whatever the depth of the expression.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }
    public var description: String { "%\(index)" }
}

/// The smooth and nonsmooth functions of one argument an expression may call.
public enum MathFunction: String, CaseIterable, Sendable {
    case exp, log, log1p, sqrt, sin, cos, tanh
    /// The logistic function `1 / (1 + exp(-t))`.
    case sigmoid
    /// `log(1 + exp(t))`, computed without overflow.
    case softplus
    /// `|t|`: not differentiable at 0.
    case abs

    /// True when the function is differentiable everywhere on its domain.
    public var isSmooth: Bool { self != .abs }

    /// The value at `t`, or nil outside the domain (`log` of a nonpositive number, ...).
    public func apply(_ t: Double) -> Double? {
        switch self {
        case .exp: return Foundation.exp(t)
        case .log: return t > 0 ? Foundation.log(t) : nil
        case .log1p: return t > -1 ? Foundation.log1p(t) : nil
        case .sqrt: return t >= 0 ? Foundation.sqrt(t) : nil
        case .sin: return Foundation.sin(t)
        case .cos: return Foundation.cos(t)
        case .tanh: return Foundation.tanh(t)
        case .sigmoid: return t >= 0 ? 1 / (1 + Foundation.exp(-t)) : Foundation.exp(t) / (1 + Foundation.exp(t))
        case .softplus: return Swift.max(t, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(t)))
        case .abs: return Swift.abs(t)
        }
    }

    /// The domain in words, for messages.
    public var domain: String? {
        switch self {
        case .log: return "positive numbers"
        case .log1p: return "numbers above -1"
        case .sqrt: return "nonnegative numbers"
        default: return nil
        }
    }
}

/// A compact source range: where a node was written (file by index into the graph's file list).
public struct SourceRange: Sendable, Equatable {
    public var file: Int32
    public var line: Int32
    public var column: Int32
    public var length: Int32
    public static let unknown = SourceRange(file: -1, line: 0, column: 0, length: 1)
}

/// One node of an expression graph.
public enum ExpressionNode: Sendable, Equatable {
    case constant(Double)
    /// A named value that can change between solves without rebuilding the model
    /// (an index into `ExpressionGraph.parameters`).
    case parameter(Int)
    /// A variable of the model. `dual(con)` is a variable too: one whose role is
    /// `.dual(constraint:)`.
    case variable(VarID)
    /// `constant + sum coefficients[k] * children[k]`: the shape of written and indexed sums,
    /// kept flat so that a sum of a million terms is one node, not a chain a million deep.
    case linear(constant: Double, coefficients: [Double], children: [NodeID])
    case product(NodeID, NodeID)
    case quotient(NodeID, NodeID)
    /// `base ^ exponent` for a constant exponent (integer or real).
    case power(NodeID, exponent: Double)
    case call(MathFunction, NodeID)
    /// Nonsmooth: the smallest / largest of two or more arguments.
    case minimum([NodeID])
    case maximum([NodeID])

    /// The children, in order.
    public var children: [NodeID] {
        switch self {
        case .constant, .parameter, .variable: return []
        case .linear(_, _, let c): return c
        case .product(let a, let b), .quotient(let a, let b): return [a, b]
        case .power(let a, _), .call(_, let a): return [a]
        case .minimum(let c), .maximum(let c): return c
        }
    }

    /// True when the node itself (not its children) is not differentiable everywhere.
    public var isNonsmooth: Bool {
        switch self {
        case .call(let f, _): return !f.isSmooth
        case .minimum, .maximum: return true
        default: return false
        }
    }
}

/// The expressions of a model: an append-only list of nodes, every node with its source range.
///
/// The MILP routes never walk the graph themselves: they read sorted sparse affine and
/// quadratic *views* extracted from it (`quadraticView`), and extraction that fails says
/// which node is to blame. The differentiation engine compiles the same graph.
public struct ExpressionGraph: Sendable {
    public private(set) var nodes: [ExpressionNode] = []
    public private(set) var ranges: [SourceRange] = []
    /// The files named by `SourceRange.file`.
    public private(set) var files: [String] = []
    /// Names and current values of `.parameter` nodes.
    public var parameters: [(name: String, value: Double)] = []

    public init() {}

    public var count: Int { nodes.count }
    public subscript(id: NodeID) -> ExpressionNode { nodes[id.index] }

    /// Adds a node after its children; returns its identifier.
    @discardableResult
    public mutating func add(_ node: ExpressionNode, at range: SourceRange = .unknown) -> NodeID {
        nodes.append(node)
        ranges.append(range)
        return NodeID(nodes.count - 1)
    }

    /// The compact range of a location and length, registering its file.
    public mutating func range(_ location: SourceLocation, length: Int = 1) -> SourceRange {
        if location == .unknown { return .unknown }
        let file: Int
        if let last = files.last, last == location.file {
            file = files.count - 1
        } else if let i = files.firstIndex(of: location.file) {
            file = i
        } else {
            files.append(location.file)
            file = files.count - 1
        }
        return SourceRange(
            file: Int32(file), line: Int32(clamping: location.line), column: Int32(clamping: location.column),
            length: Int32(clamping: max(1, length)))
    }

    /// Gives every node from `start` on that has no source range the range `range` (a front end
    /// that builds expressions before it knows the statement they belong to: the Swift DSL).
    public mutating func locate(from start: Int, at range: SourceRange) {
        guard start < ranges.count else { return }
        for i in Swift.max(0, start)..<ranges.count where ranges[i].file < 0 { ranges[i] = range }
    }

    /// Where a node was written.
    public func location(of id: NodeID) -> SourceLocation {
        guard ranges.indices.contains(id.index) else { return .unknown }
        let r = ranges[id.index]
        guard r.file >= 0, Int(r.file) < files.count else { return .unknown }
        return SourceLocation(file: files[Int(r.file)], line: Int(r.line), column: Int(r.column))
    }

    /// How many characters the node's range spans (for carets).
    public func length(of id: NodeID) -> Int { ranges.indices.contains(id.index) ? Int(ranges[id.index].length) : 1 }

    /// The nodes reachable from `roots`, in ascending (topological) order. Iterative.
    public func reachable(from roots: [NodeID]) -> [NodeID] {
        // Identifiers outside the graph (made on another copy of it) are skipped.
        var seen = Set<Int>()
        var stack = roots.map(\.index).filter { nodes.indices.contains($0) }
        while let i = stack.popLast() {
            if !seen.insert(i).inserted { continue }
            for c in nodes[i].children where nodes.indices.contains(c.index) && !seen.contains(c.index) { stack.append(c.index) }
        }
        return seen.sorted().map(NodeID.init)
    }

    /// The variables an expression depends on, sorted.
    public func variables(in root: NodeID) -> [VarID] {
        var ids = Set<VarID>()
        for n in reachable(from: [root]) { if case .variable(let v) = nodes[n.index] { ids.insert(v) } }
        return ids.sorted()
    }

    /// The value of an expression at a point (`values` indexed by `VarID`); NaN outside a
    /// function's domain. A plain interpreter: the reference for tests of compiled evaluation.
    public func evaluate(_ root: NodeID, at values: [Double]) -> Double {
        let order = reachable(from: [root])
        var value = [Int: Double](minimumCapacity: order.count)
        func get(_ n: NodeID) -> Double { value[n.index] ?? .nan }
        for id in order {
            let v: Double
            switch nodes[id.index] {
            case .constant(let c): v = c
            case .parameter(let p): v = parameters[p].value
            case .variable(let j): v = values[j]
            case .linear(let c, let coefficients, let children):
                var s = c
                for (a, child) in zip(coefficients, children) { s += a * get(child) }
                v = s
            case .product(let a, let b): v = get(a) * get(b)
            case .quotient(let a, let b): v = get(a) / get(b)
            case .power(let a, let p): v = ExpressionGraph.power(get(a), p)
            case .call(let f, let a): v = f.apply(get(a)) ?? .nan
            case .minimum(let c): v = c.map(get).min() ?? .nan
            case .maximum(let c): v = c.map(get).max() ?? .nan
            }
            value[id.index] = v
        }
        return get(root)
    }

    /// `base ^ exponent`, NaN for a negative base with a non-integer exponent.
    public static func power(_ base: Double, _ exponent: Double) -> Double {
        if exponent == exponent.rounded(), Swift.abs(exponent) > 64, base < 0 {
            // A large integer power of a negative base: the sign from the exponent's parity.
            let magnitude = Foundation.pow(-base, exponent)
            return exponent.truncatingRemainder(dividingBy: 2) == 0 ? magnitude : -magnitude
        }
        if exponent == exponent.rounded(), Swift.abs(exponent) <= 64 {
            // Repeated squaring: exact for small integer powers, any sign of base.
            var result = 1.0, b = base, e = Int(Swift.abs(exponent))
            while e > 0 {
                if e & 1 == 1 { result *= b }
                b *= b
                e >>= 1
            }
            return exponent < 0 ? 1 / result : result
        }
        return base < 0 ? .nan : Foundation.pow(base, exponent)
    }
}

// MARK: - Quadratic views

/// Why an expression has no quadratic view: the node to blame and what it is.
public struct ExtractionFailure: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A product or power whose degree is above two.
        case degreeAboveTwo
        /// A function of an expression with variables.
        case function(MathFunction)
        /// A quotient by an expression with variables.
        case quotient
        /// A power with an exponent other than 0, 1, 2 of an expression with variables.
        case power(Double)
        /// `min` or `max` of expressions with variables.
        case nonsmooth
        /// A product whose expansion has more quadratic terms than `QuadraticViewExtractor.maximumTerms`.
        case tooManyTerms(Int)
        /// A node identifier that is not in this graph (a node made on another copy of it).
        case unknownNode
        /// A value that is not a finite number: an overflow, or a division by an expression
        /// whose terms cancel to zero (`x / (y - y)`).
        case notFinite
        /// A function of an expression whose terms cancel to a constant outside its domain (`log(x - x)`).
        case outsideDomain(MathFunction)
    }

    /// True for failures that no route can take: the expression has no finite value.
    public var isInvalid: Bool {
        switch kind {
        case .notFinite, .outsideDomain, .unknownNode: return true
        default: return false
        }
    }
    public var node: NodeID
    public var kind: Kind
    /// The variables of the offending node's arguments (sorted), for "sin of a follower variable".
    public var variables: [VarID]

    public init(node: NodeID, kind: Kind, variables: [VarID]) {
        self.node = node
        self.kind = kind
        self.variables = variables
    }

    /// The failure in words, given a phrase for the variables (e.g. "a follower variable").
    public func describe(variables phrase: String) -> String {
        switch kind {
        case .degreeAboveTwo: return "a term of degree three or more here"
        case .function(let f): return "\(f.rawValue) of \(phrase) here"
        case .quotient: return "a division by \(phrase) here"
        case .power(let p): return "the power \(formatNumber(p)) of \(phrase) here"
        case .nonsmooth: return "min or max of \(phrase) here"
        case .unknownNode: return "a node that is not in this expression graph"
        case .notFinite: return "a value that is not a finite number here (an overflow, or a division by terms that cancel to zero)"
        case .outsideDomain(let f): return "\(f.rawValue) of terms that cancel to a constant outside its domain here"
        case .tooManyTerms(let n):
            return "a product that expands to \(n) quadratic terms here (more than \(QuadraticViewExtractor.maximumTerms))"
        }
    }
}

extension ExpressionGraph {
    /// The sorted sparse quadratic form of an expression (constant + linear + quadratic
    /// terms), or the node that makes it something else. One pass in topological order,
    /// no recursion; each quadratic term remembers where its product was written.
    public func quadraticView(_ root: NodeID) -> Result<QuadExpr, ExtractionFailure> {
        var extractor = QuadraticViewExtractor(self)
        return extractor.view(root)
    }

    /// The views of many roots, sharing one scratch buffer (what elaboration uses).
    public func quadraticViews(_ roots: [NodeID]) -> [Result<QuadExpr, ExtractionFailure>] {
        var extractor = QuadraticViewExtractor(self)
        return roots.map { extractor.view($0) }
    }
}

/// Extracts quadratic views. Keeps a mark per node between calls, so that extracting the
/// views of many small roots of a large graph costs the size of each root, not of the graph.
public struct QuadraticViewExtractor {
    /// The most quadratic terms one expression's view may have, and one product may expand to
    /// (`(sum of 10^4 terms)^2` has 5 * 10^7): beyond it the expression has no view, instead of
    /// exhausting memory. A dense quadratic form over 2000 variables fits.
    public static let maximumTerms = 2_000_000

    let graph: ExpressionGraph
    /// `stamp[i] == generation` when node i was reached from the current root.
    var stamp: [UInt32]
    var generation: UInt32 = 0

    init(_ graph: ExpressionGraph) {
        self.graph = graph
        stamp = [UInt32](repeating: 0, count: graph.count)
    }

    /// The nodes reachable from `root`, ascending (a topological order), or nil when a child
    /// is not in the graph.
    mutating func reachable(_ root: NodeID) -> [Int]? {
        generation &+= 1
        if generation == 0 {
            for i in stamp.indices { stamp[i] = 0 }
            generation = 1
        }
        var order: [Int] = []
        var stack = [root.index]
        stamp[root.index] = generation
        while let i = stack.popLast() {
            order.append(i)
            switch graph.nodes[i] {
            case .constant, .parameter, .variable: continue
            default:
                for c in graph.nodes[i].children {
                    guard stamp.indices.contains(c.index) else { return nil }
                    if stamp[c.index] != generation {
                        stamp[c.index] = generation
                        stack.append(c.index)
                    }
                }
            }
        }
        order.sort()
        return order
    }

    mutating func view(_ root: NodeID) -> Result<QuadExpr, ExtractionFailure> {
        let nodes = graph.nodes
        // A root made on another copy of the graph (`g.quadraticView(g.node(e))` evaluates
        // `g` before `g.node(e)` adds the node) is refused, not read out of range.
        guard root.index >= 0, root.index < nodes.count else {
            return .failure(ExtractionFailure(node: root, kind: .unknownNode, variables: []))
        }
        guard let order = reachable(root) else {
            return .failure(ExtractionFailure(node: root, kind: .unknownNode, variables: []))
        }
        var views = [Int: QuadExpr]()
        func variable(_ id: NodeID) -> VarID? {
            if case .variable(let j) = nodes[id.index] { return j }
            return nil
        }
        func view(_ id: NodeID) -> QuadExpr {
            switch nodes[id.index] {
            case .constant(let c): return QuadExpr(constant: c)
            case .parameter(let p): return QuadExpr(constant: graph.parameters[p].value)
            case .variable(let j): return .variable(j)
            case .product(let a, let b):
                if let x = variable(a), let y = variable(b) {
                    var q = QuadExpr()
                    q.addQuadratic(VarPair(x, y), 1, at: graph.location(of: id))
                    return q
                }
                return views[id.index] ?? QuadExpr()
            default: return views[id.index] ?? QuadExpr()
            }
        }
        func fail(_ id: NodeID, _ kind: ExtractionFailure.Kind) -> Result<QuadExpr, ExtractionFailure> {
            .failure(ExtractionFailure(node: id, kind: kind, variables: graph.variables(in: id)))
        }
        for i in order {
            let id = NodeID(i)
            let result: QuadExpr
            switch nodes[i] {
            case .constant, .parameter, .variable: continue
            case .product(let a, let b) where variable(a) != nil && variable(b) != nil: continue
            case .linear(let c, let coefficients, let children):
                // Every term is collected first and summed by one sort: a sum of a million
                // terms costs n log n, whatever the order its terms were written in.
                var constant = c
                var linearPairs: [(VarID, Double)] = []
                // Quadratic terms with the node that wrote them (the first one names the origin).
                var quadratic: [(pair: VarPair, coefficient: Double, origin: Int)] = []
                var originLocations: [VarPair: SourceLocation] = [:]
                for (a, child) in zip(coefficients, children) {
                    if quadratic.count > Self.maximumTerms { return fail(id, .tooManyTerms(quadratic.count)) }
                    switch nodes[child.index] {
                    case .variable(let j): linearPairs.append((j, a))
                    case .constant(let k): constant += a * k
                    case .parameter(let p): constant += a * graph.parameters[p].value
                    case .product(let x, let y) where variable(x) != nil && variable(y) != nil:
                        quadratic.append((VarPair(variable(x)!, variable(y)!), a, child.index))
                    default:
                        let v = view(child)
                        constant += a * v.constant
                        for (j, cj) in v.linear.terms { linearPairs.append((j, a * cj)) }
                        for (p, cp) in v.quadratic {
                            quadratic.append((p, a * cp, -1))
                            if originLocations[p] == nil, let at = v.origins[p] { originLocations[p] = at }
                        }
                    }
                }
                var r = QuadExpr(linear: LinearExpr(constant: constant, terms: SparseMap(summing: linearPairs)))
                if !quadratic.isEmpty {
                    // Sorted by pair, then by position: sums and origins are reproducible.
                    let sorted = quadratic.enumerated().sorted {
                        $0.element.pair != $1.element.pair ? $0.element.pair < $1.element.pair : $0.offset < $1.offset
                    }.map(\.element)
                    var pairs: [(VarPair, Double)] = []
                    pairs.reserveCapacity(sorted.count)
                    r.origins.reserveCapacity(sorted.count)
                    var k = 0
                    while k < sorted.count {
                        let p = sorted[k].pair
                        var sum = 0.0
                        var origin: SourceLocation? = originLocations[p]
                        while k < sorted.count, sorted[k].pair == p {
                            sum += sorted[k].coefficient
                            if origin == nil, sorted[k].origin >= 0 { origin = graph.location(of: NodeID(sorted[k].origin)) }
                            k += 1
                        }
                        if sum != 0 {
                            pairs.append((p, sum))
                            if let origin { r.origins[p] = origin }
                        }
                    }
                    r.quadratic = SparseMap(sortedUnique: pairs)
                }
                result = r
            case .product(let a, let b):
                let (u, v) = (view(a), view(b))
                let terms = u.linear.terms.count.multipliedReportingOverflow(by: v.linear.terms.count)
                if !u.isConstant, !v.isConstant, terms.overflow || terms.partialValue > Self.maximumTerms {
                    return fail(id, .tooManyTerms(terms.overflow ? Int.max : terms.partialValue))
                }
                guard let p = QuadExpr.product(u, v, at: graph.location(of: id)) else { return fail(id, .degreeAboveTwo) }
                result = p
            case .quotient(let a, let b):
                let d = view(b)
                guard d.isConstant else { return fail(id, .quotient) }
                guard d.constant != 0 else { return fail(id, .notFinite) }
                result = view(a).scaled(1 / d.constant)
            case .power(let a, let p):
                let base = view(a)
                if base.isConstant {
                    result = QuadExpr(constant: ExpressionGraph.power(base.constant, p))
                } else if p == 0 {
                    result = QuadExpr(constant: 1)
                } else if p == 1 {
                    result = base
                } else if p == 2 {
                    // A square of n linear terms has n (n + 1) / 2 distinct quadratic terms.
                    let n = base.linear.terms.count
                    let square = n.multipliedReportingOverflow(by: n + 1)
                    if square.overflow || square.partialValue / 2 > Self.maximumTerms {
                        return fail(id, .tooManyTerms(square.overflow ? Int.max : square.partialValue / 2))
                    }
                    guard let sq = QuadExpr.product(base, base, at: graph.location(of: id)) else { return fail(id, .degreeAboveTwo) }
                    result = sq
                } else {
                    return fail(id, p == p.rounded() && p > 2 && base.isLinear ? .degreeAboveTwo : .power(p))
                }
            case .call(let f, let a):
                let arg = view(a)
                guard arg.isConstant else { return fail(id, .function(f)) }
                guard let v = f.apply(arg.constant) else { return fail(id, .outsideDomain(f)) }
                result = QuadExpr(constant: v)
            case .minimum(let c), .maximum(let c):
                let args = c.map(view)
                guard args.allSatisfy(\.isConstant) else { return fail(id, .nonsmooth) }
                let values = args.map(\.constant)
                if case .minimum = nodes[id.index] { result = QuadExpr(constant: values.min() ?? .nan) } else { result = QuadExpr(constant: values.max() ?? .nan) }
            }
            guard result.isFinite else { return fail(id, .notFinite) }
            views[id.index] = result
        }
        return .success(view(root))
    }
}
