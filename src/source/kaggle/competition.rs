//! A Kaggle competition's data as a source (protocol/kinds.md): `competitions.CompetitionApiService`.
//! The whole data comes as one zip (`DownloadDataFiles`), named files one by one
//! (`DownloadDataFile`, maybe wrapped in `<name>.zip`), a selection from `ListDataFiles`
//! concurrently. Competitions have no versions: the snapshot is pinned to a digest of the file
//! list, so a change upstream is noticed. Rules not accepted is a 403 that names the rules page.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;

use super::KaggleClient;
use super::api::Service;
use super::errors::Subject;
use crate::error::{Error, Hub, Result};
use crate::http::{ErrorMap, Request};
use crate::id::CompetitionId;
use crate::pattern::Selection;
use crate::sanitize::for_terminal;
use crate::snapshot::{Archive, ArchiveFormat, KagglehubPlace, Names, Pin, RemoteFile, Snapshot};
use crate::source::Source;
use crate::source::about::{About, clean};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct DataFile {
    name: String,
    total_bytes: Option<u64>,
    creation_date: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ListDataFiles {
    files: Vec<DataFile>,
    next_page_token: Option<String>,
}

/// One competition's data, whole or some of its files.
pub(crate) struct CompetitionSource<'a> {
    client: KaggleClient<'a>,
    id: CompetitionId,
    files: Vec<String>,
    keep_zipped: bool,
}

impl<'a> CompetitionSource<'a> {
    /// The competition `id`, whole or only `files`; `keep_zipped` keeps the whole data's zip.
    pub(crate) fn new(
        client: KaggleClient<'a>,
        id: &CompetitionId,
        files: &[String],
        keep_zipped: bool,
    ) -> Result<Self> {
        super::check_file_names(files)?;
        Ok(CompetitionSource {
            client,
            id: id.clone(),
            files: files.to_vec(),
            keep_zipped,
        })
    }

    fn subject(&self) -> Subject {
        Subject::Competition(self.id.name.clone())
    }

    /// `ListDataFiles`, every page.
    async fn list(&self) -> Result<Vec<DataFile>> {
        let mut out = Vec::new();
        let mut token = String::new();
        let mut seen = HashSet::new();
        loop {
            let mut body = json!({"competitionName": self.id.name, "pageSize": 200});
            if !token.is_empty() {
                body["pageToken"] = json!(token);
            }
            let page: ListDataFiles = self
                .client
                .call(
                    Service::Competitions,
                    "ListDataFiles",
                    body,
                    &format!("file list of competition {}", self.id.name),
                    &self.subject(),
                )
                .await?;
            out.extend(page.files);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) if seen.insert(t.clone()) && seen.len() < 100_000 => token = t,
                Some(_) => return Err(super::pagination_loops("ListDataFiles")),
                None => return Ok(out),
            }
        }
    }
}

/// The digest of a file list: names, sizes and dates, in order.
fn digest(files: &[DataFile]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let mut sorted: Vec<&DataFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for f in sorted {
        h.update(f.name.as_bytes());
        h.update([0]);
        h.update(f.total_bytes.unwrap_or(0).to_le_bytes());
        h.update(f.creation_date.as_deref().unwrap_or("").as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())[..32].to_string()
}

fn remote(f: &DataFile) -> RemoteFile {
    RemoteFile {
        path: f.name.clone(),
        size: f.total_bytes,
        expected: None,
        // A file's own identity: a new upload changes its size or date.
        upstream: format!(
            "{}@{}",
            f.total_bytes.unwrap_or(0),
            f.creation_date.as_deref().unwrap_or("")
        ),
        may_be_wrapped: true,
        xet_hash: None,
    }
}

impl Source for CompetitionSource<'_> {
    fn names(&self) -> Names {
        Names {
            folder: format!("competitions/{}", self.id.name),
            hf_cache: None,
            kagglehub: Some(KagglehubPlace {
                base: "competitions".into(),
                versions_dir: false,
                leaf: Some(self.id.name.clone()),
            }),
        }
    }

    async fn resolve(&self, selection: &Selection) -> Result<Snapshot> {
        let listed = self.list().await?;
        let label = format!("kaggle:{}", self.id);
        let (files, archive) = if !self.files.is_empty() {
            let by_name: std::collections::HashMap<&str, &DataFile> =
                listed.iter().map(|f| (f.name.as_str(), f)).collect();
            let mut picked = Vec::new();
            for name in &self.files {
                match by_name.get(name.as_str()) {
                    Some(f) => picked.push(remote(f)),
                    None => return Err(self.missing(name)),
                }
            }
            (picked, None)
        } else if !selection.is_all() {
            let names: Vec<(String, Option<u64>)> = listed
                .iter()
                .map(|f| (f.name.clone(), f.total_bytes))
                .collect();
            let kept = super::select(&names, selection, &label, self.client.reporter)?;
            let picked = listed
                .iter()
                .filter(|f| kept.contains(&f.name))
                .map(remote)
                .collect();
            (picked, None)
        } else {
            let archive = Archive {
                name: format!("{}.zip", self.id.name),
                keep_zipped: self.keep_zipped,
                format: ArchiveFormat::Zip,
                size: Some(listed.iter().filter_map(|f| f.total_bytes).sum()),
            };
            (Vec::new(), Some(archive))
        };
        Ok(Snapshot {
            hub: Hub::Kaggle,
            id: self.id.to_string(),
            label,
            pin: Pin::Listing(digest(&listed)),
            files,
            archive,
            whole: false,
        })
    }

    fn file_request(&self, _snap: &Snapshot, file: &RemoteFile) -> Result<Request> {
        let body = json!({"competitionName": self.id.name, "fileName": file.path});
        self.client.rpc_request(
            Service::Competitions,
            "DownloadDataFile",
            &body,
            &format!("file {} of competition {}", file.path, self.id.name),
        )
    }

    fn archive_request(&self, _snap: &Snapshot) -> Result<Request> {
        let body = json!({"competitionName": self.id.name});
        self.client.rpc_request(
            Service::Competitions,
            "DownloadDataFiles",
            &body,
            &format!("data of competition {}", self.id.name),
        )
    }

    async fn archive_contents(&self, _snap: &Snapshot) -> Result<Vec<RemoteFile>> {
        Ok(self
            .list()
            .await?
            .iter()
            .map(|f| RemoteFile {
                path: for_terminal(&f.name),
                ..remote(f)
            })
            .collect())
    }

    fn errors(&self, _snap: &Snapshot) -> Arc<dyn ErrorMap> {
        Arc::new(self.client.errors(self.subject()))
    }

    async fn check_access(&self, snap: &Snapshot, http: &crate::http::Http) -> Result<()> {
        crate::source::probe_download(self, snap, http, self.client.reporter).await
    }
}

impl CompetitionSource<'_> {
    /// A named file that the competition's file list does not have.
    fn missing(&self, name: &str) -> Error {
        Error::NotFound {
            hub: Hub::Kaggle,
            message: format!(
                "file {:?} is not in the data of competition {}; see its files at https://www.kaggle.com/competitions/{}/data",
                for_terminal(name),
                self.id.name,
                self.id.name
            ),
            hint: None,
        }
    }
}

/// The fields of `GetCompetition` that `info` shows.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ApiCompetition {
    title: Option<String>,
    url: Option<String>,
    deadline: Option<String>,
    license_name: Option<String>,
}

/// `dsfetch info` on a competition: `GetCompetition`, then every page of `ListDataFiles`.
pub(crate) async fn about(client: KaggleClient<'_>, id: &CompetitionId) -> Result<About> {
    let c: ApiCompetition = client
        .call(
            Service::Competitions,
            "GetCompetition",
            json!({"competitionName": id.name}),
            &format!("competition {}", id.name),
            &Subject::Competition(id.name.clone()),
        )
        .await?;
    let files = CompetitionSource::new(client, id, &[], false)?
        .list()
        .await?;
    let mut a = About::new(
        Hub::Kaggle,
        "competition",
        id.to_string(),
        clean(c.url.as_deref())
            .unwrap_or_else(|| format!("https://www.kaggle.com/competitions/{}", id.name)),
    );
    a.reference = format!("kaggle:{id}");
    a.title = clean(c.title.as_deref());
    a.license = clean(c.license_name.as_deref());
    a.deadline = clean(c.deadline.as_deref());
    a.updated = files
        .iter()
        .filter_map(|f| f.creation_date.clone())
        .max()
        .and_then(|d| clean(Some(&d)));
    a.set_files(files.into_iter().map(|f| (f.name, f.total_bytes)));
    Ok(a)
}
