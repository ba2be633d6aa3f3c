//! What a download is asked to do: where, how many at once, which files, and what must match.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::lockfile::LockedFile;
use crate::pattern::Selection;
use crate::sink::Layout;
use crate::transfer::{ParallelConfig, XetOptions};

/// Options of one dataset download.
#[derive(Debug, Clone)]
pub struct DownloadOptions {
    /// The dataset's files go directly into this folder.
    pub output: Option<PathBuf>,
    /// The download root used when `output` is not set (`<root>/<folder name>`).
    pub root: PathBuf,
    /// Re-download everything, overwrite files dsfetch did not write, and replace a folder that
    /// holds another dataset.
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
    /// How large files are split into parallel ranged chunks.
    pub parallel: ParallelConfig,
    /// Files the result must match exactly (path → size and sha256), from a lockfile. Local
    /// copies are re-hashed; a corrupted one is fetched again; upstream bytes that differ fail
    /// with an integrity error before anything is moved into place.
    pub locked: Option<Arc<BTreeMap<String, LockedFile>>>,
    /// How Xet-backed Hub files are fetched: through the CAS (with the chunk cache), or through
    /// the Hub's bridge.
    pub xet: XetOptions,
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
            parallel: ParallelConfig::default(),
            locked: None,
            layout: Layout::Folder,
            xet: XetOptions::default(),
        }
    }
}

/// A dataset as the user names it: the id (with the hub), and what the id cannot say.
#[derive(Debug, Clone)]
pub struct Target {
    /// The dataset.
    pub id: crate::id::DatasetId,
    /// Hugging Face: a revision given apart from the id (it may not contradict the id's own).
    pub revision: Option<String>,
    /// Kaggle: only these files.
    pub files: Vec<String>,
    /// Kaggle: keep a whole version's archive zipped instead of extracting it.
    pub keep_zipped: bool,
}
