//! Where each key and value of a YAML document sits in its source.
//!
//! serde_yaml reports positions for the errors it finds itself (unknown keys,
//! wrong types), but once a profile is parsed its values have no position. To
//! point at the offending text of a semantic error (a conflict between two
//! rules, a shard count out of range) we walk the document once more with
//! yaml-rust2's marked events and index every path. The same walk catches
//! duplicate keys, which serde would otherwise resolve silently in maps.

use std::collections::{HashMap, HashSet};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Aliases may add at most this many nodes to a document once expanded.
/// serde_yaml caps alias *jumps*, not what each one replays, so a short
/// file that aliases a long list from many rules would otherwise make it
/// build billions of values (a quadratic "billion laughs"). A real profile
/// that shares a list of names between a few rules is far below this.
pub const MAX_ALIAS_EXPANSION: u64 = 100_000;

/// Deeper nesting than this is refused: a profile needs four levels
/// (`section.list[0].tags`), and the cap keeps hostile input from
/// costing stack or time anywhere downstream.
pub const MAX_DEPTH: usize = 32;

/// A byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

#[derive(Debug, Default)]
pub struct SpanIndex {
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
}

/// A problem found while walking the document: a YAML syntax error or a
/// duplicate key.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub message: String,
    pub span: Span,
    pub label: String,
}

impl SpanIndex {
    /// The span of the value at `path` (e.g. `section[0].key`), falling
    /// back to the closest indexed ancestor so that an error always points
    /// somewhere useful.
    pub fn value(&self, path: &str) -> Span {
        let mut p = path.to_string();
        loop {
            if let Some(s) = self.values.get(&p) {
                return *s;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => return Span { offset: 0, len: 0 },
            }
        }
    }

    /// The span of the key at `path`, or of its value when the key is absent.
    pub fn key(&self, path: &str) -> Span {
        self.keys
            .get(path)
            .copied()
            .unwrap_or_else(|| self.value(path))
    }

    /// Whether the document has the key at `path` (e.g. `version`).
    pub fn has_key(&self, path: &str) -> bool {
        self.keys.contains_key(path)
    }

    /// Whether the document holds no value at all (empty, only comments).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn walk(src: &str) -> Result<SpanIndex, WalkError> {
        let offsets = CharOffsets::new(src);
        let mut walker = Walker {
            src,
            offsets: &offsets,
            index: SpanIndex::default(),
            stack: Vec::new(),
            error: None,
            documents: 0,
            sizes: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
        };
        // yaml-rust2 reads a byte order mark as text when a comment follows
        // it; parse after it, and count it back in positions.
        let body = src.strip_prefix('\u{feff}').unwrap_or(src);
        let mut parser = Parser::new_from_str(body);
        // Pull events one by one rather than through `Parser::load`, which
        // recurses once per nesting level and overflows the stack on a
        // deeply indented document (flow nesting is capped by the scanner,
        // block nesting is not). The walker stops at `MAX_DEPTH` and at its
        // first error, so hostile input costs one bounded pass.
        loop {
            let (ev, mark) = match parser.next_token() {
                Ok(x) => x,
                Err(e) => {
                    let offset = offsets.byte(e.marker().index());
                    let message = if e.info().contains("recursion limit exceeded") {
                        format!("the document is nested more than {MAX_DEPTH} levels deep, far deeper than any profile")
                    } else if e.info() == "simple key expect ':'" {
                        "YAML syntax error: expected `:` after this key, on the same line (a key is at most 1024 characters; `*name` refers to an anchor `&name` defined earlier)".to_string()
                    } else {
                        match syntax_hint(e.info()) {
                            Some(hint) => format!("YAML syntax error: {} ({hint})", e.info()),
                            None => format!("YAML syntax error: {}", e.info()),
                        }
                    };
                    return Err(WalkError {
                        message,
                        span: Span { offset, len: 1 },
                        label: "here".into(),
                    });
                }
            };
            if ev == Event::StreamEnd {
                break;
            }
            walker.on_event(ev, mark);
            if let Some(e) = walker.error.take() {
                return Err(e);
            }
        }
        Ok(walker.index)
    }
}

/// The likely cause of a scanner error, in the words of someone editing YAML.
fn syntax_hint(info: &str) -> Option<&'static str> {
    if info.contains("quoted scalar") {
        Some("is a closing quote missing?")
    } else if info.contains("flow sequence")
        || info.contains("flow mapping")
        || info.contains("placement of ':'")
    {
        Some("is a closing `]` or `}` missing?")
    } else if info.contains("tabs disallowed") {
        Some("indent with spaces, not tabs")
    } else if info.contains("mapping values are not allowed")
        || info.contains("did not find expected key")
    {
        Some("check this line's indentation")
    } else {
        None
    }
}

/// Markers count characters; miette wants byte offsets.
struct CharOffsets {
    table: Option<Vec<usize>>,
    len: usize,
    skip: usize,
}

impl CharOffsets {
    fn new(src: &str) -> Self {
        let table = (!src.is_ascii()).then(|| src.char_indices().map(|(b, _)| b).collect());
        CharOffsets {
            table,
            len: src.len(),
            skip: usize::from(src.starts_with('\u{feff}')),
        }
    }
    /// The byte offset of a marker's character index (which does not count
    /// a leading byte order mark).
    fn byte(&self, chars: usize) -> usize {
        let chars = chars + self.skip;
        match &self.table {
            None => chars.min(self.len),
            Some(t) => t.get(chars).copied().unwrap_or(self.len),
        }
    }
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        seen: HashSet<String>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

struct Walker<'a> {
    src: &'a str,
    offsets: &'a CharOffsets,
    index: SpanIndex,
    stack: Vec<Frame>,
    error: Option<WalkError>,
    documents: usize,
    /// For each open collection (in step with `stack`): its anchor id (0:
    /// none) and how many nodes it holds once aliases are expanded.
    sizes: Vec<(usize, u64)>,
    /// Expanded node count of each anchor seen so far.
    anchors: HashMap<usize, u64>,
    /// Nodes that aliases add to the document once expanded.
    expanded: u64,
}

impl Walker<'_> {
    /// Where the next value goes, or `None` when the next scalar is a key.
    fn child_path(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Map { key: None, .. }) => None,
            Some(Frame::Map {
                path, key: Some(k), ..
            }) => Some(join(path, k)),
            Some(Frame::Seq { path, next }) => Some(format!("{path}[{next}]")),
        }
    }

    fn advance(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { next, .. }) => *next += 1,
            None => {}
        }
    }

    /// Adds a node of `n` expanded nodes to the collection it is in.
    fn count(&mut self, n: u64) {
        if let Some((_, size)) = self.sizes.last_mut() {
            *size = size.saturating_add(n);
        }
    }

    fn span_at(&self, mark: Marker, text_len: usize) -> Span {
        let offset = self.offsets.byte(mark.index());
        let rest = &self.src.as_bytes()[offset.min(self.src.len())..];
        // Quoted scalars are longer in the source than their value; point at
        // the whole token up to the end of the line when unsure. Look for the
        // line's end only as far as the token could reach: scanning a long
        // one-line flow list to its end for each item was quadratic.
        let want = text_len.max(1).min(rest.len());
        let mut len = rest[..want]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(want)
            .max(1);
        while len > 1 && !self.src.is_char_boundary(offset + len) {
            len -= 1;
        }
        Span { offset, len }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl MarkedEventReceiver for Walker<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.error = Some(WalkError {
                        message: "a profile holds exactly one YAML document, this file has several"
                            .into(),
                        span: self.span_at(mark, 3),
                        label: "a second document starts here".into(),
                    });
                }
            }
            Event::Scalar(value, _, anchor, _) => {
                if anchor > 0 {
                    self.anchors.insert(anchor, 1);
                }
                self.count(1);
                self.scalar(value, mark);
            }
            Event::Alias(id) => self.alias(id, mark),
            Event::MappingStart(anchor, _) => self.open(anchor, mark, true),
            Event::SequenceStart(anchor, _) => self.open(anchor, mark, false),
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                if let Some((anchor, size)) = self.sizes.pop() {
                    if anchor > 0 {
                        self.anchors.insert(anchor, size);
                    }
                    self.count(size);
                }
                self.advance();
            }
            _ => {}
        }
    }
}

impl Walker<'_> {
    fn scalar(&mut self, value: String, mark: Marker) {
        match self.child_path() {
            Some(path) => {
                let span = self.span_at(mark, value.len());
                self.index.values.insert(path, span);
                self.advance();
            }
            None => {
                let span = self.span_at(mark, value.len());
                if let Some(Frame::Map { path, key, seen }) = self.stack.last_mut() {
                    // A block mapping starts at its first `:` in
                    // yaml-rust2's marks; point at its first key instead.
                    if seen.is_empty() {
                        if let Some(s) = self.index.values.get_mut(path.as_str()) {
                            if span.offset < s.offset {
                                *s = span;
                            }
                        }
                    }
                    if !seen.insert(value.clone()) {
                        self.error = Some(WalkError {
                            message: format!("duplicate key `{value}`"),
                            span,
                            label: "this key appears twice in the same mapping".into(),
                        });
                        return;
                    }
                    let full = join(path, &value);
                    self.index.keys.insert(full, span);
                    *key = Some(value);
                }
            }
        }
    }
}

impl Walker<'_> {
    /// An alias replays its anchor's values: count them, refuse a bomb.
    fn alias(&mut self, id: usize, mark: Marker) {
        let n = self.anchors.get(&id).copied().unwrap_or(1);
        self.expanded = self.expanded.saturating_add(n);
        if self.expanded > MAX_ALIAS_EXPANSION {
            self.error = Some(WalkError {
                message: format!(
                    "YAML aliases expand this document by more than {MAX_ALIAS_EXPANSION} values, far beyond any real profile (alias bomb?); write the values out instead of aliasing them"
                ),
                span: self.span_at(mark, 1),
                label: "this alias passes the limit".into(),
            });
            return;
        }
        self.count(n);
        // A complex key or an alias as a key cannot be a profile key;
        // serde reports it, so only keep the walk in step here.
        if self.child_path().is_none() {
            if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                *key = Some("*alias".into());
            }
        } else {
            self.advance();
        }
    }

    /// A mapping or sequence starts: index its path, refuse deep nesting.
    fn open(&mut self, anchor: usize, mark: Marker, map: bool) {
        let span = self.span_at(mark, 1);
        if self.stack.len() >= MAX_DEPTH {
            self.error = Some(WalkError {
                message: format!(
                    "the document is nested more than {MAX_DEPTH} levels deep, far deeper than any profile"
                ),
                span,
                label: "too deep here".into(),
            });
            return;
        }
        let path = self.child_path().unwrap_or_else(|| "?".into());
        self.index.values.entry(path.clone()).or_insert(span);
        self.sizes.push((anchor, 1));
        self.stack.push(if map {
            Frame::Map {
                path,
                key: None,
                seen: HashSet::new(),
            }
        } else {
            Frame::Seq { path, next: 0 }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_nested_values() {
        let src = "version: 1\nsection:\n  - name: s\n    size: 3\n";
        let idx = SpanIndex::walk(src).unwrap();
        let s = idx.value("section[0].size");
        assert_eq!(&src[s.offset..s.offset + s.len], "3");
        let k = idx.key("section[0].size");
        assert_eq!(&src[k.offset..k.offset + k.len], "size");
    }

    #[test]
    fn reports_duplicate_keys() {
        let e = SpanIndex::walk("version: 1\nversion: 2\n").unwrap_err();
        assert!(e.message.contains("duplicate key `version`"));
        assert_eq!(e.span.offset, 11);
    }

    #[test]
    fn handles_multibyte_text() {
        let src = "description: \"é ü\"\nversion: x\n";
        let idx = SpanIndex::walk(src).unwrap();
        let s = idx.value("version");
        assert_eq!(&src[s.offset..s.offset + s.len], "x");
    }

    #[test]
    fn falls_back_to_ancestor() {
        let src = "section:\n  - names: [a]\n";
        let idx = SpanIndex::walk(src).unwrap();
        let s = idx.value("section[0].size");
        assert_eq!(s, idx.value("section[0]"));
    }
}
