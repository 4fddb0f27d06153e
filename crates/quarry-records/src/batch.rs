//! One request from body to answer: decode, convert each record, and the `PutRecordBatch`
//! response once the good rows are logged. A record either has a row (and is acknowledged
//! with a `RecordId` when the log has it) or an error of its own; never both, never neither.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::convert::{Converter, Row};
use crate::decode::{Limits, RecordError, RequestError, decode};

/// A request's records, converted.
#[derive(Debug)]
pub struct Prepared {
    /// The rows to log, in request order.
    pub rows: Vec<Row>,
    /// Per record, in request order: the index of its row in `rows`, or why it failed.
    pub outcomes: Vec<Result<usize, RecordError>>,
    /// Record keys that matched no column (dropped, as OpenX does).
    pub unknown_keys: usize,
}

impl Prepared {
    /// Records that failed.
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_err()).count()
    }

    /// Fails the records whose row `check` refuses, each with its own error; the other rows
    /// keep their order.
    pub fn refuse(&mut self, mut check: impl FnMut(&Row) -> Result<(), RecordError>) {
        let rows = std::mem::take(&mut self.rows);
        let mut verdicts: Vec<Option<Result<usize, RecordError>>> = Vec::with_capacity(rows.len());
        for row in rows {
            verdicts.push(Some(match check(&row) {
                Ok(()) => {
                    self.rows.push(row);
                    Ok(self.rows.len() - 1)
                }
                Err(e) => Err(e),
            }));
        }
        for outcome in &mut self.outcomes {
            if let Ok(index) = outcome
                && let Some(verdict) = verdicts.get_mut(*index).and_then(Option::take)
            {
                *outcome = verdict;
            }
        }
    }
}

/// Decodes and converts `body`; the request fails as a whole only when it cannot be split into
/// records or breaks the request limits.
pub fn prepare(
    body: &[u8],
    limits: &Limits,
    converter: &Converter,
    arrival: DateTime<Utc>,
) -> Result<Prepared, RequestError> {
    let records = decode(body, limits)?;
    let mut prepared = Prepared {
        rows: Vec::with_capacity(records.len()),
        outcomes: Vec::with_capacity(records.len()),
        unknown_keys: 0,
    };
    for record in records {
        match record.and_then(|r| converter.convert(&r, arrival)) {
            Ok((row, unknown)) => {
                prepared.unknown_keys += unknown;
                prepared.outcomes.push(Ok(prepared.rows.len()));
                prepared.rows.push(row);
            }
            Err(e) => prepared.outcomes.push(Err(e)),
        }
    }
    Ok(prepared)
}

/// The answer once the rows are logged from sequence number `first_seq` on: `FailedPutCount`,
/// and per record a `RecordId` or its `ErrorCode` and `ErrorMessage` (with its `Index`).
pub fn put_records_response(outcomes: &[Result<usize, RecordError>], first_seq: u64) -> Value {
    let failed = outcomes.iter().filter(|o| o.is_err()).count();
    let responses: Vec<Value> = outcomes
        .iter()
        .enumerate()
        .map(|(index, outcome)| match outcome {
            Ok(row) => json!({ "RecordId": format!("{:020}", first_seq + *row as u64) }),
            Err(e) => json!({ "Index": index, "ErrorCode": e.code, "ErrorMessage": e.message }),
        })
        .collect();
    json!({
        "FailedPutCount": failed,
        "Encrypted": false,
        "RequestResponses": responses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::StreamDef;

    #[test]
    fn every_record_gets_one_answer_in_order() {
        let converter = Converter::new(StreamDef::seed_logs());
        let body = br#"[{"timestamp": 1}, 2, {"timestamp": 3}]"#;
        let prepared = prepare(body, &Limits::default(), &converter, Utc::now()).unwrap();
        assert_eq!(prepared.rows.len(), 2);
        assert_eq!(prepared.failed(), 1);
        let answer = put_records_response(&prepared.outcomes, 41);
        assert_eq!(answer["FailedPutCount"], 1);
        let responses = answer["RequestResponses"].as_array().unwrap();
        assert_eq!(responses[0]["RecordId"], "00000000000000000041");
        assert_eq!(responses[1]["Index"], 1);
        assert_eq!(responses[1]["ErrorCode"], "NotAnObject");
        assert_eq!(responses[2]["RecordId"], "00000000000000000042");
    }

    #[test]
    fn refused_rows_fail_alone_and_the_rest_keep_their_order() {
        let converter = Converter::new(StreamDef::seed_logs());
        let body = br#"[{"timestamp": 1, "message": "a"}, 2,
            {"timestamp": 1, "message": "b"}, {"timestamp": 1, "message": "c"}]"#;
        let mut prepared = prepare(body, &Limits::default(), &converter, Utc::now()).unwrap();
        prepared.refuse(|row| {
            if row
                .cells
                .contains(&crate::convert::Cell::Text("b".to_owned()))
            {
                Err(RecordError::new("PartitionLimitExceeded", "no"))
            } else {
                Ok(())
            }
        });
        assert_eq!(prepared.rows.len(), 2);
        let answer = put_records_response(&prepared.outcomes, 7);
        let responses = answer["RequestResponses"].as_array().unwrap();
        assert_eq!(answer["FailedPutCount"], 2);
        assert_eq!(responses[0]["RecordId"], "00000000000000000007");
        assert_eq!(responses[2]["ErrorCode"], "PartitionLimitExceeded");
        assert_eq!(responses[3]["RecordId"], "00000000000000000008");
    }
}
