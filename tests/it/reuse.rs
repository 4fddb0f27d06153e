//! A query run again over unchanged files is answered with its earlier rows; any change to the
//! files it reads (a file added, removed or rewritten) makes it run again, and functions whose
//! value changes between runs (`now()`) are never reused. Counts are checked against the row
//! counts the parquet crate reads from each file's footer.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parquet::file::reader::{FileReader, SerializedFileReader};
use quarry::backend::local::{EngineOptions, LocalEngine};
use quarry::backend::{QueryEngine, QueryState, QueryStatus};

use crate::common::{answer_cells, engine_with, firehose_lake, parquet_files, run};

const QUERY: &str =
    "SELECT day, count(*) AS n, min(timestamp) AS first FROM logs GROUP BY day ORDER BY day";

fn lake() -> tempfile::TempDir {
    firehose_lake(3, 600, 4, 5)
}

fn engine(lake: &Path, reuse_results: bool) -> LocalEngine {
    engine_with(
        lake,
        EngineOptions {
            reuse_results,
            ..EngineOptions::default()
        },
    )
}

/// Rows per `day=` folder, from each file's footer.
fn rows_per_day(table: &Path) -> BTreeMap<String, u64> {
    let mut rows = BTreeMap::new();
    for file in parquet_files(table) {
        let day = file
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("day="))
            .unwrap()
            .to_owned();
        let reader = SerializedFileReader::new(std::fs::File::open(&file).unwrap()).unwrap();
        *rows.entry(day).or_insert(0) += reader.metadata().file_metadata().num_rows() as u64;
    }
    rows
}

/// Runs QUERY, returning its final status and answer (`day` → count).
async fn counts(engine: &LocalEngine) -> (QueryStatus, BTreeMap<String, u64>) {
    let status = run(engine, QUERY).await;
    assert_eq!(status.state, QueryState::Succeeded, "{:?}", status.error);
    let page = quarry::backend::all_results(engine, &status.id)
        .await
        .unwrap();
    let mut answer = BTreeMap::new();
    for batch in &page.batches {
        let days = batch.column(0);
        let n = batch
            .column(1)
            .as_any()
            .downcast_ref::<arrow::array::Int64Array>()
            .unwrap();
        for row in 0..batch.num_rows() {
            let day = arrow::util::display::array_value_to_string(days, row).unwrap();
            answer.insert(day, n.value(row) as u64);
        }
    }
    engine.release(&status.id).await;
    (status, answer)
}

fn a_day_folder(table: &Path) -> PathBuf {
    parquet_files(table)[0].parent().unwrap().to_path_buf()
}

#[tokio::test]
async fn a_query_run_again_over_the_same_files_reuses_its_rows() {
    let dir = lake();
    let table = dir.path().join("logs_db/logs");
    let engine = engine(dir.path(), true);

    let (first, answer) = counts(&engine).await;
    assert!(!first.stats.result_reused);
    assert_eq!(answer, rows_per_day(&table));
    let (again, same) = counts(&engine).await;
    assert!(again.stats.result_reused, "the files did not change");
    assert_eq!(same, answer);
    // Nothing read, nothing billed; what Athena would scan for it is still said.
    assert!(
        first.stats.bytes_scanned > 0 && first.stats.cost_usd > 0.0,
        "{:?}",
        first.stats
    );
    assert_eq!(again.stats.bytes_scanned, 0);
    assert!(again.stats.cost_usd.abs() < f64::EPSILON);
    assert_eq!(again.stats.athena_scan_bytes, first.stats.athena_scan_bytes);
    assert_eq!(again.stats.files_scanned, first.stats.files_scanned);
    assert_eq!(again.stats.rows, first.stats.rows);
    assert_eq!(again.stats.execution_ms, 0);

    // A file added to a partition (as Firehose adds one per buffer interval) is read.
    let folder = a_day_folder(&table);
    let added = folder.join("added-later.parquet");
    std::fs::copy(parquet_files(&folder)[0].clone(), &added).unwrap();
    let (after_add, answer) = counts(&engine).await;
    assert!(!after_add.stats.result_reused, "a file was added");
    assert_eq!(answer, rows_per_day(&table));
    assert_eq!(after_add.stats.files_scanned, first.stats.files_scanned + 1);
    assert!(counts(&engine).await.0.stats.result_reused);

    // The same name rewritten with other rows is read again.
    let other = parquet_files(&table)
        .into_iter()
        .rev()
        .find(|f| f.parent() != Some(folder.as_path()))
        .unwrap();
    std::fs::copy(&other, &added).unwrap();
    let (after_rewrite, answer) = counts(&engine).await;
    assert!(!after_rewrite.stats.result_reused, "a file was rewritten");
    assert_eq!(answer, rows_per_day(&table));

    // A file removed is missed no more.
    std::fs::remove_file(&added).unwrap();
    let (after_remove, answer) = counts(&engine).await;
    assert!(!after_remove.stats.result_reused, "a file was removed");
    assert_eq!(answer, rows_per_day(&table));
}

#[tokio::test]
async fn queries_whose_functions_change_between_runs_are_run_again() {
    let dir = lake();
    let engine = engine(dir.path(), true);
    for sql in [
        "SELECT count(*) AS n, now() AS at FROM logs",
        "SELECT count(*) AS n FROM logs WHERE random() < 2",
        "SELECT count(*) AS n FROM logs WHERE day IN (SELECT day FROM logs WHERE now() IS NOT NULL)",
    ] {
        for _ in 0..2 {
            let status = run(&engine, sql).await;
            assert_eq!(
                status.state,
                QueryState::Succeeded,
                "{sql}: {:?}",
                status.error
            );
            assert!(!status.stats.result_reused, "{sql}");
        }
    }
    // Another text over the same files is its own query.
    run(&engine, QUERY).await;
    let other = run(&engine, &QUERY.replace("ORDER BY day", "ORDER BY day DESC")).await;
    assert!(!other.stats.result_reused);
}

#[tokio::test]
async fn reuse_can_be_turned_off() {
    let dir = lake();
    let engine = engine(dir.path(), false);
    let first = answer_cells(&engine, QUERY).await;
    let status = run(&engine, QUERY).await;
    assert!(!status.stats.result_reused);
    assert_eq!(answer_cells(&engine, QUERY).await, first);
}

#[tokio::test]
async fn f5_again_in_the_tui_says_the_rows_were_reused_and_counts_nothing_scanned() {
    let dir = lake();
    let mut app = crate::common::tui::app_on(dir.path(), "reuse", QUERY);
    crate::common::tui::run_to_finish(&mut app).await;
    let after_first = app.state.session.bytes_scanned;
    assert!(after_first > 0);
    crate::common::tui::run_to_finish(&mut app).await;
    let screen = crate::common::tui::render(&app, 160, 45);
    assert!(
        screen.contains("the last run's rows, reused: its 12 files are unchanged"),
        "{screen}"
    );
    assert_eq!(app.state.session.queries, 2);
    assert_eq!(app.state.session.bytes_scanned, after_first);
}
