//! Query parameters in the TUI: a statement with `?`, `:name` or `${name}` asks for each value
//! before it runs (the last values for that statement, else the last for that name, are
//! offered), then runs with the values passed to the engine apart from the SQL. Hints, the
//! scan estimate and the cost guard see the statement with the values written in.

use std::collections::HashMap;

use crate::sql::params::{self, ParamValue};
use crate::sql::statements::Statement;

use super::action::Effect;
use super::hints::{self, RunKind};
use super::overlay::{Overlay, Prompt, PromptKind};
use super::state::AppState;

/// Entries kept of each memory before the oldest are forgotten.
const MEMORY: usize = 200;

/// Values being asked for, and what has been remembered.
#[derive(Debug, Default)]
pub struct Parameters {
    /// The statement whose values are being typed.
    asking: Option<Asking>,
    /// The values last given for a statement (its text with `?`, `:name`, `${name}`).
    per_statement: HashMap<String, Vec<String>>,
    /// The values given for a parameter name, oldest first: the last is offered to other
    /// statements, ↑ and ↓ go through the rest.
    per_name: HashMap<String, Vec<String>>,
    /// A statement with its values written in → the SQL with `?` and the values to pass:
    /// what the engine receives when the guard lets the written-in statement run.
    bound: HashMap<String, (String, Vec<ParamValue>)>,
}

#[derive(Debug)]
struct Asking {
    statement: Statement,
    slots: Vec<String>,
    values: Vec<String>,
    kind: RunKind,
}

impl Parameters {
    /// The SQL with `?` and the values to run `sql` with, when `sql` is a statement whose
    /// values were asked for.
    pub fn bound(&self, sql: &str) -> Option<&(String, Vec<ParamValue>)> {
        self.bound.get(sql)
    }

    /// The statement as hints and the estimate read it: with the values last given written
    /// in, when it has parameters and they were given before.
    pub fn for_analysis(&self, sql: &str) -> String {
        self.per_statement
            .get(sql)
            .and_then(|values| {
                let values: Vec<ParamValue> = values.iter().map(|v| ParamValue::parse(v)).collect();
                params::bound_text(sql, &values).ok()
            })
            .unwrap_or_else(|| sql.to_owned())
    }

    /// Remembers `value` as the newest for `name`.
    fn note(&mut self, name: String, value: String) {
        let values = self.per_name.entry(name).or_default();
        values.retain(|v| *v != value);
        values.push(value);
        if values.len() > 20 {
            values.remove(0);
        }
    }

    /// Values remembered for a statement, for the session file.
    pub fn remembered(&self) -> &HashMap<String, Vec<String>> {
        &self.per_statement
    }

    /// Restores values remembered by an earlier session.
    pub fn remember(&mut self, per_statement: HashMap<String, Vec<String>>) {
        for (sql, values) in &per_statement {
            for (slot, value) in params::slots(sql).into_iter().zip(values) {
                self.note(slot, value.clone());
            }
        }
        self.per_statement = per_statement;
    }
}

/// Whether `statement` has parameters: if so, the first value is asked for and `true` comes
/// back; the run starts once every value is given.
pub fn ask(state: &mut AppState, statement: &Statement, kind: RunKind) -> Option<Vec<Effect>> {
    let slots = params::slots(&statement.sql);
    if slots.is_empty() {
        return None;
    }
    state.parameters.asking = Some(Asking {
        statement: statement.clone(),
        slots,
        values: Vec::new(),
        kind,
    });
    Some(prompt_next(state))
}

fn prompt_next(state: &mut AppState) -> Vec<Effect> {
    let Some(asking) = &state.parameters.asking else {
        return Vec::new();
    };
    let index = asking.values.len();
    let slot = &asking.slots[index];
    let offered = state
        .parameters
        .per_statement
        .get(&asking.statement.sql)
        .and_then(|values| values.get(index))
        .or_else(|| state.parameters.per_name.get(slot).and_then(|v| v.last()))
        .cloned()
        .unwrap_or_default();
    let name = if slot.bytes().all(|b| b.is_ascii_digit()) {
        format!("? #{slot}")
    } else {
        format!(":{slot}")
    };
    let label = format!(
        "{name} ({} of {}) · a number, or text ('quoted' if it looks like a number)",
        index + 1,
        asking.slots.len()
    );
    state.open_overlay(Overlay::Prompt(Prompt {
        kind: PromptKind::Parameter,
        label,
        text: offered,
    }))
}

/// A value typed: the next one is asked for, or, with all of them, the run goes ahead.
pub fn entered(state: &mut AppState, text: &str) -> Vec<Effect> {
    let Some(asking) = state.parameters.asking.as_mut() else {
        return Vec::new();
    };
    asking.values.push(text.to_owned());
    if asking.values.len() < asking.slots.len() {
        return prompt_next(state);
    }
    let Some(asking) = state.parameters.asking.take() else {
        return Vec::new();
    };
    let memory = &mut state.parameters;
    if memory.per_statement.len() >= MEMORY {
        memory.per_statement.clear();
        memory.bound.clear();
    }
    for (slot, value) in asking.slots.iter().zip(&asking.values) {
        memory.note(slot.clone(), value.clone());
    }
    memory
        .per_statement
        .insert(asking.statement.sql.clone(), asking.values.clone());
    let values: Vec<ParamValue> = asking.values.iter().map(|v| ParamValue::parse(v)).collect();
    let (with_values, to_run) = match (
        params::bound_text(&asking.statement.sql, &values),
        params::positional(&asking.statement.sql, &values),
    ) {
        (Ok(text), Ok(to_run)) => (text, to_run),
        (Err(e), _) | (_, Err(e)) => {
            state.notice = Some(e);
            return Vec::new();
        }
    };
    memory.bound.insert(with_values.clone(), to_run);
    let statement = Statement {
        sql: with_values,
        start: asking.statement.start,
    };
    if let Err(effects) = hints::guard(state, &statement, asking.kind) {
        return effects;
    }
    super::run::start_kind(state, statement, asking.kind)
}

/// ↑ / ↓ while a value is asked for: the value given before (or after) the one shown, among
/// those given to this parameter name.
pub fn offer_another(state: &mut AppState, step: isize) {
    let Some(asking) = &state.parameters.asking else {
        return;
    };
    let Some(Overlay::Prompt(prompt)) = &mut state.overlay else {
        return;
    };
    let slot = &asking.slots[asking.values.len()];
    let Some(values) = state
        .parameters
        .per_name
        .get(slot)
        .filter(|v| !v.is_empty())
    else {
        return;
    };
    let at = values
        .iter()
        .position(|v| *v == prompt.text)
        .unwrap_or(values.len());
    let next = at as isize + step;
    if let Some(value) = usize::try_from(next).ok().and_then(|i| values.get(i)) {
        prompt.text.clone_from(value);
    }
}

/// Esc on a value: nothing runs (nor do the statements queued after it).
pub fn abandoned(state: &mut AppState) {
    if state.parameters.asking.take().is_some() {
        state.result_tabs.queue.clear();
        state.notice = Some("not run: a parameter value was not given".to_owned());
    }
}
