//! Helpers shared by the integration tests: small demo lakes and an engine over them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use quarry::backend::local::{EngineOptions, LocalCatalog, LocalEngine};
use quarry::backend::{QueryContext, QueryEngine, QueryState, QueryStatus};
use quarry::lake::demo::{self, DemoOptions};

pub mod tui;

/// Days and rows of the small lake most tests use.
pub const DAYS: u32 = 6;
pub const ROWS_PER_DAY: u32 = 1_500;

/// A query far too big to finish on the small lake (a three-way cross join), so only a cancel
/// can end it.
pub const ENDLESS_QUERY: &str =
    "SELECT count(*) FROM logs a CROSS JOIN logs b CROSS JOIN logs c WHERE a.message <> c.message";

/// Writes a small demo lake into a fresh temp folder.
pub fn small_lake() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut options = DemoOptions::new(dir.path().to_path_buf());
    options.days = DAYS;
    options.rows_per_day = ROWS_PER_DAY;
    options.seed = 7;
    demo::generate(&options, &|_| {}).unwrap();
    dir
}

/// A demo lake from 2023-09-07 laid out as Firehose writes it: `files_per_partition` files a
/// day.
pub fn firehose_lake(
    days: u32,
    rows_per_day: u32,
    files_per_partition: u32,
    seed: u64,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    demo::generate(
        &DemoOptions {
            days,
            rows_per_day,
            files_per_partition,
            start: chrono::NaiveDate::from_ymd_opt(2023, 9, 7).unwrap(),
            seed,
            threads: Some(2),
            ..DemoOptions::new(dir.path().to_path_buf())
        },
        &|_| {},
    )
    .unwrap();
    dir
}

/// An engine over `lake` with the default options but `row_limit`.
pub fn engine(lake: &Path, row_limit: usize) -> LocalEngine {
    engine_with(
        lake,
        EngineOptions {
            row_limit,
            ..EngineOptions::default()
        },
    )
}

/// An engine over `lake` with `options`.
pub fn engine_with(lake: &Path, options: EngineOptions) -> LocalEngine {
    let catalog = Arc::new(LocalCatalog::open(lake).unwrap());
    LocalEngine::open(catalog, options).unwrap()
}

/// Runs `sql` to the end in database `logs_db`.
pub async fn run(engine: &LocalEngine, sql: &str) -> QueryStatus {
    let context = QueryContext {
        database: Some("logs_db".to_owned()),
        ..QueryContext::default()
    };
    let id = engine.submit(sql, &context).await.unwrap();
    engine.wait(&id).await.unwrap()
}

/// Runs `sql` (which must succeed) and returns every cell of every result page as text, in
/// result order.
pub async fn answer_cells(engine: &LocalEngine, sql: &str) -> Vec<Vec<String>> {
    let status = run(engine, sql).await;
    assert_eq!(
        status.state,
        QueryState::Succeeded,
        "{sql}: {:?}",
        status.error
    );
    let page = quarry::backend::all_results(engine, &status.id)
        .await
        .unwrap();
    let mut rows = Vec::new();
    for batch in &page.batches {
        let formatters: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &FormatOptions::default()).unwrap())
            .collect();
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .map(|f| f.value(row).to_string())
                    .collect(),
            );
        }
    }
    rows
}

/// Counts of each value of a string column over every Parquet file under `dir`, read with the
/// parquet crate alone so the engine is checked against something it did not compute.
pub fn count_values(dir: &Path, column: &str) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for file in parquet_files(dir) {
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&file).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let values = batch.column_by_name(column).unwrap().as_string::<i32>();
            for i in 0..values.len() {
                *counts.entry(values.value(i).to_owned()).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// Every `.parquet` file below `dir`, sorted.
pub fn parquet_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The `(a, b)` values of two string columns of one Parquet file, row by row.
pub fn string_pairs(file: &Path, a: &str, b: &str) -> Vec<(String, String)> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(file).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut pairs = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        let first = batch.column_by_name(a).unwrap().as_string::<i32>();
        let second = batch.column_by_name(b).unwrap().as_string::<i32>();
        for i in 0..batch.num_rows() {
            pairs.push((first.value(i).to_owned(), second.value(i).to_owned()));
        }
    }
    pairs
}

/// The values of one string column of one Parquet file, in file order.
pub fn string_column(file: &Path, column: &str) -> Vec<String> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(file).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut values = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        // Engines write strings as Utf8 or Utf8View; compare them as plain strings.
        let array = datafusion::arrow::compute::cast(
            batch.column_by_name(column).unwrap(),
            &datafusion::arrow::datatypes::DataType::Utf8,
        )
        .unwrap();
        let array = array.as_string::<i32>();
        values.extend((0..array.len()).map(|i| array.value(i).to_owned()));
    }
    values
}

/// Every value of an Int64 column of one Parquet file, read with the parquet crate alone.
pub fn i64_column(file: &Path, column: &str) -> Vec<i64> {
    use arrow::array::{AsArray, RecordBatchReader};
    use arrow::datatypes::Int64Type;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(file).unwrap(),
    )
    .unwrap()
    .build()
    .unwrap();
    let index = reader.schema().index_of(column).unwrap();
    reader
        .flat_map(|batch| {
            let batch = batch.unwrap();
            batch
                .column(index)
                .as_primitive::<Int64Type>()
                .values()
                .to_vec()
        })
        .collect()
}
