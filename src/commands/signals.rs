//! Ctrl-C during applies, one handler for the whole process however many
//! targets apply at once: before the first change anywhere it releases
//! every lock the process holds and ends the run (nothing was changed);
//! once changes run, it lets every target's calls in flight finish, each
//! target stops there and records itself `interrupted`; a second Ctrl-C
//! aborts at once.

use super::lease::Lease;
use crate::context::{fail, Error, Exit};
use crate::outcome::Interrupt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

const IDLE: u8 = 0;
const CHANGING: u8 = 1;
const EXITING: u8 = 2;

/// An S3 lease once taken, so that Ctrl-C can release it too.
pub type S3Held = Arc<tokio::sync::Mutex<Option<Lease>>>;

#[derive(Default)]
pub struct Signals {
    pub interrupt: Interrupt,
    /// Claimed once, by whichever comes first: the first change of any
    /// target (then Ctrl-C stops gracefully) or a Ctrl-C (then the run
    /// just ends).
    state: AtomicU8,
    held: Mutex<Vec<Held>>,
    next: AtomicU64,
}

struct Held {
    id: u64,
    path: PathBuf,
    s3: S3Held,
}

static SIGNALS: OnceLock<Signals> = OnceLock::new();
static INSTALLED: Mutex<bool> = Mutex::new(false);

/// The process's handler, installed on first use. It must exist before a
/// lock does: a signal between the two would kill the process with the
/// lock left behind.
pub fn install() -> Result<&'static Signals, Error> {
    let s = SIGNALS.get_or_init(Signals::default);
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    if !*installed {
        let sig = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
            .map_err(|e| fail(format!("cannot catch Ctrl-C, so not starting: {e}")))?;
        tokio::spawn(handle(s, sig));
        *installed = true;
    }
    Ok(s)
}

async fn handle(s: &'static Signals, mut sig: tokio::signal::unix::Signal) {
    let mut count = 0;
    while sig.recv().await.is_some() {
        count += 1;
        let claimed = s
            .state
            .compare_exchange(IDLE, EXITING, Ordering::SeqCst, Ordering::SeqCst);
        if claimed.is_ok() {
            s.release_all().await;
            eprintln!("\nInterrupted before any change: nothing was changed.");
            std::process::exit(Exit::Interrupted.code());
        }
        if count == 1 {
            eprintln!("\nInterrupted: finishing the AWS calls in flight, then stopping and recording what was done (Ctrl-C again to abort at once).");
            s.interrupt.raise();
        } else {
            std::process::exit(Exit::Interrupted.code());
        }
    }
}

impl Signals {
    /// Takes a lock with `take` and registers it to release if the run
    /// ends before any change, as one step: the handler waits for both,
    /// so a Ctrl-C between them cannot leave the lock behind.
    pub fn hold<T, E>(
        &self,
        path: PathBuf,
        s3: S3Held,
        take: impl FnOnce() -> Result<T, E>,
    ) -> Result<(T, u64), E> {
        let mut held = self.lock_held();
        if self.state.load(Ordering::SeqCst) == EXITING {
            // The handler is releasing what it has and ending the process:
            // a lock taken now would be left behind.
            loop {
                std::thread::park();
            }
        }
        let lock = take()?;
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        held.push(Held { id, path, s3 });
        Ok((lock, id))
    }

    pub fn release(&self, id: u64) {
        self.lock_held().retain(|h| h.id != id);
    }

    fn lock_held(&self) -> std::sync::MutexGuard<'_, Vec<Held>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The local locks first, while the registry says they are ours (a
    /// run that released its lock has left the registry, and another
    /// process may hold that path now), then the S3 locks.
    async fn release_all(&self) {
        let s3: Vec<S3Held> = {
            let held = self.lock_held();
            for h in held.iter() {
                let _ = std::fs::remove_file(&h.path);
            }
            held.iter().map(|h| h.s3.clone()).collect()
        };
        for slot in s3 {
            if let Some(lease) = slot.lock().await.take() {
                let _ = lease.release().await;
            }
        }
    }

    /// From here Ctrl-C stops gracefully. If it already came, the handler
    /// is releasing the locks and exiting, and this waits for that.
    pub async fn claim_first_change(&self) {
        let claimed =
            self.state
                .compare_exchange(IDLE, CHANGING, Ordering::SeqCst, Ordering::SeqCst);
        if claimed == Err(EXITING) {
            std::future::pending::<()>().await;
        }
    }
}
