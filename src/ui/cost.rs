//! What a query will cost, drawn: the editor's hint line, the cost guard's confirmation and
//! the cost ledger overlay.

use ratatui_core::layout::Rect;
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};

use super::dialog;
use super::theme::Theme;
use crate::app::AppState;
use crate::app::hints::Confirmation;
use crate::ledger::{LedgerSummary, Totals};
use crate::text::{escape_control, human_bytes, thousands, usd};

/// The line under the editor: the most important hint of the statement under the cursor, or
/// its estimate when nothing is wrong.
pub fn hint_line(state: &AppState, theme: &Theme) -> Option<Line<'static>> {
    let (_, explanation) = state.hints.current.as_ref()?;
    if let Some(first) = explanation.hints.first() {
        let mut spans = vec![Span::styled(
            format!("⚠ {}", escape_control(&first.message)),
            theme.warning,
        )];
        if explanation.hints.iter().any(|h| h.hint.fix.is_some()) {
            spans.push(Span::styled(" · Ctrl-G fix", theme.text));
        }
        if explanation.hints.len() > 1 {
            spans.push(Span::styled(
                format!(" (+{} more)", explanation.hints.len() - 1),
                theme.muted,
            ));
        }
        return Some(Line::from(spans));
    }
    explanation.scans().then(|| {
        Line::styled(
            format!("≈ {} before running", explanation.summary()),
            theme.muted,
        )
    })
}

/// The cost guard's question, centred over `area`.
pub fn draw_confirmation(
    frame: &mut Frame,
    area: Rect,
    confirmation: &Confirmation,
    theme: &Theme,
) {
    let explanation = &confirmation.explanation;
    let mut lines = vec![
        Line::styled(
            escape_control(&confirmation.reason).into_owned(),
            theme.warning,
        ),
        Line::raw(""),
        Line::styled(format!("Estimate: {}", explanation.summary()), theme.text),
    ];
    for scan in &explanation.tables {
        let detail = scan.estimate.as_ref().map_or_else(
            || "no estimate".to_owned(),
            |e| {
                if e.partitions_total > 0 {
                    format!(
                        "{} of {} partitions, ~{}",
                        thousands(e.partitions_matched),
                        thousands(e.partitions_total),
                        human_bytes(e.bytes)
                    )
                } else {
                    format!("~{}", human_bytes(e.bytes))
                }
            },
        );
        lines.push(Line::styled(
            format!("  {}: {detail}", escape_control(&scan.table)),
            theme.muted,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Enter or y runs it · Esc or n leaves it",
        theme.text,
    ));
    let width = area.width.saturating_sub(8).clamp(20, 90);
    let height = (lines.len() as u16 + 2).min(area.height);
    dialog::draw(
        frame,
        area,
        (width, height),
        " Run this query? · cost guard ",
        lines,
        theme,
    );
}

/// `value` of `most` as a bar `width` cells long at most, in eighths of a cell.
pub fn bar(value: f64, most: f64, width: usize) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if most <= 0.0 || value <= 0.0 {
        return String::new();
    }
    let eighths = ((value / most) * (width * 8) as f64).round().max(1.0) as usize;
    let mut text = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        text.push(EIGHTHS[eighths % 8]);
    }
    text
}

/// Bytes scanned per calendar day, oldest to newest, over the days the ledger lists (a day
/// without queries is the lowest mark): `▁▁▃█▂▁▅`.
pub fn scanned_trend(days: &[(String, Totals)]) -> Option<String> {
    const MARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let parse = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let newest = parse(&days.first()?.0)?;
    let oldest = parse(&days.last()?.0)?;
    let span = (newest - oldest).num_days().clamp(0, 31);
    if span < 1 {
        return None;
    }
    let bytes = |date: chrono::NaiveDate| {
        let key = date.format("%Y-%m-%d").to_string();
        days.iter()
            .find(|d| d.0 == key)
            .map_or(0, |d| d.1.bytes_scanned)
    };
    let values: Vec<u64> = (0..=span)
        .map(|i| bytes(oldest + chrono::Duration::days(i)))
        .collect();
    let most = values.iter().copied().max().unwrap_or(0).max(1);
    Some(
        values
            .iter()
            .map(|v| MARKS[((*v as f64 / most as f64) * 7.0).round() as usize])
            .collect(),
    )
}

/// The ledger overlay: totals per session, day and workgroup.
pub fn draw_ledger(frame: &mut Frame, area: Rect, summary: Option<&LedgerSummary>, theme: &Theme) {
    let mut lines = Vec::new();
    let row = |label: &str, t: &Totals| {
        format!(
            "{label:<14} {:>8} {:>10} {:>10} {:>10} {:>10}",
            thousands(t.queries),
            human_bytes(t.bytes_scanned),
            human_bytes(t.billed_bytes),
            usd(t.cost_usd),
            if t.kept_runs > 0 {
                usd(t.saved_usd)
            } else {
                "·".to_owned()
            }
        )
    };
    match summary {
        None => lines.push(Line::styled("reading the ledger…", theme.muted)),
        Some(summary) => {
            let header = format!(
                "{:<14} {:>8} {:>10} {:>10} {:>10} {:>10}",
                "", "queries", "scanned", "billed", "cost", "saved"
            );
            lines.push(Line::styled(header.clone(), theme.header));
            lines.push(Line::raw(row("this session", &summary.session)));
            lines.push(Line::raw(row("today", &summary.today)));
            lines.push(Line::raw(row("all time", &summary.all_time)));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(
                    "{:<14} {:>8} {:>10} {:>10} {:>10} {:>10}",
                    "per day", "", "", "", "", ""
                ),
                theme.header,
            ));
            // Dollars per day as bars beside the numbers, bytes scanned as a sparkline.
            let most = summary
                .days
                .iter()
                .map(|d| d.1.cost_usd)
                .fold(0.0, f64::max);
            for (day, totals) in &summary.days {
                lines.push(Line::from(vec![
                    Span::raw(row(day, totals)),
                    Span::raw(" "),
                    Span::styled(bar(totals.cost_usd, most, 16), theme.keyword),
                ]));
            }
            if let Some(trend) = scanned_trend(&summary.days) {
                lines.push(Line::from(vec![
                    Span::styled(format!("{:<14} ", "scanned/day"), theme.muted),
                    Span::styled(trend, theme.keyword),
                ]));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(
                    "{:<14} {:>8} {:>10} {:>10} {:>10} {:>10}",
                    "per workgroup", "", "", "", "", ""
                ),
                theme.header,
            ));
            for (workgroup, totals) in &summary.workgroups {
                lines.push(Line::raw(row(&escape_control(workgroup), totals)));
            }
            if summary.all_time.kept_runs > 0 {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    format!(
                        "saved: {} on kept tables cost $0; on Athena they would have cost {}",
                        crate::doctor::plural(summary.all_time.kept_runs, "run"),
                        usd(summary.all_time.saved_usd)
                    ),
                    theme.muted,
                ));
            }
        }
    }
    let width = area.width.saturating_sub(4).clamp(20, 96);
    let height = (lines.len() as u16 + 2).clamp(5, area.height);
    dialog::draw(
        frame,
        area,
        (width, height),
        " Cost ledger · any key closes ",
        lines,
        theme,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_grow_in_eighths_of_a_cell() {
        assert_eq!(bar(1.0, 4.0, 16), "████");
        assert_eq!(bar(3.0, 4.0, 16), "█".repeat(12));
        assert_eq!(bar(0.1, 4.0, 16), "▍");
        assert_eq!(bar(0.0, 4.0, 16), "");
    }

    #[test]
    fn the_trend_runs_oldest_to_newest_with_quiet_days_at_the_bottom() {
        let day = |d: &str, bytes| {
            (
                d.to_owned(),
                Totals {
                    bytes_scanned: bytes,
                    ..Totals::default()
                },
            )
        };
        let days = [day("2026-12-03", 300), day("2026-12-01", 100)];
        assert_eq!(scanned_trend(&days).as_deref(), Some("▃▁█"));
        assert_eq!(scanned_trend(&days[..1]), None);
    }
}
