//! The Athena byte figure of a local run: what Athena would scan for the same query, checked
//! against the column chunk sizes the parquet crate reads from the footers, partition by
//! partition and row group by row group. The local engine's own figure can be smaller (its
//! dynamic filters skip data Athena reads); the dollars must follow Athena's.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic by design

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use parquet::file::properties::WriterProperties;
use quarry::backend::local::{EngineOptions, LocalCatalog, LocalEngine};
use quarry::backend::{QueryContext, QueryEngine, QueryState, QueryStatus};
use quarry::cost::Pricing;
use quarry::estimate::explain;

use quarry::lake::demo::{self, DemoOptions};

use crate::common::{engine, parquet_files, run};

fn footer(file: &Path) -> ParquetMetaData {
    ParquetMetaDataReader::new()
        .parse_and_finish(&std::fs::File::open(file).unwrap())
        .unwrap()
}

/// Compressed bytes of `columns` in the row groups of `file` that `keep` accepts.
fn chunk_bytes(file: &Path, columns: &[&str], keep: impl Fn(usize) -> bool) -> u64 {
    let metadata = footer(file);
    let mut total = 0;
    for (index, group) in metadata.row_groups().iter().enumerate() {
        if !keep(index) {
            continue;
        }
        for chunk in group.columns() {
            if columns.contains(&chunk.column_path().parts()[0].as_str()) {
                total += chunk.compressed_size() as u64;
            }
        }
    }
    total
}

fn files_of_days(lake: &Path, days: &[&str]) -> Vec<PathBuf> {
    parquet_files(&lake.join("logs_db/logs"))
        .into_iter()
        .filter(|f| {
            days.is_empty()
                || days
                    .iter()
                    .any(|d| f.to_string_lossy().contains(&format!("day={d}")))
        })
        .collect()
}

fn succeeded(sql: &str, status: &QueryStatus) {
    assert_eq!(
        status.state,
        QueryState::Succeeded,
        "{sql}: {:?}",
        status.error
    );
}

#[tokio::test]
async fn athena_figure_counts_the_columns_of_the_kept_partitions_without_dynamic_filters() {
    // Eight days of 200 KB files over three threads: DataFusion splits files into byte ranges
    // across its groups, and a split file is still read (and billed) once.
    let lake = tempfile::tempdir().unwrap();
    let mut options = DemoOptions::new(lake.path().to_path_buf());
    options.days = 8;
    options.seed = 3;
    demo::generate(&options, &|_| {}).unwrap();
    let engine = LocalEngine::open(
        Arc::new(LocalCatalog::open(lake.path()).unwrap()),
        EngineOptions {
            target_partitions: Some(3),
            ..EngineOptions::default()
        },
    )
    .unwrap();
    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let all_days: Vec<PathBuf> = files_of_days(lake.path(), &[]);
    let day = files_of_days(lake.path(), &["03"]);
    assert!(!day.is_empty() && day.len() < all_days.len());
    // (query, files, columns Athena reads)
    let cases: [(&str, &[PathBuf], &[&str]); 5] = [
        // The running max lets DataFusion skip row groups; Athena reads the whole column.
        ("SELECT max(message) FROM logs", &all_days, &["message"]),
        // Top-k: the same for ORDER BY … LIMIT.
        (
            "SELECT message, timestamp FROM logs ORDER BY timestamp DESC LIMIT 3",
            &all_days,
            &["message", "timestamp"],
        ),
        (
            "SELECT source, count(*) FROM logs WHERE day = '03' GROUP BY source",
            &day,
            &["source"],
        ),
        // A filter's column is read even when it is not selected.
        (
            "SELECT count(*) FROM logs WHERE logtype = 'error' AND day = '03'",
            &day,
            &["logtype"],
        ),
        ("SELECT count(*) FROM logs", &all_days, &[]),
    ];
    for (sql, files, columns) in cases {
        let status = run(&engine, sql).await;
        succeeded(sql, &status);
        let expected: u64 = files
            .iter()
            .map(|f| chunk_bytes(f, columns, |_| true))
            .sum();
        let figures = &status.stats;
        assert_eq!(figures.athena_scan_bytes, Some(expected), "{sql}");
        assert_eq!(
            figures.billed_bytes,
            Pricing::default().billed_bytes(expected),
            "{sql}"
        );
        assert!(
            (figures.cost_usd - Pricing::default().cost_usd(expected)).abs() < 1e-15,
            "{sql}"
        );
        // Both model Athena: the estimate before the run and the figure after it agree.
        let estimate = explain(&catalog, sql, Some("logs_db"), Pricing::default()).await;
        let ratio = expected.max(1) as f64 / estimate.estimated_bytes.max(1) as f64;
        assert!(
            (0.95..=1.05).contains(&ratio),
            "{sql}: Athena figure {expected}, estimate {}",
            estimate.estimated_bytes
        );
    }
}

/// One file of 4,000 rows in row groups of 1,000, `n` ascending, so min/max prune by `n`.
fn sorted_table() -> tempfile::TempDir {
    let lake = tempfile::tempdir().unwrap();
    let dir = lake.path().join("metrics_db/points");
    std::fs::create_dir_all(&dir).unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("n", DataType::Int64, false),
        Field::new("label", DataType::Utf8, false),
        Field::new("note", DataType::Utf8, false),
    ]));
    let rows = 4_000_i64;
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![
            Arc::new(Int64Array::from_iter_values(0..rows)),
            Arc::new(StringArray::from_iter_values(
                (0..rows).map(|i| format!("label-{}", i % 17)),
            )),
            Arc::new(StringArray::from_iter_values(
                (0..rows).map(|i| format!("note {i} {}", "x".repeat((i % 50) as usize))),
            )),
        ],
    )
    .unwrap();
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(1_000))
        .build();
    let file = std::fs::File::create(dir.join("points.parquet")).unwrap();
    let mut writer = ArrowWriter::try_new(file, schema, Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    lake
}

#[tokio::test]
async fn static_predicates_prune_row_groups_for_athena_too() {
    let lake = sorted_table();
    let file = lake.path().join("metrics_db/points/points.parquet");
    assert_eq!(footer(&file).num_row_groups(), 4);
    let engine = engine(lake.path(), 1_000);
    let context = QueryContext {
        database: Some("metrics_db".to_owned()),
        ..QueryContext::default()
    };
    // (query, row groups Athena reads: n is 0..999 in group 0, 1000..1999 in group 1, …)
    let cases: [(&str, &[usize], &[&str]); 3] = [
        (
            "SELECT count(label) FROM points WHERE n >= 3500",
            &[3],
            &["n", "label"],
        ),
        (
            "SELECT max(note) FROM points WHERE n BETWEEN 1500 AND 2100",
            &[1, 2],
            &["n", "note"],
        ),
        // No static predicate: every row group, however few the top-k reads.
        (
            "SELECT n, note FROM points ORDER BY n DESC LIMIT 2",
            &[0, 1, 2, 3],
            &["n", "note"],
        ),
    ];
    for (sql, groups, columns) in cases {
        let id = engine.submit(sql, &context).await.unwrap();
        let status = engine.wait(&id).await.unwrap();
        succeeded(sql, &status);
        let expected = chunk_bytes(&file, columns, |g| groups.contains(&g));
        assert_eq!(status.stats.athena_scan_bytes, Some(expected), "{sql}");
    }
}
