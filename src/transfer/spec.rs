//! What one transfer works with: the file ([`FileSpec`]), what the run shares with each of its
//! transfers ([`Run`]), and what a transfer hands back before verification ([`Downloaded`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::{StatusCode, Url};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::adapt::ParallelConfig;
use super::hashing::Availability;
use crate::error::{Error, Result};
use crate::http::{ErrorMap, Http, HttpFailure, Request};
use crate::progress::{Event, Reporter, TransferId};
use crate::verify::{Digests, Expected, Hashers};

/// Where the bytes of one file come from and what they must be.
pub(crate) struct FileSpec<'a> {
    /// Dataset-relative path, for events and messages.
    pub rel_path: &'a str,
    /// The dataset folder (final paths must stay inside it).
    pub root: &'a Path,
    /// Partial file (in the dataset's `.dsfetch/tmp`).
    pub part: PathBuf,
    /// Final path; `None` leaves the verified file at `part` for the caller.
    pub dest: Option<PathBuf>,
    /// Published size, when known in advance.
    pub size: Option<u64>,
    /// Published checksum, when known in advance.
    pub expected: Option<Expected>,
    /// Take the expected MD5 from the storage's `x-goog-hash` header (Kaggle).
    pub md5_from_server: bool,
    /// The first request (resolve URL, or an RPC answering a redirect to storage).
    pub request: Request,
    /// The size and sha256 the content must also have (from a lockfile).
    pub lock: Option<crate::lockfile::LockedFile>,
    /// Protocol-specific error mapping.
    pub errors: &'a dyn ErrorMap,
    /// Called when a parallel download starts (each attempt), with a handle that tells which
    /// bytes have arrived: lets the caller start reading (extracting) before the end.
    pub on_parallel: Option<&'a (dyn Fn(Arc<Availability>) + Sync)>,
    /// Fetch the last chunk first (a zip archive's directory is at its end).
    pub tail_first: bool,
    /// The file is Xet-backed: its file id and token route.
    pub xet: Option<super::XetSpec>,
}

impl FileSpec<'_> {
    /// The final error for a failed answer to this file's request, in the protocol's words.
    pub async fn failure(&self, resp: reqwest::Response, api_origin: &str, attempts: u32) -> Error {
        let f = HttpFailure::from_response(resp, api_origin, attempts, self.rel_path).await;
        self.errors.map(&f)
    }

    /// A GET of `url` (the content URL found earlier) with this file's credential, which only
    /// travels to its own origin, and `headers`.
    pub fn request_to(&self, url: Url, headers: reqwest::header::HeaderMap) -> Request {
        Request {
            method: reqwest::Method::GET,
            url,
            headers,
            body: None,
            auth: self.request.auth.clone(),
            what: self.request.what.clone(),
        }
    }
}

/// What a download run shares with each of its transfers (borrowed from the run's `Fetcher`).
#[derive(Clone, Copy)]
pub(crate) struct Run<'a> {
    /// The HTTP client.
    pub http: &'a Http,
    /// Progress sink.
    pub reporter: &'a dyn Reporter,
    /// The dataset, for events (`hf:acme/corpus@…`).
    pub dataset: &'a str,
    /// Cap on simultaneous connections across the run, if any.
    pub connections: Option<&'a Arc<Semaphore>>,
    /// How large files are split into parallel chunks.
    pub parallel: &'a ParallelConfig,
    /// Bounds the large files in parallel mode at once.
    pub large_files: &'a Semaphore,
}

impl Run<'_> {
    /// A connection of the run's cap, held while a request and its body are in flight (`None`
    /// without a cap).
    pub async fn connection(&self) -> Result<Option<OwnedSemaphorePermit>> {
        match self.connections {
            Some(s) => Ok(Some(
                s.clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| Error::Interrupted)?,
            )),
            None => Ok(None),
        }
    }

    /// Sends `req` once (following redirects); `Err` only when the run is cancelled, the
    /// inner result is the answer or the transport error.
    pub async fn send(
        &self,
        req: &Request,
    ) -> Result<std::result::Result<reqwest::Response, reqwest::Error>> {
        self.http
            .cancellable(self.http.execute_once(req, self.reporter))
            .await
    }

    /// Reports that transfer `id` of `spec` starts, or starts over, with `resumed_from` bytes
    /// already on disk.
    pub fn started(
        &self,
        id: TransferId,
        spec: &FileSpec<'_>,
        total: Option<u64>,
        resumed_from: u64,
    ) {
        self.reporter.on_event(&Event::FileStart {
            id,
            dataset: self.dataset,
            name: spec.rel_path,
            total,
            resumed_from,
        });
    }

    /// Reports that the storage answered `status` to the signed content URL of `spec`, which
    /// is asked for again.
    pub fn relocating(&self, spec: &FileSpec<'_>, status: StatusCode) {
        self.reporter.on_event(&Event::Debug(&format!(
            "{}: storage answered {status}; requesting a fresh download URL",
            spec.rel_path
        )));
    }

    /// Finishes the hashes of transfer `id`: reports `Verify`, then `FileDone` with the
    /// `transferred` bytes, or `FileError` when the bytes are not `total` long.
    pub fn verified(
        &self,
        id: TransferId,
        hashers: Hashers,
        total: u64,
        transferred: u64,
    ) -> Digests {
        self.reporter.on_event(&Event::Verify { id });
        let digests = hashers.finish();
        if digests.len == total {
            self.reporter.on_event(&Event::FileDone {
                id,
                bytes: transferred,
            });
        } else {
            self.reporter.on_event(&Event::FileError {
                id,
                message: "size mismatch",
            });
        }
        digests
    }
}

/// The bytes of one transfer, before verification.
pub(crate) struct Downloaded {
    /// What the bytes hash to, and how many there are.
    pub digests: Digests,
    /// The object's size.
    pub total: u64,
    /// The storage's MD5, when it sent one.
    pub server_md5: Option<[u8; 16]>,
    /// Bytes received from the network in this run.
    pub transferred: u64,
    /// The URL that served the bytes.
    pub content_url: Option<Url>,
    /// The availability handle, when the bytes came in parallel chunks.
    pub availability: Option<Arc<Availability>>,
}
