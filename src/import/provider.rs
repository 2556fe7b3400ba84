//! Import of identity providers: each OIDC and SAML provider of the account becomes a manifest
//! under `providers/`, and a SAML provider's metadata a file next to its manifest, so that
//! planning the imported set against the same account plans nothing (with `--adopt`, only the
//! ownership tags).
//!
//! Thumbprints are written as the account has them (so they are compared from then on); a
//! provider without thumbprints leaves them to IAM. GitHub Actions' provider with its one
//! audience is written in the `github: true` form.

use std::path::PathBuf;

use super::{FileKind, ImportOptions, ImportedFile, file_safe, to_yaml};
use crate::manifest::model::{
    ApiVersion, Metadata, OidcProviderKind, OidcProviderManifest, OidcProviderSpec,
    SamlProviderKind, SamlProviderManifest, SamlProviderSpec,
};
use crate::state::provider::{GITHUB_CLIENT_ID, GITHUB_OIDC_URL};
use crate::state::{AccountState, OidcProviderState, SamlProviderState};

/// The modeline of a manifest two folders below the output folder.
const MODELINE: &str = "# yaml-language-server: $schema=../../rolesmith.schema.json\n";

/// Manifests (and metadata files) for the account's providers that the options select.
pub(super) fn providers(account: &AccountState, opts: &ImportOptions) -> Vec<ImportedFile> {
    let selected = |name: &str| opts.name.as_ref().is_none_or(|re| re.is_match(name));
    let mut files = Vec::new();
    for p in account.oidc_providers.values().filter(|p| selected(&p.url)) {
        files.push(ImportedFile {
            path: PathBuf::from("providers/oidc").join(format!("{}.yaml", file_safe(&p.url))),
            kind: FileKind::IdentityProvider,
            name: p.url.clone(),
            text: format!("{MODELINE}{}", to_yaml(&oidc_manifest(p, opts))),
        });
    }
    for p in account
        .saml_providers
        .values()
        .filter(|p| selected(&p.name))
    {
        let metadata = format!("{}.xml", file_safe(&p.name));
        files.push(ImportedFile {
            path: PathBuf::from("providers/saml").join(format!("{}.yaml", file_safe(&p.name))),
            kind: FileKind::IdentityProvider,
            name: p.name.clone(),
            text: format!("{MODELINE}{}", to_yaml(&saml_manifest(p, &metadata, opts))),
        });
        files.push(ImportedFile {
            path: PathBuf::from("providers/saml").join(metadata),
            kind: FileKind::SamlMetadata,
            name: p.name.clone(),
            text: p.metadata_document.clone().unwrap_or_default(),
        });
    }
    files
}

fn oidc_manifest(p: &OidcProviderState, opts: &ImportOptions) -> OidcProviderManifest {
    let github = p.url == GITHUB_OIDC_URL
        && p.client_ids.len() == 1
        && p.client_ids.contains(GITHUB_CLIENT_ID);
    let mut tags = p.tags.clone();
    tags.remove(&opts.ownership.key);
    OidcProviderManifest {
        api_version: ApiVersion::V1,
        kind: OidcProviderKind::OidcProvider,
        metadata: Metadata {
            name: p.url.replace('/', "-"),
        },
        accounts: None,
        overrides: Vec::new(),
        spec: OidcProviderSpec {
            github,
            url: (!github).then(|| format!("https://{}", p.url)),
            client_ids: if github {
                Vec::new()
            } else {
                p.client_ids.iter().cloned().collect()
            },
            thumbprints: p.thumbprints.iter().cloned().collect(),
            tags,
            adopt: opts.adopt && !opts.ownership.is_on(&p.tags),
        },
    }
}

fn saml_manifest(
    p: &SamlProviderState,
    metadata_file: &str,
    opts: &ImportOptions,
) -> SamlProviderManifest {
    let mut tags = p.tags.clone();
    tags.remove(&opts.ownership.key);
    SamlProviderManifest {
        api_version: ApiVersion::V1,
        kind: SamlProviderKind::SamlProvider,
        metadata: Metadata {
            name: p.name.clone(),
        },
        accounts: None,
        overrides: Vec::new(),
        spec: SamlProviderSpec {
            metadata_file: metadata_file.to_owned(),
            tags,
            adopt: opts.adopt && !p.is_owned_by(&opts.ownership),
        },
    }
}
