//! OIDC and SAML providers in the live account: read in bulk (one listing per kind, then one
//! `Get…` per provider, which returns what the listing leaves out — audiences, thumbprints,
//! metadata and tags) and written with the provider's own calls, idempotently like role writes:
//! creating what exists succeeds when it is the same provider, deleting what is gone succeeds.
//!
//! The mutations carry the provider's key (URL without `https://`, or name); the ARN IAM wants
//! is built here from the caller's account and partition.

use std::collections::BTreeMap;

use aws_sdk_iam::error::SdkError;
use aws_sdk_iam::types::Tag;

use super::AwsAccount;
use super::error::to_account_error;
use super::write::{gone_is_ok, iam_tags};
use crate::account::{AccountError, Mutation};
use crate::state::provider::{oidc_provider_arn, saml_provider_arn};
use crate::state::{AccountState, OidcProviderState, SamlProviderState};

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

/// Whether an SDK error is IAM's `NoSuchEntity` (the provider went away since it was listed).
fn is_gone<E, R>(e: &SdkError<E, R>) -> bool
where
    E: aws_sdk_iam::error::ProvideErrorMetadata,
{
    super::error::code(e) == Some("NoSuchEntity")
}

impl AwsAccount {
    /// Reads every OIDC and SAML provider into `state`: `ListOpenIDConnectProviders` and
    /// `ListSAMLProviders` (neither pages), then one `Get…` per provider.
    pub(super) async fn read_providers(
        &self,
        state: &mut AccountState,
    ) -> Result<(), AccountError> {
        let listed = self
            .iam
            .list_open_id_connect_providers()
            .send()
            .await
            .map_err(|e| to_account_error("OIDC providers", "ListOpenIDConnectProviders", &e))?;
        for arn in listed
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|p| p.arn())
        {
            if let Some(p) = self.get_oidc_provider(arn).await? {
                state.oidc_providers.insert(p.url.clone(), p);
            }
        }
        let listed = self
            .iam
            .list_saml_providers()
            .send()
            .await
            .map_err(|e| to_account_error("SAML providers", "ListSAMLProviders", &e))?;
        for arn in listed.saml_provider_list().iter().filter_map(|p| p.arn()) {
            if let Some(p) = self.get_saml_provider(arn).await? {
                state.saml_providers.insert(p.name.clone(), p);
            }
        }
        Ok(())
    }

    /// `GetOpenIDConnectProvider`, normalized; `None` when it does not exist.
    async fn get_oidc_provider(
        &self,
        arn: &str,
    ) -> Result<Option<OidcProviderState>, AccountError> {
        let url = arn.split_once(":oidc-provider/").map_or(arn, |(_, u)| u);
        let out = match self
            .iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if is_gone(&e) => return Ok(None),
            Err(e) => {
                return Err(to_account_error(
                    &format!("OIDC provider {url}"),
                    "GetOpenIDConnectProvider",
                    &e,
                ));
            }
        };
        Ok(Some(OidcProviderState {
            url: url.to_owned(),
            client_ids: out.client_id_list().iter().cloned().collect(),
            thumbprints: out
                .thumbprint_list()
                .iter()
                .map(|t| t.to_ascii_lowercase())
                .collect(),
            tags: tag_map(out.tags()),
        }))
    }

    /// `GetSAMLProvider`, normalized (the document kept, its digest computed); `None` when it
    /// does not exist.
    async fn get_saml_provider(
        &self,
        arn: &str,
    ) -> Result<Option<SamlProviderState>, AccountError> {
        let name = arn.split_once(":saml-provider/").map_or(arn, |(_, n)| n);
        let out = match self
            .iam
            .get_saml_provider()
            .saml_provider_arn(arn)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if is_gone(&e) => return Ok(None),
            Err(e) => {
                return Err(to_account_error(
                    &format!("SAML provider {name}"),
                    "GetSAMLProvider",
                    &e,
                ));
            }
        };
        let document = out.saml_metadata_document().unwrap_or_default().to_owned();
        Ok(Some(SamlProviderState::with_document(
            name,
            document,
            tag_map(out.tags()),
        )))
    }

    async fn oidc_arn(&self, url: &str) -> Result<String, AccountError> {
        let id = self.caller().await?;
        Ok(oidc_provider_arn(&id.partition, &id.account_id, url))
    }

    async fn saml_arn(&self, name: &str) -> Result<String, AccountError> {
        let id = self.caller().await?;
        Ok(saml_provider_arn(&id.partition, &id.account_id, name))
    }

    /// Performs one identity-provider mutation.
    pub(super) async fn write_provider(&self, mutation: &Mutation) -> Result<(), AccountError> {
        let entity = mutation.target();
        let op = mutation.operation();
        match mutation {
            Mutation::CreateOpenIdConnectProvider { provider } => {
                let tags = iam_tags(&entity, op, &provider.tags)?;
                let result = self
                    .iam
                    .create_open_id_connect_provider()
                    .url(format!("https://{}", provider.url))
                    .set_client_id_list(Some(provider.client_ids.iter().cloned().collect()))
                    .set_thumbprint_list(
                        Some(provider.thumbprints.iter().cloned().collect::<Vec<_>>())
                            .filter(|t| !t.is_empty()),
                    )
                    .set_tags(Some(tags).filter(|t| !t.is_empty()))
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(e) if super::error::code(&e) == Some("EntityAlreadyExists") => {
                        let arn = self.oidc_arn(&provider.url).await?;
                        match self.get_oidc_provider(&arn).await? {
                            Some(existing) if existing.client_ids == provider.client_ids => Ok(()),
                            _ => Err(AccountError::EntityAlreadyExists { entity }),
                        }
                    }
                    Err(e) => Err(to_account_error(&entity, op, &e)),
                }
            }
            Mutation::AddClientIdToOpenIdConnectProvider { url, client_id } => self
                .iam
                .add_client_id_to_open_id_connect_provider()
                .open_id_connect_provider_arn(self.oidc_arn(url).await?)
                .client_id(client_id)
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::RemoveClientIdFromOpenIdConnectProvider { url, client_id } => self
                .iam
                .remove_client_id_from_open_id_connect_provider()
                .open_id_connect_provider_arn(self.oidc_arn(url).await?)
                .client_id(client_id)
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::UpdateOpenIdConnectProviderThumbprint { url, thumbprints } => self
                .iam
                .update_open_id_connect_provider_thumbprint()
                .open_id_connect_provider_arn(self.oidc_arn(url).await?)
                .set_thumbprint_list(Some(thumbprints.iter().cloned().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::TagOpenIdConnectProvider { url, tags } => self
                .iam
                .tag_open_id_connect_provider()
                .open_id_connect_provider_arn(self.oidc_arn(url).await?)
                .set_tags(Some(iam_tags(&entity, op, tags)?))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::UntagOpenIdConnectProvider { url, keys } => self
                .iam
                .untag_open_id_connect_provider()
                .open_id_connect_provider_arn(self.oidc_arn(url).await?)
                .set_tag_keys(Some(keys.iter().cloned().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::DeleteOpenIdConnectProvider { url } => gone_is_ok(
                self.iam
                    .delete_open_id_connect_provider()
                    .open_id_connect_provider_arn(self.oidc_arn(url).await?)
                    .send()
                    .await,
            )
            .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::CreateSamlProvider { provider } => {
                let tags = iam_tags(&entity, op, &provider.tags)?;
                let result = self
                    .iam
                    .create_saml_provider()
                    .name(&provider.name)
                    .set_saml_metadata_document(provider.metadata_document.clone())
                    .set_tags(Some(tags).filter(|t| !t.is_empty()))
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(e) if super::error::code(&e) == Some("EntityAlreadyExists") => {
                        let arn = self.saml_arn(&provider.name).await?;
                        match self.get_saml_provider(&arn).await? {
                            Some(existing)
                                if existing.metadata_digest == provider.metadata_digest =>
                            {
                                Ok(())
                            }
                            _ => Err(AccountError::EntityAlreadyExists { entity }),
                        }
                    }
                    Err(e) => Err(to_account_error(&entity, op, &e)),
                }
            }
            Mutation::UpdateSamlProvider {
                name,
                metadata_document,
            } => self
                .iam
                .update_saml_provider()
                .saml_provider_arn(self.saml_arn(name).await?)
                .saml_metadata_document(metadata_document)
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::TagSamlProvider { name, tags } => self
                .iam
                .tag_saml_provider()
                .saml_provider_arn(self.saml_arn(name).await?)
                .set_tags(Some(iam_tags(&entity, op, tags)?))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::UntagSamlProvider { name, keys } => self
                .iam
                .untag_saml_provider()
                .saml_provider_arn(self.saml_arn(name).await?)
                .set_tag_keys(Some(keys.iter().cloned().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::DeleteSamlProvider { name } => gone_is_ok(
                self.iam
                    .delete_saml_provider()
                    .saml_provider_arn(self.saml_arn(name).await?)
                    .send()
                    .await,
            )
            .map_err(|e| to_account_error(&entity, op, &e)),
            _ => Err(super::error::other(
                &entity,
                op,
                "not an identity-provider mutation",
            )),
        }
    }
}
