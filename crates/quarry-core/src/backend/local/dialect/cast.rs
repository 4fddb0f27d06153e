//! Trino's cast from a floating-point number to an integer type rounds to the nearest integer
//! (half away from zero); DataFusion's truncates. Casts to integer types are rewritten to cast
//! `__round_floats(x)` instead, which rounds floats and passes every other type through
//! unchanged, so the cast itself (and its errors) stays DataFusion's.

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::compute::kernels::arity::unary;
use datafusion::arrow::datatypes::{DataType, Float32Type, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

/// The wrapper's name in rewritten SQL.
pub const ROUND_FLOATS: &str = "__round_floats";

/// The UDF behind [`ROUND_FLOATS`].
pub fn function() -> ScalarUDF {
    ScalarUDF::new_from_impl(RoundFloats {
        signature: Signature::any(1, Volatility::Immutable),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct RoundFloats {
    signature: Signature,
}

impl ScalarUDFImpl for RoundFloats {
    fn name(&self) -> &str {
        ROUND_FLOATS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value] = args.args.as_slice() else {
            return datafusion::common::exec_err!("{ROUND_FLOATS} takes one argument");
        };
        if !matches!(value.data_type(), DataType::Float64 | DataType::Float32) {
            return Ok(value.clone());
        }
        let array = value.to_array(args.number_rows)?;
        let rounded: ArrayRef = match array.data_type() {
            DataType::Float64 => Arc::new(unary::<Float64Type, _, Float64Type>(
                array.as_primitive::<Float64Type>(),
                f64::round,
            )),
            DataType::Float32 => Arc::new(unary::<Float32Type, _, Float32Type>(
                array.as_primitive::<Float32Type>(),
                f32::round,
            )),
            _ => array,
        };
        Ok(ColumnarValue::Array(rounded))
    }
}
