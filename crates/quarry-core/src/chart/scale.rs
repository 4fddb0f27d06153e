//! Axis scales: "nice" ticks for numbers (steps of 1, 2 or 5 × 10ⁿ), calendar-aligned ticks
//! for time (seconds to years), and compact labels (`1.2k`, `3.4M`, `09-03 14:00`).

use chrono::{DateTime, Datelike, TimeZone, Utc};

/// One labelled tick.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// An axis: its title, the range drawn and the ticks in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub title: String,
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<Tick>,
    /// Values are epoch milliseconds, drawn as dates and times (UTC).
    pub time: bool,
}

/// A step of 1, 2 or 5 × 10ⁿ that cuts `span` into about `target` parts.
pub fn nice_step(span: f64, target: usize) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let rough = span / target.max(1) as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    let fraction = rough / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A number axis over `min..=max` widened to whole steps, with about `target` ticks.
pub fn number_axis(title: &str, min: f64, max: f64, target: usize) -> Axis {
    let (min, max) = if max <= min {
        (min - 1.0, max + 1.0)
    } else {
        (min, max)
    };
    let step = nice_step(max - min, target);
    let low = (min / step).floor() * step;
    let high = (max / step).ceil() * step;
    let magnitude = low.abs().max(high.abs());
    stepped(title, low, high, step, false, |value| {
        scaled(value, step, magnitude)
    })
}

/// An axis from `low` to `high` with a tick every `step` (64 at most), each labelled.
fn stepped(
    title: &str,
    low: f64,
    high: f64,
    step: f64,
    time: bool,
    label: impl Fn(f64) -> String,
) -> Axis {
    let ticks = (0..)
        .map(|i| low + step * f64::from(i))
        .take_while(|v| *v <= high + step * 1e-9)
        .take(64)
        .map(|value| Tick {
            value,
            label: label(value),
        })
        .collect();
    Axis {
        title: title.to_owned(),
        min: low,
        max: high,
        ticks,
        time,
    }
}

/// A number as a label: `1.2k`, `3.4M`, `0.25`, with as many decimals as `step` needs.
pub fn compact(value: f64, step: f64) -> String {
    scaled(value, step, value.abs().max(step.abs()))
}

/// `value` in the unit `magnitude` calls for (k from 10⁴, M, G, T), so every label of an axis
/// uses the same one; zero is `0`.
fn scaled(value: f64, step: f64, magnitude: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let (divisor, suffix) = match magnitude {
        m if m >= 1e12 => (1e12, "T"),
        m if m >= 1e9 => (1e9, "G"),
        m if m >= 1e6 => (1e6, "M"),
        m if m >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let unit = step / divisor;
    let decimals = if unit >= 1.0 || unit <= 0.0 {
        0
    } else {
        (-unit.log10().floor()) as usize
    };
    format!("{:.decimals$}{suffix}", value / divisor)
}

const SECOND: f64 = 1_000.0;
const MINUTE: f64 = 60.0 * SECOND;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;

/// Steps a time axis may use, in milliseconds; longer ones go by calendar months.
const TIME_STEPS: [f64; 17] = [
    SECOND,
    5.0 * SECOND,
    15.0 * SECOND,
    30.0 * SECOND,
    MINUTE,
    5.0 * MINUTE,
    15.0 * MINUTE,
    30.0 * MINUTE,
    HOUR,
    3.0 * HOUR,
    6.0 * HOUR,
    12.0 * HOUR,
    DAY,
    2.0 * DAY,
    7.0 * DAY,
    14.0 * DAY,
    28.0 * DAY,
];

/// A time axis over epoch milliseconds `min..=max`, widened to round times (the hour, the
/// day, the first of a month) with a tick every step, about `target` of them. The ends are
/// ticks too, so evenly spaced labels sit on their times.
pub fn time_axis(title: &str, min: f64, max: f64, target: usize) -> Axis {
    let span = (max - min).max(SECOND);
    let rough = span / target.max(1) as f64;
    if rough > 28.0 * DAY {
        return month_axis(title, min, max, rough);
    }
    let step = TIME_STEPS
        .iter()
        .copied()
        .find(|s| *s >= rough)
        .unwrap_or(28.0 * DAY);
    let low = (min / step).floor() * step;
    let high = ((max / step).ceil() * step).max(low + step);
    stepped(title, low, high, step, true, |value| {
        time_label(value, step)
    })
}

/// Ticks on the first of every month (or every few months) from the month of `min` to the one
/// after `max`.
fn month_axis(title: &str, min: f64, max: f64, rough: f64) -> Axis {
    let every = ((rough / (30.0 * DAY)).ceil() as u32).clamp(1, 12);
    let first = to_time(min).unwrap_or_default();
    let (mut year, mut month) = (first.year(), first.month());
    month -= (month - 1) % every;
    let mut ticks = Vec::new();
    while ticks.len() < 64 {
        let Some(at) = Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single() else {
            break;
        };
        let value = at.timestamp_millis() as f64;
        let label = if month == 1 || every >= 12 {
            at.format("%Y").to_string()
        } else {
            at.format("%Y-%m").to_string()
        };
        ticks.push(Tick { value, label });
        if value >= max {
            break;
        }
        month += every;
        if month > 12 {
            month -= 12;
            year += 1;
        }
    }
    Axis {
        title: title.to_owned(),
        min: ticks.first().map_or(min, |t| t.value),
        max: ticks.last().map_or(max, |t| t.value),
        ticks,
        time: true,
    }
}

fn to_time(ms: f64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms as i64).single()
}

/// A time as a tick label, as fine as the step: `14:05:30`, `14:00`, `09-03 14:00`,
/// `2023-09-03`.
pub fn time_label(ms: f64, step: f64) -> String {
    let Some(at) = to_time(ms) else {
        return String::new();
    };
    let pattern = if step < MINUTE {
        "%H:%M:%S"
    } else if step < HOUR {
        "%H:%M"
    } else if step < DAY {
        "%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    };
    at.format(pattern).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_ticks_are_round_and_cover_the_data() {
        let axis = number_axis("n", 3.0, 97.0, 5);
        let values: Vec<f64> = axis.ticks.iter().map(|t| t.value).collect();
        assert_eq!(values, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!((axis.min, axis.max), (0.0, 100.0));
        let axis = number_axis("b", 0.0, 2.5e6, 5);
        let labels: Vec<&str> = axis.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "0.5M", "1.0M", "1.5M", "2.0M", "2.5M"]);
        assert_eq!(compact(0.25, 0.05), "0.25");
        assert_eq!(compact(12_000.0, 2_000.0), "12k");
    }

    #[test]
    fn time_ticks_fall_on_round_hours_and_days() {
        // 2023-09-03 00:10 to 23:50 UTC, about 6 ticks: every 6 hours, midnight to midnight.
        let day = 1_693_699_200_000.0;
        let axis = time_axis(
            "hour",
            day + 10.0 * MINUTE,
            day + 23.0 * HOUR + 50.0 * MINUTE,
            6,
        );
        let labels: Vec<&str> = axis.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "09-03 00:00",
                "09-03 06:00",
                "09-03 12:00",
                "09-03 18:00",
                "09-04 00:00"
            ]
        );
        assert_eq!((axis.min, axis.max), (day, day + DAY));
        // A year: the first of every third month, 2023-01 to 2024-01.
        let year = 1_672_531_200_000.0; // 2023-01-01
        let axis = time_axis("day", year + DAY, year + 364.0 * DAY, 6);
        let labels: Vec<&str> = axis.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["2023", "2023-04", "2023-07", "2023-10", "2024"]);
    }
}
