//! `batch`: many datasets from both hubs under one concurrency budget, with a lockfile.
//!
//! Entries run concurrently (`jobs` datasets at once) and share one cap on connections. One
//! entry failing does not stop the others unless `fail_fast`. With `locked`, every entry uses the
//! version / commit pinned in the lockfile and every file is verified against its locked sha256.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::Semaphore;

use crate::credentials::{self, Resolved};
use crate::download::{self, DownloadOptions, DownloadReport};
use crate::env::Env;
use crate::error::{Error, ErrorKind, Result, Source};
use crate::hf::{self, HfClient};
use crate::http::Http;
use crate::id::DatasetId;
use crate::kaggle::{self, KaggleClient, KaggleOptions};
use crate::lockfile::{LockEntry, Lockfile};
use crate::manifest::{Entry, Manifest};
use crate::progress::{Event, Reporter};

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
    /// Layout for Hugging Face entries that do not set one (config `[hf] layout`).
    pub hf_layout: Option<String>,
    /// Layout for Kaggle entries that do not set one (config `[kaggle] layout`).
    pub kaggle_layout: Option<String>,
    /// How large files are split into parallel chunks.
    pub parallel: crate::transfer::ParallelConfig,
}

/// The layout of an entry: its own, else the batch default for its hub, else a plain folder.
fn entry_layout(entry: &Entry, opts: &BatchOptions, env: &Env) -> Result<crate::download::Layout> {
    let default = match entry.id.source() {
        Source::HuggingFace => opts.hf_layout.as_deref(),
        Source::Kaggle => opts.kaggle_layout.as_deref(),
    };
    let name = entry.layout.as_deref().or(default).unwrap_or("folder");
    // A cache layout from the config does not apply to an entry with its own output folder.
    if entry.layout.is_none() && entry.output.is_some() {
        return Ok(crate::download::Layout::Folder);
    }
    crate::download::Layout::parse(name, env)
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

    /// Entries that failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.succeeded()
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
                Ok(r) => datasets.push(LockEntry::from_report(&label, &o.entry.folder(root), r)),
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

/// Credentials per hub, resolved once (and only for hubs the manifest uses).
struct Auth {
    hf: Option<Result<Resolved>>,
    kaggle: Option<Result<Resolved>>,
}

fn clone_err(e: &Error) -> Error {
    // Errors are not Clone (they may wrap io::Error); entries sharing a failed credential
    // resolution each get an equivalent error.
    match e {
        Error::BadFile {
            path,
            message,
            kind,
        } => Error::BadFile {
            path: path.clone(),
            message: message.clone(),
            kind: *kind,
        },
        other => Error::Usage(other.to_string()),
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
        return Err(Error::usage(format!(
            "--locked needs {}, which does not exist; run once without --locked to write it",
            lock_path.display()
        )));
    };
    let missing: Vec<String> = manifest
        .entries
        .iter()
        .filter(|e| lock.find(&e.label(), &e.folder(root)).is_none())
        .map(|e| format!("line {}: {}", e.line, e.label()))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::usage(format!(
        "{} manifest entr{} not in {} ({}); run without --locked to add {}",
        missing.len(),
        if missing.len() == 1 {
            "y is"
        } else {
            "ies are"
        },
        lock_path.display(),
        missing.join(", "),
        if missing.len() == 1 { "it" } else { "them" }
    )))
}

/// Runs every entry of `manifest`.
pub async fn run(
    manifest: &Manifest,
    lock: Option<&Lockfile>,
    opts: &BatchOptions,
    env: &Env,
    http: &Http,
    reporter: &dyn Reporter,
) -> BatchReport {
    let uses = |s: Source| manifest.entries.iter().any(|e| e.id.source() == s);
    let auth = Auth {
        hf: uses(Source::HuggingFace).then(|| credentials::resolve_hf(None, env)),
        kaggle: uses(Source::Kaggle).then(|| credentials::resolve_kaggle(env)),
    };
    if let Some(Ok(k)) = &auth.kaggle {
        for w in &k.warnings {
            reporter.on_event(&Event::Warn(w));
        }
    }
    let connections = Arc::new(Semaphore::new(opts.connections.max(1)));
    let started = manifest.entries.iter().enumerate().map(|(i, entry)| {
        let connections = connections.clone();
        let auth = &auth;
        async move {
            let t0 = Instant::now();
            let result = run_entry(entry, lock, opts, env, http, reporter, auth, connections).await;
            let message = match &result {
                Ok(r) => format!(
                    "{} file(s), {} transferred",
                    r.files.len(),
                    download::human_bytes(r.bytes_downloaded)
                ),
                Err(e) => e.to_string(),
            };
            reporter.on_event(&Event::DatasetDone {
                dataset: &entry.label(),
                ok: result.is_ok(),
                message: &message,
            });
            (
                i,
                EntryOutcome {
                    entry: entry.clone(),
                    result,
                    elapsed: t0.elapsed(),
                },
            )
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
                result: Err(Error::Conflict(
                    "not run: an earlier entry failed and --fail-fast was given".into(),
                )),
                elapsed: Duration::ZERO,
            })
        })
        .collect();
    BatchReport { outcomes }
}

#[allow(clippy::too_many_arguments)]
async fn run_entry(
    entry: &Entry,
    lock: Option<&Lockfile>,
    opts: &BatchOptions,
    env: &Env,
    http: &Http,
    reporter: &dyn Reporter,
    auth: &Auth,
    connections: Arc<Semaphore>,
) -> Result<DownloadReport> {
    let folder = entry.folder(&opts.root);
    let pinned = if opts.locked {
        Some(
            lock.and_then(|l| l.find(&entry.label(), &folder))
                .ok_or_else(|| {
                    Error::usage(format!(
                        "{} is not in the lockfile; run without --locked to add it",
                        entry.label()
                    ))
                })?,
        )
    } else {
        None
    };
    let dl = DownloadOptions {
        output: Some(folder),
        root: opts.root.clone(),
        force: opts.force,
        jobs: opts.file_jobs,
        selection: entry.selection(),
        dry_run: opts.dry_run,
        connections: Some(connections),
        parallel: opts.parallel.clone(),
        locked: pinned.map(|p| Arc::new(p.locked_files())),
        layout: entry_layout(entry, opts, env)?,
    };
    match &entry.id {
        DatasetId::Hf(id) => {
            let resolved = match auth.hf.as_ref().expect("resolved for HF entries") {
                Ok(r) => r,
                Err(e) => return Err(clone_err(e)),
            };
            let client = HfClient {
                http,
                endpoint: download::hf_endpoint(env)?,
                auth: resolved,
                reporter,
            };
            match pinned {
                Some(p) => {
                    let commit = p.commit.clone().ok_or_else(|| {
                        Error::usage(format!("the lock entry of {} has no commit", entry.label()))
                    })?;
                    let mut at_commit = id.clone();
                    at_commit.revision = None;
                    let mut report = hf::download(&client, &at_commit, Some(&commit), &dl).await?;
                    report.revision = p.revision.clone();
                    Ok(report)
                }
                None => hf::download(&client, id, None, &dl).await,
            }
        }
        DatasetId::Kaggle(id) => {
            let resolved = match auth.kaggle.as_ref().expect("resolved for Kaggle entries") {
                Ok(r) => r,
                Err(e) => return Err(clone_err(e)),
            };
            let client = KaggleClient {
                http,
                endpoint: download::kaggle_endpoint(env)?,
                auth: resolved,
                reporter,
            };
            let mut id = id.clone();
            if let Some(p) = pinned {
                id.version = Some(p.version.ok_or_else(|| {
                    Error::usage(format!(
                        "the lock entry of {} has no version",
                        entry.label()
                    ))
                })?);
            }
            let kopts = KaggleOptions {
                files: entry.files.clone(),
                no_unzip: !entry.unzip,
            };
            kaggle::download(&client, &id, &kopts, &dl).await
        }
    }
}
