//! The plan's one serialization: the JSON plan of `plan --format json`, which a saved plan
//! (`plan --out`) extends with `kind` and its provenance.
//!
//! There is one shape so that what a script reads, what a reviewer saw and what `apply plan.json`
//! loads are the same document, and reading it back gives the same [`Plan`] value (a round-trip
//! test holds that). Steps carry `operation` and `target` for readers; they are derived from the
//! mutation and ignored on reading, so editing them changes nothing. `summary` is derived from
//! the changes on writing and ignored on reading for the same reason. Writing borrows the plan
//! (a 10,000-role plan is not copied to be printed); reading owns. `context` (what the run ran
//! against, [`RunContext`]) is shown to readers and kept in saved plans, but it is not part of
//! the [`Plan`]: the plan id and a saved plan's proof do not depend on it.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::account::Mutation;
use crate::plan::{
    Change, Conflict, FORMAT_VERSION, Phase, Plan, PlanId, RunContext, Step, Summary,
};

/// API calls made to produce a plan, by operation (`stats.calls`).
pub type CallCounts = BTreeMap<String, u64>;

#[derive(Serialize)]
struct PlanOut<'a, P: Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    format_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan_id: Option<PlanId>,
    account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a RunContext>,
    summary: Summary,
    changes: &'a [Change],
    conflicts: &'a [Conflict],
    notes: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
    steps: Vec<StepOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<StatsOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provenance: Option<&'a P>,
}

#[derive(Serialize)]
struct StatsOut<'a> {
    calls: &'a CallCounts,
}

#[derive(Serialize)]
struct StepOut<'a> {
    phase: Phase,
    operation: &'static str,
    target: String,
    mutation: &'a Mutation,
}

/// A plan document as read back, with its provenance (`P`) when it is a saved plan.
#[derive(Debug, Deserialize)]
pub struct PlanDocument<P> {
    /// `rolesmith-saved-plan` for saved plans.
    #[serde(default)]
    pub kind: Option<String>,
    /// The format version it was written with.
    pub format_version: String,
    /// The plan id it was written with (absent when it has no steps).
    #[serde(default)]
    pub plan_id: Option<PlanId>,
    /// What the run that wrote it ran against (absent before format 1.1).
    #[serde(default)]
    pub context: Option<RunContext>,
    /// The plan.
    #[serde(flatten)]
    pub plan: PlanIn,
    /// What the plan was made from.
    #[serde(default = "none")]
    pub provenance: Option<P>,
}

fn none<P>() -> Option<P> {
    None
}

/// The plan's own fields as read back.
#[derive(Debug, Deserialize)]
pub struct PlanIn {
    account_id: String,
    #[serde(default)]
    #[allow(dead_code)]
    summary: IgnoredAny,
    changes: Vec<Change>,
    conflicts: Vec<Conflict>,
    notes: Vec<String>,
    #[serde(default)]
    warnings: Vec<String>,
    steps: Vec<StepIn>,
    #[serde(default)]
    #[allow(dead_code)]
    stats: IgnoredAny,
}

#[derive(Debug, Deserialize)]
struct StepIn {
    phase: Phase,
    mutation: Mutation,
}

impl From<PlanIn> for Plan {
    fn from(p: PlanIn) -> Self {
        Plan {
            account_id: p.account_id,
            changes: p.changes,
            conflicts: p.conflicts,
            notes: p.notes,
            warnings: p.warnings,
            steps: p
                .steps
                .into_iter()
                .map(|s| Step {
                    phase: s.phase,
                    mutation: s.mutation,
                })
                .collect(),
        }
    }
}

/// Writes a plan as pretty JSON with a trailing newline: the plan id when it has steps, what it
/// ran against and the API calls when given, and `kind` + provenance when it is a saved plan.
pub fn to_json<P: Serialize>(
    plan: &Plan,
    context: Option<&RunContext>,
    calls: Option<&CallCounts>,
    saved: Option<(&'static str, &P)>,
) -> String {
    let wire = PlanOut {
        kind: saved.map(|(kind, _)| kind),
        format_version: FORMAT_VERSION,
        plan_id: (!plan.steps.is_empty()).then(|| plan.id()),
        account_id: &plan.account_id,
        context,
        summary: plan.summary(),
        changes: &plan.changes,
        conflicts: &plan.conflicts,
        notes: &plan.notes,
        warnings: &plan.warnings,
        steps: plan
            .steps
            .iter()
            .map(|s| StepOut {
                phase: s.phase,
                operation: s.mutation.operation(),
                target: s.mutation.target(),
                mutation: &s.mutation,
            })
            .collect(),
        stats: calls.map(|calls| StatsOut { calls }),
        provenance: saved.map(|(_, p)| p),
    };
    crate::json::pretty(&wire)
}

/// Reads a plan document.
pub fn from_json<P: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<PlanDocument<P>, serde_json::Error> {
    serde_json::from_value(value)
}
