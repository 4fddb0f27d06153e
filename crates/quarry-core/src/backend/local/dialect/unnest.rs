//! `CROSS JOIN UNNEST(array) AS t(x)` for DataFusion, which cannot join a table with an unnest
//! that refers to it but unnests in a select list: the table and its unnest become one
//! derived table.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, Ident, Select, SetExpr, TableFactor, TableWithJoins,
    VisitorMut,
};
use datafusion::sql::sqlparser::dialect::DuckDbDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::rewrite::{Unsupported, unsupported};

/// `FROM t CROSS JOIN UNNEST(e) AS u(x)` (or `FROM t, UNNEST(e) AS u(x)`) becomes
/// `FROM (SELECT t.*, unnest(e) AS x FROM t) AS t`: DataFusion cannot join a table with an
/// unnest that refers to it, but unnests in a select list. Returns the aliases to rename
/// (`u` → `t`) in the rest of the query.
pub(super) fn unnest_joins(select: &mut Select) -> Result<Vec<(String, String)>, Unsupported> {
    let mut renames = Vec::new();
    for item in &mut select.from {
        as_unnest(&mut item.relation);
        for join in &mut item.joins {
            as_unnest(&mut join.relation);
        }
    }
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
            // `FROM UNNEST(sequence(…)) AS t(d) LEFT JOIN logs …`, a calendar: the array refers
            // to no table, so it can be a derived table of its own.
            item.relation = standalone_unnest(&item.relation)?;
        }
    }
    Ok(renames)
}

/// DuckDB's dialect (used for lambdas) reads `UNNEST(e) AS u(x)` in FROM as a call of a table
/// function named UNNEST; this makes it the UNNEST the generic dialect reads.
fn as_unnest(relation: &mut TableFactor) {
    let TableFactor::Table {
        name,
        alias,
        args: Some(args),
        with_ordinality,
        ..
    } = relation
    else {
        return;
    };
    if !name.to_string().eq_ignore_ascii_case("unnest") {
        return;
    }
    let array_exprs: Option<Vec<Expr>> = args
        .args
        .iter()
        .map(|arg| match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
            _ => None,
        })
        .collect();
    let Some(array_exprs) = array_exprs else {
        return;
    };
    *relation = TableFactor::UNNEST {
        alias: alias.take(),
        array_exprs,
        with_offset: false,
        with_offset_alias: None,
        with_ordinality: *with_ordinality,
    };
}

/// WITH ORDINALITY: a second unnest, of 1..n, beside the first. DataFusion zips unnests in one
/// select list by position, and an empty or NULL array gives no rows for either.
fn ordinality(array: &Expr, name: &Ident) -> String {
    format!(", unnest(generate_series(1, cardinality({array}))) AS {name}")
}

/// The derived table `sql` (`(SELECT …) AS name`) as a FROM item.
fn derived_table(sql: &str) -> Result<TableFactor, Unsupported> {
    let query = format!("SELECT 1 FROM {sql}");
    let parsed = Parser::new(&DuckDbDialect {})
        .try_with_sql(&query)
        .and_then(|mut p| p.parse_query())
        .map_err(|e| unsupported(query.clone(), format!("the rewrite did not parse ({e})")))?;
    let SetExpr::Select(mut wrapper) = *parsed.body else {
        return Err(unsupported(query, "the rewrite is not a SELECT"));
    };
    Ok(wrapper.from.remove(0).relation)
}

/// `UNNEST(e) AS u(x)` alone as `(SELECT unnest(e) AS x) AS u`.
fn standalone_unnest(unnest: &TableFactor) -> Result<TableFactor, Unsupported> {
    let TableFactor::UNNEST {
        alias: Some(alias),
        array_exprs,
        with_ordinality,
        ..
    } = unnest
    else {
        return Err(unsupported(
            "UNNEST without `AS t(column)` before a join",
            "name the column it produces",
        ));
    };
    let ([array], [column, rest @ ..]) = (array_exprs.as_slice(), alias.columns.as_slice()) else {
        return Err(unsupported(
            "UNNEST of several arrays before a join",
            "unnest one array",
        ));
    };
    let positions = match (rest, with_ordinality) {
        ([position], true) => ordinality(array, &position.name),
        ([], false) => String::new(),
        _ => {
            return Err(unsupported(
                "UNNEST with other than one column before a join",
                "locally, UNNEST names one column (and its position WITH ORDINALITY)",
            ));
        }
    };
    derived_table(&format!(
        "(SELECT unnest({array}) AS {}{positions}) AS {}",
        column.name, alias.name
    ))
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
    if *with_offset {
        return Err(unsupported(
            "UNNEST … WITH OFFSET",
            "Trino has WITH ORDINALITY instead",
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
    let (column, positions) = match (alias.columns.as_slice(), *with_ordinality) {
        ([column], false) => (column, None),
        ([column, position], true) => (column, Some(position)),
        _ => {
            return Err(unsupported(
                "UNNEST with other than one column (a map?)",
                "locally, UNNEST takes one array and names one column (and its position WITH \
                 ORDINALITY)",
            ));
        }
    };
    let positions =
        positions.map_or_else(String::new, |position| ordinality(array, &position.name));
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
    // `FROM db.table` without an alias: name it, so `"table".*` resolves inside the wrapper.
    let base = match &item.relation {
        TableFactor::Table { alias: None, .. } => format!("{base} AS {quoted}"),
        _ => base,
    };
    item.relation = derived_table(&format!(
        "(SELECT {quoted}.*, unnest({array}) AS {}{positions} FROM {base}) AS {quoted}",
        column.name
    ))?;
    Ok((alias.name.value.clone(), base_alias))
}

/// Renames the qualifier `from.` to `to.` in compound identifiers.
pub(super) struct Requalify {
    pub(super) from: String,
    pub(super) to: String,
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
