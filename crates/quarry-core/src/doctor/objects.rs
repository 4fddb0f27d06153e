//! The checks on objects and files: unreadable footers, objects that do not belong, empty
//! partitions, small files and days without data.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::checks::with_data;
use super::{
    CatalogView, Evidence, Finding, Fix, Inventory, ObjectKind, Registered, Severity, plural, verb,
};
use crate::text::human_bytes;

/// The file size compaction aims at and AWS advises for Athena (128 MiB).
pub const TARGET_FILE_BYTES: u64 = 128 * 1024 * 1024;
/// A partition has a small-file problem when it holds at least this many files…
const SMALL_FILES_MIN: usize = 4;
/// …and at least this many times the files compaction would leave.
const SMALL_FILES_FACTOR: usize = 2;
/// S3 GET price per 1,000 requests (us-east-1, S3 Standard).
const USD_PER_1000_GETS: f64 = 0.0004;

/// Data files whose footer does not read.
pub(super) fn corrupt_footers(_: &CatalogView, storage: &Inventory, out: &mut Vec<Finding>) {
    let broken: Vec<(&super::StoredObject, &String)> = storage
        .data_files()
        .filter_map(|o| match &o.footer {
            Some(Err(reason)) => Some((o, reason)),
            _ => None,
        })
        .collect();
    let Some((first, reason)) = broken.first() else {
        return;
    };
    out.push(Finding {
        code: "corrupt-footer",
        severity: Severity::Error,
        title: format!(
            "{} without a readable Parquet footer: every query that reads them fails",
            plural(broken.len() as u64, "file")
        ),
        athena_error: Some(format!(
            "HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split {}: not a valid Parquet file",
            storage.location_of(first)
        )),
        evidence: Evidence {
            partitions: folders_of(broken.iter().map(|(o, _)| o.key.as_str())),
            paths: broken
                .iter()
                .take(20)
                .map(|(o, _)| storage.location_of(o))
                .collect(),
            notes: vec![format!("first: {reason}")],
            counts: vec![("files".to_owned(), broken.len() as u64)],
            ..Evidence::default()
        },
        fix: Some(Fix {
            summary: "move these objects out of the table's location (rewrite them from the \
                      source if the rows matter)"
                .to_owned(),
            ..Fix::default()
        }),
    });
}

/// Objects readers trip over or never see: non-Parquet files among the data, data files
/// outside the partition folders, and hidden leftovers.
pub(super) fn stray_objects(catalog: &CatalogView, storage: &Inventory, out: &mut Vec<Finding>) {
    let stray: Vec<&super::StoredObject> = storage
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Stray)
        .collect();
    if !stray.is_empty() {
        let athena_reads = !matches!(catalog.registered, Registered::Folders);
        let mut extensions: BTreeSet<String> = BTreeSet::new();
        for o in &stray {
            extensions.insert(
                o.name()
                    .rsplit_once('.')
                    .map_or("", |(_, e)| e)
                    .to_lowercase(),
            );
        }
        out.push(Finding {
            code: "stray-objects",
            severity: if athena_reads {
                Severity::Error
            } else {
                Severity::Warning
            },
            title: format!(
                "{} that {} not Parquet {} among the data (.{}): Athena reads every object \
                 not named with a leading . or _",
                plural(stray.len() as u64, "object"),
                verb(stray.len() as u64, "is", "are"),
                verb(stray.len() as u64, "sits", "sit"),
                extensions.into_iter().collect::<Vec<_>>().join(", .")
            ),
            athena_error: Some(format!(
                "HIVE_BAD_DATA: {} is not a valid Parquet file",
                storage.location_of(stray[0])
            )),
            evidence: Evidence {
                partitions: folders_of(stray.iter().map(|o| o.key.as_str())),
                paths: stray
                    .iter()
                    .take(20)
                    .map(|o| storage.location_of(o))
                    .collect(),
                counts: vec![
                    ("objects".to_owned(), stray.len() as u64),
                    ("bytes".to_owned(), stray.iter().map(|o| o.size).sum()),
                ],
                ..Evidence::default()
            },
            fix: Some(Fix {
                summary: "move them out of the table's location".to_owned(),
                ..Fix::default()
            }),
        });
    }
    let outside: Vec<&super::StoredObject> = storage
        .outside
        .iter()
        .map(|&i| &storage.objects[i])
        .filter(|o| o.kind == ObjectKind::Data)
        .collect();
    if !outside.is_empty() && !storage.keys.is_empty() {
        out.push(Finding {
            code: "objects-outside-partitions",
            severity: Severity::Warning,
            title: format!(
                "{} outside the partition folders: no query of the table reads them",
                plural(outside.len() as u64, "data file")
            ),
            athena_error: None,
            evidence: Evidence {
                paths: outside
                    .iter()
                    .take(20)
                    .map(|o| storage.location_of(o))
                    .collect(),
                counts: vec![
                    ("files".to_owned(), outside.len() as u64),
                    ("bytes".to_owned(), outside.iter().map(|o| o.size).sum()),
                ],
                notes: vec![format!("partition folders: {}", storage.keys.join("=…/"))],
                ..Evidence::default()
            },
            fix: Some(Fix {
                summary: "move each into the partition folder its rows belong to".to_owned(),
                ..Fix::default()
            }),
        });
    }
    let leftovers: Vec<&super::StoredObject> = storage
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Hidden && o.size > 0 && !is_bookkeeping(o.name()))
        .collect();
    if !leftovers.is_empty() {
        out.push(Finding {
            code: "hidden-leftovers",
            severity: Severity::Info,
            title: format!(
                "{} hidden files ({}) that readers skip: writers' temporary files, or what a \
                 crash left",
                leftovers.len(),
                human_bytes(leftovers.iter().map(|o| o.size).sum())
            ),
            athena_error: None,
            evidence: Evidence {
                paths: leftovers
                    .iter()
                    .take(20)
                    .map(|o| storage.location_of(o))
                    .collect(),
                counts: vec![("objects".to_owned(), leftovers.len() as u64)],
                ..Evidence::default()
            },
            fix: Some(Fix {
                summary: "delete them once no writer is running".to_owned(),
                ..Fix::default()
            }),
        });
    }
}

/// Files Spark, Hive and Firehose write on purpose.
fn is_bookkeeping(name: &str) -> bool {
    matches!(name, "_SUCCESS" | "_metadata" | "_common_metadata")
        || name.to_ascii_lowercase().ends_with(".crc")
}

/// The partition folders of these keys, deduplicated, in order.
fn folders_of<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<String> {
    keys.filter_map(|k| k.rsplit_once('/').map(|(folder, _)| folder.to_owned()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Partition folders with no data files, and partitions whose files hold no rows.
pub(super) fn empty_partitions(_: &CatalogView, storage: &Inventory, out: &mut Vec<Finding>) {
    let mut empty: Vec<String> = storage.empty_folders.clone();
    for partition in &storage.partitions {
        let mut data = storage.partition_data(partition).peekable();
        if data.peek().is_none() {
            empty.push(partition.path.clone());
        } else if data.all(|o| o.rows() == Some(0)) {
            empty.push(format!("{} (files with 0 rows)", partition.path));
        }
    }
    if empty.is_empty() {
        return;
    }
    out.push(Finding {
        code: "empty-partition",
        severity: Severity::Info,
        title: format!(
            "{} {} no rows: each still costs a listing",
            plural(empty.len() as u64, "partition folder"),
            verb(empty.len() as u64, "holds", "hold")
        ),
        athena_error: None,
        evidence: Evidence {
            partitions: empty,
            ..Evidence::default()
        },
        fix: Some(Fix {
            summary: "delete the folders (and their catalog partitions) if nothing will land \
                      there"
                .to_owned(),
            ..Fix::default()
        }),
    });
}

/// Partitions with many files far below the size readers work well with.
pub(super) fn small_files(catalog: &CatalogView, storage: &Inventory, out: &mut Vec<Finding>) {
    let mut flagged = Vec::new();
    let mut sizes = Vec::new();
    let mut most = 0_usize;
    for partition in &storage.partitions {
        let files: Vec<u64> = storage.partition_data(partition).map(|o| o.size).collect();
        let bytes: u64 = files.iter().sum();
        let after = bytes.div_ceil(TARGET_FILE_BYTES).max(1) as usize;
        if files.len() >= SMALL_FILES_MIN && files.len() >= after * SMALL_FILES_FACTOR {
            most = most.max(files.len());
            sizes.extend(files.iter().copied());
            flagged.push((partition, files.len(), after, bytes));
        }
    }
    if flagged.is_empty() {
        return;
    }
    sizes.sort_unstable();
    let quantile = |q: f64| sizes[((sizes.len() - 1) as f64 * q).round() as usize];
    let files_before: u64 = flagged.iter().map(|f| f.1 as u64).sum();
    let files_after: u64 = flagged.iter().map(|f| f.2 as u64).sum();
    let bytes: u64 = flagged.iter().map(|f| f.3).sum();
    // A reader needs at least two GETs per file: the footer, then the column chunks.
    let gets_before = files_before * 2;
    let gets_after = files_after * 2;
    let table = &catalog.table;
    let name = table.name.to_string();
    let command = if flagged.len() == storage.partitions.len() || flagged.len() > 10 {
        format!("quarry compact {name}")
    } else {
        let parts: Vec<String> = flagged
            .iter()
            .map(|(p, ..)| format!("--partition {}", p.path))
            .collect();
        format!("quarry compact {name} {}", parts.join(" "))
    };
    out.push(Finding {
        code: "small-files",
        severity: Severity::Warning,
        title: format!(
            "{} {} {} of median {}: a full scan makes {} S3 GETs where {} would do",
            plural(flagged.len() as u64, "partition"),
            verb(flagged.len() as u64, "holds", "hold"),
            plural(files_before, "file"),
            human_bytes(quantile(0.5)),
            crate::text::thousands(gets_before),
            crate::text::thousands(gets_after),
        ),
        athena_error: None,
        evidence: Evidence {
            partitions: flagged.iter().map(|(p, ..)| p.path.clone()).collect(),
            counts: vec![
                ("partitions".to_owned(), flagged.len() as u64),
                ("files".to_owned(), files_before),
                ("bytes".to_owned(), bytes),
                ("smallest_file_bytes".to_owned(), sizes[0]),
                ("p10_file_bytes".to_owned(), quantile(0.1)),
                ("median_file_bytes".to_owned(), quantile(0.5)),
                ("p90_file_bytes".to_owned(), quantile(0.9)),
                ("largest_file_bytes".to_owned(), sizes[sizes.len() - 1]),
                ("most_files_in_a_partition".to_owned(), most as u64),
                ("files_after_compaction".to_owned(), files_after),
                ("gets_per_full_scan".to_owned(), gets_before),
                ("gets_after_compaction".to_owned(), gets_after),
            ],
            notes: vec![format!(
                "a thousand full scans cost ${:.4} in S3 GETs now, ${:.4} compacted; Athena \
                 also opens each file as its own split (AWS advises files of 128 MB or more)",
                gets_before as f64 * USD_PER_1000_GETS,
                gets_after as f64 * USD_PER_1000_GETS
            )],
            ..Evidence::default()
        },
        fix: Some(Fix {
            summary: format!(
                "compact them into files near {} (rows kept in time order)",
                human_bytes(TARGET_FILE_BYTES)
            ),
            command: Some(command),
            ..Fix::default()
        }),
    });
}

/// A partition's day from its values.
type DateOf = Box<dyn Fn(&[String]) -> Option<NaiveDate>>;

/// Days between the first and the last partition with no data at all.
pub(super) fn missing_days(storage: &Inventory, out: &mut Vec<Finding>) {
    let keys: Vec<String> = storage.keys.iter().map(|k| k.to_lowercase()).collect();
    let position = |name: &str| keys.iter().position(|k| k == name);
    let spell: DateOf = match (position("year"), position("month"), position("day")) {
        (Some(y), Some(m), Some(d)) => Box::new(move |values: &[String]| {
            NaiveDate::from_ymd_opt(
                values[y].parse().ok()?,
                values[m].parse().ok()?,
                values[d].parse().ok()?,
            )
        }),
        _ => match keys.iter().position(|k| k == "dt" || k == "date") {
            Some(at) => Box::new(move |values: &[String]| {
                NaiveDate::parse_from_str(&values[at], "%Y-%m-%d").ok()
            }),
            None => return,
        },
    };
    let days: BTreeSet<NaiveDate> = with_data(storage)
        .filter_map(|p| spell(&p.values))
        .collect();
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return;
    };
    let missing: Vec<NaiveDate> = first
        .iter_days()
        .take_while(|d| d <= last)
        .filter(|d| !days.contains(d))
        .collect();
    if missing.is_empty() {
        return;
    }
    out.push(Finding {
        code: "missing-days",
        severity: Severity::Warning,
        title: format!(
            "{} between {first} and {last} {} no data: a producer or delivery stream stopped",
            plural(missing.len() as u64, "day"),
            verb(missing.len() as u64, "has", "have")
        ),
        athena_error: None,
        evidence: Evidence {
            partitions: missing.iter().map(ToString::to_string).collect(),
            counts: vec![
                ("days_with_data".to_owned(), days.len() as u64),
                ("days_missing".to_owned(), missing.len() as u64),
            ],
            ..Evidence::default()
        },
        fix: Some(Fix {
            summary: "look for the days in the delivery stream's error prefix or the \
                      producer's logs; there is nothing to register"
                .to_owned(),
            ..Fix::default()
        }),
    });
}
