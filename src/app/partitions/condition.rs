//! A selection of partition nodes as a SQL condition on the partition keys: a node becomes
//! `key = value`, a run of siblings `BETWEEN`, scattered siblings `IN`, and once every
//! partition is known a full family of siblings becomes its parent.

use std::collections::BTreeSet;

use crate::sql::analyze::predicate::quote;

use super::{Loading, PartitionBrowser};

impl PartitionBrowser {
    /// The selected paths: the marks plus the range, or else the node under the cursor.
    pub fn selection(&self) -> Vec<Vec<String>> {
        let rows = self.rows();
        let mut chosen: BTreeSet<Vec<String>> = rows
            .iter()
            .filter(|r| r.selected)
            .map(|r| r.path.clone())
            .collect();
        chosen.extend(self.marked.iter().cloned());
        if chosen.is_empty()
            && let Some(row) = rows.get(self.cursor)
        {
            chosen.insert(row.path.clone());
        }
        chosen.into_iter().collect()
    }

    /// The SQL condition matching the selection, e.g. `year = '2024' AND month = '09'`, or
    /// `None` when nothing is selected.
    pub fn condition(&self) -> Option<String> {
        let chosen = self.selection();
        if chosen.is_empty() {
            return None;
        }
        // A node's descendants add nothing once the node itself is chosen.
        let mut paths: Vec<Vec<String>> = chosen
            .iter()
            .filter(|p| !chosen.iter().any(|q| q.len() < p.len() && p.starts_with(q)))
            .cloned()
            .collect();
        if self.loading == Loading::Complete {
            paths = self.merge_complete_families(paths);
        }
        Some(self.condition_for(&paths))
    }

    /// Replaces every full set of siblings by their parent, repeatedly, so "every day of
    /// March" filters on the month. Only sound once every partition is known.
    fn merge_complete_families(&self, mut paths: Vec<Vec<String>>) -> Vec<Vec<String>> {
        loop {
            let mut merged = false;
            let parents: BTreeSet<Vec<String>> = paths
                .iter()
                .filter(|p| p.len() > 1)
                .map(|p| p[..p.len() - 1].to_vec())
                .collect();
            for parent in parents {
                let children = self.children_of(&parent);
                // Every child that exists must be chosen (the calendar can also choose days
                // that have no partition, which counting would mistake for the others).
                let chosen = |child: &str| {
                    paths.iter().any(|p| {
                        p.len() == parent.len() + 1
                            && p.starts_with(&parent)
                            && p.last().is_some_and(|v| v == child)
                    })
                };
                if !children.is_empty() && children.iter().all(|c| chosen(c)) {
                    paths.retain(|p| !(p.len() == parent.len() + 1 && p.starts_with(&parent)));
                    paths.push(parent);
                    merged = true;
                }
            }
            if !merged {
                paths.sort();
                return paths;
            }
        }
    }

    fn children_of(&self, parent: &[String]) -> Vec<&str> {
        let mut level = &self.roots;
        for value in parent {
            match level.iter().find(|n| n.value == *value) {
                Some(node) => level = &node.children,
                None => return Vec::new(),
            }
        }
        level.iter().map(|n| n.value.as_str()).collect()
    }

    /// Groups paths by parent: one group is `parent keys = … AND last key IN/BETWEEN/=`; several
    /// groups are OR-ed in parentheses.
    fn condition_for(&self, paths: &[Vec<String>]) -> String {
        let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for path in paths {
            let Some((last, parent)) = path.split_last() else {
                continue;
            };
            let (last, parent) = (last.clone(), parent.to_vec());
            match groups.iter_mut().find(|(p, _)| *p == parent) {
                Some((_, values)) => values.push(last),
                None => groups.push((parent, vec![last])),
            }
        }
        let parts: Vec<String> = groups
            .iter()
            .map(|(parent, values)| self.group_condition(parent, values))
            .collect();
        if parts.len() == 1 {
            parts.into_iter().next().unwrap_or_default()
        } else {
            format!("({})", parts.join(" OR "))
        }
    }

    fn group_condition(&self, parent: &[String], values: &[String]) -> String {
        let mut terms: Vec<String> = parent
            .iter()
            .zip(&self.keys)
            .map(|(value, key)| format!("{} = {}", identifier(key), quote(value)))
            .collect();
        let key = identifier(&self.keys[parent.len().min(self.keys.len() - 1)]);
        let siblings = self.children_of(parent);
        let positions: Vec<usize> = values
            .iter()
            .filter_map(|v| siblings.iter().position(|s| s == v))
            .collect();
        let contiguous =
            positions.len() == values.len() && positions.windows(2).all(|w| w[1] == w[0] + 1);
        terms.push(match values {
            [one] => format!("{key} = {}", quote(one)),
            [first, .., last] if contiguous && values.len() > 2 => {
                format!("{key} BETWEEN {} AND {}", quote(first), quote(last))
            }
            _ => format!(
                "{key} IN ({})",
                values
                    .iter()
                    .map(|v| quote(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        terms.join(" AND ")
    }
}

/// A column name, quoted when it is not a plain lower-case identifier.
pub(super) fn identifier(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}
