//! Trino's map aggregations, which DataFusion lacks: `map_agg(key, value)` (a map of each key to
//! one of its values) and `histogram(x)` (a map of each value to how often it occurs). Keys are
//! kept in their sort order, so a local answer prints the same way every time; NULL keys are
//! skipped, as in Trino.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, MapArray, StructArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};

/// `map_agg` and `histogram`.
pub fn functions() -> Vec<AggregateUDF> {
    [Kind::MapAgg, Kind::Histogram]
        .into_iter()
        .map(|kind| {
            AggregateUDF::new_from_impl(MapAggregate {
                kind,
                signature: Signature::user_defined(Volatility::Immutable),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    MapAgg,
    Histogram,
}

impl Kind {
    fn arity(self) -> usize {
        match self {
            Self::MapAgg => 2,
            Self::Histogram => 1,
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct MapAggregate {
    kind: Kind,
    signature: Signature,
}

/// The map type Trino's functions return: non-null keys, nullable values.
fn map_type(key: &DataType, value: &DataType) -> DataType {
    let entries = Fields::from(vec![
        Field::new("key", key.clone(), false),
        Field::new("value", value.clone(), true),
    ]);
    DataType::Map(
        Arc::new(Field::new("entries", DataType::Struct(entries), false)),
        false,
    )
}

/// The key and value types of a map type.
fn entry_types(map: &DataType) -> Result<(DataType, DataType)> {
    match map {
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(fields) if fields.len() == 2 => {
                Ok((fields[0].data_type().clone(), fields[1].data_type().clone()))
            }
            other => plan_err!("map entries of type {other}"),
        },
        other => plan_err!("not a map type: {other}"),
    }
}

impl AggregateUDFImpl for MapAggregate {
    fn name(&self) -> &str {
        match self.kind {
            Kind::MapAgg => "map_agg",
            Kind::Histogram => "histogram",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match (self.kind, arg_types) {
            (Kind::MapAgg, [key, value]) => Ok(map_type(key, value)),
            (Kind::Histogram, [key]) => Ok(map_type(key, &DataType::Int64)),
            _ => plan_err!("{} takes {} arguments", self.name(), self.kind.arity()),
        }
    }

    /// Strings become `Utf8`: Parquet's are read as views, and a subscript with a literal key
    /// (`m['GET']`) must find them.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != self.kind.arity() {
            return plan_err!("{} takes {} arguments", self.name(), self.kind.arity());
        }
        Ok(arg_types
            .iter()
            .map(|t| match t {
                DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
                other => other.clone(),
            })
            .collect())
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let (key_type, value_type) = entry_types(acc_args.return_field.data_type())?;
        Ok(Box::new(MapAccumulator {
            kind: self.kind,
            key_type,
            value_type,
            entries: HashMap::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let (key_type, value_type) = entry_types(args.return_type())?;
        Ok(vec![
            Arc::new(Field::new_list(
                format!("{}[keys]", args.name),
                Field::new_list_field(key_type, true),
                true,
            )),
            Arc::new(Field::new_list(
                format!("{}[values]", args.name),
                Field::new_list_field(value_type, true),
                true,
            )),
        ])
    }
}

#[derive(Debug)]
struct MapAccumulator {
    kind: Kind,
    key_type: DataType,
    value_type: DataType,
    /// Key → value (`map_agg`: the first value seen; `histogram`: the count so far).
    entries: HashMap<ScalarValue, ScalarValue>,
}

impl MapAccumulator {
    /// The entries in key order.
    fn sorted(&self) -> Vec<(&ScalarValue, &ScalarValue)> {
        let mut entries: Vec<_> = self.entries.iter().collect();
        entries.sort_by(|a, b| a.0.partial_cmp(b.0).unwrap_or(Ordering::Equal));
        entries
    }

    fn add(&mut self, key: ScalarValue, value: ScalarValue) -> Result<()> {
        if key.is_null() {
            return Ok(());
        }
        match self.kind {
            Kind::MapAgg => {
                self.entries.entry(key).or_insert(value);
            }
            Kind::Histogram => {
                let count = match value {
                    ScalarValue::Int64(Some(n)) => n,
                    other => return exec_err!("histogram: a count of {other}"),
                };
                let entry = self
                    .entries
                    .entry(key)
                    .or_insert(ScalarValue::Int64(Some(0)));
                if let ScalarValue::Int64(Some(total)) = entry {
                    *total += count;
                }
            }
        }
        Ok(())
    }
}

impl Accumulator for MapAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let keys = &values[0];
        for row in 0..keys.len() {
            let key = ScalarValue::try_from_array(keys, row)?;
            let value = match self.kind {
                Kind::MapAgg => ScalarValue::try_from_array(&values[1], row)?,
                Kind::Histogram => ScalarValue::Int64(Some(1)),
            };
            self.add(key, value)?;
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let (keys, values) = (states[0].as_list::<i32>(), states[1].as_list::<i32>());
        for row in 0..keys.len() {
            if keys.is_null(row) {
                continue;
            }
            let (row_keys, row_values) = (keys.value(row), values.value(row));
            for i in 0..row_keys.len() {
                self.add(
                    ScalarValue::try_from_array(&row_keys, i)?,
                    ScalarValue::try_from_array(&row_values, i)?,
                )?;
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let keys: Vec<ScalarValue> = self.entries.keys().cloned().collect();
        let values: Vec<ScalarValue> = self.entries.values().cloned().collect();
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&keys, &self.key_type)),
            ScalarValue::List(ScalarValue::new_list_nullable(&values, &self.value_type)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.entries.is_empty() {
            // Trino's aggregations other than count answer NULL for no rows.
            return ScalarValue::try_from(&map_type(&self.key_type, &self.value_type));
        }
        let sorted = self.sorted();
        let keys = if sorted.is_empty() {
            datafusion::arrow::array::new_empty_array(&self.key_type)
        } else {
            ScalarValue::iter_to_array(sorted.iter().map(|(k, _)| (*k).clone()))?
        };
        let values = if sorted.is_empty() {
            datafusion::arrow::array::new_empty_array(&self.value_type)
        } else {
            ScalarValue::iter_to_array(sorted.iter().map(|(_, v)| (*v).clone()))?
        };
        let DataType::Map(entries_field, _) = map_type(&self.key_type, &self.value_type) else {
            return exec_err!("{:?}: not a map type", self.kind);
        };
        let DataType::Struct(fields) = entries_field.data_type().clone() else {
            return exec_err!("{:?}: map entries are not a struct", self.kind);
        };
        let count = keys.len();
        let entries = StructArray::try_new(fields, vec![keys, values], None)?;
        let map = MapArray::try_new(
            entries_field,
            OffsetBuffer::from_lengths([count]),
            entries,
            None,
            false,
        )?;
        Ok(ScalarValue::Map(Arc::new(map)))
    }

    fn size(&self) -> usize {
        size_of_val(self)
            + self
                .entries
                .iter()
                .map(|(k, v)| k.size() + v.size())
                .sum::<usize>()
    }
}
