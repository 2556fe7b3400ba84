//! Diagnostics as miette reports (file:line:col, a label on the bad span, a `help:` line) and
//! as JSON.
//!
//! miette is never given a whole file: it prints every line a label touches in full and
//! underlines the whole span, so one error in a manifest with a 10 MB line printed 47 MB. Each
//! report gets an [`Excerpt`] instead: the label's line and a few lines around it, each cut to
//! [`EXCERPT_LINE`] characters (the label's line around the label, whose underline is capped at
//! [`EXCERPT_LABEL`] characters), with `…` where text was left out. The excerpt reports the file's own line and column numbers, so the header still
//! names the right place. Messages, help and labels are capped where a diagnostic is made
//! (`crate::diagnostic::MAX_TEXT`), which covers JSON and SARIF too.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Label, Severity};

/// Most characters of a label's span that are underlined (and kept in the excerpt).
pub const EXCERPT_LABEL: usize = 120;
/// Characters kept before the label when its line is cut.
pub const EXCERPT_CONTEXT: usize = 60;
/// Most characters kept of a line of an excerpt; longer lines are cut (the label's line so
/// that [`EXCERPT_CONTEXT`] characters before the label are kept, the others at the end).
pub const EXCERPT_LINE: usize = 2 * EXCERPT_CONTEXT + EXCERPT_LABEL;
/// Lines kept before and after the label's line: more than the one line of context miette
/// shows, so the lines miette picks from an excerpt are the ones it would pick from the file.
const EXCERPT_LINES: usize = 2;
/// What stands where an excerpt left text out.
const CUT: &str = "…";

/// A window of a file around one label, as the source miette renders from.
///
/// Spans given to miette are offsets into `text`; what miette reads back carries the file's
/// line numbers and, on the label's line, the file's column (in bytes, as miette counts).
#[derive(Debug)]
struct Excerpt {
    /// The file name shown in the header.
    name: String,
    /// The excerpt's text: whole lines of the file, or cut ones marked with [`CUT`].
    text: String,
    /// 0-based line of the file where the excerpt starts.
    first_line: usize,
    /// 0-based line of the excerpt that holds the label.
    label_line: usize,
    /// Bytes of the label's line left out before the excerpt's part of it (0 when none).
    label_line_cut: usize,
}

impl Excerpt {
    /// The excerpt of `text` around the byte range `offset..offset + len`, and the label's span
    /// within it (the length capped to the label's line and to [`EXCERPT_LABEL`] characters).
    fn around(name: String, text: &str, offset: usize, len: usize) -> (Self, SourceSpan) {
        let offset = text.floor_char_boundary(offset);
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        // A label may cover its line's newline; never more than the line.
        let line_limit = (line_end + 1).min(text.len());
        let label_end = advance(
            text,
            offset,
            EXCERPT_LABEL,
            text.ceil_char_boundary(offset.saturating_add(len).min(line_limit)),
        );
        // A line that fits is kept whole; a longer one is cut around the label.
        let (from, to) = if advance(text, line_start, EXCERPT_LINE, line_end) == line_end {
            (line_start, line_end)
        } else {
            let from = back(text, offset, EXCERPT_CONTEXT, line_start);
            (from, advance(text, from, EXCERPT_LINE, line_end))
        };

        let mut before = Vec::new();
        let mut start = line_start;
        while before.len() < EXCERPT_LINES && start > 0 {
            let end = start - 1;
            start = text[..end].rfind('\n').map_or(0, |i| i + 1);
            before.push(start..end);
        }
        before.reverse();
        let mut after = Vec::new();
        let mut end = line_end;
        while after.len() < EXCERPT_LINES && end < text.len() {
            let start = end + 1;
            end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            after.push(start..end);
        }

        let mut out = String::new();
        let push_line = |out: &mut String, range: std::ops::Range<usize>| {
            let cut_at = advance(text, range.start, EXCERPT_LINE, range.end);
            out.push_str(&text[range.start..cut_at]);
            if cut_at < range.end {
                out.push_str(CUT);
            }
            if range.end < text.len() {
                out.push('\n');
            }
        };
        for r in &before {
            push_line(&mut out, r.clone());
        }
        if from > line_start {
            out.push_str(CUT);
        }
        let label_offset = out.len() + (offset - from);
        out.push_str(&text[from..to]);
        if to < line_end {
            out.push_str(CUT);
        }
        if line_end < text.len() {
            out.push('\n');
        }
        for r in after {
            push_line(&mut out, r);
        }

        let first_start = before.first().map_or(line_start, |r| r.start);
        let first_line = text.as_bytes()[..first_start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        // A label at the very end of the file keeps its length, as it would on the whole file.
        let label_len = if offset < text.len() {
            label_end - offset
        } else {
            len
        };
        let excerpt = Self {
            name,
            text: out,
            first_line,
            label_line: before.len(),
            label_line_cut: from - line_start,
        };
        (excerpt, SourceSpan::new(label_offset.into(), label_len))
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let mut column = inner.column();
        // Only a read without lines before reports a real column (miette's own rule).
        if context_lines_before == 0 && inner.line() == self.label_line && self.label_line_cut > 0 {
            column = (column + self.label_line_cut).saturating_sub(CUT.len());
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count() + self.first_line,
        )))
    }
}

/// The byte index `chars` characters after `from`, or `limit` if that comes first.
fn advance(text: &str, from: usize, chars: usize, limit: usize) -> usize {
    if limit <= from {
        return from;
    }
    text[from..limit]
        .char_indices()
        .nth(chars)
        .map_or(limit, |(i, _)| from + i)
}

/// The byte index `chars` characters before `to`, or `limit` if that comes first.
fn back(text: &str, to: usize, chars: usize, limit: usize) -> usize {
    if chars == 0 || limit >= to {
        return to;
    }
    text[limit..to]
        .char_indices()
        .rev()
        .nth(chars - 1)
        .map_or(limit, |(i, _)| limit + i)
}

/// A diagnostic with the excerpt of the file it points into.
struct Report {
    diagnostic: Diagnostic,
    label: Option<Label>,
    source: Option<(Excerpt, SourceSpan)>,
    related: Vec<Report>,
    is_related: bool,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (
            &self.label,
            self.related.is_empty() && self.source.is_none(),
        ) {
            (Some(l), true) => write!(f, "{}: {}", l.location, self.diagnostic.message),
            _ => f.write_str(&self.diagnostic.message),
        }
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        // The primary report's header line already carries the code; a related report names
        // it so the reader sees what the extra location belongs to.
        self.is_related
            .then(|| Box::new(self.diagnostic.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|(s, _)| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = self.label.as_ref()?;
        let (_, span) = self.source.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label.text.clone()), *span),
        )))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

/// File texts read for excerpts, each file read once per rendering (a file may hold many
/// diagnostics, and a large one should not be read again for each).
#[derive(Default)]
struct Files(HashMap<PathBuf, Option<Arc<str>>>);

impl Files {
    /// The excerpt of a label's file around it, if the file can be read.
    fn excerpt(&mut self, label: &Label) -> Option<(Excerpt, SourceSpan)> {
        let file = &label.location.file;
        let text = self
            .0
            .entry(file.clone())
            .or_insert_with(|| fs_err::read_to_string(file).ok().map(Arc::from))
            .as_ref()?;
        Some(Excerpt::around(
            file.display().to_string(),
            text,
            label.location.offset,
            label.location.len,
        ))
    }
}

fn report(d: &Diagnostic, files: &mut Files) -> Report {
    let related = d
        .related
        .iter()
        .map(|l| Report {
            diagnostic: Diagnostic {
                code: d.code,
                severity: Severity::Info,
                message: format!("{}: {}", l.location, l.text),
                help: None,
                primary: None,
                related: Vec::new(),
            },
            label: Some(l.clone()),
            source: files.excerpt(l),
            related: Vec::new(),
            is_related: true,
        })
        .collect();
    Report {
        diagnostic: d.clone(),
        label: d.primary.clone(),
        source: d.primary.as_ref().and_then(|l| files.excerpt(l)),
        related,
        is_related: false,
    }
}

/// Renders diagnostics as miette reports. `color` picks the themed or the plain Unicode style.
pub fn render(diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let mut files = Files::default();
    for d in diagnostics {
        let r = report(d, &mut files);
        let mut one = String::new();
        if handler.render_report(&mut one, &r).is_err() {
            one = format!("{}: {}\n", d.code, d.message);
        }
        // The location line makes `file:line:col` greppable even without an excerpt.
        if let Some(l) = &d.primary {
            out.push_str(&format!("{}: {} [{}]\n", l.location, d.severity, d.code));
        }
        out.push_str(&one);
        out.push('\n');
    }
    out
}

/// Renders diagnostics as a JSON array with a trailing newline.
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    crate::json::pretty(diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    /// What miette reads for a span: (text, 0-based line, column).
    fn read(source: &dyn SourceCode, span: SourceSpan, context: usize) -> (String, usize, usize) {
        let c = source
            .read_span(&span, context, context)
            .expect("span in bounds");
        (
            String::from_utf8_lossy(c.data()).into_owned(),
            c.line(),
            c.column(),
        )
    }

    #[test]
    fn excerpts_of_short_lines_read_like_the_whole_file() {
        let text = "a: 1\r\nb:\n  - é x\n\n  - y\nlast: z";
        for offset in 0..=text.len() {
            if !text.is_char_boundary(offset) {
                continue;
            }
            // Spans as `Location`s make them: within a line, perhaps with its newline.
            let line_limit = text[offset..]
                .find('\n')
                .map_or(text.len(), |i| offset + i + 1);
            for chars in [0, 1, 3, usize::MAX] {
                let len = advance(text, offset, chars, line_limit) - offset;
                let (excerpt, span) = Excerpt::around("t".into(), text, offset, len);
                for context in [0, 1] {
                    let whole = read(&text, SourceSpan::new(offset.into(), len), context);
                    assert_eq!(
                        read(&excerpt, span, context),
                        whole,
                        "offset {offset}, len {len}, context {context}"
                    );
                }
            }
        }
    }

    #[test]
    fn excerpts_of_long_lines_keep_positions_and_stay_short() {
        let long = "x".repeat(100_000);
        let text = format!("first\n{long}\nkey: {long}BAD{long}\n{long}\n");
        let offset = text.find("BAD").unwrap();
        let (excerpt, span) = Excerpt::around("t".into(), &text, offset, 200_000);
        assert!(
            excerpt.text.chars().count() < 4 * EXCERPT_LINE,
            "{}",
            excerpt.text.len()
        );
        assert_eq!(span.len(), EXCERPT_LABEL);
        assert_eq!(&excerpt.text[span.offset()..span.offset() + 3], "BAD");
        let (label, line, column) = read(&excerpt, span, 0);
        assert!(label.starts_with("BAD"));
        assert_eq!((line, column), (2, offset - text.find("key").unwrap()));
        let (context, first, _) = read(&excerpt, span, 1);
        assert_eq!(first, 1);
        assert_eq!(context.lines().count(), 3);
        assert!(
            context
                .lines()
                .all(|l| l.chars().count() <= EXCERPT_LINE + 2),
            "{context}"
        );
        assert!(context.contains(&format!("\n{CUT}{}BAD", "x".repeat(EXCERPT_CONTEXT))));
    }

    #[test]
    fn long_line_report_is_short_and_names_the_place() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("role.yaml");
        let text = format!("kind: Role\ndescription: {}\n", "d".repeat(1_000_000));
        fs_err::write(&file, &text).unwrap();
        let d = Diagnostic::new(crate::codes::INVALID_DESCRIPTION, "too long").at(
            Location {
                file: file.clone(),
                line: 2,
                column: 14,
                offset: 24,
                len: 1_000_000,
            },
            "here",
        );
        let out = render(&[d], false);
        assert!(out.len() < 2_000, "{} bytes", out.len());
        assert!(out.contains(&format!("[{}:2:14]", file.display())), "{out}");
        assert!(out.contains(" 2 │ description: ddd"), "{out}");
    }
}
