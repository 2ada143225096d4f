//! S3 state mirror (filled in with the state work).
