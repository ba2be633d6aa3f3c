//! One module per command: turn arguments into library calls, render the result. This module
//! holds what they share: the context (settings, UI, HTTP client), the outcome `main` prints,
//! the JSON error document and the signal handling.

mod auth;
mod batch;
mod config;
mod download;
mod history;
mod info;
mod list;
mod remove;
mod search;
mod verify;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use dsfetch::cancel::Cancel;
use dsfetch::env::Env;
use dsfetch::settings::{Flag, FlagOverrides, ProgressStyle, Settings};
use dsfetch::{Error, Http, Hubs, Result};
use serde_json::json;

use crate::cli::{Cli, Command, DownloadHub};
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
    jobs: Option<Flag<usize>>,
    connections: Option<Flag<usize>>,
    cancel: Cancel,
) -> Result<Ctx> {
    let env = Env::from_process();
    let progress = if cli.global.no_progress {
        Some(Flag {
            value: ProgressStyle::None,
            name: "--no-progress",
        })
    } else {
        cli.global.progress.map(|p| Flag {
            value: p.into(),
            name: "--progress",
        })
    };
    let flags = FlagOverrides {
        jobs,
        progress,
        connections,
    };
    let settings = Settings::load(&env, &flags)?;
    let mode = ui::resolve_mode(settings.progress.value, cli.global.quiet);
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

impl Ctx {
    /// The hubs, reached through this context's client and reporting to its UI.
    pub fn hubs(&self) -> Hubs<'_> {
        Hubs::new(&self.http, &self.env, self.ui.as_ref())
    }
}

/// The document `--json` prints for a failure that has no other result document:
/// `{"success": false, "error": {"kind", "message", "exit_code"}}`.
pub fn error_json(e: &Error) -> serde_json::Value {
    json!({
        "success": false,
        "error": {"kind": e.kind().as_str(), "message": crate::ui::hints::message(e), "exit_code": e.kind().exit_code()},
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

/// Whether stderr carries NDJSON events (`--progress json`, or `DSFETCH_PROGRESS=json`), judged
/// from the raw command line, for errors that happen before the settings are loaded.
pub fn wants_progress_json(args: impl IntoIterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<std::ffi::OsString> = args.into_iter().skip(1).collect();
    let flag = args
        .iter()
        .take_while(|a| *a != "--")
        .enumerate()
        .any(|(i, a)| {
            a == "--progress=json"
                || (a == "--progress" && args.get(i + 1).is_some_and(|n| n == "json"))
        });
    flag || std::env::var("DSFETCH_PROGRESS").is_ok_and(|v| v == "json")
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
    if wants_progress_json(std::env::args_os()) {
        let text = e.render().to_string();
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        crate::ui::json_line(
            json!({"event": "error", "message": first.trim_start_matches("error: ").trim()}),
        );
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
    if !wants_progress_json(std::env::args_os()) {
        let _ = e.print();
    }
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
        | Command::List(_)
        | Command::Info(_)
        | Command::Verify(_)
        | Command::Rm(_)
        | Command::Prune(_)
        | Command::History(_)
        | Command::Auth(_)
        | Command::Batch(_)
        | Command::Config
        | Command::Completions(_) => None,
    };
    let jobs = common.and_then(|c| c.jobs).map(|j| Flag {
        value: usize::from(j),
        name: "--jobs",
    });
    let connections = match &cli.command {
        Command::Batch(b) => b.connections,
        _ => common.and_then(|c| c.connections),
    }
    .map(|c| Flag {
        value: usize::from(c),
        name: "--connections",
    });
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
            Command::Download(d) => download::download(&ctx, d).await,
            Command::Search(a) => search::search(&ctx, a).await,
            Command::Auth(a) => auth::auth(&ctx, a).await,
            Command::Batch(a) => batch::batch(&ctx, a).await,
            Command::Config => config::config(&ctx),
            Command::History(a) => history::history(&ctx, a),
            Command::List(a) => list::list(&ctx, a).await,
            Command::Verify(a) => verify::verify(&ctx, a).await,
            Command::Rm(a) => remove::rm(&ctx, a).await,
            Command::Prune(a) => remove::prune(&ctx, a).await,
            Command::Info(a) => info::info(&ctx, a).await,
            Command::Completions(a) => Outcome {
                json: None,
                text: Some(completion_script(a.shell)),
                error: None,
                exit: None,
            },
        }
    };
    watch_signals(&cancel, terminated);
    let outcome = tokio::select! {
        o = work => o,
        _ = async {
            cancel.cancelled().await;
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        } => Outcome { json: None, text: None, error: Some(Error::Interrupted), exit: None },
    };
    (Some(ui), outcome)
}

/// First Ctrl-C: stop transfers cleanly (partial data flushed for resume); second: leave now.
/// SIGTERM (`kill`, a CI runner's timeout, `docker stop`) is handled the same way, exiting 143.
fn watch_signals(cancel: &Cancel, terminated: Arc<AtomicBool>) {
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
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
}

/// The completion script for `shell`, generated from the CLI definition.
pub fn completion_script(shell: clap_complete::Shell) -> String {
    use clap::CommandFactory;
    let mut cmd = crate::cli::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "dsfetch", &mut buf);
    String::from_utf8_lossy(&buf).trim_end().to_string()
}

/// Writes `s` and a newline to stdout; a closed pipe is not an error.
pub fn print_stdout(s: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{s}")?;
    out.flush()
}
