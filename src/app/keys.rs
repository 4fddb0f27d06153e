//! Keys as quarry knows them, apart from the terminal library: what a binding names and what
//! `config.toml` spells (`F5`, `Ctrl-R`, `Alt-1`, `PgDn`).

use std::fmt;

/// A key, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Backspace,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

/// A key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPress {
    pub key: Key,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeyPress {
    /// The key alone.
    pub const fn plain(key: Key) -> Self {
        Self {
            key,
            ctrl: false,
            alt: false,
        }
    }

    /// The key with Ctrl.
    pub const fn ctrl(key: Key) -> Self {
        Self {
            key,
            ctrl: true,
            alt: false,
        }
    }

    /// The key with Alt.
    pub const fn alt(key: Key) -> Self {
        Self {
            key,
            ctrl: false,
            alt: true,
        }
    }
}

impl fmt::Display for KeyPress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.key {
            Key::Char(' ') => f.write_str("Space"),
            Key::Char(c) => write!(f, "{}", if self.ctrl { c.to_ascii_uppercase() } else { c }),
            Key::F(n) => write!(f, "F{n}"),
            Key::Enter => f.write_str("Enter"),
            Key::Esc => f.write_str("Esc"),
            Key::Backspace => f.write_str("Backspace"),
            Key::Tab => f.write_str("Tab"),
            Key::BackTab => f.write_str("Shift-Tab"),
            Key::Up => f.write_str("↑"),
            Key::Down => f.write_str("↓"),
            Key::Left => f.write_str("←"),
            Key::Right => f.write_str("→"),
            Key::PageUp => f.write_str("PgUp"),
            Key::PageDown => f.write_str("PgDn"),
            Key::Home => f.write_str("Home"),
            Key::End => f.write_str("End"),
        }
    }
}

impl std::str::FromStr for KeyPress {
    type Err = String;

    /// Parses `F5`, `Ctrl-R`, `Alt-1`, `Ctrl-Enter`, `Esc`, `Shift-Tab`, `PgDn`, `Space`, `x`.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut press = KeyPress::plain(Key::Esc);
        let mut rest = text.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl-") || lower.starts_with("ctrl+") {
                press.ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt-") || lower.starts_with("alt+") {
                press.alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        press.key = match lower.as_str() {
            "enter" | "return" => Key::Enter,
            "esc" | "escape" => Key::Esc,
            "backspace" => Key::Backspace,
            "tab" => Key::Tab,
            "shift-tab" | "backtab" => Key::BackTab,
            "up" => Key::Up,
            "down" => Key::Down,
            "left" => Key::Left,
            "right" => Key::Right,
            "pgup" | "pageup" => Key::PageUp,
            "pgdn" | "pagedown" => Key::PageDown,
            "home" => Key::Home,
            "end" => Key::End,
            "space" => Key::Char(' '),
            f if f.starts_with('f')
                && f.len() > 1
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) =>
            {
                Key::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => Key::Char(if press.ctrl {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }),
                    _ => {
                        return Err(format!(
                            "{text:?} is not a key (examples: \"F5\", \"Ctrl-R\", \"Alt-1\", \"PgDn\", \"x\")"
                        ));
                    }
                }
            }
        };
        Ok(press)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::bindings::default_bindings;

    #[test]
    fn keys_parse_from_config_text() {
        let parse = |t: &str| t.parse::<KeyPress>();
        assert_eq!(parse("F9").unwrap(), KeyPress::plain(Key::F(9)));
        assert_eq!(parse("ctrl-R").unwrap(), KeyPress::ctrl(Key::Char('r')));
        assert_eq!(parse("Alt-1").unwrap(), KeyPress::alt(Key::Char('1')));
        assert_eq!(parse("Ctrl-Enter").unwrap(), KeyPress::ctrl(Key::Enter));
        assert_eq!(parse("PgDn").unwrap(), KeyPress::plain(Key::PageDown));
        assert_eq!(parse("Space").unwrap(), KeyPress::plain(Key::Char(' ')));
        for bad in ["F99", "Hyper-x", "", "ab"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // What the help shows parses back to the same key.
        for binding in default_bindings() {
            if binding.press.key != Key::Up
                && binding.press.key != Key::Down
                && binding.press.key != Key::Left
                && binding.press.key != Key::Right
            {
                assert_eq!(parse(&binding.press.to_string()).unwrap(), binding.press);
            }
        }
    }
}
