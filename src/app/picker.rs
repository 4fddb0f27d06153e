//! The history and saved-queries overlay: a filterable list whose Enter opens the SQL in a new
//! editor buffer.

pub use crate::history::{HistoryEntry, QueryItem, first_sql_line, saved_query_header};

/// Which list the picker shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    History,
    SavedQueries,
}

/// The open picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub kind: PickerKind,
    /// `None` while loading.
    pub items: Option<Vec<QueryItem>>,
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
    pub fn receive_local(&mut self, items: Result<Vec<QueryItem>, String>) {
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
    pub fn receive_remote(&mut self, items: Result<Vec<QueryItem>, String>) {
        match items {
            Ok(items) => self.items.get_or_insert_with(Vec::new).extend(items),
            Err(e) => self.error = Some(e),
        }
    }

    /// Items matching every word of the filter (case-insensitive, in title, detail or SQL).
    pub fn matching(&self) -> Vec<&QueryItem> {
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
    pub fn current(&self) -> Option<&QueryItem> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, sql: &str) -> QueryItem {
        QueryItem {
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
}
