//! S3 for DataFusion: `object_store` clients per bucket, signed with the same credentials the SDK
//! clients use (profiles, SSO and roles included, which `object_store`'s own chain lacks).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use object_store::ObjectStore;
use object_store::aws::{AmazonS3Builder, AwsCredential};

use crate::backend::local::ObjectStoreFactory;

/// Credentials are fetched again this long before they expire.
const REFRESH_MARGIN: Duration = Duration::from_mins(5);

/// The SDK's credential chain as an `object_store` credential provider, cached until near expiry.
#[derive(Debug)]
struct SdkCredentials {
    provider: SharedCredentialsProvider,
    cached: Mutex<Option<(Arc<AwsCredential>, Option<SystemTime>)>>,
}

#[async_trait]
impl object_store::CredentialProvider for SdkCredentials {
    type Credential = AwsCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<AwsCredential>> {
        if let Some((credential, expiry)) = self
            .cached
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            && expiry.is_none_or(|at| SystemTime::now() + REFRESH_MARGIN < at)
        {
            return Ok(Arc::clone(credential));
        }
        let fresh = self.provider.provide_credentials().await.map_err(|e| {
            object_store::Error::Generic {
                store: "S3",
                source: Box::new(e),
            }
        })?;
        let credential = Arc::new(AwsCredential {
            key_id: fresh.access_key_id().to_owned(),
            secret_key: fresh.secret_access_key().to_owned(),
            token: fresh.session_token().map(str::to_owned),
        });
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Arc::clone(&credential), fresh.expiry()));
        Ok(credential)
    }
}

/// Builds an S3 object store for each bucket a Glue table lives in.
#[derive(Debug)]
pub struct S3Stores {
    region: String,
    endpoint_url: Option<String>,
    credentials: Arc<SdkCredentials>,
}

impl S3Stores {
    /// Stores in `region`, signed by `credentials`; `endpoint_url` for emulators.
    pub fn new(
        region: String,
        endpoint_url: Option<String>,
        credentials: SharedCredentialsProvider,
    ) -> Self {
        Self {
            region,
            endpoint_url,
            credentials: Arc::new(SdkCredentials {
                provider: credentials,
                cached: Mutex::new(None),
            }),
        }
    }
}

impl ObjectStoreFactory for S3Stores {
    fn store_for(&self, bucket: &str) -> Result<Arc<dyn ObjectStore>, String> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(&self.region)
            .with_credentials(Arc::clone(&self.credentials) as _);
        if let Some(endpoint) = &self.endpoint_url {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        builder
            .build()
            .map(|store| Arc::new(store) as Arc<dyn ObjectStore>)
            .map_err(|e| format!("cannot reach bucket {bucket}: {e}"))
    }
}
