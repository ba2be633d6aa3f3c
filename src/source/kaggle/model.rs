//! A Kaggle model instance as a source (protocol/kinds.md): `models.ModelApiService`. The version
//! is resolved first (`GetModelInstance`); the file list comes from
//! `ListModelInstanceVersionFiles`. Up to 25 files are fetched one by one, raw and in parallel
//! (kagglehub's rule); a larger version comes whole as `archive.tar.gz`. Public models need no
//! credentials.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;

use super::KaggleClient;
use super::api::Service;
use super::errors::Subject;
use crate::error::{Error, Hub, Result};
use crate::http::{ErrorMap, Request};
use crate::id::KaggleModelId;
use crate::pattern::Selection;
use crate::sanitize::for_terminal;
use crate::snapshot::{Archive, ArchiveFormat, KagglehubPlace, Names, Pin, RemoteFile, Snapshot};
use crate::source::Source;
use crate::source::about::{About, clean};

/// Up to this many files, a whole version is fetched file by file instead of as a tarball
/// (kagglehub 1.0.3, `http_resolver.py` line 34: `MAX_NUM_FILES_DIRECT_DOWNLOAD = 25`).
const MAX_FILES_ONE_BY_ONE: usize = 25;

use crate::id::framework_enum;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Instance {
    version_number: Option<u32>,
    license_name: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VersionFile {
    name: String,
    size: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ListFiles {
    files: Vec<VersionFile>,
    next_page_token: Option<String>,
}

/// One model instance (at a version, or the current one), whole or some of its files.
pub(crate) struct ModelSource<'a> {
    client: KaggleClient<'a>,
    id: KaggleModelId,
    framework: &'static str,
    files: Vec<String>,
    keep_zipped: bool,
}

impl<'a> ModelSource<'a> {
    /// The model instance `id`, whole or only `files`; `keep_zipped` keeps a tarball as it is.
    pub(crate) fn new(
        client: KaggleClient<'a>,
        id: &KaggleModelId,
        files: &[String],
        keep_zipped: bool,
    ) -> Result<Self> {
        super::check_file_names(files)?;
        let framework = framework_enum(&id.framework).ok_or_else(|| {
            Error::usage(format!(
                "{:?} is not a Kaggle model framework (e.g. pyTorch, tensorFlow2, keras, jax, transformers, gemmaCpp)",
                for_terminal(&id.framework)
            ))
        })?;
        Ok(ModelSource {
            client,
            id: id.clone(),
            framework,
            files: files.to_vec(),
            keep_zipped,
        })
    }

    /// The fields that name the instance in every request.
    fn instance(&self) -> serde_json::Value {
        json!({
            "ownerSlug": self.id.owner,
            "modelSlug": self.id.model,
            "framework": self.framework,
            "instanceSlug": self.id.variation,
        })
    }

    fn subject(&self, version: Option<u32>) -> Subject {
        Subject::Model(match version {
            Some(v) => format!("{}/{v}", self.id.handle()),
            None => self.id.handle(),
        })
    }

    async fn version(&self) -> Result<u32> {
        if let Some(v) = self.id.version {
            return Ok(v);
        }
        let got: Instance = self
            .client
            .call(
                Service::Models,
                "GetModelInstance",
                self.instance(),
                &format!("model {}", self.id.handle()),
                &self.subject(None),
            )
            .await?;
        got.version_number
            .filter(|v| *v > 0)
            .ok_or_else(|| Error::Protocol {
                url: "GetModelInstance".into(),
                message: format!("model {} has no current version", self.id.handle()),
            })
    }

    /// `ListModelInstanceVersionFiles`, every page: (name, size).
    async fn list(&self, version: u32) -> Result<Vec<(String, Option<u64>)>> {
        let mut out = Vec::new();
        let mut token = String::new();
        let mut seen = HashSet::new();
        loop {
            let mut body = self.instance();
            body["versionNumber"] = json!(version);
            body["pageSize"] = json!(200);
            if !token.is_empty() {
                body["pageToken"] = json!(token);
            }
            let page: ListFiles = self
                .client
                .call(
                    Service::Models,
                    "ListModelInstanceVersionFiles",
                    body,
                    &format!("file list of model {}/{version}", self.id.handle()),
                    &self.subject(Some(version)),
                )
                .await?;
            out.extend(page.files.into_iter().map(|f| (f.name, f.size)));
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) if seen.insert(t.clone()) && seen.len() < 100_000 => token = t,
                Some(_) => return Err(super::pagination_loops("ListModelInstanceVersionFiles")),
                None => return Ok(out),
            }
        }
    }

    /// The files to fetch one by one, or `None` for the whole tarball.
    fn pick(
        &self,
        listed: &[(String, Option<u64>)],
        selection: &Selection,
        label: &str,
        version: u32,
    ) -> Result<Option<Vec<RemoteFile>>> {
        let keep: HashSet<String> = if !self.files.is_empty() {
            let known: HashMap<&str, ()> = listed.iter().map(|(n, _)| (n.as_str(), ())).collect();
            if let Some(missing) = self.files.iter().find(|f| !known.contains_key(f.as_str())) {
                return Err(Error::NotFound {
                    hub: Hub::Kaggle,
                    message: format!(
                        "file {:?} is not in model {}/{version}; see its files at https://www.kaggle.com/models/{}",
                        for_terminal(missing),
                        self.id.handle(),
                        self.id.handle()
                    ),
                    hint: None,
                });
            }
            self.files.iter().cloned().collect()
        } else if !selection.is_all() || (listed.len() <= MAX_FILES_ONE_BY_ONE && !self.keep_zipped)
        {
            super::select(listed, selection, label, self.client.reporter)?
        } else {
            return Ok(None);
        };
        let mut files: Vec<RemoteFile> = listed
            .iter()
            .filter(|(n, _)| keep.contains(n))
            .map(|(n, size)| RemoteFile {
                path: n.clone(),
                size: *size,
                expected: None,
                upstream: format!("v{version}"),
                may_be_wrapped: false,
                xet_hash: None,
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Some(files))
    }

    fn download_request(&self, version: u32, path: Option<&str>) -> Result<Request> {
        let mut body = self.instance();
        body["versionNumber"] = json!(version);
        if let Some(p) = path {
            body["path"] = json!(p);
        }
        let what = match path {
            Some(p) => format!("file {p} of model {}/{version}", self.id.handle()),
            None => format!("model {}/{version}", self.id.handle()),
        };
        self.client.rpc_request(
            Service::Models,
            "DownloadModelInstanceVersion",
            &body,
            &what,
        )
    }
}

impl Source for ModelSource<'_> {
    fn names(&self) -> Names {
        Names {
            folder: self.id.folder_name(),
            hf_cache: None,
            kagglehub: Some(KagglehubPlace {
                base: format!("models/{}", self.id.handle()),
                versions_dir: false,
                leaf: None,
            }),
        }
    }

    async fn resolve(&self, selection: &Selection) -> Result<Snapshot> {
        let version = self.version().await?;
        let label = format!(
            "kaggle:{}",
            KaggleModelId {
                version: Some(version),
                ..self.id.clone()
            }
        );
        let listed = self.list(version).await?;
        let mut whole = false;
        let (files, archive) = match self.pick(&listed, selection, &label, version)? {
            Some(files) => {
                whole = self.files.is_empty() && selection.is_all();
                (files, None)
            }
            None => {
                let archive = Archive {
                    name: "archive.tar.gz".into(),
                    keep_zipped: self.keep_zipped,
                    format: ArchiveFormat::TarGz,
                    size: Some(listed.iter().filter_map(|(_, s)| *s).sum()),
                };
                (Vec::new(), Some(archive))
            }
        };
        Ok(Snapshot {
            hub: Hub::Kaggle,
            id: format!("models/{}", self.id.canonical_handle()),
            label,
            pin: Pin::Version(version),
            files,
            archive,
            whole,
        })
    }

    fn file_request(&self, snap: &Snapshot, file: &RemoteFile) -> Result<Request> {
        self.download_request(snap.pin.version().unwrap_or(0), Some(&file.path))
    }

    fn archive_request(&self, snap: &Snapshot) -> Result<Request> {
        self.download_request(snap.pin.version().unwrap_or(0), None)
    }

    async fn archive_contents(&self, snap: &Snapshot) -> Result<Vec<RemoteFile>> {
        let version = snap.pin.version().unwrap_or(0);
        Ok(self
            .list(version)
            .await?
            .into_iter()
            .map(|(n, size)| RemoteFile {
                path: for_terminal(&n),
                size,
                expected: None,
                upstream: format!("v{version}"),
                may_be_wrapped: false,
                xet_hash: None,
            })
            .collect())
    }

    fn errors(&self, snap: &Snapshot) -> Arc<dyn ErrorMap> {
        Arc::new(self.client.errors(self.subject(snap.pin.version())))
    }
}

/// `dsfetch info` on a Kaggle model instance: `GetModelInstance` (licence, current version),
/// then every page of `ListModelInstanceVersionFiles` of the version asked for (else the current).
pub(crate) async fn about(client: KaggleClient<'_>, id: &KaggleModelId) -> Result<About> {
    let source = ModelSource::new(client, id, &[], false)?;
    let inst: Instance = source
        .client
        .call(
            Service::Models,
            "GetModelInstance",
            source.instance(),
            &format!("model {}", id.handle()),
            &source.subject(None),
        )
        .await?;
    let version = id.version.or(inst.version_number).unwrap_or(0);
    let files = source.list(version).await?;
    let handle = id.handle();
    let mut a = About::new(
        Hub::Kaggle,
        "model",
        format!("models/{handle}"),
        clean(inst.url.as_deref())
            .unwrap_or_else(|| format!("https://www.kaggle.com/models/{handle}")),
    );
    a.reference = format!("kaggle:models/{handle}/{version}");
    a.license = clean(inst.license_name.as_deref());
    a.version = Some(version);
    if let Some(current) = inst.version_number {
        a.versions = (1..=current)
            .rev()
            .map(|v| crate::source::about::Version {
                name: v.to_string(),
                created: None,
                commit: None,
            })
            .collect();
    }
    a.set_files(files);
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frameworks_as_kagglehub_spells_them() {
        for (given, want) in [
            ("pyTorch", "MODEL_FRAMEWORK_PY_TORCH"),
            ("PyTorch", "MODEL_FRAMEWORK_PY_TORCH"),
            ("pytorch", "MODEL_FRAMEWORK_PY_TORCH"),
            ("tensorFlow2", "MODEL_FRAMEWORK_TENSOR_FLOW_2"),
            ("tfLite", "MODEL_FRAMEWORK_TF_LITE"),
            ("gemmaCpp", "MODEL_FRAMEWORK_GEMMA_CPP"),
            ("transformers", "MODEL_FRAMEWORK_TRANSFORMERS"),
            ("tensorRtLlm", "MODEL_FRAMEWORK_TENSOR_RT_LLM"),
            ("MODEL_FRAMEWORK_JAX", "MODEL_FRAMEWORK_JAX"),
        ] {
            assert_eq!(framework_enum(given), Some(want), "{given}");
        }
        assert_eq!(framework_enum("cobol"), None);
    }
}
