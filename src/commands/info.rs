//! `dsfetch info ID`: what a dataset is, without downloading it, and what of it is on disk.

use dsfetch::about::About;
use dsfetch::local::{self, Filter, Item};
use dsfetch::sanitize::for_terminal;
use dsfetch::units::human_bytes;
use serde_json::json;

use super::list::{blocking, roots, version};
use super::{Ctx, Outcome};
use crate::cli::InfoArgs;
use crate::ui::table::render;

/// `dsfetch info`.
pub(super) async fn info(ctx: &Ctx, a: &InfoArgs) -> Outcome {
    let id = match dsfetch::id::parse_any(&a.id) {
        Ok(id) => id,
        Err(e) => return Outcome::failed(e),
    };
    let hubs = ctx.hubs().with_hf_token("--token", a.token.as_deref());
    let about = match dsfetch::about::about(&hubs, &id).await {
        Ok(x) => x,
        Err(e) => return Outcome::failed(e),
    };
    // On disk: every version or commit of it, wherever it is.
    let roots = roots(ctx);
    let filter = Filter::new(
        Some(about.source),
        &[format!("{}:{}", id.source().prefix(), about.id)],
    );
    let on_disk = blocking(move || local::scan(&roots, &filter))
        .await
        .unwrap_or_default();
    if ctx.json {
        let mut v = serde_json::to_value(&about).unwrap_or_else(|_| json!({}));
        v["on_disk"] = serde_json::to_value(&on_disk).unwrap_or_else(|_| json!([]));
        return Outcome {
            json: Some(v),
            text: None,
            error: None,
            exit: None,
        };
    }
    Outcome {
        json: None,
        text: Some(text(&about, &on_disk)),
        error: None,
        exit: None,
    }
}

/// `name (detail), ...` for versions and refs.
fn names(list: &[dsfetch::about::Version]) -> String {
    list.iter()
        .map(|v| match (&v.created, &v.commit) {
            (Some(d), _) => format!("{} ({})", v.name, d.chars().take(10).collect::<String>()),
            (None, Some(c)) => format!("{} ({})", v.name, c.chars().take(12).collect::<String>()),
            _ => v.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(a: &About, on_disk: &[Item]) -> String {
    let mut rows: Vec<(&str, String)> = vec![("kind", a.kind.to_string()), ("url", a.url.clone())];
    let mut opt = |k: &'static str, v: &Option<String>| {
        if let Some(v) = v {
            rows.push((k, v.clone()));
        }
    };
    opt("title", &a.title);
    opt("licence", &a.license);
    opt("updated", &a.updated);
    opt("deadline", &a.deadline);
    opt("gated", &a.gated);
    opt("revision", &a.revision);
    opt("commit", &a.commit);
    if let Some(p) = a.private {
        rows.push(("private", p.to_string()));
    }
    if let Some(v) = a.version {
        rows.push(("version", v.to_string()));
    }
    rows.push((
        "size",
        format!(
            "{} in {} file(s)",
            human_bytes(a.total_bytes),
            a.files.len()
        ),
    ));
    for (k, list) in [
        ("versions", &a.versions),
        ("branches", &a.branches),
        ("tags", &a.tags),
    ] {
        if !list.is_empty() {
            rows.push((k, names(list)));
        }
    }
    if on_disk.is_empty() {
        rows.push(("on disk", "nothing".into()));
    }
    for i in on_disk {
        rows.push((
            "on disk",
            format!(
                "{} ({}, {}, {} file(s), {})",
                i.path.display(),
                version(i),
                human_bytes(i.size),
                i.files,
                format!("{:?}", i.state).to_lowercase()
            ),
        ));
    }
    let mut out = format!("{}\n", for_terminal(&a.reference));
    for (k, v) in rows {
        out.push_str(&format!("  {k:<9} {}\n", for_terminal(&v)));
    }
    let files: Vec<Vec<String>> = a
        .files
        .iter()
        .map(|f| {
            vec![
                f.path.clone(),
                f.size.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&render(&["FILE", "BYTES"], &files));
    out
}
