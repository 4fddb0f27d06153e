//! The walk over a statement's queries: scopes, relations, conditions and columns.
//!
//! Conditions are pushed the way Trino pushes them: from `WHERE` and inner-join `ON` into each
//! table of the scope, and from an outer query into a derived table or CTE through columns it
//! passes through unchanged. A CTE is analyzed where it is referenced (Trino inlines CTEs, so
//! one referenced twice is scanned twice and one never referenced is not scanned).

use std::collections::{BTreeSet, HashMap};

use sqlparser::ast::{
    Expr, GroupByExpr, Join, JoinConstraint, JoinOperator, ObjectName, ObjectNamePart, OrderByKind,
    Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Spanned, Statement,
    TableFactor, TableWithJoins,
};

use super::conditions::{column, columns_in, convert, outermost_queries};
use super::predicate::{ColumnRef, Conjoin, Pred};
use super::{ColumnsUsed, Span, TableUse};

/// The tables `statement` scans, whatever kind of statement holds the queries.
pub fn tables_of(statement: &Statement) -> Vec<TableUse> {
    let mut walker = Walker::default();
    for query in outermost_queries(statement, None) {
        walker.query(&query, &Pred::Unknown);
    }
    walker.uses
}

#[derive(Default)]
struct Walker {
    uses: Vec<TableUse>,
    /// CTEs in scope, innermost last.
    ctes: Vec<HashMap<String, Query>>,
    /// CTEs being expanded, so a recursive one is not expanded forever.
    expanding: Vec<String>,
}

/// One relation of a `FROM` clause.
enum Relation {
    Table {
        name: Vec<String>,
        alias: Option<String>,
        span: Span,
    },
    /// A derived table or a CTE reference: a query whose output has this name.
    Query {
        query: Box<Query>,
        name: String,
        /// The CTE's name, when the query is one.
        cte: Option<String>,
    },
    /// `UNNEST`, table functions, `VALUES`: nothing scanned.
    Other { name: Option<String> },
}

impl Relation {
    /// The names a column qualifier can use for this relation.
    fn answers_to(&self, qualifier: &str) -> bool {
        match self {
            Self::Table { name, alias, .. } => match alias {
                Some(alias) => alias == qualifier,
                None => name.last().is_some_and(|n| n == qualifier),
            },
            Self::Query { name, .. } => name == qualifier,
            Self::Other { name } => name.as_deref() == Some(qualifier),
        }
    }
}

/// Which relations of a scope a join condition filters.
enum Applies {
    All,
    Only(Vec<usize>),
}

impl Walker {
    fn query(&mut self, query: &Query, outer: &Pred) {
        let pushed = self.ctes.len();
        if let Some(with) = &query.with {
            let ctes = with
                .cte_tables
                .iter()
                .map(|cte| (ident(&cte.alias.name), (*cte.query).clone()))
                .collect();
            self.ctes.push(ctes);
        }
        // A filter outside a LIMIT does not commute with it, so nothing is pushed through.
        let outer = if query.limit_clause.is_some() || query.fetch.is_some() {
            Pred::Unknown
        } else {
            outer.clone()
        };
        let order_by: Vec<&Expr> = match query.order_by.as_ref().map(|o| &o.kind) {
            Some(OrderByKind::Expressions(items)) => items.iter().map(|i| &i.expr).collect(),
            _ => Vec::new(),
        };
        self.set_expr(&query.body, &outer, &order_by);
        self.ctes.truncate(pushed);
    }

    fn set_expr(&mut self, body: &SetExpr, outer: &Pred, order_by: &[&Expr]) {
        match body {
            SetExpr::Select(select) => self.select(select, outer, order_by),
            SetExpr::Query(query) => self.query(query, outer),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left, outer, order_by);
                self.set_expr(right, outer, order_by);
            }
            _ => {}
        }
    }

    fn select(&mut self, select: &Select, outer: &Pred, order_by: &[&Expr]) {
        let mut relations = Vec::new();
        let mut joins: Vec<(Pred, Applies)> = Vec::new();
        let mut join_exprs: Vec<&Expr> = Vec::new();
        for from in &select.from {
            self.walk_from(from, &mut relations, &mut joins, &mut join_exprs);
        }

        // Columns read: everything the scope's expressions mention.
        let mut exprs: Vec<&Expr> = Vec::new();
        let mut star_all = false;
        let mut star_of: Vec<String> = Vec::new();
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(e)
                | SelectItem::ExprWithAlias { expr: e, .. }
                | SelectItem::ExprWithAliases { expr: e, .. }
                | SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::Expr(e), _) => {
                    exprs.push(e);
                }
                SelectItem::Wildcard(_) => star_all = true,
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    _,
                ) => {
                    star_of.extend(name_parts(n).last().cloned());
                }
            }
        }
        exprs.extend(select.selection.iter());
        exprs.extend(select.having.iter());
        exprs.extend(select.qualify.iter());
        if let GroupByExpr::Expressions(list, _) = &select.group_by {
            exprs.extend(list.iter());
        }
        exprs.extend(order_by.iter().copied());
        exprs.extend(join_exprs.iter().copied());
        let mut columns = Vec::new();
        let mut subqueries = Vec::new();
        for expr in &exprs {
            columns_in(expr, &mut columns, &mut subqueries);
        }

        let local = select.selection.as_ref().map_or(Pred::Unknown, convert);
        let outer = rename_through(outer, &select.projection);
        let scope_filter = and(vec![local, outer]);

        for (index, relation) in relations.iter().enumerate() {
            let mut parts = vec![project(&scope_filter, relation, &relations)];
            for (pred, applies) in &joins {
                let applies = match applies {
                    Applies::All => true,
                    Applies::Only(indices) => indices.contains(&index),
                };
                if applies {
                    parts.push(project(pred, relation, &relations));
                }
            }
            let filter = and(parts);
            match relation {
                Relation::Table { name, alias, span } => {
                    let star = star_all || star_of.iter().any(|q| relation.answers_to(q));
                    let used = if star {
                        ColumnsUsed::All
                    } else {
                        ColumnsUsed::Some(columns_of(&columns, relation, &relations))
                    };
                    self.uses.push(TableUse {
                        name: name.clone(),
                        alias: alias.clone(),
                        span: *span,
                        filter,
                        columns: used,
                        star,
                    });
                }
                Relation::Query { query, cte, .. } => {
                    self.expanding.extend(cte.clone());
                    self.query(query, &filter);
                    if cte.is_some() {
                        self.expanding.pop();
                    }
                }
                Relation::Other { .. } => {}
            }
        }
        for subquery in subqueries {
            self.query(&subquery, &Pred::Unknown);
        }
    }

    fn walk_from<'a>(
        &mut self,
        from: &'a TableWithJoins,
        relations: &mut Vec<Relation>,
        joins: &mut Vec<(Pred, Applies)>,
        join_exprs: &mut Vec<&'a Expr>,
    ) {
        let first = relations.len();
        self.factor(&from.relation, relations, joins, join_exprs);
        for join in &from.joins {
            let before: Vec<usize> = (first..relations.len()).collect();
            let start = relations.len();
            self.factor(&join.relation, relations, joins, join_exprs);
            let joined: Vec<usize> = (start..relations.len()).collect();
            if let Some(on) = on_condition(join) {
                join_exprs.push(on);
                let applies = match &join.join_operator {
                    JoinOperator::Left(_) | JoinOperator::LeftOuter(_) => Applies::Only(joined),
                    JoinOperator::Right(_) | JoinOperator::RightOuter(_) => Applies::Only(before),
                    JoinOperator::FullOuter(_) => Applies::Only(Vec::new()),
                    _ => Applies::All,
                };
                joins.push((convert(on), applies));
            }
        }
    }

    fn factor<'a>(
        &mut self,
        factor: &'a TableFactor,
        relations: &mut Vec<Relation>,
        joins: &mut Vec<(Pred, Applies)>,
        join_exprs: &mut Vec<&'a Expr>,
    ) {
        match factor {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                let parts = name_parts(name);
                let alias = alias.as_ref().map(|a| ident(&a.name));
                if args.is_some() {
                    relations.push(Relation::Other { name: alias });
                    return;
                }
                if parts.len() == 1
                    && let Some(query) = self.cte(&parts[0])
                {
                    let name = alias.unwrap_or_else(|| parts[0].clone());
                    relations.push(Relation::Query {
                        query: Box::new(query),
                        name,
                        cte: Some(parts[0].clone()),
                    });
                    return;
                }
                relations.push(Relation::Table {
                    name: parts,
                    alias,
                    span: span_of(name.span()),
                });
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => relations.push(Relation::Query {
                query: subquery.clone(),
                name: alias.as_ref().map(|a| ident(&a.name)).unwrap_or_default(),
                cte: None,
            }),
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => self.walk_from(table_with_joins, relations, joins, join_exprs),
            _ => relations.push(Relation::Other { name: None }),
        }
    }

    /// The body of the CTE `name` in scope, unless it is being expanded already (recursion).
    fn cte(&mut self, name: &str) -> Option<Query> {
        if self.expanding.iter().any(|n| n == name) {
            return None;
        }
        let query = self.ctes.iter().rev().find_map(|c| c.get(name))?.clone();
        Some(query)
    }
}

fn on_condition(join: &Join) -> Option<&Expr> {
    let (JoinOperator::Join(constraint)
    | JoinOperator::Inner(constraint)
    | JoinOperator::Left(constraint)
    | JoinOperator::LeftOuter(constraint)
    | JoinOperator::Right(constraint)
    | JoinOperator::RightOuter(constraint)
    | JoinOperator::FullOuter(constraint)
    | JoinOperator::CrossJoin(constraint)
    | JoinOperator::Semi(constraint)
    | JoinOperator::LeftSemi(constraint)
    | JoinOperator::RightSemi(constraint)
    | JoinOperator::Anti(constraint)
    | JoinOperator::LeftAnti(constraint)
    | JoinOperator::RightAnti(constraint)) = &join.join_operator
    else {
        return None;
    };
    match constraint {
        JoinConstraint::On(expr) => Some(expr),
        _ => None,
    }
}

/// The part of `pred` about `relation`: conditions on its columns (qualified with its name or
/// unqualified), made unqualified; conditions on other relations become `Unknown`.
fn project(pred: &Pred, relation: &Relation, all: &[Relation]) -> Pred {
    let mine = |column: &ColumnRef| belongs(column, relation, all);
    map_columns(pred, &|column| {
        mine(column).then(|| ColumnRef {
            qualifier: None,
            name: column.name.clone(),
        })
    })
}

/// True when `column` can be `relation`'s: qualified with its name, or unqualified.
fn belongs(column: &ColumnRef, relation: &Relation, all: &[Relation]) -> bool {
    match &column.qualifier {
        Some(q) => relation.answers_to(q),
        // An unqualified name in a join belongs to whichever table has it; without schemas,
        // each table is assumed to (the estimate intersects with real columns later).
        None => !all.is_empty(),
    }
}

fn columns_of(columns: &[ColumnRef], relation: &Relation, all: &[Relation]) -> BTreeSet<String> {
    columns
        .iter()
        .filter(|c| belongs(c, relation, all))
        .map(|c| c.name.clone())
        .collect()
}

/// Rewrites an outer query's condition on this select's output names into one on the
/// select's own columns. Outputs that are not plain columns cannot carry a condition inward.
fn rename_through(outer: &Pred, projection: &[SelectItem]) -> Pred {
    if matches!(outer, Pred::Unknown) {
        return Pred::Unknown;
    }
    let mut outputs: HashMap<String, ColumnRef> = HashMap::new();
    let mut passes_all = false;
    for item in projection {
        match item {
            SelectItem::UnnamedExpr(expr) => {
                if let Some(column) = column(expr) {
                    outputs.insert(column.name.clone(), column);
                }
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                if let Some(column) = column(expr) {
                    outputs.insert(ident(alias), column);
                }
            }
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => passes_all = true,
            SelectItem::ExprWithAliases { .. } => {}
        }
    }
    map_columns(outer, &|column| {
        outputs.get(&column.name).cloned().or_else(|| {
            passes_all.then(|| ColumnRef {
                qualifier: None,
                name: column.name.clone(),
            })
        })
    })
}

/// Applies `rename` to every column of `pred`; a condition whose column maps to nothing says
/// nothing here and becomes `Unknown`.
fn map_columns(pred: &Pred, rename: &dyn Fn(&ColumnRef) -> Option<ColumnRef>) -> Pred {
    match pred {
        Pred::Unknown => Pred::Unknown,
        Pred::Compare {
            column,
            op,
            value,
            span,
            value_span,
        } => rename(column).map_or(Pred::Unknown, |column| Pred::Compare {
            column,
            op: *op,
            value: value.clone(),
            span: *span,
            value_span: *value_span,
        }),
        Pred::InList {
            column,
            values,
            negated,
            span,
        } => rename(column).map_or(Pred::Unknown, |column| Pred::InList {
            column,
            values: values.clone(),
            negated: *negated,
            span: *span,
        }),
        Pred::Between {
            column,
            low,
            high,
            negated,
            span,
        } => rename(column).map_or(Pred::Unknown, |column| Pred::Between {
            column,
            low: low.clone(),
            high: high.clone(),
            negated: *negated,
            span: *span,
        }),
        Pred::Blocked {
            columns,
            blocker,
            text,
            span,
        } => {
            let columns: Vec<ColumnRef> = columns.iter().filter_map(rename).collect();
            if columns.is_empty() {
                Pred::Unknown
            } else {
                Pred::Blocked {
                    columns,
                    blocker: blocker.clone(),
                    text: text.clone(),
                    span: *span,
                }
            }
        }
        Pred::And(parts) => and(parts.iter().map(|p| map_columns(p, rename)).collect()),
        Pred::Or(parts) => Pred::Or(parts.iter().map(|p| map_columns(p, rename)).collect()),
        Pred::Not(inner) => Pred::Not(Box::new(map_columns(inner, rename))),
    }
}

/// A conjunction without the parts that say nothing.
pub fn and(parts: Vec<Pred>) -> Pred {
    Conjoin::conjoin(parts)
}

/// Lowercased identifier text, as Athena folds names (quoted or not).
pub fn ident(ident: &sqlparser::ast::Ident) -> String {
    ident.value.to_lowercase()
}

fn name_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(i) => ident(i),
            ObjectNamePart::Function(f) => ident(&f.name),
        })
        .collect()
}

/// A sqlparser span as a statement-relative span.
pub fn span_of(span: sqlparser::tokenizer::Span) -> Span {
    use crate::statements::Position;
    Span {
        start: Position {
            line: span.start.line.max(1),
            column: span.start.column.max(1),
        },
        end: Position {
            line: span.end.line.max(1),
            column: span.end.column.max(1),
        },
    }
}
