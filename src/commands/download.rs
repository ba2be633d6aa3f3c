//! `dsfetch download`: either command form (`download hf|kaggle ID`, or a prefixed id or URL)
//! becomes one [`Target`] and one [`DownloadOptions`], then the library's pipeline.

use dsfetch::id::{self, DatasetId};
use dsfetch::pattern::Selection;
use dsfetch::settings::LayoutKind;
use dsfetch::units::human_bytes;
use dsfetch::{DownloadOptions, DownloadReport, Error, Hub, Layout, Result, Target};
use serde_json::json;

use super::{Ctx, Outcome};
use crate::cli::{CommonDownloadArgs, DownloadArgs, DownloadHub, HfOptions, KaggleOptions};

/// `dsfetch download`.
pub(super) async fn download(ctx: &Ctx, d: &DownloadArgs) -> Outcome {
    let none = (HfOptions::default(), KaggleOptions::default());
    let (raw, hf, kaggle, common, forced_hub) = match &d.hub {
        Some(DownloadHub::Hf(a)) => (
            a.id.as_str(),
            &a.hf,
            &none.1,
            &a.common,
            Some(Hub::HuggingFace),
        ),
        Some(DownloadHub::Kaggle(a)) => (
            a.id.as_deref().unwrap_or(""),
            &none.0,
            &a.kaggle,
            &a.common,
            Some(Hub::Kaggle),
        ),
        None => (
            d.id.as_deref().unwrap_or(""),
            &d.hf,
            &d.kaggle,
            &d.common,
            None,
        ),
    };
    let started = std::time::Instant::now();
    let parsed = parse_target(raw, forced_hub, hf, kaggle);
    let (hub, label) = match &parsed {
        Ok(id) => (id.source(), id.reference()),
        Err(_) => (forced_hub.unwrap_or(Hub::HuggingFace), raw.to_string()),
    };
    let named = parsed.as_ref().ok().map(|id| id.to_string());
    let result = match parsed {
        Ok(id) => run(ctx, id, hf, kaggle, common).await,
        Err(e) => Err(e),
    };
    // Every download that named a dataset is recorded, whatever its outcome (not dry runs).
    if let (Some(named), false) = (named, common.dry_run) {
        let line = super::history::entry("download", &named, result.as_ref(), started);
        super::history::record(ctx, &[line]);
    }
    if let Ok(r) = &result
        && !r.dry_run
    {
        super::remove::auto_prune(ctx, vec![r.file_path.clone()]).await;
    }
    finish_download(ctx, result, hub, &label)
}

/// What the command names: the id read for the hub the command form names (and the kind
/// `--type` or `--competition` names), refused when it takes options of another hub.
fn parse_target(
    raw: &str,
    forced_hub: Option<Hub>,
    hf: &HfOptions,
    kaggle: &KaggleOptions,
) -> Result<DatasetId> {
    if let Some(name) = &kaggle.competition {
        let id = id::parse_kaggle_ref(&format!("competitions/{name}"))?;
        return misplaced(&id, hf, kaggle, name).map(|()| id);
    }
    let id = match forced_hub {
        Some(Hub::HuggingFace) => match hf.repo_type {
            Some(kind) => id::parse_hf_as(raw, kind.into()).map(DatasetId::Hf)?,
            None => id::parse_hf(raw).map(DatasetId::Hf)?,
        },
        Some(Hub::Kaggle) => id::parse_kaggle_ref(raw)?,
        None => match (id::parse_any(raw)?, hf.repo_type) {
            (DatasetId::Hf(_), Some(kind)) => DatasetId::Hf(id::parse_hf_as(raw, kind.into())?),
            (id, _) => id,
        },
    };
    misplaced(&id, hf, kaggle, raw).map(|()| id)
}

/// Hub-specific options given for the other hub's dataset.
fn misplaced(id: &DatasetId, hf: &HfOptions, kaggle: &KaggleOptions, raw: &str) -> Result<()> {
    let m = match id {
        DatasetId::Hf(_) if !kaggle.files.is_empty() || kaggle.no_unzip => {
            "--file and --no-unzip apply to Kaggle downloads"
        }
        DatasetId::Hf(_) if kaggle.competition.is_some() => "--competition applies to Kaggle",
        DatasetId::Kaggle(_) | DatasetId::Competition(_) | DatasetId::KaggleModel(_)
            if hf.revision.is_some() || hf.token.is_some() || hf.repo_type.is_some() =>
        {
            "--revision, --token and --type apply to Hugging Face downloads"
        }
        _ => return Ok(()),
    };
    Err(Error::usage(format!(
        "{m}, not to {}",
        dsfetch::sanitize::for_terminal(raw)
    )))
}

async fn run(
    ctx: &Ctx,
    id: DatasetId,
    hf: &HfOptions,
    kaggle: &KaggleOptions,
    common: &CommonDownloadArgs,
) -> Result<DownloadReport> {
    let hub = id.source();
    if !kaggle.files.is_empty() && (!common.include.is_empty() || !common.exclude.is_empty()) {
        return Err(Error::usage(
            "--file cannot be combined with --include/--exclude; use one or the other",
        ));
    }
    let opts = download_options(ctx, common, hub)?;
    let keep_zipped = kaggle.no_unzip
        || (hub == Hub::Kaggle
            && !ctx.settings.hub(Hub::Kaggle).unzip.value
            && opts.layout == Layout::Folder);
    let target = Target {
        id,
        revision: hf.revision.clone(),
        files: kaggle.files.clone(),
        keep_zipped,
    };
    let hubs = ctx.hubs().with_hf_token("--token", hf.token.as_deref());
    dsfetch::download(&hubs, &target, &opts).await
}

fn download_options(ctx: &Ctx, common: &CommonDownloadArgs, hub: Hub) -> Result<DownloadOptions> {
    // Per-hub config defaults apply where no flag or environment variable decided.
    let defaults = ctx.settings.hub(hub);
    let kind = match common.layout {
        Some(l) => l.into(),
        None if common.output.is_some() => LayoutKind::Folder,
        None => defaults.layout.value,
    };
    Ok(DownloadOptions {
        output: common.output.clone(),
        root: ctx.settings.download_dir.value.clone(),
        force: common.force,
        jobs: defaults.jobs.value,
        selection: Selection::new(&common.include, &common.exclude),
        dry_run: common.dry_run,
        connections: None,
        parallel: ctx.settings.parallel(),
        locked: None,
        layout: Layout::resolve(kind, &ctx.env)?,
        xet: ctx.settings.xet_options(&ctx.env, common.no_xet),
    })
}

/// The `--json` download object of DESIGN.md section 6.
pub(super) fn download_json(
    report: Option<&DownloadReport>,
    source: Hub,
    dataset_id: &str,
    error: Option<&Error>,
) -> serde_json::Value {
    match (report, error) {
        (Some(r), None) => {
            let mut v = serde_json::to_value(r).unwrap_or_else(|_| json!({}));
            v["success"] = json!(true);
            v["message"] = json!(summary(r));
            v
        }
        (_, Some(e)) => json!({
            "success": false,
            "dataset_id": dataset_id,
            "source": source,
            "message": crate::ui::hints::message(e),
            "error": {"kind": e.kind().as_str(), "message": crate::ui::hints::message(e), "exit_code": e.kind().exit_code()},
        }),
        (None, None) => json!({"success": false, "dataset_id": dataset_id, "source": source}),
    }
}

/// One line describing a finished download.
fn summary(r: &DownloadReport) -> String {
    let at = match (&r.commit, r.version) {
        (Some(c), _) => format!(" at commit {}", &c[..c.len().min(12)]),
        (None, Some(v)) => format!(" at version {v}"),
        _ => String::new(),
    };
    let folder = r.file_path.display();
    if r.dry_run {
        let todo: u64 = r.files.iter().filter(|f| !f.skipped).map(|f| f.size).sum();
        return format!(
            "Dry run: would download {} file(s) ({}) into {folder}{at}; {} already present",
            r.files.len() - r.skipped,
            human_bytes(todo),
            r.skipped
        );
    }
    if r.downloaded == 0 {
        format!(
            "Already up to date: {} file(s) ({}) in {folder}{at}; nothing downloaded",
            r.files.len(),
            human_bytes(r.total_bytes)
        )
    } else {
        format!(
            "Downloaded {} file(s) ({} transferred) into {folder}{at}; {} already present",
            r.downloaded,
            human_bytes(r.bytes_downloaded),
            r.skipped
        )
    }
}

fn finish_download(
    ctx: &Ctx,
    result: Result<DownloadReport>,
    source: Hub,
    dataset_id: &str,
) -> Outcome {
    ctx.ui.finish();
    match result {
        Ok(r) => {
            if !ctx.json {
                ctx.ui.info(&summary(&r));
            }
            // A dry run lists its files (as `hf download --dry-run` does); a download prints
            // its folder.
            let text = match r.dry_run {
                true => {
                    use std::io::IsTerminal;
                    let files: Vec<_> = r.files.iter().map(|f| (None, f)).collect();
                    let terminal = std::io::stdout().is_terminal();
                    crate::ui::table::dry_run_files(&files, terminal)
                }
                false => r.file_path.display().to_string(),
            };
            Outcome {
                json: ctx
                    .json
                    .then(|| download_json(Some(&r), source, dataset_id, None)),
                text: Some(text),
                error: None,
                exit: None,
            }
        }
        Err(e) => Outcome {
            json: ctx
                .json
                .then(|| download_json(None, source, dataset_id, Some(&e))),
            text: None,
            error: Some(e),
            exit: None,
        },
    }
}
