//! The header line that names what a run ran against ([`RunContext`]), in text and Markdown.
//! Plan, drift and apply share it, so the account, region, profile and endpoint read the same
//! everywhere; the values are the command line's, never looked up here.

use std::fmt::Write;

use crate::plan::{AccountSource, RunContext};

/// `Account: 123456789012 (region eu-west-1, profile prod, endpoint http://localhost:5000)`, or
/// `Account: 123456789012 (snapshot account.json)`. A live account without a region says so:
/// that is the run whose selectors find no instance.
pub fn text_line(ctx: &RunContext) -> String {
    let parts: Vec<String> = match &ctx.source {
        AccountSource::Live {
            region,
            profile,
            endpoint_url,
        } => {
            let mut parts = vec![match region {
                Some(r) => format!("region {r}"),
                None => "region not set".to_owned(),
            }];
            parts.extend(profile.iter().map(|p| format!("profile {p}")));
            parts.extend(endpoint_url.iter().map(|e| format!("endpoint {e}")));
            parts
        }
        AccountSource::Snapshot { path } => vec![format!("snapshot {}", path.display())],
    };
    format!("Account: {} ({})", ctx.account_id, parts.join(", "))
}

/// The Markdown line under a heading that already names the account: region, profile and
/// endpoint (or the snapshot file), then the commit and a link to the workflow run when the run
/// is a CI run. Items are separated by ` · `.
pub fn markdown_line(ctx: &RunContext) -> String {
    let mut items = Vec::new();
    match &ctx.source {
        AccountSource::Live {
            region,
            profile,
            endpoint_url,
        } => {
            items.push(match region {
                Some(r) => format!("region `{r}`"),
                None => "region not set".to_owned(),
            });
            items.extend(profile.iter().map(|p| format!("profile `{p}`")));
            items.extend(endpoint_url.iter().map(|e| format!("endpoint `{e}`")));
        }
        AccountSource::Snapshot { path } => {
            items.push(format!("snapshot `{}`", path.display()));
        }
    }
    if let Some(ci) = &ctx.ci {
        if let Some(commit) = &ci.commit {
            let short: String = commit.chars().take(12).collect();
            let mut item = String::from("commit ");
            let _ = match &ci.commit_url {
                Some(url) => write!(item, "[`{short}`]({url})"),
                None => write!(item, "`{short}`"),
            };
            items.push(item);
        }
        if let Some(url) = &ci.run_url {
            items.push(format!("[workflow run]({url})"));
        }
    }
    let mut line = items.join(" · ");
    if let Some(first) = line.get(..1) {
        line = first.to_uppercase() + &line[1..];
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::CiRun;

    fn live(region: Option<&str>, profile: Option<&str>) -> RunContext {
        RunContext {
            account_id: "123456789012".into(),
            source: AccountSource::Live {
                region: region.map(Into::into),
                profile: profile.map(Into::into),
                endpoint_url: None,
            },
            ci: None,
        }
    }

    #[test]
    fn text_names_region_profile_and_only_an_endpoint_that_is_overridden() {
        assert_eq!(
            text_line(&live(Some("eu-west-1"), Some("prod"))),
            "Account: 123456789012 (region eu-west-1, profile prod)"
        );
        assert_eq!(
            text_line(&live(None, None)),
            "Account: 123456789012 (region not set)"
        );
        assert_eq!(
            text_line(&RunContext::snapshot("123456789012", "a.json")),
            "Account: 123456789012 (snapshot a.json)"
        );
    }

    #[test]
    fn markdown_links_the_commit_and_the_run() {
        let mut ctx = live(Some("us-east-1"), None);
        ctx.ci = Some(CiRun {
            commit: Some("0123456789abcdef0123".into()),
            commit_url: Some("https://github.com/o/r/commit/0123456789abcdef0123".into()),
            run_url: Some("https://github.com/o/r/actions/runs/7".into()),
        });
        assert_eq!(
            markdown_line(&ctx),
            "Region `us-east-1` · commit [`0123456789ab`](https://github.com/o/r/commit/0123456789abcdef0123) · [workflow run](https://github.com/o/r/actions/runs/7)"
        );
    }
}
