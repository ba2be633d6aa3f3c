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
    /// The size of the archive's data as the API gives it, when it is fetched.
    pub archive_bytes: Option<u64>,
}

impl Plan {
    /// Files the plan transfers (the archive counts as one).
    pub fn files(&self) -> usize {
        self.todo.len() + usize::from(self.fetch_archive)
    }

    /// Bytes the plan transfers, as far as the listing (or, for an archive, the API) knows
    /// them.
    pub fn bytes(&self) -> u64 {
        let archive = match self.fetch_archive {
            true => self.archive_bytes.unwrap_or(0),
            false => 0,
        };
        self.todo.iter().filter_map(|f| f.size).sum::<u64>() + archive
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
            None => match folder
                .foreign(&f.path)
                .filter(|_| sink.is_user_folder() && !opts.force)
            {
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
    if sink.is_user_folder() {
        crate::paths::refuse_obstacles(
            sink.root(),
            plan.todo.iter().map(|f| f.path.as_str()),
            opts.dry_run,
            reporter,
        )?;
    }
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
    let upstream = snap.pin.upstream();
    let only_zip = present.len() == 1 && present[0].path == archive.name;
    let complete = !opts.force
        && folder.record.whole
        && snap.pin.matches(&folder.record)
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
            archive_bytes: archive.size,
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
    xet: bool,
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
                xet_hash: None,
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
        xet: xet && f.xet_hash.is_some(),
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    base.skipped = plan.kept.len();
    base.total_bytes = files.iter().map(|f| f.size).sum();
    base.files = files;
    base.dry_run = true;
    base
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::error::Hub;
    use crate::progress::NoReporter;
    use crate::record::Record;
    use crate::sink::Layout;
    use crate::snapshot::{Archive, Names, Pin};

    fn file(path: &str, content: &[u8]) -> RemoteFile {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(content));
        RemoteFile {
            path: path.into(),
            size: Some(content.len() as u64),
            expected: Some(Expected::Sha256(sha.clone())),
            upstream: sha,
            may_be_wrapped: false,
            xet_hash: None,
        }
    }

    fn snapshot(files: Vec<RemoteFile>) -> Snapshot {
        Snapshot {
            hub: Hub::HuggingFace,
            id: "acme/x".into(),
            label: "hf:acme/x@main".into(),
            pin: Pin::Commit {
                revision: "main".into(),
                commit: "c".repeat(40),
            },
            files,
            archive: None,
            whole: false,
        }
    }

    struct Place {
        _dir: tempfile::TempDir,
        sink: Sink,
    }

    fn place(snap: &Snapshot) -> Place {
        let dir = tempfile::tempdir().unwrap();
        let names = Names {
            folder: "x".into(),
            hf_cache: None,
            kagglehub: None,
        };
        let sink = Sink::new(&Layout::Folder, None, dir.path(), &names, &snap.pin).unwrap();
        Place { _dir: dir, sink }
    }

    /// The folder as a run sees it (not locked: a test opens it several times at once).
    async fn open(p: &Place, force: bool) -> Folder {
        Folder::open(
            p.sink.root().to_path_buf(),
            p.sink.state().to_path_buf(),
            Hub::HuggingFace,
            "acme/x",
            force,
            true,
            &NoReporter,
        )
        .await
        .unwrap()
    }

    /// Writes `content` at `path` and records it as dsfetch's (as a finished run would).
    fn placed(p: &Place, f: &RemoteFile, content: &[u8]) {
        let local = p.sink.root().join(&f.path);
        std::fs::create_dir_all(local.parent().unwrap()).unwrap();
        std::fs::write(&local, content).unwrap();
        let mut rec = crate::record::load(p.sink.state())
            .unwrap_or_else(|| Record::new(Hub::HuggingFace, "acme/x"));
        rec.files.push(FileEntry {
            path: f.path.clone(),
            size: content.len() as u64,
            sha256: f.upstream.clone(),
            upstream: Some(f.upstream.clone()),
        });
        crate::record::save(p.sink.state(), &rec).unwrap();
    }

    #[tokio::test]
    async fn present_files_are_kept_and_the_rest_fetched() {
        let (a, b) = (file("a.txt", b"a"), file("d/b.txt", b"b"));
        let snap = snapshot(vec![a.clone(), b.clone()]);
        let p = place(&snap);
        placed(&p, &a, b"a");
        let folder = open(&p, false).await;
        let plan = make(
            &snap,
            &p.sink,
            &folder,
            &DownloadOptions::default(),
            &NoReporter,
        )
        .await
        .unwrap();
        assert_eq!(plan.kept.len(), 1);
        assert_eq!(plan.kept[0].path, "a.txt");
        assert_eq!(plan.todo, vec![b]);
        assert_eq!((plan.files(), plan.bytes()), (1, 1));
        // A file changed since dsfetch wrote it (another size) is fetched again.
        std::fs::write(p.sink.root().join("a.txt"), b"aa").unwrap();
        let folder = open(&p, false).await;
        let plan = make(
            &snap,
            &p.sink,
            &folder,
            &DownloadOptions::default(),
            &NoReporter,
        )
        .await
        .unwrap();
        assert_eq!(plan.todo.len(), 2);
    }

    #[tokio::test]
    async fn a_users_file_is_adopted_when_identical_and_refused_otherwise() {
        let (a, b) = (file("a.txt", b"a"), file("b.txt", b"b"));
        let snap = snapshot(vec![a.clone(), b.clone()]);
        let p = place(&snap);
        std::fs::create_dir_all(p.sink.root()).unwrap();
        std::fs::write(p.sink.root().join("a.txt"), b"a").unwrap();
        let folder = open(&p, false).await;
        let plan = make(
            &snap,
            &p.sink,
            &folder,
            &DownloadOptions::default(),
            &NoReporter,
        )
        .await
        .unwrap();
        assert_eq!(plan.kept.len(), 1, "identical content is adopted");
        assert_eq!(plan.todo, vec![b]);
        std::fs::write(p.sink.root().join("b.txt"), b"mine").unwrap();
        let e = make(
            &snap,
            &p.sink,
            &folder,
            &DownloadOptions::default(),
            &NoReporter,
        )
        .await
        .unwrap_err();
        assert_eq!(e.hint(), Some(crate::error::Hint::MoveAwayOrOverwrite));
        assert!(e.to_string().contains("b.txt"), "{e}");
        let forced = DownloadOptions {
            force: true,
            ..DownloadOptions::default()
        };
        let plan = make(&snap, &p.sink, &open(&p, true).await, &forced, &NoReporter)
            .await
            .unwrap();
        assert_eq!(plan.todo.len(), 2, "forced: everything is fetched again");
    }

    #[tokio::test]
    async fn upstream_that_differs_from_the_lock_fails_before_anything_is_fetched() {
        let a = file("a.txt", b"a");
        let snap = snapshot(vec![a.clone()]);
        let p = place(&snap);
        let folder = open(&p, false).await;
        let lock = |size: u64, sha256: &str| DownloadOptions {
            locked: Some(Arc::new(BTreeMap::from([(
                "a.txt".to_string(),
                LockedFile {
                    size,
                    sha256: sha256.into(),
                },
            )]))),
            ..DownloadOptions::default()
        };
        let ok = make(&snap, &p.sink, &folder, &lock(1, &a.upstream), &NoReporter).await;
        assert_eq!(ok.unwrap().todo.len(), 1);
        for bad in [lock(2, &a.upstream), lock(1, &"0".repeat(64))] {
            let e = make(&snap, &p.sink, &folder, &bad, &NoReporter)
                .await
                .unwrap_err();
            assert_eq!(e.kind().exit_code(), 6);
            assert_eq!(e.hint(), Some(crate::error::Hint::UpdateLock));
        }
        let extra = snapshot(vec![a.clone(), file("new.txt", b"n")]);
        let e = make(&extra, &p.sink, &folder, &lock(1, &a.upstream), &NoReporter)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("new.txt"), "{e}");
    }

    #[tokio::test]
    async fn an_archive_is_complete_only_when_the_record_holds_the_whole_version() {
        let mut snap = snapshot(Vec::new());
        snap.hub = Hub::Kaggle;
        snap.pin = Pin::Version(3);
        snap.archive = Some(Archive {
            name: "x.zip".into(),
            keep_zipped: false,
            format: crate::snapshot::ArchiveFormat::Zip,
            size: None,
        });
        let p = place(&snap);
        std::fs::create_dir_all(p.sink.root()).unwrap();
        std::fs::write(p.sink.root().join("a.csv"), b"1").unwrap();
        let mut rec = Record::new(Hub::HuggingFace, "acme/x");
        rec.version = Some(3);
        rec.files.push(FileEntry {
            path: "a.csv".into(),
            size: 1,
            sha256: "s".into(),
            upstream: Some("v3".into()),
        });
        crate::record::save(p.sink.state(), &rec).unwrap();
        let opts = DownloadOptions::default();
        let plan = make(&snap, &p.sink, &open(&p, false).await, &opts, &NoReporter)
            .await
            .unwrap();
        assert!(
            plan.fetch_archive,
            "a selection of files is not the whole version"
        );
        rec.whole = true;
        crate::record::save(p.sink.state(), &rec).unwrap();
        let plan = make(&snap, &p.sink, &open(&p, false).await, &opts, &NoReporter)
            .await
            .unwrap();
        assert!(!plan.fetch_archive);
        assert_eq!(plan.kept.len(), 1);
        snap.pin = Pin::Version(4);
        let plan = make(&snap, &p.sink, &open(&p, false).await, &opts, &NoReporter)
            .await
            .unwrap();
        assert!(plan.fetch_archive, "another version is fetched");
    }
}
