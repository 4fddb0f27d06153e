//! `quarry query --compare` as a user runs it: the local engine reads the Glue table's Parquet
//! from (moto's) S3, Athena answers what moto was told to answer, and quarry says whether the
//! two agree. Moto does not run SQL, so its answer is seeded: once with the counts read from the
//! Parquet files by the parquet crate (the true answer), once with one count off by one.

use super::cli_moto::query_on_moto;
use super::local_moto::{create_logs_table, upload};
use super::moto::{clients, create_bucket, seed_athena_results};
use crate::common::count_values;
use quarry::lake::demo::{self, DemoOptions};

const REGION: &str = "ca-central-1";
const SQL: &str = "SELECT source, count(*) AS n FROM logs GROUP BY source";

fn compare(home: &std::path::Path) -> std::process::Output {
    query_on_moto(
        home,
        REGION,
        &[
            "--output-location",
            "s3://compare-engines/results/",
            "--database",
            "compare_db",
            "--compare",
            SQL,
        ],
    )
    .output()
    .unwrap()
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn compare_reports_agreement_and_the_first_difference() {
    let lake = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        days: 2,
        rows_per_day: 300,
        threads: Some(1),
        ..DemoOptions::new(lake.path().to_path_buf())
    };
    demo::generate(&options, &|_| {}).unwrap();
    let table_dir = lake.path().join("logs_db").join("logs");
    let aws = clients(REGION).await;
    create_bucket(&aws, "compare-engines").await;
    upload(&aws.s3, "compare-engines", "logs/", &table_dir).await;
    create_logs_table(&aws.glue, "compare_db", "s3://compare-engines/logs/").await;
    let counts = count_values(&table_dir, "source");
    assert!(counts.len() > 1, "{counts:?}");
    let home = tempfile::tempdir().unwrap();

    let truth: Vec<Vec<String>> = counts
        .iter()
        .map(|(source, n)| vec![source.clone(), n.to_string()])
        .collect();
    let seed = |rows: &[Vec<String>]| {
        let rows: Vec<Vec<Option<&str>>> = rows
            .iter()
            .map(|r| r.iter().map(|c| Some(c.as_str())).collect())
            .collect();
        seed_athena_results(REGION, &[("source", "varchar"), ("n", "bigint")], &rows);
    };
    seed(&truth);
    let agreed = compare(home.path());
    let stdout = String::from_utf8_lossy(&agreed.stdout);
    let stderr = String::from_utf8_lossy(&agreed.stderr);
    assert!(agreed.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("✓ the answers match"), "{stdout}");
    let local = stdout
        .lines()
        .find(|l| l.starts_with("local engine:"))
        .unwrap();
    assert!(local.contains(&format!("{} rows", counts.len())), "{local}");
    let athena = stdout.lines().find(|l| l.starts_with("athena:")).unwrap();
    assert!(athena.contains("billed by Athena"), "{athena}");

    let mut wrong = truth.clone();
    let last = wrong.last_mut().unwrap();
    last[1] = (last[1].parse::<u64>().unwrap() + 1).to_string();
    seed(&wrong);
    let differed = compare(home.path());
    let stdout = String::from_utf8_lossy(&differed.stdout);
    assert_eq!(differed.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("answers differ"), "{stdout}");
    // Athena is the engine chosen here, yet the local engine leads: Athena is what differs.
    assert!(stdout.starts_with("local engine:"), "{stdout}");
    assert!(stdout.contains("(athena against local engine)"), "{stdout}");
    assert!(
        stdout.contains(&truth.last().unwrap()[0]),
        "names the row: {stdout}"
    );
}
