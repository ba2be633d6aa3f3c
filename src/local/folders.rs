//! Dataset folders under the download root, found through their `.dsfetch` record: `ROOT/NAME`
//! and one level below (`ROOT/models/NAME`, `ROOT/spaces/NAME`, `ROOT/competitions/NAME`).

use std::path::Path;

use super::{Item, Place, State, walk};
use crate::error::Result;
use crate::paths::STATE_DIR;
use crate::settings::LayoutKind;

/// The dataset folders under `root` (none when it does not exist). Links are not followed.
pub(super) fn scan(root: &Path) -> Result<Vec<Item>> {
    let mut out = Vec::new();
    for dir in subfolders(root) {
        match item(&dir) {
            Some(i) => out.push(i),
            None => out.extend(subfolders(&dir).iter().filter_map(|d| item(d))),
        }
    }
    Ok(out)
}

/// The folders directly in `dir` (not links, not dsfetch's own).
pub(super) fn subfolders(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_name() != STATE_DIR)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// The dataset in `folder`, if it holds a record.
pub(super) fn item(folder: &Path) -> Option<Item> {
    let state = crate::record::state_dir(folder);
    let record = crate::record::load(&state)?;
    let saved = crate::record::saved_at(&state);
    let found = walk::files(folder, &[STATE_DIR]);
    let (files, size) = walk::recorded_size(&found, &record);
    let (partial_bytes, pending_bytes) = walk::partials(&state);
    let modified = walk::modified(folder, &record, saved);
    let state_of = match (
        &modified[..],
        partial_bytes > 0 || crate::record::interrupted(&state),
    ) {
        ([_, ..], _) => State::Modified,
        ([], true) => State::Partial,
        ([], false) => State::Complete,
    };
    Some(Item {
        source: record.source,
        kind: super::kind_of(record.source, &record.dataset_id),
        reference: super::reference(
            record.source,
            &record.dataset_id,
            record.version,
            record.commit.as_deref(),
        ),
        id: record.dataset_id.clone(),
        layout: LayoutKind::Folder,
        path: folder.to_path_buf(),
        version: record.version,
        commit: record.commit.clone(),
        refs: Vec::new(),
        files,
        size: size + partial_bytes,
        last_fetched: saved.map(crate::units::iso8601),
        state: state_of,
        partial_bytes,
        pending_bytes,
        modified,
        by_dsfetch: true,
        last_used: saved,
        place: Place::Folder {
            root: folder.to_path_buf(),
            state,
        },
    })
}
