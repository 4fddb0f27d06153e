//! Scan estimates for Glue tables: the partitions a query matches (Glue `GetPartitions` with the
//! translated `Expression`, or the table's partition projection), sized from S3 listings. When
//! thousands match, a spread sample of them is listed and the rest extrapolated.

use futures::stream::{self, StreamExt, TryStreamExt};

use super::errors::describe;
use super::glue::{GLUE_MAX_PAGE, GlueCatalog, projection_of, service};
use crate::backend::local::spread_sample;
use crate::backend::{CatalogError, EstimateBasis, ScanEstimate, ScanRequest, TableName};

/// Partitions listed in S3 per estimate at most.
const SIZED_SAMPLE: usize = 64;
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
                        return self.sized(&locations, matched, total, true).await;
                    }
                    (locations, total)
                }
                Err(e) => {
                    return Err(CatalogError::Service(format!("{}: {e}", request.table)));
                }
            }
        };
        let matched = locations.len() as u64;
        self.sized(&locations, matched, total, !info.partition_keys.is_empty())
            .await
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
        let mut token: Option<String> = None;
        loop {
            let output = self
                .glue
                .get_partitions()
                .database_name(&name.database)
                .table_name(&name.name)
                .set_expression(request.partitions.glue_expression.clone())
                .set_next_token(token)
                .max_results(GLUE_MAX_PAGE as i32)
                .exclude_column_schema(true)
                .send()
                .await
                .map_err(|e| service(&describe(&e, &format!("Glue GetPartitions on {name}"))))?;
            locations.extend(
                output
                    .partitions()
                    .iter()
                    .filter(|p| request.partitions.matches(p.values()))
                    .filter_map(|p| p.storage_descriptor().and_then(|s| s.location()))
                    .map(str::to_owned),
            );
            token = output.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok((locations, true));
            }
            if locations.len() >= MAX_LISTED {
                return Ok((locations, false));
            }
        }
    }
}
