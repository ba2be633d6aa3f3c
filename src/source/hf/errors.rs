//! Hub failures (`X-Error-Code`, `X-Error-Message`, statuses) turned into errors that say what
//! happened and what to do (protocol/hf.md §5).

use reqwest::Url;

use crate::error::{Error, Hint, Hub};
use crate::http::{self, ErrorMap, HttpFailure};
use crate::sanitize::for_terminal;

/// Maps Hub failures (X-Error-Code, X-Error-Message) to errors that say what to do.
pub(crate) struct HfErrors {
    /// The repo.
    pub repo: String,
    /// The revision asked for.
    pub revision: String,
    /// The endpoint (for the dataset's URL in messages).
    pub endpoint: Url,
    /// Where the credential came from, or `None` when anonymous.
    pub token_origin: Option<String>,
    /// Places looked at for a token.
    pub looked: String,
}

impl HfErrors {
    fn dataset_url(&self) -> String {
        format!(
            "{}/datasets/{}",
            self.endpoint.as_str().trim_end_matches('/'),
            self.repo
        )
    }
}

impl ErrorMap for HfErrors {
    fn map(&self, f: &HttpFailure) -> Error {
        let src = Hub::HuggingFace;
        if http::is_redirect_loop(f.status) {
            return f.generic_error(src);
        }
        let code = f.header("x-error-code").unwrap_or("");
        let server_msg = f
            .header("x-error-message")
            .map(str::to_string)
            .or_else(|| {
                serde_json::from_str::<serde_json::Value>(&f.body)
                    .ok()
                    .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            })
            .unwrap_or_default();
        let server_msg = for_terminal(&server_msg);
        let status = f.status.as_u16();
        let repo = &self.repo;
        let set_token = format!(
            "no token was found (looked at {}); set HF_TOKEN or run `hf auth login`",
            self.looked
        );
        if !f.from_api && !http::is_transient_status(f.status) {
            // A CDN answer we could not recover from (expired URLs are re-requested before this).
            return Error::Denied {
                hub: src,
                message: format!(
                    "the download server refused {} (HTTP {status}) even with a fresh link; try again later",
                    for_terminal(&f.what)
                ),
                hint: None,
            };
        }
        match code {
            "GatedRepo" => {
                let fix = match &self.token_origin {
                    None => format!(
                        "request access at {} and then set HF_TOKEN to a token of the approved account ({set_token})",
                        self.dataset_url()
                    ),
                    Some(o) => format!(
                        "the account of the token from {o} has not been granted access; request it at {}",
                        self.dataset_url()
                    ),
                };
                return Error::Denied {
                    hub: src,
                    message: format!("dataset {repo} is gated: {fix}"),
                    hint: None,
                };
            }
            "RevisionNotFound" => {
                return Error::NotFound {
                    hub: src,
                    message: format!(
                        "revision {:?} not found in dataset {repo}; check the branch, tag or commit at {}/tree/main",
                        for_terminal(&self.revision),
                        self.dataset_url()
                    ),
                    hint: None,
                };
            }
            "EntryNotFound" => {
                return Error::NotFound {
                    hub: src,
                    message: format!(
                        "{} not found in dataset {repo} at revision {:?}",
                        for_terminal(&f.what),
                        for_terminal(&self.revision)
                    ),
                    hint: None,
                };
            }
            _ => {}
        }
        if status == 401 && server_msg.contains("Invalid credentials") {
            let origin = self.token_origin.as_deref().unwrap_or("the environment");
            return Error::Denied {
                hub: src,
                message: format!(
                    "the token from {origin} was rejected (invalid or expired); create a new one at https://huggingface.co/settings/tokens and set HF_TOKEN"
                ),
                hint: None,
            };
        }
        if code == "RepoNotFound" || (status == 401 && f.from_api) || (status == 404 && f.from_api)
        {
            let hint = match &self.token_origin {
                None => format!("check the id; if it is private, {set_token}"),
                Some(o) => {
                    format!("check the id; the token from {o} cannot see it if it is private")
                }
            };
            return Error::NotFound {
                hub: src,
                message: format!("dataset {repo} not found on the Hugging Face Hub: {hint}"),
                hint: None,
            };
        }
        if status == 403 {
            if server_msg == "Access to this resource is disabled." {
                return Error::Denied {
                    hub: src,
                    message: format!("dataset {repo} has been disabled and cannot be downloaded"),
                    hint: None,
                };
            }
            let message = if server_msg.is_empty() {
                format!(
                    "access to dataset {repo} was denied (HTTP 403); check the token's permissions"
                )
            } else {
                format!(
                    "access to dataset {repo} was denied: {server_msg}; check the token's permissions"
                )
            };
            return Error::Denied {
                hub: src,
                message,
                hint: Some(Hint::CheckCredentials),
            };
        }
        f.generic_error(src)
    }
}
