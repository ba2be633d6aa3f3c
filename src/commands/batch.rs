//! `dsfetch batch`: read the manifest and its lockfile, run every entry, write the lockfile,
//! print the summary.

use std::io::Read;
use std::path::{Path, PathBuf};

use dsfetch::batch::{self, BatchOptions, BatchReport};
use dsfetch::error::Error;
use dsfetch::lockfile::Lockfile;
use dsfetch::manifest::{self, Manifest};
use dsfetch::progress::{Event, Reporter};
use dsfetch::sanitize::for_terminal;
use dsfetch::units::human_bytes;
use serde_json::json;

use super::download::download_json;
use super::{Ctx, Outcome};
use crate::cli::BatchArgs;
use crate::ui::table::render;

fn read_manifest(name: &str) -> Result<String, Error> {
    if name == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Error::usage(format!("cannot read the manifest from stdin: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(name)
        .map_err(|e| Error::usage(format!("cannot read manifest {name}: {e}")))
}

/// The lockfile a manifest gets without `--lock`: its name with `.lock` for its extension, next
/// to it (`train.toml` → `train.lock`, so two manifests in one folder keep their own pins);
/// `dsfetch.lock` in the current folder for stdin.
fn lock_path(a: &BatchArgs) -> PathBuf {
    if let Some(p) = &a.lock {
        return p.clone();
    }
    if a.manifest == "-" {
        return PathBuf::from(LEGACY_LOCK);
    }
    let manifest = Path::new(&a.manifest);
    let lock = manifest.with_extension("lock");
    if lock == manifest {
        // A manifest that is itself named `*.lock`.
        let mut name = manifest.as_os_str().to_owned();
        name.push(".lock");
        return PathBuf::from(name);
    }
    lock
}

/// The lockfile name of dsfetch versions that named every lock `dsfetch.lock`.
const LEGACY_LOCK: &str = "dsfetch.lock";

/// `dsfetch.lock` next to the manifest, as older versions wrote it: read when the manifest's own
/// lock is absent, so that existing `--locked` runs keep working.
fn legacy_lock_path(a: &BatchArgs, own: &Path) -> Option<PathBuf> {
    if a.lock.is_some() || a.manifest == "-" {
        return None;
    }
    let old = match Path::new(&a.manifest).parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join(LEGACY_LOCK),
        _ => PathBuf::from(LEGACY_LOCK),
    };
    (old != own).then_some(old)
}

/// What an entry that `--fail-fast` never started says.
const NOT_RUN: &str = "not run: an earlier entry failed and --fail-fast was given";

/// The manifest and the lockfile it is checked against.
struct Loaded {
    manifest: Manifest,
    /// The manifest's own lockfile, as it is on disk.
    own: Option<Lockfile>,
    /// The pins in use: its own lockfile, or an older version's `dsfetch.lock`.
    previous: Option<Lockfile>,
    /// Where the manifest's lockfile is written.
    lock_path: PathBuf,
}

/// Reads the manifest and its lockfile; under `--locked`, checks that every entry is pinned.
fn load(ctx: &Ctx, a: &BatchArgs) -> Result<Loaded, Error> {
    let text = read_manifest(&a.manifest)?;
    let defaults = manifest::LayoutDefaults {
        hf: ctx.settings.config.hf.layout,
        kaggle: ctx.settings.config.kaggle.layout,
    };
    let manifest = manifest::parse_with(&a.manifest, &text, &defaults)?;
    let lock_path = lock_path(a);
    let own = Lockfile::read(&lock_path)?;
    // Without its own lock, a manifest's pins may still sit in an older version's dsfetch.lock.
    let mut read_from = lock_path.clone();
    let mut previous = own.clone();
    if own.is_none()
        && let Some(old) = legacy_lock_path(a, &lock_path)
        && let Some(l) = Lockfile::read(&old)?
    {
        ctx.ui.on_event(&Event::Warn(&format!(
            "{} is absent: using {} (the lockfile of older dsfetch versions); {}",
            lock_path.display(),
            old.display(),
            if a.locked {
                format!("a run without --locked writes {}", lock_path.display())
            } else {
                format!("this run writes {}", lock_path.display())
            }
        )));
        previous = Some(l);
        read_from = old;
    }
    if a.locked {
        let root = &ctx.settings.download_dir.value;
        batch::check_locked(&manifest, previous.as_ref(), root, &read_from)?;
    }
    Ok(Loaded {
        manifest,
        own,
        previous,
        lock_path,
    })
}

/// `dsfetch batch`.
pub(super) async fn batch(ctx: &Ctx, a: &BatchArgs) -> Outcome {
    let loaded = match load(ctx, a) {
        Ok(l) => l,
        Err(e) => return Outcome::failed(e),
    };
    let opts = BatchOptions {
        root: ctx.settings.download_dir.value.clone(),
        jobs: a.jobs.map(usize::from).unwrap_or(4),
        file_jobs: a
            .file_jobs
            .map(usize::from)
            .unwrap_or(ctx.settings.jobs.value),
        connections: usize::from(a.max_connections),
        fail_fast: a.fail_fast,
        dry_run: a.dry_run,
        locked: a.locked,
        force: a.force,
        layouts: manifest::LayoutDefaults {
            hf: ctx.settings.config.hf.layout,
            kaggle: ctx.settings.config.kaggle.layout,
        },
        parallel: ctx.settings.parallel(),
        xet: ctx.settings.xet_options(&ctx.env, a.no_xet),
    };
    let report = batch::run(
        &loaded.manifest,
        loaded.previous.as_ref(),
        &opts,
        &ctx.hubs(),
    )
    .await;
    ctx.ui.finish();
    if !a.dry_run {
        let lines: Vec<_> = report
            .outcomes
            .iter()
            .filter(|o| !o.not_run)
            .map(|o| {
                super::history::entry_after("batch", &o.entry.label(), o.result.as_ref(), o.elapsed)
            })
            .collect();
        super::history::record(ctx, &lines);
        let fetched: Vec<_> = report
            .outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().ok().map(|r| r.file_path.clone()))
            .collect();
        if !fetched.is_empty() {
            super::remove::auto_prune(ctx, fetched).await;
        }
    }
    // The lockfile pins what this run fetched (a --locked run verifies it and leaves it as is).
    let mut lock_error = None;
    if !a.dry_run && !a.locked && report.succeeded() > 0 {
        let lock = report.lockfile(loaded.previous.as_ref(), &opts.root);
        if loaded.own.as_ref() != Some(&lock)
            && let Err(e) = lock.write(&loaded.lock_path)
        {
            lock_error = Some(e);
        }
    }
    for o in &report.outcomes {
        match &o.result {
            Err(_) if o.not_run => ctx
                .ui
                .info(&for_terminal(&format!("{}: {NOT_RUN}", o.entry.label()))),
            Err(e) => ctx.ui.error(&for_terminal(&format!(
                "{}: {}",
                o.entry.label(),
                crate::ui::hints::message(e)
            ))),
            Ok(_) => {}
        }
    }
    let mut exit = report.exit_code();
    if lock_error.is_some() && exit == 0 {
        exit = 1;
    }
    let json = ctx
        .json
        .then(|| batch_json(&report, a.dry_run, &loaded.lock_path));
    let text = (!ctx.json).then(|| match a.dry_run {
        true => dry_run_text(ctx, &report),
        false => summary_table(&report),
    });
    Outcome {
        json,
        text,
        error: lock_error,
        exit: Some(exit),
    }
}

/// The batch object of `--json`: one download object per entry, plus its entry, line, status
/// and time.
fn batch_json(report: &BatchReport, dry_run: bool, lock_path: &Path) -> serde_json::Value {
    let results: Vec<serde_json::Value> = report
        .outcomes
        .iter()
        .map(|o| {
            let label = o.entry.label();
            let id = label.split_once(':').map_or(label.as_str(), |x| x.1);
            let mut v = download_json(
                o.result.as_ref().ok(),
                o.entry.id.source(),
                id,
                o.result.as_ref().err(),
            );
            v["entry"] = json!(label);
            v["line"] = json!(o.entry.line);
            // A distinguishable state for entries --fail-fast never started.
            v["status"] = json!(match &o.result {
                Ok(_) => "ok",
                Err(_) if o.not_run => "not_run",
                Err(_) => "failed",
            });
            if o.not_run {
                v["error"]["kind"] = json!("not_run");
                v["error"]["message"] = json!(NOT_RUN);
                v["message"] = json!(NOT_RUN);
            }
            v["seconds"] = json!((o.elapsed.as_secs_f64() * 1000.0).round() / 1000.0);
            v
        })
        .collect();
    json!({
        "results": results,
        "succeeded": report.succeeded(),
        "failed": report.failed(),
        "not_run": report.not_run(),
        "dry_run": dry_run,
        "lockfile": lock_path,
    })
}

fn pin(o: &batch::EntryOutcome) -> String {
    match &o.result {
        Ok(r) => match (&r.commit, r.version) {
            (Some(c), _) => c.chars().take(12).collect(),
            (None, Some(v)) => format!("v{v}"),
            _ => "-".into(),
        },
        Err(_) => "-".into(),
    }
}

/// The end-of-run table: entry, version/commit, files, bytes, time, status.
fn summary_table(report: &BatchReport) -> String {
    let rows: Vec<Vec<String>> = report
        .outcomes
        .iter()
        .map(|o| {
            let (files, bytes, status) = match &o.result {
                Ok(r) => (
                    r.files.len().to_string(),
                    human_bytes(r.bytes_downloaded),
                    if r.downloaded == 0 {
                        "up to date".to_string()
                    } else {
                        "ok".to_string()
                    },
                ),
                Err(_) if o.not_run => ("-".into(), "-".into(), "not run".to_string()),
                Err(e) => (
                    "-".into(),
                    "-".into(),
                    format!("failed ({})", e.kind().as_str()),
                ),
            };
            vec![
                for_terminal(&o.entry.label()),
                pin(o),
                files,
                bytes,
                format!("{:.1}s", o.elapsed.as_secs_f64()),
                status,
            ]
        })
        .collect();
    let mut out = render(
        &["ENTRY", "VERSION", "FILES", "DOWNLOADED", "TIME", "STATUS"],
        &rows,
    );
    out.push_str(&format!(
        "\n{} succeeded, {} failed",
        report.succeeded(),
        report.failed()
    ));
    if report.not_run() > 0 {
        out.push_str(&format!(", {} not run", report.not_run()));
    }
    out
}

/// A dry run: on a terminal the plan per entry, then every file; piped, every file as a
/// tab-separated line (entry, path, size, action) and the plan on stderr.
fn dry_run_text(ctx: &Ctx, report: &BatchReport) -> String {
    use std::io::IsTerminal;
    let files: Vec<(Option<String>, &dsfetch::ReportFile)> = report
        .outcomes
        .iter()
        .filter_map(|o| Some((o.entry.label(), o.result.as_ref().ok()?)))
        .flat_map(|(label, r)| r.files.iter().map(move |f| (Some(label.clone()), f)))
        .collect();
    let plan = plan_table(report);
    if !std::io::stdout().is_terminal() {
        ctx.ui.info(&plan);
        return crate::ui::table::dry_run_files(&files, false);
    }
    format!(
        "{plan}\n\n{}",
        crate::ui::table::dry_run_files(&files, true)
    )
}

/// The dry-run plan: what would be downloaded and what is already present.
fn plan_table(report: &BatchReport) -> String {
    let mut total = 0u64;
    let rows: Vec<Vec<String>> = report
        .outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(r) => {
                let todo: Vec<_> = r.files.iter().filter(|f| !f.skipped).collect();
                let bytes: u64 = todo.iter().map(|f| f.size).sum();
                total += bytes;
                vec![
                    for_terminal(&o.entry.label()),
                    pin(o),
                    todo.len().to_string(),
                    r.skipped.to_string(),
                    human_bytes(bytes),
                    for_terminal(&r.file_path.display().to_string()),
                ]
            }
            Err(e) => vec![
                for_terminal(&o.entry.label()),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                if o.not_run {
                    "not run".to_string()
                } else {
                    format!("error: {}", e.kind().as_str())
                },
            ],
        })
        .collect();
    let mut out = render(
        &["ENTRY", "VERSION", "TO FETCH", "PRESENT", "BYTES", "FOLDER"],
        &rows,
    );
    out.push_str(&format!(
        "\nDry run: would download {} in all; nothing was written",
        human_bytes(total)
    ));
    out
}
