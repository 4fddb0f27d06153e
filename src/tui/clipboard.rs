//! Where copies go: the terminal's clipboard (OSC 52) or, for headless use, memory.

use std::sync::{Arc, Mutex, PoisonError};

/// Where copies go.
#[derive(Clone)]
pub enum Clipboard {
    /// The terminal's clipboard through OSC 52 (works over SSH and in tmux with
    /// `set-clipboard on`).
    Terminal,
    /// Kept in memory, for headless use.
    Memory(Arc<Mutex<Vec<String>>>),
}

impl Clipboard {
    pub(super) fn put(&self, text: &str) -> std::io::Result<()> {
        match self {
            Self::Terminal => {
                use base64::Engine as _;
                use std::io::Write as _;
                let encoded = base64::engine::general_purpose::STANDARD.encode(text);
                let mut out = std::io::stdout().lock();
                write!(out, "\x1b]52;c;{encoded}\x07")?;
                out.flush()
            }
            Self::Memory(copies) => {
                copies
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(text.to_owned());
                Ok(())
            }
        }
    }
}
