//! Charts of a result, as plain data (no drawing here): which chart fits the columns, and the
//! points, bars or buckets to draw with their axes. A line chart of a million rows keeps, per
//! horizontal dot of the plot, the lowest and highest point (spikes survive), so drawing costs
//! the same whatever the result's size. CPU work: callers run [`build`] off the UI thread.

pub mod scale;

use std::collections::HashMap;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Schema, TimeUnit};

use crate::export::SharedRows;
use crate::export::athena_text::ColumnText;
pub use scale::{Axis, Tick};

/// Series drawn at most; the rest (the smallest by total) are left out and counted.
pub const MAX_SERIES: usize = 8;
/// Bars drawn at most: the largest.
pub const MAX_BARS: usize = 40;

/// The kinds of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// A number over time (or over another number), one line per category.
    Line,
    /// A number per category.
    Bar,
    /// How one number's values are spread.
    Histogram,
}

impl ChartKind {
    /// Its name, as `--chart` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Line => "line",
            Self::Bar => "bar",
            Self::Histogram => "hist",
        }
    }

    /// Parses `line`, `bar` or `hist`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "line" => Some(Self::Line),
            "bar" => Some(Self::Bar),
            "hist" | "histogram" => Some(Self::Histogram),
            _ => None,
        }
    }
}

/// What to draw: the kind and the columns it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChartSpec {
    pub kind: ChartKind,
    /// The horizontal column: time or a number (line), a category (bar); unused by a
    /// histogram.
    pub x: usize,
    /// The number drawn.
    pub y: usize,
    /// A category column splitting a line chart into series.
    pub series: Option<usize>,
}

/// How a column can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Time,
    Number,
    Category,
}

/// A column's role: timestamps and dates are time (and so is text named like a time whose
/// values read as dates), numbers are numbers, anything else a category.
pub fn role(schema: &Schema, column: usize) -> Role {
    match schema.field(column).data_type() {
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => Role::Time,
        t if t.is_numeric() => Role::Number,
        _ => Role::Category,
    }
}

/// The chart that fits the columns: a line for time and a number (split by a category when
/// there is one), bars for a category and a number, a histogram for a lone number.
pub fn suggest(schema: &Schema) -> Option<ChartSpec> {
    let roles: Vec<Role> = (0..schema.fields().len())
        .map(|c| role(schema, c))
        .collect();
    let find = |wanted: Role, skip: Option<usize>| {
        roles
            .iter()
            .enumerate()
            .position(|(i, r)| *r == wanted && Some(i) != skip)
    };
    let time = find(Role::Time, None);
    let category = find(Role::Category, None);
    let number = roles
        .iter()
        .enumerate()
        .rev()
        .find(|(_, r)| **r == Role::Number)
        .map(|(i, _)| i);
    match (time, category, number) {
        (Some(x), series, Some(y)) => Some(ChartSpec {
            kind: ChartKind::Line,
            x,
            y,
            series,
        }),
        (None, Some(x), Some(y)) => Some(ChartSpec {
            kind: ChartKind::Bar,
            x,
            y,
            series: None,
        }),
        (None, None, Some(y)) => {
            // Two numbers: the first over the last, as a line; one: its spread.
            match find(Role::Number, Some(y)) {
                Some(x) => Some(ChartSpec {
                    kind: ChartKind::Line,
                    x,
                    y,
                    series: None,
                }),
                None => Some(ChartSpec {
                    kind: ChartKind::Histogram,
                    x: y,
                    y,
                    series: None,
                }),
            }
        }
        _ => None,
    }
}

/// The chart of `kind` for these columns: the suggested one when it is of that kind, else the
/// columns that kind needs (a time or number across for lines, a category for bars, a number
/// for a histogram); `None` without a number column.
pub fn spec_for(schema: &Schema, kind: ChartKind) -> Option<ChartSpec> {
    let suggested = suggest(schema)?;
    if suggested.kind == kind {
        return Some(suggested);
    }
    let y = suggested.y;
    let roles: Vec<Role> = (0..schema.fields().len())
        .map(|c| role(schema, c))
        .collect();
    let first = |wanted: &[Role]| (0..roles.len()).find(|&c| c != y && wanted.contains(&roles[c]));
    Some(match kind {
        ChartKind::Line => ChartSpec {
            kind,
            x: first(&[Role::Time, Role::Number])?,
            y,
            series: first(&[Role::Category]),
        },
        ChartKind::Bar => ChartSpec {
            kind,
            x: first(&[Role::Category, Role::Time, Role::Number])?,
            y,
            series: None,
        },
        ChartKind::Histogram => ChartSpec {
            kind,
            x: y,
            y,
            series: None,
        },
    })
}

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// Points in x order.
    pub points: Vec<(f64, f64)>,
}

/// What a chart draws.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    pub spec: ChartSpec,
    /// Line charts.
    pub series: Vec<Series>,
    /// Bar charts and histograms: a label and a value per bar.
    pub bars: Vec<(String, f64)>,
    pub x: Axis,
    pub y: Axis,
    /// Rows drawn, and rows left out (NULLs, values that are not numbers or times).
    pub rows: usize,
    pub skipped: usize,
    /// Series or bars left out (past [`MAX_SERIES`] / [`MAX_BARS`]).
    pub hidden: usize,
    /// True when points were thinned to the plot's resolution.
    pub thinned: bool,
}

/// The chart `spec` of `rows` for a plot `width` cells wide (each cell two dots across).
pub fn build(rows: &SharedRows, spec: &ChartSpec, width: usize) -> Result<ChartData, String> {
    let schema = rows.schema.as_ref();
    let name = |c: usize| schema.field(c).name().clone();
    for column in [spec.x, spec.y].into_iter().chain(spec.series) {
        if column >= schema.fields().len() {
            return Err(format!("no column {column}"));
        }
    }
    if role(schema, spec.y) != Role::Number {
        return Err(format!("{} is not a number", name(spec.y)));
    }
    match spec.kind {
        ChartKind::Line => line(rows, spec, width.max(8)),
        ChartKind::Bar => bars(rows, spec),
        ChartKind::Histogram => histogram(rows, spec, width),
    }
}

/// The numbers of column `column` per batch (NULL for what is not a number).
fn numbers(rows: &SharedRows, column: usize) -> Result<Vec<Vec<Option<f64>>>, String> {
    rows.batches
        .iter()
        .map(|batch| {
            let array = batch.column(column);
            let as_ms = match array.data_type() {
                DataType::Timestamp(unit, _) => {
                    let raw = cast(array, &DataType::Int64).map_err(|e| e.to_string())?;
                    let per_ms = match unit {
                        TimeUnit::Second => 1e-3,
                        TimeUnit::Millisecond => 1.0,
                        TimeUnit::Microsecond => 1e3,
                        TimeUnit::Nanosecond => 1e6,
                    };
                    let raw = raw.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
                    return Ok(raw.iter().map(|v| v.map(|v| v as f64 / per_ms)).collect());
                }
                DataType::Date32 => {
                    let days = array.as_primitive::<datafusion::arrow::datatypes::Date32Type>();
                    return Ok(days
                        .iter()
                        .map(|d| d.map(|d| f64::from(d) * 86_400_000.0))
                        .collect());
                }
                _ => cast(array, &DataType::Float64).map_err(|e| e.to_string())?,
            };
            Ok(as_ms
                .as_primitive::<Float64Type>()
                .iter()
                .map(|v| v.filter(|v| v.is_finite()))
                .collect())
        })
        .collect()
}

/// Column `column` as text per batch (NULL stays `None`).
fn labels(rows: &SharedRows, column: usize) -> Result<Vec<Vec<Option<String>>>, String> {
    rows.batches
        .iter()
        .map(|batch| {
            let array = batch.column(column);
            let cells = ColumnText::new(array.as_ref()).map_err(|e| e.to_string())?;
            let mut out = String::new();
            (0..array.len())
                .map(|row| {
                    cells
                        .text(row, &mut out)
                        .map(|t| t.map(str::to_owned))
                        .map_err(|e| e.to_string())
                })
                .collect()
        })
        .collect()
}

fn line(rows: &SharedRows, spec: &ChartSpec, width: usize) -> Result<ChartData, String> {
    let schema = rows.schema.as_ref();
    let xs = numbers(rows, spec.x)?;
    let ys = numbers(rows, spec.y)?;
    let names = match spec.series {
        Some(column) => Some(labels(rows, column)?),
        None => None,
    };
    let mut by_series: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let (mut used, mut skipped) = (0, 0);
    for (batch, (x_column, y_column)) in xs.iter().zip(&ys).enumerate() {
        for (row, (x, y)) in x_column.iter().zip(y_column).enumerate() {
            let (Some(x), Some(y)) = (x, y) else {
                skipped += 1;
                continue;
            };
            let series = match &names {
                Some(names) => names[batch][row]
                    .clone()
                    .unwrap_or_else(|| "NULL".to_owned()),
                None => schema.field(spec.y).name().clone(),
            };
            let points = by_series.entry(series.clone()).or_insert_with(|| {
                order.push(series);
                Vec::new()
            });
            points.push((*x, *y));
            used += 1;
        }
    }
    // The largest series first; past MAX_SERIES they are left out (and counted).
    let total = |points: &Vec<(f64, f64)>| points.iter().map(|p| p.1.abs()).sum::<f64>();
    order.sort_by(|a, b| total(&by_series[b]).total_cmp(&total(&by_series[a])));
    let hidden = order.len().saturating_sub(MAX_SERIES);
    order.truncate(MAX_SERIES);
    let mut thinned = false;
    let mut series: Vec<Series> = order
        .into_iter()
        .map(|name| {
            let mut points = by_series.remove(&name).unwrap_or_default();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            if points.len() > 4 * width {
                points = thin(&points, 2 * width);
                thinned = true;
            }
            Series { name, points }
        })
        .collect();
    series.retain(|s| !s.points.is_empty());
    let (x_min, x_max) = bounds(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    let (y_min, y_max) = bounds(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
    let x_title = schema.field(spec.x).name();
    let x = if role(schema, spec.x) == Role::Time {
        scale::time_axis(
            &format!("{x_title} (UTC)"),
            x_min,
            x_max,
            (width / 14).max(2),
        )
    } else {
        scale::number_axis(x_title, x_min, x_max, (width / 10).max(2))
    };
    // Counts and sums start at zero, so bars of the eye compare heights honestly.
    let y = scale::number_axis(schema.field(spec.y).name(), y_min.min(0.0), y_max, 5);
    Ok(ChartData {
        spec: *spec,
        series,
        bars: Vec::new(),
        x,
        y,
        rows: used,
        skipped,
        hidden,
        thinned,
    })
}

/// Keeps, per bucket of x, the lowest and the highest point (in x order): what a plot `buckets`
/// dots wide can show, spikes included.
fn thin(points: &[(f64, f64)], buckets: usize) -> Vec<(f64, f64)> {
    let (first, last) = (points[0].0, points[points.len() - 1].0);
    let span = (last - first).max(f64::MIN_POSITIVE);
    let mut kept = Vec::with_capacity(2 * buckets + 2);
    let bucket_of = |x: f64| (((x - first) / span) * buckets as f64) as usize;
    let mut start = 0;
    while start < points.len() {
        let bucket = bucket_of(points[start].0);
        let mut end = start;
        while end < points.len() && bucket_of(points[end].0) == bucket {
            end += 1;
        }
        let slice = &points[start..end];
        let low = slice.iter().min_by(|a, b| a.1.total_cmp(&b.1));
        let high = slice.iter().max_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(low), Some(high)) = (low, high) {
            if low.0 <= high.0 {
                kept.extend([*low, *high]);
            } else {
                kept.extend([*high, *low]);
            }
        }
        start = end;
    }
    kept.dedup();
    kept
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

fn bars(rows: &SharedRows, spec: &ChartSpec) -> Result<ChartData, String> {
    let schema = rows.schema.as_ref();
    let names = labels(rows, spec.x)?;
    let ys = numbers(rows, spec.y)?;
    let mut sums: HashMap<String, f64> = HashMap::new();
    let mut order = Vec::new();
    let (mut used, mut skipped) = (0, 0);
    for (names, ys) in names.iter().zip(&ys) {
        for (name, y) in names.iter().zip(ys) {
            let Some(y) = y else {
                skipped += 1;
                continue;
            };
            let name = name.clone().unwrap_or_else(|| "NULL".to_owned());
            *sums.entry(name.clone()).or_insert_with(|| {
                order.push(name);
                0.0
            }) += y;
            used += 1;
        }
    }
    // The result's order is kept (an ORDER BY means something) unless bars must be dropped:
    // then the largest stay.
    let hidden = order.len().saturating_sub(MAX_BARS);
    if hidden > 0 {
        order.sort_by(|a, b| sums[b].total_cmp(&sums[a]));
        order.truncate(MAX_BARS);
    }
    let bars: Vec<(String, f64)> = order.into_iter().map(|n| (n.clone(), sums[&n])).collect();
    let (low, high) = bounds(bars.iter().map(|b| b.1));
    Ok(ChartData {
        spec: *spec,
        series: Vec::new(),
        x: Axis {
            title: schema.field(spec.x).name().clone(),
            min: 0.0,
            max: bars.len() as f64,
            ticks: Vec::new(),
            time: false,
        },
        y: scale::number_axis(schema.field(spec.y).name(), low.min(0.0), high.max(0.0), 5),
        bars,
        rows: used,
        skipped,
        hidden,
        thinned: false,
    })
}

fn histogram(rows: &SharedRows, spec: &ChartSpec, width: usize) -> Result<ChartData, String> {
    let schema = rows.schema.as_ref();
    let values: Vec<f64> = numbers(rows, spec.y)?
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    let total: usize = rows
        .batches
        .iter()
        .map(datafusion::arrow::record_batch::RecordBatch::num_rows)
        .sum();
    let (low, high) = bounds(values.iter().copied());
    // About √n buckets, as many as fit (3 cells a bar), on round edges.
    let wanted = ((values.len() as f64).sqrt().ceil() as usize).clamp(1, (width / 3).clamp(4, 60));
    let axis = scale::number_axis(schema.field(spec.y).name(), low, high, wanted);
    let step = scale::nice_step(axis.max - axis.min, wanted);
    let buckets = (((axis.max - axis.min) / step).round() as usize).max(1);
    let mut counts = vec![0.0; buckets];
    for v in &values {
        let index = (((v - axis.min) / step).floor() as usize).min(buckets - 1);
        counts[index] += 1.0;
    }
    let bars = counts
        .iter()
        .enumerate()
        .map(|(i, count)| {
            let from = axis.min + step * i as f64;
            (scale::compact(from, step), *count)
        })
        .collect::<Vec<_>>();
    let (_, most) = bounds(counts.iter().copied());
    Ok(ChartData {
        spec: *spec,
        series: Vec::new(),
        bars,
        x: axis,
        y: scale::number_axis("rows", 0.0, most.max(1.0), 5),
        rows: values.len(),
        skipped: total - values.len(),
        hidden: 0,
        thinned: false,
    })
}
