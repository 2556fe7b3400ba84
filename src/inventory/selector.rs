//! Account selectors: `NAME`, `ID`, `ou:/GLOB`, `tag:KEY=VALUE`, `*`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::AccountInfo;

/// One way of picking accounts of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Selector {
    /// `*`: every account.
    All,
    /// A 12-digit account id.
    Id(String),
    /// An account name.
    Name(String),
    /// `ou:/PATH`: accounts whose OU path matches the glob (`*` within one level, `**` across
    /// levels; `/workloads` also takes the accounts of every OU below it).
    Ou(String),
    /// `tag:KEY=VALUE`: accounts with that tag.
    Tag(String, String),
}

/// A selector that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an account selector: {reason}")]
pub struct SelectorError {
    /// The text given.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| SelectorError {
            text: s.to_owned(),
            reason: reason.to_owned(),
        };
        let s = s.trim();
        if s == "*" {
            return Ok(Self::All);
        }
        if let Some(path) = s.strip_prefix("ou:") {
            if !path.starts_with('/') {
                return Err(err("an OU path starts with `/`, e.g. `ou:/workloads/prod`"));
            }
            return Ok(Self::Ou(path.trim_end_matches('/').to_owned()));
        }
        if let Some(tag) = s.strip_prefix("tag:") {
            return match tag.split_once('=') {
                Some((k, v)) if !k.is_empty() => Ok(Self::Tag(k.to_owned(), v.to_owned())),
                _ => Err(err("write `tag:KEY=VALUE`, e.g. `tag:env=prod`")),
            };
        }
        if s.is_empty() {
            return Err(err(
                "give an account name, an id, `ou:/PATH`, `tag:KEY=VALUE` or `*`",
            ));
        }
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self::Id(s.to_owned()));
        }
        Ok(Self::Name(s.to_owned()))
    }
}

impl TryFrom<String> for Selector {
    type Error = SelectorError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Selector> for String {
    fn from(s: Selector) -> Self {
        s.to_string()
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => write!(f, "*"),
            Self::Id(id) => write!(f, "{id}"),
            Self::Name(n) => write!(f, "{n}"),
            Self::Ou(p) => write!(f, "ou:{p}"),
            Self::Tag(k, v) => write!(f, "tag:{k}={v}"),
        }
    }
}

impl Selector {
    /// Whether `account` is one this selector picks.
    pub fn matches(&self, account: &AccountInfo) -> bool {
        match self {
            Self::All => true,
            Self::Id(id) => account.id == *id,
            Self::Name(n) => account.name == *n,
            Self::Ou(glob) => ou_matches(glob, &account.ou),
            Self::Tag(k, v) => account.tags.get(k) == Some(v),
        }
    }
}

/// Whether the OU path `ou` is `glob` or below it, `*` standing for one level and `**` for any
/// number of levels.
fn ou_matches(glob: &str, ou: &str) -> bool {
    let want: Vec<&str> = glob.split('/').filter(|s| !s.is_empty()).collect();
    let have: Vec<&str> = ou.split('/').filter(|s| !s.is_empty()).collect();
    levels_match(&want, &have)
}

fn levels_match(want: &[&str], have: &[&str]) -> bool {
    match want.split_first() {
        // Every level of the glob matched: the OU is it or below it.
        None => true,
        Some((&"**", rest)) => (0..=have.len()).any(|skip| levels_match(rest, &have[skip..])),
        Some((w, rest)) => match have.split_first() {
            Some((h, more)) => segment_matches(w, h) && levels_match(rest, more),
            None => false,
        },
    }
}

/// One OU name against one glob level (`*` any run of characters).
fn segment_matches(glob: &str, name: &str) -> bool {
    match glob.split_once('*') {
        None => glob == name,
        Some((prefix, rest)) => {
            let Some(tail) = name.strip_prefix(prefix) else {
                return false;
            };
            (0..=tail.len())
                .filter(|&i| tail.is_char_boundary(i))
                .any(|i| segment_matches(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_as_written_and_print_back() {
        for text in [
            "*",
            "prod",
            "111122223333",
            "ou:/workloads/prod",
            "tag:env=prod",
        ] {
            assert_eq!(text.parse::<Selector>().unwrap().to_string(), text);
        }
        for bad in ["", "ou:workloads", "tag:env", "tag:=x"] {
            assert!(bad.parse::<Selector>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ou_globs_match_one_level_per_star_and_any_below() {
        assert!(ou_matches("/workloads", "/workloads/prod"));
        assert!(ou_matches("/workloads/*", "/workloads/prod"));
        assert!(ou_matches("/workloads/pr*", "/workloads/prod/eu"));
        assert!(!ou_matches("/workloads/*", "/workloads"));
        assert!(!ou_matches("/workloads/dev", "/workloads/prod"));
        assert!(ou_matches("/**/prod", "/a/b/prod"));
        assert!(ou_matches("/", "/anything"));
    }
}
