//! Everything the user sees on stderr: progress (bars, plain lines, NDJSON), warnings and
//! errors, and advice for errors. The only module that knows indicatif.

mod bars;
mod events;
pub mod hints;
pub mod table;

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dsfetch::progress::TransferId;
use dsfetch::sanitize::for_terminal;
use dsfetch::settings::ProgressStyle;
use dsfetch::units::human_bytes;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// indicatif bars.
    Bar,
    /// Plain newline-terminated lines.
    Plain,
    /// NDJSON events.
    Json,
    /// No progress (warnings and errors still shown unless quiet).
    None,
}

/// Resolves the progress mode from the setting, quiet and the terminal.
pub fn resolve_mode(style: ProgressStyle, quiet: bool) -> Mode {
    if quiet {
        return Mode::None;
    }
    match style {
        ProgressStyle::Bar => Mode::Bar,
        ProgressStyle::Plain => Mode::Plain,
        ProgressStyle::Json => Mode::Json,
        ProgressStyle::None => Mode::None,
        ProgressStyle::Auto => {
            if std::io::stderr().is_terminal() {
                Mode::Bar
            } else {
                Mode::Plain
            }
        }
    }
}

/// Whether colour may be used on stderr.
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Writes one line to stderr, ignoring failures (a closed stderr must not crash a download).
pub fn eprint_line(line: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{line}");
}

/// Prints an error on stderr: `dsfetch: error: ` and its first line (with the advice for its
/// hint), then, for a usage error (a manifest's problems, one per line), each further line as it
/// is. Each line is cleaned for the terminal; other errors (which may quote a server) stay on
/// one line. Without a UI yet (settings could not load), `json_progress` says whether stderr
/// carries NDJSON events.
pub fn print_error(ui: Option<&Ui>, e: &dsfetch::Error, json_progress: bool) {
    let text = hints::message(e);
    let lines: Vec<String> = if e.kind() == dsfetch::ErrorKind::Usage {
        text.lines().map(for_terminal).collect()
    } else {
        vec![for_terminal(&text)]
    };
    match ui {
        Some(ui) => ui.error_lines(&lines),
        None if json_progress => {
            json_line(serde_json::json!({"event": "error", "message": lines.join("\n")}))
        }
        None => {
            let mut lines = lines.into_iter();
            eprint_line(&format!(
                "dsfetch: error: {}",
                lines.next().unwrap_or_default()
            ));
            for l in lines {
                eprint_line(&l);
            }
        }
    }
}

/// One NDJSON line on stderr.
pub fn json_line(v: serde_json::Value) {
    eprint_line(&v.to_string());
}

struct FileState {
    name: String,
    total: Option<u64>,
    done: u64,
    last_line: Instant,
    last_pct: u64,
    bar: Option<ProgressBar>,
    started: Instant,
}

struct State {
    files: HashMap<TransferId, FileState>,
    total_bar: Option<ProgressBar>,
    planned: u64,
    /// Transfers planned so far (the total bar sums up two or more).
    planned_files: usize,
    /// Batch mode: one bar per dataset, and which dataset each transfer belongs to.
    dataset_bars: HashMap<String, ProgressBar>,
    transfer_dataset: HashMap<TransferId, String>,
}

/// The reporter the binary installs.
pub struct Ui {
    mode: Mode,
    grouped: bool,
    quiet: bool,
    verbose: u8,
    multi: Option<MultiProgress>,
    color: bool,
    state: Mutex<State>,
}

impl Ui {
    /// A reporter for the given mode.
    pub fn new(mode: Mode, quiet: bool, verbose: u8) -> Ui {
        let multi = (mode == Mode::Bar)
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10)));
        Ui {
            mode,
            grouped: false,
            quiet,
            verbose,
            multi,
            color: color_enabled(),
            state: Mutex::new(State {
                files: HashMap::new(),
                total_bar: None,
                planned: 0,
                planned_files: 0,
                dataset_bars: HashMap::new(),
                transfer_dataset: HashMap::new(),
            }),
        }
    }

    /// Batch mode: one line per active dataset instead of one per file.
    pub fn grouped(mut self) -> Ui {
        self.grouped = true;
        self
    }

    /// Prints a line on stderr without tearing progress bars (unless quiet).
    pub fn info(&self, line: &str) {
        if self.quiet {
            return;
        }
        if self.mode == Mode::Json {
            json_line(serde_json::json!({"event": "message", "message": line}));
            return;
        }
        self.println(line);
    }

    fn println(&self, line: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(line);
            }
            None => eprint_line(line),
        }
    }

    /// Prints an error line (always, even when quiet).
    pub fn error(&self, line: &str) {
        self.error_lines(&[line.to_string()]);
    }

    /// Prints an error of several lines (always, even when quiet): the first after
    /// `dsfetch: error: `, the others as they are; in JSON mode one event holding them all.
    pub fn error_lines(&self, lines: &[String]) {
        if self.mode == Mode::Json {
            // Every stderr line stays NDJSON in this mode.
            json_line(serde_json::json!({"event": "error", "message": lines.join("\n")}));
            return;
        }
        for (i, l) in lines.iter().enumerate() {
            if i == 0 {
                self.println(&format!("dsfetch: error: {l}"));
            } else {
                self.println(l);
            }
        }
    }

    /// Clears any bars (before printing the final result).
    pub fn finish(&self) {
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = &st.total_bar {
            b.finish_and_clear();
        }
        for f in st.files.values() {
            if let Some(b) = &f.bar {
                b.finish_and_clear();
            }
        }
        if let Some(m) = &self.multi {
            let _ = m.clear();
        }
    }

    fn plain_progress(&self, f: &mut FileState) {
        let now = Instant::now();
        let pct = f.total.filter(|t| *t > 0).map(|t| f.done * 100 / t);
        let pct_step = pct.is_some_and(|p| p >= f.last_pct + 10 && p < 100);
        if pct_step || now.duration_since(f.last_line) >= Duration::from_secs(10) {
            f.last_line = now;
            if let Some(p) = pct {
                f.last_pct = p - p % 10;
            }
            let rate = f.done as f64 / now.duration_since(f.started).as_secs_f64().max(0.001);
            let of = f
                .total
                .map(|t| format!(" of {}", human_bytes(t)))
                .unwrap_or_default();
            let pct_s = pct.map(|p| format!(" ({p}%)")).unwrap_or_default();
            eprint_line(&format!(
                "  {}: {}{of}{pct_s} at {}/s",
                f.name,
                human_bytes(f.done),
                human_bytes(rate as u64)
            ));
        }
    }
}
