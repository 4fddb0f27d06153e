//! SQL expressions as conditions ([`Pred`]) and the columns and subqueries they mention.

use std::ops::ControlFlow;

use sqlparser::ast::{BinaryOperator, Expr, Query, Spanned, UnaryOperator, Value, Visit, Visitor};

use super::predicate::{Blocker, CmpOp, ColumnRef, Literal, Pred};
use super::scope::{and, ident, span_of};

/// `expr` as a condition tree.
pub fn convert(expr: &Expr) -> Pred {
    match expr {
        Expr::Nested(inner) => convert(inner),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => and(vec![convert(left), convert(right)]),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } => {
            let mut branches = Vec::new();
            for side in [left, right] {
                match convert(side) {
                    Pred::Or(inner) => branches.extend(inner),
                    other => branches.push(other),
                }
            }
            Pred::Or(branches)
        }
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => Pred::Not(Box::new(convert(expr))),
        Expr::BinaryOp { left, op, right } => match comparison(op) {
            Some(op) => compare(expr, left, op, right),
            None => blocked_or_unknown(expr, None),
        },
        Expr::InList {
            expr: target,
            list,
            negated,
        } => {
            let values: Option<Vec<_>> = list
                .iter()
                .map(|v| literal(v).map(|l| (l, span_of(v.span()))))
                .collect();
            match (column(target), values) {
                (Some(column), Some(values)) => Pred::InList {
                    column,
                    values,
                    negated: *negated,
                    span: span_of(expr.span()),
                },
                (None, Some(_)) => blocked_or_unknown(expr, Some(target)),
                _ => Pred::Unknown,
            }
        }
        Expr::Between {
            expr: target,
            negated,
            low,
            high,
        } => match (column(target), literal(low), literal(high)) {
            (Some(column), Some(lo), Some(hi)) => Pred::Between {
                column,
                low: (lo, span_of(low.span())),
                high: (hi, span_of(high.span())),
                negated: *negated,
                span: span_of(expr.span()),
            },
            (None, Some(_), Some(_)) => blocked_or_unknown(expr, Some(target)),
            _ => Pred::Unknown,
        },
        // A boolean function of columns (`starts_with(year, '20')`) filters rows but prunes
        // nothing.
        Expr::Function(_) => blocked_or_unknown(expr, Some(expr)),
        _ => Pred::Unknown,
    }
}

fn comparison(op: &BinaryOperator) -> Option<CmpOp> {
    Some(match op {
        BinaryOperator::Eq => CmpOp::Eq,
        BinaryOperator::NotEq => CmpOp::NotEq,
        BinaryOperator::Lt => CmpOp::Lt,
        BinaryOperator::LtEq => CmpOp::LtEq,
        BinaryOperator::Gt => CmpOp::Gt,
        BinaryOperator::GtEq => CmpOp::GtEq,
        _ => return None,
    })
}

fn compare(whole: &Expr, left: &Expr, op: CmpOp, right: &Expr) -> Pred {
    let (target, op, value_expr) = match (literal(left), literal(right)) {
        (None, Some(_)) => (left, op, right),
        (Some(_), None) => (right, op.flipped(), left),
        _ => return Pred::Unknown,
    };
    let Some(value) = literal(value_expr) else {
        return Pred::Unknown;
    };
    match column(target) {
        Some(column) => Pred::Compare {
            column,
            op,
            value,
            span: span_of(whole.span()),
            value_span: span_of(value_expr.span()),
        },
        None => blocked_or_unknown(whole, Some(target)),
    }
}

/// A condition that mentions columns through a function, cast or operator: `Blocked` on
/// them, or `Unknown` when it mentions no column (a constant) or compares columns with each
/// other (a join).
fn blocked_or_unknown(whole: &Expr, target: Option<&Expr>) -> Pred {
    let Some(target) = target else {
        return Pred::Unknown;
    };
    let mut columns = Vec::new();
    let mut subqueries = Vec::new();
    columns_in(target, &mut columns, &mut subqueries);
    if columns.is_empty() || !subqueries.is_empty() {
        return Pred::Unknown;
    }
    columns.sort();
    columns.dedup();
    Pred::Blocked {
        columns,
        blocker: blocker_of(target),
        text: whole.to_string(),
        span: span_of(whole.span()),
    }
}

fn blocker_of(expr: &Expr) -> Blocker {
    match expr {
        Expr::Nested(inner) => blocker_of(inner),
        Expr::Function(f) => Blocker::Function(f.name.to_string().to_lowercase()),
        Expr::Cast { data_type, .. } => Blocker::Cast(data_type.to_string()),
        // Functions the parser gives their own syntax.
        Expr::Substring { .. } => Blocker::Function("substr".to_owned()),
        Expr::Trim { .. } => Blocker::Function("trim".to_owned()),
        Expr::Extract { .. } => Blocker::Function("extract".to_owned()),
        Expr::Position { .. } => Blocker::Function("position".to_owned()),
        Expr::Ceil { .. } => Blocker::Function("ceil".to_owned()),
        Expr::Floor { .. } => Blocker::Function("floor".to_owned()),
        _ => Blocker::Expression,
    }
}

/// A bare column reference (`name` or `qualifier.name`, parentheses aside).
pub(super) fn column(expr: &Expr) -> Option<ColumnRef> {
    match expr {
        Expr::Nested(inner) => column(inner),
        Expr::Identifier(i) => Some(ColumnRef {
            qualifier: None,
            name: ident(i),
        }),
        Expr::CompoundIdentifier(parts) if parts.len() >= 2 => Some(ColumnRef {
            qualifier: Some(ident(&parts[parts.len() - 2])),
            name: ident(&parts[parts.len() - 1]),
        }),
        _ => None,
    }
}

/// A constant as written: strings, numbers (with a sign) and typed literals.
fn literal(expr: &Expr) -> Option<Literal> {
    match expr {
        Expr::Nested(inner) => literal(inner),
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(Literal::String(s.clone())),
            Value::Number(n, _) => Some(Literal::Number(n.clone())),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal(expr)? {
            Literal::Number(n) => Some(Literal::Number(format!("-{n}"))),
            _ => None,
        },
        Expr::TypedString(typed) => match &typed.value.value {
            Value::SingleQuotedString(s) => Some(Literal::Typed(
                typed.data_type.to_string().to_lowercase(),
                s.clone(),
            )),
            _ => None,
        },
        _ => None,
    }
}

/// Columns `expr` mentions outside subqueries, and the subqueries themselves (each analyzed
/// as its own scope).
pub fn columns_in(expr: &Expr, columns: &mut Vec<ColumnRef>, subqueries: &mut Vec<Query>) {
    subqueries.extend(outermost_queries(expr, Some(columns)));
}

/// The queries directly inside `node` (not those nested in them); with `columns`, also the
/// columns `node` mentions outside them.
pub fn outermost_queries<V: Visit>(node: &V, columns: Option<&mut Vec<ColumnRef>>) -> Vec<Query> {
    struct Collector<'a> {
        depth: usize,
        columns: Option<&'a mut Vec<ColumnRef>>,
        queries: Vec<Query>,
    }
    impl Visitor for Collector<'_> {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            if self.depth == 0 {
                self.queries.push(query.clone());
            }
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            if self.depth == 0
                && let Some(columns) = self.columns.as_deref_mut()
                && matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
                && let Some(c) = column(expr).or_else(|| match expr {
                    Expr::CompoundIdentifier(parts) => parts.last().map(|i| ColumnRef {
                        qualifier: None,
                        name: ident(i),
                    }),
                    _ => None,
                })
            {
                columns.push(c);
            }
            ControlFlow::Continue(())
        }
    }
    let mut collector = Collector {
        depth: 0,
        columns,
        queries: Vec::new(),
    };
    let _ = node.visit(&mut collector);
    collector.queries
}
