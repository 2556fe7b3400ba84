//! The policy linter: risk checks on a role's trust and permission policies, offline.
//!
//! IAM stores many dangerous or broken policies without complaint (a GitHub trust any repository
//! can assume, an action that does not exist). Validation (`manifest::validate`, `grammar`)
//! enforces what IAM itself rejects; this module adds findings about what IAM accepts but is
//! almost certainly wrong. The check stage (`crate::check`) runs it on a role after validation,
//! and its policy checks only when the role has no validation errors, so its findings never
//! repeat a grammar error (`NotPrincipal` or `Resource` in a trust, bad ARNs).
//!
//! It depends on the manifest's types and positions ([`Locate`]) but not on the loader or the
//! validator, and takes only what it needs of the target ([`LintContext`]).
//!
//! Every finding is a [`Diagnostic`] with a lint code of the registry ([`RULES`], `crate::codes`). Its severity is the rule's
//! default unless [`LintSettings::severities`] overrides it; a role may suppress codes with
//! `spec.lint: {allow: [...], reason: "..."}` (the reason is required).
//!
//! * `trust.rs`: who may assume the role;
//! * `permissions.rs`: actions, resources and conditions of inline policies;
//! * `catalogue.rs`: the embedded IAM action catalogue;
//! * `grants.rs`: what is admin-grade (also read by the PR comment);
//! * `sarif.rs`: SARIF 2.1.0 output for code scanning.

use std::collections::{BTreeMap, BTreeSet};

use crate::codes::{self, Code, Stage};
use crate::diagnostic::{Diagnostic, Location, Severity, did_you_mean, has_errors};
use crate::manifest::model::RoleSpec;
use crate::manifest::source::{Locate, Seg};
use crate::policy::{ConditionBlock, OneOrMany, PolicyDocumentInput, StatementInput};
use crate::yaml_path;

pub mod catalogue;
pub mod grants;
mod permissions;
pub mod sarif;
mod trust;

/// Linter configuration (from `rolesmith.toml`); the default changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintSettings {
    /// Severity per finding code, replacing the rule's default.
    pub severities: BTreeMap<String, Severity>,
    /// Accounts that count as one's own besides the target account: principals there are not
    /// cross-account.
    pub own_accounts: BTreeSet<String>,
    /// Codes turned off entirely (`off` in `rolesmith.toml`).
    pub off: BTreeSet<String>,
}

/// What the linter needs to know about the target: borrowed from the check stage's context.
#[derive(Debug, Clone, Copy)]
pub struct LintContext<'a> {
    /// The target account: principals there are not cross-account.
    pub account_id: &'a str,
    /// The target partition, for ARNs the linter builds.
    pub partition: &'a str,
    /// Severities, codes turned off and one's own accounts.
    pub settings: &'a LintSettings,
    /// The `[accounts]` inventory's account ids by name: one's own accounts too.
    pub inventory: Option<&'a std::collections::BTreeMap<String, String>>,
}

/// Every linter rule: the registry's lint codes, with their default severities.
pub const RULES: &[&Code] = codes::LINT;

/// The rule with this code.
pub fn find_rule(code: &str) -> Option<&'static Code> {
    RULES.iter().copied().find(|r| r.code == code)
}

/// A finding before severity and suppression are applied.
pub(crate) struct Finding {
    code: &'static Code,
    message: String,
    location: Location,
    label: &'static str,
    help: String,
}

/// Where checks put their findings, and what they need to locate them.
pub(crate) struct Sink<'a> {
    doc: &'a dyn Locate,
    found: Vec<Finding>,
}

impl Sink<'_> {
    /// Reports `code` at the YAML `path` (or its nearest ancestor in the document).
    pub(crate) fn report(
        &mut self,
        code: &'static Code,
        path: &[Seg],
        label: &'static str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        debug_assert!(code.stage == Stage::Lint, "{code} is not a lint code");
        self.found.push(Finding {
            code,
            message: message.into(),
            location: self.doc.locate(path),
            label,
            help: help.into(),
        });
    }
}

/// One statement with its YAML path, so checks can point at any of its values.
pub(crate) struct Stmt<'a> {
    pub st: &'a StatementInput,
    path: Vec<Seg>,
}

impl Stmt<'_> {
    /// Path of `field` (e.g. `Action`), and of its `i`th item when written as a list.
    pub fn at(&self, field: &str, list: Option<&OneOrMany<String>>, i: usize) -> Vec<Seg> {
        let mut p = self.path.clone();
        p.push(Seg::from(field));
        if matches!(list, Some(OneOrMany::Many(_))) {
            p.push(Seg::Index(i));
        }
        p
    }

    /// Path of the condition `key` under `operator`.
    pub fn condition(&self, operator: &str, key: Option<&str>) -> Vec<Seg> {
        let mut p = self.path.clone();
        p.extend([Seg::from("Condition"), Seg::from(operator)]);
        if let Some(k) = key {
            p.push(Seg::from(k));
        }
        p
    }

    /// Every `(operator, key, values)` of the statement's condition block.
    pub fn conditions(&self) -> impl Iterator<Item = (&str, &str, Vec<String>)> {
        self.st.condition.iter().flat_map(|block: &ConditionBlock| {
            block.iter().flat_map(|(op, keys)| {
                keys.iter().map(move |(key, values)| {
                    (
                        op.as_str(),
                        key.as_str(),
                        values.iter().map(|v| v.to_canonical_string()).collect(),
                    )
                })
            })
        })
    }

    /// Whether a positive (not negated, not `Null`) condition tests one of `keys`.
    pub fn constrains(&self, keys: &[&str]) -> bool {
        self.conditions().any(|(op, key, _)| {
            let base = base_operator(op);
            !base.contains("Not")
                && base != "Null"
                && keys.iter().any(|k| k.eq_ignore_ascii_case(key))
        })
    }
}

/// The statements of a document under `base` (`Statement` a map or a list).
pub(crate) fn statements<'a>(base: &[Seg], policy: &'a PolicyDocumentInput) -> Vec<Stmt<'a>> {
    let mut root = base.to_vec();
    root.push(Seg::from("Statement"));
    match &policy.statement {
        OneOrMany::One(st) => vec![Stmt { st, path: root }],
        OneOrMany::Many(list) => list
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let mut path = root.clone();
                path.push(Seg::Index(i));
                Stmt { st, path }
            })
            .collect(),
    }
}

/// An operator without its `ForAllValues:` / `ForAnyValue:` prefix and `IfExists` suffix.
pub(crate) fn base_operator(op: &str) -> &str {
    let op = op
        .strip_prefix("ForAllValues:")
        .or_else(|| op.strip_prefix("ForAnyValue:"))
        .unwrap_or(op);
    op.strip_suffix("IfExists").unwrap_or(op)
}

/// `expiresAt` at the run's instant: one that has passed is a warning (the element is left
/// out; `rolesmith expire --write` removes it), one more than a year away an info.
pub fn lint_expiries(
    doc: &dyn Locate,
    found: &[crate::manifest::validate::expiry::Found],
    now: crate::expiry::Instant,
    ctx: &LintContext<'_>,
    out: &mut Vec<Diagnostic>,
) {
    const YEAR: i64 = 365 * 86_400;
    let mut sink = Sink {
        doc,
        found: Vec::new(),
    };
    for f in found {
        let e = &f.expiring;
        if e.expired {
            sink.report(
                codes::EXPIRED,
                &f.path,
                "expired",
                format!(
                    "{} of {} expired {}; the plan leaves it out",
                    e.element, e.address, e.at
                ),
                "`rolesmith expire --write` removes it from the manifest",
            );
        } else if now.seconds_until(&e.at) > YEAR {
            sink.report(
                codes::FAR_EXPIRY,
                &f.path,
                "over a year away",
                format!(
                    "{} of {} expires {}, more than a year from now",
                    e.element, e.address, e.at
                ),
                "check the year; leave out `expiresAt` for access meant to stay",
            );
        }
    }
    emit(sink.found, &BTreeSet::new(), ctx, out);
}

/// Lints one role manifest whose documents validated. `trust` is the resolved trust document
/// (the expansion of the shorthand, one statement per entry, or the raw `trustPolicy`).
///
/// Findings go to `out`; the suppression block is checked even when `out` already holds errors,
/// the policies only when it does not.
pub fn lint_role(
    doc: &dyn Locate,
    spec: &RoleSpec,
    trust: Option<&PolicyDocumentInput>,
    ctx: &LintContext<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let allowed = check_suppression(doc, spec, out);
    if has_errors(out) {
        return;
    }
    let mut sink = Sink {
        doc,
        found: Vec::new(),
    };
    if let Some(trust_doc) = trust {
        let mut own = ctx.settings.own_accounts.clone();
        own.insert(ctx.account_id.to_owned());
        own.extend(
            ctx.inventory
                .into_iter()
                .flat_map(|ids| ids.values().cloned()),
        );
        let shorthand = spec.trust.is_some();
        let stmts = if shorthand {
            // The expansion makes statement `i` from entry `i`: point at the entry.
            trust_doc
                .statement
                .iter()
                .enumerate()
                .map(|(i, st)| Stmt {
                    st,
                    path: yaml_path!["spec", "trust", i].to_vec(),
                })
                .collect()
        } else {
            let base = yaml_path!["spec", "trustPolicy"];
            if let Some(raw) = &spec.trust_policy {
                check_version(&base, raw, "the trust policy", &mut sink);
            }
            statements(&base, trust_doc)
        };
        for stmt in &stmts {
            trust::check_statement(stmt, &own, &mut sink);
            permissions::check_actions(stmt, &mut sink);
            permissions::check_conditions(stmt, &mut sink);
        }
    }
    for (name, policy) in &spec.inline_policies {
        let base = yaml_path!["spec", "inlinePolicies", name.as_str()];
        check_version(&base, policy, &format!("inline policy `{name}`"), &mut sink);
        for stmt in statements(&base, policy) {
            permissions::check_statement(&stmt, ctx, &mut sink);
        }
    }
    emit(sink.found, &allowed, ctx, out);
}

/// Lints a `kind: ManagedPolicy` document (`spec.document`) with the permission checks inline
/// policies get; runs only when validation found no error.
pub fn lint_policy(
    doc: &dyn Locate,
    document: &PolicyDocumentInput,
    ctx: &LintContext<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if has_errors(out) {
        return;
    }
    let mut sink = Sink {
        doc,
        found: Vec::new(),
    };
    let base = yaml_path!["spec", "document"];
    check_version(&base, document, "the managed policy", &mut sink);
    for stmt in statements(&base, document) {
        permissions::check_statement(&stmt, ctx, &mut sink);
    }
    emit(sink.found, &BTreeSet::new(), ctx, out);
}

/// Turns findings into diagnostics, leaving out the suppressed (`allowed`, or off in the
/// settings) and applying configured severities.
fn emit(
    found: Vec<Finding>,
    allowed: &BTreeSet<String>,
    ctx: &LintContext<'_>,
    out: &mut Vec<Diagnostic>,
) {
    for f in found {
        if allowed.contains(f.code.code) || ctx.settings.off.contains(f.code.code) {
            continue;
        }
        let severity = ctx
            .settings
            .severities
            .get(f.code.code)
            .copied()
            .unwrap_or(f.code.severity);
        let mut d = Diagnostic::new(f.code, f.message)
            .at(f.location, f.label)
            .with_help(f.help);
        d.severity = severity;
        out.push(d);
    }
}

/// A document as written (`base`, described as `what`) states its policy language: without
/// `Version` IAM applies 2008-10-17, where policy variables are plain text.
fn check_version(base: &[Seg], policy: &PolicyDocumentInput, what: &str, sink: &mut Sink<'_>) {
    if policy.version.is_none() {
        sink.report(
            codes::MISSING_POLICY_VERSION,
            base,
            "no `Version`",
            format!(
                "{what} has no `Version`: IAM reads it as the 2008-10-17 policy language, \
                 where policy variables such as `${{aws:username}}` are plain text"
            ),
            "add `Version: \"2012-10-17\"` at the top of the document",
        );
    }
}

/// Checks `spec.lint` and returns the codes it suppresses.
fn check_suppression(
    doc: &dyn Locate,
    spec: &RoleSpec,
    out: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    let Some(lint) = &spec.lint else {
        return BTreeSet::new();
    };
    if !lint.allow.is_empty() && lint.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        out.push(
            Diagnostic::new(
                codes::LINT_ALLOW_WITHOUT_REASON,
                "`lint.allow` suppresses findings without saying why",
            )
            .at(
                doc.locate_key(&yaml_path!["spec", "lint", "allow"]),
                "no `reason`",
            )
            .with_help("add `reason: \"...\"` next to `allow` so reviewers see why the finding is accepted"),
        );
    }
    for (i, code) in lint.allow.iter().enumerate() {
        if find_rule(code).is_none() {
            let help = match did_you_mean(code, RULES.iter().map(|r| r.code)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`rolesmith explain --all` lists the codes".to_owned(),
            };
            out.push(
                Diagnostic::new(
                    codes::UNKNOWN_LINT_CODE,
                    format!("`{code}` is not a lint code"),
                )
                .at(
                    doc.locate(&yaml_path!["spec", "lint", "allow", i]),
                    "unknown code",
                )
                .with_help(help),
            );
        }
    }
    lint.allow.iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_lose_set_prefix_and_if_exists() {
        assert_eq!(
            base_operator("ForAnyValue:StringLikeIfExists"),
            "StringLike"
        );
        assert_eq!(base_operator("Null"), "Null");
    }
}
