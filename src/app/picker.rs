//! The history and saved-queries overlay: a filterable list whose Enter opens the SQL in a new
//! editor buffer.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Which list the picker shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    History,
    SavedQueries,
}

/// One run, as recorded in the history file (one JSON object per line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// RFC 3339 local time the run finished.
    pub time: String,
    /// Which source ran it (`local lake ~/…`, `athena eu-west-1 …`).
    pub source: String,
    pub sql: String,
    /// `succeeded`, `failed` or `cancelled`.
    pub state: String,
    pub bytes_scanned: u64,
    pub cost_usd: f64,
    pub rows: u64,
    pub total_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One line of the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerItem {
    pub title: String,
    pub detail: String,
    pub sql: String,
    /// The file a saved query lives in, when the user may write it back.
    pub path: Option<PathBuf>,
}

/// The open picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub kind: PickerKind,
    /// `None` while loading.
    pub items: Option<Vec<PickerItem>>,
    pub error: Option<String>,
    pub filter: String,
    pub selected: usize,
}

impl Picker {
    /// A picker waiting for its items.
    pub fn loading(kind: PickerKind) -> Self {
        Self {
            kind,
            items: None,
            error: None,
            filter: String::new(),
            selected: 0,
        }
    }

    /// The local items (files, the history file) arrived: they lead, ahead of any remote items
    /// that came first.
    pub fn receive_local(&mut self, items: Result<Vec<PickerItem>, String>) {
        match items {
            Ok(mut items) => {
                items.extend(self.items.take().unwrap_or_default());
                self.items = Some(items);
            }
            Err(e) => {
                self.items.get_or_insert_with(Vec::new);
                self.error = Some(e);
            }
        }
    }

    /// Items from a slower source (Athena) arrived: they follow the local ones.
    pub fn receive_remote(&mut self, items: Result<Vec<PickerItem>, String>) {
        match items {
            Ok(items) => self.items.get_or_insert_with(Vec::new).extend(items),
            Err(e) => self.error = Some(e),
        }
    }

    /// Items matching every word of the filter (case-insensitive, in title, detail or SQL).
    pub fn matching(&self) -> Vec<&PickerItem> {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.items
            .iter()
            .flatten()
            .filter(|item| {
                let haystack =
                    format!("{}\n{}\n{}", item.title, item.detail, item.sql).to_lowercase();
                words.iter().all(|w| haystack.contains(w))
            })
            .collect()
    }

    /// The item under the cursor.
    pub fn current(&self) -> Option<&PickerItem> {
        self.matching().get(self.selected).copied()
    }

    /// Moves the cursor within the matching items.
    pub fn move_by(&mut self, delta: isize) {
        let count = self.matching().len();
        self.selected = if count == 0 {
            0
        } else {
            self.selected.saturating_add_signed(delta).min(count - 1)
        };
    }
}

/// The first line of SQL that is not blank or a comment: a run's title in the picker.
pub fn first_sql_line(sql: &str) -> String {
    sql.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("--"))
        .unwrap_or_default()
        .to_owned()
}

impl HistoryEntry {
    /// The picker line for this run.
    pub fn to_item(&self) -> PickerItem {
        let first_line = first_sql_line(&self.sql);
        let outcome = match &self.error {
            Some(error) => format!("{} · {}", self.state, error.lines().next().unwrap_or("")),
            None => format!(
                "{} · {} rows · {} · {} · {}",
                self.state,
                crate::text::thousands(self.rows),
                crate::text::human_bytes(self.bytes_scanned),
                crate::text::usd(self.cost_usd),
                crate::text::seconds(self.total_ms)
            ),
        };
        PickerItem {
            title: first_line,
            detail: format!(
                "{} · {} · {outcome}",
                self.time.get(..19).unwrap_or(&self.time).replace('T', " "),
                self.source
            ),
            sql: self.sql.clone(),
            path: None,
        }
    }
}

/// The `-- name:` and `-- description:` header of a saved query, if present.
pub fn saved_query_header(sql: &str) -> (Option<String>, Option<String>) {
    let mut name = None;
    let mut description = None;
    for line in sql.lines().take_while(|l| l.trim_start().starts_with("--")) {
        let line = line.trim_start().trim_start_matches('-').trim();
        if let Some(v) = line.strip_prefix("name:") {
            name = Some(v.trim().to_owned());
        } else if let Some(v) = line.strip_prefix("description:") {
            description = Some(v.trim().to_owned());
        }
    }
    (name, description)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, sql: &str) -> PickerItem {
        PickerItem {
            title: title.to_owned(),
            detail: String::new(),
            sql: sql.to_owned(),
            path: None,
        }
    }

    #[test]
    fn every_filter_word_must_match_somewhere() {
        let mut picker = Picker::loading(PickerKind::History);
        picker.items = Some(vec![
            item(
                "errors per day",
                "SELECT day, count(*) FROM logs WHERE logtype = 'error'",
            ),
            item("sources", "SELECT source FROM sources"),
        ]);
        picker.filter = "LOGS error".to_owned();
        let titles: Vec<&str> = picker.matching().iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["errors per day"]);
        picker.filter = "select".to_owned();
        assert_eq!(picker.matching().len(), 2);
        picker.move_by(5);
        assert_eq!(picker.current().unwrap().title, "sources");
    }

    #[test]
    fn local_items_lead_whichever_source_answers_first() {
        let titles = |p: &Picker| -> Vec<String> {
            p.items.iter().flatten().map(|i| i.title.clone()).collect()
        };
        let mut remote_first = Picker::loading(PickerKind::SavedQueries);
        remote_first.receive_remote(Ok(vec![item("athena", "SELECT 2")]));
        remote_first.receive_local(Ok(vec![item("file", "SELECT 1")]));
        assert_eq!(titles(&remote_first), ["file", "athena"]);
        let mut local_first = Picker::loading(PickerKind::SavedQueries);
        local_first.receive_local(Ok(vec![item("file", "SELECT 1")]));
        local_first.receive_remote(Ok(vec![item("athena", "SELECT 2")]));
        assert_eq!(titles(&local_first), ["file", "athena"]);
        // A failing source keeps what the other gave and says why.
        let mut failing = Picker::loading(PickerKind::History);
        failing.receive_remote(Ok(vec![item("athena", "SELECT 2")]));
        failing.receive_local(Err("history unreadable".to_owned()));
        assert_eq!(titles(&failing), ["athena"]);
        assert_eq!(failing.error.as_deref(), Some("history unreadable"));
    }

    #[test]
    fn headers_name_and_describe_saved_queries() {
        let (name, description) =
            saved_query_header("-- name: Top errors\n-- description: The worst ones.\nSELECT 1");
        assert_eq!(name.as_deref(), Some("Top errors"));
        assert_eq!(description.as_deref(), Some("The worst ones."));
        assert_eq!(saved_query_header("SELECT 1 -- name: no"), (None, None));
    }
}
