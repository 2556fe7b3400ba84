//! Running a plan: each step in order through an [`AccountWriter`], never re-diffing.
//!
//! The writer checkpoints after every phase, so an interrupted apply leaves the account (or the
//! snapshot file) consistent with the steps that ran; a re-run plans only what is left.

use crate::account::{AccountError, AccountWriter};
use crate::plan::{Plan, Step};

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Steps that completed.
    pub applied: usize,
    /// Steps in the plan.
    pub total: usize,
}

/// A step failed; the steps before it were applied.
#[derive(Debug, thiserror::Error)]
#[error("step {index} of {total} ({operation} on {target}) failed: {source}")]
pub struct ApplyError {
    /// 1-based index of the failed step.
    pub index: usize,
    /// Steps in the plan.
    pub total: usize,
    /// API operation of the failed step.
    pub operation: &'static str,
    /// What it concerned.
    pub target: String,
    /// The account's error.
    #[source]
    pub source: AccountError,
}

/// Runs every step of `plan` in order. `on_step` is called before each step (for progress).
pub async fn apply<W: AccountWriter>(
    plan: &Plan,
    writer: &W,
    mut on_step: impl FnMut(usize, &Step),
) -> Result<ApplyReport, ApplyError> {
    let total = plan.steps.len();
    let mut applied = 0;
    let mut phase = None;
    for (i, step) in plan.steps.iter().enumerate() {
        if phase.is_some_and(|p| p != step.phase) {
            checkpoint(writer, i, total, step).await?;
        }
        phase = Some(step.phase);
        on_step(i, step);
        tracing::debug!(operation = step.mutation.operation(), target = %step.mutation.target(), "applying");
        if let Err(source) = writer.write(&step.mutation).await {
            // Keep what succeeded; the failure is reported even if saving also fails.
            let _ = writer.checkpoint().await;
            return Err(ApplyError {
                index: i + 1,
                total,
                operation: step.mutation.operation(),
                target: step.mutation.target(),
                source,
            });
        }
        applied += 1;
    }
    if let Some(last) = plan.steps.last() {
        checkpoint(writer, total, total, last).await?;
    }
    Ok(ApplyReport { applied, total })
}

async fn checkpoint<W: AccountWriter>(
    writer: &W,
    index: usize,
    total: usize,
    step: &Step,
) -> Result<(), ApplyError> {
    writer.checkpoint().await.map_err(|source| ApplyError {
        index,
        total,
        operation: "checkpoint",
        target: step.mutation.target(),
        source,
    })
}
