//! The apply lock: `state/lock`, created atomically (a hard link fails when
//! it exists) so that two applies cannot both take it. A lock whose holder
//! is gone (same host, no such process) is taken over by the next run,
//! which says so and records whose lock it took; on another host nobody
//! can tell, so such a lock waits for its holder or `parkctl unlock`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockInfo {
    pub pid: u32,
    pub host: String,
    pub user: String,
    pub since: DateTime<Utc>,
    pub operation_id: String,
    pub command: String,
}

impl LockInfo {
    pub fn mine(operation_id: &str, command: &str) -> Self {
        LockInfo {
            pid: std::process::id(),
            host: hostname(),
            user: std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .unwrap_or_else(|_| "unknown".into()),
            since: Utc::now(),
            operation_id: operation_id.to_string(),
            command: command.to_string(),
        }
    }

    /// Whether the holder is certainly gone: same host and no such process.
    /// On another host we cannot tell, so the lock is never called stale.
    pub fn is_stale(&self) -> bool {
        if self.host != hostname() {
            return false;
        }
        // SAFETY: kill with signal 0 only checks that the pid exists.
        let alive = unsafe { libc::kill(self.pid as i32, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        !alive
    }

    pub fn describe(&self) -> String {
        format!(
            "held by {}@{} (pid {}, {} {}) since {}",
            self.user,
            self.host,
            self.pid,
            self.command,
            self.operation_id,
            self.since.format("%Y-%m-%d %H:%M:%S UTC")
        )
    }
}

pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at
    // most that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "unknown".into();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

#[derive(Debug)]
pub enum LockError {
    Held(LockInfo),
    Unreadable(PathBuf, super::StateError),
    Io(String),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            LockError::Held(i) => write!(
                f,
                "another apply is running: the lock is {}. Wait for it to finish",
                i.describe()
            ),
            LockError::Unreadable(p, e) => write!(
                f,
                "{} exists but cannot be read ({e}); if no apply is running, run `parkctl unlock`",
                p.display()
            ),
            LockError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    /// The lock of a holder that was gone, which this one replaced.
    pub took_over: Option<LockInfo>,
}

impl Lock {
    /// Takes the lock; a lock whose holder is certainly gone (this host, no
    /// such process: a SIGKILL, an out-of-memory kill, a reboot) is taken
    /// over rather than left for a person, so a scheduled run is not
    /// stopped for good by one killed run.
    pub fn acquire(path: &Path, info: &LockInfo) -> Result<Lock, LockError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| LockError::Io(format!("cannot create {}: {e}", dir.display())))?;
        }
        let body = serde_json::to_vec_pretty(info).map_err(|e| LockError::Io(e.to_string()))?;
        if create(path, &body)? {
            return Ok(Lock::at(path, None));
        }
        match read(path) {
            Ok(i) if i.is_stale() => take_over(path, &body, i),
            Ok(i) => Err(LockError::Held(i)),
            Err(e) => Err(LockError::Unreadable(path.to_path_buf(), e)),
        }
    }

    fn at(path: &Path, took_over: Option<LockInfo>) -> Lock {
        Lock {
            path: path.to_path_buf(),
            took_over,
        }
    }
}

/// Creates the lock whole or not at all: the body is written to a file of
/// this process, then hard-linked to the lock's path, which fails when a
/// lock exists (as O_EXCL does). A kill mid-write leaves no partial lock
/// that no one could read. `Ok(false)`: a lock exists.
fn create(path: &Path, body: &[u8]) -> Result<bool, LockError> {
    let tmp = path.with_extension(format!("new-{}", std::process::id()));
    let io = |e: std::io::Error| LockError::Io(format!("cannot create {}: {e}", path.display()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(body)?;
        f.sync_all()
    });
    let linked = written.and_then(|_| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io(e)),
    }
}

/// Replaces a dead holder's lock, one taker at a time (an advisory lock on
/// a side file, released by the kernel even if this process dies): the
/// lock is removed only if it is still the dead holder's, so two runs
/// that both found it stale cannot both take it.
fn take_over(path: &Path, body: &[u8], dead: LockInfo) -> Result<Lock, LockError> {
    let guard_path = path.with_extension("takeover");
    let guard = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&guard_path)
        .map_err(|e| LockError::Io(format!("cannot open {}: {e}", guard_path.display())))?;
    guard
        .lock()
        .map_err(|e| LockError::Io(format!("cannot lock {}: {e}", guard_path.display())))?;
    match read(path) {
        Ok(now) if now == dead => {
            std::fs::remove_file(path)
                .map_err(|e| LockError::Io(format!("cannot remove {}: {e}", path.display())))?;
        }
        Ok(now) => return Err(LockError::Held(now)),
        Err(_) if !path.exists() => {}
        Err(e) => return Err(LockError::Unreadable(path.to_path_buf(), e)),
    }
    if create(path, body)? {
        Ok(Lock::at(path, Some(dead)))
    } else {
        match read(path) {
            Ok(i) => Err(LockError::Held(i)),
            Err(e) => Err(LockError::Unreadable(path.to_path_buf(), e)),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub fn read(path: &Path) -> Result<LockInfo, super::StateError> {
    let bytes = crate::fsutil::read_capped(path, 64 * 1024)?;
    serde_json::from_slice(&bytes).map_err(|e| super::StateError::Damaged {
        file: super::error::named(path),
        kind: "lock".into(),
        why: e.to_string(),
    })
}
