//! `quarry serve`: the HTTP routes (body forms, the seed's request, per-record failures,
//! limits, auth, backpressure), durability across `kill -9`, and the end-to-end path from a
//! POST to `quarry query`.

mod compaction;
mod crash;
mod e2e;
mod faults;
mod floods;
mod http;
mod reliability;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use quarry::ingest::{BufferHints, Limits, NetLimits, ServeOptions, Server, StreamDef, Target};
use serde_json::Value;

use crate::common::{answer_cells, engine};

/// Options for a server on a free loopback port writing the seed's table into `lake`, with
/// buffers that only flush on shutdown unless a test says otherwise.
pub fn options(lake: &Path) -> ServeOptions {
    ServeOptions {
        target: Target::Lake(lake.to_path_buf()),
        stream: StreamDef::seed_logs(),
        bind: "127.0.0.1:0".parse().unwrap(),
        route: "/dev/recipe-apigw-athena".to_owned(),
        hints: BufferHints {
            interval: Duration::from_hours(1),
            ..BufferHints::default()
        },
        limits: Limits::default(),
        api_key: None,
        net: NetLimits::default(),
        partitions: quarry::ingest::PartitionLimits::default(),
        state_dir: None,
        compact_closed: None,
    }
}

/// Starts a server in this process.
pub async fn start(options: ServeOptions) -> Server {
    quarry::ingest::start(options).await.unwrap()
}

/// An HTTP answer: status, `Retry-After`, and the body as JSON (or as a JSON string when it is
/// not JSON).
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Value,
}

/// POSTs `body` to `path` with the given extra headers.
pub async fn post(addr: SocketAddr, path: &str, body: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}{path}"))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request.send().await.unwrap()).await
}

/// GETs `path`.
pub async fn get(addr: SocketAddr, path: &str) -> Answer {
    answer(reqwest::get(format!("http://{addr}{path}")).await.unwrap()).await
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        retry_after,
        body,
    }
}

/// Runs `sql` on the lake with the real engine and returns every cell as text.
pub async fn rows(lake: &Path, sql: &str) -> Vec<Vec<String>> {
    answer_cells(&engine(lake, 1_000_000), sql).await
}

/// One record of the seed's shape at `millis`.
pub fn record(source: &str, millis: i64, message: &str) -> Value {
    serde_json::json!({
        "source": source,
        "logtype": "info",
        "timestamp": millis.to_string(),
        "message": message,
    })
}

/// POSTs one record of `source` with `message` on the seed's route and expects it
/// acknowledged.
pub async fn post_record(addr: SocketAddr, source: &str, message: &str) {
    let body = record(source, 1_700_000_000_000, message).to_string();
    let answer = post(addr, "/dev/recipe-apigw-athena", &body, &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["FailedPutCount"], 0);
}

/// The one segment of the seed table's write-ahead log in `lake`.
pub fn wal_segment(lake: &Path) -> std::path::PathBuf {
    std::fs::read_dir(lake.join(".quarry-ingest/logs_db.logs/wal"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "log"))
        .unwrap()
}

/// The value of `/metrics`' line `name` (no key set).
pub async fn metric(addr: SocketAddr, name: &str) -> u64 {
    let text = get(addr, "/metrics").await.body;
    let text = text.as_str().unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        .parse()
        .unwrap()
}

/// `quarry --lake LAKE serve --bind 127.0.0.1:0 ARGS…` run to its end (for starts that must
/// be refused).
pub fn serve_output(lake: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("quarry")
        .unwrap()
        .arg("--lake")
        .arg(lake)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .timeout(Duration::from_mins(1))
        .output()
        .unwrap()
}

/// A `quarry serve` process.
pub struct ServeProcess {
    pub child: std::process::Child,
    pub addr: SocketAddr,
    /// Its first line on stderr (the address, the destination, what was replayed).
    pub banner: String,
}

/// Starts `quarry --lake LAKE serve --bind 127.0.0.1:0 ARGS…` and waits for its banner.
pub fn spawn_serve(lake: &Path, args: &[&str]) -> ServeProcess {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_quarry"))
        .arg("--lake")
        .arg(lake)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    stderr.read_line(&mut banner).unwrap();
    assert!(
        banner.starts_with("quarry serve: "),
        "serve did not start: {banner:?}"
    );
    // Whatever else it says is drained so the pipe never fills.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let addr = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .parse()
        .unwrap();
    ServeProcess {
        child,
        addr,
        banner,
    }
}

impl ServeProcess {
    /// SIGTERM, as a service manager stops it; returns once it has flushed and exited.
    pub fn terminate(mut self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "quarry serve exited with {exit}");
    }
}
