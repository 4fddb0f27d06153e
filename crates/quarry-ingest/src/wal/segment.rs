//! One segment file of the log: frames `[len u32][crc32 u32][JSON entry]`, written by the
//! writer and read back on start. Reading tells apart a torn tail (a crash mid-write: the
//! frame was never acknowledged) from damage (a complete frame whose bytes changed, or
//! garbage between good frames): damage is kept aside and reported, and the good frames
//! after it are found again instead of being cut off with it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use quarry_records::Row;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{Entry, FrameRef};

/// No frame is longer than this; a header claiming more is damage, not a record.
pub const MAX_FRAME: usize = 256 << 20;
/// Bytes of a frame's header.
const HEADER: usize = 8;

/// Appends one frame holding record `seq`, `row`, to `out`.
pub fn encode(seq: u64, row: &Row, out: &mut Vec<u8>) -> io::Result<()> {
    let frame = FrameRef {
        s: seq,
        p: &row.partition,
        c: &row.cells,
    };
    let payload = serde_json::to_vec(&frame).map_err(io::Error::other)?;
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|len| (*len as usize) <= MAX_FRAME)
        .ok_or_else(|| io::Error::other("a record is too large for the write-ahead log"))?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(())
}

/// A stretch of a segment that is not a valid frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The end of the last write before a crash: an incomplete frame, or zeros the file
    /// system left. Never acknowledged (the fsync did not return), so it is cut.
    TornTail(Range<usize>),
    /// Bytes that were a whole frame once, or garbage between good frames.
    Damaged(Range<usize>),
}

/// What the first pass over the log needs of a frame: its number, partition and width. The
/// cells are checked as JSON but not kept (replay reads them once, in the second pass).
#[derive(Debug, Deserialize)]
pub struct Head {
    #[serde(rename = "s")]
    pub seq: u64,
    #[serde(rename = "p")]
    pub partition: String,
    #[serde(rename = "c")]
    cells: Vec<IgnoredAny>,
}

impl Head {
    /// How many values the record has.
    pub fn width(&self) -> usize {
        self.cells.len()
    }
}

/// What reading one segment found.
#[derive(Debug, Default)]
pub struct Scan {
    /// The good frames' byte ranges and heads, in file order.
    pub frames: Vec<(Range<usize>, Head)>,
    pub gaps: Vec<Gap>,
}

impl Scan {
    /// The highest sequence number in the good frames.
    pub fn last_seq(&self) -> Option<u64> {
        self.frames.iter().map(|(_, h)| h.seq).max()
    }

    /// True when the segment is nothing but good frames (a torn tail aside).
    pub fn is_clean(&self) -> bool {
        self.gaps.iter().all(|g| matches!(g, Gap::TornTail(_)))
    }
}

/// Reads every frame of `data`. `last` says whether this is the newest segment, the only one
/// a crash can leave a torn tail in.
pub fn scan(data: &[u8], last: bool) -> Scan {
    let mut scan = Scan::default();
    let mut at = 0;
    while at < data.len() {
        if let Some((head, end)) = frame_at::<Head>(data, at) {
            scan.frames.push((at..end, head));
            at = end;
            continue;
        }
        // Not a frame here: find the next one that is.
        let next = (at + 1..data.len()).find(|&p| frame_at::<Head>(data, p).is_some());
        let end = next.unwrap_or(data.len());
        let gap = at..end;
        let torn = last && next.is_none() && is_torn(&data[gap.clone()]);
        scan.gaps.push(if torn {
            Gap::TornTail(gap)
        } else {
            Gap::Damaged(gap)
        });
        at = end;
    }
    scan
}

/// The entries of a segment known to be clean (read at open), in order.
pub fn entries(data: &[u8]) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut at = 0;
    while let Some((entry, end)) = frame_at::<Entry>(data, at) {
        entries.push(entry);
        at = end;
    }
    entries
}

/// A frame starting at `at`: what it holds and where it ends.
fn frame_at<T: serde::de::DeserializeOwned>(data: &[u8], at: usize) -> Option<(T, usize)> {
    let header = data.get(at..at + HEADER)?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if len == 0 || len > MAX_FRAME {
        return None;
    }
    let payload = data.get(at + HEADER..at + HEADER + len)?;
    if crc32fast::hash(payload) != crc {
        return None;
    }
    let value = serde_json::from_slice::<T>(payload).ok()?;
    Some((value, at + HEADER + len))
}

/// True for what a crash mid-append leaves: zeros, or one frame cut short by the end of file.
fn is_torn(tail: &[u8]) -> bool {
    if tail.iter().all(|b| *b == 0) {
        return true;
    }
    let Some(header) = tail.get(..HEADER) else {
        return true;
    };
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    len <= MAX_FRAME && HEADER + len > tail.len()
}

/// The highest `"s":N` a damaged stretch still shows, so numbering can go on past records
/// that can no longer be read.
pub fn seqs_mentioned(damaged: &[u8]) -> Option<u64> {
    const MARK: &[u8] = b"{\"s\":";
    damaged
        .windows(MARK.len())
        .enumerate()
        .filter(|(_, w)| *w == MARK)
        .filter_map(|(i, _)| {
            let digits: Vec<u8> = damaged[i + MARK.len()..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .take(20)
                .copied()
                .collect();
            std::str::from_utf8(&digits).ok()?.parse().ok()
        })
        .max()
}

/// Reads a whole segment.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    File::open(path)?.read_to_end(&mut data)?;
    Ok(data)
}

/// Copies `bytes` into `folder` as `<segment name>.at-<offset>` for inspection.
pub fn keep_aside(
    folder: &Path,
    segment: &Path,
    offset: usize,
    bytes: &[u8],
) -> io::Result<PathBuf> {
    fs::create_dir_all(folder)?;
    let name = segment
        .file_name()
        .map_or_else(|| "wal".into(), |n| n.to_string_lossy().into_owned());
    let kept = folder.join(format!("{name}.at-{offset}"));
    let mut file = File::create(&kept)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    sync_dir(folder)?;
    Ok(kept)
}

/// Replaces the segment with only its good frames (temporary file, fsync, rename, folder
/// fsync), so appends never follow damage and the next start reads it clean.
pub fn rewrite(path: &Path, data: &[u8], frames: &[(Range<usize>, Head)]) -> io::Result<u64> {
    let temp = path.with_extension("log.rewrite");
    let mut file = File::create(&temp)?;
    let mut written = 0;
    for (range, _) in frames {
        file.write_all(&data[range.clone()])?;
        written += range.len() as u64;
    }
    file.sync_all()?;
    fs::rename(&temp, path)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(written)
}

/// Cuts the segment to `len` bytes and syncs it.
pub fn truncate(path: &Path, len: u64) -> io::Result<()> {
    let file = OpenOptions::new().write(true).open(path)?;
    file.set_len(len)?;
    file.sync_all()
}

/// Makes a folder's entries (created, renamed, deleted files) durable. A failure is an error:
/// the log may not let go of records on the strength of a rename that might not survive.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quarry_records::{Cell, Row};

    fn entry(seq: u64) -> Entry {
        Entry {
            seq,
            row: Row {
                partition: "year=2023/month=09/day=08".to_owned(),
                cells: vec![Cell::Text(format!("record {seq}")), Cell::Int(7)],
            },
        }
    }

    fn frames(seqs: std::ops::RangeInclusive<u64>) -> Vec<u8> {
        let mut out = Vec::new();
        for seq in seqs {
            encode(seq, &entry(seq).row, &mut out).unwrap();
        }
        out
    }

    fn seqs(scan: &Scan) -> Vec<u64> {
        scan.frames.iter().map(|(_, e)| e.seq).collect()
    }

    #[test]
    fn a_flipped_byte_loses_one_frame_and_the_rest_are_found_again() {
        let mut data = frames(1..=5);
        let third = frames(1..=2).len();
        data[third + 8 + 12] ^= 0x20; // inside frame 3's JSON, past its number
        let scan = scan(&data, true);
        assert_eq!(seqs(&scan), [1, 2, 4, 5]);
        let one_frame = frames(3..=3).len();
        assert_eq!(scan.gaps, [Gap::Damaged(third..third + one_frame)]);
        assert!(!scan.is_clean());
        assert_eq!(seqs_mentioned(&data[third..third + one_frame]), Some(3));
    }

    #[test]
    fn a_flipped_byte_in_the_last_frame_is_damage_not_a_torn_write() {
        let mut data = frames(1..=3);
        let last = data.len() - 3;
        data[last] ^= 1;
        let scan = scan(&data, true);
        assert_eq!(seqs(&scan), [1, 2]);
        assert!(matches!(scan.gaps[..], [Gap::Damaged(_)]));
    }

    #[test]
    fn half_a_frame_or_zeros_at_the_end_are_a_torn_tail() {
        let whole = frames(1..=2);
        let mut cut = whole.clone();
        cut.extend_from_slice(&frames(3..=3)[..10]);
        let scan_cut = scan(&cut, true);
        assert_eq!(seqs(&scan_cut), [1, 2]);
        assert_eq!(scan_cut.gaps, [Gap::TornTail(whole.len()..cut.len())]);
        assert!(scan_cut.is_clean());
        let mut zeros = whole.clone();
        zeros.extend_from_slice(&[0; 100]);
        assert!(scan(&zeros, true).is_clean());
        // In an older segment nothing is torn: a crash only ever cuts the newest one.
        assert!(!scan(&cut, false).is_clean());
    }
}
