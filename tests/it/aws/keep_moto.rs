//! Keeping a partition range locally (moto): the plan's size, a copy interrupted and resumed
//! with nothing fetched twice or duplicated, rows counted with the parquet crate against the
//! objects Glue points at, the same SQL routed to the copy only when the copy covers it, and
//! staleness found from `ETag`s and refreshed. Also a result kept from Athena, types intact.

use std::collections::BTreeMap;

use parquet::file::reader::FileReader;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::arrow::array::{Array, AsArray};
use quarry::backend::aws::{
    AthenaEngine, AwsClients, AwsOptions, GlueCatalog, UnloadMode, UnloadPolicy,
};
use quarry::backend::local::EngineOptions;
use quarry::backend::{Catalog, QueryContext, QueryEngine, QueryState, TableName, all_results};
use quarry::cache::copy::{copied_objects, staleness};
use quarry::cache::{CacheLake, CachedSource};
use quarry::cost::Pricing;

use super::compact_moto::{rows_via_catalog, small_file_table};
use super::moto::{clients, seed_athena_results};

fn source(aws: &AwsClients, cache: &std::path::Path) -> CachedSource {
    let options = AwsOptions {
        output_location: Some("s3://keep-results/out/".to_owned()),
        unload: UnloadPolicy {
            mode: UnloadMode::Never,
            ..UnloadPolicy::default()
        },
        ..AwsOptions::default()
    };
    CachedSource::new(
        Arc::new(GlueCatalog::new(aws.glue.clone(), aws.s3.clone())),
        Arc::new(AthenaEngine::new(
            aws.clone(),
            options,
            Pricing::default(),
            10_000,
        )),
        CacheLake::open(cache).unwrap(),
        EngineOptions::default(),
    )
    .unwrap()
}

/// Puts the bytes of object `from` under key `to` in `bucket`: a changed object, `ETag` and all.
async fn overwrite_with(aws: &AwsClients, bucket: &str, from: &str, to: &str) {
    let body = aws
        .s3
        .get_object()
        .bucket(bucket)
        .key(from)
        .send()
        .await
        .unwrap();
    let body = body.body.collect().await.unwrap().into_bytes();
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(to)
        .body(body.to_vec().into())
        .send()
        .await
        .unwrap();
}

/// Rows per day of the local copy, read with the parquet crate.
fn rows_of_copy(folder: &std::path::Path) -> BTreeMap<String, u64> {
    let mut rows = BTreeMap::new();
    for file in crate::common::parquet_files(folder) {
        let day = file
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("day=")
            .to_owned();
        let reader =
            parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&file).unwrap())
                .unwrap();
        *rows.entry(day).or_insert(0) += reader.metadata().file_metadata().num_rows() as u64;
    }
    rows
}

async fn count(source: &CachedSource, sql: &str) -> (String, i64, quarry::backend::QueryStats) {
    let context = QueryContext::default();
    let id = source.submit(sql, &context).await.unwrap();
    let status = source.wait(&id).await.unwrap();
    assert_eq!(
        status.state,
        QueryState::Succeeded,
        "{sql}: {:?}",
        status.error
    );
    let page = all_results(source, &id).await.unwrap();
    let n = page.batches.first().map_or(-1, |b| {
        b.column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
            .value(0)
    });
    (id.0, n, status.stats)
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn a_partition_range_is_copied_resumed_routed_and_refreshed() {
    let aws = clients("ap-east-1").await;
    small_file_table(&aws, "keep-range", "keep_db").await;
    let cache = tempfile::tempdir().unwrap();
    let source = source(&aws, cache.path());
    let stores = aws.stores().unwrap();
    let table = TableName::new("keep_db", "logs");
    let condition = "year = '2023' AND month = '01' AND day IN ('01', '02')";
    let plan = source.plan_copy(&stores, &table, condition).await.unwrap();
    assert_eq!(plan.matched.len(), 2);
    assert_eq!(plan.source_partitions.len(), 3);
    assert_eq!(plan.objects.len(), 12);

    // Interrupted after five files: the future is dropped mid-copy, as Ctrl-C or a kill would.
    let done = AtomicU64::new(0);
    let notify = tokio::sync::Notify::new();
    let progress = |p: quarry::cache::copy::CopyProgress| {
        done.store(p.files_done, Ordering::SeqCst);
        if p.files_done >= 5 {
            notify.notify_one();
        }
    };
    tokio::select! {
        report = source.copy_partitions(&stores, &plan, &progress) => panic!("finished: {report:?}"),
        () = notify.notified() => {}
    }
    let folder = cache.path().join("keep_db/logs");
    let first = copied_objects(&folder).len();
    assert!((5..12).contains(&first), "{first}");

    // Resumed: only the rest is fetched, each object lands once.
    let report = source
        .copy_partitions(&stores, &plan, &|_| {})
        .await
        .unwrap();
    assert_eq!(report.progress.files_skipped as usize, first);
    assert_eq!(report.progress.files_done, 12);
    let files = crate::common::parquet_files(&folder);
    assert_eq!(files.len(), 12);
    let mut leftovers = Vec::new();
    let mut stack = vec![folder.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".quarry-part") {
                leftovers.push(path);
            }
        }
    }
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let on_s3 = rows_via_catalog(&aws, "keep_db").await;
    let copied = rows_of_copy(&folder);
    assert_eq!(copied.len(), 2);
    for (day, rows) in &copied {
        assert_eq!(Some(rows), on_s3.get(day), "day {day}");
    }

    // The same SQL: covered → the copy, for $0 with what Athena would bill saved; not covered →
    // the source.
    let (id, n, stats) = count(
        &source,
        "SELECT count(*) FROM keep_db.logs WHERE year = '2023' AND month = '01' AND day = '02'",
    )
    .await;
    assert!(id.starts_with("kept:"), "{id}");
    assert_eq!(n as u64, on_s3["02"]);
    assert!(stats.cost_usd.abs() < f64::EPSILON, "{}", stats.cost_usd);
    assert!(stats.saved_usd.unwrap() > 0.0);
    let id = source
        .submit(
            "SELECT count(*) FROM keep_db.logs WHERE day = '03'",
            &QueryContext::default(),
        )
        .await
        .unwrap();
    assert!(!id.0.starts_with("kept:"), "{}", id.0);
    let id = source
        .submit(
            "SELECT count(*) FROM keep_db.logs",
            &QueryContext::default(),
        )
        .await
        .unwrap();
    assert!(!id.0.starts_with("kept:"), "{}", id.0);
    // The catalog still describes the source's table, and says what is kept.
    let info = source.table(&table).await.unwrap();
    assert!(info.location.starts_with("s3://"));
    assert!(info.properties["kept.copy"].starts_with("2 of 3 partitions"));

    // One object rewritten on S3: stale by its ETag; the refresh fetches that one alone.
    let changed = plan.objects[0]
        .url
        .strip_prefix("s3://keep-range/")
        .unwrap()
        .to_owned();
    let other = plan.objects[1]
        .url
        .strip_prefix("s3://keep-range/")
        .unwrap()
        .to_owned();
    overwrite_with(&aws, "keep-range", &other, &changed).await;
    let fresh_plan = source.plan_copy(&stores, &table, condition).await.unwrap();
    let stale = staleness(&folder, &fresh_plan);
    assert_eq!(stale.changed.len(), 1, "{stale:?}");
    assert!(stale.added.is_empty() && stale.removed.is_empty());
    let report = source
        .copy_partitions(&stores, &fresh_plan, &|_| {})
        .await
        .unwrap();
    assert_eq!(
        report.progress.files_done - report.progress.files_skipped,
        1
    );
    assert!(staleness(&folder, &fresh_plan).is_fresh());
    assert_eq!(crate::common::parquet_files(&folder).len(), 12);
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn a_result_kept_from_athena_keeps_its_rows_and_types() {
    let aws = clients("eu-south-2").await;
    super::moto::create_bucket(&aws, "keep-results").await;
    let cache = tempfile::tempdir().unwrap();
    let source = source(&aws, cache.path());
    seed_athena_results(
        "eu-south-2",
        &[
            ("source", "varchar"),
            ("n", "bigint"),
            ("at", "timestamp"),
            ("ok", "boolean"),
        ],
        &[
            vec![
                Some("app"),
                Some("7"),
                Some("2023-01-02 03:04:05.678"),
                Some("true"),
            ],
            vec![Some(""), None, None, Some("false")],
            vec![None, Some("-3"), Some("2023-12-31 23:59:59.000"), None],
        ],
    );
    let sql = "SELECT source, n, at, ok FROM logs";
    let id = source.submit(sql, &QueryContext::default()).await.unwrap();
    let status = source.wait(&id).await.unwrap();
    let page = all_results(&source, &id).await.unwrap();
    let provenance = quarry::cache::Provenance::of_run(sql, &status.stats, "moto", None);
    assert_eq!(provenance.engine, "Athena");
    source
        .keep(
            &TableName::new("kept", "athena_rows"),
            page.schema.clone(),
            page.batches.clone(),
            provenance,
        )
        .await
        .unwrap();
    let id = source
        .submit("SELECT * FROM kept.athena_rows", &QueryContext::default())
        .await
        .unwrap();
    let again = source.wait(&id).await.unwrap();
    assert_eq!(again.state, QueryState::Succeeded, "{:?}", again.error);
    assert_eq!(again.stats.saved_usd, Some(status.stats.cost_usd));
    let local = all_results(&source, &id).await.unwrap();
    let plain = |schema: &datafusion::arrow::datatypes::Schema| -> Vec<_> {
        schema
            .fields()
            .iter()
            .map(|f| {
                let t = match f.data_type() {
                    datafusion::arrow::datatypes::DataType::Utf8View => {
                        datafusion::arrow::datatypes::DataType::Utf8
                    }
                    t => t.clone(),
                };
                (f.name().clone(), t)
            })
            .collect()
    };
    assert_eq!(plain(&local.schema), plain(&page.schema));
    let cast = |batches: &[datafusion::arrow::array::RecordBatch]| -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for batch in batches {
            for row in 0..batch.num_rows() {
                rows.push(
                    batch
                        .columns()
                        .iter()
                        .map(|c| {
                            datafusion::arrow::util::display::array_value_to_string(c, row).unwrap()
                        })
                        .collect(),
                );
            }
        }
        rows
    };
    assert_eq!(cast(&local.batches), cast(&page.batches));
    // NULL and the empty string stay apart, as Athena's answer had them.
    let source_column = local.batches[0].column(0);
    assert!(source_column.is_valid(1) && !source_column.is_valid(2));
}

/// The TUI's `K` in the partition browser of a Glue table: measured, confirmed, copied with
/// progress; the copy holds the objects of the days chosen and nothing else.
#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn k_in_the_partition_browser_copies_the_selected_days() {
    use crossterm::event::KeyCode;
    use quarry::app::AppState;
    use quarry::app::editor::Buffer;
    use quarry::app::partitions::Loading;
    use quarry::tui::{App, Clipboard, EngineSlot, Services};

    use crate::common::tui::{has_tables, press, settle};

    let aws = clients("ap-south-2").await;
    small_file_table(&aws, "keep-tui", "keep_tui_db").await;
    let cache = tempfile::tempdir().unwrap();
    let cached = Arc::new(source(&aws, cache.path()));
    let stores: Arc<dyn quarry::backend::local::ObjectStoreFactory> =
        Arc::new(aws.stores().unwrap());
    let services = Services {
        catalog: Arc::clone(&cached) as _,
        engine: EngineSlot {
            name: "athena".to_owned(),
            title: "moto".to_owned(),
            engine: Arc::clone(&cached) as _,
        },
        context: QueryContext {
            database: Some("keep_tui_db".to_owned()),
            ..QueryContext::default()
        },
        clipboard: Clipboard::Memory(Arc::default()),
        files: None,
        workspace: None,
        pricing: Pricing::default(),
        alternate: Err("one engine".to_owned()),
        cache: Some(Arc::clone(&cached)),
        stores: Some(stores),
    };
    let mut state = AppState::new("moto", Buffer::new("query 1", ""));
    state.hints.enabled = false;
    state.cost_guard.enabled = false;
    state.cache_lake = true;
    state.can_copy = true;
    let mut app = App::new(state, services);
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::BackTab); // editor → catalog
    press(&mut app, KeyCode::Down); // the database → its table
    press(&mut app, KeyCode::Char('o'));
    settle(&mut app, |s| {
        s.partitions
            .as_ref()
            .is_some_and(|b| b.loading == Loading::Complete)
    })
    .await;
    // Open 2023 and 01, then mark days 01 and 03.
    for key in [KeyCode::Right, KeyCode::Down, KeyCode::Right, KeyCode::Down] {
        press(&mut app, key);
    }
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char('K'));
    settle(&mut app, |s| s.prompt().is_some()).await;
    let question = app.state.prompt().unwrap().label.clone();
    assert!(
        question.starts_with("keep 2 of 3 partitions of keep_tui_db.logs locally: 12 files"),
        "{question}"
    );
    press(&mut app, KeyCode::Enter);
    settle(&mut app, |s| {
        s.copying.is_none() && s.notice.as_deref().is_some_and(|n| n.starts_with("kept "))
    })
    .await;
    let folder = cache.path().join("keep_tui_db/logs");
    let copied = rows_of_copy(&folder);
    let on_s3 = rows_via_catalog(&aws, "keep_tui_db").await;
    assert_eq!(copied.keys().collect::<Vec<_>>(), ["01", "03"]);
    for (day, rows) in &copied {
        assert_eq!(Some(rows), on_s3.get(day));
    }
}

/// `quarry keep` as a user runs it: the size first, the copy, `--check` fresh then stale after
/// an object changes on S3, the refresh, and usage errors with exit 2.
#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn quarry_keep_copies_checks_and_refreshes_with_its_exit_codes() {
    let aws = clients("eu-central-2").await;
    small_file_table(&aws, "keep-cli", "keep_cli_db").await;
    let home = tempfile::tempdir().unwrap();
    let keep = |args: &[&str]| {
        let mut command = super::cli_moto::quarry(home.path());
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .args(["keep", "--aws", "--endpoint-url", &super::moto::moto().url])
            .args(["--region", "eu-central-2", "keep_cli_db.logs"])
            .args(args)
            .output()
            .unwrap()
    };
    let said = |output: &std::process::Output| String::from_utf8_lossy(&output.stderr).into_owned();
    let condition = ["--where", "day = '02'"];
    let copied = keep(&condition);
    assert_eq!(copied.status.code(), Some(0), "{}", said(&copied));
    assert!(
        said(&copied).contains("1 of 3 partitions match `day = '02'`: 6 files"),
        "{}",
        said(&copied)
    );
    let folder = home.path().join("data/quarry/cache/keep_cli_db/logs");
    assert_eq!(crate::common::parquet_files(&folder).len(), 6);
    let fresh = keep(&[condition[0], condition[1], "--check"]);
    assert_eq!(fresh.status.code(), Some(0), "{}", said(&fresh));

    // Another object's bytes under one of the copied keys: stale (exit 4), then refreshed.
    let keys =
        super::compact_moto::keys_under(&aws, "keep-cli", "logs/year=2023/month=01/day=02/").await;
    overwrite_with(&aws, "keep-cli", &keys[1], &keys[0]).await;
    let stale = keep(&[condition[0], condition[1], "--check"]);
    assert_eq!(stale.status.code(), Some(4), "{}", said(&stale));
    assert!(
        said(&stale).contains("1 file changed on S3"),
        "{}",
        said(&stale)
    );
    let refreshed = keep(&condition);
    assert_eq!(refreshed.status.code(), Some(0));
    assert!(
        said(&refreshed).contains("1 file fetched, 5 already here"),
        "{}",
        said(&refreshed)
    );

    // A condition on no partition key, and a local source, are usage errors.
    assert_eq!(keep(&["--where", "source = 'x'"]).status.code(), Some(2));
    let local = super::cli_moto::quarry(home.path())
        .args([
            "--lake",
            home.path().to_str().unwrap(),
            "keep",
            "keep_cli_db.logs",
            "--where",
            "true",
        ])
        .output()
        .unwrap();
    assert_eq!(local.status.code(), Some(2));
}
