//! Filtering a 1,000,000-row result (`/` in the results pane): how long the background job
//! takes for the patterns users type, and whether the UI thread keeps drawing meanwhile.
//!
//! The rows are shaped like the demo lake's logs (timestamp, source, log type, a message with
//! NULLs, a number). Each pattern is timed over several runs on its own; then the grid is drawn
//! frame after frame on this thread while the filter runs on its own threads, as in the TUI,
//! and the frame times during the filter are reported. Target (issue: results filtering):
//! ≤ 200 ms per filter on 2 cores, frames still within the grid's 8 ms budget.
//!
//! Run: `cargo bench --bench results_filter`, or `python3 bench/results_filter.py`, which also
//! times DuckDB filtering the same rows (this harness writes them to Parquet when
//! `QUARRY_FILTER_PARQUET` names a file, and prints a JSON line per pattern).
#![allow(clippy::expect_used)] // a benchmark that cannot set up should stop loudly

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use quarry::app::results_filter::{RowMatcher, matching_rows};
use quarry::ui::results::draw_grid;
use quarry::ui::theme::Theme;
use ratatui_core::backend::TestBackend;
use ratatui_core::layout::Rect;
use ratatui_core::terminal::Terminal;

#[path = "shared/logs.rs"]
mod logs;

const ROWS: usize = 1_000_000;
const RUNS: usize = 7;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn main() {
    let grid = logs::grid(ROWS, true);
    let names = grid.column_names();
    let rows = grid.all_rows();
    let always = || true;
    if let Ok(path) = std::env::var("QUARRY_FILTER_PARQUET") {
        let file = std::fs::File::create(&path).expect("parquet file");
        let mut writer =
            datafusion::parquet::arrow::ArrowWriter::try_new(file, grid.schema.clone(), None)
                .expect("writer");
        for batch in rows.batches.iter() {
            writer.write(batch).expect("write");
        }
        writer.close().expect("close");
    }
    let patterns = [
        ("substring, every column", "fatal"),
        ("substring, rare, every column", "after 996 ms"),
        ("digits, every column (formats timestamps)", "00:10:3"),
        ("regex, every column", "/status [45]\\d\\d/"),
        ("one text column", "source:service-07"),
        ("one number column", "bytes:/^99/"),
    ];
    println!("{ROWS} rows × {} columns", names.len());
    for (name, pattern) in patterns {
        let matcher = RowMatcher::parse(pattern, &names).expect("pattern");
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            found = matching_rows(&rows, &matcher, &always)
                .expect("filter")
                .expect("not cancelled")
                .len();
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "{name:>42} {pattern:<22} median {:7.1} ms  max {:7.1} ms  ({found} rows)",
            ms(times[RUNS / 2]),
            ms(times[RUNS - 1])
        );
        println!(
            "JSON {{\"pattern\": {pattern:?}, \"median_ms\": {:.2}, \"max_ms\": {:.2}, \"rows\": {found}}}",
            ms(times[RUNS / 2]),
            ms(times[RUNS - 1])
        );
    }

    // Frames drawn while a filter runs elsewhere, as the TUI's event loop does.
    let theme = Theme::default();
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).expect("terminal");
    let mut drawn = grid.clone();
    let matcher = RowMatcher::parse("fatal", &names).expect("pattern");
    let done = Arc::new(AtomicBool::new(false));
    let mut frames = Vec::new();
    let (filter_time, ()) = std::thread::scope(|scope| {
        let (done_flag, rows, matcher) = (Arc::clone(&done), &rows, &matcher);
        let filter = scope.spawn(move || {
            let started = Instant::now();
            let _ = matching_rows(rows, matcher, &|| true);
            done_flag.store(true, Ordering::SeqCst);
            started.elapsed()
        });
        while !done.load(Ordering::SeqCst) {
            if drawn.row + 1 >= drawn.rows {
                drawn.row = 0;
            }
            drawn.move_by(1, 0);
            let started = Instant::now();
            terminal
                .draw(|frame| draw_grid(frame, Rect::new(0, 0, 160, 45), &drawn, &theme, true))
                .expect("draw");
            frames.push(started.elapsed());
        }
        (filter.join().expect("filter thread"), ())
    });
    frames.sort();
    let p99 = frames[((frames.len() - 1) as f64 * 0.99).round() as usize];
    println!(
        "JSON {{\"frames\": {}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}}}",
        frames.len(),
        ms(p99),
        ms(*frames.last().expect("frames"))
    );
    println!(
        "while filtering ({:.1} ms): {} frames drawn, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        ms(filter_time),
        frames.len(),
        ms(frames[frames.len() / 2]),
        ms(p99),
        ms(*frames.last().expect("frames"))
    );
}
