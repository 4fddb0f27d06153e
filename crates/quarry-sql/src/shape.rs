//! What a statement's result looks like before it runs, as far as the text tells: whether it
//! returns rows at all, whether their order is part of the answer, and an upper bound on how
//! many there are. The Athena source uses it to choose how to fetch a result (UNLOAD to
//! Parquet for big ones, the result CSV for small or ordered ones).

use sqlparser::ast::{
    Expr, FunctionArguments, GroupByExpr, LimitClause, Query, SelectItem, SetExpr, Statement, Value,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// The shape of one statement's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultShape {
    /// DDL, DML, `SHOW`, `EXPLAIN`, `DESCRIBE`…: not a query whose rows can be unloaded.
    NotAQuery,
    /// A query (`SELECT`, `WITH`, `VALUES`, set operations).
    Query {
        /// The outermost query sorts its rows: the order is part of the answer.
        ordered: bool,
        /// The most rows it can return, when the text bounds it (`LIMIT`, `FETCH FIRST`, a
        /// `SELECT` of aggregates without `GROUP BY`, `VALUES`).
        at_most: Option<u64>,
    },
}

/// Aggregates whose `SELECT` without `GROUP BY` returns exactly one row (Trino's common ones).
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "count_if",
    "approx_distinct",
    "approx_percentile",
    "approx_most_frequent",
    "arbitrary",
    "any_value",
    "array_agg",
    "bool_and",
    "bool_or",
    "every",
    "max_by",
    "min_by",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "variance",
    "var_pop",
    "var_samp",
    "histogram",
    "map_agg",
    "checksum",
];

/// The shape of `sql`, a single statement; `None` when it does not parse as one.
pub fn result_shape(sql: &str) -> Option<ResultShape> {
    let statements = Parser::parse_sql(&GenericDialect {}, sql).ok()?;
    let [statement] = statements.as_slice() else {
        return None;
    };
    Some(match statement {
        Statement::Query(query) => ResultShape::Query {
            ordered: query.order_by.is_some(),
            at_most: bound(query),
        },
        _ => ResultShape::NotAQuery,
    })
}

fn bound(query: &Query) -> Option<u64> {
    let limit = match &query.limit_clause {
        Some(
            LimitClause::LimitOffset {
                limit: Some(limit), ..
            }
            | LimitClause::OffsetCommaLimit { limit, .. },
        ) => number(limit),
        _ => None,
    };
    let fetch = query
        .fetch
        .as_ref()
        .filter(|f| !f.percent && !f.with_ties)
        .and_then(|f| f.quantity.as_ref())
        .and_then(number);
    let body = body_bound(&query.body);
    [limit, fetch, body].into_iter().flatten().min()
}

fn body_bound(body: &SetExpr) -> Option<u64> {
    match body {
        SetExpr::Select(select) => {
            let grouped = match &select.group_by {
                GroupByExpr::All(_) => true,
                GroupByExpr::Expressions(expressions, _) => !expressions.is_empty(),
            };
            let all_aggregates = !select.projection.is_empty()
                && select.projection.iter().all(|item| match item {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                        is_aggregate(e)
                    }
                    _ => false,
                });
            (!grouped && select.having.is_none() && all_aggregates).then_some(1)
        }
        SetExpr::Values(values) => Some(values.rows.len() as u64),
        SetExpr::Query(inner) => bound(inner),
        _ => None,
    }
}

fn is_aggregate(expr: &Expr) -> bool {
    match expr {
        Expr::Function(function) => {
            let name = function
                .name
                .0
                .last()
                .and_then(|part| part.as_ident())
                .map(|ident| ident.value.to_ascii_lowercase())
                .unwrap_or_default();
            function.over.is_none()
                && AGGREGATES.contains(&name.as_str())
                && !matches!(function.args, FunctionArguments::None)
        }
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => is_aggregate(inner),
        _ => false,
    }
}

fn number(expr: &Expr) -> Option<u64> {
    match expr {
        Expr::Value(value) => match &value.value {
            Value::Number(text, _) => text.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unnecessary_wraps)] // compared with `result_shape`'s answer
    fn query(ordered: bool, at_most: Option<u64>) -> Option<ResultShape> {
        Some(ResultShape::Query { ordered, at_most })
    }

    #[test]
    fn limits_and_orders_are_read_from_the_outermost_query() {
        assert_eq!(result_shape("SELECT * FROM logs"), query(false, None));
        assert_eq!(
            result_shape("SELECT * FROM logs ORDER BY ts LIMIT 50"),
            query(true, Some(50))
        );
        assert_eq!(
            result_shape("SELECT * FROM logs FETCH FIRST 7 ROWS ONLY"),
            query(false, Some(7))
        );
        // An inner LIMIT bounds nothing about the outer join's rows.
        assert_eq!(
            result_shape("SELECT * FROM (SELECT * FROM a LIMIT 5) x CROSS JOIN b"),
            query(false, None)
        );
        assert_eq!(
            result_shape("WITH t AS (SELECT 1 AS a) SELECT a FROM t ORDER BY a"),
            query(true, None)
        );
    }

    #[test]
    fn global_aggregates_and_values_are_bounded() {
        assert_eq!(
            result_shape("SELECT count(*), max(ts) AS last FROM logs WHERE year = '2023'"),
            query(false, Some(1))
        );
        assert_eq!(
            result_shape("SELECT status, count(*) FROM logs GROUP BY status"),
            query(false, None)
        );
        assert_eq!(
            result_shape("SELECT count(*) FROM logs HAVING count(*) > 1"),
            query(false, None)
        );
        assert_eq!(
            result_shape("SELECT row_number() OVER () FROM logs"),
            query(false, None)
        );
        assert_eq!(result_shape("VALUES (1), (2), (3)"), query(false, Some(3)));
    }

    #[test]
    fn statements_that_are_not_queries() {
        assert_eq!(
            result_shape("CREATE TABLE t (a INT)"),
            Some(ResultShape::NotAQuery)
        );
        assert_eq!(result_shape("DROP TABLE t"), Some(ResultShape::NotAQuery));
        assert_eq!(result_shape("SELECT * FROM ("), None);
        assert_eq!(result_shape("SELECT 1; SELECT 2"), None);
    }
}
