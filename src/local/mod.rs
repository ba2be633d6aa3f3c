//! What is on disk: the datasets dsfetch can see locally, in three roots it knows: the
//! download root (folders found through their `.dsfetch` record), the huggingface_hub cache and
//! the kagglehub cache (read in their own structure, so entries the Python libraries wrote
//! themselves are found too). [`scan`] lists them as [`Item`]s with their state; `check.rs`
//! re-hashes them, `remove.rs` deletes them (never outside the roots, never through a symbolic
//! link), `repair.rs` fetches bad files again.
//!
//! Everything here is blocking file-system work: call it from a blocking thread.

mod check;
mod delete;
mod folders;
mod hf_cache;
mod kagglehub;
mod remove;
mod repair;
mod walk;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

pub use check::{Findings, verify, verify_against};
pub use delete::{Deleted, delete};
pub use remove::{PruneOptions, Removal, plan_prune, plan_rm};
pub use repair::repair;

use crate::env::Env;
use crate::error::{Hub, Result};
use crate::record::Record;
use crate::settings::LayoutKind;

/// The roots dsfetch knows; nothing outside them is ever deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roots {
    /// The download root (`DSFETCH_DOWNLOAD_DIR`, config `download_dir`, `./downloads`).
    pub download: PathBuf,
    /// The huggingface_hub cache, when it can be located.
    pub hf_cache: Option<PathBuf>,
    /// The kagglehub cache, when it can be located.
    pub kagglehub: Option<PathBuf>,
}

impl Roots {
    /// The roots of `download_root` and the caches `env` names (as `--layout` finds them).
    pub fn new(download_root: &Path, env: &Env) -> Roots {
        Roots {
            download: download_root.to_path_buf(),
            hf_cache: crate::sink::hf_hub_cache(env).ok(),
            kagglehub: crate::sink::kagglehub_cache(env).ok(),
        }
    }

    /// Every root that exists, with its layout.
    fn each(&self) -> Vec<(LayoutKind, &Path)> {
        let mut out = vec![(LayoutKind::Folder, self.download.as_path())];
        if let Some(p) = &self.hf_cache {
            out.push((LayoutKind::HfCache, p));
        }
        if let Some(p) = &self.kagglehub {
            out.push((LayoutKind::Kagglehub, p));
        }
        out
    }

    /// The root `path` lies in (lexically and once resolved), if any: the only places anything
    /// may be deleted.
    pub fn root_of(&self, path: &Path) -> Option<PathBuf> {
        let resolved = std::fs::canonicalize(path).ok();
        self.each().into_iter().find_map(|(_, root)| {
            let real = std::fs::canonicalize(root).ok()?;
            let inside = |p: &Path| p.starts_with(root) || p.starts_with(&real);
            (inside(path) && resolved.as_deref().is_none_or(|r| r.starts_with(&real)))
                .then(|| root.to_path_buf())
        })
    }
}

/// The state of a dataset on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Every file it should have is there, as it was fetched.
    Complete,
    /// A download is unfinished: partial files wait to be resumed (or files are missing).
    Partial,
    /// A file was changed, removed or replaced since it was fetched (by size and modification
    /// time; `verify` re-hashes).
    Modified,
}

/// One dataset (at one version or commit) on disk.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Which hub.
    pub source: Hub,
    /// `dataset`, `model`, `space` or `competition`.
    pub kind: &'static str,
    /// The id as records name it: `OWNER/NAME`, `models/OWNER/NAME`, `OWNER/SLUG`,
    /// `competitions/NAME`, `models/OWNER/MODEL/FRAMEWORK/VARIATION`.
    pub id: String,
    /// The id with its hub prefix and version or commit, as `dsfetch download` takes it.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Where it is: a plain folder, or one of the Python libraries' caches.
    pub layout: LayoutKind,
    /// The dataset folder (a cache's snapshot or version folder).
    pub path: PathBuf,
    /// Kaggle version.
    pub version: Option<u32>,
    /// Hugging Face commit.
    pub commit: Option<String>,
    /// huggingface_hub cache: the refs (branches, tags) pointing at this commit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
    /// Files present.
    pub files: usize,
    /// Bytes on disk (blobs counted once), partial downloads included.
    pub size: u64,
    /// When it was last fetched (ISO 8601, UTC), when known.
    pub last_fetched: Option<String>,
    /// Complete, partial or modified.
    pub state: State,
    /// Bytes held by partial downloads.
    pub partial_bytes: u64,
    /// Bytes still to come for those partial downloads (as far as their size is known), or of
    /// files a cache's listing names but the snapshot lacks.
    pub pending_bytes: u64,
    /// Files changed, missing or replaced since they were fetched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modified: Vec<String>,
    /// dsfetch keeps a record of it (otherwise a Python library wrote it).
    pub by_dsfetch: bool,
    /// When it was last fetched, for ordering (least recently used first).
    #[serde(skip)]
    pub last_used: Option<SystemTime>,
    #[serde(skip)]
    pub(crate) place: Place,
}

/// Where an item's parts are, for checking, repairing and removing it.
#[derive(Debug, Clone)]
pub(crate) enum Place {
    /// A plain folder: the dataset folder and its state folder (`.dsfetch`).
    Folder { root: PathBuf, state: PathBuf },
    /// The huggingface_hub cache: the repo folder, this snapshot's commit, dsfetch's state.
    HfCache {
        cache: PathBuf,
        repo: PathBuf,
        commit: String,
        state: PathBuf,
    },
    /// kagglehub's cache: the folder holding the versions, this version's leaf and folder,
    /// dsfetch's state.
    Kagglehub {
        cache: PathBuf,
        base: PathBuf,
        leaf: String,
        state: PathBuf,
    },
}

impl Place {
    /// dsfetch's state folder of the item (record, lock, partial files).
    pub(crate) fn state(&self) -> &Path {
        match self {
            Place::Folder { state, .. }
            | Place::HfCache { state, .. }
            | Place::Kagglehub { state, .. } => state,
        }
    }
}

impl Item {
    /// The record dsfetch keeps of it, if any.
    pub(crate) fn record(&self) -> Option<Record> {
        crate::record::load(self.place.state())
    }
}

/// What an id names, split for matching: the hub (if given), the id with its kind prefix, and
/// the version or revision (if given).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wanted {
    hub: Option<Hub>,
    id: String,
    pin: Option<String>,
}

/// Which items a command looks at: a hub, and paths or ids (any of them).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this hub.
    pub source: Option<Hub>,
    paths: Vec<PathBuf>,
    ids: Vec<Wanted>,
}

impl Filter {
    /// A filter of `source` and `targets`: each an existing path, else an id (`hf:OWNER/NAME`,
    /// `kaggle:OWNER/SLUG/versions/N`, `OWNER/NAME@REV`, `models/...`).
    pub fn new(source: Option<Hub>, targets: &[String]) -> Filter {
        let mut f = Filter {
            source,
            ..Filter::default()
        };
        for t in targets {
            let p = Path::new(t);
            if p.exists() {
                f.paths
                    .push(std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()));
            } else {
                f.ids.push(wanted(t));
            }
        }
        f
    }

    /// The paths named, for folders outside the roots (listed when they hold a record).
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Whether a target was given at all.
    pub fn is_all(&self) -> bool {
        self.paths.is_empty() && self.ids.is_empty()
    }

    /// Whether `item` is selected.
    pub fn matches(&self, item: &Item) -> bool {
        if self.source.is_some_and(|s| s != item.source) {
            return false;
        }
        if self.is_all() {
            return true;
        }
        let real = std::fs::canonicalize(&item.path).unwrap_or_else(|_| item.path.clone());
        self.paths
            .iter()
            .any(|p| real.starts_with(p) || p.starts_with(&real))
            || self.ids.iter().any(|w| id_matches(w, item))
    }
}

fn wanted(text: &str) -> Wanted {
    let (hub, rest) = match text.split_once(':') {
        Some(("hf", r)) => (Some(Hub::HuggingFace), r),
        Some(("kaggle", r)) => (Some(Hub::Kaggle), r),
        _ => (None, text),
    };
    let rest = rest.trim_end_matches('/');
    let (id, pin) = match rest.split_once('@') {
        Some((i, r)) => (i, Some(r.to_string())),
        None => match rest.rsplit_once("/versions/") {
            Some((i, v)) if v.parse::<u32>().is_ok() => (i, Some(v.to_string())),
            _ => (rest, None),
        },
    };
    Wanted {
        hub,
        id: id.strip_prefix("datasets/").unwrap_or(id).to_string(),
        pin,
    }
}

fn id_matches(w: &Wanted, item: &Item) -> bool {
    if w.hub.is_some_and(|h| h != item.source) || w.id != item.id {
        return false;
    }
    match &w.pin {
        None => true,
        Some(p) => {
            item.version.is_some_and(|v| v.to_string() == *p)
                || item
                    .commit
                    .as_deref()
                    .is_some_and(|c| c.starts_with(p.as_str()))
                || item.refs.iter().any(|r| r == p)
        }
    }
}

/// The kind and prefixed reference of a record's id: HF `models/O/N` and `spaces/O/N`, Kaggle
/// `competitions/NAME` and `models/O/M/F/V`; anything else is a dataset.
pub(crate) fn kind_of(source: Hub, id: &str) -> &'static str {
    let segs: Vec<&str> = id.split('/').collect();
    match (source, segs.as_slice()) {
        (Hub::HuggingFace, ["models", _, _]) => "model",
        (Hub::HuggingFace, ["spaces", _, _]) => "space",
        (Hub::Kaggle, ["competitions", _]) => "competition",
        (Hub::Kaggle, ["models", _, _, _, _]) => "model",
        _ => "dataset",
    }
}

/// `hf:ID@COMMIT`, `kaggle:ID/versions/N` (`/N` for models), `kaggle:competitions/NAME`.
pub(crate) fn reference(
    source: Hub,
    id: &str,
    version: Option<u32>,
    commit: Option<&str>,
) -> String {
    match (source, version, commit) {
        (Hub::HuggingFace, _, Some(c)) => format!("hf:{id}@{c}"),
        (Hub::HuggingFace, _, None) => format!("hf:{id}"),
        (Hub::Kaggle, Some(v), _) if kind_of(source, id) == "model" => format!("kaggle:{id}/{v}"),
        (Hub::Kaggle, Some(v), _) => format!("kaggle:{id}/versions/{v}"),
        (Hub::Kaggle, None, _) => format!("kaggle:{id}"),
    }
}

/// Every item under the roots that `filter` selects (plus folders it names outside the roots
/// that hold a dsfetch record), sorted by source, id and path. `now` is the time partial
/// downloads are judged against (unused for listing; kept for symmetry with pruning).
pub fn scan(roots: &Roots, filter: &Filter) -> Result<Vec<Item>> {
    let mut items = folders::scan(&roots.download)?;
    for p in filter.paths() {
        if roots.root_of(p).is_none() && crate::record::load(&crate::record::state_dir(p)).is_some()
        {
            items.extend(folders::item(p));
        }
    }
    if let Some(c) = &roots.hf_cache {
        items.extend(hf_cache::scan(c)?);
    }
    if let Some(c) = &roots.kagglehub {
        items.extend(kagglehub::scan(c)?);
    }
    items.retain(|i| filter.matches(i));
    items.sort_by(|a, b| {
        (a.source.as_str(), &a.id, &a.path).cmp(&(b.source.as_str(), &b.id, &b.path))
    });
    Ok(items)
}

/// The item the lockfile entry `lock` pins: the one on disk at its folder, or (when nothing is
/// there any more) a plain folder to fetch it into again.
pub fn locked_item(items: &[Item], lock: &crate::lockfile::LockEntry) -> Item {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let folder = canon(&lock.folder);
    if let Some(i) = items.iter().find(|i| canon(&i.path) == folder) {
        return i.clone();
    }
    let state = crate::record::state_dir(&lock.folder);
    Item {
        source: lock.source,
        kind: kind_of(lock.source, &lock.id),
        id: lock.id.clone(),
        reference: reference(lock.source, &lock.id, lock.version, lock.commit.as_deref()),
        layout: LayoutKind::Folder,
        path: lock.folder.clone(),
        version: lock.version,
        commit: lock.commit.clone(),
        refs: Vec::new(),
        files: 0,
        size: 0,
        last_fetched: None,
        state: State::Partial,
        partial_bytes: 0,
        pending_bytes: 0,
        modified: Vec::new(),
        by_dsfetch: false,
        last_used: None,
        place: Place::Folder {
            root: lock.folder.clone(),
            state,
        },
    }
}

/// The modification time of `path` (not following a link), if it has one.
pub(crate) fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::symlink_metadata(path).ok()?.modified().ok()
}

#[cfg(test)]
mod tests;
