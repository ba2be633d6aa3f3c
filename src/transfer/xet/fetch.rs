//! Fetching one window of a reconstruction: the terms laid out at their file offsets, one job
//! per signed URL (all its ranges in one request, exactly as signed), the chunks split out of
//! the body as it streams (a `multipart/byteranges` body for several ranges), decompressed,
//! hashed and written at their offsets on worker threads, and each term recorded complete once
//! its bytes are written. A job whose ranges are all in the chunk cache reads them from there.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RANGE};

use super::cache::{Pending, XetCache};
use super::cas::TokenSource;
use super::feed::{Feeder, RangeFeed};
use super::hash::Hash;
use super::multipart::{Multipart, Piece, boundary};
use super::recon::Fetch;
use super::state::FileState;
use crate::error::{Error, Result};
use crate::http::{self, Request, server_wait};
use crate::progress::TransferId;
use crate::transfer::hashing::lock;
use crate::transfer::retry::Retries;
use crate::transfer::spec::{FileSpec, Run};

/// Most fresh reconstructions asked for one window because its URLs expired.
const MAX_RELOCATIONS: u32 = 8;

/// What a download shares with its jobs.
pub(crate) struct Ctx<'a> {
    pub run: Run<'a>,
    pub spec: &'a FileSpec<'a>,
    pub tokens: &'a TokenSource,
    pub file_id: String,
    pub state: Arc<FileState>,
    pub cache: Option<&'a XetCache>,
    /// Read from the cache (not when fetching again after a mismatch).
    pub read_cache: bool,
    pub id: TransferId,
    /// Bytes received from the network.
    pub received: AtomicU64,
    /// File bytes served from the cache.
    pub from_cache: AtomicU64,
    pub errors: AtomicU32,
    /// Ranges written for the cache, moved in once the file checks out.
    pub pending: Mutex<Vec<Arc<Pending>>>,
}

/// One term of a window: where it goes and what has arrived of it.
pub(crate) struct TermSlot {
    pub offset: u64,
    pub unpacked: u64,
    pub hashes: Mutex<Vec<Option<(Hash, u64)>>>,
    pub left: AtomicUsize,
    pub done: AtomicBool,
}

/// A window: the file bytes `[start, end)` of one reconstruction, its terms and fetch URLs.
pub(crate) struct Window {
    start: u64,
    end: u64,
    pub terms: Vec<TermSlot>,
    fetches: Vec<Fetch>,
    /// URL generation and the current URL of each fetch.
    urls: tokio::sync::Mutex<(u64, Vec<Url>)>,
    relocations: AtomicU32,
}

/// A term served by a job: which range of the job's fetch holds its chunks.
pub(crate) struct Use {
    pub term: usize,
    pub range: usize,
    pub chunks: (u32, u32),
}

/// One request: a fetch of a window and the terms it serves.
pub(crate) struct Job {
    window: Arc<Window>,
    fetch: usize,
    uses: Vec<Use>,
}

/// Why a body could not be used.
pub(crate) enum Bad {
    /// The bytes are not what the reconstruction said (corrupt, truncated, too many chunks).
    Data(String),
    /// Anything else, as an error.
    Fail(Error),
}

impl From<Error> for Bad {
    fn from(e: Error) -> Bad {
        Bad::Fail(e)
    }
}

fn protocol(ctx: &Ctx<'_>, message: String) -> Error {
    Error::Protocol {
        url: format!(
            "Xet storage ({})",
            crate::sanitize::for_terminal(ctx.spec.rel_path)
        ),
        message,
    }
}

/// Asks the reconstruction of `[start, min(gap_end, start + window))` and lays it out; returns
/// the window's jobs and where the next window starts (the end of its last chunk).
pub(crate) async fn plan(
    ctx: &Ctx<'_>,
    start: u64,
    gap_end: u64,
    window: u64,
) -> Result<(Vec<Job>, u64)> {
    let last = gap_end.min(start.saturating_add(window)) - 1;
    let recon = ctx
        .tokens
        .reconstruction(ctx.run, ctx.spec.errors, &ctx.file_id, (start, last))
        .await?;
    // Windows start at chunk boundaries (0, or the end of a complete span or window).
    if recon.offset != 0 {
        return Err(protocol(
            ctx,
            format!(
                "the reconstruction of a range starting at a chunk boundary ({start}) skips {} bytes",
                recon.offset
            ),
        ));
    }
    let assigned = recon.assign().map_err(|m| protocol(ctx, m))?;
    let mut at = start;
    let mut terms = Vec::with_capacity(recon.terms.len());
    for t in &recon.terms {
        let n = (t.chunks.1 - t.chunks.0) as usize;
        terms.push(TermSlot {
            offset: at,
            unpacked: t.unpacked,
            hashes: Mutex::new(vec![None; n]),
            left: AtomicUsize::new(n),
            done: AtomicBool::new(false),
        });
        at += t.unpacked;
    }
    if at > gap_end || at <= last {
        return Err(protocol(
            ctx,
            format!("the reconstruction of bytes {start}-{last} covers {start}-{at}"),
        ));
    }
    let mut jobs: Vec<Job> = Vec::new();
    let urls = recon.fetches.iter().map(|f| f.url.clone()).collect();
    let window = Arc::new(Window {
        start,
        end: at,
        terms,
        fetches: recon.fetches.clone(),
        urls: tokio::sync::Mutex::new((1, urls)),
        relocations: AtomicU32::new(0),
    });
    for (term, (fetch, range)) in assigned.into_iter().enumerate() {
        let u = Use {
            term,
            range,
            chunks: recon.terms[term].chunks,
        };
        match jobs.iter_mut().find(|j| j.fetch == fetch) {
            Some(j) => j.uses.push(u),
            None => jobs.push(Job {
                window: window.clone(),
                fetch,
                uses: vec![u],
            }),
        }
    }
    Ok((jobs, at))
}

impl Job {
    /// The window it belongs to.
    pub fn window(&self) -> &Arc<Window> {
        &self.window
    }

    /// The terms it serves.
    pub fn uses(&self) -> &[Use] {
        &self.uses
    }

    fn fetch(&self) -> &Fetch {
        &self.window.fetches[self.fetch]
    }

    fn all_done(&self) -> bool {
        self.uses
            .iter()
            .all(|u| self.window.terms[u.term].done.load(Ordering::SeqCst))
    }

    /// Forgets what arrived of its unfinished terms, before it is fetched again.
    fn reset_unfinished(&self) {
        for u in &self.uses {
            let t = &self.window.terms[u.term];
            if !t.done.load(Ordering::SeqCst) {
                let mut h = lock(&t.hashes);
                h.iter_mut().for_each(|c| *c = None);
                t.left.store(h.len(), Ordering::SeqCst);
            }
        }
    }
}

/// Runs one job: from the cache when every range is there, else from the network, retrying
/// transient failures, asking fresh URLs when they expired, and fetching corrupt data once more
/// before giving up with an integrity error.
pub(crate) async fn run_job(ctx: &Ctx<'_>, job: Job) -> Result<()> {
    if job.all_done() {
        return Ok(());
    }
    if ctx.read_cache
        && let Some(cache) = ctx.cache
        && from_cache(ctx, cache, &job).await?
    {
        return Ok(());
    }
    let mut retries = Retries::new(ctx.run.http, ctx.run.reporter, ctx.spec.rel_path);
    let mut corrupt = 0;
    loop {
        job.reset_unfinished();
        let (url, generation) = {
            let u = job.window.urls.lock().await;
            (u.1[job.fetch].clone(), u.0)
        };
        let _permit = ctx.run.connection().await?;
        let mut headers = HeaderMap::new();
        headers.insert(
            RANGE,
            HeaderValue::from_str(&job.fetch().range_header()).expect("ascii"),
        );
        let req = Request {
            headers,
            ..Request::get(url, ctx.spec.rel_path)
        };
        let resp = match ctx.run.send(&req).await? {
            Ok(r) => r,
            Err(e) => {
                ctx.errors.fetch_add(1, Ordering::Relaxed);
                retries
                    .wait(None, &http::describe_transport_error(&e))
                    .await?;
                continue;
            }
        };
        let status = resp.status().as_u16();
        match status {
            206 => {}
            401 | 403 | 410 => {
                relocate(ctx, &job.window, generation, status).await?;
                continue;
            }
            s if http::is_transient_status(resp.status()) => {
                ctx.errors.fetch_add(1, Ordering::Relaxed);
                let wait = server_wait(resp.headers(), std::time::SystemTime::now());
                retries
                    .wait(wait, &format!("Xet storage answered HTTP {s}"))
                    .await?;
                continue;
            }
            s => {
                return Err(protocol(
                    ctx,
                    format!("Xet storage answered HTTP {s} to a xorb range"),
                ));
            }
        }
        match receive(ctx, &job, resp).await {
            Ok(()) if job.all_done() => return Ok(()),
            Ok(()) => {
                return Err(protocol(
                    ctx,
                    "a xorb range did not complete its terms".into(),
                ));
            }
            Err(Bad::Fail(e)) => return Err(e),
            Err(Bad::Data(m)) if m.starts_with("transport: ") => {
                ctx.errors.fetch_add(1, Ordering::Relaxed);
                retries.wait(None, &m["transport: ".len()..]).await?;
            }
            Err(Bad::Data(m)) => {
                corrupt += 1;
                if corrupt > 1 {
                    return Err(Error::Integrity {
                        path: crate::sanitize::for_terminal(ctx.spec.rel_path),
                        expected: "xorb chunks as the reconstruction describes them".into(),
                        actual: m,
                        hint: None,
                    });
                }
                ctx.run
                    .reporter
                    .on_event(&crate::progress::Event::Warn(&format!(
                        "{}: bad Xet data ({m}); fetching that range again",
                        crate::sanitize::for_terminal(ctx.spec.rel_path)
                    )));
            }
        }
    }
}

/// The URLs of `window` (generation `generation`) expired: asks a fresh reconstruction of the
/// window once for all its jobs and takes the new URL of each fetch.
async fn relocate(ctx: &Ctx<'_>, window: &Window, generation: u64, status: u16) -> Result<()> {
    let mut u = window.urls.lock().await;
    if u.0 != generation {
        return Ok(());
    }
    if window.relocations.fetch_add(1, Ordering::SeqCst) >= MAX_RELOCATIONS {
        return Err(protocol(
            ctx,
            format!("Xet storage keeps answering HTTP {status} to fresh URLs"),
        ));
    }
    ctx.run
        .reporter
        .on_event(&crate::progress::Event::Debug(&format!(
            "{}: Xet storage answered {status}; asking a fresh reconstruction",
            ctx.spec.rel_path
        )));
    let recon = ctx
        .tokens
        .reconstruction(
            ctx.run,
            ctx.spec.errors,
            &ctx.file_id,
            (window.start, window.end - 1),
        )
        .await?;
    let mut urls = Vec::with_capacity(window.fetches.len());
    for f in &window.fetches {
        let fresh = recon
            .fetches
            .iter()
            .find(|g| g.xorb == f.xorb && g.ranges == f.ranges)
            .ok_or_else(|| {
                protocol(
                    ctx,
                    "a fresh reconstruction no longer has the same xorb ranges".into(),
                )
            })?;
        urls.push(fresh.url.clone());
    }
    *u = (generation + 1, urls);
    Ok(())
}

/// Reads a 206 answer to `job`'s request: one range as is, several as `multipart/byteranges`;
/// every byte must be the range asked for.
async fn receive(
    ctx: &Ctx<'_>,
    job: &Job,
    mut resp: reqwest::Response,
) -> std::result::Result<(), Bad> {
    let fetch = job.fetch();
    let mut feeds: Vec<RangeFeed> = fetch
        .ranges
        .iter()
        .map(|r| {
            let pending = ctx.cache.and_then(|c| {
                let p = Arc::new(c.pending(&fetch.xorb, r.chunks, r.bytes.1 - r.bytes.0 + 1)?);
                lock(&ctx.pending).push(p.clone());
                Some(p)
            });
            RangeFeed::new(*r, r.chunks.0).caching(pending)
        })
        .collect();
    let ctype = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut multi = match (fetch.ranges.len(), boundary(&ctype)) {
        (1, None) => {
            let want = fetch.ranges[0].bytes;
            let got = resp
                .headers()
                .get(reqwest::header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(crate::transfer::parse_content_range);
            if got.map(|g| (g.0, g.1)) != Some(want) {
                return Err(Bad::Data("the answer is not the range asked for".into()));
            }
            None
        }
        (_, Some(b)) => Some(Multipart::new(&b)),
        _ => {
            return Err(Bad::Data(
                "several ranges answered without multipart/byteranges".into(),
            ));
        }
    };
    let mut feeder = Feeder::new(ctx, job);
    let r = pump(ctx, &mut resp, &mut multi, &mut feeds, &mut feeder).await;
    let done = feeder.finish().await;
    r?;
    done?;
    if multi.as_ref().is_some_and(|m| !m.done()) || !feeds.iter().all(RangeFeed::complete) {
        return Err(Bad::Data(
            "transport: the answer ended before every range arrived".into(),
        ));
    }
    Ok(())
}

/// Bytes of a multipart body, after the start of a part (its range) when one started.
type Pieces = (Option<(u64, u64)>, Vec<u8>);

/// Moves the body of `resp` into the feeds.
async fn pump(
    ctx: &Ctx<'_>,
    resp: &mut reqwest::Response,
    multi: &mut Option<Multipart>,
    feeds: &mut [RangeFeed],
    feeder: &mut Feeder<'_, '_>,
) -> std::result::Result<(), Bad> {
    let fetch_ranges: Vec<(u64, u64)> = feeds.iter().map(|f| f.range().bytes).collect();
    let mut current = if multi.is_none() { Some(0) } else { None };
    let mut next_part = 0usize;
    loop {
        let chunk = tokio::select! {
            c = resp.chunk() => c,
            _ = ctx.run.http.cancel.cancelled() => return Err(Bad::Fail(Error::Interrupted)),
        };
        let data = match chunk {
            Ok(Some(d)) => d,
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(Bad::Data(format!(
                    "transport: {}",
                    http::describe_transport_error(&e)
                )));
            }
        };
        ctx.received.fetch_add(data.len() as u64, Ordering::Relaxed);
        match multi {
            None => {
                let f = &mut feeds[0];
                let (a, b) = f.range().bytes;
                if f.wire_len() + data.len() as u64 > b - a + 1 {
                    return Err(Bad::Data("the answer is longer than the range".into()));
                }
                feeder.feed(0, f, &data).await?;
            }
            Some(m) => {
                let mut pieces: Vec<Pieces> = Vec::new();
                m.feed(&data, &mut |p| match p {
                    Piece::Part(a, b) => pieces.push((Some((a, b)), Vec::new())),
                    Piece::Data(d) => match pieces.last_mut() {
                        Some((_, v)) => v.extend_from_slice(d),
                        None => pieces.push((None, d.to_vec())),
                    },
                })
                .map_err(Bad::Data)?;
                for (part, bytes) in pieces {
                    if let Some(r) = part {
                        if fetch_ranges.get(next_part) != Some(&r) {
                            return Err(Bad::Data(
                                "a multipart part is not the next range asked for".into(),
                            ));
                        }
                        current = Some(next_part);
                        next_part += 1;
                    }
                    if bytes.is_empty() {
                        continue;
                    }
                    let k =
                        current.ok_or_else(|| Bad::Data("multipart data outside a part".into()))?;
                    feeder.feed(k, &mut feeds[k], &bytes).await?;
                }
            }
        }
    }
}

/// Serves `job` from the cache when every range of it is there; `false` when one is missing or
/// did not check out (it is then forgotten, and the job goes to the network).
async fn from_cache(ctx: &Ctx<'_>, cache: &XetCache, job: &Job) -> Result<bool> {
    let fetch = job.fetch();
    let mut found = Vec::new();
    for r in &fetch.ranges {
        match cache.lookup(&fetch.xorb, r.chunks) {
            Some(c) => found.push(c),
            None => return Ok(false),
        }
    }
    job.reset_unfinished();
    let mut feeder = Feeder::new(ctx, job);
    let mut outcome = Ok(());
    for (k, (r, c)) in fetch.ranges.iter().zip(&found).enumerate() {
        let mut feed = RangeFeed::new(*r, c.first).expecting(c.first, c.hashes.clone());
        outcome = read_cached(&c.path, c.data_len, k, &mut feed, &mut feeder).await;
        if outcome.is_ok() && !feed.complete() {
            outcome = Err(Bad::Data("a cached range is short".into()));
        }
        if outcome.is_err() {
            break;
        }
    }
    let done = feeder.finish().await;
    match outcome.and(done) {
        Ok(()) if job.all_done() => {
            let bytes: u64 = job
                .uses
                .iter()
                .map(|u| job.window.terms[u.term].unpacked)
                .sum();
            ctx.from_cache.fetch_add(bytes, Ordering::Relaxed);
            Ok(true)
        }
        Err(Bad::Fail(e)) => Err(e),
        _ => {
            for c in &found {
                cache.forget(c);
            }
            Ok(false)
        }
    }
}

/// Feeds a cached range's bytes up to the end of the chunks needed.
async fn read_cached(
    path: &std::path::Path,
    data_len: u64,
    k: usize,
    feed: &mut RangeFeed,
    feeder: &mut Feeder<'_, '_>,
) -> std::result::Result<(), Bad> {
    let file = std::fs::File::open(path).map_err(|e| Bad::Data(format!("cache: {e}")))?;
    let mut buf = vec![0u8; 256 << 10];
    let mut pos = 0u64;
    while pos < data_len && !feed.complete() {
        let n = (data_len - pos).min(buf.len() as u64) as usize;
        crate::transfer::sys::read_exact_at(&file, &mut buf[..n], pos)
            .map_err(|e| Bad::Data(format!("cache: {e}")))?;
        feeder.feed(k, feed, &buf[..n]).await?;
        pos += n as u64;
    }
    Ok(())
}
