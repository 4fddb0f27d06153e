//! Query clauses as Trino reads them: result column names, and `FETCH FIRST` as a limit.

use datafusion::sql::sqlparser::ast::{Expr, Ident, LimitClause, Query, SelectItem, SetExpr};

use super::rewrite::{Unsupported, unsupported};

/// Names select items as Trino does: an expression without an alias is `_col<position>`
/// (counted from 0 over the whole list), a dotted name is its last part. DataFusion would name
/// them after the expression's text, so the local result's columns would differ from Athena's.
pub(super) fn name_columns(body: &mut SetExpr) {
    match body {
        SetExpr::Select(select) => {
            for (position, item) in select.projection.iter_mut().enumerate() {
                let SelectItem::UnnamedExpr(expr) = item else {
                    continue;
                };
                let alias = match expr {
                    Expr::Identifier(_) => continue,
                    Expr::CompoundIdentifier(parts) => match parts.last() {
                        Some(last) => last.clone(),
                        None => continue,
                    },
                    _ => Ident::new(format!("_col{position}")),
                };
                *item = SelectItem::ExprWithAlias {
                    expr: expr.clone(),
                    alias,
                };
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            name_columns(left);
            name_columns(right);
        }
        _ => {}
    }
}

/// `FETCH FIRST n ROWS ONLY` (standard SQL, which Trino takes) as the `LIMIT n` DataFusion
/// reads, keeping an `OFFSET`.
pub(super) fn fetch_as_limit(query: &mut Query) -> Result<(), Unsupported> {
    let Some(fetch) = query.fetch.take() else {
        return Ok(());
    };
    if fetch.with_ties || fetch.percent {
        return Err(unsupported(
            "FETCH … WITH TIES or PERCENT",
            "only FETCH FIRST n ROWS ONLY is implemented locally",
        ));
    }
    let offset = match query.limit_clause.take() {
        Some(LimitClause::LimitOffset { offset, .. }) => offset,
        _ => None,
    };
    query.limit_clause = Some(LimitClause::LimitOffset {
        limit: fetch.quantity,
        offset,
        limit_by: Vec::new(),
    });
    Ok(())
}
