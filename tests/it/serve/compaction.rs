//! `--compact-closed-after`: a closed day's many flushed files folded into one by the running
//! server, between its flushes, without losing or doubling a record; the merged file still
//! names the record numbers it holds, so a restart replays nothing twice.

use std::time::{Duration, Instant};

use quarry::ingest::ClosedCompaction;

use super::{metric, options, post, record, rows, start};

const DAY: &str = "logs_db/logs/year=2023/month=11/day=14";

fn parquet_files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".parquet"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_days_files_are_compacted_in_the_background_keeping_every_record_once() {
    let lake = tempfile::tempdir().unwrap();
    let mut options = options(lake.path());
    options.hints.interval = Duration::from_millis(100);
    options.compact_closed = Some(ClosedCompaction {
        after: Duration::ZERO,
        target_bytes: 128 << 20,
        scan_every: Duration::from_millis(100),
    });
    let server = start(options.clone()).await;
    let deadline = Instant::now() + Duration::from_mins(1);
    // Five flushes of ten records each, all on 2023-11-14 (long closed).
    for batch in 0..5_i64 {
        let body: Vec<_> = (0..10)
            .map(|i| {
                record(
                    "api",
                    1_699_963_200_000 + batch * 1000 + i,
                    &format!("m{batch}-{i}"),
                )
            })
            .collect();
        let answer = post(
            server.addr,
            "/dev/recipe-apigw-athena",
            &serde_json::Value::Array(body).to_string(),
            &[],
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        while metric(server.addr, "quarry_ingest_flushes_total").await < (batch + 1) as u64 {
            assert!(Instant::now() < deadline, "flush {batch} never came");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let day = lake.path().join(DAY);
    while parquet_files(&day).len() != 1
        || metric(server.addr, "quarry_ingest_compactions_total").await == 0
    {
        assert!(
            Instant::now() < deadline,
            "never compacted: {:?}",
            parquet_files(&day)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let files = metric(server.addr, "quarry_ingest_files_compacted_total").await;
    assert!(files >= 2, "{files}");
    server.shutdown().await;

    let names = parquet_files(&day);
    assert_eq!(names.len(), 1);
    // The merged file is named over the numbers of all fifty records.
    let middle = names[0]
        .strip_prefix("part-")
        .unwrap()
        .strip_suffix(".parquet")
        .unwrap();
    let (first, last) = middle.split_once('-').unwrap();
    let (first, last): (u64, u64) = (first.parse().unwrap(), last.parse().unwrap());
    assert_eq!(last - first + 1, 50, "{}", names[0]);
    let answer = rows(
        lake.path(),
        "SELECT count(*), count(DISTINCT message) FROM logs",
    )
    .await;
    assert_eq!(answer, [["50", "50"]]);

    // A restart replays nothing: the merged name covers every logged record.
    let again = start(options).await;
    assert_eq!(again.replayed, 0);
    again.shutdown().await;
    let answer = rows(lake.path(), "SELECT count(*) FROM logs").await;
    assert_eq!(answer, [["50"]]);
}
