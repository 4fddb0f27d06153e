//! Rows shaped like the demo lake's logs (time, source, log type, a message with NULLs, a
//! number), for the benchmarks that draw or filter a large result.

use std::sync::Arc;

use datafusion::arrow::array::{Array, Int64Array, StringArray, TimestampMillisecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use quarry::app::results::ResultGrid;

const BATCH_ROWS: usize = 8_192;

/// A grid of `rows` log rows; the time is epoch milliseconds as a BIGINT, or a TIMESTAMP when
/// `timestamps` (the grid then writes it as Athena does, which filtering reads).
pub fn grid(rows: usize, timestamps: bool) -> ResultGrid {
    let time_type = if timestamps {
        DataType::Timestamp(TimeUnit::Millisecond, None)
    } else {
        DataType::Int64
    };
    let schema = Arc::new(Schema::new(vec![
        Field::new("timestamp", time_type, false),
        Field::new("source", DataType::Utf8, false),
        Field::new("logtype", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, true),
        Field::new("bytes", DataType::Int64, false),
    ]));
    let mut batches = Vec::new();
    let mut start = 0;
    while start < rows {
        let n = BATCH_ROWS.min(rows - start);
        let ids = start..start + n;
        let times = ids.clone().map(|i| 1_672_531_200_000 + i as i64 * 37);
        let time: Arc<dyn Array> = if timestamps {
            Arc::new(TimestampMillisecondArray::from_iter_values(times))
        } else {
            Arc::new(Int64Array::from_iter_values(times))
        };
        let columns: Vec<Arc<dyn Array>> = vec![
            time,
            Arc::new(StringArray::from_iter_values(
                ids.clone().map(|i| format!("service-{:02}", i % 24)),
            )),
            Arc::new(StringArray::from_iter_values(
                ids.clone()
                    .map(|i| ["info", "warning", "error", "fatal"][i % 4]),
            )),
            Arc::new(
                ids.clone()
                    .map(|i| {
                        (i % 11 != 0).then(|| {
                            format!("request {i} finished after {} ms with status 200", i % 997)
                        })
                    })
                    .collect::<StringArray>(),
            ),
            Arc::new(Int64Array::from_iter_values(
                ids.map(|i| (i as i64 * 7919) % 1_000_000),
            )),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), columns).expect("batch"));
        start += n;
    }
    ResultGrid::new(1, schema, batches, rows as u64, false)
}
