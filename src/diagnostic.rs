//! Diagnostics: what is wrong, where, and how to fix it.
//!
//! A [`Diagnostic`] carries a stable kebab-case code, a severity, a one-line message, an optional
//! `help:` and the source locations it concerns. Loading and validation gather them instead of
//! stopping at the first; `render::diagnostics` turns them into miette reports.
//!
//! A diagnostic is made from a registered [`Code`] (`crate::codes`), which gives its default
//! severity, so an unregistered code does not compile. Messages, help and labels are capped at
//! [`MAX_TEXT`] characters when set, here and nowhere else, so every renderer (text, JSON,
//! SARIF) prints a short diagnostic even when it quotes a 10 MB value from a manifest.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::codes::Code;

/// Most characters a message, help or label keeps; longer ones keep their start and end.
pub const MAX_TEXT: usize = 500;

/// `text`, or its start and end around a note of how much was left out when it is longer than
/// [`MAX_TEXT`] characters (the result is never longer). The end is kept because messages
/// usually quote a value first and say what is wrong with it last.
pub fn shorten(text: String) -> String {
    let n = text.chars().count();
    if n <= MAX_TEXT {
        return text;
    }
    // Room for the note "… (N characters left out) …" with N of up to 20 digits.
    let keep = (MAX_TEXT - 46) / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(n - keep).collect();
    format!("{head}… ({} characters left out) …{tail}", n - 2 * keep)
}

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
            message: shorten(message.into()),
            help: None,
            primary: None,
            related: Vec::new(),
        }
    }

    /// Adds a `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shorten(help.into()));
        self
    }

    /// Sets the primary location.
    pub fn at(mut self, location: Location, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            location,
            text: shorten(label.into()),
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
            text: shorten(label.into()),
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
    // Jaro-Winkler cannot pass 0.8 when the input is over ten times a candidate's length (Jaro
    // stays under 0.7, where strsim adds no prefix bonus), so a 10 MB value is never compared.
    let long = input.chars().count() / 10;
    candidates
        .into_iter()
        .filter(|c| c.chars().count() > long)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_keep_their_start_and_end() {
        let long = format!("`{}x` is bad", "a".repeat(10_000));
        let d = Diagnostic::new(crate::codes::INVALID_ARN, long.clone())
            .with_help(long.clone())
            .at(location(), long.clone())
            .also(location(), long);
        let texts = [
            &d.message,
            d.help.as_ref().unwrap(),
            &d.primary.as_ref().unwrap().text,
            &d.related[0].text,
        ];
        for text in texts {
            assert!(text.chars().count() <= MAX_TEXT, "{}", text.chars().count());
            assert!(
                text.starts_with("`aaa") && text.ends_with("ax` is bad"),
                "{text}"
            );
            assert!(text.contains("… (9556 characters left out) …"), "{text}");
        }
        assert_eq!(shorten("short".into()), "short");
        let exactly = "é".repeat(MAX_TEXT);
        assert_eq!(shorten(exactly.clone()), exactly);
    }

    #[test]
    fn did_you_mean_skips_candidates_a_tenth_of_the_input() {
        assert_eq!(
            did_you_mean("Rol", ["Role", "ServiceLinkedRole"]),
            Some("Role")
        );
        let huge = format!("Role{}", "e".repeat(10_000_000));
        assert_eq!(did_you_mean(&huge, ["Role", "ServiceLinkedRole"]), None);
    }

    fn location() -> Location {
        Location {
            file: "t.yaml".into(),
            line: 1,
            column: 1,
            offset: 0,
            len: 1,
        }
    }
}
