//! The Athena dialect corpus: every `tests/dialect/*.sql` runs on the local engine over the
//! committed lake in `tests/dialect/lake`, and its answer must equal the one DuckDB computed from
//! the hand-written DuckDB equivalent in the same file (`tests/dialect/generate.py`).

use std::path::{Path, PathBuf};

use quarry::backend::compare::{Cell, Rules, difference, rows};
use quarry::backend::{QueryContext, QueryEngine, QueryState};
use serde_json::Value;

use crate::common::engine;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dialect")
}

/// What a corpus file asks of the comparison.
struct Expectation {
    /// Rows compare in order only when the query orders them.
    ordered: bool,
    /// Relative tolerance for numbers (approximate functions); exact otherwise.
    tolerance: f64,
    rows: Vec<Vec<Cell>>,
}

fn expectation(sql_file: &Path, text: &str) -> Expectation {
    let mut ordered = false;
    let mut tolerance = 1e-9;
    for line in text.lines().take_while(|l| l.starts_with("--")) {
        let flag = line.trim_start_matches('-').trim();
        if flag == "ordered" {
            ordered = true;
        } else if let Some(value) = flag.strip_prefix("tolerance:") {
            tolerance = value.trim().parse().unwrap();
        }
    }
    let stem = sql_file.file_stem().unwrap().to_string_lossy();
    let answer = corpus_dir().join("expected").join(format!("{stem}.json"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&answer).unwrap()).unwrap();
    let rows = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row.as_array().unwrap().iter().map(cell).collect())
        .collect();
    Expectation {
        ordered,
        tolerance,
        rows,
    }
}

/// A value as the generator wrote it (timestamps already in the text form `Cell` uses).
fn cell(value: &Value) -> Cell {
    match value {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => Cell::Number(n.as_f64().unwrap()),
        Value::String(s) => Cell::Text(s.clone()),
        Value::Array(items) => Cell::List(items.iter().map(cell).collect()),
        Value::Object(_) => panic!("the generator writes no objects"),
    }
}

#[tokio::test]
async fn athena_queries_answer_as_duckdb_does() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    assert!(files.len() >= 160, "the corpus has {} queries", files.len());
    let engine = engine(&corpus_dir().join("lake"), 100_000);
    let context = QueryContext {
        database: Some("dialect".to_owned()),
        ..QueryContext::default()
    };
    let mut failures = Vec::new();
    for file in &files {
        let sql = std::fs::read_to_string(file).unwrap();
        let expected = expectation(file, &sql);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let id = engine.submit(&sql, &context).await.unwrap();
        let status = engine.wait(&id).await.unwrap();
        if status.state != QueryState::Succeeded {
            failures.push(format!("{name}: {:?}", status.error.map(|e| e.message)));
            continue;
        }
        let page = engine.results(&id, None, 100_000).await.unwrap();
        let actual = rows(&page.batches);
        let rules = Rules {
            ordered: expected.ordered,
            tolerance: expected.tolerance,
            loose_types: false,
        };
        if let Some(why) = difference(&expected.rows, &actual, rules) {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus queries differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn what_cannot_run_locally_is_named_not_a_planner_error() {
    let engine = engine(&corpus_dir().join("lake"), 1_000);
    let context = QueryContext {
        database: Some("dialect".to_owned()),
        ..QueryContext::default()
    };
    for (sql, names) in [
        (
            "SELECT host, approx_set(status) FROM events GROUP BY host",
            "approx_set()",
        ),
        ("SELECT word_stem(path) FROM events", "word_stem"),
    ] {
        let id = engine.submit(sql, &context).await.unwrap();
        let status = engine.wait(&id).await.unwrap();
        assert_eq!(status.state, QueryState::Failed, "{sql}");
        let message = status.error.unwrap().message;
        assert!(message.contains(names), "{sql}: {message}");
        assert!(message.contains("local engine"), "{sql}: {message}");
        assert!(message.contains("--engine athena"), "{sql}: {message}");
    }
}
