//! The AWS source: Glue Data Catalog for tables and partitions, Athena for SQL, S3 for result
//! files and partition sizes. Nothing here knows about the UI; SDK types stay inside.

mod athena;
mod errors;
mod estimate;
mod execution;
mod glue;
pub mod projection;
mod results;
mod s3;
mod stores;
mod workspace;

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::ProvideCredentials;

pub use athena::AthenaEngine;
pub use errors::{AwsCallError, describe};
pub use glue::{GlueCatalog, glue_expression};
pub use results::{
    CsvNullMarker, CsvResultReader, ResultColumn, arrow_type_of, rows_to_batch, schema_of,
};
pub use s3::S3Location;
pub use stores::S3Stores;
pub use workspace::{NamedQuery, RecentExecution, Workspace};

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

/// SDK clients sharing one configuration.
#[derive(Clone, Debug)]
pub struct AwsClients {
    pub glue: aws_sdk_glue::Client,
    pub athena: aws_sdk_athena::Client,
    pub s3: aws_sdk_s3::Client,
    /// The region in use, to name it in messages.
    pub region: String,
    /// What signs requests, shared with DataFusion's S3 reads.
    pub credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
    /// The one endpoint for every service, when set (emulators).
    pub endpoint_url: Option<String>,
}

/// Why the AWS source could not start, as one sentence naming what to set.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AwsSetupError {
    #[error(
        "no AWS region is set: pass --region REGION, set AWS_REGION, or add `region = \"…\"` \
         under [aws] in config.toml"
    )]
    NoRegion,
    #[error(
        "no AWS credentials were found ({0}): set AWS_PROFILE (or pass --profile), set \
         AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
    )]
    NoCredentials(String),
    #[error("{0}")]
    Rejected(String),
}

/// How many times a call is tried in all; throttling and transient errors back off in between.
const MAX_ATTEMPTS: u32 = 6;

impl AwsClients {
    /// Loads the standard AWS configuration (flags first, then `AWS_*` variables, profiles, SSO,
    /// instance roles) and checks that a region and credentials are there.
    pub async fn connect(options: &AwsOptions) -> Result<Self, AwsSetupError> {
        let retry = Self::retry_config();
        // A connect timeout turns an unreachable endpoint into an error instead of a hang;
        // operation time is unbounded because S3 result downloads may be long.
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .read_timeout(Duration::from_mins(1))
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let sdk = loader.load().await;
        let region = sdk
            .region()
            .map(ToString::to_string)
            .ok_or(AwsSetupError::NoRegion)?;
        let Some(provider) = sdk.credentials_provider() else {
            return Err(AwsSetupError::NoCredentials(
                "no credential provider is configured".to_owned(),
            ));
        };
        if let Err(e) = provider.provide_credentials().await {
            return Err(AwsSetupError::NoCredentials(errors::chain(&e)));
        }
        Ok(Self::from_sdk_config(&sdk, region))
    }

    /// Clients from an already loaded configuration. With a custom endpoint (an emulator
    /// serving every bucket on one host) S3 buckets are addressed in the path.
    pub fn from_sdk_config(sdk: &aws_config::SdkConfig, region: String) -> Self {
        let endpoint_url = sdk.endpoint_url().map(str::to_owned);
        let s3_config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(endpoint_url.is_some())
            .build();
        Self {
            glue: aws_sdk_glue::Client::new(sdk),
            athena: aws_sdk_athena::Client::new(sdk),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            region,
            credentials: sdk.credentials_provider(),
            endpoint_url,
        }
    }

    /// Object stores for DataFusion's S3 reads, signed like these clients.
    pub fn stores(&self) -> Option<S3Stores> {
        Some(S3Stores::new(
            self.region.clone(),
            self.endpoint_url.clone(),
            self.credentials.clone()?,
        ))
    }

    /// The retry policy every client uses: throttling and transient failures back off and retry.
    pub fn retry_config() -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(MAX_ATTEMPTS)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(5))
    }
}
