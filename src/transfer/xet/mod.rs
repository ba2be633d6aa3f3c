//! The Xet path: a second way to transfer a Hub file, the way the Hub stores it today
//! (shared/protocol/xet.md, hub-docs `docs/xet/`). A file whose tree entry carries `xetHash` is
//! fetched through the CAS: the read token from the Hub, the reconstruction in windows, the xorb
//! ranges in parallel under the same adaptive connection count as ranged chunks, decompressed
//! and written at their offsets on worker threads.
//!
//! Stronger than hf_xet: every chunk's length is checked, the file id (the merkle root of the
//! chunk hashes) is compared with the tree's `xetHash`, and the sha256 with the tree's as before.
//! Completed terms are journaled and survive an interruption; fetched ranges go to a bounded
//! chunk cache ([`XetCache`]) so that a new revision fetches only the chunks it lacks.
//!
//! Modules: `hash` (chunk hashes, merkle root, file id), `xorb` (chunk format, decompression),
//! `multipart` (`multipart/byteranges`), `recon` (reconstruction answers), `cas` (token and
//! reconstruction calls), `state` (progress, journal, in-order hashing), `fetch` (windows and
//! jobs), `feed` (chunks to file bytes on worker threads), `cache` (the chunk cache).

mod cache;
mod cas;
mod feed;
mod fetch;
mod hash;
mod multipart;
mod recon;
mod state;
mod xorb;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

pub use cache::{XetCache, XetCacheStats};
pub(crate) use state::{discard, discard_journal};

use super::adapt::{ADAPT_EVERY, Adapt};
use super::hashing::lock;
use super::spec::{Downloaded, FileSpec, Run};
use crate::error::{Error, Result};
use crate::http::Request;
use crate::progress::{Event, next_transfer_id};
use crate::verify::Hashers;
use cas::TokenSource;
use fetch::{Ctx, Job};

/// Bytes of a file asked in one reconstruction (the spec suggests windows for large files).
pub const DEFAULT_WINDOW: u64 = 4 << 30;
/// Jobs queued before the next window is asked for.
const QUEUE_LOW: usize = 16;

/// How a run uses Xet.
#[derive(Debug, Clone)]
pub struct XetOptions {
    /// Fetch Xet-backed files through the CAS (otherwise through the Hub's bridge).
    pub enabled: bool,
    /// The chunk cache, if any.
    pub cache: Option<XetCache>,
    /// Bytes per reconstruction window.
    pub window: u64,
}

impl Default for XetOptions {
    fn default() -> Self {
        XetOptions {
            enabled: true,
            cache: None,
            window: DEFAULT_WINDOW,
        }
    }
}

/// What a file needs to go through Xet: its file id and the Hub's token route.
#[derive(Debug, Clone)]
pub(crate) struct XetSpec {
    /// The file id, as the tree gives it (64 hex).
    pub file_id: String,
    /// `GET {hub}/api/{type}s/{repo}/xet-read-token/{commit}`, with the Hub credential.
    pub token: Request,
}

/// What the files of a run share: tokens per repo and commit, the cache, the warning said once.
#[derive(Default)]
pub(crate) struct XetRun {
    pub options: XetOptions,
    tokens: Mutex<HashMap<String, Arc<TokenSource>>>,
    warned: AtomicBool,
}

impl XetRun {
    /// The run's Xet state for `options`.
    pub fn new(options: XetOptions) -> XetRun {
        XetRun {
            options,
            ..XetRun::default()
        }
    }

    fn tokens(&self, req: &Request) -> Arc<TokenSource> {
        lock(&self.tokens)
            .entry(req.url.to_string())
            .or_insert_with(|| Arc::new(TokenSource::new(req.clone())))
            .clone()
    }

    /// Says once per run that Xet failed and the bridge is used instead.
    pub fn warn_fallback(&self, run: Run<'_>, path: &str, e: &Error) {
        let msg = format!(
            "{}: Xet storage failed ({e}); downloading through the Hub's compatibility bridge instead",
            crate::sanitize::for_terminal(path)
        );
        if self.warned.swap(true, Ordering::SeqCst) {
            run.reporter.on_event(&Event::Debug(&msg));
        } else {
            run.reporter.on_event(&Event::Warn(&msg));
        }
    }
}

/// A Xet download, before the caller checks it.
pub(crate) struct XetDone {
    pub got: Downloaded,
    /// The file id of the chunks matches the tree's.
    pub file_id_ok: bool,
    /// Ranges for the cache, to move in once the file checks out.
    pub pending: Vec<Arc<cache::Pending>>,
    pub part: PathBuf,
}

/// The partial file of a Xet transfer (beside the bridge's, never confused with it).
pub(crate) fn part_of(spec: &FileSpec<'_>) -> PathBuf {
    let mut s = spec.part.as_os_str().to_owned();
    s.push(".xet");
    PathBuf::from(s)
}

/// Fetches `spec` through the CAS into its Xet partial file, keeping what an earlier run
/// completed unless `from_scratch` (which also bypasses the cache).
pub(crate) async fn download(
    run: Run<'_>,
    spec: &FileSpec<'_>,
    xet: &XetSpec,
    xrun: &XetRun,
    from_scratch: bool,
) -> Result<XetDone> {
    let total = spec.size.unwrap_or(0);
    let part = part_of(spec);
    let file_id = xet.file_id.to_ascii_lowercase();
    let state = Arc::new(state::FileState::open(
        &part,
        &file_id,
        total,
        from_scratch,
    )?);
    let tokens = xrun.tokens(&xet.token);
    let id = next_transfer_id();
    run.started(id, spec, Some(total), state.resumed);
    let hashers = Hashers::new(spec.expected.as_ref(), Some(total), false);
    let st = state.clone();
    let hasher = tokio::task::spawn_blocking(move || state::hash_in_order(&st, hashers));
    let ctx = Ctx {
        run,
        spec,
        tokens: &tokens,
        file_id,
        state: state.clone(),
        cache: xrun.options.cache.as_ref(),
        read_cache: !from_scratch,
        id,
        received: AtomicU64::new(0),
        from_cache: AtomicU64::new(0),
        errors: AtomicU32::new(0),
        pending: Mutex::new(Vec::new()),
    };
    let driven = drive(&ctx, xrun.options.window.max(1)).await;
    if let Err(e) = driven {
        state.stop();
        let _ = hasher.await;
        return Err(e);
    }
    let hashers = hasher
        .await
        .map_err(|e| Error::conflict(format!("hashing task failed: {e}"), None))??
        .ok_or_else(|| Error::conflict("hashing stopped early", None))?;
    let f = state.file.clone();
    tokio::task::spawn_blocking(move || f.sync_data())
        .await
        .map_err(|e| Error::conflict(format!("syncing task failed: {e}"), None))?
        .map_err(|e| Error::io("syncing", &part, e))?;
    let received = ctx.received.load(Ordering::Relaxed);
    run.reporter.on_event(&Event::Debug(&format!(
        "{}: Xet: {received} bytes fetched for {total} file bytes ({} from the chunk cache, {} kept from an earlier run)",
        crate::sanitize::for_terminal(spec.rel_path),
        ctx.from_cache.load(Ordering::Relaxed),
        state.resumed
    )));
    let file_id_ok = state
        .file_id()
        .is_some_and(|h| hash::to_hex(&h) == ctx.file_id);
    let digests = run.verified(id, hashers, total, received);
    Ok(XetDone {
        got: Downloaded {
            digests,
            total,
            server_md5: None,
            transferred: received,
            content_url: None,
            availability: None,
        },
        file_id_ok,
        pending: std::mem::take(&mut *lock(&ctx.pending)),
        part,
    })
}

/// Asks windows of the missing spans and runs their jobs, as many at once as [`Adapt`] allows.
async fn drive(ctx: &Ctx<'_>, window: u64) -> Result<()> {
    let mut gaps = ctx.state.gaps().into_iter();
    let mut cur = gaps.next();
    let mut queue: std::collections::VecDeque<Job> = Default::default();
    let mut planning = None;
    let mut gap_end = 0;
    let mut workers = FuturesUnordered::new();
    let mut adapt = Adapt::new(ctx.run.parallel.max_connections.max(1));
    let mut ticker =
        tokio::time::interval_at(tokio::time::Instant::now() + ADAPT_EVERY, ADAPT_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if planning.is_none()
            && queue.len() < QUEUE_LOW
            && let Some((a, b)) = cur
        {
            planning = Some(Box::pin(fetch::plan(ctx, a, b, window)));
            gap_end = b;
            cur = None;
        }
        while workers.len() < adapt.target
            && let Some(j) = queue.pop_front()
        {
            workers.push(fetch::run_job(ctx, j));
        }
        if workers.is_empty() && planning.is_none() && queue.is_empty() && cur.is_none() {
            return match ctx.state.is_complete() {
                true => Ok(()),
                false => Err(Error::Protocol {
                    url: "Xet storage".into(),
                    message: "the reconstruction left bytes of the file uncovered".into(),
                }),
            };
        }
        tokio::select! {
            r = async { planning.as_mut().expect("planning").await }, if planning.is_some() => {
                planning = None;
                let (jobs, next) = r?;
                queue.extend(jobs);
                // The next window of this gap, or the next gap.
                cur = if next < gap_end { Some((next, gap_end)) } else { gaps.next() };
            }
            r = workers.next(), if !workers.is_empty() => {
                if let Some(Err(e)) = r {
                    // Let the others stop (they see cancellation only through errors here).
                    drop(workers);
                    return Err(e);
                }
            }
            _ = ticker.tick() => {
                adapt.tick(ctx.received.load(Ordering::Relaxed), ctx.errors.load(Ordering::Relaxed), workers.len());
            }
            _ = ctx.run.http.cancel.cancelled() => {
                while workers.next().await.is_some() {}
                return Err(Error::Interrupted);
            }
        }
    }
}
