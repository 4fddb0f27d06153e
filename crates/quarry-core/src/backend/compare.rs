//! One query on two engines (the local engine and Athena over the same Glue tables): do the
//! answers match, and what did each scan? Answers are compared as values, not as text or Arrow
//! types — Athena returns arrays as text and DataFusion may widen an integer — row order only
//! when the query orders its result, and numbers with a tolerance when approximate functions
//! are involved.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Float64Type, Int64Type, TimeUnit, TimestampMillisecondType,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::sql::sqlparser::ast::{Expr, Statement, Visit, Visitor};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use tokio_util::sync::CancellationToken;

use super::{
    EngineKind, QueryContext, QueryEngine, QueryError, QueryState, QueryStatus, all_results,
};

/// Relative tolerance for numbers when no approximate function is involved: room for the
/// order in which two engines add doubles.
pub const EXACT: f64 = 1e-9;
/// Relative tolerance when the query calls an `approx_*` function: Athena's distinct-count and
/// quantile sketches and DataFusion's differ by a few percent.
pub const APPROXIMATE: f64 = 0.05;

/// A result value, engine-neutral.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Number(f64),
    /// Text, and timestamps as `YYYY-MM-DD HH:MM:SS.mmm`, dates as `YYYY-MM-DD`.
    Text(String),
    List(Vec<Cell>),
}

impl Cell {
    /// The value at `row` of `array`.
    pub fn of(array: &ArrayRef, row: usize) -> Cell {
        if array.is_null(row) {
            return Cell::Null;
        }
        let one = |to: &DataType| cast(&array.slice(row, 1), to).ok();
        let data_type = array.data_type();
        let cell = match data_type {
            DataType::Boolean => Some(Cell::Bool(array.as_boolean().value(row))),
            DataType::List(_) => Some(list(&array.as_list::<i32>().value(row))),
            DataType::LargeList(_) => Some(list(&array.as_list::<i64>().value(row))),
            t if t.is_integer() => one(&DataType::Int64)
                .map(|a| Cell::Number(a.as_primitive::<Int64Type>().value(0) as f64)),
            t if t.is_floating()
                || matches!(t, DataType::Decimal128(..) | DataType::Decimal256(..)) =>
            {
                one(&DataType::Float64)
                    .map(|a| Cell::Number(a.as_primitive::<Float64Type>().value(0)))
            }
            DataType::Timestamp(..) => one(&DataType::Timestamp(TimeUnit::Millisecond, None))
                .and_then(|a| {
                    a.as_primitive::<TimestampMillisecondType>()
                        .value_as_datetime(0)
                        .map(|at| Cell::Text(at.format("%Y-%m-%d %H:%M:%S%.3f").to_string()))
                }),
            _ => None,
        };
        cell.or_else(|| {
            one(&DataType::Utf8).map(|a| Cell::Text(a.as_string::<i32>().value(0).to_owned()))
        })
        .unwrap_or(Cell::Null)
    }

    /// Athena's text form of arrays, `[a, b]`, for comparing with an engine that returns them
    /// as text.
    fn athena_text(&self) -> String {
        match self {
            Cell::Null => "NULL".to_owned(),
            Cell::Bool(b) => b.to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Text(t) => t.clone(),
            Cell::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Cell::athena_text)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// A key that sorts equal rows alike on both sides; numbers are rounded so that a tolerated
    /// difference does not reorder rows.
    fn sort_key(&self) -> String {
        match self {
            Cell::Null => "\u{0}".to_owned(),
            Cell::Number(n) => format!("{n:.4e}"),
            Cell::Text(t) => match t.parse::<f64>() {
                Ok(n) => format!("{n:.4e}"),
                Err(_) => t.clone(),
            },
            other => other.athena_text(),
        }
    }
}

fn list(values: &ArrayRef) -> Cell {
    Cell::List((0..values.len()).map(|i| Cell::of(values, i)).collect())
}

/// Every row of `batches` as cells.
pub fn rows(batches: &[RecordBatch]) -> Vec<Vec<Cell>> {
    batches
        .iter()
        .flat_map(|batch| {
            (0..batch.num_rows())
                .map(move |row| batch.columns().iter().map(|c| Cell::of(c, row)).collect())
        })
        .collect()
}

/// How two answers are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Rows must come in the same order.
    pub ordered: bool,
    /// Relative tolerance for numbers.
    pub tolerance: f64,
    /// A number or an array may equal its text form (Athena returns arrays as text).
    pub loose_types: bool,
}

fn same(a: &Cell, b: &Cell, rules: Rules) -> bool {
    let tolerance = rules.tolerance;
    let close = |a: f64, b: f64| (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1.0);
    match (a, b) {
        (Cell::Number(a), Cell::Number(b)) => close(*a, *b),
        (Cell::List(a), Cell::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b, rules))
        }
        _ if !rules.loose_types => a == b,
        (Cell::Number(n), Cell::Text(t)) | (Cell::Text(t), Cell::Number(n)) => {
            t.parse::<f64>().is_ok_and(|t| close(*n, t))
        }
        (Cell::Bool(v), Cell::Text(t)) | (Cell::Text(t), Cell::Bool(v)) => *t == v.to_string(),
        (list @ Cell::List(_), Cell::Text(t)) | (Cell::Text(t), list @ Cell::List(_)) => {
            list.athena_text() == *t
        }
        (a, b) => a == b,
    }
}

/// Why `actual` differs from `expected`, or `None` when the two are the same answer under
/// `rules`.
pub fn difference(expected: &[Vec<Cell>], actual: &[Vec<Cell>], rules: Rules) -> Option<String> {
    let (mut expected, mut actual) = (expected.to_vec(), actual.to_vec());
    if !rules.ordered {
        let key = |row: &Vec<Cell>| row.iter().map(Cell::sort_key).collect::<Vec<_>>();
        expected.sort_by_cached_key(key);
        actual.sort_by_cached_key(key);
    }
    if expected.len() != actual.len() {
        return Some(format!("{} rows against {}", actual.len(), expected.len()));
    }
    let render = |row: &[Cell]| {
        row.iter()
            .map(Cell::athena_text)
            .collect::<Vec<_>>()
            .join(" | ")
    };
    expected
        .iter()
        .zip(&actual)
        .enumerate()
        .find_map(|(i, (e, a))| {
            let equal = e.len() == a.len() && e.iter().zip(a).all(|(e, a)| same(e, a, rules));
            (!equal).then(|| format!("row {}: {} against {}", i + 1, render(a), render(e)))
        })
}

/// Finds a call to an `approx_*` function anywhere in a statement.
struct Approximate(bool);

impl Visitor for Approximate {
    type Break = ();
    fn pre_visit_expr(&mut self, expr: &Expr) -> std::ops::ControlFlow<()> {
        if let Expr::Function(f) = expr
            && f.name
                .to_string()
                .to_ascii_lowercase()
                .starts_with("approx_")
        {
            self.0 = true;
        }
        std::ops::ControlFlow::Continue(())
    }
}

/// How to compare two engines' answers to `sql`: in order only when its outermost query has
/// ORDER BY, with [`APPROXIMATE`] tolerance when it calls an `approx_*` function, loose about
/// types. SQL that does not parse compares unordered and exactly.
pub fn rules(sql: &str) -> Rules {
    let mut rules = Rules {
        ordered: false,
        tolerance: EXACT,
        loose_types: true,
    };
    let Ok(statements) = Parser::parse_sql(&GenericDialect {}, sql) else {
        return rules;
    };
    let ordered = statements
        .iter()
        .any(|s| matches!(s, Statement::Query(q) if q.order_by.is_some()));
    let mut approximate = Approximate(false);
    let _ = statements.visit(&mut approximate);
    rules.ordered = ordered;
    if approximate.0 {
        rules.tolerance = APPROXIMATE;
    }
    rules
}

/// One engine's side of a comparison.
#[derive(Debug, Clone)]
pub struct Side {
    /// What the engine is called in the report.
    pub engine: String,
    /// How its run ended, with its statistics (bytes scanned, time).
    pub status: Result<QueryStatus, QueryError>,
    /// Its rows, when it succeeded.
    pub rows: Vec<Vec<Cell>>,
}

/// The verdict of running one query on two engines.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub sides: [Side; 2],
    /// `Ok(())` when the answers match; otherwise the first difference or why they could not
    /// be compared.
    pub verdict: Result<(), String>,
}

/// Runs `sql` on both engines at once and compares their answers; `cancel` cancels both runs.
/// The local engine's side comes first in the result whichever order the engines are given,
/// so a difference always reads "athena … against local engine".
pub async fn compare(
    engines: [(&str, Arc<dyn QueryEngine>); 2],
    sql: &str,
    context: &QueryContext,
    cancel: &CancellationToken,
) -> Comparison {
    let [(first_name, first), (second_name, second)] = engines;
    let (first, second) = tokio::join!(
        run(first_name, first, sql, context, cancel),
        run(second_name, second, sql, context, cancel)
    );
    let is_local = |side: &Side| {
        side.status
            .as_ref()
            .is_ok_and(|s| s.stats.engine == EngineKind::Local)
    };
    let (left, right) = if is_local(&second) && !is_local(&first) {
        (second, first)
    } else {
        (first, second)
    };
    let (left_name, right_name) = (left.engine.clone(), right.engine.clone());
    let verdict = match (&left.status, &right.status) {
        (Ok(l), Ok(r)) if l.state == QueryState::Succeeded && r.state == QueryState::Succeeded => {
            match difference(&left.rows, &right.rows, rules(sql)) {
                None => Ok(()),
                Some(why) => Err(format!(
                    "answers differ: {why} ({right_name} against {left_name})"
                )),
            }
        }
        _ => Err("not compared: a side did not succeed".to_owned()),
    };
    Comparison {
        sides: [left, right],
        verdict,
    }
}

async fn run(
    name: &str,
    engine: Arc<dyn QueryEngine>,
    sql: &str,
    context: &QueryContext,
    cancel: &CancellationToken,
) -> Side {
    let finished = async {
        let id = engine.submit(sql, context).await?;
        let status = tokio::select! {
            status = engine.wait(&id) => status?,
            () = cancel.cancelled() => {
                let _ = engine.cancel(&id).await;
                engine.wait(&id).await?
            }
        };
        let rows = if status.state == QueryState::Succeeded {
            rows(&all_results(engine.as_ref(), &id).await?.batches)
        } else {
            Vec::new()
        };
        Ok::<_, QueryError>((status, rows))
    }
    .await;
    let (status, rows) = match finished {
        Ok((status, rows)) => (Ok(status), rows),
        Err(e) => (Err(e), Vec::new()),
    };
    Side {
        engine: name.to_owned(),
        status,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: f64) -> Cell {
        Cell::Number(x)
    }

    fn t(x: &str) -> Cell {
        Cell::Text(x.to_owned())
    }

    const UNORDERED: Rules = Rules {
        ordered: false,
        tolerance: EXACT,
        loose_types: true,
    };
    const ORDERED: Rules = Rules {
        ordered: true,
        ..UNORDERED
    };

    #[test]
    fn rows_match_in_any_order_unless_ordered() {
        let a = vec![vec![t("web-1"), n(3.0)], vec![t("web-2"), n(5.0)]];
        let b = vec![vec![t("web-2"), n(5.0)], vec![t("web-1"), n(3.0)]];
        assert_eq!(difference(&a, &b, UNORDERED), None);
        assert!(difference(&a, &b, ORDERED).is_some());
    }

    #[test]
    fn a_changed_value_a_missing_row_or_a_null_is_a_difference() {
        let a = vec![vec![t("web-1"), n(3.0)], vec![t("web-2"), n(5.0)]];
        let changed = vec![vec![t("web-1"), n(3.0)], vec![t("web-2"), n(6.0)]];
        let missing = vec![vec![t("web-1"), n(3.0)]];
        let null = vec![vec![t("web-1"), n(3.0)], vec![t("web-2"), Cell::Null]];
        for other in [changed, missing, null] {
            assert!(difference(&a, &other, UNORDERED).is_some(), "{other:?}");
        }
    }

    #[test]
    fn numbers_within_tolerance_and_text_forms_match() {
        let approximate = Rules {
            tolerance: APPROXIMATE,
            ..UNORDERED
        };
        assert_eq!(
            difference(&[vec![n(100.0)]], &[vec![n(103.0)]], approximate),
            None
        );
        assert!(difference(&[vec![n(100.0)]], &[vec![n(103.0)]], UNORDERED).is_some());
        let list = Cell::List(vec![t("a"), t("b")]);
        assert_eq!(
            difference(&[vec![list.clone()]], &[vec![t("[a, b]")]], UNORDERED),
            None
        );
        assert_eq!(
            difference(&[vec![n(42.0)]], &[vec![t("42")]], UNORDERED),
            None
        );
        let strict = Rules {
            loose_types: false,
            ..UNORDERED
        };
        assert!(difference(&[vec![n(42.0)]], &[vec![t("42")]], strict).is_some());
        assert!(difference(&[vec![list]], &[vec![t("[a, b]")]], strict).is_some());
    }

    #[test]
    fn only_an_outer_order_by_orders_and_approx_functions_loosen() {
        assert_eq!(rules("SELECT a FROM t ORDER BY a"), ORDERED);
        assert_eq!(
            rules("SELECT a FROM (SELECT a FROM t ORDER BY a)"),
            UNORDERED
        );
        assert_eq!(
            rules("SELECT approx_distinct(a) FROM t"),
            Rules {
                tolerance: APPROXIMATE,
                ..UNORDERED
            }
        );
        assert_eq!(rules("not sql at all"), UNORDERED);
    }
}
