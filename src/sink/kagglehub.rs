//! kagglehub's cache layout (protocol/kaggle.md §9): `datasets/OWNER/SLUG/versions/N/` holds the
//! extracted files; `N.complete` marks a whole version and `.complete/N/<path>.complete` each
//! file, so that `dataset_download(handle)` and `dataset_download(handle, path=...)` find them
//! without a request.

use std::path::Path;

use crate::error::{Error, Result};

/// Writes the markers of `leaf` (a version, or a competition's name) under `base`: one per file,
/// and the whole download's when `whole`.
pub(super) fn write_markers<'a>(
    base: &Path,
    leaf: &str,
    files: impl Iterator<Item = &'a str>,
    whole: bool,
) -> Result<()> {
    let per_file = base.join(".complete").join(leaf);
    for f in files {
        let marker = crate::paths::join_safe(&per_file, &format!("{f}.complete"), "file name")?;
        if let Some(parent) = marker.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
        }
        std::fs::write(&marker, b"").map_err(|e| Error::io("writing", &marker, e))?;
    }
    if whole {
        let marker = base.join(format!("{leaf}.complete"));
        std::fs::write(&marker, b"").map_err(|e| Error::io("writing", &marker, e))?;
    }
    Ok(())
}
