//! `dsfetch list`: what is on disk, as a table or JSON.

use dsfetch::local::{self, Filter, Item, Roots, State};
use dsfetch::sanitize::for_terminal;
use dsfetch::units::human_bytes;
use dsfetch::{Error, Result};
use serde_json::json;

use super::{Ctx, Outcome};
use crate::cli::ListArgs;
use crate::ui::table::render;

/// The roots of this run: the download root and the two caches.
pub(super) fn roots(ctx: &Ctx) -> Roots {
    Roots::new(&ctx.settings.download_dir.value, &ctx.env)
}

/// Runs blocking file-system work off the async runtime.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::conflict(format!("a file-system task failed: {e}"), None))?
}

/// `dsfetch list`.
pub(super) async fn list(ctx: &Ctx, a: &ListArgs) -> Outcome {
    let roots = roots(ctx);
    let filter = Filter::new(a.source.map(Into::into), &a.targets);
    let items = match blocking(move || local::scan(&roots, &filter)).await {
        Ok(i) => i,
        Err(e) => return Outcome::failed(e),
    };
    if ctx.json {
        return Outcome {
            json: Some(serde_json::to_value(&items).unwrap_or_else(|_| json!([]))),
            text: None,
            error: None,
            exit: None,
        };
    }
    if items.is_empty() {
        ctx.ui
            .info("Nothing on disk (download root, huggingface_hub cache, kagglehub cache).");
        return Outcome {
            json: None,
            text: None,
            error: None,
            exit: None,
        };
    }
    Outcome {
        json: None,
        text: Some(table(&items)),
        error: None,
        exit: None,
    }
}

/// The version column: `v3`, or the commit's first 12 digits and the refs pointing at it.
pub(super) fn version(i: &Item) -> String {
    match (i.version, &i.commit) {
        (Some(v), _) => format!("v{v}"),
        (None, Some(c)) => {
            let short: String = c.chars().take(12).collect();
            match i.refs.is_empty() {
                true => short,
                false => format!("{short} ({})", for_terminal(&i.refs.join(", "))),
            }
        }
        _ => "-".into(),
    }
}

/// The state column: `complete`, `partial (12.0 MB pending)`, `modified (2 files)`.
fn state(i: &Item) -> String {
    match i.state {
        State::Complete => "complete".into(),
        State::Partial if i.pending_bytes > 0 => {
            format!("partial ({} pending)", human_bytes(i.pending_bytes))
        }
        State::Partial => "partial".into(),
        State::Modified => format!("modified ({} file(s))", i.modified.len()),
    }
}

fn table(items: &[Item]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            let prefix = i.reference.split(':').next().unwrap_or("");
            vec![
                format!("{prefix}:{}", for_terminal(&i.id)),
                i.kind.to_string(),
                version(i),
                i.files.to_string(),
                human_bytes(i.size),
                i.last_fetched
                    .as_deref()
                    .map(|t| t.replacen('T', " ", 1).trim_end_matches('Z').to_string())
                    .unwrap_or_else(|| "-".into()),
                state(i),
                for_terminal(&i.path.display().to_string()),
            ]
        })
        .collect();
    let total: u64 = items.iter().map(|i| i.size).sum();
    let mut out = render(
        &[
            "ID", "KIND", "VERSION", "FILES", "SIZE", "FETCHED", "STATE", "PATH",
        ],
        &rows,
    );
    out.push_str(&format!(
        "\n{} dataset(s), {} on disk",
        items.len(),
        human_bytes(total)
    ));
    out
}
