//! What moto cannot do, on the real SDK clients with `aws-smithy-mocks`: several result pages,
//! live statistics, failures with positions, cancel confirmation, throttling and expired
//! credentials, and Glue's parallel segments.

use std::time::Duration;

use aws_sdk_athena::operation::get_query_execution::GetQueryExecutionOutput;
use aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_athena::operation::get_query_runtime_statistics::GetQueryRuntimeStatisticsOutput;
use aws_sdk_athena::operation::start_query_execution::StartQueryExecutionOutput;
use aws_sdk_athena::operation::stop_query_execution::StopQueryExecutionOutput;
use aws_sdk_athena::types::{
    AthenaError, ColumnInfo, Datum, QueryExecution, QueryExecutionState, QueryExecutionStatistics,
    QueryExecutionStatus, QueryRuntimeStatistics, QueryRuntimeStatisticsRows, QueryStage,
    ResultReuseInformation, ResultSet, ResultSetMetadata, Row, StatementType,
};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Int64Type;
use quarry::backend::aws::{AthenaEngine, AwsClients, AwsOptions, GlueCatalog};
use quarry::backend::{
    Catalog, FetchPath, QueryContext, QueryEngine, QueryErrorKind, QueryId, QueryState, TableName,
};
use quarry::cost::Pricing;

const MB: i64 = 1 << 20;

/// A real SDK client of `$sdk` answered by `rules`. `aws_smithy_mocks::mock_client!` would need
/// the SDK crates' `test-util` feature, which brings the legacy hyper 0.14 stack into the build;
/// this sets the few test defaults it sets (region, static credentials) by hand.
macro_rules! mocked_client {
    ($sdk:ident, $rules:expr) => {
        mocked_client!($sdk, $rules, |c| c)
    };
    ($sdk:ident, $rules:expr, $extra:expr) => {{
        fn coerce<T: Fn($sdk::config::Builder) -> $sdk::config::Builder>(f: T) -> T {
            f
        }
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        let builder = $sdk::config::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .region($sdk::config::Region::new("us-east-1"))
            .credentials_provider($sdk::config::Credentials::new(
                "test", "test", None, None, "mocks",
            ))
            .http_client(create_mock_http_client())
            .interceptor(interceptor);
        $sdk::Client::from_conf(coerce($extra)(builder).build())
    }};
}

fn retry() -> aws_sdk_athena::config::retry::RetryConfig {
    aws_sdk_athena::config::retry::RetryConfig::standard()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(1))
}

/// Clients whose Athena answers from `athena_rules` and Glue from `glue_rules`. Athena has no
/// runtime statistics unless a rule gives them, as for DDL or very short queries.
pub(super) fn clients(athena_rules: &[&Rule], glue_rules: &[&Rule]) -> AwsClients {
    let no_statistics = mock!(aws_sdk_athena::Client::get_query_runtime_statistics)
        .sequence()
        .http_status(
            400,
            Some(
                r#"{"__type":"InvalidRequestException","Message":"no runtime statistics"}"#
                    .to_owned(),
            ),
        )
        .repeatedly()
        .build();
    // A workgroup without a result location of its own: with none configured either, UNLOAD
    // has nowhere to write and results come from `GetQueryResults`.
    let workgroup = mock!(aws_sdk_athena::Client::get_work_group)
        .sequence()
        .output(|| aws_sdk_athena::operation::get_work_group::GetWorkGroupOutput::builder().build())
        .repeatedly()
        .build();
    let mut athena_rules = athena_rules.to_vec();
    athena_rules.push(&no_statistics);
    athena_rules.push(&workgroup);
    let athena = mocked_client!(aws_sdk_athena, &athena_rules, |c| c.retry_config(retry()));
    let glue = mocked_client!(aws_sdk_glue, glue_rules, |c| c.retry_config(retry()));
    let no_rules: &[&Rule] = &[];
    let s3 = mocked_client!(aws_sdk_s3, no_rules);
    AwsClients {
        glue,
        athena,
        s3,
        region: "us-east-1".to_owned(),
        credentials: None,
        endpoint_url: None,
    }
}

pub(super) fn engine(clients: AwsClients) -> AthenaEngine {
    AthenaEngine::new(
        clients,
        AwsOptions::default(),
        Pricing::default(),
        1_000_000,
    )
}

fn start(id: &'static str) -> Rule {
    mock!(aws_sdk_athena::Client::start_query_execution).then_output(move || {
        StartQueryExecutionOutput::builder()
            .query_execution_id(id)
            .build()
    })
}

fn execution(state: QueryExecutionState, scanned: i64) -> GetQueryExecutionOutput {
    GetQueryExecutionOutput::builder()
        .query_execution(
            QueryExecution::builder()
                .query_execution_id("q")
                .statement_type(StatementType::Dml)
                .work_group("primary")
                .status(QueryExecutionStatus::builder().state(state).build())
                .statistics(
                    QueryExecutionStatistics::builder()
                        .data_scanned_in_bytes(scanned)
                        .build(),
                )
                .build(),
        )
        .build()
}

fn header_and(rows: &[&[Option<&str>]], header: Option<&[&str]>) -> ResultSet {
    let mut set = ResultSet::builder().result_set_metadata(
        ResultSetMetadata::builder()
            .column_info(
                ColumnInfo::builder()
                    .name("id")
                    .r#type("bigint")
                    .build()
                    .unwrap(),
            )
            .column_info(
                ColumnInfo::builder()
                    .name("msg")
                    .r#type("varchar")
                    .build()
                    .unwrap(),
            )
            .build(),
    );
    if let Some(names) = header {
        let mut row = Row::builder();
        for name in names {
            row = row.data(Datum::builder().var_char_value(*name).build());
        }
        set = set.rows(row.build());
    }
    for cells in rows {
        let mut row = Row::builder();
        for cell in *cells {
            let mut datum = Datum::builder();
            if let Some(value) = cell {
                datum = datum.var_char_value(*value);
            }
            row = row.data(datum.build());
        }
        set = set.rows(row.build());
    }
    set.build()
}

async fn submit(engine: &AthenaEngine) -> QueryId {
    engine
        .submit("SELECT id, msg FROM logs", &QueryContext::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn result_pages_follow_next_tokens_and_skip_the_header_once() {
    let succeeded = mock!(aws_sdk_athena::Client::get_query_execution)
        .then_output(|| execution(QueryExecutionState::Succeeded, 0));
    let page1 = mock!(aws_sdk_athena::Client::get_query_results)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            GetQueryResultsOutput::builder()
                .result_set(header_and(
                    &[&[Some("1"), Some("a")], &[Some("2"), Some("")]],
                    Some(&["id", "msg"]),
                ))
                .next_token("t1")
                .build()
        });
    let page2 = mock!(aws_sdk_athena::Client::get_query_results)
        .match_requests(|r| r.next_token() == Some("t1"))
        .then_output(|| {
            GetQueryResultsOutput::builder()
                .result_set(header_and(
                    &[&[Some("3"), None], &[Some("4"), Some("d")]],
                    None,
                ))
                .next_token("t2")
                .build()
        });
    let page3 = mock!(aws_sdk_athena::Client::get_query_results)
        .match_requests(|r| r.next_token() == Some("t2"))
        .then_output(|| {
            GetQueryResultsOutput::builder()
                .result_set(header_and(&[&[Some("5"), Some("e")]], None))
                .build()
        });
    let runtime = mock!(aws_sdk_athena::Client::get_query_runtime_statistics).then_output(|| {
        GetQueryRuntimeStatisticsOutput::builder()
            .query_runtime_statistics(
                QueryRuntimeStatistics::builder()
                    .rows(
                        QueryRuntimeStatisticsRows::builder()
                            .input_rows(1_000)
                            .input_bytes(64_000)
                            .output_rows(5)
                            .output_bytes(80)
                            .build(),
                    )
                    .output_stage(
                        QueryStage::builder()
                            .stage_id(0)
                            .state("FINISHED")
                            .sub_stages(QueryStage::builder().stage_id(1).output_rows(5).build())
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let started = start("q-pages");
    let engine = engine(clients(
        &[&started, &succeeded, &page1, &page2, &page3, &runtime],
        &[],
    ));
    let id = submit(&engine).await;
    let status = engine.wait(&id).await.unwrap();
    assert_eq!(status.stats.rows, 5);
    let runtime_stats = status.stats.athena.unwrap().runtime.unwrap();
    assert_eq!(runtime_stats.input_rows, Some(1_000));
    let stages: Vec<_> = runtime_stats
        .stages
        .iter()
        .map(|s| (s.id, s.depth))
        .collect();
    assert_eq!(stages, [(0, 0), (1, 1)]);

    let page = quarry::backend::all_results(&engine, &id).await.unwrap();
    let fetch = page.fetch.clone().unwrap();
    assert_eq!(fetch.path, FetchPath::ResultsApi);
    assert_eq!(fetch.rows, 5);
    assert!(fetch.fallback_reason.unwrap().contains("managed results"));
    let ids: Vec<_> = page
        .batches
        .iter()
        .flat_map(|b| {
            b.column(0)
                .as_primitive::<Int64Type>()
                .iter()
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(ids, [Some(1), Some(2), Some(3), Some(4), Some(5)]);
    let messages: Vec<Option<String>> = page
        .batches
        .iter()
        .flat_map(|b| {
            let m = b.column(1).as_string::<i32>().clone();
            (0..m.len()).map(move |i| m.is_valid(i).then(|| m.value(i).to_owned()))
        })
        .collect();
    assert_eq!(messages[1].as_deref(), Some(""));
    assert_eq!(messages[2], None);
    assert_eq!(page1.num_calls() + page2.num_calls() + page3.num_calls(), 3);
}

#[tokio::test]
async fn a_page_at_a_time_hands_back_athenas_token() {
    let succeeded = mock!(aws_sdk_athena::Client::get_query_execution)
        .then_output(|| execution(QueryExecutionState::Succeeded, 0));
    let page1 = mock!(aws_sdk_athena::Client::get_query_results)
        .match_requests(|r| r.next_token().is_none() && r.max_results() == Some(3))
        .then_output(|| {
            GetQueryResultsOutput::builder()
                .result_set(header_and(
                    &[&[Some("1"), Some("a")], &[Some("2"), Some("b")]],
                    Some(&["id", "msg"]),
                ))
                .next_token("more")
                .build()
        });
    let started = start("q-one-page");
    let engine = engine(clients(&[&started, &succeeded, &page1], &[]));
    let id = submit(&engine).await;
    engine.wait(&id).await.unwrap();
    // Two rows asked for: one call of three (the header and two rows), and the token back.
    let page = engine.results(&id, None, 2).await.unwrap();
    assert_eq!(
        page.batches
            .iter()
            .map(datafusion::arrow::array::RecordBatch::num_rows)
            .sum::<usize>(),
        2
    );
    assert_eq!(page.next_token.as_deref(), Some("more"));
}

#[tokio::test]
async fn live_statistics_grow_while_running_and_the_final_ones_are_complete() {
    let polls = mock!(aws_sdk_athena::Client::get_query_execution)
        .sequence()
        .output(|| execution(QueryExecutionState::Queued, 0))
        .output(|| execution(QueryExecutionState::Running, MB))
        .output(|| execution(QueryExecutionState::Running, 5 * MB))
        .output(|| {
            GetQueryExecutionOutput::builder()
                .query_execution(
                    QueryExecution::builder()
                        .query_execution_id("q")
                        .statement_type(StatementType::Dml)
                        .status(
                            QueryExecutionStatus::builder()
                                .state(QueryExecutionState::Succeeded)
                                .build(),
                        )
                        .statistics(
                            QueryExecutionStatistics::builder()
                                .data_scanned_in_bytes(25 * MB + 1)
                                .query_queue_time_in_millis(120)
                                .service_pre_processing_time_in_millis(30)
                                .query_planning_time_in_millis(200)
                                .engine_execution_time_in_millis(1_500)
                                .service_processing_time_in_millis(40)
                                .total_execution_time_in_millis(1_890)
                                .result_reuse_information(
                                    ResultReuseInformation::builder()
                                        .reused_previous_result(true)
                                        .build(),
                                )
                                .build(),
                        )
                        .build(),
                )
                .build()
        })
        .build();
    let started = start("q-live");
    let engine = engine(clients(&[&started, &polls], &[]));
    let id = submit(&engine).await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        let status = engine.status(&id).await.unwrap();
        seen.push((status.state, status.stats.bytes_scanned));
        // Past the status cache, as the progress ticker would be.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let mb = MB as u64;
    assert_eq!(
        seen,
        [
            (QueryState::Queued, 0),
            (QueryState::Running, mb),
            (QueryState::Running, 5 * mb),
            (QueryState::Succeeded, 25 * mb + 1),
        ]
    );
    let last = engine.status(&id).await.unwrap().stats;
    assert_eq!(last.billed_bytes, 26 * mb, "rounded up to the next MB");
    assert!((last.cost_usd - 26.0 / 1_048_576.0 * 5.0).abs() < 1e-12);
    assert_eq!(last.queue_ms, Some(120));
    assert_eq!(
        (last.planning_ms, last.execution_ms, last.total_ms),
        (200, 1_500, 1_890)
    );
    let athena = last.athena.unwrap();
    assert_eq!(athena.service_pre_processing_ms, Some(30));
    assert_eq!(athena.service_processing_ms, Some(40));
    assert!(last.result_reused);
    // A terminal status is not asked again.
    assert_eq!(polls.num_calls(), 4);
}

#[tokio::test]
async fn a_failed_query_shows_athenas_message_and_position_and_costs_nothing() {
    let failed = mock!(aws_sdk_athena::Client::get_query_execution).then_output(|| {
        GetQueryExecutionOutput::builder()
            .query_execution(
                QueryExecution::builder()
                    .statement_type(StatementType::Dml)
                    .status(
                        QueryExecutionStatus::builder()
                            .state(QueryExecutionState::Failed)
                            .state_change_reason("the query failed")
                            .athena_error(
                                AthenaError::builder()
                                    .error_category(2)
                                    .error_type(1006)
                                    .error_message(
                                        "COLUMN_NOT_FOUND: line 2:9: Column 'sorce' cannot be resolved",
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .statistics(QueryExecutionStatistics::builder().data_scanned_in_bytes(0).build())
                    .build(),
            )
            .build()
    });
    let started = start("q-failed");
    let engine = engine(clients(&[&started, &failed], &[]));
    let id = submit(&engine).await;
    let status = engine.wait(&id).await.unwrap();
    assert_eq!(status.state, QueryState::Failed);
    let error = status.error.unwrap();
    assert_eq!(error.kind, QueryErrorKind::Planning);
    assert!(error.message.contains("Column 'sorce' cannot be resolved"));
    let position = error.position.unwrap();
    assert_eq!((position.line, position.column), (2, 9));
    assert_eq!(status.stats.billed_bytes, 0);
    assert!(status.stats.cost_usd.abs() < f64::EPSILON);
}

#[tokio::test]
async fn cancel_returns_once_athena_confirms_the_query_is_cancelled() {
    let stop = mock!(aws_sdk_athena::Client::stop_query_execution)
        .then_output(|| StopQueryExecutionOutput::builder().build());
    let polls = mock!(aws_sdk_athena::Client::get_query_execution)
        .sequence()
        .output(|| execution(QueryExecutionState::Running, 3 * MB))
        .output(|| execution(QueryExecutionState::Running, 4 * MB))
        .output(|| execution(QueryExecutionState::Cancelled, 4 * MB))
        .build();
    let started = start("q-cancel");
    let engine = engine(clients(&[&started, &stop, &polls], &[]));
    let id = submit(&engine).await;
    engine.cancel(&id).await.unwrap();
    assert_eq!(stop.num_calls(), 1);
    let status = engine.status(&id).await.unwrap();
    assert_eq!(status.state, QueryState::Cancelled);
    // A cancelled query is billed for what it scanned, with the minimum.
    assert_eq!(status.stats.billed_bytes, 10 * MB as u64);
}

fn throttled(code: &str) -> String {
    format!(r#"{{"__type":"{code}","message":"Rate exceeded"}}"#)
}

#[tokio::test]
async fn throttling_and_unavailable_answers_are_retried_until_they_succeed() {
    let start_rule = mock!(aws_sdk_athena::Client::start_query_execution)
        .sequence()
        .http_status(400, Some(throttled("TooManyRequestsException")))
        .output(|| {
            StartQueryExecutionOutput::builder()
                .query_execution_id("q-throttled")
                .build()
        })
        .build();
    let polls = mock!(aws_sdk_athena::Client::get_query_execution)
        .sequence()
        .http_status(400, Some(throttled("ThrottlingException")))
        .http_status(503, None)
        .output(|| execution(QueryExecutionState::Succeeded, 0))
        .build();
    let engine = engine(clients(&[&start_rule, &polls], &[]));
    let id = submit(&engine).await;
    assert_eq!(id.0, "q-throttled");
    let status = engine.status(&id).await.unwrap();
    assert_eq!(status.state, QueryState::Succeeded);
    assert_eq!(start_rule.num_calls(), 2);
    assert_eq!(polls.num_calls(), 3);
}

#[tokio::test]
async fn throttling_that_never_ends_is_reported_not_hung() {
    let polls = mock!(aws_sdk_athena::Client::get_query_execution)
        .sequence()
        .http_status(400, Some(throttled("ThrottlingException")))
        .repeatedly()
        .build();
    let started = start("q-always-throttled");
    let engine = engine(clients(&[&started, &polls], &[]));
    let id = submit(&engine).await;
    let error = engine.status(&id).await.unwrap_err();
    assert!(error.message.contains("throttling"), "{error}");
    assert_eq!(
        polls.num_calls(),
        4,
        "every attempt the retry policy allows"
    );
}

#[tokio::test]
async fn expired_credentials_say_how_to_refresh_them() {
    let expired = mock!(aws_sdk_athena::Client::start_query_execution)
        .sequence()
        .http_status(
            400,
            Some(
                r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#
                    .to_owned(),
            ),
        )
        .build();
    let engine = engine(clients(&[&expired], &[]));
    let error = engine
        .submit("SELECT 1", &QueryContext::default())
        .await
        .unwrap_err();
    assert!(
        error.message.contains("credentials have expired"),
        "{error}"
    );
    assert!(error.message.contains("aws sso login"), "{error}");
}

#[tokio::test]
async fn access_denied_names_the_call_and_the_permission_fix() {
    let denied = mock!(aws_sdk_glue::Client::get_databases)
        .sequence()
        .http_status(
            400,
            Some(
                r#"{"__type":"AccessDeniedException","Message":"User: arn:aws:iam::1:user/dev is not authorized to perform: glue:GetDatabases"}"#
                    .to_owned(),
            ),
        )
        .build();
    let aws = clients(&[], &[&denied]);
    let catalog = GlueCatalog::new(aws.glue, aws.s3);
    let error = catalog.databases().await.unwrap_err().to_string();
    assert!(error.contains("AWS denied Glue GetDatabases"), "{error}");
    assert!(
        error.contains("glue:GetDatabases") && error.contains("IAM"),
        "{error}"
    );
}

#[tokio::test]
async fn partitions_are_counted_with_parallel_segments_each_paged() {
    use aws_sdk_glue::operation::get_partitions::GetPartitionsOutput;
    use aws_sdk_glue::types::Partition;
    // Segments are disjoint: segment s holds values s-0, s-1, ….
    let page = |segment: i32, n: usize, token: Option<String>| {
        let mut output = GetPartitionsOutput::builder();
        for i in 0..n {
            output = output.partitions(
                Partition::builder()
                    .values(format!("{segment}-{i}"))
                    .build(),
            );
        }
        output.set_next_token(token).build()
    };
    let mut rules = Vec::new();
    for segment in 0..4 {
        let first = mock!(aws_sdk_glue::Client::get_partitions)
            .match_requests(move |r| {
                r.segment()
                    .map(|s| (s.segment_number(), s.total_segments()))
                    == Some((segment, 4))
                    && r.next_token().is_none()
                    && r.expression() == Some("year = '2023'")
            })
            .then_output(move || page(segment, 3, Some(format!("s{segment}"))));
        let second = mock!(aws_sdk_glue::Client::get_partitions)
            .match_requests(move |r| {
                r.segment()
                    .map(aws_sdk_glue::types::Segment::segment_number)
                    == Some(segment)
                    && r.next_token() == Some(format!("s{segment}").as_str())
            })
            .then_output(move || page(segment, segment as usize, None));
        rules.push(first);
        rules.push(second);
    }
    let refs: Vec<&Rule> = rules.iter().collect();
    let aws = clients(&[], &refs);
    let catalog = GlueCatalog::new(aws.glue, aws.s3);
    let count = catalog
        .count_partitions(&TableName::new("logs_db", "logs"), Some("year = '2023'"))
        .await
        .unwrap();
    assert_eq!(count, 4 * 3 + (1 + 2 + 3));
    assert!(rules.iter().all(|r| r.num_calls() == 1));
}
