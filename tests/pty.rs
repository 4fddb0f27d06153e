//! The real binary in a pseudo-terminal: start the TUI, type the seed query, run it, read the
//! counts off the screen, quit, and check the terminal is restored (main screen, cooked mode).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 30;
const COLS: u16 = 120;

struct Screen {
    parser: vt100::Parser,
    bytes: Receiver<Vec<u8>>,
}

impl Screen {
    /// Reads terminal output until `done` holds for the screen, or fails after 30 s.
    fn wait_for(&mut self, what: &str, done: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(self.parser.screen()) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.bytes.recv_timeout(left) {
                Ok(chunk) => self.parser.process(&chunk),
                Err(RecvTimeoutError::Timeout) => panic!(
                    "timed out waiting for {what}:\n{}",
                    self.parser.screen().contents()
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    assert!(
                        done(self.parser.screen()),
                        "the program ended before {what}:\n{}",
                        self.parser.screen().contents()
                    );
                    return;
                }
            }
        }
    }
}

#[test]
fn start_run_the_seed_query_and_quit_with_the_terminal_restored() {
    let lake = common::small_lake();
    let expected = common::count_values(
        &lake.path().join("logs_db/logs/year=2023/month=01"),
        "logtype",
    );
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new("sh");
    let script = format!(
        "'{}' --lake '{}'; echo \"exit=$?\"; stty -a",
        env!("CARGO_BIN_EXE_quarry"),
        lake.path().display()
    );
    cmd.args(["-c", &script]);
    cmd.env("TERM", "xterm-256color");
    cmd.env("QUARRY_CONFIG", "/dev/null");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buffer = [0_u8; 8192];
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 || tx.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = Screen {
        parser: vt100::Parser::new(
            NonZeroU16::new(ROWS).unwrap(),
            NonZeroU16::new(COLS).unwrap(),
            0,
        ),
        bytes: rx,
    };

    screen.wait_for("the start screen", |s| {
        s.alternate_screen() && s.contents().contains("logs_db") && s.contents().contains("F5 run")
    });
    // Ctrl-N: a fresh tab; then the seed query; then F5.
    writer.write_all(b"\x0e").unwrap();
    writer
        .write_all(b"SELECT logtype, count(*) AS n FROM logs_db.logs WHERE year = '2023' AND month = '01' GROUP BY logtype ORDER BY logtype")
        .unwrap();
    writer.write_all(b"\x1b[15~").unwrap();
    writer.flush().unwrap();
    screen.wait_for("the results", |s| s.contents().contains("✓ scanned"));
    let contents = screen.parser.screen().contents();
    for (logtype, count) in &expected {
        let line = contents
            .lines()
            .find(|l| l.contains(&format!("│{logtype} ")))
            .unwrap_or_else(|| panic!("{logtype} row missing:\n{contents}"));
        assert!(
            line.contains(&count.to_string()),
            "{logtype} should count {count}: {line}"
        );
    }

    writer.write_all(b"\x11").unwrap(); // Ctrl-Q
    writer.flush().unwrap();
    screen.wait_for("the shell after quitting", |s| {
        s.contents().contains("exit=0") && s.contents().contains("icanon")
    });
    let status = child.wait().unwrap();
    assert!(status.success());
    let screen = screen.parser.screen();
    assert!(
        !screen.alternate_screen(),
        "the alternate screen was not left"
    );
    let contents = screen.contents();
    assert!(
        contents.contains(" icanon") && !contents.contains("-icanon"),
        "raw mode was not turned off:\n{contents}"
    );
    assert!(
        contents.contains(" echo ") && !contents.contains("-echo "),
        "echo was not restored:\n{contents}"
    );
}
