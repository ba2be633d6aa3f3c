//! Transient failures of one transfer (or of one chunk of it): counting them, waiting before the
//! next try (exponential backoff with jitter, or the wait the server asked for), and giving up
//! with a network error once the retries are spent.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::http::Http;
use crate::progress::{Event, Reporter};

/// The transient failures in a row of one transfer or chunk.
pub(crate) struct Retries<'a> {
    http: &'a Http,
    reporter: &'a dyn Reporter,
    /// The file's dataset-relative path, for events and messages.
    what: &'a str,
    failures: u32,
}

impl<'a> Retries<'a> {
    /// No failure yet.
    pub fn new(http: &'a Http, reporter: &'a dyn Reporter, what: &'a str) -> Retries<'a> {
        Retries {
            http,
            reporter,
            what,
            failures: 0,
        }
    }

    /// Counts a transient failure; waits before the next try (reporting a `Retry` event), or
    /// gives up with a network error that says the partial file is kept.
    pub async fn wait(&mut self, server_wait: Option<Duration>, reason: &str) -> Result<()> {
        self.failures += 1;
        if self.failures > self.http.retry.retries {
            return Err(Error::Network {
                message: format!(
                    "downloading {}: {reason}; the partial file was kept and the next run resumes it",
                    crate::sanitize::for_terminal(self.what)
                ),
                attempts: self.failures,
            });
        }
        let wait = self
            .http
            .retry
            .wait(self.failures, server_wait, rand::random::<f64>());
        self.reporter.on_event(&Event::Retry {
            what: self.what,
            attempt: self.failures,
            wait,
            reason,
        });
        self.http.sleep(wait).await
    }

    /// Whether the retries are spent: a failed answer is then final, reported as the server's
    /// error rather than as one more retry.
    pub fn spent(&self) -> bool {
        self.failures >= self.http.retry.retries
    }

    /// Attempts made so far, counting the current one.
    pub fn attempts(&self) -> u32 {
        self.failures + 1
    }

    /// Forgets the failures: the transfer made progress.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}
