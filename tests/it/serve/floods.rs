//! Bug 5: slow clients starved the server. A request slot was taken before the body was read
//! and never timed out, idle sockets were unbounded, and SIGTERM waited for a slow body
//! forever. Each test holds the flood open while a normal client is answered.

use std::net::SocketAddr;
use std::time::Duration;

use quarry::ingest::NetLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{options, post, record, start};
use crate::common::count_values;

const ROUTE: &str = "/dev/recipe-apigw-athena";

/// A connection that sent its headers and one byte of a 1,000-byte body.
async fn slow_body(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!(
                "POST {ROUTE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                 Content-Length: 1000\r\n\r\n["
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    stream
}

/// A normal request, which must be answered while the flood holds.
async fn normal_request(addr: SocketAddr, message: &str) -> u16 {
    let body = record("flood", 1_700_000_000_000, message).to_string();
    let answer = tokio::time::timeout(Duration::from_secs(5), post(addr, ROUTE, &body, &[]))
        .await
        .expect("a normal request was not answered while the flood held");
    answer.status
}

/// True when the server closed `stream` (a read returns end of file or an error).
async fn closed(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0; 1024];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {} // an answer (408) before the close
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_hold_no_request_slot_and_time_out() {
    let lake = tempfile::tempdir().unwrap();
    let mut slow = options(lake.path());
    slow.net = NetLimits {
        body_idle_timeout: Duration::from_secs(3),
        ..NetLimits::default()
    };
    let server = start(slow).await;
    // More slow bodies than there are request slots (128).
    let mut flood = Vec::new();
    for _ in 0..150 {
        flood.push(slow_body(server.addr).await);
    }
    for i in 0..5 {
        assert_eq!(normal_request(server.addr, &format!("n{i}")).await, 200);
    }
    // The stalled bodies are given up on: the connection is answered 408 and closed.
    let mut first = flood.remove(0);
    assert!(
        closed(&mut first, Duration::from_secs(20)).await,
        "a stalled body was kept"
    );
    server.shutdown().await;
    assert_eq!(
        count_values(&lake.path().join("logs_db/logs"), "message").len(),
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_past_the_cap_make_room_for_a_client_with_a_request() {
    let lake = tempfile::tempdir().unwrap();
    let mut capped = options(lake.path());
    capped.net = NetLimits {
        max_connections: Some(50),
        ..NetLimits::default()
    };
    let server = start(capped).await;
    let mut idle = Vec::new();
    for _ in 0..80 {
        idle.push(TcpStream::connect(server.addr).await.unwrap());
    }
    for i in 0..5 {
        assert_eq!(normal_request(server.addr, &format!("n{i}")).await, 200);
    }
    let open = super::metric(server.addr, "quarry_ingest_connections").await;
    assert!(open <= 50, "{open} connections open past a cap of 50");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_that_never_finish_are_cut_off() {
    let lake = tempfile::tempdir().unwrap();
    let mut strict = options(lake.path());
    strict.net = NetLimits {
        header_timeout: Duration::from_secs(1),
        ..NetLimits::default()
    };
    let server = start(strict).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(closed(&mut stream, Duration::from_secs(20)).await);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_does_not_wait_forever_for_a_slow_body() {
    let lake = tempfile::tempdir().unwrap();
    let mut bounded = options(lake.path());
    bounded.net = NetLimits {
        body_timeout: Duration::from_hours(1),
        body_idle_timeout: Duration::from_hours(1),
        shutdown_grace: Duration::from_secs(1),
        ..NetLimits::default()
    };
    let server = start(bounded).await;
    assert_eq!(normal_request(server.addr, "kept").await, 200);
    let _slow = slow_body(server.addr).await;
    tokio::time::timeout(Duration::from_secs(20), server.shutdown())
        .await
        .expect("shutdown waited for the slow body");
    // What was acknowledged is in Parquet all the same.
    assert_eq!(
        count_values(&lake.path().join("logs_db/logs"), "message").len(),
        1
    );
}
