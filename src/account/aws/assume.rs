//! Entering a member account of the inventory: one STS `AssumeRole` with the credentials the
//! standard chain finds, at connect time, so a role that cannot be assumed is an error naming
//! the account and AWS's answer before anything is read. The session's credentials then stand
//! for the chain in every client of that account.

use std::time::SystemTime;

use aws_config::SdkConfig;
use aws_types::region::Region;
use aws_types::sdk_config::SharedCredentialsProvider;

use super::AssumeRoleTarget;
use super::error::to_account_error;
use crate::account::AccountError;

/// `sdk` with the credentials of a session of `target`'s role.
pub(super) async fn assumed(
    sdk: &SdkConfig,
    region: Region,
    target: &AssumeRoleTarget,
) -> Result<SdkConfig, AccountError> {
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(sdk)
            .region(region)
            .build(),
    );
    let mut request = sts
        .assume_role()
        .role_arn(&target.role_arn)
        .role_session_name(&target.session_name)
        .duration_seconds(i32::try_from(target.duration_seconds).unwrap_or(3600));
    if let Some(id) = &target.external_id {
        request = request.external_id(id);
    }
    let entity = format!("role {}", target.role_arn);
    let out = request
        .send()
        .await
        .map_err(|e| to_account_error(&entity, "AssumeRole", &e))?;
    let Some(c) = out.credentials() else {
        return Err(AccountError::Aws {
            entity,
            operation: "AssumeRole",
            message: "the answer holds no credentials".into(),
            hint: None,
        });
    };
    let credentials = aws_sdk_sts::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        SystemTime::try_from(*c.expiration()).ok(),
        "rolesmith-assume-role",
    );
    Ok(sdk
        .clone()
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build())
}
