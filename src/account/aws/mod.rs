//! The live AWS account: IAM, STS and EC2 through the AWS SDK.
//!
//! [`AwsAccount`] implements [`AccountReader`](super::AccountReader) (`read.rs`) and
//! [`AccountWriter`](super::AccountWriter) (`write.rs`). This module is the only place in the crate
//! that names `aws_sdk_*` types; everything it hands out is the normalized model. Configuration
//! follows the SDK's default chain (environment, profile, IMDS, `AWS_ENDPOINT_URL`) with the
//! overrides in [`AwsOptions`]. Throttling is met by one shared pace per service (`pacing.rs`); the only
//! hand-written waiting is the bounded wait for IAM changes to propagate (see `write.rs`).
//! Credentials are never logged; only operation names are.

mod assume;
mod ec2;
mod error;
mod instances;
pub mod operations;
mod organizations;
mod pacing;
mod policies;
mod profile;
mod provider;
mod read;
pub mod stats;
mod unreachable;
mod write;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_sts::error::SdkError;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;
use aws_smithy_runtime_api::client::runtime_plugin::RuntimePlugin;

use crate::account::AccountError;

pub use pacing::RUN_RETRY_BUDGET;
pub use stats::CallStats;

/// The first retry's backoff (doubling, with jitter): short, since the pace handles throttling.
const RETRY_BACKOFF: Duration = Duration::from_millis(50);
/// The longest backoff between two attempts of a call.
const MAX_RETRY_BACKOFF: Duration = Duration::from_secs(5);

/// How to reach the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsOptions {
    /// Region (EC2 needs one; IAM and STS default to `us-east-1` when none is configured).
    pub region: Option<String>,
    /// Named profile from the shared config files.
    pub profile: Option<String>,
    /// Endpoint override for every service (e.g. a moto server). `AWS_ENDPOINT_URL` is honoured
    /// without this.
    pub endpoint_url: Option<String>,
    /// Only roles whose path starts with this prefix are read.
    pub path_prefix: Option<String>,
    /// How long to wait for IAM changes to become visible to IAM itself and to EC2.
    pub propagation_timeout: Duration,
    /// Attempts per call, including the first.
    pub max_attempts: u32,
    /// Retries the whole run may make (see `pacing`).
    pub retry_budget: u64,
    /// Longest one attempt of a call may take, answer included; an attempt that runs out is
    /// retried like a transient error. Without it, a connection the server accepted but never
    /// answers would hang the run.
    pub call_timeout: Duration,
    /// Enter the account by assuming this role with the credentials the chain finds (a member
    /// account of the inventory); `None`: the credentials' own account.
    pub assume_role: Option<AssumeRoleTarget>,
}

/// A role to assume in another account, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleTarget {
    /// The role's ARN.
    pub role_arn: String,
    /// `ExternalId`, when the role's trust asks for one.
    pub external_id: Option<String>,
    /// `RoleSessionName`.
    pub session_name: String,
    /// `DurationSeconds`.
    pub duration_seconds: u32,
}

/// Longest wait for a TCP (and TLS) connection to an endpoint.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for AwsOptions {
    fn default() -> Self {
        Self {
            region: None,
            profile: None,
            endpoint_url: None,
            path_prefix: None,
            propagation_timeout: Duration::from_secs(120),
            max_attempts: 8,
            retry_budget: RUN_RETRY_BUDGET,
            call_timeout: Duration::from_secs(60),
            assume_role: None,
        }
    }
}

/// Who the credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    account_id: String,
    partition: String,
}

/// A live AWS account.
#[derive(Debug, Clone)]
pub struct AwsAccount {
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    ec2: aws_sdk_ec2::Client,
    /// Organizations, for the inventory (`organizations.rs`); used only with `source =
    /// "organizations"`.
    organizations: aws_sdk_organizations::Client,
    path_prefix: Option<String>,
    propagation_timeout: Duration,
    stats: CallStats,
    identity: std::sync::Arc<tokio::sync::OnceCell<Identity>>,
    /// The endpoint override, named when it cannot be reached.
    endpoint_url: Option<String>,
    /// The region the SDK resolved (flag, environment or profile), for the run's header.
    region: Option<String>,
}

/// The region IAM and STS use when none is configured: IAM is global and answers there.
const DEFAULT_GLOBAL_REGION: &str = "us-east-1";

impl AwsAccount {
    /// Loads the SDK configuration and builds the IAM, STS and EC2 clients, all sharing one
    /// configuration and one [`CallStats`]. Makes no call; a named profile that the shared AWS
    /// files do not define is an error here, other credential problems surface on the first read
    /// or write.
    pub async fn connect(opts: AwsOptions) -> Result<AwsAccount, AccountError> {
        profile::check_defined(opts.profile.as_deref()).await?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            // Standard mode with a short backoff: the pace (`pacing`), not each lane's backoff,
            // keeps requests under the account's rate, so a 500 or a reset is retried at once.
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(opts.max_attempts.max(1))
                    .with_initial_backoff(RETRY_BACKOFF)
                    .with_max_backoff(MAX_RETRY_BACKOFF),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_attempt_timeout(opts.call_timeout)
                    .build(),
            );
        if let Some(region) = &opts.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &opts.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &opts.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let sdk = loader.load().await;
        let global_region = sdk
            .region()
            .cloned()
            .unwrap_or_else(|| Region::from_static(DEFAULT_GLOBAL_REGION));
        let sdk = match &opts.assume_role {
            None => sdk,
            Some(target) => assume::assumed(&sdk, global_region.clone(), target).await?,
        };
        tracing::debug!(
            "aws: region {}, endpoint override {}",
            sdk.region().map_or("(none)", |r| r.as_ref()),
            if sdk.endpoint_url().is_some() {
                "set"
            } else {
                "none"
            }
        );

        let stats = CallStats::default();
        // One pace per service: IAM and EC2 have limits of their own.
        // The client the SDK would pick (the loader leaves it to each service's defaults).
        let inner = sdk.http_client().or_else(|| {
            aws_smithy_runtime::client::defaults::default_http_client_plugin_v2(
                BehaviorVersion::latest(),
            )?
            .runtime_components(&RuntimeComponentsBuilder::new("rolesmith"))
            .http_client()
        });
        let paced = |pacer: &pacing::Pacer| {
            inner
                .clone()
                .map(|inner| SharedHttpClient::new(pacing::PacedClient::new(inner, pacer.clone())))
        };
        let (iam_pace, sts_pace, ec2_pace) = (
            pacing::Pacer::new(stats.clone(), opts.retry_budget),
            pacing::Pacer::new(stats.clone(), opts.retry_budget),
            pacing::Pacer::new(stats.clone(), opts.retry_budget),
        );
        let mut iam = aws_sdk_iam::config::Builder::from(&sdk)
            .region(global_region.clone())
            .interceptor(stats::StatsInterceptor::new(stats.clone()))
            .interceptor(pacing::PaceInterceptor::new(iam_pace.clone()))
            .retry_partition(pacing::unlimited_partition("rolesmith-iam"))
            .retry_classifier(unreachable::Unreachable);
        iam.set_http_client(paced(&iam_pace));
        let organizations = aws_sdk_organizations::config::Builder::from(&sdk)
            .region(global_region.clone())
            .interceptor(stats::StatsInterceptor::new(stats.clone()))
            .interceptor(pacing::PaceInterceptor::new(sts_pace.clone()))
            .retry_partition(pacing::unlimited_partition("rolesmith-organizations"))
            .retry_classifier(unreachable::Unreachable)
            .build();
        let mut sts = aws_sdk_sts::config::Builder::from(&sdk)
            .region(global_region)
            .interceptor(stats::StatsInterceptor::new(stats.clone()))
            .interceptor(pacing::PaceInterceptor::new(sts_pace.clone()))
            .retry_partition(pacing::unlimited_partition("rolesmith-sts"))
            .retry_classifier(unreachable::Unreachable);
        sts.set_http_client(paced(&sts_pace));
        let mut ec2 = aws_sdk_ec2::config::Builder::from(&sdk)
            .interceptor(stats::StatsInterceptor::new(stats.clone()))
            .interceptor(pacing::PaceInterceptor::new(ec2_pace.clone()))
            .retry_partition(pacing::unlimited_partition("rolesmith-ec2"))
            .retry_classifier(unreachable::Unreachable);
        ec2.set_http_client(paced(&ec2_pace));
        let (iam, sts, ec2) = (iam.build(), sts.build(), ec2.build());
        Ok(AwsAccount {
            iam: aws_sdk_iam::Client::from_conf(iam),
            sts: aws_sdk_sts::Client::from_conf(sts),
            ec2: aws_sdk_ec2::Client::from_conf(ec2),
            organizations: aws_sdk_organizations::Client::from_conf(organizations),
            path_prefix: opts.path_prefix,
            propagation_timeout: opts.propagation_timeout,
            stats,
            identity: Default::default(),
            endpoint_url: sdk.endpoint_url().map(str::to_owned),
            region: sdk.region().map(|r| r.as_ref().to_owned()),
        })
    }

    /// The region the SDK resolved (`None`: none is configured).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The endpoint override every call goes to, if any (`--endpoint-url` or
    /// `AWS_ENDPOINT_URL`).
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// A handle on the call counters (shared: later calls show up in it).
    pub fn stats(&self) -> CallStats {
        self.stats.clone()
    }

    /// The account id and partition, from STS `GetCallerIdentity` (called once, then cached).
    async fn caller(&self) -> Result<&Identity, AccountError> {
        self.identity
            .get_or_try_init(|| async {
                let out = self.sts.get_caller_identity().send().await.map_err(|e| {
                    // The first call of a run: if it cannot reach the endpoint, say which.
                    let unreached = match &e {
                        SdkError::DispatchFailure(d) => d.is_io() || d.is_timeout(),
                        SdkError::TimeoutError(_) => true,
                        _ => false,
                    };
                    let mut err = error::to_account_error("caller", "GetCallerIdentity", &e);
                    if let (true, AccountError::Aws { message, .. }) = (unreached, &mut err) {
                        message.push_str(&format!(
                            " (endpoint {})",
                            self.endpoint_url
                                .as_deref()
                                .unwrap_or("of AWS STS for the region")
                        ));
                    }
                    err
                })?;
                let account_id = out.account().unwrap_or_default().to_owned();
                let arn = out.arn().unwrap_or_default();
                let partition = partition_of_arn(arn).ok_or_else(|| {
                    error::other(
                        "caller",
                        "GetCallerIdentity",
                        format!("unexpected caller ARN {arn:?}"),
                    )
                })?;
                if account_id.is_empty() {
                    return Err(error::other(
                        "caller",
                        "GetCallerIdentity",
                        "no account id in the response",
                    ));
                }
                Ok(Identity {
                    account_id,
                    partition: partition.to_owned(),
                })
            })
            .await
    }

    /// The context policies are normalized in for this account.
    async fn normalize_context(&self) -> Result<crate::policy::NormalizeContext, AccountError> {
        Ok(crate::policy::NormalizeContext {
            partition: self.caller().await?.partition.clone(),
        })
    }
}

/// The partition of an ARN (`arn:PARTITION:service:…`).
fn partition_of_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("arn"), Some(partition), Some(_)) if !partition.is_empty() => Some(partition),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_comes_from_the_caller_arn() {
        assert_eq!(
            partition_of_arn("arn:aws:iam::123456789012:user/ci"),
            Some("aws")
        );
        assert_eq!(
            partition_of_arn("arn:aws-cn:sts::123456789012:assumed-role/r/s"),
            Some("aws-cn")
        );
        assert_eq!(
            partition_of_arn("arn:aws-us-gov:iam::123456789012:root"),
            Some("aws-us-gov")
        );
        assert_eq!(partition_of_arn("arn::iam::1:root"), None);
        assert_eq!(partition_of_arn("not-an-arn"), None);
    }

    #[test]
    fn default_options() {
        let opts = AwsOptions::default();
        assert_eq!(opts.propagation_timeout, Duration::from_secs(120));
        assert_eq!(opts.call_timeout, Duration::from_secs(60));
        assert_eq!(opts.max_attempts, 8);
        assert!(opts.region.is_none() && opts.endpoint_url.is_none());
    }
}
