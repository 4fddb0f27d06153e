//! Append-only files of one JSON object per line — the query history and the cost ledger —
//! written and read one way, so both survive the same accidents: a line torn by a crash is
//! skipped on reading and never swallows the line appended after it, and concurrent quarry
//! processes appending do not interleave inside a line.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Appends `entry` as one line, creating the file and its folders when missing.
pub fn append<T: Serialize>(path: &Path, entry: &T) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut line = serde_json::to_string(entry).map_err(io::Error::other)?;
    line.push('\n');
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)?;
    // A crash mid-write leaves a line without its newline; this one starts on a line of its
    // own instead of being glued to it (and dropped with it when read).
    if ends_mid_line(&mut file)? {
        line.insert(0, '\n');
    }
    // One write of one line: appends from other processes land before or after it.
    file.write_all(line.as_bytes())
}

fn ends_mid_line(file: &mut File) -> io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0_u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// Every entry in file order. A missing file has none; lines that do not parse (torn by a
/// crash, or written by a newer version) are skipped.
pub fn read_all<T: DeserializeOwned>(path: &Path) -> io::Result<Vec<T>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(bytes
        .split(|b| *b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Entry {
        n: u32,
    }

    #[test]
    fn a_torn_line_is_skipped_and_the_next_entry_survives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/log.jsonl");
        append(&path, &Entry { n: 1 }).unwrap();
        // A crash in the middle of the second append: half a line, no newline.
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"n\":")
            .unwrap();
        append(&path, &Entry { n: 3 }).unwrap();
        assert_eq!(
            read_all::<Entry>(&path).unwrap(),
            [Entry { n: 1 }, Entry { n: 3 }]
        );
        // Invalid UTF-8 in one line costs that line only.
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"\xff\xfe\n")
            .unwrap();
        append(&path, &Entry { n: 4 }).unwrap();
        assert_eq!(read_all::<Entry>(&path).unwrap().len(), 3);
        assert!(
            read_all::<Entry>(&dir.path().join("none"))
                .unwrap()
                .is_empty()
        );
    }
}
