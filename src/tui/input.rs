//! Terminal input on its own thread, with a pause: while `$EDITOR` runs, quarry must not read
//! a single key, and crossterm's `EventStream` cannot be stopped and restarted reliably (a
//! dropped stream's reader can keep the tty). A thread polling in short slices can.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{self, Event};
use tokio::sync::mpsc::{self, UnboundedReceiver};

/// How long one poll waits; also the longest a pause waits for the reader to stop.
const POLL_SLICE: Duration = Duration::from_millis(25);

/// Events from the terminal.
pub struct Input {
    events: UnboundedReceiver<io::Result<Event>>,
    paused: Arc<AtomicBool>,
    /// True while the reader thread is stopped on the pause flag.
    parked: Arc<AtomicBool>,
}

impl Input {
    /// Starts the reader thread; it ends when this is dropped.
    pub fn start() -> Self {
        let (tx, events) = mpsc::unbounded_channel();
        let paused = Arc::new(AtomicBool::new(false));
        let parked = Arc::new(AtomicBool::new(false));
        let (pause, park) = (Arc::clone(&paused), Arc::clone(&parked));
        std::thread::Builder::new()
            .name("quarry-input".to_owned())
            .spawn(move || {
                loop {
                    if pause.load(Ordering::SeqCst) {
                        park.store(true, Ordering::SeqCst);
                        std::thread::sleep(POLL_SLICE);
                        continue;
                    }
                    park.store(false, Ordering::SeqCst);
                    let event = match event::poll(POLL_SLICE) {
                        Ok(false) => {
                            if tx.is_closed() {
                                return;
                            }
                            continue;
                        }
                        Ok(true) => event::read(),
                        Err(e) => Err(e),
                    };
                    if tx.send(event).is_err() {
                        return;
                    }
                }
            })
            .map_or_else(
                |e| tracing::error!("cannot start the input thread: {e}"),
                |_| (),
            );
        Self {
            events,
            paused,
            parked,
        }
    }

    /// The next event; `None` when the reader is gone.
    pub async fn next(&mut self) -> Option<io::Result<Event>> {
        self.events.recv().await
    }

    /// Stops reading the terminal and returns once the reader has stopped.
    pub async fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
        while !self.parked.load(Ordering::SeqCst) {
            tokio::time::sleep(POLL_SLICE / 5).await;
        }
    }

    /// Reads the terminal again.
    pub fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }
}
