//! A dataset's folder as dsfetch keeps it: the lock that keeps two processes apart, the record of
//! what dsfetch placed there (loaded once, looked up through maps), the files a user put there
//! (never overwritten without being told to), and the removal of files that a new version no
//! longer has.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Hint, Hub, Result};
use crate::progress::{Event, Reporter};
use crate::record::{self, FileEntry, Record};

/// The state of a dataset folder before a download: its lock and record.
pub(crate) struct Folder {
    /// The folder the dataset's files go into.
    pub root: PathBuf,
    /// Where dsfetch keeps the record, the lock and partial downloads for it.
    pub state: PathBuf,
    /// What it held before this run (empty when new, forced, or a dry run with no record).
    pub record: Record,
    /// The record found in the folder, whatever dataset it names (even under `force`): the files
    /// dsfetch placed there earlier.
    pub previous: Option<Record>,
    /// `record.files` by path.
    index: HashMap<String, usize>,
    /// `record.files` by upstream identity (the first with it).
    by_upstream: HashMap<String, usize>,
    /// The paths of `previous`.
    placed: HashSet<String>,
    _lock: Option<record::FolderLock>,
}

impl Folder {
    /// Opens (and, unless `dry_run`, locks) the dataset folder. A folder whose record names a
    /// different dataset is refused unless `force`.
    pub async fn open(
        root: PathBuf,
        state: PathBuf,
        source: Hub,
        dataset_id: &str,
        force: bool,
        dry_run: bool,
        reporter: &dyn Reporter,
    ) -> Result<Folder> {
        if root.exists() && !root.is_dir() {
            return Err(Error::conflict(
                format!("{} exists and is not a folder", root.display()),
                Some(Hint::ChooseOutput),
            ));
        }
        let lock = if dry_run {
            None
        } else {
            std::fs::create_dir_all(&root).map_err(|e| Error::io("creating folder", &root, e))?;
            let shown = root.display().to_string();
            Some(
                record::lock(&state, || {
                    reporter.on_event(&Event::Warn(&format!(
                        "another dsfetch is working in {shown}; waiting for it to finish"
                    )))
                })
                .await?,
            )
        };
        let previous = record::load(&state);
        let record = match &previous {
            Some(r) if r.source == source && r.dataset_id == dataset_id && !force => r.clone(),
            Some(r) if !force && (r.source != source || r.dataset_id != dataset_id) => {
                return Err(Error::conflict(
                    format!(
                        "{} already holds {}:{}",
                        root.display(),
                        r.source.prefix(),
                        r.dataset_id
                    ),
                    Some(Hint::ReplaceOrChooseOutput),
                ));
            }
            _ => Record::new(source, dataset_id),
        };
        let index = record
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        let mut by_upstream = HashMap::new();
        for (i, f) in record.files.iter().enumerate() {
            if let Some(u) = &f.upstream {
                by_upstream.entry(u.clone()).or_insert(i);
            }
        }
        let placed = previous
            .iter()
            .flat_map(|r| r.files.iter().map(|f| f.path.clone()))
            .collect();
        Ok(Folder {
            root,
            state,
            record,
            previous,
            index,
            by_upstream,
            placed,
            _lock: lock,
        })
    }

    /// Whether the file at `path` is present as the record says, with content `upstream`:
    /// recorded with that identity, and on disk as a regular file of the recorded size.
    pub fn has(&self, path: &str, upstream: &str) -> Option<&FileEntry> {
        let e = &self.record.files[*self.index.get(path)?];
        if e.upstream.as_deref() != Some(upstream) {
            return None;
        }
        let local = crate::paths::join_safe(&self.root, path, "file name").ok()?;
        let md = std::fs::symlink_metadata(&local).ok()?;
        (md.is_file() && md.len() == e.size).then_some(e)
    }

    /// A recorded file with content identity `upstream` (whatever its path).
    pub fn with_upstream(&self, upstream: &str) -> Option<&FileEntry> {
        self.by_upstream
            .get(upstream)
            .map(|&i| &self.record.files[i])
    }

    /// The local path of `path` when something that dsfetch did not place there sits at it (a
    /// file or a link the user put in the folder): writing the dataset's file would destroy it.
    pub fn foreign(&self, path: &str) -> Option<PathBuf> {
        if self.placed.contains(path) {
            return None;
        }
        let local = crate::paths::join_safe(&self.root, path, "file name").ok()?;
        let md = std::fs::symlink_metadata(&local).ok()?;
        (!md.is_dir()).then_some(local)
    }

    /// After a successful download recorded as `new`: removes the files dsfetch placed here
    /// earlier (the previous record, of this or another dataset) that `new` no longer has, and
    /// the folders they leave empty. A file whose size changed since dsfetch wrote it is kept,
    /// with a warning; files the user added were never recorded and are left alone.
    pub fn remove_stale(&self, new: &Record, reporter: &dyn Reporter) {
        let Some(prev) = &self.previous else { return };
        let keep: HashSet<&str> = new.files.iter().map(|f| f.path.as_str()).collect();
        for f in prev
            .files
            .iter()
            .filter(|f| !keep.contains(f.path.as_str()))
        {
            let Ok(local) = crate::paths::join_safe(&self.root, &f.path, "file name") else {
                continue;
            };
            if crate::paths::ensure_no_symlink_between(&self.root, &local).is_err() {
                continue;
            }
            match std::fs::symlink_metadata(&local) {
                Ok(md) if md.is_file() && md.len() == f.size => {}
                Ok(md) if md.is_file() => {
                    reporter.on_event(&Event::Warn(&format!(
                        "kept {}: the new version no longer has it, but it changed since dsfetch wrote it",
                        local.display()
                    )));
                    continue;
                }
                _ => continue,
            }
            if std::fs::remove_file(&local).is_err() {
                continue;
            }
            // Folders left empty go too, up to the dataset folder.
            let mut dir = local.parent();
            while let Some(d) = dir {
                if d == self.root || !d.starts_with(&self.root) || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
    }

    /// The folder for partial downloads.
    pub fn tmp(&self) -> PathBuf {
        record::tmp_dir(&self.state)
    }

    /// Appends a completed file to the journal.
    pub fn journal(&self, file: &FileEntry) -> Result<()> {
        record::journal(
            &self.state,
            self.record.source,
            &self.record.dataset_id,
            file,
        )
    }

    /// Saves the record.
    pub fn save(&self, record: &Record) -> Result<()> {
        record::save(&self.state, record)
    }

    /// Removes the partial-download folder if it is empty.
    pub fn tidy(&self) {
        let _ = std::fs::remove_dir(self.tmp());
    }
}

/// Refuses to overwrite files that dsfetch did not write (`paths`, inside `root`), unless
/// `force`; in a dry run only warns.
pub(crate) fn refuse_foreign(
    root: &Path,
    paths: &[String],
    force: bool,
    dry_run: bool,
    reporter: &dyn Reporter,
) -> Result<()> {
    let Some(first) = paths.first() else {
        return Ok(());
    };
    if force {
        return Ok(());
    }
    let more = match paths.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let message = format!(
        "{} already holds {}{more}, which dsfetch did not write and the dataset would overwrite",
        root.display(),
        crate::sanitize::for_terminal(first)
    );
    if dry_run {
        reporter.on_event(&Event::Warn(&message));
        return Ok(());
    }
    Err(Error::conflict(message, Some(Hint::MoveAwayOrOverwrite)))
}
