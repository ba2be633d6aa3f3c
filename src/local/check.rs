//! `verify`: re-hash the files of a dataset on disk against what dsfetch recorded when it fetched
//! them (or against a lockfile), and report what is missing, modified or extra. huggingface_hub
//! cache snapshots written by the Python library are checked against their blobs' names (the
//! sha256 or git blob sha1 of the content). Links are never followed out of the dataset (a
//! cache's links only into its repo's `blobs/`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Item, Place, hf_cache, walk};
use crate::error::Hub;
use crate::lockfile::LockEntry;
use crate::paths::STATE_DIR;
use crate::verify::{Expected, Hashers, is_hex};

/// What `verify` found in one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    /// Which hub.
    pub source: Hub,
    /// The id with its hub prefix and version or commit.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The dataset folder checked.
    pub path: PathBuf,
    /// Files hashed.
    pub checked: usize,
    /// Files it should have that are not there.
    pub missing: Vec<String>,
    /// Files whose content (or size, or kind: a link, a folder) differs.
    pub modified: Vec<String>,
    /// Files there that it should not have.
    pub extra: Vec<String>,
    /// Why nothing could be checked (no record and no checksum), if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unverifiable: Option<String>,
}

impl Findings {
    pub(super) fn new(item: &Item) -> Findings {
        Findings {
            source: item.source,
            reference: item.reference.clone(),
            path: item.path.clone(),
            checked: 0,
            missing: Vec::new(),
            modified: Vec::new(),
            extra: Vec::new(),
            unverifiable: None,
        }
    }

    /// Every file matches (nothing missing, modified or extra).
    pub fn ok(&self) -> bool {
        self.missing.is_empty() && self.modified.is_empty() && self.extra.is_empty()
    }

    /// The files a repair fetches again: missing and modified, sorted.
    pub fn bad(&self) -> Vec<String> {
        let mut v: Vec<String> = self.missing.iter().chain(&self.modified).cloned().collect();
        v.sort();
        v.dedup();
        v
    }
}

/// A file a dataset should have: path, size, and its sha256 when known.
type Want = (String, u64, Option<String>);

/// Re-hashes `item`'s files against its record (blocking: reads every byte).
pub fn verify(item: &Item) -> Findings {
    let mut out = Findings::new(item);
    let record = item.record();
    match &item.place {
        Place::HfCache { repo, commit, .. } => {
            let rec = record.filter(|r| r.commit.as_deref() == Some(commit.as_str()));
            let want: Option<Vec<Want>> = rec.map(|r| wants(&r.files));
            let listed = hf_cache::listed_files(repo, commit);
            check_snapshot(&mut out, repo, &item.path, want.as_deref(), &listed, false);
        }
        Place::Folder { root, .. } => match record {
            Some(r) => check_folder(&mut out, root, &wants(&r.files), &[STATE_DIR]),
            None => out.unverifiable = Some("no record of what was fetched".into()),
        },
        Place::Kagglehub { .. } => match record {
            Some(r) => check_folder(&mut out, &item.path, &wants(&r.files), &[]),
            None => {
                out.unverifiable = Some(
                    "kagglehub wrote it and keeps no checksums; only dsfetch's downloads can be verified"
                        .into(),
                )
            }
        },
    }
    out
}

/// Re-hashes `item`'s files (or, with no item, the folder the entry names) against the
/// lockfile entry `lock` (blocking).
pub fn verify_against(item: &Item, lock: &LockEntry) -> Findings {
    let mut out = Findings::new(item);
    let want: Vec<Want> = lock
        .files
        .iter()
        .map(|f| (f.path.clone(), f.size, Some(f.sha256.clone())))
        .collect();
    match &item.place {
        Place::HfCache { repo, .. } => {
            check_snapshot(&mut out, repo, &item.path, Some(&want), &[], true)
        }
        Place::Folder { root, .. } => check_folder(&mut out, root, &want, &[STATE_DIR]),
        Place::Kagglehub { .. } => check_folder(&mut out, &item.path, &want, &[]),
    }
    out
}

fn wants(files: &[crate::record::FileEntry]) -> Vec<Want> {
    files
        .iter()
        .map(|f| (f.path.clone(), f.size, Some(f.sha256.clone())))
        .collect()
}

/// A plain folder: every wanted file a regular file with its size and sha256, reached without a
/// link; anything else found there is extra.
fn check_folder(out: &mut Findings, root: &Path, want: &[Want], skip: &[&str]) {
    let wanted: HashSet<&str> = want.iter().map(|w| w.0.as_str()).collect();
    for (path, size, sha256) in want {
        let Ok(local) = crate::paths::join_safe(root, path, "file name") else {
            out.modified.push(path.clone());
            continue;
        };
        if crate::paths::ensure_no_symlink_between(root, &local).is_err() {
            out.modified.push(path.clone());
            continue;
        }
        match std::fs::symlink_metadata(&local) {
            Err(_) => out.missing.push(path.clone()),
            Ok(md) if !md.is_file() || md.len() != *size => out.modified.push(path.clone()),
            Ok(_) => {
                out.checked += 1;
                if !content_matches(&local, *size, sha256.as_deref(), None) {
                    out.modified.push(path.clone());
                }
            }
        }
    }
    for f in walk::files(root, skip) {
        if !wanted.contains(f.rel.as_str()) {
            out.extra.push(f.rel);
        }
    }
}

/// A huggingface_hub snapshot: each entry's blob (inside the repo) hashed against the record, or
/// against the blob's own name (sha256, or git blob sha1) when the record does not list it. What
/// the record (or `trees/COMMIT.json`) lists and the snapshot lacks is missing. With `extras`
/// (a lockfile pins exactly the files), entries it does not list are extra; otherwise they are
/// the cache's own (another selection, the Python library) and checked by name.
fn check_snapshot(
    out: &mut Findings,
    repo: &Path,
    snap: &Path,
    want: Option<&[Want]>,
    listed: &[(String, u64)],
    extras: bool,
) {
    let entries = walk::files(snap, &[]);
    let present: HashSet<&str> = entries.iter().map(|e| e.rel.as_str()).collect();
    for e in &entries {
        let recorded = want.and_then(|w| w.iter().find(|x| x.0 == e.rel));
        if extras && recorded.is_none() {
            out.extra.push(e.rel.clone());
            continue;
        }
        let Some(blob) = hf_cache::blob_of(repo, &snap.join(&e.rel)) else {
            out.modified.push(e.rel.clone());
            continue;
        };
        let Ok(md) = std::fs::metadata(&blob) else {
            out.missing.push(e.rel.clone());
            continue;
        };
        let name = blob.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ok = match recorded {
            Some((_, size, sha)) => {
                md.len() == *size && content_matches(&blob, *size, sha.as_deref(), None)
            }
            None => content_matches(&blob, md.len(), None, Some(name)),
        };
        out.checked += 1;
        if !ok {
            out.modified.push(e.rel.clone());
        }
    }
    let expected = want
        .map(|w| w.iter().map(|x| x.0.clone()).collect::<Vec<_>>())
        .unwrap_or_else(|| listed.iter().map(|l| l.0.clone()).collect());
    for p in expected {
        if !present.contains(p.as_str()) {
            out.missing.push(p);
        }
    }
}

/// Whether the `size` bytes of `path` hash to `sha256` (when given) and to the digest `name`
/// stands for (a 64-hex sha256 or a 40-hex git blob sha1; other names are not checked).
fn content_matches(path: &Path, size: u64, sha256: Option<&str>, name: Option<&str>) -> bool {
    let by_name = match name {
        Some(n) if is_hex(n, 64) => Some(Expected::Sha256(n.to_ascii_lowercase())),
        Some(n) if is_hex(n, 40) => Some(Expected::GitSha1(n.to_ascii_lowercase())),
        _ => None,
    };
    if sha256.is_none() && by_name.is_none() {
        return true;
    }
    let mut h = Hashers::new(by_name.as_ref(), Some(size), false);
    if crate::verify::hash_prefix(path, size, &mut h).is_err() {
        return false;
    }
    let d = h.finish();
    sha256.is_none_or(|s| d.sha256.eq_ignore_ascii_case(s))
        && by_name.is_none_or(|e| d.check(&e).is_ok())
}
