//! Steps of identity providers: created or updated in place in [`Phase::CreateProviders`]
//! (before any role that trusts them is created or changed), deleted in
//! [`Phase::DeleteProviders`] (after every role that trusted them is gone). Updates use the
//! provider's own calls — audiences added before any is removed, thumbprints replaced, tags —
//! so a provider is never deleted and created again while a role trusts it.

use super::Builder;
use crate::account::Mutation;
use crate::diff::change::{Action, AttributeChange, Change, Resource};
use crate::plan::Phase;
use crate::state::tag_writes;

impl Builder {
    /// The steps of one provider change.
    pub(super) fn provider(&mut self, change: &Change) {
        match (change.action, &change.before, &change.after) {
            (Action::Create, _, Some(Resource::OidcProvider(p))) => self.push(
                Phase::CreateProviders,
                Mutation::CreateOpenIdConnectProvider {
                    provider: p.clone(),
                },
            ),
            (Action::Create, _, Some(Resource::SamlProvider(p))) => self.push(
                Phase::CreateProviders,
                Mutation::CreateSamlProvider {
                    provider: p.clone(),
                },
            ),
            (Action::Delete, Some(Resource::OidcProvider(p)), _) => self.push(
                Phase::DeleteProviders,
                Mutation::DeleteOpenIdConnectProvider { url: p.url.clone() },
            ),
            (Action::Delete, Some(Resource::SamlProvider(p)), _) => self.push(
                Phase::DeleteProviders,
                Mutation::DeleteSamlProvider {
                    name: p.name.clone(),
                },
            ),
            (Action::Update, _, Some(Resource::OidcProvider(p))) => {
                self.update_oidc(&p.url, &change.attributes)
            }
            (Action::Update, _, Some(Resource::SamlProvider(p))) => {
                self.update_saml(p, &change.attributes)
            }
            _ => {}
        }
    }

    fn update_oidc(&mut self, url: &str, attributes: &[AttributeChange]) {
        for attr in attributes {
            match attr {
                AttributeChange::ClientIds { before, after } => {
                    for id in after.iter().filter(|id| !before.contains(id)) {
                        self.push(
                            Phase::CreateProviders,
                            Mutation::AddClientIdToOpenIdConnectProvider {
                                url: url.to_owned(),
                                client_id: id.clone(),
                            },
                        );
                    }
                    for id in before.iter().filter(|id| !after.contains(id)) {
                        self.push(
                            Phase::CreateProviders,
                            Mutation::RemoveClientIdFromOpenIdConnectProvider {
                                url: url.to_owned(),
                                client_id: id.clone(),
                            },
                        );
                    }
                }
                AttributeChange::Thumbprints { after, .. } => self.push(
                    Phase::CreateProviders,
                    Mutation::UpdateOpenIdConnectProviderThumbprint {
                        url: url.to_owned(),
                        thumbprints: after.iter().cloned().collect(),
                    },
                ),
                AttributeChange::Tags { before, after } => {
                    let (set, removed) = tag_writes(before, after);
                    if !set.is_empty() {
                        self.push(
                            Phase::CreateProviders,
                            Mutation::TagOpenIdConnectProvider {
                                url: url.to_owned(),
                                tags: set,
                            },
                        );
                    }
                    if !removed.is_empty() {
                        self.push(
                            Phase::CreateProviders,
                            Mutation::UntagOpenIdConnectProvider {
                                url: url.to_owned(),
                                keys: removed,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn update_saml(
        &mut self,
        want: &crate::state::SamlProviderState,
        attributes: &[AttributeChange],
    ) {
        let name = &want.name;
        for attr in attributes {
            match attr {
                AttributeChange::SamlMetadata { .. } => {
                    if let Some(document) = &want.metadata_document {
                        self.push(
                            Phase::CreateProviders,
                            Mutation::UpdateSamlProvider {
                                name: name.clone(),
                                metadata_document: document.clone(),
                            },
                        );
                    }
                }
                AttributeChange::Tags { before, after } => {
                    let (set, removed) = tag_writes(before, after);
                    if !set.is_empty() {
                        self.push(
                            Phase::CreateProviders,
                            Mutation::TagSamlProvider {
                                name: name.clone(),
                                tags: set,
                            },
                        );
                    }
                    if !removed.is_empty() {
                        self.push(
                            Phase::CreateProviders,
                            Mutation::UntagSamlProvider {
                                name: name.clone(),
                                keys: removed,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
