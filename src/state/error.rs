//! The state layer's one error type: what is wrong with a state file (or
//! the file system under it), each worded once here with the file named,
//! so that a command shows it as it is and a test can match the case.

use std::path::Path;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StateError {
    /// The file system refused (the message names the file and why).
    #[error("{0}")]
    Io(String),
    #[error("cannot encode {kind}: {why}")]
    Encode { kind: String, why: String },
    #[error("{file} is empty (truncated?); it is not a parkctl {kind}")]
    Empty { file: String, kind: String },
    #[error("{file} is not UTF-8 text (byte {at}): not a parkctl {kind}")]
    NotText {
        file: String,
        kind: String,
        at: usize,
    },
    #[error("{file} ends early at line {line} column {column} (truncated?): not a complete parkctl {kind}")]
    Truncated {
        file: String,
        kind: String,
        line: usize,
        column: usize,
    },
    #[error("{file} is not valid JSON at line {line} column {column}: {why}")]
    NotJson {
        file: String,
        line: usize,
        column: usize,
        why: String,
    },
    #[error("{file} is a parkctl {found}, not a {kind}")]
    OtherKind {
        file: String,
        found: String,
        kind: String,
    },
    #[error("{file} is not a parkctl {kind} (it has no `kind` field)")]
    NoKind { file: String, kind: String },
    #[error("{file} was written by a newer parkctl (schema {schema}; this one reads {}): upgrade parkctl", super::SCHEMA)]
    Newer { file: String, schema: u64 },
    #[error("{file} has schema {schema}, which this parkctl does not read")]
    UnknownSchema { file: String, schema: u64 },
    #[error("{file} has no schema version")]
    NoSchema { file: String },
    /// An older schema this parkctl refuses or cannot upgrade (`why` says
    /// what to do: a schema-1 saved plan is made again).
    #[error("{file}: {why}")]
    Old { file: String, why: String },
    /// The envelope is right but the content is not (a missing field, a
    /// service this parkctl does not have, a value of the wrong type).
    #[error("{file} is a damaged {kind}: {why}")]
    Damaged {
        file: String,
        kind: String,
        why: String,
    },
    /// What was asked for is not there (`why` says where it looked and what
    /// to do).
    #[error("{0}")]
    Missing(String),
}

impl From<String> for StateError {
    /// The file-system helpers (`crate::fsutil`) word their errors with the
    /// file named.
    fn from(m: String) -> Self {
        StateError::Io(m)
    }
}

/// `path` as messages name it.
pub fn named(path: &Path) -> String {
    path.display().to_string()
}
