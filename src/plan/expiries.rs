//! What a plan says about `expiresAt`: each expired element that the plan removes, with the
//! instant it ended, and each element ending within the warning window.

use crate::expiry::Instant;
use crate::state::Expiring;

use super::Plan;

/// How long before an `expiresAt` a plan warns of it when the config does not say: 7 days.
pub const DEFAULT_WARNING_WINDOW: i64 = 7 * 86_400;

/// Adds to `plan` a note for each expired element of a resource the plan changes ("expired
/// 2026-12-04T18:00Z: removed") and a warning for each element ending within `window` seconds
/// of `now`.
pub fn annotate(plan: &mut Plan, expiring: &[Expiring], now: Instant, window: i64) {
    for e in expiring {
        let changed = plan
            .changes
            .iter()
            .any(|c| c.address.to_string() == e.address);
        if e.expired && changed {
            plan.notes.push(format!(
                "{}: {} expired {}: removed ({})",
                e.address, e.element, e.at, e.location
            ));
        }
    }
    plan.warnings.extend(soon(expiring, now, window));
}

/// Each element ending within `window` seconds of `now`: `role.x: tag \`temp\` expires
/// 2026-12-04T18:00Z (in 2 days; m/roles.yaml:12:7)`.
pub fn soon(expiring: &[Expiring], now: Instant, window: i64) -> Vec<String> {
    expiring
        .iter()
        .filter(|e| !e.expired && now.seconds_until(&e.at) <= window)
        .map(|e| {
            format!(
                "{}: {} expires {} (in {}; {})",
                e.address,
                e.element,
                e.at,
                human(now.seconds_until(&e.at)),
                e.location
            )
        })
        .collect()
}

/// `3 days`, `5 hours`, `12 minutes`.
pub fn human(seconds: i64) -> String {
    let (n, unit) = match seconds {
        s if s >= 2 * 86_400 => (s / 86_400, "days"),
        s if s >= 2 * 3_600 => (s / 3_600, "hours"),
        s if s >= 120 => (s / 60, "minutes"),
        s => (s.max(0), "seconds"),
    };
    format!("{n} {unit}")
}
