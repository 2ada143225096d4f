//! File helpers every state and input file goes through, so that the size
//! cap and the atomic-write discipline hold everywhere.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

/// Reads at most `cap` bytes; a larger file is refused, and the cap holds
/// while reading (a file that grows after the size check cannot slip past).
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let f = File::open(path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
    let mut buf = Vec::new();
    f.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
    if buf.len() as u64 > cap {
        return Err(format!(
            "{} is larger than {} KiB, more than any file parkctl writes or reads; refusing to parse it",
            path.display(),
            cap / 1024
        ));
    }
    Ok(buf)
}

/// Writes a file so that readers see either the old or the new content,
/// never half of it: temp file in the same directory, fsync, rename, fsync
/// of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create {}: {}", dir.display(), io_reason(&e)))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok::<(), std::io::Error>(())
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {}", path.display(), io_reason(&e))
    })
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn cap_is_enforced() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big");
        fs::write(&p, vec![b'a'; 2048]).unwrap();
        assert!(read_capped(&p, 1024)
            .unwrap_err()
            .contains("larger than 1 KiB"));
        assert_eq!(read_capped(&p, 4096).unwrap().len(), 2048);
    }
}
