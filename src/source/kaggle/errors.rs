//! Kaggle failures (statuses, `{"code","message"}` bodies) turned into errors that say what
//! happened and what to do (protocol/kaggle.md §8).

use crate::credentials::Resolved;
use crate::error::{Error, Hint, Hub};
use crate::http::{self, ErrorMap, HttpFailure};
use crate::sanitize::for_terminal;

/// Maps Kaggle failures to errors that say what to do.
pub(crate) struct KaggleErrors {
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
        let src = Hub::Kaggle;
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
                hint: None,
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
                    "the credential from {} was rejected (HTTP 401{shown}); create a new token at https://www.kaggle.com/settings",
                    self.auth.origin.as_deref().unwrap_or("the environment")
                ),
                hint: Some(Hint::CheckCredentials),
            },
            (403, Some(_)) => Error::Denied {
                hub: src,
                message: format!(
                    "the account from {} has no access to {}{shown}; it may be private, or require accepting its terms at {page}",
                    self.auth.origin.as_deref().unwrap_or("the environment"),
                    self.dataset
                ),
                hint: None,
            },
            (404, _) => Error::NotFound {
                hub: src,
                message: match self.dataset.split_once("/versions/") {
                    Some((ds, v)) => format!(
                        "{} not found on Kaggle{shown}: version {v} of {ds} may not exist; check the id and the versions at {page}",
                        for_terminal(&f.what)
                    ),
                    None => format!(
                        "{} not found on Kaggle{shown}; check the id at {page}",
                        for_terminal(&f.what)
                    ),
                },
                hint: None,
            },
            _ => f.generic_error(src),
        }
    }
}
