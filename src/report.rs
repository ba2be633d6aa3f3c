//! What a download reports: the dataset, where it is, its version or commit, and every file
//! (the `--json` download object, minus `success` and `message`).

use std::path::PathBuf;

use serde::Serialize;

use crate::error::Hub;
use crate::record::FileEntry;
use crate::snapshot::{Pin, Snapshot};

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
    /// Dry run: it would be fetched through Xet storage.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub xet: bool,
}

/// The outcome of one dataset download (the `--json` download object, minus `success`/`message`).
#[derive(Debug, Clone, Serialize)]
pub struct DownloadReport {
    /// `owner/name` or `owner/slug`.
    pub dataset_id: String,
    /// `Kaggle` or `HuggingFace`.
    pub source: Hub,
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

impl ReportFile {
    /// A file already in place.
    pub(crate) fn kept(e: &FileEntry) -> ReportFile {
        ReportFile {
            path: e.path.clone(),
            size: e.size,
            sha256: Some(e.sha256.clone()),
            skipped: true,
            xet: false,
        }
    }
}

impl DownloadReport {
    /// An empty report of `snap`, reported at `path`.
    pub(crate) fn of(snap: &Snapshot, path: PathBuf) -> DownloadReport {
        let (revision, commit) = match &snap.pin {
            Pin::Commit { revision, commit } => (Some(revision.clone()), Some(commit.clone())),
            Pin::Version(_) | Pin::Listing(_) => (None, None),
        };
        DownloadReport {
            dataset_id: snap.id.clone(),
            source: snap.hub,
            file_path: path,
            revision,
            commit,
            version: snap.pin.version(),
            files: Vec::new(),
            bytes_downloaded: 0,
            downloaded: 0,
            skipped: 0,
            total_bytes: 0,
            dry_run: false,
        }
    }
}
