//! What a run ran against: the account, how it was reached (a live account's region, profile
//! and endpoint override, or a snapshot file) and the CI run that made it.
//!
//! The command line fills a [`RunContext`] from what it resolved and what the SDK reports; the
//! renderers only show it, so a header never guesses a region or reads the environment itself.
//! It sits beside the plan, never inside it: a plan's id and a saved plan's proof cover what
//! runs, and where the plan was printed from must not change either. Credentials are never part
//! of it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The account a run read (and changed), and from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunContext {
    /// The 12-digit account id.
    pub account_id: String,
    /// A live account and how it was reached, or a snapshot file.
    #[serde(flatten)]
    pub source: AccountSource,
    /// The CI run that made this output, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci: Option<CiRun>,
}

/// How the account was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "account", rename_all = "snake_case")]
pub enum AccountSource {
    /// AWS through the SDK.
    Live {
        /// The region the SDK resolved (`None`: none is configured; IAM answers in `us-east-1`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<String>,
        /// The named profile, when one was chosen (`--profile` or `AWS_PROFILE`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<String>,
        /// The endpoint override every call went to (`--endpoint-url` or `AWS_ENDPOINT_URL`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint_url: Option<String>,
    },
    /// A JSON snapshot file used as the account.
    Snapshot {
        /// The file, as given.
        path: PathBuf,
    },
}

/// A CI run: the commit it built and where its page is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiRun {
    /// The commit id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// A link to the commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_url: Option<String>,
    /// A link to the workflow run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
}

impl RunContext {
    /// A run against the snapshot file `path` of account `account_id`.
    pub fn snapshot(account_id: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Self {
            account_id: account_id.into(),
            source: AccountSource::Snapshot { path: path.into() },
            ci: None,
        }
    }
}
