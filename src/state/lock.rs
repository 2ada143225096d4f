//! The apply lock: `state/lock`, created with O_EXCL so that two applies
//! cannot both take it. A lock whose holder is gone (same host, no such
//! process) is stale: reported, and broken only by `parkctl unlock`.

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
    Stale(LockInfo),
    Unreadable(PathBuf, String),
    Io(String),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            LockError::Held(i) => write!(f, "another apply is running: the lock is {}. Wait for it to finish", i.describe()),
            LockError::Stale(i) => write!(
                f,
                "a previous apply died without releasing the lock ({}); its process is gone. Check `parkctl history`, then run `parkctl unlock` and re-run: the apply converges",
                i.describe()
            ),
            LockError::Unreadable(p, e) => write!(f, "{} exists but cannot be read ({e}); if no apply is running, run `parkctl unlock`", p.display()),
            LockError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    pub fn acquire(path: &Path, info: &LockInfo) -> Result<Lock, LockError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| LockError::Io(format!("cannot create {}: {e}", dir.display())))?;
        }
        let body = serde_json::to_vec_pretty(info).map_err(|e| LockError::Io(e.to_string()))?;
        match OpenOptions::new().write(true).create_new(true).open(path) {
            Ok(mut f) => {
                f.write_all(&body)
                    .and_then(|_| f.sync_all())
                    .map_err(|e| LockError::Io(format!("cannot write {}: {e}", path.display())))?;
                Ok(Lock {
                    path: path.to_path_buf(),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(match read(path) {
                Ok(i) if i.is_stale() => LockError::Stale(i),
                Ok(i) => LockError::Held(i),
                Err(e) => LockError::Unreadable(path.to_path_buf(), e),
            }),
            Err(e) => Err(LockError::Io(format!(
                "cannot create {}: {e}",
                path.display()
            ))),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub fn read(path: &Path) -> Result<LockInfo, String> {
    let bytes = crate::fsutil::read_capped(path, 64 * 1024)?;
    serde_json::from_slice(&bytes).map_err(|e| format!("not a parkctl lock: {e}"))
}
