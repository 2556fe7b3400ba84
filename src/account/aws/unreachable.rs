//! An endpoint that refuses connections or does not resolve fails at once.
//!
//! The SDK retries connector I/O errors as transient, which is right for a reset or a timeout
//! but turns a refused connection or an unknown host — a wrong `--endpoint-url`, no network —
//! into half a minute of silent adaptive back-off. Neither gets better by waiting, so this
//! classifier forbids retrying them; throttling, 5xx answers, resets and timeouts keep their
//! retries.

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};

/// Forbids retries of connections refused and host names that do not resolve.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Unreachable;

impl ClassifyRetry for Unreachable {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(err)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        match err.as_connector_error() {
            Some(e) if e.is_io() && is_unreachable(e) => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "unreachable endpoint"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// Whether the error's chain holds a refused connection or a failed name lookup.
fn is_unreachable(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        if e.to_string().starts_with("dns error") {
            return true;
        }
        next = e.source();
    }
    false
}
