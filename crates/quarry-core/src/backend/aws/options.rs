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
        }
    }
}
