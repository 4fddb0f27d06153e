//! Scan estimates for Glue tables: the partitions a query matches (Glue `GetPartitions` with the
//! translated `Expression`, or the table's partition projection), sized from S3 listings. When
//! thousands match, a spread sample of them is listed and the rest extrapolated. For Parquet
//! tables, a few footers (one ranged GET each, cached) give the share of each object the
//! query's columns take, as Athena reads only those.

use std::sync::{Arc, PoisonError};

use parquet::file::metadata::{FooterTail, ParquetMetaData, ParquetMetaDataReader};

use futures::stream::{self, StreamExt, TryStreamExt};

use super::errors::AwsCallError;
use super::errors::describe;
use super::glue::{GLUE_MAX_PAGE, GlueCatalog, projection_of, service};
use super::s3::{S3Location, first_object, read_range};
use crate::backend::local::{FooterSummary, spread_sample};
use crate::backend::{CatalogError, EstimateBasis, ScanEstimate, ScanRequest, TableName};

/// Partitions listed in S3 per estimate at most.
const SIZED_SAMPLE: usize = 64;
/// Parquet footers read per estimate at most.
const FOOTER_SAMPLE: usize = 16;
/// The tail of an object fetched first; most footers fit, bigger ones take a second GET.
const TAIL_BYTES: usize = 64 * 1024;
/// S3 listings in flight at once.
const LISTINGS_IN_FLIGHT: usize = 8;
/// Projected partitions tested one by one at most; past this the count is a lower bound.
const MAX_PROJECTED: u64 = 2_000_000;
/// Glue partitions listed at most; past this Glue counts the rest (parallel segments).
const MAX_LISTED: usize = 100_000;

impl GlueCatalog {
    /// Estimates `request` from Glue and S3.
    pub(super) async fn estimate(
        &self,
        request: &ScanRequest,
    ) -> Result<ScanEstimate, CatalogError> {
        let info = self.table_info(&request.table).await?;
        let (locations, total) = if info.partition_keys.is_empty() {
            (vec![info.location.clone()], 0)
        } else {
            match projection_of(&info) {
                Ok(Some(projection)) => {
                    let total = projection.count();
                    let locations = (0..total.min(MAX_PROJECTED))
                        .map(|i| projection.partition_at(i))
                        .filter(|values| request.partitions.matches(values))
                        .map(|values| projection.location(&info.location, &values))
                        .collect();
                    (locations, total)
                }
                Ok(None) => {
                    let (locations, complete) = self.matching_locations(request).await?;
                    let total = self.count_partitions(&request.table, None).await?;
                    if !complete {
                        // The sizes come from the partitions listed (the first in key
                        // order); Glue counts how many match in all.
                        let matched = self
                            .count_partitions(
                                &request.table,
                                request.partitions.glue_expression.as_deref(),
                            )
                            .await?;
                        let estimate = self.sized(&locations, matched, total, true).await?;
                        return Ok(self
                            .with_footers(estimate, &info.format, &locations, request)
                            .await);
                    }
                    (locations, total)
                }
                Err(e) => {
                    return Err(CatalogError::Service(format!("{}: {e}", request.table)));
                }
            }
        };
        let matched = locations.len() as u64;
        let estimate = self
            .sized(&locations, matched, total, !info.partition_keys.is_empty())
            .await?;
        Ok(self
            .with_footers(estimate, &info.format, &locations, request)
            .await)
    }

    /// Scales an object-size estimate by the share of the objects the request's columns take,
    /// from a spread sample of Parquet footers. Any failure keeps the object sizes.
    async fn with_footers(
        &self,
        estimate: ScanEstimate,
        format: &str,
        locations: &[String],
        request: &ScanRequest,
    ) -> ScanEstimate {
        if !format.starts_with("parquet") || estimate.object_bytes == 0 {
            return estimate;
        }
        let sample: Vec<String> = spread_sample(locations, FOOTER_SAMPLE)
            .into_iter()
            .cloned()
            .collect();
        let footers: Vec<Option<Arc<FooterSummary>>> = stream::iter(sample)
            .map(|location| async move { self.footer_under(&location).await })
            .buffer_unordered(LISTINGS_IN_FLIGHT)
            .collect()
            .await;
        let read: Vec<&Arc<FooterSummary>> = footers.iter().flatten().collect();
        let file_bytes: u64 = read.iter().map(|f| f.file_bytes).sum();
        if read.is_empty() || file_bytes == 0 {
            return estimate;
        }
        let column_bytes: u64 = read.iter().map(|f| f.bytes_read(request)).sum();
        let share = column_bytes as f64 / file_bytes as f64;
        ScanEstimate {
            bytes: (estimate.object_bytes as f64 * share).round() as u64,
            basis: EstimateBasis::Footers {
                sampled: read.len() as u64,
                files: estimate.files,
            },
            ..estimate
        }
    }

    /// The footer of the first object under `location`, cached by key and size.
    async fn footer_under(&self, location: &str) -> Option<Arc<FooterSummary>> {
        let parsed = S3Location::parse(location)?;
        let (key, size) = first_object(&self.s3, &parsed).await.ok()??;
        if let Some(found) = self
            .footers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(key.clone(), size))
        {
            return Some(Arc::clone(found));
        }
        match self.read_footer(&parsed.bucket, &key, size).await {
            Ok(summary) => {
                let summary = Arc::new(summary);
                self.footers
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert((key, size), Arc::clone(&summary));
                Some(summary)
            }
            Err(e) => {
                tracing::debug!("no footer from s3://{}/{key}: {}", parsed.bucket, e.message);
                None
            }
        }
    }

    /// A Parquet footer read with a ranged GET of the object's tail (two when it is big).
    async fn read_footer(
        &self,
        bucket: &str,
        key: &str,
        size: u64,
    ) -> Result<FooterSummary, AwsCallError> {
        let metadata = self.read_metadata(bucket, key, size).await?;
        Ok(FooterSummary::of(size, &metadata))
    }

    /// An object's decoded Parquet footer: one ranged GET of the tail, a second when the
    /// footer is bigger than the tail.
    pub(super) async fn read_metadata(
        &self,
        bucket: &str,
        key: &str,
        size: u64,
    ) -> Result<ParquetMetaData, AwsCallError> {
        let bad = |what: String| AwsCallError {
            code: None,
            message: format!("s3://{bucket}/{key}: {what}"),
        };
        let tail = read_range(&self.s3, bucket, key, &format!("bytes=-{TAIL_BYTES}")).await?;
        let footer: &[u8] = tail.get(tail.len().saturating_sub(8)..).unwrap_or_default();
        let footer = FooterTail::try_from(footer).map_err(|e| bad(e.to_string()))?;
        let length = footer.metadata_length();
        let metadata_bytes = if length + 8 <= tail.len() {
            tail[tail.len() - 8 - length..tail.len() - 8].to_vec()
        } else {
            let start = size.saturating_sub(length as u64 + 8);
            let end = size.saturating_sub(9);
            read_range(&self.s3, bucket, key, &format!("bytes={start}-{end}")).await?
        };
        ParquetMetaDataReader::decode_metadata(&metadata_bytes).map_err(|e| bad(e.to_string()))
    }

    /// Sizes a spread sample of `locations` and scales it to `matched` partitions.
    async fn sized(
        &self,
        locations: &[String],
        matched: u64,
        total: u64,
        partitioned: bool,
    ) -> Result<ScanEstimate, CatalogError> {
        // Owned strings: futures over borrowed ones trip async_trait's lifetime bounds.
        let sample: Vec<String> = spread_sample(locations, SIZED_SAMPLE)
            .into_iter()
            .cloned()
            .collect();
        let sizes: Vec<(u64, u64)> = stream::iter(sample)
            .map(|location| async move { self.location_size(&location).await })
            .buffer_unordered(LISTINGS_IN_FLIGHT)
            .try_collect()
            .await?;
        let scale = if sizes.is_empty() {
            0.0
        } else {
            matched as f64 / sizes.len() as f64
        };
        let files = (sizes.iter().map(|s| s.0).sum::<u64>() as f64 * scale).round() as u64;
        let bytes = (sizes.iter().map(|s| s.1).sum::<u64>() as f64 * scale).round() as u64;
        Ok(ScanEstimate {
            partitions_matched: if partitioned { matched } else { 0 },
            partitions_total: total,
            files,
            object_bytes: bytes,
            bytes,
            basis: EstimateBasis::ObjectSizes {
                sized: sizes.len() as u64,
                partitions: matched,
            },
        })
    }

    /// Locations of the partitions Glue returns for the request's expression, tested again
    /// here (the expression can be looser than the condition), and whether that was all of
    /// them (listing stops at [`MAX_LISTED`]).
    async fn matching_locations(
        &self,
        request: &ScanRequest,
    ) -> Result<(Vec<String>, bool), CatalogError> {
        let name: &TableName = &request.table;
        let mut locations = Vec::new();
        let mut pages = self
            .glue
            .get_partitions()
            .database_name(&name.database)
            .table_name(&name.name)
            .set_expression(request.partitions.glue_expression.clone())
            .max_results(GLUE_MAX_PAGE as i32)
            .exclude_column_schema(true)
            .into_paginator()
            .send();
        while let Some(output) = pages.next().await {
            let output = output
                .map_err(|e| service(&describe(&e, &format!("Glue GetPartitions on {name}"))))?;
            locations.extend(
                output
                    .partitions()
                    .iter()
                    .filter(|p| request.partitions.matches(p.values()))
                    .filter_map(|p| p.storage_descriptor().and_then(|s| s.location()))
                    .map(str::to_owned),
            );
            if locations.len() >= MAX_LISTED && output.next_token().is_some() {
                return Ok((locations, false));
            }
        }
        Ok((locations, true))
    }
}
