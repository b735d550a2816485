/// The version of blomodel, in one place: `blomodel --version` prints it and the JSON reports
/// carry it (`blomodel_version`).
public enum BlomodelVersion {
    /// The release, `major.minor.patch`.
    public static let current = "0.9.0"
    /// The version of the JSON report of `blomodel solve --json` (`schema_version`, described by
    /// `docs/report.schema.json`): raised whenever a key is added, removed, renamed or changes type.
    public static let reportSchema = 1
    /// The version of the JSON description of `blomodel check --json` (`schema_version`, described
    /// by `docs/check.schema.json`).
    public static let checkSchema = 1
}
