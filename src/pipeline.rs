//! One pipeline for every source and destination: a [`Source`] resolves the dataset to a
//! snapshot, the [plan](crate::plan) decides what to fetch, the [transfer](crate::fetch)
//! fetches and verifies each file (or the [archive](crate::archive)), and a [`Sink`] places the
//! bytes and records them. Sources differ only in how they list and name files.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt;

use crate::error::{Error, Result};
use crate::id::DatasetId;
use crate::options::{DownloadOptions, Target};
use crate::plan::{self, Plan};
use crate::progress::{Event, Reporter};
use crate::record::{FileEntry, Record};
use crate::report::{DownloadReport, ReportFile};
use crate::sink::{self, Folder, Sink};
use crate::snapshot::{RemoteFile, Snapshot, part_name};
use crate::source::hf::HfSource;
use crate::source::kaggle::{CompetitionSource, KaggleSource, ModelSource};
use crate::source::{Hubs, Source};
use crate::transfer::{Fetched, Fetcher, FileSpec};

/// Downloads `target` with `opts`: resolve, plan, transfer, place, record.
pub async fn download(
    hubs: &Hubs<'_>,
    target: &Target,
    opts: &DownloadOptions,
) -> Result<DownloadReport> {
    match &target.id {
        DatasetId::Hf(id) => {
            let source = HfSource::new(hubs.hf()?, id, target.revision.as_deref())?;
            run(&source, opts, false, hubs).await
        }
        DatasetId::Kaggle(id) => {
            let source = KaggleSource::new(hubs.kaggle()?, id, &target.files, target.keep_zipped)?;
            run(&source, opts, target.keep_zipped, hubs).await
        }
        DatasetId::Competition(id) => {
            let client = hubs.kaggle()?;
            let source = CompetitionSource::new(client, id, &target.files, target.keep_zipped)?;
            run(&source, opts, target.keep_zipped, hubs).await
        }
        DatasetId::KaggleModel(id) => {
            let source = ModelSource::new(hubs.kaggle()?, id, &target.files, target.keep_zipped)?;
            run(&source, opts, target.keep_zipped, hubs).await
        }
    }
}

/// The pipeline for one source.
async fn run<S: Source>(
    source: &S,
    opts: &DownloadOptions,
    keep_zipped: bool,
    hubs: &Hubs<'_>,
) -> Result<DownloadReport> {
    let reporter = hubs.reporter;
    let names = source.names();
    // Checked before any request: a layout that does not apply is a usage error.
    sink::check(&opts.layout, opts.output.as_deref(), &names, keep_zipped)?;
    let snap = source.resolve(&opts.selection).await?;
    let sink = Sink::new(
        &opts.layout,
        opts.output.as_deref(),
        &opts.root,
        &names,
        &snap.pin,
    )?;
    let folder = Folder::open(
        sink.root().to_path_buf(),
        sink.state().to_path_buf(),
        snap.hub,
        &snap.id,
        opts.force,
        opts.dry_run,
        reporter,
    )
    .await?;
    let mut plan = plan::make(&snap, &sink, &folder, opts, reporter).await?;
    if opts.dry_run {
        // A dry run makes no download request: ask whether one would be allowed.
        source.check_access(&snap, hubs.http).await?;
    }
    // A dry run lists what the archive holds; its sizes stand in for a size the API did not give.
    let contents = match plan.fetch_archive && opts.dry_run {
        true => source.archive_contents(&snap).await?,
        false => Vec::new(),
    };
    if plan.archive_bytes.is_none() && !contents.is_empty() {
        plan.archive_bytes = Some(contents.iter().filter_map(|f| f.size).sum());
    }
    reporter.on_event(&Event::Plan {
        dataset: &snap.label,
        files: plan.files(),
        bytes: plan.bytes(),
        skipped: plan.kept.len(),
    });
    warn_if_short_of_space(sink.root(), plan.bytes(), reporter);
    let base = DownloadReport::of(&snap, sink.report_path(&snap.pin));
    if opts.dry_run {
        let zipped = snap
            .archive
            .as_ref()
            .filter(|a| a.keep_zipped)
            .map(|a| a.name.as_str());
        return Ok(plan::dry_run_report(
            base,
            &plan,
            contents,
            zipped,
            opts.xet.enabled,
        ));
    }
    let fetcher = Fetcher {
        http: hubs.http,
        reporter,
        dataset: &snap.label,
        connections: opts.connections.clone(),
        parallel: opts.parallel.clone(),
        large_files: Arc::new(tokio::sync::Semaphore::new(
            crate::transfer::MAX_PARALLEL_FILES,
        )),
        xet: Arc::new(crate::transfer::XetRun::new(opts.xet.clone())),
    };
    let done = Transfer {
        fetcher: &fetcher,
        source,
        snap: &snap,
        sink: &sink,
        folder: &folder,
        opts,
    };
    let (placed, transferred) = match &snap.archive {
        Some(a) if plan.fetch_archive => {
            crate::archive::fetch(&fetcher, source, &snap, a, &sink, &folder, opts).await?
        }
        _ => done.files(plan.todo.clone()).await?,
    };
    finish(
        base,
        &snap,
        &sink,
        &folder,
        plan,
        placed,
        transferred,
        reporter,
    )
}

/// Ends a download: the sink's links or markers, the record (saved, then the files of other
/// versions removed), the report.
#[allow(clippy::too_many_arguments)]
fn finish(
    mut report: DownloadReport,
    snap: &Snapshot,
    sink: &Sink,
    folder: &Folder,
    plan: Plan,
    placed: Vec<FileEntry>,
    transferred: u64,
    reporter: &dyn Reporter,
) -> Result<DownloadReport> {
    let whole = snap.archive.is_some() || snap.whole;
    let record = next_record(&folder.record, snap, &plan.kept, &placed);
    let all: Vec<RemoteFile> = if snap.archive.is_some() {
        record
            .files
            .iter()
            .map(|e| RemoteFile {
                path: e.path.clone(),
                size: Some(e.size),
                expected: None,
                upstream: e.upstream.clone().unwrap_or_default(),
                may_be_wrapped: false,
                xet_hash: None,
            })
            .collect()
    } else {
        snap.files.clone()
    };
    sink.finish(snap, &all, whole)?;
    folder.save(&record)?;
    if sink.is_user_folder() {
        folder.remove_stale(&record, reporter);
    }
    folder.tidy();
    let mut files: Vec<ReportFile> = plan.kept.iter().map(ReportFile::kept).collect();
    files.extend(placed.iter().map(|e| ReportFile {
        skipped: false,
        ..ReportFile::kept(e)
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    report.total_bytes = files.iter().map(|f| f.size).sum();
    report.bytes_downloaded = transferred;
    report.downloaded = placed.len();
    report.skipped = plan.kept.len();
    report.files = files;
    Ok(report)
}

/// The folder's record after this run: for an archive, exactly what it held; for files, the
/// files of the selection (kept and placed), plus earlier entries of other files at the same
/// version or commit (an earlier run's other selection).
fn next_record(old: &Record, snap: &Snapshot, kept: &[FileEntry], placed: &[FileEntry]) -> Record {
    let mut rec = Record::new(snap.hub, &snap.id);
    if old.source == snap.hub && old.dataset_id == snap.id {
        rec = old.clone();
    }
    let same_pin = snap.pin.matches(&rec);
    // A whole version stays whole when some of its files are fetched again at the same pin (a
    // repair).
    let was_whole: Option<Vec<String>> =
        (same_pin && rec.whole).then(|| rec.files.iter().map(|e| e.path.clone()).collect());
    let selected: HashSet<&str> = snap.files.iter().map(|f| f.path.as_str()).collect();
    rec.files
        .retain(|e| same_pin && snap.archive.is_none() && !selected.contains(e.path.as_str()));
    let mut by_path: BTreeMap<String, FileEntry> =
        rec.files.drain(..).map(|e| (e.path.clone(), e)).collect();
    for e in kept.iter().chain(placed) {
        by_path.insert(e.path.clone(), e.clone());
    }
    // Only an archive (or every file of the version) brings the whole version; a selection of
    // files never counts as one, unless it completes a version that was whole (a repair).
    rec.whole = snap.archive.is_some()
        || snap.whole
        || was_whole.is_some_and(|all| all.iter().all(|p| by_path.contains_key(p)));
    rec.files = by_path.into_values().collect();
    snap.pin.write(&mut rec);
    rec
}

/// Transfers the files of one snapshot into one folder.
struct Transfer<'r, S> {
    fetcher: &'r Fetcher<'r>,
    source: &'r S,
    snap: &'r Snapshot,
    sink: &'r Sink,
    folder: &'r Folder,
    opts: &'r DownloadOptions,
}

impl<S: Source> Transfer<'_, S> {
    /// Fetches `todo`, one transfer per distinct content (identical files, such as licences and
    /// `.gitkeep`, share one), `jobs` at once. Returns the files placed and the bytes transferred.
    async fn files(&self, todo: Vec<RemoteFile>) -> Result<(Vec<FileEntry>, u64)> {
        let mut groups: BTreeMap<String, Vec<RemoteFile>> = BTreeMap::new();
        for f in todo {
            let key = match &f.expected {
                Some(_) => f.upstream.clone(),
                None => format!("path:{}", f.path),
            };
            groups.entry(key).or_default().push(f);
        }
        let groups: Vec<Vec<RemoteFile>> = groups.into_values().collect();
        let done = run_concurrently(groups, self.opts.jobs, |g| self.group(g)).await?;
        let mut placed = Vec::new();
        let mut transferred = 0;
        for (entries, bytes) in done {
            placed.extend(entries);
            transferred += bytes;
        }
        Ok((placed, transferred))
    }

    /// Fetches the first file of a group of identical contents, then places the same bytes at
    /// the others' paths (a verified copy each; in a content-addressed cache, nothing to do).
    async fn group(&self, group: Vec<RemoteFile>) -> Result<(Vec<FileEntry>, u64)> {
        let first = &group[0];
        let (got, dest) = if first.may_be_wrapped {
            self.wrapped(first).await?
        } else {
            self.direct(first).await?
        };
        let tmp = self.folder.tmp();
        let mut placed = Vec::with_capacity(group.len());
        for (i, f) in group.iter().enumerate() {
            if i > 0 && !self.sink.content_addressed() {
                let staged = tmp.join(format!("{}.copy", f.upstream));
                copy_verified(&dest, &staged, self.sink.root(), &self.sink.dest(f)?).await?;
            }
            let entry = FileEntry {
                path: f.path.clone(),
                size: got.size,
                sha256: got.sha256.clone(),
                upstream: Some(f.upstream.clone()),
            };
            self.folder.journal(&entry)?;
            placed.push(entry);
        }
        Ok((placed, got.transferred))
    }

    /// The request spec of one file, into its partial file (and, when `dest` is given, moved
    /// there by the transfer once verified).
    fn spec<'f>(
        &self,
        f: &'f RemoteFile,
        dest: Option<PathBuf>,
        errors: &'f dyn crate::http::ErrorMap,
    ) -> Result<FileSpec<'f>>
    where
        Self: 'f,
    {
        Ok(FileSpec {
            rel_path: &f.path,
            root: self.sink.root(),
            part: self.folder.tmp().join(part_name(self.snap, Some(f))),
            // A file the service may send zipped has no size to expect, except an empty one
            // (never wrapped): probing it with a range would get a 416 for zero bytes.
            size: if f.may_be_wrapped && f.size != Some(0) {
                None
            } else {
                f.size
            },
            expected: f.expected.clone(),
            md5_from_server: f.expected.is_none(),
            request: self.source.file_request(self.snap, f)?,
            lock: dest.as_ref().and_then(|_| {
                self.opts
                    .locked
                    .as_ref()
                    .and_then(|l| l.get(&f.path))
                    .cloned()
            }),
            dest,
            errors,
            on_parallel: None,
            tail_first: false,
            xet: match (&f.xet_hash, self.source.xet_token_request(self.snap)) {
                (Some(h), Some(token)) => Some(crate::transfer::XetSpec {
                    file_id: h.clone(),
                    token,
                }),
                _ => None,
            },
        })
    }

    /// A file whose published checksum and size the transfer checks, moved into place by it.
    async fn direct(&self, f: &RemoteFile) -> Result<(Fetched, PathBuf)> {
        let dest = self.sink.dest(f)?;
        let errors = self.source.errors(self.snap);
        let spec = self.spec(f, Some(dest.clone()), errors.as_ref())?;
        Ok((self.fetcher.fetch(&spec).await?, dest))
    }

    /// A file the service may send wrapped in `<name>.zip` and that has no published checksum:
    /// unwrapped, checked against the listed size (one more try from scratch on a mismatch), the
    /// lockfile and any user's file in the way, then moved into place.
    async fn wrapped(&self, f: &RemoteFile) -> Result<(Fetched, PathBuf)> {
        let errors = self.source.errors(self.snap);
        let spec = self.spec(f, None, errors.as_ref())?;
        let mut transferred = 0;
        let mut attempt = 0;
        let (staged, got) = loop {
            attempt += 1;
            let got = self.fetcher.fetch(&spec).await?;
            transferred += got.transferred;
            let (staged, size, sha256) = crate::archive::unwrap_if_wrapped(&f.path, &got).await?;
            match f.size {
                Some(want) if want != size => {
                    let _ = std::fs::remove_file(&staged);
                    crate::transfer::discard_partial(&spec.part);
                    if attempt >= 2 {
                        return Err(Error::Integrity {
                            path: format!(
                                "{}: {}",
                                self.snap.label,
                                crate::sanitize::for_terminal(&f.path)
                            ),
                            expected: format!("size {want} (from the version's file list)"),
                            actual: format!("size {size}"),
                            hint: None,
                        });
                    }
                    self.fetcher.reporter.on_event(&Event::Warn(&format!(
                        "{}: {size} bytes arrived, but the file list says {want}; downloading it again from scratch",
                        crate::sanitize::for_terminal(&f.path)
                    )));
                }
                _ => {
                    break (
                        staged,
                        Fetched {
                            size,
                            sha256,
                            transferred,
                            ..got
                        },
                    );
                }
            }
        };
        let locked = self.opts.locked.as_ref().and_then(|l| l.get(&f.path));
        let checked = match crate::lockfile::check_lock(
            &self.snap.label,
            &f.path,
            locked,
            got.size,
            Some(&got.sha256),
        ) {
            Ok(()) => {
                let found = [(f.path.clone(), got.sha256.clone())];
                crate::archive::check_foreign(self.folder, &found, self.opts, self.fetcher.reporter)
                    .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = checked {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
        let dest = self.sink.dest(f)?;
        crate::paths::move_into_place(self.sink.root(), &staged, &dest)?;
        Ok((got, dest))
    }
}

/// Copies the verified file `src` to `staged` (synced, so that a rename after a power cut never
/// names lost data), then moves it to `dest` inside `root`.
async fn copy_verified(
    src: &std::path::Path,
    staged: &std::path::Path,
    root: &std::path::Path,
    dest: &std::path::Path,
) -> Result<()> {
    let (from, to) = (src.to_path_buf(), staged.to_path_buf());
    tokio::task::spawn_blocking(move || -> Result<()> {
        std::fs::copy(&from, &to).map_err(|e| Error::io("copying", &to, e))?;
        std::fs::File::open(&to)
            .and_then(|f| f.sync_data())
            .map_err(|e| Error::io("syncing", &to, e))
    })
    .await
    .map_err(|e| Error::conflict(format!("copying task failed: {e}"), None))??;
    crate::paths::move_into_place(root, staged, dest)
}

/// Runs `jobs` futures at once over `items`, stopping at the first error (in-flight transfers
/// are dropped; their partial files stay for the next run). Results come back in completion
/// order.
pub(crate) async fn run_concurrently<T, R, F, Fut>(
    items: Vec<T>,
    jobs: usize,
    f: F,
) -> Result<Vec<R>>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<R>>,
{
    let mut stream =
        futures_util::stream::iter(items.into_iter().map(f)).buffer_unordered(jobs.max(1));
    let mut out = Vec::new();
    while let Some(r) = stream.next().await {
        out.push(r?);
    }
    Ok(out)
}

/// Warns when the file system holding `path` has less free space than `needed` bytes.
fn warn_if_short_of_space(path: &std::path::Path, needed: u64, reporter: &dyn Reporter) {
    if let Some(free) = crate::transfer::free_space(path)
        && free < needed
    {
        reporter.on_event(&Event::Warn(&format!(
            "only {} free on the file system of {}, but {} to download; the download will stop when the disk is full",
            crate::units::human_bytes(free),
            path.display(),
            crate::units::human_bytes(needed)
        )));
    }
}

#[cfg(test)]
mod tests {
    use fakehub::{FakeHub, HfRepo, KaggleDataset};

    use super::*;
    use crate::env::Env;
    use crate::http::{Http, HttpConfig};
    use crate::id::{parse_hf, parse_kaggle};
    use crate::progress::NoReporter;

    /// The library alone, no front end: each hub's dataset through the whole pipeline.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_hubs_through_the_library_api() {
        let hub = FakeHub::start();
        hub.add_hf_repo(
            HfRepo::new("acme/x")
                .file("a.txt", "a\n")
                .file("copy/a.txt", "a\n")
                .lfs_file("b.bin", vec![7u8; 5000]),
        );
        hub.add_kaggle_dataset(KaggleDataset::new("alice/t").file("t.csv", "1,2\n"));
        let root = tempfile::tempdir().unwrap();
        let env = Env::from_pairs([
            ("HF_ENDPOINT", hub.api_url()),
            ("KAGGLE_API_ENDPOINT", hub.api_url()),
            ("HOME", root.path().display().to_string()),
        ]);
        let http = Http::new(&HttpConfig::default()).unwrap();
        let hubs = Hubs::new(&http, &env, &NoReporter);
        let opts = DownloadOptions {
            root: root.path().to_path_buf(),
            ..DownloadOptions::default()
        };
        let target = |id| Target {
            id,
            revision: None,
            files: Vec::new(),
            keep_zipped: false,
        };
        let hf = download(
            &hubs,
            &target(DatasetId::Hf(parse_hf("acme/x").unwrap())),
            &opts,
        )
        .await
        .unwrap();
        assert_eq!((hf.downloaded, hf.skipped, hf.files.len()), (3, 0, 3));
        assert_eq!(hf.bytes_downloaded, 5002, "identical files travel once");
        let folder = root.path().join("acme_x");
        assert_eq!(std::fs::read(folder.join("copy/a.txt")).unwrap(), b"a\n");
        let kaggle = target(DatasetId::Kaggle(parse_kaggle("alice/t").unwrap()));
        let k = download(&hubs, &kaggle, &opts).await.unwrap();
        assert_eq!((k.version, k.downloaded), (Some(1), 1));
        assert_eq!(
            std::fs::read(root.path().join("t/t.csv")).unwrap(),
            b"1,2\n"
        );
        // A second run of each finds everything in place.
        let again = download(&hubs, &kaggle, &opts).await.unwrap();
        assert_eq!((again.downloaded, again.skipped), (0, 1));
    }
}
