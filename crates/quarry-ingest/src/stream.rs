//! Stream definitions (`quarry-records`) meeting Arrow and the catalog: the Parquet schema a
//! stream writes, and the stream of an existing lake or Glue table.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
pub use quarry_records::stream::{
    ColumnType, Partitioning, StreamColumn, StreamDef, TimeFormat, is_safe_name,
};

use quarry_core::backend::TableInfo;

/// The Arrow type a column is written as.
pub fn arrow_type(column_type: ColumnType) -> DataType {
    match column_type {
        ColumnType::String => DataType::Utf8,
        ColumnType::Bigint => DataType::Int64,
        ColumnType::Int => DataType::Int32,
        ColumnType::Double => DataType::Float64,
        ColumnType::Boolean => DataType::Boolean,
    }
}

/// The Arrow schema of the stream's Parquet files (partition keys live in the folder names).
pub fn schema(def: &StreamDef) -> SchemaRef {
    Arc::new(Schema::new(
        def.columns
            .iter()
            .map(|c| Field::new(&c.name, arrow_type(c.column_type), true))
            .collect::<Vec<_>>(),
    ))
}

/// The stream of an existing catalog table (a lake folder or a Glue table), which must be
/// partitioned by year, month and day (or not at all) and have columns ingest can write.
pub fn from_table(info: &TableInfo, partitioning: Partitioning) -> Result<StreamDef, String> {
    let name = &info.name;
    let keys: Vec<&str> = info
        .partition_keys
        .iter()
        .map(|k| k.name.as_str())
        .collect();
    if !keys.is_empty() && keys != ["year", "month", "day"] {
        return Err(format!(
            "{name} is partitioned by {}; quarry serve writes year/month/day",
            keys.join(", ")
        ));
    }
    let columns = info
        .columns
        .iter()
        .map(|c| {
            ColumnType::from_athena(&c.data_type)
                .map(|column_type| StreamColumn {
                    name: c.name.clone(),
                    column_type,
                })
                .ok_or_else(|| {
                    format!(
                        "{name}.{} is {}; quarry serve writes string, bigint, int, double and boolean columns",
                        c.name, c.data_type
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let def = StreamDef {
        database: name.database.clone(),
        table: name.name.clone(),
        columns,
        partitioning,
    };
    def.validate()?;
    Ok(def)
}
