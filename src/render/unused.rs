//! The drift report's roles nobody uses (`drift --unused-for 90d`): from `RoleLastUsed` and the
//! creation date, which the bulk read returns anyway, so the section costs no call.

use std::fmt::Write as _;

use serde::Serialize;

use crate::expiry::Instant;
use crate::state::{AccountState, Ownership, RoleActivity};

/// Roles unused for a duration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unused {
    /// The duration, as given (`90d`).
    pub unused_for: String,
    /// The instant it was measured from.
    pub at: Instant,
    /// The roles, by name.
    pub roles: Vec<UnusedRole>,
}

/// A role not used for the duration, or never used and older than it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnusedRole {
    /// Role name.
    pub name: String,
    /// Role path.
    pub path: String,
    /// Whether rolesmith manages it (declared, or owned).
    pub managed: bool,
    /// When it was last used (`None`: never).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used: Option<Instant>,
    /// The region of that use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Instant>,
}

/// The roles of `live` unused for `seconds` at `now`: the managed ones (`is_managed`), and with
/// `unmanaged` the others too (never service-linked or `/aws-reserved/` roles, which AWS runs).
pub fn unused_roles(
    live: &AccountState,
    ownership: &Ownership,
    is_declared: impl Fn(&str) -> bool,
    (seconds, given): (i64, &str),
    now: Instant,
    unmanaged: bool,
) -> Unused {
    let roles = live
        .roles
        .values()
        .filter(|r| r.service_linked.is_none() && !r.path.starts_with("/aws-reserved/"))
        .filter_map(|r| {
            let managed = is_declared(&r.name) || r.is_owned_by(ownership);
            let activity: &RoleActivity = live.activity.get(&r.name)?;
            ((managed || unmanaged) && activity.unused_for(seconds, now)).then(|| UnusedRole {
                name: r.name.clone(),
                path: r.path.clone(),
                managed,
                last_used: activity.last_used,
                region: activity.region.clone(),
                created: activity.created,
            })
        })
        .collect();
    Unused {
        unused_for: given.to_owned(),
        at: now,
        roles,
    }
}

impl UnusedRole {
    fn when(&self) -> String {
        match (&self.last_used, &self.region, &self.created) {
            (Some(t), Some(region), _) => format!("last used {t} in {region}"),
            (Some(t), None, _) => format!("last used {t}"),
            (None, _, Some(c)) => format!("never used, created {c}"),
            (None, _, None) => "never used".to_owned(),
        }
    }

    fn whose(&self) -> &'static str {
        if self.managed { "managed" } else { "unmanaged" }
    }
}

/// The text section.
pub fn text(u: &Unused) -> String {
    let mut out = format!(
        "{} role(s) unused for {} (at {}):\n",
        u.roles.len(),
        u.unused_for,
        u.at
    );
    for r in &u.roles {
        let _ = writeln!(out, "  ? {}{}  {}, {}", r.path, r.name, r.whose(), r.when());
    }
    out
}

/// The Markdown section.
pub fn markdown(u: &Unused) -> String {
    let mut out = format!(
        "\n**{} role(s) unused for {}** (at {}):\n\n| role | path | | last used |\n|---|---|---|---|\n",
        u.roles.len(),
        u.unused_for,
        u.at
    );
    for r in &u.roles {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            r.name,
            r.path,
            r.whose(),
            r.when()
        );
    }
    out
}
