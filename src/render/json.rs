//! The JSON plan: the plan's one serialization ([`crate::plan::wire`]) with a `format_version`,
//! so scripts can rely on the shape while the internal types evolve.

use crate::plan::wire::{self, CallCounts};
use crate::plan::{Plan, RunContext};

/// Renders a plan as pretty JSON with a trailing newline.
pub fn render(plan: &Plan) -> String {
    render_with_stats(plan, None, None)
}

/// Renders a plan as JSON, with what it ran against (`context`) when given and the API calls
/// made to produce it (`stats.calls`, by operation) when it was planned against a live account.
pub fn render_with_stats(
    plan: &Plan,
    context: Option<&RunContext>,
    calls: Option<&CallCounts>,
) -> String {
    wire::to_json::<()>(plan, context, calls, None)
}
