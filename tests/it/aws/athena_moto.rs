//! The Athena engine against moto: start → poll → results, the S3 CSV fast path and its
//! fallback, cancel, workgroups, named queries and recent executions.
//!
//! moto hands out canned results first in first out per region, whatever the SQL, so each test
//! that seeds results uses a region of its own.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Int64Type;
use datafusion::arrow::record_batch::RecordBatch;
use quarry::backend::aws::{AthenaEngine, AwsOptions, UnloadMode, UnloadPolicy, Workspace};
use quarry::backend::{
    EngineKind, FetchPath, QueryContext, QueryEngine, QueryId, QueryState, ResultPage,
};
use quarry::cost::Pricing;

use super::moto::{clients, create_bucket, seed_athena_results};

async fn engine_in(region: &str, bucket: &str) -> (AthenaEngine, quarry::backend::aws::AwsClients) {
    let aws = clients(region).await;
    create_bucket(&aws, bucket).await;
    let options = AwsOptions {
        output_location: Some(format!("s3://{bucket}/out/")),
        // These tests are about the result CSV and `GetQueryResults`; `unload_moto` covers
        // UNLOAD.
        unload: UnloadPolicy {
            mode: UnloadMode::Never,
            ..UnloadPolicy::default()
        },
        ..AwsOptions::default()
    };
    (
        AthenaEngine::new(aws.clone(), options, Pricing::default(), 1_000_000),
        aws,
    )
}

async fn run(engine: &AthenaEngine, sql: &str) -> QueryId {
    let context = QueryContext {
        database: Some("logs_db".to_owned()),
        ..QueryContext::default()
    };
    let id = engine.submit(sql, &context).await.unwrap();
    let status = engine.wait(&id).await.unwrap();
    assert_eq!(status.state, QueryState::Succeeded, "{:?}", status.error);
    id
}

fn strings(page: &ResultPage, column: usize) -> Vec<Option<String>> {
    page.batches
        .iter()
        .flat_map(|b: &RecordBatch| {
            let array = b.column(column).as_string::<i32>().clone();
            (0..array.len()).map(move |i| array.is_valid(i).then(|| array.value(i).to_owned()))
        })
        .collect()
}

fn numbers(page: &ResultPage, column: usize) -> Vec<Option<i64>> {
    page.batches
        .iter()
        .flat_map(|b| {
            b.column(column)
                .as_primitive::<Int64Type>()
                .iter()
                .collect::<Vec<_>>()
        })
        .collect()
}

fn seed_small(region: &str) {
    seed_athena_results(
        region,
        &[("source", "varchar"), ("n", "bigint")],
        &[
            vec![Some("app"), Some("7")],
            vec![Some(""), None],
            vec![None, Some("-3")],
        ],
    );
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn athena_runs_a_query_and_reads_the_result_csv_from_s3() {
    let (engine, aws) = engine_in("us-west-1", "athena-fast-path").await;
    seed_small("us-west-1");
    let id = run(&engine, "SELECT source, n FROM logs").await;

    let status = engine.status(&id).await.unwrap();
    assert_eq!(status.stats.engine, EngineKind::Athena);
    // moto reports nothing scanned; a SELECT still pays Athena's 10 MB minimum.
    assert_eq!(status.stats.billed_bytes, 10 * 1024 * 1024);
    assert_eq!(
        status
            .stats
            .athena
            .as_ref()
            .unwrap()
            .statement_type
            .as_deref(),
        Some("DML")
    );

    let page = engine.results(&id, None, usize::MAX).await.unwrap();
    let fetch = page.fetch.clone().unwrap();
    assert_eq!(fetch.path, FetchPath::S3Csv);
    assert_eq!(fetch.rows, 3);
    assert_eq!(
        strings(&page, 0),
        [Some("app".to_owned()), Some(String::new()), None]
    );
    assert_eq!(numbers(&page, 1), [Some(7), None, Some(-3)]);
    assert!(!page.truncated);

    // The query went out with the context and workgroup quarry was given.
    let execution = aws
        .athena
        .get_query_execution()
        .query_execution_id(&id.0)
        .send()
        .await
        .unwrap();
    let execution = execution.query_execution().unwrap();
    assert_eq!(execution.work_group(), Some("primary"));
    assert_eq!(execution.query(), Some("SELECT source, n FROM logs"));
    assert_eq!(
        execution
            .query_execution_context()
            .and_then(|c| c.database()),
        Some("logs_db")
    );
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn without_a_readable_csv_results_come_from_the_api_with_nulls_kept_apart() {
    let (engine, aws) = engine_in("us-west-2", "athena-fallback").await;
    seed_small("us-west-2");
    let id = run(&engine, "SELECT source, n FROM logs").await;
    aws.s3
        .delete_object()
        .bucket("athena-fallback")
        .key(format!("out/{id}.csv"))
        .send()
        .await
        .unwrap();
    let page = engine.results(&id, None, usize::MAX).await.unwrap();
    let fetch = page.fetch.clone().unwrap();
    assert_eq!(fetch.path, FetchPath::ResultsApi);
    let reason = fetch.fallback_reason.unwrap();
    assert!(reason.contains("GetObject"), "{reason}");
    assert_eq!(
        strings(&page, 0),
        [Some("app".to_owned()), Some(String::new()), None]
    );
    assert_eq!(numbers(&page, 1), [Some(7), None, Some(-3)]);
}

/// One generated row: its id, message (NULL every 7th, empty every 11th, otherwise full of
/// commas, quotes and newlines) and level.
fn generated(i: i64) -> (i64, Option<String>, String) {
    let message = if i % 7 == 0 {
        None
    } else if i % 11 == 0 {
        Some(String::new())
    } else {
        Some(format!(
            "row {i}, said \"hi\"\nthen {}",
            "x,".repeat((i % 5) as usize)
        ))
    };
    (
        i,
        message,
        ["INFO", "WARN", "ERROR"][(i % 3) as usize].to_owned(),
    )
}

/// The row as Athena writes it: every value quoted with quotes doubled, NULL as nothing.
fn athena_csv_line(row: &(i64, Option<String>, String)) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let message = row.1.as_deref().map(quote).unwrap_or_default();
    format!(
        "{},{message},{}\n",
        quote(&row.0.to_string()),
        quote(&row.2)
    )
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn a_large_csv_with_quotes_commas_newlines_and_nulls_reads_back_exactly() {
    let (engine, aws) = engine_in("eu-west-1", "athena-large").await;
    seed_athena_results(
        "eu-west-1",
        &[
            ("id", "bigint"),
            ("message", "varchar"),
            ("level", "varchar"),
        ],
        &[vec![Some("0"), None, Some("INFO")]],
    );
    let id = run(&engine, "SELECT id, message, level FROM logs").await;
    // Replace moto's file with one written the way Athena writes it.
    let rows: Vec<_> = (1..=50_000).map(generated).collect();
    let mut csv = String::from("\"id\",\"message\",\"level\"\n");
    for row in &rows {
        csv.push_str(&athena_csv_line(row));
    }
    aws.s3
        .put_object()
        .bucket("athena-large")
        .key(format!("out/{id}.csv"))
        .body(csv.into_bytes().into())
        .send()
        .await
        .unwrap();
    let page = engine.results(&id, None, usize::MAX).await.unwrap();
    assert_eq!(page.fetch.as_ref().unwrap().path, FetchPath::S3Csv);
    let ids: Vec<i64> = numbers(&page, 0).into_iter().map(Option::unwrap).collect();
    let messages = strings(&page, 1);
    let levels = strings(&page, 2);
    assert_eq!(ids.len(), rows.len());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(ids[i], row.0);
        assert_eq!(messages[i], row.1, "row {}", row.0);
        assert_eq!(levels[i].as_deref(), Some(row.2.as_str()));
    }
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn the_row_limit_stops_the_download_and_marks_the_result_truncated() {
    let aws = clients("eu-west-2").await;
    create_bucket(&aws, "athena-limit").await;
    let options = AwsOptions {
        output_location: Some("s3://athena-limit/out/".to_owned()),
        ..AwsOptions::default()
    };
    let engine = AthenaEngine::new(aws.clone(), options, Pricing::default(), 1_000);
    let rows: Vec<Vec<Option<String>>> = (0..5_000)
        .map(|i| vec![Some(i.to_string()), Some(format!("m{i}"))])
        .collect();
    let borrowed: Vec<Vec<Option<&str>>> = rows
        .iter()
        .map(|r| r.iter().map(Option::as_deref).collect())
        .collect();
    seed_athena_results(
        "eu-west-2",
        &[("id", "bigint"), ("m", "varchar")],
        &borrowed,
    );
    let id = run(&engine, "SELECT * FROM logs").await;
    let page = engine.results(&id, None, usize::MAX).await.unwrap();
    let held: usize = page.batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(held, 1_000);
    assert!(page.truncated);
    assert_eq!(numbers(&page, 0)[999], Some(999));
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn cancel_stops_the_query_and_waits_for_athena_to_confirm() {
    let (engine, _aws) = engine_in("eu-central-1", "athena-cancel").await;
    seed_small("eu-central-1");
    let id = engine
        .submit("SELECT * FROM logs", &QueryContext::default())
        .await
        .unwrap();
    engine.cancel(&id).await.unwrap();
    let status = engine.wait(&id).await.unwrap();
    assert_eq!(status.state, QueryState::Cancelled);
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn an_unknown_workgroup_says_which_flag_to_set() {
    let aws = clients("ca-central-1").await;
    let options = AwsOptions {
        workgroup: "no-such-group".to_owned(),
        output_location: Some("s3://anything/out/".to_owned()),
        ..AwsOptions::default()
    };
    let engine = AthenaEngine::new(aws, options, Pricing::default(), 10);
    let error = engine
        .submit("SELECT 1", &QueryContext::default())
        .await
        .unwrap_err();
    assert!(error.message.contains("workgroup"), "{error}");
    assert!(error.message.contains("--workgroup"), "{error}");
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn named_queries_are_saved_and_listed_and_recent_executions_shown() {
    let (engine, aws) = engine_in("ap-south-1", "athena-workspace").await;
    let workspace = Workspace::new(aws.athena.clone(), "primary");
    let sql = "SELECT source, count(*) FROM logs GROUP BY source";
    let saved = workspace
        .save_named_query("errors by source", "logs_db", sql)
        .await
        .unwrap();
    let named = workspace.named_queries().await.unwrap();
    let found = named.iter().find(|q| q.id == saved).unwrap();
    assert_eq!(found.name, "errors by source");
    assert_eq!(found.database, "logs_db");
    assert_eq!(found.sql, sql);

    seed_small("ap-south-1");
    let id = run(&engine, "SELECT 42").await;
    let recent = workspace.recent_executions(20).await.unwrap();
    let execution = recent.iter().find(|e| e.id == id.0).unwrap();
    assert_eq!(execution.sql, "SELECT 42");
    assert_eq!(execution.state, QueryState::Succeeded);
}

/// Some statements declare no result columns (moto answers every unseeded query so): the run
/// succeeds with an empty result, read from the API, and says why the CSV was not used.
#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn a_result_without_columns_is_empty_not_an_error() {
    let (engine, _aws) = engine_in("ap-northeast-1", "athena-no-columns").await;
    let id = run(&engine, "INSERT INTO logs SELECT * FROM staging").await;
    let page = quarry::backend::all_results(&engine, &id).await.unwrap();
    assert!(page.schema.fields().is_empty());
    assert_eq!(
        page.batches
            .iter()
            .map(RecordBatch::num_rows)
            .sum::<usize>(),
        0
    );
    let fetch = page.fetch.unwrap();
    assert_eq!(fetch.path, FetchPath::ResultsApi);
    assert_eq!(
        fetch.fallback_reason.as_deref(),
        Some("the statement declared no result columns")
    );
}
