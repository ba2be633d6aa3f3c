//! The local chunk cache: xorb ranges kept as they came over the wire (the serialized chunks,
//! still compressed), content-addressed by xorb hash and chunk range, so that a new revision of
//! a file, or another file sharing chunks, fetches only the chunks it lacks.
//!
//! Layout: `DIR/<xorb hash>/<first>-<end>` per range, each file the range's bytes followed by
//! one chunk hash (32 bytes) per chunk, the chunk count (u32 LE) and the magic `DSXC0001`.
//! Entries are written beside the download and moved in only once the file they served was
//! verified, so the cache never holds bytes that did not check out; reading an entry checks
//! every chunk against its recorded hash. The cache is bounded: after each addition the least
//! recently used entries go until it fits its budget. Every failure here is only a cache miss.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use super::hash::{Hash, to_hex};
use crate::transfer::hashing::lock;

const MAGIC: &[u8; 8] = b"DSXC0001";

/// The chunk cache in `dir`, kept under `budget` bytes.
#[derive(Debug, Clone)]
pub struct XetCache {
    dir: PathBuf,
    budget: u64,
}

/// What the cache holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XetCacheStats {
    /// Xorb ranges kept.
    pub entries: u64,
    /// Bytes they take.
    pub bytes: u64,
}

/// A cached range: the file, the chunks it starts at, and their recorded hashes.
pub(crate) struct Cached {
    pub path: PathBuf,
    pub first: u32,
    pub hashes: Vec<Hash>,
    /// Bytes of serialized chunks.
    pub data_len: u64,
}

/// A range being written for the cache (in the cache's `tmp/`), moved in by [`XetCache::commit`].
pub(crate) struct Pending {
    tmp: PathBuf,
    dest: PathBuf,
    file: std::fs::File,
    hashes: Mutex<Vec<Option<Hash>>>,
    data_len: u64,
}

impl Drop for Pending {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

impl Pending {
    /// Writes the serialized chunk `raw` (chunk `i` of the range) at `pos` of the range.
    pub fn put(&self, i: usize, pos: u64, raw: &[u8], hash: Hash) {
        if crate::transfer::sys::write_at(&self.file, raw, pos).is_ok()
            && let Some(slot) = lock(&self.hashes).get_mut(i)
        {
            *slot = Some(hash);
        }
    }
}

fn entry_name(first: u32, end: u32) -> String {
    format!("{first}-{end}")
}

impl XetCache {
    /// The cache in `dir`, bounded by `budget` bytes.
    pub fn new(dir: PathBuf, budget: u64) -> XetCache {
        XetCache { dir, budget }
    }

    /// The default folder: `xet/` in dsfetch's cache folder (`$XDG_CACHE_HOME/dsfetch/xet`, else
    /// `~/.cache/dsfetch/xet` on Linux, the platform cache folder elsewhere).
    pub fn default_dir(env: &crate::env::Env) -> Option<PathBuf> {
        let base = match env.get("XDG_CACHE_HOME") {
            Some(x) => PathBuf::from(x).join("dsfetch"),
            None if cfg!(target_os = "linux") => env.home_join(".cache")?.join("dsfetch"),
            None => directories::ProjectDirs::from("", "", "dsfetch")?
                .cache_dir()
                .to_path_buf(),
        };
        Some(base.join("xet"))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn xorb_dir(&self, xorb: &Hash) -> PathBuf {
        self.dir.join(to_hex(xorb))
    }

    /// A cached range holding chunks `[first, end)` of `xorb`, if any (checked for shape; the
    /// chunks are checked as they are read).
    pub(crate) fn lookup(&self, xorb: &Hash, (first, end): (u32, u32)) -> Option<Cached> {
        let dir = self.xorb_dir(xorb);
        for e in std::fs::read_dir(&dir).ok()?.flatten() {
            let name = e.file_name();
            let Some((a, b)) = name.to_str().and_then(|n| n.split_once('-')) else {
                continue;
            };
            let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) else {
                continue;
            };
            if a <= first && end <= b && a < b {
                if let Some(c) = read_trailer(&e.path(), a, b) {
                    // Recently used: the last to go.
                    if let Ok(f) = std::fs::File::options().write(true).open(e.path()) {
                        let _ = f.set_modified(SystemTime::now());
                    }
                    return Some(c);
                }
                let _ = std::fs::remove_file(e.path());
            }
        }
        None
    }

    /// Removes a cached range whose bytes did not check out.
    pub(crate) fn forget(&self, c: &Cached) {
        let _ = std::fs::remove_file(&c.path);
    }

    /// A new range of `data_len` bytes for chunks `[first, end)` of `xorb`, written in the
    /// cache's `tmp/`; `None` when the cache cannot be written.
    pub(crate) fn pending(
        &self,
        xorb: &Hash,
        (first, end): (u32, u32),
        data_len: u64,
    ) -> Option<Pending> {
        let tmp_dir = self.dir.join("tmp");
        std::fs::create_dir_all(&tmp_dir).ok()?;
        let tmp = tmp_dir.join(format!(
            "{}-{}.{:016x}",
            to_hex(xorb),
            entry_name(first, end),
            rand::random::<u64>()
        ));
        let file = std::fs::File::create(&tmp).ok()?;
        Some(Pending {
            tmp,
            dest: self.xorb_dir(xorb).join(entry_name(first, end)),
            file,
            hashes: Mutex::new(vec![None; (end - first) as usize]),
            data_len,
        })
    }

    /// Moves verified ranges in (those whose every chunk arrived), then trims the cache to its
    /// budget.
    pub(crate) fn commit(&self, pending: Vec<std::sync::Arc<Pending>>) {
        for p in pending {
            let hashes: Option<Vec<Hash>> = lock(&p.hashes).iter().copied().collect();
            let Some(hashes) = hashes else { continue };
            let mut trailer = Vec::with_capacity(hashes.len() * 32 + 12);
            for h in &hashes {
                trailer.extend_from_slice(h);
            }
            trailer.extend_from_slice(&(hashes.len() as u32).to_le_bytes());
            trailer.extend_from_slice(MAGIC);
            let ok = crate::transfer::sys::write_at(&p.file, &trailer, p.data_len).is_ok()
                && p.dest
                    .parent()
                    .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
                && std::fs::rename(&p.tmp, &p.dest).is_ok();
            let _ = ok;
        }
        let _ = self.prune(self.budget);
    }

    /// What the cache holds.
    pub fn stats(&self) -> XetCacheStats {
        let mut s = XetCacheStats::default();
        for (_, len, _) in self.entries() {
            s.entries += 1;
            s.bytes += len;
        }
        s
    }

    fn entries(&self) -> Vec<(PathBuf, u64, SystemTime)> {
        let mut out = Vec::new();
        let Ok(dirs) = std::fs::read_dir(&self.dir) else {
            return out;
        };
        for d in dirs.flatten() {
            if d.file_name() == "tmp" {
                continue;
            }
            for e in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
                if let Ok(m) = e.metadata()
                    && m.is_file()
                {
                    let t = m.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                    out.push((e.path(), m.len(), t));
                }
            }
        }
        out
    }

    /// Removes the least recently used ranges until the cache holds at most `budget` bytes
    /// (and leftovers of interrupted runs); returns the bytes freed.
    pub fn prune(&self, budget: u64) -> std::io::Result<u64> {
        let mut entries = self.entries();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        entries.sort_by_key(|e| e.2);
        let mut freed = 0;
        for (path, len, _) in entries {
            if total <= budget {
                break;
            }
            std::fs::remove_file(&path)?;
            if let Some(d) = path.parent() {
                let _ = std::fs::remove_dir(d);
            }
            total -= len;
            freed += len;
        }
        // Ranges an interrupted run was writing, older than an hour.
        for e in std::fs::read_dir(self.dir.join("tmp"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600);
            if old {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(freed)
    }
}

/// Reads the trailer of the entry for chunks `[a, b)`.
fn read_trailer(path: &Path, a: u32, b: u32) -> Option<Cached> {
    let f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let n = u64::from(b - a);
    let tail = n * 32 + 12;
    let data_len = len.checked_sub(tail)?;
    let mut t = vec![0u8; tail as usize];
    crate::transfer::sys::read_exact_at(&f, &mut t, data_len).ok()?;
    let (hashes, rest) = t.split_at(n as usize * 32);
    if &rest[4..] != MAGIC || u32::from_le_bytes(rest[..4].try_into().ok()?) as u64 != n {
        return None;
    }
    Some(Cached {
        path: path.to_path_buf(),
        first: a,
        hashes: hashes
            .chunks(32)
            .map(|c| c.try_into().expect("32 bytes"))
            .collect(),
        data_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_go_in_after_commit_and_out_by_age() {
        let dir = tempfile::tempdir().unwrap();
        let cache = XetCache::new(dir.path().to_path_buf(), 100);
        let x = [7u8; 32];
        let p = cache.pending(&x, (2, 4), 20).unwrap();
        p.put(0, 0, &[1; 10], [1; 32]);
        assert!(cache.lookup(&x, (2, 4)).is_none(), "not before commit");
        p.put(1, 10, &[2; 10], [2; 32]);
        cache.commit(vec![std::sync::Arc::new(p)]);
        let c = cache.lookup(&x, (3, 4)).expect("a sub-range is served");
        assert_eq!((c.first, c.data_len, c.hashes[1]), (2, 20, [2; 32]));
        assert_eq!(cache.stats().entries, 1);
        // An incomplete range never goes in.
        let q = cache.pending(&x, (9, 10), 5).unwrap();
        cache.commit(vec![std::sync::Arc::new(q)]);
        assert!(cache.lookup(&x, (9, 10)).is_none());
        assert_eq!(cache.prune(0).unwrap(), 20 + 2 * 32 + 12);
        assert_eq!(cache.stats(), XetCacheStats::default());
    }
}
