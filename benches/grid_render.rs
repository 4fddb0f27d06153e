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
use std::time::{Duration, Instant};

use quarry::app::results::ResultGrid;
use quarry::ui::results::draw_grid;
use quarry::ui::theme::Theme;
use ratatui_core::backend::TestBackend;
use ratatui_core::layout::Rect;
use ratatui_core::terminal::Terminal;

#[path = "shared/logs.rs"]
mod logs;

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;
const FRAMES_PER_ROUND: usize = 500;
const ROUNDS: usize = 6;

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
    let mut small = logs::grid(100, false);
    let mut large = logs::grid(1_000_000, false);
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
