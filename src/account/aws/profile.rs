//! A named profile that the shared AWS files do not define is an error before any call.
//!
//! The SDK's default chain treats a missing profile as "no credentials here" and goes on to the
//! next provider (instance metadata), so `--profile prod` with a typo ends in an IMDS error that
//! never mentions the profile. Reading the same files the SDK reads, with the SDK's own parser,
//! lets rolesmith say what is wrong and which profiles exist.

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use crate::account::AccountError;

/// Checks that `profile` (from `--profile`, else `AWS_PROFILE`) is defined in the shared config
/// or credentials file. Files that do not exist define nothing; a file that cannot be parsed is
/// left for the SDK to report.
pub(super) async fn check_defined(flag: Option<&str>) -> Result<(), AccountError> {
    let env = Env::real();
    let Some(profile) = flag
        .map(str::to_owned)
        .or_else(|| env.get("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
    else {
        return Ok(());
    };
    let Ok(set) =
        aws_config::profile::load(&Fs::real(), &env, &EnvConfigFiles::default(), None).await
    else {
        return Ok(());
    };
    if set.get_profile(&profile).is_some() {
        return Ok(());
    }
    let file = |var: &str, default: &str| env.get(var).unwrap_or_else(|_| default.to_owned());
    let mut defined: Vec<String> = set.profiles().map(str::to_owned).collect();
    defined.sort();
    Err(AccountError::UnknownProfile {
        profile,
        config_file: file("AWS_CONFIG_FILE", "~/.aws/config"),
        credentials_file: file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        defined,
    })
}
