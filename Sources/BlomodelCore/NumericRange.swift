import Foundation

/// The numbers blomodel hands to its solvers, and what it does with numbers outside that range
/// (docs/language.md, "Numbers"; docs/solvers.md, "The numeric range").
///
/// - A variable bound, a right-hand side or a `dualbound` of magnitude `infiniteBound` (1e12) or
///   more on the side that relaxes (an upper bound of +1e12 or more, a lower bound of -1e12 or
///   less) means "no bound": it is replaced by an infinite one and a warning says so. On the side
///   that binds (`x >= 1e13`, `x = -1e13`) it is an error: no point of a meaningful magnitude
///   satisfies it.
/// - A nonzero coefficient (of a variable or a product of two, in an objective or a constraint)
///   must have a magnitude in `coefficients` (1e-9 to 1e9); others are errors at the term.
///
/// Why these numbers: GLPK's and CLP's feasibility and integrality tolerances are about 1e-7 and
/// doubles carry 16 significant digits, so a coefficient below 1e-9 is invisible next to the
/// tolerances at values of order one, and a model whose coefficients span more than 18 orders of
/// magnitude cannot be solved in double precision; random models with numbers beyond 1e9 or below
/// 1e-9 made GLPK and CBC contradict each other (issue 8). Bounds of 1e16 or more meant as "free"
/// made a relaxation LP look like a proof (Liu and Hart 1994 with leader bounds of +-1e17: F = 0
/// reported as verified, the optimum is -16; the answer stayed right up to 5e15), and the libraries
/// themselves take 1e19 to 1e20 as infinity (Ipopt's `nlp_upper_bound_inf` is 1e19): 1e12 keeps
/// four orders of magnitude of margin below the first wrong answer.
///
/// The solver boundary (`StandardForm.validate` in SolverInterface) applies the same bound rule to
/// derived numbers and refuses any coefficient outside `libraryCoefficients`, which keeps every
/// product of two coefficients finite and nonzero (GLPK's scaling aborts the process when one is
/// not) and objective coefficients below CLP's assertion at 1e25.
public enum NumericRange {
    /// Bounds and right-hand sides at or beyond this magnitude mean "no bound".
    public static let infiniteBound = 1e12
    /// The magnitudes a nonzero coefficient of the user's model may have.
    public static let coefficients: ClosedRange<Double> = 1e-9...1e9
    /// The magnitudes a nonzero coefficient may have when it reaches a C library (derived
    /// numbers, such as big-M products, included).
    public static let libraryCoefficients: ClosedRange<Double> = 1e-30...1e20

    /// A lower bound as the solvers see it: -infinity when it is at or below `-infiniteBound`.
    /// (A lower bound at or above `+infiniteBound` is refused, not changed.)
    public static func lower(_ v: Double) -> Double { v <= -infiniteBound ? -.infinity : v }
    /// An upper bound as the solvers see it: +infinity when it is at or above `infiniteBound`.
    public static func upper(_ v: Double) -> Double { v >= infiniteBound ? .infinity : v }

    /// True when a coefficient may be given to a C library.
    public static func isLibraryCoefficient(_ v: Double) -> Bool {
        v == 0 || libraryCoefficients.contains(abs(v))
    }

    /// Applies the policy to a model: huge bounds on their relaxing side become infinite (one
    /// warning per declaration and side, appended to `model.warnings` and returned), huge bounds
    /// on their binding side and coefficients outside `coefficients` are errors (the first in
    /// source order is thrown, its notes counting the others). Applying it twice changes nothing more.
    ///
    /// `keepSmallCoefficients`: nonzero coefficients below the range (1e-9) are kept, not refused.
    /// A model is built that way (the gradient methods, which hand no coefficient to a C library,
    /// take them: a conditioning experiment's 1e-9, a cross term that is zero up to rounding); the
    /// exact routes apply the whole rule before they reformulate.
    @discardableResult
    public static func enforce(_ model: inout BilevelModel, keepSmallCoefficients: Bool = false) throws -> [Diagnostic] {
        var policy = Enforcement(model: model)
        policy.keepSmall = keepSmallCoefficients
        policy.bounds()
        policy.coefficients()
        let order = { (d: Diagnostic) -> (String, Int, Int) in
            let at = d.location ?? .unknown
            return (at.file, at.line, at.column)
        }
        if var first = policy.errors.min(by: { order($0) < order($1) }) {
            if policy.refused > 1 {
                first.notes.append("\(policy.refused - 1) more number(s) of the model are outside the range as well")
            }
            throw first
        }
        model = policy.model
        model.warnings += policy.warnings
        return policy.warnings
    }
}

/// One application of `NumericRange` to a model: the model as it becomes, and what was said.
private struct Enforcement {
    var model: BilevelModel
    /// Coefficients below the range are kept (the model's build; the exact routes refuse them).
    var keepSmall = false
    var warnings: [Diagnostic] = []
    /// The first errors found, with their positions (at most `Self.positioned` numbers are
    /// looked at closely: finding a term's position walks its expression), and how many numbers
    /// were refused in all.
    var errors: [Diagnostic] = []
    var refused = 0
    static let positioned = 10
    /// Warnings already given, by declaration and what they are about (one per family and side),
    /// with how many more members of the family the same warning covers.
    var warned: [String: (index: Int, more: Int)] = [:]

    init(model: BilevelModel) { self.model = model }

    static let limit = number(NumericRange.infiniteBound)

    /// A number for these messages: `1e+13`, `2.5e-10`, `-3`.
    static func number(_ v: Double) -> String {
        abs(v) >= 1e6 || (v != 0 && abs(v) < 1e-4) ? String(format: "%.6g", v) : formatNumber(v)
    }

    func place(_ at: SourceLocation) -> SourceLocation? { at == .unknown ? nil : at }

    /// A warning, or one more member counted in an earlier warning about the same declaration.
    mutating func warn(_ key: String, _ at: SourceLocation, length: Int, _ message: String) {
        let full = "\(at)|\(key)"
        if let (index, more) = warned[full] {
            warned[full] = (index, more + 1)
            warnings[index].notes = ["and \(more + 1) more member(s) of the same declaration"]
            return
        }
        warned[full] = (warnings.count, 0)
        warnings.append(Diagnostic(.warning, message, at: place(at), length: length))
    }

    mutating func bounds() {
        let limit = Self.limit
        for j in model.variables.indices {
            let v = model.variables[j]
            let length = 3  // the declaration's 'var'; the message names the bound
            if v.lower >= NumericRange.infiniteBound || v.upper <= -NumericRange.infiniteBound {
                let value = v.lower >= NumericRange.infiniteBound ? v.lower : v.upper
                refused += 1
                if refused > Self.positioned { continue }
                errors.append(
                    Diagnostic(
                        .error,
                        "\(v.name) must be \(value > 0 ? "at least" : "at most") \(Self.number(value)), beyond the largest magnitude a bound may have (\(limit))",
                        at: place(v.location), length: length,
                        notes: ["bounds of \(limit) or more in magnitude mean 'no bound'; measure \(v.base) in larger units"]))
                continue
            }
            if v.lower.isFinite, v.lower <= -NumericRange.infiniteBound {
                warn("lower \(v.base)", v.location, length: length,
                    "the lower bound \(Self.number(v.lower)) of \(v.name) is treated as -infinity (its magnitude is \(limit) or more)")
                model.variables[j].lower = -.infinity
            }
            if v.upper.isFinite, v.upper >= NumericRange.infiniteBound {
                warn("upper \(v.base)", v.location, length: length,
                    "the upper bound \(Self.number(v.upper)) of \(v.name) is treated as +infinity (its magnitude is \(limit) or more)")
                model.variables[j].upper = .infinity
            }
        }
        for i in model.constraints.indices {
            let c = model.constraints[i]
            let length = max(1, c.base.count)
            if c.lower >= NumericRange.infiniteBound || c.upper <= -NumericRange.infiniteBound {
                let value = c.lower >= NumericRange.infiniteBound ? c.lower : c.upper
                refused += 1
                if refused > Self.positioned { continue }
                errors.append(
                    Diagnostic(
                        .error,
                        "\(c.name) needs its body to be \(c.isEquality ? "equal to" : value > 0 ? "at least" : "at most") \(Self.number(value)), beyond the largest magnitude a right-hand side may have (\(limit))",
                        at: place(c.location), length: length,
                        notes: ["right-hand sides of \(limit) or more in magnitude mean 'no bound'; scale the row or its variables"]))
                continue
            }
            if c.lower.isFinite, c.lower <= -NumericRange.infiniteBound {
                warn("lower \(c.base)", c.location, length: length,
                    "the right-hand side \(Self.number(c.lower)) of \(c.name) is treated as -infinity (its magnitude is \(limit) or more): the row has no lower side")
                model.constraints[i].lower = -.infinity
            }
            if c.upper.isFinite, c.upper >= NumericRange.infiniteBound {
                warn("upper \(c.base)", c.location, length: length,
                    "the right-hand side \(Self.number(c.upper)) of \(c.name) is treated as +infinity (its magnitude is \(limit) or more): the row has no upper side")
                model.constraints[i].upper = .infinity
            }
            if let d = c.dualBound, d >= NumericRange.infiniteBound {
                var at = c.location
                if case .constraint(let written) = c.dualBoundSource { at = written }
                warn("dualbound \(c.base)", at, length: 9,
                    "the dual bound \(Self.number(d)) of \(c.name) is treated as no bound (its magnitude is \(limit) or more)")
                model.constraints[i].dualBound = nil
                model.constraints[i].dualBoundSource = nil
            }
        }
        if let d = model.lowerDualBound, d >= NumericRange.infiniteBound {
            warn("dualbound", model.lowerDualBoundLocation ?? .unknown, length: 9,
                "the follower's dual bound \(Self.number(d)) is treated as no bound (its magnitude is \(limit) or more)")
            model.lowerDualBound = nil
            model.lowerDualBoundLocation = nil
        }
    }

    mutating func coefficients() {
        check(model.upperObjective.expression, root: model.upperObjective.function, in: "the leader's objective \(model.upperObjective.name)", at: model.upperObjective.location)
        check(model.lowerObjective.expression, root: model.lowerObjective.function, in: "the follower's objective \(model.lowerObjective.name)", at: model.lowerObjective.location)
        for c in model.constraints where c.nonquadratic == nil {
            check(c.body, root: c.function, in: c.name, at: c.location)
        }
    }

    /// Refuses the coefficients of a quadratic view outside the range, at the term when the
    /// graph knows where it was written.
    mutating func check(_ e: QuadExpr, root: NodeID?, in what: String, at fallback: SourceLocation) {
        let range = NumericRange.coefficients
        let keepSmall = self.keepSmall
        let inRange = { (a: Double) -> Bool in range.contains(abs(a)) || (keepSmall && abs(a) < range.lowerBound) }
        for (j, a) in e.linear.sortedTerms where !inRange(a) {
            refused += 1
            if refused > Self.positioned { continue }
            refuse(a, of: model.variables[j].name, in: what, at: occurrence(of: j, under: root) ?? fallback)
        }
        for (p, a) in e.sortedQuadratic where !inRange(a) {
            refused += 1
            if refused > Self.positioned { continue }
            let term = p.first == p.second ? "\(model.variables[p.first].name)^2" : "\(model.variables[p.first].name)*\(model.variables[p.second].name)"
            refuse(a, of: term, in: what, at: e.origins[p] ?? occurrence(of: p.first, under: root) ?? fallback)
        }
    }

    mutating func refuse(_ a: Double, of term: String, in what: String, at: SourceLocation) {
        // One error per place: an indexed family repeats its declaration's position.
        if errors.contains(where: { $0.location == place(at) && place(at) != nil }) { return }
        let range = NumericRange.coefficients
        errors.append(
            Diagnostic(
                .error,
                "the coefficient \(Self.number(a)) of \(term) in \(what) is outside the supported range: nonzero coefficients must have magnitudes from \(Self.number(range.lowerBound)) to \(Self.number(range.upperBound))",
                at: place(at), length: max(1, term.count),
                notes: [
                    abs(a) > range.upperBound
                        ? "measure \(term) in larger units, or scale the whole row or objective down"
                        : "measure \(term) in smaller units, or scale the whole row or objective up; if it should be zero, write it without the term"
                ]))
    }

    /// Where variable `j` is written in the expression under `root` (its first occurrence).
    func occurrence(of j: VarID, under root: NodeID?) -> SourceLocation? {
        guard let root else { return nil }
        for id in model.graph.reachable(from: [root]) {
            if case .variable(let v) = model.graph[id], v == j {
                let at = model.graph.location(of: id)
                return at == .unknown ? nil : at
            }
        }
        return nil
    }
}
