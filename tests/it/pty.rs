//! The real binary in a pseudo-terminal: start the TUI, type the seed query, run it, read the
//! counts off the screen, quit, and check the terminal is restored (main screen, cooked mode).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

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

/// The binary in a PTY through `sh`, which prints the exit code and the terminal modes after.
struct Session {
    screen: Screen,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(lake: &std::path::Path, data_home: &std::path::Path, crash_key: bool) -> Self {
        Self::start_with(lake, data_home, crash_key, &[], None)
    }

    fn start_with(
        lake: &std::path::Path,
        data_home: &std::path::Path,
        crash_key: bool,
        files: &[&std::path::Path],
        editor: Option<&str>,
    ) -> Self {
        let pair = open_pty();
        let mut cmd = CommandBuilder::new("sh");
        let files: Vec<String> = files.iter().map(|f| format!("'{}'", f.display())).collect();
        let script = format!(
            "'{}' --lake '{}' --log-file '{}' {}; echo \"exit=$?\"; stty -a",
            env!("CARGO_BIN_EXE_quarry"),
            lake.display(),
            data_home.join("quarry.log").display(),
            files.join(" ")
        );
        cmd.args(["-c", &script]);
        cmd.env("TERM", "xterm-256color");
        cmd.env("QUARRY_CONFIG", "/dev/null");
        // Logs go to the file, never onto the screen.
        cmd.env("RUST_LOG", "quarry=trace");
        cmd.env("RUST_BACKTRACE", "0"); // keep a panic's message on one screen
        // History, session and recovery files go here, not into the user's data folder.
        cmd.env("XDG_DATA_HOME", data_home);
        cmd.env_remove("VISUAL");
        cmd.env("EDITOR", editor.unwrap_or("false"));
        if crash_key {
            cmd.env("QUARRY_DEBUG_PANIC", "1");
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let _master = pair.master; // the PTY stays open while the reader runs
            let mut buffer = [0_u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 || tx.send(buffer[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let screen = Screen {
            parser: vt100::Parser::new(
                NonZeroU16::new(ROWS).unwrap(),
                NonZeroU16::new(COLS).unwrap(),
                0,
            ),
            bytes: rx,
        };
        Self {
            screen,
            writer,
            child,
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the shell line after the program ends; returns its exit code and checks the
    /// terminal is back to normal: main screen, canonical mode, echo.
    fn wait_for_exit_restored(&mut self) -> String {
        self.screen.wait_for("the shell after quitting", |s| {
            s.contents().contains("exit=") && s.contents().contains("icanon")
        });
        let _ = self.child.wait().unwrap();
        let screen = self.screen.parser.screen();
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
        let code = contents.split("exit=").nth(1).unwrap_or_default();
        code.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

#[test]
fn start_run_the_seed_query_and_quit_with_the_terminal_restored() {
    let lake = crate::common::small_lake();
    let data_home = tempfile::tempdir().unwrap();
    let expected = crate::common::count_values(
        &lake.path().join("logs_db/logs/year=2023/month=01"),
        "logtype",
    );
    let mut session = Session::start(lake.path(), data_home.path(), false);
    session.screen.wait_for("the start screen", |s| {
        s.alternate_screen() && s.contents().contains("logs_db") && s.contents().contains("F5 run")
    });
    // Ctrl-N: a fresh tab; then the seed query; then F5.
    session.send(b"\x0e");
    session.send(b"SELECT logtype, count(*) AS n FROM logs_db.logs WHERE year = '2023' AND month = '01' GROUP BY logtype ORDER BY logtype");
    session.send(b"\x1b[15~");
    session
        .screen
        .wait_for("the results", |s| s.contents().contains("✓ scanned"));
    let contents = session.screen.parser.screen().contents();
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
    session.send(b"\x11"); // Ctrl-Q
    assert_eq!(session.wait_for_exit_restored(), "0");
    // The run was recorded, and the two tabs are kept for the next start.
    let history = std::fs::read_to_string(data_home.path().join("quarry/history.jsonl")).unwrap();
    assert!(history.contains("\"state\":\"succeeded\"") && history.contains("GROUP BY logtype"));
    let kept = std::fs::read_to_string(data_home.path().join("quarry/session.json")).unwrap();
    assert!(kept.contains("GROUP BY logtype"), "{kept}");
}

#[test]
fn a_panic_restores_the_terminal_and_the_buffers_come_back_on_the_next_start() {
    let lake = crate::common::small_lake();
    let data_home = tempfile::tempdir().unwrap();
    let mut session = Session::start(lake.path(), data_home.path(), true);
    session
        .screen
        .wait_for("the start screen", |s| s.contents().contains("F5 run"));
    session.send(b"\x0e"); // Ctrl-N
    session.send(b"SELECT 'work in progress'");
    session.send(b"\x1b[24~"); // F12: the deliberate crash
    assert_eq!(session.wait_for_exit_restored(), "101");
    let contents = session.screen.parser.screen().contents();
    assert!(contents.contains("deliberate crash"), "{contents}");
    assert!(contents.contains("reopen on the next start"), "{contents}");

    let mut again = Session::start(lake.path(), data_home.path(), false);
    again.screen.wait_for("the rescued buffers", |s| {
        s.contents().contains("recovered query 2") && s.contents().contains("reopened 2 buffer(s)")
    });
    again.send(b"\x11");
    assert_eq!(again.wait_for_exit_restored(), "0");
    assert!(
        !data_home.path().join("quarry/recovery.json").exists(),
        "recovery is offered once"
    );
    let kept = std::fs::read_to_string(data_home.path().join("quarry/session.json")).unwrap();
    assert!(kept.contains("work in progress"), "{kept}");
}

#[test]
fn sql_files_open_as_tabs_and_ctrl_s_writes_the_focused_one_back() {
    let lake = crate::common::small_lake();
    let data_home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let first = work.path().join("errors.sql");
    let second = work.path().join("new-one.sql"); // does not exist yet
    std::fs::write(&first, "SELECT count(*) FROM logs_db.logs\n").unwrap();
    let mut session = Session::start_with(
        lake.path(),
        data_home.path(),
        false,
        &[&first, &second],
        None,
    );
    session.screen.wait_for("both tabs", |s| {
        let c = s.contents();
        c.contains(" errors ")
            && c.contains(" new-one ● ")
            && c.contains("SELECT count(*) FROM logs_db.logs")
    });
    session.send(b"\x1b[F"); // End
    session.send(b" WHERE year = '2023'");
    session.screen.wait_for("the modified marker", |s| {
        s.contents().contains(" errors ● ")
    });
    session.send(b"\x13"); // Ctrl-S
    session
        .screen
        .wait_for("the save notice", |s| s.contents().contains("saved /"));
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        "SELECT count(*) FROM logs_db.logs WHERE year = '2023'\n"
    );
    assert!(!second.exists(), "an untouched new file is not created");
    session.send(b"\x11");
    assert_eq!(session.wait_for_exit_restored(), "0");
}

#[test]
fn ctrl_e_hands_the_buffer_to_editor_and_takes_the_edit_back() {
    let lake = crate::common::small_lake();
    let data_home = tempfile::tempdir().unwrap();
    // A non-interactive "editor": sed edits the file in place, as vi would.
    let mut session = Session::start_with(
        lake.path(),
        data_home.path(),
        false,
        &[],
        Some("sed -i s/41/42/"),
    );
    session
        .screen
        .wait_for("the start screen", |s| s.contents().contains("F5 run"));
    session.send(b"\x0e"); // Ctrl-N
    session.send(b"SELECT 41 AS answer");
    session
        .screen
        .wait_for("the typed query", |s| s.contents().contains("SELECT 41"));
    session.send(b"\x05"); // Ctrl-E
    session.screen.wait_for("the edited buffer", |s| {
        s.alternate_screen()
            && s.contents().contains("SELECT 42 AS answer")
            && s.contents().contains("edited in sed")
    });
    session.send(b"\x1b[15~"); // F5
    session
        .screen
        .wait_for("the answer", |s| s.contents().contains("✓ scanned"));
    session.send(b"\x11");
    assert_eq!(session.wait_for_exit_restored(), "0");
    let log = std::fs::read_to_string(data_home.path().join("quarry.log")).unwrap();
    assert!(log.contains("TRACE") && log.contains("F(5)"), "{log}");
    assert!(!session.screen.parser.screen().contents().contains("TRACE"));
}

/// A pseudo-terminal of the tests' size.
fn open_pty() -> portable_pty::PtyPair {
    native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap()
}

/// Everything `quarry ARGS` writes to a terminal, raw bytes, until it exits.
fn raw_terminal_output(args: &[&str]) -> Vec<u8> {
    let pair = open_pty();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_quarry"));
    cmd.args(args);
    cmd.env("QUARRY_CONFIG", "/dev/null");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let _master = pair.master;
        let mut all = Vec::new();
        let mut buffer = [0_u8; 8192];
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buffer[..n]);
        }
        let _ = tx.send(all);
    });
    let _ = child.wait().unwrap();
    rx.recv_timeout(Duration::from_mins(1)).unwrap()
}

#[test]
fn json_on_a_terminal_carries_no_raw_c1_or_bidi_controls() {
    // Bug 7: `--format json` on a terminal printed raw C1 controls and bidi overrides.
    let lake = crate::common::small_lake();
    let lake = lake.path().display().to_string();
    for format in ["json", "ndjson"] {
        let out = raw_terminal_output(&[
            "--lake",
            &lake,
            "query",
            "--format",
            format,
            "SELECT 'evil\u{9b}31m\u{202e}txt' AS m",
        ]);
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("evil"), "{format}: {text}");
        assert!(
            !text.contains(['\u{9b}', '\u{202e}']),
            "{format}: raw controls reached the terminal: {text:?}"
        );
        assert!(
            text.contains("\\u009b") && text.contains("\\u202e"),
            "{format}: {text}"
        );
    }
}
