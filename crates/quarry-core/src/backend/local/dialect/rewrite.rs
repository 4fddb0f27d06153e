//! Athena (Trino) SQL rewritten into SQL DataFusion runs the same way: functions DataFusion
//! spells differently (`if`, `count_if`, `arbitrary`, `max_by`, `approx_percentile`, `split`,
//! `element_at`), `try(...)`, and `CROSS JOIN UNNEST(array) AS t(x)`. Rewrites build their
//! replacement as SQL text from the rendered parts and parse it back, which keeps them short and
//! independent of the AST's field layout. What cannot run locally is refused by name.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, CastKind, DataType, ExactNumberInfo, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArguments, Ident, OneOrManyWithParens, Query, SetExpr, Statement,
    Value, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::DuckDbDialect;
#[cfg(test)]
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::clauses::{fetch_as_limit, name_columns};
use super::lambda::{LambdaFields, field_access, lambda_body};
use super::udf::lenient_name;
use super::unnest::{Requalify, unnest_joins};

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

pub(super) fn unsupported(construct: impl Into<String>, reason: impl Into<String>) -> Unsupported {
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
    "from_iso8601_date",
    "parse_datetime",
    "format_datetime",
    "from_unixtime",
    "date_add",
    "date_diff",
    "json_extract_scalar",
    "json_extract",
    "regexp_extract",
];

/// A map lambda's `(k, v)` as fields of the entry `e` of `map_entries`.
const MAP_ENTRY: [&str; 2] = ["get_field(e, 'key')", "get_field(e, 'value')"];

/// Athena functions with no local counterpart, and why.
const MISSING: &[(&str, &str)] = &[("approx_set", "HyperLogLog sketches are Athena-only")];

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
        name_columns(query.body.as_mut());
        if let Err(why) = fetch_as_limit(query) {
            return ControlFlow::Break(why);
        }
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
        if let Expr::Value(value) = expr
            && let Value::Number(text, _) = &value.value
            && text.contains(['e', 'E'])
        {
            // `1e3` is a DOUBLE in Trino; DataFusion, told to read `1.5` as a DECIMAL (as
            // Trino does), would read `1e3` as one too.
            *expr = Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(expr.clone()),
                data_type: DataType::Double(ExactNumberInfo::None),
                array: false,
                format: None,
            };
            return ControlFlow::Continue(());
        }
        if let Expr::Lambda(lambda) = expr {
            // `r -> r.arn`: DataFusion reads `r.arn` as column arn of a table r.
            let params: Vec<String> = match &lambda.params {
                OneOrManyWithParens::One(p) => vec![p.name.value.to_lowercase()],
                OneOrManyWithParens::Many(ps) => {
                    ps.iter().map(|p| p.name.value.to_lowercase()).collect()
                }
            };
            if let ControlFlow::Break(why) = lambda.body.visit(&mut LambdaFields { params }) {
                return ControlFlow::Break(why);
            }
            return ControlFlow::Continue(());
        }
        if let Expr::CompoundFieldAccess { root, access_chain } = expr
            && !matches!(**root, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
        {
            // `element_at(resources, 1).arn`: DataFusion reads dots only after column names.
            match field_access(root, access_chain) {
                Ok(replacement) => *expr = replacement,
                Err(why) => return ControlFlow::Break(why),
            }
            return ControlFlow::Continue(());
        }
        if let Expr::AtTimeZone {
            timestamp,
            time_zone,
        } = expr
            && is_utc(time_zone)
        {
            // quarry's timestamps are UTC already: the same instant, the same wall clock.
            *expr = Expr::Nested(timestamp.clone());
            return ControlFlow::Continue(());
        }
        if let Expr::AtTimeZone {
            timestamp,
            time_zone,
        } = expr
        {
            match parse_expr(&format!("at_timezone({timestamp}, {time_zone})")) {
                Ok(call) => *expr = call,
                Err(why) => return ControlFlow::Break(why),
            }
            return ControlFlow::Continue(());
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

/// `'UTC'`, `'Z'`, `'+00:00'` and the like.
fn is_utc(zone: &Expr) -> bool {
    let Expr::Value(value) = zone else {
        return false;
    };
    let text = value.to_string();
    let name = text.trim_matches('\'').to_ascii_uppercase();
    matches!(
        name.as_str(),
        "UTC" | "Z" | "GMT" | "ETC/UTC" | "ETC/GMT" | "+00:00" | "-00:00" | "UTC+0" | "ZULU"
    )
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
            if let Some(Expr::Array(percentages)) =
                function_args(function).and_then(|a| a.get(1).copied())
            {
                // One estimate per percentage, gathered into an array as Trino returns them.
                let each: Vec<String> = percentages
                    .elem
                    .iter()
                    .map(|q| {
                        format!(
                            "approx_percentile_cont({x}, {q}, {PERCENTILE_CENTROIDS}){}",
                            window_and_filter(function)
                        )
                    })
                    .collect();
                return parse_expr(&format!("make_array({})", each.join(", "))).map(Some);
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
        // A subscript: DataFusion's works on arrays (from 1, negative from the end, NULL out
        // of range, as element_at) and on maps (NULL for a missing key, as element_at).
        ("element_at", Some([a, i])) => format!("({a})[{i}]"),
        // from_unixtime(seconds, zone): the instant shown in the zone.
        ("from_unixtime", Some([x, zone])) => format!("at_timezone(from_unixtime({x}), {zone})"),
        ("truncate", Some([x])) => format!("trunc({x})"),
        ("levenshtein_distance", Some([a, b])) => format!("levenshtein({a}, {b})"),
        ("codepoint", Some([c])) => format!("CAST(ascii({c}) AS INTEGER)"),
        // split_to_map('a=1,b=2', ',', '='): the entries split, then each at its first '='.
        ("split_to_map", Some([text, entries, pair])) => {
            let split = format!("string_to_array({text}, {entries})");
            format!(
                "map(array_transform({split}, e -> split_part(e, {pair}, 1)), array_transform({split}, e -> substr(e, strpos(e, {pair}) + length({pair}))))"
            )
        }
        ("every", Some([x])) => format!("bool_and({x}){}", window_and_filter(function)),
        ("last_day_of_month", Some([x])) => format!(
            "CAST(date_trunc('month', CAST({x} AS TIMESTAMP)) + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE)"
        ),
        // Trino's lambdas: DataFusion has the array ones under its own names.
        ("transform", Some([a, f])) => format!("array_transform({a}, {f})"),
        ("filter", Some([a, f])) => format!("array_filter({a}, {f})"),
        ("all_match" | "none_match", Some([a, _])) => {
            let args = function_args(function).unwrap_or_default();
            let Some(Expr::Lambda(lambda)) = args.get(1) else {
                return Err(unsupported(
                    format!("{name}()"),
                    "its second argument must be a lambda",
                ));
            };
            let (params, body) = (&lambda.params, &lambda.body);
            if name == "all_match" {
                // Every element matches when none fails to (Trino: NULL when unknown, as here).
                format!("NOT any_match({a}, {params} -> NOT ({body}))")
            } else {
                format!("NOT any_match({a}, {params} -> {body})")
            }
        }
        // Two-parameter lambdas, over DataFusion's one-parameter array_transform and
        // array_filter: the parameters become fields of a zipped pair or of a map entry.
        ("zip_with", Some([a, b, _])) => {
            let body = lambda_body(function, 2, &["get_field(z, '1')", "get_field(z, '2')"])?;
            format!("array_transform(arrays_zip({a}, {b}), z -> {body})")
        }
        ("transform_values", Some([m, _])) => {
            let body = lambda_body(function, 1, &MAP_ENTRY)?;
            format!("map(map_keys({m}), array_transform(map_entries({m}), e -> {body}))")
        }
        ("transform_keys", Some([m, _])) => {
            let body = lambda_body(function, 1, &MAP_ENTRY)?;
            format!("map(array_transform(map_entries({m}), e -> {body}), map_values({m}))")
        }
        ("map_filter", Some([m, _])) => {
            let body = lambda_body(function, 1, &MAP_ENTRY)?;
            let kept = format!("array_filter(map_entries({m}), e -> {body})");
            format!(
                "map(array_transform({kept}, e -> get_field(e, 'key')), array_transform({kept}, e -> get_field(e, 'value')))"
            )
        }
        // slice(a, start, length): DataFusion's array_slice takes start and end.
        ("slice", Some([a, start, length])) => {
            format!("array_slice({a}, {start}, ({start}) + ({length}) - 1)")
        }
        // Trino's sequence includes both ends, as generate_series does.
        // Two bounds: a step of one (a day for dates) toward the second, downward too.
        ("sequence", Some([from, to])) => format!("__sequence({from}, {to})"),
        // Trino sorts NULLs last; DataFusion's default puts them first.
        ("array_sort", Some([a])) => format!("array_sort({a}, 'ASC', 'NULLS LAST')"),
        ("sequence", Some([from, to, step])) => format!("generate_series({from}, {to}, {step})"),
        // Trino counts from 1 and answers 0 when the element is absent; DataFusion NULL.
        ("array_position", Some([a, x])) => {
            format!(
                "CASE WHEN ({a}) IS NULL OR ({x}) IS NULL THEN NULL ELSE coalesce(array_position({a}, {x}), 0) END"
            )
        }
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
        // A subscript or field access (what element_at became) answers NULL rather than fail.
        access @ Expr::CompoundFieldAccess { .. } => Ok(access),
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
pub(super) fn function_args(function: &Function) -> Option<Vec<&Expr>> {
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

pub(super) fn parse_expr(sql: &str) -> Result<Expr, Unsupported> {
    // DuckDB's dialect is the generic one plus lambdas, which rewrites may carry.
    Parser::new(&DuckDbDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| unsupported(sql.to_owned(), format!("the rewrite did not parse ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> Result<String, Unsupported> {
        // As the engine parses: DuckDB's dialect only for lambdas.
        let generic = GenericDialect {};
        let duckdb = DuckDbDialect {};
        let dialect: &dyn datafusion::sql::sqlparser::dialect::Dialect = if sql.contains("->") {
            &duckdb
        } else {
            &generic
        };
        let mut statement = Parser::new(dialect)
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
            "SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END AS _col0, count(CASE WHEN b THEN 1 END) AS _col1, max(c) AS _col2 FROM t"
        );
        assert_eq!(
            rewritten("SELECT max_by(m, ts) FROM t").unwrap(),
            "SELECT first_value(m ORDER BY ts DESC NULLS LAST) FILTER (WHERE ts IS NOT NULL) AS _col0 FROM t"
        );
        assert_eq!(
            rewritten("SELECT element_at(split(m, ' '), -1) FROM t").unwrap(),
            "SELECT (string_to_array(m, ' '))[-1] AS _col0 FROM t"
        );
        assert_eq!(
            rewritten("SELECT try(CAST(a AS BIGINT)), try(a / b), try(date_parse(s, '%Y')) FROM t")
                .unwrap(),
            "SELECT TRY_CAST(__round_floats(a) AS BIGINT) AS _col0, CASE WHEN (b) = 0 THEN NULL ELSE (a) / (b) END AS _col1, __try_date_parse(s, '%Y') AS _col2 FROM t"
        );
    }

    #[test]
    fn cross_join_unnest_becomes_a_select_list_unnest() {
        assert_eq!(
            rewritten("SELECT l.source, w.word FROM logs l CROSS JOIN UNNEST(split(l.message, ' ')) AS w(word)")
                .unwrap(),
            "SELECT l.source AS source, \"l\".word AS word FROM (SELECT \"l\".*, unnest(string_to_array(l.message, ' ')) AS word FROM logs l) AS \"l\""
        );
        assert_eq!(
            rewritten("SELECT word FROM logs, UNNEST(split(message, ' ')) AS t(word)").unwrap(),
            "SELECT word FROM (SELECT \"logs\".*, unnest(string_to_array(message, ' ')) AS word FROM logs AS \"logs\") AS \"logs\""
        );
    }

    #[test]
    fn unnest_reads_the_same_with_a_lambda_in_the_query() {
        assert_eq!(
            rewritten("SELECT cardinality(filter(a, x -> x > 1)), u.v FROM t CROSS JOIN UNNEST(b) WITH ORDINALITY AS u(v, n)")
                .unwrap(),
            "SELECT cardinality(array_filter(a, x -> x > 1)) AS _col0, \"t\".v AS v FROM (SELECT \"t\".*, unnest(b) AS v, unnest(generate_series(1, cardinality(b))) AS n FROM t AS \"t\") AS \"t\""
        );
    }

    #[test]
    fn what_cannot_run_is_named() {
        for (sql, construct) in [
            ("SELECT try(upper(a)) FROM t", "try(upper(…))"),
            (
                "SELECT x FROM t CROSS JOIN UNNEST(a, b) AS u(x, y)",
                "UNNEST of several arrays",
            ),
            ("SELECT approx_set(a) FROM t", "approx_set()"),
        ] {
            assert_eq!(rewritten(sql).unwrap_err().construct, construct, "{sql}");
        }
    }
}
