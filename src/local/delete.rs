//! Carrying out removals: only inside the roots dsfetch knows, never through a symbolic link
//! (a link is removed as a link; a recorded file reached through a linked folder is left alone),
//! and never while another dsfetch holds the dataset's lock.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Roots;
use super::remove::{Removal, Step};
use crate::record::Claim;

/// What became of one removal.
#[derive(Debug, Clone, Serialize)]
pub struct Deleted {
    /// The removal.
    #[serde(flatten)]
    pub removal: Removal,
    /// It went (all of it that could).
    pub deleted: bool,
    /// Why it did not go, or what was left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Deletes each of `removals` (blocking), skipping one another dsfetch is using and any path
/// outside `roots`.
pub fn delete(roots: &Roots, removals: Vec<Removal>) -> Vec<Deleted> {
    removals.into_iter().map(|r| delete_one(roots, r)).collect()
}

fn delete_one(roots: &Roots, removal: Removal) -> Deleted {
    let skipped = |removal: Removal, note: String| Deleted {
        removal,
        deleted: false,
        note: Some(note),
    };
    let _lock = match removal.lock.as_deref().map(crate::record::try_lock) {
        Some(Ok(Claim::Busy)) => {
            return skipped(removal, "another dsfetch is using it; left alone".into());
        }
        Some(Ok(Claim::Taken(l))) => Some(l),
        _ => None,
    };
    let outside = removal.steps.iter().find_map(|s| {
        let p = match s {
            Step::File(p) | Step::Tree(p) | Step::Empty(p, _) => p,
            Step::Recorded { root, .. } => root,
        };
        (!inside(roots, p)).then(|| p.clone())
    });
    if let Some(p) = outside {
        return skipped(
            removal,
            format!(
                "{} is outside the download root and the caches; left alone",
                p.display()
            ),
        );
    }
    let mut notes = Vec::new();
    for s in &removal.steps {
        match s {
            Step::File(p) => remove_entry(p, &mut notes),
            Step::Tree(p) => remove_tree(p, &mut notes),
            Step::Recorded { root, files } => remove_recorded(root, files, &mut notes),
            Step::Empty(from, stop) => remove_empty(from, stop),
        }
    }
    Deleted {
        removal,
        deleted: true,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// Whether `path` lies inside one of the roots: its parent, resolved, is inside a root
/// (resolved); `path` itself is not followed, and no root is ever a removal itself.
fn inside(roots: &Roots, path: &Path) -> bool {
    let Some(parent) = path.parent() else {
        return false;
    };
    let Ok(real_parent) = std::fs::canonicalize(parent) else {
        // A parent that does not exist has nothing in it to delete.
        return !path.exists();
    };
    let mut all = vec![roots.download.clone()];
    all.extend(roots.hf_cache.clone());
    all.extend(roots.kagglehub.clone());
    all.iter().any(|root| {
        std::fs::canonicalize(root).is_ok_and(|r| {
            real_parent.starts_with(&r)
                && real_parent.join(path.file_name().unwrap_or_default()) != r
        })
    })
}

/// Removes a file or a link (never what it points to); a missing one is fine.
fn remove_entry(p: &Path, notes: &mut Vec<String>) {
    match std::fs::symlink_metadata(p) {
        Ok(md) if md.is_dir() => notes.push(format!("{} is a folder; left alone", p.display())),
        Ok(_) => {
            if let Err(e) = std::fs::remove_file(p) {
                notes.push(format!("{}: {e}", p.display()));
            }
        }
        Err(_) => {}
    }
}

/// Removes a folder and what is in it (links inside are removed as links); a link in its place
/// is removed as a link.
fn remove_tree(p: &Path, notes: &mut Vec<String>) {
    match std::fs::symlink_metadata(p) {
        Ok(md) if md.is_dir() => {
            if let Err(e) = std::fs::remove_dir_all(p) {
                notes.push(format!("{}: {e}", p.display()));
            }
        }
        Ok(_) => remove_entry(p, notes),
        Err(_) => {}
    }
}

/// Removes the recorded `files` of the dataset folder `root`: a file reached through a link (a
/// linked folder on the way) is left alone, a recorded file that became a link loses the link
/// only. Folders they leave empty go too.
fn remove_recorded(root: &Path, files: &[String], notes: &mut Vec<String>) {
    let mut through_links = 0;
    for f in files {
        let Ok(local) = crate::paths::join_safe(root, f, "file name") else {
            continue;
        };
        if crate::paths::ensure_no_symlink_between(root, local.parent().unwrap_or(root)).is_err() {
            through_links += 1;
            continue;
        }
        remove_entry(&local, notes);
        if let Some(parent) = local.parent() {
            remove_empty(parent, root);
        }
    }
    if through_links > 0 {
        notes.push(format!(
            "{through_links} file(s) reached through a symbolic link left alone"
        ));
    }
}

/// Removes `from` and its parents while they are empty folders, up to `stop` (not included).
fn remove_empty(from: &Path, stop: &Path) {
    let mut dir: Option<PathBuf> = Some(from.to_path_buf());
    while let Some(d) = dir {
        if d == stop || !d.starts_with(stop) {
            break;
        }
        let is_dir = std::fs::symlink_metadata(&d).is_ok_and(|m| m.is_dir());
        if !is_dir || std::fs::remove_dir(&d).is_err() {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
}
