//! The download history: one JSON line per download or batch entry, appended to
//! `history.jsonl` in the platform data folder (`~/.local/share/dsfetch` on Linux,
//! `XDG_DATA_HOME` honoured), so that a user can see what happened last night in CI.
//!
//! Lines never hold a secret: ids, versions, counts, times and the error's message (errors never
//! carry credentials). Writers take an OS lock on `history.lock` for the append (one `write` of
//! whole lines) and the rotation, so concurrent processes never interleave partial lines and
//! never write into a file being rotated. The file is bounded: past [`MAX_BYTES`] it becomes
//! `history.jsonl.1` (replacing the previous one) and a new file starts.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::env::Env;
use crate::error::{Error, Result};
use crate::report::DownloadReport;

/// The size past which the history file is rotated (the previous generation is kept too).
pub const MAX_BYTES: u64 = 1 << 20;

/// One line of the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When the download ended, ISO 8601 in UTC (`2024-05-06T07:08:09Z`).
    pub time: String,
    /// The command: `download` or `batch`.
    pub command: String,
    /// The dataset as the user named it, with its hub prefix (`hf:acme/corpus@main`,
    /// `kaggle:alice/titanic`).
    pub id: String,
    /// Kaggle version fetched.
    #[serde(default)]
    pub version: Option<u32>,
    /// Hugging Face commit fetched.
    #[serde(default)]
    pub commit: Option<String>,
    /// Files of the dataset (present and fetched).
    #[serde(default)]
    pub files: usize,
    /// Bytes received from the network.
    #[serde(default)]
    pub bytes: u64,
    /// Wall time, in seconds.
    #[serde(default)]
    pub seconds: f64,
    /// `ok`, `failed` or `interrupted`.
    pub outcome: String,
    /// The exit code this outcome has on its own (DESIGN: 0, 1-6, 130).
    pub exit_code: u8,
    /// Where the files are (the dataset folder), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The error, one line, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Entry {
    /// The line of one download: `command` (`download`, `batch`) of `id` (with its hub prefix),
    /// ended at `now` after `seconds`, with its result; `message` renders an error (the front
    /// end's words).
    pub fn of(
        command: &str,
        id: &str,
        result: std::result::Result<&DownloadReport, &Error>,
        seconds: f64,
        now: SystemTime,
        message: impl Fn(&Error) -> String,
    ) -> Entry {
        let mut e = Entry {
            time: crate::units::iso8601(now),
            command: command.to_string(),
            id: crate::sanitize::for_terminal(id),
            version: None,
            commit: None,
            files: 0,
            bytes: 0,
            seconds: (seconds * 1000.0).round() / 1000.0,
            outcome: "ok".into(),
            exit_code: 0,
            path: None,
            error: None,
        };
        match result {
            Ok(r) => {
                e.version = r.version;
                e.commit = r.commit.clone();
                e.files = r.files.len();
                e.bytes = r.bytes_downloaded;
                e.path = Some(r.file_path.display().to_string());
            }
            Err(err) => {
                e.outcome = match err.kind() {
                    crate::error::ErrorKind::Interrupted => "interrupted",
                    _ => "failed",
                }
                .into();
                e.exit_code = err.kind().exit_code();
                e.error = Some(crate::sanitize::for_terminal(&message(err)));
            }
        }
        e
    }
}

/// The history file: `XDG_DATA_HOME/dsfetch/history.jsonl`, else `~/.local/share/dsfetch/...`
/// on Linux, else the platform data folder (`directories`). `None` when no home is known.
pub fn path(env: &Env) -> Option<PathBuf> {
    let dir = match env.get("XDG_DATA_HOME") {
        Some(x) => PathBuf::from(x).join("dsfetch"),
        None if cfg!(target_os = "linux") => env.home_join(".local/share")?.join("dsfetch"),
        None => directories::ProjectDirs::from("", "", "dsfetch")?
            .data_dir()
            .to_path_buf(),
    };
    Some(dir.join("history.jsonl"))
}

/// The rotated generation of `path` (`history.jsonl.1`).
fn previous(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

/// Takes the history's lock (`history.lock` beside it), creating its folder.
fn lock(path: &Path) -> Result<std::fs::File> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
    let p = dir.join("history.lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .map_err(|e| Error::io("opening", &p, e))?;
    f.lock().map_err(|e| Error::io("locking", &p, e))?;
    Ok(f)
}

/// Appends `entries` to the history at `path` in one write, under the lock; rotates the file
/// once it is past [`MAX_BYTES`]. Blocking (a short file operation).
pub fn append(path: &Path, entries: &[Entry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut buf = Vec::new();
    for e in entries {
        serde_json::to_writer(&mut buf, e).map_err(|e| Error::conflict(e.to_string(), None))?;
        buf.push(b'\n');
    }
    let _lock = lock(path)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io("opening", path, e))?;
    f.write_all(&buf)
        .map_err(|e| Error::io("writing", path, e))?;
    let len = f.metadata().map_or(0, |m| m.len());
    drop(f);
    if len > MAX_BYTES {
        let old = previous(path);
        std::fs::rename(path, &old).map_err(|e| Error::io("rotating", path, e))?;
    }
    Ok(())
}

/// The last `limit` entries (all with `None`), oldest first, from the rotated generation and the
/// current file. Lines that are not entries (a newer or damaged format) are skipped.
pub fn read(path: &Path, limit: Option<usize>) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for p in [previous(path), path.to_path_buf()] {
        let f = match std::fs::File::open(&p) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io("reading", &p, e)),
        };
        for line in std::io::BufReader::new(f).lines() {
            let line = line.map_err(|e| Error::io("reading", &p, e))?;
            if let Ok(e) = serde_json::from_str::<Entry>(&line) {
                out.push(e);
            }
        }
    }
    if let Some(n) = limit {
        let skip = out.len().saturating_sub(n);
        out.drain(..skip);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Entry {
        Entry {
            time: "2024-05-06T07:08:09Z".into(),
            command: "download".into(),
            id: id.into(),
            version: Some(3),
            commit: None,
            files: 2,
            bytes: 45,
            seconds: 0.5,
            outcome: "ok".into(),
            exit_code: 0,
            path: Some("downloads/t".into()),
            error: None,
        }
    }

    #[test]
    fn appends_reads_and_rotates() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/history.jsonl");
        assert!(read(&p, None).unwrap().is_empty());
        append(&p, &[entry("kaggle:a/b"), entry("kaggle:c/d")]).unwrap();
        let got = read(&p, None).unwrap();
        assert_eq!(got, vec![entry("kaggle:a/b"), entry("kaggle:c/d")]);
        assert_eq!(read(&p, Some(1)).unwrap(), vec![entry("kaggle:c/d")]);
        // Past the bound the file rotates; the last entries stay readable, the size bounded.
        let many: Vec<Entry> = (0..8000).map(|i| entry(&format!("hf:o/n{i}"))).collect();
        for chunk in many.chunks(1000) {
            append(&p, chunk).unwrap();
        }
        let len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
        assert!(len(&previous(&p)) > 0);
        assert!(len(&p) + len(&previous(&p)) <= 2 * MAX_BYTES + 200_000);
        let last = read(&p, Some(2)).unwrap();
        assert_eq!(last[1].id, "hf:o/n7999");
        assert_eq!(last[0].id, "hf:o/n7998");
        // A damaged line is skipped, not fatal.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"{\"tim\n")
            .unwrap();
        assert_eq!(read(&p, Some(1)).unwrap()[0].id, "hf:o/n7999");
    }

    #[test]
    fn the_data_folder_follows_xdg() {
        let env = Env::from_pairs([("XDG_DATA_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(
            path(&env).unwrap(),
            PathBuf::from("/x/dsfetch/history.jsonl")
        );
        if cfg!(target_os = "linux") {
            let env = Env::from_pairs([("HOME", "/h")]);
            assert_eq!(
                path(&env).unwrap(),
                PathBuf::from("/h/.local/share/dsfetch/history.jsonl")
            );
        }
    }
}
