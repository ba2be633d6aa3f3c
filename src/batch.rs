//! `batch`: many datasets from both hubs under one concurrency budget, with a lockfile.
//!
//! Entries run concurrently (`jobs` datasets at once) and share one cap on connections. One
//! entry failing does not stop the others unless `fail_fast`. With `locked`, every entry uses the
//! version / commit pinned in the lockfile and every file is verified against its locked sha256.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::Semaphore;

use crate::error::{Error, ErrorKind, Hint, Result};
use crate::id::DatasetId;
use crate::lockfile::{LockEntry, LockFileEntry, LockSelection, Lockfile};
use crate::manifest::{Entry, LayoutDefaults, Manifest};
use crate::options::{DownloadOptions, Target};
use crate::progress::Event;
use crate::report::DownloadReport;
use crate::settings::LayoutKind;
use crate::sink::Layout;
use crate::source::Hubs;

/// Options of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Download root for entries without `output`.
    pub root: PathBuf,
    /// Datasets at once.
    pub jobs: usize,
    /// Files at once within a dataset.
    pub file_jobs: usize,
    /// Connections at once across the whole batch.
    pub connections: usize,
    /// Stop at the first failure.
    pub fail_fast: bool,
    /// Resolve and plan only.
    pub dry_run: bool,
    /// Use and verify against the lockfile.
    pub locked: bool,
    /// Re-download everything.
    pub force: bool,
    /// The layouts of entries that name none (config `[hf] layout`, `[kaggle] layout`).
    pub layouts: LayoutDefaults,
    /// How large files are split into parallel chunks.
    pub parallel: crate::transfer::ParallelConfig,
    /// How Xet-backed Hub files are fetched.
    pub xet: crate::transfer::XetOptions,
}

/// What happened to one entry.
#[derive(Debug)]
pub struct EntryOutcome {
    /// The manifest entry.
    pub entry: Entry,
    /// Its result (`Err` for failed or not run).
    pub result: Result<DownloadReport>,
    /// Wall time spent on it.
    pub elapsed: Duration,
    /// It never started: an earlier entry failed under `fail_fast` (its `result` says so).
    pub not_run: bool,
}

/// The result of a batch.
#[derive(Debug)]
pub struct BatchReport {
    /// One outcome per manifest entry, in manifest order.
    pub outcomes: Vec<EntryOutcome>,
}

impl BatchReport {
    /// Entries that succeeded.
    pub fn succeeded(&self) -> usize {
        self.outcomes.iter().filter(|o| o.result.is_ok()).count()
    }

    /// Entries that ran and failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.succeeded() - self.not_run()
    }

    /// Entries that never started (an earlier one failed under `fail_fast`).
    pub fn not_run(&self) -> usize {
        self.outcomes.iter().filter(|o| o.not_run).count()
    }

    /// The exit code of DESIGN.md: 0 when all succeeded; the shared code when all failed the same
    /// way; 130 when interrupted; otherwise 1.
    pub fn exit_code(&self) -> u8 {
        let kinds: Vec<ErrorKind> = self
            .outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().err().map(|e| e.kind()))
            .collect();
        if kinds.is_empty() {
            return 0;
        }
        if kinds.contains(&ErrorKind::Interrupted) {
            return ErrorKind::Interrupted.exit_code();
        }
        if kinds.len() == self.outcomes.len() && kinds.iter().all(|k| *k == kinds[0]) {
            return kinds[0].exit_code();
        }
        1
    }

    /// The lockfile after this run: successful entries from their reports; failed entries keep
    /// what `previous` had for them.
    pub fn lockfile(&self, previous: Option<&Lockfile>, root: &std::path::Path) -> Lockfile {
        let mut datasets = Vec::new();
        for o in &self.outcomes {
            let label = o.entry.label();
            match &o.result {
                Ok(r) => datasets.push(lock_entry(&o.entry, &o.entry.folder(root), r)),
                Err(_) => {
                    if let Some(p) =
                        previous.and_then(|p| p.datasets.iter().find(|d| d.entry == label))
                    {
                        datasets.push(p.clone());
                    }
                }
            }
        }
        Lockfile {
            format: 1,
            datasets,
        }
    }
}

/// Checks that every entry is in the lockfile (under `--locked`), before anything runs.
pub fn check_locked(
    manifest: &Manifest,
    lock: Option<&Lockfile>,
    root: &std::path::Path,
    lock_path: &std::path::Path,
) -> Result<()> {
    let Some(lock) = lock else {
        return Err(Error::usage_with(
            format!("the lockfile {} does not exist", lock_path.display()),
            Hint::WriteLock,
        ));
    };
    let missing: Vec<String> = manifest
        .entries
        .iter()
        .filter(|e| lock.find(&e.label(), &e.folder(root)).is_none())
        .map(|e| format!("line {}: {}", e.line, e.label()))
        .collect();
    // An entry whose include / exclude / files changed since the lock was written.
    let changed: Vec<String> = manifest
        .entries
        .iter()
        .filter(|e| {
            lock.find(&e.label(), &e.folder(root))
                .and_then(|l| l.select.as_ref())
                .is_some_and(|s| *s != selection_of(e))
        })
        .map(|e| format!("line {}: {}", e.line, e.label()))
        .collect();
    if missing.is_empty() && !changed.is_empty() {
        return Err(Error::usage_with(
            format!(
                "{} manifest entr{} select{} other files (include, exclude or files) than when {} was written ({})",
                changed.len(),
                if changed.len() == 1 { "y" } else { "ies" },
                if changed.len() == 1 { "s" } else { "" },
                lock_path.display(),
                changed.join(", "),
            ),
            Hint::UpdateLock,
        ));
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::usage_with(
        format!(
            "{} manifest entr{} not in {} ({})",
            missing.len(),
            if missing.len() == 1 {
                "y is"
            } else {
                "ies are"
            },
            lock_path.display(),
            missing.join(", "),
        ),
        Hint::WriteLock,
    ))
}

/// Runs every entry of `manifest`, the hubs' credentials resolved once each.
pub async fn run(
    manifest: &Manifest,
    lock: Option<&Lockfile>,
    opts: &BatchOptions,
    hubs: &Hubs<'_>,
) -> BatchReport {
    let reporter = hubs.reporter();
    let connections = Arc::new(Semaphore::new(opts.connections.max(1)));
    let started = manifest.entries.iter().enumerate().map(|(i, entry)| {
        let connections = connections.clone();
        async move {
            let t0 = Instant::now();
            let result = run_entry(entry, lock, opts, hubs, connections).await;
            let message = match &result {
                Ok(r) => format!(
                    "{} file(s), {} transferred",
                    r.files.len(),
                    crate::units::human_bytes(r.bytes_downloaded)
                ),
                Err(e) => e.to_string(),
            };
            reporter.on_event(&Event::DatasetDone {
                dataset: &entry.label(),
                ok: result.is_ok(),
                message: &message,
            });
            let outcome = EntryOutcome {
                entry: entry.clone(),
                result,
                elapsed: t0.elapsed(),
                not_run: false,
            };
            (i, outcome)
        }
    });
    let mut stream = futures_util::stream::iter(started).buffer_unordered(opts.jobs.max(1));
    let mut done: BTreeMap<usize, EntryOutcome> = BTreeMap::new();
    while let Some((i, o)) = stream.next().await {
        let failed = o.result.is_err();
        done.insert(i, o);
        if failed && opts.fail_fast {
            break;
        }
    }
    drop(stream);
    let outcomes = manifest
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            done.remove(&i).unwrap_or_else(|| EntryOutcome {
                entry: e.clone(),
                result: Err(Error::conflict(
                    "not run: an earlier entry failed and the batch stops at the first failure",
                    None,
                )),
                elapsed: Duration::ZERO,
                not_run: true,
            })
        })
        .collect();
    BatchReport { outcomes }
}

/// One entry: its options (folder or cache, lock pins), then the pipeline.
async fn run_entry(
    entry: &Entry,
    lock: Option<&Lockfile>,
    opts: &BatchOptions,
    hubs: &Hubs<'_>,
    connections: Arc<Semaphore>,
) -> Result<DownloadReport> {
    let folder = entry.folder(&opts.root);
    let pinned = match (
        opts.locked,
        lock.and_then(|l| l.find(&entry.label(), &folder)),
    ) {
        (false, _) => None,
        (true, Some(p)) => Some(p),
        (true, None) => {
            return Err(Error::usage_with(
                format!("{} is not in the lockfile", entry.label()),
                Hint::WriteLock,
            ));
        }
    };
    let kind = opts.layouts.layout_of(entry);
    let layout = Layout::resolve(kind, hubs.env)?;
    // A cache decides where the files go; the entry's folder then only names it in the lockfile.
    let output = (kind == LayoutKind::Folder).then_some(folder);
    let dl = DownloadOptions {
        output,
        root: opts.root.clone(),
        force: opts.force,
        jobs: opts.file_jobs,
        selection: entry.selection(),
        dry_run: opts.dry_run,
        connections: Some(connections),
        parallel: opts.parallel.clone(),
        locked: pinned.map(|p| Arc::new(p.locked_files())),
        layout,
        xet: opts.xet.clone(),
    };
    let mut target = Target {
        id: entry.id.clone(),
        revision: None,
        files: entry.files.clone(),
        keep_zipped: !entry.unzip,
    };
    if let Some(p) = pinned {
        pin(&mut target, p, &entry.label())?;
    }
    let mut report = crate::pipeline::download(hubs, &target, &dl).await?;
    if let Some(p) = pinned.filter(|p| p.revision.is_some()) {
        report.revision = p.revision.clone();
    }
    Ok(report)
}

/// Points `target` at the commit or version a lock entry pins.
fn pin(target: &mut Target, p: &LockEntry, label: &str) -> Result<()> {
    match &mut target.id {
        DatasetId::Hf(id) => {
            let commit = p
                .commit
                .clone()
                .ok_or_else(|| Error::usage(format!("the lock entry of {label} has no commit")))?;
            id.revision = None;
            target.revision = Some(commit);
        }
        DatasetId::Kaggle(id) => {
            id.version = Some(p.version.ok_or_else(|| {
                Error::usage(format!("the lock entry of {label} has no version"))
            })?);
        }
        DatasetId::KaggleModel(id) => {
            id.version = Some(p.version.ok_or_else(|| {
                Error::usage(format!("the lock entry of {label} has no version"))
            })?);
        }
        // Unversioned: the lock pins the files themselves.
        DatasetId::Competition(_) => {}
    }
    Ok(())
}

/// Builds a lock entry from a successful download of the manifest entry `entry` (whose
/// folder, as the manifest names it, is `folder`).
fn lock_entry(entry: &Entry, folder: &Path, report: &DownloadReport) -> LockEntry {
    let mut files: Vec<LockFileEntry> = report
        .files
        .iter()
        .map(|f| LockFileEntry {
            path: f.path.clone(),
            size: f.size,
            sha256: f.sha256.clone().unwrap_or_default(),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    LockEntry {
        entry: entry.label(),
        folder: folder.to_path_buf(),
        source: report.source,
        id: report.dataset_id.clone(),
        revision: report.revision.clone(),
        commit: report.commit.clone(),
        version: report.version,
        files,
        select: Some(selection_of(entry)),
    }
}

/// What a manifest entry selects, as its lock entry records it.
fn selection_of(e: &Entry) -> LockSelection {
    LockSelection {
        include: e.include.clone(),
        exclude: e.exclude.clone(),
        files: e.files.clone(),
    }
}
