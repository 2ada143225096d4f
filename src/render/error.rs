//! The one place an error is worded for a person: a miette diagnostic on
//! stderr (a profile's problems at their lines, an AWS call with its
//! resource and what to do next), whether it ends the run (`main`) or one
//! target of several, or one file `validate` checks.

/// Prints `e` as a diagnostic on stderr.
pub fn eprint(e: impl Into<crate::error::Error>) {
    eprintln!("{:?}", miette::Report::new(e.into()));
}

/// Prints `e` under a heading line (`Target stage:`).
pub fn eprint_under(heading: &str, e: impl Into<crate::error::Error>) {
    eprintln!("{heading}\n{:?}", miette::Report::new(e.into()));
}
