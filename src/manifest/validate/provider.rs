//! `kind: OIDCProvider` and `kind: SAMLProvider` documents → declared identity providers, and
//! their duplicates across documents.
//!
//! An OIDC provider's identity is its URL (host and path, as its ARN names it), so duplicates
//! are found by URL, not by `metadata.name`. A SAML provider's metadata file is read here,
//! relative to the manifest, after its size is checked against IAM's limits without reading it
//! (a mistyped path to a huge file costs nothing).

use std::collections::BTreeSet;
use std::path::Path;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::manifest::limits;
use crate::manifest::load::LoadedDocument;
use crate::manifest::model::{OidcProviderManifest, SamlProviderManifest};
use crate::state::provider::{GITHUB_CLIENT_ID, GITHUB_OIDC_URL};
use crate::state::{
    DesiredOidcProvider, DesiredProvider, DesiredSamlProvider, OidcProviderState, SamlProviderState,
};
use crate::yaml_path;

use super::{CheckedDocument, Duplicates, Target, check, origin, role};

/// IAM's longest OIDC provider URL.
const MAX_URL: usize = 255;
/// IAM's longest client id.
const MAX_CLIENT_ID: usize = 255;
/// Client ids one OIDC provider may hold.
const MAX_CLIENT_IDS: usize = 100;
/// Thumbprints one OIDC provider may hold.
const MAX_THUMBPRINTS: usize = 5;
/// IAM's bounds for a SAML metadata document, in characters (`UpdateSAMLProvider`,
/// `CreateSAMLProvider`: length 1,000–10,000,000).
const SAML_METADATA_SIZE: std::ops::RangeInclusive<u64> = 1_000..=10_000_000;

/// Which kind of provider a document declares, and its key (URL or name), for duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderKey {
    /// An OIDC provider's URL without `https://`.
    Oidc(String),
    /// A SAML provider's name.
    Saml(String),
}

/// Validates a `kind: OIDCProvider` document: its key (when the URL is usable) and the
/// provider (when nothing is wrong with it; problems are in `out`).
pub(super) fn oidc_provider(
    doc: &LoadedDocument,
    m: &OidcProviderManifest,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) -> (Option<ProviderKey>, Option<DesiredProvider>) {
    let spec = &m.spec;
    let before = out.len();
    let url = oidc_url(doc, spec.github, spec.url.as_deref(), out);
    let mut client_ids: BTreeSet<String> = spec.client_ids.iter().cloned().collect();
    if spec.github && client_ids.is_empty() {
        client_ids.insert(GITHUB_CLIENT_ID.to_owned());
    }
    for (i, id) in spec.client_ids.iter().enumerate() {
        if id.is_empty() || id.chars().count() > MAX_CLIENT_ID {
            out.push(
                Diagnostic::new(
                    codes::INVALID_CLIENT_ID,
                    format!(
                        "client id is {} characters; IAM allows 1–{MAX_CLIENT_ID}",
                        id.chars().count()
                    ),
                )
                .at(doc.locate(&yaml_path!["spec", "clientIds", i]), "here")
                .with_help("correct or remove the client id"),
            );
        }
    }
    if client_ids.len() > MAX_CLIENT_IDS {
        out.push(
            Diagnostic::new(
                codes::INVALID_CLIENT_ID,
                format!(
                    "{} client ids; IAM allows {MAX_CLIENT_IDS} per provider",
                    client_ids.len()
                ),
            )
            .at(doc.locate_key(&yaml_path!["spec", "clientIds"]), "too many")
            .with_help(format!("keep at most {MAX_CLIENT_IDS}")),
        );
    }
    let thumbprints = thumbprints(doc, &spec.thumbprints, out);
    let tags = role::tags(doc, &spec.tags, ctx, out);
    let key = url.clone().map(ProviderKey::Oidc);
    let provider = match url {
        Some(url) if out.len() == before => Some(DesiredProvider::Oidc(DesiredOidcProvider {
            provider: OidcProviderState {
                url,
                client_ids,
                thumbprints,
                tags,
            },
            thumbprints_declared: !spec.thumbprints.is_empty(),
            adopt: spec.adopt,
            origin: origin(doc),
        })),
        _ => None,
    };
    (key, provider)
}

/// The provider's key from `url` (or the GitHub form), reporting what IAM would reject.
fn oidc_url(
    doc: &LoadedDocument,
    github: bool,
    url: Option<&str>,
    out: &mut Vec<Diagnostic>,
) -> Option<String> {
    let at = || doc.locate(&yaml_path!["spec", "url"]);
    let url = match (github, url) {
        (true, None) => return Some(GITHUB_OIDC_URL.to_owned()),
        (true, Some(u)) if u.strip_prefix("https://") == Some(GITHUB_OIDC_URL) => {
            return Some(GITHUB_OIDC_URL.to_owned());
        }
        (true, Some(u)) => {
            out.push(
                Diagnostic::new(
                    codes::INVALID_OIDC_URL,
                    format!("`github: true` is GitHub Actions' provider, but `url` is `{u}`"),
                )
                .at(at(), "another issuer")
                .with_help("remove `url` (github implies it), or remove `github: true`"),
            );
            return None;
        }
        (false, None) => {
            out.push(
                Diagnostic::new(codes::INVALID_OIDC_URL, "an OIDC provider needs `url`")
                    .at(doc.locate_key(&yaml_path!["spec"]), "no url")
                    .with_help(
                        "give `url: https://HOST/PATH`, or `github: true` for GitHub Actions",
                    ),
            );
            return None;
        }
        (false, Some(u)) => u,
    };
    let problem = if url.chars().count() > MAX_URL {
        Some(format!(
            "the URL is {} characters; IAM allows {MAX_URL}",
            url.chars().count()
        ))
    } else {
        match url.strip_prefix("https://") {
            None => Some(format!("`{url}` does not start with `https://`")),
            Some("") => Some("the URL has no host".to_owned()),
            Some(rest) if rest.contains(['?', '#', ' ']) => {
                Some(format!("`{url}` has a query, fragment or space"))
            }
            Some(rest) if rest.ends_with('/') || rest.starts_with('/') => {
                Some(format!("`{url}` ends with `/` or has no host"))
            }
            Some(_) => None,
        }
    };
    match problem {
        Some(message) => {
            out.push(
                Diagnostic::new(codes::INVALID_OIDC_URL, message)
                    .at(at(), "here")
                    .with_help("write the issuer URL as `https://HOST` or `https://HOST/PATH`"),
            );
            None
        }
        None => url.strip_prefix("https://").map(str::to_owned),
    }
}

/// Thumbprints lower-cased, reporting any that is not 40 hex digits, and more than five.
fn thumbprints(
    doc: &LoadedDocument,
    given: &[String],
    out: &mut Vec<Diagnostic>,
) -> BTreeSet<String> {
    for (i, t) in given.iter().enumerate() {
        if t.len() != 40 || !t.chars().all(|c| c.is_ascii_hexdigit()) {
            out.push(
                Diagnostic::new(
                    codes::INVALID_THUMBPRINT,
                    format!("thumbprint `{t}` is not 40 hex digits"),
                )
                .at(doc.locate(&yaml_path!["spec", "thumbprints", i]), "here")
                .with_help("a thumbprint is the SHA-1 fingerprint of the issuer's certificate"),
            );
        }
    }
    let set: BTreeSet<String> = given.iter().map(|t| t.to_ascii_lowercase()).collect();
    if set.len() > MAX_THUMBPRINTS {
        out.push(
            Diagnostic::new(
                codes::INVALID_THUMBPRINT,
                format!(
                    "{} thumbprints; IAM keeps at most {MAX_THUMBPRINTS}",
                    set.len()
                ),
            )
            .at(
                doc.locate_key(&yaml_path!["spec", "thumbprints"]),
                "too many",
            )
            .with_help("keep the current certificate's thumbprint and at most four others"),
        );
    }
    set
}

/// Validates a `kind: SAMLProvider` document: its key and the provider with its metadata read.
pub(super) fn saml_provider(
    doc: &LoadedDocument,
    m: &SamlProviderManifest,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) -> (Option<ProviderKey>, Option<DesiredProvider>) {
    let name = &m.metadata.name;
    let before = out.len();
    check(
        out,
        limits::entity_name(name, 128, "SAML provider name"),
        codes::INVALID_SAML_PROVIDER_NAME,
        || doc.locate(&yaml_path!["metadata", "name"]),
        "SAML provider names are 1–128 characters of letters, digits and _+=,.@-",
    );
    let document = metadata(doc, &m.spec.metadata_file, out);
    let tags = role::tags(doc, &m.spec.tags, ctx, out);
    let provider = match document {
        Some(document) if out.len() == before => Some(DesiredProvider::Saml(DesiredSamlProvider {
            provider: SamlProviderState::with_document(name, document, tags),
            adopt: m.spec.adopt,
            origin: origin(doc),
        })),
        _ => None,
    };
    (Some(ProviderKey::Saml(name.clone())), provider)
}

/// The metadata document at `file` (relative to the manifest), if it is readable UTF-8 text of
/// a size IAM accepts.
fn metadata(doc: &LoadedDocument, file: &str, out: &mut Vec<Diagnostic>) -> Option<String> {
    let base = doc.source.path.parent().unwrap_or(Path::new(""));
    let path = base.join(file);
    let at = || doc.locate(&yaml_path!["spec", "metadataFile"]);
    let fail = |out: &mut Vec<Diagnostic>, message: String, help: &str| {
        out.push(
            Diagnostic::new(codes::INVALID_SAML_METADATA, message)
                .at(at(), "here")
                .with_help(help),
        );
    };
    let size = match fs_err::metadata(&path) {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) => {
            fail(
                out,
                format!("{} is not a file", path.display()),
                "name the metadata XML file",
            );
            return None;
        }
        Err(e) => {
            fail(
                out,
                e.to_string(),
                "the path is relative to this manifest file",
            );
            return None;
        }
    };
    if !SAML_METADATA_SIZE.contains(&size) {
        fail(
            out,
            format!(
                "{} is {size} bytes; IAM accepts SAML metadata of {} to {} characters",
                path.display(),
                SAML_METADATA_SIZE.start(),
                SAML_METADATA_SIZE.end()
            ),
            "export the metadata XML from the identity provider again",
        );
        return None;
    }
    match fs_err::read(&path).map(String::from_utf8) {
        Ok(Ok(text)) => Some(text),
        Ok(Err(_)) => {
            fail(
                out,
                format!("{} is not UTF-8 text", path.display()),
                "SAML metadata is XML text",
            );
            None
        }
        Err(e) => {
            fail(
                out,
                e.to_string(),
                "the path is relative to this manifest file",
            );
            None
        }
    }
}

impl Duplicates {
    /// Records a provider document and reports a provider declared before.
    pub(super) fn check_provider(&mut self, checked: &mut CheckedDocument, key: &ProviderKey) {
        let (seen, lower, what, path) = match key {
            ProviderKey::Oidc(url) => (
                &mut self.oidc_providers,
                url.to_ascii_lowercase(),
                format!("OIDC provider `https://{url}`"),
                yaml_path!["spec"].to_vec(),
            ),
            ProviderKey::Saml(name) => (
                &mut self.saml_providers,
                name.to_ascii_lowercase(),
                format!("SAML provider `{name}`"),
                yaml_path!["metadata", "name"].to_vec(),
            ),
        };
        match seen.get(&lower) {
            Some(first) => checked.found.push(
                Diagnostic::new(
                    codes::DUPLICATE_PROVIDER,
                    format!("{what} is declared more than once"),
                )
                .at(checked.anchor.locate(&path), "declared again here")
                .also(first.locate(&path), "first declared here")
                .with_help("keep one declaration"),
            ),
            None => {
                seen.insert(lower, checked.anchor.clone());
            }
        }
    }
}
