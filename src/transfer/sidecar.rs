//! The partial file's sidecar (`<part>.json`): what a later run needs to trust and resume the
//! bytes of a partial file (size, validator for `If-Range`, the storage's MD5, and in parallel
//! mode the chunk layout and the chunks complete on disk).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

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

impl Sidecar {
    /// Lays a file of `total` bytes out in chunks: the recorded layout when there is one, else
    /// chunks of `default_chunk` bytes. Records the layout (the chunks found complete, none
    /// begun) and returns its chunk size, which chunks are done, and the bytes written from the
    /// start of begun ones (index, bytes).
    pub fn lay_out(
        &mut self,
        total: u64,
        default_chunk: u64,
    ) -> (u64, Vec<bool>, Vec<(usize, u64)>) {
        let chunk = match &self.chunks {
            Some(c) if c.chunk_size > 0 => c.chunk_size,
            _ => default_chunk,
        };
        let n = total.div_ceil(chunk) as usize;
        let (done, partial) = match &self.chunks {
            Some(c) => c.resume(n),
            None => (vec![false; n], Vec::new()),
        };
        self.size = Some(total);
        self.chunks = Some(ChunkState {
            chunk_size: chunk,
            done: done_list(&done),
            partial: BTreeMap::new(),
        });
        (chunk, done, partial)
    }

    /// The recorded storage MD5 as bytes (`None` when absent or not 16 hex bytes).
    pub fn server_md5(&self) -> Option<[u8; 16]> {
        self.md5
            .as_deref()
            .and_then(|h| hex::decode(h).ok())
            .and_then(|v| v.try_into().ok())
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
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub partial: BTreeMap<u32, u64>,
}

impl ChunkState {
    /// In a layout of `n` chunks: which are done (`done[i]`), and the bytes written from the start
    /// of each begun one that is not (index, bytes). Indices outside the layout are ignored.
    fn resume(&self, n: usize) -> (Vec<bool>, Vec<(usize, u64)>) {
        let mut done = vec![false; n];
        for &i in &self.done {
            if let Some(d) = done.get_mut(i as usize) {
                *d = true;
            }
        }
        let partial = self
            .partial
            .iter()
            .filter(|(i, _)| (**i as usize) < n && !done[**i as usize])
            .map(|(i, w)| (*i as usize, *w))
            .collect();
        (done, partial)
    }

    /// Records chunk `i` as complete.
    pub fn mark_done(&mut self, i: usize) {
        self.done.push(i as u32);
        self.done.sort_unstable();
    }

    /// Records the bytes written from the start of each begun chunk that is not done.
    pub fn record_partial(&mut self, written: &[u64]) {
        self.partial = written
            .iter()
            .enumerate()
            .filter(|(i, w)| **w > 0 && !self.done.contains(&(*i as u32)))
            .map(|(i, w)| (i as u32, *w))
            .collect();
    }
}

/// The indices of the `true` entries.
fn done_list(done: &[bool]) -> Vec<u32> {
    done.iter()
        .enumerate()
        .filter(|(_, d)| **d)
        .map(|(i, _)| i as u32)
        .collect()
}

fn sidecar_path(part: &Path) -> PathBuf {
    let mut s = part.as_os_str().to_owned();
    s.push(".json");
    PathBuf::from(s)
}

/// The sidecar of `part`, if there is a readable one.
pub(crate) fn read_sidecar(part: &Path) -> Option<Sidecar> {
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

/// Removes the sidecar of `part` (a missing one is fine).
pub(crate) fn remove_sidecar(part: &Path) {
    let _ = std::fs::remove_file(sidecar_path(part));
}

/// Bytes a partial file holds: its length, or in parallel mode (where the file is preallocated,
/// and sparse) the chunks its sidecar records as complete.
pub(crate) fn partial_len(part: &Path) -> u64 {
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

/// What a partial file holds and its full size, when its sidecar knows it: (bytes, size).
pub(crate) fn partial_progress(part: &Path) -> (u64, Option<u64>) {
    (partial_len(part), read_sidecar(part).and_then(|s| s.size))
}

/// Removes a partial file and its sidecar (missing files are fine).
pub(crate) fn discard_partial(part: &Path) {
    let _ = std::fs::remove_file(part);
    remove_sidecar(part);
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
