//! What the chunks of a parallel download have written, and the thread that hashes the file in
//! order behind them.
//!
//! [`ChunkProgress`] is shared by the chunk workers (who record their writes), the hashing
//! thread (which follows the contiguous written prefix) and [`Availability`] readers (who start
//! reading, e.g. extracting an archive, before the download ends).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use super::sys;
use crate::error::{Error, Result};
use crate::verify::Hashers;

/// The hashing thread wakes for this much new prefix at a time (or the end of the file): waking
/// for every write would cost more in context switches than the hashing itself.
const HASH_STEP: u64 = 4 << 20;

/// Progress of the chunks, shared by the workers and the hashing thread. (Named apart from
/// [`crate::progress`], which reports progress to the user.)
pub(crate) struct ChunkProgress {
    /// The file's size.
    pub total: u64,
    /// The layout's chunk size (the last chunk may be shorter).
    pub chunk: u64,
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

impl ChunkProgress {
    /// Nothing written yet: a file of `total` bytes in `chunks` chunks of `chunk` bytes.
    pub fn new(total: u64, chunk: u64, chunks: usize) -> ChunkProgress {
        ChunkProgress {
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

    /// The byte range `[start, end)` of chunk `i`.
    pub fn bounds(&self, i: usize) -> (u64, u64) {
        let start = i as u64 * self.chunk;
        (start, (start + self.chunk).min(self.total))
    }

    /// Bytes written from the start of chunk `i`.
    pub fn written(&self, i: usize) -> u64 {
        lock(&self.state).written[i]
    }

    /// Bytes written from the start of every chunk.
    pub fn written_all(&self) -> Vec<u64> {
        lock(&self.state).written.clone()
    }

    /// Bytes written in all chunks together.
    pub fn written_sum(&self) -> u64 {
        lock(&self.state).written.iter().sum()
    }

    /// Records `n` more bytes written to chunk `i`; returns whether the chunk is now complete.
    pub fn advance(&self, i: usize, n: u64) -> bool {
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

    /// Records what earlier runs wrote: the chunks marked `done`, and the bytes written from the
    /// start of begun ones (`partial`: index, bytes). Returns the bytes kept.
    pub fn resume(&self, done: &[bool], partial: &[(usize, u64)]) -> u64 {
        let mut resumed = 0;
        for (i, &d) in done.iter().enumerate() {
            if d {
                let (a, b) = self.bounds(i);
                self.advance(i, b - a);
                resumed += b - a;
            }
        }
        for &(i, w) in partial {
            // Less than the whole chunk, so it is fetched from its first missing byte.
            let (a, b) = self.bounds(i);
            let w = w.min((b - a).saturating_sub(1));
            self.advance(i, w);
            resumed += w;
        }
        resumed
    }

    /// Stops the hashing thread and fails waiting readers.
    pub fn stop(&self) {
        self.abort.store(true, Ordering::SeqCst);
        let _s = lock(&self.state);
        self.hash_wake.notify_all();
        self.read_wake.notify_all();
    }
}

/// Stops the hashing thread when the download ends, however it ends.
struct StopOnDrop(Arc<ChunkProgress>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// The thread that hashes a file in order while its chunks arrive (see [`hash_in_order`]).
/// Dropping it stops the thread: it must not outlive the download.
pub(crate) struct Hasher {
    task: tokio::task::JoinHandle<Result<Option<Hashers>>>,
    stop: StopOnDrop,
}

impl Hasher {
    /// Starts hashing the file at `path` into `hashers`, following the prefix `progress`
    /// records as written (on the blocking pool).
    pub fn start(progress: &Arc<ChunkProgress>, path: PathBuf, hashers: Hashers) -> Hasher {
        let p = progress.clone();
        Hasher {
            task: tokio::task::spawn_blocking(move || hash_in_order(&path, &p, hashers)),
            stop: StopOnDrop(progress.clone()),
        }
    }

    /// Stops the thread and waits until it has let go of the file (it may hold a mapping of
    /// it, and a fallback truncates it).
    pub async fn stop(self) {
        self.stop.0.stop();
        let _ = self.task.await;
    }

    /// Waits for the hashes of the whole file.
    pub async fn finish(self) -> Result<Hashers> {
        self.task
            .await
            .map_err(|e| Error::conflict(format!("hashing task failed: {e}"), None))??
            .ok_or_else(|| Error::conflict("hashing stopped early", None))
    }
}

/// Which bytes of a partial file downloading in parallel chunks are written yet, for readers that
/// want to start before the download ends (extracting an archive as it arrives).
pub struct Availability {
    progress: Arc<ChunkProgress>,
    path: PathBuf,
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
    /// The bytes of the partial file at `path` as `progress` records them.
    pub(crate) fn new(progress: Arc<ChunkProgress>, path: PathBuf) -> Availability {
        Availability { progress, path }
    }

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
pub(crate) struct AvailableReader {
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
        sys::read_exact_at(&self.file, &mut buf[..n], self.pos)?;
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

/// Locks `m`, also after a thread panicked holding it (the state stays usable).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hashes the file in order as its prefix becomes contiguous (blocking; runs on its own thread).
/// `None` when the download stopped first.
fn hash_in_order(
    path: &Path,
    progress: &ChunkProgress,
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
        if let Some(map) = sys::Mapped::new(file, pos, len) {
            hashers.update(map.bytes());
            return Ok(());
        }
        if self.buf.len() < len {
            self.buf.resize(len, 0);
        }
        sys::read_exact_at(file, &mut self.buf[..len], pos)?;
        hashers.update(&self.buf[..len]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watermark_follows_contiguous_prefix() {
        let p = ChunkProgress::new(25, 10, 3);
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
}
