//! Lake layout and writing: the Parquet writer every producer shares and the demo generator.

pub mod demo;
pub mod writer;
