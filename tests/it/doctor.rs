//! The lake doctor on local lakes with each defect injected. Files are written with the parquet
//! crate directly, so what the doctor reads is what any writer would leave; the expected findings
//! are worked out by hand from what was injected.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int32Array, Int64Array, StringArray, TimestampMillisecondArray};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use quarry::backend::local::LocalCatalog;
use quarry::backend::{Catalog, TableName};
use quarry::doctor::{Report, Severity};

/// A column for [`write_file`]: name and values.
enum Values {
    Time(Vec<i64>),
    Long(Vec<i64>),
    Int(Vec<i32>),
    Text(Vec<&'static str>),
}

/// Writes one Parquet file with these columns at `path`.
fn write_file(path: &Path, columns: &[(&str, Values)]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (name, values) in columns {
        let (data_type, array): (DataType, ArrayRef) = match values {
            Values::Time(v) => (
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                Arc::new(TimestampMillisecondArray::from(v.clone()).with_timezone("UTC")),
            ),
            Values::Long(v) => (DataType::Int64, Arc::new(Int64Array::from(v.clone()))),
            Values::Int(v) => (DataType::Int32, Arc::new(Int32Array::from(v.clone()))),
            Values::Text(v) => (DataType::Utf8, Arc::new(StringArray::from(v.clone()))),
        };
        fields.push(Field::new(*name, data_type, true));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(Arc::clone(&schema), arrays).unwrap();
    let mut writer = ArrowWriter::try_new(fs::File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// The clean shape: event time, a bigint status, a message.
fn clean(path: &Path, rows: usize) {
    let base = 1_672_531_200_000_i64; // 2023-01-01T00:00:00Z
    write_file(
        path,
        &[
            (
                "ts",
                Values::Time((0..rows as i64).map(|i| base + i).collect()),
            ),
            ("status", Values::Long(vec![200; rows])),
            ("message", Values::Text(vec!["ok"; rows])),
        ],
    );
}

fn day(lake: &Path, d: u32) -> std::path::PathBuf {
    lake.join(format!("app/logs/year=2023/month=01/day={d:02}"))
}

async fn doctor(lake: &Path) -> Report {
    let catalog = Arc::new(LocalCatalog::open(lake).unwrap());
    catalog
        .doctor(&TableName::new("app", "logs"))
        .await
        .unwrap()
}

fn codes(report: &Report) -> Vec<(&'static str, Severity)> {
    let mut codes: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.code, f.severity))
        .collect();
    codes.sort();
    codes
}

fn finding<'a>(report: &'a Report, code: &str) -> &'a quarry::doctor::Finding {
    report
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", report.findings))
}

#[tokio::test]
async fn a_clean_lake_has_no_findings_and_says_what_it_read() {
    let lake = tempfile::tempdir().unwrap();
    for d in 1..=3 {
        clean(&day(lake.path(), d).join("part-0.parquet"), 10);
    }
    let report = doctor(lake.path()).await;
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(report.examined.partitions_on_storage, 3);
    assert_eq!(report.examined.data_files, 3);
    assert_eq!(report.examined.footers_read, 3);
    assert_eq!(report.examined.rows, 30);
    assert_eq!(report.worst(), None);
}

#[tokio::test]
async fn every_injected_defect_is_named_with_its_evidence() {
    let lake = tempfile::tempdir().unwrap();
    let l = lake.path();
    clean(&day(l, 1).join("part-0.parquet"), 10);
    // Day 2: eight small files where one would do.
    for i in 0..8 {
        clean(&day(l, 2).join(format!("part-{i}.parquet")), 5);
    }
    // Day 3: status written as text, and a field the table lacks.
    write_file(
        &day(l, 3).join("part-0.parquet"),
        &[
            ("ts", Values::Time(vec![1, 2])),
            ("status", Values::Text(vec!["200", "OK"])),
            ("message", Values::Text(vec!["a", "b"])),
            ("region", Values::Text(vec!["eu", "us"])),
        ],
    );
    // Day 4 is missing. Day 5: a JSON file beside the data, a corrupt file, a temp leftover.
    clean(&day(l, 5).join("part-0.parquet"), 3);
    fs::write(day(l, 5).join("events.json"), b"{\"a\":1}\n").unwrap();
    fs::write(
        day(l, 5).join("part-1.parquet"),
        b"PAR1 this is not parquet",
    )
    .unwrap();
    fs::write(day(l, 5).join(".part-2.parquet.tmp"), b"half a file").unwrap();
    // Day 6: an int where the table has a bigint (a safe widening).
    write_file(
        &day(l, 6).join("part-0.parquet"),
        &[
            ("ts", Values::Time(vec![1])),
            ("status", Values::Int(vec![404])),
            ("message", Values::Text(vec!["x"])),
        ],
    );
    // Day 7: an empty folder.
    fs::create_dir_all(day(l, 7)).unwrap();

    let report = doctor(l).await;
    assert_eq!(
        codes(&report),
        vec![
            ("corrupt-footer", Severity::Error),
            ("empty-partition", Severity::Info),
            ("hidden-leftovers", Severity::Info),
            ("missing-days", Severity::Warning),
            ("schema-column-added", Severity::Warning),
            ("schema-type-changed", Severity::Info),
            ("schema-type-changed", Severity::Error),
            ("small-files", Severity::Warning),
            ("stray-objects", Severity::Warning),
        ]
    );
    assert_eq!(report.worst(), Some(Severity::Error));
    assert_eq!(report.findings[0].severity, Severity::Error, "worst first");

    let corrupt = finding(&report, "corrupt-footer");
    assert_eq!(corrupt.evidence.partitions, ["year=2023/month=01/day=05"]);
    assert!(corrupt.evidence.paths[0].ends_with("day=05/part-1.parquet"));

    let changed: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == "schema-type-changed")
        .collect();
    let text = changed
        .iter()
        .find(|f| f.severity == Severity::Error)
        .unwrap();
    assert_eq!(text.evidence.partitions, ["year=2023/month=01/day=03"]);
    let column = &text.evidence.columns[0];
    assert_eq!(
        (
            column.name.as_str(),
            column.table_type.as_deref(),
            column.found_type.as_deref()
        ),
        ("status", Some("bigint"), Some("string"))
    );
    assert!(
        text.athena_error
            .as_deref()
            .unwrap()
            .starts_with("HIVE_BAD_DATA")
    );
    let widened = changed
        .iter()
        .find(|f| f.severity == Severity::Info)
        .unwrap();
    assert_eq!(widened.evidence.partitions, ["year=2023/month=01/day=06"]);

    let added = finding(&report, "schema-column-added");
    assert_eq!(added.evidence.columns[0].name, "region");
    assert_eq!(
        added.fix.as_ref().unwrap().sql,
        ["ALTER TABLE app.logs ADD COLUMNS (region string)"]
    );

    let small = finding(&report, "small-files");
    assert_eq!(small.evidence.partitions, ["year=2023/month=01/day=02"]);
    let count = |name: &str| {
        small
            .evidence
            .counts
            .iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
    };
    assert_eq!((count("files"), count("files_after_compaction")), (8, 1));
    assert_eq!(
        (count("gets_per_full_scan"), count("gets_after_compaction")),
        (16, 2)
    );
    assert_eq!(
        small.fix.as_ref().unwrap().command.as_deref(),
        Some("quarry compact app.logs --partition year=2023/month=01/day=02")
    );

    assert_eq!(
        finding(&report, "missing-days").evidence.partitions,
        ["2023-01-04"]
    );
    let stray = finding(&report, "stray-objects");
    assert!(stray.evidence.paths[0].ends_with("day=05/events.json"));
    assert_eq!(
        finding(&report, "empty-partition").evidence.partitions,
        ["year=2023/month=01/day=07"]
    );
    assert!(
        finding(&report, "hidden-leftovers").evidence.paths[0].ends_with(".part-2.parquet.tmp")
    );
}

#[tokio::test]
async fn a_renamed_column_is_one_finding_not_a_missing_and_an_added_one() {
    let lake = tempfile::tempdir().unwrap();
    clean(&day(lake.path(), 1).join("part-0.parquet"), 2);
    write_file(
        &day(lake.path(), 2).join("part-0.parquet"),
        &[
            ("ts", Values::Time(vec![1])),
            ("status", Values::Long(vec![200])),
            ("msg", Values::Text(vec!["renamed"])),
        ],
    );
    // The producer went back to the old name: the newest file shapes the table as before.
    clean(&day(lake.path(), 3).join("part-0.parquet"), 2);
    let report = doctor(lake.path()).await;
    assert_eq!(
        codes(&report),
        vec![("schema-column-renamed", Severity::Warning)]
    );
    let renamed = &report.findings[0];
    assert_eq!(renamed.evidence.partitions, ["year=2023/month=01/day=02"]);
    let names: Vec<_> = renamed
        .evidence
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["message", "msg"]);
}

/// A lake whose producer widened `status` (int → bigint) and added `region` on day 2.
fn drifted_lake() -> tempfile::TempDir {
    let lake = tempfile::tempdir().unwrap();
    write_file(
        &day(lake.path(), 1).join("part-0.parquet"),
        &[
            ("ts", Values::Time(vec![1, 2, 3])),
            ("status", Values::Int(vec![200, 404, 500])),
            ("message", Values::Text(vec!["a", "b", "c"])),
        ],
    );
    write_file(
        &day(lake.path(), 2).join("part-0.parquet"),
        &[
            ("ts", Values::Time(vec![4, 5])),
            ("status", Values::Long(vec![5_000_000_000, 201])),
            ("message", Values::Text(vec!["d", "e"])),
            ("region", Values::Text(vec!["eu", "us"])),
        ],
    );
    lake
}

#[tokio::test]
async fn the_local_engine_reads_across_compatible_drift() {
    let lake = drifted_lake();
    let engine = crate::common::engine(lake.path(), 1000);
    // By hand: 200 + 404 + 500 + 5,000,000,000 + 201; region only on day 2.
    let cells = crate::common::answer_cells(
        &engine,
        "SELECT sum(status), count(region), count(*), max(region) FROM app.logs",
    )
    .await;
    assert_eq!(cells, [["5000001305", "2", "5", "us"]]);
    let day_one = crate::common::answer_cells(
        &engine,
        "SELECT count(*) FROM app.logs WHERE day = '01' AND region IS NULL",
    )
    .await;
    assert_eq!(day_one, [["3"]]);
}

#[tokio::test]
async fn the_local_engine_refuses_incompatible_drift_by_name() {
    let lake = drifted_lake();
    write_file(
        &day(lake.path(), 3).join("part-0.parquet"),
        &[
            ("ts", Values::Time(vec![6])),
            ("status", Values::Text(vec!["OK"])),
            ("message", Values::Text(vec!["f"])),
        ],
    );
    // The newest file has the widened shape again, so the table's status is bigint.
    write_file(
        &day(lake.path(), 4).join("part-0.parquet"),
        &[
            ("ts", Values::Time(vec![7])),
            ("status", Values::Long(vec![200])),
            ("message", Values::Text(vec!["g"])),
            ("region", Values::Text(vec!["ap"])),
        ],
    );
    let engine = crate::common::engine(lake.path(), 1000);
    let status = crate::common::run(&engine, "SELECT sum(status) FROM app.logs").await;
    let error = status
        .error
        .expect("a string status cannot be summed as bigint");
    assert!(
        error
            .message
            .contains("column status is string in a file but bigint in the table"),
        "{}",
        error.message
    );
    // Columns that did not drift still read, every file included.
    let cells =
        crate::common::answer_cells(&engine, "SELECT count(*), count(message) FROM app.logs").await;
    assert_eq!(cells, [["7", "7"]]);
}

#[tokio::test]
async fn d_in_the_catalog_shows_the_findings_and_e_opens_the_fix_in_the_editor() {
    use crossterm::event::KeyCode;
    use quarry::app::Overlay;
    use quarry::app::doctor_view::DoctorPhase;

    use crate::common::tui::{app_on, open_first_table, press, render, settle};

    let lake = tempfile::tempdir().unwrap();
    clean(&day(lake.path(), 1).join("part-0.parquet"), 3);
    clean(&day(lake.path(), 3).join("part-0.parquet"), 3);
    write_file(
        &day(lake.path(), 3).join("part-1.parquet"),
        &[
            ("ts", Values::Time(vec![9])),
            ("status", Values::Long(vec![200])),
            ("message", Values::Text(vec!["x"])),
            ("region", Values::Text(vec!["eu"])),
        ],
    );
    let mut app = app_on(lake.path(), "test lake", "SELECT 1");
    open_first_table(&mut app).await;
    press(&mut app, KeyCode::Char('D'));
    settle(&mut app, |s| {
        matches!(s.overlay(), Some(Overlay::Doctor(v)) if !matches!(v.phase, DoctorPhase::Examining))
    })
    .await;
    let shown = render(&app, 160, 40);
    // By hand: day 2 is missing; day 3's second file adds region (and is the newest, so the
    // table has region and day 1's file lacks it).
    assert!(shown.contains("doctor · app.logs"), "{shown}");
    assert!(shown.contains("missing-days"), "{shown}");
    assert!(
        shown.contains("2023-01-02"),
        "the first finding's evidence: {shown}"
    );
    let Some(Overlay::Doctor(view)) = app.state.overlay() else {
        panic!("the doctor closed");
    };
    let report = view.report().unwrap();
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["missing-days", "schema-column-missing"]);
    press(&mut app, KeyCode::Char('e'));
    assert!(app.state.overlay().is_none());
    let text = app.state.editor.buffer().text();
    assert!(text.starts_with("-- missing-days: 1 day between"), "{text}");
}
