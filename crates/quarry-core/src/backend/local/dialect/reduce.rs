//! Trino's `reduce(array, initial, (state, x) -> next, state -> result)` as a DataFusion
//! higher-order function. The fold runs position by position over the whole batch: at step
//! `k` the input lambda is evaluated once, for the rows whose arrays have a `k`-th element,
//! with those rows' states and elements (and their captured columns), and the new states are
//! put back; then the output lambda runs once over all the states. A NULL array gives NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, UInt32Array, new_null_array};
use datafusion::arrow::compute::{cast, interleave, take};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDF, HigherOrderUDFImpl, LambdaParametersProgress, ValueOrLambda, Volatility,
};

/// `reduce`.
pub fn function() -> Arc<HigherOrderUDF> {
    Arc::new(HigherOrderUDF::new_from_impl(Reduce {
        signature: HigherOrderSignature::exact(
            vec![
                ValueOrLambda::Value(()),
                ValueOrLambda::Value(()),
                ValueOrLambda::Lambda(()),
                ValueOrLambda::Lambda(()),
            ],
            Volatility::Immutable,
        ),
    }))
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Reduce {
    signature: HigherOrderSignature,
}

fn element_field(list: &Field) -> Result<FieldRef> {
    match list.data_type() {
        DataType::List(item) | DataType::LargeList(item) => Ok(Arc::clone(item)),
        other => plan_err!("reduce takes an array first, not {other}"),
    }
}

impl HigherOrderUDFImpl for Reduce {
    fn name(&self) -> &'static str {
        "reduce"
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn coerce_value_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(arg_types.to_vec())
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let [
            ValueOrLambda::Value(list),
            ValueOrLambda::Value(initial),
            ValueOrLambda::Lambda(_),
            ValueOrLambda::Lambda(_),
        ] = fields
        else {
            return plan_err!("reduce takes (array, initial, (s, x) -> …, s -> …)");
        };
        // The state keeps the initial value's type, as in Trino (`reduce(a, 0, …)` sums
        // integers; `0.0` or a cast starts a decimal or double sum). Each step's value is cast
        // to it.
        let state = Arc::new(Field::new("state", initial.data_type().clone(), true));
        let element = element_field(list)?;
        Ok(LambdaParametersProgress::Complete(vec![
            vec![Arc::clone(&state), element],
            vec![state],
        ]))
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        let [_, _, _, ValueOrLambda::Lambda(output)] = args.arg_fields else {
            return plan_err!("reduce takes (array, initial, (s, x) -> …, s -> …)");
        };
        Ok(Arc::new(Field::new(
            "reduce",
            output.data_type().clone(),
            true,
        )))
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let [
            ValueOrLambda::Value(list),
            ValueOrLambda::Value(initial),
            ValueOrLambda::Lambda(input),
            ValueOrLambda::Lambda(output),
        ] = args.args.as_slice()
        else {
            return exec_err!("reduce takes (array, initial, (s, x) -> …, s -> …)");
        };
        let list = list.to_array(rows)?;
        let list = cast(
            &list,
            &DataType::List(element_field(&Field::new(
                "l",
                list.data_type().clone(),
                true,
            ))?),
        )?;
        let list = list.as_list::<i32>();
        let mut state = initial.to_array(rows)?;
        let longest = (0..rows)
            .filter(|&r| list.is_valid(r))
            .map(|r| list.value_length(r) as usize)
            .max()
            .unwrap_or(0);
        let offsets = list.value_offsets();
        for k in 0..longest {
            let active: Vec<u32> = (0..rows)
                .filter(|&r| list.is_valid(r) && (list.value_length(r) as usize) > k)
                .map(|r| r as u32)
                .collect();
            let active = UInt32Array::from(active);
            let elements = UInt32Array::from(
                active
                    .values()
                    .iter()
                    .map(|&r| (offsets[r as usize] as usize + k) as u32)
                    .collect::<Vec<_>>(),
            );
            let states = take(&state, &active, None)?;
            let items = take(list.values(), &elements, None)?;
            let next = input
                .evaluate(
                    &[&|| Ok(Arc::clone(&states)), &|| Ok(Arc::clone(&items))],
                    |captured| {
                        captured
                            .iter()
                            .map(|c| Ok(take(c, &active, None)?))
                            .collect()
                    },
                )?
                .into_array(active.len())?;
            let next = cast(&next, state.data_type())?;
            // Each row keeps its state, or takes the new one when it was active at this step.
            let mut position = 0;
            let picks: Vec<(usize, usize)> = (0..rows)
                .map(|r| {
                    if position < active.len() && active.value(position) as usize == r {
                        position += 1;
                        (1, position - 1)
                    } else {
                        (0, r)
                    }
                })
                .collect();
            state = interleave(&[state.as_ref(), next.as_ref()], &picks)?;
        }
        let states = Arc::clone(&state);
        let result = output
            .evaluate(&[&|| Ok(Arc::clone(&states))], |captured| {
                Ok(captured.to_vec())
            })?
            .into_array(rows)?;
        // A NULL array reduces to NULL.
        let nulls = new_null_array(result.data_type(), rows);
        let picks: Vec<(usize, usize)> = (0..rows)
            .map(|r| if list.is_valid(r) { (0, r) } else { (1, r) })
            .collect();
        let result: ArrayRef = interleave(&[result.as_ref(), nulls.as_ref()], &picks)?;
        Ok(ColumnarValue::Array(result))
    }
}
