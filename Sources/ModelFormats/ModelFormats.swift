/// Files other tools read and write.
///
/// - the single-level program of a route as free MPS or CPLEX LP, with a name map from the
///   file's rows and columns to the model's names and origins (`blomodel reformulate`);
/// - the solution files of other solvers for such an export (`blomodel solve --solution`);
/// - the MibS bilevel format (an MPS file and an auxiliary file naming the follower's part);
/// - a bilevel model as `.blo` text (`blomodel convert`).
///
/// Readers report bad input as positioned `Diagnostic`s (`file:line:column: error: ...`); they
/// never recurse in proportion to the input and validate every number before it reaches a solver.
public enum ModelFormats {}
