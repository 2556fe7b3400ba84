//! Views of a plan and of diagnostics: human text, versioned JSON, Markdown for pull requests,
//! and miette reports. Renderers decide nothing; they show what the plan holds.

pub mod diagnostics;
pub mod drift;
pub mod expiring;
pub mod header;
pub mod json;
pub mod markdown;
pub mod outline;
pub mod text;
pub mod unused;

use similar::TextDiff;

use crate::plan::Summary;
pub use crate::plan::{AccountSource, CiRun, RunContext};
use crate::policy::Policy;

/// Output format of `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human text (colored on a terminal unless `NO_COLOR` is set).
    #[default]
    Text,
    /// Machine-readable JSON with a `format_version`.
    Json,
    /// Markdown for pull-request comments.
    Markdown,
}

/// "Plan: N to add, N to change, N to destroy." (plus conflicts when there are any).
pub fn summary_line(s: &Summary) -> String {
    let mut line = format!(
        "Plan: {} to add, {} to change, {} to destroy.",
        s.add, s.change, s.destroy
    );
    if s.conflicts > 0 {
        line.push_str(&format!(
            " {} conflict{} left untouched.",
            s.conflicts,
            if s.conflicts == 1 { "" } else { "s" }
        ));
    }
    line
}

/// A unified diff of two policies' canonical pretty JSON (`None` is shown as empty).
pub fn policy_diff(before: Option<&Policy>, after: Option<&Policy>) -> String {
    let b = before.map(Policy::to_pretty_json).unwrap_or_default();
    let a = after.map(Policy::to_pretty_json).unwrap_or_default();
    let b = ensure_newline(b);
    let a = ensure_newline(a);
    TextDiff::from_lines(&b, &a)
        .unified_diff()
        .context_radius(3)
        .header("before", "after")
        .to_string()
}

fn ensure_newline(mut s: String) -> String {
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

pub use crate::state::tags_inline;
