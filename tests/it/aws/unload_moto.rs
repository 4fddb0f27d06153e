//! The UNLOAD path: the text sent to Athena, Parquet files written into moto's S3 the way
//! Athena's UNLOAD writes them (several objects without an extension under the target folder),
//! read back with their types, and removed; the paths that fall back, with their reasons.
//!
//! moto runs no SQL: the test plays Athena's part by writing the files between submission and
//! fetching, at the folder the UNLOAD text names.

use std::sync::Arc;

use aws_sdk_athena::operation::start_query_execution::StartQueryExecutionOutput;
use aws_smithy_mocks::mock;
use datafusion::arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, Int64Array, ListBuilder, RecordBatch, StringArray,
    StringBuilder, TimestampMillisecondArray,
};
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use quarry::backend::aws::{AthenaEngine, AwsClients, AwsOptions, UnloadMode, UnloadPolicy};
use quarry::backend::{FetchPath, QueryContext, QueryEngine, QueryId, QueryState};
use quarry::cost::Pricing;

use super::moto::{clients, create_bucket, seed_athena_results};

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("source", DataType::Utf8, true),
        Field::new("amount", DataType::Decimal128(12, 2), true),
        Field::new("ts", DataType::Timestamp(TimeUnit::Millisecond, None), true),
        Field::new("day", DataType::Date32, true),
        Field::new(
            "tags",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        ),
    ]))
}

/// Rows `from..to` of the result, NULLs every seventh row.
fn batch(from: i64, to: i64) -> RecordBatch {
    let ids: Vec<i64> = (from..to).collect();
    let null = |i: i64| i % 7 == 3;
    let mut tags = ListBuilder::new(StringBuilder::new());
    for &i in &ids {
        if null(i) {
            tags.append_null();
        } else {
            tags.values().append_value(format!("t{}", i % 3));
            tags.values().append_value("x,\"quoted\"");
            tags.append(true);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(ids.clone())),
        Arc::new(
            ids.iter()
                .map(|&i| (!null(i)).then(|| format!("svc-{}", i % 5)))
                .collect::<StringArray>(),
        ),
        Arc::new(
            ids.iter()
                .map(|&i| (!null(i)).then_some(i128::from(i) * 101))
                .collect::<Decimal128Array>()
                .with_precision_and_scale(12, 2)
                .unwrap(),
        ),
        Arc::new(
            ids.iter()
                .map(|&i| (!null(i)).then_some(1_694_000_000_000 + i * 1_000))
                .collect::<TimestampMillisecondArray>(),
        ),
        Arc::new(
            ids.iter()
                .map(|&i| (!null(i)).then_some(19_600 + (i % 30) as i32))
                .collect::<Date32Array>(),
        ),
        Arc::new(tags.finish()),
    ];
    RecordBatch::try_new(schema(), columns).unwrap()
}

fn parquet(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
    out
}

async fn engine_in(
    region: &str,
    bucket: &str,
    unload: UnloadPolicy,
    rows: usize,
) -> (AthenaEngine, AwsClients) {
    let aws = clients(region).await;
    create_bucket(&aws, bucket).await;
    let options = AwsOptions {
        output_location: Some(format!("s3://{bucket}/results/")),
        unload,
        ..AwsOptions::default()
    };
    (
        AthenaEngine::new(aws.clone(), options, Pricing::default(), rows),
        aws,
    )
}

async fn sent_text(aws: &AwsClients, id: &QueryId) -> String {
    let execution = aws
        .athena
        .get_query_execution()
        .query_execution_id(&id.0)
        .send()
        .await
        .unwrap();
    execution
        .query_execution()
        .unwrap()
        .query()
        .unwrap()
        .to_owned()
}

/// Plays Athena: writes `parts` as Parquet objects (no extension, as UNLOAD names them) under
/// the folder named in `unload_text`; returns the folder's bucket and prefix.
async fn write_as_athena(
    aws: &AwsClients,
    unload_text: &str,
    parts: &[RecordBatch],
) -> (String, String) {
    let target = unload_text
        .split("TO '")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    let (bucket, prefix) = target
        .strip_prefix("s3://")
        .unwrap()
        .split_once('/')
        .unwrap();
    for (i, part) in parts.iter().enumerate() {
        aws.s3
            .put_object()
            .bucket(bucket)
            .key(format!("{prefix}20261206_000000_00001_abcde_{i:04}"))
            .body(parquet(part).into())
            .send()
            .await
            .unwrap();
    }
    (bucket.to_owned(), prefix.to_owned())
}

const SQL: &str = "SELECT id, source, amount, ts, day, tags FROM logs WHERE year = '2023';";

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn unbounded_results_are_unloaded_read_with_their_types_and_removed() {
    let (engine, aws) = engine_in(
        "ap-northeast-2",
        "unload-read",
        UnloadPolicy::default(),
        1_000_000,
    )
    .await;
    let id = engine.submit(SQL, &QueryContext::default()).await.unwrap();
    let text = sent_text(&aws, &id).await;
    assert!(
        text.starts_with("UNLOAD (\nSELECT id, source, amount, ts, day, tags FROM logs WHERE year = '2023'\n) TO 's3://unload-read/results/quarry-unload/"),
        "{text}"
    );
    assert!(
        text.ends_with("WITH (format = 'PARQUET', compression = 'SNAPPY')"),
        "{text}"
    );
    let parts = [batch(0, 3000), batch(3000, 3001), batch(3001, 10_000)];
    let (bucket, prefix) = write_as_athena(&aws, &text, &parts).await;

    assert_eq!(engine.wait(&id).await.unwrap().state, QueryState::Succeeded);
    let page = engine.results(&id, None, usize::MAX).await.unwrap();
    let fetch = page.fetch.clone().unwrap();
    assert_eq!(fetch.path, FetchPath::Unload);
    assert_eq!((fetch.rows, fetch.files), (10_000, Some(3)));
    assert!(fetch.reason.unwrap().contains("does not bound"));
    assert!(!page.truncated);
    // Types as written, rows in the files' key order, every value equal.
    assert_eq!(page.schema.fields(), schema().fields());
    let read = concat_batches(&page.schema, &page.batches).unwrap();
    let written = concat_batches(&schema(), &parts).unwrap();
    assert_eq!(read, written);
    // Read, then removed (in the background: waited for with a deadline).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !super::compact_moto::keys_under(&aws, &bucket, &prefix)
        .await
        .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the unloaded files were never removed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn kept_files_stay_and_the_row_limit_truncates() {
    let policy = UnloadPolicy {
        keep_files: true,
        ..UnloadPolicy::default()
    };
    let (engine, aws) = engine_in("ap-southeast-1", "unload-keep", policy, 2_500).await;
    let id = engine.submit(SQL, &QueryContext::default()).await.unwrap();
    let text = sent_text(&aws, &id).await;
    let parts = [batch(0, 2000), batch(2000, 4000)];
    let (bucket, prefix) = write_as_athena(&aws, &text, &parts).await;
    engine.wait(&id).await.unwrap();
    let page = engine.results(&id, None, usize::MAX).await.unwrap();
    assert!(page.truncated);
    let read = concat_batches(&page.schema, &page.batches).unwrap();
    assert_eq!(
        read,
        concat_batches(&schema(), &parts).unwrap().slice(0, 2_500)
    );
    assert_eq!(
        super::compact_moto::keys_under(&aws, &bucket, &prefix)
            .await
            .len(),
        2
    );
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn ordered_small_and_non_queries_read_the_result_csv_and_say_why() {
    let (engine, aws) = engine_in(
        "me-south-1",
        "unload-fallback",
        UnloadPolicy::default(),
        1_000,
    )
    .await;
    for (sql, why) in [
        ("SELECT source FROM logs ORDER BY source", Some("ORDER BY")),
        ("SELECT source FROM logs LIMIT 10", Some("at most 10 rows")),
        (
            "SELECT count(*) AS source FROM logs",
            Some("at most 1 rows"),
        ),
    ] {
        seed_athena_results("me-south-1", &[("source", "varchar")], &[vec![Some("app")]]);
        // Asked for, and still not unloaded: the order would not survive.
        let context = QueryContext {
            unload_requested: why == Some("ORDER BY"),
            ..QueryContext::default()
        };
        let id = engine.submit(sql, &context).await.unwrap();
        assert_eq!(sent_text(&aws, &id).await, sql);
        engine.wait(&id).await.unwrap();
        let page = engine.results(&id, None, usize::MAX).await.unwrap();
        let fetch = page.fetch.unwrap();
        assert_eq!(fetch.path, FetchPath::S3Csv, "{sql}");
        assert!(
            fetch
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains(why.unwrap()),
            "{sql}: {fetch:?}"
        );
    }
    // `never` leaves even an unbounded query alone, and says nothing.
    let (never, aws) = engine_in(
        "me-south-1",
        "unload-never",
        UnloadPolicy {
            mode: UnloadMode::Never,
            ..UnloadPolicy::default()
        },
        1_000,
    )
    .await;
    seed_athena_results("me-south-1", &[("source", "varchar")], &[vec![Some("app")]]);
    let id = never.submit(SQL, &QueryContext::default()).await.unwrap();
    assert_eq!(sent_text(&aws, &id).await, SQL);
    never.wait(&id).await.unwrap();
    let fetch = never
        .results(&id, None, usize::MAX)
        .await
        .unwrap()
        .fetch
        .unwrap();
    assert_eq!((fetch.path, fetch.reason), (FetchPath::S3Csv, None));
}

/// moto accepts any SQL; a workgroup that refuses UNLOAD at start is mocked.
#[tokio::test]
async fn a_refused_unload_runs_the_statement_as_written() {
    let refused = mock!(aws_sdk_athena::Client::start_query_execution)
        .match_requests(|r| r.query_string().is_some_and(|q| q.starts_with("UNLOAD")))
        .sequence()
        .http_status(
            400,
            Some(
                r#"{"__type":"InvalidRequestException","Message":"UNLOAD is not supported in this workgroup"}"#
                    .to_owned(),
            ),
        )
        .build();
    let plain = mock!(aws_sdk_athena::Client::start_query_execution)
        .match_requests(|r| r.query_string() == Some(SQL))
        .then_output(|| {
            StartQueryExecutionOutput::builder()
                .query_execution_id("plain-1")
                .build()
        });
    let clients = super::mocks::clients(&[&refused, &plain], &[]);
    let engine = AthenaEngine::new(
        clients,
        AwsOptions {
            output_location: Some("s3://results/".to_owned()),
            ..AwsOptions::default()
        },
        Pricing::default(),
        100,
    );
    let id = engine.submit(SQL, &QueryContext::default()).await.unwrap();
    assert_eq!(id.0, "plain-1");
    assert_eq!((refused.num_calls(), plain.num_calls()), (1, 1));
}

/// Alt-U in the TUI runs the statement with its result asked through UNLOAD, even where the
/// configured mode is `never`.
#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn alt_u_asks_for_unload_from_the_tui() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use quarry::app::AppState;
    use quarry::app::editor::Buffer;
    use quarry::tui::{App, Clipboard, EngineSlot, Services};

    let never = UnloadPolicy {
        mode: UnloadMode::Never,
        ..UnloadPolicy::default()
    };
    let (engine, aws) = engine_in("af-south-1", "unload-tui", never, 1_000).await;
    let services = Services {
        catalog: Arc::new(quarry::backend::aws::GlueCatalog::new(
            aws.glue.clone(),
            aws.s3.clone(),
        )),
        engine: EngineSlot {
            name: "athena".to_owned(),
            title: "moto".to_owned(),
            engine: Arc::new(engine),
        },
        context: QueryContext::default(),
        clipboard: Clipboard::Memory(Arc::default()),
        files: None,
        workspace: None,
        pricing: Pricing::default(),
        alternate: Err("one engine".to_owned()),
        cache: None,
        stores: None,
    };
    let mut state = AppState::new("moto", Buffer::new("query 1", SQL));
    state.hints.enabled = false;
    state.cost_guard.enabled = false;
    let mut app = App::new(state, services);
    app.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::ALT));
    crate::common::tui::settle(&mut app, |s| !s.is_running()).await;
    let executions = aws.athena.list_query_executions().send().await.unwrap();
    let id = QueryId(executions.query_execution_ids()[0].clone());
    assert!(
        sent_text(&aws, &id)
            .await
            .starts_with("UNLOAD (\nSELECT id")
    );
}
