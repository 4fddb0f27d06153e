//! What a stream writes: the table (database, name, typed columns) and how records are
//! partitioned into `year=YYYY/month=MM/day=DD`. Taken from the lake's table, or from a small
//! TOML definition for a table that does not exist yet.

use serde::Deserialize;

/// A column type the ingest path converts JSON into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    String,
    #[serde(alias = "long")]
    Bigint,
    #[serde(alias = "integer")]
    Int,
    #[serde(alias = "float")]
    Double,
    Boolean,
}

impl ColumnType {
    /// The Athena (Hive DDL) name of the type.
    pub fn athena_name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Bigint => "bigint",
            Self::Int => "int",
            Self::Double => "double",
            Self::Boolean => "boolean",
        }
    }

    /// The type for an Athena (Hive DDL) type name, if ingest supports it.
    pub fn from_athena(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "string" | "varchar" | "char" => Some(Self::String),
            "bigint" | "long" => Some(Self::Bigint),
            "int" | "integer" | "smallint" | "tinyint" => Some(Self::Int),
            "double" | "float" => Some(Self::Double),
            "boolean" => Some(Self::Boolean),
            _ => None,
        }
    }
}

/// One column of the stream's table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StreamColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
}

/// How a record's timestamp field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeFormat {
    /// Milliseconds since 1970 (the seed's `"1694209417035"`).
    EpochMs,
    EpochS,
    /// `2023-09-08T21:43:37Z` and other RFC 3339 / ISO-8601 forms.
    Iso8601,
    /// Numbers above 10^11 as milliseconds, smaller ones as seconds, strings as ISO-8601.
    Auto,
}

impl TimeFormat {
    /// Every format with the name flags and definition files use, in the order help lists them.
    pub const NAMED: [(&'static str, Self); 4] = [
        ("epoch-ms", Self::EpochMs),
        ("epoch-s", Self::EpochS),
        ("iso8601", Self::Iso8601),
        ("auto", Self::Auto),
    ];

    /// The format called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, format)| *format)
    }
}

/// Which time decides a record's partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partitioning {
    /// The record's own timestamp field; late and future records go to their own day.
    Field { column: String, format: TimeFormat },
    /// When the record arrived (Firehose's default prefix).
    Arrival,
}

/// The table a stream writes and how it partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamDef {
    pub database: String,
    pub table: String,
    pub columns: Vec<StreamColumn>,
    pub partitioning: Partitioning,
}

/// A stream definition file: `database`, `table`, `columns = [{ name, type }]`, and
/// `timestamp_column` / `timestamp_format` (or `partition_by = "arrival"`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StreamFile {
    database: String,
    table: String,
    columns: Vec<StreamColumn>,
    #[serde(default)]
    timestamp_column: Option<String>,
    #[serde(default)]
    timestamp_format: Option<TimeFormat>,
    #[serde(default)]
    partition_by: Option<String>,
}

impl StreamDef {
    /// The seed's log table, `logs_db.logs`, partitioned by its epoch-millisecond timestamp.
    pub fn seed_logs() -> Self {
        let column = |name: &str, column_type| StreamColumn {
            name: name.to_owned(),
            column_type,
        };
        Self {
            database: "logs_db".to_owned(),
            table: "logs".to_owned(),
            columns: vec![
                column("source", ColumnType::String),
                column("logtype", ColumnType::String),
                column("timestamp", ColumnType::Bigint),
                column("message", ColumnType::String),
            ],
            partitioning: Partitioning::Field {
                column: "timestamp".to_owned(),
                format: TimeFormat::Auto,
            },
        }
    }

    /// Parses a TOML stream definition (the caller reads the file and names it in errors).
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let file: StreamFile =
            toml::from_str(text).map_err(|e| format!("invalid stream definition: {e}"))?;
        let partitioning = match (file.partition_by.as_deref(), file.timestamp_column) {
            (Some("arrival"), _) | (None, None) => Partitioning::Arrival,
            (Some(other), _) => {
                return Err(format!(
                    "partition_by = {other:?}: the choices are \"arrival\", or timestamp_column"
                ));
            }
            (None, Some(column)) => Partitioning::Field {
                column,
                format: file.timestamp_format.unwrap_or(TimeFormat::Auto),
            },
        };
        let def = Self {
            database: file.database,
            table: file.table,
            columns: file.columns,
            partitioning,
        };
        def.validate()?;
        Ok(def)
    }

    /// Checks names (they become folder and table names) and the timestamp column.
    pub fn validate(&self) -> Result<(), String> {
        for name in [&self.database, &self.table] {
            if !is_safe_name(name) {
                return Err(format!(
                    "{name:?} is not a valid database or table name: use letters, digits and _"
                ));
            }
        }
        if self.columns.is_empty() {
            return Err("the stream has no columns".to_owned());
        }
        let mut seen: Vec<String> = Vec::with_capacity(self.columns.len());
        for column in &self.columns {
            let lower = column.name.to_ascii_lowercase();
            // Glue and Athena fold names to lower case, so `Level` and `level` are one column.
            if let Some(earlier) = self
                .columns
                .iter()
                .find(|c| c.name.to_ascii_lowercase() == lower && seen.contains(&lower))
            {
                return Err(format!(
                    "the columns {:?} and {:?} differ only by case; Athena would see one column",
                    earlier.name, column.name
                ));
            }
            if !is_safe_name(&column.name) {
                return Err(format!(
                    "{:?} is not a valid column name: use letters, digits and _",
                    column.name
                ));
            }
            if PARTITION_KEYS.contains(&lower.as_str()) {
                return Err(format!(
                    "the column {:?} is also a partition key (year/month/day come from the folder \
                     names); rename it, e.g. {lower}_field",
                    column.name
                ));
            }
            seen.push(lower);
        }
        if let Partitioning::Field { column, .. } = &self.partitioning
            && !self
                .columns
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(column))
        {
            return Err(format!(
                "the timestamp column {column:?} is not one of the columns"
            ));
        }
        Ok(())
    }

    /// `logs_db.logs`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.database, self.table)
    }
}

/// The partition keys every stream writes; no column may share their names.
pub const PARTITION_KEYS: [&str; 3] = ["year", "month", "day"];

/// True for names made of ASCII letters, digits and `_` (nothing a path could escape with).
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_path_tricks_are_refused() {
        for bad in ["", "..", "logs/../etc", "a b", "logs\0", "ünïcode"] {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
        assert!(is_safe_name("logs_2023"));
    }

    fn stream(columns: &[&str]) -> StreamDef {
        StreamDef {
            database: "app".to_owned(),
            table: "events".to_owned(),
            columns: columns
                .iter()
                .map(|name| StreamColumn {
                    name: (*name).to_owned(),
                    column_type: ColumnType::String,
                })
                .collect(),
            partitioning: Partitioning::Arrival,
        }
    }

    #[test]
    fn columns_that_athena_could_not_tell_apart_are_refused() {
        // Regression: these were accepted, and records were acknowledged into a table that
        // cannot be queried.
        for (columns, says) in [
            (&["message", "year"][..], "partition key"),
            (&["Day"][..], "partition key"),
            (&["level", "Level"][..], "differ only by case"),
            (&["a", "a"][..], "differ only by case"),
            (&["a b"][..], "not a valid column name"),
        ] {
            let error = stream(columns).validate().unwrap_err();
            assert!(error.contains(says), "{columns:?}: {error}");
        }
        assert!(
            stream(&["years", "level", "day_of_week"])
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn definitions_name_their_timestamp_column() {
        let def = StreamDef::from_toml(
            "database = \"app\"\ntable = \"events\"\ncolumns = [{ name = \"at\", type = \"string\" }, { name = \"n\", type = \"bigint\" }]\ntimestamp_column = \"at\"\ntimestamp_format = \"iso8601\"\n",
        )
        .unwrap();
        assert_eq!(
            def.partitioning,
            Partitioning::Field {
                column: "at".to_owned(),
                format: TimeFormat::Iso8601
            }
        );
        assert!(
            StreamDef::from_toml(
                "database = \"app\"\ntable = \"../x\"\ncolumns = [{ name = \"at\", type = \"string\" }]\n",
            )
            .unwrap_err()
            .contains("not a valid")
        );
    }
}
