//! Before a query runs: which tables it scans and how (the SQL analysis), what the catalog says
//! that reads (partitions, files, bytes of the columns used), what Athena would bill for it,
//! and the hints that say what stops pruning. One function serves the editor's hints, the cost
//! guard and `quarry query --explain`.

use serde::Serialize;

use crate::backend::{
    Catalog, PartitionFilter, PartitionMatcher, ScanEstimate, ScanRequest, TableName,
};
use crate::cost::Pricing;
use crate::sql::analyze::{self, ColumnsUsed, Fix, Hint, HintCode, PartitionKey};
use crate::text::{human_bytes, thousands, usd};

/// One table scan of the query.
#[derive(Debug, Clone, Serialize)]
pub struct TableScan {
    /// `database.table` as resolved.
    pub table: String,
    /// How the query names it.
    pub reference: String,
    pub partition_keys: Vec<String>,
    /// The keys' catalog types, in the same order.
    pub partition_key_types: Vec<String>,
    /// The Glue expression of the partition condition, when it has one.
    pub partition_filter: Option<String>,
    /// Columns read; `None` for all.
    pub columns: Option<Vec<String>>,
    pub estimate: Option<ScanEstimate>,
    /// Why there is no estimate.
    pub error: Option<String>,
}

/// A hint as shown and as printed in JSON.
#[derive(Debug, Clone, Serialize)]
pub struct HintView {
    pub code: &'static str,
    pub table: String,
    pub message: String,
    /// 1-based line and column in the analyzed text.
    pub line: Option<u64>,
    pub column: Option<u64>,
    #[serde(skip)]
    pub hint: Hint,
}

/// The analysis, hints and estimate of some SQL.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Explanation {
    pub tables: Vec<TableScan>,
    pub hints: Vec<HintView>,
    pub estimated_bytes: u64,
    /// What Athena would bill: each statement rounded up to the megabyte, 10 MB at least.
    pub billed_bytes: u64,
    pub estimated_cost_usd: f64,
    pub partitions_matched: u64,
    pub partitions_total: u64,
    /// Every scanned table was estimated.
    pub complete: bool,
    /// A `LIMIT` may stop the engine early: the estimate is what it reads at most.
    pub upper_bound: bool,
    /// The SQL parsed (unparseable SQL gets no hints and no estimate).
    pub parsed: bool,
    /// Why (part of) the SQL was not analyzed, when it was too long or too deep.
    pub skipped: Option<String>,
}

impl Explanation {
    /// True when the SQL scans at least one table.
    pub fn scans(&self) -> bool {
        !self.tables.is_empty()
    }

    /// `365 of 365 partitions, ~113 MB, ~$0.0006`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.partitions_total > 0 {
            parts.push(format!(
                "{} of {} partitions",
                thousands(self.partitions_matched),
                thousands(self.partitions_total)
            ));
        }
        let about = if self.upper_bound { "≤" } else { "~" };
        parts.push(format!("{about}{}", human_bytes(self.estimated_bytes)));
        parts.push(format!("~{}", usd(self.estimated_cost_usd)));
        parts.join(", ")
    }
}

/// Analyzes `sql`, asks `catalog` what each table scan reads, and prices the total.
/// Tables named without a database are looked up in `default_database`.
pub async fn explain(
    catalog: &dyn Catalog,
    sql: &str,
    default_database: Option<&str>,
    pricing: Pricing,
) -> Explanation {
    let statements = analyze::analyze(sql);
    let mut explanation = Explanation {
        parsed: !statements.is_empty(),
        complete: true,
        ..Explanation::default()
    };
    if sql.len() > analyze::MAX_ANALYZED_BYTES {
        explanation.skipped = Some(format!(
            "the SQL is over {} KiB, longer than hints look at",
            analyze::MAX_ANALYZED_BYTES / 1024
        ));
    } else if statements.iter().any(|s| s.too_deep) {
        explanation.skipped = Some(format!(
            "an expression nests more than {} levels deep",
            analyze::MAX_EXPRESSION_DEPTH
        ));
    }
    for statement in statements {
        explanation.upper_bound |= statement.limited;
        let mut statement_bytes = 0_u64;
        for table_use in &statement.tables {
            let Some(database) = table_use.database().or(default_database) else {
                continue;
            };
            let name = TableName::new(database, table_use.table());
            // A name the catalog does not know (a temporary view, a typo) gets no hints: the
            // engine's own error says more.
            let Ok(info) = catalog.table(&name).await else {
                continue;
            };
            let keys: Vec<PartitionKey> = info
                .partition_keys
                .iter()
                .map(|k| PartitionKey::new(&k.name, &k.data_type))
                .collect();
            let (filter, _) = table_use.partition_filter(&keys);
            let glue_expression = filter.glue_expression(&keys);
            let columns = match &table_use.columns {
                ColumnsUsed::All => None,
                ColumnsUsed::Some(_) => Some(
                    info.columns
                        .iter()
                        .map(|c| c.name.to_lowercase())
                        .filter(|c| table_use.columns.includes(c))
                        .collect::<Vec<_>>(),
                ),
            };
            let matcher_filter = filter.clone();
            let request = ScanRequest {
                table: name.clone(),
                partitions: PartitionMatcher::new(
                    move |values| matcher_filter.may_match(values),
                    glue_expression.clone(),
                ),
                columns: columns.clone(),
            };
            let (estimate, error) = match catalog.estimate_scan(&request).await {
                Ok(estimate) => (estimate, None),
                Err(e) => (None, Some(e.to_string())),
            };
            if let Some(estimate) = &estimate {
                statement_bytes += estimate.bytes;
                explanation.partitions_matched += estimate.partitions_matched;
                explanation.partitions_total += estimate.partitions_total;
            } else {
                explanation.complete = false;
            }
            for mut hint in analyze::hints(table_use, &keys, Some(info.columns.len())) {
                if hint.code == HintCode::KeyTypeMismatch {
                    pad_like_stored_values(catalog, &name, &keys, &mut hint).await;
                }
                explanation
                    .hints
                    .push(view(hint, estimate.as_ref(), pricing));
            }
            explanation.tables.push(TableScan {
                table: name.to_string(),
                reference: table_use.reference(),
                partition_keys: keys.iter().map(|k| k.name.clone()).collect(),
                partition_key_types: info
                    .partition_keys
                    .iter()
                    .map(|k| k.data_type.clone())
                    .collect(),
                partition_filter: glue_expression,
                columns,
                estimate,
                error,
            });
        }
        if !statement.tables.is_empty() {
            explanation.estimated_bytes += statement_bytes;
            explanation.billed_bytes += pricing.billed_bytes(statement_bytes);
        }
    }
    explanation.estimated_cost_usd =
        explanation.billed_bytes as f64 / crate::cost::TERABYTE as f64 * pricing.usd_per_tb;
    explanation.hints.sort_by_key(|h| h.hint.code);
    explanation
}

/// Zero-pads a quoted number the way the table's partition values are written (`month = 9`
/// becomes `'09'`, not `'9'`, on a table whose months are `01` … `12`), from one partition.
async fn pad_like_stored_values(
    catalog: &dyn Catalog,
    name: &TableName,
    keys: &[PartitionKey],
    hint: &mut Hint,
) {
    let Some(Fix::Replace { text, .. }) = &mut hint.fix else {
        return;
    };
    let Some(digits) = text
        .strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
    else {
        return;
    };
    let Some(index) = hint
        .key
        .as_ref()
        .and_then(|k| keys.iter().position(|key| &key.name == k))
    else {
        return;
    };
    let Ok(page) = catalog
        .partitions(name, &PartitionFilter::default(), None, 1)
        .await
    else {
        return;
    };
    let Some(stored) = page.partitions.first().and_then(|p| p.values.get(index)) else {
        return;
    };
    if stored.len() > digits.len() && stored.bytes().all(|b| b.is_ascii_digit()) {
        let padded = format!("'{digits:0>width$}'", width = stored.len());
        hint.message = hint.message.replace(text.as_str(), &padded);
        *text = padded;
    }
}

/// A hint with the numbers a "no filter" hint needs to make its point.
fn view(mut hint: Hint, estimate: Option<&ScanEstimate>, pricing: Pricing) -> HintView {
    if hint.code == HintCode::NoPartitionFilter
        && let Some(estimate) = estimate
    {
        hint.message = format!(
            "{}: {} of {} partitions, ~{}, ~{}",
            hint.message,
            thousands(estimate.partitions_matched),
            thousands(estimate.partitions_total),
            human_bytes(estimate.bytes),
            usd(pricing.cost_usd(estimate.bytes))
        );
    }
    HintView {
        code: hint.code.code(),
        table: hint.table.clone(),
        message: hint.message.clone(),
        line: hint.span.map(|s| s.start.line),
        column: hint.span.map(|s| s.start.column),
        hint,
    }
}

impl Explanation {
    /// The explanation as lines for a terminal (`quarry query --explain`).
    pub fn report(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        if let Some(reason) = &self.skipped {
            let _ = writeln!(out, "not analyzed: {reason}");
            return out;
        }
        if !self.parsed {
            out.push_str("the SQL does not parse, so there is nothing to estimate\n");
            return out;
        }
        if self.tables.is_empty() {
            out.push_str("scans no table\n");
        }
        for scan in &self.tables {
            let alias = if scan.reference == scan.table || scan.table.ends_with(&scan.reference) {
                String::new()
            } else {
                format!(" (as {})", scan.reference)
            };
            let _ = writeln!(out, "{}{alias}", scan.table);
            if !scan.partition_keys.is_empty() {
                let filter = scan.partition_filter.as_deref().map_or_else(
                    || "no partition filter".to_owned(),
                    |f| format!("filter {f}"),
                );
                let _ = writeln!(
                    out,
                    "  partitioned by {}; {filter}",
                    scan.partition_keys.join(", ")
                );
            }
            let columns = scan.columns.as_ref().map_or_else(
                || "all".to_owned(),
                |c| {
                    if c.is_empty() {
                        "none (metadata only)".to_owned()
                    } else {
                        c.join(", ")
                    }
                },
            );
            let _ = writeln!(out, "  columns read: {columns}");
            match (&scan.estimate, &scan.error) {
                (Some(e), _) => {
                    if e.partitions_total > 0 {
                        let _ = writeln!(
                            out,
                            "  partitions: {} of {}",
                            thousands(e.partitions_matched),
                            thousands(e.partitions_total)
                        );
                    }
                    let basis = match e.basis {
                        crate::backend::EstimateBasis::Footers { sampled, files }
                            if sampled == files =>
                        {
                            format!("column chunks from {} Parquet footers", thousands(files))
                        }
                        crate::backend::EstimateBasis::Footers { sampled, files } => format!(
                            "column shares from {} of {} Parquet footers",
                            thousands(sampled),
                            thousands(files)
                        ),
                        crate::backend::EstimateBasis::ObjectSizes { sized, partitions } => {
                            format!(
                                "object sizes listed for {} of {} partitions",
                                thousands(sized),
                                thousands(partitions)
                            )
                        }
                    };
                    let _ = writeln!(
                        out,
                        "  files: {} ({}); reads ~{} ({basis})",
                        thousands(e.files),
                        human_bytes(e.object_bytes),
                        human_bytes(e.bytes)
                    );
                }
                (None, Some(error)) => {
                    let _ = writeln!(out, "  no estimate: {error}");
                }
                (None, None) => {
                    let _ = writeln!(out, "  no estimate: the source cannot tell");
                }
            }
        }
        if self.scans() {
            let _ = writeln!(
                out,
                "estimate: {}{} scanned, billed {}, ~{}{}",
                if self.upper_bound { "at most " } else { "~" },
                human_bytes(self.estimated_bytes),
                human_bytes(self.billed_bytes),
                usd(self.estimated_cost_usd),
                if self.complete {
                    ""
                } else {
                    " (some tables could not be estimated)"
                }
            );
        }
        for hint in &self.hints {
            let at = match (hint.line, hint.column) {
                (Some(line), Some(column)) => format!("{line}:{column} "),
                _ => String::new(),
            };
            let _ = writeln!(out, "hint [{}] {at}{}", hint.code, hint.message);
        }
        out
    }
}
