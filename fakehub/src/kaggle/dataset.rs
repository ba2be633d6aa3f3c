//! The public builder, [`KaggleDataset`].

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::store::Blob;
use crate::util::parse_iso8601;

/// Whether `r` is an `owner/slug` reference.
pub(crate) fn valid_reference(r: &str) -> bool {
    r.split('/').count() == 2
        && r.split('/').all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c))
        })
}

/// Builder for a Kaggle dataset, registered with [`crate::FakeHub::add_kaggle_dataset`].
#[derive(Clone, Debug)]
pub struct KaggleDataset {
    pub(crate) reference: String,
    pub(crate) files: Vec<(String, Blob)>,
    pub(crate) disk_files: Vec<(String, PathBuf)>,
    pub(crate) zipped: BTreeSet<String>,
    pub(crate) raw_archive: Option<Vec<u8>>,
    pub(crate) private: bool,
    pub(crate) owner_user: Option<String>,
    pub(crate) owner_name: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) subtitle: String,
    pub(crate) description: String,
    pub(crate) downloads: u64,
    pub(crate) votes: u64,
    pub(crate) views: u64,
    pub(crate) kernels: u64,
    pub(crate) topics: u64,
    pub(crate) usability: f64,
    pub(crate) featured: bool,
    pub(crate) license: String,
    pub(crate) tags: Vec<String>,
    pub(crate) last_updated: Option<i64>,
    pub(crate) file_types: Option<Vec<String>>,
    pub(crate) hashes: Hashes,
}

impl KaggleDataset {
    /// A public dataset `owner/slug` with no files yet.
    ///
    /// # Panics
    /// If `reference` is not `owner/slug`.
    pub fn new(reference: &str) -> Self {
        assert!(
            valid_reference(reference),
            "fakehub: invalid Kaggle reference {reference:?} (want owner/slug)"
        );
        KaggleDataset {
            reference: reference.to_string(),
            files: Vec::new(),
            disk_files: Vec::new(),
            zipped: BTreeSet::new(),
            raw_archive: None,
            private: false,
            owner_user: None,
            owner_name: None,
            title: None,
            subtitle: String::new(),
            description: String::new(),
            downloads: 0,
            votes: 0,
            views: 0,
            kernels: 0,
            topics: 0,
            usability: 0.0,
            featured: false,
            license: "unknown".to_string(),
            tags: Vec::new(),
            last_updated: None,
            file_types: None,
            hashes: Hashes::Full,
        }
    }

    /// Adds a file (dataset-relative path, may contain `/`) to version 1.
    pub fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push((path.to_string(), Blob::from_bytes(bytes)));
        self
    }

    /// Adds a file streamed from `disk` to version 1.
    pub fn file_from_disk(mut self, path: &str, disk: PathBuf) -> Self {
        self.disk_files.push((path.to_string(), disk));
        self
    }

    /// Single-file `DownloadDataset` serves this file as `<basename>.zip` (one member named
    /// `<basename>`), at a `.../compressed/<path>.zip` URL. Applies to every version.
    pub fn zipped_file(mut self, path: &str) -> Self {
        self.zipped.insert(path.to_string());
        self
    }

    /// Serve exactly these bytes as version 1's whole-dataset archive (for hostile archives);
    /// the file list still comes from [`KaggleDataset::file`].
    pub fn raw_archive(mut self, zip_bytes: Vec<u8>) -> Self {
        self.raw_archive = Some(zip_bytes);
        self
    }

    /// Private datasets: anonymous callers get 401, other users 403.
    pub fn private(mut self, yes: bool) -> Self {
        self.private = yes;
        self
    }

    /// The Kaggle user owning the dataset (default: the owner part of the reference).
    pub fn owner_user(mut self, user: &str) -> Self {
        self.owner_user = Some(user.to_string());
        self
    }

    /// Display name of the owner (`ownerName`, `creatorName`).
    pub fn owner_name(mut self, name: &str) -> Self {
        self.owner_name = Some(name.to_string());
        self
    }

    /// Title (default: the slug).
    pub fn title(mut self, t: &str) -> Self {
        self.title = Some(t.to_string());
        self
    }

    /// Subtitle.
    pub fn subtitle(mut self, t: &str) -> Self {
        self.subtitle = t.to_string();
        self
    }

    /// Description.
    pub fn description(mut self, d: &str) -> Self {
        self.description = d.to_string();
        self
    }

    /// `downloadCount`.
    pub fn downloads(mut self, n: u64) -> Self {
        self.downloads = n;
        self
    }

    /// `voteCount`.
    pub fn votes(mut self, n: u64) -> Self {
        self.votes = n;
        self
    }

    /// `viewCount`.
    pub fn views(mut self, n: u64) -> Self {
        self.views = n;
        self
    }

    /// `kernelCount` (used by the NOTEBOOK_COUNT sort).
    pub fn kernel_count(mut self, n: u64) -> Self {
        self.kernels = n;
        self
    }

    /// `usabilityRating` (0.0–1.0).
    pub fn usability_rating(mut self, r: f64) -> Self {
        self.usability = r;
        self
    }

    /// `isFeatured`.
    pub fn featured(mut self, yes: bool) -> Self {
        self.featured = yes;
        self
    }

    /// License name, e.g. `CC0-1.0` (group CC), `GPL 2` (GPL), `ODbL` (ODB); anything else is
    /// group OTHER. Default `unknown`.
    pub fn license(mut self, name: &str) -> Self {
        self.license = name.to_string();
        self
    }

    /// Tags (matched by `tagIds` against tag ref or name).
    pub fn tags(mut self, t: &[&str]) -> Self {
        self.tags = t.iter().map(|s| s.to_string()).collect();
        self
    }

    /// `lastUpdated` (ISO-8601); also the date of version 1.
    ///
    /// # Panics
    /// If `iso` is not an ISO-8601 date.
    pub fn last_updated(mut self, iso: &str) -> Self {
        self.last_updated = Some(
            parse_iso8601(iso).unwrap_or_else(|| panic!("fakehub: not an ISO-8601 date: {iso:?}")),
        );
        self
    }

    /// Overrides the file-type groups used by the `fileType` filter (`csv`, `sqlite`, `json`,
    /// `bigQuery`, `parquet`); by default they come from the file extensions.
    pub fn file_types(mut self, types: &[&str]) -> Self {
        self.file_types = Some(types.iter().map(|s| s.to_string()).collect());
        self
    }

    /// Storage objects carry no MD5: `x-goog-hash` has only `crc32c=` (as for GCS composite
    /// objects) and the ETag is not an MD5.
    pub fn no_md5(mut self) -> Self {
        self.hashes = Hashes::Crc32cOnly;
        self
    }

    /// Storage objects carry no `x-goog-hash` header at all.
    pub fn no_hash(mut self) -> Self {
        self.hashes = Hashes::None;
        self
    }
}

/// Which digests storage advertises in `x-goog-hash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hashes {
    /// `crc32c=…,md5=…` and an MD5 ETag.
    Full,
    /// `crc32c=…` only (GCS composite objects).
    Crc32cOnly,
    /// No `x-goog-hash` header.
    None,
}
