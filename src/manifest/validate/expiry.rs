//! `expiresAt`: a document as it stands at the run's instant.
//!
//! Runs after placement (`accounts`) and before the kind's own checks, so those see plain IAM:
//! an element whose instant has passed is left out; a trust entry or policy statement that has
//! not yet ended carries a `DateLessThan` condition on `aws:CurrentTime`, so IAM itself stops
//! honouring it at that instant even if rolesmith never runs again; every `expiresAt` is then
//! gone. What IAM cannot condition — a managed-policy attachment, a tag, a whole role — is
//! removed by the first plan after the instant.
//!
//! Every element with an `expiresAt` is reported, expired or not, with its YAML path: the plan
//! notes and warns from the list, and `rolesmith expire --write` edits the file at those paths.

use std::borrow::Cow;

use crate::expiry::Instant;
use crate::manifest::load::{Document, LoadedDocument};
use crate::manifest::model::{Attachment, TagValue};
use crate::manifest::source::Seg;
use crate::policy::{ConditionValue, OneOrMany, PolicyDocumentInput, StatementInput, TrustEntry};
use crate::state::Expiring;

/// An element with an `expiresAt`, and where in its document it is written.
#[derive(Debug, Clone)]
pub struct Found {
    /// What ends, when, and whether it has.
    pub expiring: Expiring,
    /// Its YAML path in the document.
    pub path: Vec<Seg>,
}

/// A document at an instant: itself with what expired left out (`None` when the whole role
/// has), and every element that has an `expiresAt`.
pub struct AtInstant<'d> {
    /// The document as it stands, or `None` for an expired role.
    pub doc: Option<Cow<'d, LoadedDocument>>,
    /// Its elements with an `expiresAt`, in document order.
    pub found: Vec<Found>,
}

/// `doc` at `now` (see the module docs).
pub fn at(doc: &LoadedDocument, now: Instant) -> AtInstant<'_> {
    // A quoted key may spell `expiresAt` with escapes (`"expires\u0041t"`), which needs a
    // backslash: only text with neither is surely without one.
    let text = doc.text();
    if !text.contains("expiresAt") && !text.contains('\\') {
        return AtInstant {
            doc: Some(Cow::Borrowed(doc)),
            found: Vec::new(),
        };
    }
    let mut pass = Pass {
        doc,
        now,
        found: Vec::new(),
        moved: Vec::new(),
        address: String::new(),
    };
    let document = match &doc.document {
        Document::Role(m) => {
            pass.address = format!("role.{}", m.metadata.name);
            let mut m = m.as_ref().clone();
            if let Some(at) = m.spec.expires_at.take() {
                let expired = pass.note("the role".into(), at, vec![s("spec"), s("expiresAt")]);
                if expired {
                    return AtInstant {
                        doc: None,
                        found: pass.found,
                    };
                }
            }
            if let Some(entries) = m.spec.trust.take() {
                m.spec.trust = Some(pass.trust(entries));
            }
            if let Some(t) = m.spec.trust_policy.take() {
                m.spec.trust_policy = Some(pass.document(
                    t,
                    vec![s("spec"), s("trustPolicy")],
                    "of the trust policy",
                ));
            }
            m.spec.managed_policies =
                pass.attachments(std::mem::take(&mut m.spec.managed_policies));
            let inline = std::mem::take(&mut m.spec.inline_policies);
            for (name, d) in inline {
                let base = vec![s("spec"), s("inlinePolicies"), s(&name)];
                let d = pass.document(d, base, &format!("of inline policy `{name}`"));
                // A policy whose every statement ended is removed with them.
                if d.statement.iter().next().is_some() {
                    m.spec.inline_policies.insert(name, d);
                }
            }
            m.spec.tags = std::mem::take(&mut m.spec.tags)
                .into_iter()
                .filter_map(|(k, v)| pass.tag(k, v))
                .collect();
            Document::Role(Box::new(m))
        }
        Document::ManagedPolicy(m) => {
            pass.address = format!("policy.{}", m.metadata.name);
            let mut m = m.as_ref().clone();
            m.spec.document = pass.document(
                m.spec.document,
                vec![s("spec"), s("document")],
                "of the policy",
            );
            Document::ManagedPolicy(Box::new(m))
        }
        _ => {
            return AtInstant {
                doc: Some(Cow::Borrowed(doc)),
                found: Vec::new(),
            };
        }
    };
    let mut out = doc.with_document(document);
    for (from, to) in pass.moved {
        out = out.with_redirect(from, to);
    }
    AtInstant {
        doc: Some(Cow::Owned(out)),
        found: pass.found,
    }
}

fn s(key: &str) -> Seg {
    Seg::from(key)
}

struct Pass<'d> {
    doc: &'d LoadedDocument,
    now: Instant,
    found: Vec<Found>,
    /// List items that moved up when an earlier one was left out: `(new path, written path)`.
    moved: Vec<(Vec<Seg>, Vec<Seg>)>,
    address: String,
}

impl Pass<'_> {
    /// Records an element ending at `at`; whether it has ended.
    fn note(&mut self, element: String, at: Instant, path: Vec<Seg>) -> bool {
        let expired = at <= self.now;
        self.found.push(Found {
            expiring: Expiring {
                address: self.address.clone(),
                element,
                at,
                expired,
                location: self.doc.locate(&path).to_string(),
            },
            path,
        });
        expired
    }

    /// Keeps the items of a list `keep` says to, recording where the kept ones are written.
    fn keep_items<T>(
        &mut self,
        items: Vec<T>,
        base: &[Seg],
        mut keep: impl FnMut(&mut Self, T, Vec<Seg>) -> Option<T>,
    ) -> Vec<T> {
        let mut kept = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let mut written = base.to_vec();
            written.push(Seg::from(i));
            if let Some(item) = keep(self, item, written.clone()) {
                if kept.len() != i {
                    let mut now_at = base.to_vec();
                    now_at.push(Seg::from(kept.len()));
                    self.moved.push((now_at, written));
                }
                kept.push(item);
            }
        }
        kept
    }

    fn trust(&mut self, entries: Vec<TrustEntry>) -> Vec<TrustEntry> {
        let base = [s("spec"), s("trust")];
        self.keep_items(entries, &base, |pass, mut e, path| {
            let Some(at) = e.expires_at.take() else {
                return Some(e);
            };
            let number = match path.last() {
                Some(Seg::Index(i)) => i + 1,
                _ => 0,
            };
            if pass.note(format!("trust entry {number}"), at, path) {
                return None;
            }
            let conditions = e.conditions.get_or_insert_with(Default::default);
            until(conditions, at);
            Some(e)
        })
    }

    fn document(
        &mut self,
        mut d: PolicyDocumentInput,
        base: Vec<Seg>,
        of: &str,
    ) -> PolicyDocumentInput {
        let mut statement_path = base;
        statement_path.push(s("Statement"));
        d.statement = match d.statement {
            OneOrMany::One(st) => {
                let kept = self.statement(st, statement_path, 1, of);
                OneOrMany::Many(kept.into_iter().collect())
            }
            OneOrMany::Many(list) => {
                OneOrMany::Many(self.keep_items(list, &statement_path, |pass, st, path| {
                    let number = match path.last() {
                        Some(Seg::Index(i)) => i + 1,
                        _ => 0,
                    };
                    pass.statement(st, path, number, of)
                }))
            }
        };
        d
    }

    fn statement(
        &mut self,
        mut st: StatementInput,
        path: Vec<Seg>,
        number: usize,
        of: &str,
    ) -> Option<StatementInput> {
        let Some(at) = st.expires_at.take() else {
            return Some(st);
        };
        let name = match &st.sid {
            Some(sid) => format!("statement `{sid}` {of}"),
            None => format!("statement {number} {of}"),
        };
        if self.note(name, at, path) {
            return None;
        }
        until(st.condition.get_or_insert_with(Default::default), at);
        Some(st)
    }

    fn attachments(&mut self, items: Vec<Attachment>) -> Vec<Attachment> {
        let base = [s("spec"), s("managedPolicies")];
        self.keep_items(items, &base, |pass, a, path| match a.expires_at() {
            None => Some(a),
            Some(at) => {
                let arn = a.arn().to_owned();
                (!pass.note(format!("managed policy `{arn}`"), at, path))
                    .then_some(Attachment::Policy(arn))
            }
        })
    }

    fn tag(&mut self, key: String, value: TagValue) -> Option<(String, TagValue)> {
        let Some(at) = value.expires_at() else {
            return Some((key, value));
        };
        let path = vec![s("spec"), s("tags"), s(&key)];
        if self.note(format!("tag `{key}`"), at, path) {
            return None;
        }
        let plain = TagValue::Value(value.value().to_owned());
        Some((key, plain))
    }
}

/// Adds `DateLessThan: {aws:CurrentTime: at}` to `conditions` (an earlier instant already
/// there is kept: the statement ends at the first).
fn until(conditions: &mut crate::policy::ConditionBlock, at: Instant) {
    let keys = conditions.entry("DateLessThan".to_owned()).or_default();
    let value = OneOrMany::One(ConditionValue::String(at.iam()));
    match keys.get("aws:CurrentTime") {
        Some(OneOrMany::One(ConditionValue::String(old)))
            if Instant::parse(old).is_ok_and(|old| old <= at) => {}
        _ => {
            keys.insert("aws:CurrentTime".to_owned(), value);
        }
    }
}
