//! `dsfetch verify`: re-hash what is on disk against the records (or a lockfile); `--repair`
//! fetches the bad files again.

use dsfetch::local::{self, Filter, Findings, Item};
use dsfetch::lockfile::{LockEntry, Lockfile};
use dsfetch::sanitize::for_terminal;
use dsfetch::units::human_bytes;
use dsfetch::{Error, ErrorKind, Result};
use serde_json::json;

use super::list::{blocking, roots};
use super::{Ctx, Outcome};
use crate::cli::VerifyArgs;

/// One dataset checked (and maybe repaired).
struct Checked {
    found: Findings,
    /// Files fetched again, and the bytes it took.
    repaired: Vec<String>,
    fetched: u64,
    repair_error: Option<Error>,
}

impl Checked {
    /// Nothing wrong is left: every file matches (after a repair, extra files are tolerated).
    fn ok(&self, repair: bool) -> bool {
        self.repair_error.is_none()
            && match repair {
                true => self.found.bad().is_empty(),
                false => self.found.ok(),
            }
    }
}

/// The datasets to check: every item `a` selects, or the lockfile's entries it selects.
async fn targets(ctx: &Ctx, a: &VerifyArgs) -> Result<Vec<(Item, Option<LockEntry>)>> {
    let lock = match &a.lock {
        Some(p) => Some(Lockfile::read(p)?.ok_or_else(|| {
            Error::usage(format!(
                "lockfile {} does not exist; give the lockfile `dsfetch batch` wrote",
                p.display()
            ))
        })?),
        None => None,
    };
    let roots = roots(ctx);
    let filter = Filter::new(a.source.map(Into::into), &a.targets);
    // Against a lockfile, its entries are found by folder among everything on disk.
    let scan_filter = match lock {
        Some(_) => Filter::default(),
        None => filter.clone(),
    };
    let all = blocking(move || local::scan(&roots, &scan_filter)).await?;
    let picked: Vec<(Item, Option<LockEntry>)> = match lock {
        Some(l) => l
            .datasets
            .iter()
            .map(|e| (local::locked_item(&all, e), Some(e.clone())))
            .filter(|(i, _)| filter.matches(i))
            .collect(),
        None => all
            .into_iter()
            .filter(|i| filter.matches(i))
            .map(|i| (i, None))
            .collect(),
    };
    if picked.is_empty() && !filter.is_all() {
        return Err(Error::NotOnDisk {
            message: format!(
                "nothing on disk matches {}; see what is there with `dsfetch list`",
                for_terminal(&a.targets.join(" "))
            ),
        });
    }
    Ok(picked)
}

/// Checks one dataset, and repairs it when asked and needed.
async fn check(ctx: &Ctx, item: Item, lock: Option<LockEntry>, repair: bool) -> Checked {
    let (i, l) = (item.clone(), lock.clone());
    let check = move || -> Result<Findings> {
        Ok(match &l {
            Some(l) => local::verify_against(&i, l),
            None => local::verify(&i),
        })
    };
    let found = match blocking(check.clone()).await {
        Ok(f) => f,
        Err(e) => {
            return Checked {
                found: local::verify(&item),
                repaired: Vec::new(),
                fetched: 0,
                repair_error: Some(e),
            };
        }
    };
    let bad = found.bad();
    if !repair || bad.is_empty() {
        return Checked {
            found,
            repaired: Vec::new(),
            fetched: 0,
            repair_error: None,
        };
    }
    let hubs = ctx.hubs();
    let jobs = ctx.settings.jobs.value;
    match local::repair(&hubs, &item, &found, lock.as_ref(), jobs).await {
        Ok(report) => {
            let after = blocking(check).await.unwrap_or(found);
            let repaired = bad
                .into_iter()
                .filter(|b| !after.bad().contains(b))
                .collect();
            Checked {
                found: after,
                repaired,
                fetched: report.bytes_downloaded,
                repair_error: None,
            }
        }
        Err(e) => Checked {
            found,
            repaired: Vec::new(),
            fetched: 0,
            repair_error: Some(e),
        },
    }
}

/// `dsfetch verify`.
pub(super) async fn verify(ctx: &Ctx, a: &VerifyArgs) -> Outcome {
    let picked = match targets(ctx, a).await {
        Ok(p) => p,
        Err(e) => return Outcome::failed(e),
    };
    let mut results = Vec::new();
    for (item, lock) in picked {
        results.push(check(ctx, item, lock, a.repair).await);
    }
    ctx.ui.finish();
    let failed = results.iter().filter(|c| !c.ok(a.repair)).count();
    let exit = match results.iter().find_map(|c| c.repair_error.as_ref()) {
        Some(e) => e.kind().exit_code(),
        None if failed > 0 => ErrorKind::Integrity.exit_code(),
        None => 0,
    };
    for c in &results {
        if let Some(e) = &c.repair_error {
            ctx.ui.error(&format!(
                "{}: could not repair: {}",
                for_terminal(&c.found.reference),
                crate::ui::hints::message(e)
            ));
        }
    }
    let json = ctx.json.then(|| {
        let list: Vec<serde_json::Value> = results
            .iter()
            .map(|c| {
                let mut v = serde_json::to_value(&c.found).unwrap_or_else(|_| json!({}));
                v["ok"] = json!(c.ok(a.repair));
                if a.repair {
                    v["repaired"] = json!(c.repaired);
                    v["bytes_downloaded"] = json!(c.fetched);
                }
                if let Some(e) = &c.repair_error {
                    v["error"] = json!({"kind": e.kind().as_str(), "message": crate::ui::hints::message(e), "exit_code": e.kind().exit_code()});
                }
                v
            })
            .collect();
        json!({"results": list, "ok": results.len() - failed, "failed": failed})
    });
    let text = (!ctx.json).then(|| render(&results, a.repair, failed));
    Outcome {
        json,
        text,
        error: None,
        exit: Some(exit),
    }
}

fn render(results: &[Checked], repair: bool, failed: usize) -> String {
    let mut out = String::new();
    for c in results {
        let f = &c.found;
        let name = for_terminal(&f.reference);
        let status = match (&f.unverifiable, f.ok()) {
            (Some(why), _) => format!("skipped ({why})"),
            (None, true) => format!("ok ({} file(s) checked)", f.checked),
            (None, false) => format!(
                "{} missing, {} modified, {} extra",
                f.missing.len(),
                f.modified.len(),
                f.extra.len()
            ),
        };
        out.push_str(&format!("{name}: {status}\n"));
        for (what, list) in [
            ("missing", &f.missing),
            ("modified", &f.modified),
            ("extra", &f.extra),
        ] {
            for p in list {
                out.push_str(&format!("  {what:<9} {}\n", for_terminal(p)));
            }
        }
        if !c.repaired.is_empty() {
            out.push_str(&format!(
                "  repaired  {} file(s), {} fetched\n",
                c.repaired.len(),
                human_bytes(c.fetched)
            ));
        }
    }
    let what = match repair {
        true => "with files still bad",
        false => "with problems",
    };
    out.push_str(&format!(
        "{} dataset(s) verified: {} ok, {failed} {what}",
        results.len(),
        results.len() - failed
    ));
    out
}
