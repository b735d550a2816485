import BlomodelCore

/// The syntax tree of a `.blo` file. Every node keeps where it was written.

/// An expression: arithmetic on numbers, parameters, variables and index
/// names, or a condition (comparisons, `in`, `and`, `or`, `not`).
package indirect enum SyntaxExpr: Sendable {
    case number(Double, SourceLocation)
    case string(String, SourceLocation)
    /// A name with optional subscripts: `n`, `cost[i,j]`, `x[a]`.
    case name(String, [SyntaxExpr], SourceLocation, length: Int)
    case unary(String, SyntaxExpr, SourceLocation)
    /// Comparisons, `and`, `or` and `^`.
    case binary(String, SyntaxExpr, SyntaxExpr, SourceLocation)
    /// `a + b - c ...` or `a * b / c ...`: a flat chain, however long (no nesting, so
    /// nothing downstream recurses in proportion to the number of terms).
    case chain([Operand], SourceLocation)
    /// `a and b and ...` or `a or b or ...`: a flat list of conditions, however long.
    case logical(String, [SyntaxExpr], SourceLocation)
    /// `f(a, b)`: a function call (`exp`, `log`, `min`, ...).
    case call(String, [SyntaxExpr], SourceLocation, length: Int)
    case sum(Indexing, SyntaxExpr, SourceLocation)
    /// A parenthesised list of two or more expressions: a tuple `(i,j)`.
    case tuple([SyntaxExpr], SourceLocation)
    /// `lhs in SET` (or `not in` when negated).
    case membership([SyntaxExpr], SetRef, negated: Bool, SourceLocation)
    /// `dual(con[i])`: reserved for follower duals in the leader.
    case dual(SyntaxExpr, SourceLocation)
    /// `if condition then a else b`, evaluated while the model is elaborated.
    case conditional(SyntaxExpr, SyntaxExpr, SyntaxExpr, SourceLocation)

    package var location: SourceLocation {
        switch self {
        case .chain(_, let l), .call(_, _, let l, _), .logical(_, _, let l): return l
        case .number(_, let l), .string(_, let l), .name(_, _, let l, _), .unary(_, _, let l), .binary(_, _, _, let l),
            .sum(_, _, let l), .tuple(_, let l), .membership(_, _, _, let l), .dual(_, let l), .conditional(_, _, _, let l):
            return l
        }
    }
}

/// One operand of a chain: its operator (`+`, `-`, `*` or `/`; the first operand's is `+`
/// or `*`), the operand, and where the operator was written.
package struct Operand: Sendable {
    package var op: String
    package var expr: SyntaxExpr
    package var location: SourceLocation
    package init(_ op: String, _ expr: SyntaxExpr, _ location: SourceLocation) {
        self.op = op
        self.expr = expr
        self.location = location
    }
}

/// A reference to a set where one is expected: a name, a range `a..b`, or an explicit list.
package indirect enum SetRef: Sendable {
    case named(String, SourceLocation, length: Int)
    case range(SyntaxExpr, SyntaxExpr, SourceLocation)
    case explicit([[SyntaxExpr]], SourceLocation)
    /// `{(i,j) in ARCS: condition}` used as a set.
    case builder(Indexing, SourceLocation)
    /// `csv("file", "col1", "col2")`: tuples read from columns of a CSV file.
    case csv(String, [String], SourceLocation)

    package var location: SourceLocation {
        switch self {
        case .named(_, let l, _), .range(_, _, let l), .explicit(_, let l), .builder(_, let l), .csv(_, _, let l):
            return l
        }
    }
}

/// `{i in N, (j,k) in ARCS: condition}`.
package struct Indexing: Sendable {
    package struct Item: Sendable {
        /// The names bound to the members (empty for an anonymous `{N}`).
        package var names: [String]
        package var set: SetRef
        package var location: SourceLocation
    }
    package var items: [Item]
    package var condition: SyntaxExpr?
    package var location: SourceLocation
}

/// The value given to a parameter.
package enum ParamValue: Sendable {
    case expression(SyntaxExpr)
    /// `[1: 5, (1,2): 7]`.
    case table([(key: [SyntaxExpr], value: SyntaxExpr, location: SourceLocation)])
    case csv(file: String, column: String, SourceLocation)
}

package struct VarAttribute: Sendable {
    package enum Kind: Sendable { case lower(SyntaxExpr), upper(SyntaxExpr), fixed(SyntaxExpr), start(SyntaxExpr), integer, binary }
    package var kind: Kind
    package var location: SourceLocation
}

package enum Statement: Sendable {
    case set(name: String, indexing: Indexing?, value: SetRef, SourceLocation)
    case param(name: String, indexing: Indexing?, value: ParamValue?, defaultValue: SyntaxExpr?, SourceLocation)
    case variable(name: String, indexing: Indexing?, attributes: [VarAttribute], SourceLocation)
    case objective(sense: ObjectiveSense, name: String?, expression: SyntaxExpr, SourceLocation)
    /// `name{...}: a <= b`, `name: lo <= e <= hi`, with optional `dualbound`.
    case constraint(
        name: String, indexing: Indexing?, parts: [SyntaxExpr], relations: [String], dualBound: SyntaxExpr?, SourceLocation)
    case dualBound(SyntaxExpr, SourceLocation)
    case block(Owner, [Statement], SourceLocation)
}
