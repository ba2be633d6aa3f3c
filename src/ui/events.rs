//! The progress events as the user sees them: one method per event, in each mode (bars, plain
//! lines, NDJSON).

use std::time::{Duration, Instant};

use dsfetch::progress::{Event, Reporter, TransferId};
use dsfetch::sanitize::for_terminal;
use dsfetch::units::human_bytes;
use indicatif::ProgressBar;
use serde_json::json;

use super::bars::{file_style, spinner_style, total_style};
use super::{FileState, Mode, State, Ui, eprint_line, json_line};

impl Reporter for Ui {
    fn on_event(&self, event: &Event<'_>) {
        match event {
            Event::Warn(msg) => return self.warn(msg),
            Event::Debug(msg) => return self.debug(msg),
            Event::Retry {
                what,
                attempt,
                wait,
                reason,
            } => return self.retry(what, *attempt, *wait, reason),
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
            } => self.plan(&mut st, dataset, *files, *bytes, *skipped),
            Event::FileStart {
                id,
                dataset,
                name,
                total,
                resumed_from,
            } => self.file_start(&mut st, *id, dataset, name, *total, *resumed_from),
            Event::Bytes { id, delta } => self.bytes(&mut st, *id, *delta),
            Event::Verify { id } => {
                if self.mode == Mode::Json {
                    let name = st.files.get(id).map(|f| f.name.clone()).unwrap_or_default();
                    json_line(json!({"event": "verify", "id": id, "file": name}));
                }
            }
            Event::FileDone { id, bytes } => self.file_done(&mut st, *id, *bytes),
            Event::FileError { id, message } => self.file_error(&mut st, *id, message),
            Event::Extract {
                dataset,
                entries,
                bytes,
            } => {
                drop(st);
                self.extract(dataset, *entries, *bytes);
            }
            Event::DatasetDone {
                dataset,
                ok,
                message,
            } => self.dataset_done(st, dataset, *ok, message),
            Event::Warn(_) | Event::Debug(_) | Event::Retry { .. } => {}
        }
    }
}

impl Ui {
    fn warn(&self, msg: &str) {
        if self.mode == Mode::Json {
            json_line(json!({"event": "warning", "message": for_terminal(msg)}));
        } else if !self.quiet {
            self.println(&format!("dsfetch: warning: {}", for_terminal(msg)));
        }
    }

    fn debug(&self, msg: &str) {
        if self.verbose >= 2 || (self.verbose == 1 && !msg.contains(" -> ")) {
            self.println(&format!("dsfetch: {}", for_terminal(msg)));
        }
    }

    fn retry(&self, what: &str, attempt: u32, wait: Duration, reason: &str) {
        match self.mode {
            Mode::Json => json_line(json!({
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
    }

    fn plan(&self, st: &mut State, dataset: &str, files: usize, bytes: u64, skipped: usize) {
        st.planned += bytes;
        st.planned_files += files;
        match self.mode {
            Mode::Json => json_line(json!({
                "event": "plan", "dataset": for_terminal(dataset), "files": files, "bytes": bytes, "skipped": skipped})),
            Mode::Plain => eprint_line(&format!(
                "{}: {files} file(s) to download ({}), {skipped} already present",
                for_terminal(dataset),
                match (files, bytes) {
                    (0, _) => human_bytes(0),
                    // An archive whose size the listing does not give.
                    (_, 0) => "size not known yet".to_string(),
                    _ => human_bytes(bytes),
                }
            )),
            Mode::Bar => self.plan_bars(st, dataset, files, bytes),
            Mode::None => {}
        }
    }

    /// The bars of a plan: a dataset's own bar (batch), and the total bar once there is more
    /// than one transfer to sum up. Nothing to transfer draws no bar; bytes not known yet draw
    /// a spinner.
    fn plan_bars(&self, st: &mut State, dataset: &str, files: usize, bytes: u64) {
        let Some(m) = &self.multi else { return };
        if files == 0 {
            return;
        }
        if self.grouped {
            let b = m.add(ProgressBar::new(bytes));
            self.set_bar_style(&b, (bytes > 0).then_some(bytes), true);
            b.set_message(for_terminal(dataset));
            st.dataset_bars.insert(dataset.to_string(), b);
        }
        if !self.grouped && st.planned_files < 2 {
            return;
        }
        let planned = st.planned;
        let bar = st.total_bar.get_or_insert_with(|| {
            let b = m.insert(0, ProgressBar::new(planned));
            b.set_prefix("total");
            b
        });
        bar.set_length(planned);
        self.set_bar_style(bar, (planned > 0).then_some(planned), false);
    }

    /// A bar's look: a bar when its length is known, else a spinner with the bytes so far.
    fn set_bar_style(&self, bar: &ProgressBar, length: Option<u64>, per_file: bool) {
        if length.is_some() {
            bar.disable_steady_tick();
        }
        match length {
            Some(_) if per_file => bar.set_style(file_style(self.color)),
            Some(_) => bar.set_style(total_style(self.color)),
            None => {
                bar.set_style(spinner_style(self.color));
                bar.enable_steady_tick(Duration::from_millis(120));
            }
        }
    }

    fn file_start(
        &self,
        st: &mut State,
        id: TransferId,
        dataset: &str,
        name: &str,
        total: Option<u64>,
        resumed_from: u64,
    ) {
        let name = for_terminal(name);
        if self.grouped {
            let first = st
                .transfer_dataset
                .insert(id, dataset.to_string())
                .is_none();
            if let Some(b) = st.dataset_bars.get(dataset) {
                // A dataset planned without a size (an archive) takes the size once known.
                if let (Some(t), Some(0)) = (total, b.length()) {
                    b.set_length(t);
                    self.set_bar_style(b, Some(t), true);
                }
                if first {
                    b.inc(resumed_from);
                }
            }
        }
        match self.mode {
            Mode::Json => json_line(json!({
                "event": "start", "id": id, "file": name, "total": total, "resumed_from": resumed_from})),
            Mode::Plain if resumed_from > 0 => eprint_line(&format!(
                "  {name}: resuming at {}",
                human_bytes(resumed_from)
            )),
            _ => {}
        }
        let bar = match (&self.multi, st.files.get(&id).and_then(|f| f.bar.clone())) {
            _ if self.grouped => None,
            (_, Some(b)) => {
                // A restart may be the first to know the size (the answer's length).
                if let Some(t) = total
                    && b.length() != Some(t)
                {
                    b.set_length(t);
                    self.set_bar_style(&b, Some(t), true);
                }
                b.set_position(resumed_from);
                Some(b)
            }
            (Some(m), None) => {
                let b = m.add(ProgressBar::new(total.unwrap_or(0)));
                self.set_bar_style(&b, total, true);
                b.set_message(name.clone());
                b.set_position(resumed_from);
                Some(b)
            }
            _ => None,
        };
        let now = Instant::now();
        st.files.insert(
            id,
            FileState {
                name,
                total,
                done: resumed_from,
                last_line: now,
                last_pct: 0,
                bar,
                started: now,
            },
        );
    }

    fn bytes(&self, st: &mut State, id: TransferId, delta: u64) {
        if let Some(t) = &st.total_bar {
            t.inc(delta);
        }
        if let Some(b) = st
            .transfer_dataset
            .get(&id)
            .and_then(|d| st.dataset_bars.get(d))
        {
            b.inc(delta);
        }
        let Some(f) = st.files.get_mut(&id) else {
            return;
        };
        f.done += delta;
        match self.mode {
            Mode::Bar => {
                if let Some(b) = &f.bar {
                    b.inc(delta);
                }
            }
            Mode::Plain => self.plain_progress(f),
            Mode::Json => {
                let now = Instant::now();
                if now.duration_since(f.last_line) >= Duration::from_secs(1) {
                    f.last_line = now;
                    json_line(json!({
                        "event": "progress", "id": id, "file": f.name, "bytes": f.done, "total": f.total}));
                }
            }
            Mode::None => {}
        }
    }

    fn file_done(&self, st: &mut State, id: TransferId, bytes: u64) {
        let Some(f) = st.files.remove(&id) else {
            return;
        };
        if let Some(b) = &f.bar {
            b.finish_and_clear();
            if let Some(m) = &self.multi {
                m.remove(b);
            }
        }
        match self.mode {
            Mode::Json => json_line(json!({
                "event": "done", "id": id, "file": f.name, "bytes": bytes, "size": f.total})),
            Mode::Plain => eprint_line(&format!(
                "  {}: done ({}, {} transferred)",
                f.name,
                human_bytes(f.total.unwrap_or(f.done)),
                human_bytes(bytes)
            )),
            _ => {}
        }
    }

    fn file_error(&self, st: &mut State, id: TransferId, message: &str) {
        let Some(f) = st.files.remove(&id) else {
            return;
        };
        if let Some(b) = &f.bar {
            b.finish_and_clear();
        }
        if self.mode == Mode::Json {
            json_line(
                json!({"event": "error", "id": id, "file": f.name, "message": for_terminal(message)}),
            );
        }
    }

    fn extract(&self, dataset: &str, entries: usize, bytes: u64) {
        match self.mode {
            Mode::Json => json_line(json!({
                "event": "extract", "dataset": for_terminal(dataset), "entries": entries, "bytes": bytes})),
            _ => self.println(&format!(
                "{}: extracting {entries} file(s) ({})",
                for_terminal(dataset),
                human_bytes(bytes)
            )),
        }
    }

    fn dataset_done(
        &self,
        mut st: std::sync::MutexGuard<'_, State>,
        dataset: &str,
        ok: bool,
        message: &str,
    ) {
        if let Some(b) = st.dataset_bars.remove(dataset) {
            b.finish_and_clear();
            if let Some(m) = &self.multi {
                m.remove(&b);
            }
        }
        drop(st);
        let mark = if ok { "done" } else { "FAILED" };
        match self.mode {
            Mode::Json => json_line(json!({
                "event": "dataset_done", "dataset": for_terminal(dataset), "ok": ok, "message": for_terminal(message)})),
            _ => self.println(&format!(
                "{}: {mark}: {}",
                for_terminal(dataset),
                for_terminal(message)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar_ui() -> Ui {
        Ui::new(Mode::Bar, false, 0)
    }

    #[test]
    fn nothing_to_transfer_draws_no_bar() {
        let ui = bar_ui();
        ui.on_event(&Event::Plan {
            dataset: "hf:a/b",
            files: 0,
            bytes: 0,
            skipped: 3,
        });
        let st = ui.state.lock().unwrap();
        assert!(st.total_bar.is_none() && st.files.is_empty());
    }

    #[test]
    fn an_archive_of_unknown_size_spins_then_takes_its_length() {
        let ui = bar_ui();
        ui.on_event(&Event::Plan {
            dataset: "kaggle:a/b/versions/1",
            files: 1,
            bytes: 0,
            skipped: 0,
        });
        assert!(
            ui.state.lock().unwrap().total_bar.is_none(),
            "one transfer, no total"
        );
        let start = |total| Event::FileStart {
            id: 7,
            dataset: "kaggle:a/b/versions/1",
            name: "b.zip",
            total,
            resumed_from: 0,
        };
        ui.on_event(&start(None));
        ui.on_event(&Event::Bytes { id: 7, delta: 255 });
        let length = |ui: &Ui| {
            let st = ui.state.lock().unwrap();
            st.files[&7].bar.as_ref().unwrap().length()
        };
        // A spinner: no length to be full against.
        assert_eq!(length(&ui), Some(0));
        // The first answer gives the length: the bar takes it.
        ui.on_event(&start(Some(10_000)));
        assert_eq!(length(&ui), Some(10_000));
    }

    #[test]
    fn several_transfers_get_a_total_bar_of_their_sum() {
        let ui = bar_ui();
        ui.on_event(&Event::Plan {
            dataset: "hf:a/b",
            files: 2,
            bytes: 300,
            skipped: 0,
        });
        let st = ui.state.lock().unwrap();
        assert_eq!(st.total_bar.as_ref().unwrap().length(), Some(300));
    }
}
