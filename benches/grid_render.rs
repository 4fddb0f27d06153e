//! Frame time of the results grid with 100 rows against 1,000,000 rows: the grid is virtualized
//! (only visible cells are formatted), so the two should cost the same. Each frame moves the
//! cursor one row, as holding ↓ does, and draws the whole screen into ratatui's `TestBackend`.
//!
//! The target is about the tail (p99 ≤ 8 ms, ratio ≤ 1.5), which criterion's mean-and-interval
//! reports do not give, so this harness times every frame and prints percentiles. Sizes are
//! measured in alternating rounds so drift on the machine hits both alike.
//!
//! Run: `cargo bench --bench grid_render`
#![allow(clippy::expect_used)] // a benchmark that cannot set up should stop loudly

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::arrow::array::{Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use quarry::app::results::ResultGrid;
use quarry::ui::results::draw_grid;
use quarry::ui::theme::Theme;
use ratatui_core::backend::TestBackend;
use ratatui_core::layout::Rect;
use ratatui_core::terminal::Terminal;

const BATCH_ROWS: usize = 8_192;
const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;
const FRAMES_PER_ROUND: usize = 500;
const ROUNDS: usize = 6;

/// Rows shaped like the demo lake's: time, source, log type, message, and a number.
fn grid(rows: usize) -> ResultGrid {
    let schema = Arc::new(Schema::new(vec![
        Field::new("timestamp", DataType::Int64, false),
        Field::new("source", DataType::Utf8, false),
        Field::new("logtype", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, true),
        Field::new("bytes", DataType::Int64, false),
    ]));
    let mut batches = Vec::new();
    let mut start = 0;
    while start < rows {
        let n = BATCH_ROWS.min(rows - start);
        let ids = start..start + n;
        let columns: Vec<Arc<dyn datafusion::arrow::array::Array>> = vec![
            Arc::new(Int64Array::from_iter_values(
                ids.clone().map(|i| 1_672_531_200_000 + i as i64 * 37),
            )),
            Arc::new(StringArray::from_iter_values(
                ids.clone().map(|i| format!("service-{:02}", i % 24)),
            )),
            Arc::new(StringArray::from_iter_values(ids.clone().map(|i| {
                ["info", "warning", "error", "fatal"][i % 4].to_owned()
            }))),
            Arc::new(
                ids.clone()
                    .map(|i| {
                        (i % 11 != 0).then(|| {
                            format!("request {i} finished after {} ms with status 200", i % 997)
                        })
                    })
                    .collect::<StringArray>(),
            ),
            Arc::new(Int64Array::from_iter_values(
                ids.map(|i| (i as i64 * 7919) % 1_000_000),
            )),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), columns).expect("batch"));
        start += n;
    }
    ResultGrid::new(1, schema, batches, rows as u64, false)
}

/// Frame times for `frames` frames, each one row further down.
fn frames(
    terminal: &mut Terminal<TestBackend>,
    grid: &mut ResultGrid,
    theme: &Theme,
    frames: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        if grid.row + 1 >= grid.rows {
            grid.row = 0;
        }
        grid.move_by(1, 0);
        let started = Instant::now();
        terminal
            .draw(|frame| {
                draw_grid(
                    frame,
                    Rect::new(0, 0, WIDTH, HEIGHT),
                    black_box(grid),
                    theme,
                    true,
                );
            })
            .expect("draw");
        times.push(started.elapsed());
    }
    times
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn main() {
    let theme = Theme::default();
    let mut small = grid(100);
    let mut large = grid(1_000_000);
    large.row = large.rows / 2; // scroll in the middle, not near the start
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
    // Warm up caches and the allocator for both.
    frames(&mut terminal, &mut small, &theme, 100);
    frames(&mut terminal, &mut large, &theme, 100);
    let (mut small_times, mut large_times) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        small_times.extend(frames(&mut terminal, &mut small, &theme, FRAMES_PER_ROUND));
        large_times.extend(frames(&mut terminal, &mut large, &theme, FRAMES_PER_ROUND));
    }
    small_times.sort();
    large_times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
    let report = |name: &str, t: &[Duration]| {
        println!(
            "{name:>12}: p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} frames)",
            ms(percentile(t, 0.50)),
            ms(percentile(t, 0.99)),
            ms(*t.last().expect("frames")),
            t.len()
        );
    };
    report("100 rows", &small_times);
    report("1,000,000", &large_times);
    println!(
        "ratio 1M/100: p50 {:.2}  p99 {:.2}",
        ms(percentile(&large_times, 0.50)) / ms(percentile(&small_times, 0.50)),
        ms(percentile(&large_times, 0.99)) / ms(percentile(&small_times, 0.99))
    );
}
