//! Single-stream transfer of one file, resumable within a run and across runs.
//!
//! Bytes go to the partial file, hashed as they arrive. A transfer that breaks resumes with
//! `Range` (and `If-Range`) from the byte where it stopped; a server that ignores the range (200)
//! or whose object changed restarts the file from zero. A file large enough goes to parallel
//! chunks ([`super::ranged`]), straight away when its size is known, else after a first request
//! for one span (the probe) told it; a server that does not support them falls back here.

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio::sync::OwnedSemaphorePermit;

use super::ranged::{self, FirstResponse, Parallel};
use super::response::{Answer, Asked, Expect, Verdict, classify, validator_of};
use super::retry::Retries;
use super::sidecar::{Sidecar, read_sidecar, write_sidecar};
use super::spec::{Downloaded, FileSpec, Run};
use crate::error::{Error, Result};
use crate::http;
use crate::progress::{Event, TransferId, next_transfer_id};
use crate::verify::{Expected, Hashers};

/// Why the partial file must be open: it is closed only while parallel chunks write it.
const OPEN: &str = "the partial file is open outside parallel mode";

/// Most times one single-stream transfer asks the API for a fresh signed URL.
const MAX_RELOCATIONS: u32 = 3;

/// Below this size a content-addressed transfer keeps no sidecar: resuming it would not pay for
/// the two file operations per file.
const SMALL_FILE: u64 = 4 << 20;

/// Downloads the bytes of `spec` into its partial file, resuming what an earlier attempt or run
/// left there when it can be trusted (never when `from_scratch`).
pub(crate) async fn download(
    run: Run<'_>,
    spec: &FileSpec<'_>,
    from_scratch: bool,
) -> Result<Downloaded> {
    if let Some(dir) = spec.part.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
    }
    let (mut offset, mut side, on_disk) = resume_point(spec, from_scratch);
    let id = next_transfer_id();
    // A response to hand to the single-stream loop instead of sending a request (the whole
    // body, when parallel mode found that the server ignores ranges).
    let mut pending: Option<reqwest::Response> = None;
    let parallel_total = match side.chunks {
        // Chunks from an earlier run: resume them (the file is preallocated to the full size).
        Some(_) => Some(on_disk),
        None if offset == 0 => spec.size.filter(|&t| run.parallel.wants_parallel(t)),
        None => None,
    };
    if let Some(t) = parallel_total {
        let mut pside = side.clone();
        pside.size = Some(t);
        match ranged::download(run, spec, id, t, pside, None).await? {
            Parallel::Done(d) => return Ok(d),
            Parallel::Fallback(resp) => {
                pending = resp;
                offset = 0;
                side = Sidecar::default();
            }
        }
    }
    Stream::open(run, spec, id, offset, side, pending)
        .await?
        .run()
        .await
}

/// Where a transfer of `spec` may resume: (offset, sidecar, bytes on disk). Partial bytes are
/// only trusted when they are tied to the content: by the published checksum (the partial file
/// is named after it) or by a storage validator for `If-Range`.
fn resume_point(spec: &FileSpec<'_>, from_scratch: bool) -> (u64, Sidecar, u64) {
    let side = if from_scratch {
        None
    } else {
        read_sidecar(&spec.part)
    };
    let on_disk = std::fs::metadata(&spec.part).map(|m| m.len()).unwrap_or(0);
    let trusted = !from_scratch
        && (content_addressed(spec) || side.as_ref().is_some_and(|s| s.validator.is_some()))
        && spec.size.is_none_or(|s| on_disk <= s);
    let offset = if trusted { on_disk } else { 0 };
    let side = if trusted {
        side.unwrap_or_default()
    } else {
        Sidecar::default()
    };
    if side.chunks.is_some() && spec.size.or(side.size) != Some(on_disk) {
        // A chunk layout whose file is not the preallocated size: nothing in it is trusted.
        return (0, Sidecar::default(), on_disk);
    }
    (offset, side, on_disk)
}

/// Whether the partial file is named after the published checksum.
fn content_addressed(spec: &FileSpec<'_>) -> bool {
    matches!(
        spec.expected,
        Some(Expected::Sha256(_) | Expected::GitSha1(_))
    )
}

fn new_hashers(spec: &FileSpec<'_>, total: Option<u64>) -> Hashers {
    Hashers::new(spec.expected.as_ref(), total, spec.md5_from_server)
}

/// What to do after an answer was judged.
enum Step {
    /// Send the next request.
    Again,
    /// Write this body (`md5`: the storage's MD5 it carries).
    Body(reqwest::Response, Option<[u8; 16]>),
    /// The file arrived in parallel chunks.
    Done(Downloaded),
}

/// The state of one single-stream transfer.
struct Stream<'a> {
    run: Run<'a>,
    spec: &'a FileSpec<'a>,
    id: TransferId,
    /// The partial file; closed while parallel chunks write it.
    sink: Option<Sink>,
    hashers: Hashers,
    /// Bytes of the file on disk, from 0.
    offset: u64,
    /// The furthest the resume point has been: an attempt that does not get past it (a proxy
    /// answering every request with the same short page) is not progress.
    best: u64,
    /// The file's size, once known.
    total: Option<u64>,
    side: Sidecar,
    server_md5: Option<[u8; 16]>,
    /// The URL that served the bytes (the signed storage URL, once the API redirected there).
    content_url: Option<Url>,
    /// Bytes received in this run.
    transferred: u64,
    relocations: u32,
    retries: Retries<'a>,
    /// The next request asks for the first span only, to learn the size.
    probe: bool,
    /// An answer to use instead of sending the next request.
    pending: Option<reqwest::Response>,
    api_origin: String,
}

impl<'a> Stream<'a> {
    /// Opens the partial file keeping its first `offset` bytes (hashed again), and reports the
    /// start.
    async fn open(
        run: Run<'a>,
        spec: &'a FileSpec<'a>,
        id: TransferId,
        mut offset: u64,
        side: Sidecar,
        pending: Option<reqwest::Response>,
    ) -> Result<Stream<'a>> {
        // Size unknown (Kaggle): the first request asks for one span only; its Content-Range
        // tells the size, and a larger file continues in parallel chunks.
        let probe = spec.size.is_none()
            && offset == 0
            && pending.is_none()
            && run.parallel.max_connections > 1;
        let total = spec.size.or(side.size);
        if total.is_some_and(|t| offset > t) {
            offset = 0;
        }
        let sink = Sink::open(&spec.part, offset, total).await?;
        let mut hashers = new_hashers(spec, total);
        if offset > 0 {
            let part = spec.part.clone();
            hashers = tokio::task::spawn_blocking(move || {
                crate::verify::hash_prefix(&part, offset, &mut hashers).map(|_| hashers)
            })
            .await
            .map_err(|e| Error::conflict(format!("hashing task failed: {e}"), None))??;
        }
        run.started(id, spec, total, offset);
        Ok(Stream {
            run,
            spec,
            id,
            sink: Some(sink),
            hashers,
            offset,
            best: offset,
            total,
            server_md5: side.server_md5(),
            side,
            content_url: None,
            transferred: 0,
            relocations: 0,
            retries: Retries::new(run.http, run.reporter, spec.rel_path),
            probe,
            pending,
            api_origin: http::origin_of(&spec.request.url),
        })
    }

    fn sink(&mut self) -> &mut Sink {
        self.sink.as_mut().expect(OPEN)
    }

    /// Requests, judges and writes answers until the whole file is on disk.
    async fn run(mut self) -> Result<Downloaded> {
        while self.total.is_none_or(|t| self.offset != t) {
            // The run's connection is held until the body is read.
            let (sent, mut permit) = self.send().await?;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    let reason = http::describe_transport_error(&e);
                    self.retries.wait(None, &reason).await?;
                    continue;
                }
            };
            let (resp, md5) = match self.judge(resp, &mut permit).await? {
                Step::Again => continue,
                Step::Done(d) => return Ok(d),
                Step::Body(resp, md5) => (resp, md5),
            };
            self.accept(&resp, md5)?;
            if self.receive(resp).await? {
                break;
            }
        }
        let mut sink = self.sink.take().expect(OPEN);
        sink.finish().await?;
        let total = self.total.unwrap_or(self.offset);
        let digests = self
            .run
            .verified(self.id, self.hashers, total, self.transferred);
        Ok(Downloaded {
            digests,
            total,
            server_md5: self.server_md5,
            transferred: self.transferred,
            content_url: self.content_url,
            availability: None,
        })
    }

    /// Sends the next request (or takes the pending answer) with the range it needs: the
    /// probe's span, or the rest of the file from the resume point; the run's connection it
    /// holds comes along.
    async fn send(
        &mut self,
    ) -> Result<(
        std::result::Result<reqwest::Response, reqwest::Error>,
        Option<OwnedSemaphorePermit>,
    )> {
        let spec = self.spec;
        let mut req = match &self.content_url {
            Some(u) => spec.request_to(u.clone(), HeaderMap::new()),
            None => spec.request.clone(),
        };
        if self.probe {
            let span = self.run.parallel.first_span();
            req.headers.insert(
                reqwest::header::RANGE,
                HeaderValue::from_str(&format!("bytes=0-{}", span - 1)).expect("ascii"),
            );
        } else if self.offset > 0 {
            req.headers.insert(
                reqwest::header::RANGE,
                HeaderValue::from_str(&format!("bytes={}-", self.offset)).expect("ascii"),
            );
            if let Some(v) = self
                .side
                .validator
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                req.headers.insert(reqwest::header::IF_RANGE, v);
            }
        }
        let permit = match &self.pending {
            None => self.run.connection().await?,
            Some(_) => None,
        };
        let sent = match self.pending.take() {
            Some(r) => Ok(r),
            None => self.run.send(&req).await?,
        };
        Ok((sent, permit))
    }

    /// Acts on what the answer is (see [`super::response`]).
    async fn judge(
        &mut self,
        resp: reqwest::Response,
        permit: &mut Option<OwnedSemaphorePermit>,
    ) -> Result<Step> {
        let spec = self.spec;
        let expect = Expect {
            asked: Asked::Stream {
                offset: self.offset,
                probe: self.probe,
            },
            rel_path: spec.rel_path,
            size: spec.size,
            api_origin: &self.api_origin,
            md5_from_server: spec.md5_from_server,
            md5: self.server_md5,
        };
        let verdict = classify(&Answer::of(&resp), &expect);
        // Only one request is the probe, whatever its answer.
        self.probe = false;
        match verdict {
            Verdict::Range { total, md5, .. } => {
                if self.total.is_none() {
                    self.total = total;
                }
                Ok(Step::Body(resp, md5))
            }
            Verdict::Whole { length, md5 } => {
                if self.offset > 0 {
                    // Range ignored, or If-Range said the object changed: start from zero.
                    self.restart().await?;
                }
                if spec.size.is_none() {
                    self.total = length;
                    self.hashers = new_hashers(spec, self.total);
                }
                Ok(Step::Body(resp, md5))
            }
            Verdict::Larger { total, md5 } => {
                let first = FirstResponse {
                    response: resp,
                    permit: permit.take(),
                };
                self.go_parallel(first, total, md5).await
            }
            // Nothing of it is written: the partial file keeps what it had.
            v @ Verdict::NotTheFile(_) => self.again(None, &v.reason()).await,
            v @ Verdict::OtherRange => {
                // A range we did not ask for: start over rather than splice bytes.
                self.retries.wait(None, &v.reason()).await?;
                self.restart().await?;
                Ok(Step::Again)
            }
            v @ Verdict::Refused => {
                self.restart().await?;
                self.again(None, &v.reason()).await
            }
            Verdict::Changed { md5 } => {
                // The object changed under a matching validator: do not splice two versions.
                self.content_url = Some(resp.url().clone());
                self.total = spec.size;
                self.server_md5 = Some(md5);
                self.restart().await?;
                Ok(Step::Again)
            }
            Verdict::Expired if self.relocations < MAX_RELOCATIONS => {
                // A signed CDN / storage URL that expired: ask the API for a fresh one.
                self.relocations += 1;
                self.content_url = None;
                self.run.relocating(spec, resp.status());
                Ok(Step::Again)
            }
            v @ Verdict::Transient { wait, .. } if !self.retries.spent() => {
                self.again(wait, &v.reason()).await
            }
            _ => {
                let attempts = self.retries.attempts();
                Err(spec.failure(resp, &self.api_origin, attempts).await)
            }
        }
    }

    /// Counts a transient failure and waits before the next request.
    async fn again(&mut self, wait: Option<std::time::Duration>, reason: &str) -> Result<Step> {
        self.retries.wait(wait, reason).await?;
        Ok(Step::Again)
    }

    /// Starts the file over from byte 0 (with `self.total` as its size), and says so.
    async fn restart(&mut self) -> Result<()> {
        self.sink().reset().await?;
        self.offset = 0;
        self.hashers = new_hashers(self.spec, self.total);
        self.run.started(self.id, self.spec, self.total, 0);
        Ok(())
    }

    /// The probe's answer tells a large object of `total` bytes: fetch it in parallel chunks,
    /// starting with that answer; when the server does not support them, back to one stream.
    async fn go_parallel(
        &mut self,
        first: FirstResponse,
        total: u64,
        md5: Option<[u8; 16]>,
    ) -> Result<Step> {
        // Parallel mode writes the file its own way: release it (and its buffer) meanwhile.
        self.sink = None;
        let mut side = std::mem::take(&mut self.side);
        side.size = Some(total);
        side.validator = validator_of(first.response.headers());
        side.md5 = md5.map(hex::encode);
        let (run, spec) = (self.run, self.spec);
        match ranged::download(run, spec, self.id, total, side, Some(first)).await? {
            Parallel::Done(d) => Ok(Step::Done(d)),
            Parallel::Fallback(r) => {
                self.pending = r;
                self.offset = 0;
                self.total = spec.size;
                self.sink = Some(Sink::open(&spec.part, 0, self.total).await?);
                self.hashers = new_hashers(spec, self.total);
                self.server_md5 = None;
                run.started(self.id, spec, self.total, 0);
                Ok(Step::Again)
            }
        }
    }

    /// Takes what an answer about to be written says of the object (its URL, validator and
    /// storage MD5) and records it in the sidecar.
    fn accept(&mut self, resp: &reqwest::Response, md5: Option<[u8; 16]>) -> Result<()> {
        self.content_url = Some(resp.url().clone());
        let etag = validator_of(resp.headers());
        if self.spec.md5_from_server {
            self.server_md5 = md5;
        }
        if etag.is_some() {
            self.side.validator = etag;
        }
        self.side.size = self.total;
        self.side.md5 = self.server_md5.map(hex::encode);
        // A content-addressed partial file needs no sidecar to be trusted (its name is its
        // checksum); skipping it saves two file operations per small file.
        if !content_addressed(self.spec)
            || self.offset > 0
            || self.total.is_none_or(|t| t >= SMALL_FILE)
        {
            write_sidecar(&self.spec.part, &self.side)?;
        }
        Ok(())
    }

    /// Writes the body of `resp` at the resume point. `true` when the file is complete; `false`
    /// when another request must continue it (after a transient failure was counted).
    async fn receive(&mut self, mut resp: reqwest::Response) -> Result<bool> {
        let mut progressed = false;
        loop {
            let next = tokio::select! {
                c = resp.chunk() => c,
                _ = self.run.http.cancel.cancelled() => {
                    // Keep every byte received so the next run resumes right here.
                    self.sink().flush().await?;
                    return Err(Error::Interrupted);
                }
            };
            match next {
                Ok(Some(mut chunk)) => {
                    let (offset, total) = (self.offset, self.total);
                    if let Some(t) = total
                        && offset + chunk.len() as u64 > t
                    {
                        // More bytes than the object has: keep what fits, the checksum decides.
                        chunk.truncate((t - offset) as usize);
                    }
                    if chunk.is_empty() {
                        break;
                    }
                    self.sink().write(&chunk).await.map_err(|e| {
                        e.with_space_needed(total.map(|t| t.saturating_sub(offset)))
                    })?;
                    self.hashers.update(&chunk);
                    let n = chunk.len() as u64;
                    self.offset += n;
                    self.transferred += n;
                    progressed = true;
                    self.run.reporter.on_event(&Event::Bytes {
                        id: self.id,
                        delta: n,
                    });
                    if total.is_some_and(|t| self.offset >= t) {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    self.sink().flush().await?;
                    let reason = http::describe_transport_error(&e);
                    self.broke_off(progressed, &reason).await?;
                    return Ok(false);
                }
            }
        }
        self.sink().flush().await?;
        match self.total {
            None => self.total = Some(self.offset),
            Some(t) if self.offset < t => {
                let reason = "the response ended before the whole file arrived";
                self.broke_off(progressed, reason).await?;
                return Ok(false);
            }
            _ => {}
        }
        Ok(true)
    }

    /// A body stopped before the end: only moving past the furthest resume point is progress
    /// (it forgets the failures); counts this one and waits before the next request.
    async fn broke_off(&mut self, progressed: bool, reason: &str) -> Result<()> {
        if progressed && self.offset > self.best {
            self.retries.reset();
        }
        self.best = self.best.max(self.offset);
        self.retries.wait(None, reason).await
    }
}

/// The write side of one transfer: the partial file behind a buffer.
struct Sink {
    path: std::path::PathBuf,
    writer: tokio::io::BufWriter<tokio::fs::File>,
}

impl Sink {
    /// Opens the partial file keeping its first `keep` bytes; `size` (when known) bounds the
    /// write buffer, so many small transfers at once do not each hold a megabyte.
    async fn open(path: &std::path::Path, keep: u64, size: Option<u64>) -> Result<Sink> {
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

    /// Empties the file.
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
    async fn finish(&mut self) -> Result<()> {
        self.flush().await?;
        self.writer
            .get_mut()
            .sync_data()
            .await
            .map_err(|e| Error::io("syncing", &self.path, e))
    }
}
