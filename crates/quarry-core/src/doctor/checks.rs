//! Registration: the partitions the catalog lists against the partition folders on storage.

use std::collections::HashSet;

use super::{
    CatalogView, Evidence, Finding, Fix, FixAction, Inventory, PartitionSpec, Registered, Severity,
    StoredPartition, partition_spec_sql, plural, verb,
};
use crate::backend::Column;

/// Partitions per `ALTER TABLE … ADD` statement in a fix.
const PARTITIONS_PER_STATEMENT: usize = 100;

/// Storage partitions holding data, by their values.
pub(super) fn with_data(storage: &Inventory) -> impl Iterator<Item = &StoredPartition> {
    storage
        .partitions
        .iter()
        .filter(|p| storage.partition_data(p).next().is_some())
}

/// Partitions on storage the catalog does not list, and catalog partitions without objects.
pub(super) fn registration(catalog: &CatalogView, storage: &Inventory, out: &mut Vec<Finding>) {
    let table = &catalog.table;
    let name = table.name.to_string();
    match &catalog.registered {
        Registered::Folders => {}
        Registered::Partitions(registered) => {
            let known: HashSet<&[String]> = registered.iter().map(|p| &p.values[..]).collect();
            let unregistered: Vec<&StoredPartition> = with_data(storage)
                .filter(|p| !known.contains(&p.values[..]))
                .collect();
            if !unregistered.is_empty() {
                let specs: Vec<PartitionSpec> = unregistered
                    .iter()
                    .map(|p| PartitionSpec {
                        values: p.values.clone(),
                        location: format!("{}{}/", storage.location, p.path),
                    })
                    .collect();
                let (files, bytes) = totals(storage, &unregistered);
                out.push(Finding {
                    code: "partition-not-registered",
                    severity: Severity::Error,
                    title: format!(
                        "{} on storage {} not in the catalog: Athena returns no rows for {}",
                        plural(specs.len() as u64, "partition"),
                        verb(specs.len() as u64, "is", "are"),
                        verb(specs.len() as u64, "it", "them")
                    ),
                    athena_error: None,
                    evidence: Evidence {
                        partitions: unregistered.iter().map(|p| p.path.clone()).collect(),
                        counts: vec![
                            ("partitions".to_owned(), specs.len() as u64),
                            ("files".to_owned(), files),
                            ("bytes".to_owned(), bytes),
                        ],
                        ..Evidence::default()
                    },
                    fix: Some(Fix {
                        summary: "register them (what MSCK REPAIR TABLE would do, for just these)"
                            .to_owned(),
                        sql: add_partition_sql(&name, &table.partition_keys, &specs),
                        command: None,
                        action: Some(FixAction::AddPartitions { partitions: specs }),
                    }),
                });
            }
            without_objects(catalog, registered, storage, out);
            left_behind(registered, storage, out);
        }
        Registered::Projected { partitions, ranges } => {
            let Some(projected) = partitions else {
                return;
            };
            let projected: HashSet<&[String]> = projected.iter().map(|v| &v[..]).collect();
            let outside: Vec<&StoredPartition> = with_data(storage)
                .filter(|p| !projected.contains(&p.values[..]))
                .collect();
            let ranges_text: Vec<String> = ranges.iter().map(|(k, v)| format!("{k}={v}")).collect();
            if !outside.is_empty() {
                let (files, bytes) = totals(storage, &outside);
                out.push(Finding {
                    code: "projection-misses-data",
                    severity: Severity::Error,
                    title: format!(
                        "{} {} data outside the partition projection: Athena never reads {}",
                        plural(outside.len() as u64, "partition"),
                        verb(outside.len() as u64, "holds", "hold"),
                        verb(outside.len() as u64, "it", "them")
                    ),
                    athena_error: None,
                    evidence: Evidence {
                        partitions: outside.iter().map(|p| p.path.clone()).collect(),
                        counts: vec![("files".to_owned(), files), ("bytes".to_owned(), bytes)],
                        notes: vec![format!("projection: {}", ranges_text.join(", "))],
                        ..Evidence::default()
                    },
                    fix: Some(Fix {
                        summary: "widen the projection's ranges (projection.<key>.range) to \
                                  cover these partitions"
                            .to_owned(),
                        ..Fix::default()
                    }),
                });
            }
            let holding = with_data(storage).count();
            if projected.len() > holding.saturating_mul(2) && projected.len() > 10 {
                out.push(Finding {
                    code: "projection-range-empty",
                    severity: Severity::Info,
                    title: format!(
                        "the projection covers {}, {} of them hold data",
                        plural(projected.len() as u64, "partition"),
                        holding
                    ),
                    athena_error: None,
                    evidence: Evidence {
                        counts: vec![
                            ("projected".to_owned(), projected.len() as u64),
                            ("with_data".to_owned(), holding as u64),
                        ],
                        notes: vec![format!("projection: {}", ranges_text.join(", "))],
                        ..Evidence::default()
                    },
                    fix: Some(Fix {
                        summary: "narrow the ranges: Athena lists S3 for every projected \
                                  partition a query does not rule out"
                            .to_owned(),
                        ..Fix::default()
                    }),
                });
            }
        }
    }
}

/// Data in a partition's own folder while the catalog points the partition elsewhere (a
/// compaction moved it, then late files landed in the old folder): no catalog reader sees it.
fn left_behind(
    registered: &[super::RegisteredPartition],
    storage: &Inventory,
    out: &mut Vec<Finding>,
) {
    let locations: std::collections::HashMap<&[String], String> = registered
        .iter()
        .map(|p| (&p.values[..], super::folder(&p.location)))
        .collect();
    let stranded: Vec<&StoredPartition> = with_data(storage)
        .filter(|p| {
            locations
                .get(&p.values[..])
                .is_some_and(|registered| *registered != format!("{}{}/", storage.location, p.path))
        })
        .collect();
    if stranded.is_empty() {
        return;
    }
    let (files, bytes) = totals(storage, &stranded);
    out.push(Finding {
        code: "partition-data-elsewhere",
        severity: Severity::Error,
        title: format!(
            "{} {} data files in a folder the catalog does not point at: Athena skips them",
            plural(stranded.len() as u64, "partition"),
            verb(stranded.len() as u64, "has", "have")
        ),
        athena_error: None,
        evidence: Evidence {
            partitions: stranded.iter().map(|p| p.path.clone()).collect(),
            counts: vec![("files".to_owned(), files), ("bytes".to_owned(), bytes)],
            ..Evidence::default()
        },
        fix: Some(Fix {
            summary: "move the files under the partition's registered location, where the \
                      catalog's readers look"
                .to_owned(),
            ..Fix::default()
        }),
    });
}

/// Registered partitions whose location holds no data file.
fn without_objects(
    catalog: &CatalogView,
    registered: &[super::RegisteredPartition],
    storage: &Inventory,
    out: &mut Vec<Finding>,
) {
    let table = &catalog.table;
    let name = table.name.to_string();
    let with_files: HashSet<String> = with_data(storage)
        .map(|p| format!("{}{}/", storage.location, p.path))
        .collect();
    let mut empty = Vec::new();
    let mut elsewhere = 0_u64;
    for partition in registered {
        let location = super::folder(&partition.location);
        if !location.starts_with(&storage.location) {
            elsewhere += 1;
            continue;
        }
        if !with_files.contains(&location) {
            empty.push(PartitionSpec {
                values: partition.values.clone(),
                location,
            });
        }
    }
    if elsewhere > 0 {
        out.push(Finding {
            code: "partition-outside-table",
            severity: Severity::Info,
            title: format!(
                "{} {} outside the table's location and {} not checked against storage",
                plural(elsewhere, "partition"),
                verb(elsewhere, "lives", "live"),
                verb(elsewhere, "was", "were")
            ),
            athena_error: None,
            evidence: Evidence {
                counts: vec![("partitions".to_owned(), elsewhere)],
                ..Evidence::default()
            },
            fix: None,
        });
    }
    if empty.is_empty() {
        return;
    }
    let drops: Vec<String> = empty
        .chunks(PARTITIONS_PER_STATEMENT)
        .map(|chunk| {
            let specs: Vec<String> = chunk
                .iter()
                .map(|p| {
                    format!(
                        "PARTITION {}",
                        partition_spec_sql(&table.partition_keys, &p.values)
                    )
                })
                .collect();
            format!("ALTER TABLE {name} DROP IF EXISTS {}", specs.join(", "))
        })
        .collect();
    out.push(Finding {
        code: "partition-without-objects",
        severity: Severity::Warning,
        title: format!(
            "{} in the catalog {} at no data files (deleted or never written)",
            plural(empty.len() as u64, "partition"),
            verb(empty.len() as u64, "points", "point")
        ),
        athena_error: None,
        evidence: Evidence {
            partitions: empty
                .iter()
                .map(|p| super::partition_path(&table.partition_keys, &p.values))
                .collect(),
            paths: empty.iter().take(20).map(|p| p.location.clone()).collect(),
            ..Evidence::default()
        },
        fix: Some(Fix {
            summary: "remove them from the catalog (no object is touched), or restore the data"
                .to_owned(),
            sql: drops,
            command: None,
            action: Some(FixAction::DropPartitions { partitions: empty }),
        }),
    });
}

/// `ALTER TABLE … ADD IF NOT EXISTS PARTITION (…) LOCATION '…' …`, a hundred a statement.
pub(super) fn add_partition_sql(
    table: &str,
    keys: &[Column],
    specs: &[PartitionSpec],
) -> Vec<String> {
    specs
        .chunks(PARTITIONS_PER_STATEMENT)
        .map(|chunk| {
            let parts: Vec<String> = chunk
                .iter()
                .map(|p| {
                    format!(
                        "PARTITION {} LOCATION '{}'",
                        partition_spec_sql(keys, &p.values),
                        p.location.replace('\'', "''")
                    )
                })
                .collect();
            format!(
                "ALTER TABLE {table} ADD IF NOT EXISTS\n  {}",
                parts.join("\n  ")
            )
        })
        .collect()
}

fn totals(storage: &Inventory, partitions: &[&StoredPartition]) -> (u64, u64) {
    partitions
        .iter()
        .flat_map(|p| storage.partition_data(p))
        .fold((0, 0), |(files, bytes), o| (files + 1, bytes + o.size))
}
