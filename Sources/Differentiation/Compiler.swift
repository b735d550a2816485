import BlomodelCore

/// Compiles roots of an `ExpressionGraph` into a `Program`, in one pass over the reachable
/// nodes in ascending (topological) order.
///
/// Every node is first read as an `Expansion`. Sums flatten; products of two affine
/// expansions with few terms (at most 64 pairs, such as `x_j * y_k` or `(x - a)^2`) multiply
/// out into quadratic terms; constants fold (parameters at their current values). What
/// remains nonlinear becomes a tape operation whose operands are *materialised*: an affine
/// operand becomes a row of the affine layer, a quadratic one a quadratic block, a mixed one a
/// combination operation over those. Each node is materialised at most once, so shared
/// subexpressions are computed once.
struct Compiler {
    let graph: ExpressionGraph
    let variableCount: Int

    // Affine rows and quadratic blocks, in creation order.
    private var rowConstants: [Double] = []
    private var rowTerms: [[(Int32, Double)]] = []
    private var blockTerms: [[(Int32, Int32, Double)]] = []
    // Operations, in creation order; operands are references (see `reference`).
    private var operations: [Operation] = []
    private var operandFirst: [Int] = []
    private var operandSecond: [Int] = []
    private var parameters: [Double] = []
    private var argumentStart: [Int] = [0]
    private var arguments: [(Int, Double)] = []
    private var levels: [Int] = []
    // Per node: the stored expansion (index into `expansions`), the materialised reference.
    private var expansionIndex: [Int32]
    private var expansions: [Expansion] = []
    private var materialized: [Int: Int] = [:]
    private var variableRows: [Int32: Int] = [:]

    init(graph: ExpressionGraph, variableCount: Int) {
        self.graph = graph
        self.variableCount = variableCount
        expansionIndex = [Int32](repeating: -1, count: graph.count)
    }

    // MARK: References: an affine row, a quadratic block or an operation, by creation index.

    private enum Tag: Int { case row = 0, block = 1, operation = 2 }
    private static func reference(_ tag: Tag, _ index: Int) -> Int { index << 2 | tag.rawValue }
    private static func tag(_ reference: Int) -> Tag { Tag(rawValue: reference & 3) ?? .row }
    private func level(_ reference: Int) -> Int {
        Compiler.tag(reference) == .operation ? levels[reference >> 2] : 0
    }

    // MARK: Compilation

    /// Compiles `roots`; the program's outputs follow their order.
    static func compile(graph: ExpressionGraph, roots: [NodeID], variableCount: Int) throws -> Program {
        var compiler = Compiler(graph: graph, variableCount: variableCount)
        return try compiler.run(roots)
    }

    private mutating func run(_ roots: [NodeID]) throws -> Program {
        let order = try reachable(from: roots)
        for id in order { try process(id) }
        var outputs: [Int] = []
        for root in roots { outputs.append(try materialize(node: root.index)) }
        return finish(outputs: outputs, reachable: order.count)
    }

    /// The nodes reachable from `roots`, ascending, after checking every index: evaluation
    /// later relies on children coming before parents and on every variable being in range.
    private func reachable(from roots: [NodeID]) throws -> [Int] {
        let count = graph.count
        var seen = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        for r in roots {
            guard r.index >= 0, r.index < count else { throw DifferentiationError.nodeOutOfRange(r, nodeCount: count) }
            stack.append(r.index)
        }
        var order: [Int] = []
        while let i = stack.popLast() {
            if seen[i] { continue }
            seen[i] = true
            order.append(i)
            var bad: Int?
            func visit(_ c: NodeID) {
                if c.index < 0 || c.index >= i { bad = c.index } else if !seen[c.index] { stack.append(c.index) }
            }
            switch graph.nodes[i] {
            case .constant, .parameter, .variable: break
            case .linear(_, _, let children): for c in children { visit(c) }
            case .product(let a, let b), .quotient(let a, let b):
                visit(a)
                visit(b)
            case .power(let a, _), .call(_, let a): visit(a)
            case .minimum(let c), .maximum(let c): for x in c { visit(x) }
            }
            if let b = bad {
                if b < 0 || b >= count { throw DifferentiationError.nodeOutOfRange(NodeID(b), nodeCount: count) }
                throw DifferentiationError.childNotBeforeParent(parent: NodeID(i), child: NodeID(b))
            }
        }
        order.sort()
        return order
    }

    private func variable(of i: Int) -> Int32? {
        if case .variable(let j) = graph.nodes[i] { return Int32(j) }
        return nil
    }

    /// True for the nodes whose expansion is computed when read rather than stored: leaves,
    /// `x_j * x_k` and `x_j ^ 2` (a quadratic form may have a million of them).
    private func isInline(_ i: Int) -> Bool {
        switch graph.nodes[i] {
        case .constant, .parameter, .variable: return true
        case .product(let a, let b): return variable(of: a.index) != nil && variable(of: b.index) != nil
        case .power(let a, let p): return p == 2 && variable(of: a.index) != nil
        default: return false
        }
    }

    /// The expansion of node `i` (already processed).
    private func expansion(_ i: Int) -> Expansion {
        switch graph.nodes[i] {
        case .constant(let c): return Expansion(constant: c)
        case .parameter(let p): return Expansion(constant: graph.parameters[p].value)
        case .variable(let j):
            var e = Expansion()
            e.linear = [(Int32(j), 1)]
            return e
        default:
            var e = Expansion()
            if appendInline(i, times: 1, into: &e) { return e }
            let k = expansionIndex[i]
            return k >= 0 ? expansions[Int(k)] : Expansion(constant: .nan)
        }
    }

    /// Appends `factor * node i` to `e` when the node is inline; false otherwise.
    private func appendInline(_ i: Int, times factor: Double, into e: inout Expansion) -> Bool {
        switch graph.nodes[i] {
        case .constant(let c): e.constant += factor * c
        case .parameter(let p): e.constant += factor * graph.parameters[p].value
        case .variable(let j): e.linear.append((Int32(j), factor))
        case .product(let a, let b):
            guard let j = variable(of: a.index), let k = variable(of: b.index) else { return false }
            e.quadratic.append((j, k, factor))
        case .power(let a, let p):
            guard p == 2, let j = variable(of: a.index) else { return false }
            e.quadratic.append((j, j, factor))
        default: return false
        }
        return true
    }

    private mutating func store(_ e: Expansion, for i: Int) {
        expansionIndex[i] = Int32(expansions.count)
        expansions.append(e)
    }

    private mutating func storeOperation(_ reference: Int, for i: Int) {
        var e = Expansion()
        e.nonlinear = [(reference, 1)]
        store(e, for: i)
    }

    private mutating func process(_ i: Int) throws {
        let id = NodeID(i)
        switch graph.nodes[i] {
        case .constant: return
        case .parameter(let p):
            guard p >= 0, p < graph.parameters.count else { throw DifferentiationError.parameterOutOfRange(id, parameter: p) }
            return
        case .variable(let j):
            guard j >= 0, j < variableCount else {
                throw DifferentiationError.variableOutOfRange(id, variable: j, variableCount: variableCount)
            }
            return
        case .linear(let c, let coefficients, let children):
            var e = Expansion(constant: c)
            for (a, child) in zip(coefficients, children) where !appendInline(child.index, times: a, into: &e) {
                let k = expansionIndex[child.index]
                if k >= 0 { e.add(expansions[Int(k)], times: a) } else { e.constant = .nan }
            }
            store(e, for: i)
        case .product(let a, let b):
            if isInline(i) { return }
            let u = expansion(a.index), v = expansion(b.index)
            if u.isConstant {
                store(v.scaled(u.constant), for: i)
            } else if v.isConstant {
                store(u.scaled(v.constant), for: i)
            } else if u.isAffine, v.isAffine, u.linear.count * v.linear.count <= 64 {
                store(Expansion.product(u, v), for: i)
            } else {
                let x = try materialize(node: a.index), y = try materialize(node: b.index)
                storeOperation(addOperation(.product, first: x, second: y), for: i)
            }
        case .quotient(let a, let b):
            let v = expansion(b.index)
            if v.isConstant {
                store(expansion(a.index).scaled(1 / v.constant), for: i)
            } else {
                let x = try materialize(node: a.index), y = try materialize(node: b.index)
                storeOperation(addOperation(.quotient, first: x, second: y), for: i)
            }
        case .power(let a, let p):
            if isInline(i) { return }
            let u = expansion(a.index)
            if u.isConstant {
                store(Expansion(constant: ExpressionGraph.power(u.constant, p)), for: i)
            } else if p == 0 {
                store(Expansion(constant: 1), for: i)
            } else if p == 1 {
                store(u, for: i)
            } else if p == 2, u.isAffine, u.linear.count <= 8 {
                store(Expansion.product(u, u), for: i)
            } else {
                let x = try materialize(node: a.index)
                storeOperation(addOperation(.power, first: x, parameter: p), for: i)
            }
        case .call(let f, let a):
            let u = expansion(a.index)
            if u.isConstant {
                store(Expansion(constant: f.apply(u.constant) ?? .nan), for: i)
            } else {
                let x = try materialize(node: a.index)
                storeOperation(addOperation(Operation(f), first: x), for: i)
            }
        case .minimum(let children), .maximum(let children):
            let isMaximum: Bool
            if case .maximum = graph.nodes[i] { isMaximum = true } else { isMaximum = false }
            let parts = children.map { expansion($0.index) }
            if parts.isEmpty {
                store(Expansion(constant: .nan), for: i)
            } else if parts.allSatisfy(\.isConstant) {
                let values = parts.map(\.constant)
                let folded = values.contains { $0.isNaN } ? .nan : (isMaximum ? values.max() : values.min()) ?? .nan
                store(Expansion(constant: folded), for: i)
            } else {
                var args: [(Int, Double)] = []
                for c in children { args.append((try materialize(node: c.index), 1)) }
                storeOperation(addOperation(isMaximum ? .maximum : .minimum, arguments: args), for: i)
            }
        }
    }

    private mutating func addOperation(
        _ op: Operation, first: Int = 0, second: Int = 0, parameter: Double = 0, arguments args: [(Int, Double)] = []
    ) -> Int {
        var l = 0
        switch op {
        case .product, .quotient: l = max(level(first), level(second))
        case .combination, .minimum, .maximum: l = args.reduce(0) { max($0, level($1.0)) }
        default: l = level(first)
        }
        operations.append(op)
        operandFirst.append(first)
        operandSecond.append(second)
        parameters.append(parameter)
        arguments.append(contentsOf: args)
        argumentStart.append(arguments.count)
        levels.append(l + 1)
        return Compiler.reference(.operation, operations.count - 1)
    }

    /// The reference holding node `i`'s value, created on first use.
    private mutating func materialize(node i: Int) throws -> Int {
        if let r = materialized[i] { return r }
        let r = materialize(expansion(i))
        materialized[i] = r
        return r
    }

    /// A reference holding an expansion's value: a row, a block, an operation, or a combination of them.
    private mutating func materialize(_ e: Expansion) -> Int {
        let hasLinear = !e.linear.isEmpty
        if e.isAffine {
            if e.constant == 0, e.linear.count == 1, e.linear[0].1 == 1 {
                let j = e.linear[0].0
                if let r = variableRows[j] { return r }
                let r = addRow(constant: 0, terms: e.linear)
                variableRows[j] = r
                return r
            }
            return addRow(constant: e.constant, terms: e.linear)
        }
        if !hasLinear, e.constant == 0, e.nonlinear.isEmpty {
            blockTerms.append(e.quadratic)
            return Compiler.reference(.block, blockTerms.count - 1)
        }
        if !hasLinear, e.constant == 0, e.quadratic.isEmpty, e.nonlinear.count == 1, e.nonlinear[0].1 == 1 {
            return e.nonlinear[0].0
        }
        var args: [(Int, Double)] = []
        if hasLinear { args.append((addRow(constant: 0, terms: e.linear), 1)) }
        if !e.quadratic.isEmpty {
            blockTerms.append(e.quadratic)
            args.append((Compiler.reference(.block, blockTerms.count - 1), 1))
        }
        args.append(contentsOf: e.nonlinear)
        return addOperation(.combination, parameter: e.constant, arguments: args)
    }

    private mutating func addRow(constant: Double, terms: [(Int32, Double)]) -> Int {
        rowConstants.append(constant)
        rowTerms.append(terms)
        return Compiler.reference(.row, rowTerms.count - 1)
    }

    // MARK: Final layout

    private func finish(outputs: [Int], reachable: Int) -> Program {
        // Rows: terms sorted by variable (ties in written order) and merged.
        let merged: [[(Int32, Double)]] = rowTerms.map { terms in
            let sorted = terms.indices.sorted { (terms[$0].0, $0) < (terms[$1].0, $1) }
            var row: [(Int32, Double)] = []
            row.reserveCapacity(terms.count)
            for k in sorted {
                if let last = row.last, last.0 == terms[k].0 {
                    row[row.count - 1].1 += terms[k].1
                } else {
                    row.append(terms[k])
                }
            }
            return row
        }
        let (affine, rowOrder) = AffineLayer.build(constants: rowConstants, rows: merged, variableCount: variableCount)
        var localIndex = [Int32](repeating: -1, count: variableCount)
        let blocks = blockTerms.map { QuadraticBlock.build(terms: $0, localIndex: &localIndex) }

        // Operations: by level, then kind, then creation.
        let n = operations.count
        let sorted = (0..<n).sorted { (levels[$0], operations[$0].rawValue, $0) < (levels[$1], operations[$1].rawValue, $1) }
        var position = [Int](repeating: 0, count: n)
        for (p, k) in sorted.enumerated() { position[k] = p }
        let base = affine.rowCount + blocks.count
        func slot(_ r: Int) -> Int32 {
            let index = r >> 2
            switch Compiler.tag(r) {
            case .row: return Int32(rowOrder[index])
            case .block: return Int32(affine.rowCount + index)
            case .operation: return Int32(base + position[index])
            }
        }
        var ops: [Operation] = [], first: [Int32] = [], second: [Int32] = [], parameter: [Double] = []
        var start: [Int32] = [0], argumentSlot: [Int32] = [], argumentCoefficient: [Double] = []
        for k in sorted {
            let op = operations[k]
            ops.append(op)
            let usesFirst = op != .combination && op != .minimum && op != .maximum
            first.append(usesFirst ? slot(operandFirst[k]) : 0)
            second.append(op == .product || op == .quotient ? slot(operandSecond[k]) : 0)
            parameter.append(parameters[k])
            for e in argumentStart[k]..<argumentStart[k + 1] {
                argumentSlot.append(slot(arguments[e].0))
                argumentCoefficient.append(arguments[e].1)
            }
            start.append(Int32(argumentSlot.count))
        }
        let tape = Tape(
            base: base, operations: ops, first: first, second: second, parameter: parameter, argumentStart: start,
            argumentSlot: argumentSlot, argumentCoefficient: argumentCoefficient, levels: levels.max() ?? 0)
        return Program(
            variableCount: variableCount, affine: affine, blocks: blocks, tape: tape, outputs: outputs.map { Int(slot($0)) },
            reachable: reachable)
    }
}
