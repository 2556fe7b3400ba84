//! Source text and where each YAML node sits in it.
//!
//! [`SourceIndex`] maps a YAML path (`spec.tags.team`, `spec.trust[0]`) to the positions of the
//! key and the value, so validation can report file:line:col for any field without threading
//! spans through the serde types (which stay clean for the JSON Schema).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_saphyr::granit_parser::{Event, Parser};

use crate::diagnostic::Location;

/// One segment of a YAML path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Self {
        Seg::Key(key.to_owned())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

/// Builds a YAML path from keys and indices: `path!["spec", "trust", 0]`.
#[macro_export]
macro_rules! yaml_path {
    ($($seg:expr),* $(,)?) => { [$($crate::manifest::source::Seg::from($seg)),*] };
}

/// Something that can turn a YAML path into a file position: a loaded document.
///
/// The linter reports through this trait instead of naming `load::LoadedDocument`, so it needs
/// only positions from the manifest side, not the loader or the validator.
pub trait Locate {
    /// The location of the value at `path` (or of the nearest enclosing node).
    fn locate(&self, path: &[Seg]) -> Location;
    /// The location of the key at `path` (falls back to the value, then the ancestors).
    fn locate_key(&self, path: &[Seg]) -> Location;
}

/// A file's text with its line starts, for turning line/column into byte offsets.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// The file path as given.
    pub path: PathBuf,
    /// The full text.
    pub text: Arc<str>,
    line_starts: Arc<[usize]>,
}

impl SourceText {
    /// Indexes a file's text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            path: path.into(),
            text,
            line_starts: line_starts.into(),
        }
    }

    /// A location from a 1-based line and a 1-based character column.
    pub fn location(&self, line: usize, column: usize, len_chars: usize) -> Location {
        let line = line.clamp(1, self.line_starts.len());
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let line_text = &self.text[start..end];
        let byte_col = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        let len = line_text[byte_col..]
            .char_indices()
            .nth(len_chars.max(1))
            .map_or(line_text.len() - byte_col, |(i, _)| i)
            .max(1)
            .min(self.text.len().saturating_sub(start + byte_col).max(1));
        Location {
            file: self.path.clone(),
            line,
            column,
            offset: (start + byte_col).min(self.text.len()),
            len,
        }
    }

    /// The path for display.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The plain scalar text starting at a 1-based line and column, up to the end of the line
    /// or a ` #` comment, trimmed (for quoting a bad value in a message).
    pub fn token_at(&self, line: usize, column: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let line_text = &self.text[start..end];
        let from = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        let rest = &line_text[from..];
        let rest = rest.find(" #").map_or(rest, |i| &rest[..i]);
        rest.trim()
    }
}

/// Where a node's key and value are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpan {
    /// 1-based line and column of the key, for mapping entries.
    pub key: Option<(usize, usize, usize)>,
    /// 1-based line and column of the value, and its length in characters on its first line.
    pub value: (usize, usize, usize),
}

/// Positions of every node of one YAML document, by path.
#[derive(Debug, Clone, Default)]
pub struct SourceIndex {
    nodes: HashMap<Vec<Seg>, NodeSpan>,
}

enum Frame {
    Mapping {
        key: Option<(String, (usize, usize, usize))>,
    },
    Sequence {
        next: usize,
    },
}

impl SourceIndex {
    /// Indexes a document's text (which may be padded with blank lines so that its line
    /// numbers match the file). Returns the syntax error position and message if the YAML is
    /// malformed.
    pub fn build(text: &str) -> Result<Self, (usize, usize, String)> {
        let mut nodes = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut path: Vec<Seg> = Vec::new();
        let mut parser = Parser::new_from_str(text);
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| {
                let m = e.marker();
                (m.line(), m.col() + 1, e.info().to_owned())
            })?;
            let pos = (
                span.start.line(),
                span.start.col() + 1,
                if span.end.line() == span.start.line() {
                    span.end.col().saturating_sub(span.start.col()).max(1)
                } else {
                    1
                },
            );
            let is_node_start = matches!(
                event,
                Event::Scalar(..)
                    | Event::MappingStart(..)
                    | Event::SequenceStart(..)
                    | Event::Alias(_)
            );
            if is_node_start {
                // Is this node a mapping key?
                if let Some(Frame::Mapping { key }) = stack.last_mut()
                    && key.is_none()
                {
                    let name = match &event {
                        Event::Scalar(v, ..) => v.to_string(),
                        _ => String::from("?"),
                    };
                    *key = Some((name, pos));
                    if !matches!(event, Event::Scalar(..)) {
                        // Complex keys are not used by manifests; skip their contents.
                        stack.push(Frame::Sequence { next: 0 });
                        path.push(Seg::Index(usize::MAX));
                    }
                    continue;
                }
                let (seg, key_pos) = match stack.last_mut() {
                    Some(Frame::Mapping { key }) => {
                        let (name, kpos) = key.take().unwrap_or_default();
                        (Some(Seg::Key(name)), Some(kpos))
                    }
                    Some(Frame::Sequence { next }) => {
                        *next += 1;
                        (Some(Seg::Index(*next - 1)), None)
                    }
                    None => (None, None),
                };
                if let Some(seg) = seg.clone() {
                    path.push(seg);
                }
                nodes.insert(
                    path.clone(),
                    NodeSpan {
                        key: key_pos,
                        value: pos,
                    },
                );
                match event {
                    Event::MappingStart(..) => stack.push(Frame::Mapping { key: None }),
                    Event::SequenceStart(..) => stack.push(Frame::Sequence { next: 0 }),
                    _ => {
                        if seg.is_some() {
                            path.pop();
                        }
                    }
                }
            } else if matches!(event, Event::MappingEnd | Event::SequenceEnd) {
                stack.pop();
                if !stack.is_empty() || !path.is_empty() {
                    path.pop();
                }
            }
        }
        Ok(Self { nodes })
    }

    /// The span of the node at `path`, or of its nearest indexed ancestor.
    pub fn find(&self, path: &[Seg]) -> Option<(NodeSpan, bool)> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.nodes.get(&path[..n]).map(|s| (*s, n == path.len())))
    }

    /// The path of the mapping that holds the key at (line, column), or of the mapping that
    /// starts there. serde reports a missing field at the mapping's last key (or at `{}` when
    /// it is empty); this finds the mapping itself.
    pub fn mapping_at(&self, line: usize, column: usize) -> Option<Vec<Seg>> {
        let at = |p: (usize, usize, usize)| p.0 == line && p.1 == column;
        if let Some((path, _)) = self.nodes.iter().find(|(_, span)| span.key.is_some_and(at)) {
            return Some(path[..path.len().saturating_sub(1)].to_vec());
        }
        self.nodes
            .iter()
            .filter(|(_, span)| at(span.value))
            .max_by_key(|(path, _)| path.len())
            .map(|(path, _)| path.clone())
    }

    /// Whether the path exists in the document.
    pub fn contains(&self, path: &[Seg]) -> bool {
        self.nodes.contains_key(path)
    }
}
