//! Lake layout and writing: the Parquet writer every producer shares and the demo generator.

pub mod compact;
pub mod demo;
pub mod writer;

/// Size of a file in bytes; 0 when it cannot be read (it vanished, or no permission), which
/// only ever under-counts a size shown to the user.
pub fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
