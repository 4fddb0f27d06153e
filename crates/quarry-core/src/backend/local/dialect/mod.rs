//! Athena (Trino) SQL on the local engine: Trino's functions registered in DataFusion where it
//! lacks them or means something else by the same name, rewrites for the rest, and a clear
//! refusal, naming the construct, for what cannot run locally.

mod cast;
mod clauses;
mod joda;
mod json;
mod json_cast;
mod lambda;
mod maps;
mod reduce;
mod rewrite;
mod sequence;
mod strings;
mod text;
mod time;
mod trino_types;
mod udf;
mod unnest;
mod zones;

use datafusion::config::Dialect;
use datafusion::error::DataFusionError;
use datafusion::execution::context::{SQLOptions, SessionContext};
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::parser::Statement;

/// Adds Trino's functions to `ctx` (replacing DataFusion's `date_format`, `from_unixtime`,
/// `to_unixtime` and `split_part`, which differ from Trino's).
pub fn register(ctx: &SessionContext) {
    for function in time::functions()
        .into_iter()
        .chain(joda::functions())
        .chain(json::functions())
        .chain(text::functions())
        .chain(strings::functions())
        .chain(zones::functions())
        .chain(json_cast::functions())
    {
        ctx.register_udf(function);
    }
    ctx.register_udf(cast::function());
    ctx.register_udf(sequence::function());
    ctx.register_higher_order_function(reduce::function());
    ctx.add_analyzer_rule(std::sync::Arc::new(trino_types::TrinoTypes));
    for aggregate in maps::functions() {
        ctx.register_udaf(aggregate);
    }
}

/// Parses Athena SQL, rewrites it for DataFusion, and plans it under `options`.
pub async fn plan(
    ctx: &SessionContext,
    sql: &str,
    options: SQLOptions,
) -> Result<LogicalPlan, DataFusionError> {
    // Trino's parenthesised types (`ARRAY(VARCHAR)`) parse in neither dialect.
    let rewritten = json_cast::rewrite_casts(sql);
    let sql = rewritten.as_str();
    let state = ctx.state();
    // Athena's only `->` is a lambda's arrow; the generic dialect reads it as a JSON operator,
    // DuckDB's reads lambdas. Everything else parses alike, so the generic one stays the rule.
    let dialect = if sql.contains("->") {
        Dialect::DuckDB
    } else {
        state.config().options().sql_parser.dialect
    };
    let mut statement = state.sql_to_statement(sql, &dialect)?;
    if let Statement::Statement(inner) = &mut statement {
        rewrite::rewrite(inner).map_err(|why| DataFusionError::Plan(why.to_string()))?;
    }
    let plan = state.statement_to_plan(statement).await?;
    options.verify_plan(&plan)?;
    Ok(plan)
}

/// DataFusion's "Invalid function 'x'" reworded for an Athena user: the function may well exist
/// in Athena, it is the local engine that lacks it. `None` for other messages.
pub fn explain_missing_function(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("Invalid function '")?;
    let (name, rest) = rest.split_once('\'')?;
    let suggestion = rest
        .split_once("Did you mean '")
        .and_then(|(_, s)| s.split_once('\''))
        .map(|(s, _)| format!("; did you mean {s}()?"))
        .unwrap_or_default();
    Some(format!(
        "{name}() cannot run on the local engine: neither DataFusion nor quarry's Athena layer \
         has it{suggestion} (if Athena has it: --engine athena)"
    ))
}
