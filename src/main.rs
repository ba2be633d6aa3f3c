//! The `dsfetch` binary: parse, run, print, exit. All the work is in the library.

mod cli;
mod commands;
mod ui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return commands::usage_error(&e),
    };
    // Completions need no runtime, no settings and no I/O beyond stdout.
    if let cli::Command::Completions(a) = &cli.command {
        return match commands::print_stdout(&commands::completion_script(a.shell)) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
            _ => ExitCode::SUCCESS,
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            ui::eprint_line(&format!(
                "dsfetch: error: cannot start the async runtime: {e}"
            ));
            return ExitCode::from(1);
        }
    };
    let (ui, outcome) = runtime.block_on(commands::run(cli));
    let printed = match (&outcome.json, &outcome.text) {
        (Some(j), _) => {
            commands::print_stdout(&serde_json::to_string_pretty(j).unwrap_or_default())
        }
        (None, Some(t)) => commands::print_stdout(t),
        _ => Ok(()),
    };
    if let Some(e) = &outcome.error {
        ui::print_error(
            ui.as_deref(),
            e,
            commands::wants_progress_json(std::env::args_os()),
        );
    }
    let code = match (outcome.exit, &outcome.error) {
        (Some(code), _) => code,
        (None, Some(e)) => e.kind().exit_code(),
        (None, None) => 0,
    };
    // Transfers may still be winding down on blocking threads after Ctrl-C; do not wait.
    runtime.shutdown_background();
    match printed {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe && code == 0 => {
            ui::eprint_line(&format!("dsfetch: error: writing the result: {e}"));
            ExitCode::from(1)
        }
        _ => ExitCode::from(code),
    }
}
