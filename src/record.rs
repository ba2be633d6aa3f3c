//! The record each dataset folder keeps of what it holds (`.dsfetch/record.json`), the journal
//! that makes it crash-safe, and the folder lock that keeps two dsfetch processes apart.
//!
//! The record names the source, id, resolved version or commit, and every file with its size and
//! sha256. A completed file is appended to `.dsfetch/journal.jsonl` the moment it lands, so an
//! interrupted run loses nothing; the journal is folded into the record when the run ends.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Hub, Result};
use crate::paths::STATE_DIR;

/// One file in a dataset folder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Dataset-relative path, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// The hub's identity for this content (HF git blob oid / LFS sha256, Kaggle `v<N>`), used to
    /// tell whether the local copy is the one the hub now lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
}

/// What a dataset folder holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    /// Format version of this file.
    pub format: u32,
    /// Which hub.
    pub source: Hub,
    /// `owner/name` (HF) or `owner/slug` (Kaggle).
    pub dataset_id: String,
    /// HF revision asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// HF commit the revision resolved to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Kaggle version number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Unversioned data (a Kaggle competition): the digest of the file list it was fetched at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing: Option<String>,
    /// Files, sorted by path.
    pub files: Vec<FileEntry>,
    /// The files are the whole version (its archive, extracted or kept), not a selection.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole: bool,
}

impl Record {
    /// An empty record for a dataset.
    pub fn new(source: Hub, dataset_id: &str) -> Record {
        Record {
            format: 1,
            source,
            dataset_id: dataset_id.to_string(),
            revision: None,
            commit: None,
            version: None,
            listing: None,
            files: Vec::new(),
            whole: false,
        }
    }
}

/// The default state folder of a dataset folder (`<root>/.dsfetch`). Layouts that must not add
/// anything to the dataset folder (the Python library caches) keep their state elsewhere; every
/// function below takes the state folder itself.
pub fn state_dir(root: &Path) -> PathBuf {
    root.join(STATE_DIR)
}

/// The folder for partial downloads.
pub fn tmp_dir(state: &Path) -> PathBuf {
    state.join("tmp")
}

fn record_path(state: &Path) -> PathBuf {
    state.join("record.json")
}

fn journal_path(state: &Path) -> PathBuf {
    state.join("journal.jsonl")
}

/// Loads the record kept in `state` with any journal entries folded in; `None` when there is no
/// record. A corrupt record is treated as absent (files are then re-verified or re-fetched).
pub fn load(state: &Path) -> Option<Record> {
    let mut rec: Option<Record> = std::fs::read(record_path(state))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    if let Ok(text) = std::fs::read_to_string(journal_path(state)) {
        for line in text.lines() {
            let Ok(j) = serde_json::from_str::<JournalLine>(line) else {
                continue; // a torn last line after a crash
            };
            let r = rec.get_or_insert_with(|| Record::new(j.source, &j.dataset_id));
            if r.source != j.source || r.dataset_id != j.dataset_id {
                continue;
            }
            r.files.retain(|f| f.path != j.file.path);
            r.files.push(j.file);
        }
    }
    if let Some(r) = &mut rec {
        r.files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    rec
}

/// When the record kept in `state` was last written (the journal included): when its dataset
/// was last fetched. `None` when there is no record.
pub fn saved_at(state: &Path) -> Option<std::time::SystemTime> {
    [record_path(state), journal_path(state)]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok()?.modified().ok())
        .max()
}

/// Whether a download in `state` stopped before its record was written (a journal is left).
pub fn interrupted(state: &Path) -> bool {
    journal_path(state).exists()
}

/// The outcome of [`try_lock`].
#[derive(Debug)]
pub enum Claim {
    /// The lock, held until dropped.
    Taken(FolderLock),
    /// Another process holds it.
    Busy,
    /// There is no state folder (nothing of dsfetch's to lock; none is made).
    Absent,
}

/// Takes the lock of the state folder `state` unless another process holds it; never waits.
pub fn try_lock(state: &Path) -> Result<Claim> {
    let p = state.join("lock");
    if !state.is_dir() {
        return Ok(Claim::Absent);
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&p)
        .map_err(|e| Error::io("opening", &p, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Claim::Taken(FolderLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(Claim::Busy),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io("locking", &p, e)),
    }
}

#[derive(Serialize, Deserialize)]
struct JournalLine {
    source: Hub,
    dataset_id: String,
    file: FileEntry,
}

/// Appends one completed file to the journal (durable against a crash of this process).
pub fn journal(state: &Path, source: Hub, dataset_id: &str, file: &FileEntry) -> Result<()> {
    let p = journal_path(state);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&p)
        .map_err(|e| Error::io("writing", &p, e))?;
    let mut line = serde_json::to_vec(&JournalLine {
        source,
        dataset_id: dataset_id.to_string(),
        file: file.clone(),
    })
    .unwrap_or_default();
    line.push(b'\n');
    f.write_all(&line).map_err(|e| Error::io("writing", &p, e))
}

/// Writes the record atomically (temp file, fsync, rename) and clears the journal.
pub fn save(state: &Path, record: &Record) -> Result<()> {
    let dir = state.to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating folder", &dir, e))?;
    let mut rec = record.clone();
    rec.files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut json = serde_json::to_vec_pretty(&rec).unwrap_or_default();
    json.push(b'\n');
    let tmp = dir.join("record.json.tmp");
    {
        let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io("writing", &tmp, e))?;
        f.write_all(&json)
            .map_err(|e| Error::io("writing", &tmp, e))?;
        f.sync_all().map_err(|e| Error::io("writing", &tmp, e))?;
    }
    let dest = record_path(state);
    std::fs::rename(&tmp, &dest).map_err(|e| Error::io("writing", &dest, e))?;
    let _ = std::fs::remove_file(journal_path(state));
    Ok(())
}

/// An exclusive lock on a dataset folder, held for the duration of a download. The OS releases it
/// when the process dies, so a lock left by a killed process is simply taken over.
#[derive(Debug)]
pub struct FolderLock {
    _file: std::fs::File,
}

/// Takes the lock in the state folder `state`. If another process holds it, `on_wait` is called
/// once and this waits until the lock is free.
pub async fn lock(state: &Path, on_wait: impl FnOnce()) -> Result<FolderLock> {
    let dir = state.to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating folder", &dir, e))?;
    let p = dir.join("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&p)
        .map_err(|e| Error::io("opening", &p, e))?;
    match file.try_lock() {
        Ok(()) => return Ok(FolderLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => on_wait(),
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("locking", &p, e)),
    }
    let p2 = p.clone();
    let file = tokio::task::spawn_blocking(move || file.lock().map(|_| file))
        .await
        .map_err(|e| Error::conflict(format!("lock task failed: {e}"), None))?
        .map_err(|e| Error::io("locking", &p2, e))?;
    Ok(FolderLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_survives_without_save() {
        let d = tempfile::tempdir().unwrap();
        let state = state_dir(d.path());
        std::fs::create_dir_all(&state).unwrap();
        let e = FileEntry {
            path: "a.csv".into(),
            size: 3,
            sha256: "x".into(),
            upstream: None,
        };
        journal(&state, Hub::Kaggle, "o/s", &e).unwrap();
        // A torn line is ignored.
        std::fs::OpenOptions::new()
            .append(true)
            .open(journal_path(&state))
            .unwrap()
            .write_all(b"{\"sou")
            .unwrap();
        let r = load(&state).unwrap();
        assert_eq!(r.files, vec![e.clone()]);
        save(&state, &r).unwrap();
        assert!(!journal_path(&state).exists());
        assert_eq!(load(&state).unwrap().files, vec![e]);
    }
}
