//! The seed's partition Lambda: each new `year=/month=/day=` folder in S3 is registered in the
//! Glue table with `BatchCreatePartition`, its storage copied from the table's, so Athena sees
//! it without `MSCK REPAIR TABLE`. A table Glue lacks is created from the stream definition.

use aws_sdk_glue::types::{Column, PartitionInput, SerDeInfo, StorageDescriptor, TableInput};

use super::destination::PartitionRegistry;
use super::stream::StreamDef;
use quarry_core::backend::aws::describe;

/// Registers partitions of one Glue table.
pub struct GluePartitions {
    client: aws_sdk_glue::Client,
    database: String,
    table: String,
    /// The table's storage, the template of every partition's.
    storage: StorageDescriptor,
}

/// What Glue told about the table on start.
pub struct GlueTable {
    pub partitions: GluePartitions,
    /// The table's location, `s3://…/`.
    pub location: String,
    /// True when quarry created it.
    pub created: bool,
}

impl GluePartitions {
    /// Opens `stream`'s table in Glue, creating it (and its database) at `location` when it
    /// does not exist. An existing table keeps its own location unless `location` is given.
    pub async fn open(
        client: aws_sdk_glue::Client,
        stream: &StreamDef,
        location: Option<&str>,
    ) -> Result<GlueTable, String> {
        let name = stream.qualified();
        let found = client
            .get_table()
            .database_name(&stream.database)
            .name(&stream.table)
            .send()
            .await;
        let (storage, created) = match found {
            Ok(output) => {
                let storage = output
                    .table()
                    .and_then(|t| t.storage_descriptor())
                    .cloned()
                    .ok_or_else(|| format!("the Glue table {name} has no storage descriptor"))?;
                (storage, false)
            }
            Err(e) => {
                let error = describe(&e, &format!("Glue GetTable on {name}"));
                if !error.is_not_found() {
                    return Err(error.message);
                }
                let location = location.ok_or_else(|| {
                    format!(
                        "Glue has no table {name}; give --s3 s3://bucket/prefix to create it there"
                    )
                })?;
                (create_table(&client, stream, location).await?, true)
            }
        };
        let location = match location {
            Some(given) => given.to_owned(),
            None => storage
                .location()
                .map(str::to_owned)
                .ok_or_else(|| format!("the Glue table {name} has no location; give --s3"))?,
        };
        let location = if location.ends_with('/') {
            location
        } else {
            format!("{location}/")
        };
        Ok(GlueTable {
            partitions: Self {
                client,
                database: stream.database.clone(),
                table: stream.table.clone(),
                storage,
            },
            location,
            created,
        })
    }
}

#[async_trait::async_trait]
impl PartitionRegistry for GluePartitions {
    /// `logs_db.logs`.
    fn table_name(&self) -> String {
        format!("{}.{}", self.database, self.table)
    }

    /// Registers `partition` (`year=2023/month=09/day=08`) at `location`; one that is already
    /// there counts as registered.
    async fn register(&self, partition: &str, location: &str) -> Result<(), String> {
        let values: Vec<String> = partition
            .split('/')
            .filter_map(|part| part.split_once('=').map(|(_, v)| v.to_owned()))
            .collect();
        let template = &self.storage;
        let storage = StorageDescriptor::builder()
            .set_columns(template.columns.clone())
            .location(location)
            .set_input_format(template.input_format.clone())
            .set_output_format(template.output_format.clone())
            .set_serde_info(template.serde_info.clone())
            .compressed(template.compressed)
            .set_parameters(template.parameters.clone())
            .build();
        let input = PartitionInput::builder()
            .set_values(Some(values))
            .storage_descriptor(storage)
            .build();
        let output = self
            .client
            .batch_create_partition()
            .database_name(&self.database)
            .table_name(&self.table)
            .partition_input_list(input)
            .send()
            .await
            .map_err(|e| describe(&e, "Glue BatchCreatePartition").message)?;
        match output.errors().first().and_then(|e| e.error_detail()) {
            Some(detail) if detail.error_code() != Some("AlreadyExistsException") => Err(format!(
                "Glue BatchCreatePartition {partition}: {} {}",
                detail.error_code().unwrap_or_default(),
                detail.error_message().unwrap_or_default()
            )),
            _ => Ok(()),
        }
    }
}

/// Creates the database if needed and a Parquet table partitioned by year, month and day.
async fn create_table(
    client: &aws_sdk_glue::Client,
    stream: &StreamDef,
    location: &str,
) -> Result<StorageDescriptor, String> {
    let database = aws_sdk_glue::types::DatabaseInput::builder()
        .name(&stream.database)
        .build()
        .map_err(|e| e.to_string())?;
    if let Err(e) = client
        .create_database()
        .database_input(database)
        .send()
        .await
    {
        let error = describe(&e, &format!("Glue CreateDatabase {}", stream.database));
        if error.code.as_deref() != Some("AlreadyExistsException") {
            return Err(error.message);
        }
    }
    let column = |name: &str, type_name: &str| {
        Column::builder()
            .name(name)
            .r#type(type_name)
            .build()
            .map_err(|e| e.to_string())
    };
    let columns = stream
        .columns
        .iter()
        .map(|c| column(&c.name, c.column_type.athena_name()))
        .collect::<Result<Vec<_>, _>>()?;
    let keys = ["year", "month", "day"]
        .iter()
        .map(|k| column(k, "string"))
        .collect::<Result<Vec<_>, _>>()?;
    let storage = StorageDescriptor::builder()
        .set_columns(Some(columns))
        .location(location)
        .input_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
        .output_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat")
        .serde_info(
            SerDeInfo::builder()
                .serialization_library(
                    "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                )
                .build(),
        )
        .build();
    let table = TableInput::builder()
        .name(&stream.table)
        .table_type("EXTERNAL_TABLE")
        .parameters("classification", "parquet")
        .set_partition_keys(Some(keys))
        .storage_descriptor(storage.clone())
        .build()
        .map_err(|e| e.to_string())?;
    client
        .create_table()
        .database_name(&stream.database)
        .table_input(table)
        .send()
        .await
        .map_err(|e| describe(&e, &format!("Glue CreateTable {}", stream.qualified())).message)?;
    Ok(storage)
}
