//! S3 locations and the two S3 reads quarry needs: the size of a prefix and a result file.

use std::fmt;

use super::errors::{AwsCallError, describe};

/// A parsed `s3://bucket/key` address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct S3Location {
    pub bucket: String,
    /// The key or prefix, without a leading slash.
    pub key: String,
}

impl S3Location {
    /// Parses `s3://bucket/key` (also `s3a://` and `s3n://`, which Hive tables use).
    pub fn parse(url: &str) -> Option<Self> {
        let rest = ["s3://", "s3a://", "s3n://"]
            .iter()
            .find_map(|scheme| url.strip_prefix(scheme))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        (!bucket.is_empty()).then(|| Self {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })
    }

    /// The key as a folder prefix (ending in `/`, or empty for a whole bucket).
    pub fn prefix(&self) -> String {
        if self.key.is_empty() || self.key.ends_with('/') {
            self.key.clone()
        } else {
            format!("{}/", self.key)
        }
    }
}

impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// The first data object under a prefix (key and size), skipping folder markers.
pub async fn first_object(
    s3: &aws_sdk_s3::Client,
    location: &S3Location,
) -> Result<Option<(String, u64)>, AwsCallError> {
    let output = s3
        .list_objects_v2()
        .bucket(&location.bucket)
        .prefix(location.prefix())
        .max_keys(20)
        .send()
        .await
        .map_err(|e| describe(&e, &format!("S3 ListObjectsV2 on {location}")))?;
    Ok(output
        .contents()
        .iter()
        .filter_map(|o| Some((o.key()?.to_owned(), o.size().unwrap_or(0).max(0) as u64)))
        .find(|(key, size)| !key.ends_with('/') && !key.ends_with("_$folder$") && *size > 0))
}

/// Bytes `range` (an HTTP `Range` value such as `bytes=-65536`) of one object.
pub async fn read_range(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    range: &str,
) -> Result<Vec<u8>, AwsCallError> {
    let output = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .range(range)
        .send()
        .await
        .map_err(|e| describe(&e, &format!("S3 GetObject on s3://{bucket}/{key}")))?;
    let body = output.body.collect().await.map_err(|e| AwsCallError {
        message: format!("reading s3://{bucket}/{key}: {e}"),
        code: None,
    })?;
    Ok(body.into_bytes().to_vec())
}

/// Files and bytes under a prefix, skipping folder markers and Athena's `_$folder$` objects.
pub async fn prefix_size(
    s3: &aws_sdk_s3::Client,
    location: &S3Location,
) -> Result<(u64, u64), AwsCallError> {
    let prefix = location.prefix();
    let mut pages = s3
        .list_objects_v2()
        .bucket(&location.bucket)
        .prefix(&prefix)
        .into_paginator()
        .send();
    let (mut files, mut bytes) = (0_u64, 0_u64);
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| describe(&e, &format!("S3 ListObjectsV2 on {location}")))?;
        for object in page.contents() {
            let key = object.key().unwrap_or_default();
            if key.ends_with('/') || key.ends_with("_$folder$") {
                continue;
            }
            files += 1;
            bytes += object.size().unwrap_or(0).max(0) as u64;
        }
    }
    Ok((files, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_buckets_keys_and_hive_schemes() {
        let location = S3Location::parse("s3://lake/logs/year=2023/").unwrap();
        assert_eq!(location.bucket, "lake");
        assert_eq!(location.key, "logs/year=2023/");
        assert_eq!(location.prefix(), "logs/year=2023/");
        let bare = S3Location::parse("s3a://lake").unwrap();
        assert_eq!(
            (bare.bucket.as_str(), bare.prefix()),
            ("lake", String::new())
        );
        assert_eq!(
            S3Location::parse("s3://lake/logs").unwrap().prefix(),
            "logs/"
        );
        assert!(S3Location::parse("https://lake/logs").is_none());
        assert!(S3Location::parse("s3:///logs").is_none());
    }
}
