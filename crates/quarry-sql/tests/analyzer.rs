//! The analyzer over a table of queries. Each case lists, per table the query scans (in the
//! order the analyzer reports them), which of a fixed set of partitions may match and which
//! hints are given. The expectations are worked out by hand from the SQL.

use quarry_sql::analyze::{ColumnsUsed, Fix, PartitionKey, analyze, hints};

/// `logs` (string keys year/month/day), `metrics` (integer keys year/month), `users`
/// (unpartitioned). Partitions are written `2023-09-01` / `2023-9`.
fn keys_of(table: &str) -> Vec<PartitionKey> {
    match table {
        "logs" => vec![
            PartitionKey::new("year", "string"),
            PartitionKey::new("month", "string"),
            PartitionKey::new("day", "string"),
        ],
        "metrics" => vec![
            PartitionKey::new("year", "int"),
            PartitionKey::new("month", "bigint"),
        ],
        _ => Vec::new(),
    }
}

fn partitions_of(table: &str) -> Vec<&'static str> {
    match table {
        "logs" => vec![
            "2023-08-31",
            "2023-09-01",
            "2023-09-15",
            "2023-10-01",
            "2024-01-01",
        ],
        "metrics" => vec!["2023-9", "2023-10", "2024-1"],
        _ => Vec::new(),
    }
}

/// What one table use should come to: its name, the partitions that may match (`*` for all)
/// and its hint codes.
type Expected = (&'static str, &'static str, &'static str);

fn check(sql: &str, expected: &[Expected]) {
    let uses: Vec<_> = analyze(sql).into_iter().flat_map(|s| s.tables).collect();
    let names: Vec<String> = uses.iter().map(|u| u.name.join(".")).collect();
    let expected_names: Vec<&str> = expected.iter().map(|e| e.0).collect();
    assert_eq!(names, expected_names, "tables of {sql}");
    for (table_use, (_, matches, codes)) in uses.iter().zip(expected) {
        let table = table_use.table();
        let keys = keys_of(table);
        let (filter, _) = table_use.partition_filter(&keys);
        let all = partitions_of(table);
        let matched: Vec<&str> = all
            .iter()
            .copied()
            .filter(|p| {
                let values: Vec<String> = p.split('-').map(str::to_owned).collect();
                filter.may_match(&values)
            })
            .collect();
        let expected_matches: Vec<&str> = if *matches == "*" {
            all.clone()
        } else {
            matches.split(' ').filter(|m| !m.is_empty()).collect()
        };
        assert_eq!(matched, expected_matches, "partitions of {table} in {sql}");
        let got: Vec<&str> = hints(table_use, &keys, Some(9))
            .iter()
            .map(|h| h.code.code())
            .collect();
        let want: Vec<&str> = codes.split(' ').filter(|c| !c.is_empty()).collect();
        assert_eq!(got, want, "hints for {table} in {sql}");
    }
}

const NO_FILTER: &str = "no_partition_filter";

#[test]
fn filters_hints_and_scopes() {
    let y2023 = "2023-08-31 2023-09-01 2023-09-15 2023-10-01";
    let cases: &[(&str, &[Expected])] = &[
        // 1-3: no filter, a filter, a filter of the wrong type
        (
            "SELECT * FROM logs",
            &[("logs", "*", "no_partition_filter select_star")],
        ),
        (
            "SELECT message FROM logs WHERE year = '2023'",
            &[("logs", y2023, "")],
        ),
        (
            "SELECT message FROM logs WHERE year = 2023",
            &[("logs", "*", "key_type_mismatch no_partition_filter")],
        ),
        // 4-5: several keys
        (
            "SELECT message FROM logs WHERE year = '2023' AND month = '09'",
            &[("logs", "2023-09-01 2023-09-15", "")],
        ),
        (
            "SELECT message FROM logs WHERE year = '2023' AND month = '09' AND day = '01'",
            &[("logs", "2023-09-01", "")],
        ),
        // 6-13: each operator
        (
            "SELECT 1 FROM logs WHERE year <> '2023'",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE year IN ('2024')",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE month IN ('08', '10')",
            &[("logs", "2023-08-31 2023-10-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE month NOT IN ('09')",
            &[("logs", "2023-08-31 2023-10-01 2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE month BETWEEN '09' AND '10'",
            &[("logs", "2023-09-01 2023-09-15 2023-10-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE month NOT BETWEEN '02' AND '09'",
            &[("logs", "2023-10-01 2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE year >= '2024'",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE '2024' <= year",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE day < '15' AND day > '01'",
            &[("logs", "", "")],
        ),
        // 15-20: OR and NOT
        (
            "SELECT 1 FROM logs WHERE year > '2023' OR (year = '2023' AND month >= '10')",
            &[("logs", "2023-10-01 2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE year = '2023' OR level = 'error'",
            &[(
                "logs",
                "*",
                "or_branch_without_partition_filter no_partition_filter",
            )],
        ),
        (
            "SELECT 1 FROM logs WHERE NOT (year = '2023')",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE NOT (year = '2023' AND month = '09')",
            &[("logs", "2023-08-31 2023-10-01 2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE year = '2023' AND month = '09' OR year = '2024'",
            &[("logs", "2023-09-01 2023-09-15 2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs WHERE NOT (year = '2023' OR level = 'x')",
            &[("logs", "2024-01-01", "")],
        ),
        // 21-25: what prevents pruning
        (
            "SELECT 1 FROM logs WHERE concat(year, month) = '202309'",
            &[("logs", "*", "function_on_partition_key no_partition_filter")],
        ),
        (
            "SELECT 1 FROM logs WHERE CAST(year AS integer) = 2023",
            &[("logs", "*", "cast_on_partition_key no_partition_filter")],
        ),
        (
            "SELECT 1 FROM logs WHERE year || month = '202309'",
            &[(
                "logs",
                "*",
                "expression_on_partition_key no_partition_filter",
            )],
        ),
        (
            "SELECT 1 FROM logs WHERE year = '2023' AND substr(day, 1, 1) = '0'",
            &[("logs", y2023, "function_on_partition_key")],
        ),
        (
            "SELECT 1 FROM logs WHERE level = 'error' AND lower(message) LIKE '%x%'",
            &[("logs", "*", NO_FILTER)],
        ),
        (
            "SELECT 1 FROM logs WHERE year = DATE '2023-01-01'",
            &[("logs", "*", "key_type_mismatch no_partition_filter")],
        ),
        // 27-30: aliases, qualified names, quoting, case, comments
        (
            "SELECT l.message FROM logs l WHERE l.year = '2024'",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "SELECT l.message FROM logs AS l WHERE year = '2024'",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "SELECT message FROM logs_db.logs WHERE logs.year = '2024'",
            &[("logs_db.logs", "2024-01-01", "")],
        ),
        (
            "SELECT \"message\" FROM \"logs\" WHERE \"year\" = '2024'",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "select Message from LOGS where YEAR = '2024'",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "-- daily\nSELECT message /* the text */ FROM logs\nWHERE /* only */ year = '2024' -- new",
            &[("logs", "2024-01-01", "")],
        ),
        // 33-38: joins
        (
            "SELECT l.message, u.name FROM logs l JOIN users u ON l.user_id = u.id WHERE l.year = '2024'",
            &[("logs", "2024-01-01", ""), ("users", "", "")],
        ),
        (
            "SELECT l.message FROM logs l JOIN users u ON l.user_id = u.id AND l.month = '09'",
            &[("logs", "2023-09-01 2023-09-15", ""), ("users", "", "")],
        ),
        (
            "SELECT u.name FROM users u LEFT JOIN logs l ON u.id = l.user_id AND l.year = '2024'",
            &[("users", "", ""), ("logs", "2024-01-01", "")],
        ),
        (
            "SELECT u.name FROM logs l LEFT JOIN users u ON u.id = l.user_id AND l.year = '2024'",
            &[("logs", "*", NO_FILTER), ("users", "", "")],
        ),
        (
            "SELECT a.message FROM logs a JOIN logs b ON a.request_id = b.request_id WHERE a.year = '2023' AND b.year = '2024'",
            &[("logs", y2023, ""), ("logs", "2024-01-01", "")],
        ),
        (
            "SELECT 1 FROM logs l CROSS JOIN users u WHERE u.id = 1",
            &[("logs", "*", NO_FILTER), ("users", "", "")],
        ),
        // 39-43: CTEs and derived tables
        (
            "WITH recent AS (SELECT * FROM logs WHERE year = '2024') SELECT count(*) FROM recent",
            &[("logs", "2024-01-01", "select_star")],
        ),
        (
            "WITH l AS (SELECT * FROM logs) SELECT message FROM l WHERE year = '2023' AND month = '10'",
            &[("logs", "2023-10-01", "select_star")],
        ),
        (
            "WITH l AS (SELECT year, message FROM logs) SELECT a.message FROM l a JOIN l b ON a.message = b.message WHERE a.year = '2024'",
            &[("logs", "2024-01-01", ""), ("logs", "*", NO_FILTER)],
        ),
        ("WITH unused AS (SELECT * FROM logs) SELECT 1", &[]),
        (
            "SELECT m FROM (SELECT message AS m, month FROM logs WHERE year = '2023') t WHERE t.month = '09'",
            &[("logs", "2023-09-01 2023-09-15", "")],
        ),
        (
            "SELECT t.m FROM (SELECT year AS y, message AS m FROM logs) t WHERE y = '2024'",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "SELECT * FROM (SELECT message, year FROM logs LIMIT 10) t WHERE year = '2024'",
            &[("logs", "*", NO_FILTER)],
        ),
        (
            "SELECT * FROM (SELECT * FROM (SELECT * FROM logs) a) b WHERE b.year = '2023' AND b.month = '08'",
            &[("logs", "2023-08-31", "select_star")],
        ),
        // 47-50: subqueries in expressions
        (
            "SELECT name FROM users WHERE id IN (SELECT user_id FROM logs WHERE year = '2023' AND month = '08')",
            &[("users", "", ""), ("logs", "2023-08-31", "")],
        ),
        (
            "SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM logs l WHERE l.user_id = u.id AND l.year = '2024')",
            &[("users", "", ""), ("logs", "2024-01-01", "")],
        ),
        (
            "SELECT (SELECT max(day) FROM logs WHERE year = '2023') AS last_day",
            &[("logs", y2023, "")],
        ),
        // 50-52: set operations
        (
            "SELECT message FROM logs WHERE year = '2023' UNION ALL SELECT message FROM logs WHERE year = '2024' AND month = '01'",
            &[("logs", y2023, ""), ("logs", "2024-01-01", "")],
        ),
        (
            "SELECT message FROM logs WHERE year = '2023' UNION SELECT message FROM logs",
            &[("logs", y2023, ""), ("logs", "*", NO_FILTER)],
        ),
        (
            "SELECT * FROM (SELECT message, year FROM logs UNION ALL SELECT message, year FROM logs) u WHERE year = '2024'",
            &[("logs", "2024-01-01", ""), ("logs", "2024-01-01", "")],
        ),
        // 53-54: several statements
        (
            "SELECT 1 FROM logs WHERE year = '2023'; SELECT 1 FROM logs",
            &[("logs", y2023, ""), ("logs", "*", NO_FILTER)],
        ),
        (
            "INSERT INTO archive SELECT * FROM logs WHERE year = '2023' AND month = '08'",
            &[("logs", "2023-08-31", "select_star")],
        ),
        (
            "CREATE TABLE t AS SELECT message FROM logs WHERE year = '2024'",
            &[("logs", "2024-01-01", "")],
        ),
        (
            "EXPLAIN SELECT message FROM logs WHERE year = '2024'",
            &[("logs", "2024-01-01", "")],
        ),
        // 57-61: integer keys
        (
            "SELECT * FROM metrics WHERE year = 2023 AND month >= 10",
            &[("metrics", "2023-10", "select_star")],
        ),
        (
            "SELECT value FROM metrics WHERE year = '2023'",
            &[("metrics", "*", "key_type_mismatch no_partition_filter")],
        ),
        (
            "SELECT value FROM metrics WHERE month BETWEEN 9 AND 10",
            &[("metrics", "2023-9 2023-10", "")],
        ),
        (
            "SELECT value FROM metrics WHERE month > -1 AND year < 2024",
            &[("metrics", "2023-9 2023-10", "")],
        ),
        (
            "SELECT value FROM metrics WHERE year IN (2024, 2025)",
            &[("metrics", "2024-1", "")],
        ),
        // 62-63: nothing to analyze
        ("SELECT FROM WHERE (", &[]),
        ("SELECT 1 + 1", &[]),
    ];
    assert!(cases.len() >= 40, "the table keeps at least 40 cases");
    for (sql, expected) in cases {
        check(sql, expected);
    }
}

#[test]
fn columns_read_per_table() {
    let uses = &analyze(
        "SELECT l.level, count(*) FROM logs l JOIN users u ON l.user_id = u.id \
         WHERE l.year = '2024' GROUP BY l.level ORDER BY 2",
    )[0]
    .tables;
    let names = |c: &ColumnsUsed| match c {
        ColumnsUsed::All => vec!["*".to_owned()],
        ColumnsUsed::Some(set) => set.iter().cloned().collect(),
    };
    assert_eq!(names(&uses[0].columns), ["level", "user_id", "year"]);
    assert_eq!(names(&uses[1].columns), ["id"]);

    let uses =
        &analyze("SELECT l.*, u.name FROM logs l JOIN users u ON l.user_id = u.id")[0].tables;
    assert_eq!(uses[0].columns, ColumnsUsed::All);
    assert_eq!(names(&uses[1].columns), ["id", "name"]);
}

#[test]
fn type_mismatch_fix_quotes_the_literal_in_place() {
    let sql = "SELECT message\nFROM logs\nWHERE year = 2023 AND month = '09'";
    let table_use = &analyze(sql)[0].tables[0];
    let hint = &hints(table_use, &keys_of("logs"), None)[0];
    assert!(
        hint.message.contains("write year = '2023'"),
        "{}",
        hint.message
    );
    let Some(Fix::Replace { span, text }) = &hint.fix else {
        panic!("a replace fix: {hint:?}");
    };
    assert_eq!(text, "'2023'");
    // Line 3, columns 14..18 hold `2023`.
    assert_eq!((span.start.line, span.start.column), (3, 14));
    assert_eq!((span.end.line, span.end.column), (3, 18));
}

#[test]
fn no_filter_fix_names_the_table_as_the_query_does() {
    let table_use = &analyze("SELECT 1 FROM logs_db.logs AS l")[0].tables[0];
    let fix = hints(table_use, &keys_of("logs"), None)
        .into_iter()
        .find_map(|h| h.fix);
    assert_eq!(
        fix,
        Some(Fix::AddPartitionFilter {
            reference: "l".to_owned(),
            keys: vec!["year".to_owned(), "month".to_owned(), "day".to_owned()],
        })
    );
}

#[test]
fn glue_expressions_keep_only_what_glue_can_evaluate() {
    let keys = keys_of("logs");
    let expression = |sql: &str| {
        let table_use = &analyze(sql)[0].tables[0];
        table_use.partition_filter(&keys).0.glue_expression(&keys)
    };
    assert_eq!(
        expression(
            "SELECT 1 FROM logs WHERE year = '2023' AND level = 'x' AND month IN ('09', '10')"
        )
        .as_deref(),
        Some("(year = '2023') AND (month IN ('09', '10'))")
    );
    assert_eq!(
        expression("SELECT 1 FROM logs WHERE NOT (year = '2023' OR month BETWEEN '01' AND '03')")
            .as_deref(),
        Some("(year <> '2023') AND (month NOT BETWEEN '01' AND '03')")
    );
    assert_eq!(
        expression("SELECT 1 FROM logs WHERE year = 'it''s'").as_deref(),
        Some("year = 'it''s'")
    );
    assert_eq!(expression("SELECT 1 FROM logs WHERE level = 'x'"), None);
}

/// Found by hand after fuzzing: the parser builds long `AND`/`OR`/`+` chains without its
/// recursion limit, and walking one 20,000 deep overflowed the stack (the fuzzer's inputs were
/// too short to get there). Run on a thread with a tokio worker's 2 MiB stack.
#[test]
fn deep_chains_are_skipped_not_walked() {
    let on_small_stack = |sql: String| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || analyze(&sql))
            .unwrap()
            .join()
            .expect("no stack overflow")
    };
    for operator in [" AND ", " OR "] {
        let chain = vec!["y=1"; 5_000].join(operator);
        let analysis = on_small_stack(format!("SELECT 1 FROM logs WHERE {chain}"));
        assert_eq!(analysis.len(), 1, "it parses");
        assert!(analysis[0].tables.is_empty(), "too deep to analyze");
    }
    let sum = vec!["day"; 5_000].join(" || ");
    let analysis = on_small_stack(format!("SELECT 1 FROM logs WHERE {sum} = 'x'"));
    assert!(analysis[0].tables.is_empty());
    // Past the size limit nothing is parsed at all.
    let long = vec!["year = '2023'"; 20_000].join(" AND ");
    assert!(on_small_stack(format!("SELECT 1 FROM logs WHERE {long}")).is_empty());
    // A realistic chain is still analyzed.
    let short = vec!["year = '2023'"; 50].join(" AND ");
    let analysis = on_small_stack(format!("SELECT 1 FROM logs WHERE {short}"));
    assert_eq!(analysis[0].tables.len(), 1);
}
