// swift-tools-version:5.9
// blomodel: a modelling tool for bilevel optimization.
//
// The package reads like a table of contents:
//   public API       Blomodel (facade), BlomodelCore, BloLanguage, Reformulations, BilevelAlgorithms, SolverInterface,
//                    ModelFormats (MPS, LP, solution files, the MibS format),
//                    Differentiation (compiled gradients, Jacobians, Hessian-vector products)
//   backends         GLPKBackend, CbcBackend, IpoptBackend (the only Swift code that touches the C libraries)
//   C shims          CGLPK, CCbc, CIpopt, CLapack, CBlas (system-library targets: a module map and one header each)
//   linear algebra   LinearAlgebra (LAPACK: eigenvalues for convexity checks, LU for dual-vertex bounds)
//   tools            blomodel (the CLI), blomodel-bench (the benchmark), blomodel-fuzz (the front end's fuzzer),
//                    the examples
//   tests            one target per module, plus literature and CLI tests
import PackageDescription

let package = Package(
    name: "blomodel",
    products: [
        .library(name: "Blomodel", targets: ["Blomodel"]),
        .executable(name: "blomodel", targets: ["BlomodelCLI"]),
        .executable(name: "blomodel-bench", targets: ["BlomodelBench"]),
        .executable(name: "blomodel-fuzz", targets: ["BlomodelFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` (the DocC catalogs; `make docs`).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // Public API.
        .target(name: "BlomodelCore"),
        .target(name: "SolverInterface", dependencies: ["BlomodelCore"]),
        .target(name: "BloLanguage", dependencies: ["BlomodelCore"]),
        // The embedded DSL: models built in Swift, through the builder the language uses.
        .target(name: "BilevelDSL", dependencies: ["BlomodelCore"]),
        .target(name: "LinearAlgebra", dependencies: ["CLapack"]),
        // Files other tools read and write: free MPS and CPLEX LP of a single-level program (with
        // the name map), other solvers' solution files, the MibS bilevel format, .blo text.
        .target(name: "ModelFormats", dependencies: ["BlomodelCore", "SolverInterface"]),
        .target(name: "Reformulations", dependencies: ["BlomodelCore", "SolverInterface", "LinearAlgebra"]),
        // Routes (whole strategies), the route planner and the verifier; backends arrive as values.
        .target(name: "BilevelAlgorithms", dependencies: ["BlomodelCore", "SolverInterface", "Reformulations"]),
        .target(name: "Differentiation", dependencies: ["BlomodelCore", "CBlas"]),
        // Gradient methods for smooth bilevel problems (hypergradients by implicit and iterative
        // differentiation, the leader's descent), on the compiled derivatives.
        .target(name: "GradientMethods", dependencies: ["BlomodelCore", "Differentiation", "LinearAlgebra", "SolverInterface"]),
        .target(
            name: "Blomodel",
            dependencies: [
                "BlomodelCore", "BloLanguage", "BilevelDSL", "Reformulations", "BilevelAlgorithms", "GradientMethods", "SolverInterface",
                "ModelFormats",
                "GLPKBackend", "CbcBackend",
                "IpoptBackend",
            ]),

        // Backends.
        .target(name: "GLPKBackend", dependencies: ["SolverInterface", "CGLPK"]),
        .target(name: "CbcBackend", dependencies: ["SolverInterface", "CCbc"]),
        .target(name: "IpoptBackend", dependencies: ["SolverInterface", "CIpopt"]),

        // C shims.
        .systemLibrary(name: "CGLPK", path: "Sources/CGLPK"),
        .systemLibrary(name: "CCbc", path: "Sources/CCbc", pkgConfig: "cbc", providers: [.apt(["coinor-libcbc-dev"])]),
        .systemLibrary(name: "CLapack", path: "Sources/CLapack", providers: [.apt(["liblapack-dev"])]),
        .systemLibrary(name: "CBlas", path: "Sources/CBlas", providers: [.apt(["libblas-dev"])]),
        .systemLibrary(name: "CIpopt", path: "Sources/CIpopt", pkgConfig: "ipopt", providers: [.apt(["coinor-libipopt-dev"])]),

        // Tools.
        .executableTarget(
            name: "BlomodelCLI",
            dependencies: ["Blomodel", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "BlomodelBench",
            dependencies: ["Blomodel", "Differentiation", "GradientMethods", "BilevelAlgorithms", "Reformulations", "ModelFormats", "SolverInterface"]),
        // A deterministic mutation fuzzer of the front end (`blomodel check` without a MILP solve; `make fuzz`).
        .executableTarget(name: "BlomodelFuzz", dependencies: ["Blomodel"]),
        .executableTarget(name: "SolveModelExample", dependencies: ["Blomodel"], path: "Examples/SolveModel"),
        .executableTarget(name: "TollInCodeExample", dependencies: ["Blomodel"], path: "Examples/TollInCode"),
        .executableTarget(name: "PricingSweepExample", dependencies: ["Blomodel"], path: "Examples/PricingSweep"),
        .executableTarget(name: "HyperparameterTuningExample", dependencies: ["Blomodel"], path: "Examples/HyperparameterTuning"),
        .executableTarget(name: "RidgeTuningExample", dependencies: ["Blomodel"], path: "Examples/RidgeTuning", exclude: ["data"]),
        .executableTarget(name: "DataCleaningExample", dependencies: ["Blomodel"], path: "Examples/DataCleaning", exclude: ["data", "check.py"]),
        .executableTarget(name: "AdversarialLeastSquaresExample", dependencies: ["Blomodel"], path: "Examples/AdversarialLeastSquares"),
        .executableTarget(name: "CCCPBOSyntheticExample", dependencies: ["Blomodel"], path: "Examples/CCCPBOSynthetic"),

        // Tests.
        .testTarget(name: "BlomodelCoreTests", dependencies: ["BlomodelCore"]),
        .testTarget(name: "BloLanguageTests", dependencies: ["BloLanguage"]),
        .testTarget(name: "BilevelDSLTests", dependencies: ["Blomodel"]),
        .testTarget(name: "DifferentiationTests", dependencies: ["Differentiation", "BlomodelCore"]),
        .testTarget(name: "GradientMethodsTests", dependencies: ["GradientMethods", "BloLanguage", "IpoptBackend", "GLPKBackend"]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "BloLanguage", "GLPKBackend", "CbcBackend"]),
        .testTarget(name: "ReformulationsTests", dependencies: ["Reformulations", "BloLanguage"]),
        .testTarget(name: "BilevelAlgorithmsTests", dependencies: ["BilevelAlgorithms", "BloLanguage", "GLPKBackend", "IpoptBackend"]),
        .testTarget(name: "BackendTests", dependencies: ["GLPKBackend", "CbcBackend", "IpoptBackend", "SolverInterface"]),
        .testTarget(name: "LiteratureTests", dependencies: ["Blomodel", "BilevelAlgorithms", "Differentiation", "GLPKBackend", "BlomodelBench"]),
        .testTarget(name: "CLITests", dependencies: ["Blomodel"]),
    ]
)
