//! The HTTP side: the seed's API Gateway route and `POST /v1/streams/{table}/records` take
//! records and answer like Firehose's `PutRecordBatch`; `GET /healthz` and `GET /metrics`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use serde_json::json;
use subtle::ConstantTimeEq;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use quarry_records::{Converter, Limits, RequestError, prepare, put_records_response};

use super::metrics::Metrics;
use super::server::NetLimits;
use super::sink::{PartitionLimits, Sink};
use super::wal::Wal;

/// What the handlers share.
pub struct Ingest {
    pub converter: Converter,
    pub sink: Arc<Sink>,
    pub wal: Wal,
    pub limits: Limits,
    /// The key clients send as `x-api-key` (never empty: refused at start).
    pub api_key: Option<String>,
    pub metrics: Arc<Metrics>,
    pub net: NetLimits,
    pub partitions: PartitionLimits,
    /// Requests parsed and logged at once; the rest get 429 at once.
    pub in_flight: Semaphore,
    /// Bytes of bodies being received, all requests together: a permit per byte as it
    /// arrives, so a slow client holds only what it has sent, and no slot.
    pub body_memory: Arc<Semaphore>,
    /// What parsing bodies costs in memory, all requests together ([`PARSE_COST`] per byte).
    pub parse_memory: Semaphore,
}

/// Requests parsed and logged at once.
pub const MAX_IN_FLIGHT: usize = 128;
/// Bytes of request bodies held while they arrive, all requests together.
pub const BODY_MEMORY: usize = 512 << 20;
/// Memory for parsing, all requests together.
pub const PARSE_MEMORY: usize = 1 << 30;
/// Bytes of memory parsing takes per body byte at worst (a 4 MiB body of one array of small
/// records peaks near 70 MB as JSON values and rows).
pub const PARSE_COST: usize = 20;

/// The routes; `route` is the seed's path (`/dev/recipe-apigw-athena`).
pub fn router(ingest: Arc<Ingest>, route: &str) -> Router {
    Router::new()
        .route(route, post(seed_route))
        .route("/v1/streams/{table}/records", post(stream_route))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        // Not a record route; the seed route is checked against these names at start.
        // Bodies are read by the handlers, under the request limit, the body timeouts and the
        // shared body memory.
        .layer(DefaultBodyLimit::disable())
        .with_state(ingest)
}

async fn seed_route(State(ingest): State<Arc<Ingest>>, headers: HeaderMap, body: Body) -> Response {
    put_records(&ingest, &headers, body).await
}

async fn stream_route(
    State(ingest): State<Arc<Ingest>>,
    Path(table): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let stream = ingest.converter.stream();
    // `logs` or `logs_db.logs`; anything else (a path trick included) is not a stream here.
    if table != stream.table && table != stream.qualified() {
        return error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            &format!(
                "no stream {table:?}; this server writes {}",
                stream.qualified()
            ),
        );
    }
    put_records(&ingest, &headers, body).await
}

async fn put_records(ingest: &Ingest, headers: &HeaderMap, body: Body) -> Response {
    ingest.metrics.requests.fetch_add(1, Ordering::Relaxed);
    if let Some(why) = ingest.sink.failure() {
        ingest.metrics.unavailable.fetch_add(1, Ordering::Relaxed);
        return retry_later(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailableException",
            &format!("the server cannot publish records ({why}); nothing was accepted"),
        );
    }
    if !authorized(ingest, headers) {
        return forbidden();
    }
    let body = match read_body(ingest, body).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let Ok(_slot) = ingest.in_flight.try_acquire() else {
        return throttled(
            ingest,
            "too many requests at once; retry after the Retry-After seconds",
        );
    };
    let cost = u32::try_from(body.len().saturating_mul(PARSE_COST)).unwrap_or(u32::MAX);
    let Ok(_parse_memory) = ingest.parse_memory.try_acquire_many(cost) else {
        return throttled(
            ingest,
            "too many large requests are being parsed; retry after the Retry-After seconds",
        );
    };
    let mut prepared = match prepare(&body, &ingest.limits, &ingest.converter, chrono::Utc::now()) {
        Ok(prepared) => prepared,
        Err(e @ (RequestError::TooLarge { .. } | RequestError::TooManyRecords { .. })) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "LimitExceededException",
                &e.to_string(),
            );
        }
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "InvalidArgumentException",
                &e.to_string(),
            );
        }
    };
    ingest.sink.admit(
        &mut prepared,
        &ingest.partitions,
        chrono::Utc::now().date_naive(),
    );
    if ingest.sink.is_full() {
        return throttled(
            ingest,
            "the buffers are full while Parquet is written; retry after the Retry-After seconds",
        );
    }
    let failed = prepared.failed() as u64;
    let accepted = prepared.rows.len() as u64;
    let first_seq = if prepared.rows.is_empty() {
        0
    } else {
        // The 200 waits for the log's fsync; the writer hands the rows to the buffers.
        match ingest.wal.append(prepared.rows).await {
            Ok(first) => first,
            Err(e) => {
                ingest.metrics.unavailable.fetch_add(1, Ordering::Relaxed);
                tracing::error!("write-ahead log: {e}");
                return retry_later(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailableException",
                    &format!("the records could not be made durable ({e}); nothing was accepted"),
                );
            }
        }
    };
    ingest.metrics.accepted(accepted, body.len() as u64);
    ingest
        .metrics
        .records_rejected
        .fetch_add(failed, Ordering::Relaxed);
    ingest
        .metrics
        .unknown_keys
        .fetch_add(prepared.unknown_keys as u64, Ordering::Relaxed);
    axum::Json(put_records_response(&prepared.outcomes, first_seq)).into_response()
}

/// The key check: constant time over the bytes, so the answer's timing says nothing about
/// how much of a guess was right.
fn authorized(ingest: &Ingest, headers: &HeaderMap) -> bool {
    let Some(key) = &ingest.api_key else {
        return true;
    };
    headers
        .get("x-api-key")
        .is_some_and(|given| bool::from(given.as_bytes().ct_eq(key.as_bytes())))
}

/// API Gateway's answer for a missing or wrong usage-plan key.
fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        axum::Json(json!({ "message": "Forbidden" })),
    )
        .into_response()
}

/// The body, read under the request limit, the body timeouts and the shared body memory.
async fn read_body(ingest: &Ingest, body: Body) -> Result<Vec<u8>, Response> {
    let limit = ingest.limits.max_request_bytes;
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "LimitExceededException",
            &format!("the body is over the limit of {limit} bytes per request"),
        )
    };
    let timed_out = |what: &str| {
        ingest.metrics.timeouts.fetch_add(1, Ordering::Relaxed);
        let mut response = error(
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeoutException",
            &format!("{what}; nothing was accepted"),
        );
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    };
    let deadline = tokio::time::Instant::now() + ingest.net.body_timeout;
    let mut chunks = body.into_data_stream();
    let mut data = Vec::new();
    let mut held: Option<OwnedSemaphorePermit> = None;
    loop {
        let gap = tokio::time::Instant::now() + ingest.net.body_idle_timeout;
        let next = match tokio::time::timeout_at(gap.min(deadline), chunks.next()).await {
            Ok(next) => next,
            Err(_) if tokio::time::Instant::now() >= deadline => {
                return Err(timed_out(&format!(
                    "the body did not arrive within {} s",
                    ingest.net.body_timeout.as_secs()
                )));
            }
            Err(_) => {
                return Err(timed_out(&format!(
                    "the body stalled for {} s",
                    ingest.net.body_idle_timeout.as_secs()
                )));
            }
        };
        let Some(chunk) = next else {
            return Ok(data);
        };
        let Ok(chunk) = chunk else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "InvalidArgumentException",
                "the body could not be read",
            ));
        };
        // One byte over the limit is enough to tell the body is too big; the rest is not read.
        if data.len() + chunk.len() > limit {
            return Err(too_large());
        }
        let bytes = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
        let Ok(permit) = Arc::clone(&ingest.body_memory).try_acquire_many_owned(bytes) else {
            return Err(throttled(
                ingest,
                "too many request bytes are arriving at once; retry after the Retry-After seconds",
            ));
        };
        match &mut held {
            Some(all) => all.merge(permit),
            None => held = Some(permit),
        }
        data.extend_from_slice(&chunk);
    }
}

fn throttled(ingest: &Ingest, message: &str) -> Response {
    ingest.metrics.throttled.fetch_add(1, Ordering::Relaxed);
    retry_later(
        StatusCode::TOO_MANY_REQUESTS,
        "ServiceUnavailableException",
        message,
    )
}

async fn healthz(State(ingest): State<Arc<Ingest>>) -> Response {
    let failure = ingest.sink.failure();
    let status = if failure.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (
        status,
        axum::Json(json!({
            "status": if failure.is_some() { "failing" } else { "ok" },
            "reason": failure,
            "stream": ingest.converter.stream().qualified(),
            "wal_bytes": ingest.wal.bytes(),
            "buffered_bytes": ingest.metrics.buffered_bytes.load(Ordering::Relaxed),
        })),
    )
        .into_response()
}

async fn metrics(State(ingest): State<Arc<Ingest>>, headers: HeaderMap) -> Response {
    // Counters say how busy the endpoint is and what it refuses: behind the key when set.
    if !authorized(&ingest, &headers) {
        return forbidden();
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        ingest.metrics.render(ingest.wal.bytes()),
    )
        .into_response()
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "__type": code, "message": message })),
    )
        .into_response()
}

fn retry_later(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = error(status, code, message);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}
