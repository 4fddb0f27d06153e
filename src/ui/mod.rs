//! Drawing: every pane is a function of `&AppState`. No I/O, no awaits.

mod calendar;
mod catalog;
pub mod chart;
mod compare;
mod cost;
mod dialog;
mod doctor;
mod editor;
mod help;
mod inspector;
mod partitions;
mod picker;
mod plan;
pub mod results;
mod status;
pub mod theme;

use ratatui_core::layout::{Constraint, Layout, Rect};
use ratatui_core::terminal::Frame;
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;

use crate::app::bindings::Binding;
use crate::app::{AppState, Focus, Overlay};
use theme::Theme;

/// The first visible index of a window of `size` that starts at `top` and must show `target`:
/// the window moves only as far as needed, so scrolling is calm.
fn scroll_to_show(top: usize, target: usize, size: usize) -> usize {
    if target < top {
        target
    } else if target >= top + size {
        target + 1 - size
    } else {
        top
    }
}

/// A pane drawn inside the frame the layout gives it.
type PaneDraw = fn(&mut Frame, Rect, &AppState, &Theme, bool);

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &AppState, bindings: &[Binding], theme: &Theme) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.text), area);
    let [main, stats_bar, footer] = Layout::vertical([
        Constraint::Min(6),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let sidebar_width = (main.width / 4).clamp(20, 40);
    let [sidebar, right] =
        Layout::horizontal([Constraint::Length(sidebar_width), Constraint::Min(20)]).areas(main);
    let [editor_area, results_area] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);

    let catalog_title = format!(
        " Catalog · {} ",
        crate::text::escape_control(&state.source_label)
    );
    let panes: [(Rect, String, Focus, PaneDraw); 3] = [
        (sidebar, catalog_title, Focus::Catalog, catalog::draw),
        (
            editor_area,
            " Editor ".to_owned(),
            Focus::Editor,
            editor::draw,
        ),
        if state.show_partitions {
            (
                results_area,
                " Partitions ".to_owned(),
                Focus::Partitions,
                partitions::draw,
            )
        } else {
            (
                results_area,
                " Results ".to_owned(),
                Focus::Results,
                results::draw,
            )
        },
    ];
    for (area, title, pane, draw_pane) in panes {
        let focused = state.focus == pane;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if focused {
                theme.border_focused
            } else {
                theme.border
            })
            .title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        draw_pane(frame, inner, state, theme, focused);
    }
    status::draw_stats(frame, stats_bar, state, theme);
    status::draw_footer(frame, footer, state, bindings, theme);
    // The one overlay, on top; the keymap gives it the keys (see `app::overlay`).
    match state.overlay() {
        None | Some(Overlay::Prompt(_)) => {} // the prompt lives in the footer line
        Some(Overlay::Help { scroll }) => help::draw(
            frame,
            area,
            *scroll,
            bindings,
            state.editor.vim.is_some(),
            theme,
        ),
        Some(Overlay::Inspector(inspector)) => inspector::draw(frame, main, inspector, theme),
        Some(Overlay::Plan(view)) => plan::draw(frame, main, view, theme),
        Some(Overlay::Doctor(view)) => doctor::draw(frame, main, view, theme),
        Some(Overlay::Picker(picker)) => picker::draw(frame, main, picker, theme),
        Some(Overlay::Ledger(summary)) => cost::draw_ledger(frame, main, summary.as_ref(), theme),
        Some(Overlay::Comparison(view)) => compare::draw(frame, main, view, theme),
        Some(Overlay::Confirmation(confirmation)) => {
            cost::draw_confirmation(frame, main, confirmation, theme);
        }
    }
}

/// A `width` × `height` rectangle in the middle of `area` (clipped to it): where overlays go.
pub(crate) fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
