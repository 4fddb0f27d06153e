//! Rows per second fetching one 100,000-row Athena result two ways, through the real SDK clients
//! and quarry's real readers: the result CSV from S3 (`GetObject` streamed into arrow-csv) and
//! `GetQueryResults` (Athena's JSON pages of at most 1,000 rows, header row first).
//!
//! Both are served from memory by a loopback HTTP server speaking Athena's JSON protocol and
//! S3's REST API with responses shaped as the services send them, so the numbers are the
//! client's cost alone (request, transfer, parsing, Arrow building). Real Athena adds a network
//! round trip and its own page assembly for each of the 100 pages, so the ratio here is a floor.
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
use quarry::backend::{FetchPath, QueryEngine, QueryId, all_results};
use quarry::cost::Pricing;
use serde_json::{Value, json};

const ROWS: usize = 100_000;
const PAGE: usize = 1_000;
const RUNS: usize = 5;
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
/// workgroup with managed results).
fn execution(id: &str) -> String {
    let mut execution = json!({
        "QueryExecutionId": id,
        "Query": "SELECT * FROM logs",
        "StatementType": "DML",
        "Status": { "State": "SUCCEEDED" },
        "Statistics": { "DataScannedInBytes": 123_456_789, "TotalExecutionTimeInMillis": 2_000 },
        "WorkGroup": "primary",
    });
    if id == "csv" {
        execution["ResultConfiguration"] = json!({ "OutputLocation": "s3://bench/out/csv.csv" });
    }
    json!({ "QueryExecution": execution }).to_string()
}

struct Served {
    /// Milliseconds every answer waits first: a stand-in for the network and the service.
    latency_ms: std::sync::atomic::AtomicU64,
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

async fn s3_object(
    axum::extract::State(served): axum::extract::State<Arc<Served>>,
) -> impl IntoResponse {
    delay(&served).await;
    served.csv.clone()
}

async fn delay(served: &Served) {
    let ms = served.latency_ms.load(std::sync::atomic::Ordering::Relaxed);
    if ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

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
    let served = Arc::new(Served {
        latency_ms: std::sync::atomic::AtomicU64::new(0),
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
    let csv_bytes = served.csv.len();
    let api_bytes: usize = served.pages.iter().map(String::len).sum();
    let app = Router::new()
        .route("/", post(athena))
        .route("/bench/out/csv.csv", get(s3_object))
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
    let engine = AthenaEngine::new(clients, AwsOptions::default(), Pricing::default(), ROWS);

    println!(
        "Measured {} on {} cores ({}), release profile, median of {RUNS} runs after a warm-up.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        std::env::consts::ARCH
    );
    println!(
        "| added latency per request | path | requests | bytes on the wire | time for 100,000 rows | rows/s | CSV / API |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for latency in LATENCIES_MS {
        served
            .latency_ms
            .store(latency, std::sync::atomic::Ordering::Relaxed);
        // Alternating runs, so drift on the machine hits both alike.
        let (mut csv_times, mut api_times) = (Vec::new(), Vec::new());
        for run in 0..=RUNS {
            let (rows, path, seconds) = fetch(&engine, "csv").await;
            assert_eq!((rows, path), (ROWS, FetchPath::S3Csv));
            let (rows, path, api_seconds) = fetch(&engine, "api").await;
            assert_eq!((rows, path), (ROWS, FetchPath::ResultsApi));
            if run > 0 {
                csv_times.push(seconds);
                api_times.push(api_seconds);
            }
        }
        let (csv, api) = (median(csv_times), median(api_times));
        let rate = |s: f64| ROWS as f64 / s;
        // CSV: GetQueryExecution, GetQueryResults (column types), GetObject.
        // API: GetQueryExecution and one GetQueryResults per page.
        println!(
            "| {latency} ms | S3 CSV (`GetObject` → arrow-csv) | 3 | {:.1} MB | {:.0} ms | {:.0} | |",
            csv_bytes as f64 / 1e6,
            csv * 1e3,
            rate(csv)
        );
        println!(
            "| {latency} ms | `GetQueryResults`, 1,000 rows a page | {} | {:.1} MB | {:.0} ms | {:.0} | **{:.1}×** |",
            1 + (ROWS + 1).div_ceil(PAGE),
            api_bytes as f64 / 1e6,
            api * 1e3,
            rate(api),
            api / csv
        );
    }
}
