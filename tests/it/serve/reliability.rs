//! Regressions for the reliability issues found by an adversarial pass over `quarry serve`:
//! each test reproduced its bug before the fix. Every count is made by the parquet crate
//! alone, as a reader that knows nothing of quarry would.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use quarry::ingest::ServeError;

use super::{
    get, metric, options, post, post_record, record, serve_output, spawn_serve, start, wal_segment,
};
use crate::common::{count_values, parquet_files};

const ROUTE: &str = "/dev/recipe-apigw-athena";
/// 2023-11-14, one day partition.
const DAY: i64 = 1_700_000_000_000;

fn messages(lake: &Path) -> std::collections::BTreeMap<String, u64> {
    let table = lake.join("logs_db/logs");
    if !table.exists() {
        return std::collections::BTreeMap::new();
    }
    count_values(&table, "message")
}

async fn post_one(addr: std::net::SocketAddr, message: &str) {
    post_record(addr, "rel", message).await;
}

/// Waits for `done` with a deadline.
async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done().await {
        assert!(Instant::now() < deadline, "{what}: not within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_log_folder_never_makes_numbers_repeat() {
    // Bug 1: with `.quarry-ingest` gone, numbering restarted at 1, the next file replaced a
    // published one, and after a kill -9 the replay skipped the new records as "published".
    let lake = tempfile::tempdir().unwrap();
    let first = spawn_serve(lake.path(), &[]);
    post_one(first.addr, "a").await;
    post_one(first.addr, "b").await;
    first.terminate();
    std::fs::remove_dir_all(lake.path().join(".quarry-ingest")).unwrap();
    let mut second = spawn_serve(lake.path(), &[]);
    post_one(second.addr, "c").await;
    post_one(second.addr, "d").await;
    second.child.kill().unwrap(); // SIGKILL: c and d are only in the new log
    second.child.wait().unwrap();
    let third = spawn_serve(lake.path(), &[]);
    assert!(
        third.banner.contains("replayed 2 records"),
        "{}",
        third.banner
    );
    third.terminate();
    let counted = messages(lake.path());
    assert_eq!(
        counted,
        [("a", 1), ("b", 1), ("c", 1), ("d", 1)]
            .map(|(m, n)| (m.to_owned(), n))
            .into()
    );
    assert_eq!(parquet_files(&lake.path().join("logs_db/logs")).len(), 2);
}

#[test]
fn a_second_server_on_the_table_is_refused_and_told_who_holds_it() {
    // Bug 2: two servers on one lake both started and overwrote each other's files.
    let lake = tempfile::tempdir().unwrap();
    let first = spawn_serve(lake.path(), &[]);
    let pid = first.child.id().to_string();
    let second = serve_output(lake.path(), &[]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("locked") && stderr.contains(&pid),
        "{stderr}"
    );
    // Another state folder does not get around it: the table itself is locked.
    let state = tempfile::tempdir().unwrap();
    let third = serve_output(
        lake.path(),
        &["--state-dir", state.path().to_str().unwrap()],
    );
    assert_eq!(third.status.code(), Some(2));
    first.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_log_byte_is_reported_and_the_records_after_it_survive() {
    // Bug 3: one flipped byte in the last segment silently cut every later frame.
    let lake = tempfile::tempdir().unwrap();
    let mut first = spawn_serve(lake.path(), &[]);
    for message in ["one", "two", "three"] {
        post_one(first.addr, message).await;
    }
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let segment = wal_segment(lake.path());
    let wal = segment.parent().unwrap().to_path_buf();
    let mut data = std::fs::read(&segment).unwrap();
    let two = data.windows(3).position(|w| w == b"two").unwrap();
    data[two] ^= 0x01;
    std::fs::write(&segment, &data).unwrap();

    let second = spawn_serve(lake.path(), &[]);
    assert_eq!(
        metric(second.addr, "quarry_ingest_wal_damage_total").await,
        1
    );
    let kept: Vec<_> = std::fs::read_dir(wal.join("damaged")).unwrap().collect();
    assert_eq!(kept.len(), 1, "the damaged bytes are kept for inspection");
    post_one(second.addr, "four").await;
    second.terminate();
    let counted = messages(lake.path());
    assert_eq!(
        counted.keys().collect::<Vec<_>>(),
        ["four", "one", "three"],
        "only the damaged record is gone; numbering went on past it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_written_with_other_columns_stops_the_start_with_a_clear_error() {
    // Bug 4: replay indexed cells without checking the row's width; the flusher panicked
    // and the server kept answering 200 without ever flushing.
    let lake = tempfile::tempdir().unwrap();
    let mut first = spawn_serve(lake.path(), &[]);
    post_one(first.addr, "logged with four columns").await;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let definition = lake.path().join("narrow.toml");
    std::fs::write(
        &definition,
        "database = \"logs_db\"\ntable = \"logs\"\ntimestamp_column = \"timestamp\"\n\
         columns = [{ name = \"timestamp\", type = \"string\" }, { name = \"message\", type = \"string\" }]\n",
    )
    .unwrap();
    let refused = serve_output(lake.path(), &["--stream", definition.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("4 values") && stderr.contains("2 columns"),
        "{stderr}"
    );
    // Nothing was lost: the old definition publishes the record.
    spawn_serve(lake.path(), &[]).terminate();
    assert_eq!(messages(lake.path()).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_another_writer_made_is_never_replaced_and_the_server_says_it_is_failing() {
    // Publishing replaced an existing file of the same name. Now the sink refuses, keeps the
    // records in the log, and /healthz and new requests say so.
    let lake = tempfile::tempdir().unwrap();
    let mut fast = options(lake.path());
    fast.hints.interval = Duration::from_millis(200);
    let server = start(fast).await;
    let folder = lake.path().join("logs_db/logs/year=2023/month=11/day=14");
    std::fs::create_dir_all(&folder).unwrap();
    let squatter = folder.join("part-00000000000000000001-00000000000000000001.parquet");
    std::fs::write(&squatter, b"another writer's bytes").unwrap();
    post_one(server.addr, "mine").await;
    let addr = server.addr;
    wait_for("healthz reports the failure", async || {
        get(addr, "/healthz").await.status == 503
    })
    .await;
    let health = get(addr, "/healthz").await.body;
    assert_eq!(health["status"], "failing");
    assert!(
        health["reason"]
            .as_str()
            .unwrap()
            .contains("another writer"),
        "{health}"
    );
    let refused = post(addr, ROUTE, &record("rel", DAY, "later").to_string(), &[]).await;
    assert_eq!(refused.status, 503);
    assert_eq!(std::fs::read(&squatter).unwrap(), b"another writer's bytes");
    server.shutdown().await;
}

#[tokio::test]
async fn an_empty_key_is_refused_and_metrics_are_behind_the_key() {
    // Bug 6: `QUARRY_API_KEY=` started a server that any empty header got into.
    let lake = tempfile::tempdir().unwrap();
    let mut empty = options(lake.path());
    empty.api_key = Some(String::new());
    assert!(matches!(
        quarry::ingest::start(empty).await.err(),
        Some(ServeError::EmptyKey)
    ));
    let mut keyed = options(lake.path());
    keyed.api_key = Some("s3cret".to_owned());
    let server = start(keyed).await;
    let answer = post(server.addr, ROUTE, "{}", &[("x-api-key", "")]).await;
    assert_eq!(answer.status, 403);
    assert_eq!(get(server.addr, "/metrics").await.status, 403);
    let metrics = reqwest::Client::new()
        .get(format!("http://{}/metrics", server.addr))
        .header("x-api-key", "s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    assert_eq!(
        get(server.addr, "/healthz").await.status,
        200,
        "health stays open"
    );
    server.shutdown().await;
}

#[test]
fn data_in_error_messages_never_reaches_the_terminal_raw() {
    // Bug 7: an error quoting an ingested `ESC ]0; … BEL` retitled the terminal.
    let lake = crate::common::small_lake();
    let output = Command::cargo_bin("quarry")
        .unwrap()
        .arg("--lake")
        .arg(lake.path())
        .args(["query", "SELECT CAST('\u{1b}]0;owned\u{7}\u{202e}' AS INT)"])
        .timeout(Duration::from_mins(2))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("owned"),
        "the value is still named: {stderr}"
    );
    assert!(
        !stderr.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "raw controls on stderr: {stderr:?}"
    );
}

#[test]
fn bad_flags_get_a_clear_error_not_a_panic_or_a_wrap() {
    // Bug 8: these panicked (exit 101) or wrapped a size to 0.
    let lake = tempfile::tempdir().unwrap();
    let config = lake.path().join("config.toml");
    std::fs::write(&config, "[cost_guard]\nmax_usd = nan\n").unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["serve", "--route", "no-slash"], "starts with /"),
        (&["serve", "--route", "/healthz"], "own routes"),
        (&["serve", "--route", "/v1/streams/{x}"], "--route"),
        (
            &["serve", "--max-buffered", "17592186044416"],
            "--max-buffered",
        ),
        (
            &["serve", "--max-request-size", "17592186044416"],
            "--max-request-size",
        ),
        (&["demo", "--start", "+262142-12-30"], "1970 to 9999"),
    ];
    for (args, says) in cases {
        let output = Command::cargo_bin("quarry")
            .unwrap()
            .arg("--lake")
            .arg(lake.path())
            .args(args)
            .args(if args[0] == "demo" {
                vec![
                    "--dir".to_owned(),
                    lake.path().join("demo").display().to_string(),
                ]
            } else {
                vec!["--bind".to_owned(), "127.0.0.1:0".to_owned()]
            })
            .timeout(Duration::from_mins(1))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let output = Command::cargo_bin("quarry")
        .unwrap()
        .arg("--config")
        .arg(&config)
        .args(["query", "SELECT 1"])
        .timeout(Duration::from_mins(1))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("max_usd"));
}

#[tokio::test]
async fn partitions_are_bounded_like_firehose_and_refused_records_fail_alone() {
    // One request made 500 folders over ±260,000 years; 10,000 days in 20 requests made
    // 11,879 folders. Now there is an active-partition limit and a window of days.
    let lake = tempfile::tempdir().unwrap();
    let mut bounded = options(lake.path());
    bounded.partitions.max_active = 3;
    let server = start(bounded).await;
    let day_ms = 86_400_000_i64;
    let mut body: Vec<serde_json::Value> = (0..5)
        .map(|d| record("rel", DAY + d * day_ms, &format!("day{d}")))
        .collect();
    body.push(record("rel", DAY, "day0-again"));
    // Year 9999 and year 1971: far outside ten years back and five ahead.
    body.push(record("rel", 253_402_214_400_000, "far future"));
    body.push(record("rel", 31_536_000_000, "far past"));
    let answer = post(
        server.addr,
        ROUTE,
        &serde_json::Value::Array(body).to_string(),
        &[],
    )
    .await;
    assert_eq!(answer.status, 200);
    let responses = answer.body["RequestResponses"].as_array().unwrap().clone();
    let codes: Vec<&str> = responses
        .iter()
        .map(|r| r["ErrorCode"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(
        codes,
        [
            "ok",
            "ok",
            "ok",
            "PartitionLimitExceeded",
            "PartitionLimitExceeded",
            "ok",
            "PartitionOutsideWindow",
            "PartitionOutsideWindow"
        ]
    );
    assert_eq!(answer.body["FailedPutCount"], 4);
    server.shutdown().await;
    let counted = messages(lake.path());
    assert_eq!(
        counted.keys().collect::<Vec<_>>(),
        ["day0", "day0-again", "day1", "day2"]
    );
    let days = std::fs::read_dir(lake.path().join("logs_db/logs/year=2023/month=11"))
        .unwrap()
        .count();
    assert_eq!(days, 3, "no folder for a refused record");
}
