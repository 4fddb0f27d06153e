//! One shape for the Trino functions quarry adds to DataFusion: fixed parameter types (DataFusion
//! casts the arguments to them), one return type, and an evaluation over whole arrays. Each
//! strict function has a lenient twin, `__try_<name>`, that gives NULL where the strict one
//! fails — what Trino's `try(...)` does around it.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{DataFusionError, Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// Trino's timestamp precision (milliseconds), without a zone: quarry's timestamps are UTC.
pub const TIMESTAMP: DataType = DataType::Timestamp(TimeUnit::Millisecond, None);

/// What a function does with its (already cast) arguments, for `rows` rows. `lenient` asks
/// for NULL instead of an error on bad input.
pub type Eval = fn(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef>;

/// A Trino function on DataFusion.
#[derive(Debug)]
pub struct TrinoFunction {
    name: String,
    /// Parameter types; with a second list, calls may also leave out the trailing ones.
    params: Vec<DataType>,
    required: usize,
    output: DataType,
    eval: Eval,
    lenient: bool,
    /// The parameter whose DATE type the result keeps (Trino's `date_add` on a date is a
    /// date); the evaluation then sees that argument as a date.
    keeps_date: Option<usize>,
    /// A zoned timestamp argument is read as its wall clock in its zone (formatting), not as
    /// its UTC instant.
    wall_clock: bool,
    signature: Signature,
}

/// Functions that read a zoned timestamp as the wall clock in its zone, as Trino formats
/// `ts AT TIME ZONE 'Europe/Paris'`.
const WALL_CLOCK: &[&str] = &["date_format", "format_datetime"];

/// Functions that take a DATE where they declare a timestamp, and tell the two apart
/// (`to_iso8601(DATE '2024-02-26')` is `2024-02-26`, not a midnight).
const DATES_AS_DATES: &[&str] = &["to_iso8601"];

impl TrinoFunction {
    /// A function `name(params…) → output`; the first `required` parameters must be given.
    pub fn udf(
        name: &str,
        params: &[DataType],
        required: usize,
        output: DataType,
        eval: Eval,
    ) -> [ScalarUDF; 2] {
        Self::udf_keeping_date(name, params, required, output, eval, None)
    }

    /// As [`Self::udf`], with a result that is a DATE when parameter `keeps_date` is one.
    pub fn udf_keeping_date(
        name: &str,
        params: &[DataType],
        required: usize,
        output: DataType,
        eval: Eval,
        keeps_date: Option<usize>,
    ) -> [ScalarUDF; 2] {
        let make = move |name: String, lenient| {
            let wall_clock = WALL_CLOCK.contains(&name.trim_start_matches("__try_"));
            ScalarUDF::new_from_impl(Self {
                name,
                params: params.to_vec(),
                required,
                output: output.clone(),
                eval,
                lenient,
                keeps_date,
                wall_clock,
                signature: Signature::user_defined(Volatility::Immutable),
            })
        };
        [make(name.to_owned(), false), make(lenient_name(name), true)]
    }

    fn date_kept(&self, arg_types: &[DataType]) -> bool {
        self.keeps_date
            .is_some_and(|i| arg_types.get(i) == Some(&DataType::Date32))
    }
}

/// The name of a function's lenient twin.
pub fn lenient_name(name: &str) -> String {
    format!("__try_{name}")
}

impl PartialEq for TrinoFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TrinoFunction {}

impl Hash for TrinoFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for TrinoFunction {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.date_kept(arg_types) {
            DataType::Date32
        } else {
            self.output.clone()
        })
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let shown = self.name.trim_start_matches("__try_");
        if arg_types.len() < self.required || arg_types.len() > self.params.len() {
            let count = if self.required == self.params.len() {
                self.required.to_string()
            } else {
                format!("{} to {}", self.required, self.params.len())
            };
            return Err(DataFusionError::Plan(format!(
                "{shown} takes {count} arguments ({}), not {}",
                self.params
                    .iter()
                    .map(type_name)
                    .collect::<Vec<_>>()
                    .join(", "),
                arg_types.len()
            )));
        }
        let mut params = self.params[..arg_types.len()].to_vec();
        if let Some(i) = self.keeps_date.filter(|_| self.date_kept(arg_types)) {
            params[i] = DataType::Date32;
        }
        if DATES_AS_DATES.contains(&self.name.trim_start_matches("__try_")) {
            for (param, arg) in params.iter_mut().zip(arg_types) {
                if *param == TIMESTAMP && arg == &DataType::Date32 {
                    *param = DataType::Date32;
                }
            }
        }
        // A zoned timestamp keeps its zone, for the evaluation to read it right.
        for (param, arg) in params.iter_mut().zip(arg_types) {
            if let (DataType::Timestamp(_, None), DataType::Timestamp(_, Some(zone))) =
                (&*param, arg)
            {
                *param = DataType::Timestamp(TimeUnit::Millisecond, Some(Arc::clone(zone)));
            }
        }
        Ok(params)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?
            .into_iter()
            .map(|array| super::zones::unzoned(array, self.wall_clock))
            .collect::<Result<Vec<_>>>()?;
        let result = (self.eval)(&arrays, self.lenient)?;
        if result.len() != args.number_rows {
            return exec_err!(
                "{} returned {} rows for {}",
                self.name,
                result.len(),
                args.number_rows
            );
        }
        Ok(ColumnarValue::Array(result))
    }
}

/// The Trino name of a parameter type, for messages.
fn type_name(data_type: &DataType) -> &'static str {
    match data_type {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => "varchar",
        DataType::Int64 => "bigint",
        DataType::Float64 => "double",
        DataType::Timestamp(..) => "timestamp",
        _ => "value",
    }
}

/// A function error as Trino words it, or NULL when `lenient`.
pub fn fail<T>(lenient: bool, message: impl FnOnce() -> String) -> Result<Option<T>> {
    if lenient {
        Ok(None)
    } else {
        Err(DataFusionError::Execution(message()))
    }
}

/// The array of `rows` results built from `f` per row.
pub fn collect<T, A>(rows: usize, mut f: impl FnMut(usize) -> Result<Option<T>>) -> Result<ArrayRef>
where
    A: Array + FromIterator<Option<T>> + 'static,
{
    let values: Vec<Option<T>> = (0..rows).map(&mut f).collect::<Result<_>>()?;
    Ok(Arc::new(values.into_iter().collect::<A>()))
}

/// The last per-row argument compiled (a pattern, a regex) and what compiling it gave: a
/// column's rows nearly always share one, so each distinct run compiles once.
pub struct LastCompiled<T> {
    last: Option<(String, Result<T, String>)>,
}

impl<T> Default for LastCompiled<T> {
    fn default() -> Self {
        Self { last: None }
    }
}

impl<T> LastCompiled<T> {
    /// `key` compiled by `compile`, or why it does not compile.
    pub fn get(
        &mut self,
        key: &str,
        compile: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<&T, &str> {
        if self.last.as_ref().is_none_or(|(k, _)| k != key) {
            self.last = Some((key.to_owned(), compile(key)));
        }
        match self.last.as_ref().map(|(_, compiled)| compiled) {
            Some(Ok(value)) => Ok(value),
            Some(Err(why)) => Err(why),
            None => Err("nothing compiled"),
        }
    }
}
