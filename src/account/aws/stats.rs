//! Counting the AWS calls an account makes.
//!
//! [`CallStats`] is a cheap clone handle onto shared counters; `StatsInterceptor` is the SDK
//! interceptor that feeds it. Every IAM, STS and EC2 client of an [`AwsAccount`](super::AwsAccount)
//! carries the same interceptor, so the counts cover the whole run. Only operation names are
//! recorded, never request content.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Operation-name prefixes of the calls that only read (`AssumeRole` starts a session in a
/// member account and changes nothing in it).
const READ_PREFIXES: [&str; 4] = ["Get", "List", "Describe", "AssumeRole"];

/// Counts of AWS calls by operation name (`CreateRole`, `ListRoles`, …).
///
/// [`CallStats::counts`] counts each *operation call* once, however many times the SDK's retry
/// strategy sent it; [`CallStats::attempts`] counts every HTTP attempt, retries included. The
/// difference between the two is the number of retries.
#[derive(Debug, Clone, Default)]
pub struct CallStats(Arc<Mutex<Counters>>);

#[derive(Debug, Default)]
struct Counters {
    calls: BTreeMap<String, u64>,
    attempts: BTreeMap<String, u64>,
    throttles: BTreeMap<String, u64>,
    /// Time attempts waited for their send slot, summed over lanes.
    waited: std::time::Duration,
    /// The latest pace, requests a second (`None`: never throttled, never paced).
    rate: Option<f64>,
}

impl CallStats {
    /// Operation calls so far, by operation name (retries not counted).
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.lock().calls.clone()
    }

    /// Total operation calls so far (retries not counted).
    pub fn total(&self) -> u64 {
        self.lock().calls.values().sum()
    }

    /// Operation calls that may change the account: those not named `Get…`, `List…` or
    /// `Describe…`.
    pub fn writes(&self) -> BTreeMap<String, u64> {
        self.lock()
            .calls
            .iter()
            .filter(|(op, _)| !is_read_operation(op))
            .map(|(op, n)| (op.clone(), *n))
            .collect()
    }

    /// HTTP attempts so far, by operation name (each retry counts again).
    pub fn attempts(&self) -> BTreeMap<String, u64> {
        self.lock().attempts.clone()
    }

    /// Attempts answered `Throttling` (or the service's equivalent), by operation name.
    pub fn throttles(&self) -> BTreeMap<String, u64> {
        self.lock().throttles.clone()
    }

    /// Retries so far: attempts beyond the first of each call.
    pub fn retries(&self) -> u64 {
        let c = self.lock();
        let attempts: u64 = c.attempts.values().sum();
        attempts.saturating_sub(c.calls.values().sum())
    }

    /// Time attempts waited for their send slot, summed over the lanes that waited.
    pub fn waited(&self) -> std::time::Duration {
        self.lock().waited
    }

    /// The send rate the pace settled at, requests a second (`None` when never throttled).
    pub fn rate(&self) -> Option<f64> {
        self.lock().rate
    }

    /// Records a throttled attempt of `operation`.
    pub(crate) fn record_throttle(&self, operation: &str) {
        *self
            .lock()
            .throttles
            .entry(operation.to_owned())
            .or_default() += 1;
    }

    /// Records a wait for a send slot.
    pub(crate) fn record_wait(&self, wait: std::time::Duration) {
        self.lock().waited += wait;
    }

    /// Records the current pace.
    pub(crate) fn record_rate(&self, rate: f64) {
        self.lock().rate = Some(rate);
    }

    /// Records one operation call.
    pub(crate) fn record_call(&self, operation: &str) {
        *self.lock().calls.entry(operation.to_owned()).or_default() += 1;
    }

    /// Records one HTTP attempt.
    pub(crate) fn record_attempt(&self, operation: &str) {
        *self
            .lock()
            .attempts
            .entry(operation.to_owned())
            .or_default() += 1;
    }

    fn lock(&self) -> MutexGuard<'_, Counters> {
        // Counters stay consistent even if a holder panicked: each update is one increment.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether an operation name is a read (`Get…`, `List…`, `Describe…`, `AssumeRole`).
pub fn is_read_operation(operation: &str) -> bool {
    READ_PREFIXES.iter().any(|p| operation.starts_with(p))
}

/// The SDK interceptor that feeds a [`CallStats`].
///
/// `read_before_serialization` runs once per operation call and `read_before_attempt` once per
/// attempt; both take the operation name from the [`Metadata`] the SDK puts in the config bag.
#[derive(Debug, Clone)]
pub(crate) struct StatsInterceptor {
    stats: CallStats,
}

impl StatsInterceptor {
    /// An interceptor counting into `stats`.
    pub(crate) fn new(stats: CallStats) -> Self {
        Self { stats }
    }
}

impl Intercept for StatsInterceptor {
    fn name(&self) -> &'static str {
        "RolesmithCallStats"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(meta) = cfg.load::<Metadata>() {
            tracing::debug!("aws call {}:{}", meta.service(), meta.name());
            self.stats.record_call(meta.name());
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(meta) = cfg.load::<Metadata>() {
            self.stats.record_attempt(meta.name());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_get_list_describe() {
        assert!(is_read_operation("GetRole"));
        assert!(is_read_operation("ListRoles"));
        assert!(is_read_operation("DescribeIamInstanceProfileAssociations"));
        assert!(!is_read_operation("CreateRole"));
        assert!(!is_read_operation("TagRole"));
        assert!(!is_read_operation("AssociateIamInstanceProfile"));
    }

    #[test]
    fn counts_totals_and_writes() {
        let stats = CallStats::default();
        let handle = stats.clone();
        handle.record_call("ListRoles");
        handle.record_call("GetAccountAuthorizationDetails");
        handle.record_call("CreateRole");
        handle.record_call("CreateRole");
        handle.record_attempt("CreateRole");
        handle.record_attempt("CreateRole");
        handle.record_attempt("CreateRole");

        assert_eq!(stats.total(), 4);
        assert_eq!(stats.counts().get("CreateRole"), Some(&2));
        assert_eq!(
            stats.writes().into_iter().collect::<Vec<_>>(),
            vec![("CreateRole".to_owned(), 2)]
        );
        assert_eq!(stats.attempts().get("CreateRole"), Some(&3));
    }
}
