//! What `rm` and `prune` delete, planned before anything goes: whole datasets, stale partial
//! downloads, huggingface_hub cache revisions no ref points to, kagglehub versions older than the
//! newest, and the least recently used datasets until a budget fits. Each plan says what it
//! frees; `delete.rs` carries it out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::{Filter, Item, Place, Roots, hf_cache, kagglehub, walk};
use crate::error::{Error, Hub, Result};
use crate::paths::STATE_DIR;
use crate::settings::LayoutKind;

/// One thing to delete, and the space it frees.
#[derive(Debug, Clone, Serialize)]
pub struct Removal {
    /// Why it goes: `dataset`, `partial download`, `unreferenced revision`, `old version`,
    /// `least recently used`.
    pub reason: &'static str,
    /// The dataset, with its hub prefix and version or commit.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The folder (or file) that goes.
    pub path: PathBuf,
    /// Bytes it frees.
    pub bytes: u64,
    /// Files left in place because dsfetch did not write them (a dataset folder's own files).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<String>,
    #[serde(skip)]
    pub(super) steps: Vec<Step>,
    /// The state folder whose lock must be free (another dsfetch at work keeps it).
    #[serde(skip)]
    pub(super) lock: Option<PathBuf>,
}

/// One deletion step.
#[derive(Debug, Clone)]
pub(super) enum Step {
    /// A file (a link: the link only).
    File(PathBuf),
    /// A folder and everything in it (links inside removed, never followed).
    Tree(PathBuf),
    /// The files a record names in a dataset folder (none reached through a link).
    Recorded { root: PathBuf, files: Vec<String> },
    /// Empty folders from this one up to (not including) the second.
    Empty(PathBuf, PathBuf),
}

/// What `prune` removes.
#[derive(Debug, Clone)]
pub struct PruneOptions {
    /// Partial downloads untouched for this long.
    pub partials: Option<Duration>,
    /// Cache revisions no ref points to, kagglehub versions older than the newest.
    pub old_versions: bool,
    /// The least recently used datasets, until everything fits in this many bytes.
    pub max_size: Option<u64>,
    /// Only this hub's datasets.
    pub source: Option<Hub>,
    /// Folders never removed (the dataset just fetched).
    pub keep: Vec<PathBuf>,
    /// The time partial downloads are judged against.
    pub now: SystemTime,
}

/// The removal of every item `filter` selects (`rm`); an error when a target matches nothing.
pub fn plan_rm(roots: &Roots, targets: &[String]) -> Result<Vec<Removal>> {
    let mut out = Vec::new();
    let all = super::scan(roots, &Filter::default())?;
    for t in targets {
        let filter = Filter::new(None, std::slice::from_ref(t));
        let items: Vec<Item> = all.iter().filter(|i| filter.matches(i)).cloned().collect();
        if items.is_empty() {
            for p in filter.paths() {
                if roots.root_of(p).is_none() {
                    return Err(Error::usage(format!(
                        "{} is outside the download root and the caches; dsfetch deletes only there",
                        p.display()
                    )));
                }
            }
            return Err(Error::NotOnDisk {
                message: format!(
                    "nothing on disk matches {}; see what is there with `dsfetch list`",
                    crate::sanitize::for_terminal(t)
                ),
            });
        }
        out.extend(removals(&all, &items, "dataset"));
    }
    let mut seen = HashSet::new();
    out.retain(|r| seen.insert(r.path.clone()));
    Ok(out)
}

/// The removals of `items` (all of `all` that go), as one step per dataset; a cache repo whose
/// every snapshot goes goes whole.
fn removals(all: &[Item], items: &[Item], reason: &'static str) -> Vec<Removal> {
    let mut out = Vec::new();
    let mut by_repo: BTreeMap<PathBuf, Vec<&Item>> = BTreeMap::new();
    for i in items {
        match &i.place {
            Place::HfCache { repo, .. } => by_repo.entry(repo.clone()).or_default().push(i),
            _ => out.push(remove_item(i, reason)),
        }
    }
    for (repo, going) in by_repo {
        let snapshots = all
            .iter()
            .filter(|i| matches!(&i.place, Place::HfCache { repo: r, .. } if *r == repo))
            .count();
        match going.len() == snapshots {
            true => out.push(remove_repo(&repo, &going, reason)),
            false => out.extend(going.iter().map(|i| remove_snapshot(all, i, reason))),
        }
    }
    out
}

fn base_removal(i: &Item, reason: &'static str) -> Removal {
    Removal {
        reason,
        reference: i.reference.clone(),
        path: i.path.clone(),
        bytes: i.size,
        kept: Vec::new(),
        steps: Vec::new(),
        lock: Some(i.place.state().to_path_buf()),
    }
}

/// A dataset folder: its recorded files and dsfetch's state (the user's own files stay), or a
/// kagglehub version: its folder, markers, archive and state.
fn remove_item(i: &Item, reason: &'static str) -> Removal {
    let mut r = base_removal(i, reason);
    match &i.place {
        Place::Folder { root, state } => {
            let files: Vec<String> = i
                .record()
                .map(|rec| rec.files.into_iter().map(|f| f.path).collect())
                .unwrap_or_default();
            let recorded: HashSet<&str> = files.iter().map(String::as_str).collect();
            r.kept = walk::files(root, &[STATE_DIR])
                .into_iter()
                .map(|f| f.rel)
                .filter(|p| !recorded.contains(p.as_str()))
                .collect();
            r.steps = vec![
                Step::Recorded {
                    root: root.clone(),
                    files,
                },
                Step::Tree(state.clone()),
                Step::Empty(root.clone(), root.parent().unwrap_or(root).to_path_buf()),
            ];
        }
        Place::Kagglehub {
            cache,
            base,
            leaf,
            state,
        } => {
            r.steps = vec![
                Step::Tree(i.path.clone()),
                Step::File(base.join(format!("{leaf}.complete"))),
                Step::File(base.join(format!("{leaf}.archive"))),
                Step::Tree(base.join(".complete").join(leaf)),
                Step::Tree(state.clone()),
                Step::Empty(base.join(".complete"), cache.clone()),
                Step::Empty(base.join(STATE_DIR), cache.clone()),
                Step::Empty(i.path.parent().unwrap_or(base).to_path_buf(), cache.clone()),
            ];
        }
        Place::HfCache { .. } => {}
    }
    r
}

/// A whole repo of the huggingface_hub cache, and dsfetch's state for it.
fn remove_repo(repo: &Path, going: &[&Item], reason: &'static str) -> Removal {
    let first = going[0];
    let mut r = base_removal(first, reason);
    r.reference = first.reference.split('@').next().unwrap_or("").to_string();
    r.path = repo.to_path_buf();
    r.bytes = walk::files(repo, &[])
        .iter()
        .filter(|f| !f.link)
        .map(|f| f.size)
        .sum();
    r.steps = vec![Step::Tree(repo.to_path_buf())];
    if let Place::HfCache { cache, state, .. } = &first.place {
        let locks = state.parent().unwrap_or(state).to_path_buf();
        r.steps.push(Step::Tree(locks));
        r.steps
            .push(Step::Empty(cache.join(".locks"), cache.clone()));
    }
    r
}

/// One snapshot of a cache repo: its folder, the refs pointing at it, and the blobs no other
/// snapshot of the repo uses.
fn remove_snapshot(all: &[Item], i: &Item, reason: &'static str) -> Removal {
    let mut r = base_removal(i, reason);
    let Place::HfCache { repo, commit, .. } = &i.place else {
        return r;
    };
    let others: HashSet<PathBuf> = all
        .iter()
        .filter(|o| matches!(&o.place, Place::HfCache { repo: x, commit: c, .. } if x == repo && c != commit))
        .flat_map(|o| blobs(repo, &o.path))
        .collect();
    r.bytes = 0;
    r.steps = vec![Step::Tree(i.path.clone())];
    for b in blobs(repo, &i.path)
        .into_iter()
        .filter(|b| !others.contains(b))
    {
        r.bytes += std::fs::metadata(&b).map_or(0, |m| m.len());
        r.steps.push(Step::File(b));
    }
    for name in &i.refs {
        r.steps.push(Step::File(repo.join("refs").join(name)));
    }
    r
}

/// The blobs a snapshot's entries stand for (inside the repo only).
fn blobs(repo: &Path, snap: &Path) -> HashSet<PathBuf> {
    walk::files(snap, &[])
        .iter()
        .filter_map(|e| hf_cache::blob_of(repo, &snap.join(&e.rel)))
        .filter(|b| b.starts_with(repo.join("blobs")))
        .collect()
}

/// What `prune` removes with `opts`, in the order it goes.
pub fn plan_prune(roots: &Roots, opts: &PruneOptions) -> Result<Vec<Removal>> {
    let filter = Filter {
        source: opts.source,
        ..Filter::default()
    };
    let mut all = super::scan(roots, &filter)?;
    let keep = |i: &Item| opts.keep.iter().any(|k| same_place(k, &i.path));
    let mut out = Vec::new();
    if let Some(age) = opts.partials {
        let before = opts.now.checked_sub(age).unwrap_or(SystemTime::UNIX_EPOCH);
        // Another hub's caches are left out when a hub is named.
        let scoped = Roots {
            download: roots.download.clone(),
            hf_cache: roots
                .hf_cache
                .clone()
                .filter(|_| opts.source != Some(Hub::Kaggle)),
            kagglehub: roots
                .kagglehub
                .clone()
                .filter(|_| opts.source != Some(Hub::HuggingFace)),
        };
        out.extend(stale_partials(&scoped, &all, before));
    }
    if opts.old_versions {
        let old: Vec<Item> = old_versions(&all)
            .into_iter()
            .filter(|i| !keep(i))
            .collect();
        let (revisions, versions): (Vec<Item>, Vec<Item>) = old
            .iter()
            .cloned()
            .partition(|i| i.layout == LayoutKind::HfCache);
        out.extend(removals(&all, &revisions, "unreferenced revision"));
        out.extend(removals(&all, &versions, "old version"));
        all.retain(|i| !old.iter().any(|o| o.path == i.path));
    }
    if let Some(budget) = opts.max_size {
        let freed: u64 = out.iter().map(|r| r.bytes).sum();
        out.extend(least_recently_used(&all, budget, freed, &keep));
    }
    Ok(out)
}

fn same_place(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canon(a) == canon(b) || canon(a).starts_with(canon(b)) || canon(b).starts_with(canon(a))
}

/// Cache revisions no ref (and no dsfetch record) points to; kagglehub versions older than the
/// newest of their dataset or model.
fn old_versions(all: &[Item]) -> Vec<Item> {
    let mut newest: HashMap<(String, LayoutKind), u32> = HashMap::new();
    for i in all.iter().filter(|i| i.layout == LayoutKind::Kagglehub) {
        if let Some(v) = i.version {
            let e = newest.entry((i.id.clone(), i.layout)).or_insert(v);
            *e = (*e).max(v);
        }
    }
    all.iter()
        .filter(|i| match i.layout {
            LayoutKind::HfCache => {
                let recorded = i.record().and_then(|r| r.commit) == i.commit;
                i.refs.is_empty() && !recorded
            }
            LayoutKind::Kagglehub => i.version.is_some_and(|v| {
                newest
                    .get(&(i.id.clone(), i.layout))
                    .is_some_and(|n| v < *n)
            }),
            LayoutKind::Folder => false,
        })
        .cloned()
        .collect()
}

/// Partial downloads last written before `before`: dsfetch's in every state folder, and the
/// Python libraries' (`blobs/*.incomplete`, `N.archive`).
fn stale_partials(roots: &Roots, all: &[Item], before: SystemTime) -> Vec<Removal> {
    // (dataset, file, bytes, the state folder whose lock guards it)
    let mut files: Vec<(String, PathBuf, u64, Option<PathBuf>)> = Vec::new();
    let mut states: Vec<(String, PathBuf)> = all
        .iter()
        .map(|i| (i.reference.clone(), i.place.state().to_path_buf()))
        .collect();
    states.extend(unrecorded_states(roots));
    let mut seen = HashSet::new();
    for (reference, state) in states {
        if seen.insert(state.clone()) {
            for (p, n) in walk::stale_partials(&state, before) {
                files.push((reference.clone(), p, n, Some(state.clone())));
            }
        }
    }
    let old = |p: &Path| super::mtime(p).is_some_and(|m| m < before);
    if let Some(cache) = &roots.hf_cache {
        for repo in hf_cache::repos(cache) {
            for f in walk::files(&repo.dir.join("blobs"), &[]) {
                let p = repo.dir.join("blobs").join(&f.rel);
                if f.rel.ends_with(".incomplete") && old(&p) {
                    files.push((format!("hf:{}", repo.id), p, f.size, None));
                }
            }
        }
    }
    if let Some(cache) = &roots.kagglehub {
        for l in kagglehub::leaves(cache) {
            let p = l.base.join(format!("{}.archive", l.leaf));
            if old(&p) {
                let n = std::fs::metadata(&p).map_or(0, |m| m.len());
                let reference = super::reference(Hub::Kaggle, &l.id, l.version, None);
                files.push((reference, p, n, None));
            }
        }
    }
    files
        .into_iter()
        .map(|(reference, path, bytes, lock)| Removal {
            reason: "partial download",
            reference,
            steps: vec![Step::File(path.clone())],
            lock,
            path,
            bytes,
            kept: Vec::new(),
        })
        .collect()
}

/// dsfetch state folders that hold no record yet (a first download stopped before any file
/// completed): under the download root and in the caches' `.locks`.
fn unrecorded_states(roots: &Roots) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut check = |dir: &Path, what: &str| {
        let state = dir.join(STATE_DIR);
        if state.is_dir() && crate::record::load(&state).is_none() {
            out.push((what.to_string(), state));
        }
    };
    for d in super::folders::subfolders(&roots.download) {
        check(&d, "(no record yet)");
        for d2 in super::folders::subfolders(&d) {
            check(&d2, "(no record yet)");
        }
    }
    if let Some(cache) = &roots.hf_cache {
        for d in super::folders::subfolders(&cache.join(".locks")) {
            check(&d, "(no record yet)");
        }
    }
    out
}

/// The least recently used datasets (a cache repo counts as one), until what remains fits in
/// `budget` once `freed` bytes are gone; `keep` ones and ones another dsfetch holds stay.
fn least_recently_used(
    all: &[Item],
    budget: u64,
    freed: u64,
    keep: &dyn Fn(&Item) -> bool,
) -> Vec<Removal> {
    let mut units: Vec<(Option<SystemTime>, Vec<&Item>)> = Vec::new();
    let mut repos: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for i in all {
        match &i.place {
            Place::HfCache { repo, .. } => match repos.get(repo) {
                Some(&u) => {
                    units[u].0 = units[u].0.max(i.last_used);
                    units[u].1.push(i);
                }
                None => {
                    repos.insert(repo.clone(), units.len());
                    units.push((i.last_used, vec![i]));
                }
            },
            _ => units.push((i.last_used, vec![i])),
        }
    }
    let removals: Vec<Removal> = units
        .iter()
        .map(|(_, items)| {
            let owned: Vec<Item> = items.iter().map(|i| (*i).clone()).collect();
            removals(all, &owned, "least recently used").remove(0)
        })
        .collect();
    let mut total: u64 = removals
        .iter()
        .map(|r| r.bytes)
        .sum::<u64>()
        .saturating_sub(freed);
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&u| units[u].0);
    let mut out = Vec::new();
    for u in order {
        if total <= budget {
            break;
        }
        if units[u].1.iter().any(|i| keep(i)) || busy(&units[u].1) {
            continue;
        }
        total = total.saturating_sub(removals[u].bytes);
        out.push(removals[u].clone());
    }
    out
}

/// Whether another dsfetch holds the lock of any of `items`.
fn busy(items: &[&Item]) -> bool {
    items.iter().any(|i| {
        matches!(
            crate::record::try_lock(i.place.state()),
            Ok(crate::record::Claim::Busy)
        )
    })
}
