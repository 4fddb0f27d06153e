//! Plans as trees: a finished local query's physical plan with each operator's measurements,
//! checked against the parquet crate's row counts; Athena's stages nested by depth.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use quarry::backend::{PlanNode, QueryEngine, StageStats};

fn find<'a>(node: &'a PlanNode, operator: &str) -> Option<&'a PlanNode> {
    if node.operator == operator {
        return Some(node);
    }
    node.children.iter().find_map(|c| find(c, operator))
}

fn metric<'a>(node: &'a PlanNode, name: &str) -> Option<&'a str> {
    node.metrics
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn the_scan_measures_the_rows_and_files_of_the_partition_read() {
    let lake = crate::common::small_lake();
    let day = lake.path().join("logs_db/logs/year=2023/month=01/day=02");
    let rows: u64 = crate::common::count_values(&day, "logtype").values().sum();
    let engine = crate::common::engine(lake.path(), 1_000);
    let status = crate::common::run(
        &engine,
        "SELECT logtype, count(*) AS n FROM logs WHERE year = '2023' AND month = '01' AND day = '02' GROUP BY 1",
    )
    .await;
    let plan = engine.plan(&status.id).await.unwrap().expect("a plan");
    assert_eq!(plan.operator, "ProjectionExec");
    let scan = find(&plan, "DataSourceExec").expect("a scan");
    assert!(scan.detail.contains("day=02"), "{}", scan.detail);
    assert_eq!(
        metric(scan, "output_rows"),
        Some(quarry::text::thousands(rows).as_str())
    );
    assert_eq!(metric(scan, "files_opened"), Some("1"));
    let text = plan.text();
    assert!(text.starts_with("ProjectionExec: expr=["), "{text}");
    assert!(text.contains("└─ AggregateExec: mode="), "{text}");
}

#[test]
fn athenas_stages_nest_by_depth() {
    let stage = |id, depth, rows| StageStats {
        id,
        depth,
        state: Some("FINISHED".to_owned()),
        input_rows: None,
        input_bytes: None,
        output_rows: Some(rows),
        output_bytes: None,
        execution_ms: Some(10),
    };
    let tree = PlanNode::from_stages(&[
        stage(0, 0, 4),
        stage(1, 1, 40),
        stage(2, 2, 4_000),
        stage(3, 1, 7),
    ])
    .unwrap();
    let expected = [
        "stage 0: FINISHED",
        "│  · output_rows 4 · execution 10 ms",
        "├─ stage 1: FINISHED",
        "│  │  · output_rows 40 · execution 10 ms",
        "│  └─ stage 2: FINISHED",
        "│        · output_rows 4,000 · execution 10 ms",
        "└─ stage 3: FINISHED",
        "      · output_rows 7 · execution 10 ms",
        "",
    ];
    assert_eq!(tree.text(), expected.join("\n"));
}

#[tokio::test]
async fn p_in_the_results_opens_the_last_runs_plan() {
    use crate::common::tui::{app_on, press, run_to_finish, settle};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use quarry::app::Overlay;
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "SELECT count(*) AS n FROM logs");
    settle(&mut app, crate::common::tui::has_tables).await;
    run_to_finish(&mut app).await;
    settle(&mut app, |s| s.last_plan.is_some()).await;
    app.key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT));
    press(&mut app, KeyCode::Char('p'));
    let Some(Overlay::Plan(view)) = app.state.overlay() else {
        panic!("no plan shown: {:?}", app.state.notice)
    };
    let text = view.root.text();
    assert!(text.contains("DataSourceExec"), "{text}");
    // Six days of 1,500 rows: the scan read every one.
    assert!(text.contains("output_rows 9,000"), "{text}");
    // ← on the root folds the whole plan into one row; → opens it again.
    let rows = view.rows().len();
    press(&mut app, KeyCode::Left);
    let Some(Overlay::Plan(view)) = app.state.overlay() else {
        panic!()
    };
    assert_eq!(view.rows().len(), 1);
    press(&mut app, KeyCode::Right);
    let Some(Overlay::Plan(view)) = app.state.overlay() else {
        panic!()
    };
    assert_eq!(view.rows().len(), rows);
    let screen = crate::common::tui::render(&app, 160, 45);
    assert!(
        screen.contains("▾ ProjectionExec") || screen.contains("▾ AggregateExec"),
        "{screen}"
    );
}

#[test]
fn an_indented_explain_becomes_a_tree() {
    let datafusion = "ProjectionExec: expr=[n@0 as n]\n  AggregateExec: mode=Final\n    DataSourceExec: file_groups={1 group}\n  OtherExec: x\n";
    let tree = PlanNode::from_indented(datafusion).unwrap();
    assert_eq!(tree.operator, "ProjectionExec");
    assert_eq!(tree.detail, "expr=[n@0 as n]");
    let children: Vec<&str> = tree.children.iter().map(|c| c.operator.as_str()).collect();
    assert_eq!(children, ["AggregateExec", "OtherExec"]);
    assert_eq!(tree.children[0].children[0].operator, "DataSourceExec");
    // Athena's fragments sit side by side under one root.
    let athena = "Fragment 0 [SINGLE]\n    Output layout: [source]\nFragment 1 [SOURCE]\n    TableScan[logs]\n";
    let tree = PlanNode::from_indented(athena).unwrap();
    let fragments: Vec<&str> = tree.children.iter().map(|c| c.operator.as_str()).collect();
    assert_eq!(fragments, ["Fragment 0 [SINGLE]", "Fragment 1 [SOURCE]"]);
    assert_eq!(
        tree.children[0].children[0].operator,
        "Output layout: [source]"
    );
}

#[tokio::test]
async fn alt_p_shows_the_plan_without_running_the_statement() {
    use crate::common::tui::{app_on, has_tables, settle};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use quarry::app::Overlay;
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT logtype, count(*) FROM logs WHERE day = '02' GROUP BY 1",
    );
    settle(&mut app, has_tables).await;
    app.key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::ALT));
    settle(&mut app, |s| matches!(s.overlay(), Some(Overlay::Plan(_)))).await;
    let Some(Overlay::Plan(view)) = app.state.overlay() else {
        panic!()
    };
    let scan = find(&view.root, "DataSourceExec").expect("a scan in the plan");
    assert!(
        scan.detail.contains("day=02"),
        "pruned to the day: {}",
        scan.detail
    );
    assert!(scan.metrics.is_empty(), "not run, so nothing measured");
    assert_eq!(app.state.session.queries, 0, "nothing ran");
}
