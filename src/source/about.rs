//! What a dataset is, without downloading it (`dsfetch info`): title, licence, size, last
//! update, gated or private status, the versions (Kaggle) or branches and tags (Hub), and the
//! complete file list with sizes (every page). Read-only calls only: the Hub's repo info, refs
//! and tree (protocol/hf.md §3, §4; kinds.md), Kaggle's `GetDataset` and `ListDatasetFiles`
//! (kaggle.md §6), `GetCompetition` and `ListDataFiles`, `GetModelInstance` and
//! `ListModelInstanceVersionFiles` (kinds.md).

use serde::Serialize;

use super::Hubs;
use crate::error::{Hub, Result};
use crate::id::{DatasetId, KaggleId};
use crate::sanitize::for_terminal;

/// A version of a Kaggle dataset, or a branch or tag of a Hub repo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// `3`, or `main`, `v1.0`, `refs/convert/parquet`.
    pub name: String,
    /// When it was made (Kaggle), or the commit it points to (Hub).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The commit a Hub ref points to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// A file of the dataset, as the hub lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AboutFile {
    /// Path in the dataset (cleaned for the terminal).
    pub path: String,
    /// Size in bytes, when listed.
    pub size: Option<u64>,
}

/// What a dataset is.
#[derive(Debug, Clone, Serialize)]
pub struct About {
    /// Which hub.
    pub source: Hub,
    /// `dataset`, `model`, `space`, `competition`.
    pub kind: &'static str,
    /// The id without prefix (`acme/corpus`, `models/acme/bert`, `alice/titanic`).
    pub id: String,
    /// The id with its prefix and the version or commit described.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The page on the hub.
    pub url: String,
    /// Title (Kaggle, or a Hub card's `pretty_name`).
    pub title: Option<String>,
    /// Licence, as the hub names it.
    pub license: Option<String>,
    /// The files' total size in bytes (of the version or revision described).
    pub total_bytes: u64,
    /// Last update, ISO 8601 (Kaggle competitions: the deadline is in `deadline`).
    pub updated: Option<String>,
    /// Hub gating: `false`, `auto` or `manual`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gated: Option<String>,
    /// Private.
    pub private: Option<bool>,
    /// Kaggle: the version described (the one asked for, else the current one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Hub: the revision described and its commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Hub: the commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Kaggle: every version, newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<Version>,
    /// Hub: branches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Version>,
    /// Hub: tags (and conversions such as `refs/convert/parquet`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Version>,
    /// Competitions: the deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// Every file, sorted by path.
    pub files: Vec<AboutFile>,
}

impl About {
    /// An empty description of `id` on `source`, to be filled in.
    pub(crate) fn new(source: Hub, kind: &'static str, id: String, url: String) -> About {
        About {
            source,
            kind,
            reference: String::new(),
            id,
            url,
            title: None,
            license: None,
            total_bytes: 0,
            updated: None,
            gated: None,
            private: None,
            version: None,
            revision: None,
            commit: None,
            versions: Vec::new(),
            branches: Vec::new(),
            tags: Vec::new(),
            deadline: None,
            files: Vec::new(),
        }
    }

    /// Sets the file list (cleaned, sorted) and the total size.
    pub(crate) fn set_files(&mut self, files: impl IntoIterator<Item = (String, Option<u64>)>) {
        self.files = files
            .into_iter()
            .map(|(p, size)| AboutFile {
                path: for_terminal(&p),
                size,
            })
            .collect();
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.total_bytes = self.files.iter().filter_map(|f| f.size).sum();
    }
}

/// Text from a server, cleaned for the terminal; empty means absent.
pub(crate) fn clean(s: Option<&str>) -> Option<String> {
    s.map(for_terminal).filter(|s| !s.is_empty())
}

/// Describes `id` (at the revision or version it names, else the current one).
pub async fn about(hubs: &Hubs<'_>, id: &DatasetId) -> Result<About> {
    match id {
        DatasetId::Hf(h) => super::hf::about(&hubs.hf()?, h).await,
        DatasetId::Kaggle(k) => kaggle_dataset(hubs, k).await,
        DatasetId::Competition(c) => super::kaggle::about_competition(hubs.kaggle()?, c).await,
        DatasetId::KaggleModel(m) => super::kaggle::about_model(hubs.kaggle()?, m).await,
    }
}

/// A Kaggle dataset: `GetDataset` (title, licence, versions), then the files of the version.
async fn kaggle_dataset(hubs: &Hubs<'_>, id: &KaggleId) -> Result<About> {
    let client = hubs.kaggle()?;
    let d = client.get_dataset(id).await?;
    let version = id.version.or(d.current_version_number).unwrap_or(0);
    let mut a = About::new(
        Hub::Kaggle,
        "dataset",
        id.reference(),
        clean(d.url.as_deref())
            .unwrap_or_else(|| format!("https://www.kaggle.com/datasets/{}", id.reference())),
    );
    a.reference = format!("kaggle:{}/versions/{version}", id.reference());
    a.title = clean(Some(&d.title));
    a.license = clean(d.license_name.as_deref());
    a.updated = clean(d.last_updated.as_deref());
    a.private = d.is_private;
    a.version = Some(version);
    let mut versions = d.versions.clone();
    versions.sort_by_key(|v| std::cmp::Reverse(v.version_number));
    a.versions = versions
        .iter()
        .map(|v| Version {
            name: v.version_number.to_string(),
            created: clean(v.creation_date.as_deref()),
            commit: None,
        })
        .collect();
    let files = client.list_files(id, version).await?;
    a.set_files(files.into_iter().map(|f| (f.name, f.total_bytes)));
    Ok(a)
}
