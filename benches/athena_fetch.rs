//! Rows per second fetching one 1,000,000-row Athena result three ways, through the real SDK
//! clients and quarry's real readers: `UNLOAD` to Parquet (the statement submitted, the files
//! listed, footers and column chunks read by ranged GETs eight files at a time, then deleted),
//! the result CSV from S3 (`GetObject` streamed into arrow-csv) and `GetQueryResults` (Athena's
//! JSON pages of at most 1,000 rows, header row first).
//!
//! All are served from memory by a loopback HTTP server speaking Athena's JSON protocol and
//! S3's REST API with responses shaped as the services send them, so the numbers are the
//! client's cost alone (request, transfer, parsing, Arrow building). Real Athena adds a network
//! round trip and its own page assembly for each of the 1,000 pages, so those ratios are floors.
//!
//! Run: `cargo bench --bench athena_fetch`
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark that cannot set up should stop loudly

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use quarry::backend::aws::{AthenaEngine, AwsClients, AwsOptions};
use quarry::backend::{FetchPath, QueryContext, QueryEngine, QueryId, all_results};
use quarry::cost::Pricing;
use serde_json::{Value, json};

const ROWS: usize = 1_000_000;
const PAGE: usize = 1_000;
const RUNS: usize = 3;
/// Files the emulated UNLOAD writes (Athena writes several, in parallel).
const UNLOAD_FILES: usize = 8;
/// Per-request delays measured: none (the client's own cost), and a modest round trip.
const LATENCIES_MS: [u64; 2] = [0, 20];

/// One row of the result: id, source, log type, a message with quotes and commas (NULL every
/// 11th row), and a timestamp.
fn row(i: usize) -> [Option<String>; 5] {
    [
        Some(i.to_string()),
        Some(format!("service-{:02}", i % 24)),
        Some(["info", "warning", "error", "fatal"][i % 4].to_owned()),
        (!i.is_multiple_of(11)).then(|| format!("request {i}, said \"done\" after {} ms", i % 997)),
        Some(format!(
            "2023-09-08 21:{:02}:{:02}.{:03}",
            (i / 60) % 60,
            i % 60,
            i % 1000
        )),
    ]
}

const COLUMNS: [(&str, &str); 5] = [
    ("id", "bigint"),
    ("source", "varchar"),
    ("logtype", "varchar"),
    ("message", "varchar"),
    ("ts", "timestamp"),
];

/// The result CSV as Athena writes it: every value quoted, quotes doubled, NULL as nothing.
fn result_csv() -> String {
    let mut csv = String::new();
    let header: Vec<String> = COLUMNS.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    csv.push_str(&header.join(","));
    csv.push('\n');
    for i in 0..ROWS {
        let cells: Vec<String> = row(i)
            .iter()
            .map(|cell| {
                cell.as_ref()
                    .map(|v| format!("\"{}\"", v.replace('"', "\"\"")))
                    .unwrap_or_default()
            })
            .collect();
        let _ = writeln!(csv, "{}", cells.join(","));
    }
    csv
}

/// The result as UNLOAD writes it: `UNLOAD_FILES` Snappy Parquet files, typed columns.
fn unload_parts() -> Vec<Bytes> {
    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray, TimestampMillisecondArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("source", DataType::Utf8, true),
        Field::new("logtype", DataType::Utf8, true),
        Field::new("message", DataType::Utf8, true),
        Field::new("ts", DataType::Timestamp(TimeUnit::Millisecond, None), true),
    ]));
    let per_file = ROWS.div_ceil(UNLOAD_FILES);
    (0..UNLOAD_FILES)
        .map(|part| {
            let rows: Vec<[Option<String>; 5]> = (part * per_file
                ..((part + 1) * per_file).min(ROWS))
                .map(row)
                .collect();
            let text = |c: usize| -> ArrayRef {
                Arc::new(rows.iter().map(|r| r[c].clone()).collect::<StringArray>())
            };
            let columns: Vec<ArrayRef> = vec![
                Arc::new(
                    rows.iter()
                        .map(|r| r[0].as_ref().map(|v| v.parse::<i64>().unwrap()))
                        .collect::<Int64Array>(),
                ),
                text(1),
                text(2),
                text(3),
                Arc::new(
                    rows.iter()
                        .map(|r| {
                            r[4].as_ref().map(|v| {
                                chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S%.3f")
                                    .unwrap()
                                    .and_utc()
                                    .timestamp_millis()
                            })
                        })
                        .collect::<TimestampMillisecondArray>(),
                ),
            ];
            let batch =
                datafusion::arrow::record_batch::RecordBatch::try_new(Arc::clone(&schema), columns)
                    .unwrap();
            let properties = parquet::file::properties::WriterProperties::builder()
                .set_compression(parquet::basic::Compression::SNAPPY)
                .build();
            let mut out = Vec::new();
            let mut writer = parquet::arrow::ArrowWriter::try_new(
                &mut out,
                Arc::clone(&schema),
                Some(properties),
            )
            .unwrap();
            writer.write(&batch).unwrap();
            writer.close().unwrap();
            Bytes::from(out)
        })
        .collect()
}

/// `GetQueryResults` page `n` (0-based): the first carries the header row and column info.
fn results_page(n: usize) -> String {
    let datum = |v: &Option<String>| match v {
        Some(v) => json!({ "VarCharValue": v }),
        None => json!({}),
    };
    let mut rows: Vec<Value> = Vec::new();
    let mut first = n * PAGE;
    let mut last = first + PAGE;
    if n == 0 {
        rows.push(json!({ "Data": COLUMNS.iter().map(|(c, _)| json!({ "VarCharValue": c })).collect::<Vec<_>>() }));
        last -= 1;
    } else {
        first -= 1;
        last -= 1;
    }
    for i in first..last.min(ROWS) {
        rows.push(json!({ "Data": row(i).iter().map(datum).collect::<Vec<_>>() }));
    }
    let column_info: Vec<Value> = COLUMNS
        .iter()
        .map(|(name, ty)| {
            json!({ "CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name,
                    "Label": name, "Type": ty, "Precision": 0, "Scale": 0,
                    "Nullable": "UNKNOWN", "CaseSensitive": false })
        })
        .collect();
    let mut page = json!({
        "UpdateCount": 0,
        "ResultSet": { "Rows": rows, "ResultSetMetadata": { "ColumnInfo": column_info } },
    });
    if last < ROWS {
        page["NextToken"] = json!(format!("page-{}", n + 1));
    }
    page.to_string()
}

/// The query execution: the `csv` query has a result file, the `api` query does not (as in a
/// workgroup with managed results), an `unload-…` query wrote Parquet files.
fn execution(id: &str) -> String {
    let mut execution = json!({
        "QueryExecutionId": id,
        "Query": if id.starts_with("unload") { "UNLOAD (SELECT * FROM logs) TO …" } else { "SELECT * FROM logs" },
        "StatementType": "DML",
        "Status": { "State": "SUCCEEDED" },
        "Statistics": { "DataScannedInBytes": 123_456_789, "TotalExecutionTimeInMillis": 2_000 },
        "WorkGroup": "primary",
    });
    if id == "csv" {
        execution["ResultConfiguration"] = json!({ "OutputLocation": "s3://bench/out/csv.csv" });
    }
    if id.starts_with("unload") {
        execution["ResultConfiguration"] = json!({ "OutputLocation": "s3://bench/out/" });
    }
    json!({ "QueryExecution": execution }).to_string()
}

struct Served {
    /// Milliseconds every answer waits first: a stand-in for the network and the service.
    latency_ms: std::sync::atomic::AtomicU64,
    /// Requests answered since the last reset.
    requests: std::sync::atomic::AtomicU64,
    /// `DeleteObjects` calls answered: UNLOAD's cleanup runs after the rows are handed over.
    deletes: std::sync::atomic::AtomicU64,
    /// The folder the last UNLOAD named; its files are `parts`.
    unload_prefix: std::sync::Mutex<String>,
    parts: Vec<Bytes>,
    csv: Bytes,
    pages: Vec<String>,
    /// The first page cut to `MaxResults = 1` (header and column info), as Athena answers it.
    head: String,
}

async fn athena(
    axum::extract::State(served): axum::extract::State<Arc<Served>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    delay(&served).await;
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let id = request["QueryExecutionId"].as_str().unwrap_or_default();
    let json_type = [("content-type", "application/x-amz-json-1.1")];
    match target {
        "AmazonAthena.StartQueryExecution" => {
            let query = request["QueryString"].as_str().unwrap_or_default();
            let prefix = query
                .split("TO 's3://bench/")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .unwrap_or_default();
            prefix.clone_into(&mut served.unload_prefix.lock().unwrap());
            (
                StatusCode::OK,
                json_type,
                json!({ "QueryExecutionId": "unload-1" }).to_string(),
            )
        }
        "AmazonAthena.GetQueryExecution" => (StatusCode::OK, json_type, execution(id)),
        "AmazonAthena.GetQueryResults"
            if request["MaxResults"] == json!(1) && request["NextToken"].is_null() =>
        {
            (StatusCode::OK, json_type, served.head.clone())
        }
        "AmazonAthena.GetQueryResults" => {
            let page = request["NextToken"]
                .as_str()
                .and_then(|t| t.strip_prefix("page-"))
                .map_or(0, |n| n.parse::<usize>().unwrap());
            (StatusCode::OK, json_type, served.pages[page].clone())
        }
        _ => (
            StatusCode::BAD_REQUEST,
            json_type,
            json!({ "__type": "InvalidRequestException", "Message": "not served" }).to_string(),
        ),
    }
}

/// S3 `GET`: the result CSV, or an unloaded file (whole or a `Range`).
async fn s3_object(
    axum::extract::State(served): axum::extract::State<Arc<Served>>,
    axum::extract::Path(key): axum::extract::Path<String>,
    headers: HeaderMap,
) -> axum::response::Response {
    delay(&served).await;
    if key == "out/csv.csv" {
        return served.csv.clone().into_response();
    }
    let prefix = served.unload_prefix.lock().unwrap().clone();
    let Some(part) = key
        .strip_prefix(&prefix)
        .and_then(|name| name.strip_prefix("part-"))
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| served.parts.get(n))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let total = part.len();
    let range = headers
        .get("range")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.split_once('-'))
        .map(|(a, b)| {
            let start: usize = a.parse().unwrap();
            let end: usize = if b.is_empty() {
                total - 1
            } else {
                b.parse::<usize>().unwrap().min(total - 1)
            };
            (start, end)
        });
    match range {
        None => part.clone().into_response(),
        Some((start, end)) => (
            StatusCode::PARTIAL_CONTENT,
            [("content-range", format!("bytes {start}-{end}/{total}"))],
            part.slice(start..=end),
        )
            .into_response(),
    }
}

/// S3 `ListObjectsV2` of the bucket (the unloaded files under the last UNLOAD's folder).
async fn s3_list(
    axum::extract::State(served): axum::extract::State<Arc<Served>>,
) -> impl IntoResponse {
    delay(&served).await;
    let prefix = served.unload_prefix.lock().unwrap().clone();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult \
         xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bench</Name>",
    );
    let _ = write!(
        xml,
        "<Prefix>{prefix}</Prefix><KeyCount>{}</KeyCount><MaxKeys>1000</MaxKeys>\
         <IsTruncated>false</IsTruncated>",
        served.parts.len()
    );
    for (n, part) in served.parts.iter().enumerate() {
        let _ = write!(
            xml,
            "<Contents><Key>{prefix}part-{n}</Key><LastModified>2026-12-06T00:00:00.000Z\
             </LastModified><ETag>\"e{n}\"</ETag><Size>{}</Size><StorageClass>STANDARD\
             </StorageClass></Contents>",
            part.len()
        );
    }
    xml.push_str("</ListBucketResult>");
    ([("content-type", "application/xml")], xml)
}

/// S3 `DeleteObjects` (quiet): the unloaded files removed once read.
async fn s3_delete(
    axum::extract::State(served): axum::extract::State<Arc<Served>>,
) -> impl IntoResponse {
    delay(&served).await;
    served
        .deletes
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    (
        [("content-type", "application/xml")],
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult \
         xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></DeleteResult>",
    )
}

async fn delay(served: &Served) {
    served
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let ms = served.latency_ms.load(std::sync::atomic::Ordering::Relaxed);
    if ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

/// Fetches the finished query `id` and returns its rows, path and seconds.
async fn fetch(engine: &AthenaEngine, id: &str) -> (usize, FetchPath, f64) {
    let id = QueryId(id.to_owned());
    let started = Instant::now();
    engine.status(&id).await.unwrap();
    let page = all_results(engine, &id)
        .await
        .unwrap_or_else(|e| panic!("fetching query {id}: {e}"));
    let seconds = started.elapsed().as_secs_f64();
    let rows = page
        .batches
        .iter()
        .map(datafusion::arrow::record_batch::RecordBatch::num_rows)
        .sum();
    engine.release(&id).await;
    (rows, page.fetch.unwrap().path, seconds)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let parts = unload_parts();
    let served = Arc::new(Served {
        latency_ms: std::sync::atomic::AtomicU64::new(0),
        requests: std::sync::atomic::AtomicU64::new(0),
        deletes: std::sync::atomic::AtomicU64::new(0),
        unload_prefix: std::sync::Mutex::new(String::new()),
        parts,
        csv: Bytes::from(result_csv()),
        // The header row takes a place on the first page.
        pages: (0..(ROWS + 1).div_ceil(PAGE)).map(results_page).collect(),
        head: {
            let mut head: Value = serde_json::from_str(&results_page(0)).unwrap();
            head["ResultSet"]["Rows"]
                .as_array_mut()
                .unwrap()
                .truncate(1);
            head.as_object_mut().unwrap().remove("NextToken");
            head.to_string()
        },
    });
    let parquet_bytes: usize = served.parts.iter().map(Bytes::len).sum();
    let csv_bytes = served.csv.len();
    let api_bytes: usize = served.pages.iter().map(String::len).sum();
    let app = Router::new()
        .route("/", post(athena))
        .route("/bench", get(s3_list).post(s3_delete))
        .route("/bench/", get(s3_list).post(s3_delete))
        .route("/bench/{*key}", get(s3_object))
        .with_state(Arc::clone(&served));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let sdk = AwsClients::sdk_loader()
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(&url)
        .credentials_provider(aws_credential_types::Credentials::new(
            "bench", "bench", None, None, "bench",
        ))
        .load()
        .await;
    let clients = AwsClients::from_sdk_config(&sdk, "us-east-1".to_owned());
    let options = AwsOptions {
        output_location: Some("s3://bench/out/".to_owned()),
        ..AwsOptions::default()
    };
    let engine = AthenaEngine::new(clients, options, Pricing::default(), ROWS);

    println!(
        "Measured {} on {} cores ({}), release profile, median of {RUNS} runs after a warm-up.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        std::env::consts::ARCH
    );
    println!(
        "| added latency per request | path | requests | bytes on the wire | time for 1,000,000 rows | rows/s | UNLOAD faster by |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for latency in LATENCIES_MS {
        served
            .latency_ms
            .store(latency, std::sync::atomic::Ordering::Relaxed);
        // Alternating runs, so drift on the machine hits every path alike.
        let mut times: [Vec<f64>; 3] = Default::default();
        let mut requests = [0_u64; 3];
        let paths = [
            (None, FetchPath::Unload),
            (Some("csv"), FetchPath::S3Csv),
            (Some("api"), FetchPath::ResultsApi),
        ];
        for run in 0..=RUNS {
            for (n, (id, expected)) in paths.iter().enumerate() {
                let (rows, path, seconds) = fetch_counted(&engine, *id, &served).await;
                assert_eq!((rows, path), (ROWS, *expected));
                if run > 0 {
                    times[n].push(seconds.0);
                    requests[n] = seconds.1;
                }
            }
        }
        let [unload, csv, api] = times.map(median);
        let rate = |s: f64| ROWS as f64 / s;
        println!(
            "| {latency} ms | UNLOAD → Parquet ({UNLOAD_FILES} files, one GET each, 8 at a time, then `DeleteObjects`) | {} | {:.1} MB | {:.0} ms | {:.0} | |",
            requests[0],
            parquet_bytes as f64 / 1e6,
            unload * 1e3,
            rate(unload)
        );
        println!(
            "| {latency} ms | S3 CSV (`GetObject` → arrow-csv) | {} | {:.1} MB | {:.0} ms | {:.0} | **{:.1}×** |",
            requests[1],
            csv_bytes as f64 / 1e6,
            csv * 1e3,
            rate(csv),
            csv / unload
        );
        println!(
            "| {latency} ms | `GetQueryResults`, 1,000 rows a page | {} | {:.1} MB | {:.0} ms | {:.0} | **{:.1}×** |",
            requests[2],
            api_bytes as f64 / 1e6,
            api * 1e3,
            rate(api),
            api / unload
        );
    }
}

fn fetch_requests_reset(served: &Served) -> u64 {
    served
        .requests
        .swap(0, std::sync::atomic::Ordering::Relaxed)
}

/// [`fetch`], with the requests the server answered for it.
async fn fetch_counted(
    engine: &AthenaEngine,
    id: Option<&str>,
    served: &Served,
) -> (usize, FetchPath, (f64, u64)) {
    let submitted = if id.is_none() {
        // Submit here so its one request is left out of the count, as for the other paths.
        let id = engine
            .submit(
                "SELECT * FROM logs",
                &QueryContext {
                    unload_requested: true,
                    ..QueryContext::default()
                },
            )
            .await
            .unwrap();
        Some(id.0)
    } else {
        None
    };
    fetch_requests_reset(served);
    let deletes = served.deletes.load(std::sync::atomic::Ordering::Relaxed);
    let (rows, path, seconds) = fetch(engine, submitted.as_deref().or(id).unwrap()).await;
    if submitted.is_some() {
        // The cleanup belongs to this path's requests (untimed: the rows were already there),
        // and must not land in the next path's measurement.
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while served.deletes.load(std::sync::atomic::Ordering::Relaxed) == deletes {
            assert!(
                Instant::now() < deadline,
                "UNLOAD's files were never deleted"
            );
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }
    (rows, path, (seconds, fetch_requests_reset(served)))
}
