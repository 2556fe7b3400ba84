//! Identity-provider mutations on a snapshot, with IAM's semantics: creating a provider that
//! exists is a success only when it is the same provider (else `EntityAlreadyExists`); adding an
//! audience that is there and removing one that is not change nothing; deleting what is gone
//! succeeds; IAM's per-provider limits (100 client ids, 5 thumbprints, 50 tags) are enforced.

use crate::account::{AccountError, Mutation};
use crate::state::{AccountState, OidcProviderState, SamlProviderState};

/// Client ids one OIDC provider may hold.
const MAX_CLIENT_IDS: usize = 100;
/// Thumbprints one OIDC provider may hold.
const MAX_THUMBPRINTS: usize = 5;
/// Tags one provider may carry.
const MAX_TAGS: usize = 50;

/// Applies one provider mutation; other mutations are not this module's (and change nothing).
pub(super) fn apply(state: &mut AccountState, mutation: &Mutation) -> Result<(), AccountError> {
    match mutation {
        Mutation::CreateOpenIdConnectProvider { provider } => {
            if let Some(existing) = state.oidc_providers.get(&provider.url) {
                return same_or_exists(existing.client_ids == provider.client_ids, mutation);
            }
            limits(provider, mutation)?;
            state
                .oidc_providers
                .insert(provider.url.clone(), provider.clone());
        }
        Mutation::AddClientIdToOpenIdConnectProvider { url, client_id } => {
            let p = oidc(state, url)?;
            p.client_ids.insert(client_id.clone());
            limits(p, mutation)?;
        }
        Mutation::RemoveClientIdFromOpenIdConnectProvider { url, client_id } => {
            oidc(state, url)?.client_ids.remove(client_id);
        }
        Mutation::UpdateOpenIdConnectProviderThumbprint { url, thumbprints } => {
            let p = oidc(state, url)?;
            p.thumbprints = thumbprints.clone();
            limits(p, mutation)?;
        }
        Mutation::TagOpenIdConnectProvider { url, tags } => {
            let p = oidc(state, url)?;
            p.tags.extend(tags.clone());
            limits(p, mutation)?;
        }
        Mutation::UntagOpenIdConnectProvider { url, keys } => {
            oidc(state, url)?.tags.retain(|k, _| !keys.contains(k));
        }
        Mutation::DeleteOpenIdConnectProvider { url } => {
            state.oidc_providers.remove(url);
        }
        Mutation::CreateSamlProvider { provider } => {
            if let Some(existing) = state.saml_providers.get(&provider.name) {
                let same = existing.metadata_digest == provider.metadata_digest;
                return same_or_exists(same, mutation);
            }
            too_many_tags(provider.tags.len(), mutation)?;
            state
                .saml_providers
                .insert(provider.name.clone(), provider.clone());
        }
        Mutation::UpdateSamlProvider {
            name,
            metadata_document,
        } => {
            let p = saml(state, name)?;
            let tags = std::mem::take(&mut p.tags);
            *p = SamlProviderState::with_document(name.clone(), metadata_document.clone(), tags);
        }
        Mutation::TagSamlProvider { name, tags } => {
            let p = saml(state, name)?;
            p.tags.extend(tags.clone());
            too_many_tags(p.tags.len(), mutation)?;
        }
        Mutation::UntagSamlProvider { name, keys } => {
            saml(state, name)?.tags.retain(|k, _| !keys.contains(k));
        }
        Mutation::DeleteSamlProvider { name } => {
            state.saml_providers.remove(name);
        }
        _ => {}
    }
    Ok(())
}

fn same_or_exists(same: bool, mutation: &Mutation) -> Result<(), AccountError> {
    if same {
        Ok(())
    } else {
        Err(AccountError::EntityAlreadyExists {
            entity: mutation.target(),
        })
    }
}

fn oidc<'a>(
    state: &'a mut AccountState,
    url: &str,
) -> Result<&'a mut OidcProviderState, AccountError> {
    state
        .oidc_providers
        .get_mut(url)
        .ok_or_else(|| AccountError::NoSuchEntity {
            entity: format!("OIDC provider {url}"),
        })
}

fn saml<'a>(
    state: &'a mut AccountState,
    name: &str,
) -> Result<&'a mut SamlProviderState, AccountError> {
    state
        .saml_providers
        .get_mut(name)
        .ok_or_else(|| AccountError::NoSuchEntity {
            entity: format!("SAML provider {name}"),
        })
}

fn limits(p: &OidcProviderState, mutation: &Mutation) -> Result<(), AccountError> {
    let exceeded = |message: &str| {
        Err(AccountError::LimitExceeded {
            entity: mutation.target(),
            message: message.into(),
        })
    };
    if p.client_ids.len() > MAX_CLIENT_IDS {
        return exceeded("an OIDC provider can hold at most 100 client ids");
    }
    if p.thumbprints.len() > MAX_THUMBPRINTS {
        return exceeded("an OIDC provider can hold at most 5 thumbprints");
    }
    too_many_tags(p.tags.len(), mutation)
}

fn too_many_tags(n: usize, mutation: &Mutation) -> Result<(), AccountError> {
    if n > MAX_TAGS {
        return Err(AccountError::LimitExceeded {
            entity: mutation.target(),
            message: "a provider can carry at most 50 tags".into(),
        });
    }
    Ok(())
}
