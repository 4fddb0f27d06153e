//! `quarry query --aws` as a user runs it: against moto, and without a region or credentials.

use assert_cmd::Command;

use super::moto::{clients, create_bucket, moto, seed_athena_results};

/// The binary with an empty home, so no AWS config or credentials of the machine leak in.
pub fn quarry(home: &std::path::Path) -> Command {
    let mut command = Command::cargo_bin("quarry").unwrap();
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL");
    command
}

/// `quarry query --aws` against moto in `region`, with moto's test credentials, and `args`.
pub fn query_on_moto(home: &std::path::Path, region: &str, args: &[&str]) -> Command {
    let mut command = quarry(home);
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args([
            "query",
            "--aws",
            "--endpoint-url",
            &moto().url,
            "--region",
            region,
        ])
        .args(args);
    command
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn quarry_query_runs_on_athena_and_reports_the_cost_and_fetch_path() {
    let aws = clients("eu-north-1").await;
    create_bucket(&aws, "cli-results").await;
    seed_athena_results(
        "eu-north-1",
        &[("source", "varchar"), ("errors", "bigint")],
        &[
            vec![Some("financialSystem"), Some("12")],
            vec![Some("web"), None],
        ],
    );
    let home = tempfile::tempdir().unwrap();
    let output = query_on_moto(
        home.path(),
        "eu-north-1",
        &[
            "--output-location",
            "s3://cli-results/out/",
            "--database",
            "logs_db",
            "--format",
            "csv",
            "SELECT source, count(*) AS errors FROM logs GROUP BY source",
        ],
    )
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, "source,errors\nfinancialSystem,12\nweb,\n");
    assert!(stderr.contains("2 rows"), "{stderr}");
    assert!(stderr.contains("billed by Athena (10 MB)"), "{stderr}");
    assert!(stderr.contains("results via S3 CSV"), "{stderr}");
}

#[test]
fn without_a_region_the_aws_source_says_what_to_set() {
    let home = tempfile::tempdir().unwrap();
    let output = quarry(home.path())
        .args(["query", "--aws", "SELECT 1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no AWS region"), "{stderr}");
    assert!(
        stderr.contains("--region") && stderr.contains("AWS_REGION"),
        "{stderr}"
    );
}

#[test]
fn without_credentials_the_aws_source_says_what_to_set() {
    let home = tempfile::tempdir().unwrap();
    let output = quarry(home.path())
        .args(["query", "--aws", "--region", "us-east-1", "SELECT 1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
    assert!(
        stderr.contains("AWS_PROFILE") && stderr.contains("AWS_ACCESS_KEY_ID"),
        "{stderr}"
    );
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn plan_on_athena_asks_for_the_distributed_explain_and_prints_it() {
    let aws = clients("ap-south-1").await;
    create_bucket(&aws, "plan-results").await;
    // Athena answers EXPLAIN with one text column, a line of the plan per row.
    seed_athena_results(
        "ap-south-1",
        &[("Query Plan", "varchar")],
        &[
            vec![Some("Fragment 0 [SINGLE]")],
            vec![Some("    Output layout: [source]")],
        ],
    );
    let home = tempfile::tempdir().unwrap();
    let output = query_on_moto(
        home.path(),
        "ap-south-1",
        &[
            "--output-location",
            "s3://plan-results/out/",
            "--database",
            "logs_db",
            "--plan",
            "SELECT source FROM logs;",
        ],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "Fragment 0 [SINGLE]\n    Output layout: [source]\n"
    );
    // What Athena was asked, read back from its execution.
    let ids = aws.athena.list_query_executions().send().await.unwrap();
    let mut asked = Vec::new();
    for id in ids.query_execution_ids() {
        let execution = aws
            .athena
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
            .unwrap();
        if let Some(query) = execution.query_execution().and_then(|e| e.query()) {
            asked.push(query.to_owned());
        }
    }
    assert!(
        asked
            .iter()
            .any(|q| q == "EXPLAIN (TYPE DISTRIBUTED) SELECT source FROM logs"),
        "{asked:?}"
    );
}
