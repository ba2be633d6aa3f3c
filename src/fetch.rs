//! Streaming one file to disk: resumable, verified, atomic.
//!
//! Bytes go to a partial file in the dataset's `.dsfetch/tmp` folder (same file system as the
//! final path), hashed as they arrive. A transfer that breaks resumes with `Range` from the byte
//! where it stopped, within a run and across runs; a server that ignores the range (200) or
//! whose object changed (`If-Range` mismatch) restarts the file from zero. Only when the size and
//! checksum match is the file renamed to its final path. A mismatch is retried once from scratch,
//! then reported as an integrity error with nothing at the final path.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio::sync::Semaphore;

use crate::chunked::{Availability, ChunkState, FirstResponse, Parallel, ParallelConfig};
use crate::error::{Error, Result};
use crate::http::{self, ErrorMap, Http, HttpFailure, Request};
use crate::paths::move_into_place;
use crate::progress::{Event, Reporter, next_transfer_id};
use crate::verify::{Digests, Expected, Hashers};

/// Below this size a content-addressed transfer keeps no sidecar: resuming it would not pay for
/// the two file operations per file.
const SMALL_FILE: u64 = 4 << 20;

/// Where the bytes of one file come from and what they must be.
pub struct FileSpec<'a> {
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
}

impl FileSpec<'_> {
    /// The final error for a failed answer to this file's request, in the protocol's words.
    pub async fn failure(&self, resp: reqwest::Response, api_origin: &str, attempts: u32) -> Error {
        let f = HttpFailure::from_response(resp, api_origin, attempts, self.rel_path).await;
        self.errors.map(&f)
    }
}

/// A verified file.
#[derive(Debug, Clone)]
pub struct Fetched {
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
pub struct Fetcher<'a> {
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
    /// Bounds the large files in parallel mode at once (see [`crate::chunked::MAX_PARALLEL_FILES`]).
    pub large_files: Arc<Semaphore>,
}

/// What the partial file's sidecar (`<part>.json`) records for resuming.
#[derive(serde::Serialize, serde::Deserialize, Default, Debug, Clone)]
pub(crate) struct Sidecar {
    /// Full size, when known.
    pub size: Option<u64>,
    /// `ETag` or `Last-Modified` of the object, for `If-Range`.
    pub validator: Option<String>,
    /// The storage's MD5 (hex), when it sent one.
    pub md5: Option<String>,
    /// Parallel mode: the chunk layout and the chunks complete on disk. Absent in single-stream
    /// mode, where the partial file's length is the progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks: Option<ChunkState>,
}

fn sidecar_path(part: &Path) -> PathBuf {
    let mut s = part.as_os_str().to_owned();
    s.push(".json");
    PathBuf::from(s)
}

fn read_sidecar(part: &Path) -> Option<Sidecar> {
    let bytes = std::fs::read(sidecar_path(part)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes the sidecar atomically (temp file, rename): a run killed mid-write leaves the old one.
pub(crate) fn write_sidecar(part: &Path, s: &Sidecar) -> Result<()> {
    let p = sidecar_path(part);
    let mut tmp = p.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let json = serde_json::to_vec(s).unwrap_or_default();
    std::fs::write(&tmp, json).map_err(|e| Error::io("writing", &tmp, e))?;
    std::fs::rename(&tmp, &p).map_err(|e| Error::io("writing", &p, e))
}

/// The validator for `If-Range`: the `ETag`, else `Last-Modified`.
fn validator_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::ETAG)
        .or_else(|| headers.get(reqwest::header::LAST_MODIFIED))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Bytes a partial file holds: its length, or in parallel mode (where the file is preallocated,
/// and sparse) the chunks its sidecar records as complete.
fn partial_len(part: &Path) -> u64 {
    let len = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    match read_sidecar(part) {
        Some(Sidecar {
            chunks: Some(c),
            size: Some(total),
            ..
        }) if c.chunk_size > 0 => c
            .done
            .iter()
            .map(|&i| {
                c.chunk_size
                    .min(total.saturating_sub(u64::from(i) * c.chunk_size))
            })
            .sum(),
        _ => len,
    }
}

/// Removes a partial file and its sidecar (missing files are fine).
pub fn discard_partial(part: &Path) {
    let _ = std::fs::remove_file(part);
    let _ = std::fs::remove_file(sidecar_path(part));
}

/// Parses `Content-Range: bytes a-b/total` into (a, b, total).
pub fn parse_content_range(v: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (a, b) = range.split_once('-')?;
    let a = a.trim().parse().ok()?;
    let b = b.trim().parse().ok()?;
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    if b < a {
        return None;
    }
    Some((a, b, total))
}

/// The bytes of one transfer, before verification.
pub(crate) struct Downloaded {
    pub digests: Digests,
    pub total: u64,
    pub server_md5: Option<[u8; 16]>,
    pub transferred: u64,
    pub content_url: Option<Url>,
    pub availability: Option<Arc<Availability>>,
}

/// State of the write side of one transfer.
struct Sink {
    path: PathBuf,
    writer: tokio::io::BufWriter<tokio::fs::File>,
}

impl Sink {
    /// Opens the partial file keeping its first `keep` bytes; `size` (when known) bounds the
    /// write buffer, so many small transfers at once do not each hold a megabyte.
    async fn open(path: &Path, keep: u64, size: Option<u64>) -> Result<Sink> {
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(path)
            .await
            .map_err(|e| Error::io("opening", path, e))?;
        file.set_len(keep)
            .await
            .map_err(|e| Error::io("truncating", path, e))?;
        let cap = size.map_or(1 << 20, |s| s.clamp(4096, 1 << 20) as usize);
        let mut writer = tokio::io::BufWriter::with_capacity(cap, file);
        writer
            .seek(std::io::SeekFrom::Start(keep))
            .await
            .map_err(|e| Error::io("seeking", path, e))?;
        Ok(Sink {
            path: path.to_path_buf(),
            writer,
        })
    }

    async fn write(&mut self, data: &[u8]) -> Result<()> {
        self.writer
            .write_all(data)
            .await
            .map_err(|e| Error::io("writing", &self.path, e))
    }

    async fn flush(&mut self) -> Result<()> {
        self.writer
            .flush()
            .await
            .map_err(|e| Error::io("writing", &self.path, e))
    }

    async fn reset(&mut self) -> Result<()> {
        self.flush().await?;
        self.writer
            .get_mut()
            .set_len(0)
            .await
            .map_err(|e| Error::io("truncating", &self.path, e))?;
        self.writer
            .seek(std::io::SeekFrom::Start(0))
            .await
            .map_err(|e| Error::io("seeking", &self.path, e))?;
        Ok(())
    }

    /// Flushes and waits until the bytes are on disk, so that a rename after a power cut never
    /// names a file whose data was lost.
    async fn finish(mut self) -> Result<()> {
        self.flush().await?;
        self.writer
            .get_mut()
            .sync_data()
            .await
            .map_err(|e| Error::io("syncing", &self.path, e))
    }
}

impl Fetcher<'_> {
    /// Downloads, verifies and moves one file into place. See the module documentation.
    pub async fn fetch(&self, spec: &FileSpec<'_>) -> Result<Fetched> {
        let mut from_scratch = false;
        loop {
            let got = self.download(spec, from_scratch).await.map_err(|e| {
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
            match check {
                Ok(()) => {
                    let path = match &spec.dest {
                        Some(dest) => {
                            move_into_place(spec.root, &spec.part, dest)?;
                            dest.clone()
                        }
                        None => spec.part.clone(),
                    };
                    let _ = std::fs::remove_file(sidecar_path(&spec.part));
                    return Ok(Fetched {
                        size: got.total,
                        sha256: got.digests.sha256,
                        transferred: got.transferred,
                        md5_checked: matches!(expected, Some(Expected::Md5(_))),
                        path,
                        final_url: got.content_url,
                        availability: got.availability,
                    });
                }
                Err(actual) => {
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
        }
    }

    async fn download(&self, spec: &FileSpec<'_>, from_scratch: bool) -> Result<Downloaded> {
        if let Some(dir) = spec.part.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
        }
        let content_addressed = matches!(
            spec.expected,
            Some(Expected::Sha256(_) | Expected::GitSha1(_))
        );
        let side = if from_scratch {
            None
        } else {
            read_sidecar(&spec.part)
        };
        let on_disk = std::fs::metadata(&spec.part).map(|m| m.len()).unwrap_or(0);
        // Partial bytes are only trusted when they are tied to the content: by the published
        // checksum (the partial file is named after it) or by a storage validator for If-Range.
        let trusted = !from_scratch
            && (content_addressed || side.as_ref().is_some_and(|s| s.validator.is_some()))
            && spec.size.is_none_or(|s| on_disk <= s);
        let mut offset = if trusted { on_disk } else { 0 };
        let mut side = if trusted {
            side.unwrap_or_default()
        } else {
            Sidecar::default()
        };
        let id = next_transfer_id();
        // A response to hand to the single-stream loop instead of sending a request (the whole
        // body, when parallel mode found that the server ignores ranges).
        let mut pending: Option<reqwest::Response> = None;
        if side.chunks.is_some() && spec.size.or(side.size) != Some(on_disk) {
            // A chunk layout whose file is not the preallocated size: nothing in it is trusted.
            offset = 0;
            side = Sidecar::default();
        }
        let parallel_total = match side.chunks {
            // Chunks from an earlier run: resume them (the file is preallocated to the full size).
            Some(_) => Some(on_disk),
            None if offset == 0 => spec.size.filter(|&t| self.parallel.wants_parallel(t)),
            None => None,
        };
        if let Some(t) = parallel_total {
            let mut pside = side.clone();
            pside.size = Some(t);
            match self.download_parallel(spec, id, t, pside, None).await? {
                Parallel::Done(d) => return Ok(d),
                Parallel::Fallback(resp) => {
                    pending = resp;
                    offset = 0;
                    side = Sidecar::default();
                }
            }
        }
        // Size unknown (Kaggle): the first request asks for one span only; its Content-Range
        // tells the size, and a larger file continues in parallel chunks.
        let mut probe = spec.size.is_none()
            && offset == 0
            && pending.is_none()
            && self.parallel.max_connections > 1;
        let mut total = spec.size.or(side.size);
        if total.is_some_and(|t| offset > t) {
            offset = 0;
        }
        let mut sink = Sink::open(&spec.part, offset, total).await?;
        let new_hashers =
            |total: Option<u64>| Hashers::new(spec.expected.as_ref(), total, spec.md5_from_server);
        let mut hashers = new_hashers(total);
        if offset > 0 {
            let part = spec.part.clone();
            hashers = tokio::task::spawn_blocking(move || {
                crate::verify::hash_prefix(&part, offset, &mut hashers).map(|_| hashers)
            })
            .await
            .map_err(|e| Error::conflict(format!("hashing task failed: {e}"), None))??;
        }
        self.reporter.on_event(&Event::FileStart {
            id,
            dataset: self.dataset,
            name: spec.rel_path,
            total,
            resumed_from: offset,
        });
        let api_origin = http::origin_of(&spec.request.url);
        let mut content_url: Option<Url> = None;
        let mut failures: u32 = 0;
        let mut relocations: u32 = 0;
        let mut transferred: u64 = 0;
        let mut server_md5: Option<[u8; 16]> = side
            .md5
            .as_deref()
            .and_then(|h| hex::decode(h).ok())
            .and_then(|v| v.try_into().ok());
        // The furthest the resume point has been: an attempt that does not get past it (a proxy
        // answering every request with the same short page) is not progress.
        let mut best = offset;

        'request: loop {
            if total.is_some_and(|t| offset == t) {
                break;
            }
            let mut req = match &content_url {
                Some(u) => Request {
                    method: reqwest::Method::GET,
                    url: u.clone(),
                    headers: HeaderMap::new(),
                    body: None,
                    auth: spec.request.auth.clone(),
                    what: spec.request.what.clone(),
                },
                None => spec.request.clone(),
            };
            if probe {
                req.headers.insert(
                    reqwest::header::RANGE,
                    HeaderValue::from_str(&format!("bytes=0-{}", self.parallel.first_span() - 1))
                        .expect("ascii"),
                );
            } else if offset > 0 {
                req.headers.insert(
                    reqwest::header::RANGE,
                    HeaderValue::from_str(&format!("bytes={offset}-")).expect("ascii"),
                );
                if let Some(v) = side
                    .validator
                    .as_deref()
                    .and_then(|v| HeaderValue::from_str(v).ok())
                {
                    req.headers.insert(reqwest::header::IF_RANGE, v);
                }
            }
            let mut permit = match (&self.connections, &pending) {
                (Some(s), None) => Some(
                    s.clone()
                        .acquire_owned()
                        .await
                        .map_err(|_| Error::Interrupted)?,
                ),
                _ => None,
            };
            let sent = match pending.take() {
                Some(r) => Ok(r),
                None => {
                    self.http
                        .cancellable(self.http.execute_once(&req, self.reporter))
                        .await?
                }
            };
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    self.transient(
                        &mut failures,
                        None,
                        &http::describe_transport_error(&e),
                        spec,
                    )
                    .await?;
                    continue;
                }
            };
            let status = resp.status();
            if let Some(reason) = not_the_file(&resp, spec) {
                // Nothing of it is written: the partial file keeps what it had.
                probe = false;
                self.transient(&mut failures, None, &reason, spec).await?;
                continue;
            }
            let from_api = http::origin_of(resp.url()) == api_origin;
            let probing = std::mem::replace(&mut probe, false);
            match status.as_u16() {
                206 => {
                    let cr = resp
                        .headers()
                        .get(reqwest::header::CONTENT_RANGE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_content_range);
                    match cr {
                        Some((0, end, Some(t))) if probing && t > end + 1 => {
                            // A large object: fetch the rest in parallel chunks.
                            drop(sink);
                            side.size = Some(t);
                            side.validator = validator_of(resp.headers());
                            side.md5 = self.md5_of(spec, resp.headers()).map(hex::encode);
                            let first = FirstResponse {
                                response: resp,
                                permit: permit.take(),
                            };
                            match self
                                .download_parallel(spec, id, t, side, Some(first))
                                .await?
                            {
                                Parallel::Done(d) => return Ok(d),
                                Parallel::Fallback(r) => {
                                    pending = r;
                                    offset = 0;
                                    side = Sidecar::default();
                                    total = spec.size;
                                    sink = Sink::open(&spec.part, 0, total).await?;
                                    hashers = new_hashers(total);
                                    server_md5 = None;
                                    self.restarted(id, spec, total);
                                    continue;
                                }
                            }
                        }
                        Some((start, _, t)) if start == offset => {
                            if total.is_none() {
                                total = t;
                            }
                        }
                        _ => {
                            // A range we did not ask for: start over rather than splice bytes.
                            self.transient(
                                &mut failures,
                                None,
                                "server answered a different range than requested",
                                spec,
                            )
                            .await?;
                            sink.reset().await?;
                            offset = 0;
                            hashers = new_hashers(total);
                            self.restarted(id, spec, total);
                            continue;
                        }
                    }
                }
                200 => {
                    if offset > 0 {
                        // Range ignored, or If-Range said the object changed: start from zero.
                        sink.reset().await?;
                        offset = 0;
                        hashers = new_hashers(total);
                        self.restarted(id, spec, total);
                    }
                    if spec.size.is_none() {
                        total = resp.content_length();
                        hashers = new_hashers(total);
                    }
                }
                416 => {
                    sink.reset().await?;
                    offset = 0;
                    hashers = new_hashers(total);
                    self.restarted(id, spec, total);
                    self.transient(&mut failures, None, "server refused the resume range", spec)
                        .await?;
                    continue;
                }
                401 | 403 | 410 if !from_api && relocations < 3 => {
                    // A signed CDN / storage URL that expired: ask the API for a fresh one.
                    relocations += 1;
                    content_url = None;
                    self.reporter.on_event(&Event::Debug(&format!(
                        "{}: storage answered {status}; requesting a fresh download URL",
                        spec.rel_path
                    )));
                    continue;
                }
                s if http::is_transient_status(status) || http::is_redirect_loop(status) => {
                    let wait = http::server_wait(resp.headers(), std::time::SystemTime::now());
                    if failures >= self.http.retry.retries {
                        return Err(spec.failure(resp, &api_origin, failures + 1).await);
                    }
                    self.transient(&mut failures, wait, &format!("HTTP {s}"), spec)
                        .await?;
                    continue;
                }
                _ => {
                    return Err(spec.failure(resp, &api_origin, failures + 1).await);
                }
            }
            content_url = Some(resp.url().clone());
            let etag = resp
                .headers()
                .get(reqwest::header::ETAG)
                .or_else(|| resp.headers().get(reqwest::header::LAST_MODIFIED))
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if spec.md5_from_server {
                let md5 = crate::verify::parse_goog_md5(
                    resp.headers()
                        .get_all("x-goog-hash")
                        .iter()
                        .filter_map(|v| v.to_str().ok()),
                );
                if status.as_u16() == 206
                    && md5.is_some()
                    && server_md5.is_some()
                    && md5 != server_md5
                {
                    // The object changed under a matching validator: do not splice two versions.
                    sink.reset().await?;
                    offset = 0;
                    hashers = new_hashers(spec.size);
                    total = spec.size;
                    server_md5 = md5;
                    self.restarted(id, spec, total);
                    continue;
                }
                server_md5 = md5;
            }
            if etag.is_some() {
                side.validator = etag;
            }
            side.size = total;
            side.md5 = server_md5.map(hex::encode);
            // A content-addressed partial file needs no sidecar to be trusted (its name is its
            // checksum); skipping it saves two file operations per small file.
            if !content_addressed || offset > 0 || total.is_none_or(|t| t >= SMALL_FILE) {
                write_sidecar(&spec.part, &side)?;
            }

            let mut resp = resp;
            let mut progressed = false;
            loop {
                let next = tokio::select! {
                    c = resp.chunk() => c,
                    _ = self.http.cancel.cancelled() => {
                        // Keep every byte received so the next run resumes right here.
                        sink.flush().await?;
                        return Err(Error::Interrupted);
                    }
                };
                match next {
                    Ok(Some(mut chunk)) => {
                        if let Some(t) = total
                            && offset + chunk.len() as u64 > t
                        {
                            // More bytes than the object has: keep what fits, the checksum decides.
                            chunk.truncate((t - offset) as usize);
                        }
                        if chunk.is_empty() {
                            break;
                        }
                        sink.write(&chunk).await.map_err(|e| {
                            e.with_space_needed(total.map(|t| t.saturating_sub(offset)))
                        })?;
                        hashers.update(&chunk);
                        let n = chunk.len() as u64;
                        offset += n;
                        transferred += n;
                        progressed = true;
                        self.reporter.on_event(&Event::Bytes { id, delta: n });
                        if total.is_some_and(|t| offset >= t) {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        sink.flush().await?;
                        if progressed && offset > best {
                            failures = 0;
                        }
                        best = best.max(offset);
                        let reason = http::describe_transport_error(&e);
                        self.transient(&mut failures, None, &reason, spec).await?;
                        continue 'request;
                    }
                }
            }
            sink.flush().await?;
            match total {
                None => total = Some(offset),
                Some(t) if offset < t => {
                    if progressed && offset > best {
                        failures = 0;
                    }
                    best = best.max(offset);
                    self.transient(
                        &mut failures,
                        None,
                        "the response ended before the whole file arrived",
                        spec,
                    )
                    .await?;
                    continue;
                }
                _ => {}
            }
            break;
        }
        sink.finish().await?;
        self.reporter.on_event(&Event::Verify { id });
        let total = total.unwrap_or(offset);
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
        Ok(Downloaded {
            digests,
            total,
            server_md5,
            transferred,
            content_url,
            availability: None,
        })
    }

    /// The storage's MD5 from `x-goog-hash`, when the spec takes it from the server.
    fn md5_of(&self, spec: &FileSpec<'_>, headers: &HeaderMap) -> Option<[u8; 16]> {
        if !spec.md5_from_server {
            return None;
        }
        crate::verify::parse_goog_md5(
            headers
                .get_all("x-goog-hash")
                .iter()
                .filter_map(|v| v.to_str().ok()),
        )
    }

    fn restarted(&self, id: u64, spec: &FileSpec<'_>, total: Option<u64>) {
        self.reporter.on_event(&Event::FileStart {
            id,
            dataset: self.dataset,
            name: spec.rel_path,
            total,
            resumed_from: 0,
        });
    }

    /// Counts a transient failure; waits before the next try, or gives up with a network error.
    pub(crate) async fn transient(
        &self,
        failures: &mut u32,
        server_wait: Option<std::time::Duration>,
        reason: &str,
        spec: &FileSpec<'_>,
    ) -> Result<()> {
        *failures += 1;
        if *failures > self.http.retry.retries {
            return Err(Error::Network {
                message: format!(
                    "downloading {}: {reason}; the partial file was kept and the next run resumes it",
                    crate::sanitize::for_terminal(spec.rel_path)
                ),
                attempts: *failures,
            });
        }
        let wait = self
            .http
            .retry
            .wait(*failures, server_wait, rand::random::<f64>());
        self.reporter.on_event(&Event::Retry {
            what: spec.rel_path,
            attempt: *failures,
            wait,
            reason,
        });
        self.http.sleep(wait).await
    }
}

/// Whether a file named `path` may legitimately be served as HTML.
fn may_be_html(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".html", ".htm", ".xhtml", ".shtml"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Why a successful-looking answer (200 or 206) cannot be the file's bytes, if it cannot: an HTML
/// page for a file that is not HTML (a captive portal or a proxy's error page), or a length that
/// contradicts the published size. The reason names what came back: status, type and length.
fn not_the_file(resp: &reqwest::Response, spec: &FileSpec<'_>) -> Option<String> {
    let status = resp.status().as_u16();
    if status != 200 && status != 206 {
        return None;
    }
    let ctype = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| crate::sanitize::for_terminal(v.trim()))
        .filter(|v| !v.is_empty());
    let len = resp.content_length();
    let what = || {
        format!(
            "HTTP {status} with {}{}",
            len.map_or_else(|| "a body".to_string(), |n| format!("{n} bytes")),
            ctype
                .as_deref()
                .map(|t| format!(" of {t}"))
                .unwrap_or_default()
        )
    };
    let html = ctype.as_deref().is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        t.starts_with("text/html") || t.starts_with("application/xhtml")
    });
    if html && !may_be_html(spec.rel_path) {
        return Some(format!(
            "the server answered {} instead of the file (a proxy or captive portal page?)",
            what()
        ));
    }
    let announced = match status {
        200 => len,
        _ => resp
            .headers()
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_content_range)
            .and_then(|(_, _, t)| t),
    };
    match (spec.size, announced) {
        (Some(size), Some(n)) if n != size => Some(format!(
            "the server answered {} for a file of {size} bytes",
            what()
        )),
        _ => None,
    }
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
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(parse_content_range("bytes 0-9/10"), Some((0, 9, Some(10))));
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, 9, None)));
        assert_eq!(parse_content_range("bytes 9-5/10"), None);
        assert_eq!(parse_content_range("bytes */10"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }
}
