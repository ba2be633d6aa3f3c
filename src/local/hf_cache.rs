//! The huggingface_hub cache read in its own structure (protocol/hf.md §7): one item per
//! snapshot (`REPO/snapshots/COMMIT`), with the refs pointing at it; blobs counted once; the
//! snapshot's links resolved inside the repo folder only. Entries the Python library wrote are
//! read the same way; dsfetch's own record (in `.locks/REPO/.dsfetch`) adds what it knows.

use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path, PathBuf};

use super::{Item, Place, State, walk};
use crate::error::{Hub, Result};
use crate::paths::STATE_DIR;
use crate::record::Record;
use crate::settings::LayoutKind;

/// A repo folder's parts.
pub(crate) struct Repo {
    /// `datasets--acme--corpus`.
    pub name: String,
    /// The repo folder.
    pub dir: PathBuf,
    /// `dataset`, `model`, `space`.
    pub kind: &'static str,
    /// The id as records name it (`acme/corpus`, `models/acme/bert`).
    pub id: String,
}

/// The repo folders of the cache at `cache` (`{datasets,models,spaces}--...`; links skipped).
pub(crate) fn repos(cache: &Path) -> Vec<Repo> {
    super::folders::subfolders(cache)
        .into_iter()
        .filter_map(|dir| {
            let name = dir.file_name()?.to_str()?.to_string();
            let (plural, rest) = name.split_once("--")?;
            let kind = match plural {
                "datasets" => "dataset",
                "models" => "model",
                "spaces" => "space",
                _ => return None,
            };
            let repo = rest.replace("--", "/");
            let id = match kind {
                "dataset" => repo,
                _ => format!("{plural}/{repo}"),
            };
            Some(Repo {
                name,
                dir,
                kind,
                id,
            })
        })
        .collect()
}

/// The refs of a repo folder: ref name (`main`, `refs/convert/parquet`) to commit.
pub(crate) fn refs(repo: &Path) -> BTreeMap<String, String> {
    walk::files(&repo.join("refs"), &[])
        .into_iter()
        .filter(|f| !f.link)
        .filter_map(|f| {
            let text = std::fs::read_to_string(repo.join("refs").join(&f.rel)).ok()?;
            Some((f.rel, text.trim().to_string()))
        })
        .collect()
}

/// The blob a snapshot entry stands for: the link's target resolved lexically, which must stay in
/// the repo's `blobs/` (a link elsewhere is never followed: `None`), or the entry itself when it
/// is a copy (huggingface_hub's mode without links).
pub(crate) fn blob_of(repo: &Path, entry: &Path) -> Option<PathBuf> {
    let md = std::fs::symlink_metadata(entry).ok()?;
    if !md.file_type().is_symlink() {
        return md.is_file().then(|| entry.to_path_buf());
    }
    let target = std::fs::read_link(entry).ok()?;
    let mut p = entry.parent()?.to_path_buf();
    for c in target.components() {
        match c {
            Component::ParentDir => {
                p.pop();
            }
            Component::Normal(n) => p.push(n),
            _ => return None,
        }
    }
    p.starts_with(repo.join("blobs")).then_some(p)
}

/// The state folder dsfetch keeps for the repo `name` in the cache `cache`.
pub(crate) fn state_of(cache: &Path, name: &str) -> PathBuf {
    cache.join(".locks").join(name).join(STATE_DIR)
}

/// Every snapshot of every repo of the cache at `cache`.
pub(super) fn scan(cache: &Path) -> Result<Vec<Item>> {
    let mut out = Vec::new();
    for repo in repos(cache) {
        let state = state_of(cache, &repo.name);
        let record = crate::record::load(&state)
            .filter(|r| r.source == Hub::HuggingFace && r.dataset_id == repo.id);
        let refs = refs(&repo.dir);
        let mut items: Vec<Item> = super::folders::subfolders(&repo.dir.join("snapshots"))
            .into_iter()
            .filter_map(|snap| {
                let commit = snap.file_name()?.to_str()?.to_string();
                let rec = record
                    .as_ref()
                    .filter(|r| r.commit.as_deref() == Some(&commit));
                Some(snapshot_item(cache, &repo, &state, &commit, rec, &refs))
            })
            .collect();
        // A download dsfetch had begun: blobs in place, the snapshot not linked yet.
        if let Some(r) = &record
            && let Some(c) = &r.commit
            && !items
                .iter()
                .any(|i| i.commit.as_deref() == Some(c.as_str()))
        {
            let mut i = snapshot_item(cache, &repo, &state, c, Some(r), &refs);
            let landed: Vec<u64> = r
                .files
                .iter()
                .filter_map(|f| f.upstream.as_deref())
                .filter(|u| u.bytes().all(|b| b.is_ascii_hexdigit()))
                .filter_map(|u| std::fs::metadata(repo.dir.join("blobs").join(u)).ok())
                .map(|m| m.len())
                .collect();
            i.files = landed.len();
            i.size = landed.iter().sum();
            i.modified.clear();
            i.state = State::Partial;
            items.push(i);
        }
        add_repo_partials(&repo.dir, &state, &mut items);
        out.extend(items);
    }
    Ok(out)
}

/// Partial downloads belong to the repo, not to one snapshot: they are shown on the newest.
fn add_repo_partials(repo: &Path, state: &Path, items: &mut [Item]) {
    let (mut held, pending) = walk::partials(state);
    for f in walk::files(&repo.join("blobs"), &[]) {
        if f.rel.ends_with(".incomplete") {
            held += f.size;
        }
    }
    if held == 0 {
        return;
    }
    if let Some(newest) = items.iter_mut().max_by_key(|i| i.last_used) {
        newest.partial_bytes += held;
        newest.pending_bytes += pending;
        newest.size += held;
        if newest.state == State::Complete {
            newest.state = State::Partial;
        }
    }
}

/// The item of the snapshot `commit` of `repo`, with dsfetch's record of it when it has one.
fn snapshot_item(
    cache: &Path,
    repo: &Repo,
    state: &Path,
    commit: &str,
    record: Option<&Record>,
    refs: &BTreeMap<String, String>,
) -> Item {
    let snap = repo.dir.join("snapshots").join(commit);
    let entries = walk::files(&snap, &[]);
    let mut blobs = HashSet::new();
    let mut size = 0;
    let mut modified = Vec::new();
    let mut present = HashSet::new();
    for e in &entries {
        match blob_of(&repo.dir, &snap.join(&e.rel))
            .and_then(|b| Some((std::fs::metadata(&b).ok()?, b)))
        {
            Some((md, blob)) => {
                if blobs.insert(blob) {
                    size += md.len();
                }
                present.insert(e.rel.as_str());
                let recorded = record.and_then(|r| r.files.iter().find(|f| f.path == e.rel));
                if recorded.is_some_and(|f| f.size != md.len()) {
                    modified.push(e.rel.clone());
                }
            }
            // A broken link, or one leading out of the repo.
            None => modified.push(e.rel.clone()),
        }
    }
    let (mut pending, mut missing) = (0, false);
    if let Some(r) = record {
        for f in r
            .files
            .iter()
            .filter(|f| !present.contains(f.path.as_str()))
        {
            modified.push(f.path.clone());
        }
    }
    for (path, bytes) in listed_files(&repo.dir, commit) {
        if !present.contains(path.as_str()) {
            pending += bytes;
            missing = true;
        }
    }
    modified.sort();
    modified.dedup();
    let pointing: Vec<String> = refs
        .iter()
        .filter(|(_, c)| c.as_str() == commit)
        .map(|(r, _)| r.clone())
        .collect();
    let saved = record.and_then(|_| crate::record::saved_at(state));
    let last_used = saved.or_else(|| {
        walk::newest(
            std::iter::once(snap.clone())
                .chain(pointing.iter().map(|r| repo.dir.join("refs").join(r))),
        )
    });
    Item {
        source: Hub::HuggingFace,
        kind: repo.kind,
        reference: super::reference(Hub::HuggingFace, &repo.id, None, Some(commit)),
        id: repo.id.clone(),
        layout: LayoutKind::HfCache,
        path: snap,
        version: None,
        commit: Some(commit.to_string()),
        refs: pointing,
        files: present.len(),
        size,
        last_fetched: last_used.map(crate::units::iso8601),
        state: match (modified.is_empty(), missing) {
            (false, _) => State::Modified,
            (true, true) => State::Partial,
            (true, false) => State::Complete,
        },
        partial_bytes: 0,
        pending_bytes: pending,
        modified,
        by_dsfetch: record.is_some(),
        last_used,
        place: Place::HfCache {
            cache: cache.to_path_buf(),
            repo: repo.dir.clone(),
            commit: commit.to_string(),
            state: state.to_path_buf(),
        },
    }
}

/// The files huggingface_hub's `trees/COMMIT.json` (1.22+) lists for a commit, with sizes;
/// empty when it is absent or not understood.
pub(crate) fn listed_files(repo: &Path, commit: &str) -> Vec<(String, u64)> {
    let Ok(bytes) = std::fs::read(repo.join("trees").join(format!("{commit}.json"))) else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    if v["format_version"] != 1 {
        return Vec::new();
    }
    v["files"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(p, f)| (p.clone(), f["size"].as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}
