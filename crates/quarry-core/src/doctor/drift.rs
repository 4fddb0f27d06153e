//! Schema drift: the table's columns against each file's footer and each registered partition's
//! own columns. Athena reads Parquet by column name, so a column missing from a file reads as
//! NULL and a safe widening (int in the file, bigint in the table) reads fine; any other type
//! change fails the query, and a field the table lacks is invisible.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{
    CatalogView, ColumnEvidence, Evidence, Finding, Fix, FixAction, Inventory, PartitionSpec,
    Registered, Severity, partition_spec_sql,
};

/// Example files named per finding at most; the counts cover the rest.
const EXAMPLE_PATHS: usize = 20;
/// Partitions per `ALTER TABLE` statement in a fix.
const PARTITIONS_PER_STATEMENT: usize = 100;

/// Whether data of one type reads as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compatibility {
    Same,
    /// Every value fits (int → bigint, float → double, a wider decimal, another timestamp
    /// unit, struct fields added or dropped).
    Widening,
    /// Values would be cut, reinterpreted or refused.
    Incompatible,
}

/// Whether a file's `found` type reads as the table's `declared` type (Athena type names, as
/// Glue spells them or `athena_type_name` gives them).
pub fn compatibility(found: &str, declared: &str) -> Compatibility {
    let (found, declared) = (normalize(found), normalize(declared));
    if found == declared {
        return Compatibility::Same;
    }
    let rank = |t: &str| match t {
        "tinyint" => Some(1),
        "smallint" => Some(2),
        "int" => Some(3),
        "bigint" => Some(4),
        _ => None,
    };
    if let (Some(a), Some(b)) = (rank(&found), rank(&declared)) {
        return if a <= b {
            Compatibility::Widening
        } else {
            Compatibility::Incompatible
        };
    }
    if found == "float" && declared == "double" {
        return Compatibility::Widening;
    }
    if let (Some((p1, s1)), Some((p2, s2))) = (decimal(&found), decimal(&declared)) {
        return if s1 == s2 && p1 <= p2 {
            Compatibility::Widening
        } else {
            Compatibility::Incompatible
        };
    }
    let kind = |t: &str| t.split('<').next().unwrap_or_default().to_owned();
    if found.contains('<') && kind(&found) == kind(&declared) && kind(&found) == "struct" {
        // Parquet structs are read field by field by name: added or dropped fields are NULL.
        return Compatibility::Widening;
    }
    Compatibility::Incompatible
}

/// Lowercase, no spaces, one spelling per type (`integer` → `int`, `varchar(10)` → `string`).
fn normalize(name: &str) -> String {
    let name = name.split("/*").next().unwrap_or(name);
    let name: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    if name == "integer" {
        return "int".to_owned();
    }
    if name.starts_with("varchar") || name.starts_with("char") {
        return "string".to_owned();
    }
    if name.starts_with("timestamp") {
        return "timestamp".to_owned();
    }
    name
}

fn decimal(name: &str) -> Option<(u32, u32)> {
    let inner = name.strip_prefix("decimal(")?.strip_suffix(')')?;
    let (p, s) = inner.split_once(',')?;
    Some((p.parse().ok()?, s.parse().ok()?))
}

/// Files and partitions showing one difference.
#[derive(Default)]
struct Seen {
    files: u64,
    partitions: BTreeSet<String>,
    examples: Vec<String>,
    file_keys: BTreeSet<String>,
}

impl Seen {
    fn add(&mut self, partition: &str, location: String, key: &str) {
        self.files += 1;
        self.partitions.insert(partition.to_owned());
        if self.examples.len() < EXAMPLE_PATHS {
            self.examples.push(location);
        }
        self.file_keys.insert(key.to_owned());
    }
}

/// The table's columns against every footer read.
pub(super) fn footers_against_table(
    catalog: &CatalogView,
    storage: &Inventory,
    out: &mut Vec<Finding>,
) {
    let table = &catalog.table;
    let name = table.name.to_string();
    let declared: HashMap<String, &str> = table
        .columns
        .iter()
        .map(|c| (c.name.to_lowercase(), c.data_type.as_str()))
        .collect();
    let keys: BTreeSet<String> = table
        .partition_keys
        .iter()
        .map(|k| k.name.to_lowercase())
        .collect();
    let mut changed: BTreeMap<(String, String), Seen> = BTreeMap::new();
    let mut extra: BTreeMap<(String, String), Seen> = BTreeMap::new();
    let mut missing: BTreeMap<String, Seen> = BTreeMap::new();
    let mut files_read = 0_u64;
    for partition in &storage.partitions {
        for object in storage.partition_data(partition) {
            let Some(Ok(footer)) = &object.footer else {
                continue;
            };
            files_read += 1;
            let location = storage.location_of(object);
            let mut present = BTreeSet::new();
            for (column, found) in &footer.columns {
                let lower = column.to_lowercase();
                present.insert(lower.clone());
                match declared.get(&lower) {
                    Some(declared) if compatibility(found, declared) != Compatibility::Same => {
                        changed.entry((lower, found.clone())).or_default().add(
                            &partition.path,
                            location.clone(),
                            &object.key,
                        );
                    }
                    Some(_) => {}
                    None if keys.contains(&lower) => {}
                    None => extra.entry((lower, found.clone())).or_default().add(
                        &partition.path,
                        location.clone(),
                        &object.key,
                    ),
                }
            }
            for column in declared.keys().filter(|c| !present.contains(*c)) {
                missing.entry(column.clone()).or_default().add(
                    &partition.path,
                    location.clone(),
                    &object.key,
                );
            }
        }
    }
    for ((column, found), seen) in &changed {
        let table_type = declared[column];
        let compatible = compatibility(found, table_type) == Compatibility::Widening;
        let example = seen.examples.first().cloned().unwrap_or_default();
        out.push(Finding {
            code: "schema-type-changed",
            severity: if compatible {
                Severity::Info
            } else {
                Severity::Error
            },
            title: format!(
                "column {column} is {found} in {} but {table_type} in the table{}",
                files(seen.files),
                if compatible {
                    " (a safe widening: it reads fine)"
                } else {
                    ""
                }
            ),
            athena_error: (!compatible).then(|| {
                format!(
                    "HIVE_BAD_DATA: Field {column}'s type {} in parquet file {example} is \
                     incompatible with type {table_type} defined in table schema",
                    found.to_uppercase()
                )
            }),
            evidence: evidence(column, Some(table_type), Some(found), seen),
            fix: (!compatible).then(|| Fix {
                summary: format!(
                    "rewrite the files of {} with {column} as {table_type}, or, if {found} \
                     is meant, declare a type every file fits",
                    if seen.partitions.len() == 1 {
                        "this partition".to_owned()
                    } else {
                        format!("these {}", partitions(seen.partitions.len()))
                    }
                ),
                ..Fix::default()
            }),
        });
    }
    let renamed = renames(&missing, &extra, &declared);
    for ((column, found), seen) in &extra {
        if let Some(old) = renamed.get(&(column.clone(), found.clone())) {
            out.push(Finding {
                code: "schema-column-renamed",
                severity: Severity::Warning,
                title: format!(
                    "column {old} looks renamed to {column} in {}: Athena reads {old} as NULL \
                     there and cannot see {column}",
                    files(seen.files)
                ),
                athena_error: None,
                evidence: Evidence {
                    columns: vec![
                        column_evidence(old, Some(found), None, seen.files),
                        column_evidence(column, None, Some(found), seen.files),
                    ],
                    ..evidence_of(seen)
                },
                fix: Some(Fix {
                    summary: format!(
                        "add {column} to the table, or rewrite these files with the name {old}"
                    ),
                    sql: vec![format!("ALTER TABLE {name} ADD COLUMNS ({column} {found})")],
                    ..Fix::default()
                }),
            });
            continue;
        }
        out.push(Finding {
            code: "schema-column-added",
            severity: Severity::Warning,
            title: format!(
                "{} {column} ({found}) that the table lacks: no query can see it",
                if seen.files == files_read {
                    "every file has a column".to_owned()
                } else {
                    format!(
                        "{} {} a column",
                        files(seen.files),
                        super::verb(seen.files, "has", "have")
                    )
                }
            ),
            athena_error: None,
            evidence: evidence(column, None, Some(found), seen),
            fix: Some(Fix {
                summary: format!("add {column} to the table"),
                sql: vec![format!("ALTER TABLE {name} ADD COLUMNS ({column} {found})")],
                ..Fix::default()
            }),
        });
    }
    let renamed_from: BTreeSet<&String> = renamed.values().collect();
    for (column, seen) in &missing {
        // The rename finding covers exactly these files.
        if renamed_from.contains(column) {
            continue;
        }
        let everywhere = seen.files == files_read;
        out.push(Finding {
            code: "schema-column-missing",
            severity: if everywhere {
                Severity::Warning
            } else {
                Severity::Info
            },
            title: if everywhere {
                format!("no file has the table's column {column}: it is always NULL")
            } else {
                format!(
                    "{} {} the table's column {column}: it reads as NULL there",
                    files(seen.files),
                    super::verb(seen.files, "lacks", "lack")
                )
            },
            athena_error: None,
            evidence: evidence(column, Some(declared[column]), None, seen),
            fix: None,
        });
    }
}

/// A column the table has and some files lack, paired with a column of the same type that
/// exactly those files have and the table lacks.
fn renames(
    missing: &BTreeMap<String, Seen>,
    extra: &BTreeMap<(String, String), Seen>,
    declared: &HashMap<String, &str>,
) -> HashMap<(String, String), String> {
    let mut found = HashMap::new();
    for ((column, found_type), seen) in extra {
        let candidate = missing.iter().find(|(old, lacking)| {
            lacking.file_keys == seen.file_keys
                && compatibility(found_type, declared[*old]) == Compatibility::Same
        });
        if let Some((old, _)) = candidate {
            found.insert((column.clone(), found_type.clone()), old.clone());
        }
    }
    found
}

/// The table's columns against each registered partition's own columns (Glue keeps a schema
/// per partition, copied when the partition was created).
pub(super) fn partitions_against_table(catalog: &CatalogView, out: &mut Vec<Finding>) {
    let Registered::Partitions(registered) = &catalog.registered else {
        return;
    };
    let table = &catalog.table;
    let name = table.name.to_string();
    let declared: HashMap<String, &str> = table
        .columns
        .iter()
        .map(|c| (c.name.to_lowercase(), c.data_type.as_str()))
        .collect();
    let mut mismatched: BTreeMap<(String, String), Vec<&super::RegisteredPartition>> =
        BTreeMap::new();
    for partition in registered {
        for column in &partition.columns {
            let lower = column.name.to_lowercase();
            let Some(table_type) = declared.get(&lower) else {
                continue;
            };
            if compatibility(&column.data_type, table_type) == Compatibility::Incompatible {
                mismatched
                    .entry((lower, column.data_type.clone()))
                    .or_default()
                    .push(partition);
            }
        }
    }
    for ((column, partition_type), partitions) in mismatched {
        let table_type = declared[&column];
        let paths: Vec<String> = partitions
            .iter()
            .map(|p| super::partition_path(&table.partition_keys, &p.values))
            .collect();
        let specs: Vec<PartitionSpec> = partitions
            .iter()
            .map(|p| PartitionSpec {
                values: p.values.clone(),
                location: p.location.clone(),
            })
            .collect();
        out.push(Finding {
            code: "partition-schema-mismatch",
            severity: Severity::Error,
            title: format!(
                "{} {} column {column} as {partition_type}, the table as {table_type}",
                self::partitions(partitions.len()),
                super::verb(partitions.len() as u64, "declares", "declare")
            ),
            athena_error: Some(format!(
                "HIVE_PARTITION_SCHEMA_MISMATCH: There is a mismatch between the table and \
                 partition schemas. The types are incompatible and cannot be coerced. The column \
                 '{column}' in table '{name}' is declared as type '{table_type}', but partition \
                 '{}' declared column '{column}' as type '{partition_type}'.",
                paths.first().cloned().unwrap_or_default()
            )),
            evidence: Evidence {
                partitions: paths,
                columns: vec![column_evidence(
                    &column,
                    Some(table_type),
                    Some(&partition_type),
                    partitions.len() as u64,
                )],
                ..Evidence::default()
            },
            fix: Some(Fix {
                summary: "register these partitions again so they take the table's schema"
                    .to_owned(),
                sql: reregister_sql(&name, &table.partition_keys, &specs),
                command: None,
                action: Some(FixAction::ReregisterPartitions { partitions: specs }),
            }),
        });
    }
}

/// `ALTER TABLE … DROP PARTITION …` then `ADD PARTITION … LOCATION …`, a hundred a statement.
fn reregister_sql(
    table: &str,
    keys: &[crate::backend::Column],
    specs: &[PartitionSpec],
) -> Vec<String> {
    let mut sql = Vec::new();
    for chunk in specs.chunks(PARTITIONS_PER_STATEMENT) {
        let drops: Vec<String> = chunk
            .iter()
            .map(|p| format!("PARTITION {}", partition_spec_sql(keys, &p.values)))
            .collect();
        sql.push(format!(
            "ALTER TABLE {table} DROP IF EXISTS {}",
            drops.join(", ")
        ));
    }
    sql.extend(super::checks::add_partition_sql(table, keys, specs));
    sql
}

fn evidence(column: &str, table_type: Option<&str>, found: Option<&str>, seen: &Seen) -> Evidence {
    Evidence {
        columns: vec![column_evidence(column, table_type, found, seen.files)],
        ..evidence_of(seen)
    }
}

fn evidence_of(seen: &Seen) -> Evidence {
    Evidence {
        partitions: seen.partitions.iter().cloned().collect(),
        paths: seen.examples.clone(),
        counts: vec![
            ("files".to_owned(), seen.files),
            ("partitions".to_owned(), seen.partitions.len() as u64),
        ],
        ..Evidence::default()
    }
}

fn column_evidence(
    name: &str,
    table_type: Option<&str>,
    found: Option<&str>,
    count: u64,
) -> ColumnEvidence {
    ColumnEvidence {
        name: name.to_owned(),
        table_type: table_type.map(str::to_owned),
        found_type: found.map(str::to_owned),
        count,
    }
}

/// `1 file`, `3 files`.
pub(super) fn files(n: u64) -> String {
    super::plural(n, "file")
}

/// `1 partition`, `3 partitions`.
pub(super) fn partitions(n: usize) -> String {
    super::plural(n as u64, "partition")
}
