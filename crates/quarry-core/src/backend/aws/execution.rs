//! Athena's answers in quarry's plain model: an execution's state, statistics, cost and error,
//! result columns, and the stage tree of its runtime statistics.

use aws_sdk_athena::types::{QueryExecution, QueryExecutionState, QueryStage, StatementType};

use super::results::ResultColumn;
use crate::backend::{
    AthenaStats, EngineKind, QueryError, QueryErrorKind, QueryId, QueryState, QueryStats,
    QueryStatus, SqlPosition, StageStats,
};
use crate::cost::Pricing;

pub(super) fn non_negative(n: i64) -> u64 {
    n.max(0) as u64
}

pub(super) fn columns_of(
    result_set: Option<&aws_sdk_athena::types::ResultSet>,
) -> Vec<ResultColumn> {
    result_set
        .and_then(|r| r.result_set_metadata())
        .map(aws_sdk_athena::types::ResultSetMetadata::column_info)
        .unwrap_or_default()
        .iter()
        .map(|c| ResultColumn {
            name: c.name().to_owned(),
            athena_type: c.r#type().to_owned(),
            precision: c.precision(),
            scale: c.scale(),
        })
        .collect()
}

pub(super) fn flatten_stages(stage: &QueryStage, depth: usize, out: &mut Vec<StageStats>) {
    out.push(StageStats {
        id: stage.stage_id().unwrap_or_default(),
        depth,
        state: stage.state().map(str::to_owned),
        input_rows: stage.input_rows().map(non_negative),
        input_bytes: stage.input_bytes().map(non_negative),
        output_rows: stage.output_rows().map(non_negative),
        output_bytes: stage.output_bytes().map(non_negative),
        execution_ms: stage.execution_time().map(non_negative),
    });
    for sub in stage.sub_stages() {
        flatten_stages(sub, depth + 1, out);
    }
}

/// The state and statistics of an execution as quarry's plain model.
pub(super) fn status_of(id: &QueryId, execution: &QueryExecution, pricing: Pricing) -> QueryStatus {
    let status = execution.status();
    let state = match status.and_then(|s| s.state()) {
        Some(QueryExecutionState::Queued) | None => QueryState::Queued,
        Some(QueryExecutionState::Succeeded) => QueryState::Succeeded,
        Some(QueryExecutionState::Failed) => QueryState::Failed,
        Some(QueryExecutionState::Cancelled) => QueryState::Cancelled,
        Some(_) => QueryState::Running,
    };
    let statistics = execution.statistics();
    let ms = |value: Option<i64>| value.map(non_negative);
    let bytes_scanned =
        ms(statistics
            .and_then(aws_sdk_athena::types::QueryExecutionStatistics::data_scanned_in_bytes))
        .unwrap_or(0);
    // DDL and failed queries are free; everything else pays at least the minimum.
    let billed = matches!(execution.statement_type(), Some(StatementType::Dml))
        && state != QueryState::Failed;
    let billed_bytes = if billed {
        pricing.billed_bytes(bytes_scanned)
    } else {
        0
    };
    let query_stats = QueryStats {
        engine: EngineKind::Athena,
        bytes_scanned,
        billed_bytes,
        cost_usd: if billed {
            pricing.cost_usd(bytes_scanned)
        } else {
            0.0
        },
        queue_ms: ms(statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::query_queue_time_in_millis)),
        planning_ms: ms(statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::query_planning_time_in_millis)).unwrap_or(0),
        execution_ms: ms(statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::engine_execution_time_in_millis)).unwrap_or(0),
        total_ms: ms(statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::total_execution_time_in_millis)).unwrap_or(0),
        result_reused: statistics
            .and_then(|s| s.result_reuse_information())
            .is_some_and(aws_sdk_athena::types::ResultReuseInformation::reused_previous_result),
        athena: Some(AthenaStats {
            query_execution_id: id.0.clone(),
            workgroup: execution.work_group().map(str::to_owned),
            statement_type: execution.statement_type().map(|t| t.as_str().to_owned()),
            service_pre_processing_ms: ms(
                statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::service_pre_processing_time_in_millis)
            ),
            service_processing_ms: ms(
                statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::service_processing_time_in_millis)
            ),
            runtime: None,
        }),
        ..QueryStats::default()
    };
    let error = (state == QueryState::Failed).then(|| {
        let athena_error = status.and_then(|s| s.athena_error());
        let message = athena_error
            .and_then(|e| e.error_message())
            .or_else(|| status.and_then(|s| s.state_change_reason()))
            .unwrap_or("Athena reported the query failed without a reason")
            .to_owned();
        let position = sql_position(&message);
        let kind = if message.contains("mismatched input")
            || message.contains("extraneous input")
            || message.contains("SYNTAX_ERROR")
            || message.contains("no viable alternative")
        {
            QueryErrorKind::Syntax
        } else if athena_error.and_then(aws_sdk_athena::types::AthenaError::error_category)
            == Some(2)
        {
            // Category 2 is "user": bad names, types, permissions on data.
            QueryErrorKind::Planning
        } else {
            QueryErrorKind::Execution
        };
        QueryError {
            kind,
            message,
            position,
        }
    });
    QueryStatus {
        id: id.clone(),
        state,
        stats: query_stats,
        error,
    }
}

/// `line 3:15` in Athena's (Trino's) messages.
pub(super) fn sql_position(message: &str) -> Option<SqlPosition> {
    let at = message.find("line ")?;
    let rest = &message[at + 5..];
    let (line, rest) = rest.split_once(':')?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(SqlPosition {
        line: line.trim().parse().ok()?,
        column: column.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_come_from_trino_messages() {
        assert_eq!(
            sql_position("SYNTAX_ERROR: line 3:15: Column 'x' cannot be resolved"),
            Some(SqlPosition {
                line: 3,
                column: 15
            })
        );
        assert_eq!(
            sql_position("line 1:8: mismatched input 'form'"),
            Some(SqlPosition { line: 1, column: 8 })
        );
        assert_eq!(sql_position("Insufficient permissions"), None);
        assert_eq!(sql_position("pipeline 2: broken"), None);
    }
}
