//! Lambdas for DataFusion: field access on a lambda's parameters (`r -> r.arn`), and the
//! two-parameter lambdas of Trino's `zip_with` and map functions rewritten over DataFusion's
//! one-parameter ones; also field access on any row-valued expression.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    AccessExpr, Expr, Function, Ident, OneOrManyWithParens, VisitMut, VisitorMut,
};

use super::rewrite::{Unsupported, function_args, parse_expr, unsupported};

/// The body of the lambda that is argument `position` of `function`, its parameters replaced
/// by `replacements` (SQL text), one per parameter.
pub(super) fn lambda_body(
    function: &Function,
    position: usize,
    replacements: &[&str],
) -> Result<String, Unsupported> {
    let name = function.name.to_string().to_ascii_lowercase();
    let args = function_args(function).unwrap_or_default();
    let Some(Expr::Lambda(lambda)) = args.get(position) else {
        return Err(unsupported(
            format!("{name}()"),
            "its last argument must be a lambda",
        ));
    };
    let params: Vec<&Ident> = match &lambda.params {
        OneOrManyWithParens::One(p) => vec![&p.name],
        OneOrManyWithParens::Many(ps) => ps.iter().map(|p| &p.name).collect(),
    };
    if params.len() != replacements.len() {
        return Err(unsupported(
            format!("{name}()"),
            format!("its lambda takes {} parameters", replacements.len()),
        ));
    }
    let mut substitute = Substitute {
        names: params.iter().map(|p| p.value.to_lowercase()).collect(),
        replacements: replacements
            .iter()
            .map(|r| parse_expr(r))
            .collect::<Result<_, _>>()?,
    };
    let mut body = (*lambda.body).clone();
    let _ = body.visit(&mut substitute);
    Ok(body.to_string())
}

/// Replaces identifiers by expressions (a lambda's parameters by what they stand for).
struct Substitute {
    names: Vec<String>,
    replacements: Vec<Expr>,
}

impl VisitorMut for Substitute {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Identifier(ident) = expr
            && let Some(i) = self
                .names
                .iter()
                .position(|n| *n == ident.value.to_lowercase())
        {
            *expr = self.replacements[i].clone();
        }
        ControlFlow::Continue(())
    }
}

/// Field access on a lambda's parameters, `p.a.b`, as `get_field` calls.
pub(super) struct LambdaFields {
    pub(super) params: Vec<String>,
}

impl VisitorMut for LambdaFields {
    type Break = Unsupported;

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Unsupported> {
        if let Expr::CompoundIdentifier(parts) = expr
            && parts.len() > 1
            && self.params.contains(&parts[0].value.to_lowercase())
        {
            let chain: Vec<AccessExpr> = parts[1..]
                .iter()
                .map(|p| AccessExpr::Dot(Expr::Identifier(p.clone())))
                .collect();
            match field_access(&Expr::Identifier(parts[0].clone()), &chain) {
                Ok(replacement) => *expr = replacement,
                Err(why) => return ControlFlow::Break(why),
            }
        }
        ControlFlow::Continue(())
    }
}

/// `root.field[i].other`: `get_field` for each dot, a subscript for each bracket.
pub(super) fn field_access(root: &Expr, chain: &[AccessExpr]) -> Result<Expr, Unsupported> {
    let mut text = root.to_string();
    for access in chain {
        text = match access {
            AccessExpr::Dot(Expr::Identifier(field)) => {
                format!("get_field({text}, '{}')", field.value.replace('\'', "''"))
            }
            AccessExpr::Subscript(subscript) => format!("({text})[{subscript}]"),
            AccessExpr::Dot(other) => {
                return Err(unsupported(
                    format!("`.{other}`"),
                    "a field name must follow the dot",
                ));
            }
        };
    }
    parse_expr(&text)
}
