//! Athena (Trino) SQL rewritten into SQL DataFusion runs the same way: functions DataFusion
//! spells differently (`if`, `count_if`, `arbitrary`, `max_by`, `approx_percentile`, `split`,
//! `element_at`), `try(...)`, and `CROSS JOIN UNNEST(array) AS t(x)`. Rewrites build their
//! replacement as SQL text from the rendered parts and parse it back, which keeps them short and
//! independent of the AST's field layout. What cannot run locally is refused by name.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, Query, Select, SetExpr, Statement, TableFactor, TableWithJoins,
    VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::udf::lenient_name;

/// An Athena construct the local engine cannot run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub construct: String,
    pub reason: String,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cannot run on the local engine: {} (Athena runs it: --engine athena)",
            self.construct, self.reason
        )
    }
}

fn unsupported(construct: impl Into<String>, reason: impl Into<String>) -> Unsupported {
    Unsupported {
        construct: construct.into(),
        reason: reason.into(),
    }
}

/// t-digest size for `approx_percentile`. DataFusion's default (100) strays further from the
/// exact answer than Trino's 1% rank error on small groups; a group keeps at most this many
/// centroids (16 bytes each), and groups with fewer values are answered exactly.
const PERCENTILE_CENTROIDS: u32 = 1000;

/// Functions whose lenient twin `try(...)` can call.
const TRY_ABLE: &[&str] = &[
    "date_parse",
    "date_format",
    "from_iso8601_timestamp",
    "from_unixtime",
    "date_add",
    "date_diff",
    "json_extract_scalar",
    "json_extract",
    "regexp_extract",
];

/// Athena functions with no local counterpart, and why.
const MISSING: &[(&str, &str)] = &[
    (
        "transform",
        "lambda functions are not available in DataFusion",
    ),
    ("filter", "lambda functions are not available in DataFusion"),
    ("reduce", "lambda functions are not available in DataFusion"),
    (
        "zip_with",
        "lambda functions are not available in DataFusion",
    ),
    ("map_agg", "DataFusion has no map aggregation"),
    ("histogram", "DataFusion has no map aggregation"),
    ("approx_set", "HyperLogLog sketches are Athena-only"),
    (
        "at_timezone",
        "quarry's local timestamps are UTC without zones",
    ),
    (
        "with_timezone",
        "quarry's local timestamps are UTC without zones",
    ),
    (
        "format_datetime",
        "Joda-style patterns are not implemented locally; use date_format",
    ),
    (
        "parse_datetime",
        "Joda-style patterns are not implemented locally; use date_parse",
    ),
];

/// Rewrites `statement` in place.
pub fn rewrite(statement: &mut Statement) -> Result<(), Unsupported> {
    let mut rewriter = Rewriter;
    match statement.visit(&mut rewriter) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(why) => Err(why),
    }
}

struct Rewriter;

impl VisitorMut for Rewriter {
    type Break = Unsupported;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<Unsupported> {
        if let SetExpr::Select(select) = query.body.as_mut() {
            match unnest_joins(select) {
                Ok(renames) => {
                    for (from, to) in renames {
                        let _ = query.visit(&mut Requalify { from, to });
                    }
                }
                Err(why) => return ControlFlow::Break(why),
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Unsupported> {
        if matches!(expr, Expr::Lambda(_)) {
            return ControlFlow::Break(unsupported(
                format!("the lambda `{expr}`"),
                "DataFusion has no higher-order functions",
            ));
        }
        if matches!(expr, Expr::AtTimeZone { .. }) {
            return ControlFlow::Break(unsupported(
                format!("`{expr}`"),
                "quarry's local timestamps are UTC without zones",
            ));
        }
        if let Expr::Cast {
            expr: inner,
            data_type,
            ..
        } = expr
            && is_integer_type(data_type)
        {
            // Trino rounds a double to the nearest integer (half away from zero); DataFusion
            // truncates. The wrapper rounds floats and passes every other type through.
            let wrapped = parse_expr(&format!("{}({inner})", super::cast::ROUND_FLOATS));
            match wrapped {
                Ok(wrapped) => **inner = wrapped,
                Err(why) => return ControlFlow::Break(why),
            }
            return ControlFlow::Continue(());
        }
        let Expr::Function(function) = expr else {
            return ControlFlow::Continue(());
        };
        match rewrite_function(function) {
            Ok(Some(replacement)) => *expr = replacement,
            Ok(None) => {}
            Err(why) => return ControlFlow::Break(why),
        }
        ControlFlow::Continue(())
    }
}

fn is_integer_type(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::BigInt(_)
            | DataType::Int(_)
            | DataType::Integer(_)
            | DataType::SmallInt(_)
            | DataType::TinyInt(_)
            | DataType::Int8(_)
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
    )
}

/// The replacement of one function call, if it needs one.
fn rewrite_function(function: &Function) -> Result<Option<Expr>, Unsupported> {
    let name = function.name.to_string().to_ascii_lowercase();
    if let Some((_, why)) = MISSING.iter().find(|(missing, _)| *missing == name) {
        return Err(unsupported(format!("{name}()"), *why));
    }
    let args = plain_args(function);
    let template = match (name.as_str(), args.as_deref()) {
        ("if", Some([c, a])) => format!("CASE WHEN {c} THEN {a} END"),
        ("if", Some([c, a, b])) => format!("CASE WHEN {c} THEN {a} ELSE {b} END"),
        ("count_if", Some([c])) => {
            format!(
                "count(CASE WHEN {c} THEN 1 END){}",
                window_and_filter(function)
            )
        }
        ("arbitrary", Some([x])) => format!("max({x}){}", window_and_filter(function)),
        ("max_by" | "min_by", Some([x, y])) => {
            if function.over.is_some() {
                return Err(unsupported(
                    format!("{name}() OVER"),
                    "only as an aggregate",
                ));
            }
            let direction = if name == "max_by" { "DESC" } else { "ASC" };
            let filter = match &function.filter {
                Some(extra) => format!("{y} IS NOT NULL AND ({extra})"),
                None => format!("{y} IS NOT NULL"),
            };
            format!("first_value({x} ORDER BY {y} {direction} NULLS LAST) FILTER (WHERE {filter})")
        }
        ("max_by" | "min_by", Some(_)) => {
            return Err(unsupported(
                format!("{name}() with a count"),
                "only the two-argument form (the value for the largest key) is implemented",
            ));
        }
        ("approx_percentile", Some([x, p])) => {
            if p.starts_with("ARRAY") || p.starts_with('[') {
                return Err(unsupported(
                    "approx_percentile() with an array of percentages",
                    "ask for one percentage per call",
                ));
            }
            format!(
                "approx_percentile_cont({x}, {p}, {PERCENTILE_CENTROIDS}){}",
                window_and_filter(function)
            )
        }
        ("approx_percentile", Some([x, w, p])) => format!(
            "approx_percentile_cont_with_weight({x}, {w}, {p}, {PERCENTILE_CENTROIDS}){}",
            window_and_filter(function)
        ),
        ("split", Some([s, d])) => format!("string_to_array({s}, {d})"),
        ("split", Some(_)) => {
            return Err(unsupported(
                "split() with a limit",
                "DataFusion's string_to_array has none",
            ));
        }
        ("element_at", Some([a, i])) => format!("array_element({a}, {i})"),
        // Trino replaces every match; DataFusion only the first unless told 'g'.
        ("regexp_replace", Some([s, p])) => format!("regexp_replace({s}, {p}, '', 'g')"),
        ("regexp_replace", Some([s, p, r])) => format!("regexp_replace({s}, {p}, {r}, 'g')"),
        ("contains", Some([a, x])) => format!("array_has({a}, {x})"),
        ("array_join", Some([a, d])) => format!("array_to_string({a}, {d})"),
        ("date", Some([x])) => format!("CAST({x} AS DATE)"),
        // Trino's greatest and least are NULL when any argument is; DataFusion skips NULLs.
        ("greatest" | "least", Some(args)) if !args.is_empty() => format!(
            "CASE WHEN {} THEN NULL ELSE {name}({}) END",
            args.iter()
                .map(|a| format!("({a}) IS NULL"))
                .collect::<Vec<_>>()
                .join(" OR "),
            args.join(", ")
        ),
        (field, Some([x])) if date_field(field).is_some() => {
            let (part, offset) = date_field(field).unwrap_or_default();
            format!("CAST(floor(date_part('{part}', {x})) AS BIGINT){offset}")
        }
        ("try", Some([_])) => return try_expression(function).map(Some),
        _ => return Ok(None),
    };
    parse_expr(&template).map(Some)
}

/// The `date_part` field behind Trino's extraction functions (`hour(ts)`, `day_of_week(ts)`…),
/// and what to add to DataFusion's number to get Trino's.
fn date_field(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "year" => ("year", ""),
        "quarter" => ("quarter", ""),
        "month" => ("month", ""),
        "week" | "week_of_year" => ("week", ""),
        "day" | "day_of_month" => ("day", ""),
        // isodow, like Trino's day_of_week, counts Monday as 1 and Sunday as 7 (dow starts
        // at Sunday = 0).
        "day_of_week" | "dow" => ("isodow", ""),
        "day_of_year" | "doy" => ("doy", ""),
        "hour" => ("hour", ""),
        "minute" => ("minute", ""),
        "second" => ("second", ""),
        "millisecond" => ("millisecond", " % 1000"),
        _ => return None,
    })
}

/// `try(e)`: NULL where `e` fails, for the forms that can fail on data.
fn try_expression(function: &Function) -> Result<Expr, Unsupported> {
    let args = function_args(function).unwrap_or_default();
    let [inner] = args.as_slice() else {
        return Err(unsupported("try()", "it takes one expression"));
    };
    let mut inner = (*inner).clone();
    // `try` around parentheses is common: try((a / b)).
    while let Expr::Nested(nested) = inner {
        inner = *nested;
    }
    match inner {
        Expr::Cast {
            kind: CastKind::Cast | CastKind::DoubleColon,
            expr,
            data_type,
            array,
            format,
        } => Ok(Expr::Cast {
            kind: CastKind::TryCast,
            expr,
            data_type,
            array,
            format,
        }),
        Expr::BinaryOp {
            left,
            op: op @ (BinaryOperator::Divide | BinaryOperator::Modulo),
            right,
        } => parse_expr(&format!(
            "CASE WHEN ({right}) = 0 THEN NULL ELSE ({left}) {op} ({right}) END"
        )),
        Expr::Function(mut call) => {
            let name = call.name.to_string().to_ascii_lowercase();
            if TRY_ABLE.contains(&name.as_str()) {
                call.name = datafusion::sql::sqlparser::ast::ObjectName::from(vec![Ident::new(
                    lenient_name(&name),
                )]);
                Ok(Expr::Function(call))
            } else {
                Err(unsupported(
                    format!("try({name}(…))"),
                    format!(
                        "locally, try() covers casts, division and {}",
                        TRY_ABLE.join(", ")
                    ),
                ))
            }
        }
        other => Err(unsupported(
            format!("try({other})"),
            format!(
                "locally, try() covers casts, division and {}",
                TRY_ABLE.join(", ")
            ),
        )),
    }
}

/// The call's arguments as plain expressions, or `None` when it has other forms (named
/// arguments, `DISTINCT`, `ORDER BY` inside).
fn function_args(function: &Function) -> Option<Vec<&Expr>> {
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
        return None;
    }
    list.args
        .iter()
        .map(|arg| match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

fn plain_args(function: &Function) -> Option<Vec<String>> {
    function_args(function).map(|args| args.iter().map(ToString::to_string).collect())
}

/// ` FILTER (WHERE …)` and ` OVER (…)` of the original call, rendered to append.
fn window_and_filter(function: &Function) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    // Writing to a String cannot fail.
    if let Some(filter) = &function.filter {
        let _ = write!(out, " FILTER (WHERE {filter})");
    }
    if let Some(over) = &function.over {
        let _ = write!(out, " OVER {over}");
    }
    out
}

fn parse_expr(sql: &str) -> Result<Expr, Unsupported> {
    Parser::new(&GenericDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| unsupported(sql.to_owned(), format!("the rewrite did not parse ({e})")))
}

/// `FROM t CROSS JOIN UNNEST(e) AS u(x)` (or `FROM t, UNNEST(e) AS u(x)`) becomes
/// `FROM (SELECT t.*, unnest(e) AS x FROM t) AS t`: DataFusion cannot join a table with an
/// unnest that refers to it, but unnests in a select list. Returns the aliases to rename
/// (`u` → `t`) in the rest of the query.
fn unnest_joins(select: &mut Select) -> Result<Vec<(String, String)>, Unsupported> {
    let mut renames = Vec::new();
    // The comma form: a second FROM item that is an UNNEST joins the first.
    if select.from.len() == 2
        && select.from[1].joins.is_empty()
        && matches!(select.from[1].relation, TableFactor::UNNEST { .. })
    {
        let second = select.from.remove(1);
        let first = &mut select.from[0];
        first.joins.insert(
            0,
            datafusion::sql::sqlparser::ast::Join {
                relation: second.relation,
                global: false,
                join_operator: datafusion::sql::sqlparser::ast::JoinOperator::CrossJoin(
                    datafusion::sql::sqlparser::ast::JoinConstraint::None,
                ),
            },
        );
    }
    for item in &mut select.from {
        while let Some(position) = item
            .joins
            .iter()
            .position(|j| matches!(j.relation, TableFactor::UNNEST { .. }))
        {
            if position != 0 {
                return Err(unsupported(
                    "UNNEST after another join",
                    "locally, UNNEST can follow only the first table of a FROM item",
                ));
            }
            let join = item.joins.remove(0);
            renames.push(lateral_unnest(item, &join.relation)?);
        }
        if matches!(item.relation, TableFactor::UNNEST { .. }) && !item.joins.is_empty() {
            return Err(unsupported(
                "UNNEST joined to later tables",
                "put the table first",
            ));
        }
    }
    Ok(renames)
}

/// Folds `UNNEST(e) AS u(x)` into the base relation of `item`.
fn lateral_unnest(
    item: &mut TableWithJoins,
    unnest: &TableFactor,
) -> Result<(String, String), Unsupported> {
    let TableFactor::UNNEST {
        alias,
        array_exprs,
        with_offset,
        with_ordinality,
        ..
    } = unnest
    else {
        return Err(unsupported("UNNEST", "not an UNNEST"));
    };
    if *with_offset || *with_ordinality {
        return Err(unsupported(
            "UNNEST … WITH ORDINALITY",
            "DataFusion's unnest has no ordinality",
        ));
    }
    let [array] = array_exprs.as_slice() else {
        return Err(unsupported(
            "UNNEST of several arrays",
            "unnest one array per CROSS JOIN locally",
        ));
    };
    let Some(alias) = alias else {
        return Err(unsupported(
            "UNNEST without `AS t(column)`",
            "name the column it produces",
        ));
    };
    let [column] = alias.columns.as_slice() else {
        return Err(unsupported(
            "UNNEST with other than one column (a map?)",
            "locally, UNNEST takes one array and names one column",
        ));
    };
    let base = item.relation.to_string();
    let base_alias = match &item.relation {
        TableFactor::Table { alias: Some(a), .. } | TableFactor::Derived { alias: Some(a), .. } => {
            a.name.value.clone()
        }
        TableFactor::Table { name, .. } => name
            .0
            .last()
            .map(ToString::to_string)
            .unwrap_or_default()
            .trim_matches('"')
            .to_owned(),
        _ => {
            return Err(unsupported(
                "UNNEST of this FROM item",
                "join it to a table or a subquery",
            ));
        }
    };
    let quoted = Ident::with_quote('"', base_alias.clone());
    let sql = format!(
        "SELECT 1 FROM (SELECT {quoted}.*, unnest({array}) AS {} FROM {base}) AS {quoted}",
        column.name
    );
    let parsed = Parser::new(&GenericDialect {})
        .try_with_sql(&sql)
        .and_then(|mut p| p.parse_query())
        .map_err(|e| unsupported(sql.clone(), format!("the rewrite did not parse ({e})")))?;
    let SetExpr::Select(mut wrapper) = *parsed.body else {
        return Err(unsupported(sql, "the rewrite is not a SELECT"));
    };
    item.relation = wrapper.from.remove(0).relation;
    Ok((alias.name.value.clone(), base_alias))
}

/// Renames the qualifier `from.` to `to.` in compound identifiers.
struct Requalify {
    from: String,
    to: String,
}

impl VisitorMut for Requalify {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::CompoundIdentifier(parts) = expr
            && parts.len() == 2
            && parts[0].value.eq_ignore_ascii_case(&self.from)
        {
            parts[0] = Ident::with_quote('"', self.to.clone());
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> Result<String, Unsupported> {
        let mut statement = Parser::new(&GenericDialect {})
            .try_with_sql(sql)
            .unwrap()
            .parse_statement()
            .unwrap();
        rewrite(&mut statement).map(|()| statement.to_string())
    }

    #[test]
    fn functions_are_spelled_for_datafusion() {
        assert_eq!(
            rewritten("SELECT if(a > 1, 'x', 'y'), count_if(b), arbitrary(c) FROM t").unwrap(),
            "SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END, count(CASE WHEN b THEN 1 END), max(c) FROM t"
        );
        assert_eq!(
            rewritten("SELECT max_by(m, ts) FROM t").unwrap(),
            "SELECT first_value(m ORDER BY ts DESC NULLS LAST) FILTER (WHERE ts IS NOT NULL) FROM t"
        );
        assert_eq!(
            rewritten("SELECT element_at(split(m, ' '), -1) FROM t").unwrap(),
            "SELECT array_element(string_to_array(m, ' '), -1) FROM t"
        );
        assert_eq!(
            rewritten("SELECT try(CAST(a AS BIGINT)), try(a / b), try(date_parse(s, '%Y')) FROM t")
                .unwrap(),
            "SELECT TRY_CAST(__round_floats(a) AS BIGINT), CASE WHEN (b) = 0 THEN NULL ELSE (a) / (b) END, __try_date_parse(s, '%Y') FROM t"
        );
    }

    #[test]
    fn cross_join_unnest_becomes_a_select_list_unnest() {
        assert_eq!(
            rewritten("SELECT l.source, w.word FROM logs l CROSS JOIN UNNEST(split(l.message, ' ')) AS w(word)")
                .unwrap(),
            "SELECT l.source, \"l\".word FROM (SELECT \"l\".*, unnest(string_to_array(l.message, ' ')) AS word FROM logs l) AS \"l\""
        );
        assert_eq!(
            rewritten("SELECT word FROM logs, UNNEST(split(message, ' ')) AS t(word)").unwrap(),
            "SELECT word FROM (SELECT \"logs\".*, unnest(string_to_array(message, ' ')) AS word FROM logs) AS \"logs\""
        );
    }

    #[test]
    fn what_cannot_run_is_named() {
        for (sql, construct) in [
            ("SELECT transform(a, x -> x + 1) FROM t", "transform()"),
            ("SELECT try(upper(a)) FROM t", "try(upper(…))"),
            (
                "SELECT x FROM t CROSS JOIN UNNEST(a) WITH ORDINALITY AS u(x, n)",
                "UNNEST … WITH ORDINALITY",
            ),
            (
                "SELECT ts AT TIME ZONE 'UTC' FROM t",
                "`ts AT TIME ZONE 'UTC'`",
            ),
        ] {
            assert_eq!(rewritten(sql).unwrap_err().construct, construct, "{sql}");
        }
    }
}
