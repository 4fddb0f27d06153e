//! The record routes as a client sees them, and what lands in Parquet afterwards.

use quarry::ingest::{BufferHints, Limits, ServeError};
use serde_json::{Value, json};

use super::{get, options, post, record, rows, start};

const SEED_ROUTE: &str = "/dev/recipe-apigw-athena";

/// The body of the seed's own `curl` example, byte for byte.
const SEED_BODY: &str = r#"{"source": "financialSystem", "logtype": "error", "timestamp": "1694209417035", "message": "ooops, something went wrong"}"#;

#[tokio::test]
async fn the_seeds_request_lands_in_its_days_partition() {
    let lake = tempfile::tempdir().unwrap();
    let server = start(options(lake.path())).await;
    let answer = post(server.addr, SEED_ROUTE, SEED_BODY, &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["FailedPutCount"], 0);
    let responses = answer.body["RequestResponses"].as_array().unwrap();
    assert_eq!(responses.len(), 1);
    assert!(responses[0]["RecordId"].is_string(), "{}", answer.body);
    // The seed's README variant with a space inside the key.
    let spaced = SEED_BODY.replace("\"source\"", "\" source\"");
    assert_eq!(
        post(server.addr, SEED_ROUTE, &spaced, &[]).await.body["FailedPutCount"],
        0
    );
    server.shutdown().await;

    // 1694209417035 ms is 2023-09-08 21:43:37 UTC.
    let day = lake.path().join("logs_db/logs/year=2023/month=09/day=08");
    assert!(day.is_dir(), "no partition folder {}", day.display());
    assert_eq!(
        rows(
            lake.path(),
            "SELECT source, logtype, timestamp, message, year, month, day FROM logs"
        )
        .await,
        vec![
            vec![
                "financialSystem".to_owned(),
                "error".to_owned(),
                "1694209417035".to_owned(),
                "ooops, something went wrong".to_owned(),
                "2023".to_owned(),
                "09".to_owned(),
                "08".to_owned(),
            ];
            2
        ]
    );
}

#[tokio::test]
async fn an_object_an_array_and_ndjson_are_all_records() {
    let lake = tempfile::tempdir().unwrap();
    let server = start(options(lake.path())).await;
    let day = 1_700_000_000_000_i64; // 2023-11-14
    let one = record("object", day, "o1").to_string();
    let pretty = serde_json::to_string_pretty(&record("pretty", day, "p1")).unwrap();
    let array = Value::Array(
        (0..3)
            .map(|i| record("array", day, &format!("a{i}")))
            .collect(),
    )
    .to_string();
    let ndjson: String = (0..4)
        .map(|i| record("ndjson", day, &format!("n{i}")).to_string() + "\r\n")
        .collect();
    for (body, count) in [(&one, 1), (&pretty, 1), (&array, 3), (&ndjson, 4)] {
        let answer = post(server.addr, SEED_ROUTE, body, &[]).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["FailedPutCount"], 0);
        assert_eq!(
            answer.body["RequestResponses"].as_array().unwrap().len(),
            count
        );
    }
    // The same forms on the stream route, by table name and by qualified name.
    for path in [
        "/v1/streams/logs/records",
        "/v1/streams/logs_db.logs/records",
    ] {
        let answer = post(server.addr, path, &array, &[]).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    }
    server.shutdown().await;
    assert_eq!(
        rows(
            lake.path(),
            "SELECT source, count(*) FROM logs GROUP BY source ORDER BY source"
        )
        .await,
        [
            ["array", "9"],
            ["ndjson", "4"],
            ["object", "1"],
            ["pretty", "1"]
        ]
        .map(|r| r.map(str::to_owned).to_vec())
    );
}

#[tokio::test]
async fn bad_records_fail_alone_and_the_rest_are_kept() {
    let lake = tempfile::tempdir().unwrap();
    let server = start(options(lake.path())).await;
    let day = 1_700_000_000_000_i64;
    let body = json!([
        record("ok", day, "first"),
        "not an object",
        { "source": "bad", "timestamp": "soon" },
        { "source": "no time" },
        record("ok", day, "last"),
        { "source": "a", "SOURCE": "b", "timestamp": day },
    ])
    .to_string();
    let answer = post(server.addr, SEED_ROUTE, &body, &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["FailedPutCount"], 4, "{}", answer.body);
    let responses = answer.body["RequestResponses"].as_array().unwrap();
    let codes: Vec<&str> = responses
        .iter()
        .map(|r| r["ErrorCode"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(
        codes,
        [
            "ok",
            "NotAnObject",
            "ConversionError",
            "MissingTimestamp",
            "ok",
            "DuplicateKey"
        ]
    );
    // Failed entries carry their index and a message naming the problem.
    assert_eq!(responses[2]["Index"], 2);
    assert!(
        responses[2]["ErrorMessage"]
            .as_str()
            .unwrap()
            .contains("timestamp"),
        "{}",
        responses[2]
    );
    // NDJSON with a broken line keeps the lines around it.
    let ndjson = format!(
        "{}\n{{\"source\": \n{}\n",
        record("nd", day, "x"),
        record("nd", day, "y")
    );
    let answer = post(server.addr, SEED_ROUTE, &ndjson, &[]).await;
    assert_eq!(answer.body["FailedPutCount"], 1);
    assert_eq!(
        answer.body["RequestResponses"][1]["ErrorCode"],
        "InvalidJson"
    );
    server.shutdown().await;
    assert_eq!(
        rows(lake.path(), "SELECT message FROM logs ORDER BY message").await,
        [["first"], ["last"], ["x"], ["y"]].map(|r| r.map(str::to_owned).to_vec())
    );
}

#[tokio::test]
async fn requests_over_the_limits_get_413_and_big_records_fail_alone() {
    let lake = tempfile::tempdir().unwrap();
    let mut options = options(lake.path());
    options.limits = Limits {
        max_record_bytes: 200,
        max_records: 3,
        max_request_bytes: 2_000,
    };
    let server = start(options).await;
    let day = 1_700_000_000_000_i64;
    let four = Value::Array((0..4).map(|i| record("s", day, &i.to_string())).collect());
    let answer = post(server.addr, SEED_ROUTE, &four.to_string(), &[]).await;
    assert_eq!(answer.status, 413);
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .contains("limit is 3"),
        "{}",
        answer.body
    );
    let huge = " ".repeat(2_001);
    let answer = post(server.addr, SEED_ROUTE, &format!("{{}}{huge}"), &[]).await;
    assert_eq!(answer.status, 413);
    // A body far past the limit is cut off before it is read, still as a 413.
    let answer = post(server.addr, SEED_ROUTE, &"x".repeat(1 << 20), &[]).await;
    assert_eq!(answer.status, 413);
    let big = record("s", day, &"m".repeat(300));
    let body = json!([record("s", day, "small"), big]).to_string();
    let answer = post(server.addr, SEED_ROUTE, &body, &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["FailedPutCount"], 1);
    assert_eq!(
        answer.body["RequestResponses"][1]["ErrorCode"],
        "RecordTooLarge"
    );
    server.shutdown().await;
    assert_eq!(
        rows(lake.path(), "SELECT count(*) FROM logs").await,
        [["1"]]
    );
}

#[tokio::test]
async fn an_api_key_is_required_when_set_and_when_binding_beyond_loopback() {
    let lake = tempfile::tempdir().unwrap();
    let mut open = options(lake.path());
    open.bind = "0.0.0.0:0".parse().unwrap();
    match quarry::ingest::start(open).await {
        Err(ServeError::KeyRequired(_)) => {}
        Err(other) => panic!("expected KeyRequired, got {other}"),
        Ok(_) => panic!("a server beyond loopback started without a key"),
    }
    let mut keyed = options(lake.path());
    keyed.api_key = Some("s3cret".to_owned());
    let server = start(keyed).await;
    for headers in [&[][..], &[("x-api-key", "wrong")][..]] {
        let answer = post(server.addr, SEED_ROUTE, SEED_BODY, headers).await;
        assert_eq!(answer.status, 403, "{headers:?}");
        assert_eq!(answer.body["message"], "Forbidden");
    }
    let answer = post(
        server.addr,
        SEED_ROUTE,
        SEED_BODY,
        &[("x-api-key", "s3cret")],
    )
    .await;
    assert_eq!(answer.status, 200);
    server.shutdown().await;
    assert_eq!(
        rows(lake.path(), "SELECT count(*) FROM logs").await,
        [["1"]]
    );
}

#[tokio::test]
async fn only_the_served_table_is_a_stream_and_names_cannot_escape_the_lake() {
    let lake = tempfile::tempdir().unwrap();
    let server = start(options(lake.path())).await;
    for table in ["other", "..%2F..%2Fetc", "logs_db.logs.x", "..", "logs%00"] {
        let answer = post(
            server.addr,
            &format!("/v1/streams/{table}/records"),
            SEED_BODY,
            &[],
        )
        .await;
        assert_eq!(answer.status, 404, "{table}: {}", answer.body);
        if table != ".." {
            assert_eq!(
                answer.body["__type"], "ResourceNotFoundException",
                "{table}"
            );
        }
        // (The client resolves `/v1/streams/../records` to `/v1/records`, which no route
        // serves: a 404 without a body.)
    }
    server.shutdown().await;
    // A stream definition naming a table with a path in it is refused before anything starts.
    let mut escaping = options(lake.path());
    escaping.stream.table = "../../tmp".to_owned();
    assert!(matches!(
        quarry::ingest::start(escaping).await,
        Err(ServeError::Stream(_))
    ));
    let entries: Vec<_> = std::fs::read_dir(lake.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        entries,
        [".quarry-ingest"],
        "nothing written outside the WAL"
    );
}

#[tokio::test]
async fn full_buffers_answer_429_with_retry_after() {
    let lake = tempfile::tempdir().unwrap();
    let mut options = options(lake.path());
    options.hints = BufferHints {
        max_buffered_bytes: 1,
        ..options.hints
    };
    let server = start(options).await;
    assert_eq!(
        post(server.addr, SEED_ROUTE, SEED_BODY, &[]).await.status,
        200
    );
    let answer = post(server.addr, SEED_ROUTE, SEED_BODY, &[]).await;
    assert_eq!(answer.status, 429);
    assert_eq!(answer.retry_after.as_deref(), Some("1"));
    let metrics = get(server.addr, "/metrics").await.body;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("quarry_ingest_throttled_total 1\n"),
        "{metrics}"
    );
    server.shutdown().await;
    assert_eq!(
        rows(lake.path(), "SELECT count(*) FROM logs").await,
        [["1"]]
    );
}

#[tokio::test]
async fn a_log_that_cannot_be_written_answers_503_and_acknowledges_nothing() {
    let lake = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let mut options = options(lake.path());
    options.state_dir = Some(state.path().to_path_buf());
    let server = start(options).await;
    assert_eq!(
        post(server.addr, SEED_ROUTE, SEED_BODY, &[]).await.status,
        200
    );
    // The log's folder disappears (a disk pulled, a cleanup gone wrong): appends fail.
    std::fs::remove_dir_all(state.path().join("wal")).unwrap();
    let answer = post(server.addr, SEED_ROUTE, SEED_BODY, &[]).await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(answer.retry_after.as_deref(), Some("1"));
    assert!(
        answer.body.get("FailedPutCount").is_none(),
        "no per-record acknowledgement"
    );
    let metrics = get(server.addr, "/metrics").await.body;
    let metrics = metrics.as_str().unwrap();
    assert!(
        metrics.contains("quarry_ingest_records_accepted_total 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("quarry_ingest_unavailable_total 1\n"),
        "{metrics}"
    );
    server.shutdown().await;
    // The acknowledged record was buffered before the log vanished and still reaches Parquet.
    assert_eq!(
        rows(lake.path(), "SELECT count(*) FROM logs").await,
        [["1"]]
    );
}

#[tokio::test]
async fn healthz_and_metrics_report_the_stream() {
    let lake = tempfile::tempdir().unwrap();
    let server = start(options(lake.path())).await;
    let body = format!("{SEED_BODY}\n{SEED_BODY}\n[1]\n");
    let answer = post(server.addr, SEED_ROUTE, &body, &[]).await;
    assert_eq!(answer.body["FailedPutCount"], 1);
    let health = get(server.addr, "/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["status"], "ok");
    assert_eq!(health.body["stream"], "logs_db.logs");
    assert!(health.body["wal_bytes"].as_u64().unwrap() > 0);
    let metrics = get(server.addr, "/metrics").await;
    let text = metrics.body.as_str().unwrap();
    for line in [
        "quarry_ingest_records_accepted_total 2\n",
        "quarry_ingest_records_rejected_total 1\n",
        "quarry_ingest_requests_total 1\n",
        "# TYPE quarry_ingest_wal_bytes gauge\n",
    ] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }
    server.shutdown().await;
}
