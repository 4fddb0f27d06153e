//! One moto server per test binary on a free loopback port, and helpers to seed it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use quarry::backend::aws::AwsClients;

/// A running moto server; it stops when the test binary exits (its stdin closes).
pub struct Moto {
    pub url: String,
    pub port: u16,
    _child: Mutex<Child>,
}

fn moto_server_path() -> PathBuf {
    if let Some(path) = std::env::var_os("QUARRY_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv/bin/moto_server")
}

/// The shared server, started on first use.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let server = moto_server_path();
        assert!(
            server.exists(),
            "moto_server not found at {}; run scripts/test.sh, which installs it",
            server.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let log = std::env::temp_dir().join(format!("quarry-moto-{port}.log"));
        // The shell waits on its stdin, which this process holds: when the test binary exits,
        // stdin closes and the shell stops moto, so no server outlives its tests.
        let child = Command::new("sh")
            .arg("-c")
            .arg(r#""$0" -H 127.0.0.1 -p "$1" >"$2" 2>&1 & m=$!; cat >/dev/null; kill $m"#)
            .arg(&server)
            .arg(port.to_string())
            .arg(&log)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_mins(1);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not start in 60 s; see {}",
                log.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Moto {
            url: format!("http://127.0.0.1:{port}"),
            port,
            _child: Mutex::new(child),
        }
    })
}

/// SDK clients pointed at moto in `region` (moto keeps Athena's canned results per region, so
/// tests that seed them use regions of their own).
pub async fn clients(region: &str) -> AwsClients {
    let sdk = AwsClients::sdk_loader()
        .region(aws_config::Region::new(region.to_owned()))
        .endpoint_url(&moto().url)
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .retry_config(AwsClients::retry_config())
        .load()
        .await;
    AwsClients::from_sdk_config(&sdk, region.to_owned())
}

/// Queues result sets that moto's Athena hands out, first in first out, to the next queries
/// started in `region`. Each row is a list of cells; `None` is a NULL.
pub fn seed_athena_results(region: &str, columns: &[(&str, &str)], rows: &[Vec<Option<&str>>]) {
    let column_info: Vec<serde_json::Value> = columns
        .iter()
        .map(|(name, ty)| {
            serde_json::json!({
                "CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name,
                "Label": name, "Type": ty, "Precision": 0, "Scale": 0,
                "Nullable": "UNKNOWN", "CaseSensitive": true
            })
        })
        .collect();
    let header = serde_json::json!({
        "Data": columns.iter().map(|(name, _)| serde_json::json!({"VarCharValue": name})).collect::<Vec<_>>()
    });
    let mut json_rows = vec![header];
    for row in rows {
        json_rows.push(serde_json::json!({
            "Data": row.iter().map(|cell| match cell {
                Some(v) => serde_json::json!({"VarCharValue": v}),
                None => serde_json::json!({}),
            }).collect::<Vec<_>>()
        }));
    }
    let body = serde_json::json!({
        "account_id": "123456789012",
        "region": region,
        "results": [{"rows": json_rows, "column_info": column_info}],
    })
    .to_string();
    let status = post(moto().port, "/moto-api/static/athena/query-results", &body);
    assert!(status.contains("201") || status.contains("200"), "{status}");
}

/// A bare HTTP/1.1 POST; returns the status line.
fn post(port: u16, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.lines().next().unwrap_or_default().to_owned()
}

/// Creates a bucket in the clients' region (outside us-east-1, S3 wants the region named).
pub async fn create_bucket(aws: &AwsClients, bucket: &str) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let mut request = aws.s3.create_bucket().bucket(bucket);
    if aws.region != "us-east-1" {
        request = request.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(aws.region.as_str()))
                .build(),
        );
    }
    request.send().await.unwrap();
}
