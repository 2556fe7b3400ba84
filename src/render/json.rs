//! The JSON plan: serialize-only wire types with a `format_version`, so scripts can rely on the
//! shape while the internal types evolve.

use serde::Serialize;

use crate::plan::{Change, Conflict, FORMAT_VERSION, Phase, Plan, Summary};

#[derive(Serialize)]
struct JsonPlan<'a> {
    format_version: &'static str,
    account_id: &'a str,
    summary: Summary,
    changes: &'a [Change],
    conflicts: &'a [Conflict],
    notes: &'a [String],
    steps: Vec<JsonStep<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<JsonStats<'a>>,
}

#[derive(Serialize)]
struct JsonStats<'a> {
    calls: &'a std::collections::BTreeMap<String, u64>,
}

#[derive(Serialize)]
struct JsonStep<'a> {
    phase: Phase,
    operation: &'static str,
    target: String,
    mutation: &'a crate::account::Mutation,
}

/// Renders a plan as pretty JSON with a trailing newline.
pub fn render(plan: &Plan) -> String {
    render_with_stats(plan, None)
}

/// Renders a plan as JSON, with the API calls made to produce it (`stats.calls`, by operation)
/// when it was planned against a live account.
pub fn render_with_stats(
    plan: &Plan,
    calls: Option<&std::collections::BTreeMap<String, u64>>,
) -> String {
    let wire = JsonPlan {
        format_version: FORMAT_VERSION,
        account_id: &plan.account_id,
        summary: plan.summary(),
        changes: &plan.changes,
        conflicts: &plan.conflicts,
        notes: &plan.notes,
        steps: plan
            .steps
            .iter()
            .map(|s| JsonStep {
                phase: s.phase,
                operation: s.mutation.operation(),
                target: s.mutation.target(),
                mutation: &s.mutation,
            })
            .collect(),
        stats: calls.map(|calls| JsonStats { calls }),
    };
    let mut text = serde_json::to_string_pretty(&wire).unwrap_or_default();
    text.push('\n');
    text
}
