//! Arbitrary request bodies through what `quarry serve` does before its log: decoding,
//! conversion, and the `PutRecordBatch` answer. Nothing may panic; every record gets exactly
//! one answer (a `RecordId` or an error), the failure count matches, and each row survives the
//! write-ahead log's JSON encoding unchanged with a partition that is a plain
//! `year=/month=/day=` path.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use quarry_records::stream::{ColumnType, StreamColumn};
use quarry_records::{Converter, Limits, Row, StreamDef, prepare, put_records_response};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_record_bytes: 2_048,
        max_records: 32,
        max_request_bytes: 16_384,
    };
    let arrival = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();
    let mut every_type = StreamDef::seed_logs();
    for (name, column_type) in [
        ("n", ColumnType::Int),
        ("x", ColumnType::Double),
        ("ok", ColumnType::Boolean),
    ] {
        every_type.columns.push(StreamColumn {
            name: name.to_owned(),
            column_type,
        });
    }
    for def in [StreamDef::seed_logs(), every_type] {
        let converter = Converter::new(def);
        let Ok(prepared) = prepare(data, &limits, &converter, arrival) else {
            continue;
        };
        let failed = prepared.failed();
        assert_eq!(prepared.outcomes.len(), prepared.rows.len() + failed);
        let indices: Vec<usize> = prepared.outcomes.iter().filter_map(|o| o.as_ref().ok().copied()).collect();
        assert_eq!(indices, (0..prepared.rows.len()).collect::<Vec<_>>());
        let answer = put_records_response(&prepared.outcomes, 1);
        assert_eq!(answer["FailedPutCount"].as_u64(), Some(failed as u64));
        let responses = answer["RequestResponses"].as_array().map(Vec::len);
        assert_eq!(responses, Some(prepared.outcomes.len()));
        for response in answer["RequestResponses"].as_array().into_iter().flatten() {
            assert!(response.get("RecordId").is_some() != response.get("ErrorCode").is_some());
        }
        for row in &prepared.rows {
            let logged = serde_json::to_vec(row).unwrap_or_default();
            let back: Row = serde_json::from_slice(&logged).unwrap_or_else(|e| panic!("{e}: {row:?}"));
            assert_eq!(&back, row);
            let parts: Vec<&str> = row.partition.split('/').collect();
            assert_eq!(parts.len(), 3, "{}", row.partition);
            for (part, key) in parts.iter().zip(["year=", "month=", "day="]) {
                let value = part.strip_prefix(key).unwrap_or_else(|| panic!("{}", row.partition));
                assert!(value.bytes().all(|b| b.is_ascii_digit() || b == b'-'), "{}", row.partition);
            }
        }
    }
});
