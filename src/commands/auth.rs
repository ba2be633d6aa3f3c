//! `dsfetch auth`: which credential each hub would use and where it came from (redacted), and
//! with `--check`, whether the hub accepts it.

use dsfetch::credentials::Resolved;
use dsfetch::sanitize::for_terminal;
use dsfetch::{Error, Hub, Hubs};
use serde_json::json;

use super::{Ctx, Outcome};
use crate::cli::AuthArgs;

fn describe(r: &Resolved) -> serde_json::Value {
    json!({
        "configured": r.credential.is_some(),
        "credential": r.credential.as_ref().map(|c| c.describe()),
        "from": r.origin,
        "also_found": r.shadowed,
        "looked_at": r.looked,
        "warnings": r.warnings,
    })
}

/// `dsfetch auth`.
pub(super) async fn auth(ctx: &Ctx, a: &AuthArgs) -> Outcome {
    let hubs = ctx.hubs().with_hf_token("--token", None);
    let mut doc = serde_json::Map::new();
    let mut lines: Vec<String> = Vec::new();
    let mut worst: Option<Error> = None;
    for hub in [Hub::HuggingFace, Hub::Kaggle] {
        let key = match hub {
            Hub::HuggingFace => "huggingface",
            Hub::Kaggle => "kaggle",
        };
        let r = match hubs.credentials(hub) {
            Ok(r) => r,
            Err(e) => {
                lines.push(format!("{hub}: error: {e}"));
                doc.insert(
                    key.into(),
                    json!({"configured": false, "error": e.to_string()}),
                );
                worst.get_or_insert(e);
                continue;
            }
        };
        let mut v = describe(r);
        lines.extend(credential_lines(hub, r));
        if a.check && r.credential.is_some() {
            check(&hubs, hub, &mut lines, &mut v, &mut worst).await;
        }
        doc.insert(key.into(), v);
    }
    let text = lines
        .iter()
        .map(|l| for_terminal(l))
        .collect::<Vec<_>>()
        .join("\n");
    doc.insert("success".into(), json!(worst.is_none()));
    if let Some(e) = &worst {
        doc.insert("error".into(), super::error_json(e)["error"].take());
    }
    Outcome {
        json: ctx.json.then_some(serde_json::Value::Object(doc)),
        text: Some(text),
        error: worst,
        exit: None,
    }
}

/// What was found for `hub`, and where.
fn credential_lines(hub: Hub, r: &Resolved) -> Vec<String> {
    let mut lines = Vec::new();
    match (&r.credential, &r.origin) {
        (Some(c), Some(o)) => lines.push(format!("{hub}: {} (from {o})", c.describe())),
        _ => {
            lines.push(format!(
                "{hub}: anonymous: no credential found (looked at {})",
                r.looked_list()
            ));
            lines.push(format!("  to set one: {}", r.how_to_set()));
        }
    }
    for s in &r.shadowed {
        lines.push(format!("  also found, not used: {s}"));
    }
    for w in &r.warnings {
        lines.push(format!("  warning: {w}"));
    }
    lines
}

/// One cheap authenticated call; a rejected credential is the command's error.
async fn check(
    hubs: &Hubs<'_>,
    hub: Hub,
    lines: &mut Vec<String>,
    v: &mut serde_json::Value,
    worst: &mut Option<Error>,
) {
    match hubs.check(hub).await {
        Ok(user) => {
            lines.push(format!("  check: valid (account {user})"));
            v["check"] = json!({"valid": true, "account": user});
        }
        Err(e) => {
            let rejected = e.kind() == dsfetch::ErrorKind::Auth;
            lines.push(format!(
                "  check: {}: {e}",
                if rejected { "rejected" } else { "failed" }
            ));
            v["check"] = json!({"valid": false, "error": e.to_string()});
            if rejected || worst.is_none() {
                *worst = Some(e);
            }
        }
    }
}
