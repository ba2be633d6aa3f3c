//! Transfers: one file from a hub to disk, resumable, verified, atomic.
//!
//! Bytes go to a partial file in the dataset's `.dsfetch/tmp` folder (same file system as the
//! final path), hashed as they arrive. A transfer that breaks resumes with `Range` from the byte
//! where it stopped, within a run and across runs; a server that ignores the range (200) or
//! whose object changed (`If-Range` mismatch) restarts the file from zero. Only when the size and
//! checksum match is the file renamed to its final path. A mismatch is retried once from scratch,
//! then reported as an integrity error with nothing at the final path.
//!
//! The modules, each using only those below it:
//! - this one: [`Fetcher::fetch`] = download + verify + one retry from scratch + move into place;
//! - `stream`: a single-stream transfer with resume; hands large files to `ranged`;
//! - `ranged`: parallel ranged chunks of a large file;
//! - `spec`: what a transfer works with ([`FileSpec`], the run's shared resources);
//! - `response`: the one classifier of answers both loops act on; `retry`: the transient-failure
//!   counter and backoff; `sidecar`: the partial file's resume record; `hashing`: the in-order
//!   hashing thread and [`Availability`]; `adapt`: [`ParallelConfig`] and the connection count;
//! - `sys`: every `unsafe` block and `libc` call of the crate.

mod adapt;
mod hashing;
mod ranged;
mod response;
mod retry;
mod sidecar;
mod spec;
mod stream;
mod sys;
mod xet;

use std::path::PathBuf;
use std::sync::Arc;

use reqwest::Url;
use tokio::sync::Semaphore;

pub(crate) use adapt::MAX_PARALLEL_FILES;
pub use adapt::ParallelConfig;
pub use hashing::Availability;
pub(crate) use hashing::AvailableReader;
pub use sidecar::parse_content_range;
pub(crate) use sidecar::{discard_partial, partial_progress};
pub(crate) use spec::FileSpec;
pub(crate) use sys::free_space;
pub use xet::{DEFAULT_WINDOW as XET_WINDOW, XetCache, XetCacheStats, XetOptions};
pub(crate) use xet::{XetRun, XetSpec};

use crate::error::{Error, Result};
use crate::http::Http;
use crate::paths::move_into_place;
use crate::progress::{Event, Reporter};
use crate::verify::Expected;
use sidecar::{partial_len, read_sidecar, remove_sidecar};
use spec::{Downloaded, Run};

/// A verified file.
#[derive(Debug, Clone)]
pub(crate) struct Fetched {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Bytes received from the network in this run.
    pub transferred: u64,
    /// Whether a server MD5 was available and checked.
    pub md5_checked: bool,
    /// Where the verified file is (the final path, or the partial path when `dest` was `None`).
    pub path: PathBuf,
    /// The URL that served the bytes (a signed storage URL: never show it with its query).
    pub final_url: Option<Url>,
    /// When the verified bytes came in parallel chunks: the download's availability handle (the
    /// one passed to [`FileSpec::on_parallel`]), to match work done while they arrived.
    pub availability: Option<Arc<Availability>>,
}

/// Shared context of a download run.
#[derive(Clone)]
pub(crate) struct Fetcher<'a> {
    /// The HTTP client.
    pub http: &'a Http,
    /// Progress sink.
    pub reporter: &'a dyn Reporter,
    /// The dataset, for events (`hf:acme/corpus@…`).
    pub dataset: &'a str,
    /// Cap on simultaneous connections across the run, if any.
    pub connections: Option<Arc<Semaphore>>,
    /// How large files are split into parallel chunks.
    pub parallel: ParallelConfig,
    /// Bounds the large files in parallel mode at once (see [`MAX_PARALLEL_FILES`]).
    pub large_files: Arc<Semaphore>,
    /// How Xet-backed files are fetched, and what their transfers share.
    pub xet: Arc<XetRun>,
}

impl Fetcher<'_> {
    /// Downloads, verifies and moves one file into place. See the module documentation. A
    /// Xet-backed file goes through the CAS when Xet is on; when the CAS fails (after retries),
    /// the Hub's bridge serves it instead, and the run says so once.
    pub async fn fetch(&self, spec: &FileSpec<'_>) -> Result<Fetched> {
        if let Some(x) = &spec.xet
            && self.xet.options.enabled
            && spec.size.is_some_and(|s| s > 0)
        {
            match self.fetch_xet(spec, x).await {
                Err(e) if xet_falls_back(&e) => {
                    xet::discard(&xet::part_of(spec));
                    self.xet.warn_fallback(self.run(), spec.rel_path, &e);
                }
                other => return other,
            }
        }
        let mut from_scratch = false;
        loop {
            let got = stream::download(self.run(), spec, from_scratch)
                .await
                .map_err(|e| {
                    // A full disk: say how much more the file needs (published or announced size
                    // minus what the partial file holds).
                    let total = spec
                        .size
                        .or_else(|| read_sidecar(&spec.part).and_then(|s| s.size));
                    let have = partial_len(&spec.part);
                    name_partial(
                        e.with_space_needed(total.map(|t| t.saturating_sub(have))),
                        spec,
                        self.dataset,
                    )
                })?;
            let expected = spec
                .expected
                .clone()
                .or_else(|| got.server_md5.map(Expected::Md5));
            let size_ok = spec.size.is_none_or(|s| s == got.total) && got.digests.len == got.total;
            let check = if !size_ok {
                Err(format!("size {}", got.digests.len))
            } else {
                match &expected {
                    Some(e) => got.digests.check(e),
                    None => Ok(()),
                }
            };
            if check.is_ok()
                && let Err(e) = crate::lockfile::check_lock(
                    self.dataset,
                    spec.rel_path,
                    spec.lock.as_ref(),
                    got.total,
                    Some(&got.digests.sha256),
                )
            {
                // The hub's own checksum matched: upstream now serves other bytes than the lock.
                discard_partial(&spec.part);
                return Err(e);
            }
            let actual = match check {
                Ok(()) => return place(spec, got, matches!(expected, Some(Expected::Md5(_)))),
                Err(actual) => actual,
            };
            discard_partial(&spec.part);
            let expected_desc = if size_ok {
                expected.map(|e| e.describe()).unwrap_or_default()
            } else {
                format!("size {}", spec.size.unwrap_or(got.total))
            };
            if from_scratch {
                return Err(Error::Integrity {
                    path: crate::sanitize::for_terminal(spec.rel_path),
                    expected: expected_desc,
                    actual,
                    hint: None,
                });
            }
            self.reporter.on_event(&Event::Warn(&format!(
                "{}: checksum mismatch ({actual}, expected {expected_desc}); downloading it again from scratch",
                crate::sanitize::for_terminal(spec.rel_path)
            )));
            from_scratch = true;
        }
    }

    /// [`Fetcher::fetch`] through the CAS: the size, the file id (merkle root of the chunk
    /// hashes) and the published sha256 are checked; a mismatch fetches everything once more,
    /// from the network only, then fails as an integrity error with nothing at the final path.
    async fn fetch_xet(&self, spec: &FileSpec<'_>, x: &XetSpec) -> Result<Fetched> {
        let mut from_scratch = false;
        loop {
            let done = xet::download(self.run(), spec, x, &self.xet, from_scratch)
                .await
                .map_err(|e| name_partial(e, spec, self.dataset))?;
            let got = &done.got;
            let check = if spec.size != Some(got.total) || got.digests.len != got.total {
                Err(format!("size {}", got.digests.len))
            } else if !done.file_id_ok {
                Err("another Xet file id (the merkle root of the chunks it is made of)".into())
            } else {
                spec.expected
                    .as_ref()
                    .map_or(Ok(()), |e| got.digests.check(e))
            };
            if check.is_ok() {
                let locked = crate::lockfile::check_lock(
                    self.dataset,
                    spec.rel_path,
                    spec.lock.as_ref(),
                    got.total,
                    Some(&got.digests.sha256),
                );
                if let Err(e) = locked {
                    xet::discard(&done.part);
                    return Err(e);
                }
                if let Some(c) = &self.xet.options.cache {
                    c.commit(done.pending);
                }
                return place_xet(spec, done.got, &done.part);
            }
            let actual = check.unwrap_err();
            xet::discard(&done.part);
            let expected = spec
                .expected
                .as_ref()
                .map(|e| e.describe())
                .unwrap_or_default();
            if from_scratch {
                return Err(Error::Integrity {
                    path: crate::sanitize::for_terminal(spec.rel_path),
                    expected: format!("{expected} and Xet file id {}", x.file_id),
                    actual,
                    hint: None,
                });
            }
            self.reporter.on_event(&Event::Warn(&format!(
                "{}: checksum mismatch ({actual}); fetching it again from Xet storage, without the chunk cache",
                crate::sanitize::for_terminal(spec.rel_path)
            )));
            from_scratch = true;
        }
    }

    /// What each transfer borrows of the run.
    fn run(&self) -> Run<'_> {
        Run {
            http: self.http,
            reporter: self.reporter,
            dataset: self.dataset,
            connections: self.connections.as_ref(),
            parallel: &self.parallel,
            large_files: &self.large_files,
        }
    }
}

/// Moves the verified bytes `got` of `spec` to their final path (when it has one) and forgets
/// the sidecar; `md5_checked`: they were checked against a server MD5.
fn place(spec: &FileSpec<'_>, got: Downloaded, md5_checked: bool) -> Result<Fetched> {
    let path = match &spec.dest {
        Some(dest) => {
            move_into_place(spec.root, &spec.part, dest)?;
            dest.clone()
        }
        None => spec.part.clone(),
    };
    remove_sidecar(&spec.part);
    Ok(Fetched {
        size: got.total,
        sha256: got.digests.sha256,
        transferred: got.transferred,
        md5_checked,
        path,
        final_url: got.content_url,
        availability: got.availability,
    })
}

/// Whether a failure of the Xet path is the CAS's (the bridge may still serve the file), not
/// the user's disk, an interruption, or bytes that did not check out.
fn xet_falls_back(e: &Error) -> bool {
    !matches!(
        e,
        Error::Interrupted | Error::Io { .. } | Error::Integrity { .. } | Error::Conflict { .. }
    )
}

/// Moves a verified Xet download to its final path (when it has one).
fn place_xet(spec: &FileSpec<'_>, got: Downloaded, part: &std::path::Path) -> Result<Fetched> {
    let path = match &spec.dest {
        Some(dest) => {
            move_into_place(spec.root, part, dest)?;
            dest.clone()
        }
        None => part.to_path_buf(),
    };
    xet::discard_journal(part);
    Ok(Fetched {
        size: got.total,
        sha256: got.digests.sha256,
        transferred: got.transferred,
        md5_checked: false,
        path,
        final_url: None,
        availability: None,
    })
}

/// Rewrites an I/O error about the partial file (whose name is internal) to name the file being
/// downloaded and its dataset instead.
fn name_partial(e: Error, spec: &FileSpec<'_>, dataset: &str) -> Error {
    let tmp = spec.part.parent().unwrap_or(&spec.part);
    match e {
        Error::Io {
            op,
            path,
            message,
            source,
        } if path.starts_with(tmp) => Error::Io {
            op,
            path: spec.root.join(spec.rel_path),
            message: format!(
                "{message} (downloading {} of {dataset}; partial data is kept in {})",
                crate::sanitize::for_terminal(spec.rel_path),
                tmp.display()
            ),
            source,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests;
