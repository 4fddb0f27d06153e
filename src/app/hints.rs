//! Partition-filter hints and the scan estimate of the statement under the cursor, their
//! quick fixes, and the cost guard that asks before a run whose estimate is over budget.
//!
//! After each edit the statement is compared with the one last analyzed; a change asks the
//! runtime for a new explanation (debounced there, off the UI thread). Answers carry a
//! generation and stale ones are dropped.

use std::sync::Arc;

use crate::estimate::Explanation;
use crate::sql::analyze::Fix;
use crate::sql::dates::{DateKeys, parse_range};
use crate::sql::filter;
use crate::sql::statements::Statement;

use super::action::Effect;
use super::overlay::{Overlay, Prompt, PromptKind};
use super::state::AppState;

/// Buffers bigger than this get no hints (the statement under the cursor is not looked for).
const MAX_BUFFER_FOR_HINTS: usize = 1 << 20;

/// What the editor knows of the statement under the cursor.
#[derive(Debug, Clone)]
pub struct HintState {
    /// Analyze as the user types (the cost guard estimates on run either way).
    pub enabled: bool,
    /// The statement last sent for analysis.
    pub requested: Option<Statement>,
    pub generation: u64,
    /// The newest explanation received and the statement it is about.
    pub current: Option<(Statement, Arc<Explanation>)>,
    /// A run waiting for its estimate before the cost guard can decide.
    pub pending_run: Option<(Statement, RunKind)>,
}

/// What a guarded run is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Run on the session's engine.
    Run,
    /// Run on both engines and compare the answers.
    Compare,
    /// Run on the session's engine, asking Athena for the result through `UNLOAD`.
    Unload,
}

impl Default for HintState {
    fn default() -> Self {
        Self {
            enabled: true,
            requested: None,
            generation: 0,
            current: None,
            pending_run: None,
        }
    }
}

impl HintState {
    /// The explanation of exactly `statement`, if it has arrived.
    pub fn for_statement(&self, statement: &Statement) -> Option<&Arc<Explanation>> {
        self.current
            .as_ref()
            .filter(|(s, _)| s.sql == statement.sql)
            .map(|(_, e)| e)
    }
}

/// When a query is big enough to ask first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostGuard {
    pub enabled: bool,
    /// Ask above this many estimated bytes.
    pub max_bytes: u64,
    /// Ask above this many estimated dollars.
    pub max_usd: f64,
    /// The workgroup's `BytesScannedCutoffPerQuery`: Athena cancels queries past it.
    pub workgroup_cutoff: Option<u64>,
}

impl Default for CostGuard {
    fn default() -> Self {
        Self {
            enabled: true,
            max_bytes: 1 << 30,
            max_usd: 0.01,
            workgroup_cutoff: None,
        }
    }
}

impl CostGuard {
    /// Why `explanation` needs a confirmation, or `None` when it can run.
    pub fn objection(&self, explanation: &Explanation) -> Option<String> {
        if !self.enabled || !explanation.scans() {
            return None;
        }
        let bytes = crate::text::human_bytes(explanation.estimated_bytes);
        if let Some(cutoff) = self.workgroup_cutoff
            && explanation.estimated_bytes > cutoff
        {
            return Some(format!(
                "~{bytes} is over the workgroup's limit of {} per query: Athena would cancel it \
                 when it gets there (and bill what it read)",
                crate::text::human_bytes(cutoff)
            ));
        }
        if explanation.estimated_bytes > self.max_bytes
            || explanation.estimated_cost_usd > self.max_usd
        {
            return Some(format!(
                "~{bytes} is over the cost guard ({} or {} per query)",
                crate::text::human_bytes(self.max_bytes),
                crate::text::usd(self.max_usd)
            ));
        }
        None
    }
}

/// The run the cost guard holds until the user says yes.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub statement: Statement,
    pub kind: RunKind,
    pub explanation: Arc<Explanation>,
    pub reason: String,
}

/// Asks for a new explanation when the statement under the cursor changed.
pub fn refresh(state: &mut AppState) -> Vec<Effect> {
    // A run waits for the estimate of its own statement (F6's whole buffer, a statement with
    // its values written in): asking about another would leave that run waiting forever.
    if !state.hints.enabled || state.hints.pending_run.is_some() {
        return Vec::new();
    }
    // Finding the statement tokenizes the buffer; past this size that would slow typing.
    let size: usize = state
        .editor
        .buffer()
        .textarea
        .lines()
        .iter()
        .map(String::len)
        .sum();
    let statement = if size > MAX_BUFFER_FOR_HINTS {
        None
    } else {
        // A statement with parameters is analyzed with the values last given written in
        // (the same text the cost guard estimates when it runs).
        state.editor.buffer().statement_to_run().map(|s| Statement {
            sql: state.parameters.for_analysis(&s.sql),
            ..s
        })
    };
    let same = match (&statement, &state.hints.requested) {
        (Some(a), Some(b)) => a.sql == b.sql && a.start == b.start,
        (None, None) => true,
        _ => false,
    };
    if same {
        return Vec::new();
    }
    state.hints.requested.clone_from(&statement);
    state.hints.generation += 1;
    match statement {
        Some(statement) => vec![Effect::Explain {
            generation: state.hints.generation,
            sql: statement.sql,
            immediate: false,
        }],
        None => {
            state.hints.current = None;
            Vec::new()
        }
    }
}

/// An explanation arrived; a run waiting for it goes ahead or asks first.
pub fn received(
    state: &mut AppState,
    generation: u64,
    explanation: Arc<Explanation>,
) -> Option<(Statement, RunKind)> {
    if generation != state.hints.generation {
        return None;
    }
    let statement = state.hints.requested.clone()?;
    state.hints.current = Some((statement, Arc::clone(&explanation)));
    let (waiting, kind) = state.hints.pending_run.take()?;
    if waiting.sql != state.hints.requested.as_ref()?.sql {
        return None;
    }
    match state.cost_guard.objection(&explanation) {
        Some(reason) => {
            // Nothing else can be open: the run was asked for by a key, which an overlay
            // would have taken, and the estimate it waited for opens nothing.
            state.open_overlay(Overlay::Confirmation(Confirmation {
                statement: waiting,
                kind,
                explanation,
                reason,
            }));
            None
        }
        None => Some((waiting, kind)),
    }
}

/// Whether `statement` may run now: `Ok` to run, or `Err` with the effects that ask first
/// (an immediate estimate, or nothing when a confirmation is now open).
pub fn guard(
    state: &mut AppState,
    statement: &Statement,
    kind: RunKind,
) -> Result<(), Vec<Effect>> {
    if !state.cost_guard.enabled {
        return Ok(());
    }
    if let Some(explanation) = state.hints.for_statement(statement).cloned() {
        return match state.cost_guard.objection(&explanation) {
            Some(reason) => Err(state.open_overlay(Overlay::Confirmation(Confirmation {
                statement: statement.clone(),
                kind,
                explanation,
                reason,
            }))),
            None => Ok(()),
        };
    }
    // No estimate yet: get one now, and decide when it arrives.
    state.hints.generation += 1;
    state.hints.requested = Some(statement.clone());
    state.hints.pending_run = Some((statement.clone(), kind));
    state.notice = Some("estimating the scan before running…".to_owned());
    Err(vec![Effect::Explain {
        generation: state.hints.generation,
        sql: statement.sql.clone(),
        immediate: true,
    }])
}

/// Applies the first hint's fix: a literal retyped in place, or a partition filter from the
/// partition browser's selection or a date range the user types.
pub fn apply_fix(state: &mut AppState) -> Vec<Effect> {
    let Some(statement) = state.editor.buffer().statement_to_run() else {
        state.notice = Some("no statement under the cursor".to_owned());
        return Vec::new();
    };
    let Some(explanation) = state.hints.for_statement(&statement).cloned() else {
        state.notice = Some("no hint for this statement yet".to_owned());
        return Vec::new();
    };
    let Some(fix) = explanation.hints.iter().find_map(|h| h.hint.fix.clone()) else {
        state.notice = Some("no hint here has a quick fix".to_owned());
        return Vec::new();
    };
    match fix {
        Fix::Replace { span, text } => {
            let start = statement.to_buffer(span.start);
            let end = statement.to_buffer(span.end);
            state.editor.buffer_mut().replace_range(start, end, &text);
            state.notice = Some(format!("replaced with {text}"));
            Vec::new()
        }
        Fix::AddPartitionFilter { reference, keys } => {
            // The browser's selection, when it is on this table and something is selected.
            let scanned = explanation.tables.iter().find(|t| t.reference == reference);
            let from_browser = state.partitions.as_ref().and_then(|browser| {
                let same_table = scanned.is_some_and(|t| t.table == browser.table.to_string());
                let selected = browser.anchor.is_some() || !browser.marked.is_empty();
                if same_table && selected {
                    browser.condition()
                } else {
                    None
                }
            });
            if let Some(condition) = from_browser {
                add_filter(state, &statement, &condition);
                return Vec::new();
            }
            let qualifier = qualifier_for(&explanation, &reference);
            if DateKeys::find(&keys, false, None).is_none() {
                state.notice = Some(format!(
                    "{reference} is partitioned by {}: select partitions in the browser (F6 on the table), then Ctrl-G",
                    keys.join(", ")
                ));
                return Vec::new();
            }
            let label = format!(
                "Filter {} to dates (2023-09-01 or 2023-09-01..2023-09-30)",
                qualifier.as_deref().unwrap_or(&reference)
            );
            let target = DateFilterTarget {
                keys,
                qualifier,
                integer: integer_keys(&explanation, &reference),
            };
            state.open_overlay(Overlay::Prompt(Prompt {
                kind: PromptKind::DateRange(target),
                label,
                text: String::new(),
            }))
        }
    }
}

/// What the date-range prompt builds its condition for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFilterTarget {
    pub keys: Vec<String>,
    pub qualifier: Option<String>,
    pub integer: bool,
}

/// The date-range prompt for `target` was answered.
pub fn date_range_entered(state: &mut AppState, target: DateFilterTarget, text: &str) {
    let Some((from, to)) = parse_range(text) else {
        state.notice = Some(format!(
            "{text:?} is not a date or range: write 2023-09-01 or 2023-09-01..2023-09-30"
        ));
        return;
    };
    let Some(keys) = DateKeys::find(&target.keys, target.integer, target.qualifier) else {
        return;
    };
    let Some(statement) = state.editor.buffer().statement_to_run() else {
        return;
    };
    add_filter(state, &statement, &keys.condition(from, to));
}

pub(super) fn add_filter(state: &mut AppState, statement: &Statement, condition: &str) {
    let Some(insertions) = filter::add_condition(&statement.sql, condition) else {
        state.notice = Some("this statement has no FROM to filter".to_owned());
        return;
    };
    state.editor.buffer_mut().compound(|buffer| {
        buffer.textarea.cancel_selection();
        for insertion in insertions {
            buffer.move_cursor_to(statement.to_buffer(insertion.at));
            buffer.textarea.insert_str(&insertion.text);
        }
    });
    state.notice = Some(format!("filter added: {condition}"));
}

/// The `year`/`month`/`day` conditions that keep `from..=to` for every table of the
/// explanation keyed by date: what a range picked on a chart adds so the scan is pruned.
pub(super) fn date_key_conditions(
    explanation: &Explanation,
    from: crate::sql::dates::Date,
    to: crate::sql::dates::Date,
) -> Vec<String> {
    explanation
        .tables
        .iter()
        .filter_map(|scan| {
            DateKeys::find(
                &scan.partition_keys,
                integer_keys(explanation, &scan.reference),
                qualifier_for(explanation, &scan.reference),
            )
            .map(|keys| keys.condition(from, to))
        })
        .collect()
}

/// `alias` when the query names the table by an alias (so keys are qualified in joins).
fn qualifier_for(explanation: &Explanation, reference: &str) -> Option<String> {
    let scan = explanation
        .tables
        .iter()
        .find(|t| t.reference == reference)?;
    let table = scan.table.rsplit('.').next().unwrap_or(&scan.table);
    (!reference.contains('.') && reference != table).then(|| reference.to_owned())
}

/// True when the table's `year` key is an integer (compared with bare numbers).
fn integer_keys(explanation: &Explanation, reference: &str) -> bool {
    use crate::sql::analyze::KeyType;
    explanation
        .tables
        .iter()
        .find(|t| t.reference == reference)
        .and_then(|t| {
            let at = t.partition_keys.iter().position(|k| k == "year")?;
            t.partition_key_types.get(at)
        })
        .is_some_and(|ty| KeyType::from_type_name(ty) == KeyType::Integer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanning(bytes: u64) -> Explanation {
        let pricing = crate::cost::Pricing::default();
        Explanation {
            tables: vec![crate::estimate::TableScan {
                table: "logs_db.logs".to_owned(),
                reference: "logs".to_owned(),
                partition_keys: Vec::new(),
                partition_key_types: Vec::new(),
                partition_filter: None,
                columns: None,
                estimate: None,
                error: None,
            }],
            estimated_bytes: bytes,
            billed_bytes: pricing.billed_bytes(bytes),
            estimated_cost_usd: pricing.cost_usd(bytes),
            ..Explanation::default()
        }
    }

    #[test]
    fn the_guard_asks_over_either_limit_and_names_the_workgroup_cutoff_first() {
        let guard = CostGuard {
            enabled: true,
            max_bytes: 1 << 30,
            max_usd: 0.001,
            workgroup_cutoff: None,
        };
        assert_eq!(guard.objection(&scanning(100 << 20)), None);
        // $5/TB: 300 MB is $0.0014, over the dollar limit though under the byte limit.
        assert!(guard.objection(&scanning(300 << 20)).is_some());
        let capped = CostGuard {
            workgroup_cutoff: Some(50 << 20),
            ..guard
        };
        let reason = capped.objection(&scanning(100 << 20)).unwrap();
        assert!(reason.contains("workgroup's limit of 50 MB"), "{reason}");
        let off = CostGuard {
            enabled: false,
            ..capped
        };
        assert_eq!(off.objection(&scanning(1 << 40)), None);
        // Nothing scanned, nothing to ask.
        assert_eq!(guard.objection(&Explanation::default()), None);
    }
}
