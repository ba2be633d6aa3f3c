//! Walking folders without following links: the files under a folder, partial downloads in a
//! state folder, and recorded files that changed since they were fetched.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::record::Record;

/// A file (or link) found under a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// `/`-separated path relative to the folder walked.
    pub rel: String,
    /// Its size (of the link itself for a link).
    pub size: u64,
    /// It is a symbolic link (never followed: a linked folder is one entry too).
    pub link: bool,
}

/// The files under `root`, recursively, leaving out top-level entries named in `skip` (such as
/// `.dsfetch`). Links are listed, never followed. Unreadable folders are skipped.
pub(crate) fn files(root: &Path, skip: &[&str]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if prefix.is_empty() && skip.contains(&name.as_str()) {
                continue;
            }
            let rel = match prefix.is_empty() {
                true => name,
                false => format!("{prefix}/{name}"),
            };
            let Ok(md) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if md.is_dir() {
                stack.push((e.path(), rel));
            } else {
                out.push(Found {
                    rel,
                    size: md.len(),
                    link: md.file_type().is_symlink(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

/// The partial downloads in the state folder `state` (`tmp/*.part`): the bytes they hold, and
/// the bytes still to come as far as their size is known.
pub(crate) fn partials(state: &Path) -> (u64, u64) {
    let tmp = crate::record::tmp_dir(state);
    let Ok(entries) = std::fs::read_dir(&tmp) else {
        return (0, 0);
    };
    let mut held = 0;
    let mut pending = 0;
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "part") {
            let (got, size) = crate::transfer::partial_progress(&p);
            held += got;
            pending += size.map_or(0, |s| s.saturating_sub(got));
        }
    }
    (held, pending)
}

/// The files in `tmp` (a state folder's partial downloads and their sidecars) not modified
/// since `before`, with their sizes: what `prune --partials` removes.
pub(crate) fn stale_partials(state: &Path, before: SystemTime) -> Vec<(PathBuf, u64)> {
    let tmp = crate::record::tmp_dir(state);
    let Ok(entries) = std::fs::read_dir(&tmp) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let Ok(md) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        let old = md.modified().is_ok_and(|m| m < before);
        if old && !md.is_dir() {
            out.push((e.path(), md.len()));
        }
    }
    out
}

/// The recorded files of `record` in the folder `root` that changed since the record was
/// written at `saved`: missing, not a regular file any more, reached through a link, of another
/// size, or modified later (a cheap check; `verify` re-hashes).
pub(crate) fn modified(root: &Path, record: &Record, saved: Option<SystemTime>) -> Vec<String> {
    let mut out = Vec::new();
    for f in &record.files {
        let Ok(local) = crate::paths::join_safe(root, &f.path, "file name") else {
            out.push(f.path.clone());
            continue;
        };
        let changed = crate::paths::ensure_no_symlink_between(root, &local).is_err()
            || match std::fs::symlink_metadata(&local) {
                Ok(md) => {
                    !md.is_file()
                        || md.len() != f.size
                        || saved.zip(md.modified().ok()).is_some_and(|(s, m)| m > s)
                }
                Err(_) => true,
            };
        if changed {
            out.push(f.path.clone());
        }
    }
    out
}

/// The size of the recorded files present in `root` (of the ones found by `files`).
pub(crate) fn recorded_size(found: &[Found], record: &Record) -> (usize, u64) {
    let sizes: HashMap<&str, u64> = found
        .iter()
        .filter(|f| !f.link)
        .map(|f| (f.rel.as_str(), f.size))
        .collect();
    record
        .files
        .iter()
        .filter_map(|f| sizes.get(f.path.as_str()))
        .fold((0, 0), |(n, b), s| (n + 1, b + s))
}

/// The newest modification time among `paths` (not following links).
pub(crate) fn newest(paths: impl IntoIterator<Item = PathBuf>) -> Option<SystemTime> {
    paths.into_iter().filter_map(|p| super::mtime(&p)).max()
}
