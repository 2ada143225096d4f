//! The one error type a run ends with, rendered in one place (`main`), as
//! miette diagnostics: a profile's problems at their lines, an AWS call with
//! its resource and what to do next, a bad input file, or a refusal with its
//! exit code. Lower layers return their own errors (`AwsError`, a `String`
//! naming the file); `?` turns each into this one, so commands convert
//! nothing by hand.

use crate::aws::AwsError;
use crate::profile::ProfileErrors;
use miette::Diagnostic;
use std::fmt;

/// How a run ends, as its process exit status (docs/commands.md lists
/// them). The variants are ordered by severity, so that the worst of
/// several targets is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exit {
    /// 0: done; the live state matches (or nothing was asked).
    Ok,
    /// 2: `plan --detailed-exitcode` found changes.
    Changes,
    /// 4: another run holds a lock.
    Locked,
    /// 3: applied in part; re-run to converge.
    Partial,
    /// 1: an error, a refusal, or plan errors.
    Error,
    /// 130: interrupted by Ctrl-C (or a lost lease).
    Interrupted,
}

impl Exit {
    /// The process exit status.
    pub const fn code(self) -> i32 {
        match self {
            Exit::Ok => 0,
            Exit::Error => 1,
            Exit::Changes => 2,
            Exit::Partial => 3,
            Exit::Locked => 4,
            Exit::Interrupted => 130,
        }
    }
}

impl serde::Serialize for Exit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.code())
    }
}

#[derive(Debug)]
pub enum Error {
    /// A profile's problems, each at its line and column.
    Profile(ProfileErrors),
    /// An AWS call failed: the call, the resource, the code, what to do.
    Aws(AwsError),
    /// A state file (snapshot, record, saved plan, lock, hold) or the file
    /// system under it.
    State(crate::state::StateError),
    /// The config, a price table or another input file: the message names
    /// the file.
    Input(String),
    /// A refusal or failure with its exit code and, where known, what to do.
    Failure {
        message: String,
        help: Option<String>,
        code: Exit,
    },
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Failure { code, .. } => *code,
            Error::Profile(_) | Error::Aws(_) | Error::State(_) | Error::Input(_) => Exit::Error,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Error::Profile(e) => e.fmt(f),
            Error::Aws(e) => e.fmt(f),
            Error::State(e) => e.fmt(f),
            Error::Input(m) | Error::Failure { message: m, .. } => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl Diagnostic for Error {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            Error::Profile(e) => e.help(),
            Error::Aws(e) => Some(Box::new(e.hint())),
            Error::Failure { help, .. } => {
                help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
            }
            Error::State(_) | Error::Input(_) => None,
        }
    }

    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            Error::Profile(e) => e.code(),
            _ => None,
        }
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match self {
            Error::Profile(e) => e.source_code(),
            _ => None,
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        match self {
            Error::Profile(e) => e.related(),
            _ => None,
        }
    }
}

impl From<ProfileErrors> for Error {
    fn from(e: ProfileErrors) -> Self {
        Error::Profile(e)
    }
}

impl From<AwsError> for Error {
    fn from(e: AwsError) -> Self {
        Error::Aws(e)
    }
}

impl From<crate::state::StateError> for Error {
    fn from(e: crate::state::StateError) -> Self {
        Error::State(e)
    }
}

impl From<String> for Error {
    fn from(m: String) -> Self {
        Error::Input(m)
    }
}
