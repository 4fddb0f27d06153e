//! Result column names as Trino gives them.

use datafusion::sql::sqlparser::ast::{Expr, Ident, SelectItem, SetExpr};

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
