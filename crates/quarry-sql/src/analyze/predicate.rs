//! Conditions on a relation's columns as the analyzer reads them from `WHERE` and `ON`, and
//! their projection onto a table's partition keys for pruning.

use super::{KeyType, PartitionKey, Span};

/// A comparison operator between a column and a literal, column on the left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

impl CmpOp {
    /// The operator with its operands swapped (`5 < x` is `x > 5`).
    #[must_use]
    pub fn flipped(self) -> Self {
        match self {
            Self::Lt => Self::Gt,
            Self::LtEq => Self::GtEq,
            Self::Gt => Self::Lt,
            Self::GtEq => Self::LtEq,
            other => other,
        }
    }

    /// The operator that holds exactly when this one does not.
    #[must_use]
    pub fn negated(self) -> Self {
        match self {
            Self::Eq => Self::NotEq,
            Self::NotEq => Self::Eq,
            Self::Lt => Self::GtEq,
            Self::LtEq => Self::Gt,
            Self::Gt => Self::LtEq,
            Self::GtEq => Self::Lt,
        }
    }

    /// The operator as SQL writes it.
    pub fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::NotEq => "<>",
            Self::Lt => "<",
            Self::LtEq => "<=",
            Self::Gt => ">",
            Self::GtEq => ">=",
        }
    }

    fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Self::Eq => ordering == Equal,
            Self::NotEq => ordering != Equal,
            Self::Lt => ordering == Less,
            Self::LtEq => ordering != Greater,
            Self::Gt => ordering == Greater,
            Self::GtEq => ordering != Less,
        }
    }
}

/// A literal as written in the SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// `'2023'`
    String(String),
    /// `2023`, `-1`, `1.5`
    Number(String),
    /// `DATE '2023-09-01'` and other typed literals: the type and the text.
    Typed(String, String),
}

impl Literal {
    /// The literal as SQL.
    pub fn sql(&self) -> String {
        match self {
            Self::String(s) => quote(s),
            Self::Number(n) => n.clone(),
            Self::Typed(ty, s) => format!("{ty} {}", quote(s)),
        }
    }
}

/// Conditions that conjoin: one that says nothing (the neutral part) and a conjunction of
/// parts. [`Pred`] and [`KeyPred`] simplify their `AND`s the same way through it.
pub trait Conjoin: Sized {
    /// The condition that says nothing.
    fn nothing() -> Self;
    /// Whether `self` says nothing.
    fn is_nothing(&self) -> bool;
    /// The parts when `self` is a conjunction, else `self` back.
    fn into_parts(self) -> Result<Vec<Self>, Self>;
    /// The conjunction of `parts` (two or more).
    fn from_parts(parts: Vec<Self>) -> Self;

    /// A conjunction of `parts` without those that say nothing, nested ones flattened; a
    /// single part stands alone.
    fn conjoin(parts: Vec<Self>) -> Self {
        let mut kept = Vec::new();
        for part in parts.into_iter().filter(|p| !p.is_nothing()) {
            match part.into_parts() {
                Ok(inner) => kept.extend(inner),
                Err(single) => kept.push(single),
            }
        }
        match kept.len() {
            0 => Self::nothing(),
            1 => kept.pop().unwrap_or_else(Self::nothing),
            _ => Self::from_parts(kept),
        }
    }
}

impl Conjoin for Pred {
    fn nothing() -> Self {
        Self::Unknown
    }
    fn is_nothing(&self) -> bool {
        matches!(self, Self::Unknown)
    }
    fn into_parts(self) -> Result<Vec<Self>, Self> {
        match self {
            Self::And(parts) => Ok(parts),
            other => Err(other),
        }
    }
    fn from_parts(parts: Vec<Self>) -> Self {
        Self::And(parts)
    }
}

impl Conjoin for KeyPred {
    fn nothing() -> Self {
        Self::True
    }
    fn is_nothing(&self) -> bool {
        matches!(self, Self::True)
    }
    fn into_parts(self) -> Result<Vec<Self>, Self> {
        match self {
            Self::And(parts) => Ok(parts),
            other => Err(other),
        }
    }
    fn from_parts(parts: Vec<Self>) -> Self {
        Self::And(parts)
    }
}

/// A SQL string literal for `text`, quotes doubled.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A column reference: `alias.column` or `column`, lowercased as Athena folds identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColumnRef {
    pub qualifier: Option<String>,
    pub name: String,
}

/// Why a condition on a column cannot prune partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// A function applied to the column (`concat(year, month) = '202309'`).
    Function(String),
    /// A cast of the column (`CAST(year AS integer) = 2023`).
    Cast(String),
    /// Arithmetic or another operator on the column (`year || month = '202309'`).
    Expression,
}

/// A condition tree over one relation's columns. Parts that say nothing about columns
/// (joins between tables, subqueries, conditions on other relations) are `Unknown`.
#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    Unknown,
    Compare {
        column: ColumnRef,
        op: CmpOp,
        value: Literal,
        /// The whole comparison and the literal, for hints and quick fixes.
        span: Span,
        value_span: Span,
    },
    InList {
        column: ColumnRef,
        values: Vec<(Literal, Span)>,
        negated: bool,
        span: Span,
    },
    Between {
        column: ColumnRef,
        low: (Literal, Span),
        high: (Literal, Span),
        negated: bool,
        span: Span,
    },
    /// A condition that reads columns in a way no engine prunes on.
    Blocked {
        columns: Vec<ColumnRef>,
        blocker: Blocker,
        /// The condition's SQL text.
        text: String,
        span: Span,
    },
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Not(Box<Pred>),
}

/// A literal on the partition key's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValue {
    Text(String),
    Integer(i64),
}

impl KeyValue {
    fn compare(&self, partition_value: &str) -> Option<std::cmp::Ordering> {
        match self {
            // Trino compares varchar by code points, which is byte order for UTF-8.
            Self::Text(text) => Some(partition_value.as_bytes().cmp(text.as_bytes())),
            Self::Integer(n) => partition_value.trim().parse::<i64>().ok().map(|v| v.cmp(n)),
        }
    }

    fn glue(&self) -> String {
        match self {
            Self::Text(text) => quote(text),
            Self::Integer(n) => n.to_string(),
        }
    }
}

/// A condition on partition keys (by index into the table's keys), in negation normal form:
/// `Not` only ever wraps nothing, because negation is pushed into the comparisons.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyPred {
    /// Says nothing about the keys: every partition may match.
    True,
    Compare {
        key: usize,
        op: CmpOp,
        value: KeyValue,
    },
    InList {
        key: usize,
        values: Vec<KeyValue>,
        negated: bool,
    },
    Between {
        key: usize,
        low: KeyValue,
        high: KeyValue,
        negated: bool,
    },
    And(Vec<KeyPred>),
    Or(Vec<KeyPred>),
}

impl KeyPred {
    /// True when a partition with these key values may hold matching rows. Values that do not
    /// parse as the key's type may match (nothing is pruned on a guess).
    pub fn may_match(&self, values: &[String]) -> bool {
        let value = |key: usize| values.get(key).map(String::as_str);
        match self {
            Self::True => true,
            Self::Compare { key, op, value: v } => value(*key)
                .and_then(|p| v.compare(p))
                .is_none_or(|ordering| op.holds(ordering)),
            Self::InList {
                key,
                values: list,
                negated,
            } => match value(*key) {
                None => true,
                Some(p) => {
                    let orderings: Vec<_> = list.iter().map(|v| v.compare(p)).collect();
                    if orderings.iter().any(Option::is_none) {
                        return true;
                    }
                    let found = orderings.contains(&Some(std::cmp::Ordering::Equal));
                    found != *negated
                }
            },
            Self::Between {
                key,
                low,
                high,
                negated,
            } => match value(*key).map(|p| (low.compare(p), high.compare(p))) {
                Some((Some(lo), Some(hi))) => {
                    let inside =
                        lo != std::cmp::Ordering::Less && hi != std::cmp::Ordering::Greater;
                    inside != *negated
                }
                _ => true,
            },
            Self::And(parts) => parts.iter().all(|p| p.may_match(values)),
            Self::Or(parts) => parts.iter().any(|p| p.may_match(values)),
        }
    }

    /// True when the condition can exclude some partition.
    pub fn restricts(&self) -> bool {
        match self {
            Self::True => false,
            Self::Compare { .. } | Self::InList { .. } | Self::Between { .. } => true,
            Self::And(parts) => parts.iter().any(Self::restricts),
            Self::Or(parts) => parts.iter().all(Self::restricts),
        }
    }

    /// Keys the condition restricts, in key order.
    pub fn restricted_keys(&self) -> Vec<usize> {
        let mut keys = Vec::new();
        self.collect_keys(&mut keys);
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    fn collect_keys(&self, keys: &mut Vec<usize>) {
        match self {
            Self::Compare { key, .. } | Self::InList { key, .. } | Self::Between { key, .. } => {
                keys.push(*key);
            }
            Self::And(parts) => parts.iter().for_each(|p| p.collect_keys(keys)),
            Self::Or(parts) if self.restricts() => parts.iter().for_each(|p| p.collect_keys(keys)),
            Self::True | Self::Or(_) => {}
        }
    }

    /// The condition as a Glue `GetPartitions` expression over `keys`, or `None` when it does
    /// not restrict anything. Glue's grammar is SQL-like: `=`, `<>`, `<`, `BETWEEN`, `IN`,
    /// `AND`, `OR`, `NOT`.
    pub fn glue_expression(&self, keys: &[PartitionKey]) -> Option<String> {
        let name = |key: usize| keys.get(key).map_or("?", |k| k.name.as_str()).to_owned();
        match self {
            Self::True => None,
            Self::Compare { key, op, value } => {
                Some(format!("{} {} {}", name(*key), op.sql(), value.glue()))
            }
            Self::InList {
                key,
                values,
                negated,
            } => Some(format!(
                "{} {}IN ({})",
                name(*key),
                if *negated { "NOT " } else { "" },
                values
                    .iter()
                    .map(KeyValue::glue)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Self::Between {
                key,
                low,
                high,
                negated,
            } => Some(format!(
                "{} {}BETWEEN {} AND {}",
                name(*key),
                if *negated { "NOT " } else { "" },
                low.glue(),
                high.glue()
            )),
            Self::And(parts) => {
                let parts: Vec<String> = parts
                    .iter()
                    .filter_map(|p| p.glue_expression(keys))
                    .collect();
                join_glue(parts, " AND ")
            }
            Self::Or(parts) => {
                let parts: Option<Vec<String>> =
                    parts.iter().map(|p| p.glue_expression(keys)).collect();
                join_glue(parts?, " OR ")
            }
        }
    }
}

fn join_glue(parts: Vec<String>, separator: &str) -> Option<String> {
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(
            parts
                .iter()
                .map(|p| format!("({p})"))
                .collect::<Vec<_>>()
                .join(separator),
        ),
    }
}

/// A literal typed for a key: `None` when the types disagree (no pruning).
pub fn key_value(literal: &Literal, key_type: KeyType) -> Option<KeyValue> {
    match (literal, key_type) {
        (Literal::String(s), KeyType::String | KeyType::Date) => Some(KeyValue::Text(s.clone())),
        (Literal::Typed(ty, s), KeyType::Date) if ty.eq_ignore_ascii_case("date") => {
            Some(KeyValue::Text(s.clone()))
        }
        (Literal::Number(n), KeyType::Integer) => n.parse().ok().map(KeyValue::Integer),
        _ => None,
    }
}

/// True when the literal's type cannot be compared with the key's without a cast.
pub fn mismatched(literal: &Literal, key_type: KeyType) -> bool {
    matches!(
        (literal, key_type),
        (Literal::Number(_), KeyType::String | KeyType::Date)
            | (Literal::String(_) | Literal::Typed(..), KeyType::Integer)
            | (Literal::Typed(..), KeyType::String)
    )
}
