//! `[import] ignore`: roles rolesmith should never import or report as unmanaged — IAM Identity
//! Center's `AWSReservedSSO_*`, roles another tool creates — by name pattern, path prefix or tag.

use crate::state::RoleState;

/// One rule: a role matches when every field the rule gives matches.
#[derive(Debug, Clone)]
pub struct IgnoreRule {
    /// A regular expression the role name matches (anywhere; anchor it with `^`/`$`).
    pub name: Option<regex_lite::Regex>,
    /// A path prefix (`/service-role/`).
    pub path: Option<String>,
    /// A tag `KEY=VALUE`, or `KEY` for any value.
    pub tag: Option<(String, Option<String>)>,
}

impl PartialEq for IgnoreRule {
    fn eq(&self, other: &Self) -> bool {
        self.name.as_ref().map(regex_lite::Regex::as_str)
            == other.name.as_ref().map(regex_lite::Regex::as_str)
            && self.path == other.path
            && self.tag == other.tag
    }
}

impl IgnoreRule {
    /// Whether `role` matches every field of the rule.
    pub fn matches(&self, role: &RoleState) -> bool {
        self.name.as_ref().is_none_or(|re| re.is_match(&role.name))
            && self
                .path
                .as_ref()
                .is_none_or(|p| role.path.starts_with(p.as_str()))
            && self
                .tag
                .as_ref()
                .is_none_or(|(k, v)| match (role.tags.get(k), v) {
                    (Some(have), Some(want)) => have == want,
                    (Some(_), None) => true,
                    (None, _) => false,
                })
    }
}

/// Whether any of `rules` matches `role`.
pub fn ignored(rules: &[IgnoreRule], role: &RoleState) -> bool {
    rules.iter().any(|r| r.matches(role))
}
