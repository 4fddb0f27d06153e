//! `quarry serve` into S3 with Glue: Parquet lands under the table's prefix through
//! `object_store`, each new partition is registered with `BatchCreatePartition` (the table is
//! created when Glue lacks it), and the local engine reads the result through Glue.

use std::sync::Arc;
use std::time::Duration;

use quarry::backend::aws::GlueCatalog;
use quarry::backend::local::{EngineOptions, LocalEngine};
use quarry::backend::{Catalog, PartitionFilter, QueryContext, QueryEngine, QueryState, TableName};
use quarry::ingest::{BufferHints, Limits, ServeOptions, StreamDef, Target};
use serde_json::Value;

use super::moto::{clients, create_bucket};
use crate::serve::{post, record};

const REGION: &str = "eu-central-1";
const BUCKET: &str = "serve-lake";

fn options(
    aws: &quarry::backend::aws::AwsClients,
    location: Option<&str>,
    state: &std::path::Path,
) -> ServeOptions {
    ServeOptions {
        target: Target::S3 {
            clients: aws.clone(),
            location: location.map(str::to_owned),
            glue: true,
        },
        stream: StreamDef::seed_logs(),
        bind: "127.0.0.1:0".parse().unwrap(),
        route: "/dev/recipe-apigw-athena".to_owned(),
        hints: BufferHints {
            interval: Duration::from_hours(1),
            ..BufferHints::default()
        },
        limits: Limits::default(),
        api_key: None,
        net: quarry::ingest::NetLimits::default(),
        partitions: quarry::ingest::PartitionLimits::default(),
        state_dir: Some(state.to_path_buf()),
        compact_closed: None,
    }
}

async fn count(engine: &LocalEngine, sql: &str) -> String {
    let context = QueryContext {
        database: Some("logs_db".to_owned()),
        ..QueryContext::default()
    };
    let id = engine.submit(sql, &context).await.unwrap();
    let status = engine.wait(&id).await.unwrap();
    assert_eq!(
        status.state,
        QueryState::Succeeded,
        "{sql}: {:?}",
        status.error
    );
    let page = quarry::backend::all_results(engine, &id).await.unwrap();
    datafusion::arrow::util::display::ArrayFormatter::try_new(
        page.batches[0].column(0).as_ref(),
        &datafusion::arrow::util::display::FormatOptions::default(),
    )
    .unwrap()
    .value(0)
    .to_string()
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn serve_writes_parquet_to_s3_and_registers_each_new_partition_in_glue() {
    let aws = clients(REGION).await;
    create_bucket(&aws, BUCKET).await;
    let state = tempfile::tempdir().unwrap();
    let sept_8 = 1_694_209_417_035_i64;
    let sept_9 = sept_8 + 86_400_000;

    // Glue has no table yet: the server creates it at --s3 and registers partitions as their
    // first files land.
    let server = quarry::ingest::start(options(
        &aws,
        Some(&format!("s3://{BUCKET}/logs")),
        state.path(),
    ))
    .await
    .unwrap();
    assert!(
        server.destination.starts_with("s3://serve-lake/logs/"),
        "{}",
        server.destination
    );
    let body = Value::Array(
        (0..30)
            .map(|i| record("s3", if i < 20 { sept_8 } else { sept_9 }, &format!("m{i}")))
            .collect(),
    );
    let answer = post(
        server.addr,
        "/dev/recipe-apigw-athena",
        &body.to_string(),
        &[],
    )
    .await;
    assert_eq!(answer.body["FailedPutCount"], 0, "{}", answer.body);
    server.shutdown().await;

    let listed = aws
        .s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix("logs/")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter()
            .any(|k| k.starts_with("logs/year=2023/month=09/day=08/part-")),
        "{keys:?}"
    );

    let catalog = Arc::new(GlueCatalog::new(aws.glue.clone(), aws.s3.clone()));
    let table = TableName::new("logs_db", "logs");
    let info = catalog.table(&table).await.unwrap();
    let columns: Vec<(&str, &str)> = info
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type.as_str()))
        .collect();
    assert_eq!(
        columns,
        [
            ("source", "string"),
            ("logtype", "string"),
            ("timestamp", "bigint"),
            ("message", "string")
        ]
    );
    let partitions = catalog
        .partitions(&table, &PartitionFilter::default(), None, 100)
        .await
        .unwrap()
        .partitions;
    let mut values: Vec<(Vec<String>, String)> = partitions
        .into_iter()
        .map(|p| (p.values, p.location))
        .collect();
    values.sort();
    assert_eq!(
        values,
        [
            (
                vec!["2023".to_owned(), "09".to_owned(), "08".to_owned()],
                "s3://serve-lake/logs/year=2023/month=09/day=08/".to_owned()
            ),
            (
                vec!["2023".to_owned(), "09".to_owned(), "09".to_owned()],
                "s3://serve-lake/logs/year=2023/month=09/day=09/".to_owned()
            ),
        ]
    );

    // A second run takes the location from Glue, replays nothing that is already in S3, and
    // adds a file to a partition Glue already has (which is not an error).
    let server = quarry::ingest::start(options(&aws, None, state.path()))
        .await
        .unwrap();
    assert_eq!(server.replayed, 0);
    let more = record("s3", sept_9 + 1, "again").to_string();
    assert_eq!(
        post(server.addr, "/dev/recipe-apigw-athena", &more, &[])
            .await
            .status,
        200
    );
    server.shutdown().await;

    let engine = LocalEngine::open_remote(
        catalog,
        Arc::new(aws.stores().unwrap()),
        EngineOptions::default(),
    )
    .unwrap();
    assert_eq!(count(&engine, "SELECT count(*) FROM logs").await, "31");
    assert_eq!(
        count(
            &engine,
            "SELECT count(*) FROM logs WHERE year = '2023' AND month = '09' AND day = '09'"
        )
        .await,
        "11"
    );
    assert_eq!(
        count(&engine, "SELECT count(DISTINCT message) FROM logs").await,
        "31"
    );
}
