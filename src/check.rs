//! The check stage: manifests → load → validate → lint → the desired state and every diagnostic.
//!
//! Validation (`manifest::validate`) and the linter (`lint`) do not know of each other: this
//! module is the only place that runs both. That keeps the dependency one-way (`check` →
//! `manifest`, `check` → `lint` → manifest types and positions) and gives one place that decides
//! the order of findings: a document's validation diagnostics, then its lint findings, then the
//! duplicates found when it is merged in file order.
//!
//! Each document is validated and linted on the thread that parsed it (see
//! `docs/BENCHMARKS.md`: checking on the merging thread alone made large manifest sets
//! several times slower); only the cross-document checks run on the merging thread.

use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, has_errors};
use crate::lint::{LintContext, LintSettings};
use crate::manifest::load::DocAnchor;
use crate::manifest::load::{Document, Loaded, LoadedDocument, load_each_file_with};
use crate::manifest::validate::{
    CheckedDocument, Duplicates, PolicyRef, Target, check_document, resolve_refs,
};
use crate::quotas::Limits;
use crate::state::{DesiredProvider, DesiredState, Ownership};

/// What the check stage needs to know about the target account and the configuration.
#[derive(Debug, Clone)]
pub struct ResolveContext {
    /// Account id substituted for `${AWS::AccountId}`.
    pub account_id: String,
    /// Partition substituted for `${AWS::Partition}`.
    pub partition: String,
    /// The ownership tag added to everything rolesmith manages.
    pub ownership: Ownership,
    /// Account quotas.
    pub limits: Limits,
    /// Policy linter configuration.
    pub lint: LintSettings,
    /// The inventory account the manifests are validated for (`None`: no inventory).
    pub account: Option<crate::inventory::AccountScope>,
    /// The run's instant, which `expiresAt` is compared with.
    pub now: crate::expiry::Instant,
}

impl ResolveContext {
    /// A context for validating without an account (placeholders get a dummy account id).
    pub fn offline() -> Self {
        Self {
            account_id: "123456789012".into(),
            partition: "aws".into(),
            ownership: Ownership::default(),
            limits: Limits::default(),
            lint: LintSettings::default(),
            account: None,
            now: crate::expiry::Instant::now(),
        }
    }

    /// What validation needs of this context.
    pub fn target(&self) -> Target {
        Target {
            account_id: self.account_id.clone(),
            partition: self.partition.clone(),
            ownership: self.ownership.clone(),
            limits: self.limits,
            account: self.account.clone(),
            now: self.now,
        }
    }

    /// What the linter needs of this context.
    pub fn lint_context(&self) -> LintContext<'_> {
        LintContext {
            account_id: &self.account_id,
            partition: &self.partition,
            settings: &self.lint,
            inventory: self.account.as_ref().map(|scope| scope.ids.as_ref()),
        }
    }
}

/// Validates and lints loaded documents into the desired state. Diagnostics include the
/// loader's.
pub fn validate(loaded: &Loaded, ctx: &ResolveContext) -> (DesiredState, Vec<Diagnostic>) {
    let mut validator = Validator::new(ctx);
    validator.add(loaded);
    validator.finish()
}

/// Loads, validates and lints the manifests under `paths` file by file, so parsed documents are
/// dropped as soon as they are checked. Returns the desired state, every diagnostic and the
/// files read.
pub fn load_and_validate(
    paths: &[PathBuf],
    ctx: &ResolveContext,
) -> (DesiredState, Vec<Diagnostic>, Vec<PathBuf>) {
    let (desired, diagnostics, files, _) = load_and_validate_noting_skipped(paths, ctx);
    (desired, diagnostics, files)
}

/// [`load_and_validate`], also returning the YAML files directory discovery skipped because no
/// document in them is a rolesmith manifest (for the note that counts them).
pub fn load_and_validate_noting_skipped(
    paths: &[PathBuf],
    ctx: &ResolveContext,
) -> (DesiredState, Vec<Diagnostic>, Vec<PathBuf>, Vec<PathBuf>) {
    let mut validator = Validator::new(ctx);
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let (target, lint) = (ctx.target(), ctx.lint_context());
    // Each file is parsed and its documents checked on a worker thread; the results are merged
    // in file order here, where duplicates across files are found.
    load_each_file_with(
        paths,
        |loaded: Loaded| {
            let checked: Vec<CheckedDocument> = loaded
                .documents
                .iter()
                .filter_map(|doc| check_one(doc, &target, &lint))
                .collect();
            (loaded.diagnostics, loaded.files, loaded.skipped, checked)
        },
        |(diagnostics, loaded_files, loaded_skipped, checked)| {
            validator.diagnostics.extend(diagnostics);
            files.extend(loaded_files);
            skipped.extend(loaded_skipped);
            for c in checked {
                validator.merge(c);
            }
        },
    );
    let (desired, diagnostics) = validator.finish();
    (desired, diagnostics, files, skipped)
}

/// Validates and lints one document; safe to run on any thread. `None` when the document's
/// `accounts:` leaves the target account out.
fn check_one(
    doc: &LoadedDocument,
    target: &Target,
    lint: &LintContext<'_>,
) -> Option<CheckedDocument> {
    let (doc, placed) = crate::manifest::validate::accounts::for_account(doc, target)?;
    let at_now = crate::manifest::validate::expiry::at(doc.as_ref(), target.now);
    let mut placed = placed;
    crate::lint::lint_expiries(doc.as_ref(), &at_now.found, target.now, lint, &mut placed);
    let expiring = at_now.found.into_iter().map(|f| f.expiring).collect();
    let Some(doc) = at_now.doc else {
        return Some(CheckedDocument::expired_role(
            doc.as_ref(),
            placed,
            expiring,
        ));
    };
    let doc = doc.as_ref();
    let mut checked = check_document(doc, target);
    checked.expiring = expiring;
    checked.found.splice(0..0, placed);
    if let Document::Role(m) = &doc.document {
        crate::lint::lint_role(
            doc,
            &m.spec,
            checked.trust.as_ref(),
            lint,
            &mut checked.found,
        );
    }
    if let Document::ManagedPolicy(m) = &doc.document {
        crate::lint::lint_policy(doc, &m.spec.document, lint, &mut checked.found);
    }
    // The linter was the last reader of the trust document.
    checked.trust = None;
    Some(checked)
}

/// Checks documents incrementally: each is validated and linted, then merged in the order
/// given, where checks across documents (duplicate roles and instance profiles) run.
pub struct Validator<'a> {
    ctx: &'a ResolveContext,
    target: Target,
    desired: DesiredState,
    diagnostics: Vec<Diagnostic>,
    duplicates: Duplicates,
    /// Roles whose `policy:NAME` references wait for every policy to be declared.
    pending: Vec<(String, DocAnchor, Vec<PolicyRef>)>,
    /// Policies declared with errors: references to them are not reported again.
    invalid_policies: std::collections::BTreeSet<String>,
}

impl<'a> Validator<'a> {
    /// A validator for one target account.
    pub fn new(ctx: &'a ResolveContext) -> Self {
        Self {
            ctx,
            target: ctx.target(),
            desired: DesiredState::default(),
            diagnostics: Vec::new(),
            duplicates: Duplicates::default(),
            pending: Vec::new(),
            invalid_policies: std::collections::BTreeSet::new(),
        }
    }

    /// Checks the documents of a load result and takes over its diagnostics.
    pub fn add(&mut self, loaded: &Loaded) {
        self.diagnostics.extend(loaded.diagnostics.iter().cloned());
        let lint = self.ctx.lint_context();
        for doc in &loaded.documents {
            if let Some(checked) = check_one(doc, &self.target, &lint) {
                self.merge(checked);
            }
        }
    }

    /// The desired state of every valid document, and all diagnostics. `policy:NAME`
    /// references are resolved here, when every policy is known; a role with one that names
    /// no declared policy is left out, like any role with an error.
    pub fn finish(mut self) -> (DesiredState, Vec<Diagnostic>) {
        for (name, anchor, refs) in std::mem::take(&mut self.pending) {
            let Some(mut role) = self.desired.roles.remove(&name) else {
                continue;
            };
            let mut found = Vec::new();
            if resolve_refs(
                &mut role,
                &refs,
                &anchor,
                &self.desired,
                &self.invalid_policies,
                &self.target,
                &mut found,
            ) {
                self.desired.roles.insert(name, role);
            }
            self.diagnostics.extend(found);
        }
        (self.desired, self.diagnostics)
    }

    /// Adds one checked document, in file order: duplicates across documents are found here.
    fn merge(&mut self, mut checked: CheckedDocument) {
        self.duplicates.check(&mut checked);
        self.desired.expiring.append(&mut checked.expiring);
        if checked.expired_role {
            self.desired.expired_roles.insert(checked.name.clone());
        }
        let ok = !has_errors(&checked.found);
        self.diagnostics.extend(checked.found);
        match (ok, checked.policy) {
            (true, Some(policy)) => {
                self.desired
                    .policies
                    .insert(policy.policy.name.clone(), policy);
            }
            (false, Some(policy)) => {
                self.invalid_policies.insert(policy.policy.name);
            }
            _ => {}
        }
        if let (true, Some(role)) = (ok, checked.role) {
            if !checked.policy_refs.is_empty() {
                self.pending
                    .push((role.role.name.clone(), checked.anchor, checked.policy_refs));
            }
            self.desired.roles.insert(role.role.name.clone(), role);
        }
        match (ok, checked.provider) {
            (true, Some(DesiredProvider::Oidc(p))) => {
                self.desired
                    .oidc_providers
                    .insert(p.provider.url.clone(), p);
            }
            (true, Some(DesiredProvider::Saml(p))) => {
                self.desired
                    .saml_providers
                    .insert(p.provider.name.clone(), p);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;
    use crate::manifest::load::load_text;

    fn codes(text: &str, config: &str) -> Vec<&'static str> {
        let config = Config::parse(config, Path::new("rolesmith.toml")).unwrap();
        let ctx = ResolveContext {
            lint: config.lint.settings(),
            ..ResolveContext::offline()
        };
        let mut loaded = Loaded::default();
        load_text(Path::new("t.yaml"), text, &mut loaded);
        validate(&loaded, &ctx).1.iter().map(|d| d.code).collect()
    }

    #[test]
    fn own_accounts_in_the_config_are_not_cross_account() {
        let manifest = "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: web\nspec:\n  trust:\n    - account: \"111122223333\"\n";
        assert_eq!(codes(manifest, ""), ["cross-account-without-external-id"]);
        assert_eq!(
            codes(manifest, "[lint]\nown_accounts = [\"111122223333\"]\n"),
            Vec::<&str>::new()
        );
        // Another account still warns.
        assert_eq!(
            codes(manifest, "[lint]\nown_accounts = [\"444455556666\"]\n"),
            ["cross-account-without-external-id"]
        );
    }
}
