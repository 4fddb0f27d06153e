//! The same rows laid out as Firehose writes them (many small files per day) give the same
//! answers as one file per day, and the statistics stay exact: bytes scanned against the column
//! chunk sizes the parquet crate reads from the footers, files and partitions against a count
//! of the folders.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use std::collections::BTreeMap;
use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use quarry::backend::QueryState;

use crate::common::{answer_cells, engine, firehose_lake, parquet_files, run};

const DAYS: u32 = 3;
const ROWS_PER_DAY: u32 = 960;
/// One file a day, a few, and as many as a 30-minute Firehose buffer writes.
const LAYOUTS: [u32; 3] = [1, 5, 48];

fn lake(files_per_partition: u32) -> tempfile::TempDir {
    firehose_lake(DAYS, ROWS_PER_DAY, files_per_partition, 11)
}

/// Every row of a result as one line of text, in result order.
async fn answer(engine: &quarry::backend::local::LocalEngine, sql: &str) -> Vec<String> {
    answer_cells(engine, sql)
        .await
        .into_iter()
        .map(|row| row.join("|"))
        .collect()
}

/// The benchmark's own queries (bench/queries.toml), so what is measured is what is checked.
fn bench_queries() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/queries.toml"))
            .unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    value["query"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["name"].as_str().unwrap().to_owned(),
                q["sql"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_layout_answers_the_benchmark_queries_identically() {
    let lakes: Vec<_> = LAYOUTS.iter().map(|&n| (n, lake(n))).collect();
    for (n, dir) in &lakes {
        let files = parquet_files(&dir.path().join("logs_db/logs")).len();
        assert_eq!(files, (DAYS * n) as usize, "{n} files a day");
    }
    let engines: Vec<_> = lakes
        .iter()
        .map(|(n, dir)| (*n, engine(dir.path(), 100_000)))
        .collect();
    for (name, sql) in bench_queries() {
        // `approx_distinct` is a sketch whose merge order follows the files; on this few
        // distinct messages it is exact, and equal across layouts is what is checked.
        let first = answer(&engines[0].1, &sql).await;
        assert!(!first.is_empty(), "{name} returns rows on the test lake");
        for (n, engine) in &engines[1..] {
            assert_eq!(
                answer(engine, &sql).await,
                first,
                "{name} on {n} files a day"
            );
        }
    }
}

/// Error and fatal rows per day counted file by file with the parquet crate.
fn errors_per_day(table: &Path) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for file in parquet_files(table) {
        let day = file
            .parent()
            .and_then(Path::file_name)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let n = crate::common::string_column(&file, "logtype")
            .iter()
            .filter(|t| *t == "error" || *t == "fatal")
            .count() as u64;
        *counts.entry(day).or_insert(0) += n;
    }
    counts
}

#[tokio::test]
async fn daily_error_counts_on_small_files_match_the_parquet_crate() {
    let dir = lake(48);
    let expected: Vec<String> = errors_per_day(&dir.path().join("logs_db/logs"))
        .into_iter()
        .map(|(day, n)| format!("{}|{n}", day.trim_start_matches("day=")))
        .collect();
    let engine = engine(dir.path(), 1_000);
    let got = answer(
        &engine,
        "SELECT day, count(*) FROM logs WHERE logtype IN ('error', 'fatal') GROUP BY day ORDER BY day",
    )
    .await;
    assert_eq!(got, expected);
}

/// Compressed bytes of one column over `files`, from their footers.
fn column_bytes(files: &[std::path::PathBuf], column: &str) -> u64 {
    files
        .iter()
        .map(|file| {
            let reader = SerializedFileReader::new(std::fs::File::open(file).unwrap()).unwrap();
            let metadata = reader.metadata();
            metadata
                .row_groups()
                .iter()
                .map(|rg| {
                    rg.columns()
                        .iter()
                        .find(|c| c.column_descr().name() == column)
                        .unwrap()
                        .compressed_size() as u64
                })
                .sum::<u64>()
        })
        .sum()
}

#[tokio::test]
async fn bytes_files_and_partitions_scanned_stay_exact_on_every_layout() {
    for n in LAYOUTS {
        let dir = lake(n);
        let table = dir.path().join("logs_db/logs");
        let engine = engine(dir.path(), 100_000);

        let all = run(&engine, "SELECT message FROM logs").await;
        assert_eq!(all.state, QueryState::Succeeded, "{:?}", all.error);
        let files = parquet_files(&table);
        assert_eq!(
            all.stats.bytes_scanned,
            column_bytes(&files, "message"),
            "{n} files a day: every message chunk, once"
        );
        assert_eq!(all.stats.files_scanned, files.len() as u64);
        assert_eq!(all.stats.files_total, files.len() as u64);
        assert_eq!(all.stats.partitions_scanned, u64::from(DAYS));

        let day = run(&engine, "SELECT source FROM logs WHERE day = '08'").await;
        assert_eq!(day.state, QueryState::Succeeded, "{:?}", day.error);
        let day_files: Vec<_> = files
            .iter()
            .filter(|f| f.to_string_lossy().contains("/day=08/"))
            .cloned()
            .collect();
        assert_eq!(day_files.len(), n as usize);
        assert_eq!(day.stats.bytes_scanned, column_bytes(&day_files, "source"));
        assert_eq!(day.stats.files_scanned, u64::from(n));
        assert_eq!(day.stats.partitions_scanned, 1);
        assert_eq!(day.stats.partitions_total, u64::from(DAYS));
    }
}
