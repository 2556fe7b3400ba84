//! Diagnostics as miette reports (file:line:col, a label on the bad span, a `help:` line) and
//! as JSON.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::diagnostic::{Diagnostic, Label, Severity};

/// A diagnostic with the text of the file it points into.
struct Report {
    diagnostic: Diagnostic,
    label: Option<Label>,
    source: Option<NamedSource<Arc<str>>>,
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
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = self.label.as_ref()?;
        self.source.as_ref()?;
        let span = SourceSpan::new(label.location.offset.into(), label.location.len);
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label.text.clone()), span),
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

/// Reads the text of a diagnostic's file for the excerpt (files are small; read on demand).
fn source_for(label: &Label) -> Option<NamedSource<Arc<str>>> {
    let text = fs_err::read_to_string(&label.location.file).ok()?;
    let text: Arc<str> = text.into();
    Some(NamedSource::new(
        label.location.file.display().to_string(),
        text,
    ))
}

fn report(d: &Diagnostic) -> Report {
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
            source: source_for(l),
            related: Vec::new(),
            is_related: true,
        })
        .collect();
    Report {
        diagnostic: d.clone(),
        label: d.primary.clone(),
        source: d.primary.as_ref().and_then(source_for),
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
    for d in diagnostics {
        let r = report(d);
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
