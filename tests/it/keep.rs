//! Keeping results in the cache lake: what is written (read back with the parquet crate), the
//! kept table in the catalog with its provenance, queries on it routed to the cache's engine for
//! $0 with the savings counted, from the engine, the TUI (`K`) and `quarry query --save-as`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use quarry::backend::local::{EngineOptions, LocalCatalog, LocalEngine};
use quarry::backend::{
    Catalog, QueryContext, QueryEngine, QueryErrorKind, QueryState, TableName, all_results,
};
use quarry::cache::{CacheLake, CachedSource};

use crate::common::tui::{app_with_cache, has_tables, press, run_to_finish, settle};
use crate::common::{count_values, small_lake};

const COUNTS: &str = "SELECT source, logtype, count(*) AS n FROM logs GROUP BY source, logtype";

fn cached(lake: &Path, cache: &Path) -> CachedSource {
    let catalog = Arc::new(LocalCatalog::open(lake).unwrap());
    let engine = LocalEngine::open(Arc::clone(&catalog), EngineOptions::default()).unwrap();
    CachedSource::new(
        Arc::new(catalog),
        Arc::new(engine),
        CacheLake::open(cache).unwrap(),
        EngineOptions::default(),
    )
    .unwrap()
}

fn context() -> QueryContext {
    QueryContext {
        database: Some("logs_db".to_owned()),
        ..QueryContext::default()
    }
}

/// Sums of `n` per `source` over the batches.
fn sums_by_source(batches: &[RecordBatch]) -> BTreeMap<String, u64> {
    let mut sums = BTreeMap::new();
    for batch in batches {
        let source = batch.column_by_name("source").unwrap();
        let source = datafusion::arrow::compute::cast(source, &DataType::Utf8).unwrap();
        let source = source.as_string::<i32>();
        let n = batch
            .column_by_name("n")
            .unwrap()
            .as_primitive::<Int64Type>();
        for row in 0..batch.num_rows() {
            *sums.entry(source.value(row).to_owned()).or_insert(0) += n.value(row) as u64;
        }
    }
    sums
}

/// Every batch of every Parquet file under `dir`, read with the parquet crate alone.
fn parquet_batches(dir: &Path) -> Vec<RecordBatch> {
    crate::common::parquet_files(dir)
        .iter()
        .flat_map(|file| {
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(file).unwrap())
                .unwrap()
                .build()
                .unwrap()
                .map(Result::unwrap)
        })
        .collect()
}

/// String types compare as strings: the engine reads strings as views, files hold them plain.
fn plain(data_type: &DataType) -> DataType {
    match data_type {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        other => other.clone(),
    }
}

#[tokio::test]
async fn a_kept_result_round_trips_and_queries_on_it_cost_nothing() {
    let lake = small_lake();
    let cache = tempfile::tempdir().unwrap();
    let source = cached(lake.path(), cache.path());
    let id = source.submit(COUNTS, &context()).await.unwrap();
    let first = source.wait(&id).await.unwrap();
    assert_eq!(first.state, QueryState::Succeeded);
    assert!(first.stats.cost_usd > 0.0 && first.stats.saved_usd.is_none());
    let page = all_results(&source, &id).await.unwrap();

    let name = TableName::new("kept", "counts");
    let provenance = quarry::cache::Provenance::of_run(COUNTS, &first.stats, "test lake", None);
    let kept = source
        .keep(&name, page.schema.clone(), page.batches.clone(), provenance)
        .await
        .unwrap();
    assert_eq!(
        kept.rows as usize,
        page.batches
            .iter()
            .map(RecordBatch::num_rows)
            .sum::<usize>()
    );

    // The files hold the answer: per source, the rows the parquet crate counts in the lake.
    let on_disk = parquet_batches(&cache.path().join("kept/counts"));
    assert_eq!(
        sums_by_source(&on_disk),
        count_values(&lake.path().join("logs_db/logs"), "source")
    );

    // Listed beside the lake's tables, with where it came from.
    let databases: Vec<String> = source
        .databases()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(databases, ["kept", "logs_db"]);
    let info = source.table(&name).await.unwrap();
    assert_eq!(info.properties["kept.sql"], COUNTS);
    assert_eq!(info.properties["kept.rows"], kept.rows.to_string());

    // Querying it: the cache's engine, rows and types as kept, $0, the first run's cost saved.
    let id = source
        .submit("SELECT * FROM kept.counts", &context())
        .await
        .unwrap();
    assert!(id.0.starts_with("kept:"));
    let again = source.wait(&id).await.unwrap();
    assert_eq!(again.state, QueryState::Succeeded, "{:?}", again.error);
    assert!(again.stats.cost_usd.abs() < f64::EPSILON);
    assert_eq!(again.stats.billed_bytes, 0);
    assert_eq!(again.stats.saved_usd, Some(first.stats.cost_usd));
    let read = all_results(&source, &id).await.unwrap();
    let types = |schema: &datafusion::arrow::datatypes::Schema| -> Vec<(String, DataType)> {
        schema
            .fields()
            .iter()
            .map(|f| (f.name().clone(), plain(f.data_type())))
            .collect()
    };
    assert_eq!(types(&read.schema), types(&page.schema));
    assert_eq!(sums_by_source(&read.batches), sums_by_source(&page.batches));

    // A query over the lake still goes to the lake's engine.
    let id = source
        .submit("SELECT count(*) FROM logs", &context())
        .await
        .unwrap();
    assert!(!id.0.starts_with("kept:"));
}

#[tokio::test]
async fn keeping_refuses_what_would_mislead_and_mixed_queries_say_why() {
    let lake = small_lake();
    let cache = tempfile::tempdir().unwrap();
    let source = cached(lake.path(), cache.path());
    let id = source
        .submit("SELECT source, source AS s2 FROM logs LIMIT 3", &context())
        .await
        .unwrap();
    let status = source.wait(&id).await.unwrap();
    let page = all_results(&source, &id).await.unwrap();
    let provenance = quarry::cache::Provenance::of_run("x", &status.stats, "test", None);
    let keep = |name: TableName| {
        let (schema, batches, provenance) = (
            page.schema.clone(),
            page.batches.clone(),
            provenance.clone(),
        );
        let source = &source;
        async move { source.keep(&name, schema, batches, provenance).await }
    };
    // The lake's own table: queries on it would silently stop reaching the lake.
    let err = keep(TableName::new("logs_db", "logs")).await.unwrap_err();
    assert!(err.contains("is a table of the source"), "{err}");
    let err = keep(TableName::new("Kept", "x")).await.unwrap_err();
    assert!(err.contains("lower-case"), "{err}");
    keep(TableName::new("kept", "first_rows")).await.unwrap();
    assert!(
        cache
            .path()
            .join("kept/first_rows/.quarry-provenance.json")
            .exists()
    );

    // Kept and lake tables in one query: one engine cannot see both.
    let err = source
        .submit(
            "SELECT * FROM kept.first_rows k JOIN logs l ON k.source = l.source",
            &context(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, QueryErrorKind::Planning);
    assert!(
        err.message
            .contains("kept.first_rows is kept locally and logs_db.logs is not"),
        "{}",
        err.message
    );
    // Keeping again under the same name replaces the table whole.
    keep(TableName::new("kept", "first_rows")).await.unwrap();
    assert_eq!(
        crate::common::parquet_files(&cache.path().join("kept/first_rows")).len(),
        1
    );
    assert!(std::fs::read_dir(cache.path()).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".staging")
    }));
}

#[tokio::test]
async fn k_keeps_the_grid_and_the_same_session_queries_it_for_free() {
    let lake = small_lake();
    let cache = tempfile::tempdir().unwrap();
    let mut app = app_with_cache(lake.path(), cache.path(), COUNTS);
    settle(&mut app, has_tables).await;
    run_to_finish(&mut app).await;
    app.key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT));
    press(&mut app, KeyCode::Char('K'));
    let suggested = app.state.prompt().unwrap().text.clone();
    assert!(suggested.starts_with("kept.result_"), "{suggested}");
    for _ in 0..suggested.chars().count() {
        press(&mut app, KeyCode::Backspace);
    }
    app.type_text("kept.by_source");
    press(&mut app, KeyCode::Enter);
    settle(&mut app, |s| {
        s.notice
            .as_deref()
            .is_some_and(|n| !n.starts_with("keeping"))
    })
    .await;
    let notice = app.state.notice.clone().unwrap();
    assert!(
        notice.starts_with("kept ") && notice.contains("kept.by_source"),
        "{notice}"
    );
    // The catalog lists the new database without a restart.
    settle(&mut app, |s| {
        s.catalog.rows().iter().any(
            |r| matches!(&r.kind, quarry::app::catalog_tree::RowKind::Database(d) if d == "kept"),
        )
    })
    .await;
    let on_disk = parquet_batches(&cache.path().join("kept/by_source"));
    assert_eq!(
        sums_by_source(&on_disk),
        count_values(&lake.path().join("logs_db/logs"), "source")
    );

    // A new statement over the kept table runs in this session, for $0.
    app.key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT));
    app.key(KeyEvent::new(KeyCode::End, KeyModifiers::CONTROL));
    app.type_text(";\nSELECT source, sum(n) AS n FROM kept.by_source GROUP BY source");
    run_to_finish(&mut app).await;
    let quarry::app::QueryPhase::Finished { stats } = &app.state.phase else {
        unreachable!()
    };
    assert!(stats.cost_usd.abs() < f64::EPSILON, "{}", stats.cost_usd);
    assert!(stats.saved_usd.unwrap() > 0.0);
    assert_eq!(
        app.state.results.as_ref().unwrap().rows,
        count_values(&lake.path().join("logs_db/logs"), "source").len()
    );
}

#[test]
fn save_as_keeps_every_row_and_later_runs_count_what_they_saved() {
    let lake = small_lake();
    let data = tempfile::tempdir().unwrap();
    let quarry = |args: &[&str]| {
        let output = Command::cargo_bin("quarry")
            .unwrap()
            .env("QUARRY_CONFIG", "/dev/null")
            .env("XDG_DATA_HOME", data.path())
            .arg("--lake")
            .arg(lake.path())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{stderr}");
        stderr
    };
    // More rows than --max-rows prints: the kept table still holds every one.
    let said = quarry(&[
        "query",
        "--max-rows",
        "5",
        "--format",
        "csv",
        "--save-as",
        "kept.all_logs",
        "SELECT source, message FROM logs",
    ]);
    assert!(said.contains("kept.all_logs"), "{said}");
    let kept_dir = data.path().join("quarry/cache/kept/all_logs");
    let rows: usize = parquet_batches(&kept_dir)
        .iter()
        .map(RecordBatch::num_rows)
        .sum();
    let lake_rows: u64 = count_values(&lake.path().join("logs_db/logs"), "source")
        .values()
        .sum();
    assert_eq!(rows as u64, lake_rows);

    let stats = quarry(&[
        "query",
        "--stats-json",
        "--format",
        "csv",
        "SELECT count(*) FROM kept.all_logs",
    ]);
    let stats: serde_json::Value = serde_json::from_str(stats.trim()).unwrap();
    assert!(stats["cost_usd"].as_f64().unwrap().abs() < f64::EPSILON);
    let saved = stats["saved_usd"].as_f64().unwrap();
    assert!(saved > 0.0);
    assert_eq!(stats["ledger"]["all_time"]["kept_runs"], 1);
    assert!((stats["ledger"]["all_time"]["saved_usd"].as_f64().unwrap() - saved).abs() < 1e-15);
    // Wrong names are usage errors.
    let output = Command::cargo_bin("quarry")
        .unwrap()
        .env("QUARRY_CONFIG", "/dev/null")
        .env("XDG_DATA_HOME", data.path())
        .arg("--lake")
        .arg(lake.path())
        .args(["query", "--save-as", "nodot", "SELECT 1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// The tables of database `kept`, by name.
async fn kept_tables(source: &CachedSource) -> Vec<String> {
    source
        .tables("kept")
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect()
}

/// Keeps `page` as `kept.TABLE`.
async fn keep_as(
    source: &CachedSource,
    page: &quarry::backend::ResultPage,
    provenance: &quarry::cache::Provenance,
    table: &str,
) -> quarry::cache::KeptTable {
    source
        .keep(
            &TableName::new("kept", table),
            page.schema.clone(),
            page.batches.clone(),
            provenance.clone(),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn past_the_budget_the_least_recently_used_tables_are_evicted() {
    let lake = small_lake();
    let cache = tempfile::tempdir().unwrap();
    let sql = "SELECT source, message FROM logs";
    let source = cached(lake.path(), cache.path());
    let id = source.submit(sql, &context()).await.unwrap();
    let status = source.wait(&id).await.unwrap();
    let page = all_results(&source, &id).await.unwrap();
    let provenance = quarry::cache::Provenance::of_run(sql, &status.stats, "test", None);
    for table in ["first", "second", "third"] {
        assert!(
            keep_as(&source, &page, &provenance, table)
                .await
                .evicted
                .is_empty()
        );
        // Modification times order the tables: a tick apart so the order is unambiguous.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let one = quarry::cache::budget::cache_bytes(source.lake()) / 3;
    // Reading the oldest makes it the most recently used.
    let id = source
        .submit("SELECT count(*) FROM kept.first", &context())
        .await
        .unwrap();
    source.wait(&id).await.unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));

    // Room for three tables: keeping a fourth evicts the least recently used, `second`.
    let source = source.with_budget(one * 3 + one / 2);
    let fourth = keep_as(&source, &page, &provenance, "fourth").await;
    let evicted: Vec<String> = fourth.evicted.iter().map(|e| e.name.to_string()).collect();
    assert_eq!(evicted, ["kept.second"]);
    let tables = kept_tables(&source).await;
    assert_eq!(tables, ["first", "fourth", "third"]);
    assert!(quarry::cache::budget::cache_bytes(source.lake()) <= one * 3 + one / 2);
    // A table over the whole budget by itself is kept (and everything else goes).
    let source = source.with_budget(1);
    let fifth = keep_as(&source, &page, &provenance, "fifth").await;
    assert_eq!(fifth.evicted.len(), 3);
    let tables = kept_tables(&source).await;
    assert_eq!(tables, ["fifth"]);
}
