//! Trino's two-argument `sequence(start, stop)`: every integer, or every day for dates, from
//! `start` to `stop` inclusive, counting down when `stop` is smaller. DataFusion's
//! `generate_series` counts only up and needs a step for dates. (With a step, `sequence`
//! becomes `generate_series` directly.)

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Builder, Int64Builder, ListBuilder,
};
use datafusion::arrow::datatypes::{DataType, Date32Type, Field, Int64Type};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// Longest sequence, as Trino limits it.
const MAX_ENTRIES: i64 = 10_000;

/// `__sequence`, what `sequence(a, b)` is rewritten to.
pub fn function() -> ScalarUDF {
    ScalarUDF::new_from_impl(Sequence {
        signature: Signature::user_defined(Volatility::Immutable),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Sequence {
    signature: Signature,
}

fn is_date(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Date32 | DataType::Date64)
}

impl ScalarUDFImpl for Sequence {
    fn name(&self) -> &'static str {
        "__sequence"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [a, b] if is_date(a) && is_date(b) => Ok(vec![DataType::Date32, DataType::Date32]),
            [a, b] if a.is_integer() && b.is_integer() => {
                Ok(vec![DataType::Int64, DataType::Int64])
            }
            [DataType::Null, _] | [_, DataType::Null] => Ok(vec![DataType::Int64, DataType::Int64]),
            _ => plan_err!(
                "sequence takes two integers or two dates (timestamps need a step), not {arg_types:?}"
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let item = if arg_types.first().is_some_and(is_date) {
            DataType::Date32
        } else {
            DataType::Int64
        };
        Ok(DataType::List(Arc::new(Field::new_list_field(item, true))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (from, to) = (&arrays[0], &arrays[1]);
        let bounds: Vec<Option<(i64, i64)>> = match from.data_type() {
            DataType::Date32 => {
                let (a, b) = (
                    from.as_primitive::<Date32Type>(),
                    to.as_primitive::<Date32Type>(),
                );
                (0..a.len())
                    .map(|i| {
                        (a.is_valid(i) && b.is_valid(i))
                            .then(|| (i64::from(a.value(i)), i64::from(b.value(i))))
                    })
                    .collect()
            }
            _ => {
                let (a, b) = (
                    from.as_primitive::<Int64Type>(),
                    to.as_primitive::<Int64Type>(),
                );
                (0..a.len())
                    .map(|i| (a.is_valid(i) && b.is_valid(i)).then(|| (a.value(i), b.value(i))))
                    .collect()
            }
        };
        for (start, stop) in bounds.iter().flatten() {
            if (stop - start).abs() >= MAX_ENTRIES {
                return exec_err!(
                    "sequence: {} entries from {start} to {stop}, more than Trino's {MAX_ENTRIES}",
                    (stop - start).abs() + 1
                );
            }
        }
        let steps = |(start, stop): (i64, i64)| {
            let step = if start <= stop { 1 } else { -1 };
            (0..=(stop - start).abs()).map(move |k| start + k * step)
        };
        let list: ArrayRef = if from.data_type() == &DataType::Date32 {
            let mut out = ListBuilder::new(Date32Builder::new());
            for bound in bounds {
                match bound {
                    Some(range) => {
                        for day in steps(range) {
                            out.values()
                                .append_value(i32::try_from(day).unwrap_or(i32::MAX));
                        }
                        out.append(true);
                    }
                    None => out.append_null(),
                }
            }
            Arc::new(out.finish())
        } else {
            let mut out = ListBuilder::new(Int64Builder::new());
            for bound in bounds {
                match bound {
                    Some(range) => {
                        for n in steps(range) {
                            out.values().append_value(n);
                        }
                        out.append(true);
                    }
                    None => out.append_null(),
                }
            }
            Arc::new(out.finish())
        };
        Ok(ColumnarValue::Array(list))
    }
}
