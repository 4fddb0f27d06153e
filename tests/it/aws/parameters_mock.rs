//! Query parameters reach Athena as `ExecutionParameters` on `StartQueryExecution`, beside SQL
//! that holds only `?`: moto ignores the field, so the request is checked on the real SDK
//! client with `aws-smithy-mocks`.

use aws_sdk_athena::operation::start_query_execution::StartQueryExecutionOutput;
use aws_smithy_mocks::mock;
use quarry::backend::{QueryContext, QueryEngine};
use quarry::sql::params::{ParamValue, positional};

#[tokio::test]
async fn values_travel_as_execution_parameters_never_in_the_sql() {
    let sql = "SELECT * FROM logs WHERE source = :source AND status > ? AND note = :source";
    let attack = ParamValue::parse("x'; DROP TABLE logs; --");
    let values = [attack, ParamValue::parse("499")];
    let (text, ordered) = positional(sql, &values).unwrap();
    let expected_sql = "SELECT * FROM logs WHERE source = ? AND status > ? AND note = ?";
    let expected_parameters = [
        "'x''; DROP TABLE logs; --'",
        "499",
        "'x''; DROP TABLE logs; --'",
    ];
    let start = mock!(aws_sdk_athena::Client::start_query_execution)
        .match_requests(move |request| {
            request.query_string() == Some(expected_sql)
                && request.execution_parameters() == expected_parameters
        })
        .then_output(|| {
            StartQueryExecutionOutput::builder()
                .query_execution_id("q-params")
                .build()
        });
    let engine = super::mocks::engine(super::mocks::clients(&[&start], &[]));
    let context = QueryContext {
        database: Some("logs_db".to_owned()),
        parameters: ordered,
        ..QueryContext::default()
    };
    let id = engine.submit(&text, &context).await.unwrap();
    assert_eq!(id.0, "q-params");
    assert_eq!(
        start.num_calls(),
        1,
        "the request matched: SQL and parameters apart"
    );
}
