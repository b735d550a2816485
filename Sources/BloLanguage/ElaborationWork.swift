import BlomodelCore

/// The work of elaboration, bounded.
///
/// Each indexing is limited to `maximumMembers` and the model to `maximumNodes`, but neither
/// bounds the time: nested sums multiply their sizes, and a sum of constants adds no node, so
/// `sum{i in 1..1000} sum{j in 1..1000} sum{k in 1..1000} 1` would visit 10^9 members (about
/// twenty minutes) within both limits. Every member an indexing visits (before its condition
/// filters it) counts once, and so does every member of a set written in a condition
/// (`i in 1..n`, built each time the condition runs); the model may visit at most
/// `maximumVisits` in all. Where the count is known before any member
/// is built (a sum whose nested sums run over sets of known size), the excess is an error at
/// once, not after the limit's worth of work.
extension Elaborator {
    /// The most index members the indexings of one model may visit together (as many as
    /// `maximumNodes`): some seconds of work.
    package static let maximumVisits = 20_000_000

    /// The most parts a member of an indexing may have (`{i in A, (j,k) in B}` has three):
    /// building a product copies each partial tuple once per set, so the work grows with
    /// the square of the parts.
    package static let maximumDimension = 64
    /// The most parts (members times their length) an indexing may build: a largest indexing
    /// (`maximumMembers`) of pairs.
    package static let maximumParts = 20_000_000

    /// An indexing's product: `members` members of `dimension` parts each.
    func checkParts(members: Int, dimension: Int, at location: SourceLocation) throws {
        guard dimension <= Elaborator.maximumDimension else { throw tooManyParts(at: location) }
        let (parts, overflow) = members.multipliedReportingOverflow(by: dimension)
        guard !overflow, parts <= Elaborator.maximumParts else {
            throw error(
                "this indexing would build more than \(Elaborator.maximumParts) index parts (members times their length)", at: location,
                notes: ["a product of sets of long tuples is limited to \(Elaborator.maximumParts) parts; filter it with ': condition' or split the model"])
        }
    }

    func tooManyParts(at location: SourceLocation) -> Diagnostic {
        error(
            "this indexing has more than \(Elaborator.maximumDimension) index parts", at: location,
            notes: ["an indexing, or a tuple of a set used in one, has at most \(Elaborator.maximumDimension) parts"])
    }

    /// Counts `count` visited members; past the limit, an error at `location`.
    func visit(_ count: Int, at location: SourceLocation, length: Int = 1) throws {
        let (total, overflow) = visits.addingReportingOverflow(count)
        guard !overflow, total <= visitLimit else { throw tooMuchWork(at: location, length: length) }
        visits = total
    }

    /// Refuses, before any of it is done, the work of evaluating `expressions` `count` times
    /// when it certainly passes the limit. `local` are the names that change from one
    /// evaluation to the next (a set that depends on them has no size known in advance).
    func expectVisits(
        _ count: Int, _ expressions: [SyntaxExpr], local: [String], at location: SourceLocation, length: Int = 1
    ) throws {
        guard count > 0 else { return }
        let each = expressions.reduce(0) { Elaborator.adding($0, minimumVisits($1, local: local)) }
        guard each > 0 else { return }
        let (product, overflow) = count.multipliedReportingOverflow(by: each)
        if overflow || Elaborator.adding(visits, product) > visitLimit { throw tooMuchWork(at: location, length: length) }
    }

    func tooMuchWork(at location: SourceLocation, length: Int) -> Diagnostic {
        error(
            "reading this model would visit more than \(visitLimit) index members in all", at: location, length: length,
            notes: [
                "nested sums, and sums repeated for every member of an indexing, multiply their sizes; filter them with ': condition' or split the model"
            ])
    }

    /// A lower bound on the members evaluating `e` visits: the sums whose sets have a size
    /// known in advance, with their nested sums. Pure: it builds nothing, and evaluates only
    /// constant expressions (range ends).
    func minimumVisits(_ e: SyntaxExpr, local: [String]) -> Int {
        func sum(_ items: [SyntaxExpr]) -> Int { items.reduce(0) { Elaborator.adding($0, minimumVisits($1, local: local)) } }
        switch e {
        case .number, .string, .dual: return 0
        case .name(_, let subscripts, _, _): return sum(subscripts)
        case .unary(_, let a, _): return minimumVisits(a, local: local)
        case .binary(_, let a, let b, _): return sum([a, b])
        case .chain(let operands, _): return sum(operands.map(\.expr))
        // `and` and `or` stop early: only the first operand is certain to run.
        case .logical(_, let operands, _): return operands.first.map { minimumVisits($0, local: local) } ?? 0
        case .call(_, let arguments, _, _): return sum(arguments)
        case .tuple(let items, _): return sum(items)
        case .membership(let parts, let set, _, _):
            // A declared set is looked up; any other is built for the test (see `truth`).
            if case .named = set { return sum(parts) }
            return Elaborator.adding(sum(parts), knownSize(set, local: local) ?? 0)
        case .conditional(let c, let a, let b, _):
            return Elaborator.adding(minimumVisits(c, local: local), min(minimumVisits(a, local: local), minimumVisits(b, local: local)))
        case .sum(let indexing, let body, _):
            var size = 1
            var names = local
            for item in indexing.items {
                guard let n = knownSize(item.set, local: names) else { return 0 }
                size = Elaborator.multiplying(size, n)
                names += item.names
            }
            // A filtered sum may evaluate its body for no member.
            let inner = indexing.condition == nil ? minimumVisits(body, local: names) : 0
            return Elaborator.adding(size, Elaborator.multiplying(size, inner))
        }
    }

    /// The number of members of a set known without building it: a declared set, a range
    /// with constant ends that do not depend on `local`, a written list.
    func knownSize(_ set: SetRef, local: [String]) -> Int? {
        switch set {
        case .named(let name, _, _): return sets[name]?.members.count
        case .range(let lo, let hi, _):
            guard !mentions(lo, local), !mentions(hi, local), let a = literal(lo), let b = literal(hi) else { return nil }
            // A range too large for a set is refused where it is built, with its own message.
            guard b - a < 1e7 else { return nil }
            return b >= a ? max(0, Int(b.rounded(.down) - a.rounded(.up)) + 1) : 0
        case .explicit(let members, _): return members.count
        case .builder, .csv: return nil
        }
    }

    /// The value of a constant expression (numbers, parameters, bound indices, arithmetic and
    /// function calls on them, `if`), or nil. Pure: such an expression adds no graph node and
    /// visits no member, and anything else (a variable, a sum, a set test) is not evaluated.
    func literal(_ e: SyntaxExpr) -> Double? {
        guard isPureConstant(e), let v = try? constant(e, "a range end"), v.isFinite else { return nil }
        return v
    }

    func isPureConstant(_ e: SyntaxExpr) -> Bool {
        switch e {
        case .number: return true
        case .string, .sum, .membership, .dual, .tuple: return false
        case .name(let n, let subscripts, _, _):
            if subscripts.isEmpty, indexBindings[n] != nil { return true }
            return params[n] != nil && subscripts.allSatisfy { isPureConstant($0) || isIndexElement($0) }
        case .unary(_, let a, _): return isPureConstant(a)
        case .binary(_, let a, let b, _): return isPureConstant(a) && isPureConstant(b)
        case .chain(let operands, _): return operands.allSatisfy { isPureConstant($0.expr) }
        case .logical(_, let operands, _): return operands.allSatisfy { isPureConstant($0) }
        case .call(_, let arguments, _, _): return arguments.allSatisfy { isPureConstant($0) }
        case .conditional(let c, let a, let b, _): return isPureConstant(c) && isPureConstant(a) && isPureConstant(b)
        }
    }

    /// A subscript that names a symbol (`q[widget]`): no evaluation at all.
    func isIndexElement(_ e: SyntaxExpr) -> Bool {
        if case .string = e { return true }
        if case .name(let n, let subscripts, _, _) = e, subscripts.isEmpty, families[n] == nil, sets[n] == nil { return true }
        return false
    }

    static func adding(_ a: Int, _ b: Int) -> Int {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : r
    }

    static func multiplying(_ a: Int, _ b: Int) -> Int {
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : r
    }
}
