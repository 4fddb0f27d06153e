//! The Glue catalog and S3 partition sizes against moto.

use aws_sdk_glue::types::{
    Column as GlueColumn, DatabaseInput, PartitionInput, SerDeInfo, StorageDescriptor, TableInput,
};
use quarry::backend::aws::GlueCatalog;
use quarry::backend::{Catalog, PartitionFilter, TableName};

use super::moto::{clients, create_bucket};

fn column(name: &str, ty: &str) -> GlueColumn {
    GlueColumn::builder().name(name).r#type(ty).build().unwrap()
}

fn parquet_storage(location: &str) -> StorageDescriptor {
    StorageDescriptor::builder()
        .location(location)
        .columns(column("source", "string"))
        .columns(
            GlueColumn::builder()
                .name("message")
                .r#type("string")
                .comment("free text from the application")
                .build()
                .unwrap(),
        )
        .columns(column("timestamp", "bigint"))
        .input_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
        .serde_info(
            SerDeInfo::builder()
                .serialization_library(
                    "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                )
                .parameters("serialization.format", "1")
                .build(),
        )
        .build()
}

/// The seed's table: string year and month keys and, to test numeric quoting, an int day.
/// Returns the (year, month, day) of each of `days` partitions from 2023-01-01.
pub async fn create_logs_table(
    glue: &aws_sdk_glue::Client,
    database: &str,
    table: &str,
    location: &str,
    days: u32,
) -> Vec<(String, String, String)> {
    glue.create_database()
        .database_input(
            DatabaseInput::builder()
                .name(database)
                .description("logs")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    glue.create_table()
        .database_name(database)
        .table_input(
            TableInput::builder()
                .name(table)
                .table_type("EXTERNAL_TABLE")
                .parameters("classification", "parquet")
                .storage_descriptor(parquet_storage(location))
                .partition_keys(column("year", "string"))
                .partition_keys(column("month", "string"))
                .partition_keys(column("day", "int"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    let values: Vec<(String, String, String)> = (0..days)
        .map(|i| {
            let date = start + chrono::Days::new(u64::from(i));
            (
                date.format("%Y").to_string(),
                date.format("%m").to_string(),
                date.format("%-d").to_string(),
            )
        })
        .collect();
    for chunk in values.chunks(100) {
        let inputs: Vec<PartitionInput> = chunk
            .iter()
            .map(|(y, m, d)| {
                PartitionInput::builder()
                    .values(y)
                    .values(m)
                    .values(d)
                    .storage_descriptor(parquet_storage(&format!(
                        "{location}year={y}/month={m}/day={d}/"
                    )))
                    .build()
            })
            .collect();
        let output = glue
            .batch_create_partition()
            .database_name(database)
            .table_name(table)
            .set_partition_input_list(Some(inputs))
            .send()
            .await
            .unwrap();
        assert!(output.errors().is_empty(), "{:?}", output.errors());
    }
    values
}

async fn all_partitions(
    catalog: &GlueCatalog,
    table: &TableName,
    prefix: &[&str],
) -> Vec<Vec<String>> {
    let filter = PartitionFilter {
        prefix: prefix.iter().map(|s| (*s).to_owned()).collect(),
    };
    let mut token = None;
    let mut values = Vec::new();
    loop {
        let page = catalog
            .partitions(table, &filter, token.as_deref(), 500)
            .await
            .unwrap();
        values.extend(page.partitions.into_iter().map(|p| p.values));
        token = page.next_token;
        if token.is_none() {
            return values;
        }
    }
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn glue_lists_databases_tables_details_and_hundreds_of_partitions() {
    let aws = clients("us-east-1").await;
    let created = create_logs_table(
        &aws.glue,
        "glue_list_db",
        "logs",
        "s3://glue-list/logs/",
        400,
    )
    .await;
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());

    let databases = catalog.databases().await.unwrap();
    assert!(databases.iter().any(|d| d.name == "glue_list_db"));
    let tables = catalog.tables("glue_list_db").await.unwrap();
    assert_eq!(tables, [TableName::new("glue_list_db", "logs")]);

    let info = catalog.table(&tables[0]).await.unwrap();
    let names: Vec<_> = info.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["source", "message", "timestamp"]);
    assert_eq!(
        info.columns[1].comment.as_deref(),
        Some("free text from the application")
    );
    let keys: Vec<_> = info
        .partition_keys
        .iter()
        .map(|c| (c.name.as_str(), c.data_type.as_str()))
        .collect();
    assert_eq!(
        keys,
        [("year", "string"), ("month", "string"), ("day", "int")]
    );
    assert_eq!(info.location, "s3://glue-list/logs/");
    assert_eq!(info.format, "parquet (ParquetHiveSerDe)");
    assert_eq!(
        info.properties.get("classification").map(String::as_str),
        Some("parquet")
    );
    assert_eq!(
        info.properties
            .get("serde.serialization.format")
            .map(String::as_str),
        Some("1")
    );
    assert!(info.problems.is_empty(), "{:?}", info.problems);

    let mut all = all_partitions(&catalog, &tables[0], &[]).await;
    all.sort();
    let mut expected: Vec<Vec<String>> = created
        .iter()
        .map(|(y, m, d)| vec![y.clone(), m.clone(), d.clone()])
        .collect();
    expected.sort();
    assert_eq!(all, expected);
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn glue_filters_push_down_as_expressions_with_typed_literals() {
    let aws = clients("us-east-1").await;
    let created = create_logs_table(
        &aws.glue,
        "glue_filter_db",
        "logs",
        "s3://glue-filter/logs/",
        400,
    )
    .await;
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    let table = TableName::new("glue_filter_db", "logs");

    let in_2023 = all_partitions(&catalog, &table, &["2023"]).await;
    let expected_2023 = created.iter().filter(|(y, _, _)| y == "2023").count();
    assert_eq!(in_2023.len(), expected_2023);
    assert!(in_2023.iter().all(|v| v[0] == "2023"));

    let september = all_partitions(&catalog, &table, &["2023", "09"]).await;
    assert_eq!(september.len(), 30);
    // `day` is an int key: the expression compares it as a number (day = 5), not '5'.
    let one_day = all_partitions(&catalog, &table, &["2023", "09", "5"]).await;
    assert_eq!(
        one_day,
        [vec!["2023".to_owned(), "09".to_owned(), "5".to_owned()]]
    );
    let none = all_partitions(&catalog, &table, &["2031"]).await;
    assert!(none.is_empty());
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn partition_sizes_come_from_s3_listings_and_skip_folder_markers() {
    let aws = clients("us-east-1").await;
    create_bucket(&aws, "glue-sizes").await;
    let prefix = "logs/year=2023/month=09/day=8/";
    let mut expected_bytes = 0_u64;
    for (i, size) in [1_000_usize, 2_345, 17].iter().enumerate() {
        aws.s3
            .put_object()
            .bucket("glue-sizes")
            .key(format!("{prefix}part-{i}.parquet"))
            .body(vec![b'x'; *size].into())
            .send()
            .await
            .unwrap();
        expected_bytes += *size as u64;
    }
    for marker in [
        prefix.to_owned(),
        "logs/year=2023/month=09/day=8_$folder$".to_owned(),
    ] {
        aws.s3
            .put_object()
            .bucket("glue-sizes")
            .key(marker)
            .body(Vec::new().into())
            .send()
            .await
            .unwrap();
    }
    // A sibling partition whose name starts the same must not be counted.
    aws.s3
        .put_object()
        .bucket("glue-sizes")
        .key("logs/year=2023/month=09/day=80/part-0.parquet")
        .body(vec![b'y'; 999].into())
        .send()
        .await
        .unwrap();
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    let location = "s3://glue-sizes/logs/year=2023/month=09/day=8";
    assert_eq!(
        catalog.partition_size(location).await.unwrap(),
        Some((3, expected_bytes))
    );
    // Cached: a new object is not seen until the catalog is asked afresh.
    aws.s3
        .put_object()
        .bucket("glue-sizes")
        .key(format!("{prefix}late.parquet"))
        .body(vec![b'z'; 5].into())
        .send()
        .await
        .unwrap();
    assert_eq!(
        catalog.partition_size(location).await.unwrap(),
        Some((3, expected_bytes))
    );
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn projected_tables_enumerate_partitions_from_their_properties() {
    let aws = clients("us-east-1").await;
    aws.glue
        .create_database()
        .database_input(
            DatabaseInput::builder()
                .name("glue_projection_db")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    aws.glue
        .create_table()
        .database_name("glue_projection_db")
        .table_input(
            TableInput::builder()
                .name("events")
                .storage_descriptor(parquet_storage("s3://glue-projection/events/"))
                .partition_keys(column("source", "string"))
                .partition_keys(column("year", "string"))
                .parameters("projection.enabled", "true")
                .parameters("projection.source.type", "enum")
                .parameters("projection.source.values", "app,db,edge")
                .parameters("projection.year.type", "integer")
                .parameters("projection.year.range", "2020,2023")
                .parameters(
                    "storage.location.template",
                    "s3://glue-projection/events/${source}/${year}/",
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    let table = TableName::new("glue_projection_db", "events");
    let first = catalog
        .partitions(&table, &PartitionFilter::default(), None, 5)
        .await
        .unwrap();
    assert_eq!(first.partitions.len(), 5);
    assert!(first.partitions.iter().all(|p| p.projected));
    assert_eq!(first.partitions[0].values, ["app", "2020"]);
    assert_eq!(
        first.partitions[0].location,
        "s3://glue-projection/events/app/2020/"
    );
    let rest = catalog
        .partitions(
            &table,
            &PartitionFilter::default(),
            first.next_token.as_deref(),
            100,
        )
        .await
        .unwrap();
    assert_eq!(first.partitions.len() + rest.partitions.len(), 3 * 4);
    assert_eq!(rest.next_token, None);
    assert_eq!(rest.partitions.last().unwrap().values, ["edge", "2023"]);
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh"]
async fn the_partition_count_comes_from_the_catalog_before_paging_ends() {
    let aws = clients("us-east-1").await;
    create_logs_table(
        &aws.glue,
        "glue_count_db",
        "logs",
        "s3://glue-count/logs/",
        250,
    )
    .await;
    let catalog = GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    let count = catalog
        .partition_count(&TableName::new("glue_count_db", "logs"))
        .await
        .unwrap();
    // moto answers every segment with every partition; the count must not multiply.
    assert_eq!(count, Some(250));
}
