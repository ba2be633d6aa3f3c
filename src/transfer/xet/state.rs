//! One Xet file's progress: which spans of the partial file are complete (each a run of whole
//! chunks, recorded only after its bytes are written), the journal that lets a later run keep
//! them, the chunk hashes fed in file order into the file id, and the thread that hashes the
//! file (sha256) behind the contiguous prefix.
//!
//! The journal (`<part>.journal`) is append-only text: a header line naming the file id and
//! size, then one line per complete span, `START HASH:LEN,HASH:LEN,...`. A torn last line (a
//! crash mid-write) is ignored; anything that does not fit the file makes the whole journal
//! untrusted.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use super::hash::{Hash, Merkle, from_hex, to_hex};
use crate::error::{Error, Result};
use crate::transfer::hashing::lock;
use crate::verify::Hashers;

/// The hashing thread wakes for this much new prefix at a time.
const HASH_STEP: u64 = 4 << 20;

struct Inner {
    /// Complete spans, start → end.
    done: BTreeMap<u64, u64>,
    /// Contiguous complete bytes from 0.
    watermark: u64,
    /// Chunk hashes of complete spans not yet fed into `merkle` (start → chunks).
    pending: BTreeMap<u64, Vec<(Hash, u64)>>,
    /// Where the next span to feed starts.
    fed: u64,
    merkle: Merkle,
}

/// Shared by the workers of one file's download.
pub(crate) struct FileState {
    pub total: u64,
    pub file: Arc<std::fs::File>,
    pub part: PathBuf,
    inner: Mutex<Inner>,
    wake: Condvar,
    abort: AtomicBool,
    journal: Mutex<Option<std::fs::File>>,
    /// Bytes found complete at the start (kept from an earlier run).
    pub resumed: u64,
}

fn journal_path(part: &Path) -> PathBuf {
    let mut s = part.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

/// Removes a Xet partial file and its journal.
pub(crate) fn discard(part: &Path) {
    let _ = std::fs::remove_file(part);
    let _ = std::fs::remove_file(journal_path(part));
}

/// A complete span: where it starts and its chunks (hash, length).
type Span = (u64, Vec<(Hash, u64)>);

/// One journal line.
fn span_line(start: u64, chunks: &[(Hash, u64)]) -> String {
    let mut line = format!("{start} ");
    for (i, (h, len)) in chunks.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&format!("{}:{len}", to_hex(h)));
    }
    line.push('\n');
    line
}

/// Removes a Xet partial file's journal (the file was moved into place).
pub(crate) fn discard_journal(part: &Path) {
    let _ = std::fs::remove_file(journal_path(part));
}

/// Reads a journal: the spans it records, if it belongs to `file_id` of `total` bytes and is
/// consistent.
fn read_journal(path: &Path, file_id: &str, total: u64) -> Option<Vec<Span>> {
    let text = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&text);
    let mut lines = text.split_inclusive('\n');
    if lines.next()? != format!("dsfetch-xet 1 {file_id} {total}\n") {
        return None;
    }
    let mut spans: Vec<Span> = Vec::new();
    for line in lines {
        let Some(line) = line.strip_suffix('\n') else {
            break; // torn
        };
        let (start, chunks) = line.split_once(' ')?;
        let start: u64 = start.parse().ok()?;
        let mut list = Vec::new();
        let mut end = start;
        for c in chunks.split(',') {
            let (h, len) = c.split_once(':')?;
            let len: u64 = len.parse().ok()?;
            if len == 0 || len > super::xorb::MAX_CHUNK as u64 {
                return None;
            }
            list.push((from_hex(h)?, len));
            end = end.checked_add(len)?;
        }
        if end > total {
            return None;
        }
        spans.push((start, list));
    }
    spans.sort_by_key(|s| s.0);
    let mut at = 0;
    for (start, list) in &spans {
        if *start < at {
            return None; // overlapping
        }
        at = start + list.iter().map(|c| c.1).sum::<u64>();
    }
    Some(spans)
}

impl FileState {
    /// Opens (or creates) the partial file `part` for `file_id` (hex) of `total` bytes, keeping
    /// the spans its journal records unless `from_scratch`.
    pub fn open(part: &Path, file_id: &str, total: u64, from_scratch: bool) -> Result<FileState> {
        if let Some(dir) = part.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
        }
        let jpath = journal_path(part);
        let kept = match from_scratch {
            true => None,
            false => read_journal(&jpath, file_id, total),
        }
        .filter(|_| std::fs::metadata(part).is_ok_and(|m| m.len() == total));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(kept.is_none())
            .open(part)
            .map_err(|e| Error::io("opening", part, e))?;
        file.set_len(total)
            .map_err(|e| Error::io("preallocating", part, e))?;
        // Rewritten whole (without a torn last line), then appended to.
        let mut text = format!("dsfetch-xet 1 {file_id} {total}\n");
        for (start, chunks) in kept.iter().flatten() {
            text.push_str(&span_line(*start, chunks));
        }
        std::fs::write(&jpath, text).map_err(|e| Error::io("writing", &jpath, e))?;
        let journal = std::fs::OpenOptions::new()
            .append(true)
            .open(&jpath)
            .map_err(|e| Error::io("opening", &jpath, e))?;
        let state = FileState {
            total,
            file: Arc::new(file),
            part: part.to_path_buf(),
            inner: Mutex::new(Inner {
                done: BTreeMap::new(),
                watermark: 0,
                pending: BTreeMap::new(),
                fed: 0,
                merkle: Merkle::default(),
            }),
            wake: Condvar::new(),
            abort: AtomicBool::new(false),
            journal: Mutex::new(None),
            resumed: 0,
        };
        let mut resumed = 0;
        for (start, chunks) in kept.unwrap_or_default() {
            resumed += chunks.iter().map(|c| c.1).sum::<u64>();
            state.mark(start, chunks);
        }
        *lock(&state.journal) = Some(journal);
        Ok(FileState { resumed, ..state })
    }

    /// Records a span whose bytes are written: journal, progress, file id.
    pub fn complete(&self, start: u64, chunks: Vec<(Hash, u64)>) -> Result<()> {
        let line = span_line(start, &chunks);
        if let Some(j) = lock(&self.journal).as_mut() {
            j.write_all(line.as_bytes())
                .map_err(|e| Error::io("writing", journal_path(&self.part), e))?;
        }
        self.mark(start, chunks);
        Ok(())
    }

    fn mark(&self, start: u64, chunks: Vec<(Hash, u64)>) {
        let end = start + chunks.iter().map(|c| c.1).sum::<u64>();
        let mut s = lock(&self.inner);
        s.done.insert(start, end);
        s.pending.insert(start, chunks);
        while let Some(&e) = s.done.get(&s.watermark) {
            s.watermark = e;
        }
        loop {
            let at = s.fed;
            let Some(list) = s.pending.remove(&at) else {
                break;
            };
            for (h, len) in list {
                s.merkle.push(h, len);
                s.fed += len;
            }
        }
        self.wake.notify_all();
    }

    /// The byte ranges `[a, b)` not complete yet, in order.
    pub fn gaps(&self) -> Vec<(u64, u64)> {
        let s = lock(&self.inner);
        let mut out = Vec::new();
        let mut at = 0;
        for (&a, &b) in &s.done {
            if a > at {
                out.push((at, a));
            }
            at = at.max(b);
        }
        if at < self.total {
            out.push((at, self.total));
        }
        out
    }

    /// Whether every byte is complete.
    pub fn is_complete(&self) -> bool {
        lock(&self.inner).watermark >= self.total
    }

    /// The file id of the chunks (once complete).
    pub fn file_id(&self) -> Option<Hash> {
        let mut s = lock(&self.inner);
        (s.fed >= self.total).then(|| std::mem::take(&mut s.merkle).file_id())
    }

    /// Stops the hashing thread.
    pub fn stop(&self) {
        self.abort.store(true, Ordering::SeqCst);
        let _s = lock(&self.inner);
        self.wake.notify_all();
    }

    /// Blocks until `want` bytes from 0 are complete; `None` if stopped first.
    fn wait_for(&self, want: u64) -> Option<u64> {
        let mut s = lock(&self.inner);
        loop {
            if self.abort.load(Ordering::SeqCst) {
                return None;
            }
            if s.watermark >= want {
                return Some(s.watermark);
            }
            s = self.wake.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Hashes the file in order behind the complete prefix (blocking). `None` when stopped first.
pub(crate) fn hash_in_order(state: &FileState, mut hashers: Hashers) -> Result<Option<Hashers>> {
    let mut pos = 0u64;
    let mut buf = Vec::new();
    while pos < state.total {
        let want = (pos + HASH_STEP).min(state.total);
        let Some(upto) = state.wait_for(want) else {
            return Ok(None);
        };
        while pos < upto {
            let n = (upto - pos).min(HASH_STEP) as usize;
            #[cfg(unix)]
            if let Some(map) = crate::transfer::sys::Mapped::new(&state.file, pos, n) {
                hashers.update(map.bytes());
                pos += n as u64;
                continue;
            }
            buf.resize(n, 0);
            crate::transfer::sys::read_exact_at(&state.file, &mut buf, pos)
                .map_err(|e| Error::io("reading", &state.part, e))?;
            hashers.update(&buf);
            pos += n as u64;
        }
    }
    Ok(Some(hashers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_survive_in_the_journal_and_a_torn_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("f.part.xet");
        let id = "ab".repeat(32);
        let h = super::super::hash::chunk_hash(b"x");
        {
            let s = FileState::open(&part, &id, 100, false).unwrap();
            s.complete(40, vec![(h, 60)]).unwrap();
            assert_eq!(s.gaps(), vec![(0, 40)]);
            assert!(!s.is_complete());
        }
        let mut j = std::fs::OpenOptions::new()
            .append(true)
            .open(journal_path(&part))
            .unwrap();
        j.write_all(b"0 abc").unwrap(); // torn
        let s = FileState::open(&part, &id, 100, false).unwrap();
        assert_eq!((s.resumed, s.gaps()), (60, vec![(0, 40)]));
        s.complete(0, vec![(h, 40)]).unwrap();
        assert!(s.is_complete());
        assert!(s.file_id().is_some());
        drop(s);
        let s = FileState::open(&part, &id, 100, false).unwrap();
        assert_eq!(s.resumed, 100, "the line after the torn one counts");
        let other = FileState::open(&part, &"cd".repeat(32), 100, false).unwrap();
        assert_eq!(other.resumed, 0, "another file's journal is not trusted");
    }
}
