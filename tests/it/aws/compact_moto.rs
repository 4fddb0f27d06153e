//! `quarry compact` on S3 and Glue (moto): a partition's small files rewritten under a new
//! prefix, the Glue partition switched to it in one call, the old objects retired; rows counted
//! as a catalog reader counts them (the partition's location listed, each object's footer read
//! with the parquet crate), before, after, and after a run a kill left half-way is settled.

use std::collections::BTreeMap;

use parquet::file::reader::{FileReader, SerializedFileReader};
use quarry::backend::aws::{AwsClients, GlueCatalog};
use quarry::backend::{Catalog, QueryEngine, TableName};
use quarry::lake::demo::{self, DemoOptions};

use super::doctor_moto::{glue_database, glue_table, register_day};
use super::local_moto::upload;
use super::moto::{clients, create_bucket};

const COLUMNS: [(&str, &str); 4] = [
    ("source", "string"),
    ("logtype", "string"),
    ("timestamp", "bigint"),
    ("message", "string"),
];

/// Three days of six files each in `bucket/logs/`, every day registered in Glue.
pub(super) async fn small_file_table(aws: &AwsClients, bucket: &str, database: &str) {
    let lake = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        days: 3,
        rows_per_day: 600,
        files_per_partition: 6,
        threads: Some(1),
        ..DemoOptions::new(lake.path().to_path_buf())
    };
    demo::generate(&options, &|_| {}).unwrap();
    create_bucket(aws, bucket).await;
    assert_eq!(
        upload(&aws.s3, bucket, "logs/", &lake.path().join("logs_db/logs")).await,
        18
    );
    let location = format!("s3://{bucket}/logs/");
    glue_database(aws, database).await;
    glue_table(aws, database, "logs", &location, &COLUMNS, &[]).await;
    for day in ["01", "02", "03"] {
        register_day(aws, database, &location, day, &COLUMNS).await;
    }
}

/// Where Glue says a partition of `database.logs` lives.
async fn partition_location(aws: &AwsClients, database: &str, values: &[String]) -> String {
    aws.glue
        .get_partition()
        .database_name(database)
        .table_name("logs")
        .set_partition_values(Some(values.to_vec()))
        .send()
        .await
        .unwrap()
        .partition()
        .unwrap()
        .storage_descriptor()
        .unwrap()
        .location()
        .unwrap()
        .to_owned()
}

/// Rows per day as a catalog reader counts them: each Glue partition's location listed, every
/// object not hidden read for its footer's row count.
pub(super) async fn rows_via_catalog(aws: &AwsClients, database: &str) -> BTreeMap<String, u64> {
    let partitions = aws
        .glue
        .get_partitions()
        .database_name(database)
        .table_name("logs")
        .send()
        .await
        .unwrap();
    let mut rows = BTreeMap::new();
    for partition in partitions.partitions() {
        let location = partition.storage_descriptor().unwrap().location().unwrap();
        let (bucket, prefix) = location
            .strip_prefix("s3://")
            .unwrap()
            .split_once('/')
            .unwrap();
        let mut total = 0;
        for key in keys_under(aws, bucket, prefix).await {
            let key = key.as_str();
            let name = key.rsplit('/').next().unwrap();
            if name.starts_with('.') || name.starts_with('_') || key[prefix.len()..].contains('/') {
                continue;
            }
            let body = aws
                .s3
                .get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .unwrap();
            let bytes = body.body.collect().await.unwrap().into_bytes();
            let reader = SerializedFileReader::new(bytes).unwrap();
            total += reader.metadata().file_metadata().num_rows() as u64;
        }
        rows.insert(partition.values()[2].clone(), total);
    }
    rows
}

/// `count(*)` per day from quarry's local engine over the Glue table in S3.
async fn rows_via_local_engine(aws: &AwsClients, database: &str) -> Vec<Vec<String>> {
    let catalog = std::sync::Arc::new(GlueCatalog::new(aws.glue.clone(), aws.s3.clone()));
    let engine = quarry::backend::local::LocalEngine::open_remote(
        catalog,
        std::sync::Arc::new(aws.stores().unwrap()),
        quarry::backend::local::EngineOptions::default(),
    )
    .unwrap();
    let context = quarry::backend::QueryContext {
        database: Some(database.to_owned()),
        ..quarry::backend::QueryContext::default()
    };
    let id = engine
        .submit(
            "SELECT day, count(*) FROM logs GROUP BY day ORDER BY day",
            &context,
        )
        .await
        .unwrap();
    let status = engine.wait(&id).await.unwrap();
    assert!(status.error.is_none(), "{:?}", status.error);
    let page = quarry::backend::all_results(&engine, &id).await.unwrap();
    let mut rows = Vec::new();
    for batch in &page.batches {
        let days = arrow::util::display::ArrayFormatter::try_new(
            batch.column(0).as_ref(),
            &arrow::util::display::FormatOptions::default(),
        )
        .unwrap();
        let counts = arrow::util::display::ArrayFormatter::try_new(
            batch.column(1).as_ref(),
            &arrow::util::display::FormatOptions::default(),
        )
        .unwrap();
        for row in 0..batch.num_rows() {
            rows.push(vec![
                days.value(row).to_string(),
                counts.value(row).to_string(),
            ]);
        }
    }
    rows
}

pub(super) async fn keys_under(aws: &AwsClients, bucket: &str, prefix: &str) -> Vec<String> {
    let listed = aws
        .s3
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .map(|o| o.key().unwrap().to_owned())
        .collect()
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn compaction_on_s3_switches_the_glue_partition_and_retires_the_old_objects() {
    let aws = clients("ca-central-1").await;
    small_file_table(&aws, "compact-s3", "compact_db").await;
    let expected = rows_via_catalog(&aws, "compact_db").await;
    assert_eq!(
        expected.values().copied().collect::<Vec<_>>(),
        [600, 600, 600]
    );
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    let name = TableName::new("compact_db", "logs");
    let values = ["2023", "01", "02"].map(str::to_owned);

    let done = catalog
        .compact_partition(&name, &values, 128 << 20)
        .await
        .unwrap()
        .expect("six files to compact");
    assert_eq!(
        (done.files_before, done.files_after, done.rows),
        (6, 1, 600)
    );
    assert_eq!(rows_via_catalog(&aws, "compact_db").await, expected);
    let location = partition_location(&aws, "compact_db", &values).await;
    assert!(
        location.starts_with("s3://compact-s3/logs/.quarry-compact/"),
        "{location}"
    );
    assert!(
        location.ends_with("/year=2023/month=01/day=02/"),
        "{location}"
    );
    assert!(
        keys_under(&aws, "compact-s3", "logs/year=2023/month=01/day=02/")
            .await
            .is_empty()
    );
    let journals: Vec<String> = keys_under(&aws, "compact-s3", "logs/.quarry-compact/")
        .await
        .into_iter()
        .filter(|k| k.ends_with("journal.json"))
        .collect();
    assert!(journals.is_empty(), "{journals:?}");

    // quarry's local engine reads the moved partition once, where Glue points.
    let per_day =
        [["01", "600"], ["02", "600"], ["03", "600"]].map(|r| r.map(str::to_owned).to_vec());
    assert_eq!(rows_via_local_engine(&aws, "compact_db").await, per_day);

    // The doctor reads the moved partition where Glue points: nothing missing, nothing stray.
    let report = catalog.doctor(&name).await.unwrap();
    assert_eq!(report.examined.data_files, 13);
    assert_eq!(report.examined.rows, 1800);
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["small-files"], "{:#?}", report.findings);
    assert_eq!(
        report.findings[0].evidence.partitions.len(),
        2,
        "day 2 is compacted"
    );
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn a_run_killed_before_or_after_its_switch_is_settled_by_the_next_command() {
    let aws = clients("ap-south-1").await;
    small_file_table(&aws, "compact-crash", "crash_db").await;
    let expected = rows_via_catalog(&aws, "crash_db").await;
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    let name = TableName::new("crash_db", "logs");

    // Killed after writing its new files, before the switch: a journal and staged objects.
    let staged_run = "logs/.quarry-compact/20260101T000000.000-1/";
    let journal = serde_json::json!({
        "values": ["2023", "01", "01"],
        "old_location": "s3://compact-crash/logs/year=2023/month=01/day=01/",
        "old_keys": keys_under(&aws, "compact-crash", "logs/year=2023/month=01/day=01/").await,
        "new_location": format!("s3://compact-crash/{staged_run}year=2023/month=01/day=01/"),
    });
    for (key, body) in [
        (
            format!("{staged_run}journal.json"),
            journal.to_string().into_bytes(),
        ),
        (
            format!("{staged_run}year=2023/month=01/day=01/part-x.parquet"),
            b"staged".to_vec(),
        ),
    ] {
        aws.s3
            .put_object()
            .bucket("compact-crash")
            .key(key)
            .body(body.into())
            .send()
            .await
            .unwrap();
    }
    // Killed after the switch, before retiring: a real compaction whose old objects come back.
    let day_three = ["2023", "01", "03"].map(str::to_owned);
    let old_keys = keys_under(&aws, "compact-crash", "logs/year=2023/month=01/day=03/").await;
    let mut saved = Vec::new();
    for key in &old_keys {
        let body = aws
            .s3
            .get_object()
            .bucket("compact-crash")
            .key(key)
            .send()
            .await
            .unwrap();
        saved.push((key.clone(), body.body.collect().await.unwrap().into_bytes()));
    }
    catalog
        .compact_partition(&name, &day_three, 128 << 20)
        .await
        .unwrap()
        .unwrap();
    let switched = partition_location(&aws, "crash_db", &day_three).await;
    for (key, body) in saved {
        aws.s3
            .put_object()
            .bucket("compact-crash")
            .key(key)
            .body(body.to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let run = switched
        .strip_prefix("s3://compact-crash/")
        .unwrap()
        .split("year=")
        .next()
        .unwrap()
        .to_owned();
    let journal = serde_json::json!({
        "values": day_three,
        "old_location": "s3://compact-crash/logs/year=2023/month=01/day=03/",
        "old_keys": old_keys,
        "new_location": switched,
    });
    aws.s3
        .put_object()
        .bucket("compact-crash")
        .key(format!("{run}journal.json"))
        .body(journal.to_string().into_bytes().into())
        .send()
        .await
        .unwrap();
    // Both states count each row once for a catalog reader, and for quarry's local engine
    // (which leaves a run holding its journal out and reads the old folders).
    assert_eq!(rows_via_catalog(&aws, "crash_db").await, expected);
    let per_day =
        [["01", "600"], ["02", "600"], ["03", "600"]].map(|r| r.map(str::to_owned).to_vec());
    assert_eq!(rows_via_local_engine(&aws, "crash_db").await, per_day);

    let settled = catalog.recover_compactions(&name).await.unwrap();
    assert_eq!(settled.len(), 2, "{settled:?}");
    assert_eq!(rows_via_catalog(&aws, "crash_db").await, expected);
    assert!(
        keys_under(&aws, "compact-crash", staged_run)
            .await
            .is_empty()
    );
    assert!(
        keys_under(&aws, "compact-crash", "logs/year=2023/month=01/day=03/")
            .await
            .is_empty()
    );
    let leftovers: Vec<String> = keys_under(&aws, "compact-crash", "logs/.quarry-compact/")
        .await
        .into_iter()
        .filter(|k| !k.starts_with(&run))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(rows_via_local_engine(&aws, "crash_db").await, per_day);
    // Day 1 was never switched: its six files are where they were.
    assert_eq!(
        keys_under(&aws, "compact-crash", "logs/year=2023/month=01/day=01/")
            .await
            .len(),
        6
    );
}
