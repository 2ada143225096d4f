//! Progress of an apply as events: the apply engine and the services say
//! what starts, waits and ends; the command supplies the sink that shows
//! it (the terminal renderer, `crate::render::progress::Terminal`), and a
//! test can supply one that collects. Nothing here draws, so the layers
//! that emit events do not depend on rendering.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// One thing that happened to a change in flight, named by `id`.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<'a> {
    /// A call that makes a change started (`what` names the change).
    Started { id: u64, what: &'a str },
    /// It is still waiting on AWS (about once a second).
    Waiting { id: u64 },
    /// It ended; `note` adds what the reader should know (`(3 steps)`).
    Done { id: u64, ok: bool, note: &'a str },
}

/// Where events go.
pub trait Sink: Send + Sync {
    fn event(&self, e: Event<'_>);
}

static SINK: OnceLock<Box<dyn Sink>> = OnceLock::new();
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Sets the process's sink, once (the command does, before any change).
/// Without one, events go nowhere.
pub fn set_sink(sink: Box<dyn Sink>) {
    let _ = SINK.set(sink);
}

/// Sends an event to the sink, if there is one.
pub fn emit(e: Event<'_>) {
    if let Some(s) = SINK.get() {
        s.event(e);
    }
}

/// A fresh id for a change in flight.
pub fn next_id() -> u64 {
    NEXT.fetch_add(1, Ordering::Relaxed)
}
