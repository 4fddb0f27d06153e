//! `--engine local` on the AWS source: DataFusion reads a Glue table's Parquet from (moto's) S3,
//! pruning by the Glue table's partition keys.

use std::path::Path;
use std::sync::Arc;

use aws_sdk_glue::types::{Column, DatabaseInput, SerDeInfo, StorageDescriptor, TableInput};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use quarry::backend::aws::GlueCatalog;
use quarry::backend::local::{EngineOptions, LocalEngine};
use quarry::backend::{EngineKind, QueryContext, QueryEngine, QueryState, all_results};
use quarry::lake::demo::{self, DemoOptions};

use super::moto::{clients, create_bucket};

/// Uploads every file under `dir` to `bucket`, keyed by its path below `dir`.
pub async fn upload(s3: &aws_sdk_s3::Client, bucket: &str, prefix: &str, dir: &Path) -> usize {
    let mut uploaded = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let key = format!(
                "{prefix}{}",
                path.strip_prefix(dir).unwrap().to_string_lossy()
            );
            s3.put_object()
                .bucket(bucket)
                .key(key)
                .body(std::fs::read(&path).unwrap().into())
                .send()
                .await
                .unwrap();
            uploaded += 1;
        }
    }
    uploaded
}

fn string_column(name: &str) -> Column {
    Column::builder()
        .name(name)
        .r#type("string")
        .build()
        .unwrap()
}

/// Creates `database` and in it the demo lake's `logs` table (its `source` column, partitioned
/// by year, month and day) at `location`.
pub async fn create_logs_table(glue: &aws_sdk_glue::Client, database: &str, location: &str) {
    glue.create_database()
        .database_input(DatabaseInput::builder().name(database).build().unwrap())
        .send()
        .await
        .unwrap();
    glue.create_table()
        .database_name(database)
        .table_input(
            TableInput::builder()
                .name("logs")
                .storage_descriptor(
                    StorageDescriptor::builder()
                        .location(location)
                        .columns(string_column("source"))
                        .serde_info(
                            SerDeInfo::builder()
                                .serialization_library(
                                    "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                                )
                                .build(),
                        )
                        .build(),
                )
                .partition_keys(string_column("year"))
                .partition_keys(string_column("month"))
                .partition_keys(string_column("day"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

async fn count(engine: &LocalEngine, sql: &str) -> (i64, quarry::backend::QueryStats) {
    let context = QueryContext {
        database: Some("s3_logs_db".to_owned()),
        ..QueryContext::default()
    };
    let id = engine.submit(sql, &context).await.unwrap();
    let status = engine.wait(&id).await.unwrap();
    assert_eq!(status.state, QueryState::Succeeded, "{:?}", status.error);
    let page = all_results(engine, &id).await.unwrap();
    let value = page.batches[0]
        .column(0)
        .as_primitive::<Int64Type>()
        .value(0);
    (value, status.stats)
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn the_local_engine_reads_a_glue_tables_parquet_from_s3_with_pruning() {
    let lake = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        days: 4,
        rows_per_day: 250,
        threads: Some(1),
        ..DemoOptions::new(lake.path().to_path_buf())
    };
    demo::generate(&options, &|_| {}).unwrap();
    let aws = clients("sa-east-1").await;
    create_bucket(&aws, "local-engine").await;
    let files = upload(
        &aws.s3,
        "local-engine",
        "logs/",
        &lake.path().join("logs_db").join("logs"),
    )
    .await;
    assert_eq!(files, 4, "one file per day");
    create_logs_table(&aws.glue, "s3_logs_db", "s3://local-engine/logs/").await;
    let catalog = Arc::new(GlueCatalog::new(aws.glue.clone(), aws.s3.clone()));
    let engine = LocalEngine::open_remote(
        catalog,
        Arc::new(aws.stores().unwrap()),
        EngineOptions::default(),
    )
    .unwrap();

    let (all, stats) = count(&engine, "SELECT count(*) FROM logs").await;
    assert_eq!(all, 4 * 250);
    assert_eq!(stats.engine, EngineKind::Local);
    assert_eq!(stats.files_scanned, 4);

    let (one_day, stats) = count(
        &engine,
        "SELECT count(*) FROM s3_logs_db.logs WHERE year = '2023' AND month = '01' AND day = '02'",
    )
    .await;
    assert_eq!(one_day, 250);
    assert_eq!(stats.files_scanned, 1, "the other days' folders are pruned");

    // A table that is not Parquet is refused by name, not with a planner error.
    aws.glue
        .create_table()
        .database_name("s3_logs_db")
        .table_input(
            TableInput::builder()
                .name("raw_json")
                .storage_descriptor(
                    StorageDescriptor::builder()
                        .location("s3://local-engine/raw/")
                        .serde_info(
                            SerDeInfo::builder()
                                .serialization_library("org.openx.data.jsonserde.JsonSerDe")
                                .build(),
                        )
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let error = engine
        .submit(
            "SELECT * FROM raw_json",
            &QueryContext {
                database: Some("s3_logs_db".to_owned()),
                ..QueryContext::default()
            },
        )
        .await;
    let message = match error {
        Err(e) => e.message,
        Ok(id) => engine.wait(&id).await.unwrap().error.unwrap().message,
    };
    assert!(
        message.contains("raw_json") && message.contains("Athena"),
        "{message}"
    );
}
