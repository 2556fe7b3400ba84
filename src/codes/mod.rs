//! The registry of every diagnostic code rolesmith can emit: code, default severity, stage, a
//! one-line summary and a longer explanation with the fix.
//!
//! Codes are stable (users suppress them, configure their severity, search for them), so they
//! are defined once, here, and everything else refers to them through the constants: a
//! [`crate::diagnostic::Diagnostic`] is built from a [`Code`], and a `Code` can only be made in
//! this module (its private field), so a code that is not registered does not compile.
//! `rolesmith explain CODE`, the SARIF rule descriptions and `docs/CODES.md` (rendered by
//! [`markdown`]) all read this table.
//!
//! One file per stage keeps each list next to its neighbours: `manifest.rs` (loading, parsing,
//! validation), `lint.rs` (the policy linter), `plan.rs` (run guards of the CLI and plan
//! conflicts); `provider.rs` holds the identity-provider kinds' codes of both stages.

use std::fmt;

use crate::diagnostic::Severity;

pub mod accounts;
pub mod lint;
pub mod manifest;
pub mod plan;
pub mod provider;

pub use accounts::*;
pub use lint::*;
pub use manifest::*;
pub use plan::*;
pub use provider::*;

/// Which part of rolesmith reports a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Finding and parsing manifest files.
    Load,
    /// IAM's rules and cross-document checks (`rolesmith validate`).
    Validate,
    /// The policy linter; severities configurable in `[lint]`, suppressible per role.
    Lint,
    /// Checks of a run against its settings (`plan`, `apply`).
    Run,
    /// What stands in the way of a change in the account (plan conflicts).
    Plan,
}

impl Stage {
    /// A heading for the stage.
    pub fn title(self) -> &'static str {
        match self {
            Self::Load => "Loading and parsing",
            Self::Validate => "Validation",
            Self::Lint => "Policy lint",
            Self::Run => "Run checks",
            Self::Plan => "Plan conflicts",
        }
    }
}

/// One registered code.
// Not `#[non_exhaustive]`: that would still let the rest of the crate build a `Code`; the
// private field keeps construction inside this module.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// Stable kebab-case code, e.g. `unknown-field`.
    pub code: &'static str,
    /// Severity unless configured otherwise (lint codes) or fixed by the emitter.
    pub severity: Severity,
    /// Which part of rolesmith reports it.
    pub stage: Stage,
    /// What it finds, in one line.
    pub summary: &'static str,
    /// Why it matters and how to fix it, in a few sentences.
    pub explanation: &'static str,
    /// Only this module makes codes.
    _registered: (),
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// Serde for a field holding a registered code: written as its name, read back through the
/// registry (an unknown name is an error, so a plan file cannot invent codes).
pub mod by_name {
    use super::{Code, find};

    /// Writes the code's name.
    pub fn serialize<S: serde::Serializer>(code: &&'static Code, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(code.code)
    }

    /// Reads a registered code by name.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static Code, D::Error> {
        let name = <String as serde::Deserialize>::deserialize(d)?;
        find(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown code `{name}`")))
    }
}

/// Defines one constant per code and the stage's list `ALL` from one table, so a code cannot be
/// defined without being listed.
macro_rules! codes {
    ($stage:ident, $list:ident; $( $id:ident = $code:literal, $severity:ident, $summary:literal, $explanation:literal; )*) => {
        $(
            #[doc = concat!("`", $code, "`: ", $summary)]
            pub const $id: &$crate::codes::Code = &$crate::codes::Code {
                code: $code,
                severity: $crate::diagnostic::Severity::$severity,
                stage: $crate::codes::Stage::$stage,
                summary: $summary,
                explanation: $explanation,
                _registered: (),
            };
        )*
        #[doc = concat!("Every code of the ", stringify!($stage), " stage, in the order of the table.")]
        pub const $list: &[&$crate::codes::Code] = &[$($id),*];
    };
}
pub(crate) use codes;

/// Every registered code, stage by stage.
pub fn all() -> impl Iterator<Item = &'static Code> {
    [
        LOAD,
        VALIDATE,
        VALIDATE_PROVIDERS,
        ACCOUNT_CODES,
        LINT,
        RUN,
        PLAN_CONFLICTS,
        PLAN_PROVIDER_CONFLICTS,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The registered code named `code`.
pub fn find(code: &str) -> Option<&'static Code> {
    all().find(|c| c.code == code)
}

/// The entry as `rolesmith explain` prints it.
pub fn explain(code: &Code) -> String {
    format!(
        "{} ({}, {})\n\n{}\n\n{}\n",
        code.code,
        code.severity,
        code.stage.title().to_lowercase(),
        code.summary,
        wrap(code.explanation, 100)
    )
}

/// `docs/CODES.md`: every code, grouped by stage.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         Every code rolesmith reports, with its default severity. `rolesmith explain CODE` prints\n\
         one entry. Lint codes take their severity from `[lint]` in `rolesmith.toml` and can be\n\
         suppressed for one role with `spec.lint: {allow: [CODE], reason: \"...\"}`.\n\n\
         <!-- Generated from src/codes/ by `cargo run -- explain --all --markdown > docs/CODES.md`; do not edit. -->\n",
    );
    let mut stage = None;
    for c in all() {
        if stage != Some(c.stage) {
            stage = Some(c.stage);
            out.push_str(&format!("\n## {}\n", c.stage.title()));
        }
        out.push_str(&format!(
            "\n### `{}`\n\n*{}* — {}\n\n{}\n",
            c.code,
            c.severity,
            c.summary,
            wrap(c.explanation, 100)
        ));
    }
    out
}

/// Wraps text at spaces so no line is longer than `width` (longer words stay whole).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out
}

#[cfg(test)]
mod tests;
