//! The record path of `quarry serve`, without I/O: request bodies (one JSON object, a JSON
//! array, or NDJSON) into records, records into typed rows the way Firehose's OpenX JSON SerDe
//! converts them, and the `PutRecordBatch`-style answer. Kept apart from the server so it can
//! be fuzzed on its own.

pub mod batch;
pub mod convert;
pub mod decode;
pub mod stream;

pub use batch::{Prepared, prepare, put_records_response};
pub use convert::{Cell, Converter, Row};
pub use decode::{Limits, RecordError, RequestError};
pub use stream::StreamDef;
