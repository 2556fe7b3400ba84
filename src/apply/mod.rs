//! Running a plan: its steps through an [`AccountWriter`], phase by phase, never re-diffing.
//!
//! Phases run in order. Within a phase, steps are grouped into lanes (one per role, profile or
//! instance, see [`Mutation::lane`](crate::account::Mutation::lane)); a lane's steps run in plan
//! order, and up to `parallelism` lanes run at once. The writer checkpoints after every phase,
//! so an interrupted apply leaves the account (or snapshot file) consistent with the steps that
//! ran; a re-run plans only what is left. A failed step ends its lane; the phase's other lanes
//! run to the end, and every failure is reported. A [`StopSignal`] (Ctrl-C) lets the steps in
//! flight finish and starts no other. Before the first write, the [`OwnershipGuard`] checks
//! every step against the live state; one refused step refuses the plan.

mod guard;

pub use guard::OwnershipGuard;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use futures_util::stream::{self, StreamExt};

use crate::account::{AccountError, AccountWriter};
use crate::plan::{Plan, Step};

/// How to run a plan.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Lanes of one phase that may run at once (at least 1).
    pub parallelism: usize,
    /// Once requested, no further step starts; the steps in flight finish.
    pub stop: StopSignal,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            parallelism: 8,
            stop: StopSignal::default(),
        }
    }
}

/// A request to stop an apply gracefully (e.g. on Ctrl-C); cheap to clone, shared by clones.
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    /// Asks the apply to start no further step.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was requested.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Steps that completed.
    pub applied: usize,
    /// Steps in the plan.
    pub total: usize,
}

/// Steps failed, or a stop was requested. After a failure the other steps of its phase ran to
/// the end; after a stop the steps in flight did. Later phases did not run.
#[derive(Debug)]
pub struct ApplyError {
    /// Steps that completed before the apply stopped.
    pub applied: usize,
    /// Steps in the plan.
    pub total: usize,
    /// Every step of the phase that failed, in plan order (empty when only interrupted).
    pub failed: Vec<FailedStep>,
    /// Whether the apply stopped because a stop was requested.
    pub interrupted: bool,
    /// Steps the ownership guard refused (`OPERATION TARGET: why`); when any is, nothing ran.
    pub refused: Vec<String>,
}

/// One step that failed.
#[derive(Debug)]
pub struct FailedStep {
    /// API operation of the step (`checkpoint` when saving the account failed).
    pub operation: &'static str,
    /// What it concerned.
    pub target: String,
    /// The account's error.
    pub source: AccountError,
}

/// Failures listed in an [`ApplyError`]'s message; the rest are counted.
const LISTED_FAILURES: usize = 10;

impl std::fmt::Display for FailedStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            // Already says "OPERATION on TARGET failed: …".
            AccountError::Aws { .. } => write!(f, "{}", self.source),
            other => write!(f, "{} on {} failed: {other}", self.operation, self.target),
        }
    }
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.refused.is_empty() {
            write!(
                f,
                "refusing the plan: {} step(s) would change what rolesmith does not own; nothing was changed",
                self.refused.len()
            )?;
            for why in self.refused.iter().take(LISTED_FAILURES) {
                write!(f, "\n  - {why}")?;
            }
            if self.refused.len() > LISTED_FAILURES {
                write!(f, "\n  … and {} more", self.refused.len() - LISTED_FAILURES)?;
            }
            return Ok(());
        }
        let n = self.failed.len();
        let (applied, total) = (self.applied, self.total);
        match (self.interrupted, n) {
            (true, 0) => write!(
                f,
                "apply interrupted: {applied} of {total} steps applied; the steps in flight finished, no further step started"
            )?,
            (true, _) => write!(
                f,
                "apply interrupted, and {n} step{} failed ({applied} of {total} steps applied)",
                if n == 1 { "" } else { "s" }
            )?,
            (false, _) => write!(
                f,
                "apply stopped: {n} step{} failed ({applied} of {total} steps applied)",
                if n == 1 { "" } else { "s" }
            )?,
        }
        for failure in self.failed.iter().take(LISTED_FAILURES) {
            write!(f, "\n  - {failure}")?;
        }
        if n > LISTED_FAILURES {
            write!(f, "\n  … and {} more", n - LISTED_FAILURES)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApplyError {}

/// Where a step is, for [`apply`]'s observer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepEvent {
    /// The step's call is about to be made.
    Started,
    /// The step's call succeeded.
    Done,
}

/// Runs every step of `plan`, unless `guard` refuses one (then none runs). `on_step` is told,
/// with the step's plan index, when each step starts and when it is done.
pub async fn apply<W: AccountWriter + Sync>(
    plan: &Plan,
    writer: &W,
    guard: &OwnershipGuard,
    options: ApplyOptions,
    on_step: &(dyn Fn(StepEvent, usize, &Step) + Sync),
) -> Result<ApplyReport, ApplyError> {
    let total = plan.steps.len();
    let refused = guard.refusals(plan.steps.iter().map(|s| &s.mutation));
    if !refused.is_empty() {
        return Err(ApplyError {
            applied: 0,
            total,
            failed: Vec::new(),
            interrupted: false,
            refused,
        });
    }
    let applied = AtomicUsize::new(0);
    let mut start = 0;
    while start < total {
        let phase = plan.steps[start].phase;
        let end = plan.steps[start..]
            .iter()
            .position(|s| s.phase != phase)
            .map_or(total, |n| start + n);
        let applied_before = applied.load(Ordering::Relaxed);
        let mut lanes: BTreeMap<String, Vec<(usize, &Step)>> = BTreeMap::new();
        for (i, step) in plan.steps[start..end].iter().enumerate() {
            lanes
                .entry(step.mutation.lane())
                .or_default()
                .push((start + i, step));
        }
        let results: Vec<Result<(), (usize, &Step, AccountError)>> =
            stream::iter(lanes.into_values())
                .map(|lane| {
                    let (applied, stop) = (&applied, &options.stop);
                    async move {
                        for (i, step) in lane {
                            if stop.requested() {
                                break;
                            }
                            on_step(StepEvent::Started, i, step);
                            tracing::debug!(
                                operation = step.mutation.operation(),
                                target = %step.mutation.target(),
                                "applying"
                            );
                            writer
                                .write(&step.mutation)
                                .await
                                .map_err(|e| (i, step, e))?;
                            applied.fetch_add(1, Ordering::Relaxed);
                            on_step(StepEvent::Done, i, step);
                        }
                        Ok(())
                    }
                })
                .buffer_unordered(options.parallelism.max(1))
                .collect()
                .await;
        let mut failures: Vec<_> = results.into_iter().filter_map(Result::err).collect();
        // Steps of this phase that ran (succeeded or failed); fewer than the phase holds only
        // when a stop was requested.
        let ran = applied.load(Ordering::Relaxed) - applied_before + failures.len();
        let interrupted = options.stop.requested() && (ran < end - start || end < total);
        failures.sort_by_key(|(i, _, _)| *i);
        let mut failed: Vec<FailedStep> = failures
            .into_iter()
            .map(|(_, step, source)| FailedStep {
                operation: step.mutation.operation(),
                target: step.mutation.target(),
                source,
            })
            .collect();
        if let Err(source) = writer.checkpoint().await {
            failed.push(FailedStep {
                operation: "checkpoint",
                target: format!("after phase {phase:?}"),
                source,
            });
        }
        if !failed.is_empty() || interrupted {
            return Err(ApplyError {
                applied: applied.load(Ordering::Relaxed),
                total,
                failed,
                interrupted,
                refused: Vec::new(),
            });
        }
        start = end;
    }
    Ok(ApplyReport {
        applied: applied.load(Ordering::Relaxed),
        total,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::account::Mutation;
    use crate::plan::Phase;

    /// Records the order of writes and how many were in flight at once.
    #[derive(Default)]
    struct Recorder {
        log: Mutex<Vec<(Phase, String)>>,
        in_flight: AtomicUsize,
        max_in_flight: AtomicUsize,
        fail_on: Vec<String>,
    }

    impl AccountWriter for Recorder {
        async fn write(&self, m: &Mutation) -> Result<(), AccountError> {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if self.fail_on.contains(&m.target()) {
                return Err(AccountError::NoSuchEntity { entity: m.target() });
            }
            let phase = match m {
                Mutation::DeleteRolePolicy { .. } => Phase::TeardownRoles,
                _ => Phase::DeleteRoles,
            };
            self.log.lock().unwrap().push((phase, m.target()));
            Ok(())
        }
    }

    fn plan() -> Plan {
        let mut steps = Vec::new();
        for role in ["a", "b", "c", "d", "e", "f"] {
            for p in ["p1", "p2"] {
                steps.push(Step {
                    phase: Phase::TeardownRoles,
                    mutation: Mutation::DeleteRolePolicy {
                        role_name: role.into(),
                        policy_name: p.into(),
                    },
                });
            }
        }
        for role in ["a", "b", "c", "d", "e", "f"] {
            steps.push(Step {
                phase: Phase::DeleteRoles,
                mutation: Mutation::DeleteRole {
                    role_name: role.into(),
                },
            });
        }
        Plan {
            account_id: "123456789012".into(),
            changes: vec![],
            conflicts: vec![],
            notes: vec![],
            warnings: Vec::new(),
            steps,
        }
    }

    fn run(writer: &Recorder, parallelism: usize) -> Result<ApplyReport, ApplyError> {
        run_observed(writer, parallelism, &|_, _, _| {})
    }

    fn run_observed(
        writer: &Recorder,
        parallelism: usize,
        on_step: &(dyn Fn(StepEvent, usize, &Step) + Sync),
    ) -> Result<ApplyReport, ApplyError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(apply(
            &plan(),
            writer,
            &OwnershipGuard::unchecked(),
            ApplyOptions {
                parallelism,
                ..ApplyOptions::default()
            },
            on_step,
        ))
    }

    #[test]
    fn the_observer_sees_each_step_start_then_finish_and_no_failed_step_finish() {
        let events = Mutex::new(Vec::new());
        let w = Recorder {
            fail_on: vec!["role c inline policy p1".into()],
            ..Recorder::default()
        };
        let err = run_observed(&w, 2, &|event, i, _| {
            events.lock().unwrap().push((event, i));
        })
        .unwrap_err();
        let events = events.into_inner().unwrap();
        let done: Vec<usize> = events
            .iter()
            .filter(|(e, _)| *e == StepEvent::Done)
            .map(|(_, i)| *i)
            .collect();
        // Progress counts exactly the applied steps; the failed one started but never finished.
        assert_eq!(done.len(), err.applied);
        for i in &done {
            let started = events.iter().position(|e| *e == (StepEvent::Started, *i));
            let finished = events.iter().position(|e| *e == (StepEvent::Done, *i));
            assert!(started < finished, "step {i}: {events:?}");
        }
        assert_eq!(
            events
                .iter()
                .filter(|(e, _)| *e == StepEvent::Started)
                .count(),
            done.len() + 1
        );
    }

    #[test]
    fn lanes_run_concurrently_under_the_bound_and_phases_in_order() {
        let w = Recorder::default();
        let report = run(&w, 4).unwrap();
        assert_eq!(
            report,
            ApplyReport {
                applied: 18,
                total: 18
            }
        );
        let max = w.max_in_flight.load(Ordering::SeqCst);
        assert!((2..=4).contains(&max), "max in flight {max}");
        let log = w.log.lock().unwrap();
        // Every teardown step precedes every delete (phases do not overlap) ...
        let first_delete = log
            .iter()
            .position(|(p, _)| *p == Phase::DeleteRoles)
            .unwrap();
        assert!(
            log[first_delete..]
                .iter()
                .all(|(p, _)| *p == Phase::DeleteRoles)
        );
        // ... and within a lane the plan's order holds.
        for role in ["a", "f"] {
            let p1 = log
                .iter()
                .position(|(_, t)| *t == format!("role {role} inline policy p1"));
            let p2 = log
                .iter()
                .position(|(_, t)| *t == format!("role {role} inline policy p2"));
            assert!(p1 < p2);
        }
    }

    #[test]
    fn every_failed_step_of_the_phase_is_reported_in_plan_order() {
        let w = Recorder {
            fail_on: vec![
                "role e inline policy p2".into(),
                "role b inline policy p1".into(),
            ],
            ..Recorder::default()
        };
        let err = run(&w, 4).unwrap_err();
        let targets: Vec<&str> = err.failed.iter().map(|f| f.target.as_str()).collect();
        assert_eq!(
            targets,
            ["role b inline policy p1", "role e inline policy p2"]
        );
        let message = err.to_string();
        assert!(
            message.starts_with("apply stopped: 2 steps failed (")
                && message.contains("steps applied)\n  - "),
            "{message}"
        );
        assert_eq!(message.lines().count(), 3, "{message}");
    }

    #[test]
    fn a_stop_lets_the_step_in_flight_finish_and_starts_no_other() {
        let w = Recorder::default();
        let stop = StopSignal::default();
        let done = AtomicUsize::new(0);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = rt
            .block_on(apply(
                &plan(),
                &w,
                &OwnershipGuard::unchecked(),
                ApplyOptions {
                    parallelism: 1,
                    stop: stop.clone(),
                },
                &|event, _, _| {
                    if event == StepEvent::Done && done.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
                        stop.request();
                    }
                },
            ))
            .unwrap_err();
        assert!(err.interrupted && err.failed.is_empty(), "{err}");
        assert_eq!((err.applied, err.total), (3, 18));
        assert_eq!(
            w.log.lock().unwrap().len(),
            3,
            "no step started after the stop"
        );
        assert!(
            err.to_string()
                .starts_with("apply interrupted: 3 of 18 steps applied"),
            "{err}"
        );
    }

    #[test]
    fn a_stop_after_the_last_step_is_no_interruption() {
        let w = Recorder::default();
        let options = ApplyOptions {
            parallelism: 2,
            stop: StopSignal::default(),
        };
        let stop = options.stop.clone();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let report = rt
            .block_on(apply(
                &plan(),
                &w,
                &OwnershipGuard::unchecked(),
                options,
                &|event, i, _| {
                    if event == StepEvent::Done && i == 17 {
                        stop.request();
                    }
                },
            ))
            .unwrap();
        assert_eq!(report.applied, 18);
    }

    #[test]
    fn parallelism_one_is_sequential() {
        let w = Recorder::default();
        run(&w, 1).unwrap();
        assert_eq!(w.max_in_flight.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failure_stops_before_the_next_phase() {
        let w = Recorder {
            fail_on: vec!["role c inline policy p1".into()],
            ..Recorder::default()
        };
        let err = run(&w, 2).unwrap_err();
        assert_eq!(err.failed.len(), 1);
        assert_eq!(err.failed[0].target, "role c inline policy p1");
        let log = w.log.lock().unwrap();
        assert!(
            log.iter().all(|(p, _)| *p == Phase::TeardownRoles),
            "no delete ran: {log:?}"
        );
        assert_eq!(err.applied, log.len());
    }
}
