//! Hub failures (`X-Error-Code`, `X-Error-Message`, statuses) turned into errors that say what
//! happened and what to do (protocol/hf.md §5).

use reqwest::Url;

/// What a repo-not-found message says, so that the source can add what it finds about other
/// repo types of the same id.
pub(crate) const REPO_NOT_FOUND: &str = "not found on the Hugging Face Hub";

use crate::error::{Error, Hint, Hub};
use crate::http::{self, ErrorMap, HttpFailure};
use crate::id::RepoKind;
use crate::sanitize::for_terminal;

/// Maps Hub failures (X-Error-Code, X-Error-Message) to errors that say what to do.
pub(crate) struct HfErrors {
    /// Dataset, model or space.
    pub kind: RepoKind,
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
    /// The repo's page on the Hub.
    fn repo_url(&self) -> String {
        let base = self.endpoint.as_str().trim_end_matches('/');
        match self.kind {
            RepoKind::Model => format!("{base}/{}", self.repo),
            k => format!("{base}/{}/{}", k.plural(), self.repo),
        }
    }

    /// `dataset acme/x`, `model acme/bert`.
    fn what(&self) -> String {
        format!("{} {}", self.kind.singular(), self.repo)
    }

    /// The advice for a request made without a token: where one was looked for, how to set one.
    fn set_token(&self) -> String {
        format!(
            "no token was found (looked at {}); set HF_TOKEN or run `hf auth login`",
            self.looked
        )
    }

    /// The error an `X-Error-Code` names exactly (a gated dataset, a missing revision or file).
    fn for_code(&self, code: &str, f: &HttpFailure) -> Option<Error> {
        let what = self.what();
        match code {
            "GatedRepo" => {
                let fix = match &self.token_origin {
                    None => format!(
                        "request access at {} and then set HF_TOKEN to a token of the approved account ({})",
                        self.repo_url(),
                        self.set_token()
                    ),
                    Some(o) => format!(
                        "the account of the token from {o} has not been granted access; request it at {}",
                        self.repo_url()
                    ),
                };
                Some(denied(format!("{what} is gated: {fix}")))
            }
            "RevisionNotFound" => Some(not_found(format!(
                "revision {:?} not found in {what}; check the branch, tag or commit at {}/tree/main",
                for_terminal(&self.revision),
                self.repo_url()
            ))),
            "EntryNotFound" => Some(not_found(format!(
                "{} not found in {what} at revision {:?}",
                for_terminal(&f.what),
                for_terminal(&self.revision)
            ))),
            _ => None,
        }
    }

    /// A repo the API says does not exist: a wrong id, or a private one the token cannot see.
    /// (Its message holds [`REPO_NOT_FOUND`].)
    fn repo_not_found(&self) -> Error {
        let what = self.what();
        let hint = match &self.token_origin {
            None => format!("check the id; if it is private, {}", self.set_token()),
            Some(o) => {
                format!("check the id; the token from {o} cannot see it if it is private")
            }
        };
        not_found(format!("{what} {REPO_NOT_FOUND}: {hint}"))
    }

    /// HTTP 403: a disabled repo, or a token without the permission (`server_msg` says which).
    fn forbidden(&self, server_msg: &str) -> Error {
        let what = self.what();
        if server_msg == "Access to this resource is disabled." {
            return denied(format!("{what} has been disabled and cannot be downloaded"));
        }
        let message = if server_msg.is_empty() {
            format!("access to {what} was denied (HTTP 403); check the token's permissions")
        } else {
            format!("access to {what} was denied: {server_msg}; check the token's permissions")
        };
        Error::Denied {
            hub: Hub::HuggingFace,
            message,
            hint: Some(Hint::CheckCredentials),
        }
    }
}

/// The Hub's own message: `X-Error-Message`, else the `error` of a JSON body (unsanitised).
fn server_message(f: &HttpFailure) -> String {
    f.header("x-error-message")
        .map(str::to_string)
        .or_else(|| {
            serde_json::from_str::<serde_json::Value>(&f.body)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        })
        .unwrap_or_default()
}

impl ErrorMap for HfErrors {
    fn map(&self, f: &HttpFailure) -> Error {
        let src = Hub::HuggingFace;
        if http::is_redirect_loop(f.status) {
            return f.generic_error(src);
        }
        let code = f.header("x-error-code").unwrap_or("");
        let server_msg = for_terminal(&server_message(f));
        let status = f.status.as_u16();
        if !f.from_api && !http::is_transient_status(f.status) {
            // A CDN answer we could not recover from (expired URLs are re-requested before this).
            return denied(format!(
                "the download server refused {} (HTTP {status}) even with a fresh link; try again later",
                for_terminal(&f.what)
            ));
        }
        if let Some(e) = self.for_code(code, f) {
            return e;
        }
        if status == 401 && server_msg.contains("Invalid credentials") {
            let origin = self.token_origin.as_deref().unwrap_or("the environment");
            return denied(format!(
                "the token from {origin} was rejected (invalid or expired); create a new one at https://huggingface.co/settings/tokens and set HF_TOKEN"
            ));
        }
        if code == "RepoNotFound" || (status == 401 && f.from_api) || (status == 404 && f.from_api)
        {
            return self.repo_not_found();
        }
        if status == 403 {
            return self.forbidden(&server_msg);
        }
        f.generic_error(src)
    }
}

/// A Hub refusal that needs no hint beyond its message.
fn denied(message: String) -> Error {
    Error::Denied {
        hub: Hub::HuggingFace,
        message,
        hint: None,
    }
}

/// A Hub "not found" that needs no hint beyond its message.
fn not_found(message: String) -> Error {
    Error::NotFound {
        hub: Hub::HuggingFace,
        message,
        hint: None,
    }
}
