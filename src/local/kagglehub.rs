//! kagglehub's cache read in its own structure (protocol/kaggle.md §9, kinds.md):
//! `datasets/OWNER/SLUG/versions/N/`, `models/OWNER/MODEL/FRAMEWORK/VARIATION/N/` and
//! `competitions/NAME/`, each with its `LEAF.complete` marker beside it, per-file markers under
//! `.complete/LEAF/`, and `LEAF.archive` while kagglehub downloads. dsfetch's state sits in
//! `BASE/.dsfetch/` (`vN`, or the competition's name).

use std::path::{Path, PathBuf};

use super::folders::subfolders;
use super::{Item, Place, State, walk};
use crate::error::{Hub, Result};
use crate::paths::STATE_DIR;
use crate::settings::LayoutKind;

/// A version (or a competition's data) in the cache.
pub(crate) struct Leaf {
    /// The folder holding the versions and the markers (`datasets/O/S`, `models/O/M/F/V`,
    /// `competitions`).
    pub base: PathBuf,
    /// The version number, or the competition's name.
    pub leaf: String,
    /// The folder holding the files.
    pub dir: PathBuf,
    /// The id as records name it.
    pub id: String,
    /// The version, for versioned kinds.
    pub version: Option<u32>,
}

impl Leaf {
    /// dsfetch's state folder for it.
    pub(crate) fn state(&self) -> PathBuf {
        let name = match self.version {
            Some(v) => format!("v{v}"),
            None => self.leaf.clone(),
        };
        self.base.join(STATE_DIR).join(name)
    }
}

/// Every version folder of the cache at `cache`.
pub(crate) fn leaves(cache: &Path) -> Vec<Leaf> {
    let mut out = Vec::new();
    for owner in subfolders(&cache.join("datasets")) {
        for slug in subfolders(&owner) {
            let id = format!("{}/{}", name(&owner), name(&slug));
            out.extend(versions(&slug, &slug.join("versions"), &id));
        }
    }
    let models = cache.join("models");
    for owner in subfolders(&models) {
        for model in subfolders(&owner) {
            for framework in subfolders(&model) {
                for variation in subfolders(&framework) {
                    let rel = variation.strip_prefix(&models).unwrap_or(&variation);
                    let id = format!("models/{}", rel.to_string_lossy().replace('\\', "/"));
                    out.extend(versions(&variation, &variation, &id));
                }
            }
        }
    }
    let competitions = cache.join("competitions");
    for dir in subfolders(&competitions) {
        let n = name(&dir);
        if n == ".complete" {
            continue;
        }
        out.push(Leaf {
            base: competitions.clone(),
            leaf: n.clone(),
            dir,
            id: format!("competitions/{n}"),
            version: None,
        });
    }
    out
}

fn name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The numbered version folders in `dir` (markers and files beside them in `base`).
fn versions(base: &Path, dir: &Path, id: &str) -> Vec<Leaf> {
    subfolders(dir)
        .into_iter()
        .filter_map(|v| {
            let n: u32 = name(&v).parse().ok()?;
            Some(Leaf {
                base: base.to_path_buf(),
                leaf: n.to_string(),
                dir: v,
                id: id.to_string(),
                version: Some(n),
            })
        })
        .collect()
}

/// Every version in the cache at `cache`.
pub(super) fn scan(cache: &Path) -> Result<Vec<Item>> {
    Ok(leaves(cache).iter().map(|l| item(cache, l)).collect())
}

fn item(cache: &Path, l: &Leaf) -> Item {
    let state = l.state();
    let record =
        crate::record::load(&state).filter(|r| r.source == Hub::Kaggle && r.dataset_id == l.id);
    let saved = record
        .as_ref()
        .and_then(|_| crate::record::saved_at(&state));
    let found = walk::files(&l.dir, &[]);
    let marker = l.base.join(format!("{}.complete", l.leaf));
    let per_file = l.base.join(".complete").join(&l.leaf);
    let archive = l.base.join(format!("{}.archive", l.leaf));
    let (mut partial_bytes, pending_bytes) = walk::partials(&state);
    partial_bytes += std::fs::symlink_metadata(&archive).map_or(0, |m| m.len());
    // Without the whole marker, each file needs its own, or the download did not finish.
    let unmarked = !marker.exists()
        && found
            .iter()
            .any(|f| !per_file.join(format!("{}.complete", f.rel)).exists());
    let modified = match &record {
        Some(r) => walk::modified(&l.dir, r, saved),
        None => Vec::new(),
    };
    let last_used = saved.or_else(|| walk::newest([marker.clone(), l.dir.clone()]));
    Item {
        source: Hub::Kaggle,
        kind: super::kind_of(Hub::Kaggle, &l.id),
        reference: super::reference(Hub::Kaggle, &l.id, l.version, None),
        id: l.id.clone(),
        layout: LayoutKind::Kagglehub,
        path: l.dir.clone(),
        version: l.version,
        commit: None,
        refs: Vec::new(),
        files: found.len(),
        size: found.iter().map(|f| f.size).sum::<u64>() + partial_bytes,
        last_fetched: last_used.map(crate::units::iso8601),
        state: match (modified.is_empty(), partial_bytes > 0 || unmarked) {
            (false, _) => State::Modified,
            (true, true) => State::Partial,
            (true, false) => State::Complete,
        },
        partial_bytes,
        pending_bytes,
        modified,
        by_dsfetch: record.is_some(),
        last_used,
        place: Place::Kagglehub {
            cache: cache.to_path_buf(),
            base: l.base.clone(),
            leaf: l.leaf.clone(),
            state,
        },
    }
}
