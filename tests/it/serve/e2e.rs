//! From a POST to `quarry query`: the buffer flushes on its interval while the server runs, the
//! new partition is in the catalog, and the records answer SQL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use quarry::backend::local::LocalCatalog;
use quarry::backend::{Catalog, PartitionFilter, TableName};

use super::{post, record, spawn_serve};
use crate::common::small_lake;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_records_become_a_partition_that_quarry_query_reads() {
    let lake = small_lake();
    let server = spawn_serve(lake.path(), &["--buffer-interval", "1"]);
    // 2030-01-02, a day the demo lake does not have.
    let day = 1_893_542_400_000_i64;
    let body: String = (0..25)
        .map(|i| record("e2e", day + i * 60_000, &format!("m{i}")).to_string() + "\n")
        .collect();
    let answer = post(server.addr, "/dev/recipe-apigw-athena", &body, &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["FailedPutCount"], 0);

    // Wait out the buffer interval: the file appears while the server keeps running.
    let folder = lake.path().join("logs_db/logs/year=2030/month=01/day=02");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_dir(&folder).is_ok_and(|mut d| {
        d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".parquet")))
    }) {
        assert!(
            Instant::now() < deadline,
            "no Parquet in {} after 30 s",
            folder.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let page = catalog
        .partitions(
            &TableName::new("logs_db", "logs"),
            &PartitionFilter::default(),
            None,
            10_000,
        )
        .await
        .unwrap();
    assert!(
        page.partitions
            .iter()
            .any(|p| p.values == ["2030", "01", "02"]),
        "the new partition is listed"
    );

    let output = Command::cargo_bin("quarry")
        .unwrap()
        .arg("--lake")
        .arg(lake.path())
        .args(["query", "--format", "csv"])
        .arg("SELECT source, count(*) AS n, min(message) AS first FROM logs_db.logs WHERE year = '2030' AND month = '01' AND day = '02' GROUP BY source")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "source,n,first\ne2e,25,m0\n"
    );
    server.terminate();
}
