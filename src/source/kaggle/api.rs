//! Kaggle's `datasets.DatasetApiService` RPC API as dsfetch uses it (protocol/kaggle.md): every
//! call is `POST {endpoint}/v1/datasets.DatasetApiService/{Method}` with a camelCase JSON body; a
//! JSON body with `"code" >= 400` is an error even under HTTP 200, as the Kaggle SDK treats it.

use std::collections::HashSet;

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::json;

use super::errors::{KaggleErrors, Subject};
use crate::credentials::{Credential, Resolved};
use crate::error::{Error, Hub, Result};
use crate::http::{self, ErrorMap, Http, HttpFailure, Request, endpoint_join};
use crate::id::KaggleId;
use crate::progress::Reporter;
use crate::sanitize::for_terminal;

/// The RPC services dsfetch calls (`POST {endpoint}/v1/{service}/{Method}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// `datasets.DatasetApiService`.
    Datasets,
    /// `competitions.CompetitionApiService`.
    Competitions,
    /// `models.ModelApiService`.
    Models,
}

impl Service {
    fn path(self) -> &'static str {
        match self {
            Service::Datasets => "datasets.DatasetApiService",
            Service::Competitions => "competitions.CompetitionApiService",
            Service::Models => "models.ModelApiService",
        }
    }
}

/// A Kaggle client for one endpoint with the resolved credentials.
pub(crate) struct KaggleClient<'a> {
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

impl<'a> KaggleClient<'a> {
    pub(crate) fn credential(&self) -> Option<&Credential> {
        self.auth.credential.as_ref()
    }

    pub(crate) fn errors(&self, subject: Subject) -> KaggleErrors {
        KaggleErrors {
            subject,
            auth: self.auth.clone(),
        }
    }

    /// The request for `method` of an RPC service (`datasets.DatasetApiService`, ...).
    pub fn rpc_request(
        &self,
        service: Service,
        method: &str,
        body: &serde_json::Value,
        what: &str,
    ) -> Result<Request> {
        let url = endpoint_join(&self.endpoint, &format!("/v1/{}/{method}", service.path()))?;
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
        service: Service,
        method: &str,
        body: serde_json::Value,
        what: &str,
        subject: &Subject,
    ) -> Result<T> {
        let req = self.rpc_request(service, method, &body, what)?;
        let reply = self.http.call(&req, self.reporter, 64 << 20, true).await?;
        let url = http::display_url(&reply.url);
        if !reply.status.is_success() {
            let f = HttpFailure::from_reply(&reply, &http::origin_of(&req.url), what);
            return Err(self.errors(subject.clone()).map(&f));
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
            return Err(self.errors(subject.clone()).map(&f));
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
        let mut req =
            self.rpc_request(Service::Datasets, "Hello", &json!({}), "credential check")?;
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
                return Err(f.generic_error(Hub::Kaggle));
            }
        };
        let code = body.get("code").and_then(|c| c.as_u64()).unwrap_or(0);
        match body.get("userName").and_then(|u| u.as_str()) {
            Some(u) if code < 400 && !u.is_empty() => Ok(for_terminal(u)),
            _ => Err(Error::Denied {
                hub: Hub::Kaggle,
                message: format!(
                    "the credential from {} was rejected; create a new token at https://www.kaggle.com/settings",
                    self.auth.origin.as_deref().unwrap_or("the environment")
                ),
                hint: None,
            }),
        }
    }

    /// `GetDataset`: the dataset with its current version.
    pub async fn get_dataset(&self, id: &KaggleId) -> Result<ApiDataset> {
        let body = json!({"ownerSlug": id.owner, "datasetSlug": id.slug});
        self.call(
            Service::Datasets,
            "GetDataset",
            body,
            &format!("dataset {}", id.reference()),
            &Subject::Dataset(id.reference()),
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
                    Service::Datasets,
                    "ListDatasetFiles",
                    body,
                    &format!("file list of {}", id),
                    &Subject::Dataset(id.to_string()),
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
                Some(_) => return Err(super::pagination_loops("ListDatasetFiles")),
                None => break,
            }
        }
        Ok(out)
    }
}
