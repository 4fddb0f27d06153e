//! Schema drift on the local engine, answered the way Athena answers it. A file that lacks a
//! column reads it as NULL and a file with a narrower type of it (int for bigint, float for
//! double) is widened, as DataFusion's default adapter does; a file whose type does not fit
//! (text where the table has a number) is refused by name instead of being cast value by value,
//! which would turn every unparseable value into an error or a NULL nobody asked for.

use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::{DataFusionError, Result};
use datafusion::physical_expr::utils::collect_columns;
use datafusion::physical_expr_adapter::{
    DefaultPhysicalExprAdapterFactory, PhysicalExprAdapter, PhysicalExprAdapterFactory,
};
use datafusion::physical_plan::PhysicalExpr;

use super::athena_type_name;
use crate::doctor::{Compatibility, compatibility};

/// Builds [`DriftGuard`]s: the default adapter, with a check of each column read.
#[derive(Debug, Default)]
pub struct DriftGuardFactory;

impl PhysicalExprAdapterFactory for DriftGuardFactory {
    fn create(
        &self,
        logical_file_schema: SchemaRef,
        physical_file_schema: SchemaRef,
    ) -> Result<Arc<dyn PhysicalExprAdapter>> {
        let inner = DefaultPhysicalExprAdapterFactory.create(
            Arc::clone(&logical_file_schema),
            Arc::clone(&physical_file_schema),
        )?;
        Ok(Arc::new(DriftGuard {
            inner,
            logical: logical_file_schema,
            physical: physical_file_schema,
        }))
    }
}

/// One file's adapter: refuses a column whose type in the file cannot be read as the table's.
#[derive(Debug)]
pub struct DriftGuard {
    inner: Arc<dyn PhysicalExprAdapter>,
    logical: SchemaRef,
    physical: SchemaRef,
}

impl PhysicalExprAdapter for DriftGuard {
    fn rewrite(&self, expr: Arc<dyn PhysicalExpr>) -> Result<Arc<dyn PhysicalExpr>> {
        for column in collect_columns(&expr) {
            let Ok(table) = self.logical.field_with_name(column.name()) else {
                continue;
            };
            let Ok(file) = self.physical.field_with_name(column.name()) else {
                continue;
            };
            let (found, declared) = (
                athena_type_name(file.data_type()),
                athena_type_name(table.data_type()),
            );
            if compatibility(&found, &declared) == Compatibility::Incompatible {
                return Err(DataFusionError::Execution(format!(
                    "schema drift: column {} is {found} in a file but {declared} in the table, \
                     and {found} cannot be read as {declared} (Athena fails the same way, with \
                     HIVE_BAD_DATA); `quarry doctor` lists the files",
                    column.name()
                )));
            }
        }
        self.inner.rewrite(expr)
    }
}
