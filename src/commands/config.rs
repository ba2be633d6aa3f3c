//! `dsfetch config`: the effective settings and where each came from (flag, environment, config
//! file, default), the per-hub ones too.

use dsfetch::Hub;
use serde_json::json;

use super::{Ctx, Outcome};

/// One row of `dsfetch config`: key, value, origin.
type Row = (&'static str, String, String);

/// `dsfetch config`: the effective settings and where each came from.
pub(super) fn config(ctx: &Ctx) -> Outcome {
    let s = &ctx.settings;
    let rows: Vec<Row> = vec![
        (
            "download_dir",
            s.download_dir.value.display().to_string(),
            s.download_dir.origin.to_string(),
        ),
        ("jobs", s.jobs.value.to_string(), s.jobs.origin.to_string()),
        (
            "progress",
            s.progress.value.to_string(),
            s.progress.origin.to_string(),
        ),
        (
            "connections",
            s.connections.value.to_string(),
            s.connections.origin.to_string(),
        ),
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
        (
            "timeout",
            format!("{}s", s.timeout.value.as_secs_f64()),
            s.timeout.origin.to_string(),
        ),
        (
            "retries",
            s.retries.value.to_string(),
            s.retries.origin.to_string(),
        ),
        (
            "retry_base",
            format!("{}s", s.retry_base.value.as_secs_f64()),
            s.retry_base.origin.to_string(),
        ),
        (
            "retry_max_wait",
            format!("{}s", s.retry_max_wait.value.as_secs_f64()),
            s.retry_max_wait.origin.to_string(),
        ),
    ];
    let mut hubs: Vec<(&str, Vec<Row>)> = Vec::new();
    for (name, source) in [("hf", Hub::HuggingFace), ("kaggle", Hub::Kaggle)] {
        let h = s.hub(source);
        let mut keys = vec![
            (
                "layout",
                h.layout.value.to_string(),
                h.layout.origin.to_string(),
            ),
            ("jobs", h.jobs.value.to_string(), h.jobs.origin.to_string()),
        ];
        if source == Hub::Kaggle {
            keys.push((
                "unzip",
                h.unzip.value.to_string(),
                h.unzip.origin.to_string(),
            ));
        }
        hubs.push((name, keys));
    }
    let config_file = match &s.config_path {
        Some(p) => p.display().to_string(),
        None => match dsfetch::settings::config_path(&ctx.env) {
            Some((p, _)) => format!("{} (not present)", p.display()),
            None => "(none)".into(),
        },
    };
    // Text: one row per setting, the hubs' as `hf.layout`; JSON: the hubs' nested (`.hf.layout`).
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
    for (k, v, o) in &rows {
        text.push_str(&format!("{k:width$}  {v}  ({o})\n"));
    }
    for (k, v, o) in &hub_rows {
        text.push_str(&format!("{k:width$}  {v}  ({o})\n"));
    }
    let json = ctx.json.then(|| {
        let mut m = serde_json::Map::new();
        m.insert("config_file".into(), json!(s.config_path));
        for (k, v, o) in &rows {
            m.insert((*k).into(), json!({"value": v, "from": o}));
        }
        for (hub, keys) in &hubs {
            let table: serde_json::Map<String, serde_json::Value> = keys
                .iter()
                .map(|(k, v, o)| ((*k).to_string(), json!({"value": v, "from": o})))
                .collect();
            m.insert((*hub).into(), serde_json::Value::Object(table));
        }
        serde_json::Value::Object(m)
    });
    Outcome {
        json,
        text: Some(text.trim_end().to_string()),
        error: None,
        exit: None,
    }
}
