//! Where and how to reach AWS, as flags and `config.toml` say: plain data, compiled with or
//! without the SDK so the command line and config read the same either way.

/// The workgroup Athena creates in every account.
pub const DEFAULT_WORKGROUP: &str = "primary";
/// The Glue catalog's name as Athena knows it.
pub const DEFAULT_CATALOG: &str = "AwsDataCatalog";

/// Where and how to reach AWS; every field may come from flags, `config.toml` or the
/// environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsOptions {
    /// Named profile from `~/.aws/config`; `None` uses `AWS_PROFILE` or the default chain.
    pub profile: Option<String>,
    /// Region; `None` uses `AWS_REGION` or the profile's region.
    pub region: Option<String>,
    pub workgroup: String,
    /// `s3://…` where Athena writes results; `None` uses the workgroup's setting.
    pub output_location: Option<String>,
    /// Athena data catalog name.
    pub catalog: String,
    /// Database for unqualified table names.
    pub database: Option<String>,
    /// An endpoint for every service, for emulators such as moto.
    pub endpoint_url: Option<String>,
    /// Reuse a previous identical query's result when it is at most this many minutes old.
    pub result_reuse_minutes: Option<u32>,
    /// When big results travel as Parquet through `UNLOAD` instead of the result CSV.
    pub unload: UnloadPolicy,
}

/// When a `SELECT`'s result is fetched through `UNLOAD … WITH (format = 'PARQUET')`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnloadMode {
    /// When the SQL does not bound the result at or under the threshold.
    #[default]
    Auto,
    /// Every query that can be unloaded.
    Always,
    /// Never: results come from the result CSV or `GetQueryResults`.
    Never,
}

/// How the UNLOAD path is used, and what happens to its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnloadPolicy {
    pub mode: UnloadMode,
    /// In `Auto`, a query whose text bounds its result at or under this many rows (`LIMIT`, a
    /// global aggregate) reads the result CSV instead: below it, UNLOAD's extra listing and
    /// per-file reads cost more than they save.
    pub min_rows: u64,
    /// `s3://…/` under which each query unloads into a folder of its own; `None` puts them under
    /// the query result location, in `quarry-unload/`.
    pub location: Option<String>,
    /// Keep the Parquet files after reading them (default: deleted once read).
    pub keep_files: bool,
}

/// Results under this many rows are read from the result CSV in `Auto` mode.
pub const DEFAULT_UNLOAD_MIN_ROWS: u64 = 100_000;

impl Default for UnloadPolicy {
    fn default() -> Self {
        Self {
            mode: UnloadMode::Auto,
            min_rows: DEFAULT_UNLOAD_MIN_ROWS,
            location: None,
            keep_files: false,
        }
    }
}

impl Default for AwsOptions {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            workgroup: DEFAULT_WORKGROUP.to_owned(),
            output_location: None,
            catalog: DEFAULT_CATALOG.to_owned(),
            database: None,
            endpoint_url: None,
            result_reuse_minutes: None,
            unload: UnloadPolicy::default(),
        }
    }
}
