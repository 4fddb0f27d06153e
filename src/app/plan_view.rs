//! The plan overlay (`p` in the results): the plan the rows came from as a tree to walk — ↑↓
//! move between operators, ← folds one (or goes to its parent), → unfolds it, Enter shows or
//! hides every operator's measurements.

use std::collections::BTreeSet;

use crate::backend::PlanNode;

/// A plan being read.
#[derive(Debug, Clone)]
pub struct PlanView {
    /// What the plan is of: the last run, or a statement not run.
    pub title: String,
    pub root: PlanNode,
    /// Nodes folded, by their path of child indices from the root.
    pub folded: BTreeSet<Vec<usize>>,
    /// The row under the cursor.
    pub cursor: usize,
    /// Whether each operator's measurements show under it.
    pub metrics: bool,
    /// First row drawn; kept by the view so scrolling is stable.
    pub top: std::cell::Cell<usize>,
}

/// One visible row: a node, its depth and path.
#[derive(Debug, Clone, Copy)]
pub struct PlanRow<'a> {
    pub node: &'a PlanNode,
    pub depth: usize,
    pub folded: bool,
}

/// What a key does in the overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKey {
    Move(isize),
    Fold,
    Unfold,
    ToggleMetrics,
}

impl PlanView {
    /// The plan unfolded, measurements shown, the cursor on the root.
    pub fn new(title: impl Into<String>, root: PlanNode) -> Self {
        Self {
            title: title.into(),
            root,
            folded: BTreeSet::new(),
            cursor: 0,
            metrics: true,
            top: 0.into(),
        }
    }

    /// The rows shown, with their paths, in tree order.
    pub fn rows(&self) -> Vec<(Vec<usize>, PlanRow<'_>)> {
        let mut rows = Vec::new();
        self.push(&self.root, &mut Vec::new(), 0, &mut rows);
        rows
    }

    fn push<'a>(
        &'a self,
        node: &'a PlanNode,
        path: &mut Vec<usize>,
        depth: usize,
        rows: &mut Vec<(Vec<usize>, PlanRow<'a>)>,
    ) {
        let folded = self.folded.contains(path);
        rows.push((
            path.clone(),
            PlanRow {
                node,
                depth,
                folded,
            },
        ));
        if folded {
            return;
        }
        for (i, child) in node.children.iter().enumerate() {
            path.push(i);
            self.push(child, path, depth + 1, rows);
            path.pop();
        }
    }

    /// Applies a key.
    pub fn key(&mut self, key: PlanKey) {
        let rows = self.rows();
        let Some((path, row)) = rows.get(self.cursor).map(|(p, r)| (p.clone(), *r)) else {
            return;
        };
        match key {
            PlanKey::Move(delta) => {
                self.cursor = self
                    .cursor
                    .saturating_add_signed(delta)
                    .min(rows.len().saturating_sub(1));
            }
            PlanKey::Fold if !row.folded && !row.node.children.is_empty() => {
                self.folded.insert(path);
            }
            PlanKey::Fold => {
                // Already folded, or a leaf: to the parent.
                if let Some(parent) = path.split_last().map(|(_, p)| p.to_vec())
                    && let Some(index) = rows.iter().position(|(p, _)| *p == parent)
                {
                    self.cursor = index;
                }
            }
            PlanKey::Unfold => {
                self.folded.remove(&path);
            }
            PlanKey::ToggleMetrics => self.metrics = !self.metrics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(operator: &str, children: Vec<PlanNode>) -> PlanNode {
        PlanNode {
            operator: operator.to_owned(),
            detail: String::new(),
            metrics: vec![("output_rows".to_owned(), "1".to_owned())],
            children,
        }
    }

    #[test]
    fn folding_hides_the_operators_under_a_node() {
        let plan = node(
            "Projection",
            vec![
                node("Aggregate", vec![node("Scan", vec![])]),
                node("Other", vec![]),
            ],
        );
        let mut view = PlanView::new("plan", plan);
        let names = |v: &PlanView| -> Vec<String> {
            v.rows()
                .iter()
                .map(|(_, r)| r.node.operator.clone())
                .collect()
        };
        assert_eq!(names(&view), ["Projection", "Aggregate", "Scan", "Other"]);
        view.key(PlanKey::Move(1));
        view.key(PlanKey::Fold); // Aggregate folded
        assert_eq!(names(&view), ["Projection", "Aggregate", "Other"]);
        view.key(PlanKey::Fold); // folded already: to the parent
        assert_eq!(view.cursor, 0);
        view.key(PlanKey::Move(1));
        view.key(PlanKey::Unfold);
        assert_eq!(names(&view), ["Projection", "Aggregate", "Scan", "Other"]);
        view.key(PlanKey::Move(10));
        assert_eq!(view.cursor, 3, "the cursor stays on the last row");
    }
}
