//! Charts of a 1,000,000-row result: the work done off the UI thread (`chart::build`: reading
//! the columns, a line per category, thinning to the plot's resolution) and the frame drawn on
//! it (`ui::chart::draw` of the prepared chart into a 160×45 screen), next to the results grid's
//! frame over the same rows measured in the same run. Also the text `quarry query --chart`
//! prints (build + render to text) for the same rows.
//!
//! Target (issue: pictures): chart frame p99 ≤ 16 ms with 1,000,000 rows; the thinning never on
//! the UI thread (it is in `build`, which the TUI runs on the blocking pool).
//!
//! Run: `cargo bench --bench chart_render`
#![allow(clippy::expect_used)] // a benchmark that cannot set up should stop loudly

use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::arrow::array::{Array, Int64Array, StringArray, TimestampMillisecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use quarry::app::results::ResultGrid;
use quarry::chart::{build, suggest};
use quarry::export::SharedRows;
use quarry::ui::theme::Theme;
use ratatui_core::backend::TestBackend;
use ratatui_core::layout::Rect;
use ratatui_core::terminal::Terminal;

const ROWS: usize = 1_000_000;
const BATCH_ROWS: usize = 8_192;
const FRAMES: usize = 500;
const BUILDS: usize = 7;

/// A minute per row over ~2 years, a log type per row, and a count: "records per minute by type".
fn rows() -> SharedRows {
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "minute",
            DataType::Timestamp(TimeUnit::Millisecond, None),
            false,
        ),
        Field::new("logtype", DataType::Utf8, false),
        Field::new("records", DataType::Int64, false),
    ]));
    let mut batches = Vec::new();
    let mut start = 0;
    while start < ROWS {
        let n = BATCH_ROWS.min(ROWS - start);
        let ids = start..start + n;
        let columns: Vec<Arc<dyn Array>> = vec![
            Arc::new(TimestampMillisecondArray::from_iter_values(
                ids.clone()
                    .map(|i| 1_672_531_200_000 + (i / 4) as i64 * 60_000),
            )),
            Arc::new(StringArray::from_iter_values(
                ids.clone()
                    .map(|i| ["info", "warning", "error", "fatal"][i % 4]),
            )),
            Arc::new(Int64Array::from_iter_values(ids.map(|i| {
                let base = [400, 120, 30, 5][i % 4];
                base + ((i * 7919) % 97) as i64 + if i % 100_003 == 0 { 5_000 } else { 0 }
            }))),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), columns).expect("batch"));
        start += n;
    }
    SharedRows::unordered(schema, batches)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let rows = rows();
    let spec = suggest(&rows.schema).expect("a line chart");
    let mut builds = Vec::new();
    let mut chart = None;
    for _ in 0..BUILDS {
        let started = Instant::now();
        chart = Some(build(&rows, &spec, quarry::app::chart_view::PLOT_WIDTH).expect("chart"));
        builds.push(started.elapsed());
    }
    builds.sort();
    let chart = chart.expect("built");
    let points: usize = chart.series.iter().map(|s| s.points.len()).sum();
    println!(
        "build (off the UI thread): median {:.1} ms, max {:.1} ms; {} series, {points} points kept of {ROWS}",
        ms(builds[BUILDS / 2]),
        ms(builds[BUILDS - 1]),
        chart.series.len()
    );
    println!(
        "JSON {{\"build_median_ms\": {:.2}, \"points\": {points}}}",
        ms(builds[BUILDS / 2])
    );

    let theme = Theme::default();
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).expect("terminal");
    let grid = {
        let mut grid = ResultGrid::new(
            1,
            rows.schema.clone(),
            rows.batches.to_vec(),
            ROWS as u64,
            false,
        );
        grid.row = ROWS / 2;
        grid
    };
    let (mut chart_frames, mut grid_frames) = (Vec::new(), Vec::new());
    for round in 0..(2 * FRAMES + 100) {
        let started = Instant::now();
        terminal
            .draw(|frame| {
                let area = Rect::new(0, 0, 160, 45);
                if round % 2 == 0 {
                    quarry::ui::chart::draw(frame.buffer_mut(), area, &chart, &theme);
                } else {
                    quarry::ui::results::draw_grid(frame, area, &grid, &theme, true);
                }
            })
            .expect("draw");
        let took = started.elapsed();
        if round >= 100 {
            if round % 2 == 0 {
                chart_frames.push(took);
            } else {
                grid_frames.push(took);
            }
        }
    }
    chart_frames.sort();
    grid_frames.sort();
    for (name, frames) in [("chart", &chart_frames), ("grid", &grid_frames)] {
        println!(
            "{name:>6} frame, 160×45, 1M rows: p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
            ms(percentile(frames, 0.5)),
            ms(percentile(frames, 0.99)),
            ms(*frames.last().expect("frames"))
        );
        println!(
            "JSON {{\"frame\": {name:?}, \"p50_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}}}",
            ms(percentile(frames, 0.5)),
            ms(percentile(frames, 0.99)),
            ms(*frames.last().expect("frames"))
        );
    }

    let mut texts = Vec::new();
    for _ in 0..BUILDS {
        let started = Instant::now();
        let data = build(&rows, &spec, 100).expect("chart");
        let text = quarry::ui::chart::to_text(&data, 100, 30);
        std::hint::black_box(text);
        texts.push(started.elapsed());
    }
    texts.sort();
    println!(
        "--chart (build + text, 100×30): median {:.1} ms, max {:.1} ms",
        ms(texts[BUILDS / 2]),
        ms(texts[BUILDS - 1])
    );
}
