//! Charts of results: the kind the columns suggest, and the points, bars and buckets drawn,
//! checked against values worked out by hand from the rows given; the text `--chart` prints is
//! a snapshot.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// test helpers panic by design
// The values compared are given or round (ticks): exact equality is the point.
#![allow(clippy::float_cmp)]

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, StringArray, TimestampMillisecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use quarry::chart::{ChartKind, ChartSpec, build, spec_for, suggest};
use quarry::export::SharedRows;

fn rows(columns: Vec<(&str, ArrayRef)>) -> SharedRows {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    let batch =
        RecordBatch::try_new(schema.clone(), columns.into_iter().map(|c| c.1).collect()).unwrap();
    SharedRows::unordered(schema, vec![batch])
}

const HOUR: i64 = 3_600_000;
const START: i64 = 1_693_699_200_000; // 2023-09-03 00:00 UTC

#[test]
fn the_columns_suggest_the_kind() {
    let field = |name: &str, t: DataType| Field::new(name, t, true);
    let time = DataType::Timestamp(TimeUnit::Millisecond, None);
    let spec = |fields: Vec<Field>| suggest(&Schema::new(fields));
    assert_eq!(
        spec(vec![
            field("hour", time.clone()),
            field("source", DataType::Utf8),
            field("n", DataType::Int64)
        ]),
        Some(ChartSpec {
            kind: ChartKind::Line,
            x: 0,
            y: 2,
            series: Some(1)
        })
    );
    assert_eq!(
        spec(vec![
            field("source", DataType::Utf8),
            field("n", DataType::Int64)
        ]),
        Some(ChartSpec {
            kind: ChartKind::Bar,
            x: 0,
            y: 1,
            series: None
        })
    );
    assert_eq!(
        spec(vec![field("latency", DataType::Float64)]),
        Some(ChartSpec {
            kind: ChartKind::Histogram,
            x: 0,
            y: 0,
            series: None
        })
    );
    assert_eq!(spec(vec![field("source", DataType::Utf8)]), None);
    let schema = Schema::new(vec![
        field("source", DataType::Utf8),
        field("n", DataType::Int64),
    ]);
    assert_eq!(
        spec_for(&schema, ChartKind::Histogram).map(|s| (s.x, s.y)),
        Some((1, 1))
    );
}

#[test]
fn a_line_per_category_with_points_in_time_order_and_a_zero_based_scale() {
    // Three hours of two sources, given out of order.
    let data = rows(vec![
        (
            "hour",
            Arc::new(TimestampMillisecondArray::from(vec![
                START + 2 * HOUR,
                START,
                START + HOUR,
                START,
                START + HOUR,
            ])),
        ),
        (
            "source",
            Arc::new(StringArray::from(vec!["api", "api", "api", "web", "web"])),
        ),
        (
            "errors",
            Arc::new(Int64Array::from(vec![
                Some(30),
                Some(10),
                Some(20),
                Some(5),
                None,
            ])),
        ),
    ]);
    let spec = suggest(&data.schema).unwrap();
    let chart = build(&data, &spec, 100).unwrap();
    let h = |n: i64| (START + n * HOUR) as f64;
    assert_eq!(chart.series.len(), 2);
    assert_eq!(chart.series[0].name, "api", "the larger series first");
    assert_eq!(
        chart.series[0].points,
        [(h(0), 10.0), (h(1), 20.0), (h(2), 30.0)]
    );
    assert_eq!(chart.series[1].points, [(h(0), 5.0)]);
    assert_eq!((chart.rows, chart.skipped), (4, 1));
    assert_eq!((chart.y.min, chart.y.max), (0.0, 30.0));
    assert!(chart.x.time && chart.x.min <= h(0) && chart.x.max >= h(2));
}

#[test]
fn thinning_keeps_every_spike() {
    // 100,000 points of 1.0 with spikes of 50 at every 9,973rd point and a dip of -7 once.
    let n = 100_000;
    let ys: Vec<f64> = (0..n)
        .map(|i| {
            if i % 9_973 == 0 {
                50.0
            } else if i == 55_555 {
                -7.0
            } else {
                1.0
            }
        })
        .collect();
    let data = rows(vec![
        (
            "x",
            Arc::new(Float64Array::from(
                (0..n).map(f64::from).collect::<Vec<_>>(),
            )),
        ),
        ("y", Arc::new(Float64Array::from(ys))),
    ]);
    let chart = build(&data, &suggest(&data.schema).unwrap(), 120).unwrap();
    let points = &chart.series[0].points;
    assert!(
        chart.thinned && points.len() <= 2 * 240 + 2,
        "{}",
        points.len()
    );
    let spikes = points.iter().filter(|p| p.1 == 50.0).count();
    assert_eq!(spikes, 11, "0, 9973, …, 99730: every spike survives");
    assert!(points.iter().any(|p| p.1 == -7.0));
    assert_eq!(chart.y.min, -20.0, "round steps of 20 below -7");
}

#[test]
fn bars_sum_per_category_in_the_results_order() {
    let data = rows(vec![
        (
            "source",
            Arc::new(StringArray::from(vec![
                Some("web"),
                Some("api"),
                Some("web"),
                None,
            ])),
        ),
        ("n", Arc::new(Int64Array::from(vec![3, 10, 4, 1]))),
    ]);
    let chart = build(&data, &suggest(&data.schema).unwrap(), 80).unwrap();
    assert_eq!(
        chart.bars,
        [
            ("web".to_owned(), 7.0),
            ("api".to_owned(), 10.0),
            ("NULL".to_owned(), 1.0)
        ]
    );
}

#[test]
fn a_histogram_counts_values_in_round_buckets() {
    // 0..=99: ten buckets of ten.
    let data = rows(vec![(
        "v",
        Arc::new(Int64Array::from((0..100).collect::<Vec<i64>>())),
    )]);
    let chart = build(&data, &suggest(&data.schema).unwrap(), 80).unwrap();
    let counts: Vec<f64> = chart.bars.iter().map(|b| b.1).collect();
    assert_eq!(counts, [10.0; 10]);
    let labels: Vec<&str> = chart.bars.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(labels[..3], ["0", "10", "20"]);
}

#[test]
fn the_text_chart_as_query_chart_prints_it() {
    let hours: Vec<i64> = (0..24).map(|h| START + h * HOUR).collect();
    let errors: Vec<i64> = (0..24)
        .map(|h| if h == 14 { 90 } else { 10 + h % 5 })
        .collect();
    let data = rows(vec![
        ("hour", Arc::new(TimestampMillisecondArray::from(hours))),
        ("errors", Arc::new(Int64Array::from(errors))),
    ]);
    let chart = build(&data, &suggest(&data.schema).unwrap(), 60).unwrap();
    insta::assert_snapshot!(quarry::ui::chart::to_text(&chart, 60, 14));
}

#[tokio::test]
async fn a_range_picked_on_the_chart_becomes_the_exact_where() {
    use crate::common::tui::{app_with_hints, has_tables, press, run_to_finish, settle};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    // The small lake holds 2023-01-01 to 2023-01-06.
    let lake = crate::common::small_lake();
    let sql = "SELECT date_trunc('hour', from_unixtime(\"timestamp\" / 1000)) AS hour, count(*) AS n\nFROM logs\nGROUP BY 1";
    let mut app = app_with_hints(lake.path(), "test lake", sql);
    settle(&mut app, has_tables).await;
    settle(&mut app, |s| s.hints.current.is_some()).await;
    run_to_finish(&mut app).await;
    app.key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT));
    press(&mut app, KeyCode::Char('g'));
    settle(&mut app, |s| {
        s.results
            .as_ref()
            .and_then(|g| g.chart.as_ref())
            .is_some_and(|c| c.data.is_some())
    })
    .await;
    let data = app
        .state
        .results
        .as_ref()
        .unwrap()
        .chart
        .as_ref()
        .unwrap()
        .data
        .clone()
        .unwrap();
    // Hours from Jan 1 00:00 to Jan 6 23:00 on 12-hour ticks: the axis runs Jan 1 to Jan 7, so
    // each of the 60 steps is 2.4 hours; step 10 is Jan 2 00:00 and step 20 Jan 3 00:00.
    assert_eq!(data.x.min, 1_672_531_200_000.0);
    assert_eq!(data.x.max, 1_672_531_200_000.0 + 6.0 * 86_400_000.0);
    for _ in 0..10 {
        press(&mut app, KeyCode::Right);
    }
    press(&mut app, KeyCode::Char(' '));
    for _ in 0..10 {
        press(&mut app, KeyCode::Right);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.state.editor.buffer().text(),
        "SELECT date_trunc('hour', from_unixtime(\"timestamp\" / 1000)) AS hour, count(*) AS n\n\
         FROM logs\n\
         WHERE year = '2023' AND month = '01' AND day BETWEEN '02' AND '03' AND \
         date_trunc('hour', from_unixtime(\"timestamp\" / 1000)) BETWEEN \
         TIMESTAMP '2023-01-02 00:00:00' AND TIMESTAMP '2023-01-03 00:00:00'\n\
         GROUP BY 1"
    );
    // The estimate follows the new WHERE: two of the six days.
    settle(&mut app, |s| {
        s.hints.current.as_ref().is_some_and(|(statement, e)| {
            statement.sql.contains("BETWEEN '02'") && e.partitions_matched == 2
        })
    })
    .await;
}
