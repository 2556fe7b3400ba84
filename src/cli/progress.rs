//! Progress on stderr for account reads and applies that take longer than a second.
//!
//! Bars are drawn only when stderr is a terminal (indicatif hides them otherwise, and when
//! `TERM` is `dumb`) and `--no-progress` was not given. Each bar stays hidden for its first
//! second, so quick runs print nothing extra, and is cleared when done: what remains on the
//! terminal is the same as without a terminal. Log lines are written through [`log_writer`],
//! which lifts the bars while a line is printed so the two never interleave.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::account::AnyAccount;

/// How long an activity runs before its bar appears.
const DELAY: Duration = Duration::from_secs(1);
/// Redraw interval of a visible bar (keeps spinners and elapsed time moving during one long
/// call).
const TICK: Duration = Duration::from_millis(120);

/// Every visible bar; the only writer of progress to stderr.
static BARS: LazyLock<MultiProgress> =
    LazyLock::new(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
/// Cleared by `--no-progress`.
static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns progress off for the rest of the process (`--no-progress`).
pub(crate) fn disable() {
    ENABLED.store(false, Ordering::Relaxed);
}

/// Whether bars can be drawn at all: enabled, and stderr is a terminal.
fn drawable() -> bool {
    ENABLED.load(Ordering::Relaxed) && !BARS.is_hidden()
}

/// A writer for the log subscriber: each write lifts any visible bar, writes to stderr, and
/// redraws the bar below.
pub(crate) fn log_writer() -> impl Write {
    LogLine
}

struct LogLine;

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        BARS.suspend(|| std::io::stderr().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// One activity's bar or spinner; cleared when dropped.
pub(crate) struct Progress {
    bar: ProgressBar,
    /// Set when the activity ends, so a bar about to be shown stays hidden.
    ended: Arc<Mutex<bool>>,
}

impl Progress {
    /// A spinner for reading the account: elapsed time and, for a live account, API calls so
    /// far.
    pub(crate) fn reading(account: &AnyAccount) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(with_calls(
            "{spinner} reading the account… {elapsed}{calls}",
            account,
        ));
        Progress::start(bar)
    }

    /// A bar for applying `total` steps: steps done, elapsed time, API calls so far.
    pub(crate) fn applying(total: usize, account: &AnyAccount) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        bar.set_style(with_calls(
            "{spinner} applying [{bar:30}] {pos}/{len} steps, {elapsed}{calls}",
            account,
        ));
        Progress::start(bar)
    }

    /// Shows `bar` after [`DELAY`] unless the activity has ended by then.
    fn start(bar: ProgressBar) -> Progress {
        let ended = Arc::new(Mutex::new(false));
        if drawable() {
            let (bar, ended) = (bar.clone(), Arc::clone(&ended));
            std::thread::spawn(move || {
                std::thread::sleep(DELAY);
                let ended = ended.lock().unwrap_or_else(|e| e.into_inner());
                if !*ended {
                    BARS.add(bar.clone());
                    bar.enable_steady_tick(TICK);
                }
            });
        }
        Progress { bar, ended }
    }

    /// One more step done.
    pub(crate) fn inc(&self) {
        self.bar.inc(1);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        *ended = true;
        self.bar.finish_and_clear();
        BARS.remove(&self.bar);
    }
}

/// `template` with its `{calls}` key filled from the account's call counter (", N API calls"),
/// or left empty for a snapshot account.
fn with_calls(template: &str, account: &AnyAccount) -> ProgressStyle {
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .progress_chars("=> ");
    let stats = account.call_stats();
    style.with_key(
        "calls",
        move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            if let Some(stats) = &stats {
                let _ = write!(w, ", {} API calls", stats.total());
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::snapshot::SnapshotAccount;

    #[test]
    fn templates_parse() {
        // A template that fails to parse would silently fall back to a bare spinner.
        for template in [
            "{spinner} reading the account… {elapsed}{calls}",
            "{spinner} applying [{bar:30}] {pos}/{len} steps, {elapsed}{calls}",
        ] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }

    #[test]
    fn dropping_an_activity_ends_it_so_its_delayed_bar_is_never_added() {
        let account = AnyAccount::Snapshot(SnapshotAccount::from_state(
            "unused.json",
            crate::state::AccountState::empty("123456789012", "aws"),
        ));
        let p = Progress::applying(3, &account);
        p.inc();
        let ended = Arc::clone(&p.ended);
        let bar = p.bar.clone();
        drop(p);
        assert!(*ended.lock().unwrap());
        assert!(bar.is_finished());
    }
}
