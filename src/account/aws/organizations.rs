//! The inventory from AWS Organizations: every active account with its OU path and tags, asked
//! from the management account or a delegated administrator (the credentials' own).
//!
//! Calls: `ListRoots` once, `ListOrganizationalUnitsForParent` and `ListAccountsForParent` per
//! OU (every page), and `ListTagsForResource` per account. Suspended (and closing) accounts are
//! skipped with a note: nothing can be changed in them.

use aws_sdk_organizations::types::AccountStatus;

use super::AwsAccount;
use super::error::to_account_error;
use crate::account::AccountError;
use crate::inventory::AccountInfo;

impl AwsAccount {
    /// The organization's active accounts, and notes on those skipped.
    pub async fn organization_accounts(
        &self,
    ) -> Result<(Vec<AccountInfo>, Vec<String>), AccountError> {
        let org = &self.organizations;
        let roots = org
            .list_roots()
            .send()
            .await
            .map_err(|e| to_account_error("the organization", "ListRoots", &e))?;
        let mut queue: Vec<(String, String)> = roots
            .roots()
            .iter()
            .filter_map(|r| r.id().map(|id| (id.to_owned(), "/".to_owned())))
            .collect();
        let (mut accounts, mut notes) = (Vec::new(), Vec::new());
        while let Some((parent, path)) = queue.pop() {
            let mut ous = org
                .list_organizational_units_for_parent()
                .parent_id(&parent)
                .into_paginator()
                .send();
            while let Some(page) = ous.next().await {
                let page = page.map_err(|e| {
                    to_account_error("the organization", "ListOrganizationalUnitsForParent", &e)
                })?;
                for ou in page.organizational_units() {
                    if let (Some(id), Some(name)) = (ou.id(), ou.name()) {
                        let child = format!("{}/{name}", path.trim_end_matches('/'));
                        queue.push((id.to_owned(), child));
                    }
                }
            }
            let mut pages = org
                .list_accounts_for_parent()
                .parent_id(&parent)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    to_account_error("the organization", "ListAccountsForParent", &e)
                })?;
                for a in page.accounts() {
                    let (Some(id), name) = (a.id(), a.name().unwrap_or_default()) else {
                        continue;
                    };
                    if a.status() != Some(&AccountStatus::Active) {
                        notes.push(format!(
                            "skipped account {name} ({id}): it is {}",
                            a.status()
                                .map_or("not active", |s| s.as_str())
                                .to_lowercase()
                        ));
                        continue;
                    }
                    let tags = org
                        .list_tags_for_resource()
                        .resource_id(id)
                        .send()
                        .await
                        .map_err(|e| {
                            to_account_error("the organization", "ListTagsForResource", &e)
                        })?;
                    accounts.push(AccountInfo {
                        name: name.to_owned(),
                        id: id.to_owned(),
                        ou: path.clone(),
                        tags: tags
                            .tags()
                            .iter()
                            .map(|t| (t.key().to_owned(), t.value().to_owned()))
                            .collect(),
                        vars: Default::default(),
                    });
                }
            }
        }
        accounts.sort();
        Ok((accounts, notes))
    }
}
