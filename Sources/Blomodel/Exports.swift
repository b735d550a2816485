@_exported import BlomodelCore
@_exported import BloLanguage
@_exported import BilevelDSL
@_exported import BilevelAlgorithms
@_exported import Reformulations
@_exported import SolverInterface
@_exported import ModelFormats
