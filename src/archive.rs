//! The archive step: a whole dataset version fetched as one archive (a Kaggle version's
//! `archive.zip`), verified, then extracted safely into a staging folder and moved into place,
//! or kept as it is. Extraction starts while the archive arrives when it comes in parallel
//! chunks. An archive that verified is marked, so that a run that could not finish (a full disk,
//! a file in the way) extracts it next time without fetching it again. Also the single-file
//! case of the same service: a file it sent wrapped in `<name>.zip` is unwrapped.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::extract::{self, Limits};
use crate::options::DownloadOptions;
use crate::progress::{Event, Reporter};
use crate::record::FileEntry;
use crate::sink::{Folder, Sink, refuse_foreign};
use crate::snapshot::{Archive, ArchiveFormat, Snapshot};
use crate::source::Source;
use crate::transfer::Availability;
use crate::transfer::{Fetcher, FileSpec};

/// Fetches the snapshot's archive (or takes the one an earlier run verified) and places its
/// content: extracted, or kept as `archive.name`. Returns the files placed and the bytes
/// transferred.
pub(crate) async fn fetch<S: Source>(
    fetcher: &Fetcher<'_>,
    source: &S,
    snap: &Snapshot,
    archive: &Archive,
    sink: &Sink,
    folder: &Folder,
    opts: &DownloadOptions,
) -> Result<(Vec<FileEntry>, u64)> {
    let tmp = folder.tmp();
    let part = tmp.join(crate::snapshot::part_name(snap, None));
    let errors = source.errors(snap);
    let extracting = !archive.keep_zipped;
    let zip = archive.format == ArchiveFormat::Zip;
    // Extraction starts while the archive arrives (in parallel chunks, the directory at its end
    // first); used only if the archive then verifies.
    let early = EarlyExtraction::new(tmp.clone());
    let on_parallel = |avail: Arc<Availability>| early.start(avail);
    let spec = FileSpec {
        rel_path: &archive.name,
        root: sink.root(),
        part: part.clone(),
        dest: None,
        size: None,
        expected: None,
        md5_from_server: true,
        request: source.archive_request(snap)?,
        errors: errors.as_ref(),
        lock: opts
            .locked
            .as_ref()
            .filter(|_| archive.keep_zipped)
            .and_then(|l| l.get(&archive.name))
            .cloned(),
        // A zip's directory is at its end: fetched first, it lets extraction start early. A tar
        // is read front to back, after it verifies.
        on_parallel: (extracting && zip).then_some(&on_parallel as _),
        tail_first: extracting && zip,
        xet: None,
    };
    // An archive verified by an earlier run that could not finish is used as it is: versions
    // never change.
    let got = match verified_archive(&part) {
        Some(g) => {
            fetcher.reporter.on_event(&Event::Debug(&format!(
                "{}: using the archive verified by an earlier run",
                snap.label
            )));
            Ok(g)
        }
        None => fetcher.fetch(&spec).await,
    };
    let early = early
        .finish(got.as_ref().ok().and_then(|g| g.availability.clone()))
        .await;
    let got = got?;
    mark_verified(&part, &got)?;
    let upstream = snap.pin.upstream();
    let files = if archive.keep_zipped {
        let dest = sink.root().join(&archive.name);
        check_foreign(
            folder,
            &[(archive.name.clone(), got.sha256.clone())],
            opts,
            fetcher.reporter,
        )
        .await?;
        crate::paths::move_into_place(sink.root(), &got.path, &dest)?;
        discard_archive(&got.path);
        vec![FileEntry {
            path: archive.name.clone(),
            size: got.size,
            sha256: got.sha256.clone(),
            upstream: Some(upstream),
        }]
    } else {
        extract_into_place(fetcher.reporter, snap, &got.path, folder, opts, early).await?
    };
    Ok((files, got.transferred))
}

/// Extracts a verified archive into a staging folder, then moves every file into the dataset
/// folder and removes the archive. Runs the blocking work off the async runtime. `early` is an
/// extraction already done while the (now verified) archive arrived. Nothing is moved into place
/// unless everything can be: a lock mismatch, a user's file or a folder in the way stops it
/// first, keeping the verified archive for the next run.
async fn extract_into_place(
    reporter: &dyn Reporter,
    snap: &Snapshot,
    archive: &Path,
    folder: &Folder,
    opts: &DownloadOptions,
    early: Option<(PathBuf, Vec<extract::Extracted>)>,
) -> Result<Vec<FileEntry>> {
    let label = snap.label.as_str();
    let format = snap
        .archive
        .as_ref()
        .map_or(ArchiveFormat::Zip, |a| a.format);
    let (staging, files) =
        extract_to_staging(reporter, label, archive, folder, early, format).await?;
    let files = match files {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            if e.kind() == crate::error::ErrorKind::Integrity {
                // A damaged archive: the next run must fetch it again, not resume it.
                discard_archive(archive);
            }
            return Err(e);
        }
    };
    if let Err(e) = check_placeable(reporter, label, archive, &files, folder, opts).await {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    reporter.on_event(&Event::Extract {
        dataset: label,
        entries: files.len(),
        bytes: files.iter().map(|f| f.size).sum(),
    });
    let out = move_from_staging(&staging, &folder.root, files, &snap.pin.upstream())?;
    let _ = std::fs::remove_dir_all(&staging);
    discard_archive(archive);
    Ok(out)
}

/// The staging folder and what was extracted into it: the early extraction if there was one,
/// else the archive extracted now. Fails only if the extraction task itself failed.
async fn extract_to_staging(
    reporter: &dyn Reporter,
    label: &str,
    archive: &Path,
    folder: &Folder,
    early: Option<(PathBuf, Vec<extract::Extracted>)>,
    format: ArchiveFormat,
) -> Result<(PathBuf, Result<Vec<extract::Extracted>>)> {
    if let Some((staging, files)) = early {
        reporter.on_event(&Event::Debug(&format!(
            "{label}: archive extracted while it arrived"
        )));
        return Ok((staging, Ok(files)));
    }
    let staging = folder.tmp().join("extract");
    let _ = std::fs::remove_dir_all(&staging);
    let (a, s) = (archive.to_path_buf(), staging.clone());
    let t0 = std::time::Instant::now();
    let files = tokio::task::spawn_blocking(move || match format {
        ArchiveFormat::Zip => extract::extract_zip(&a, &s, &Limits::default()),
        ArchiveFormat::TarGz => extract::extract_tar_gz(&a, &s, &Limits::default()),
    })
    .await
    .map_err(|e| Error::conflict(format!("extraction task failed: {e}"), None))?;
    reporter.on_event(&Event::Debug(&format!(
        "{label}: archive extracted in {:.0} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    )));
    Ok((staging, files))
}

/// Whether every extracted file can be moved into place: it matches the lock file (else the
/// archive is discarded), replaces no user's file (unless `--force`), and no folder is in its
/// way.
async fn check_placeable(
    reporter: &dyn Reporter,
    label: &str,
    archive: &Path,
    files: &[extract::Extracted],
    folder: &Folder,
    opts: &DownloadOptions,
) -> Result<()> {
    if let Some(locked) = opts.locked.as_deref() {
        crate::lockfile::check_locked_set(locked, files.iter().map(|f| f.path.as_str()), label)
            .inspect_err(|_| discard_archive(archive))?;
        for f in files {
            crate::lockfile::check_lock(
                label,
                &f.path,
                locked.get(&f.path),
                f.size,
                Some(&f.sha256),
            )
            .inspect_err(|_| discard_archive(archive))?;
        }
    }
    let found: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    check_foreign(folder, &found, opts, reporter).await?;
    // Something in the way of any file stops them all, the verified archive kept for the next run.
    crate::paths::refuse_obstacles(
        &folder.root,
        files.iter().map(|f| f.path.as_str()),
        false,
        reporter,
    )
}

/// Moves every extracted file from `staging` to its place under `root`.
fn move_from_staging(
    staging: &Path,
    root: &Path,
    files: Vec<extract::Extracted>,
    upstream: &str,
) -> Result<Vec<FileEntry>> {
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let src = crate::paths::join_safe(staging, &f.path, "zip entry")?;
        let dest = crate::paths::join_safe(root, &f.path, "zip entry")?;
        crate::paths::move_into_place(root, &src, &dest)?;
        out.push(FileEntry {
            path: f.path,
            size: f.size,
            sha256: f.sha256,
            upstream: Some(upstream.to_string()),
        });
    }
    Ok(out)
}

/// Refuses (unless `--force`) to replace files in the folder that dsfetch did not write, when
/// their content differs from the dataset's (`files`: path and sha256).
pub(crate) async fn check_foreign(
    folder: &Folder,
    files: &[(String, String)],
    opts: &DownloadOptions,
    reporter: &dyn Reporter,
) -> Result<()> {
    let found: Vec<(String, String, PathBuf)> = files
        .iter()
        .filter_map(|(p, h)| folder.foreign(p).map(|l| (p.clone(), h.clone(), l)))
        .collect();
    if found.is_empty() || opts.force {
        return Ok(());
    }
    let differing = tokio::task::spawn_blocking(move || {
        found
            .into_iter()
            .filter(|(_, h, local)| {
                crate::verify::sha256_file(local).map_or(true, |(_, got)| &got != h)
            })
            .map(|(p, _, _)| p)
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| Error::conflict(format!("hashing task failed: {e}"), None))?;
    refuse_foreign(&folder.root, &differing, opts.force, opts.dry_run, reporter)
}

/// The marker beside an archive that verified (`<part>.verified`): a later run that finds it
/// extracts the archive without fetching it again.
fn verified_marker(part: &Path) -> PathBuf {
    let mut s = part.as_os_str().to_owned();
    s.push(".verified");
    PathBuf::from(s)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Verified {
    size: u64,
    sha256: String,
    md5_checked: bool,
}

/// Records that the archive at `part` verified.
fn mark_verified(part: &Path, got: &crate::transfer::Fetched) -> Result<()> {
    let marker = verified_marker(part);
    let json = serde_json::to_vec(&Verified {
        size: got.size,
        sha256: got.sha256.clone(),
        md5_checked: got.md5_checked,
    })
    .unwrap_or_default();
    std::fs::write(&marker, json).map_err(|e| Error::io("writing", &marker, e))
}

/// The archive an earlier run verified, if it is still there with its size.
fn verified_archive(part: &Path) -> Option<crate::transfer::Fetched> {
    let v: Verified = serde_json::from_slice(&std::fs::read(verified_marker(part)).ok()?).ok()?;
    let md = std::fs::symlink_metadata(part).ok()?;
    (md.is_file() && md.len() == v.size).then(|| crate::transfer::Fetched {
        size: v.size,
        sha256: v.sha256,
        transferred: 0,
        md5_checked: v.md5_checked,
        path: part.to_path_buf(),
        final_url: None,
        availability: None,
    })
}

/// Removes an archive, its sidecar and its verified marker.
fn discard_archive(part: &Path) {
    crate::transfer::discard_partial(part);
    let _ = std::fs::remove_file(verified_marker(part));
}

/// The verified bytes of a single file, unwrapped when the service sent `<basename>.zip` (kagglehub
/// and the kaggle CLI take the redirect URL's last segment as the served name), still outside the
/// dataset folder: (path, size, sha256).
pub(crate) async fn unwrap_if_wrapped(
    name: &str,
    got: &crate::transfer::Fetched,
) -> Result<(PathBuf, u64, String)> {
    let basename = name.rsplit('/').next().unwrap_or(name).to_string();
    let served = got.final_url.as_ref().map(last_segment).unwrap_or_default();
    if served != format!("{basename}.zip") {
        return Ok((got.path.clone(), got.size, got.sha256.clone()));
    }
    let part = got.path.clone();
    let unwrapped = part.with_extension("unwrapped");
    let out = unwrapped.clone();
    let ex = tokio::task::spawn_blocking(move || {
        extract::unwrap_single(&part, &basename, &out, &Limits::default())
    })
    .await
    .map_err(|e| Error::conflict(format!("extraction task failed: {e}"), None))??;
    let _ = std::fs::remove_file(&got.path);
    Ok((unwrapped, ex.size, ex.sha256))
}

/// Extraction of an archive while it downloads in parallel chunks (see
/// [`extract::extract_zip_streaming`]). Each download attempt gets its own thread and staging
/// folder; only the one whose bytes verified is kept.
struct EarlyExtraction {
    tmp: PathBuf,
    runs: std::sync::Mutex<Vec<EarlyRun>>,
}

struct EarlyRun {
    avail: Arc<Availability>,
    staging: PathBuf,
    thread: std::thread::JoinHandle<Result<Vec<extract::Extracted>>>,
}

impl EarlyExtraction {
    fn new(tmp: PathBuf) -> EarlyExtraction {
        EarlyExtraction {
            tmp,
            runs: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Starts extracting the archive that `avail` describes, on a thread of its own.
    fn start(&self, avail: Arc<Availability>) {
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        let staging = self.tmp.join(format!("extract-{}", runs.len()));
        let _ = std::fs::remove_dir_all(&staging);
        let (a, s) = (avail.clone(), staging.clone());
        let thread = std::thread::Builder::new()
            .name("dsfetch-extract".into())
            .spawn(move || extract::extract_zip_streaming(&a, &s, &Limits::default()));
        // Without a thread, extraction simply happens after the download.
        if let Ok(thread) = thread {
            runs.push(EarlyRun {
                avail,
                staging,
                thread,
            });
        }
    }

    /// Waits for every extraction thread; returns the staging folder and files of the one that
    /// read the verified bytes (`verified`), if it succeeded. The other folders are removed.
    async fn finish(
        self,
        verified: Option<Arc<Availability>>,
    ) -> Option<(PathBuf, Vec<extract::Extracted>)> {
        let runs = self.runs.into_inner().unwrap_or_else(|e| e.into_inner());
        if runs.is_empty() {
            return None;
        }
        tokio::task::spawn_blocking(move || {
            let mut kept = None;
            for run in runs {
                let result = run.thread.join();
                let mine = verified
                    .as_ref()
                    .is_some_and(|v| Arc::ptr_eq(v, &run.avail));
                match result {
                    Ok(Ok(files)) if mine => kept = Some((run.staging, files)),
                    _ => {
                        let _ = std::fs::remove_dir_all(&run.staging);
                    }
                }
            }
            kept
        })
        .await
        .ok()
        .flatten()
    }
}

/// The last path segment of a URL, percent-decoded.
fn last_segment(url: &reqwest::Url) -> String {
    let seg = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    percent_encoding::percent_decode_str(seg)
        .decode_utf8_lossy()
        .into_owned()
}
