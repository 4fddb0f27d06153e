//! Discovery of hand-made lakes, tidy and messy: every problem reported, good tables kept.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use std::fs;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use quarry::backend::local::{EngineOptions, LocalCatalog, LocalEngine};
use quarry::backend::{Catalog, CatalogError, PartitionFilter, QueryState, TableName};
use quarry::lake::writer::write_parquet_atomic;

fn write_rows(path: &Path, rows: i64) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("name", DataType::Utf8, true),
    ]));
    let ids = Int64Array::from_iter_values(0..rows);
    let names = StringArray::from_iter_values((0..rows).map(|i| format!("n{i}")));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(ids), Arc::new(names)]).unwrap();
    write_parquet_atomic(path, &schema, &[batch]).unwrap();
}

/// A lake with one tidy table per layout and one table per kind of mess.
fn messy_lake() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A table directly under the root belongs to database `default`.
    write_rows(&root.join("events/part-0.parquet"), 5);
    // A tidy partitioned table.
    for day in ["01", "02", "03"] {
        write_rows(
            &root.join(format!("app/good/year=2023/month=01/day={day}/f.parquet")),
            10,
        );
    }
    // Mixed keys: `dt=` beside `year=`.
    write_rows(&root.join("app/mixed/year=2023/f.parquet"), 4);
    write_rows(&root.join("app/mixed/dt=2023-01-01/f.parquet"), 4);
    // Stray non-Parquet files beside data.
    write_rows(&root.join("app/strays/f.parquet"), 3);
    fs::write(root.join("app/strays/notes.txt"), "hello").unwrap();
    fs::write(root.join("app/strays/_SUCCESS"), "").unwrap();
    // An empty table folder and an empty partition folder.
    fs::create_dir_all(root.join("app/empty")).unwrap();
    fs::create_dir_all(root.join("app/good/year=2024/month=01/day=01")).unwrap();
    // A corrupt footer.
    fs::create_dir_all(root.join("app/corrupt")).unwrap();
    fs::write(
        root.join("app/corrupt/bad.parquet"),
        b"PAR1 this is not parquet at all",
    )
    .unwrap();
    dir
}

fn key_names(info: &quarry::backend::TableInfo) -> Vec<&str> {
    info.partition_keys
        .iter()
        .map(|k| k.name.as_str())
        .collect()
}

#[tokio::test]
async fn databases_and_tables_are_found_from_folders() {
    let lake = messy_lake();
    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let dbs: Vec<String> = catalog
        .databases()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(dbs, ["app", "default"]);
    let tables: Vec<String> = catalog
        .tables("app")
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(tables, ["corrupt", "empty", "good", "mixed", "strays"]);
    let default: Vec<String> = catalog
        .tables("default")
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(default, ["events"]);
}

#[tokio::test]
async fn a_tidy_table_has_keys_columns_and_totals() {
    let lake = messy_lake();
    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let info = catalog.table(&TableName::new("app", "good")).await.unwrap();
    assert_eq!(key_names(&info), ["year", "month", "day"]);
    let columns: Vec<(&str, &str)> = info
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type.as_str()))
        .collect();
    assert_eq!(columns, [("id", "bigint"), ("name", "string")]);
    let totals = info.totals.unwrap();
    assert_eq!((totals.partitions, totals.files), (3, 3));
    let on_disk: u64 = crate::common::parquet_files(&lake.path().join("app/good"))
        .iter()
        .map(|f| fs::metadata(f).unwrap().len())
        .sum();
    assert_eq!(totals.bytes, on_disk);
    // The empty year=2024 partition folder is the only problem.
    assert_eq!(info.problems.len(), 1, "{:?}", info.problems);
    assert!(
        info.problems[0].contains("empty folders"),
        "{:?}",
        info.problems
    );
}

/// After a crash, the first partition folder can hold only a writer's hidden temp file, or a
/// file cut short; the table's shape comes from the next folder that has a readable footer.
#[tokio::test]
async fn columns_come_from_the_first_readable_footer_in_any_partition() {
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("app/crashed");
    fs::create_dir_all(table.join("year=2023/month=01/day=01")).unwrap();
    fs::write(
        table.join("year=2023/month=01/day=01/.part-1-2.parquet.tmp"),
        b"PAR1 cut short",
    )
    .unwrap();
    fs::create_dir_all(table.join("year=2023/month=01/day=02")).unwrap();
    fs::write(
        table.join("year=2023/month=01/day=02/cut.parquet"),
        b"PAR1 cut short",
    )
    .unwrap();
    write_rows(&table.join("year=2023/month=02/day=01/f.parquet"), 7);
    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let info = catalog
        .table(&TableName::new("app", "crashed"))
        .await
        .unwrap();
    assert_eq!(key_names(&info), ["year", "month", "day"]);
    let columns: Vec<&str> = info.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["id", "name"]);
    assert!(
        info.problems.iter().any(|p| p.contains("cut.parquet")),
        "{:?}",
        info.problems
    );
}

#[tokio::test]
async fn each_kind_of_mess_is_reported_on_its_table() {
    let lake = messy_lake();
    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let problems = |table: &str| {
        let catalog = Arc::clone(&catalog);
        let name = TableName::new("app", table);
        async move { catalog.table(&name).await.unwrap().problems.join(" | ") }
    };
    assert!(
        problems("mixed").await.contains("mixed partition keys"),
        "{}",
        problems("mixed").await
    );
    let strays = problems("strays").await;
    assert!(
        strays.contains("non-Parquet") && strays.contains("notes.txt"),
        "{strays}"
    );
    assert!(
        !strays.contains("_SUCCESS"),
        "bookkeeping files are not problems: {strays}"
    );
    assert!(problems("empty").await.contains("no Parquet files"));
    assert!(
        problems("corrupt").await.contains("corrupt Parquet footer"),
        "{}",
        problems("corrupt").await
    );
}

#[tokio::test]
async fn the_engine_keeps_good_tables_and_explains_broken_ones() {
    let lake = messy_lake();
    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let engine = LocalEngine::open(catalog, EngineOptions::default()).unwrap();
    assert!(engine.unqueryable_tables().contains_key("app.corrupt"));
    assert!(engine.unqueryable_tables().contains_key("app.empty"));
    let ok = crate::common::run(&engine, "SELECT count(*) FROM app.good").await;
    assert_eq!(ok.state, QueryState::Succeeded, "{:?}", ok.error);
    assert_eq!(ok.stats.rows, 1);
    let broken = crate::common::run(&engine, "SELECT * FROM app.corrupt").await;
    let message = broken.error.unwrap().message;
    assert!(
        message.contains("app.corrupt cannot be queried") && message.contains("footer"),
        "{message}"
    );
    let root_table = crate::common::run(&engine, "SELECT count(*) FROM \"default\".events").await;
    assert_eq!(
        root_table.state,
        QueryState::Succeeded,
        "{:?}",
        root_table.error
    );
}

#[tokio::test]
async fn partitions_come_in_pages_in_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for month in 1..=5 {
        for day in 1..=5 {
            let (m, d) = (format!("{month:02}"), format!("{day:02}"));
            write_rows(
                &dir.path()
                    .join(format!("db/t/year=2023/month={m}/day={d}/f.parquet")),
                2,
            );
            expected.push(vec!["2023".to_owned(), m, d]);
        }
    }
    let catalog = Arc::new(LocalCatalog::open(dir.path()).unwrap());
    let table = TableName::new("db", "t");
    let mut token: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = catalog
            .partitions(&table, &PartitionFilter::default(), token.as_deref(), 10)
            .await
            .unwrap();
        assert!(page.partitions.len() <= 10);
        pages += 1;
        seen.extend(page.partitions.iter().map(|p| p.values.clone()));
        assert!(
            page.partitions
                .iter()
                .all(|p| p.files == Some(1) && p.bytes.unwrap() > 0)
        );
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected);

    let march = PartitionFilter {
        prefix: vec!["2023".into(), "03".into()],
    };
    let page = catalog.partitions(&table, &march, None, 100).await.unwrap();
    let days: Vec<&str> = page
        .partitions
        .iter()
        .map(|p| p.values[2].as_str())
        .collect();
    assert_eq!(days, ["01", "02", "03", "04", "05"]);
    assert!(page.partitions.iter().all(|p| p.values[1] == "03"));

    let bad = catalog
        .partitions(&table, &PartitionFilter::default(), Some("nonsense"), 10)
        .await;
    assert!(matches!(bad, Err(CatalogError::BadPageToken(_))));
}

#[test]
fn a_missing_lake_says_how_to_make_one() {
    let err = LocalCatalog::open(Path::new("/definitely/not/here")).unwrap_err();
    assert!(matches!(err, CatalogError::LakeMissing(_)));
    assert!(err.to_string().contains("quarry demo"), "{err}");
}
