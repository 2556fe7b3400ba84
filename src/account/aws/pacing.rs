//! Sending at the account's request rate: one pace per service, shared by every lane.
//!
//! IAM limits requests per account, shared by everything in it, and answers `Throttling` over
//! the limit. The SDK's adaptive retry mode backs off per client with CUBIC and climbs back
//! slowly: measured through a 20 requests/s token bucket, a 200-role apply reached 77 % of the
//! ceiling. Here instead every HTTP attempt (first tries and retries alike) takes a slot from a
//! shared [`Pacer`] before it is sent ([`PacedClient`]): unpaced until throttles are a tenth of
//! the answers, then at a rate that such throttling lowers (to 85 %, at most once a second, and never above what the
//! service actually served in the last second) and each answered request raises (by about one
//! request a second per second), so the rate settles just under the ceiling, AIMD-style, instead
//! of every lane backing off on its own. [`PaceInterceptor`] tells throttles from other failures
//! with the SDK's own retry classifiers: a 500, a 503 or a reset is retried quickly (the retry
//! strategy's short backoff) and never lowers the rate. A run also has a retry budget
//! (`--retry-budget`, default [`RUN_RETRY_BUDGET`]): past it, attempts fail at once, naming the throttling and the rate
//! reached, and the apply stops its phase as for any failure (a re-run finishes the job).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use aws_smithy_runtime::client::retries::classifiers::run_classifiers_on_ctx;
use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, Metadata};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::classifiers::{RetryAction, RetryReason};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::retry::ErrorKind;

use super::stats::CallStats;

/// Retries one run may make in all (throttles and transient failures together), by default.
pub const RUN_RETRY_BUDGET: u64 = 2_000;
/// The lowest rate a throttle can bring the pace down to, in requests a second.
const MIN_RATE: f64 = 1.0;
/// What a throttle multiplies the rate by.
const DECREASE: f64 = 0.85;
/// At most one decrease this often: the throttles of requests already in flight when the
/// first came back say nothing new.
const HOLD: Duration = Duration::from_secs(1);
/// How fast the rate climbs while requests are answered, in requests a second per second.
const CLIMB: f64 = 1.0;
/// The window over which the served rate and the share of throttles are measured.
const WINDOW: Duration = Duration::from_secs(1);
/// The share of a window's answers that must be throttles before the rate is lowered: a
/// throttle now and then (another tool's burst) is retried, not taken as the ceiling; going over
/// the ceiling throttles a growing share of requests at once.
const THROTTLE_SHARE: f64 = 0.1;
/// And at least this many throttles in the window.
const THROTTLE_COUNT: usize = 3;

/// A retry partition without the standard mode's retry quota: a quota sized for one client
/// refuses retries after about a hundred throttles, which at the account's ceiling is seconds;
/// the run's own budget ([`RUN_RETRY_BUDGET`]) bounds retries instead.
pub(super) fn unlimited_partition(name: &'static str) -> RetryPartition {
    RetryPartition::custom(name)
        .token_bucket(TokenBucket::unlimited())
        .build()
}

/// The pace of one service's requests, shared by its client's lanes.
#[derive(Debug, Clone)]
pub struct Pacer {
    state: Arc<Mutex<PaceState>>,
    stats: CallStats,
    /// Retries the run may make.
    budget: u64,
}

#[derive(Debug)]
struct PaceState {
    /// Requests a second; `None` until the first throttle.
    rate: Option<f64>,
    /// The earliest time the next request may be sent.
    next: Instant,
    last_decrease: Option<Instant>,
    /// When the requests of the last [`WINDOW`] were answered (not throttled).
    served: VecDeque<Instant>,
    /// When the requests of the last [`WINDOW`] were throttled.
    throttled: VecDeque<Instant>,
}

impl PaceState {
    /// Forgets what is older than [`WINDOW`].
    fn expire(&mut self, now: Instant) {
        for times in [&mut self.served, &mut self.throttled] {
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) > WINDOW)
            {
                times.pop_front();
            }
        }
    }

    fn served_rate(&mut self, now: Instant) -> f64 {
        self.expire(now);
        self.served.len() as f64 / WINDOW.as_secs_f64()
    }

    /// Whether the window's throttles say the ceiling is reached.
    fn over_the_ceiling(&mut self, now: Instant) -> bool {
        self.expire(now);
        let (t, s) = (self.throttled.len(), self.served.len());
        t >= THROTTLE_COUNT && t as f64 >= THROTTLE_SHARE * (t + s) as f64
    }
}

impl Pacer {
    /// An unpaced pacer that records its waits and rate in `stats`, and refuses attempts once
    /// the run has made `budget` retries.
    pub(super) fn new(stats: CallStats, budget: u64) -> Self {
        Self {
            state: Arc::new(Mutex::new(PaceState {
                rate: None,
                next: Instant::now(),
                last_decrease: None,
                served: VecDeque::new(),
                throttled: VecDeque::new(),
            })),
            stats,
            budget,
        }
    }

    /// Takes the next send slot: how long to wait before sending.
    fn reserve(&self) -> Duration {
        let now = Instant::now();
        let mut s = self.lock();
        let Some(rate) = s.rate else {
            return Duration::ZERO;
        };
        let slot = s.next.max(now);
        s.next = slot + Duration::from_secs_f64(1.0 / rate);
        slot - now
    }

    /// A request was throttled: lower the rate when throttles are a real share of the answers,
    /// at most once per [`HOLD`].
    fn on_throttle(&self) {
        let now = Instant::now();
        let mut s = self.lock();
        s.throttled.push_back(now);
        let held = s
            .last_decrease
            .is_some_and(|t| now.duration_since(t) < HOLD);
        if held || !s.over_the_ceiling(now) {
            return;
        }
        s.last_decrease = Some(now);
        let served = s.served_rate(now);
        let lowered = match s.rate {
            None => served,
            Some(rate) => (rate * DECREASE).min(served.max(rate * DECREASE * DECREASE)),
        };
        let rate = lowered.max(MIN_RATE);
        s.rate = Some(rate);
        self.stats.record_rate(rate);
    }

    /// A request was answered (not throttled): count it, and climb while paced.
    fn on_served(&self) {
        let now = Instant::now();
        let mut s = self.lock();
        s.served.push_back(now);
        if let Some(rate) = s.rate {
            let served = s.served_rate(now);
            // Climb only while the pace is what holds requests back.
            let rate = (rate + CLIMB / rate).min(served.max(rate) * 1.5);
            s.rate = Some(rate);
            self.stats.record_rate(rate);
        }
    }

    fn lock(&self) -> MutexGuard<'_, PaceState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An HTTP client that sends each attempt in its [`Pacer`] slot and refuses attempts past the
/// run's retry budget.
#[derive(Debug, Clone)]
pub(super) struct PacedClient {
    inner: SharedHttpClient,
    pacer: Pacer,
}

impl PacedClient {
    /// Paces `inner`'s requests with `pacer`.
    pub(super) fn new(inner: SharedHttpClient, pacer: Pacer) -> Self {
        Self { inner, pacer }
    }
}

impl HttpClient for PacedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            pacer: self.pacer.clone(),
        })
    }
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    pacer: Pacer,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let stats = &self.pacer.stats;
        // The attempt is already counted, so a retry that passes is within the budget.
        let budget = self.pacer.budget;
        if stats.retries() > budget {
            let message = format!(
                "the run's retry budget ({budget} retries, --retry-budget) is spent: {} request(s) throttled, send rate {}",
                stats.throttles().values().sum::<u64>(),
                stats
                    .rate()
                    .map_or_else(|| "unpaced".to_owned(), |r| format!("{r:.1}/s"))
            );
            return HttpConnectorFuture::ready(Err(ConnectorError::other(message.into(), None)));
        }
        let wait = self.pacer.reserve();
        stats.record_wait(wait);
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            inner.call(request).await
        })
    }
}

/// Tells the [`Pacer`] how each attempt ended, with the SDK's own retry classifiers, and counts
/// throttles by operation.
#[derive(Debug, Clone)]
pub(super) struct PaceInterceptor {
    pacer: Pacer,
}

impl PaceInterceptor {
    /// Reports to `pacer`.
    pub(super) fn new(pacer: Pacer) -> Self {
        Self { pacer }
    }
}

impl Intercept for PaceInterceptor {
    fn name(&self) -> &'static str {
        "RolesmithPace"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let ctx = context.inner();
        let action = run_classifiers_on_ctx(runtime_components.retry_classifiers(), ctx);
        let throttled = matches!(
            action,
            RetryAction::RetryIndicated(RetryReason::RetryableError {
                kind: ErrorKind::ThrottlingError,
                ..
            })
        );
        if throttled {
            self.pacer.on_throttle();
            if let Some(meta) = cfg.load::<Metadata>() {
                self.pacer.stats.record_throttle(meta.name());
            }
        } else if ctx.response().is_some() {
            self.pacer.on_served();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpaced_until_the_first_throttle_then_paced_near_the_served_rate() {
        let pacer = Pacer::new(CallStats::default(), RUN_RETRY_BUDGET);
        assert_eq!(pacer.reserve(), Duration::ZERO);
        for _ in 0..20 {
            pacer.on_served();
        }
        // One throttle in twenty answers is not the ceiling.
        pacer.on_throttle();
        assert_eq!(pacer.lock().rate, None);
        for _ in 0..2 {
            pacer.on_throttle();
        }
        let rate = pacer.lock().rate.expect("paced after three throttles");
        assert!((19.0..=21.0).contains(&rate), "{rate}");
        // Back to back, the second slot is a period later.
        pacer.reserve();
        let wait = pacer.reserve();
        assert!(wait > Duration::from_millis(40), "{wait:?}");
    }

    #[test]
    fn throttles_in_one_hold_lower_the_rate_once() {
        let pacer = Pacer::new(CallStats::default(), RUN_RETRY_BUDGET);
        for _ in 0..20 {
            pacer.on_served();
        }
        for _ in 0..3 {
            pacer.on_throttle();
        }
        let first = pacer.lock().rate.unwrap();
        for _ in 0..10 {
            pacer.on_throttle();
        }
        assert_eq!(pacer.lock().rate.unwrap(), first);
    }

    #[test]
    fn answered_requests_raise_the_rate_and_transient_failures_do_not_lower_it() {
        let stats = CallStats::default();
        let pacer = Pacer::new(stats.clone(), RUN_RETRY_BUDGET);
        for _ in 0..20 {
            pacer.on_served();
        }
        for _ in 0..3 {
            pacer.on_throttle();
        }
        let paced = pacer.lock().rate.unwrap();
        // A 500 or a 503 is an answer: on_served, never on_throttle.
        for _ in 0..10 {
            pacer.on_served();
        }
        let later = pacer.lock().rate.unwrap();
        assert!(later > paced, "{later} > {paced}");
        assert_eq!(stats.rate(), Some(later));
    }
}
