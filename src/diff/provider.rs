//! Identity providers: declared OIDC and SAML providers (created, updated in place, adopted),
//! owned providers no manifest declares (deleted with prune, unless a role still trusts them),
//! and roles whose trust names a provider that exists nowhere.
//!
//! Providers are compared only when the manifests declare at least one
//! ([`DesiredState::declares_providers`]): a manifest set that never mentions providers does
//! not manage them, and plans exactly as before providers were a kind.
//!
//! An OIDC provider is never replaced: its URL is its identity (a different URL is another
//! provider), and everything else — audiences, thumbprints, tags — IAM changes in place, so a
//! role trusting it never loses it mid-apply.

use std::collections::BTreeMap;

use super::{Action, Address, AttributeChange, Change, Conflict, Diff, DiffOptions, Resource};
use crate::codes;
use crate::state::provider::{federated_providers, oidc_provider_arn, saml_provider_arn};
use crate::state::{
    AccountState, DesiredRole, DesiredState, OidcProviderState, RoleState, SamlProviderState,
};

/// Attribute-level differences between two states of one OIDC provider: audiences,
/// thumbprints and tags (thumbprints only when the manifest lists them; pass `want` with the
/// live thumbprints otherwise).
pub fn oidc_provider_attributes(
    have: &OidcProviderState,
    want: &OidcProviderState,
) -> Vec<AttributeChange> {
    let mut attrs = Vec::new();
    if have.client_ids != want.client_ids {
        attrs.push(AttributeChange::ClientIds {
            before: have.client_ids.iter().cloned().collect(),
            after: want.client_ids.iter().cloned().collect(),
        });
    }
    if have.thumbprints != want.thumbprints {
        attrs.push(AttributeChange::Thumbprints {
            before: have.thumbprints.iter().cloned().collect(),
            after: want.thumbprints.iter().cloned().collect(),
        });
    }
    if have.tags != want.tags {
        attrs.push(AttributeChange::Tags {
            before: have.tags.clone(),
            after: want.tags.clone(),
        });
    }
    attrs
}

/// Attribute-level differences between two states of one SAML provider: the metadata (by
/// digest) and tags.
pub fn saml_provider_attributes(
    have: &SamlProviderState,
    want: &SamlProviderState,
) -> Vec<AttributeChange> {
    let mut attrs = Vec::new();
    if have.metadata_digest != want.metadata_digest {
        attrs.push(AttributeChange::SamlMetadata {
            before: have.metadata_digest.clone(),
            after: want.metadata_digest.clone(),
        });
    }
    if have.tags != want.tags {
        attrs.push(AttributeChange::Tags {
            before: have.tags.clone(),
            after: want.tags.clone(),
        });
    }
    attrs
}

/// Whether `want` trusts a provider in this account that neither the manifests declare nor the
/// account has; if so, a conflict says which and the role is left alone (IAM would refuse its
/// trust policy at apply time).
pub(super) fn trusts_unknown_provider(
    want: &DesiredRole,
    desired: &DesiredState,
    live: &AccountState,
    out: &mut Diff,
) -> bool {
    if !desired.declares_providers() {
        return false;
    }
    let (oidc, saml) =
        federated_providers(&want.role.trust_policy, &live.partition, &live.account_id);
    let mut missing: Vec<String> = oidc
        .into_iter()
        .filter(|u| {
            !desired.oidc_providers.contains_key(*u) && !live.oidc_providers.contains_key(*u)
        })
        .map(|u| oidc_provider_arn(&live.partition, &live.account_id, u))
        .collect();
    missing.extend(
        saml.into_iter()
            .filter(|n| {
                !desired.saml_providers.contains_key(*n) && !live.saml_providers.contains_key(*n)
            })
            .map(|n| saml_provider_arn(&live.partition, &live.account_id, n)),
    );
    if missing.is_empty() {
        return false;
    }
    let shown: Vec<String> = missing.iter().map(|a| format!("`{a}`")).collect();
    out.conflicts.push(Conflict {
        address: Address::Role(want.role.name.clone()),
        code: codes::UNKNOWN_IDENTITY_PROVIDER,
        message: format!(
            "role `{}` trusts {}, which neither the manifests declare nor the account has",
            want.role.name,
            shown.join(", ")
        ),
        help: "declare the provider (`kind: OIDCProvider` / `kind: SAMLProvider`), create it, or correct the role's trust".into(),
    });
    true
}

/// The changes and conflicts of every identity provider: declared ones against the account,
/// then owned ones that no manifest declares.
pub(super) fn diff_providers(
    desired: &DesiredState,
    live: &AccountState,
    opts: &DiffOptions,
    out: &mut Diff,
) {
    if !desired.declares_providers() {
        return;
    }
    for want in desired.oidc_providers.values() {
        let address = Address::OidcProvider(want.provider.url.clone());
        let Some(have) = live.oidc_providers.get(&want.provider.url) else {
            out.changes.push(create(
                address,
                Resource::OidcProvider(want.provider.clone()),
            ));
            continue;
        };
        let mut target = want.provider.clone();
        if !want.thumbprints_declared {
            target.thumbprints = have.thumbprints.clone();
        }
        update(
            out,
            opts,
            address,
            &have.tags,
            want.adopt,
            oidc_provider_attributes(have, &target),
            (
                Resource::OidcProvider(have.clone()),
                Resource::OidcProvider(target),
            ),
        );
    }
    for want in desired.saml_providers.values() {
        let address = Address::SamlProvider(want.provider.name.clone());
        let Some(have) = live.saml_providers.get(&want.provider.name) else {
            out.changes.push(create(
                address,
                Resource::SamlProvider(want.provider.clone()),
            ));
            continue;
        };
        update(
            out,
            opts,
            address,
            &have.tags,
            want.adopt,
            saml_provider_attributes(have, &want.provider),
            (
                Resource::SamlProvider(have.without_document()),
                Resource::SamlProvider(want.provider.clone()),
            ),
        );
    }
    orphans(desired, live, opts, out);
}

fn create(address: Address, after: Resource) -> Change {
    Change {
        address,
        action: Action::Create,
        before: None,
        after: Some(after),
        attributes: Vec::new(),
        reason: None,
    }
}

/// An update of a provider that exists: a conflict if it is not owned and not adopted, else the
/// change (when anything differs).
fn update(
    out: &mut Diff,
    opts: &DiffOptions,
    address: Address,
    live_tags: &BTreeMap<String, String>,
    adopt: bool,
    attributes: Vec<AttributeChange>,
    (before, after): (Resource, Resource),
) {
    let owned = opts.ownership.is_on(live_tags);
    if !owned && !adopt {
        out.conflicts.push(Conflict {
            message: format!(
                "{address} exists without the ownership tag `{}={}`",
                opts.ownership.key, opts.ownership.value
            ),
            address,
            code: codes::UNOWNED_PROVIDER,
            help: "add `adopt: true` to its manifest to take it over".into(),
        });
        return;
    }
    if attributes.is_empty() {
        return;
    }
    out.changes.push(Change {
        address,
        action: Action::Update,
        before: Some(before),
        after: Some(after),
        attributes,
        reason: (!owned).then(|| "adopted: the ownership tag is added".to_owned()),
    });
}

/// Owned providers that no manifest declares: deleted with prune unless a role that stays
/// still trusts them (a conflict then), else noted.
fn orphans(desired: &DesiredState, live: &AccountState, opts: &DiffOptions, out: &mut Diff) {
    let staying: Vec<&RoleState> =
        desired
            .roles
            .values()
            .map(|r| &r.role)
            .chain(live.roles.values().filter(|r| {
                !r.is_owned_by(&opts.ownership) && !desired.roles.contains_key(&r.name)
            }))
            .collect();
    let mut trusters: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for role in &staying {
        let (o, s) = federated_providers(&role.trust_policy, &live.partition, &live.account_id);
        for u in o {
            trusters
                .entry(format!("o:{u}"))
                .or_default()
                .push(&role.name);
        }
        for n in s {
            trusters
                .entry(format!("s:{n}"))
                .or_default()
                .push(&role.name);
        }
    }
    let mut orphans: Vec<(Address, Resource, String)> = Vec::new();
    for p in live.oidc_providers.values() {
        if opts.ownership.is_on(&p.tags) && !desired.oidc_providers.contains_key(&p.url) {
            orphans.push((
                Address::OidcProvider(p.url.clone()),
                Resource::OidcProvider(p.clone()),
                format!("o:{}", p.url),
            ));
        }
    }
    for p in live.saml_providers.values() {
        if p.is_owned_by(&opts.ownership) && !desired.saml_providers.contains_key(&p.name) {
            orphans.push((
                Address::SamlProvider(p.name.clone()),
                Resource::SamlProvider(p.without_document()),
                format!("s:{}", p.name),
            ));
        }
    }
    if !opts.prune {
        if !orphans.is_empty() {
            let names: Vec<String> = orphans.iter().map(|(a, ..)| a.to_string()).collect();
            out.notes.push(format!(
                "{} owned identity provider(s) have no manifest and are left alone (use --prune to delete): {}",
                names.len(),
                super::shortlist(names.iter().map(String::as_str))
            ));
        }
        return;
    }
    for (address, before, key) in orphans {
        if let Some(roles) = trusters.get(&key) {
            out.conflicts.push(Conflict {
                message: format!(
                    "{address} has no manifest, but {} still trust it",
                    super::shortlist(roles.iter().copied())
                ),
                address,
                code: codes::PROVIDER_IN_USE,
                help: "change those roles' trust first, or declare the provider again".into(),
            });
            continue;
        }
        out.changes.push(Change {
            address,
            action: Action::Delete,
            before: Some(before),
            after: None,
            attributes: Vec::new(),
            reason: Some("owned, and no manifest declares it".into()),
        });
    }
}
