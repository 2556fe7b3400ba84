//! Diagnostics: what is wrong, where, and how to fix it.
//!
//! A [`Diagnostic`] carries a stable kebab-case code, a severity, a one-line message, an optional
//! `help:` and the source locations it concerns. Loading and validation gather them instead of
//! stopping at the first; `render::diagnostics` turns them into miette reports.
//!
//! A diagnostic is made from a registered [`Code`] (`crate::codes`), which gives its default
//! severity, so an unregistered code does not compile.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::codes::Code;

/// How bad a finding is. Errors stop `plan` and `apply`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Suspicious but allowed.
    Warning,
    /// Invalid; nothing is changed.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// A position in a source file: 1-based line and column, plus the byte range for excerpts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset of the start in the file.
    #[serde(skip)]
    pub offset: usize,
    /// Length in bytes of the labelled text (at least 1 for display).
    #[serde(skip)]
    pub len: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A labelled location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub location: Location,
    /// What this place is, e.g. "first declared here".
    pub text: String,
}

/// One finding about the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable kebab-case code, e.g. `unknown-field` (a [`Code`] of the registry).
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The primary location and its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<Label>,
    /// Other places that matter (e.g. the first declaration of a duplicate).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Label>,
}

impl Diagnostic {
    /// A diagnostic with a registered code (which gives the severity) and a message.
    pub fn new(code: &'static Code, message: impl Into<String>) -> Self {
        Self {
            code: code.code,
            severity: code.severity,
            message: message.into(),
            help: None,
            primary: None,
            related: Vec::new(),
        }
    }

    /// Adds a `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the primary location.
    pub fn at(mut self, location: Location, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            location,
            text: label.into(),
        });
        self
    }

    /// Sets the primary location if there is one.
    pub fn at_opt(self, location: Option<Location>, label: impl Into<String>) -> Self {
        match location {
            Some(l) => self.at(l, label),
            None => self,
        }
    }

    /// Adds a related location.
    pub fn also(mut self, location: Location, label: impl Into<String>) -> Self {
        self.related.push(Label {
            location,
            text: label.into(),
        });
        self
    }
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// The closest candidate to `input` by edit distance, if close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&input.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
