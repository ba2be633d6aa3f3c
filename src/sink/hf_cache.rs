//! The huggingface_hub cache layout (protocol/hf.md §7): `blobs/<etag>` (sha256 for LFS files,
//! git blob sha1 otherwise), `snapshots/<commit>/<path>` as relative symlinks to the blobs, and
//! `refs/<revision>` holding the bare commit (no newline).

use std::path::Path;

use crate::error::{Error, Result};
use crate::lockfile::LockedFile;
use crate::record::FileEntry;
use crate::snapshot::RemoteFile;
use crate::verify::{Expected, is_hex};

use super::folder::Folder;

/// The blob of `f`'s content, if it is present (and, under a lockfile, re-hashed to match it).
/// Blobs are content-addressed: a blob of the right size is this content.
pub(super) fn present(
    blob: &Path,
    folder: &Folder,
    f: &RemoteFile,
    locked: Option<&LockedFile>,
) -> Option<FileEntry> {
    let md = std::fs::symlink_metadata(blob).ok()?;
    if !md.is_file() || Some(md.len()) != f.size {
        return None;
    }
    let sha256 = if locked.is_some() {
        // Under a lockfile the blob itself is re-hashed and must match the lock.
        crate::verify::sha256_file(blob).ok()?.1
    } else {
        match &f.expected {
            Some(Expected::Sha256(h)) => h.clone(),
            _ => match folder.with_upstream(&f.upstream) {
                Some(e) => e.sha256.clone(),
                None => crate::verify::sha256_file(blob).ok()?.1,
            },
        }
    };
    if locked.is_some_and(|l| l.sha256 != sha256) {
        return None;
    }
    Some(FileEntry {
        path: f.path.clone(),
        size: md.len(),
        sha256,
        upstream: Some(f.upstream.clone()),
    })
}

/// Links every file into `snapshots/<commit>/` and writes `refs/<revision>` (the bare commit,
/// no newline) unless the revision is the commit itself.
pub(super) fn finish(
    repo: &Path,
    files: &[RemoteFile],
    revision: &str,
    commit: &str,
) -> Result<()> {
    let snap = repo.join("snapshots").join(commit);
    for f in files {
        link(repo, &snap, f)?;
    }
    if is_hex(revision, 40) {
        return Ok(());
    }
    crate::paths::check_relative(revision)
        .map_err(|r| Error::usage(format!("revision {revision:?}: {r}")))?;
    let refs = repo.join("refs");
    let ref_file = crate::paths::join_safe(&refs, revision, "revision")?;
    let parent = ref_file.parent().unwrap_or(&refs);
    std::fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
    let tmp = parent.join(format!(
        ".{}.dsfetch-tmp",
        ref_file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("ref")
    ));
    std::fs::write(&tmp, commit).map_err(|e| Error::io("writing", &tmp, e))?;
    std::fs::rename(&tmp, &ref_file).map_err(|e| Error::io("writing", &ref_file, e))
}

/// `snapshots/<commit>/<path>` → `../…/blobs/<etag>`, replacing what was there.
fn link(repo: &Path, snap: &Path, f: &RemoteFile) -> Result<()> {
    let link = crate::paths::join_safe(snap, &f.path, "file name")?;
    let parent = link.parent().unwrap_or(snap);
    crate::paths::ensure_no_symlink_between(repo, parent)?;
    std::fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
    let ups = 2 + f.path.matches('/').count();
    let target = format!("{}blobs/{}", "../".repeat(ups), f.upstream);
    if std::fs::symlink_metadata(&link).is_ok() {
        std::fs::remove_file(&link).map_err(|e| Error::io("replacing", &link, e))?;
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, &link).map_err(|e| Error::io("linking", &link, e))?;
    #[cfg(not(unix))]
    std::fs::copy(repo.join("blobs").join(&f.upstream), &link)
        .map_err(|e| Error::io("copying", &link, e))?;
    Ok(())
}
