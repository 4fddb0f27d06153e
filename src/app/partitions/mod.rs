//! The partition browser's model: a table's partitions as a tree by key order (year → month →
//! day) with file and byte counts summed up the tree, and as a filterable flat list. Pages
//! arrive in key order while the user already browses the first one, so huge tables open at
//! once. A selection of nodes becomes a SQL condition on the partition keys.

use std::collections::{BTreeSet, HashSet};

use crate::backend::{Partition, TableInfo, TableName};

pub mod calendar;
mod condition;

pub use calendar::CalendarDay;

/// How the partitions are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionView {
    Tree,
    Flat,
    /// Days as a calendar (tables keyed by year, month and day).
    Calendar,
}

/// Counts for a node, summed over the partitions under it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub partitions: u64,
    pub files: u64,
    pub bytes: u64,
}

impl Totals {
    fn add(&mut self, partition: &Partition) {
        self.partitions += 1;
        self.files += partition.files.unwrap_or(0);
        self.bytes += partition.bytes.unwrap_or(0);
    }
}

#[derive(Debug, Clone)]
struct Node {
    value: String,
    totals: Totals,
    children: Vec<Node>,
}

/// One visible line of the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionRow {
    /// Values from the outermost key down to this node.
    pub path: Vec<String>,
    pub totals: Totals,
    /// `Some(expanded)` for tree nodes with children.
    pub expanded: Option<bool>,
    pub selected: bool,
}

/// Where loading stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loading {
    /// More pages are coming.
    Partial,
    Complete,
    /// Listing stopped at the browser's limit; the table has more partitions.
    Capped,
    Failed(String),
}

/// Partitions a browser lists at most: about 100 bytes each in memory, and beyond this many a
/// list is no longer browsed but filtered in SQL.
pub const MAX_LISTED: usize = 250_000;

/// The browser for one table.
#[derive(Debug, Clone)]
pub struct PartitionBrowser {
    pub table: TableName,
    /// Partition key names, outermost first.
    pub keys: Vec<String>,
    /// The table's details, shown above the partitions.
    pub info: TableInfo,
    /// Identifies this browser's page requests; answers for another are dropped.
    pub request: u64,
    pub loading: Loading,
    pub view: PartitionView,
    pub cursor: usize,
    /// Where a range selection started (a row index of the current view).
    pub anchor: Option<usize>,
    /// Paths picked one by one with Space.
    pub marked: BTreeSet<Vec<String>>,
    /// The flat list's filter text, and whether keys go to it.
    pub filter: String,
    pub editing_filter: bool,
    /// What the calendar shades days by, and the rows per partition once counted.
    pub calendar_metric: calendar::CalendarMetric,
    pub row_counts: calendar::RowCounts,
    /// First row drawn, remembered by the drawing code so scrolling is calm.
    pub view_top: std::cell::Cell<usize>,
    roots: Vec<Node>,
    leaves: Vec<(Vec<String>, Totals)>,
    /// Indices into `leaves` matching `filter`.
    matching: Vec<usize>,
    expanded: HashSet<Vec<String>>,
    total: Totals,
    sized: usize,
    /// Partitions whose size has been asked for.
    pub size_requested: usize,
    /// The partition count the source reported, which can arrive before every page has.
    pub catalog_count: Option<u64>,
}

impl PartitionBrowser {
    /// An empty browser for `info`'s table, waiting for its first page.
    pub fn new(info: TableInfo, request: u64) -> Self {
        Self {
            table: info.name.clone(),
            keys: info.partition_keys.iter().map(|k| k.name.clone()).collect(),
            info,
            request,
            loading: Loading::Partial,
            view: PartitionView::Tree,
            cursor: 0,
            anchor: None,
            marked: BTreeSet::new(),
            filter: String::new(),
            editing_filter: false,
            calendar_metric: calendar::CalendarMetric::default(),
            row_counts: calendar::RowCounts::default(),
            view_top: 0.into(),
            roots: Vec::new(),
            leaves: Vec::new(),
            matching: Vec::new(),
            expanded: HashSet::new(),
            total: Totals::default(),
            sized: 0,
            size_requested: 0,
            catalog_count: None,
        }
    }

    /// Adds a page of partitions; pages come in key order, so each one extends the tree's
    /// right edge.
    pub fn add_page(&mut self, partitions: &[Partition], complete: bool) {
        // Local lakes page in key order; Glue pages come in whatever order Glue keeps. Sorting
        // the page and inserting by search keeps the tree and the flat list in key order.
        let mut page: Vec<&Partition> = partitions.iter().collect();
        page.sort_by(|a, b| a.values.cmp(&b.values));
        let in_order = match (self.leaves.last(), page.first()) {
            (Some((last, _)), Some(first)) => *last <= first.values,
            _ => true,
        };
        let first_new = self.leaves.len();
        for partition in page {
            self.total.add(partition);
            let mut level = &mut self.roots;
            for value in &partition.values {
                let at = match level.last() {
                    // The common case, pages in key order: append without searching.
                    Some(last) if last.value == *value => level.len() - 1,
                    Some(last) if last.value < *value => level.len(),
                    None => 0,
                    Some(_) => level
                        .binary_search_by(|n| n.value.as_str().cmp(value))
                        .unwrap_or_else(|i| i),
                };
                if level.get(at).is_none_or(|n| n.value != *value) {
                    level.insert(
                        at,
                        Node {
                            value: value.clone(),
                            totals: Totals::default(),
                            children: Vec::new(),
                        },
                    );
                }
                let node = &mut level[at];
                node.totals.add(partition);
                level = &mut node.children;
            }
            let mut totals = Totals::default();
            totals.add(partition);
            self.leaves.push((partition.values.clone(), totals));
        }
        if in_order {
            for index in first_new..self.leaves.len() {
                if leaf_matches(&self.filter, &self.keys, &self.leaves[index].0) {
                    self.matching.push(index);
                }
            }
        } else {
            self.leaves.sort_by(|a, b| a.0.cmp(&b.0));
            self.set_filter_keeping_view(self.filter.clone());
        }
        if complete {
            self.loading = Loading::Complete;
        }
    }

    /// Records a partition's size once the source has measured it (Glue partitions: an S3
    /// listing), adding it to every node above the partition.
    pub fn set_size(&mut self, values: &[String], files: u64, bytes: u64) {
        let Ok(index) = self
            .leaves
            .binary_search_by(|(v, _)| v.as_slice().cmp(values))
        else {
            return;
        };
        let leaf = &mut self.leaves[index].1;
        let (added_files, added_bytes) = (
            files.saturating_sub(leaf.files),
            bytes.saturating_sub(leaf.bytes),
        );
        leaf.files = files;
        leaf.bytes = bytes;
        self.total.files += added_files;
        self.total.bytes += added_bytes;
        self.sized += 1;
        let mut level = &mut self.roots;
        for value in values {
            let Ok(at) = level.binary_search_by(|n| n.value.as_str().cmp(value)) else {
                return;
            };
            let node = &mut level[at];
            node.totals.files += added_files;
            node.totals.bytes += added_bytes;
            level = &mut node.children;
        }
    }

    /// Partitions whose size was measured after listing.
    pub fn sized(&self) -> usize {
        self.sized
    }

    /// Sums over every partition loaded so far.
    pub fn total(&self) -> Totals {
        self.total
    }

    /// The rows of the current view.
    pub fn rows(&self) -> Vec<PartitionRow> {
        let range = self.range();
        let mut rows = match self.view {
            PartitionView::Tree => {
                let mut rows = Vec::new();
                self.push_tree_rows(&self.roots, &mut Vec::new(), &mut rows);
                rows
            }
            PartitionView::Flat => self
                .matching
                .iter()
                .map(|&i| PartitionRow {
                    path: self.leaves[i].0.clone(),
                    totals: self.leaves[i].1,
                    expanded: None,
                    selected: false,
                })
                .collect(),
            PartitionView::Calendar => self.calendar_rows(),
        };
        for (index, row) in rows.iter_mut().enumerate() {
            row.selected = self.marked.contains(&row.path)
                || range.as_ref().is_some_and(|r| r.contains(&index));
        }
        rows
    }

    /// Rows `start..start + len` of the current view; the flat list builds only those, so a
    /// frame costs the same with 100 or 100,000 partitions.
    pub fn rows_in(&self, start: usize, len: usize) -> Vec<PartitionRow> {
        match self.view {
            PartitionView::Tree | PartitionView::Calendar => {
                self.rows().into_iter().skip(start).take(len).collect()
            }
            PartitionView::Flat => {
                let range = self.range();
                let end = (start + len).min(self.matching.len());
                (start.min(end)..end)
                    .map(|index| {
                        let (path, totals) = &self.leaves[self.matching[index]];
                        PartitionRow {
                            selected: self.marked.contains(path)
                                || range.as_ref().is_some_and(|r| r.contains(&index)),
                            path: path.clone(),
                            totals: *totals,
                            expanded: None,
                        }
                    })
                    .collect()
            }
        }
    }

    /// Number of rows in the current view, without building them (the flat list can be long).
    pub fn row_count(&self) -> usize {
        match self.view {
            PartitionView::Tree | PartitionView::Calendar => self.rows().len(),
            PartitionView::Flat => self.matching.len(),
        }
    }

    fn push_tree_rows(&self, nodes: &[Node], path: &mut Vec<String>, rows: &mut Vec<PartitionRow>) {
        for node in nodes {
            path.push(node.value.clone());
            let open = self.expanded.contains(path);
            rows.push(PartitionRow {
                path: path.clone(),
                totals: node.totals,
                expanded: (!node.children.is_empty()).then_some(open),
                selected: false,
            });
            if open {
                self.push_tree_rows(&node.children, path, rows);
            }
            path.pop();
        }
    }

    /// The row indices of the range selection, anchor to cursor in the current view.
    fn range(&self) -> Option<std::ops::RangeInclusive<usize>> {
        let anchor = self.anchor?;
        Some(anchor.min(self.cursor)..=anchor.max(self.cursor))
    }

    /// Moves the cursor, staying inside the view.
    pub fn move_by(&mut self, delta: isize) {
        // In the calendar, up and down are a week, a page four weeks.
        let delta = match (self.view, delta) {
            (PartitionView::Calendar, -1 | 1) => delta * 7,
            (PartitionView::Calendar, _) => delta.signum() * 28,
            _ => delta,
        };
        let count = self.row_count();
        self.cursor = if count == 0 {
            0
        } else {
            self.cursor.saturating_add_signed(delta).min(count - 1)
        };
    }

    /// Opens the node under the cursor (tree view).
    pub fn expand(&mut self) {
        if self.view == PartitionView::Calendar {
            return self.step_day(1);
        }
        if let Some(row) = self.current_row()
            && row.expanded == Some(false)
        {
            self.expanded.insert(row.path);
        }
    }

    /// Closes the node under the cursor, or moves to its parent.
    pub fn collapse(&mut self) {
        if self.view == PartitionView::Calendar {
            return self.step_day(-1);
        }
        let Some(row) = self.current_row() else {
            return;
        };
        if row.expanded == Some(true) {
            self.expanded.remove(&row.path);
        } else if self.view == PartitionView::Tree && row.path.len() > 1 {
            let parent = &row.path[..row.path.len() - 1];
            if let Some(index) = self.rows().iter().position(|r| r.path == parent) {
                self.cursor = index;
            }
        }
    }

    /// Switches between the tree and the flat list, keeping the node under the cursor when
    /// it exists in the other view.
    pub fn toggle_view(&mut self) {
        let current = self.current_row().map(|r| r.path);
        self.view = match self.view {
            PartitionView::Tree => PartitionView::Flat,
            PartitionView::Flat if self.has_calendar() => PartitionView::Calendar,
            PartitionView::Flat | PartitionView::Calendar => PartitionView::Tree,
        };
        self.anchor = None;
        self.editing_filter = false;
        self.cursor = current
            .and_then(|path| self.rows().iter().position(|r| r.path.starts_with(&path)))
            .unwrap_or(0);
    }

    /// Marks or unmarks the node under the cursor.
    pub fn toggle_mark(&mut self) {
        if let Some(row) = self.current_row()
            && !self.marked.remove(&row.path)
        {
            self.marked.insert(row.path);
        }
    }

    /// Starts or ends a range selection at the cursor.
    pub fn toggle_range(&mut self) {
        self.anchor = match self.anchor {
            Some(_) => None,
            None => Some(self.cursor),
        };
    }

    /// Replaces the flat list's filter (a substring of `key=value/…`, case-insensitive).
    pub fn set_filter(&mut self, filter: String) {
        self.set_filter_keeping_view(filter);
        self.view = PartitionView::Flat;
        self.anchor = None;
        self.cursor = self.cursor.min(self.matching.len().saturating_sub(1));
    }

    fn set_filter_keeping_view(&mut self, filter: String) {
        self.filter = filter;
        self.matching = self
            .leaves
            .iter()
            .enumerate()
            .filter(|(_, (values, _))| leaf_matches(&self.filter, &self.keys, values))
            .map(|(i, _)| i)
            .collect();
    }

    /// Drops the marks and the range.
    pub fn clear_selection(&mut self) {
        self.marked.clear();
        self.anchor = None;
    }

    fn current_row(&self) -> Option<PartitionRow> {
        self.rows().into_iter().nth(self.cursor)
    }
}

fn leaf_matches(filter: &str, keys: &[String], values: &[String]) -> bool {
    if filter.is_empty() {
        return true;
    }
    let path = partition_path(keys, values).to_lowercase();
    path.contains(&filter.to_lowercase())
}

/// `year=2024/month=09/day=01`, as on disk and in S3.
pub fn partition_path(keys: &[String], values: &[String]) -> String {
    keys.iter()
        .zip(values)
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Column;

    pub(super) fn browser(days: &[(&str, &str, &str)], complete: bool) -> PartitionBrowser {
        let key = |name: &str| Column {
            name: name.to_owned(),
            data_type: "string".to_owned(),
            comment: None,
            nullable: false,
        };
        let info = TableInfo {
            name: TableName::new("lake", "logs"),
            columns: Vec::new(),
            partition_keys: vec![key("year"), key("month"), key("day")],
            location: String::new(),
            format: "parquet".to_owned(),
            properties: std::collections::BTreeMap::new(),
            totals: None,
            problems: Vec::new(),
        };
        let mut browser = PartitionBrowser::new(info, 1);
        let partitions: Vec<Partition> = days
            .iter()
            .map(|(y, m, d)| Partition {
                values: vec![(*y).to_owned(), (*m).to_owned(), (*d).to_owned()],
                location: String::new(),
                files: Some(2),
                bytes: Some(100),
                projected: false,
            })
            .collect();
        browser.add_page(&partitions, complete);
        browser
    }

    const DAYS: &[(&str, &str, &str)] = &[
        ("2023", "12", "31"),
        ("2024", "01", "01"),
        ("2024", "01", "02"),
        ("2024", "02", "01"),
        ("2024", "02", "02"),
        ("2024", "02", "03"),
        ("2024", "03", "01"),
    ];

    #[test]
    fn counts_add_up_the_tree() {
        let mut b = browser(DAYS, true);
        let rows = b.rows();
        assert_eq!(rows.len(), 2, "years only until one is opened");
        assert_eq!(rows[1].path, ["2024"]);
        assert_eq!(rows[1].totals.partitions, 6);
        assert_eq!(rows[1].totals.files, 12);
        assert_eq!(rows[1].totals.bytes, 600);
        b.move_by(1);
        b.expand();
        let months: Vec<u64> = b.rows()[2..].iter().map(|r| r.totals.partitions).collect();
        assert_eq!(months, [2, 3, 1]);
        assert_eq!(b.total().partitions, 7);
    }

    #[test]
    fn one_node_filters_on_its_path() {
        let mut b = browser(DAYS, true);
        b.move_by(1);
        b.expand();
        b.move_by(2); // 2024 / 02
        assert_eq!(b.condition().unwrap(), "year = '2024' AND month = '02'");
    }

    #[test]
    fn a_range_of_siblings_becomes_between_and_marks_become_in() {
        let mut b = browser(DAYS, true);
        b.move_by(1);
        b.expand();
        b.move_by(1);
        b.expand(); // 2024/01 open: rows 2023, 2024, 01, 01/01, 01/02, 02, 03
        b.move_by(1);
        b.toggle_mark(); // day 01 of January
        b.move_by(2); // month 02
        b.toggle_mark();
        assert_eq!(
            b.condition().unwrap(),
            "(year = '2024' AND month = '01' AND day = '01' OR year = '2024' AND month = '02')"
        );
        b.clear_selection();
        b.toggle_view(); // flat, cursor stays on 2024/02/01
        b.toggle_range();
        b.move_by(2);
        assert_eq!(
            b.condition().unwrap(),
            "year = '2024' AND month = '02'",
            "every day of February is February"
        );
        b.move_by(-1);
        assert_eq!(
            b.condition().unwrap(),
            "year = '2024' AND month = '02' AND day IN ('01', '02')"
        );
    }

    #[test]
    fn incomplete_loading_never_widens_a_selection() {
        let mut b = browser(&DAYS[..4], false);
        b.toggle_view();
        b.move_by(1);
        b.toggle_range();
        b.move_by(1); // both days of January 2024 loaded so far
        assert_eq!(
            b.condition().unwrap(),
            "year = '2024' AND month = '01' AND day IN ('01', '02')"
        );
    }

    #[test]
    fn the_flat_filter_matches_paths_and_keeps_arriving_pages_filtered() {
        let mut b = browser(DAYS, false);
        b.set_filter("MONTH=02".to_owned());
        assert_eq!(b.row_count(), 3);
        b.add_page(
            &[Partition {
                values: vec!["2025".into(), "02".into(), "01".into()],
                location: String::new(),
                files: None,
                bytes: None,
                projected: false,
            }],
            true,
        );
        assert_eq!(b.row_count(), 4);
        assert_eq!(b.rows()[3].path, ["2025", "02", "01"]);
        assert_eq!(
            partition_path(&b.keys, &b.rows()[0].path),
            "year=2024/month=02/day=01"
        );
    }

    #[test]
    fn odd_names_and_values_are_quoted() {
        assert_eq!(condition::identifier("Year"), "\"Year\"");
        assert_eq!(condition::identifier("dt"), "dt");
        assert_eq!(crate::sql::analyze::predicate::quote("it's"), "'it''s'");
    }
}
