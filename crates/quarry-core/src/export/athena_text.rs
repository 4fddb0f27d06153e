//! Values as Athena writes them in its CSV results: arrays `[a, b]`, maps `{k=v}`, rows
//! `{name=value}`, timestamps `2024-02-26 10:11:12.123` (zoned: `… America/New_York`), doubles as Java prints them (`1.0`,
//! `0.25`, `1.0E7`, `1.5E-4`). arrow's CSV writer refuses nested
//! columns, so they are turned into text first; a local result and an Athena one then export
//! the same way.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, GenericListArray, GenericStringArray, OffsetSizeTrait, RecordBatch,
    StringBuilder, StringViewArray,
};
use datafusion::arrow::datatypes::{
    DataType, Field, Float32Type, Float64Type, Int64Type, Schema, SchemaRef, TimeUnit,
};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

/// The timestamp format of Athena's CSV results (millisecond precision, a space before the
/// time), in chrono's notation.
pub const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.3f";

/// True for the types arrow's CSV writer cannot write.
pub fn is_nested(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::ListView(_)
            | DataType::LargeListView(_)
            | DataType::FixedSizeList(..)
            | DataType::Struct(_)
            | DataType::Map(..)
            | DataType::Union(..)
    )
}

/// True for the columns written as text: nested values, and doubles (Java's notation).
fn written_as_text(data_type: &DataType) -> bool {
    is_nested(data_type)
        || matches!(
            data_type,
            DataType::Float64 | DataType::Float32 | DataType::Timestamp(_, Some(_))
        )
}

/// A double as Java's `Double.toString` (Trino's) writes it: the shortest digits that read
/// back the same, with a `.0` on whole numbers, and `E` notation below 10⁻³ and from 10⁷.
pub fn java_double(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let magnitude = value.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let text = value.to_string();
        return if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        };
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_owned()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exponent}")
}

/// `schema` with every nested column turned into text.
pub fn flat_schema(schema: &SchemaRef) -> SchemaRef {
    if !schema
        .fields()
        .iter()
        .any(|f| written_as_text(f.data_type()))
    {
        return Arc::clone(schema);
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            if written_as_text(f.data_type()) {
                Field::new(f.name(), DataType::Utf8, true)
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// `batch` with every nested column turned into Athena's text for it.
pub fn flatten(batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
    let schema = batch.schema();
    if !schema
        .fields()
        .iter()
        .any(|f| written_as_text(f.data_type()))
    {
        return Ok(batch.clone());
    }
    let columns = batch
        .columns()
        .iter()
        .map(|column| {
            if written_as_text(column.data_type()) {
                let mut text = StringBuilder::new();
                for row in 0..column.len() {
                    if column.is_null(row) {
                        text.append_null();
                    } else {
                        text.append_value(value_text(column.as_ref(), row)?);
                    }
                }
                Ok(Arc::new(text.finish()) as ArrayRef)
            } else {
                Ok(Arc::clone(column))
            }
        })
        .collect::<Result<Vec<_>, ArrowError>>()?;
    RecordBatch::try_new(flat_schema(&schema), columns)
}

/// One value in Athena's notation; NULL inside a nested value reads `null`.
pub fn value_text(array: &dyn Array, row: usize) -> Result<String, ArrowError> {
    if array.is_null(row) {
        return Ok("null".to_owned());
    }
    match array.data_type() {
        DataType::List(_) => list_text(array.as_list::<i32>(), row),
        DataType::LargeList(_) => list_text(array.as_list::<i64>(), row),
        DataType::FixedSizeList(..) => {
            let list = array.as_fixed_size_list();
            items_text(list.value(row).as_ref())
        }
        DataType::Struct(fields) => {
            let record = array.as_struct();
            let parts = fields
                .iter()
                .zip(record.columns())
                .map(|(field, column)| {
                    Ok(format!(
                        "{}={}",
                        field.name(),
                        value_text(column.as_ref(), row)?
                    ))
                })
                .collect::<Result<Vec<_>, ArrowError>>()?;
            Ok(format!("{{{}}}", parts.join(", ")))
        }
        DataType::Map(..) => {
            let map = array.as_map();
            let entries = map.value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            let parts = (0..entries.len())
                .map(|i| {
                    Ok(format!(
                        "{}={}",
                        value_text(keys.as_ref(), i)?,
                        value_text(values.as_ref(), i)?
                    ))
                })
                .collect::<Result<Vec<_>, ArrowError>>()?;
            Ok(format!("{{{}}}", parts.join(", ")))
        }
        DataType::Float64 => Ok(java_double(array.as_primitive::<Float64Type>().value(row))),
        DataType::Float32 => Ok(java_double(f64::from(
            array.as_primitive::<Float32Type>().value(row),
        ))),
        DataType::Timestamp(_, Some(zone)) => {
            // Athena writes a zoned timestamp as its wall clock and the zone's name.
            let options = FormatOptions::default().with_timestamp_tz_format(Some(TIMESTAMP_FORMAT));
            let wall_clock = ArrayFormatter::try_new(array, &options)?
                .value(row)
                .to_string();
            Ok(format!("{wall_clock} {zone}"))
        }
        DataType::Timestamp(..) => {
            let options = FormatOptions::default().with_timestamp_format(Some(TIMESTAMP_FORMAT));
            Ok(ArrayFormatter::try_new(array, &options)?
                .value(row)
                .to_string())
        }
        _ => Ok(ArrayFormatter::try_new(array, &FormatOptions::default())?
            .value(row)
            .to_string()),
    }
}

/// Athena's text for the cells of one column, with the per-column work (choosing the
/// notation, building arrow's formatter) done once: scanning a million cells (filtering a
/// result) would otherwise build a formatter per cell in [`value_text`].
pub struct ColumnText<'a> {
    array: &'a dyn Array,
    notation: Notation<'a>,
}

enum Notation<'a> {
    Utf8(&'a GenericStringArray<i32>),
    LargeUtf8(&'a GenericStringArray<i64>),
    View(&'a StringViewArray),
    /// arrow's formatter, and the zone written after a zoned timestamp's wall clock.
    Formatted(ArrayFormatter<'a>, Option<&'a str>),
    /// Doubles and nested values: [`value_text`] per cell.
    PerCell,
    /// A timestamp without a zone as integer ticks, `per_second` of them a second; arrow's
    /// formatter for the years four digits cannot write.
    Timestamp {
        raw: ArrayRef,
        per_second: i64,
        fallback: ArrayFormatter<'a>,
    },
}

impl<'a> ColumnText<'a> {
    /// Prepares `array`'s notation.
    pub fn new(array: &'a dyn Array) -> Result<Self, ArrowError> {
        let notation = match array.data_type() {
            DataType::Utf8 => Notation::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Notation::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View => Notation::View(array.as_string_view()),
            DataType::Float64 | DataType::Float32 => Notation::PerCell,
            data_type if is_nested(data_type) => Notation::PerCell,
            DataType::Timestamp(_, Some(zone)) => {
                let options =
                    FormatOptions::default().with_timestamp_tz_format(Some(TIMESTAMP_FORMAT));
                Notation::Formatted(ArrayFormatter::try_new(array, &options)?, Some(zone))
            }
            DataType::Timestamp(unit, None) => {
                // Written by hand: chrono's pattern formatting costs several times more, and a
                // filter over a million rows formats every one.
                let per_second: i64 = match unit {
                    TimeUnit::Second => 1,
                    TimeUnit::Millisecond => 1_000,
                    TimeUnit::Microsecond => 1_000_000,
                    TimeUnit::Nanosecond => 1_000_000_000,
                };
                let raw = datafusion::arrow::compute::cast(array, &DataType::Int64)?;
                let options =
                    FormatOptions::default().with_timestamp_format(Some(TIMESTAMP_FORMAT));
                Notation::Timestamp {
                    raw,
                    per_second,
                    fallback: ArrayFormatter::try_new(array, &options)?,
                }
            }
            _ => Notation::Formatted(
                ArrayFormatter::try_new(array, &FormatOptions::default())?,
                None,
            ),
        };
        Ok(Self { array, notation })
    }

    /// Row `row`'s text as [`value_text`] writes it (`None` for NULL): borrowed from a text
    /// column, else written into `out`.
    pub fn text<'s>(
        &'s self,
        row: usize,
        out: &'s mut String,
    ) -> Result<Option<&'s str>, ArrowError> {
        use std::fmt::Write as _;
        if self.array.is_null(row) {
            return Ok(None);
        }
        out.clear();
        match &self.notation {
            Notation::Utf8(strings) => return Ok(Some(strings.value(row))),
            Notation::LargeUtf8(strings) => return Ok(Some(strings.value(row))),
            Notation::View(strings) => return Ok(Some(strings.value(row))),
            Notation::Formatted(formatter, zone) => {
                write!(out, "{}", formatter.value(row))
                    .map_err(|e| ArrowError::ComputeError(e.to_string()))?;
                if let Some(zone) = zone {
                    out.push(' ');
                    out.push_str(zone);
                }
            }
            Notation::PerCell => out.push_str(&value_text(self.array, row)?),
            Notation::Timestamp {
                raw,
                per_second,
                fallback,
            } => {
                let ticks = raw.as_primitive::<Int64Type>().value(row);
                if !write_timestamp(ticks, *per_second, out) {
                    write!(out, "{}", fallback.value(row))
                        .map_err(|e| ArrowError::ComputeError(e.to_string()))?;
                }
            }
        }
        Ok(Some(out.as_str()))
    }
}

/// Writes `ticks` (`per_second` a second since the epoch) as `2024-02-28 19:21:09.500`;
/// `false`, writing nothing, outside years 0–9999.
fn write_timestamp(ticks: i64, per_second: i64, out: &mut String) -> bool {
    let seconds = ticks.div_euclid(per_second);
    let millis = ticks.rem_euclid(per_second) * 1_000 / per_second;
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return false;
    }
    // Digits and separators: year, month, day, hour, minute, second, milliseconds.
    let fields = [
        (year, 4, '-'),
        (month, 2, '-'),
        (day, 2, ' '),
        (in_day / 3_600, 2, ':'),
        (in_day / 60 % 60, 2, ':'),
        (in_day % 60, 2, '.'),
        (millis, 3, '\0'),
    ];
    for (value, width, separator) in fields {
        let mut digits = [b'0'; 4];
        let mut v = value;
        for slot in digits[..width].iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
        out.extend(digits[..width].iter().map(|d| char::from(*d)));
        if separator != '\0' {
            out.push(separator);
        }
    }
    true
}

fn list_text<O: OffsetSizeTrait>(
    list: &GenericListArray<O>,
    row: usize,
) -> Result<String, ArrowError> {
    items_text(list.value(row).as_ref())
}

fn items_text(items: &dyn Array) -> Result<String, ArrowError> {
    let parts = (0..items.len())
        .map(|i| value_text(items, i))
        .collect::<Result<Vec<_>, ArrowError>>()?;
    Ok(format!("[{}]", parts.join(", ")))
}

/// The name Trino gives a type (`typeof`, the inspector's title): `array(row(arn varchar))`.
pub fn trino_type(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => "varchar".to_owned(),
        DataType::Int64 => "bigint".to_owned(),
        DataType::Int32 => "integer".to_owned(),
        DataType::Int16 => "smallint".to_owned(),
        DataType::Int8 => "tinyint".to_owned(),
        DataType::Float64 => "double".to_owned(),
        DataType::Float32 => "real".to_owned(),
        DataType::Boolean => "boolean".to_owned(),
        DataType::Date32 | DataType::Date64 => "date".to_owned(),
        DataType::Timestamp(_, None) => "timestamp(3)".to_owned(),
        DataType::Timestamp(_, Some(_)) => "timestamp(3) with time zone".to_owned(),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => format!("decimal({p},{s})"),
        DataType::List(item) | DataType::LargeList(item) => {
            format!("array({})", trino_type(item.data_type()))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(fields) if fields.len() == 2 => format!(
                "map({}, {})",
                trino_type(fields[0].data_type()),
                trino_type(fields[1].data_type())
            ),
            _ => "map".to_owned(),
        },
        DataType::Struct(fields) => format!(
            "row({})",
            fields
                .iter()
                .map(|f| format!("{} {}", f.name(), trino_type(f.data_type())))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        DataType::Null => "unknown".to_owned(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "varbinary".to_owned(),
        other => other.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Int64Array, ListArray, StringArray, StructArray};
    use datafusion::arrow::datatypes::Int64Type;

    use super::*;

    #[test]
    fn column_text_writes_each_cell_as_athena_does() {
        use datafusion::arrow::array::{
            Float64Array, TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray,
        };
        let texts = |array: &dyn Array| {
            let column = ColumnText::new(array).unwrap();
            let mut out = String::new();
            (0..array.len())
                .map(|row| column.text(row, &mut out).unwrap().map(str::to_owned))
                .collect::<Vec<_>>()
        };
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            texts(&StringArray::from(vec![Some("a\tb"), None])),
            [some("a\tb"), None]
        );
        assert_eq!(
            texts(&Int64Array::from(vec![Some(-7), None, Some(1_000_000)])),
            [some("-7"), None, some("1000000")]
        );
        assert_eq!(
            texts(&Float64Array::from(vec![1e7, 0.5])),
            [some("1.0E7"), some("0.5")]
        );
        // Before the epoch, and in every unit.
        assert_eq!(
            texts(&TimestampMillisecondArray::from(vec![-1])),
            [some("1969-12-31 23:59:59.999")]
        );
        assert_eq!(
            texts(&TimestampNanosecondArray::from(vec![
                951_782_400_123_456_789
            ])),
            [some("2000-02-29 00:00:00.123")]
        );
        assert_eq!(
            texts(&TimestampSecondArray::from(vec![253_402_300_799])),
            [some("9999-12-31 23:59:59.000")]
        );
        // 2024-02-28 19:21:09.5 UTC.
        let at = vec![1_709_148_069_500];
        assert_eq!(
            texts(&TimestampMillisecondArray::from(at.clone())),
            [some("2024-02-28 19:21:09.500")]
        );
        assert_eq!(
            texts(&TimestampMillisecondArray::from(at).with_timezone("America/New_York")),
            [some("2024-02-28 14:21:09.500 America/New_York")]
        );
        let list =
            ListArray::from_iter_primitive::<Int64Type, _, _>(vec![Some(vec![Some(1), None])]);
        assert_eq!(texts(&list), [some("[1, null]")]);
    }

    #[test]
    fn zoned_timestamps_read_as_wall_clock_and_zone() {
        use datafusion::arrow::array::TimestampMillisecondArray;
        // 2024-02-28 19:21:09 UTC.
        let array = TimestampMillisecondArray::from(vec![1_709_148_069_000])
            .with_timezone("America/New_York");
        assert_eq!(
            value_text(&array, 0).unwrap(),
            "2024-02-28 14:21:09.000 America/New_York"
        );
    }

    #[test]
    fn doubles_read_as_java_writes_them() {
        for (value, text) in [
            (1.0, "1.0"),
            (0.25, "0.25"),
            (-3.5, "-3.5"),
            (0.0, "0.0"),
            (33.333_333_333_333_336, "33.333333333333336"),
            (1e7, "1.0E7"),
            (12_345_678.9, "1.23456789E7"),
            (0.001, "0.001"),
            (0.000_15, "1.5E-4"),
            (9_999_999.0, "9999999.0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(java_double(value), text, "{value}");
        }
    }

    #[test]
    fn nested_values_read_as_athenas_csv_has_them() {
        let list = ListArray::from_iter_primitive::<Int64Type, _, _>(vec![
            Some(vec![Some(1), None, Some(3)]),
            None,
            Some(vec![]),
        ]);
        let record = StructArray::from(vec![
            (
                Arc::new(Field::new("arn", DataType::Utf8, true)),
                Arc::new(StringArray::from(vec![Some("a:1"), None, Some("c")])) as ArrayRef,
            ),
            (
                Arc::new(Field::new("n", DataType::Int64, true)),
                Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef,
            ),
        ]);
        let schema = Arc::new(Schema::new(vec![
            Field::new("l", list.data_type().clone(), true),
            Field::new("r", record.data_type().clone(), true),
        ]));
        let batch = RecordBatch::try_new(schema, vec![Arc::new(list), Arc::new(record)]).unwrap();
        let flat = flatten(&batch).unwrap();
        let text = |c: usize, r: usize| {
            let column = flat.column(c).as_string::<i32>();
            column.is_valid(r).then(|| column.value(r).to_owned())
        };
        assert_eq!(text(0, 0).as_deref(), Some("[1, null, 3]"));
        assert_eq!(text(0, 1), None);
        assert_eq!(text(0, 2).as_deref(), Some("[]"));
        assert_eq!(text(1, 0).as_deref(), Some("{arn=a:1, n=1}"));
        assert_eq!(text(1, 1).as_deref(), Some("{arn=null, n=2}"));
    }
}
