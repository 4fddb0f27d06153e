//! The SDK clients the AWS source uses, made once from the standard configuration chain with
//! one HTTPS client, one retry policy and timeouts that turn an unreachable endpoint into an
//! error instead of a hang.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::ProvideCredentials;

use super::{AwsOptions, S3Stores, errors};

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
        let mut loader = Self::sdk_loader()
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

    /// The SDK's standard configuration loader with quarry's one HTTPS client: rustls on ring,
    /// the crypto provider `object_store` already brings, so the build holds one TLS stack and
    /// no C crypto library. Every client quarry makes, tests and benchmarks too, starts here.
    pub fn sdk_loader() -> aws_config::ConfigLoader {
        use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        aws_config::defaults(BehaviorVersion::latest()).http_client(https)
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
