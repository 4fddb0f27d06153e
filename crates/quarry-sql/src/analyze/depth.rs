//! How deeply expressions nest, measured with sqlparser's visitor (which grows its stack as it
//! goes), so the analyzer's own recursion is only ever asked to walk shallow trees.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Statement, Visit, Visitor};

/// True when some expression of `statement` nests more than `limit` levels.
pub fn deeper_than(statement: &Statement, limit: usize) -> bool {
    struct Depth {
        current: usize,
        limit: usize,
    }
    impl Visitor for Depth {
        type Break = ();
        fn pre_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<()> {
            self.current += 1;
            if self.current > self.limit {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
        fn post_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<()> {
            self.current -= 1;
            ControlFlow::Continue(())
        }
    }
    statement.visit(&mut Depth { current: 0, limit }).is_break()
}
