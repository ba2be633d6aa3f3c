//! `dsfetch config`: the effective settings and where each came from (flag, environment, config
//! file, default), the per-hub ones too.

use std::fmt::Display;
use std::time::Duration;

use dsfetch::Hub;
use dsfetch::settings::{Setting, Settings};
use serde_json::json;

use super::{Ctx, Outcome};

/// One row of `dsfetch config`: key, value, origin.
type Row = (&'static str, String, String);

/// `dsfetch config`: the effective settings and where each came from.
pub(super) fn config(ctx: &Ctx) -> Outcome {
    let s = &ctx.settings;
    let rows = setting_rows(s);
    let hubs = hub_rows(s);
    let text = render_text(&config_file(ctx), &rows, &hubs);
    let json = ctx.json.then(|| render_json(s, &rows, &hubs));
    Outcome {
        json,
        text: Some(text.trim_end().to_string()),
        error: None,
        exit: None,
    }
}

/// The row of a setting whose value is shown as it is.
fn row<T: Display>(key: &'static str, setting: &Setting<T>) -> Row {
    (key, setting.value.to_string(), setting.origin.to_string())
}

/// The row of a duration, in seconds (`1.5s`).
fn secs_row(key: &'static str, setting: &Setting<Duration>) -> Row {
    (
        key,
        format!("{}s", setting.value.as_secs_f64()),
        setting.origin.to_string(),
    )
}

/// The global settings, in the order they are shown.
fn setting_rows(s: &Settings) -> Vec<Row> {
    vec![
        (
            "download_dir",
            s.download_dir.value.display().to_string(),
            s.download_dir.origin.to_string(),
        ),
        row("jobs", &s.jobs),
        row("progress", &s.progress),
        row("connections", &s.connections),
        (
            "chunk_size",
            s.chunk_size
                .map_or_else(|| "auto".to_string(), |c| c.to_string()),
            if s.chunk_size.is_some() {
                "env DSFETCH_CHUNK_SIZE".to_string()
            } else {
                "default".to_string()
            },
        ),
        secs_row("timeout", &s.timeout),
        row("retries", &s.retries),
        secs_row("retry_base", &s.retry_base),
        secs_row("retry_max_wait", &s.retry_max_wait),
        row("history", &s.history),
        (
            "max_size",
            dsfetch::settings::describe_max_size(&s.max_size),
            s.max_size.origin.to_string(),
        ),
        row("xet", &s.xet),
        row("xet_cache_size", &s.xet_cache_size),
    ]
}

/// Each hub's settings (`layout`, `jobs`, and Kaggle's `unzip`), by the hub's key.
fn hub_rows(s: &Settings) -> Vec<(&'static str, Vec<Row>)> {
    let mut hubs = Vec::new();
    for (name, source) in [("hf", Hub::HuggingFace), ("kaggle", Hub::Kaggle)] {
        let h = s.hub(source);
        let mut keys = vec![row("layout", &h.layout), row("jobs", &h.jobs)];
        if source == Hub::Kaggle {
            keys.push(row("unzip", &h.unzip));
        }
        hubs.push((name, keys));
    }
    hubs
}

/// The config file read, or where one would be read from.
fn config_file(ctx: &Ctx) -> String {
    match &ctx.settings.config_path {
        Some(p) => p.display().to_string(),
        None => match dsfetch::settings::config_path(&ctx.env) {
            Some((p, _)) => format!("{} (not present)", p.display()),
            None => "(none)".into(),
        },
    }
}

/// Text: one row per setting, the hubs' as `hf.layout`, values aligned.
fn render_text(config_file: &str, rows: &[Row], hubs: &[(&str, Vec<Row>)]) -> String {
    let hub_rows: Vec<(String, &String, &String)> = hubs
        .iter()
        .flat_map(|(hub, keys)| {
            keys.iter()
                .map(move |(k, v, o)| (format!("{hub}.{k}"), v, o))
        })
        .collect();
    let width = rows
        .iter()
        .map(|r| r.0.len())
        .chain(hub_rows.iter().map(|r| r.0.len()))
        .max()
        .unwrap_or(0);
    let mut text = format!("config file: {config_file}\n");
    for (k, v, o) in rows {
        text.push_str(&format!("{k:width$}  {v}  ({o})\n"));
    }
    for (k, v, o) in &hub_rows {
        text.push_str(&format!("{k:width$}  {v}  ({o})\n"));
    }
    text
}

/// JSON: every setting as `{"value", "from"}`, the hubs' nested (`.hf.layout`).
fn render_json(s: &Settings, rows: &[Row], hubs: &[(&str, Vec<Row>)]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("config_file".into(), json!(s.config_path));
    for (k, v, o) in rows {
        m.insert((*k).into(), json!({"value": v, "from": o}));
    }
    for (hub, keys) in hubs {
        let table: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .map(|(k, v, o)| ((*k).to_string(), json!({"value": v, "from": o})))
            .collect();
        m.insert((*hub).into(), serde_json::Value::Object(table));
    }
    serde_json::Value::Object(m)
}
