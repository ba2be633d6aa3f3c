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
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::sync::OwnedSemaphorePermit;

use crate::error::{Error, Result};
use crate::fetch::{Downloaded, Fetcher, FileSpec, Sidecar, write_sidecar};
use crate::http::{self, Request};
use crate::progress::{Event, TransferId};
use crate::verify::{Digests, Hashers};

/// Smallest chunk chosen automatically, and the span of the first request when the size is not
/// known in advance (Kaggle): a file of at most this size is fetched in one piece.
pub const MIN_CHUNK: u64 = 2 << 20;
/// Largest chunk chosen automatically.
pub const MAX_CHUNK: u64 = 16 << 20;
/// Connections a parallel download starts with before it measures whether more help.
const INITIAL_CONNECTIONS: usize = 2;
/// How often throughput is measured to adapt the number of connections.
const ADAPT_EVERY: Duration = Duration::from_millis(50);
/// Bytes gathered per chunk before they are written at their offset: one `pwritev` per batch
/// keeps system calls few, and memory stays at `connections ×` this.
const WRITE_BUFFER: usize = 256 << 10;
/// Large files fetched in parallel chunks at once in one dataset: each may use up to
/// `--connections`, so more would only split the same bandwidth and multiply buffers.
pub const MAX_PARALLEL_FILES: usize = 4;
/// Most times the signed URL is re-requested in one download.
const MAX_RELOCATIONS: u32 = 8;

/// How large files are split (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParallelConfig {
    /// Most connections for one file (`--connections`); 1 disables parallel chunks.
    pub max_connections: usize,
    /// A fixed chunk size (`DSFETCH_CHUNK_SIZE`); `None` picks one from the file size. Files
    /// larger than one chunk are split.
    pub chunk_size: Option<u64>,
}

impl Default for ParallelConfig {
    fn default() -> Self {
        ParallelConfig {
            max_connections: 16,
            chunk_size: None,
        }
    }
}

impl ParallelConfig {
    /// The span of the first request when the size is unknown; a larger file is split.
    pub fn first_span(&self) -> u64 {
        self.chunk_size.unwrap_or(MIN_CHUNK).max(1)
    }

    /// Whether a file of `total` bytes is fetched in parallel chunks.
    pub fn wants_parallel(&self, total: u64) -> bool {
        self.max_connections > 1 && total > self.first_span()
    }

    /// The chunk size for a file of `total` bytes: about eight chunks per connection (so the
    /// last chunks, which finish at different times, are short), within [`MIN_CHUNK`, `MAX_CHUNK`].
    pub fn chunk_for(&self, total: u64) -> u64 {
        if let Some(c) = self.chunk_size {
            return c.max(1);
        }
        let per = total / (8 * self.max_connections.max(1) as u64);
        per.clamp(MIN_CHUNK, MAX_CHUNK).next_multiple_of(64 << 10)
    }
}

/// The chunk state kept in the sidecar.
#[derive(serde::Serialize, serde::Deserialize, Default, Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChunkState {
    /// The chunk size of the layout (the last chunk may be shorter).
    pub chunk_size: u64,
    /// Indices of the chunks whose bytes are all written.
    pub done: Vec<u32>,
    /// Chunks begun but not complete when the run stopped cleanly (an error, Ctrl-C): index to
    /// the bytes written from the chunk's start. Recorded only on the way out, after the writes.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub partial: std::collections::BTreeMap<u32, u64>,
}

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
    pub response: reqwest::Response,
    pub permit: Option<OwnedSemaphorePermit>,
}

/// Progress of the chunks, shared by the workers and the hashing thread.
struct Progress {
    total: u64,
    chunk: u64,
    state: Mutex<ProgressState>,
    /// Wakes the hashing thread once the prefix reaches what it waits for.
    hash_wake: Condvar,
    /// Wakes streaming readers when any bytes arrive.
    read_wake: Condvar,
    abort: AtomicBool,
}

struct ProgressState {
    /// The watermark the hashing thread waits for, if it waits.
    hasher_wants: Option<u64>,
    /// Streaming readers waiting for bytes.
    readers_waiting: usize,
    /// Bytes written from the start of each chunk (chunks are written front to back).
    written: Vec<u64>,
    /// Contiguous bytes written from offset 0.
    watermark: u64,
    /// The first chunk not completely written.
    head: usize,
}

impl Progress {
    /// Nothing written yet: a file of `total` bytes in `chunks` chunks of `chunk` bytes.
    fn new(total: u64, chunk: u64, chunks: usize) -> Progress {
        Progress {
            total,
            chunk,
            state: Mutex::new(ProgressState {
                written: vec![0; chunks],
                watermark: 0,
                head: 0,
                hasher_wants: None,
                readers_waiting: 0,
            }),
            hash_wake: Condvar::new(),
            read_wake: Condvar::new(),
            abort: AtomicBool::new(false),
        }
    }

    fn bounds(&self, i: usize) -> (u64, u64) {
        let start = i as u64 * self.chunk;
        (start, (start + self.chunk).min(self.total))
    }

    fn written(&self, i: usize) -> u64 {
        lock(&self.state).written[i]
    }

    /// Records `n` more bytes written to chunk `i`; returns whether the chunk is now complete.
    fn advance(&self, i: usize, n: u64) -> bool {
        let (start, end) = self.bounds(i);
        let mut s = lock(&self.state);
        s.written[i] += n;
        let complete = start + s.written[i] >= end;
        while s.head < s.written.len() {
            let (a, b) = self.bounds(s.head);
            s.watermark = a + s.written[s.head];
            if a + s.written[s.head] < b {
                break;
            }
            s.head += 1;
        }
        // Wake only who waits for this: the hasher for a step of prefix, readers for any bytes.
        if s.hasher_wants.is_some_and(|w| s.watermark >= w) {
            s.hasher_wants = None;
            self.hash_wake.notify_one();
        }
        if s.readers_waiting > 0 {
            self.read_wake.notify_all();
        }
        complete
    }

    fn stop(&self) {
        self.abort.store(true, Ordering::SeqCst);
        let _s = lock(&self.state);
        self.hash_wake.notify_all();
        self.read_wake.notify_all();
    }
}

/// Which bytes of a partial file downloading in parallel chunks are written yet, for readers that
/// want to start before the download ends (extracting an archive as it arrives).
pub struct Availability {
    progress: Arc<Progress>,
    path: std::path::PathBuf,
}

impl std::fmt::Debug for Availability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Availability")
            .field("path", &self.path)
            .field("total", &self.progress.total)
            .finish_non_exhaustive()
    }
}

impl Availability {
    /// The partial file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's full size.
    pub fn total(&self) -> u64 {
        self.progress.total
    }

    /// Blocks until the byte at `pos` is written; returns how many bytes from `pos` on are
    /// (0 at the end of the file), or `None` when the download stopped first.
    pub fn wait_available(&self, pos: u64) -> Option<u64> {
        let p = &self.progress;
        if pos >= p.total {
            return Some(0);
        }
        let i = (pos / p.chunk) as usize;
        let start = i as u64 * p.chunk;
        let mut s = lock(&p.state);
        loop {
            let end = start + s.written[i];
            if end > pos {
                return Some(end - pos);
            }
            if p.abort.load(Ordering::SeqCst) {
                return None;
            }
            s.readers_waiting += 1;
            s = p.read_wake.wait(s).unwrap_or_else(|e| e.into_inner());
            s.readers_waiting -= 1;
        }
    }
}

/// Reads a partial file that is still arriving: each read blocks until its bytes are written,
/// and fails if the download stops first.
pub struct AvailableReader {
    file: std::fs::File,
    avail: Arc<Availability>,
    pos: u64,
}

impl AvailableReader {
    /// Opens the partial file of `avail` for reading.
    pub fn open(avail: Arc<Availability>) -> Result<AvailableReader> {
        let file =
            std::fs::File::open(&avail.path).map_err(|e| Error::io("reading", &avail.path, e))?;
        Ok(AvailableReader {
            file,
            avail,
            pos: 0,
        })
    }
}

impl std::io::Read for AvailableReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = match self.avail.wait_available(self.pos) {
            Some(n) => n.min(buf.len() as u64) as usize,
            None => return Err(std::io::Error::other("the download stopped")),
        };
        if n == 0 {
            return Ok(0);
        }
        read_exact_at(&self.file, &mut buf[..n], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for AvailableReader {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let base = match to {
            std::io::SeekFrom::Start(n) => {
                self.pos = n;
                return Ok(n);
            }
            std::io::SeekFrom::End(d) => (self.avail.total(), d),
            std::io::SeekFrom::Current(d) => (self.pos, d),
        };
        match base.0.checked_add_signed(base.1) {
            Some(n) => {
                self.pos = n;
                Ok(n)
            }
            None => Err(std::io::ErrorKind::InvalidInput.into()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The hashing thread wakes for this much new prefix at a time (or the end of the file): waking
/// for every write would cost more in context switches than the hashing itself.
const HASH_STEP: u64 = 4 << 20;

/// Hashes the file in order as its prefix becomes contiguous (blocking; runs on its own thread).
fn hash_in_order(
    path: &Path,
    progress: &Progress,
    mut hashers: Hashers,
) -> Result<Option<Hashers>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("reading", path, e))?;
    let mut window = HashWindow::new();
    let mut pos = 0u64;
    while pos < progress.total {
        let upto = {
            let want = (pos + HASH_STEP).min(progress.total);
            let mut s = lock(&progress.state);
            loop {
                if progress.abort.load(Ordering::SeqCst) {
                    return Ok(None);
                }
                if s.watermark >= want {
                    break s.watermark;
                }
                s.hasher_wants = Some(want);
                s = progress
                    .hash_wake
                    .wait(s)
                    .unwrap_or_else(|e| e.into_inner());
            }
        };
        while pos < upto {
            let n = (upto - pos).min(HASH_STEP);
            window
                .hash(&file, pos, n as usize, &mut hashers)
                .map_err(|e| Error::io("reading", path, e))?;
            pos += n;
            if progress.abort.load(Ordering::SeqCst) {
                return Ok(None);
            }
        }
    }
    Ok(Some(hashers))
}

/// Feeds file ranges to the hashers. On unix the range is mapped (pages come straight from the
/// page cache, without copying them out as `pread` would: that copy cost a fifth of the CPU of a
/// fast download); elsewhere, or if mapping fails, it is read into a buffer.
struct HashWindow {
    buf: Vec<u8>,
}

impl HashWindow {
    fn new() -> HashWindow {
        HashWindow { buf: Vec::new() }
    }

    fn hash(
        &mut self,
        file: &std::fs::File,
        pos: u64,
        len: usize,
        hashers: &mut Hashers,
    ) -> std::io::Result<()> {
        #[cfg(unix)]
        if let Some(map) = Mapped::new(file, pos, len) {
            hashers.update(map.bytes());
            return Ok(());
        }
        if self.buf.len() < len {
            self.buf.resize(len, 0);
        }
        read_exact_at(file, &mut self.buf[..len], pos)?;
        hashers.update(&self.buf[..len]);
        Ok(())
    }
}

/// A read-only mapping of part of a file, unmapped on drop.
///
/// The caller guarantees the file is not truncated while mapped (a truncated mapping faults):
/// the partial file belongs to this download alone (the folder is locked), and every exit of
/// [`Fetcher::download_parallel`] joins the hashing thread before anything may shorten the file.
#[cfg(unix)]
struct Mapped {
    base: *mut libc::c_void,
    map_len: usize,
    skip: usize,
    len: usize,
}

#[cfg(unix)]
impl Mapped {
    fn new(file: &std::fs::File, pos: u64, len: usize) -> Option<Mapped> {
        use std::os::fd::AsRawFd;
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        let page = u64::try_from(page).ok().filter(|p| *p > 0)?;
        let start = pos / page * page;
        let skip = (pos - start) as usize;
        let map_len = skip + len;
        let offset = libc::off_t::try_from(start).ok()?;
        // SAFETY: a fresh read-only shared mapping of a range inside the file (the caller only
        // maps bytes already written, below the preallocated length); checked for failure below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ,
                libc::MAP_SHARED | populate_flag(),
                file.as_raw_fd(),
                offset,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        Some(Mapped {
            base,
            map_len,
            skip,
            len,
        })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping covers `skip + len` readable bytes and lives as long as `self`.
        unsafe { std::slice::from_raw_parts((self.base as *const u8).add(self.skip), self.len) }
    }
}

#[cfg(all(unix, any(target_os = "linux", target_os = "android")))]
fn populate_flag() -> libc::c_int {
    // Fault the window in with one call instead of a fault per few pages.
    libc::MAP_POPULATE
}

#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
fn populate_flag() -> libc::c_int {
    0
}

#[cfg(unix)]
impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: `base`/`map_len` are exactly what mmap returned; no slice outlives `self`.
        unsafe {
            libc::munmap(self.base, self.map_len);
        }
    }
}

#[cfg(unix)]
fn read_exact_at(f: &std::fs::File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, off)
}

#[cfg(windows)]
fn read_exact_at(f: &std::fs::File, mut buf: &mut [u8], mut off: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_read(buf, off)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                off += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_all_at(f: &std::fs::File, mut buf: &[u8], mut off: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_write(buf, off)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                off += n as u64;
            }
        }
    }
    Ok(())
}

/// The signed URL every chunk request goes to, re-resolved when it expires.
struct UrlState {
    url: Option<Url>,
    generation: u64,
    relocations: u32,
}

/// Everything the chunk workers share.
struct Ctx<'s, 'a> {
    spec: &'s FileSpec<'a>,
    id: TransferId,
    progress: Arc<Progress>,
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

impl Fetcher<'_> {
    /// Downloads `spec` in parallel chunks into its partial file, resuming the chunks that the
    /// sidecar `side` records as done. `first` is a response already received for chunk 0 (its
    /// final URL is then the content URL). See the module documentation.
    pub(crate) async fn download_parallel(
        &self,
        spec: &FileSpec<'_>,
        id: TransferId,
        total: u64,
        mut side: Sidecar,
        first: Option<FirstResponse>,
    ) -> Result<Parallel> {
        let cfg = &self.parallel;
        let _large = self
            .large_files
            .acquire()
            .await
            .map_err(|_| Error::Interrupted)?;
        let chunk = match &side.chunks {
            Some(c) if c.chunk_size > 0 => c.chunk_size,
            _ => cfg.chunk_for(total),
        };
        let n = total.div_ceil(chunk) as usize;
        let mut done = vec![false; n];
        let mut partial = Vec::new();
        if let Some(c) = &side.chunks {
            for &i in &c.done {
                if let Some(d) = done.get_mut(i as usize) {
                    *d = true;
                }
            }
            partial.extend(
                c.partial
                    .iter()
                    .filter(|(i, _)| (**i as usize) < n && !done[**i as usize])
                    .map(|(i, w)| (*i as usize, *w)),
            );
        }
        side.size = Some(total);
        side.chunks = Some(ChunkState {
            chunk_size: chunk,
            done: done_list(&done),
            partial: Default::default(),
        });
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

        let progress = Arc::new(Progress::new(total, chunk, n));
        let mut resumed = 0;
        for (i, &d) in done.iter().enumerate() {
            if d {
                let (a, b) = progress.bounds(i);
                progress.advance(i, b - a);
                resumed += b - a;
            }
        }
        for (i, w) in partial {
            // Less than the whole chunk, so it is fetched from its first missing byte.
            let (a, b) = progress.bounds(i);
            let w = w.min((b - a).saturating_sub(1));
            progress.advance(i, w);
            resumed += w;
        }
        self.reporter.on_event(&Event::FileStart {
            id,
            dataset: self.dataset,
            name: spec.rel_path,
            total: Some(total),
            resumed_from: resumed,
        });
        let avail = Arc::new(Availability {
            progress: progress.clone(),
            path: spec.part.clone(),
        });
        if let Some(on_parallel) = spec.on_parallel {
            on_parallel(avail.clone());
        }
        let hashers = Hashers::new(spec.expected.as_ref(), Some(total), spec.md5_from_server);
        let hasher = {
            let (p, path) = (progress.clone(), spec.part.clone());
            tokio::task::spawn_blocking(move || hash_in_order(&path, &p, hashers))
        };
        // Whatever happens below, the hashing thread must not outlive this call.
        let _stop_hasher = StopOnDrop(progress.clone());

        let server_md5 = side
            .md5
            .as_deref()
            .and_then(|h| hex::decode(h).ok())
            .and_then(|v| v.try_into().ok());
        let first_url = first.as_ref().map(|f| f.response.url().clone());
        let ctx = Ctx {
            spec,
            id,
            progress: progress.clone(),
            file: Arc::new(file),
            url: tokio::sync::Mutex::new(UrlState {
                generation: u64::from(first_url.is_some()),
                url: first_url.clone(),
                relocations: 0,
            }),
            validator: side
                .validator
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok()),
            server_md5,
            api_origin: http::origin_of(&spec.request.url),
            received: AtomicU64::new(0),
            errors: AtomicU32::new(0),
            side: Mutex::new(side),
        };

        let mut queue: VecDeque<usize> = (0..n).filter(|&i| !done[i]).collect();
        let mut workers = FuturesUnordered::new();
        if let Some(f) = first {
            // The response that told the size starts at byte 0: it belongs to chunk 0.
            if queue.front() == Some(&0) {
                queue.pop_front();
                workers.push(self.fetch_chunk(&ctx, 0, Some(f)));
            }
        }
        if spec.tail_first && queue.len() > 1 && queue.back() == Some(&(n - 1)) {
            // The reader wants the end first (a zip's directory), then the rest in order.
            queue.pop_back();
            queue.push_front(n - 1);
        }
        let mut adapt = Adapt::new(cfg.max_connections.max(1));
        let mut ticker =
            tokio::time::interval_at(tokio::time::Instant::now() + ADAPT_EVERY, ADAPT_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut stopped: Option<Result<Parallel>> = None;
        loop {
            while workers.len() < adapt.target
                && let Some(i) = queue.pop_front()
            {
                workers.push(self.fetch_chunk(&ctx, i, None));
            }
            if workers.is_empty() {
                break;
            }
            tokio::select! {
                r = workers.next() => match r {
                    Some(Ok(ChunkEnd::Done)) | None => {}
                    Some(Ok(ChunkEnd::Fallback(resp))) => {
                        stopped = Some(Ok(Parallel::Fallback(resp)));
                        break;
                    }
                    Some(Err(e)) => {
                        // Other chunks stop here; those complete are in the sidecar for next time.
                        stopped = Some(Err(e));
                        break;
                    }
                },
                _ = ticker.tick() => {
                    let before = adapt.target;
                    adapt.tick(
                        ctx.received.load(Ordering::Relaxed),
                        ctx.errors.load(Ordering::Relaxed),
                        workers.len(),
                    );
                    if adapt.target != before {
                        self.reporter.on_event(&Event::Debug(&format!(
                            "{}: {} connections (was {before}; {:.0} MB/s)",
                            spec.rel_path,
                            adapt.target,
                            adapt.last_rate / 1e6
                        )));
                    }
                }
                _ = self.http.cancel.cancelled() => {
                    // Every worker sees the cancellation too and returns at once, after writing
                    // what it holds; let them, so their progress can be recorded.
                    while workers.next().await.is_some() {}
                    stopped = Some(Err(Error::Interrupted));
                    break;
                }
            }
        }
        drop(workers);
        if let Some(outcome) = stopped {
            // The hashing thread may hold a mapping of the file, and a fallback truncates it:
            // wait until the thread has let go.
            progress.stop();
            let _ = hasher.await;
            if outcome.is_err() {
                // Keep the begun chunks' bytes for the next run too (they are written: the
                // workers record progress only after their writes).
                let written = lock(&progress.state).written.clone();
                let mut side = lock(&ctx.side);
                if let Some(c) = side.chunks.as_mut() {
                    c.partial = written
                        .iter()
                        .enumerate()
                        .filter(|(i, w)| **w > 0 && !c.done.contains(&(*i as u32)))
                        .map(|(i, w)| (i as u32, *w))
                        .collect();
                }
                let _ = write_sidecar(&spec.part, &side);
            }
            return outcome;
        }
        let hashers = hasher
            .await
            .map_err(|e| Error::conflict(format!("hashing task failed: {e}"), None))??
            .ok_or_else(|| Error::conflict("hashing stopped early", None))?;
        // On disk before the caller renames it (most of it already is: see `start_writeback`).
        let f = ctx.file.clone();
        tokio::task::spawn_blocking(move || f.sync_data())
            .await
            .map_err(|e| Error::conflict(format!("syncing task failed: {e}"), None))?
            .map_err(|e| Error::io("syncing", &spec.part, e))?;
        self.reporter.on_event(&Event::Verify { id });
        let digests: Digests = hashers.finish();
        let transferred = ctx.received.load(Ordering::Relaxed);
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
        let content_url = ctx.url.into_inner().url;
        Ok(Parallel::Done(Downloaded {
            digests,
            total,
            server_md5,
            transferred,
            content_url,
            availability: Some(avail),
        }))
    }

    /// Fetches chunk `i` (from its first missing byte), retrying it alone on transient failures.
    async fn fetch_chunk(
        &self,
        ctx: &Ctx<'_, '_>,
        i: usize,
        mut first: Option<FirstResponse>,
    ) -> Result<ChunkEnd> {
        let spec = ctx.spec;
        let (start, end) = ctx.progress.bounds(i);
        let mut failures: u32 = 0;
        let mut buf = Pending::default();
        loop {
            let pos = start + ctx.progress.written(i);
            if pos >= end {
                return Ok(ChunkEnd::Done);
            }
            let (resp, _permit, generation) = match first.take() {
                Some(f) => (Ok(f.response), f.permit, 1),
                None => {
                    let permit = match &self.connections {
                        Some(s) => Some(
                            s.clone()
                                .acquire_owned()
                                .await
                                .map_err(|_| Error::Interrupted)?,
                        ),
                        None => None,
                    };
                    let (resp, generation) = self.send_range(ctx, pos, end).await?;
                    (resp, permit, generation)
                }
            };
            let resp = match resp {
                Ok(r) => r,
                Err(e) => {
                    ctx.errors.fetch_add(1, Ordering::Relaxed);
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
            let from_api = http::origin_of(resp.url()) == ctx.api_origin;
            let asked_end: u64;
            match status.as_u16() {
                206 => {
                    let cr = resp
                        .headers()
                        .get(reqwest::header::CONTENT_RANGE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(crate::fetch::parse_content_range);
                    match cr {
                        Some((a, b, t))
                            if a == pos && t.is_none_or(|t| t == ctx.progress.total) =>
                        {
                            asked_end = (b + 1).min(end);
                        }
                        Some((_, _, Some(t))) if t != ctx.progress.total => {
                            // Another object (or size) than the layout: start over in one stream.
                            return Ok(ChunkEnd::Fallback(None));
                        }
                        _ => {
                            ctx.errors.fetch_add(1, Ordering::Relaxed);
                            self.transient(
                                &mut failures,
                                None,
                                "server answered a different range than requested",
                                spec,
                            )
                            .await?;
                            continue;
                        }
                    }
                }
                // Range ignored, or If-Range says the object changed: one stream from zero.
                200 => return Ok(ChunkEnd::Fallback(Some(resp))),
                416 => return Ok(ChunkEnd::Fallback(None)),
                401 | 403 | 410 if !from_api => {
                    // The signed URL expired: ask the API for a fresh one (once for all chunks).
                    let mut u = ctx.url.lock().await;
                    if u.generation == generation {
                        u.relocations += 1;
                        if u.relocations > MAX_RELOCATIONS {
                            return Err(spec.failure(resp, &ctx.api_origin, u.relocations).await);
                        }
                        u.url = None;
                        self.reporter.on_event(&Event::Debug(&format!(
                            "{}: storage answered {status}; requesting a fresh download URL",
                            spec.rel_path
                        )));
                    }
                    continue;
                }
                s if http::is_transient_status(status) || http::is_redirect_loop(status) => {
                    ctx.errors.fetch_add(1, Ordering::Relaxed);
                    let wait = http::server_wait(resp.headers(), std::time::SystemTime::now());
                    if failures >= self.http.retry.retries {
                        return Err(spec.failure(resp, &ctx.api_origin, failures + 1).await);
                    }
                    self.transient(&mut failures, wait, &format!("HTTP {s}"), spec)
                        .await?;
                    continue;
                }
                _ => {
                    return Err(spec.failure(resp, &ctx.api_origin, failures + 1).await);
                }
            }
            if spec.md5_from_server {
                let md5 = crate::verify::parse_goog_md5(
                    resp.headers()
                        .get_all("x-goog-hash")
                        .iter()
                        .filter_map(|v| v.to_str().ok()),
                );
                if md5.is_some() && ctx.server_md5.is_some() && md5 != ctx.server_md5 {
                    // The object changed under a matching validator: never splice two versions.
                    return Ok(ChunkEnd::Fallback(None));
                }
            }

            let mut resp = resp;
            let mut at = pos;
            let mut progressed = false;
            let broke = loop {
                let next = tokio::select! {
                    c = resp.chunk() => c,
                    _ = self.http.cancel.cancelled() => {
                        // Keep what arrived: the next run resumes this chunk after it.
                        self.write_buffer(ctx, i, at, &mut buf).await?;
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
                        ctx.received.fetch_add(n, Ordering::Relaxed);
                        self.reporter.on_event(&Event::Bytes {
                            id: ctx.id,
                            delta: n,
                        });
                        progressed = true;
                        if buf.len() >= WRITE_BUFFER || at + buf.len() as u64 >= asked_end {
                            at = self.write_buffer(ctx, i, at, &mut buf).await?;
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
            at = self.write_buffer(ctx, i, at, &mut buf).await?;
            if progressed {
                failures = 0;
            }
            if at >= end {
                return Ok(ChunkEnd::Done);
            }
            if at < asked_end || broke.is_some() {
                ctx.errors.fetch_add(1, Ordering::Relaxed);
                let reason = broke
                    .unwrap_or_else(|| "the response ended before the whole range arrived".into());
                self.transient(&mut failures, None, &reason, spec).await?;
            }
            // Otherwise the server sent a shorter range than asked: ask for the rest.
        }
    }

    /// Sends a ranged GET for `[pos, end)` to the content URL, resolving it first when needed.
    /// Returns the response (or transport error) and the URL generation it went to.
    async fn send_range(
        &self,
        ctx: &Ctx<'_, '_>,
        pos: u64,
        end: u64,
    ) -> Result<(std::result::Result<reqwest::Response, reqwest::Error>, u64)> {
        let spec = ctx.spec;
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::RANGE,
            HeaderValue::from_str(&format!("bytes={pos}-{}", end - 1)).expect("ascii"),
        );
        if let Some(v) = &ctx.validator {
            headers.insert(reqwest::header::IF_RANGE, v.clone());
        }
        let mut u = ctx.url.lock().await;
        if let Some(url) = u.url.clone() {
            let generation = u.generation;
            drop(u);
            let req = Request {
                method: reqwest::Method::GET,
                url,
                headers,
                body: None,
                auth: spec.request.auth.clone(),
                what: spec.request.what.clone(),
            };
            let r = self
                .http
                .cancellable(self.http.execute_once(&req, self.reporter))
                .await?;
            return Ok((r, generation));
        }
        // No URL yet (or it expired): this request resolves it; the others wait for the answer.
        let mut req = spec.request.clone();
        req.headers.extend(headers);
        let r = self
            .http
            .cancellable(self.http.execute_once(&req, self.reporter))
            .await?;
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
    async fn write_buffer(
        &self,
        ctx: &Ctx<'_, '_>,
        i: usize,
        at: u64,
        buf: &mut Pending,
    ) -> Result<u64> {
        if buf.is_empty() {
            return Ok(at);
        }
        let len = buf.len() as u64;
        // Written in place rather than on the blocking pool: a 256 KiB write into the page cache
        // takes tens of microseconds, less than the hand-off to another thread and back, and
        // the pool would grow a thread (and memory) per connection.
        buf.write_at(&ctx.file, at).map_err(|e| {
            // A full disk: the preallocated file is sparse, so what is missing is what has not
            // arrived yet.
            let have: u64 = lock(&ctx.progress.state).written.iter().sum();
            Error::io("writing", &ctx.spec.part, e)
                .with_space_needed(Some(ctx.progress.total.saturating_sub(have)))
        })?;
        if ctx.progress.advance(i, len) {
            let (start, end) = ctx.progress.bounds(i);
            // It may wait for the disk queue: keep it off the runtime's threads.
            let f = ctx.file.clone();
            drop(tokio::task::spawn_blocking(move || {
                start_writeback(&f, start, end - start)
            }));
            let mut side = lock(&ctx.side);
            if let Some(c) = side.chunks.as_mut() {
                c.done.push(i as u32);
                c.done.sort_unstable();
            }
            write_sidecar(&ctx.spec.part, &side)?;
        }
        Ok(at + len)
    }
}

/// Asks the kernel to start writing a completed chunk to disk now, without waiting: the final
/// `fdatasync` then has only the last chunks left (syncing a whole 1 GiB file at the end cost
/// 0.4 s here; spread over the transfer it costs next to nothing).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn start_writeback(file: &std::fs::File, start: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(off), Ok(n)) = (libc::off64_t::try_from(start), libc::off64_t::try_from(len)) else {
        return;
    };
    // SAFETY: plain system call on an open descriptor; a failure only means no early writeback.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), off, n, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn start_writeback(_file: &std::fs::File, _start: u64, _len: u64) {}

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
        let r = write_parts_at(f, &self.parts, off);
        self.parts.clear();
        self.len = 0;
        r
    }
}

/// `pwritev` of all `parts` at `off`, resuming after short writes.
#[cfg(unix)]
fn write_parts_at(f: &std::fs::File, parts: &[bytes::Bytes], mut off: u64) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let (mut idx, mut skip) = (0usize, 0usize);
    while idx < parts.len() {
        let iov: Vec<libc::iovec> = parts[idx..]
            .iter()
            .take(64)
            .enumerate()
            .map(|(k, b)| {
                let s = if k == 0 { &b[skip..] } else { &b[..] };
                libc::iovec {
                    iov_base: s.as_ptr() as *mut libc::c_void,
                    iov_len: s.len(),
                }
            })
            .collect();
        let off_t = libc::off_t::try_from(off).map_err(std::io::Error::other)?;
        // SAFETY: every iovec points into a `Bytes` borrowed for the duration of the call, with
        // its exact length; the descriptor is open for writing.
        let n = unsafe { libc::pwritev(f.as_raw_fd(), iov.as_ptr(), iov.len() as i32, off_t) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        let mut n = n as usize;
        off += n as u64;
        while n > 0 {
            let rest = parts[idx].len() - skip;
            if n >= rest {
                n -= rest;
                idx += 1;
                skip = 0;
            } else {
                skip += n;
                n = 0;
            }
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn write_parts_at(f: &std::fs::File, parts: &[bytes::Bytes], mut off: u64) -> std::io::Result<()> {
    for p in parts {
        write_all_at(f, p, off)?;
        off += p.len() as u64;
    }
    Ok(())
}

fn done_list(done: &[bool]) -> Vec<u32> {
    done.iter()
        .enumerate()
        .filter(|(_, d)| **d)
        .map(|(i, _)| i as u32)
        .collect()
}

/// Stops the hashing thread when the download ends, however it ends.
struct StopOnDrop(Arc<Progress>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Adapts the number of connections to measured throughput: doubles while each step raises
/// throughput by more than 10% (quadruples when it nearly doubled it), halves on errors, and
/// after a quiet spell probes one more. The window right after a change is not judged (new
/// connections are still connecting), and growth stops only after two judged windows without
/// gain, so one noisy window does not freeze a capped download at a few connections.
struct Adapt {
    target: usize,
    cap: usize,
    growing: bool,
    /// Windows left to wait before judging the last change.
    settle: u32,
    /// Judged windows in a row without gain.
    flat: u32,
    last_at: Instant,
    last_bytes: u64,
    last_errors: u32,
    /// Throughput measured at the previous level, bytes per second.
    level_rate: f64,
    quiet_ticks: u32,
    /// Throughput of the last window, bytes per second (for messages).
    last_rate: f64,
}

impl Adapt {
    fn new(cap: usize) -> Adapt {
        Adapt {
            target: INITIAL_CONNECTIONS.min(cap),
            cap,
            growing: true,
            settle: 0,
            flat: 0,
            last_at: Instant::now(),
            last_bytes: 0,
            last_errors: 0,
            level_rate: 0.0,
            quiet_ticks: 0,
            last_rate: 0.0,
        }
    }

    fn tick(&mut self, bytes: u64, errors: u32, active: usize) {
        let now = Instant::now();
        let dt = now.duration_since(self.last_at).as_secs_f64().max(1e-3);
        let rate = (bytes - self.last_bytes) as f64 / dt;
        self.last_at = now;
        self.last_bytes = bytes;
        self.last_rate = rate;
        if errors != self.last_errors {
            self.last_errors = errors;
            self.target = (self.target / 2).max(1);
            self.growing = false;
            self.quiet_ticks = 0;
            return;
        }
        self.quiet_ticks += 1;
        if active < self.target {
            // Not enough chunks left to use more connections: nothing to learn.
            return;
        }
        if self.growing {
            if self.settle > 0 {
                self.settle -= 1;
                return;
            }
            // Near-linear gain from the last doubling means each connection is capped (not the
            // link or the CPU): jump further; a small gain doubles; none, twice, stops the growth.
            let factor = if self.level_rate == 0.0 {
                2
            } else if rate > self.level_rate * 1.7 {
                4
            } else if rate > self.level_rate * 1.1 {
                2
            } else {
                self.flat += 1;
                if self.flat >= 2 {
                    self.growing = false;
                }
                1
            };
            if factor > 1 {
                self.flat = 0;
                self.settle = 1;
                self.level_rate = rate;
                self.target = (self.target * factor).min(self.cap);
            }
        } else if self.quiet_ticks >= 10 && self.target < self.cap {
            // After errors stopped, probe upwards again slowly.
            self.quiet_ticks = 0;
            self.level_rate = rate;
            self.target += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_sizes() {
        let c = ParallelConfig::default();
        assert!(!c.wants_parallel(MIN_CHUNK));
        assert!(c.wants_parallel(MIN_CHUNK + 1));
        assert_eq!(c.chunk_for(1 << 30), 8 << 20);
        assert_eq!(c.chunk_for(40_000_000), MIN_CHUNK);
        assert_eq!(c.chunk_for(1 << 40), MAX_CHUNK);
        let fixed = ParallelConfig {
            max_connections: 4,
            chunk_size: Some(1000),
        };
        assert!(fixed.wants_parallel(1001));
        assert_eq!(fixed.chunk_for(1 << 30), 1000);
        let single = ParallelConfig {
            max_connections: 1,
            chunk_size: None,
        };
        assert!(!single.wants_parallel(1 << 30));
    }

    #[test]
    fn watermark_follows_contiguous_prefix() {
        let p = Progress::new(25, 10, 3);
        assert!(!p.advance(1, 4));
        assert_eq!(lock(&p.state).watermark, 0);
        assert!(p.advance(2, 5));
        assert!(!p.advance(0, 9));
        assert_eq!(lock(&p.state).watermark, 9);
        assert!(p.advance(0, 1));
        assert_eq!(lock(&p.state).watermark, 14);
        assert!(p.advance(1, 6));
        assert_eq!(lock(&p.state).watermark, 25);
    }

    #[test]
    fn adapt_grows_while_throughput_grows_and_backs_off_on_errors() {
        // One judged window of one second; a window after a change only settles.
        fn window(a: &mut Adapt, bytes: u64, errors: u32, active: usize) {
            a.last_at = Instant::now() - Duration::from_secs(1);
            a.tick(bytes, errors, active);
        }
        let mut a = Adapt::new(16);
        assert_eq!(a.target, 2);
        window(&mut a, 50, 0, 2);
        assert_eq!(a.target, 4);
        window(&mut a, 100, 0, 4);
        assert_eq!(a.target, 4, "the window after a change is not judged");
        window(&mut a, 160, 0, 4);
        assert_eq!(a.target, 8, "+20%: doubles");
        window(&mut a, 230, 0, 8);
        window(&mut a, 340, 0, 8);
        assert_eq!(a.target, 16, "linear gain: would quadruple, capped");
        window(&mut a, 500, 0, 16);
        window(&mut a, 700, 0, 16);
        assert_eq!(a.target, 16, "capped");
        a.tick(800, 1, 16);
        assert_eq!(a.target, 8, "halved on errors");

        let mut flat = Adapt::new(16);
        window(&mut flat, 100, 0, 2);
        assert_eq!(flat.target, 4);
        window(&mut flat, 200, 0, 4);
        window(&mut flat, 300, 0, 4);
        assert!(
            flat.growing,
            "one window without gain is not enough to stop"
        );
        window(&mut flat, 400, 0, 4);
        assert_eq!(flat.target, 4, "no gain from 2 to 4, twice: stays");
        assert!(!flat.growing);
    }
}
