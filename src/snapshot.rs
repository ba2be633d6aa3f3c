//! What a source resolves an id to: the pinned version or commit and the files to consider,
//! with sizes and digests, or a whole archive. The plan, the transfer and the sinks work on these
//! types, whichever hub they came from.

use crate::error::Hub;
use crate::verify::Expected;

/// One file of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteFile {
    /// Dataset-relative path (validated: safe to join onto a folder).
    pub path: String,
    /// Published size, when the listing gives one.
    pub size: Option<u64>,
    /// Published checksum, when the listing gives one (HF: sha256 or git blob sha1).
    pub expected: Option<Expected>,
    /// The hub's identity for this content, kept in the folder's record to tell whether a local
    /// copy is the one the hub now lists (HF: the checksum; Kaggle: `v<N>`).
    pub upstream: String,
    /// The service may send the file wrapped in `<basename>.zip` (Kaggle single files).
    pub may_be_wrapped: bool,
    /// Hugging Face: the Xet file id (64 hex) of a Xet-backed file.
    pub xet_hash: Option<String>,
}

/// The version a snapshot is pinned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pin {
    /// A Hub revision and the commit it resolved to.
    Commit {
        /// The revision asked for (`main`, a tag, a commit).
        revision: String,
        /// The 40-hex commit.
        commit: String,
    },
    /// A Kaggle version number.
    Version(u32),
    /// Data without versions (a Kaggle competition): a digest of its file list (names, sizes,
    /// dates), so that a change upstream is noticed.
    Listing(String),
}

impl Pin {
    /// The commit, for a Hub snapshot.
    pub fn commit(&self) -> Option<&str> {
        match self {
            Pin::Commit { commit, .. } => Some(commit),
            Pin::Version(_) | Pin::Listing(_) => None,
        }
    }

    /// The version number, for a Kaggle snapshot.
    pub fn version(&self) -> Option<u32> {
        match self {
            Pin::Version(v) => Some(*v),
            _ => None,
        }
    }

    /// The record's identity of a file of this snapshot that has no checksum of its own (the
    /// files of a version, or of an archive): `v<N>`, the listing digest, the commit.
    pub fn upstream(&self) -> String {
        match self {
            Pin::Version(v) => format!("v{v}"),
            Pin::Listing(d) => d.clone(),
            Pin::Commit { commit, .. } => commit.clone(),
        }
    }

    /// Whether `record` was written at this pin.
    pub fn matches(&self, record: &crate::record::Record) -> bool {
        match self {
            Pin::Commit { commit, .. } => record.commit.as_deref() == Some(commit.as_str()),
            Pin::Version(v) => record.version == Some(*v),
            Pin::Listing(d) => record.listing.as_deref() == Some(d.as_str()),
        }
    }

    /// Writes this pin into `record`.
    pub fn write(&self, record: &mut crate::record::Record) {
        match self {
            Pin::Commit { revision, commit } => {
                record.revision = Some(revision.clone());
                record.commit = Some(commit.clone());
            }
            Pin::Version(v) => record.version = Some(*v),
            Pin::Listing(d) => record.listing = Some(d.clone()),
        }
    }
}

/// The names under which a dataset is stored in each layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Names {
    /// The default folder under the download root (`OWNER_NAME`, `SLUG`).
    pub folder: String,
    /// The repo folder in the huggingface_hub cache (`datasets--OWNER--NAME`), when it applies.
    pub hf_cache: Option<String>,
    /// Where kagglehub keeps it, when that layout applies.
    pub kagglehub: Option<KagglehubPlace>,
}

/// A place in kagglehub's cache (its `cache.py`): `BASE/[versions/]LEAF/` holds the files,
/// `BASE/LEAF.complete` marks the whole download and `BASE/.complete/LEAF/PATH.complete` each
/// file. Datasets: `datasets/O/S`, `versions/N`; models: `models/O/M/F/V`, `N`; competitions:
/// `competitions`, the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KagglehubPlace {
    /// The folder holding the versions (`datasets/OWNER/SLUG`).
    pub base: String,
    /// Whether the versions sit in a `versions/` folder (datasets).
    pub versions_dir: bool,
    /// The leaf when it is not a version number (a competition's name).
    pub leaf: Option<String>,
}

/// An id resolved to a pinned version, with the files a selection keeps.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// Which hub.
    pub hub: Hub,
    /// `owner/name` (HF) or `owner/slug` (Kaggle), as recorded and reported.
    pub id: String,
    /// `hf:owner/name@rev` or `kaggle:owner/slug/versions/N`, for events and messages.
    pub label: String,
    /// The version or commit.
    pub pin: Pin,
    /// The selected files, sorted by path (empty when the snapshot is fetched as an archive).
    pub files: Vec<RemoteFile>,
    /// The whole dataset as one archive: the name it is kept under without extraction
    /// (`SLUG.zip`), and whether to keep it zipped.
    pub archive: Option<Archive>,
    /// `files` are every file of the version (fetched one by one, not as an archive), so that
    /// the download counts as the whole version (kagglehub's whole-version marker).
    pub whole: bool,
}

/// A snapshot fetched as one archive (a whole Kaggle version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Archive {
    /// The name of the archive in the folder when it is kept (`SLUG.zip`).
    pub name: String,
    /// Keep the archive as it is instead of extracting it.
    pub keep_zipped: bool,
    /// How it is packed.
    pub format: ArchiveFormat,
    /// The size of the version's data as the API gives it (for the plan); the archive's own
    /// length is known once its transfer starts.
    pub size: Option<u64>,
}

/// How an archive is packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArchiveFormat {
    /// A zip (a Kaggle dataset version, a competition's data).
    Zip,
    /// A gzipped tar (a Kaggle model version: `archive.tar.gz`).
    TarGz,
}

/// The partial file's name in the state folder: a file with a published checksum is named after
/// it (identical contents share it); others after the hub, version and path; an archive after
/// the dataset and version.
pub(crate) fn part_name(snap: &Snapshot, file: Option<&RemoteFile>) -> String {
    use sha2::Digest;
    let prefix = match snap.hub {
        Hub::HuggingFace => "hf",
        Hub::Kaggle => "kaggle",
    };
    let pin = match &snap.pin {
        Pin::Version(v) => format!("v{v}"),
        Pin::Commit { commit, .. } => format!("c{}", &commit[..commit.len().min(12)]),
        Pin::Listing(d) => format!("l{}", &d[..d.len().min(12)]),
    };
    match file {
        Some(f) if f.expected.is_some() => format!("{}.part", f.upstream),
        Some(f) => format!(
            "{prefix}-{pin}-{}.part",
            &hex::encode(sha2::Sha256::digest(f.path.as_bytes()))[..32]
        ),
        None => format!("{prefix}-{}-{pin}.zip.part", snap.id.replace('/', "-")),
    }
}
