//! One function per command: turn arguments into library calls, render the result.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use dsfetch::cancel::Cancel;
use dsfetch::credentials;
use dsfetch::download::{self, DownloadOptions, DownloadReport, Layout, human_bytes};
use dsfetch::env::Env;
use dsfetch::error::{Error, Result, Source};
use dsfetch::hf::{self, HfClient};
use dsfetch::http::Http;
use dsfetch::kaggle::{self, KaggleClient, KaggleOptions};
use dsfetch::pattern::Selection;
use dsfetch::progress::Reporter;
use dsfetch::settings::{FlagOverrides, Settings};
use serde_json::json;

use crate::cli::{Cli, Command, CommonDownloadArgs, DownloadArgs, DownloadHub};
use crate::ui::{self, Ui};

/// What a command produced, for `main` to print and turn into an exit code.
pub struct Outcome {
    /// The JSON document for `--json`, if the command has one.
    pub json: Option<serde_json::Value>,
    /// Text for stdout otherwise.
    pub text: Option<String>,
    /// The error, when the command failed.
    pub error: Option<Error>,
    /// An exit code decided by the command itself (batch), when there is no single error.
    pub exit: Option<u8>,
}

impl Outcome {
    /// A command that failed before producing anything.
    pub fn failed(e: Error) -> Outcome {
        Outcome {
            json: None,
            text: None,
            error: Some(e),
            exit: None,
        }
    }
}

/// Everything a command needs.
pub struct Ctx {
    /// The environment snapshot.
    pub env: Env,
    /// Effective settings.
    pub settings: Settings,
    /// The UI (also the progress reporter).
    pub ui: Arc<Ui>,
    /// The HTTP client.
    pub http: Http,
    /// `--json`.
    pub json: bool,
}

/// Builds the context for a command: environment, settings, UI, HTTP client.
pub fn context(
    cli: &Cli,
    jobs: Option<usize>,
    connections: Option<usize>,
    cancel: Cancel,
) -> Result<Ctx> {
    let env = Env::from_process();
    let flags = FlagOverrides {
        jobs,
        progress: if cli.global.no_progress {
            Some("none".into())
        } else {
            cli.global.progress.map(|p| p.as_str().to_string())
        },
        connections,
    };
    let settings = Settings::load(&env, &flags)?;
    let mode = ui::resolve_mode(&settings.progress.value, cli.global.quiet);
    let mut ui = Ui::new(mode, cli.global.quiet, cli.global.verbose);
    if matches!(cli.command, Command::Batch(_)) {
        ui = ui.grouped();
    }
    let ui = Arc::new(ui);
    let http = Http::new(&settings.http_config())?.with_cancel(cancel);
    Ok(Ctx {
        env,
        settings,
        ui,
        http,
        json: cli.global.json,
    })
}

/// The document `--json` prints for a failure that has no other result document:
/// `{"success": false, "error": {"kind", "message", "exit_code"}}`.
pub fn error_json(e: &Error) -> serde_json::Value {
    json!({
        "success": false,
        "error": {"kind": e.kind().as_str(), "message": e.to_string(), "exit_code": e.kind().exit_code()},
    })
}

/// Whether the raw command line asks for `--json` (before any `--`), for errors that happen
/// before the arguments are parsed.
fn wants_json(args: impl IntoIterator<Item = std::ffi::OsString>) -> bool {
    args.into_iter()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// Handles an argument error from clap: `--help` and `--version` print as clap prints them;
/// anything else is a usage error (exit 2), also printed as the JSON error document when the
/// command line has `--json`.
pub fn usage_error(e: &clap::Error) -> std::process::ExitCode {
    use clap::error::ErrorKind as Clap;
    if matches!(e.kind(), Clap::DisplayHelp | Clap::DisplayVersion) {
        let _ = e.print();
        return std::process::ExitCode::from(e.exit_code().clamp(0, 255) as u8);
    }
    if wants_json(std::env::args_os()) {
        let message = match e.kind() {
            Clap::DisplayHelpOnMissingArgumentOrSubcommand => {
                "a command is missing; run dsfetch --help for the commands".to_string()
            }
            _ => {
                let text = e.render().to_string();
                let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                first.trim_start_matches("error: ").trim().to_string()
            }
        };
        let doc = error_json(&Error::usage(message));
        let _ = print_stdout(&serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
    let _ = e.print();
    std::process::ExitCode::from(dsfetch::ErrorKind::Usage.exit_code())
}

/// Runs the parsed command line. With `--json`, a failure that produced no result document
/// gets the JSON error document, so that stdout always holds exactly one JSON document.
pub async fn run(cli: Cli) -> (Option<Arc<Ui>>, Outcome) {
    let json = cli.global.json;
    let terminated = Arc::new(AtomicBool::new(false));
    let (ui, mut outcome) = run_command(cli, terminated.clone()).await;
    if json
        && outcome.json.is_none()
        && let Some(e) = &outcome.error
    {
        outcome.json = Some(error_json(e));
    }
    if terminated.load(Ordering::SeqCst) {
        mark_terminated(&mut outcome);
    }
    (ui, outcome)
}

/// The exit code of a run stopped by SIGTERM (128 + 15), as shells report a terminated process.
pub const TERMINATED_EXIT: u8 = 143;

/// A run that SIGTERM interrupted exits 143 instead of Ctrl-C's 130, and its JSON error objects
/// say so.
fn mark_terminated(outcome: &mut Outcome) {
    let interrupted = dsfetch::ErrorKind::Interrupted.exit_code();
    let code = outcome
        .exit
        .or_else(|| outcome.error.as_ref().map(|e| e.kind().exit_code()));
    if code != Some(interrupted) {
        return;
    }
    outcome.exit = Some(TERMINATED_EXIT);
    fn patch(v: &mut serde_json::Value, from: u8) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(e) = m.get_mut("error")
                    && e["kind"] == "interrupted"
                    && e["exit_code"] == from
                {
                    e["exit_code"] = json!(TERMINATED_EXIT);
                }
                m.values_mut().for_each(|x| patch(x, from));
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| patch(x, from)),
            _ => {}
        }
    }
    if let Some(j) = &mut outcome.json {
        patch(j, interrupted);
    }
}

async fn run_command(cli: Cli, terminated: Arc<AtomicBool>) -> (Option<Arc<Ui>>, Outcome) {
    let common = match &cli.command {
        Command::Download(d) => Some(match &d.hub {
            Some(DownloadHub::Hf(a)) => &a.common,
            Some(DownloadHub::Kaggle(a)) => &a.common,
            None => &d.common,
        }),
        Command::Search(_)
        | Command::Auth(_)
        | Command::Batch(_)
        | Command::Config
        | Command::Completions(_) => None,
    };
    let jobs = common.and_then(|c| c.jobs).map(usize::from);
    let connections = match &cli.command {
        Command::Batch(b) => b.connections,
        _ => common.and_then(|c| c.connections),
    }
    .map(usize::from);
    let cancel = Cancel::new();
    let ctx = match context(&cli, jobs, connections, cancel.clone()) {
        Ok(c) => c,
        Err(e) => {
            return (
                None,
                Outcome {
                    json: None,
                    text: None,
                    error: Some(e),
                    exit: None,
                },
            );
        }
    };
    let ui = ctx.ui.clone();
    let work = async {
        match &cli.command {
            Command::Download(d) => download(&ctx, d).await,
            Command::Search(a) => crate::render::search(&ctx, a).await,
            Command::Auth(a) => crate::render::auth(&ctx, a).await,
            Command::Batch(a) => crate::batch_cmd::batch(&ctx, a).await,
            Command::Config => config(&ctx),
            Command::Completions(a) => Outcome {
                json: None,
                text: Some(completion_script(a.shell)),
                error: None,
                exit: None,
            },
        }
    };
    // First Ctrl-C: stop transfers cleanly (partial data flushed for resume). Second: leave now.
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    // SIGTERM (`kill`, a CI runner's timeout, `docker stop`) is handled the same way, exiting 143.
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            let on_term = cancel.clone();
            tokio::spawn(async move {
                if term.recv().await.is_some() {
                    terminated.store(true, Ordering::SeqCst);
                    on_term.cancel();
                    if term.recv().await.is_some() {
                        std::process::exit(i32::from(TERMINATED_EXIT));
                    }
                }
            });
        }
    }
    #[cfg(not(unix))]
    drop(terminated);
    let outcome = tokio::select! {
        o = work => o,
        _ = async {
            cancel.cancelled().await;
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        } => Outcome { json: None, text: None, error: Some(Error::Interrupted), exit: None },
    };
    (Some(ui), outcome)
}

fn download_options(
    ctx: &Ctx,
    common: &CommonDownloadArgs,
    source: Source,
) -> Result<DownloadOptions> {
    // Per-hub config defaults apply where no flag or environment variable decided.
    let hub = ctx.settings.hub(source);
    let jobs = hub.jobs.value;
    let layout_name = match common.layout {
        Some(l) => l.as_str(),
        None if common.output.is_some() => "folder",
        None => hub.layout.value.as_str(),
    };
    Ok(DownloadOptions {
        output: common.output.clone(),
        root: ctx.settings.download_dir.value.clone(),
        force: common.force,
        jobs,
        selection: Selection::new(&common.include, &common.exclude),
        dry_run: common.dry_run,
        connections: None,
        parallel: ctx.settings.parallel(),
        locked: None,
        layout: Layout::parse(layout_name, &ctx.env)?,
    })
}

/// The `--json` download object of DESIGN.md section 6.
pub fn download_json(
    report: Option<&DownloadReport>,
    source: Source,
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
            "message": e.to_string(),
            "error": {"kind": e.kind().as_str(), "message": e.to_string(), "exit_code": e.kind().exit_code()},
        }),
        (None, None) => json!({"success": false, "dataset_id": dataset_id, "source": source}),
    }
}

/// One line describing a finished download.
pub fn summary(r: &DownloadReport) -> String {
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
    source: Source,
    dataset_id: &str,
) -> Outcome {
    ctx.ui.finish();
    match result {
        Ok(r) => {
            if !ctx.json {
                ctx.ui.info(&summary(&r));
            }
            Outcome {
                json: ctx
                    .json
                    .then(|| download_json(Some(&r), source, dataset_id, None)),
                text: Some(r.file_path.display().to_string()),
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

/// A Hugging Face download request, from either command form.
struct HfRequest<'a> {
    id: &'a str,
    revision: Option<&'a str>,
    token: Option<&'a str>,
    common: &'a CommonDownloadArgs,
}

/// A Kaggle download request, from either command form.
struct KaggleRequest<'a> {
    id: &'a str,
    files: &'a [String],
    no_unzip: bool,
    common: &'a CommonDownloadArgs,
}

async fn download(ctx: &Ctx, d: &DownloadArgs) -> Outcome {
    match &d.hub {
        Some(DownloadHub::Hf(a)) => {
            download_hf(
                ctx,
                HfRequest {
                    id: &a.id,
                    revision: a.revision.as_deref(),
                    token: a.token.as_deref(),
                    common: &a.common,
                },
            )
            .await
        }
        Some(DownloadHub::Kaggle(a)) => {
            download_kaggle(
                ctx,
                KaggleRequest {
                    id: &a.id,
                    files: &a.files,
                    no_unzip: a.no_unzip,
                    common: &a.common,
                },
            )
            .await
        }
        None => {
            let raw = d.id.as_deref().unwrap_or("");
            let parsed = dsfetch::id::parse_any(raw).and_then(|id| {
                let misplaced = match id.source() {
                    Source::HuggingFace if !d.files.is_empty() || d.no_unzip => {
                        Some("--file and --no-unzip apply to Kaggle datasets")
                    }
                    Source::Kaggle if d.revision.is_some() || d.token.is_some() => {
                        Some("--revision and --token apply to Hugging Face datasets")
                    }
                    _ => None,
                };
                match misplaced {
                    Some(m) => Err(Error::usage(format!("{m}, not to {raw}"))),
                    None => Ok(id),
                }
            });
            match parsed {
                Err(e) => {
                    ctx.ui.finish();
                    Outcome {
                        json: ctx
                            .json
                            .then(|| download_json(None, Source::HuggingFace, raw, Some(&e))),
                        text: None,
                        error: Some(e),
                        exit: None,
                    }
                }
                Ok(dsfetch::id::DatasetId::Hf(_)) => {
                    download_hf(
                        ctx,
                        HfRequest {
                            id: raw,
                            revision: d.revision.as_deref(),
                            token: d.token.as_deref(),
                            common: &d.common,
                        },
                    )
                    .await
                }
                Ok(dsfetch::id::DatasetId::Kaggle(_)) => {
                    download_kaggle(
                        ctx,
                        KaggleRequest {
                            id: raw,
                            files: &d.files,
                            no_unzip: d.no_unzip,
                            common: &d.common,
                        },
                    )
                    .await
                }
            }
        }
    }
}

async fn download_hf(ctx: &Ctx, a: HfRequest<'_>) -> Outcome {
    let result = async {
        let id = dsfetch::id::parse_hf(a.id)?;
        let auth = credentials::resolve_hf(a.token, &ctx.env)?;
        let client = HfClient {
            http: &ctx.http,
            endpoint: download::hf_endpoint(&ctx.env)?,
            auth: &auth,
            reporter: ctx.ui.as_ref() as &dyn Reporter,
        };
        let opts = download_options(ctx, a.common, Source::HuggingFace)?;
        hf::download(&client, &id, a.revision, &opts).await
    }
    .await;
    let label = dsfetch::id::parse_hf(a.id)
        .map(|i| i.repo)
        .unwrap_or_else(|_| a.id.to_string());
    finish_download(ctx, result, Source::HuggingFace, &label)
}

async fn download_kaggle(ctx: &Ctx, a: KaggleRequest<'_>) -> Outcome {
    let result = async {
        let id = dsfetch::id::parse_kaggle(a.id)?;
        if !a.files.is_empty() && (!a.common.include.is_empty() || !a.common.exclude.is_empty()) {
            return Err(Error::usage(
                "--file cannot be combined with --include/--exclude; use one or the other",
            ));
        }
        let auth = credentials::resolve_kaggle(&ctx.env)?;
        for w in &auth.warnings {
            ctx.ui.on_event(&dsfetch::progress::Event::Warn(w));
        }
        let client = KaggleClient {
            http: &ctx.http,
            endpoint: download::kaggle_endpoint(&ctx.env)?,
            auth: &auth,
            reporter: ctx.ui.as_ref() as &dyn Reporter,
        };
        let opts = download_options(ctx, a.common, Source::Kaggle)?;
        let kopts = KaggleOptions {
            files: a.files.to_vec(),
            no_unzip: a.no_unzip
                || (!ctx.settings.hub(Source::Kaggle).unzip.value && opts.layout == Layout::Folder),
        };
        kaggle::download(&client, &id, &kopts, &opts).await
    }
    .await;
    let label = dsfetch::id::parse_kaggle(a.id)
        .map(|i| i.reference())
        .unwrap_or_else(|_| a.id.to_string());
    finish_download(ctx, result, Source::Kaggle, &label)
}

/// The completion script for `shell`, generated from the CLI definition.
pub fn completion_script(shell: clap_complete::Shell) -> String {
    use clap::CommandFactory;
    let mut cmd = crate::cli::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "dsfetch", &mut buf);
    String::from_utf8_lossy(&buf).trim_end().to_string()
}

/// One row of `dsfetch config`: key, value, origin.
type Row = (&'static str, String, String);

/// `dsfetch config`: the effective settings and where each came from.
fn config(ctx: &Ctx) -> Outcome {
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
            s.progress.value.clone(),
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
    for (name, source) in [("hf", Source::HuggingFace), ("kaggle", Source::Kaggle)] {
        let h = s.hub(source);
        let mut keys = vec![
            (
                "layout",
                h.layout.value.clone(),
                h.layout.origin.to_string(),
            ),
            ("jobs", h.jobs.value.to_string(), h.jobs.origin.to_string()),
        ];
        if source == Source::Kaggle {
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

/// Writes `s` and a newline to stdout; a closed pipe is not an error.
pub fn print_stdout(s: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{s}")?;
    out.flush()
}
