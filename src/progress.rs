//! Progress reporting behind a trait, so that the library never draws anything.
//!
//! The library calls [`Reporter::on_event`] as work happens; the binary decides what to show
//! (bars, plain lines, NDJSON, nothing). Contract for implementors: `on_event` is called from
//! many tasks at once, must return quickly, must never block on I/O for long and must never
//! panic; events for one transfer arrive in order (`FileStart`, `Bytes`…, `Verify`, `FileDone`
//! or `FileError`). A transfer that has to start over sends a new `FileStart` with the same id
//! and `resumed_from` set to what is kept (0 when nothing is); `Bytes` deltas are never negative.

use std::time::Duration;

/// Identifies one file transfer in a run.
pub type TransferId = u64;

/// Something that happened.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// A dataset has been resolved: this is what the run will do.
    Plan {
        /// The dataset, as `kaggle:…` / `hf:…`.
        dataset: &'a str,
        /// Files that will be transferred.
        files: usize,
        /// Bytes that will be transferred (not counting resumed bytes already on disk).
        bytes: u64,
        /// Files already present and verified, skipped.
        skipped: usize,
    },
    /// A file transfer starts (or restarts after a failure).
    FileStart {
        /// The transfer.
        id: TransferId,
        /// The dataset the file belongs to.
        dataset: &'a str,
        /// Dataset-relative path (sanitised by the renderer).
        name: &'a str,
        /// Full size, when known.
        total: Option<u64>,
        /// Bytes already on disk from an earlier attempt or run.
        resumed_from: u64,
    },
    /// Bytes received from the network for a transfer.
    Bytes {
        /// The transfer.
        id: TransferId,
        /// How many new bytes.
        delta: u64,
    },
    /// A request failed transiently and will be retried after `wait`.
    Retry {
        /// What was being fetched (file path, or API call).
        what: &'a str,
        /// Attempt number that failed (1-based).
        attempt: u32,
        /// How long dsfetch waits before trying again.
        wait: Duration,
        /// Why (status or error, one line).
        reason: &'a str,
    },
    /// Checking size and checksum of a finished transfer.
    Verify {
        /// The transfer.
        id: TransferId,
    },
    /// A transfer completed and was verified and moved into place.
    FileDone {
        /// The transfer.
        id: TransferId,
        /// Bytes transferred in this run for this file.
        bytes: u64,
    },
    /// A transfer failed for good.
    FileError {
        /// The transfer.
        id: TransferId,
        /// One-line message.
        message: &'a str,
    },
    /// An archive is being extracted.
    Extract {
        /// The dataset.
        dataset: &'a str,
        /// Number of entries.
        entries: usize,
        /// Uncompressed bytes.
        bytes: u64,
    },
    /// A dataset of a batch finished (successfully or not).
    DatasetDone {
        /// The manifest entry.
        dataset: &'a str,
        /// Whether it succeeded.
        ok: bool,
        /// One-line summary or error.
        message: &'a str,
    },
    /// A note for the user (shown unless quiet), e.g. a permissions warning.
    Warn(&'a str),
    /// A detail for `--verbose`.
    Debug(&'a str),
}

/// Receives progress events. See the module documentation for the contract.
pub trait Reporter: Send + Sync {
    /// Called for every event.
    fn on_event(&self, event: &Event<'_>);
}

/// A reporter that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoReporter;

impl Reporter for NoReporter {
    fn on_event(&self, _event: &Event<'_>) {}
}

/// Hands out transfer ids that are unique within the process.
pub fn next_transfer_id() -> TransferId {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
