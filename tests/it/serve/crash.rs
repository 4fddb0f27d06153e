//! `kill -9` in the middle of a load: every acknowledged record is in Parquet after a restart,
//! exactly once.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::{post, record, rows, spawn_serve};

/// Records per request and concurrent clients.
const BATCH: usize = 50;
const CLIENTS: usize = 6;
/// The server is killed once this many records are acknowledged.
const KILL_AFTER: usize = 4_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_records_survive_kill_9_exactly_once() {
    let lake = tempfile::tempdir().unwrap();
    // Flushing every second means some files are published before the kill and the restart
    // must not write their records again.
    let mut server = spawn_serve(lake.path(), &["--buffer-interval", "1"]);
    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    let addr = server.addr;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let acked = Arc::clone(&acked);
            tokio::spawn(async move {
                for n in 0.. {
                    let messages: Vec<String> =
                        (0..BATCH).map(|i| format!("c{client}-{n}-{i}")).collect();
                    // Three days, so several partitions fill and flush.
                    let body = Value::Array(
                        messages
                            .iter()
                            .enumerate()
                            .map(|(i, m)| {
                                record("crash", 1_700_000_000_000 + (i as i64 % 3) * 86_400_000, m)
                            })
                            .collect(),
                    )
                    .to_string();
                    let sent = reqwest::Client::new()
                        .post(format!("http://{addr}/dev/recipe-apigw-athena"))
                        .body(body)
                        .send()
                        .await;
                    let Ok(response) = sent else { break };
                    if response.status() != 200 {
                        break;
                    }
                    let Ok(text) = response.text().await else {
                        break;
                    };
                    let answer: Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(answer["FailedPutCount"], 0);
                    acked.lock().unwrap().extend(messages);
                }
            })
        })
        .collect();
    // Kill once enough is acknowledged and at least one file is published, so the restart
    // has both records to replay and records it must not replay.
    let table = lake.path().join("logs_db/logs");
    while acked.lock().unwrap().len() < KILL_AFTER
        || !table.exists()
        || crate::common::parquet_files(&table).is_empty()
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Records acknowledged after the first files appeared are (almost surely) still only in
    // the log: a flush would have to start after the last of them and finish before the kill.
    let seen_published = acked.lock().unwrap().len();
    while acked.lock().unwrap().len() < seen_published + BATCH * CLIENTS {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    for client in clients {
        client.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= KILL_AFTER);
    let published_before = crate::common::parquet_files(&table).len();

    let restarted = spawn_serve(lake.path(), &["--buffer-interval", "1"]);
    assert!(
        restarted.banner.contains("replayed"),
        "records were still buffered at the kill, so the restart replays: {}",
        restarted.banner
    );
    // A request after the restart gets numbers after the replayed ones.
    let after = post(
        restarted.addr,
        "/dev/recipe-apigw-athena",
        &record("crash", 1_700_000_000_000, "after").to_string(),
        &[],
    )
    .await;
    assert_eq!(after.status, 200);
    restarted.terminate();

    let stored: Vec<String> = rows(lake.path(), "SELECT message FROM logs")
        .await
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect();
    let distinct: HashSet<&String> = stored.iter().collect();
    assert_eq!(distinct.len(), stored.len(), "a record was written twice");
    let missing: Vec<&String> = acked
        .iter()
        .filter(|m| !distinct.contains(m))
        .take(5)
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged but lost: {missing:?} of {}",
        acked.len()
    );
    assert!(distinct.contains(&"after".to_owned()));
    assert!(
        crate::common::parquet_files(&table).len() > published_before,
        "the replayed records went to new files"
    );
    // Records in flight at the kill may be there too (written, not yet acknowledged), never
    // more than the clients had outstanding.
    assert!(
        stored.len() <= acked.len() + 1 + CLIENTS * BATCH,
        "{} stored",
        stored.len()
    );
}
