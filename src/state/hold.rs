//! The schedule's hold on disk: `state/hold.json`, written atomically in
//! the usual envelope, and the same bytes in the S3 mirror (`hold.json`
//! under its prefix) so that every operator and scheduled runner sees it.

use super::StateError;
use super::{parse_doc, read_doc, to_json, StateDir};
use crate::schedule::Hold;

pub const KIND: &str = "hold";
pub const FILE: &str = "hold.json";

/// The hold in the state directory, if any.
pub fn read(dir: &StateDir) -> Result<Option<Hold>, StateError> {
    let path = dir.hold_path();
    if !path.exists() {
        return Ok(None);
    }
    read_doc(&path, KIND, &|_, v| Ok(v)).map(Some)
}

/// A hold from the mirror's bytes; `origin` names the object.
pub fn parse(origin: &str, bytes: &[u8]) -> Result<Hold, StateError> {
    parse_doc(origin, bytes, KIND, &|_, v| Ok(v))
}

/// The document as written locally and mirrored.
pub fn encode(hold: &Hold) -> Result<Vec<u8>, StateError> {
    to_json(KIND, hold)
}

pub fn write(dir: &StateDir, hold: &Hold) -> Result<(), StateError> {
    Ok(crate::fsutil::write_atomic(
        &dir.hold_path(),
        &encode(hold)?,
    )?)
}

/// Removes the local hold; whether there was one.
pub fn clear(dir: &StateDir) -> Result<bool, StateError> {
    match std::fs::remove_file(dir.hold_path()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StateError::Io(format!(
            "cannot remove {}: {}",
            dir.hold_path().display(),
            crate::fsutil::io_reason(&e)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    #[test]
    fn set_read_and_cleared() {
        let d = tempfile::tempdir().unwrap();
        let dir = StateDir::new(d.path());
        assert_eq!(read(&dir).unwrap(), None);
        let now = Utc::now();
        let hold = Hold {
            profile: "running".into(),
            until: now + Duration::hours(3),
            set_at: now,
            set_by: "ana@laptop".into(),
            reason: Some("late demo".into()),
        };
        write(&dir, &hold).unwrap();
        assert_eq!(read(&dir).unwrap(), Some(hold.clone()));
        // The mirror's bytes are the same document.
        let bytes = std::fs::read(dir.hold_path()).unwrap();
        assert_eq!(parse("s3://b/p/hold.json", &bytes).unwrap(), hold);
        assert!(clear(&dir).unwrap());
        assert!(!clear(&dir).unwrap());
        assert_eq!(read(&dir).unwrap(), None);
        // Another kind of state file is refused by name.
        let e = parse("s3://b/p/hold.json", b"{\"kind\": \"lock\", \"schema\": 2}").unwrap_err();
        assert!(matches!(e, StateError::OtherKind { ref found, .. } if found == "lock"));
        assert!(
            e.to_string().contains("is a parkctl lock, not a hold"),
            "{e}"
        );
    }
}
