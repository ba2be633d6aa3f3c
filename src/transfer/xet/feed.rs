//! From xorb bytes to file bytes: a [`Feeder`] splits the chunks out of each range of a job's
//! body as it streams, works out where each chunk goes in the file (a chunk may serve several
//! terms), and hands batches to worker threads, which decompress, hash, write at the offsets,
//! keep the range for the cache, and record each term once all its chunks are written.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::cache::Pending;
use super::fetch::{Bad, Ctx, Job, Window};
use super::hash::{Hash, chunk_hash};
use super::recon::XRange;
use super::state::FileState;
use super::xorb::{ChunkHeader, HEADER, Splitter, decode};
use crate::error::Error;
use crate::progress::Event;
use crate::transfer::hashing::lock;

/// Serialized bytes handed to a worker at a time.
const BATCH: usize = 1 << 20;
/// Batches of one job being decoded at once.
const IN_FLIGHT: usize = 2;

/// A serialized chunk on its way to a worker.
struct Raw {
    header: ChunkHeader,
    bytes: Vec<u8>,
    /// (term, position in the term, file offset) for each use of the chunk.
    dests: Vec<(usize, usize, u64)>,
    /// The hash it must have (read from the cache).
    expect: Option<Hash>,
    /// Where it goes in a range being written for the cache: (range, chunk, offset).
    cache: Option<(Arc<Pending>, usize, u64)>,
}

/// One range of a job as its bytes arrive.
pub(crate) struct RangeFeed {
    range: XRange,
    splitter: Splitter,
    /// The next chunk's index.
    next: u32,
    /// Decompressed bytes of the needed chunks before each one seen (`before[0] = 0`).
    before: Vec<u64>,
    /// Serialized bytes seen, in whole chunks.
    raw: u64,
    /// Bytes fed.
    wire: u64,
    /// Hashes the chunks must have (a cached range), from chunk `next` at the start.
    expect: Option<(u32, Vec<Hash>)>,
    /// The range being written for the cache.
    cache: Option<Arc<Pending>>,
}

impl RangeFeed {
    /// A range whose bytes start at chunk `first` (before `range` when read from a larger
    /// cached range).
    pub fn new(range: XRange, first: u32) -> RangeFeed {
        RangeFeed {
            range,
            splitter: Splitter::default(),
            next: first,
            before: vec![0],
            raw: 0,
            wire: 0,
            expect: None,
            cache: None,
        }
    }

    /// Checks the chunks against `hashes` (of chunks from `first` on).
    pub fn expecting(mut self, first: u32, hashes: Vec<Hash>) -> RangeFeed {
        self.expect = Some((first, hashes));
        self
    }

    /// Keeps the range's bytes for the cache.
    pub fn caching(mut self, p: Option<Arc<Pending>>) -> RangeFeed {
        self.cache = p;
        self
    }

    /// Whether every chunk of the range arrived (and, from the network, nothing more).
    pub fn complete(&self) -> bool {
        self.next == self.range.chunks.1 && (self.expect.is_some() || self.splitter.at_boundary())
    }

    /// Bytes fed.
    pub fn wire_len(&self) -> u64 {
        self.wire
    }

    /// The range.
    pub fn range(&self) -> XRange {
        self.range
    }
}

/// Splits and dispatches the chunks of one job's ranges.
pub(crate) struct Feeder<'c, 'a> {
    ctx: &'c Ctx<'a>,
    job: &'c Job,
    batch: Vec<Raw>,
    batch_bytes: usize,
    workers: VecDeque<tokio::task::JoinHandle<Result<u64, Bad>>>,
}

impl<'c, 'a> Feeder<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>, job: &'c Job) -> Feeder<'c, 'a> {
        Feeder {
            ctx,
            job,
            batch: Vec::new(),
            batch_bytes: 0,
            workers: VecDeque::new(),
        }
    }

    /// Feeds bytes of the job's range `k`.
    pub async fn feed(&mut self, k: usize, f: &mut RangeFeed, data: &[u8]) -> Result<(), Bad> {
        f.wire += data.len() as u64;
        let mut found: Vec<(ChunkHeader, Vec<u8>)> = Vec::new();
        f.splitter
            .feed(data, &mut |h, raw| found.push((h, raw.to_vec())))
            .map_err(Bad::Data)?;
        for (h, bytes) in found {
            let i = f.next;
            if i >= f.range.chunks.1 {
                if f.expect.is_some() {
                    // A larger cached range: the rest is not needed.
                    break;
                }
                return Err(Bad::Data("more chunks than the range holds".into()));
            }
            f.next += 1;
            let raw_at = f.raw;
            f.raw += bytes.len() as u64;
            let expect = match &f.expect {
                Some((first, hashes)) => Some(
                    *hashes
                        .get((i - first) as usize)
                        .ok_or_else(|| Bad::Data("a cached range is short".into()))?,
                ),
                None => None,
            };
            if i < f.range.chunks.0 {
                continue;
            }
            let cum = *f.before.last().expect("before[0]");
            f.before.push(cum + h.uncompressed as u64);
            let window = self.job.window();
            let mut dests = Vec::new();
            for u in self.job.uses().iter().filter(|u| u.range == k) {
                let t = &window.terms[u.term];
                if u.chunks.0 <= i && i < u.chunks.1 && !t.done.load(Ordering::SeqCst) {
                    let base = f.before[(u.chunks.0 - f.range.chunks.0) as usize];
                    dests.push((u.term, (i - u.chunks.0) as usize, t.offset + cum - base));
                }
            }
            let cache = f
                .cache
                .clone()
                .map(|p| (p, (i - f.range.chunks.0) as usize, raw_at));
            self.batch_bytes += bytes.len();
            self.batch.push(Raw {
                header: h,
                bytes,
                dests,
                expect,
                cache,
            });
            if self.batch_bytes >= BATCH {
                self.dispatch().await?;
            }
        }
        Ok(())
    }

    /// Sends the batch to a worker, first waiting for the oldest when [`IN_FLIGHT`] are busy.
    async fn dispatch(&mut self) -> Result<(), Bad> {
        if self.batch.is_empty() {
            return Ok(());
        }
        while self.workers.len() >= IN_FLIGHT {
            self.join_one().await?;
        }
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        let window = self.job.window().clone();
        let state = self.ctx.state.clone();
        self.workers.push_back(tokio::task::spawn_blocking(move || {
            decode_batch(&window, &state, batch)
        }));
        Ok(())
    }

    async fn join_one(&mut self) -> Result<(), Bad> {
        if let Some(w) = self.workers.pop_front() {
            let written = w.await.map_err(|e| {
                Bad::Fail(Error::conflict(format!("decoding task failed: {e}"), None))
            })??;
            if written > 0 {
                self.ctx.run.reporter.on_event(&Event::Bytes {
                    id: self.ctx.id,
                    delta: written,
                });
            }
        }
        Ok(())
    }

    /// Waits for every batch sent (also after a failure: no worker may outlive the job).
    pub async fn finish(&mut self) -> Result<(), Bad> {
        let sent = self.dispatch().await;
        let mut first = sent.err();
        while !self.workers.is_empty() {
            if let Err(e) = self.join_one().await {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }
}

/// Decompresses, checks, hashes and writes a batch (blocking). Returns the file bytes written.
fn decode_batch(window: &Window, state: &FileState, batch: Vec<Raw>) -> Result<u64, Bad> {
    let mut out = Vec::with_capacity(super::xorb::MAX_CHUNK);
    let mut written = 0;
    for r in batch {
        decode(&r.header, &r.bytes[HEADER..], &mut out).map_err(Bad::Data)?;
        let hash = chunk_hash(&out);
        if r.expect.is_some_and(|e| e != hash) {
            return Err(Bad::Data("a cached chunk does not match its hash".into()));
        }
        if let Some((p, i, pos)) = &r.cache {
            p.put(*i, *pos, &r.bytes, hash);
        }
        for (term, pos, off) in r.dests {
            let t = &window.terms[term];
            if off + out.len() as u64 > t.offset + t.unpacked {
                return Err(Bad::Data("a term is longer than announced".into()));
            }
            crate::transfer::sys::write_at(&state.file, &out, off)
                .map_err(|e| Bad::Fail(Error::io("writing", &state.part, e)))?;
            written += out.len() as u64;
            let complete = {
                let mut h = lock(&t.hashes);
                if h[pos].is_none() {
                    h[pos] = Some((hash, out.len() as u64));
                    t.left.fetch_sub(1, Ordering::SeqCst) == 1
                } else {
                    false
                }
            };
            if complete && !t.done.swap(true, Ordering::SeqCst) {
                let chunks: Vec<(Hash, u64)> = lock(&t.hashes).iter().flatten().copied().collect();
                let len: u64 = chunks.iter().map(|c| c.1).sum();
                if len != t.unpacked {
                    t.done.store(false, Ordering::SeqCst);
                    return Err(Bad::Data(format!(
                        "a term decompressed to {len} bytes, the reconstruction says {}",
                        t.unpacked
                    )));
                }
                state.complete(t.offset, chunks).map_err(Bad::Fail)?;
            }
        }
    }
    Ok(written)
}
