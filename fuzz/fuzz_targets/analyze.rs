//! Arbitrary text through everything the editor runs on each keystroke: statement splitting,
//! the analyzer, hints for a year/month/day table, partition matching and Glue expressions.
//! Nothing may panic, whatever the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry_sql::analyze::{PartitionKey, analyze, hints};
use quarry_sql::statements;

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let keys = [
        PartitionKey::new("year", "string"),
        PartitionKey::new("month", "int"),
        PartitionKey::new("day", "date"),
    ];
    let values = ["2023".to_owned(), "9".to_owned(), "2023-09-01".to_owned()];
    let _ = statements::split(sql);
    for statement in analyze(sql) {
        for table_use in &statement.tables {
            let (filter, _) = table_use.partition_filter(&keys);
            let _ = filter.may_match(&values);
            let _ = filter.glue_expression(&keys);
            let _ = hints(table_use, &keys, Some(5));
        }
    }
});
