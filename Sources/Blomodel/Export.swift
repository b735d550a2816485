import BilevelAlgorithms
import BlomodelCore
import Foundation
import ModelFormats
import Reformulations
import SolverInterface

/// The single-level program of a route, ready to be written as free MPS or CPLEX LP
/// (`blomodel reformulate`): the standard form the route's solver would get (always a
/// minimisation), where each of its columns and rows comes from, and how the leader's objective
/// follows from the program's.
public struct ExportableProgram: Sendable {
    /// The route whose program this is (`exact-kkt`).
    public var route: String
    /// What the route's program is, in one line.
    public var routeDescription: String
    /// The model's name.
    public var modelName: String
    /// The program (minimise; `objectiveSign` turns its value into the leader's).
    public var form: StandardForm
    /// Where each column and row of `form` comes from, in the model's names.
    public var columnOrigins: [NameMap.Origin]
    public var rowOrigins: [NameMap.Origin]
    /// Multiply the program's objective value by this to get the leader's objective.
    public var objectiveSign: Double
    /// The leader's objective: its name and sense.
    public var leaderObjective: String
    public var leaderSense: ObjectiveSense

    /// The program laid out for `format` (names sanitised and made unique). Throws
    /// `SolverError.invalidProblem` when the program holds data no solver should see.
    public func file(_ format: ProgramFileFormat) throws -> ProgramFile {
        try ProgramFile(form, format: format, title: modelName)
    }

    /// The program's text in `format` and its name map (JSON), both deterministic.
    public func write(_ format: ProgramFileFormat) throws -> (program: String, nameMap: String) {
        let f = try file(format)
        let comments = [
            "blomodel \(BlomodelVersion.current): the \(route) program of model \(modelName)",
            "\(routeDescription)",
            "minimise; the leader's \(leaderSense.rawValue) \(leaderObjective) = \(ProgramFile.number(objectiveSign)) * (this objective)",
        ]
        let map = NameMap(
            file: f, model: modelName, route: route, routeDescription: routeDescription, leaderObjective: leaderObjective,
            leaderSense: leaderSense.rawValue, objectiveSign: objectiveSign, columnOrigins: columnOrigins, rowOrigins: rowOrigins)
        return (f.text(comments: comments), map.json)
    }
}

extension Blomodel {
    /// The routes whose single-level program `singleLevelProgram` can give.
    public static let exportableRoutes = ["exact-kkt", "value-function"]

    /// The single-level program `route` solves for `model`, with the options of a solve (big-M
    /// options, `--dual-bound`). The exact routes' numeric range is enforced first, as `solve`
    /// does. Routes without one program are refused with a diagnostic saying what to export
    /// instead.
    public static func singleLevelProgram(_ model: BilevelModel, route: String, options: BlomodelOptions = BlomodelOptions()) throws
        -> ExportableProgram
    {
        var input = model
        try NumericRange.enforce(&input, keepSmallCoefficients: true)
        try enforceExactRange(&input)
        switch route {
        case "exact-kkt":
            let r = try reformulate(input, options: options)
            if let y = r.classification.integerFollowerVariables.first {
                let v = r.model.variables[y]
                throw Diagnostic(
                    .error, "follower variable \(v.name) is \(v.kind.rawValue): the exact-kkt route has no program for an integer follower",
                    at: v.location, length: 1, notes: integerFollowerExportNotes
                ).withSourceLine()
            }
            return exactKKTProgram(r)
        case "value-function":
            let r = try reformulate(input, options: options)
            return try valueFunctionProgram(r)
        default:
            throw exportRefusal(route, options: options)
        }
    }

    /// Why `route` has no single program to export (or is unknown).
    package static func exportRefusal(_ route: String, options: BlomodelOptions = BlomodelOptions()) -> Diagnostic {
        switch route {
        case "branch-and-bound":
            return Diagnostic(
                .error, "the route branch-and-bound has no single program: the M-free branch-and-bound solves a sequence of programs; export exact-kkt instead")
        case "outer-approximation":
            return Diagnostic(
                .error,
                "the route outer-approximation has no single program: it solves a sequence of master MILPs, adding cuts as it goes; export exact-kkt instead (with a quadratic leader objective it is a mixed-integer QP)")
        case "gradient-methods":
            return Diagnostic(
                .error, "the route gradient-methods has no program to export: the gradient methods descend on the leader's objective through the follower's answer")
        default:
            let names = options.routePlanner.routes.map(\.name)
            let hint = closestName(to: route, among: names).map { ["did you mean '\($0)'?"] } ?? []
            return Diagnostic(.error, "unknown route '\(route)'", notes: hint + ["routes: " + names.joined(separator: ", "), "exportable: " + exportableRoutes.joined(separator: ", ")])
        }
    }

    /// The exact route's program: the big-M MILP (`Reformulated.standardForm`) with the origins
    /// of `Reformulated.milp`.
    static func exactKKTProgram(_ r: Reformulated) -> ExportableProgram {
        let origins = ExportOrigins(r)
        return ExportableProgram(
            route: "exact-kkt", routeDescription: ExactKKTRoute().summary, modelName: r.model.name, form: r.standardForm,
            columnOrigins: r.milp.columns.map { origins.column($0.origin, name: $0.name) },
            rowOrigins: r.milp.rows.map { origins.row($0.origin, name: $0.name) }, objectiveSign: r.objectiveSign,
            leaderObjective: r.model.upperObjective.name, leaderSense: r.model.upperObjective.sense)
    }

    /// What to do with an integer follower instead of exporting a single-level program.
    static let integerFollowerExportNotes = [
        "blomodel solve runs the value-function search (GLPK or CBC for every MILP)",
        "blomodel convert FILE --to mibs writes the bilevel instance in the MibS format, for MibS and other bilevel solvers",
    ]

    /// The value-function program of an LP follower (`ValueFunctionReformulation`), with its
    /// origins. An integer follower has no single program (the route solves a sequence of master
    /// MILPs), and a follower whose value-function row cannot be exact is refused with the reason.
    static func valueFunctionProgram(_ r: Reformulated) throws -> ExportableProgram {
        if let y = r.classification.integerFollowerVariables.first {
            let v = r.model.variables[y]
            throw Diagnostic(
                .error,
                "follower variable \(v.name) is \(v.kind.rawValue): the value-function route has no single program for an integer follower; it solves a sequence of master MILPs (the high-point relaxation with the cuts its search finds)",
                at: v.location, length: 1, notes: integerFollowerExportNotes
            ).withSourceLine()
        }
        guard
            let vf = ValueFunctionReformulation.apply(
                mpcc: r.complementarityModel, model: r.model, classification: r.classification, bigM: r.bigM)
        else {
            let why =
                ValueFunctionReformulation.refusal(mpcc: r.complementarityModel, model: r.model, classification: r.classification, bigM: r.bigM)
                ?? "unknown"
            throw Diagnostic(.error, "the value-function program of this model is not exact: \(why)", notes: ["export exact-kkt instead"])
        }
        let (form, sign) = try Lowering.apply(vf.program)
        let origins = ExportOrigins(r)
        return ExportableProgram(
            route: "value-function", routeDescription: "the value-function program: the follower's objective at most its dual objective (one row in place of the complementarity pairs)",
            modelName: r.model.name, form: form,
            columnOrigins: vf.program.columns.map { origins.column($0.origin, name: $0.name) },
            rowOrigins: vf.program.rows.map { origins.row($0.origin, name: $0.name) }, objectiveSign: sign,
            leaderObjective: r.model.upperObjective.name, leaderSense: r.model.upperObjective.sense)
    }

    /// Refuses an output path that is the model's file or a file the model reads.
    package static func refuseOverwritingInputs(_ output: String, of model: BilevelModel, modelIsFile: Bool, flag: String) throws {
        let files = modelIsFile ? model.inputFiles : Array(model.inputFiles.dropFirst())
        if let input = files.first(where: { sameFile($0, output) }) {
            throw Diagnostic(
                .error,
                "refusing to write '\(output)': it is \(modelIsFile && input == model.inputFiles.first ? "the model file" : "a data file the model reads ('\(input)')")",
                notes: ["choose another \(flag) file"])
        }
    }
}

/// The origins of a reformulated program's columns and rows in the model's words.
struct ExportOrigins {
    let r: Reformulated

    init(_ r: Reformulated) { self.r = r }

    func variable(_ id: VarID) -> String { id < r.model.variables.count ? r.model.variables[id].name : "#\(id)" }
    func constraint(_ i: Int) -> String { i < r.model.constraints.count ? r.model.constraints[i].name : "#\(i)" }

    func column(_ origin: ColumnOrigin, name: String) -> NameMap.Origin {
        switch origin {
        case .original(let id):
            let v = r.model.variables[id]
            let owner = v.owner.isLeader ? "leader" : "follower"
            switch v.role {
            case .decision:
                return .init(kind: "variable", modelName: v.name, description: "\(owner) variable \(v.name)", attributes: [("owner", .string(owner))])
            case .auxiliary:
                return .init(kind: "auxiliary_variable", modelName: v.name, description: "auxiliary variable \(v.name) of product linearization")
            case .dual(let c):
                return .init(
                    kind: "dual_variable", modelName: v.name, description: "dual(\(constraint(c))): the follower's dual of constraint \(constraint(c)) in the leader's objective",
                    attributes: [("constraint", .string(constraint(c)))])
            }
        case .rowDual(let row, let side):
            return .init(
                kind: "row_multiplier", modelName: constraint(row),
                description: "follower multiplier of constraint \(constraint(row)) (\(side.rawValue) side)",
                attributes: [("constraint", .string(constraint(row))), ("side", .string(side.rawValue))])
        case .boundDual(let id, let side):
            return .init(
                kind: "bound_multiplier", modelName: variable(id),
                description: "follower multiplier of the \(side.rawValue) bound of \(variable(id))",
                attributes: [("variable", .string(variable(id))), ("side", .string(side.rawValue))])
        case .complementarityBinary(let pair):
            return .init(
                kind: "complementarity_binary", modelName: pairName(pair),
                description: "complementarity binary of pair \(pair) (\(pairWhat(pair))): 1 makes the slack zero, 0 the multiplier",
                attributes: [("pair", .int(pair))] + bigM(pair))
        case .epigraph(let block):
            return .init(kind: "epigraph", modelName: name, description: "epigraph variable of block \(block) of the quadratic objective", attributes: [("block", .int(block))])
        case .expansionBit(let id, let bit):
            return .init(
                kind: "expansion_bit", modelName: variable(id), description: "bit \(bit) of the binary expansion of \(variable(id))",
                attributes: [("variable", .string(variable(id))), ("bit", .int(bit))])
        case .exactProduct(let id, let bit, let factor):
            return .init(
                kind: "exact_product", modelName: name,
                description: "the product of bit \(bit) of \(variable(id)) with the column \(factor) (exact: four rows)",
                attributes: [("variable", .string(variable(id))), ("bit", .int(bit)), ("factor_column", .int(factor))])
        }
    }

    func row(_ origin: RowOrigin, name: String) -> NameMap.Origin {
        switch origin {
        case .leaderConstraint(let i):
            return .init(kind: "leader_constraint", modelName: constraint(i), description: "leader constraint \(constraint(i))")
        case .productLinearization(let i):
            return .init(kind: "product_linearization", modelName: constraint(i), description: "product linearization row \(constraint(i))")
        case .followerConstraint(let i):
            return .init(kind: "follower_constraint", modelName: constraint(i), description: "follower constraint \(constraint(i)) (primal feasibility)")
        case .stationarity(let id):
            return .init(
                kind: "stationarity", modelName: variable(id), description: "stationarity of the follower's Lagrangian in \(variable(id))",
                attributes: [("variable", .string(variable(id)))])
        case .dualLink(let id, let c):
            return .init(
                kind: "dual_link", modelName: variable(id), description: "\(variable(id)) equals the follower's multipliers of \(constraint(c))",
                attributes: [("constraint", .string(constraint(c)))])
        case .strongDuality:
            return .init(kind: "strong_duality", modelName: name, description: "strong duality: the follower's primal objective equals its dual objective")
        case .complementarity(let pair, let side):
            let what = side == .slack ? "slack <= M_p (1 - z)" : "multiplier <= M_d z"
            return .init(
                kind: "complementarity", modelName: pairName(pair),
                description: "big-M row of pair \(pair) (\(pairWhat(pair))), \(side.rawValue) side: \(what)",
                attributes: [("pair", .int(pair)), ("side", .string(side.rawValue))] + bigM(pair))
        case .outerApproximationCut(let block):
            return .init(kind: "outer_approximation_cut", modelName: name, description: "tangent cut on the epigraph variable of block \(block)", attributes: [("block", .int(block))])
        case .valueFunction:
            return .init(
                kind: "value_function", modelName: name,
                description: "value-function row: the follower's objective at most its dual objective (sum of slack x multiplier <= 0)")
        case .expansion(let id):
            return .init(
                kind: "expansion", modelName: variable(id), description: "binary expansion of \(variable(id))",
                attributes: [("variable", .string(variable(id)))])
        case .exactProduct(let column):
            return .init(
                kind: "exact_product", modelName: name, description: "one of the four rows making product column \(column) exact",
                attributes: [("column", .int(column))])
        }
    }

    func pairName(_ pair: Int) -> String {
        let pairs = r.complementarityModel.complementarities
        return pair < pairs.count ? pairs[pair].name : "pair \(pair)"
    }

    /// Which row or bound a complementarity pair is about.
    func pairWhat(_ pair: Int) -> String {
        let pairs = r.complementarityModel.complementarities
        guard pair < pairs.count else { return "unknown" }
        switch pairs[pair].origin {
        case .rowDual(let row, let side): return "\(side.rawValue) side of follower constraint \(constraint(row))"
        case .boundDual(let id, let side): return "\(side.rawValue) bound of \(variable(id))"
        default: return pairs[pair].name
        }
    }

    /// The pair's M values and their sources.
    func bigM(_ pair: Int) -> [(String, NameMap.Value)] {
        guard let m = r.bigM.first(where: { $0.pairIndex == pair }) else { return [] }
        return [
            ("slack_m", .number(m.primalM)), ("slack_m_source", .string(m.primalSource.description)), ("multiplier_m", .number(m.dualM)),
            ("multiplier_m_source", .string(m.dualSource.description)),
        ]
    }
}
