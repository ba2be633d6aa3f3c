//! How transient failures are retried: which statuses are worth another attempt, how long to
//! wait before it, and what does the waiting (a [`Sleeper`], so tests can run retries instantly).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::StatusCode;

/// How transient failures are retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `retries + 1` attempts in all).
    pub retries: u32,
    /// First backoff delay; doubles each attempt, with jitter.
    pub base_delay: Duration,
    /// Largest computed backoff delay.
    pub max_delay: Duration,
    /// Largest wait of any kind, including one asked for by the server (`Retry-After`).
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_wait: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (1-based: the wait after the first failure is
    /// `attempt = 1`). A server-requested wait wins over backoff; everything is capped by
    /// `max_wait`. `jitter` is a number in `[0, 1)`.
    pub fn wait(&self, attempt: u32, server_wait: Option<Duration>, jitter: f64) -> Duration {
        let w = match server_wait {
            Some(w) => w,
            None => {
                let exp = self
                    .base_delay
                    .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
                    .min(self.max_delay);
                // "Equal jitter": half fixed, half random, so waits spread out but never collapse.
                exp / 2 + exp.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
            }
        };
        w.min(self.max_wait)
    }
}

/// Something that waits. The production one sleeps on the tokio timer.
pub trait Sleeper: Send + Sync {
    /// Waits for `d`.
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// Sleeps for real.
#[derive(Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(d))
    }
}

/// Whether a status is worth retrying.
pub fn is_transient_status(s: StatusCode) -> bool {
    matches!(s.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// A random number in `[0, 1)` for [`RetryPolicy::wait`].
pub(super) fn jitter() -> f64 {
    rand::random::<f64>()
}
