//! Formatting for people: byte sizes, counts, durations, money, and escaping of untrusted text.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `1.2 MB`, `113 MB`, `512 B` (binary units, one decimal below 10).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `0.04 s`, `12.3 s`, `2 min 5 s`.
pub fn seconds(ms: u64) -> String {
    if ms < 10_000 {
        format!("{:.2} s", ms as f64 / 1000.0)
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// Dollars with enough digits that small query costs are not shown as zero: `$0.00005`.
pub fn usd(amount: f64) -> String {
    if amount == 0.0 {
        return "$0".to_owned();
    }
    if amount >= 0.01 {
        return format!("${amount:.2}");
    }
    // Two significant digits, trailing zeros dropped.
    let digits = (-amount.log10()).ceil() as usize + 1;
    let s = format!("{amount:.digits$}");
    format!("${}", s.trim_end_matches('0'))
}

/// A path typed by the user, with a leading `~/` meaning the home folder.
pub fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => std::path::PathBuf::from(path),
    }
}

/// Replaces control characters (C0, DEL, C1) with visible escapes so data can never move the
/// cursor, change colours or set the window title. Tabs and newlines are escaped too, because
/// a table cell is one line.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Like [`escape_control`] but keeps line breaks and tabs, for multi-line text such as CSV
/// written to a terminal.
pub fn escape_control_keep_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// True for the invisible characters that reorder or hide text (bidirectional overrides,
/// isolates and marks): escaped like controls, since `abc\u{202e}txt.exe` must not show as
/// something it is not.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// JSON text made safe to print on a terminal: DEL, C1 controls and bidirectional controls
/// (which JSON may carry raw) become `\uXXXX` escapes. Outside strings JSON is ASCII, so the
/// result is the same JSON value.
pub fn escape_json_for_terminal(json: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() || is_bidi_control(c);
    if !json.chars().any(unsafe_char) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        // Raw C0 controls can only be the line breaks between NDJSON records.
        if unsafe_char(c) && !matches!(c, '\n' | '\r' | '\t') {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn escape(text: &str, keep_lines: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_lines && (c == '\n' || c == '\t');
    let unsafe_char = |c: char| (c.is_control() || is_bidi_control(c)) && !kept(c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if kept(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_overrides_and_c1_controls_never_reach_a_terminal_raw() {
        // Regression: these passed through to stderr and to JSON on a terminal.
        let text = "file\u{202e}gpj.exe \u{9b}31m \u{1b}]0;title\u{7}";
        let escaped = escape_control(text);
        assert_eq!(
            escaped,
            "file\\u{202e}gpj.exe \\u{9b}31m \\u{1b}]0;title\\u{7}"
        );
        let json = serde_json::to_string(&serde_json::json!({ "m": text })).unwrap();
        let safe = escape_json_for_terminal(&json);
        assert!(
            !safe.chars().any(|c| c.is_control() || is_bidi_control(c)),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["m"], text, "the same JSON value");
    }

    #[test]
    fn bytes_read_like_a_person_writes_them() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1024), "1.0 KB");
        assert_eq!(human_bytes(1_258_291), "1.2 MB");
        assert_eq!(human_bytes(118_489_088), "113 MB");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_345), "12,345");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn small_costs_keep_two_significant_digits() {
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(0.000_047_68), "$0.000048");
        assert_eq!(usd(0.0006), "$0.0006");
        assert_eq!(usd(1.5), "$1.50");
    }

    #[test]
    fn control_characters_never_pass_through() {
        let hostile = "ok\x1b]0;pwned\x07\u{9b}31m\nnext";
        let shown = escape_control(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert_eq!(shown, "ok\\u{1b}]0;pwned\\u{7}\\u{9b}31m\\nnext");
        assert_eq!(escape_control("plain"), "plain");
        let csv = escape_control_keep_lines("a\x1b[2J,b\nc");
        assert_eq!(csv, "a\\u{1b}[2J,b\nc");
    }
}
