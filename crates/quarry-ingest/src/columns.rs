//! Converted cells meeting Arrow: whether a cell fits a column's type, and the Arrow column
//! a buffer's cells become.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};

use super::stream::ColumnType;
use quarry_records::Cell;

/// True when `cell` can be written as `column_type` without losing anything.
pub fn fits(cell: &Cell, column_type: ColumnType) -> bool {
    match cell {
        Cell::Null => true,
        Cell::Text(_) => column_type == ColumnType::String,
        Cell::Int(n) => match column_type {
            ColumnType::Bigint | ColumnType::Double => true,
            ColumnType::Int => i32::try_from(*n).is_ok(),
            ColumnType::String | ColumnType::Boolean => false,
        },
        Cell::Float(_) => column_type == ColumnType::Double,
        Cell::Bool(_) => column_type == ColumnType::Boolean,
    }
}

pub fn cell_kind(cell: &Cell) -> &'static str {
    match cell {
        Cell::Null => "null",
        Cell::Text(_) => "a string",
        Cell::Int(_) => "an integer",
        Cell::Float(_) => "a double",
        Cell::Bool(_) => "a boolean",
    }
}

/// One Arrow column of `column_type` from converted cells (which already have that type).
pub fn column<'a>(column_type: ColumnType, cells: impl Iterator<Item = &'a Cell>) -> ArrayRef {
    match column_type {
        ColumnType::String => {
            let mut b = StringBuilder::new();
            for cell in cells {
                match cell {
                    Cell::Text(s) => b.append_value(s),
                    _ => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        ColumnType::Bigint => {
            let mut b = Int64Builder::new();
            cells.for_each(|c| b.append_option(if let Cell::Int(n) = c { Some(*n) } else { None }));
            Arc::new(b.finish())
        }
        ColumnType::Int => {
            let mut b = Int32Builder::new();
            cells.for_each(|c| {
                b.append_option(match c {
                    Cell::Int(n) => i32::try_from(*n).ok(),
                    _ => None,
                });
            });
            Arc::new(b.finish())
        }
        ColumnType::Double => {
            let mut b = Float64Builder::new();
            cells.for_each(|c| {
                b.append_option(match c {
                    Cell::Float(f) => Some(*f),
                    Cell::Int(n) => Some(*n as f64),
                    _ => None,
                });
            });
            Arc::new(b.finish())
        }
        ColumnType::Boolean => {
            let mut b = BooleanBuilder::new();
            cells.for_each(|c| {
                b.append_option(if let Cell::Bool(v) = c {
                    Some(*v)
                } else {
                    None
                });
            });
            Arc::new(b.finish())
        }
    }
}
