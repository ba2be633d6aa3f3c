//! `fakehub`: run the fake Hugging Face Hub + Kaggle server standalone (benchmarks, manual
//! testing with the official clients).
//!
//! Prints one JSON line `{"api":…,"cdn":…,"storage":…}` on stdout when ready, then serves until
//! killed.

use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use fakehub::data_dir::Loaded;
use fakehub::{FakeHub, Options};

/// Fake Hugging Face Hub + Kaggle API server.
///
/// DIR layout: DIR/hf/<owner>/<name>/** becomes an HF dataset repo, DIR/hf-models/<owner>/<name>/**
/// an HF model repo, DIR/hf-spaces/<owner>/<name>/** an HF Space (each with one commit on main;
/// files with data extensions such as .parquet .arrow .bin .safetensors .zip .gz .tar .npy, or
/// larger than 10 MiB, are LFS); DIR/kaggle/<owner>/<slug>/** becomes a Kaggle dataset (version 1),
/// DIR/kaggle-competitions/<name>/** a Kaggle competition (no rules to accept),
/// DIR/kaggle-models/<owner>/<model>/<framework>/<variation>/** a Kaggle model instance (version
/// 1; framework as in handles: pyTorch, tensorFlow2, keras, jax, transformers...). Optional
/// DIR/users.json: {"hf_tokens":{"TOKEN":"USER"}, "kaggle_users":{"USER":"KEY"},
/// "kaggle_tokens":{"TOKEN":"USER"}, "hf_grants":{"owner/name":["USER"]},
/// "kaggle_rules":{"competition":["USER"]}}; in hf_grants, "models/owner/name" and
/// "spaces/owner/name" name a model and a Space; a competition in kaggle_rules needs its rules
/// accepted, and the users listed have accepted them.
#[derive(Parser, Debug)]
#[command(name = "fakehub", version)]
struct Args {
    /// API port (HF API and resolve routes, Kaggle RPCs); 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Data directory to serve.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// HF CDN port; 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    cdn_port: u16,
    /// Kaggle storage port; 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    storage_port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Cap per connection on the CDN and storage origins, in bytes per second.
    #[arg(long, value_name = "BYTES_PER_SEC")]
    cdn_rate: Option<u64>,
    /// Delay added before every API response, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    api_latency_ms: u64,
    /// Page size cap of HF search and tree listings.
    #[arg(long, default_value_t = 1000)]
    hf_page_size: usize,
    /// Register an HF token, as TOKEN or TOKEN:USER (user defaults to "user"). Repeatable.
    #[arg(long, value_name = "TOKEN[:USER]")]
    hf_token: Vec<String>,
    /// Register Kaggle Basic credentials USER:KEY. Repeatable.
    #[arg(long, value_name = "USER:KEY")]
    kaggle_user: Vec<String>,
    /// Register a Kaggle Bearer token TOKEN:USER. Repeatable.
    #[arg(long, value_name = "TOKEN:USER")]
    kaggle_token: Vec<String>,
    /// Server worker threads (default: the number of CPUs).
    #[arg(long)]
    threads: Option<usize>,
}

fn load_users(hub: &FakeHub, path: &Path, loaded: &Loaded) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let pairs = |key: &str| -> Vec<(String, String)> {
        v.get(key)
            .and_then(|o| o.as_object())
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    };
    for (t, u) in pairs("hf_tokens") {
        hub.hf_add_token(&t, &u);
    }
    for (u, k) in pairs("kaggle_users") {
        hub.kaggle_add_user(&u, &k);
    }
    for (t, u) in pairs("kaggle_tokens") {
        hub.kaggle_add_token(&t, &u);
    }
    if let Some(g) = v.get("kaggle_rules").and_then(|o| o.as_object()) {
        for (name, users) in g {
            if !loaded.kaggle_competitions.iter().any(|c| c == name) {
                continue;
            }
            hub.kaggle_competition_rules_required(name, true);
            for u in users
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|u| u.as_str())
            {
                hub.kaggle_accept_rules(name, u);
            }
        }
    }
    if let Some(g) = v.get("hf_grants").and_then(|o| o.as_object()) {
        for (repo, users) in g {
            for u in users
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|u| u.as_str())
            {
                if hub.hf_rev_sha(repo, "main").is_some() {
                    hub.hf_grant(repo, u);
                }
            }
        }
    }
    Ok(())
}

fn run(args: Args) -> Result<(), String> {
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let opts = Options {
        cdn_rate: args.cdn_rate,
        api_latency: Duration::from_millis(args.api_latency_ms),
        hf_page_size: args.hf_page_size.max(1),
        bind: args.bind,
        api_port: args.port,
        cdn_port: args.cdn_port,
        storage_port: args.storage_port,
        worker_threads: threads,
        ..Options::default()
    };
    let hub = FakeHub::try_start_with(opts).map_err(|e| format!("cannot start: {e}"))?;
    if let Some(dir) = &args.data {
        let loaded = fakehub::data_dir::load_all(&hub, dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let users = dir.join("users.json");
        if users.is_file() {
            load_users(&hub, &users, &loaded)?;
        }
    }
    for t in &args.hf_token {
        let (tok, user) = t.split_once(':').unwrap_or((t.as_str(), "user"));
        hub.hf_add_token(tok, user);
    }
    for uk in &args.kaggle_user {
        let (u, k) = uk
            .split_once(':')
            .ok_or_else(|| format!("--kaggle-user wants USER:KEY, got {uk:?}"))?;
        hub.kaggle_add_user(u, k);
    }
    for tu in &args.kaggle_token {
        let (t, u) = tu
            .split_once(':')
            .ok_or_else(|| format!("--kaggle-token wants TOKEN:USER, got {tu:?}"))?;
        hub.kaggle_add_token(t, u);
    }
    let line = serde_json::json!({
        "api": hub.api_url(),
        "cdn": hub.cdn_url(),
        "storage": hub.storage_url(),
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    loop {
        std::thread::park();
    }
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fakehub: error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_valid() {
        Args::command().debug_assert();
    }
}
