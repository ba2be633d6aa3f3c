//! `verify --repair`: fetch again only the files a check found missing or modified, at the
//! version or commit on disk, through the same pipeline as a download (same layout, same
//! folder). The bytes must match what was recorded (or locked) when they were first fetched.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Findings, Item, Place, hf_cache};
use crate::error::{Error, Hub, Result};
use crate::id::{CompetitionId, DatasetId, KaggleId, KaggleModelId, RepoKind};
use crate::lockfile::{LockEntry, LockedFile};
use crate::options::{DownloadOptions, Target};
use crate::pattern::Selection;
use crate::report::DownloadReport;
use crate::sink::Layout;
use crate::source::Hubs;

/// Fetches again the files `found` reports missing or modified in `item`, checked against what
/// its record (or `lock`, when verified against a lockfile) says they were. `jobs` files at once.
pub async fn repair(
    hubs: &Hubs<'_>,
    item: &Item,
    found: &Findings,
    lock: Option<&LockEntry>,
    jobs: usize,
) -> Result<DownloadReport> {
    let bad = found.bad();
    let id = dataset_id(item)?;
    let record = item.record();
    let mut expected: BTreeMap<String, LockedFile> = match (lock, &record) {
        (Some(l), _) => l.locked_files(),
        (None, Some(r)) => r
            .files
            .iter()
            .map(|f| {
                let l = LockedFile {
                    size: f.size,
                    sha256: f.sha256.clone(),
                };
                (f.path.clone(), l)
            })
            .collect(),
        (None, None) => BTreeMap::new(),
    };
    expected.retain(|p, _| bad.contains(p));
    // A whole version kept as its archive comes back as that archive.
    let zipped = record.as_ref().is_some_and(|r| {
        r.whole && r.files.len() == 1 && r.files[0].path.ends_with(".zip") && bad.len() == 1
    }) && item.source == Hub::Kaggle;
    if let Place::HfCache { repo, .. } = &item.place {
        discard_bad_blobs(repo, &item.path, &bad);
    }
    let (output, layout) = match &item.place {
        Place::Folder { root, .. } => (Some(root.clone()), Layout::Folder),
        Place::HfCache { cache, .. } => (None, Layout::HfCache(cache.clone())),
        Place::Kagglehub { cache, .. } => (None, Layout::Kagglehub(cache.clone())),
    };
    let opts = DownloadOptions {
        output,
        root: item.path.clone(),
        jobs,
        selection: match zipped {
            true => Selection::default(),
            false => Selection::only(&bad),
        },
        layout,
        locked: (!expected.is_empty()).then(|| Arc::new(expected)),
        ..DownloadOptions::default()
    };
    let target = Target {
        revision: item.commit.clone(),
        id,
        files: Vec::new(),
        keep_zipped: zipped,
    };
    crate::pipeline::download(hubs, &target, &opts).await
}

/// A cache blob whose content is wrong is garbage under its content-addressed name: it goes, so
/// that the download fetches it again (a blob of the right size is otherwise taken as present).
fn discard_bad_blobs(repo: &std::path::Path, snap: &std::path::Path, bad: &[String]) {
    for rel in bad {
        if let Ok(entry) = crate::paths::join_safe(snap, rel, "file name")
            && let Some(blob) = hf_cache::blob_of(repo, &entry)
            && blob != entry
        {
            let _ = std::fs::remove_file(&blob);
        }
    }
}

/// The id to download `item` again at its version or commit.
fn dataset_id(item: &Item) -> Result<DatasetId> {
    let segs: Vec<&str> = item.id.split('/').collect();
    let unsupported = || {
        Error::usage(format!(
            "cannot fetch {} again: its id is not one dsfetch knows",
            crate::sanitize::for_terminal(&item.reference)
        ))
    };
    Ok(match (item.source, item.kind, segs.as_slice()) {
        (Hub::HuggingFace, kind, _) => {
            let (kind, repo) = match kind {
                "model" => (RepoKind::Model, &item.id["models/".len()..]),
                "space" => (RepoKind::Space, &item.id["spaces/".len()..]),
                _ => (RepoKind::Dataset, item.id.as_str()),
            };
            DatasetId::Hf(crate::id::parse_hf_as(repo, kind)?)
        }
        (Hub::Kaggle, "competition", [_, name]) => DatasetId::Competition(CompetitionId {
            name: name.to_string(),
        }),
        (Hub::Kaggle, "model", [_, owner, model, framework, variation]) => {
            DatasetId::KaggleModel(KaggleModelId {
                owner: owner.to_string(),
                model: model.to_string(),
                framework: framework.to_string(),
                variation: variation.to_string(),
                version: item.version,
            })
        }
        (Hub::Kaggle, _, [owner, slug]) => DatasetId::Kaggle(KaggleId {
            owner: owner.to_string(),
            slug: slug.to_string(),
            version: item.version,
        }),
        _ => return Err(unsupported()),
    })
}
