//! Profile diagnostics: one miette report per problem, all of a file's
//! problems together, each headed by `file:line:col` so that the position is
//! also readable in plain logs (cron mail, CI output).

use super::spans::{Span, SpanIndex};
use miette::{Diagnostic, NamedSource, SourceSpan};
use std::sync::Arc;
use thiserror::Error;

/// Lines longer than this are not shown under the diagnostic.
const MAX_SNIPPET_LINE: usize = 500;

#[derive(Debug, Clone, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(parkctl::profile))]
pub struct ProfileDiagnostic {
    pub message: String,
    #[source_code]
    src: NamedSource<Arc<String>>,
    #[label(collection)]
    labels: Vec<miette::LabeledSpan>,
    #[help]
    help: Option<String>,
}

#[derive(Debug, Clone, Error, Diagnostic)]
#[error("{file}: {} problem{} in this {}", errors.len(), if errors.len() == 1 { "" } else { "s" }, lines.noun)]
#[diagnostic(code(parkctl::profile::invalid))]
pub struct ProfileErrors {
    pub file: String,
    #[related]
    pub errors: Vec<ProfileDiagnostic>,
    #[source_code]
    src: NamedSource<Arc<String>>,
    text: Arc<String>,
    /// Byte offset of the start of each line, so that positions cost a
    /// binary search rather than a scan (a profile of many rules asks for
    /// the line of each).
    lines: Arc<Lines>,
}

/// Kept behind one pointer so that the run's error type stays small.
#[derive(Debug)]
struct Lines {
    starts: Vec<usize>,
    /// What the file is, in the heading: `profile`, or `config` for the
    /// schedule in `parkctl.yaml`, which shares these diagnostics.
    noun: &'static str,
}

impl ProfileErrors {
    pub fn new(file: &str, text: &str) -> Self {
        let text = Arc::new(text.to_string());
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        ProfileErrors {
            file: file.to_string(),
            errors: Vec::new(),
            src: NamedSource::new(file, text.clone()),
            text,
            lines: Arc::new(Lines {
                starts: line_starts,
                noun: "profile",
            }),
        }
    }

    /// The same diagnostics for another kind of file (`config`).
    pub fn in_file(mut self, noun: &'static str) -> Self {
        self.lines = Arc::new(Lines {
            starts: self.lines.starts.clone(),
            noun,
        });
        self
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `file:line:col` for a byte offset (1-based line and column).
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp(offset);
        let line = self.lines.starts.partition_point(|&start| start <= offset);
        let start = self.lines.starts[line - 1];
        let col = self.text[start..offset].chars().count() + 1;
        (line, col)
    }

    /// An offset inside the text and on a character boundary.
    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    pub fn push(&mut self, message: &str, span: Span, label: &str, help: Option<&str>) {
        self.push_many(message, &[(span, label)], help);
    }

    /// A problem with several places, e.g. the two rules of a conflict.
    pub fn push_many(&mut self, message: &str, places: &[(Span, &str)], help: Option<&str>) {
        let (line, col) = places
            .first()
            .map_or((1, 1), |(s, _)| self.position(s.offset));
        // miette prints the whole source line under a label: for a line of
        // megabytes (minified or generated input) the position alone is kinder.
        let huge_line = places
            .iter()
            .any(|(s, _)| self.line_len_at(s.offset) > MAX_SNIPPET_LINE);
        let labels = places
            .iter()
            .filter(|_| !huge_line)
            .map(|(s, l)| {
                let offset = self.clamp(s.offset);
                let len = s.len.min(self.text.len() - offset);
                miette::LabeledSpan::new_with_span(
                    Some(l.to_string()),
                    SourceSpan::new(offset.into(), len),
                )
            })
            .collect();
        self.errors.push(ProfileDiagnostic {
            message: format!("{}:{line}:{col}: {message}", self.file),
            src: self.src.clone(),
            labels,
            help: help.map(str::to_string),
        });
    }

    fn line_len_at(&self, offset: usize) -> usize {
        let offset = self.clamp(offset);
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        end - start
    }

    pub fn with_one(mut self, message: &str, span: Span, label: &str, help: Option<&str>) -> Self {
        self.push(message, span, label, help);
        self
    }

    /// A problem with the file itself (unreadable, too large): no position.
    pub fn with_message(mut self, message: &str) -> Self {
        self.errors.push(ProfileDiagnostic {
            message: format!("{}: {message}", self.file),
            src: self.src.clone(),
            labels: Vec::new(),
            help: None,
        });
        self
    }

    /// Turns a serde_yaml error into a diagnostic at its position, with
    /// serde's wording made friendlier where we know better.
    pub fn with_serde(self, e: serde_yaml::Error, _index: &SpanIndex) -> Self {
        let raw = e.to_string();
        // serde_yaml appends " at line L column C"; we show the position ourselves.
        let msg = match raw.find(" at line ") {
            Some(i) => raw[..i].to_string(),
            None => raw.clone(),
        };
        let (msg, help) = friendlier(&msg);
        match e.location() {
            Some(loc) => {
                let offset = self.offset_of(loc.line(), loc.column());
                let len = self.token_len(offset);
                self.with_one(&msg, Span { offset, len }, "here", help.as_deref())
            }
            None => self.with_one(
                &msg,
                Span { offset: 0, len: 0 },
                "in this file",
                help.as_deref(),
            ),
        }
    }

    fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let col_bytes: usize = l
                    .chars()
                    .take(column.saturating_sub(1))
                    .map(char::len_utf8)
                    .sum();
                return offset + col_bytes;
            }
            offset += l.len();
        }
        self.text.len()
    }

    fn token_len(&self, offset: usize) -> usize {
        let rest = &self.text[offset.min(self.text.len())..];
        rest.find([':', '\n', ',', ']', '}'])
            .unwrap_or(rest.len())
            .max(1)
    }
}

fn friendlier(msg: &str) -> (String, Option<String>) {
    let rest = msg;
    {
        if rest.contains("unknown field `<<`") {
            return (
                "YAML merge keys (`<<`) are not supported in profiles".into(),
                Some(
                    "write each rule's keys out in full; a profile is meant to be read as it is"
                        .into(),
                ),
            );
        }
        if rest.contains("unknown field") {
            return (
                rest.replacen("unknown field", "unknown key", 1),
                Some("check the spelling; docs/profiles.md lists every key".into()),
            );
        }
        if rest.contains("unknown variant") {
            return (rest.replacen("unknown variant", "unknown value", 1), None);
        }
        if rest.contains("recursion limit exceeded") {
            return (
                "the document is nested too deeply to be a profile".into(),
                None,
            );
        }
        if rest.contains("repetition limit exceeded") {
            return (
                "YAML aliases expand this document beyond any real profile's size (alias bomb?)"
                    .into(),
                Some("remove the anchors and aliases".into()),
            );
        }
    }
    // serde's type names mean little to someone editing YAML.
    let msg = msg
        .replace(
            "invalid type: unit value",
            "invalid type: null (an empty value)",
        )
        .replace(
            "expected a sequence",
            "expected a list (items starting with `- `)",
        )
        .replace("expected field identifier", "expected a key name");
    let msg = match msg.strip_suffix("expected a map") {
        Some(head) => format!("{head}expected a mapping of `key: value` pairs"),
        None => msg,
    };
    let help = if msg.contains("invalid type: null") {
        Some("give it a value, or remove the key".to_string())
    } else {
        None
    };
    (msg, help)
}
