//! What both downloaders share: options, the report they return, endpoint resolution, the
//! per-folder skip logic and the concurrent file loop.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt;
use reqwest::Url;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::env::Env;
use crate::error::{Error, Result, Source};
use crate::pattern::Selection;
use crate::progress::{Event, Reporter};
use crate::record::{self, FileEntry, Record};

/// Options of one dataset download.
#[derive(Debug, Clone)]
pub struct DownloadOptions {
    /// `-o DIR`: the dataset's files go directly here.
    pub output: Option<PathBuf>,
    /// The download root used when `output` is not set (`<root>/<folder name>`).
    pub root: PathBuf,
    /// Re-download everything, and accept a folder that holds another dataset.
    pub force: bool,
    /// Files downloaded at once.
    pub jobs: usize,
    /// Include / exclude patterns.
    pub selection: Selection,
    /// Resolve and plan only; write nothing.
    pub dry_run: bool,
    /// Cap on simultaneous connections shared with other downloads (batch).
    pub connections: Option<Arc<Semaphore>>,
    /// Where files go: a plain folder, or one of the Python libraries' caches.
    pub layout: Layout,
    /// How large files are split into parallel ranged chunks (`--connections`).
    pub parallel: crate::transfer::ParallelConfig,
    /// Files the result must match exactly (path → size and sha256), from a lockfile. Local
    /// copies are re-hashed; a corrupted one is fetched again; upstream bytes that differ fail
    /// with an integrity error before anything is moved into place.
    pub locked: Option<Arc<BTreeMap<String, LockedFile>>>,
}

/// A file pinned by a lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedFile {
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// Checks that the files upstream lists are exactly the locked ones.
pub fn check_locked_set<'a>(
    locked: &BTreeMap<String, LockedFile>,
    upstream: impl Iterator<Item = &'a str>,
    dataset: &str,
) -> Result<()> {
    let up: std::collections::BTreeSet<&str> = upstream.collect();
    let extra: Vec<&str> = up
        .iter()
        .copied()
        .filter(|p| !locked.contains_key(*p))
        .collect();
    let missing: Vec<&str> = locked
        .keys()
        .map(String::as_str)
        .filter(|p| !up.contains(p))
        .collect();
    if extra.is_empty() && missing.is_empty() {
        return Ok(());
    }
    let (path, what) = match (extra.first(), missing.first()) {
        (Some(p), _) => (*p, "is upstream but not in the lockfile"),
        (None, Some(p)) => (*p, "is in the lockfile but no longer upstream"),
        (None, None) => unreachable!(),
    };
    Err(Error::Integrity {
        path: format!("{dataset}: {}", crate::sanitize::for_terminal(path)),
        expected: "the files pinned by the lockfile".into(),
        actual: format!(
            "a different file list ({what}; {} extra, {} missing); upstream changed: update the lock by running without --locked",
            extra.len(),
            missing.len()
        ),
    })
}

/// The error for upstream bytes that differ from what a lockfile pins (exit 6), naming the
/// dataset and the file: `size` and (when known) `sha256` are what upstream has.
pub fn lock_mismatch(
    dataset: &str,
    path: &str,
    locked: &LockedFile,
    size: u64,
    sha256: Option<&str>,
) -> Error {
    let upstream = match sha256 {
        Some(h) => format!("size {size}, sha256 {h}"),
        None => format!("size {size}"),
    };
    Error::Integrity {
        path: format!("{dataset}: {}", crate::sanitize::for_terminal(path)),
        expected: format!(
            "size {}, sha256 {} (from the lockfile)",
            locked.size, locked.sha256
        ),
        actual: format!(
            "{upstream} upstream; the dataset changed: update the lock by running without --locked"
        ),
    }
}

/// Checks a file's size and sha256 (when known) against its lock entry.
pub fn check_lock(
    dataset: &str,
    path: &str,
    locked: Option<&LockedFile>,
    size: u64,
    sha256: Option<&str>,
) -> Result<()> {
    match locked {
        Some(l) if l.size != size || sha256.is_some_and(|h| !h.eq_ignore_ascii_case(&l.sha256)) => {
            Err(lock_mismatch(dataset, path, l, size, sha256))
        }
        _ => Ok(()),
    }
}

/// Refuses to overwrite files that dsfetch did not write (`paths`, inside `root`), unless
/// `force`; in a dry run only warns.
pub fn refuse_foreign(
    root: &Path,
    paths: &[String],
    force: bool,
    dry_run: bool,
    reporter: &dyn Reporter,
) -> Result<()> {
    let Some(first) = paths.first() else {
        return Ok(());
    };
    if force {
        return Ok(());
    }
    let more = match paths.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let message = format!(
        "{} already holds {}{more}, which dsfetch did not write and the dataset would overwrite; move it away, or use --force to overwrite it",
        root.display(),
        crate::sanitize::for_terminal(first)
    );
    if dry_run {
        reporter.on_event(&Event::Warn(&message));
        return Ok(());
    }
    Err(Error::Conflict(message))
}

/// Whether the local file at `path` (inside `root`) hashes to the locked sha256 (blocking).
pub fn local_matches(root: &Path, path: &str, want: &LockedFile) -> bool {
    let Ok(p) = crate::paths::join_safe(root, path, "file name") else {
        return false;
    };
    match std::fs::symlink_metadata(&p) {
        Ok(md) if md.is_file() && md.len() == want.size => {}
        _ => return false,
    }
    crate::verify::sha256_file(&p).is_ok_and(|(_, h)| h == want.sha256)
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            output: None,
            root: PathBuf::from("downloads"),
            force: false,
            jobs: crate::settings::DEFAULT_JOBS,
            selection: Selection::default(),
            dry_run: false,
            connections: None,
            parallel: crate::transfer::ParallelConfig::default(),
            locked: None,
            layout: Layout::Folder,
        }
    }
}

/// Where a download's files go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Layout {
    /// `-o DIR` or `<root>/<name>`, with dsfetch's record in `.dsfetch/`.
    #[default]
    Folder,
    /// The huggingface_hub cache at this root (`datasets--O--N/{blobs,snapshots,refs}`).
    HfCache(PathBuf),
    /// kagglehub's cache at this root (`datasets/O/S/versions/N` and `.complete` markers).
    Kagglehub(PathBuf),
}

impl Layout {
    /// Parses `folder`, `hf-cache` or `kagglehub`, resolving cache roots from `env`.
    pub fn parse(name: &str, env: &Env) -> Result<Layout> {
        match name {
            "folder" => Ok(Layout::Folder),
            "hf-cache" => hf_hub_cache(env).map(Layout::HfCache),
            "kagglehub" => kagglehub_cache(env).map(Layout::Kagglehub),
            other => Err(Error::usage(format!(
                "layout {other:?} is not one of folder, hf-cache, kagglehub"
            ))),
        }
    }
}

/// The huggingface_hub cache: `HF_HUB_CACHE`, `HUGGINGFACE_HUB_CACHE`, `$HF_HOME/hub`, else
/// `${XDG_CACHE_HOME:-~/.cache}/huggingface/hub` (protocol/hf.md §1.2).
pub fn hf_hub_cache(env: &Env) -> Result<PathBuf> {
    if let Some(p) = env
        .get("HF_HUB_CACHE")
        .or_else(|| env.get("HUGGINGFACE_HUB_CACHE"))
    {
        return Ok(PathBuf::from(p));
    }
    if let Some(h) = env.get("HF_HOME") {
        return Ok(PathBuf::from(h).join("hub"));
    }
    env.xdg("XDG_CACHE_HOME", ".cache")
        .map(|c| c.join("huggingface").join("hub"))
        .ok_or_else(|| Error::usage("cannot find the Hugging Face cache: set HF_HUB_CACHE or HOME"))
}

/// kagglehub's cache: `KAGGLEHUB_CACHE`, else `~/.cache/kagglehub` (protocol/kaggle.md §9).
pub fn kagglehub_cache(env: &Env) -> Result<PathBuf> {
    if let Some(p) = env.get("KAGGLEHUB_CACHE") {
        return Ok(PathBuf::from(p));
    }
    env.home_join(".cache/kagglehub")
        .ok_or_else(|| Error::usage("cannot find the kagglehub cache: set KAGGLEHUB_CACHE or HOME"))
}

impl DownloadOptions {
    /// The dataset folder: `output`, or `root/<default_name>`.
    pub fn folder(&self, default_name: &str) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join(default_name))
    }
}

/// A file in a download report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReportFile {
    /// Dataset-relative path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, when known (always after a real download; not in a dry run for files not present).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Whether it was already present and left alone.
    pub skipped: bool,
}

/// The outcome of one dataset download (the `--json` download object, minus `success`/`message`).
#[derive(Debug, Clone, Serialize)]
pub struct DownloadReport {
    /// `owner/name` or `owner/slug`.
    pub dataset_id: String,
    /// `Kaggle` or `HuggingFace`.
    pub source: Source,
    /// The dataset folder.
    pub file_path: PathBuf,
    /// HF revision asked for (or `main`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// HF commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Kaggle version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Selected files.
    pub files: Vec<ReportFile>,
    /// Bytes received from the network.
    pub bytes_downloaded: u64,
    /// Files transferred in this run.
    pub downloaded: usize,
    /// Files already present and verified by the record, not transferred.
    pub skipped: usize,
    /// Total size of the selected files.
    pub total_bytes: u64,
    /// True for a dry run (nothing was written).
    pub dry_run: bool,
}

/// Reads `HF_ENDPOINT` (default `https://huggingface.co`, trailing `/` stripped).
pub fn hf_endpoint(env: &Env) -> Result<Url> {
    endpoint(env, "HF_ENDPOINT", "https://huggingface.co")
}

/// Reads `KAGGLE_API_ENDPOINT` (default `https://api.kaggle.com`, trailing `/` stripped).
pub fn kaggle_endpoint(env: &Env) -> Result<Url> {
    endpoint(env, "KAGGLE_API_ENDPOINT", "https://api.kaggle.com")
}

fn endpoint(env: &Env, var: &str, default: &str) -> Result<Url> {
    let raw = env.get(var).unwrap_or(default).trim_end_matches('/');
    let url = Url::parse(raw).map_err(|e| {
        Error::usage(format!(
            "{var}={raw:?} is not a valid URL ({e}); unset it or fix it"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::usage(format!(
            "{var}={raw:?} must be an http(s) URL"
        )));
    }
    Ok(url)
}

/// Joins `path` (already percent-encoded) onto an endpoint, keeping any base path of a mirror.
pub fn endpoint_join(base: &Url, path: &str) -> Result<Url> {
    let s = format!("{}{}", base.as_str().trim_end_matches('/'), path);
    Url::parse(&s).map_err(|e| Error::usage(format!("cannot build a URL from {}: {e}", base)))
}

/// Percent-encodes like Python's `urllib.parse.quote(s, safe=…)`: letters, digits and `_.-~`
/// stay, plus `/` when `keep_slash`.
pub fn quote(s: &str, keep_slash: bool) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const BASE: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'_')
        .remove(b'.')
        .remove(b'-')
        .remove(b'~');
    const KEEP_SLASH: &AsciiSet = &BASE.remove(b'/');
    utf8_percent_encode(s, if keep_slash { KEEP_SLASH } else { BASE }).to_string()
}

/// The state of a dataset folder before a download: its lock and record.
pub struct Folder {
    /// The folder the dataset's files go into.
    pub root: PathBuf,
    /// Where dsfetch keeps the record, the lock and partial downloads for it.
    pub state: PathBuf,
    /// What it held before this run (empty when new, forced, or a dry run with no record).
    pub record: Record,
    /// The record found in the folder, whatever dataset it names (even under `force`): the files
    /// dsfetch placed there earlier.
    pub previous: Option<Record>,
    /// `record.files` by path.
    index: HashMap<String, usize>,
    /// The paths of `previous`.
    placed: HashSet<String>,
    _lock: Option<record::FolderLock>,
}

impl Folder {
    /// Opens (and, unless `dry_run`, locks) the dataset folder. A folder whose record names a
    /// different dataset is refused unless `force`.
    pub async fn open(
        root: PathBuf,
        state: PathBuf,
        source: Source,
        dataset_id: &str,
        force: bool,
        dry_run: bool,
        reporter: &dyn Reporter,
    ) -> Result<Folder> {
        if root.exists() && !root.is_dir() {
            return Err(Error::Conflict(format!(
                "{} exists and is not a folder; choose another output with -o",
                root.display()
            )));
        }
        let lock = if dry_run {
            None
        } else {
            std::fs::create_dir_all(&root).map_err(|e| Error::io("creating folder", &root, e))?;
            let shown = root.display().to_string();
            Some(
                record::lock(&state, || {
                    reporter.on_event(&Event::Warn(&format!(
                        "another dsfetch is working in {shown}; waiting for it to finish"
                    )))
                })
                .await?,
            )
        };
        let previous = record::load(&state);
        let record = match &previous {
            Some(r) if r.source == source && r.dataset_id == dataset_id && !force => r.clone(),
            Some(r) if !force && (r.source != source || r.dataset_id != dataset_id) => {
                return Err(Error::Conflict(format!(
                    "{} already holds {}:{}; use --force to replace it, or choose another folder with -o",
                    root.display(),
                    r.source.prefix(),
                    r.dataset_id
                )));
            }
            _ => Record::new(source, dataset_id),
        };
        let index = record
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        let placed = previous
            .iter()
            .flat_map(|r| r.files.iter().map(|f| f.path.clone()))
            .collect();
        Ok(Folder {
            root,
            state,
            record,
            previous,
            index,
            placed,
            _lock: lock,
        })
    }

    /// Whether the file at `path` is present as the record says, with content `upstream`:
    /// recorded with that identity, and on disk as a regular file of the recorded size.
    pub fn has(&self, path: &str, upstream: &str) -> Option<&FileEntry> {
        let e = &self.record.files[*self.index.get(path)?];
        if e.upstream.as_deref() != Some(upstream) {
            return None;
        }
        let local = crate::paths::join_safe(&self.root, path, "file name").ok()?;
        let md = std::fs::symlink_metadata(&local).ok()?;
        (md.is_file() && md.len() == e.size).then_some(e)
    }

    /// The local path of `path` when something that dsfetch did not place there sits at it (a
    /// file or a link the user put in the folder): writing the dataset's file would destroy it.
    pub fn foreign(&self, path: &str) -> Option<PathBuf> {
        if self.placed.contains(path) {
            return None;
        }
        let local = crate::paths::join_safe(&self.root, path, "file name").ok()?;
        let md = std::fs::symlink_metadata(&local).ok()?;
        (!md.is_dir()).then_some(local)
    }

    /// After a successful download recorded as `new`: removes the files dsfetch placed here
    /// earlier (the previous record, of this or another dataset) that `new` no longer has, and
    /// the folders they leave empty. A file whose size changed since dsfetch wrote it is kept,
    /// with a warning; files the user added were never recorded and are left alone.
    pub fn remove_stale(&self, new: &Record, reporter: &dyn Reporter) {
        let Some(prev) = &self.previous else { return };
        let keep: HashSet<&str> = new.files.iter().map(|f| f.path.as_str()).collect();
        for f in prev
            .files
            .iter()
            .filter(|f| !keep.contains(f.path.as_str()))
        {
            let Ok(local) = crate::paths::join_safe(&self.root, &f.path, "file name") else {
                continue;
            };
            if crate::paths::ensure_no_symlink_between(&self.root, &local).is_err() {
                continue;
            }
            match std::fs::symlink_metadata(&local) {
                Ok(md) if md.is_file() && md.len() == f.size => {}
                Ok(md) if md.is_file() => {
                    reporter.on_event(&Event::Warn(&format!(
                        "kept {}: the new version no longer has it, but it changed since dsfetch wrote it",
                        local.display()
                    )));
                    continue;
                }
                _ => continue,
            }
            if std::fs::remove_file(&local).is_err() {
                continue;
            }
            // Folders left empty go too, up to the dataset folder.
            let mut dir = local.parent();
            while let Some(d) = dir {
                if d == self.root || !d.starts_with(&self.root) || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
    }

    /// The folder for partial downloads.
    pub fn tmp(&self) -> PathBuf {
        record::tmp_dir(&self.state)
    }

    /// Appends a completed file to the journal.
    pub fn journal(&self, file: &FileEntry) -> Result<()> {
        record::journal(
            &self.state,
            self.record.source,
            &self.record.dataset_id,
            file,
        )
    }

    /// Saves the record.
    pub fn save(&self, record: &Record) -> Result<()> {
        record::save(&self.state, record)
    }

    /// Removes the partial-download folder if it is empty.
    pub fn tidy(&self) {
        let _ = std::fs::remove_dir(self.tmp());
    }
}

/// Runs `jobs` futures at once over `items`, stopping at the first error (in-flight transfers
/// are dropped; their partial files stay for the next run). Results come back in completion
/// order.
pub async fn run_concurrently<T, R, F, Fut>(items: Vec<T>, jobs: usize, f: F) -> Result<Vec<R>>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<R>>,
{
    let mut stream =
        futures_util::stream::iter(items.into_iter().map(f)).buffer_unordered(jobs.max(1));
    let mut out = Vec::new();
    while let Some(r) = stream.next().await {
        out.push(r?);
    }
    Ok(out)
}

/// Bytes available to an unprivileged user on the file system holding `path` (or its nearest
/// existing ancestor); `None` when unknown.
pub fn free_space(path: &Path) -> Option<u64> {
    crate::transfer::free_space(path)
}

/// Warns when the file system holding `path` has less free space than `needed` bytes.
pub fn warn_if_short_of_space(path: &Path, needed: u64, reporter: &dyn Reporter) {
    if let Some(free) = free_space(path)
        && free < needed
    {
        reporter.on_event(&Event::Warn(&format!(
            "only {} free on the file system of {}, but {} to download; the download will stop when the disk is full",
            human_bytes(free),
            path.display(),
            human_bytes(needed)
        )));
    }
}

/// A human-readable byte count (`1.5 MB`, decimal units as the hubs show them).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1000.0 && i < UNITS.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_matches_python() {
        assert_eq!(
            quote("refs/convert/parquet", false),
            "refs%2Fconvert%2Fparquet"
        );
        assert_eq!(quote("data/a b#?.csv", true), "data/a%20b%23%3F.csv");
        assert_eq!(quote("ünï", true), "%C3%BCn%C3%AF");
        assert_eq!(quote("a+b~c", true), "a%2Bb~c");
    }

    #[test]
    fn endpoints() {
        let env = Env::from_pairs([("HF_ENDPOINT", "http://127.0.0.1:9/")]);
        assert_eq!(hf_endpoint(&env).unwrap().as_str(), "http://127.0.0.1:9/");
        assert_eq!(
            endpoint_join(&hf_endpoint(&env).unwrap(), "/api/datasets")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/api/datasets"
        );
        let mirror = Env::from_pairs([("HF_ENDPOINT", "https://proxy.corp/hf/")]);
        assert_eq!(
            endpoint_join(&hf_endpoint(&mirror).unwrap(), "/api/x")
                .unwrap()
                .as_str(),
            "https://proxy.corp/hf/api/x"
        );
        assert!(hf_endpoint(&Env::from_pairs([("HF_ENDPOINT", "ftp://x")])).is_err());
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
    }
}
