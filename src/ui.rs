//! Everything the user sees on stderr: progress (bars, plain lines, NDJSON), warnings and
//! errors. The only module that knows indicatif.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dsfetch::download::human_bytes;
use dsfetch::progress::{Event, Reporter, TransferId};
use dsfetch::sanitize::for_terminal;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

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

/// Resolves the progress mode from the setting (`auto`, `bar`, ...), quiet and the terminal.
pub fn resolve_mode(setting: &str, quiet: bool) -> Mode {
    if quiet {
        return Mode::None;
    }
    match setting {
        "bar" => Mode::Bar,
        "plain" => Mode::Plain,
        "json" => Mode::Json,
        "none" => Mode::None,
        _ => {
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

/// Prints an error on stderr: `dsfetch: error: ` and its first line, then, for a usage error
/// (a manifest's problems, one per line), each further line as it is. Each line is cleaned for
/// the terminal; other errors (which may quote a server) stay on one line.
pub fn print_error(ui: Option<&Ui>, e: &dsfetch::Error) {
    let text = e.to_string();
    let lines: Vec<String> = if e.kind() == dsfetch::ErrorKind::Usage {
        text.lines().map(for_terminal).collect()
    } else {
        vec![for_terminal(&text)]
    };
    let mut lines = lines.into_iter();
    let first = lines.next().unwrap_or_default();
    match ui {
        Some(ui) => {
            ui.error(&first);
            for l in lines {
                ui.error_detail(&l);
            }
        }
        None => {
            eprint_line(&format!("dsfetch: error: {first}"));
            for l in lines {
                eprint_line(&l);
            }
        }
    }
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

/// Bar templates: (per-file or per-dataset line, total line), with and without colour.
fn templates(color: bool) -> (&'static str, &'static str) {
    if color {
        (
            "  {msg:40!} {bar:24.cyan/blue} {decimal_bytes:>10}/{decimal_total_bytes:<10} {decimal_bytes_per_sec:>12} {eta:>4}",
            "{prefix:.bold} {bar:40.green/white} {decimal_bytes:>10}/{decimal_total_bytes:<10} {decimal_bytes_per_sec:>12} eta {eta}",
        )
    } else {
        (
            "  {msg:40!} {bar:24} {decimal_bytes:>10}/{decimal_total_bytes:<10} {decimal_bytes_per_sec:>12} {eta:>4}",
            "{prefix} {bar:40} {decimal_bytes:>10}/{decimal_total_bytes:<10} {decimal_bytes_per_sec:>12} eta {eta}",
        )
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

fn file_style(color: bool) -> ProgressStyle {
    style(templates(color).0)
}

fn total_style(color: bool) -> ProgressStyle {
    style(templates(color).1)
}

fn json_line(v: serde_json::Value) {
    eprint_line(&v.to_string());
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
        if self.mode == Mode::Json {
            // Every stderr line stays NDJSON in this mode.
            json_line(serde_json::json!({"event": "error", "message": line}));
            return;
        }
        self.println(&format!("dsfetch: error: {line}"));
    }

    /// Prints a further line of an error (always, even when quiet).
    pub fn error_detail(&self, line: &str) {
        if self.mode == Mode::Json {
            json_line(serde_json::json!({"event": "error", "message": line}));
            return;
        }
        self.println(line);
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

impl Reporter for Ui {
    fn on_event(&self, event: &Event<'_>) {
        match event {
            Event::Warn(msg) => {
                if self.mode == Mode::Json {
                    json_line(
                        serde_json::json!({"event": "warning", "message": for_terminal(msg)}),
                    );
                } else if !self.quiet {
                    self.println(&format!("dsfetch: warning: {}", for_terminal(msg)));
                }
                return;
            }
            Event::Debug(msg) => {
                if self.verbose >= 2 || (self.verbose == 1 && !msg.contains(" -> ")) {
                    self.println(&format!("dsfetch: {}", for_terminal(msg)));
                }
                return;
            }
            Event::Retry {
                what,
                attempt,
                wait,
                reason,
            } => {
                match self.mode {
                    Mode::Json => json_line(serde_json::json!({
                        "event": "retry", "what": for_terminal(what), "attempt": attempt,
                        "wait_ms": wait.as_millis() as u64, "reason": for_terminal(reason)})),
                    _ if !self.quiet => self.println(&format!(
                        "dsfetch: retrying {} in {:.1}s (attempt {} failed: {})",
                        for_terminal(what),
                        wait.as_secs_f64(),
                        attempt,
                        for_terminal(reason)
                    )),
                    _ => {}
                }
                return;
            }
            _ => {}
        }
        if self.mode == Mode::None {
            return;
        }
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            Event::Plan {
                dataset,
                files,
                bytes,
                skipped,
            } => {
                st.planned += bytes;
                match self.mode {
                    Mode::Json => json_line(serde_json::json!({
                        "event": "plan", "dataset": for_terminal(dataset), "files": files, "bytes": bytes, "skipped": skipped})),
                    Mode::Plain => eprint_line(&format!(
                        "{}: {files} file(s) to download ({}), {skipped} already present",
                        for_terminal(dataset),
                        human_bytes(*bytes)
                    )),
                    Mode::Bar => {
                        if let Some(m) = &self.multi {
                            if self.grouped {
                                let b = m.add(ProgressBar::new(*bytes));
                                b.set_style(file_style(self.color));
                                b.set_message(for_terminal(dataset));
                                st.dataset_bars.insert(dataset.to_string(), b);
                            }
                            let planned = st.planned;
                            let bar = st.total_bar.get_or_insert_with(|| {
                                let b = m.insert(0, ProgressBar::new(planned));
                                b.set_style(total_style(self.color));
                                b.set_prefix("total");
                                b
                            });
                            bar.set_length(planned);
                        }
                    }
                    Mode::None => {}
                }
            }
            Event::FileStart {
                id,
                dataset,
                name,
                total,
                resumed_from,
            } => {
                let name = for_terminal(name);
                if self.grouped {
                    let first = st
                        .transfer_dataset
                        .insert(*id, dataset.to_string())
                        .is_none();
                    if let Some(b) = st.dataset_bars.get(*dataset) {
                        if first && b.length() == Some(0) {
                            b.inc_length(total.unwrap_or(0));
                        }
                        b.inc(*resumed_from);
                    }
                }
                match self.mode {
                    Mode::Json => json_line(serde_json::json!({
                        "event": "start", "id": id, "file": name, "total": total, "resumed_from": resumed_from})),
                    Mode::Plain if *resumed_from > 0 => eprint_line(&format!(
                        "  {name}: resuming at {}",
                        human_bytes(*resumed_from)
                    )),
                    _ => {}
                }
                let bar = match (&self.multi, st.files.get(id).and_then(|f| f.bar.clone())) {
                    _ if self.grouped => None,
                    (_, Some(b)) => {
                        b.set_position(*resumed_from);
                        Some(b)
                    }
                    (Some(m), None) => {
                        let b = m.add(ProgressBar::new(total.unwrap_or(0)));
                        b.set_style(file_style(self.color));
                        b.set_message(name.clone());
                        b.set_position(*resumed_from);
                        Some(b)
                    }
                    _ => None,
                };
                let now = Instant::now();
                st.files.insert(
                    *id,
                    FileState {
                        name,
                        total: *total,
                        done: *resumed_from,
                        last_line: now,
                        last_pct: 0,
                        bar,
                        started: now,
                    },
                );
            }
            Event::Bytes { id, delta } => {
                if let Some(t) = &st.total_bar {
                    t.inc(*delta);
                }
                if let Some(b) = st
                    .transfer_dataset
                    .get(id)
                    .and_then(|d| st.dataset_bars.get(d))
                {
                    b.inc(*delta);
                }
                let mode = self.mode;
                if let Some(f) = st.files.get_mut(id) {
                    f.done += delta;
                    match mode {
                        Mode::Bar => {
                            if let Some(b) = &f.bar {
                                b.inc(*delta);
                            }
                        }
                        Mode::Plain => self.plain_progress(f),
                        Mode::Json => {
                            let now = Instant::now();
                            if now.duration_since(f.last_line) >= Duration::from_secs(1) {
                                f.last_line = now;
                                json_line(serde_json::json!({
                                    "event": "progress", "id": id, "file": f.name, "bytes": f.done, "total": f.total}));
                            }
                        }
                        Mode::None => {}
                    }
                }
            }
            Event::Verify { id } => {
                if self.mode == Mode::Json {
                    let name = st.files.get(id).map(|f| f.name.clone()).unwrap_or_default();
                    json_line(serde_json::json!({"event": "verify", "id": id, "file": name}));
                }
            }
            Event::FileDone { id, bytes } => {
                if let Some(f) = st.files.remove(id) {
                    if let Some(b) = &f.bar {
                        b.finish_and_clear();
                        if let Some(m) = &self.multi {
                            m.remove(b);
                        }
                    }
                    match self.mode {
                        Mode::Json => json_line(serde_json::json!({
                            "event": "done", "id": id, "file": f.name, "bytes": bytes, "size": f.total})),
                        Mode::Plain => eprint_line(&format!(
                            "  {}: done ({}, {} transferred)",
                            f.name,
                            human_bytes(f.total.unwrap_or(f.done)),
                            human_bytes(*bytes)
                        )),
                        _ => {}
                    }
                }
            }
            Event::FileError { id, message } => {
                if let Some(f) = st.files.remove(id) {
                    if let Some(b) = &f.bar {
                        b.finish_and_clear();
                    }
                    if self.mode == Mode::Json {
                        json_line(
                            serde_json::json!({"event": "error", "id": id, "file": f.name, "message": for_terminal(message)}),
                        );
                    }
                }
            }
            Event::Extract {
                dataset,
                entries,
                bytes,
            } => match self.mode {
                Mode::Json => json_line(serde_json::json!({
                    "event": "extract", "dataset": for_terminal(dataset), "entries": entries, "bytes": bytes})),
                _ => {
                    drop(st);
                    self.println(&format!(
                        "{}: extracting {entries} file(s) ({})",
                        for_terminal(dataset),
                        human_bytes(*bytes)
                    ));
                }
            },
            Event::DatasetDone {
                dataset,
                ok,
                message,
            } => {
                if let Some(b) = st.dataset_bars.remove(*dataset) {
                    b.finish_and_clear();
                    if let Some(m) = &self.multi {
                        m.remove(&b);
                    }
                }
                drop(st);
                let mark = if *ok { "done" } else { "FAILED" };
                match self.mode {
                    Mode::Json => json_line(serde_json::json!({
                        "event": "dataset_done", "dataset": for_terminal(dataset), "ok": ok, "message": for_terminal(message)})),
                    _ => self.println(&format!(
                        "{}: {mark}: {}",
                        for_terminal(dataset),
                        for_terminal(message)
                    )),
                }
            }
            Event::Warn(_) | Event::Debug(_) | Event::Retry { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_templates_parse() {
        // A template error would silently fall back to indicatif's default bar.
        for color in [true, false] {
            let (file, total) = templates(color);
            assert!(ProgressStyle::with_template(file).is_ok(), "{file}");
            assert!(ProgressStyle::with_template(total).is_ok(), "{total}");
        }
    }
}
