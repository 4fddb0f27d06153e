//! The real binary: `quarry demo` and `quarry query`, their output, statistics and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use std::path::Path;

use assert_cmd::Command;

fn quarry() -> Command {
    let mut cmd = Command::cargo_bin("quarry").unwrap();
    // Keep the user's config and environment out of the tests.
    cmd.env_remove("QUARRY_LAKE")
        .env("QUARRY_CONFIG", "/dev/null")
        .env(
            "XDG_DATA_HOME",
            std::env::temp_dir().join("quarry-cli-tests"),
        );
    cmd
}

fn demo(dir: &Path, days: u32, rows: u32) {
    quarry()
        .args(["demo", "--dir"])
        .arg(dir)
        .args([
            "--days",
            &days.to_string(),
            "--rows-per-day",
            &rows.to_string(),
            "--start",
            "2023-09-01",
        ])
        .assert()
        .success();
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn demo_then_the_seed_query_prints_counts_and_a_stats_line() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    demo(&lake, 4, 500);
    let expected = crate::common::count_values(
        &lake.join("logs_db/logs/year=2023/month=09/day=02"),
        "logtype",
    );
    let output = quarry()
        .arg("--lake")
        .arg(&lake)
        .args(["query", "--format", "csv"])
        .arg("SELECT logtype, count(*) AS n FROM logs_db.logs WHERE year='2023' AND month='09' AND day='02' GROUP BY logtype ORDER BY logtype")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("logtype,n"));
    let got: Vec<String> = lines.map(str::to_owned).collect();
    let want: Vec<String> = expected.iter().map(|(k, v)| format!("{k},{v}")).collect();
    assert_eq!(got, want);
    let stderr = stderr_of(&output);
    assert!(stderr.starts_with("scanned "), "{stderr}");
    assert!(stderr.contains(" · 1/4 partitions · 4 rows · "), "{stderr}");
    assert!(stderr.trim_end().ends_with("on Athena"), "{stderr}");
}

#[test]
fn stats_json_has_the_struct_field_names() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), 3, 300);
    let output = quarry()
        .arg("--lake")
        .arg(dir.path())
        .args([
            "query",
            "--stats-json",
            "--format",
            "json",
            "SELECT count(message) AS n FROM logs WHERE day = '03'",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows, serde_json::json!([{ "n": 300 }]));
    let stats: serde_json::Value = serde_json::from_str(stderr_of(&output).trim()).unwrap();
    assert_eq!(stats["partitions_scanned"], 1);
    assert_eq!(stats["partitions_total"], 3);
    assert_eq!(stats["rows"], 1);
    assert!(stats["bytes_scanned"].as_u64().unwrap() > 0);
    assert_eq!(stats["billed_bytes"], 10 * 1_048_576);
    assert_eq!(stats["engine"], "local");
}

#[test]
fn stats_json_carries_the_ledger_totals_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), 3, 300);
    let data = tempfile::tempdir().unwrap();
    let run = |sql: &str| -> serde_json::Value {
        let output = quarry()
            .env("XDG_DATA_HOME", data.path())
            .arg("--lake")
            .arg(dir.path())
            .args(["query", "--stats-json", "--format", "csv", sql])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr_of(&output));
        serde_json::from_str(stderr_of(&output).trim()).unwrap()
    };
    let first = run("SELECT count(message) FROM logs WHERE day = '01'");
    let second = run("SELECT max(source) FROM logs");
    // The ledger counts what Athena would have scanned for a local run.
    let bytes = |v: &serde_json::Value| v["athena_scan_bytes"].as_u64().unwrap();
    let ledger = &second["ledger"];
    assert_eq!(
        ledger["session"]["queries"], 1,
        "each run is its own session"
    );
    assert_eq!(ledger["today"]["queries"], 2);
    assert_eq!(
        ledger["all_time"]["bytes_scanned"].as_u64().unwrap(),
        bytes(&first) + bytes(&second)
    );
    assert_eq!(ledger["workgroups"]["local"]["queries"], 2);
    assert_eq!(ledger["all_time"]["billed_bytes"], 2 * 10 * 1_048_576);
    let lines = std::fs::read_to_string(data.path().join("quarry/ledger.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 2);
}

#[test]
fn sql_comes_from_a_file_or_stdin_and_ndjson_is_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), 2, 50);
    let sql_file = dir.path().join("q.sql");
    std::fs::write(
        &sql_file,
        "SELECT source, team FROM sources ORDER BY source LIMIT 3",
    )
    .unwrap();
    let from_file = quarry()
        .arg("--lake")
        .arg(dir.path())
        .args(["query", "--format", "ndjson", "-f"])
        .arg(&sql_file)
        .output()
        .unwrap();
    assert!(from_file.status.success(), "{}", stderr_of(&from_file));
    let lines: Vec<serde_json::Value> = String::from_utf8(from_file.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines
            .iter()
            .all(|l| l["source"].is_string() && l["team"].is_string())
    );
    let from_stdin = quarry()
        .arg("--lake")
        .arg(dir.path())
        .args(["query", "--format", "ndjson"])
        .write_stdin(std::fs::read_to_string(&sql_file).unwrap())
        .output()
        .unwrap();
    assert_eq!(from_stdin.stdout, from_file.stdout);
}

#[test]
fn table_output_aligns_and_escapes_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), 1, 10);
    let output = quarry()
        .arg("--lake")
        .arg(dir.path())
        .args([
            "query",
            "SELECT 'evil' || chr(27) || '[2J' AS s, 12 AS n, CAST(NULL AS BIGINT) AS missing",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(
        !stdout.contains('\x1b'),
        "raw escape reached the terminal: {stdout:?}"
    );
    assert!(stdout.contains("evil\\u{1b}[2J"), "{stdout}");
    assert!(stdout.contains("NULL"), "{stdout}");
    let header = stdout.lines().next().unwrap();
    assert!(
        header.starts_with('s') && header.contains(" │ n") && header.contains("missing"),
        "{header}"
    );
}

#[test]
fn bad_sql_exits_1_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), 1, 10);
    let output = quarry()
        .arg("--lake")
        .arg(dir.path())
        .args(["query", "SELECT count(*)\nFROM logs\nWHER day = '01'"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("syntax error") && stderr.contains("line 3, column"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_table_exits_1_naming_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), 1, 10);
    let output = quarry()
        .arg("--lake")
        .arg(dir.path())
        .args(["query", "SELECT * FROM logs_db.lgs"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("lgs") && stderr.contains("not found") && stderr.contains("logs_db.logs"),
        "{stderr}"
    );
}

#[test]
fn a_missing_lake_exits_2_and_says_how_to_make_one() {
    let output = quarry()
        .args(["--lake", "/no/such/lake", "query", "SELECT 1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("/no/such/lake")
            && stderr.contains("does not exist")
            && stderr.contains("quarry demo"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        quarry()
            .args(["query", "--format", "xml", "SELECT 1"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), 1, 10);
    let empty = quarry()
        .arg("--lake")
        .arg(dir.path())
        .args(["query", "  "])
        .output()
        .unwrap();
    assert_eq!(empty.status.code(), Some(2));
    assert!(stderr_of(&empty).contains("empty"));
}

#[test]
fn demo_is_deterministic_for_a_seed_and_refuses_foreign_folders() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    demo(&a, 2, 300);
    demo(&b, 2, 300);
    let file = "logs_db/logs/year=2023/month=09/day=02/part-00000.parquet";
    assert_eq!(
        std::fs::read(a.join(file)).unwrap(),
        std::fs::read(b.join(file)).unwrap()
    );
    // Regenerating a demo lake with fewer days leaves no stale partitions.
    demo(&a, 1, 300);
    assert!(!a.join("logs_db/logs/year=2023/month=09/day=02").exists());

    let foreign = dir.path().join("photos");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("cat.jpg"), "meow").unwrap();
    let output = quarry()
        .args(["demo", "--days", "1", "--dir"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("not empty"));
    assert!(foreign.join("cat.jpg").exists());
}

#[test]
fn a_bad_config_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "row_limit = 10\nprice_per_tb = 5\n").unwrap();
    let output = quarry()
        .env("QUARRY_CONFIG", &config)
        .args(["query", "SELECT 1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("config.toml")
            && stderr.contains("line 2")
            && stderr.contains("price_per_tb"),
        "{stderr}"
    );
}

#[test]
fn a_bad_theme_or_key_in_the_config_stops_the_tui_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    demo(&lake, 1, 10);
    let config = dir.path().join("config.toml");
    let cases = [
        (
            "theme = \"neon\"\n",
            vec!["config.toml", "neon", "high-contrast"],
        ),
        (
            "[keys]\nquit = \"F1\"\n",
            vec!["config.toml", "F1", "help", "quit"],
        ),
        (
            "\n[keys]\nrun = \"Hyper-F5\"\n",
            vec!["config.toml", "line 3", "keys.run"],
        ),
    ];
    for (text, expected) in cases {
        std::fs::write(&config, text).unwrap();
        let output = quarry()
            .env("QUARRY_CONFIG", &config)
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .arg("--lake")
            .arg(&lake)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{text}");
        let stderr = stderr_of(&output);
        for needle in expected {
            assert!(stderr.contains(needle), "{text}: {stderr}");
        }
    }
}

#[test]
fn several_statements_print_one_result_each_and_a_failure_stops_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    demo(&lake, 1, 50);
    let sql = "SELECT 'one' AS a;\nSELECT nope FROM logs_db.logs;\nSELECT 'three' AS c, 3 AS n";
    let stopped = quarry()
        .arg("--lake")
        .arg(&lake)
        .args(["query", "--format", "csv", sql])
        .output()
        .unwrap();
    assert_eq!(stopped.status.code(), Some(1));
    let stdout = String::from_utf8(stopped.stdout.clone()).unwrap();
    assert_eq!(
        stdout,
        "-- [1/3] line 1: SELECT 'one' AS a\na\none\n\n-- [2/3] line 2: SELECT nope FROM logs_db.logs\n"
    );
    let stderr = stderr_of(&stopped);
    assert!(stderr.contains("(line 2, column 8)"), "{stderr}");
    assert!(stderr.contains("1 statement(s) not run"), "{stderr}");

    let all = quarry()
        .arg("--lake")
        .arg(&lake)
        .args(["query", "--format", "csv", "--continue-on-error", sql])
        .output()
        .unwrap();
    assert_eq!(all.status.code(), Some(1), "a statement failed");
    let stdout = String::from_utf8(all.stdout.clone()).unwrap();
    assert!(
        stdout.ends_with("-- [3/3] line 3: SELECT 'three' AS c, 3 AS n\nc,n\nthree,3\n"),
        "{stdout}"
    );
    assert!(stderr_of(&all).contains("1 of 3 statements failed"));

    // Binary formats hold one result.
    let parquet = quarry()
        .arg("--lake")
        .arg(&lake)
        .args(["query", "--format", "parquet", "SELECT 1; SELECT 2"])
        .output()
        .unwrap();
    assert_eq!(parquet.status.code(), Some(2));
}

#[test]
fn params_fill_placeholders_in_order_and_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    demo(&lake, 2, 200);
    let expected = crate::common::count_values(
        &lake.join("logs_db/logs/year=2023/month=09/day=02"),
        "logtype",
    );
    let sql = "SELECT count(*) AS n FROM logs_db.logs WHERE day = :day AND logtype = ? AND month = ${month}";
    let output = quarry()
        .arg("--lake")
        .arg(&lake)
        .args([
            "query", "--format", "csv", "--param", "info", "--param", "day='02'",
        ])
        .args(["--param", "month='09'", sql])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("n\n{}\n", expected["info"])
    );
    let missing = quarry()
        .arg("--lake")
        .arg(&lake)
        .args(["query", "--param", "day='02'", "--param", "info", sql])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr_of(&missing).contains("a value for :month"),
        "{}",
        stderr_of(&missing)
    );
}
