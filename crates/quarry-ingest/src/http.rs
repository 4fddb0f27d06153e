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
use serde_json::json;

use quarry_records::{Converter, Limits, RequestError, prepare, put_records_response};

use super::metrics::Metrics;
use super::sink::Sink;
use super::wal::Wal;

/// What the handlers share.
pub struct Ingest {
    pub converter: Converter,
    pub sink: Arc<Sink>,
    pub wal: Wal,
    pub limits: Limits,
    pub api_key: Option<String>,
    pub metrics: Arc<Metrics>,
    /// Requests being read or handled at most; the rest get 429 at once, so memory for
    /// bodies stays under this many × the request limit.
    pub in_flight: tokio::sync::Semaphore,
}

/// Requests handled at once (with 4 MiB requests, at most 512 MiB of bodies in memory).
pub const MAX_IN_FLIGHT: usize = 128;

/// The routes; `route` is the seed's path (`/dev/recipe-apigw-athena`).
pub fn router(ingest: Arc<Ingest>, route: &str) -> Router {
    Router::new()
        .route(route, post(seed_route))
        .route("/v1/streams/{table}/records", post(stream_route))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        // Bodies are read by the handlers, after they have a slot and under the request limit.
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
    let Ok(_slot) = ingest.in_flight.try_acquire() else {
        ingest.metrics.throttled.fetch_add(1, Ordering::Relaxed);
        return retry_later(
            StatusCode::TOO_MANY_REQUESTS,
            "ServiceUnavailableException",
            "too many requests at once; retry after the Retry-After seconds",
        );
    };
    if let Some(key) = &ingest.api_key {
        let given = headers.get("x-api-key").and_then(|v| v.to_str().ok());
        if given != Some(key.as_str()) {
            // API Gateway's answer for a missing or wrong usage-plan key.
            return (
                StatusCode::FORBIDDEN,
                axum::Json(json!({ "message": "Forbidden" })),
            )
                .into_response();
        }
    }
    let limit = ingest.limits.max_request_bytes;
    // One byte over the limit is enough to tell the body is too big; the rest is not read.
    let Ok(body) = axum::body::to_bytes(body, limit + 1).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "LimitExceededException",
            &format!("the body is over the limit of {limit} bytes per request"),
        );
    };
    let prepared = match prepare(&body, &ingest.limits, &ingest.converter, chrono::Utc::now()) {
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
    if ingest.sink.is_full() {
        ingest.metrics.throttled.fetch_add(1, Ordering::Relaxed);
        return retry_later(
            StatusCode::TOO_MANY_REQUESTS,
            "ServiceUnavailableException",
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

async fn healthz(State(ingest): State<Arc<Ingest>>) -> Response {
    axum::Json(json!({
        "status": "ok",
        "stream": ingest.converter.stream().qualified(),
        "wal_bytes": ingest.wal.bytes(),
        "buffered_bytes": ingest.metrics.buffered_bytes.load(Ordering::Relaxed),
    }))
    .into_response()
}

async fn metrics(State(ingest): State<Arc<Ingest>>) -> Response {
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
