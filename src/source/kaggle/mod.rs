//! Kaggle datasets as a source (protocol/kaggle.md): the version is resolved first
//! (`GetDataset`), so what lands on disk is a known version. The whole version comes as one
//! archive; named files (`fileName`) or a selection from the version's file list
//! (`ListDatasetFiles`) are fetched one by one. Downloads answer `302` to a signed storage URL;
//! the credential never goes there.

pub(crate) mod api;
mod competition;
mod errors;
mod model;
pub(crate) mod search;
mod search_kinds;

pub(crate) use competition::{CompetitionSource, about as about_competition};
pub(crate) use model::{ModelSource, about as about_model};

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use reqwest::Url;
use serde_json::json;

pub(crate) use api::KaggleClient;
use api::Service;
use errors::Subject;

use super::Source;
use crate::env::Env;
use crate::error::{Error, Hint, Hub, Result};
use crate::http::{self, ErrorMap, Request};
use crate::id::KaggleId;
use crate::pattern::Selection;
use crate::progress::Event;
use crate::sanitize::for_terminal;
use crate::snapshot::{Archive, ArchiveFormat, KagglehubPlace, Names, Pin, RemoteFile, Snapshot};

/// `KAGGLE_API_ENDPOINT` (default `https://api.kaggle.com`, trailing `/` stripped).
pub(crate) fn endpoint(env: &Env) -> Result<Url> {
    http::endpoint(env, "KAGGLE_API_ENDPOINT", "https://api.kaggle.com")
}

/// One Kaggle dataset (at a version, or the current one), whole or some of its files.
pub(crate) struct KaggleSource<'a> {
    client: KaggleClient<'a>,
    id: KaggleId,
    /// Only these files (`fileName`), when given.
    files: Vec<String>,
    /// Keep the whole-version archive as `SLUG.zip` instead of extracting it.
    keep_zipped: bool,
}

impl<'a> KaggleSource<'a> {
    /// The dataset `id`, whole or only `files`; `keep_zipped` keeps a whole version's archive.
    pub(crate) fn new(
        client: KaggleClient<'a>,
        id: &KaggleId,
        files: &[String],
        keep_zipped: bool,
    ) -> Result<Self> {
        check_file_names(files)?;
        Ok(KaggleSource {
            client,
            id: id.clone(),
            files: files.to_vec(),
            keep_zipped,
        })
    }

    /// The version asked for, else the current one (`GetDataset`), with its size when the
    /// API gave it.
    async fn version(&self) -> Result<(u32, Option<u64>)> {
        if let Some(v) = self.id.version {
            return Ok((v, None));
        }
        let dataset = self.client.get_dataset(&self.id).await?;
        match dataset.current_version_number {
            Some(v) if v > 0 => Ok((v, dataset.total_bytes)),
            _ => Err(Error::Protocol {
                url: "GetDataset".into(),
                message: format!(
                    "dataset {} has no current version number",
                    self.id.reference()
                ),
            }),
        }
    }

    /// The named files, looked up in the version's file list (their sizes are checked once
    /// they arrive: the service may send a file wrapped in a zip).
    async fn named_files(&self, pinned: &KaggleId, version: u32) -> Result<Vec<RemoteFile>> {
        let listed = self.client.list_files(&self.id, version).await?;
        let sizes: HashMap<&str, Option<u64>> = listed
            .iter()
            .map(|f| (f.name.as_str(), f.total_bytes))
            .collect();
        self.files
            .iter()
            .map(|name| match sizes.get(name.as_str()) {
                Some(size) => Ok(file(name, *size, version)),
                None => Err(Error::NotFound {
                    hub: Hub::Kaggle,
                    message: format!(
                        "file {:?} is not in {pinned}; see its files at https://www.kaggle.com/datasets/{}/data",
                        for_terminal(name),
                        self.id.reference()
                    ),
                    hint: None,
                }),
            })
            .collect()
    }

    /// The files of the version's list that `selection` keeps.
    async fn selected_files(
        &self,
        selection: &Selection,
        label: &str,
        version: u32,
    ) -> Result<Vec<RemoteFile>> {
        let listed: Vec<(String, Option<u64>)> = self
            .client
            .list_files(&self.id, version)
            .await?
            .into_iter()
            .map(|f| (f.name, f.total_bytes))
            .collect();
        let kept = select(&listed, selection, label, self.client.reporter)?;
        let mut picked: Vec<RemoteFile> = listed
            .iter()
            .filter(|(n, _)| kept.contains(n))
            .map(|(n, size)| file(n, *size, version))
            .collect();
        picked.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(picked)
    }

    /// The `DownloadDataset` request, for the whole version or one file.
    fn download_request(&self, snap: &Snapshot, file: Option<&str>) -> Result<Request> {
        let version = snap.pin.version().unwrap_or(0);
        let (body, what) = match file {
            Some(name) => (
                json!({"ownerSlug": self.id.owner, "datasetSlug": self.id.slug, "fileName": name, "datasetVersionNumber": version}),
                format!(
                    "file {name} of {}",
                    snap.label.trim_start_matches("kaggle:")
                ),
            ),
            None => (
                json!({"ownerSlug": self.id.owner, "datasetSlug": self.id.slug, "datasetVersionNumber": version}),
                format!("{} archive", snap.label.trim_start_matches("kaggle:")),
            ),
        };
        self.client
            .rpc_request(Service::Datasets, "DownloadDataset", &body, &what)
    }
}

/// The names of a file list (`listed`: name, size) that `selection` keeps. Unsafe names it leaves
/// out are reported; unsafe names it keeps refuse the whole download, before anything is written.
pub(crate) fn select(
    listed: &[(String, Option<u64>)],
    selection: &Selection,
    label: &str,
    reporter: &dyn crate::progress::Reporter,
) -> Result<HashSet<String>> {
    let mut kept = HashSet::new();
    for (name, _) in listed {
        let selected = selection.matches(name);
        if let Err(reason) = crate::paths::check_relative(name) {
            if !selected {
                reporter.on_event(&Event::Warn(&format!(
                    "skipped the unsafe file name {:?} in {label} ({reason}); the selection leaves it out, and it is never written",
                    for_terminal(name)
                )));
                continue;
            }
            return Err(Error::Unsafe {
                what: "file name",
                name: for_terminal(name),
                reason: format!(
                    "{reason}; nothing was downloaded; {}",
                    crate::paths::exclude_hint(name)
                ),
            });
        }
        if selected {
            kept.insert(name.clone());
        }
    }
    if kept.is_empty() {
        return Err(Error::NotFound {
            hub: Hub::Kaggle,
            message: format!(
                "no file of {} matches the include/exclude patterns; list them with the Kaggle page's Data tab",
                label.trim_start_matches("kaggle:")
            ),
            hint: Some(Hint::CheckPatterns),
        });
    }
    Ok(kept)
}

/// Checks the names of files asked for (`--file`): safe relative paths.
pub(crate) fn check_file_names(files: &[String]) -> Result<()> {
    for f in files {
        crate::paths::check_relative(f)
            .map_err(|r| Error::usage(format!("file name {f:?}: {r}")))?;
    }
    Ok(())
}

/// The error of a listing whose page tokens go round in circles.
pub(crate) fn pagination_loops(method: &str) -> Error {
    Error::Protocol {
        url: method.into(),
        message: "the file listing's pagination loops".into(),
    }
}

/// A file of version `version`: no published checksum (the storage's MD5 comes with the bytes),
/// identified in the record by the version.
fn file(name: &str, size: Option<u64>, version: u32) -> RemoteFile {
    RemoteFile {
        path: name.to_string(),
        size,
        expected: None,
        upstream: format!("v{version}"),
        may_be_wrapped: true,
        xet_hash: None,
    }
}

impl Source for KaggleSource<'_> {
    fn names(&self) -> Names {
        Names {
            folder: self.id.slug.clone(),
            hf_cache: None,
            kagglehub: Some(KagglehubPlace {
                base: format!("datasets/{}/{}", self.id.owner, self.id.slug),
                versions_dir: true,
                leaf: None,
            }),
        }
    }

    async fn resolve(&self, selection: &Selection) -> Result<Snapshot> {
        let (version, size) = self.version().await?;
        let pinned = KaggleId {
            version: Some(version),
            ..self.id.clone()
        };
        let label = format!("kaggle:{pinned}");
        let (files, archive) = if !self.files.is_empty() {
            (self.named_files(&pinned, version).await?, None)
        } else if !selection.is_all() {
            (self.selected_files(selection, &label, version).await?, None)
        } else {
            let archive = Archive {
                name: format!("{}.zip", self.id.slug),
                keep_zipped: self.keep_zipped,
                format: ArchiveFormat::Zip,
                size,
            };
            (Vec::new(), Some(archive))
        };
        Ok(Snapshot {
            hub: Hub::Kaggle,
            id: self.id.reference(),
            label,
            pin: Pin::Version(version),
            files,
            archive,
            whole: false,
        })
    }

    fn file_request(&self, snap: &Snapshot, file: &RemoteFile) -> Result<Request> {
        self.download_request(snap, Some(&file.path))
    }

    fn archive_request(&self, snap: &Snapshot) -> Result<Request> {
        self.download_request(snap, None)
    }

    async fn archive_contents(&self, snap: &Snapshot) -> Result<Vec<RemoteFile>> {
        let version = snap.pin.version().unwrap_or(0);
        let listed = self.client.list_files(&self.id, version).await?;
        Ok(listed
            .into_iter()
            .map(|f| file(&for_terminal(&f.name), f.total_bytes, version))
            .collect())
    }

    fn errors(&self, snap: &Snapshot) -> Arc<dyn ErrorMap> {
        Arc::new(self.client.errors(Subject::Dataset(
            snap.label.trim_start_matches("kaggle:").to_string(),
        )))
    }
}
