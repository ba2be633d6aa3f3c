//! The plan: given a snapshot and the folder as it is, which files to fetch, which are already
//! present (by the folder's record, or re-hashed against a lockfile), which files in the folder
//! are the user's (identical ones adopted, others refused unless forced), and what a dry run
//! reports.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::lockfile::{self, LockedFile};
use crate::options::DownloadOptions;
use crate::progress::Reporter;
use crate::record::FileEntry;
use crate::report::{DownloadReport, ReportFile};
use crate::sink::{Folder, Sink, refuse_foreign};
use crate::snapshot::{RemoteFile, Snapshot};
use crate::verify::Expected;

/// What a download will do.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Files to transfer, sorted by path.
    pub todo: Vec<RemoteFile>,
    /// Files already in place (present, or the user's identical copy), as record entries.
    pub kept: Vec<FileEntry>,
    /// The snapshot's archive must be fetched (it is not complete in the folder).
    pub fetch_archive: bool,
}

impl Plan {
    /// Files the plan transfers (the archive counts as one).
    pub fn files(&self) -> usize {
        self.todo.len() + usize::from(self.fetch_archive)
    }

    /// Bytes the plan transfers, as far as the listing knows them.
    pub fn bytes(&self) -> u64 {
        self.todo.iter().filter_map(|f| f.size).sum()
    }
}

/// Plans the download of `snap` into `folder` (placed by `sink`). Under a lockfile, upstream
/// sizes and checksums that differ from it fail here, before anything is fetched.
pub(crate) async fn make(
    snap: &Snapshot,
    sink: &Sink,
    folder: &Folder,
    opts: &DownloadOptions,
    reporter: &dyn Reporter,
) -> Result<Plan> {
    if let Some(locked) = &opts.locked
        && snap.archive.is_none()
    {
        check_upstream_against_lock(snap, locked)?;
    }
    if let Some(archive) = &snap.archive {
        if let (Some(locked), true) = (&opts.locked, archive.keep_zipped) {
            // Kept zipped, the dataset is one file: the lock must pin exactly that file.
            lockfile::check_locked_set(
                locked,
                std::iter::once(archive.name.as_str()),
                &snap.label,
            )?;
        }
        return Ok(plan_archive(snap, folder, opts));
    }
    let mut plan = Plan::default();
    let mut found = Vec::new();
    for f in &snap.files {
        let locked = opts.locked.as_ref().and_then(|l| l.get(&f.path));
        match sink.present(folder, f, locked).filter(|_| !opts.force) {
            Some(e) => plan.kept.push(e),
            None => match folder.foreign(&f.path).filter(|_| sink.is_user_folder()) {
                Some(local) => found.push((f.clone(), local)),
                None => plan.todo.push(f.clone()),
            },
        }
    }
    // Files in the folder that dsfetch did not write: identical content is adopted, content known
    // to differ is refused (nothing is downloaded) unless forced; the rest is compared once it
    // has arrived.
    let (adopted, refused, unknown) = sort_foreign(found, opts).await?;
    plan.kept.extend(adopted);
    let paths: Vec<String> = refused.iter().map(|f| f.path.clone()).collect();
    refuse_foreign(sink.root(), &paths, opts.force, opts.dry_run, reporter)?;
    plan.todo.extend(refused);
    plan.todo.extend(unknown);
    plan.todo.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(plan)
}

/// Upstream sizes and sha256s (where the listing gives them) against the lockfile.
fn check_upstream_against_lock(
    snap: &Snapshot,
    locked: &BTreeMap<String, LockedFile>,
) -> Result<()> {
    lockfile::check_locked_set(
        locked,
        snap.files.iter().map(|f| f.path.as_str()),
        &snap.label,
    )?;
    for f in &snap.files {
        let sha256 = match &f.expected {
            Some(Expected::Sha256(h)) => Some(h.as_str()),
            _ => None,
        };
        if let Some(size) = f.size {
            lockfile::check_lock(&snap.label, &f.path, locked.get(&f.path), size, sha256)?;
        }
    }
    Ok(())
}

/// A whole archive is fetched unless the folder holds exactly this version's files, all present
/// (and, under a lockfile, all matching it), kept zipped or not as asked.
fn plan_archive(snap: &Snapshot, folder: &Folder, opts: &DownloadOptions) -> Plan {
    let archive = snap.archive.as_ref().expect("an archive snapshot");
    let present: Vec<&FileEntry> = folder.record.files.iter().collect();
    let upstream = snap
        .pin
        .version()
        .map(|v| format!("v{v}"))
        .unwrap_or_default();
    let only_zip = present.len() == 1 && present[0].path == archive.name;
    let complete = !opts.force
        && folder.record.whole
        && folder.record.version.is_some()
        && folder.record.version == snap.pin.version()
        && !present.is_empty()
        && only_zip == archive.keep_zipped
        && present
            .iter()
            .all(|e| folder.has(&e.path, &upstream).is_some())
        && opts.locked.as_ref().is_none_or(|locked| {
            // Under a lockfile every local file is re-hashed against it.
            lockfile::check_locked_set(locked, present.iter().map(|e| e.path.as_str()), "").is_ok()
                && present.iter().all(|e| {
                    locked
                        .get(&e.path)
                        .is_some_and(|l| lockfile::local_matches(&folder.root, &e.path, l))
                })
        });
    if complete {
        Plan {
            kept: present.into_iter().cloned().collect(),
            ..Plan::default()
        }
    } else {
        Plan {
            fetch_archive: true,
            ..Plan::default()
        }
    }
}

/// Splits the user's files found where the dataset has files: (adopted as record entries,
/// refused, to compare after the transfer). Hashing is blocking: off the runtime.
async fn sort_foreign(
    found: Vec<(RemoteFile, std::path::PathBuf)>,
    opts: &DownloadOptions,
) -> Result<(Vec<FileEntry>, Vec<RemoteFile>, Vec<RemoteFile>)> {
    if found.is_empty() {
        return Ok(Default::default());
    }
    let locked = opts.locked.clone();
    tokio::task::spawn_blocking(move || {
        let (mut adopted, mut refused, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
        for (f, local) in found {
            let Some(expected) = &f.expected else {
                // No published checksum: a size that differs tells; the same size is compared
                // with what arrives.
                let len = std::fs::symlink_metadata(&local).map(|m| m.len()).ok();
                match f.size {
                    Some(s) if len != Some(s) => refused.push(f),
                    _ => unknown.push(f),
                }
                continue;
            };
            let sha = f.size.and_then(|size| {
                crate::verify::file_matches(&local, size, expected).filter(|h| {
                    let l = locked.as_ref().and_then(|l| l.get(&f.path));
                    l.is_none_or(|l| &l.sha256 == h)
                })
            });
            match sha {
                Some(sha256) => adopted.push(FileEntry {
                    upstream: Some(f.upstream.clone()),
                    size: f.size.unwrap_or(0),
                    path: f.path,
                    sha256,
                }),
                None => refused.push(f),
            }
        }
        (adopted, refused, unknown)
    })
    .await
    .map_err(|e| crate::error::Error::conflict(format!("hashing task failed: {e}"), None))
}

/// The report of a dry run: what is present, and what would be fetched (for an archive, the
/// files the hub lists in it, or the archive itself when it is kept zipped).
pub(crate) fn dry_run_report(
    mut base: DownloadReport,
    plan: &Plan,
    archive_contents: Vec<RemoteFile>,
    keep_zipped_as: Option<&str>,
) -> DownloadReport {
    let mut files: Vec<ReportFile> = plan.kept.iter().map(ReportFile::kept).collect();
    let mut todo: Vec<RemoteFile> = plan.todo.clone();
    if plan.fetch_archive {
        match keep_zipped_as {
            Some(name) => todo.push(RemoteFile {
                path: name.to_string(),
                size: Some(archive_contents.iter().filter_map(|f| f.size).sum()),
                expected: None,
                upstream: String::new(),
                may_be_wrapped: false,
            }),
            None => todo.extend(archive_contents),
        }
    }
    files.extend(todo.iter().map(|f| ReportFile {
        path: f.path.clone(),
        size: f.size.unwrap_or(0),
        sha256: match &f.expected {
            Some(Expected::Sha256(h)) => Some(h.clone()),
            _ => None,
        },
        skipped: false,
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    base.skipped = plan.kept.len();
    base.total_bytes = files.iter().map(|f| f.size).sum();
    base.files = files;
    base.dry_run = true;
    base
}
