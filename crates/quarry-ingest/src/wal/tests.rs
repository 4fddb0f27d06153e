//! The log across reopens, damage, release and concurrent appends.
use super::*;
use quarry_records::Cell;

fn row(text: &str) -> Row {
    Row {
        partition: "year=2023/month=09/day=08".to_owned(),
        cells: vec![Cell::Text(text.to_owned()), Cell::Int(1), Cell::Null],
    }
}

fn open(dir: &Path, floor: u64) -> Opened {
    Wal::open(dir, floor, |_, _| {}).unwrap()
}

fn replayed(opened: &Opened) -> Vec<Entry> {
    (0..opened.replay.segment_count())
        .flat_map(|i| opened.replay.segment(i).unwrap())
        .collect()
}

fn only_segment(dir: &Path) -> PathBuf {
    let mut logs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    logs.remove(0)
}

#[tokio::test]
async fn appends_survive_a_reopen_and_a_torn_tail_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    {
        let opened = open(dir.path(), 1);
        assert_eq!(opened.replay.records, 0);
        assert_eq!(
            opened.wal.append(vec![row("a"), row("b")]).await.unwrap(),
            1
        );
        assert_eq!(opened.wal.append(vec![row("c")]).await.unwrap(), 3);
    }
    let segment = only_segment(dir.path());
    let whole = fs::metadata(&segment).unwrap().len();
    // Half a frame, as a crash mid-write leaves it.
    OpenOptions::new()
        .append(true)
        .open(&segment)
        .unwrap()
        .write_all(&[40, 0, 0, 0, 1, 2])
        .unwrap();
    let opened = open(dir.path(), 1);
    let entries = replayed(&opened);
    let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(entries[2].row, row("c"));
    assert!(opened.damage.is_empty(), "a torn tail is not damage");
    assert_eq!(
        fs::metadata(&segment).unwrap().len(),
        whole,
        "the torn tail is cut"
    );
    assert_eq!(
        opened.wal.append(vec![row("d")]).await.unwrap(),
        4,
        "numbering goes on"
    );
}

#[tokio::test]
async fn numbering_starts_past_the_published_floor_when_the_log_is_gone() {
    // Regression: with the log folder deleted, numbering restarted at 1 and the next
    // file's name replaced a published one.
    let dir = tempfile::tempdir().unwrap();
    let opened = open(dir.path(), 501);
    assert_eq!(opened.wal.append(vec![row("a")]).await.unwrap(), 501);
    drop(opened);
    let opened = open(dir.path(), 1);
    assert_eq!(opened.wal.append(vec![row("b")]).await.unwrap(), 502);
}

#[tokio::test]
async fn a_flipped_byte_is_reported_kept_aside_and_read_past() {
    // Regression: one flipped byte silently cut every later frame of the segment.
    let dir = tempfile::tempdir().unwrap();
    {
        let opened = open(dir.path(), 1);
        for text in ["a", "b", "c", "d"] {
            opened.wal.append(vec![row(text)]).await.unwrap();
        }
    }
    let segment = only_segment(dir.path());
    let mut data = fs::read(&segment).unwrap();
    let second = data.len() / 4 + 12; // inside the second frame's JSON
    data[second] ^= 0x01;
    fs::write(&segment, &data).unwrap();
    let opened = open(dir.path(), 1);
    let texts: Vec<Cell> = replayed(&opened)
        .into_iter()
        .map(|e| e.row.cells[0].clone())
        .collect();
    assert_eq!(
        texts,
        [
            Cell::Text("a".into()),
            Cell::Text("c".into()),
            Cell::Text("d".into())
        ]
    );
    assert_eq!(opened.damage.len(), 1);
    let kept = fs::read(&opened.damage[0].kept).unwrap();
    assert_eq!(kept.len() as u64, opened.damage[0].bytes);
    assert_eq!(
        opened.wal.append(vec![row("e")]).await.unwrap(),
        5,
        "numbering goes on"
    );
    drop(opened);
    // The segment was rewritten clean: the damage is not reported twice.
    assert!(open(dir.path(), 1).damage.is_empty());
}

#[tokio::test]
async fn a_fully_published_log_lets_go_of_its_open_segment() {
    let dir = tempfile::tempdir().unwrap();
    let opened = open(dir.path(), 1);
    opened.wal.append(vec![row("a"), row("b")]).await.unwrap();
    let before = opened.wal.bytes();
    assert!(before > 0);
    opened.wal.release_before(2);
    assert_eq!(opened.wal.bytes(), before, "record 2 is not published yet");
    opened.wal.release_before(opened.wal.next_seq());
    assert_eq!(opened.wal.bytes(), 0);
    assert_eq!(opened.wal.append(vec![row("c")]).await.unwrap(), 3);
    drop(opened);
    let seqs: Vec<u64> = replayed(&open(dir.path(), 1))
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, [3]);
}

#[tokio::test]
async fn concurrent_appends_get_distinct_ranges_handed_over_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let handed = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&handed);
    let opened = Wal::open(dir.path(), 1, move |first, rows: Vec<Row>| {
        sink.lock().unwrap().push((first, rows.len() as u64));
    })
    .unwrap();
    let wal = opened.wal;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let wal = wal.clone();
            tokio::spawn(async move {
                let n = i % 3 + 1;
                let first = wal.append(vec![row("x"); n]).await.unwrap();
                (first, n as u64)
            })
        })
        .collect();
    let mut ranges = Vec::new();
    for task in tasks {
        ranges.push(task.await.unwrap());
    }
    // The hook saw every append, in sequence order, before its caller got the answer.
    assert_eq!(*handed.lock().unwrap(), {
        let mut sorted = ranges.clone();
        sorted.sort_unstable();
        sorted
    });
    ranges.sort_unstable();
    let mut expected = 1;
    for (first, n) in ranges {
        assert_eq!(first, expected);
        expected += n;
    }
    drop(wal);
    assert_eq!(open(dir.path(), 1).replay.records, expected - 1);
}
