//! Scan estimates on a Glue table against moto: partitions chosen with a Glue expression,
//! sized from S3 listings, priced, with the same hints as the local lake.

use quarry::backend::aws::GlueCatalog;
use quarry::cost::Pricing;
use quarry::estimate::explain;

use super::glue_moto::create_logs_table;
use super::moto::{clients, create_bucket};

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn glue_estimates_match_partitions_by_expression_and_size_them_from_s3() {
    let aws = clients("ap-south-1").await;
    create_bucket(&aws, "estimate-lake").await;
    let location = "s3://estimate-lake/logs/";
    // 40 days from 2023-01-01: January 1-31, February 1-9. Day is an int key.
    let days = create_logs_table(&aws.glue, "estimate_db", "logs", location, 40).await;
    // One object per partition of 1,000 + day-of-year bytes, so each size is known here.
    for (i, (y, m, d)) in days.iter().enumerate() {
        aws.s3
            .put_object()
            .bucket("estimate-lake")
            .key(format!("logs/year={y}/month={m}/day={d}/part-0.parquet"))
            .body(vec![b'x'; 1_000 + i].into())
            .send()
            .await
            .unwrap();
    }
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    let explanation = explain(
        &catalog,
        "SELECT message FROM logs WHERE year = '2023' AND month = '02' AND day <= 3",
        Some("estimate_db"),
        Pricing::default(),
    )
    .await;
    assert!(explanation.hints.is_empty(), "{:?}", explanation.hints);
    assert_eq!(explanation.partitions_matched, 3);
    assert_eq!(explanation.partitions_total, 40);
    // February 1-3 are days 31, 32 and 33 (0-based) of the 40.
    assert_eq!(explanation.estimated_bytes, 1_031 + 1_032 + 1_033);
    let scan = &explanation.tables[0];
    assert_eq!(
        scan.partition_filter.as_deref(),
        Some("(year = '2023') AND (month = '02') AND (day <= 3)")
    );

    let unpruned = explain(
        &catalog,
        "SELECT message FROM estimate_db.logs WHERE month = 2",
        None,
        Pricing::default(),
    )
    .await;
    let codes: Vec<&str> = unpruned.hints.iter().map(|h| h.code).collect();
    assert_eq!(codes, ["key_type_mismatch", "no_partition_filter"]);
    assert_eq!(unpruned.partitions_matched, 40);
    assert_eq!(
        unpruned.estimated_bytes,
        (0..40).map(|i| 1_000 + i).sum::<u64>()
    );
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn the_workgroup_scan_limit_reaches_the_cost_guard() {
    use aws_sdk_athena::types::WorkGroupConfiguration;
    use quarry::backend::aws::Workspace;
    let aws = clients("ap-southeast-2").await;
    aws.athena
        .create_work_group()
        .name("capped")
        .configuration(
            WorkGroupConfiguration::builder()
                .bytes_scanned_cutoff_per_query(10_485_760)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let capped = Workspace::new(aws.athena.clone(), "capped");
    assert_eq!(
        capped.bytes_scanned_cutoff().await.unwrap(),
        Some(10_485_760)
    );
    let primary = Workspace::new(aws.athena.clone(), "primary");
    assert_eq!(primary.bytes_scanned_cutoff().await.unwrap(), None);
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn glue_estimates_read_parquet_footers_from_s3_for_the_columns_used() {
    use aws_sdk_glue::types::{
        Column, DatabaseInput, PartitionInput, SerDeInfo, StorageDescriptor, TableInput,
    };
    use quarry::backend::local::LocalCatalog;
    use quarry::lake::demo::{self, DemoOptions};
    use std::sync::Arc;

    let lake = tempfile::tempdir().unwrap();
    demo::generate(
        &DemoOptions {
            days: 3,
            rows_per_day: 500,
            threads: Some(1),
            ..DemoOptions::new(lake.path().to_path_buf())
        },
        &|_| {},
    )
    .unwrap();
    let aws = clients("eu-south-1").await;
    create_bucket(&aws, "footer-lake").await;
    let table_dir = lake.path().join("logs_db").join("logs");
    super::local_moto::upload(&aws.s3, "footer-lake", "logs/", &table_dir).await;
    let string = |name: &str| {
        Column::builder()
            .name(name)
            .r#type("string")
            .build()
            .unwrap()
    };
    let storage = |location: &str| {
        StorageDescriptor::builder()
            .location(location)
            .columns(string("source"))
            .columns(string("logtype"))
            .columns(
                Column::builder()
                    .name("timestamp")
                    .r#type("bigint")
                    .build()
                    .unwrap(),
            )
            .columns(string("message"))
            .serde_info(
                SerDeInfo::builder()
                    .serialization_library(
                        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                    )
                    .build(),
            )
            .build()
    };
    aws.glue
        .create_database()
        .database_input(DatabaseInput::builder().name("footer_db").build().unwrap())
        .send()
        .await
        .unwrap();
    aws.glue
        .create_table()
        .database_name("footer_db")
        .table_input(
            TableInput::builder()
                .name("logs")
                .parameters("classification", "parquet")
                .storage_descriptor(storage("s3://footer-lake/logs/"))
                .partition_keys(string("year"))
                .partition_keys(string("month"))
                .partition_keys(string("day"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let days = ["01", "02", "03"];
    let inputs: Vec<PartitionInput> = days
        .iter()
        .map(|d| {
            PartitionInput::builder()
                .values("2023")
                .values("01")
                .values(*d)
                .storage_descriptor(storage(&format!(
                    "s3://footer-lake/logs/year=2023/month=01/day={d}/"
                )))
                .build()
        })
        .collect();
    aws.glue
        .batch_create_partition()
        .database_name("footer_db")
        .table_name("logs")
        .set_partition_input_list(Some(inputs))
        .send()
        .await
        .unwrap();

    let glue = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    let local = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    for sql in [
        "SELECT message FROM logs WHERE day = '02'",
        "SELECT source, logtype FROM logs",
        "SELECT * FROM logs WHERE day >= '02'",
    ] {
        let on_s3 = explain(&glue, sql, Some("footer_db"), Pricing::default()).await;
        let on_disk = explain(&local, sql, Some("logs_db"), Pricing::default()).await;
        assert_eq!(
            on_s3.partitions_matched, on_disk.partitions_matched,
            "{sql}"
        );
        // Same files, same footers: S3 gets there through object size × column share.
        let ratio = on_s3.estimated_bytes as f64 / on_disk.estimated_bytes as f64;
        assert!((ratio - 1.0).abs() < 1e-6, "{sql}: {ratio}");
        let whole: u64 = on_s3.tables[0].estimate.unwrap().object_bytes;
        assert!(
            on_s3.estimated_bytes < whole,
            "{sql}: columns are a share of the objects"
        );
    }
}
