//! `dsfetch rm` and `dsfetch prune`: plan, confirm (on a terminal, unless `--yes`; refused
//! without a terminal unless `--yes`), delete, report. Also the automatic prune to `max_size`
//! after a download.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use dsfetch::local::{self, Deleted, PruneOptions, Removal};
use dsfetch::progress::{Event, Reporter};
use dsfetch::sanitize::for_terminal;
use dsfetch::units::{human_bytes, parse_size};
use dsfetch::{Error, Result};
use serde_json::json;

use super::list::{blocking, roots};
use super::{Ctx, Outcome};
use crate::cli::{DeleteArgs, PruneArgs, RmArgs};
use crate::ui::table::render;

/// `dsfetch rm`.
pub(super) async fn rm(ctx: &Ctx, a: &RmArgs) -> Outcome {
    let roots = roots(ctx);
    let targets = a.targets.clone();
    let plan = blocking(move || local::plan_rm(&roots, &targets)).await;
    carry_out(ctx, plan, &a.delete, "rm").await
}

/// `dsfetch prune`.
pub(super) async fn prune(ctx: &Ctx, a: &PruneArgs) -> Outcome {
    let max_size = match &a.max_size {
        Some(s) => match parse_size(s) {
            Some(n) => Some(n),
            None => {
                return Outcome::failed(Error::usage(format!(
                    "--max-size {:?} is not a size; use e.g. 200GB, 500MiB or a number of bytes",
                    for_terminal(s)
                )));
            }
        },
        None => None,
    };
    let any = a.partials || a.old_versions || max_size.is_some();
    let opts = PruneOptions {
        partials: (a.partials || !any)
            .then(|| Duration::from_secs(u64::from(a.older_than) * 86_400)),
        old_versions: a.old_versions || !any,
        max_size,
        source: a.source.map(Into::into),
        keep: Vec::new(),
        now: SystemTime::now(),
    };
    let roots = roots(ctx);
    let plan = blocking(move || local::plan_prune(&roots, &opts)).await;
    carry_out(ctx, plan, &a.delete, "prune").await
}

/// Shows the plan, asks when it must, deletes, and reports.
async fn carry_out(
    ctx: &Ctx,
    plan: Result<Vec<Removal>>,
    d: &DeleteArgs,
    command: &str,
) -> Outcome {
    let plan = match plan {
        Ok(p) => p,
        Err(e) => return Outcome::failed(e),
    };
    let bytes: u64 = plan.iter().map(|r| r.bytes).sum();
    if plan.is_empty() {
        ctx.ui.info("Nothing to delete.");
    } else if d.dry_run {
        return report(ctx, &plan_rows(&plan), plan, None, bytes);
    } else if !d.yes {
        match confirm(&plan, bytes, command) {
            Ok(true) => {}
            Ok(false) => {
                ctx.ui.info("Nothing was deleted.");
                return Outcome {
                    json: ctx
                        .json
                        .then(|| json!({"removed": [], "freed_bytes": 0, "dry_run": false})),
                    text: None,
                    error: None,
                    exit: None,
                };
            }
            Err(e) => return Outcome::failed(e),
        }
    }
    let roots = roots(ctx);
    let done = match blocking(move || Ok(local::delete(&roots, plan))).await {
        Ok(d) => d,
        Err(e) => return Outcome::failed(e),
    };
    for d in done.iter().filter(|d| d.note.is_some()) {
        let note = d.note.as_deref().unwrap_or("");
        ctx.ui.on_event(&Event::Warn(&format!(
            "{}: {}",
            for_terminal(&d.removal.path.display().to_string()),
            note
        )));
    }
    let freed: u64 = done
        .iter()
        .filter(|d| d.deleted)
        .map(|d| d.removal.bytes)
        .sum();
    let rows = done_rows(&done);
    let removals = done.iter().map(|d| d.removal.clone()).collect();
    report(ctx, &rows, removals, Some(&done), freed)
}

/// Asks on a terminal whether to delete; without a terminal, refuses (exit 2).
fn confirm(plan: &[Removal], bytes: u64, command: &str) -> Result<bool> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::usage(format!(
            "{command} would delete {} item(s) ({}), but asks first and this is not a terminal; nothing was deleted: add --yes to delete, or --dry-run to see what would go",
            plan.len(),
            human_bytes(bytes)
        )));
    }
    let table = render(&["REASON", "DATASET", "SIZE", "PATH"], &plan_rows(plan));
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{table}");
    let _ = write!(
        err,
        "Delete {} item(s), freeing {}? [y/N] ",
        plan.len(),
        human_bytes(bytes)
    );
    let _ = err.flush();
    drop(err);
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn plan_rows(plan: &[Removal]) -> Vec<Vec<String>> {
    plan.iter()
        .map(|r| {
            vec![
                r.reason.to_string(),
                for_terminal(&r.reference),
                human_bytes(r.bytes),
                for_terminal(&r.path.display().to_string()),
            ]
        })
        .collect()
}

fn done_rows(done: &[Deleted]) -> Vec<Vec<String>> {
    done.iter()
        .map(|d| {
            let mut row = plan_rows(std::slice::from_ref(&d.removal)).remove(0);
            row.insert(0, if d.deleted { "deleted" } else { "skipped" }.into());
            row
        })
        .collect()
}

/// The result: a table and a total, or the JSON document.
fn report(
    ctx: &Ctx,
    rows: &[Vec<String>],
    plan: Vec<Removal>,
    done: Option<&[Deleted]>,
    bytes: u64,
) -> Outcome {
    let dry_run = done.is_none();
    if ctx.json {
        let items = match done {
            Some(d) => serde_json::to_value(d),
            None => serde_json::to_value(&plan),
        }
        .unwrap_or_else(|_| json!([]));
        return Outcome {
            json: Some(json!({"removed": items, "freed_bytes": bytes, "dry_run": dry_run})),
            text: None,
            error: None,
            exit: None,
        };
    }
    if rows.is_empty() {
        return Outcome {
            json: None,
            text: None,
            error: None,
            exit: None,
        };
    }
    let header: &[&str] = match dry_run {
        true => &["REASON", "DATASET", "SIZE", "PATH"],
        false => &["STATUS", "REASON", "DATASET", "SIZE", "PATH"],
    };
    let mut text = render(header, rows);
    text.push_str(&match dry_run {
        true => format!(
            "\nDry run: would free {} ({} item(s)); nothing was deleted",
            human_bytes(bytes),
            plan.len()
        ),
        false => format!("\nFreed {}", human_bytes(bytes)),
    });
    let kept: usize = plan.iter().map(|r| r.kept.len()).sum();
    if kept > 0 {
        text.push_str(&format!(
            "\n{kept} file(s) dsfetch did not write were left in place"
        ));
    }
    Outcome {
        json: None,
        text: Some(text),
        error: None,
        exit: None,
    }
}

/// After successful downloads into `fetched`: with `max_size` set, prunes the least recently
/// used datasets until everything fits, never the ones just fetched (nor one another dsfetch
/// holds). Problems are warnings: the download itself succeeded.
pub(super) async fn auto_prune(ctx: &Ctx, fetched: Vec<PathBuf>) {
    let Some(budget) = ctx.settings.max_size.value else {
        return;
    };
    let opts = PruneOptions {
        partials: None,
        old_versions: false,
        max_size: Some(budget),
        source: None,
        keep: fetched,
        now: SystemTime::now(),
    };
    let roots = roots(ctx);
    let result = blocking(move || {
        let plan = local::plan_prune(&roots, &opts)?;
        Ok(local::delete(&roots, plan))
    })
    .await;
    match result {
        Ok(done) => {
            let gone: Vec<&Deleted> = done.iter().filter(|d| d.deleted).collect();
            if !gone.is_empty() {
                let freed: u64 = gone.iter().map(|d| d.removal.bytes).sum();
                let names: Vec<String> = gone
                    .iter()
                    .map(|d| for_terminal(&d.removal.reference))
                    .collect();
                ctx.ui.info(&format!(
                    "Pruned {} least recently used dataset(s) ({}) to stay within max_size {}: {}",
                    gone.len(),
                    human_bytes(freed),
                    human_bytes(budget),
                    names.join(", ")
                ));
            }
        }
        Err(e) => ctx.ui.on_event(&Event::Warn(&format!(
            "the automatic prune to max_size failed: {}",
            crate::ui::hints::message(&e)
        ))),
    }
}
