//! The statistics bar and the footer of keys for the focused pane.

use ratatui_core::layout::{Alignment, Constraint, Layout, Rect};
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::paragraph::Paragraph;

use super::theme::Theme;
use crate::app::bindings::{Binding, Command, Scope};
use crate::app::{AppState, QueryPhase};
use crate::backend::QueryStats;
use crate::summary::athena_would_scan;
use crate::text::{escape_control, human_bytes, seconds, thousands, usd};

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// The statistics of the last run (live while it runs) and the session totals.
pub fn draw_stats(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    if let Some(prompt) = state.prompt() {
        let line = Line::from(vec![
            Span::styled(format!("{}: ", prompt.label), theme.keyword),
            Span::styled(format!("{}▏", escape_control(&prompt.text)), theme.text),
            Span::styled("  Enter confirms · Esc cancels", theme.muted),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let mut spans = match &state.phase {
        QueryPhase::Idle => vec![Span::styled("ready", theme.muted)],
        QueryPhase::Running {
            stats, cancelling, ..
        } => {
            let verb = if *cancelling { "cancelling" } else { "running" };
            vec![Span::styled(
                format!(
                    "{} {verb} {} · scanned {} · {} rows · Esc cancels",
                    SPINNER[state.spinner % SPINNER.len()],
                    seconds(stats.total_ms),
                    human_bytes(stats.bytes_scanned),
                    thousands(stats.rows)
                ),
                theme.warning,
            )]
        }
        QueryPhase::Finished { stats } => finished(stats, theme),
        QueryPhase::Cancelled { stats } => vec![Span::styled(
            format!(
                "cancelled after {} · scanned {}",
                seconds(stats.total_ms),
                human_bytes(stats.bytes_scanned)
            ),
            theme.warning,
        )],
        QueryPhase::Failed { .. } => vec![Span::styled(
            "✗ query failed (message in the results pane)",
            theme.error,
        )],
    };
    if let Some(export) = &state.export {
        spans.push(Span::styled(
            format!(
                " · exporting {} of {} rows to {}",
                thousands(export.rows_written),
                thousands(export.rows_total),
                escape_control(&export.path.display().to_string())
            ),
            theme.warning,
        ));
    }
    if let Some(notice) = &state.notice {
        // First, so a narrow terminal cuts the statistics (they are in the results pane too),
        // not the answer to what the user just did.
        spans.insert(
            0,
            Span::styled(format!("{} · ", escape_control(notice)), theme.warning),
        );
    }
    let session = &state.session;
    let totals = format!(
        " session: {} {} · {} · {} ",
        thousands(session.queries),
        if session.queries == 1 {
            "query"
        } else {
            "queries"
        },
        human_bytes(session.bytes_scanned),
        usd(session.cost_usd)
    );
    let totals_width = (totals.chars().count() as u16).min(area.width / 2);
    let [left, right] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(totals_width)]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    frame.render_widget(
        Paragraph::new(Line::styled(totals, theme.muted)).alignment(Alignment::Right),
        right,
    );
}

/// Most important first, because a narrow terminal cuts the end: what was scanned, what it
/// costs, how much was pruned, then rows and times.
fn finished(stats: &QueryStats, theme: &Theme) -> Vec<Span<'static>> {
    if stats.result_reused && stats.engine == crate::backend::EngineKind::Local {
        return vec![
            Span::styled("✓ ", theme.success),
            Span::styled(
                format!(
                    "the last run's rows, reused: its {} files are unchanged · $0",
                    thousands(stats.files_scanned)
                ),
                theme.success,
            ),
            Span::styled(
                format!(
                    " · {} rows · {}",
                    thousands(stats.rows),
                    seconds(stats.total_ms)
                ),
                theme.text,
            ),
            Span::styled(format!(" · plan {} ms", stats.planning_ms), theme.muted),
        ];
    }
    let scanned = match stats.bytes_total {
        Some(total) if total > 0 => format!(
            "scanned {} of {}",
            human_bytes(stats.bytes_scanned),
            human_bytes(total)
        ),
        _ => format!("scanned {}", human_bytes(stats.bytes_scanned)),
    };
    let athena = athena_would_scan(stats)
        .map(|text| format!(" · {text}"))
        .unwrap_or_default();
    let pruned = if stats.partitions_total > 0 {
        format!(
            " · {}/{} partitions",
            thousands(stats.partitions_scanned),
            thousands(stats.partitions_total)
        )
    } else {
        String::new()
    };
    vec![
        Span::styled("✓ ", theme.success),
        Span::styled(scanned, theme.text),
        match stats.saved_usd {
            // A run on kept tables: free, and what Athena would have billed said beside it.
            Some(saved) => Span::styled(
                format!(" · $0 on kept tables · saved {}", usd(saved)),
                theme.success,
            ),
            None => Span::styled(
                format!(
                    "{athena} · {} ({} billed)",
                    usd(stats.cost_usd),
                    human_bytes(stats.billed_bytes)
                ),
                theme.warning,
            ),
        },
        Span::styled(
            format!(
                "{pruned} · {} rows · {}",
                thousands(stats.rows),
                seconds(stats.total_ms)
            ),
            theme.text,
        ),
        Span::styled(
            format!(
                " · plan {} ms, run {} ms · {}",
                stats.planning_ms, stats.execution_ms, stats.engine
            ),
            theme.muted,
        ),
    ]
}

/// The keys that work in the focused pane on the left, the global ones on the right (a
/// global key the pane takes over is left out, so each key shows once).
pub fn draw_footer(
    frame: &mut Frame,
    area: Rect,
    state: &AppState,
    bindings: &[Binding],
    theme: &Theme,
) {
    let pane: Vec<&Binding> = bindings
        .iter()
        .filter(|b| b.scope == Scope::Pane(state.focus))
        .collect();
    // Cancel matters only while something runs; the room goes to the pane's keys otherwise.
    let running = state.is_running();
    // Vim's normal mode keeps Ctrl-R for redo: the history is not on it there.
    let vim = state
        .editor
        .vim
        .as_ref()
        .filter(|_| state.focus == crate::app::Focus::Editor);
    let taken_by_vim = |b: &Binding| {
        vim.is_some_and(|vim| {
            let input = ratatui_textarea::Input {
                key: match b.press.key {
                    crate::app::keys::Key::Char(c) => ratatui_textarea::Key::Char(c),
                    _ => return false,
                },
                ctrl: b.press.ctrl,
                alt: b.press.alt,
                shift: false,
            };
            vim.claims(&input)
        })
    };
    let global = bindings.iter().filter(|b| {
        b.scope == Scope::Global
            && !pane.iter().any(|p| p.press == b.press)
            && (running || b.command != Command::cancel)
            && !taken_by_vim(b)
    });
    let labels = |list: &[&Binding]| {
        let mut spans = Vec::new();
        for binding in list {
            if let Some(label) = binding.footer {
                spans.push(Span::styled(binding.press.to_string(), theme.keyword));
                spans.push(Span::styled(format!(" {label}  "), theme.muted));
            }
        }
        Line::from(spans)
    };
    // The first global key (run) and the last two (help, quit) always show; the ones between
    // give way on narrow terminals.
    let mut global: Vec<&Binding> = global.filter(|b| b.footer.is_some()).collect();
    while labels(&global).width() > usize::from(area.width / 2) && global.len() > 3 {
        global.remove(global.len() - 3);
    }
    let right = labels(&global);
    // Whole labels only: a cut one reads as a different key.
    let mut pane = pane;
    // Vim's mode (and the keys of a command being typed) first, where the eye looks for it.
    let mode: Vec<Span> = match vim {
        Some(vim) => vec![
            Span::styled(
                format!(" {} ", vim.mode.label()),
                theme
                    .selection
                    .add_modifier(ratatui_core::style::Modifier::BOLD),
            ),
            Span::styled(format!(" {:<4} ", vim.pending_text()), theme.keyword),
        ],
        None => Vec::new(),
    };
    let mode_width: usize = mode.iter().map(Span::width).sum();
    let room = usize::from(area.width)
        .saturating_sub(right.width().min(usize::from(area.width / 2)) + 1 + mode_width);
    while labels(&pane).width() > room && !pane.is_empty() {
        pane.pop();
    }
    let mut left = labels(&pane);
    left.spans.splice(0..0, mode);
    let right_width = (right.width() as u16).min(area.width / 2);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
    frame.render_widget(Paragraph::new(left), left_area);
    frame.render_widget(
        Paragraph::new(right).alignment(Alignment::Right),
        right_area,
    );
}
