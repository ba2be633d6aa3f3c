//! Parallel ranged download of one large file.
//!
//! A file above a threshold is split into fixed-size chunks that are fetched over several
//! connections at once from the signed CDN / storage URL (`Range` requests, each written at its
//! offset into the preallocated partial file), so a CDN that caps each connection does not cap
//! dsfetch. The sidecar records the chunk layout and which chunks are complete; a chunk is
//! recorded only after all its bytes were written, so a later run fetches only the missing ones.
//!
//! - The signed URL is resolved once: the first chunk request goes to the resolve / RPC URL and
//!   follows its redirect, and every later request goes straight to the final URL (without
//!   credentials: they are origin-bound). A 401/403/410 from that URL re-resolves it.
//! - A failing chunk is retried alone, resuming at its first missing byte; the others go on.
//! - The number of connections adapts: it starts small and doubles while throughput grows, halves
//!   on errors (429, 5xx, broken connections), and never exceeds the `--connections` cap.
//! - The whole-file checksum is still computed: a blocking thread hashes the file in order,
//!   following the contiguous written prefix while the chunks arrive, so hashing overlaps the
//!   transfer and only the last in-flight chunks remain to hash at the end.
//! - A server that ignores `Range` (200 to a ranged request), an object that changed under its
//!   validator, or a 416 ends parallel mode: the caller falls back to a single stream.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::sync::OwnedSemaphorePermit;

use super::adapt::{ADAPT_EVERY, Adapt, ParallelConfig};
use super::hashing::{Availability, ChunkProgress, Hasher, lock};
use super::response::{Answer, Asked, Expect, Verdict, classify};
use super::retry::Retries;
use super::sidecar::{Sidecar, write_sidecar};
use super::spec::{Downloaded, FileSpec, Run};
use super::sys;
use crate::error::{Error, Result};
use crate::http;
use crate::progress::{Event, TransferId};
use crate::verify::Hashers;

/// Bytes gathered per chunk before they are written at their offset: one `pwritev` per batch
/// keeps system calls few, and memory stays at `connections ×` this.
const WRITE_BUFFER: usize = 256 << 10;
/// Most times the signed URL is re-requested in one download.
const MAX_RELOCATIONS: u32 = 8;

/// How a parallel download ended.
pub(crate) enum Parallel {
    /// Every chunk arrived; the file is hashed and synced.
    Done(Downloaded),
    /// Parallel mode does not work with this server: continue with a single stream from zero,
    /// starting with this response when there is one (a 200 with the whole body).
    Fallback(Option<reqwest::Response>),
}

/// A response already received for chunk 0 (the one that told the size), with its permit.
pub(crate) struct FirstResponse {
    /// The answer, its body unread.
    pub response: reqwest::Response,
    /// The run's connection it holds.
    pub permit: Option<OwnedSemaphorePermit>,
}

/// Downloads `spec` (of `total` bytes) in parallel chunks into its partial file, resuming the
/// chunks that the sidecar `side` records as done. `first` is a response already received for
/// chunk 0 (its final URL is then the content URL). See the module documentation.
pub(crate) async fn download(
    run: Run<'_>,
    spec: &FileSpec<'_>,
    id: TransferId,
    total: u64,
    side: Sidecar,
    first: Option<FirstResponse>,
) -> Result<Parallel> {
    let _large = run
        .large_files
        .acquire()
        .await
        .map_err(|_| Error::Interrupted)?;
    let layout = Layout::prepare(run.parallel, spec, total, side)?;
    run.started(id, spec, Some(total), layout.resumed);
    let progress = layout.progress.clone();
    let avail = Arc::new(Availability::new(progress.clone(), spec.part.clone()));
    if let Some(on_parallel) = spec.on_parallel {
        on_parallel(avail.clone());
    }
    let hashers = Hashers::new(spec.expected.as_ref(), Some(total), spec.md5_from_server);
    // Whatever happens below, the hashing thread must not outlive this call.
    let hasher = Hasher::start(&progress, spec.part.clone(), hashers);

    let first_url = first.as_ref().map(|f| f.response.url().clone());
    let queue: VecDeque<usize> = (0..layout.done.len())
        .filter(|&i| !layout.done[i])
        .collect();
    let chunks = Chunks::new(run, spec, id, layout, first_url);
    if let Some(outcome) = chunks.drive(queue, first).await {
        // The hashing thread may hold a mapping of the file, and a fallback truncates it:
        // wait until the thread has let go.
        hasher.stop().await;
        if outcome.is_err() {
            // Keep the begun chunks' bytes for the next run too (they are written: the
            // workers record progress only after their writes).
            chunks.record_partial();
        }
        return outcome;
    }
    let hashers = hasher.finish().await?;
    // On disk before the caller renames it (most of it already is: see `sys::start_writeback`).
    let f = chunks.file.clone();
    tokio::task::spawn_blocking(move || f.sync_data())
        .await
        .map_err(|e| Error::conflict(format!("syncing task failed: {e}"), None))?
        .map_err(|e| Error::io("syncing", &spec.part, e))?;
    let transferred = chunks.received.load(Ordering::Relaxed);
    let digests = run.verified(id, hashers, total, transferred);
    let server_md5 = chunks.server_md5;
    Ok(Parallel::Done(Downloaded {
        digests,
        total,
        server_md5,
        transferred,
        content_url: chunks.url.into_inner().url,
        availability: Some(avail),
    }))
}

/// The chunk layout of a download, with its partial file open and preallocated, and what earlier
/// runs wrote.
struct Layout {
    side: Sidecar,
    file: std::fs::File,
    progress: Arc<ChunkProgress>,
    /// Whether each chunk is complete on disk.
    done: Vec<bool>,
    /// Bytes kept from earlier runs.
    resumed: u64,
}

impl Layout {
    /// Lays `spec` out in chunks (the sidecar's layout, when it has one), records the layout,
    /// opens and preallocates the partial file, and counts the bytes already written.
    fn prepare(
        cfg: &ParallelConfig,
        spec: &FileSpec<'_>,
        total: u64,
        mut side: Sidecar,
    ) -> Result<Layout> {
        let (chunk, done, partial) = side.lay_out(total, cfg.chunk_for(total));
        // The layout is on disk before any byte is: a later single-stream run must never take the
        // preallocated length for progress.
        write_sidecar(&spec.part, &side)?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&spec.part)
            .map_err(|e| Error::io("opening", &spec.part, e))?;
        file.set_len(total)
            .map_err(|e| Error::io("preallocating", &spec.part, e))?;
        let progress = Arc::new(ChunkProgress::new(total, chunk, done.len()));
        let resumed = progress.resume(&done, &partial);
        Ok(Layout {
            side,
            file,
            progress,
            done,
            resumed,
        })
    }
}

/// The signed URL every chunk request goes to, re-resolved when it expires.
struct UrlState {
    url: Option<Url>,
    generation: u64,
    relocations: u32,
}

/// Everything the chunk workers share.
struct Chunks<'s, 'a> {
    run: Run<'a>,
    spec: &'s FileSpec<'a>,
    id: TransferId,
    progress: Arc<ChunkProgress>,
    file: Arc<std::fs::File>,
    /// Serialises re-resolution: only one request at a time asks the API for a fresh URL.
    url: tokio::sync::Mutex<UrlState>,
    validator: Option<HeaderValue>,
    server_md5: Option<[u8; 16]>,
    api_origin: String,
    received: AtomicU64,
    errors: AtomicU32,
    side: Mutex<Sidecar>,
}

/// How one chunk worker ended.
enum ChunkEnd {
    Done,
    Fallback(Option<reqwest::Response>),
}

/// Where one answer's body stopped.
struct Received {
    /// The offset after the bytes written.
    at: u64,
    /// Whether any byte arrived.
    progressed: bool,
    /// The transport error that broke the body off, described.
    broke: Option<String>,
}

impl<'s, 'a> Chunks<'s, 'a> {
    fn new(
        run: Run<'a>,
        spec: &'s FileSpec<'a>,
        id: TransferId,
        layout: Layout,
        first_url: Option<Url>,
    ) -> Chunks<'s, 'a> {
        Chunks {
            run,
            spec,
            id,
            progress: layout.progress,
            file: Arc::new(layout.file),
            url: tokio::sync::Mutex::new(UrlState {
                generation: u64::from(first_url.is_some()),
                url: first_url,
                relocations: 0,
            }),
            validator: layout
                .side
                .validator
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok()),
            server_md5: layout.side.server_md5(),
            api_origin: http::origin_of(&spec.request.url),
            received: AtomicU64::new(0),
            errors: AtomicU32::new(0),
            side: Mutex::new(layout.side),
        }
    }

    /// Fetches the chunks of `queue` with as many workers as [`Adapt`] allows, `first` being
    /// chunk 0's answer when it came already. `None` once every chunk is written; otherwise how
    /// the download stopped (a fallback, an error, Ctrl-C).
    async fn drive(
        &self,
        mut queue: VecDeque<usize>,
        first: Option<FirstResponse>,
    ) -> Option<Result<Parallel>> {
        let mut workers = FuturesUnordered::new();
        // The response that told the size starts at byte 0: it belongs to chunk 0.
        if let Some(f) = first
            && queue.front() == Some(&0)
        {
            queue.pop_front();
            workers.push(self.fetch_chunk(0, Some(f)));
        }
        let n = self.progress.total.div_ceil(self.progress.chunk) as usize;
        if self.spec.tail_first && queue.len() > 1 && queue.back() == Some(&(n - 1)) {
            // The reader wants the end first (a zip's directory), then the rest in order.
            queue.pop_back();
            queue.push_front(n - 1);
        }
        let mut adapt = Adapt::new(self.run.parallel.max_connections.max(1));
        let mut ticker =
            tokio::time::interval_at(tokio::time::Instant::now() + ADAPT_EVERY, ADAPT_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            while workers.len() < adapt.target
                && let Some(i) = queue.pop_front()
            {
                workers.push(self.fetch_chunk(i, None));
            }
            if workers.is_empty() {
                return None;
            }
            tokio::select! {
                r = workers.next() => match r {
                    Some(Ok(ChunkEnd::Done)) | None => {}
                    Some(Ok(ChunkEnd::Fallback(resp))) => return Some(Ok(Parallel::Fallback(resp))),
                    // Other chunks stop here; those complete are in the sidecar for next time.
                    Some(Err(e)) => return Some(Err(e)),
                },
                _ = ticker.tick() => self.adapt(&mut adapt, workers.len()),
                _ = self.run.http.cancel.cancelled() => {
                    // Every worker sees the cancellation too and returns at once, after writing
                    // what it holds; let them, so their progress can be recorded.
                    while workers.next().await.is_some() {}
                    return Some(Err(Error::Interrupted));
                }
            }
        }
    }

    /// Judges the last window's throughput with `active` workers busy.
    fn adapt(&self, adapt: &mut Adapt, active: usize) {
        let before = adapt.target;
        adapt.tick(
            self.received.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
            active,
        );
        if adapt.target != before {
            self.run.reporter.on_event(&Event::Debug(&format!(
                "{}: {} connections (was {before}; {:.0} MB/s)",
                self.spec.rel_path,
                adapt.target,
                adapt.last_rate / 1e6
            )));
        }
    }

    /// Records in the sidecar the bytes written in each begun chunk, for the next run.
    fn record_partial(&self) {
        let written = self.progress.written_all();
        let mut side = lock(&self.side);
        if let Some(c) = side.chunks.as_mut() {
            c.record_partial(&written);
        }
        let _ = write_sidecar(&self.spec.part, &side);
    }

    /// Fetches chunk `i` (from its first missing byte), retrying it alone on transient failures.
    async fn fetch_chunk(&self, i: usize, mut first: Option<FirstResponse>) -> Result<ChunkEnd> {
        let spec = self.spec;
        let (start, end) = self.progress.bounds(i);
        let mut retries = Retries::new(self.run.http, self.run.reporter, spec.rel_path);
        let mut buf = Pending::default();
        loop {
            let pos = start + self.progress.written(i);
            if pos >= end {
                return Ok(ChunkEnd::Done);
            }
            let (resp, _permit, generation) = match first.take() {
                Some(f) => (Ok(f.response), f.permit, 1),
                None => {
                    let permit = self.run.connection().await?;
                    let (resp, generation) = self.send_range(pos, end).await?;
                    (resp, permit, generation)
                }
            };
            let resp = match resp {
                Ok(r) => r,
                Err(e) => {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                    retries
                        .wait(None, &http::describe_transport_error(&e))
                        .await?;
                    continue;
                }
            };
            let expect = Expect {
                asked: Asked::Chunk {
                    pos,
                    total: self.progress.total,
                },
                rel_path: spec.rel_path,
                size: spec.size,
                api_origin: &self.api_origin,
                md5_from_server: spec.md5_from_server,
                md5: self.server_md5,
            };
            let asked_end = match classify(&Answer::of(&resp), &expect) {
                Verdict::Range { end: b, .. } => b.min(end),
                // Range ignored, or If-Range says the object changed: one stream from zero.
                Verdict::Whole { .. } => return Ok(ChunkEnd::Fallback(Some(resp))),
                // 416, another object than the layout's, or the object changed under a matching
                // validator: never splice two versions, start over in one stream.
                Verdict::Refused | Verdict::OtherObject | Verdict::Changed { .. } => {
                    return Ok(ChunkEnd::Fallback(None));
                }
                Verdict::Expired => {
                    self.relocate(resp, generation).await?;
                    continue;
                }
                v @ Verdict::OtherRange => {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                    retries.wait(None, &v.reason()).await?;
                    continue;
                }
                v @ Verdict::Transient { wait, .. } => {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                    if retries.spent() {
                        let attempts = retries.attempts();
                        return Err(spec.failure(resp, &self.api_origin, attempts).await);
                    }
                    retries.wait(wait, &v.reason()).await?;
                    continue;
                }
                Verdict::Failed | Verdict::NotTheFile(_) | Verdict::Larger { .. } => {
                    let attempts = retries.attempts();
                    return Err(spec.failure(resp, &self.api_origin, attempts).await);
                }
            };
            let got = self.receive(i, resp, pos, asked_end, &mut buf).await?;
            if got.progressed {
                retries.reset();
            }
            if got.at >= end {
                return Ok(ChunkEnd::Done);
            }
            if got.at < asked_end || got.broke.is_some() {
                self.errors.fetch_add(1, Ordering::Relaxed);
                let reason = got
                    .broke
                    .unwrap_or_else(|| "the response ended before the whole range arrived".into());
                retries.wait(None, &reason).await?;
            }
            // Otherwise the server sent a shorter range than asked: ask for the rest.
        }
    }

    /// The signed URL expired (answering `resp` to a request sent to URL `generation`): ask the
    /// API for a fresh one, once for all chunks; fails after [`MAX_RELOCATIONS`].
    async fn relocate(&self, resp: reqwest::Response, generation: u64) -> Result<()> {
        let mut u = self.url.lock().await;
        if u.generation == generation {
            u.relocations += 1;
            if u.relocations > MAX_RELOCATIONS {
                let attempts = u.relocations;
                return Err(self.spec.failure(resp, &self.api_origin, attempts).await);
            }
            u.url = None;
            self.run.relocating(self.spec, resp.status());
        }
        Ok(())
    }

    /// Writes the body of `resp` to chunk `i` from `at` up to `asked_end`, in batches of
    /// [`WRITE_BUFFER`]; bytes received are kept wherever the body stops.
    async fn receive(
        &self,
        i: usize,
        mut resp: reqwest::Response,
        mut at: u64,
        asked_end: u64,
        buf: &mut Pending,
    ) -> Result<Received> {
        let mut progressed = false;
        let broke = loop {
            let next = tokio::select! {
                c = resp.chunk() => c,
                _ = self.run.http.cancel.cancelled() => {
                    // Keep what arrived: the next run resumes this chunk after it.
                    self.write_buffer(i, at, buf)?;
                    return Err(Error::Interrupted);
                }
            };
            match next {
                Ok(Some(mut data)) => {
                    let room = (asked_end - at - buf.len() as u64) as usize;
                    data.truncate(room);
                    if data.is_empty() {
                        break None;
                    }
                    let n = data.len() as u64;
                    buf.push(data);
                    self.received.fetch_add(n, Ordering::Relaxed);
                    self.run.reporter.on_event(&Event::Bytes {
                        id: self.id,
                        delta: n,
                    });
                    progressed = true;
                    if buf.len() >= WRITE_BUFFER || at + buf.len() as u64 >= asked_end {
                        at = self.write_buffer(i, at, buf)?;
                        if at >= asked_end {
                            break None;
                        }
                    }
                }
                Ok(None) => break None,
                Err(e) => break Some(http::describe_transport_error(&e)),
            }
        };
        // Bytes received are valid wherever the response stopped: keep them.
        at = self.write_buffer(i, at, buf)?;
        Ok(Received {
            at,
            progressed,
            broke,
        })
    }

    /// Sends a ranged GET for `[pos, end)` to the content URL, resolving it first when needed.
    /// Returns the response (or transport error) and the URL generation it went to.
    async fn send_range(
        &self,
        pos: u64,
        end: u64,
    ) -> Result<(std::result::Result<reqwest::Response, reqwest::Error>, u64)> {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::RANGE,
            HeaderValue::from_str(&format!("bytes={pos}-{}", end - 1)).expect("ascii"),
        );
        if let Some(v) = &self.validator {
            headers.insert(reqwest::header::IF_RANGE, v.clone());
        }
        let mut u = self.url.lock().await;
        if let Some(url) = u.url.clone() {
            let generation = u.generation;
            drop(u);
            let r = self.run.send(&self.spec.request_to(url, headers)).await?;
            return Ok((r, generation));
        }
        // No URL yet (or it expired): this request resolves it; the others wait for the answer.
        let mut req = self.spec.request.clone();
        req.headers.extend(headers);
        let r = self.run.send(&req).await?;
        if let Ok(resp) = &r
            && resp.status().as_u16() == 206
        {
            u.url = Some(resp.url().clone());
            u.generation += 1;
        }
        Ok((r, u.generation))
    }

    /// Writes the buffered bytes of chunk `i` at offset `at`; records the chunk in the sidecar
    /// when it is complete. Returns the offset after the written bytes.
    fn write_buffer(&self, i: usize, at: u64, buf: &mut Pending) -> Result<u64> {
        if buf.is_empty() {
            return Ok(at);
        }
        let len = buf.len() as u64;
        // Written in place rather than on the blocking pool: a 256 KiB write into the page cache
        // takes tens of microseconds, less than the hand-off to another thread and back, and
        // the pool would grow a thread (and memory) per connection.
        buf.write_at(&self.file, at).map_err(|e| {
            // A full disk: the preallocated file is sparse, so what is missing is what has not
            // arrived yet.
            let have = self.progress.written_sum();
            Error::io("writing", &self.spec.part, e)
                .with_space_needed(Some(self.progress.total.saturating_sub(have)))
        })?;
        if self.progress.advance(i, len) {
            let (start, end) = self.progress.bounds(i);
            // It may wait for the disk queue: keep it off the runtime's threads.
            let f = self.file.clone();
            drop(tokio::task::spawn_blocking(move || {
                sys::start_writeback(&f, start, end - start)
            }));
            let mut side = lock(&self.side);
            if let Some(c) = side.chunks.as_mut() {
                c.mark_done(i);
            }
            write_sidecar(&self.spec.part, &side)?;
        }
        Ok(at + len)
    }
}

/// Received bytes of one chunk not yet written: the response's own buffers, written with one
/// vectored write (no copy into a buffer of ours).
#[derive(Default)]
struct Pending {
    parts: Vec<bytes::Bytes>,
    len: usize,
}

impl Pending {
    fn push(&mut self, b: bytes::Bytes) {
        self.len += b.len();
        self.parts.push(b);
    }

    fn len(&self) -> usize {
        self.len
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes everything at `off` and empties the batch.
    fn write_at(&mut self, f: &std::fs::File, off: u64) -> std::io::Result<()> {
        let r = sys::write_parts_at(f, &self.parts, off);
        self.parts.clear();
        self.len = 0;
        r
    }
}
