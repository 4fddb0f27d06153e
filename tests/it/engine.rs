//! The local engine on a generated lake: answers, pruning, projection, limits, cancel, errors.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use std::time::Duration;

use crate::common::{DAYS, ROWS_PER_DAY, count_values, engine, run, small_lake};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::arrow::record_batch::RecordBatch;
use quarry::backend::{QueryContext, QueryEngine, QueryErrorKind, QueryState};

fn int_column(batches: &[RecordBatch], column: usize) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            b.column(column)
                .as_primitive::<Int64Type>()
                .values()
                .to_vec()
        })
        .collect()
}

#[tokio::test]
async fn count_matches_the_generator_parameters() {
    let lake = small_lake();
    let engine = engine(lake.path(), 1_000);
    let status = run(&engine, "SELECT count(*) FROM logs").await;
    assert_eq!(status.state, QueryState::Succeeded, "{:?}", status.error);
    let page = engine.results(&status.id, None, 10).await.unwrap();
    assert_eq!(
        int_column(&page.batches, 0),
        vec![i64::from(DAYS * ROWS_PER_DAY)]
    );
    assert_eq!(status.stats.partitions_total, u64::from(DAYS));
    assert_eq!(status.stats.partitions_scanned, u64::from(DAYS));
}

#[tokio::test]
async fn group_by_logtype_matches_counts_read_with_the_parquet_crate() {
    let lake = small_lake();
    let expected = count_values(&lake.path().join("logs_db/logs"), "logtype");
    assert_eq!(
        expected.len(),
        4,
        "all four log types are generated: {expected:?}"
    );
    let engine = engine(lake.path(), 1_000);
    let status = run(
        &engine,
        "SELECT logtype, count(*) AS n FROM logs GROUP BY logtype ORDER BY logtype",
    )
    .await;
    assert_eq!(status.state, QueryState::Succeeded, "{:?}", status.error);
    let page = engine.results(&status.id, None, 100).await.unwrap();
    let mut got = std::collections::BTreeMap::new();
    for batch in &page.batches {
        let names = batch.column(0).as_string_view();
        let counts = batch.column(1).as_primitive::<Int64Type>();
        for i in 0..batch.num_rows() {
            got.insert(names.value(i).to_owned(), counts.value(i) as u64);
        }
    }
    assert_eq!(got, expected);
}

#[tokio::test]
async fn a_one_day_filter_reads_one_partition() {
    let lake = small_lake();
    let engine = engine(lake.path(), 1_000);
    let full = run(&engine, "SELECT * FROM logs").await;
    let day = run(
        &engine,
        "SELECT * FROM logs WHERE year = '2023' AND month = '01' AND day = '03'",
    )
    .await;
    assert_eq!(day.state, QueryState::Succeeded, "{:?}", day.error);
    assert_eq!(day.stats.rows, u64::from(ROWS_PER_DAY));
    assert_eq!(day.stats.partitions_scanned, 1);
    assert_eq!(day.stats.files_scanned, 1);
    assert!(full.stats.bytes_scanned > 0);
    let limit = 1.1 * full.stats.bytes_scanned as f64 / f64::from(DAYS);
    assert!(
        day.stats.bytes_scanned as f64 <= limit,
        "one day scanned {} bytes, full scan {} bytes",
        day.stats.bytes_scanned,
        full.stats.bytes_scanned
    );
}

#[tokio::test]
async fn projecting_one_column_scans_fewer_bytes() {
    let lake = small_lake();
    let engine = engine(lake.path(), 100_000);
    let one_day = "WHERE year = '2023' AND month = '01' AND day = '02'";
    let all = run(&engine, &format!("SELECT * FROM logs {one_day}")).await;
    let message = run(&engine, &format!("SELECT message FROM logs {one_day}")).await;
    assert_eq!(all.stats.rows, message.stats.rows);
    assert!(
        message.stats.bytes_scanned < all.stats.bytes_scanned,
        "message {} vs all {}",
        message.stats.bytes_scanned,
        all.stats.bytes_scanned
    );
}

#[tokio::test]
async fn cost_follows_athena_rounding_on_measured_bytes() {
    let lake = small_lake();
    let engine = engine(lake.path(), 1_000);
    let status = run(&engine, "SELECT source FROM logs WHERE day = '01'").await;
    let scanned = status.stats.bytes_scanned;
    assert!(
        scanned > 0 && scanned < 10 << 20,
        "a small lake scans under 10 MiB: {scanned}"
    );
    assert_eq!(status.stats.billed_bytes, 10 << 20);
    assert!((status.stats.cost_usd - 10.0 / 1_048_576.0 * 5.0).abs() < 1e-12);
}

#[tokio::test]
async fn rows_past_the_limit_are_counted_not_kept() {
    let lake = small_lake();
    let engine = engine(lake.path(), 100);
    let status = run(&engine, "SELECT * FROM logs").await;
    assert_eq!(status.stats.rows, u64::from(DAYS * ROWS_PER_DAY));
    let page = engine.results(&status.id, None, usize::MAX).await.unwrap();
    assert!(page.truncated);
    assert_eq!(
        page.batches
            .iter()
            .map(RecordBatch::num_rows)
            .sum::<usize>(),
        100
    );
}

#[tokio::test]
async fn results_come_in_pages_that_cover_every_row_once() {
    let lake = small_lake();
    let engine = engine(lake.path(), 100_000);
    let status = run(&engine, "SELECT timestamp FROM logs ORDER BY timestamp").await;
    let mut token = None;
    let mut seen = Vec::new();
    loop {
        let page = engine
            .results(&status.id, token.as_deref(), 700)
            .await
            .unwrap();
        let n: usize = page.batches.iter().map(RecordBatch::num_rows).sum();
        assert!(n <= 700);
        seen.extend(int_column(&page.batches, 0));
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), (DAYS * ROWS_PER_DAY) as usize);
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "pages keep the ORDER BY order"
    );
}

#[tokio::test]
async fn a_running_query_can_be_cancelled() {
    let lake = small_lake();
    let engine = engine(lake.path(), 1_000);
    let sql = crate::common::ENDLESS_QUERY;
    let id = engine
        .submit(
            sql,
            &QueryContext {
                database: Some("logs_db".into()),
                ..QueryContext::default()
            },
        )
        .await
        .unwrap();
    // Wait until it is really running (planned, scanning), not merely queued.
    let mut waited = 0;
    while engine.status(&id).await.unwrap().state != QueryState::Running {
        tokio::task::yield_now().await;
        waited += 1;
        assert!(waited < 10_000_000, "query never started");
    }
    engine.cancel(&id).await.unwrap();
    let status = tokio::time::timeout(Duration::from_secs(10), engine.wait(&id))
        .await
        .expect("cancel must end the query")
        .unwrap();
    assert_eq!(status.state, QueryState::Cancelled);
    assert_eq!(status.error.unwrap().kind, QueryErrorKind::Cancelled);
}

#[tokio::test]
async fn bad_sql_reports_line_and_column() {
    let lake = small_lake();
    let engine = engine(lake.path(), 1_000);
    let status = run(
        &engine,
        "SELECT logtype,\n       count(*)\nFROM logs\nWHERE year = = '2023'",
    )
    .await;
    assert_eq!(status.state, QueryState::Failed);
    let error = status.error.unwrap();
    assert_eq!(error.kind, QueryErrorKind::Syntax, "{error}");
    let position = error.position.expect("parser errors carry a position");
    assert_eq!(position.line, 4, "{error}");
}

#[tokio::test]
async fn unknown_columns_point_at_the_column() {
    let lake = small_lake();
    let engine = engine(lake.path(), 1_000);
    let status = run(&engine, "SELECT source,\n  levell\nFROM logs").await;
    let error = status.error.unwrap();
    assert_eq!(error.kind, QueryErrorKind::Planning, "{error}");
    assert!(error.message.contains("levell"), "{error}");
    let position = error.position.expect("planner diagnostics carry a span");
    assert_eq!((position.line, position.column), (2, 3), "{error}");
}

#[tokio::test]
async fn unknown_tables_name_the_tables_that_exist() {
    let lake = small_lake();
    let engine = engine(lake.path(), 1_000);
    let status = run(&engine, "SELECT * FROM logs_db.nope").await;
    assert_eq!(status.state, QueryState::Failed);
    let message = status.error.unwrap().message;
    assert!(
        message.contains("nope") && message.contains("logs_db.logs"),
        "{message}"
    );
}

#[tokio::test]
async fn joins_with_the_unpartitioned_sources_table() {
    let lake = small_lake();
    let expected = count_values(&lake.path().join("logs_db/logs"), "source");
    let payments: u64 = expected
        .iter()
        .filter(|(source, _)| {
            quarry::lake::demo::SOURCES
                .iter()
                .any(|s| s.0 == *source && s.2 == "payments")
        })
        .map(|(_, n)| n)
        .sum();
    let engine = engine(lake.path(), 1_000);
    let status = run(
        &engine,
        "SELECT count(*) FROM logs l JOIN sources s ON l.source = s.source WHERE s.team = 'payments'",
    )
    .await;
    assert_eq!(status.state, QueryState::Succeeded, "{:?}", status.error);
    let page = engine.results(&status.id, None, 10).await.unwrap();
    assert_eq!(int_column(&page.batches, 0), vec![payments as i64]);
}

#[tokio::test]
async fn writes_are_refused_so_the_lake_is_never_modified() {
    let lake = small_lake();
    let engine = engine(lake.path(), 1_000);
    let status = run(&engine, "INSERT INTO logs_db.sources VALUES ('x', 'y', 1)").await;
    assert_eq!(status.state, QueryState::Failed);
    assert_eq!(
        crate::common::parquet_files(&lake.path().join("logs_db/sources")).len(),
        1
    );
}

#[tokio::test]
async fn files_added_after_the_engine_opened_are_read() {
    // `quarry serve` (or Firehose) adds partitions while the TUI runs; the engine must list
    // the table again for each query instead of keeping its first listing.
    let lake = small_lake();
    let engine = engine(lake.path(), 1_000);
    let count = |status: &quarry::backend::QueryStatus| status.stats.partitions_scanned;
    let before = run(&engine, "SELECT count(*) FROM logs").await;
    assert_eq!(count(&before), u64::from(DAYS));
    let table = lake.path().join("logs_db/logs");
    let first = crate::common::parquet_files(&table).remove(0);
    let new_day = table.join("year=2031/month=01/day=01");
    std::fs::create_dir_all(&new_day).unwrap();
    std::fs::copy(&first, new_day.join("part-0.parquet")).unwrap();
    let after = run(&engine, "SELECT count(*) FROM logs").await;
    assert_eq!(after.state, QueryState::Succeeded, "{:?}", after.error);
    assert_eq!(count(&after), u64::from(DAYS) + 1);
    let page = engine.results(&after.id, None, 10).await.unwrap();
    assert_eq!(
        int_column(&page.batches, 0),
        vec![i64::from((DAYS + 1) * ROWS_PER_DAY)]
    );
}
