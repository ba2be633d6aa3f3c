//! `dsfetch history`, and the lines downloads and batch entries add to it.

use std::time::{Instant, SystemTime};

use dsfetch::history::{self, Entry};
use dsfetch::progress::{Event, Reporter};
use dsfetch::sanitize::for_terminal;
use dsfetch::units::human_bytes;
use dsfetch::{DownloadReport, Error};
use serde_json::json;

use super::{Ctx, Outcome};
use crate::cli::HistoryArgs;
use crate::ui::table::render;

/// Appends the lines of finished downloads to the history (unless it is turned off). A history
/// that cannot be written is a warning: the download itself succeeded or failed on its own.
pub(super) fn record(ctx: &Ctx, entries: &[Entry]) {
    if !ctx.settings.history.value || entries.is_empty() {
        return;
    }
    let Some(path) = history::path(&ctx.env) else {
        return;
    };
    if let Err(e) = history::append(&path, entries) {
        ctx.ui.on_event(&Event::Warn(&format!(
            "could not add to the download history: {}",
            crate::ui::hints::message(&e)
        )));
    }
}

/// The history line of one download that started at `started`.
pub(super) fn entry(
    command: &str,
    id: &str,
    result: Result<&DownloadReport, &Error>,
    started: Instant,
) -> Entry {
    entry_after(command, id, result, started.elapsed())
}

/// The history line of one download that took `elapsed`.
pub(super) fn entry_after(
    command: &str,
    id: &str,
    result: Result<&DownloadReport, &Error>,
    elapsed: std::time::Duration,
) -> Entry {
    Entry::of(
        command,
        id,
        result,
        elapsed.as_secs_f64(),
        SystemTime::now(),
        crate::ui::hints::message,
    )
}

/// `dsfetch history`: the last downloads, oldest first.
pub(super) fn history(ctx: &Ctx, a: &HistoryArgs) -> Outcome {
    let Some(path) = history::path(&ctx.env) else {
        return Outcome::failed(Error::usage(
            "cannot find the data folder for the history: set HOME or XDG_DATA_HOME",
        ));
    };
    if !ctx.settings.history.value {
        ctx.ui.info(&format!(
            "the history is turned off ({}); showing what was recorded before",
            ctx.settings.history.origin
        ));
    }
    let entries = match history::read(&path, Some(a.limit as usize)) {
        Ok(e) => e,
        Err(e) => return Outcome::failed(e),
    };
    if ctx.json {
        return Outcome {
            json: Some(serde_json::to_value(&entries).unwrap_or_else(|_| json!([]))),
            text: None,
            error: None,
            exit: None,
        };
    }
    if entries.is_empty() {
        ctx.ui
            .info(&format!("No downloads recorded in {}.", path.display()));
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.time.clone(),
                for_terminal(&e.command),
                for_terminal(&e.id),
                match (e.version, &e.commit) {
                    (Some(v), _) => format!("v{v}"),
                    (None, Some(c)) => c.chars().take(12).collect(),
                    _ => "-".into(),
                },
                e.files.to_string(),
                human_bytes(e.bytes),
                format!("{:.1}s", e.seconds),
                match e.exit_code {
                    0 => e.outcome.clone(),
                    code => format!("{} ({code})", e.outcome),
                },
            ]
        })
        .collect();
    let text = (!rows.is_empty()).then(|| {
        render(
            &[
                "TIME", "COMMAND", "ID", "VERSION", "FILES", "BYTES", "DURATION", "OUTCOME",
            ],
            &rows,
        )
    });
    Outcome {
        json: None,
        text,
        error: None,
        exit: None,
    }
}
