//! A table use's conditions projected onto its partition keys, and the hints that tell the
//! user what stops pruning and how to fix it.

use super::predicate::{Blocker, Conjoin, KeyPred, Literal, Pred, key_value, mismatched, quote};
use super::{KeyType, PartitionKey, Span, TableUse};

/// Something in a condition that keeps a partition key from pruning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    /// A key compared with a literal of another type (`year = 2023` on a string key).
    TypeMismatch {
        key: usize,
        /// The comparison's SQL text and the literal's place and text.
        text: String,
        literal: Literal,
        literal_span: Span,
    },
    /// A function, cast or operator applied to keys.
    Blocked {
        keys: Vec<usize>,
        blocker: Blocker,
        text: String,
        span: Span,
    },
    /// An `OR` with branches that filter keys and branches that do not.
    UnfilteredOrBranch,
}

/// Projects `pred` onto `keys` in negation normal form, collecting problems.
pub fn project(pred: &Pred, keys: &[PartitionKey]) -> (KeyPred, Vec<KeyProblem>) {
    let mut problems = Vec::new();
    let projected = project_into(pred, keys, false, &mut problems);
    (projected, problems)
}

fn key_index(keys: &[PartitionKey], name: &str) -> Option<usize> {
    keys.iter().position(|k| k.name == name)
}

fn project_into(
    pred: &Pred,
    keys: &[PartitionKey],
    negate: bool,
    problems: &mut Vec<KeyProblem>,
) -> KeyPred {
    let mut typed = |key: usize, literal: &Literal, span: Span, text: &str| {
        typed_for_key(keys, key, literal, span, text, problems)
    };
    match pred {
        Pred::Unknown => KeyPred::True,
        Pred::Compare {
            column,
            op,
            value,
            value_span,
            span,
        } => {
            let Some(key) = key_index(keys, &column.name) else {
                return KeyPred::True;
            };
            let text = format!("{} {} {}", column.name, op.sql(), value.sql());
            let _ = span;
            match typed(key, value, *value_span, &text) {
                Some(value) => KeyPred::Compare {
                    key,
                    op: if negate { op.negated() } else { *op },
                    value,
                },
                None => KeyPred::True,
            }
        }
        Pred::InList {
            column,
            values,
            negated,
            ..
        } => {
            let Some(key) = key_index(keys, &column.name) else {
                return KeyPred::True;
            };
            let mut typed_values = Vec::new();
            let mut all_typed = true;
            for (literal, span) in values {
                let text = format!("{} IN (… {} …)", column.name, literal.sql());
                match typed(key, literal, *span, &text) {
                    Some(v) => typed_values.push(v),
                    None => all_typed = false,
                }
            }
            if all_typed {
                KeyPred::InList {
                    key,
                    values: typed_values,
                    negated: *negated != negate,
                }
            } else {
                KeyPred::True
            }
        }
        Pred::Between {
            column,
            low,
            high,
            negated,
            ..
        } => {
            let Some(key) = key_index(keys, &column.name) else {
                return KeyPred::True;
            };
            let text = format!(
                "{} BETWEEN {} AND {}",
                column.name,
                low.0.sql(),
                high.0.sql()
            );
            let lo = typed(key, &low.0, low.1, &text);
            let hi = typed(key, &high.0, high.1, &text);
            match (lo, hi) {
                (Some(low), Some(high)) => KeyPred::Between {
                    key,
                    low,
                    high,
                    negated: *negated != negate,
                },
                _ => KeyPred::True,
            }
        }
        Pred::Blocked {
            columns,
            blocker,
            text,
            span,
        } => {
            let mut on_keys: Vec<usize> = columns
                .iter()
                .filter_map(|c| key_index(keys, &c.name))
                .collect();
            on_keys.sort_unstable();
            on_keys.dedup();
            if !on_keys.is_empty() {
                problems.push(KeyProblem::Blocked {
                    keys: on_keys,
                    blocker: blocker.clone(),
                    text: text.clone(),
                    span: *span,
                });
            }
            KeyPred::True
        }
        Pred::Not(inner) => project_into(inner, keys, !negate, problems),
        Pred::And(parts) | Pred::Or(parts) => {
            let conjunction = matches!(pred, Pred::And(_)) != negate;
            let projected: Vec<KeyPred> = parts
                .iter()
                .map(|p| project_into(p, keys, negate, problems))
                .collect();
            if conjunction {
                KeyPred::conjoin(projected)
            } else {
                let filtered = projected.iter().filter(|p| p.restricts()).count();
                if filtered > 0 && filtered < projected.len() {
                    problems.push(KeyProblem::UnfilteredOrBranch);
                }
                if filtered < projected.len() {
                    KeyPred::True
                } else {
                    KeyPred::Or(projected)
                }
            }
        }
    }
}

/// A literal typed for `keys[key]`, recording a mismatch.
fn typed_for_key(
    keys: &[PartitionKey],
    key: usize,
    literal: &Literal,
    span: Span,
    text: &str,
    problems: &mut Vec<KeyProblem>,
) -> Option<super::predicate::KeyValue> {
    let key_type = keys[key].key_type;
    if mismatched(literal, key_type) {
        problems.push(KeyProblem::TypeMismatch {
            key,
            text: text.to_owned(),
            literal: literal.clone(),
            literal_span: span,
        });
    }
    key_value(literal, key_type)
}

/// A hint's kind, with a stable code for scripts (`--explain --format json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HintCode {
    /// A key compared with a literal of another type.
    KeyTypeMismatch,
    /// A function applied to a key.
    FunctionOnKey,
    /// A cast of a key.
    CastOnKey,
    /// Arithmetic or concatenation on a key.
    ExpressionOnKey,
    /// An `OR` branch without a key condition.
    UnfilteredOrBranch,
    /// A partitioned table read with no condition on its keys.
    NoPartitionFilter,
    /// `SELECT *` on a columnar table.
    SelectStar,
}

impl HintCode {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::KeyTypeMismatch => "key_type_mismatch",
            Self::FunctionOnKey => "function_on_partition_key",
            Self::CastOnKey => "cast_on_partition_key",
            Self::ExpressionOnKey => "expression_on_partition_key",
            Self::UnfilteredOrBranch => "or_branch_without_partition_filter",
            Self::NoPartitionFilter => "no_partition_filter",
            Self::SelectStar => "select_star",
        }
    }
}

/// A change the editor can make for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Replace the statement text in `span` with `text`.
    Replace { span: Span, text: String },
    /// Add a condition on the table's partition keys (the app asks which partitions).
    AddPartitionFilter {
        /// How the query names the table (alias or name), to qualify the keys in a join.
        reference: String,
        keys: Vec<String>,
    },
}

/// One hint about one table use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub code: HintCode,
    /// The table as the query names it.
    pub table: String,
    pub message: String,
    pub span: Option<Span>,
    pub fix: Option<Fix>,
    /// The partition key the hint is about, when it is about one.
    pub key: Option<String>,
}

/// Hints for `table_use` of a table with `keys` (most important first). `column_count` is how
/// many columns the table has, for the `SELECT *` hint (`None` skips it).
pub fn hints(
    table_use: &TableUse,
    keys: &[PartitionKey],
    column_count: Option<usize>,
) -> Vec<Hint> {
    let (filter, problems) = table_use.partition_filter(keys);
    let table = table_use.name.join(".");
    let mut hints = Vec::new();
    let hint = |code, message: String, span, fix| Hint {
        code,
        table: table.clone(),
        message,
        span,
        fix,
        key: None,
    };
    for problem in &problems {
        match problem {
            KeyProblem::TypeMismatch {
                key,
                text,
                literal,
                literal_span,
            } => {
                let key = &keys[*key];
                let (fixed, kind) = match literal {
                    Literal::Number(n) => (quote(n), "a number"),
                    Literal::String(s) if s.trim().parse::<i64>().is_ok() => {
                        (s.trim().to_owned(), "a string")
                    }
                    other => (other.sql(), "a literal of another type"),
                };
                let fix = (fixed != literal.sql()).then(|| Fix::Replace {
                    span: *literal_span,
                    text: fixed.clone(),
                });
                let mut mismatch = hint(
                    HintCode::KeyTypeMismatch,
                    format!(
                        "{text} compares the {} partition key {} with {kind}: Athena will not prune on it; write {}",
                        key.key_type.describe(),
                        key.name,
                        if fix.is_some() {
                            text.replace(&literal.sql(), &fixed)
                        } else {
                            format!("{} with a {} literal", key.name, key.key_type.describe())
                        }
                    ),
                    Some(*literal_span),
                    fix,
                );
                mismatch.key = Some(key.name.clone());
                hints.push(mismatch);
            }
            KeyProblem::Blocked {
                keys: on,
                blocker,
                text,
                span,
            } => {
                let names: Vec<&str> = on.iter().map(|k| keys[*k].name.as_str()).collect();
                let names = names.join(", ");
                let example = example_filter(keys);
                let (code, what) = match blocker {
                    Blocker::Function(f) => {
                        (HintCode::FunctionOnKey, format!("applies {f}() to partition key(s) {names}"))
                    }
                    Blocker::Cast(ty) => {
                        (HintCode::CastOnKey, format!("casts partition key(s) {names} to {ty}"))
                    }
                    Blocker::Expression => (
                        HintCode::ExpressionOnKey,
                        format!("computes with partition key(s) {names}"),
                    ),
                };
                hints.push(hint(
                    code,
                    format!(
                        "{text} {what}: Athena cannot prune on it; compare the keys themselves, e.g. {example}"
                    ),
                    Some(*span),
                    None,
                ));
            }
            KeyProblem::UnfilteredOrBranch => hints.push(hint(
                HintCode::UnfilteredOrBranch,
                format!(
                    "an OR branch has no condition on {table}'s partition keys, so every partition is read; repeat the key condition in each branch"
                ),
                None,
                None,
            )),
        }
    }
    if !keys.is_empty() && !filter.restricts() {
        let names: Vec<String> = keys.iter().map(|k| k.name.clone()).collect();
        hints.push(hint(
            HintCode::NoPartitionFilter,
            format!("{table} is partitioned by {} — no filter", names.join(", ")),
            Some(table_use.span),
            Some(Fix::AddPartitionFilter {
                reference: table_use.reference(),
                keys: names,
            }),
        ));
    }
    if let Some(count) = column_count
        && table_use.star
        && count > 1
    {
        hints.push(hint(
            HintCode::SelectStar,
            format!(
                "SELECT * reads all {count} columns of {table}; Parquet is columnar, so naming the columns you need scans less"
            ),
            None,
            None,
        ));
    }
    hints.sort_by_key(|h| h.code);
    hints
}

/// `year = '2023' AND month = '09'` in the keys' own types, to show the shape of a filter.
fn example_filter(keys: &[PartitionKey]) -> String {
    let examples = ["2023", "09", "01", "00"];
    keys.iter()
        .take(2)
        .zip(examples)
        .map(|(k, v)| match k.key_type {
            KeyType::Integer => format!("{} = {}", k.name, v.trim_start_matches('0')),
            _ => format!("{} = '{v}'", k.name),
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}
