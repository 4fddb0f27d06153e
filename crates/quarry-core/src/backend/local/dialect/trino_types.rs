//! Trino's decimals. A literal such as `100.0` is a DECIMAL in Trino (DataFusion is told to
//! parse it so), and a decimal quotient keeps the larger of the two scales, rounded half up:
//! the AWS ALB page's `count(target_ip) * 100.0 / (SELECT count(*) …)` answers `33.3`, where
//! DataFusion's own rule (four more digits) gives `33.33333`. This analyzer rule, run after
//! type coercion, casts each decimal quotient in a select list to Trino's scale, and each
//! `avg` of a decimal back to its argument's scale, as Trino types it; and a timestamp cast to
//! text reads as Trino writes it.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::{BinaryExpr, Cast, Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::optimizer::AnalyzerRule;

/// Trino's types where DataFusion's differ: decimal quotients and averages, timestamps as text.
#[derive(Debug, Default)]
pub struct TrinoTypes;

impl AnalyzerRule for TrinoTypes {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            if let LogicalPlan::Filter(_) = &node {
                let Some(input) = node.inputs().first().map(|i| Arc::clone(i.schema())) else {
                    return Ok(Transformed::no(node));
                };
                return node.map_expressions(|expr| {
                    expr.transform_up(|e| Ok(trino_timestamp_text(e, &input)))
                });
            }
            let in_projection = matches!(node, LogicalPlan::Projection(_));
            if !in_projection && !matches!(node, LogicalPlan::Aggregate(_)) {
                return Ok(Transformed::no(node));
            }
            let Some(input) = node.inputs().first().map(|i| Arc::clone(i.schema())) else {
                return Ok(Transformed::no(node));
            };
            let transformed = node.map_expressions(|expr| {
                // The output names must not change: columns above refer to them.
                let name = expr.schema_name().to_string();
                let was_alias = matches!(expr, Expr::Alias(_));
                let rewritten = expr.transform_up(|e| {
                    // Grouping keys (`GROUP BY CAST(ts AS VARCHAR)`) only need the text form.
                    if !in_projection {
                        return Ok(trino_timestamp_text(e, &input));
                    }
                    trino_quotient(e, &input)
                        .transform_data(|e| Ok(trino_average(e, &input)))?
                        .transform_data(|e| Ok(trino_timestamp_text(e, &input)))
                })?;
                Ok(if rewritten.transformed && !was_alias {
                    rewritten.update_data(|e| e.alias(name))
                } else {
                    rewritten
                })
            })?;
            if transformed.transformed {
                transformed.map_data(LogicalPlan::recompute_schema)
            } else {
                Ok(transformed)
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &'static str {
        "trino_types"
    }
}

/// `a / b` of two decimals, cast to Trino's result scale.
fn trino_quotient(expr: Expr, schema: &DFSchema) -> Transformed<Expr> {
    let Expr::BinaryExpr(BinaryExpr {
        left,
        op: Operator::Divide,
        right,
    }) = &expr
    else {
        return Transformed::no(expr);
    };
    let (Ok(left_type), Ok(right_type)) = (left.get_type(schema), right.get_type(schema)) else {
        return Transformed::no(expr);
    };
    let (Some(left_scale), Some(right_scale)) = (scale(&left_type), scale(&right_type)) else {
        return Transformed::no(expr);
    };
    let Ok(DataType::Decimal128(precision, _)) = expr.get_type(schema) else {
        return Transformed::no(expr);
    };
    let target = left_scale.max(right_scale);
    let precision = precision.max(u8::try_from(target).unwrap_or(38)).min(38);
    Transformed::yes(Expr::Cast(Cast::new(
        Box::new(expr),
        DataType::Decimal128(precision, target),
    )))
}

/// A reference to an aggregate's `avg` of a decimal, cast back to the argument's scale:
/// Trino's `avg(decimal(p, s))` is a `decimal(p, s)`, DataFusion's has four more digits.
fn trino_average(expr: Expr, schema: &DFSchema) -> Transformed<Expr> {
    let Expr::Column(column) = &expr else {
        return Transformed::no(expr);
    };
    if !column.name.to_ascii_lowercase().starts_with("avg(") {
        return Transformed::no(expr);
    }
    let Ok(DataType::Decimal128(precision, scale)) = expr.get_type(schema) else {
        return Transformed::no(expr);
    };
    // DataFusion widens avg(decimal(p, s)) to decimal(p + 4, s + 4), capped at 38.
    if scale < 4 || precision >= 38 {
        return Transformed::no(expr);
    }
    Transformed::yes(Expr::Cast(Cast::new(
        Box::new(expr),
        DataType::Decimal128(precision - 4, scale - 4),
    )))
}

/// `CAST(ts AS VARCHAR)` as Trino writes a timestamp, `2024-02-26 10:11:12.123` (DataFusion:
/// `2024-02-26T10:11:12.123`), so text comparisons and concatenations agree with Athena.
fn trino_timestamp_text(expr: Expr, schema: &DFSchema) -> Transformed<Expr> {
    let Expr::Cast(Cast { expr: inner, field }) = &expr else {
        return Transformed::no(expr);
    };
    let data_type = field.data_type();
    if !matches!(
        data_type,
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
    ) {
        return Transformed::no(expr);
    }
    let Ok(DataType::Timestamp(_, None)) = inner.get_type(schema) else {
        return Transformed::no(expr);
    };
    let text = datafusion::functions::datetime::expr_fn::to_char(
        (**inner).clone(),
        datafusion::logical_expr::lit("%Y-%m-%d %H:%M:%S%.3f"),
    );
    Transformed::yes(Expr::Cast(Cast::new(Box::new(text), data_type.clone())))
}

fn scale(data_type: &DataType) -> Option<i8> {
    match data_type {
        DataType::Decimal128(_, s) | DataType::Decimal256(_, s) => Some(*s),
        _ => None,
    }
}
