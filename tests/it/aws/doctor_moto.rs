//! The lake doctor on Glue and S3 (moto): a day in S3 but not in Glue, a Glue partition
//! without objects, a Glue schema and a partition schema that disagree with the footers; the
//! fixes applied with Glue's batch calls, checked by asking Glue directly.

use std::collections::BTreeSet;

use aws_sdk_glue::types::{
    Column, DatabaseInput, PartitionInput, SerDeInfo, StorageDescriptor, TableInput,
};
use quarry::backend::aws::{AwsClients, GlueCatalog};
use quarry::backend::{Catalog, TableName};
use quarry::doctor::{FixAction, Report, Severity};
use quarry::lake::demo::{self, DemoOptions};

use super::cli_moto::quarry;
use super::local_moto::upload;
use super::moto::{clients, create_bucket, moto};

const PARQUET_SERDE: &str = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";

pub(super) fn column(name: &str, data_type: &str) -> Column {
    Column::builder()
        .name(name)
        .r#type(data_type)
        .build()
        .unwrap()
}

pub(super) fn descriptor(location: &str, columns: &[(&str, &str)]) -> StorageDescriptor {
    let mut builder = StorageDescriptor::builder().location(location).serde_info(
        SerDeInfo::builder()
            .serialization_library(PARQUET_SERDE)
            .build(),
    );
    for (name, data_type) in columns {
        builder = builder.columns(column(name, data_type));
    }
    builder.build()
}

/// Creates Glue database `database`.
pub(super) async fn glue_database(aws: &AwsClients, database: &str) {
    aws.glue
        .create_database()
        .database_input(DatabaseInput::builder().name(database).build().unwrap())
        .send()
        .await
        .unwrap();
}

/// Creates a Parquet table partitioned by year, month and day at `location`, with `columns`
/// and the table properties `parameters`.
pub(super) async fn glue_table(
    aws: &AwsClients,
    database: &str,
    name: &str,
    location: &str,
    columns: &[(&str, &str)],
    parameters: &[(&str, &str)],
) {
    let mut table = TableInput::builder()
        .name(name)
        .storage_descriptor(descriptor(location, columns))
        .partition_keys(column("year", "string"))
        .partition_keys(column("month", "string"))
        .partition_keys(column("day", "string"));
    for (key, value) in parameters {
        table = table.parameters(*key, *value);
    }
    aws.glue
        .create_table()
        .database_name(database)
        .table_input(table.build().unwrap())
        .send()
        .await
        .unwrap();
}

/// Registers day `day` of January 2023 of `database.logs` at its folder under `location`,
/// with its own `columns`.
pub(super) async fn register_day(
    aws: &AwsClients,
    database: &str,
    location: &str,
    day: &str,
    columns: &[(&str, &str)],
) {
    aws.glue
        .create_partition()
        .database_name(database)
        .table_name("logs")
        .partition_input(
            PartitionInput::builder()
                .values("2023")
                .values("01")
                .values(day)
                .storage_descriptor(descriptor(
                    &format!("{location}year=2023/month=01/day={day}/"),
                    columns,
                ))
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// The demo lake's four days in S3 under `bucket/logs/`, and a Glue table over them whose
/// `message` is declared `int` (the files hold strings). Days 1 and 2 are registered, day 2
/// with its own schema saying `timestamp` is a string; day 9 is registered without objects.
async fn broken_lake(aws: &AwsClients, bucket: &str, database: &str) {
    let lake = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        days: 4,
        rows_per_day: 100,
        threads: Some(1),
        ..DemoOptions::new(lake.path().to_path_buf())
    };
    demo::generate(&options, &|_| {}).unwrap();
    create_bucket(aws, bucket).await;
    let uploaded = upload(&aws.s3, bucket, "logs/", &lake.path().join("logs_db/logs")).await;
    assert_eq!(uploaded, 4);
    let location = format!("s3://{bucket}/logs/");
    let table_columns = [
        ("source", "string"),
        ("logtype", "string"),
        ("timestamp", "bigint"),
        ("message", "int"),
    ];
    glue_database(aws, database).await;
    glue_table(aws, database, "logs", &location, &table_columns, &[]).await;
    let mut day_two_columns = table_columns;
    day_two_columns[2] = ("timestamp", "string");
    for (day, columns) in [
        ("01", &table_columns),
        ("02", &day_two_columns),
        ("09", &table_columns),
    ] {
        register_day(aws, database, &location, day, columns).await;
    }
}

fn find<'a>(report: &'a Report, code: &str) -> &'a quarry::doctor::Finding {
    report
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", report.findings))
}

/// The days Glue holds for the table, asked of Glue directly.
async fn glue_days(aws: &AwsClients, database: &str) -> BTreeSet<String> {
    let output = aws
        .glue
        .get_partitions()
        .database_name(database)
        .table_name("logs")
        .send()
        .await
        .unwrap();
    output
        .partitions()
        .iter()
        .map(|p| p.values()[2].clone())
        .collect()
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn the_doctor_finds_each_defect_on_glue_and_s3_and_applies_the_catalog_fixes() {
    let aws = clients("eu-north-1").await;
    broken_lake(&aws, "doctor-lake", "doctor_db").await;
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    let name = TableName::new("doctor_db", "logs");
    let report = catalog.doctor(&name).await.unwrap();

    assert_eq!(report.examined.partitions_on_storage, 4);
    assert_eq!(report.examined.partitions_in_catalog, Some(3));
    assert_eq!(report.examined.footers_read, 4);
    assert_eq!(report.examined.rows, 400);

    let unregistered = find(&report, "partition-not-registered");
    assert_eq!(unregistered.severity, Severity::Error);
    assert_eq!(
        unregistered.evidence.partitions,
        ["year=2023/month=01/day=03", "year=2023/month=01/day=04"]
    );
    let fix = unregistered.fix.as_ref().unwrap();
    assert!(fix.sql[0].starts_with("ALTER TABLE doctor_db.logs ADD IF NOT EXISTS"));
    assert!(fix.sql[0].contains(
        "PARTITION (year = '2023', month = '01', day = '03') LOCATION \
         's3://doctor-lake/logs/year=2023/month=01/day=03/'"
    ));

    let empty = find(&report, "partition-without-objects");
    assert_eq!(empty.evidence.partitions, ["year=2023/month=01/day=09"]);

    let drift = find(&report, "schema-type-changed");
    assert_eq!(drift.severity, Severity::Error);
    let column = &drift.evidence.columns[0];
    assert_eq!(
        (
            column.name.as_str(),
            column.table_type.as_deref(),
            column.found_type.as_deref()
        ),
        ("message", Some("int"), Some("string"))
    );
    assert_eq!(drift.evidence.partitions.len(), 4, "every file disagrees");

    let mismatch = find(&report, "partition-schema-mismatch");
    assert_eq!(mismatch.evidence.partitions, ["year=2023/month=01/day=02"]);
    assert!(
        mismatch
            .athena_error
            .as_deref()
            .unwrap()
            .starts_with("HIVE_PARTITION_SCHEMA_MISMATCH")
    );

    // Apply every catalog fix, then ask Glue itself what it holds.
    for finding in &report.findings {
        if let Some(action) = finding.fix.as_ref().and_then(|f| f.action.as_ref()) {
            catalog.apply_fix(&name, action).await.unwrap();
        }
    }
    assert_eq!(
        glue_days(&aws, "doctor_db").await,
        ["01", "02", "03", "04"]
            .map(str::to_owned)
            .into_iter()
            .collect()
    );
    let day_two = aws
        .glue
        .get_partition()
        .database_name("doctor_db")
        .table_name("logs")
        .partition_values("2023")
        .partition_values("01")
        .partition_values("02")
        .send()
        .await
        .unwrap();
    let types: Vec<&str> = day_two
        .partition()
        .unwrap()
        .storage_descriptor()
        .unwrap()
        .columns()
        .iter()
        .map(|c| c.r#type().unwrap())
        .collect();
    assert_eq!(
        types,
        ["string", "string", "bigint", "int"],
        "the table's schema"
    );

    let after = catalog.doctor(&name).await.unwrap();
    let codes: Vec<&str> = after.findings.iter().map(|f| f.code).collect();
    assert_eq!(
        codes,
        ["schema-type-changed"],
        "only the drift is left: {codes:?}"
    );
    assert!(!after.findings.iter().any(|f| matches!(
        f.fix.as_ref().and_then(|x| x.action.as_ref()),
        Some(FixAction::AddPartitions { .. })
    )));
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn quarry_doctor_on_aws_prints_json_exits_4_and_fixes_with_yes() {
    let aws = clients("eu-south-1").await;
    broken_lake(&aws, "doctor-cli", "doctor_cli").await;
    let home = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut command = quarry(home.path());
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .args([
                "doctor",
                "--aws",
                "--endpoint-url",
                &moto().url,
                "--region",
                "eu-south-1",
            ])
            .args(extra)
            .timeout(std::time::Duration::from_mins(2));
        command.output().unwrap()
    };
    let output = run(&["doctor_cli.logs", "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: BTreeSet<&str> = json["tables"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    for code in [
        "partition-not-registered",
        "partition-without-objects",
        "schema-type-changed",
        "partition-schema-mismatch",
    ] {
        assert!(codes.contains(code), "{code} missing from {codes:?}");
    }
    assert_eq!(json["errors"], 3);

    let fixed = run(&["doctor_cli.logs", "--fix", "--yes"]);
    let stdout = String::from_utf8_lossy(&fixed.stdout);
    assert_eq!(
        fixed.status.code(),
        Some(4),
        "the type drift is not a catalog fix: {stdout}"
    );
    assert!(!stdout.contains("partition-not-registered"), "{stdout}");
    assert_eq!(glue_days(&aws, "doctor_cli").await.len(), 4);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    assert!(stderr.contains("registered 2 partitions"), "{stderr}");

    // Without a terminal and without --yes, --fix refuses rather than hang on a question.
    let refused = run(&["doctor_cli.logs", "--fix"]);
    assert_eq!(refused.status.code(), Some(2));
}

/// A projected table over `location` whose day range is `days`.
async fn projected_table(aws: &AwsClients, database: &str, name: &str, location: &str, days: &str) {
    let columns = [
        ("source", "string"),
        ("logtype", "string"),
        ("timestamp", "bigint"),
        ("message", "string"),
    ];
    let parameters = [
        ("projection.enabled", "true"),
        ("projection.year.type", "integer"),
        ("projection.year.range", "2023,2023"),
        ("projection.month.type", "integer"),
        ("projection.month.range", "1,1"),
        ("projection.month.digits", "2"),
        ("projection.day.type", "integer"),
        ("projection.day.range", days),
        ("projection.day.digits", "2"),
    ];
    glue_table(aws, database, name, location, &columns, &parameters).await;
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn a_projection_is_checked_against_the_days_in_s3() {
    let aws = clients("eu-west-3").await;
    let lake = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        days: 4,
        rows_per_day: 50,
        threads: Some(1),
        ..DemoOptions::new(lake.path().to_path_buf())
    };
    demo::generate(&options, &|_| {}).unwrap();
    create_bucket(&aws, "projected").await;
    upload(
        &aws.s3,
        "projected",
        "logs/",
        &lake.path().join("logs_db/logs"),
    )
    .await;
    aws.glue
        .create_database()
        .database_input(
            DatabaseInput::builder()
                .name("projected_db")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    projected_table(
        &aws,
        "projected_db",
        "narrow",
        "s3://projected/logs/",
        "1,2",
    )
    .await;
    projected_table(&aws, "projected_db", "wide", "s3://projected/logs/", "1,31").await;
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());

    let narrow = catalog
        .doctor(&TableName::new("projected_db", "narrow"))
        .await
        .unwrap();
    let missed = find(&narrow, "projection-misses-data");
    assert_eq!(missed.severity, Severity::Error);
    assert_eq!(
        missed.evidence.partitions,
        ["year=2023/month=01/day=03", "year=2023/month=01/day=04"]
    );
    assert!(
        narrow
            .findings
            .iter()
            .all(|f| f.code != "projection-range-empty")
    );

    let wide = catalog
        .doctor(&TableName::new("projected_db", "wide"))
        .await
        .unwrap();
    assert!(
        wide.findings
            .iter()
            .all(|f| f.code != "projection-misses-data")
    );
    let empty = find(&wide, "projection-range-empty");
    let count = |name: &str| {
        empty
            .evidence
            .counts
            .iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
    };
    assert_eq!((count("projected"), count("with_data")), (31, 4));
}
