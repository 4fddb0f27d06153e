//! Time zones as Trino has them: `ts AT TIME ZONE 'America/New_York'` and `at_timezone` keep the
//! instant and show it in the zone; `with_timezone` reads a wall clock as being in the zone.
//! quarry's timestamps are UTC instants, so both return arrow's zoned timestamp (the instant
//! and the zone's name): DataFusion's `hour()` and `date_trunc` then work in the zone, and
//! quarry's formatting functions read the zone's wall clock.

use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone};
use datafusion::arrow::array::timezone::Tz;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, TimestampMillisecondArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, TimeUnit, TimestampMillisecondType};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

/// `at_timezone` and `with_timezone`.
pub fn functions() -> Vec<ScalarUDF> {
    [Shift::Keep, Shift::Reread]
        .into_iter()
        .map(|shift| {
            ScalarUDF::new_from_impl(ZoneFunction {
                shift,
                signature: Signature::any(2, Volatility::Immutable),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shift {
    /// The same instant, shown in the zone (`at_timezone`, `AT TIME ZONE`).
    Keep,
    /// The same wall clock, taken to be in the zone (`with_timezone`).
    Reread,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ZoneFunction {
    shift: Shift,
    signature: Signature,
}

/// A zone name as Trino takes it: an IANA name or an offset such as `+02:00`.
fn zone(name: &str) -> Result<Tz> {
    let name = if name.eq_ignore_ascii_case("utc") || name == "Z" {
        "+00:00"
    } else {
        name
    };
    Tz::from_str(name).or_else(|_| plan_err!("unknown time zone {name:?}"))
}

impl ScalarUDFImpl for ZoneFunction {
    fn name(&self) -> &str {
        match self.shift {
            Shift::Keep => "at_timezone",
            Shift::Reread => "with_timezone",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        plan_err!("{} needs its zone as a literal", self.name())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let Some(Some(ScalarValue::Utf8(Some(name)) | ScalarValue::Utf8View(Some(name)))) =
            args.scalar_arguments.get(1)
        else {
            return plan_err!("{}: the zone must be a text literal", self.name());
        };
        zone(name)?;
        if !matches!(args.arg_fields[0].data_type(), DataType::Timestamp(..)) {
            return plan_err!(
                "{}: {} is not a timestamp",
                self.name(),
                args.arg_fields[0].data_type()
            );
        }
        Ok(Arc::new(Field::new(
            self.name(),
            DataType::Timestamp(TimeUnit::Millisecond, Some(Arc::from(name.as_str()))),
            true,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let DataType::Timestamp(_, Some(name)) = args.return_field.data_type() else {
            return exec_err!("{}: no zone in the result type", self.name());
        };
        let tz = zone(name)?;
        let input = args.args[0].to_array(args.number_rows)?;
        // The UTC instant in milliseconds (a zoned input's values already are).
        let instants = cast(
            &input,
            &DataType::Timestamp(TimeUnit::Millisecond, input_zone(input.data_type())),
        )?;
        let millis = instants.as_primitive::<TimestampMillisecondType>();
        let values: TimestampMillisecondArray = match self.shift {
            Shift::Keep => millis.iter().collect(),
            Shift::Reread => millis
                .iter()
                .map(|v| v.and_then(|ms| wall_clock_to_instant(ms, tz)))
                .collect(),
        };
        Ok(ColumnarValue::Array(Arc::new(
            values.with_timezone(Arc::clone(name)),
        )))
    }
}

fn input_zone(data_type: &DataType) -> Option<Arc<str>> {
    match data_type {
        DataType::Timestamp(_, zone) => zone.clone(),
        _ => None,
    }
}

/// The instant at which the wall clock `ms` (as if UTC) reads in `tz` (the earlier of two in a
/// repeated hour; a skipped hour has none).
fn wall_clock_to_instant(ms: i64, tz: Tz) -> Option<i64> {
    let wall = DateTime::from_timestamp_millis(ms)?.naive_utc();
    tz.from_local_datetime(&wall)
        .earliest()
        .map(|t| t.timestamp_millis())
}

/// `ms` (an instant) as the wall clock in `tz`, in milliseconds as if UTC.
fn instant_to_wall_clock(ms: i64, tz: Tz) -> Option<i64> {
    let at: NaiveDateTime = DateTime::from_timestamp_millis(ms)?.naive_utc();
    let offset = tz.offset_from_utc_datetime(&at).fix().local_minus_utc();
    ms.checked_add(i64::from(offset) * 1000)
}

/// A zoned timestamp array as quarry's functions take timestamps: the UTC instant, or with
/// `wall_clock` the time its zone's clocks show. Other arrays pass through.
pub fn unzoned(array: ArrayRef, wall_clock: bool) -> Result<ArrayRef> {
    let DataType::Timestamp(_, Some(name)) = array.data_type() else {
        return Ok(array);
    };
    let tz = zone(name)?;
    let millis = cast(
        &array,
        &DataType::Timestamp(TimeUnit::Millisecond, Some(Arc::clone(name))),
    )?;
    let millis = millis.as_primitive::<TimestampMillisecondType>();
    let values: TimestampMillisecondArray = if wall_clock {
        millis
            .iter()
            .map(|v| v.and_then(|ms| instant_to_wall_clock(ms, tz)))
            .collect()
    } else {
        millis.iter().collect()
    };
    Ok(Arc::new(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    #[test]
    fn wall_clocks_follow_the_zone_and_its_daylight_saving() {
        let new_york = zone("America/New_York").unwrap();
        // Winter: UTC-5; summer: UTC-4.
        assert_eq!(
            instant_to_wall_clock(ms("2024-02-28 19:21:09"), new_york),
            Some(ms("2024-02-28 14:21:09"))
        );
        assert_eq!(
            instant_to_wall_clock(ms("2024-07-01 12:00:00"), new_york),
            Some(ms("2024-07-01 08:00:00"))
        );
        assert_eq!(
            wall_clock_to_instant(ms("2024-07-01 08:00:00"), new_york),
            Some(ms("2024-07-01 12:00:00"))
        );
        // 02:30 on the spring-forward day does not exist in New York.
        assert_eq!(
            wall_clock_to_instant(ms("2024-03-10 02:30:00"), new_york),
            None
        );
        let plus_two = zone("+02:00").unwrap();
        assert_eq!(
            instant_to_wall_clock(ms("2024-02-28 23:00:00"), plus_two),
            Some(ms("2024-02-29 01:00:00"))
        );
        assert!(zone("Mars/Olympus_Mons").is_err());
    }
}
