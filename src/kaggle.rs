//! Kaggle: the `datasets.DatasetApiService` RPC API (`protocol/kaggle.md`) and
//! `download kaggle`.
//!
//! Every call is `POST {endpoint}/v1/datasets.DatasetApiService/{Method}` with a camelCase JSON
//! body. Downloads answer `302` to a signed storage URL; the credential never goes there. The
//! current version is resolved with `GetDataset` first, so what lands on disk is a known version.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::json;

use crate::credentials::{Credential, Resolved};
use crate::download::{
    self, DownloadOptions, DownloadReport, Folder, Layout, ReportFile, endpoint_join,
};
use crate::error::{Error, Result, Source};
use crate::extract::{self, Limits};
use crate::http::{self, Http, Request};
use crate::http::{ErrorMap, HttpFailure};
use crate::id::KaggleId;
use crate::progress::{Event, Reporter};
use crate::record::{self, FileEntry};
use crate::sanitize::for_terminal;
use crate::transfer::{Fetcher, FileSpec};

/// A Kaggle client for one endpoint with the resolved credentials.
pub struct KaggleClient<'a> {
    /// The HTTP client.
    pub http: &'a Http,
    /// `KAGGLE_API_ENDPOINT`.
    pub endpoint: Url,
    /// Credential resolution.
    pub auth: &'a Resolved,
    /// Progress sink.
    pub reporter: &'a dyn Reporter,
}

/// A tag of a dataset.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiTag {
    /// Tag ref (slug).
    #[serde(rename = "ref")]
    pub reference: String,
    /// Display name.
    pub name: String,
}

/// A version of a dataset.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiVersion {
    /// Version number.
    pub version_number: u32,
    /// Creation date.
    pub creation_date: Option<String>,
}

/// `ApiDataset` (the fields dsfetch uses; unknown fields are ignored, missing ones default).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiDataset {
    /// `owner/slug`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Page URL.
    pub url: Option<String>,
    /// Total size.
    pub total_bytes: Option<u64>,
    /// Last update time.
    pub last_updated: Option<String>,
    /// Downloads.
    pub download_count: Option<u64>,
    /// Votes.
    pub vote_count: Option<u64>,
    /// Usability rating 0..1.
    pub usability_rating: Option<f64>,
    /// License name.
    pub license_name: Option<String>,
    /// Owner ref.
    pub owner_ref: Option<String>,
    /// Current version number.
    pub current_version_number: Option<u32>,
    /// Private flag.
    pub is_private: Option<bool>,
    /// Tags.
    pub tags: Vec<ApiTag>,
    /// Versions.
    pub versions: Vec<ApiVersion>,
}

/// `ListDatasets` response.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListDatasetsResponse {
    /// The page of datasets.
    pub datasets: Vec<ApiDataset>,
    /// Token of the next page, empty at the end.
    pub next_page_token: Option<String>,
}

/// A file of a dataset version.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiDatasetFile {
    /// Dataset-relative path.
    pub name: String,
    /// Size.
    pub total_bytes: Option<u64>,
    /// Creation date.
    pub creation_date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ListFilesResponse {
    dataset_files: Vec<ApiDatasetFile>,
    error_message: Option<String>,
    next_page_token: Option<String>,
}

/// Maps Kaggle failures to errors that say what to do.
pub struct KaggleErrors {
    /// The dataset (`owner/slug[/versions/N]`).
    pub dataset: String,
    /// Credentials (origin, places looked at).
    pub auth: Resolved,
}

fn kaggle_message(f: &HttpFailure) -> String {
    serde_json::from_str::<serde_json::Value>(&f.body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(for_terminal))
        .unwrap_or_default()
}

impl ErrorMap for KaggleErrors {
    fn map(&self, f: &HttpFailure) -> Error {
        let src = Source::Kaggle;
        if http::is_redirect_loop(f.status) {
            return f.generic_error(src);
        }
        let status = f.status.as_u16();
        let msg = kaggle_message(f);
        let shown = if msg.is_empty() {
            String::new()
        } else {
            format!(" ({msg})")
        };
        let page = format!(
            "https://www.kaggle.com/datasets/{}",
            self.dataset.split("/versions/").next().unwrap_or("")
        );
        if !f.from_api && !http::is_transient_status(f.status) {
            return Error::Denied {
                hub: src,
                message: format!(
                    "Kaggle storage refused the download of {} (HTTP {status}) even with a fresh link; try again later",
                    for_terminal(&f.what)
                ),
            };
        }
        match (status, &self.auth.credential) {
            (401 | 403, None) => Error::CredentialsMissing {
                hub: src,
                what: self.dataset.clone(),
                status,
                looked: self.auth.looked_list(),
                how: self.auth.how_to_set(),
            },
            (401, Some(_)) => Error::Denied {
                hub: src,
                message: format!(
                    "the credential from {} was rejected (HTTP 401{shown}); check it with `dsfetch auth --check`, or create a new token at https://www.kaggle.com/settings",
                    self.auth.origin.as_deref().unwrap_or("the environment")
                ),
            },
            (403, Some(_)) => Error::Denied {
                hub: src,
                message: format!(
                    "the account from {} has no access to {}{shown}; it may be private, or require accepting its terms at {page}",
                    self.auth.origin.as_deref().unwrap_or("the environment"),
                    self.dataset
                ),
            },
            (404, _) => Error::NotFound {
                hub: src,
                message: format!(
                    "{} not found on Kaggle{shown}; check the id and version at {page}",
                    for_terminal(&f.what)
                ),
            },
            _ => f.generic_error(src),
        }
    }
}

impl<'a> KaggleClient<'a> {
    fn credential(&self) -> Option<&Credential> {
        self.auth.credential.as_ref()
    }

    fn errors(&self, dataset: &str) -> KaggleErrors {
        KaggleErrors {
            dataset: dataset.to_string(),
            auth: self.auth.clone(),
        }
    }

    /// The request for an RPC of `datasets.DatasetApiService`.
    pub fn rpc_request(
        &self,
        method: &str,
        body: &serde_json::Value,
        what: &str,
    ) -> Result<Request> {
        let url = endpoint_join(
            &self.endpoint,
            &format!("/v1/datasets.DatasetApiService/{method}"),
        )?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        Ok(Request {
            method: reqwest::Method::POST,
            url,
            headers,
            body: Some(serde_json::to_vec(body).unwrap_or_default().into()),
            auth: None,
            what: what.to_string(),
        }
        .auth(self.credential()))
    }

    /// Calls an RPC and parses its JSON answer. A JSON body with `"code" >= 400` is an error even
    /// under HTTP 200, as the Kaggle SDK treats it.
    pub async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        body: serde_json::Value,
        what: &str,
        dataset: &str,
    ) -> Result<T> {
        let req = self.rpc_request(method, &body, what)?;
        let reply = self.http.call(&req, self.reporter, 64 << 20, true).await?;
        let url = http::display_url(&reply.url);
        if !reply.status.is_success() {
            let f = HttpFailure::from_reply(&reply, &http::origin_of(&req.url), what);
            return Err(self.errors(dataset).map(&f));
        }
        let bytes = &reply.body;
        let v: serde_json::Value = reply.json()?;
        if let Some(code) = v.get("code").and_then(|c| c.as_u64())
            && code >= 400
        {
            let f = HttpFailure {
                status: reqwest::StatusCode::from_u16(code as u16)
                    .unwrap_or(reqwest::StatusCode::BAD_GATEWAY),
                headers: HeaderMap::new(),
                body: String::from_utf8_lossy(bytes).into_owned(),
                url: req.url.clone(),
                from_api: true,
                attempts: reply.attempts,
                what: what.to_string(),
            };
            return Err(self.errors(dataset).map(&f));
        }
        serde_json::from_value(v).map_err(|e| Error::Protocol {
            url,
            message: format!("unexpected JSON shape ({e})"),
        })
    }

    /// Checks the credential with one cheap call (`api.v1.DiagnosticsService/Hello`, as
    /// kagglehub's `whoami` does). Returns the user name, or a `Denied` error when rejected.
    pub async fn hello(&self) -> Result<String> {
        let url = endpoint_join(&self.endpoint, "/v1/api.v1.DiagnosticsService/Hello")?;
        let mut req = self.rpc_request("Hello", &json!({}), "credential check")?;
        req.url = url;
        let reply = self.http.call(&req, self.reporter, 1 << 20, true).await?;
        let status = reply.status;
        let body: serde_json::Value = if status.is_success() {
            reply.json()?
        } else {
            let f = HttpFailure::from_reply(&reply, &http::origin_of(&req.url), "credential check");
            if matches!(status.as_u16(), 401 | 403) {
                serde_json::json!({"code": status.as_u16()})
            } else {
                return Err(f.generic_error(Source::Kaggle));
            }
        };
        let code = body.get("code").and_then(|c| c.as_u64()).unwrap_or(0);
        match body.get("userName").and_then(|u| u.as_str()) {
            Some(u) if code < 400 && !u.is_empty() => Ok(for_terminal(u)),
            _ => Err(Error::Denied {
                hub: Source::Kaggle,
                message: format!(
                    "the credential from {} was rejected; create a new token at https://www.kaggle.com/settings",
                    self.auth.origin.as_deref().unwrap_or("the environment")
                ),
            }),
        }
    }

    /// `GetDataset`: the dataset with its current version.
    pub async fn get_dataset(&self, id: &KaggleId) -> Result<ApiDataset> {
        let body = json!({"ownerSlug": id.owner, "datasetSlug": id.slug});
        self.call(
            "GetDataset",
            body,
            &format!("dataset {}", id.reference()),
            &id.reference(),
        )
        .await
    }

    /// `ListDatasetFiles` for a version, following `nextPageToken` to the end.
    pub async fn list_files(&self, id: &KaggleId, version: u32) -> Result<Vec<ApiDatasetFile>> {
        let mut out = Vec::new();
        let mut token = String::new();
        let mut seen = HashSet::new();
        loop {
            let mut body = json!({"ownerSlug": id.owner, "datasetSlug": id.slug, "datasetVersionNumber": version, "pageSize": 200});
            if !token.is_empty() {
                body["pageToken"] = json!(token);
            }
            let page: ListFilesResponse = self
                .call(
                    "ListDatasetFiles",
                    body,
                    &format!("file list of {}", id),
                    &id.to_string(),
                )
                .await?;
            if let Some(m) = page.error_message.filter(|m| !m.is_empty()) {
                return Err(Error::Protocol {
                    url: "ListDatasetFiles".into(),
                    message: for_terminal(&m),
                });
            }
            out.extend(page.dataset_files);
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) if seen.insert(t.clone()) && seen.len() < 100_000 => token = t,
                Some(_) => {
                    return Err(Error::Protocol {
                        url: "ListDatasetFiles".into(),
                        message: "the file listing's pagination loops".into(),
                    });
                }
                None => break,
            }
        }
        Ok(out)
    }
}

/// Options specific to Kaggle downloads.
#[derive(Debug, Clone, Default)]
pub struct KaggleOptions {
    /// `--file NAME` (repeatable): only these files.
    pub files: Vec<String>,
    /// `--no-unzip`: keep `SLUG.zip` instead of extracting it.
    pub no_unzip: bool,
}

fn part_name(id: &KaggleId, version: u32, file: Option<&str>) -> String {
    use sha2::Digest;
    match file {
        None => format!("kaggle-{}-{}-v{version}.zip.part", id.owner, id.slug),
        Some(f) => format!(
            "kaggle-v{version}-{}.part",
            &hex::encode(sha2::Sha256::digest(f.as_bytes()))[..32]
        ),
    }
}

/// The last path segment of a URL, percent-decoded.
fn last_segment(url: &Url) -> String {
    let seg = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    percent_encoding::percent_decode_str(seg)
        .decode_utf8_lossy()
        .into_owned()
}

/// Downloads a Kaggle dataset (whole archive, `--file`s, or an `--include` subset).
pub async fn download(
    client: &KaggleClient<'_>,
    id: &KaggleId,
    kopts: &KaggleOptions,
    opts: &DownloadOptions,
) -> Result<DownloadReport> {
    for f in &kopts.files {
        crate::paths::check_relative(f).map_err(|r| Error::usage(format!("--file {f:?}: {r}")))?;
    }
    match &opts.layout {
        Layout::HfCache(_) => {
            return Err(Error::usage(
                "--layout hf-cache is for Hugging Face datasets; use kagglehub or folder",
            ));
        }
        Layout::Kagglehub(_) if opts.output.is_some() => {
            return Err(Error::usage(
                "-o/--output cannot be combined with --layout kagglehub (the cache decides where files go)",
            ));
        }
        Layout::Kagglehub(_) if kopts.no_unzip => {
            return Err(Error::usage(
                "--no-unzip cannot be combined with --layout kagglehub (kagglehub expects extracted files)",
            ));
        }
        _ => {}
    }
    let version = match id.version {
        Some(v) => v,
        None => {
            let ds = client.get_dataset(id).await?;
            match ds.current_version_number {
                Some(v) if v > 0 => v,
                _ => {
                    return Err(Error::Protocol {
                        url: "GetDataset".into(),
                        message: format!(
                            "dataset {} has no current version number",
                            id.reference()
                        ),
                    });
                }
            }
        }
    };
    let pinned = KaggleId {
        version: Some(version),
        ..id.clone()
    };
    let label = format!("kaggle:{pinned}");
    // Where the files go: a plain folder, or kagglehub's cache (`datasets/O/S/versions/N`, with
    // dsfetch's state beside the version folders so the dataset folder holds only the data).
    let (root, state, hub_base) = match &opts.layout {
        Layout::Folder => {
            let r = opts.folder(&id.slug);
            (r.clone(), record::state_dir(&r), None)
        }
        Layout::Kagglehub(cache) => {
            let base = cache.join("datasets").join(&id.owner).join(&id.slug);
            (
                base.join("versions").join(version.to_string()),
                base.join(crate::paths::STATE_DIR)
                    .join(format!("v{version}")),
                Some(base),
            )
        }
        Layout::HfCache(_) => {
            return Err(Error::usage(
                "--layout hf-cache is for Hugging Face datasets; use kagglehub or folder",
            ));
        }
    };
    let upstream = format!("v{version}");

    // Which files: named ones, a listed subset, or the whole archive. Named files are looked up
    // in the version's file list too: what arrives is checked against the listed size (the
    // service may send a file wrapped in a zip).
    let wanted: Option<Vec<(String, Option<u64>)>> = if !kopts.files.is_empty() {
        let listed = client.list_files(id, version).await?;
        let sizes: HashMap<&str, Option<u64>> = listed
            .iter()
            .map(|f| (f.name.as_str(), f.total_bytes))
            .collect();
        let mut picked = Vec::new();
        for name in &kopts.files {
            match sizes.get(name.as_str()) {
                Some(size) => picked.push((name.clone(), *size)),
                None => {
                    return Err(Error::NotFound {
                        hub: Source::Kaggle,
                        message: format!(
                            "file {:?} is not in {pinned}; see its files at https://www.kaggle.com/datasets/{}/data",
                            for_terminal(name),
                            id.reference()
                        ),
                    });
                }
            }
        }
        Some(picked)
    } else if !opts.selection.is_all() {
        let listed = client.list_files(id, version).await?;
        let mut picked = Vec::new();
        for f in listed {
            let selected = opts.selection.matches(&f.name);
            if let Err(reason) = crate::paths::check_relative(&f.name) {
                if !selected {
                    client.reporter.on_event(&Event::Warn(&format!(
                        "skipped the unsafe file name {:?} in {label} ({reason}); your selection leaves it out, and it is never written",
                        for_terminal(&f.name)
                    )));
                    continue;
                }
                return Err(Error::Unsafe {
                    what: "file name",
                    name: for_terminal(&f.name),
                    reason: format!("{reason}; nothing was downloaded"),
                });
            }
            if selected {
                picked.push((f.name, f.total_bytes));
            }
        }
        if picked.is_empty() {
            return Err(Error::NotFound {
                hub: Source::Kaggle,
                message: format!(
                    "no file of {pinned} matches the --include/--exclude patterns; list them with the Kaggle page's Data tab"
                ),
            });
        }
        Some(picked)
    } else {
        None
    };

    let folder = Folder::open(
        root.clone(),
        state,
        Source::Kaggle,
        &id.reference(),
        opts.force,
        opts.dry_run,
        client.reporter,
    )
    .await?;
    let same_version = folder.record.version == Some(version);
    let errors = Arc::new(client.errors(&pinned.to_string()));
    let fetcher = Fetcher {
        http: client.http,
        reporter: client.reporter,
        dataset: &label,
        connections: opts.connections.clone(),
        parallel: opts.parallel.clone(),
        large_files: Arc::new(tokio::sync::Semaphore::new(
            crate::transfer::MAX_PARALLEL_FILES,
        )),
    };
    let tmp = folder.tmp();

    let base_report = |files: Vec<ReportFile>,
                       bytes_downloaded: u64,
                       downloaded: usize,
                       skipped: usize,
                       dry_run: bool| DownloadReport {
        dataset_id: id.reference(),
        source: Source::Kaggle,
        file_path: root.clone(),
        revision: None,
        commit: None,
        version: Some(version),
        total_bytes: files.iter().map(|f| f.size).sum(),
        files,
        bytes_downloaded,
        downloaded,
        skipped,
        dry_run,
    };

    match wanted {
        None => {
            // Whole dataset.
            let present: Vec<&FileEntry> = folder.record.files.iter().collect();
            let expected_zip = format!("{}.zip", id.slug);
            let only_zip = present.len() == 1 && present[0].path == expected_zip;
            let complete = !opts.force
                && same_version
                && !present.is_empty()
                && only_zip == kopts.no_unzip
                && present
                    .iter()
                    .all(|e| folder.has(&e.path, &upstream).is_some())
                && opts.locked.as_ref().is_none_or(|locked| {
                    // Under a lockfile every local file is re-hashed against it.
                    download::check_locked_set(
                        locked,
                        present.iter().map(|e| e.path.as_str()),
                        &label,
                    )
                    .is_ok()
                        && present.iter().all(|e| {
                            locked
                                .get(&e.path)
                                .is_some_and(|l| download::local_matches(&root, &e.path, l))
                        })
                });
            if complete {
                let files: Vec<ReportFile> = present
                    .iter()
                    .map(|e| ReportFile {
                        path: e.path.clone(),
                        size: e.size,
                        sha256: Some(e.sha256.clone()),
                        skipped: true,
                    })
                    .collect();
                client.reporter.on_event(&Event::Plan {
                    dataset: &label,
                    files: 0,
                    bytes: 0,
                    skipped: files.len(),
                });
                if !opts.dry_run {
                    write_kagglehub_markers(
                        hub_base.as_deref(),
                        version,
                        files.iter().map(|f| f.path.as_str()),
                        true,
                    )?;
                }
                let n = files.len();
                return Ok(base_report(files, 0, 0, n, opts.dry_run));
            }
            client.reporter.on_event(&Event::Plan {
                dataset: &label,
                files: 1,
                bytes: 0,
                skipped: 0,
            });
            if opts.dry_run {
                // Show what the archive holds (and its sizes) from the version's file list.
                let listed = client.list_files(id, version).await?;
                let files = if kopts.no_unzip {
                    vec![ReportFile {
                        path: expected_zip,
                        size: listed.iter().filter_map(|f| f.total_bytes).sum(),
                        sha256: None,
                        skipped: false,
                    }]
                } else {
                    listed
                        .into_iter()
                        .map(|f| ReportFile {
                            path: for_terminal(&f.name),
                            size: f.total_bytes.unwrap_or(0),
                            sha256: None,
                            skipped: false,
                        })
                        .collect()
                };
                return Ok(base_report(files, 0, 0, 0, true));
            }
            if let (Some(locked), true) = (&opts.locked, kopts.no_unzip) {
                // Kept zipped, the dataset is one file: the lock must pin exactly that file.
                download::check_locked_set(locked, std::iter::once(expected_zip.as_str()), &label)?;
            }
            let body = json!({"ownerSlug": id.owner, "datasetSlug": id.slug, "datasetVersionNumber": version});
            let what = format!("{pinned} archive");
            // Extraction starts while the archive arrives (in parallel chunks, the directory at
            // its end first); used only if the archive then verifies.
            let early = EarlyExtraction::new(tmp.clone());
            let on_parallel = |avail: Arc<crate::transfer::Availability>| early.start(avail);
            let part = tmp.join(part_name(id, version, None));
            let spec = FileSpec {
                rel_path: &expected_zip,
                root: &root,
                part: part.clone(),
                dest: None,
                size: None,
                expected: None,
                md5_from_server: true,
                request: client.rpc_request("DownloadDataset", &body, &what)?,
                errors: errors.as_ref(),
                lock: opts
                    .locked
                    .as_ref()
                    .filter(|_| kopts.no_unzip)
                    .and_then(|l| l.get(&expected_zip))
                    .cloned(),
                on_parallel: (!kopts.no_unzip).then_some(&on_parallel as _),
                tail_first: !kopts.no_unzip,
            };
            // An archive verified by an earlier run that could not finish (a full disk while
            // extracting, a file in the way) is used as it is: versions never change.
            let got = match verified_archive(&part) {
                Some(g) => {
                    client.reporter.on_event(&Event::Debug(&format!(
                        "{label}: using the archive verified by an earlier run"
                    )));
                    Ok(g)
                }
                None => fetcher.fetch(&spec).await,
            };
            let early = early
                .finish(got.as_ref().ok().and_then(|g| g.availability.clone()))
                .await;
            let got = got?;
            mark_verified(&part, &got)?;
            let mut rec = record::Record::new(Source::Kaggle, &id.reference());
            rec.version = Some(version);
            let files = if kopts.no_unzip {
                let dest = root.join(&expected_zip);
                check_foreign(
                    &folder,
                    &[(expected_zip.clone(), got.sha256.clone())],
                    opts,
                    client.reporter,
                )
                .await?;
                crate::paths::move_into_place(&root, &got.path, &dest)?;
                discard_archive(&got.path);
                vec![FileEntry {
                    path: expected_zip.clone(),
                    size: got.size,
                    sha256: got.sha256.clone(),
                    upstream: Some(upstream.clone()),
                }]
            } else {
                extract_into_place(
                    client.reporter,
                    &label,
                    &got.path,
                    &folder,
                    opts,
                    &upstream,
                    early,
                )
                .await?
            };
            rec.files = files.clone();
            folder.save(&rec)?;
            folder.remove_stale(&rec, client.reporter);
            folder.tidy();
            write_kagglehub_markers(
                hub_base.as_deref(),
                version,
                files.iter().map(|f| f.path.as_str()),
                true,
            )?;
            let n = files.len();
            let report_files = files
                .into_iter()
                .map(|e| ReportFile {
                    path: e.path,
                    size: e.size,
                    sha256: Some(e.sha256),
                    skipped: false,
                })
                .collect();
            Ok(base_report(report_files, got.transferred, n, 0, false))
        }
        Some(list) => {
            // Named or selected files, concurrently.
            let mut report_files = Vec::new();
            let mut todo = Vec::new();
            let mut kept = Vec::new();
            let mut refused = Vec::new();
            if let Some(locked) = &opts.locked {
                download::check_locked_set(locked, list.iter().map(|(n, _)| n.as_str()), &label)?;
            }
            for (name, size) in &list {
                let present = folder.has(name, &upstream).filter(|e| {
                    match opts.locked.as_ref().and_then(|l| l.get(name)) {
                        Some(l) => e.sha256 == l.sha256 && download::local_matches(&root, name, l),
                        None => true,
                    }
                });
                match (opts.force, present) {
                    (false, Some(e)) if same_version => {
                        report_files.push(ReportFile {
                            path: name.clone(),
                            size: e.size,
                            sha256: Some(e.sha256.clone()),
                            skipped: true,
                        });
                        kept.push(e.clone());
                    }
                    _ => {
                        // A user's file of another size than the dataset's is surely other
                        // content: refused before anything is fetched (same-sized ones are
                        // compared once the file has arrived).
                        let other_size = folder.foreign(name).is_some_and(|local| {
                            std::fs::symlink_metadata(local).map(|m| m.len()).ok() != *size
                        });
                        if other_size {
                            refused.push(name.clone());
                        }
                        todo.push((name.clone(), *size));
                    }
                }
            }
            download::refuse_foreign(&root, &refused, opts.force, opts.dry_run, client.reporter)?;
            let skipped = report_files.len();
            let todo_bytes: u64 = todo.iter().filter_map(|(_, s)| *s).sum();
            client.reporter.on_event(&Event::Plan {
                dataset: &label,
                files: todo.len(),
                bytes: todo_bytes,
                skipped,
            });
            download::warn_if_short_of_space(&root, todo_bytes, client.reporter);
            if opts.dry_run {
                for (name, size) in &todo {
                    report_files.push(ReportFile {
                        path: name.clone(),
                        size: size.unwrap_or(0),
                        sha256: None,
                        skipped: false,
                    });
                }
                report_files.sort_by(|a, b| a.path.cmp(&b.path));
                return Ok(base_report(report_files, 0, 0, skipped, true));
            }
            let (folder_ref, pinned_ref) = (&folder, &pinned);
            let fetched = download::run_concurrently(
                todo,
                opts.jobs,
                |(name, size): (String, Option<u64>)| {
                    let one = OneFile {
                        client,
                        fetcher: fetcher.clone(),
                        errors: errors.as_ref(),
                        folder: folder_ref,
                        opts,
                        id: pinned_ref,
                        upstream: &upstream,
                    };
                    async move { one.fetch(name, size).await }
                },
            )
            .await?;
            let mut rec = folder.record.clone();
            if !same_version {
                rec.files.clear();
            }
            let mut entries: BTreeMap<String, FileEntry> =
                rec.files.drain(..).map(|e| (e.path.clone(), e)).collect();
            for e in kept {
                entries.insert(e.path.clone(), e);
            }
            let mut bytes = 0;
            for g in &fetched {
                let path = g.path.to_string_lossy().into_owned();
                bytes += g.transferred;
                entries.insert(
                    path.clone(),
                    FileEntry {
                        path: path.clone(),
                        size: g.size,
                        sha256: g.sha256.clone(),
                        upstream: Some(upstream.clone()),
                    },
                );
                report_files.push(ReportFile {
                    path,
                    size: g.size,
                    sha256: Some(g.sha256.clone()),
                    skipped: false,
                });
            }
            rec.files = entries.into_values().collect();
            rec.version = Some(version);
            folder.save(&rec)?;
            folder.remove_stale(&rec, client.reporter);
            folder.tidy();
            write_kagglehub_markers(
                hub_base.as_deref(),
                version,
                report_files.iter().map(|f| f.path.as_str()),
                false,
            )?;
            report_files.sort_by(|a, b| a.path.cmp(&b.path));
            Ok(base_report(
                report_files,
                bytes,
                fetched.len(),
                skipped,
                false,
            ))
        }
    }
}

/// One named or selected file of a version, fetched on its own.
struct OneFile<'a> {
    client: &'a KaggleClient<'a>,
    fetcher: Fetcher<'a>,
    errors: &'a KaggleErrors,
    folder: &'a Folder,
    opts: &'a DownloadOptions,
    /// The dataset at its version.
    id: &'a KaggleId,
    /// The record's identity for the version's files (`v<N>`).
    upstream: &'a str,
}

impl OneFile<'_> {
    /// Fetches `name` (whose listed size is `listed`), unwraps it when the service sent it as
    /// `<name>.zip`, checks it against the listed size (one more try from scratch on a
    /// mismatch), the lockfile and any user's file in the way, then moves it into place.
    async fn fetch(&self, name: String, listed: Option<u64>) -> Result<crate::transfer::Fetched> {
        let (id, version) = (self.id, self.id.version.unwrap_or(0));
        let label = id.to_string();
        let root = &self.folder.root;
        let body = json!({"ownerSlug": id.owner, "datasetSlug": id.slug, "fileName": name, "datasetVersionNumber": version});
        let what = format!("file {name} of {id}");
        let spec = FileSpec {
            rel_path: &name,
            root,
            part: self.folder.tmp().join(part_name(id, version, Some(&name))),
            dest: None,
            size: None,
            expected: None,
            md5_from_server: true,
            request: self.client.rpc_request("DownloadDataset", &body, &what)?,
            errors: self.errors,
            // Checked after unwrapping (a zipped file's bytes are the zip's).
            lock: None,
            on_parallel: None,
            tail_first: false,
        };
        let mut transferred = 0;
        let mut attempt = 0;
        let (staged, size, sha256, md5_checked) = loop {
            attempt += 1;
            let got = self.fetcher.fetch(&spec).await?;
            transferred += got.transferred;
            let (staged, size, sha256) = unwrap_if_wrapped(&name, &got).await?;
            match listed {
                Some(want) if want != size => {
                    let _ = std::fs::remove_file(&staged);
                    crate::transfer::discard_partial(&spec.part);
                    if attempt >= 2 {
                        return Err(Error::Integrity {
                            path: format!("{label}: {}", for_terminal(&name)),
                            expected: format!("size {want} (from the version's file list)"),
                            actual: format!("size {size}"),
                        });
                    }
                    self.fetcher.reporter.on_event(&Event::Warn(&format!(
                        "{}: {size} bytes arrived, but the file list says {want}; downloading it again from scratch",
                        for_terminal(&name)
                    )));
                }
                _ => break (staged, size, sha256, got.md5_checked),
            }
        };
        let dest = crate::paths::join_safe(root, &name, "file name")?;
        // Under a lockfile, other bytes than the pinned ones never reach the folder; nor do they
        // replace a user's file of other content.
        let lock = self.opts.locked.as_ref().and_then(|l| l.get(&name));
        let checked = match download::check_lock(&label, &name, lock, size, Some(&sha256)) {
            Ok(()) => {
                check_foreign(
                    self.folder,
                    &[(name.clone(), sha256.clone())],
                    self.opts,
                    self.fetcher.reporter,
                )
                .await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = checked {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
        crate::paths::move_into_place(root, &staged, &dest)?;
        let entry = FileEntry {
            path: name.clone(),
            size,
            sha256,
            upstream: Some(self.upstream.to_string()),
        };
        self.folder.journal(&entry)?;
        Ok(crate::transfer::Fetched {
            size: entry.size,
            sha256: entry.sha256,
            transferred,
            md5_checked,
            path: PathBuf::from(name),
            final_url: None,
            availability: None,
        })
    }
}

/// The verified bytes of a single file, unwrapped when the service sent `<basename>.zip` (kagglehub
/// and the kaggle CLI take the redirect URL's last segment as the served name), still outside the
/// dataset folder: (path, size, sha256).
async fn unwrap_if_wrapped(
    name: &str,
    got: &crate::transfer::Fetched,
) -> Result<(PathBuf, u64, String)> {
    let basename = name.rsplit('/').next().unwrap_or(name).to_string();
    let served = got.final_url.as_ref().map(last_segment).unwrap_or_default();
    if served != format!("{basename}.zip") {
        return Ok((got.path.clone(), got.size, got.sha256.clone()));
    }
    let part = got.path.clone();
    let unwrapped = part.with_extension("unwrapped");
    let out = unwrapped.clone();
    let ex = tokio::task::spawn_blocking(move || {
        extract::unwrap_single(&part, &basename, &out, &Limits::default())
    })
    .await
    .map_err(|e| Error::Conflict(format!("extraction task failed: {e}")))??;
    let _ = std::fs::remove_file(&got.path);
    Ok((unwrapped, ex.size, ex.sha256))
}

/// kagglehub's cache markers (protocol/kaggle.md §9): `<N>.complete` for a whole version, and
/// `.complete/<N>/<path>.complete` per file, so that both `dataset_download(handle)` and
/// `dataset_download(handle, path=...)` find the files without a request. No-op for other layouts.
fn write_kagglehub_markers<'a>(
    base: Option<&Path>,
    version: u32,
    files: impl Iterator<Item = &'a str>,
    whole: bool,
) -> Result<()> {
    let Some(base) = base else { return Ok(()) };
    let per_file = base.join(".complete").join(version.to_string());
    for f in files {
        let marker = crate::paths::join_safe(&per_file, &format!("{f}.complete"), "file name")?;
        if let Some(parent) = marker.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
        }
        std::fs::write(&marker, b"").map_err(|e| Error::io("writing", &marker, e))?;
    }
    if whole {
        let marker = base.join(format!("{version}.complete"));
        std::fs::write(&marker, b"").map_err(|e| Error::io("writing", &marker, e))?;
    }
    Ok(())
}

/// Extracts a verified archive into a staging folder, then moves every file into the dataset
/// folder and removes the archive. Runs the blocking work off the async runtime. `early` is an
/// extraction already done while the (now verified) archive arrived. Nothing is moved into place
/// unless everything can be: a lock mismatch, a user's file or a folder in the way stops it
/// first, keeping the verified archive for the next run.
async fn extract_into_place(
    reporter: &dyn Reporter,
    label: &str,
    archive: &Path,
    folder: &Folder,
    opts: &DownloadOptions,
    upstream: &str,
    early: Option<(PathBuf, Vec<extract::Extracted>)>,
) -> Result<Vec<FileEntry>> {
    let root = &folder.root;
    let (staging, files) = match early {
        Some((staging, files)) => {
            reporter.on_event(&Event::Debug(&format!(
                "{label}: archive extracted while it arrived"
            )));
            (staging, Ok(files))
        }
        None => {
            let staging = folder.tmp().join("extract");
            let _ = std::fs::remove_dir_all(&staging);
            let (a, s) = (archive.to_path_buf(), staging.clone());
            let t0 = std::time::Instant::now();
            let files = tokio::task::spawn_blocking(move || {
                extract::extract_zip(&a, &s, &Limits::default())
            })
            .await
            .map_err(|e| Error::Conflict(format!("extraction task failed: {e}")))?;
            reporter.on_event(&Event::Debug(&format!(
                "{label}: archive extracted in {:.0} ms",
                t0.elapsed().as_secs_f64() * 1000.0
            )));
            (staging, files)
        }
    };
    let files = match files {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            if e.kind() == crate::error::ErrorKind::Integrity {
                // A damaged archive: the next run must fetch it again, not resume it.
                discard_archive(archive);
            }
            return Err(e);
        }
    };
    let ready = async {
        if let Some(locked) = opts.locked.as_deref() {
            download::check_locked_set(locked, files.iter().map(|f| f.path.as_str()), label)
                .inspect_err(|_| discard_archive(archive))?;
            for f in &files {
                download::check_lock(label, &f.path, locked.get(&f.path), f.size, Some(&f.sha256))
                    .inspect_err(|_| discard_archive(archive))?;
            }
        }
        let found: Vec<(String, String)> = files
            .iter()
            .map(|f| (f.path.clone(), f.sha256.clone()))
            .collect();
        check_foreign(folder, &found, opts, reporter).await?;
        for f in &files {
            let dest = crate::paths::join_safe(root, &f.path, "zip entry")?;
            if dest.is_dir() {
                return Err(Error::Conflict(format!(
                    "{} is a folder, but the dataset has a file there; move it away and run again (the verified archive is kept)",
                    dest.display()
                )));
            }
        }
        Ok(())
    };
    if let Err(e) = ready.await {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    reporter.on_event(&Event::Extract {
        dataset: label,
        entries: files.len(),
        bytes: files.iter().map(|f| f.size).sum(),
    });
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let src = crate::paths::join_safe(&staging, &f.path, "zip entry")?;
        let dest = crate::paths::join_safe(root, &f.path, "zip entry")?;
        crate::paths::move_into_place(root, &src, &dest)?;
        out.push(FileEntry {
            path: f.path,
            size: f.size,
            sha256: f.sha256,
            upstream: Some(upstream.to_string()),
        });
    }
    let _ = std::fs::remove_dir_all(&staging);
    discard_archive(archive);
    Ok(out)
}

/// Refuses (unless `--force`) to replace files in the folder that dsfetch did not write, when
/// their content differs from the dataset's (`files`: path and sha256).
async fn check_foreign(
    folder: &Folder,
    files: &[(String, String)],
    opts: &DownloadOptions,
    reporter: &dyn Reporter,
) -> Result<()> {
    let found: Vec<(String, String, PathBuf)> = files
        .iter()
        .filter_map(|(p, h)| folder.foreign(p).map(|l| (p.clone(), h.clone(), l)))
        .collect();
    if found.is_empty() || opts.force {
        return Ok(());
    }
    let differing = tokio::task::spawn_blocking(move || {
        found
            .into_iter()
            .filter(|(_, h, local)| {
                crate::verify::sha256_file(local).map_or(true, |(_, got)| &got != h)
            })
            .map(|(p, _, _)| p)
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| Error::Conflict(format!("hashing task failed: {e}")))?;
    download::refuse_foreign(&folder.root, &differing, opts.force, opts.dry_run, reporter)
}

/// The marker beside an archive that verified (`<part>.verified`): a later run that finds it
/// extracts the archive without fetching it again.
fn verified_marker(part: &Path) -> PathBuf {
    let mut s = part.as_os_str().to_owned();
    s.push(".verified");
    PathBuf::from(s)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Verified {
    size: u64,
    sha256: String,
    md5_checked: bool,
}

/// Records that the archive at `part` verified.
fn mark_verified(part: &Path, got: &crate::transfer::Fetched) -> Result<()> {
    let marker = verified_marker(part);
    let json = serde_json::to_vec(&Verified {
        size: got.size,
        sha256: got.sha256.clone(),
        md5_checked: got.md5_checked,
    })
    .unwrap_or_default();
    std::fs::write(&marker, json).map_err(|e| Error::io("writing", &marker, e))
}

/// The archive an earlier run verified, if it is still there with its size.
fn verified_archive(part: &Path) -> Option<crate::transfer::Fetched> {
    let v: Verified = serde_json::from_slice(&std::fs::read(verified_marker(part)).ok()?).ok()?;
    let md = std::fs::symlink_metadata(part).ok()?;
    (md.is_file() && md.len() == v.size).then(|| crate::transfer::Fetched {
        size: v.size,
        sha256: v.sha256,
        transferred: 0,
        md5_checked: v.md5_checked,
        path: part.to_path_buf(),
        final_url: None,
        availability: None,
    })
}

/// Removes an archive, its sidecar and its verified marker.
fn discard_archive(part: &Path) {
    crate::transfer::discard_partial(part);
    let _ = std::fs::remove_file(verified_marker(part));
}

/// Extraction of an archive while it downloads in parallel chunks (see
/// [`extract::extract_zip_streaming`]). Each download attempt gets its own thread and staging
/// folder; only the one whose bytes verified is kept.
struct EarlyExtraction {
    tmp: PathBuf,
    runs: std::sync::Mutex<Vec<EarlyRun>>,
}

struct EarlyRun {
    avail: Arc<crate::transfer::Availability>,
    staging: PathBuf,
    thread: std::thread::JoinHandle<Result<Vec<extract::Extracted>>>,
}

impl EarlyExtraction {
    fn new(tmp: PathBuf) -> EarlyExtraction {
        EarlyExtraction {
            tmp,
            runs: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Starts extracting the archive that `avail` describes, on a thread of its own.
    fn start(&self, avail: Arc<crate::transfer::Availability>) {
        let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
        let staging = self.tmp.join(format!("extract-{}", runs.len()));
        let _ = std::fs::remove_dir_all(&staging);
        let (a, s) = (avail.clone(), staging.clone());
        let thread = std::thread::Builder::new()
            .name("dsfetch-extract".into())
            .spawn(move || extract::extract_zip_streaming(&a, &s, &Limits::default()));
        // Without a thread, extraction simply happens after the download.
        if let Ok(thread) = thread {
            runs.push(EarlyRun {
                avail,
                staging,
                thread,
            });
        }
    }

    /// Waits for every extraction thread; returns the staging folder and files of the one that
    /// read the verified bytes (`verified`), if it succeeded. The other folders are removed.
    async fn finish(
        self,
        verified: Option<Arc<crate::transfer::Availability>>,
    ) -> Option<(PathBuf, Vec<extract::Extracted>)> {
        let runs = self.runs.into_inner().unwrap_or_else(|e| e.into_inner());
        if runs.is_empty() {
            return None;
        }
        tokio::task::spawn_blocking(move || {
            let mut kept = None;
            for run in runs {
                let result = run.thread.join();
                let mine = verified
                    .as_ref()
                    .is_some_and(|v| Arc::ptr_eq(v, &run.avail));
                match result {
                    Ok(Ok(files)) if mine => kept = Some((run.staging, files)),
                    _ => {
                        let _ = std::fs::remove_dir_all(&run.staging);
                    }
                }
            }
            kept
        })
        .await
        .ok()
        .flatten()
    }
}
