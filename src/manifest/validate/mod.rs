//! Semantic validation: loaded documents → the normalized desired state, plus diagnostics.
//!
//! Everything is checked and every problem reported (IAM's limits, ARN shapes, policy grammar,
//! duplicates across files); a document with errors contributes no role. Placeholders
//! `${AWS::AccountId}` and `${AWS::Partition}` are resolved against the target account here.
//!
//! This module checks what IAM would reject and nothing more: it knows nothing of the linter.
//! The check stage (`crate::check`) drives load → validate → lint and merges documents in file
//! order; this module offers it one document at a time ([`check_document`]) and the checks
//! across documents ([`Duplicates`]).
//!
//! Each kind of document has its own module (`role`, `service_linked`, `provider` for OIDC and
//! SAML providers), and a role's trust has
//! one more (`trust`): its two input forms and their locations are most of a role's rules.
//! This module keeps what they share: the [`Target`], the one-line `check` helper and the
//! cross-document checks.

pub(crate) mod accounts;
pub mod expiry;
mod policy;
mod provider;
mod role;
mod service_linked;
mod trust;

pub use policy::{PolicyRef, REFERENCE_PREFIX, resolve_refs};

use std::collections::HashMap;

use crate::codes::{self, Code};
use crate::diagnostic::{Diagnostic, Location};
use crate::manifest::load::{DocAnchor, Document, LoadedDocument};
use crate::policy::PolicyDocumentInput;
use crate::quotas::Limits;
use crate::state::{DesiredPolicy, DesiredProvider, DesiredRole, Origin, Ownership};

use crate::yaml_path;
pub use provider::ProviderKey;

/// What validation needs to know about the target account and the configuration.
///
/// Built by the check stage (`check::ResolveContext::target`) once per run; it holds nothing
/// about the linter, which runs after validation in `check`.
#[derive(Debug, Clone)]
pub struct Target {
    /// Account id substituted for `${AWS::AccountId}`.
    pub account_id: String,
    /// Partition substituted for `${AWS::Partition}`.
    pub partition: String,
    /// The ownership tag added to everything rolesmith manages.
    pub ownership: Ownership,
    /// Account quotas.
    pub limits: Limits,
    /// The inventory account this pass is for (`None`: no inventory, one account).
    pub account: Option<crate::inventory::AccountScope>,
    /// The run's instant, which `expiresAt` is compared with.
    pub now: crate::expiry::Instant,
}

impl Target {
    fn resolve(&self, s: &str) -> String {
        s.replace("${AWS::AccountId}", &self.account_id)
            .replace("${AWS::Partition}", &self.partition)
    }

    fn resolve_document(&self, doc: &PolicyDocumentInput) -> PolicyDocumentInput {
        self.resolve_all(doc)
    }

    /// Resolves placeholders in every string of a serde value.
    fn resolve_all<T: Clone + serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        value: &T,
    ) -> T {
        let Ok(mut json) = serde_json::to_value(value) else {
            return value.clone();
        };
        resolve_value(&mut json, self);
        serde_json::from_value(json).unwrap_or_else(|_| value.clone())
    }

    /// `aws:NAME` → the AWS managed policy ARN; other values resolved and kept.
    fn managed_policy(&self, s: &str) -> String {
        match s.strip_prefix("aws:") {
            Some(name) => format!("arn:{}:iam::aws:policy/{name}", self.partition),
            None => self.resolve(s),
        }
    }
}

fn resolve_value(value: &mut serde_json::Value, ctx: &Target) {
    match value {
        serde_json::Value::String(s) if s.contains("${AWS::") => *s = ctx.resolve(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| resolve_value(v, ctx)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| resolve_value(v, ctx)),
        _ => {}
    }
}

/// The checks across documents, in file order: duplicate roles and instance profiles. Only a
/// [`DocAnchor`] of each first declaration is kept, so documents can be dropped once checked.
#[derive(Debug, Default)]
pub struct Duplicates {
    roles: HashMap<String, DocAnchor>,
    profiles: HashMap<String, DocAnchor>,
    oidc_providers: HashMap<String, DocAnchor>,
    saml_providers: HashMap<String, DocAnchor>,
    policies: HashMap<String, DocAnchor>,
}

impl Duplicates {
    /// Records one checked document and pushes a diagnostic to its findings for each name
    /// declared before.
    pub fn check(&mut self, checked: &mut CheckedDocument) {
        if let Some(key) = checked.provider_key.clone() {
            return self.check_provider(checked, &key);
        }
        if checked.policy.is_some() {
            self.check_policy(checked);
            return;
        }
        let CheckedDocument {
            anchor,
            name,
            role,
            found,
            ..
        } = checked;
        match self.roles.get(&name.to_ascii_lowercase()) {
            Some(first) => found.push(
                Diagnostic::new(
                    codes::DUPLICATE_ROLE,
                    format!("role `{name}` is declared more than once"),
                )
                .at(
                    anchor.locate(&yaml_path!["metadata", "name"]),
                    "declared again here",
                )
                .also(
                    first.locate(&yaml_path!["metadata", "name"]),
                    "first declared here",
                )
                .with_help("IAM role names are unique case-insensitively; keep one declaration"),
            ),
            None => {
                self.roles.insert(name.to_ascii_lowercase(), anchor.clone());
            }
        }
        if let Some(DesiredRole {
            instance_profile: Some(p),
            ..
        }) = &role
        {
            let path = yaml_path!["spec", "instanceProfile"];
            match self.profiles.get(&p.name.to_ascii_lowercase()) {
                Some(first) => found.push(
                    Diagnostic::new(
                        codes::DUPLICATE_INSTANCE_PROFILE,
                        format!("instance profile `{}` is declared by two roles", p.name),
                    )
                    .at(anchor.locate(&path), "declared again here")
                    .also(first.locate(&path), "first declared here")
                    .with_help(
                        "an instance profile holds one role; give each role its own profile",
                    ),
                ),
                None => {
                    self.profiles
                        .insert(p.name.to_ascii_lowercase(), anchor.clone());
                }
            }
        }
    }
}

impl Duplicates {
    /// A managed policy declared before under the same name (IAM compares names
    /// case-insensitively, whatever the path).
    fn check_policy(&mut self, checked: &mut CheckedDocument) {
        let key = checked.name.to_ascii_lowercase();
        let at = yaml_path!["metadata", "name"];
        match self.policies.get(&key) {
            Some(first) => checked.found.push(
                Diagnostic::new(
                    codes::DUPLICATE_POLICY,
                    format!("managed policy `{}` is declared more than once", checked.name),
                )
                .at(checked.anchor.locate(&at), "declared again here")
                .also(first.locate(&at), "first declared here")
                .with_help(
                    "IAM policy names are unique case-insensitively, whatever the path; keep one declaration",
                ),
            ),
            None => {
                self.policies.insert(key, checked.anchor.clone());
            }
        }
    }
}

/// One document validated on its own (no cross-document checks), ready for the linter and for
/// [`Duplicates`].
#[derive(Debug)]
pub struct CheckedDocument {
    /// Where the document is, for pointing at it after it is dropped.
    pub anchor: DocAnchor,
    /// The declared role name.
    pub name: String,
    /// The role, if the document declares one (whether or not it has errors).
    pub role: Option<DesiredRole>,
    /// The managed policy, if the document declares one (whether or not it has errors).
    pub policy: Option<DesiredPolicy>,
    /// The role's `policy:NAME` references, resolved once every document is merged.
    pub policy_refs: Vec<PolicyRef>,
    /// The resolved trust document of a `Role` (the shorthand's expansion, one statement per
    /// entry, or the raw `trustPolicy`), for the linter.
    pub trust: Option<PolicyDocumentInput>,
    /// What validation found.
    pub found: Vec<Diagnostic>,
    /// For a provider document: its kind and key (whether or not it has errors).
    pub provider_key: Option<ProviderKey>,
    /// The provider, if the document declares one without errors.
    pub provider: Option<DesiredProvider>,
    /// Its elements with an `expiresAt`.
    pub expiring: Vec<crate::state::Expiring>,
    /// Whether it is a role whose `expiresAt` has passed (and so declares nothing).
    pub expired_role: bool,
}

impl CheckedDocument {
    /// A role whose `expiresAt` has passed: out of the desired state, with what it found.
    pub fn expired_role(
        doc: &LoadedDocument,
        found: Vec<Diagnostic>,
        expiring: Vec<crate::state::Expiring>,
    ) -> Self {
        CheckedDocument {
            anchor: doc.anchor(),
            name: doc.document.name().to_owned(),
            role: None,
            policy: None,
            policy_refs: Vec::new(),
            trust: None,
            found,
            provider_key: None,
            provider: None,
            expiring,
            expired_role: true,
        }
    }
}

/// Validates one document by itself; safe to run on any thread.
pub fn check_document(doc: &LoadedDocument, ctx: &Target) -> CheckedDocument {
    let mut found = Vec::new();
    let (mut provider_key, mut provider) = (None, None);
    let mut policy_refs = Vec::new();
    let mut policy = None;
    let (role, trust) = match &doc.document {
        Document::Role(m) => role::role(doc, m, ctx, &mut found, &mut policy_refs),
        Document::ServiceLinkedRole(m) => (
            service_linked::service_linked_role(doc, m, ctx, &mut found),
            None,
        ),
        Document::OidcProvider(m) => {
            (provider_key, provider) = provider::oidc_provider(doc, m, ctx, &mut found);
            (None, None)
        }
        Document::SamlProvider(m) => {
            (provider_key, provider) = provider::saml_provider(doc, m, ctx, &mut found);
            (None, None)
        }
        Document::ManagedPolicy(m) => {
            policy = Some(policy::managed_policy(doc, m, ctx, &mut found));
            (None, None)
        }
    };
    CheckedDocument {
        anchor: doc.anchor(),
        name: doc.document.name().to_owned(),
        role,
        policy,
        policy_refs,
        trust,
        found,
        provider_key,
        provider,
        expiring: Vec::new(),
        expired_role: false,
    }
}

/// Where a document's role was declared, for plans and messages.
fn origin(doc: &LoadedDocument) -> Origin {
    Origin {
        file: doc.source.path.clone(),
        line: doc.start_line,
    }
}

/// Checks `spec.description` (of any kind) against IAM's rules, when there is one.
fn check_description(doc: &LoadedDocument, description: Option<&str>, out: &mut Vec<Diagnostic>) {
    if let Some(d) = description {
        check(
            out,
            crate::manifest::limits::description(d),
            codes::INVALID_DESCRIPTION,
            || doc.locate(&yaml_path!["spec", "description"]),
            "shorten the description or remove unsupported characters",
        );
    }
}

/// Reports a failed limit check (`result` holds the message) at `at` with `help`.
fn check(
    out: &mut Vec<Diagnostic>,
    result: Result<(), String>,
    code: &'static Code,
    at: impl FnOnce() -> Location,
    help: &str,
) {
    if let Err(message) = result {
        out.push(
            Diagnostic::new(code, message)
                .at(at(), "here")
                .with_help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::manifest::load::{Loaded, load_text};

    fn check(text: &str) -> Vec<Diagnostic> {
        let mut loaded = Loaded::default();
        load_text(Path::new("t.yaml"), text, &mut loaded);
        let target = Target {
            account_id: "123456789012".into(),
            partition: "aws".into(),
            ownership: Ownership::default(),
            limits: Limits::default(),
            account: None,
            now: crate::expiry::Instant::now(),
        };
        let mut found = loaded.diagnostics;
        for doc in &loaded.documents {
            found.extend(check_document(doc, &target).found);
        }
        found
    }

    const HEAD: &str = "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: web\nspec:\n";

    #[test]
    fn role_session_principals_are_accepted() {
        let shorthand = format!(
            "{HEAD}  trust:\n    - role: arn:aws:sts::123456789012:assumed-role/deployer/s1\n"
        );
        assert_eq!(check(&shorthand), Vec::new());
        let raw = format!(
            "{HEAD}  trustPolicy:\n    Statement:\n      Effect: Allow\n      Principal:\n        AWS: arn:aws:sts::123456789012:assumed-role/deployer/s1\n      Action: sts:AssumeRole\n"
        );
        assert_eq!(check(&raw), Vec::new());
    }

    #[test]
    fn bad_principal_arns_are_located_at_the_value() {
        let raw = format!(
            "{HEAD}  trustPolicy:\n    Statement:\n      - Effect: Allow\n        Principal:\n          AWS:\n            - arn:aws:iam::123456789012:root\n            - arn:aws:iam::12345:role/x\n        Action: sts:AssumeRole\n"
        );
        let found = check(&raw);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].code, codes::INVALID_ARN.code);
        let at = &found[0].primary.as_ref().unwrap().location;
        assert_eq!((at.line, at.column), (12, 15));
        let shorthand = format!(
            "{HEAD}  trust:\n    - role:\n        - arn:aws:iam::123456789012:role/ok\n        - arn:aws:iam::123456789012:rol/bad\n"
        );
        let found = check(&shorthand);
        assert_eq!(found[0].code, codes::TRUST_INVALID_ARN.code);
        let at = &found[0].primary.as_ref().unwrap().location;
        assert_eq!((at.line, at.column), (9, 11));
    }
}
