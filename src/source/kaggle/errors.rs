//! Kaggle failures (statuses, `{"code","message"}` bodies) turned into errors that say what
//! happened and what to do (protocol/kaggle.md §8, kinds.md for competitions and models).

use crate::credentials::Resolved;
use crate::error::{Error, Hint, Hub};
use crate::http::{self, ErrorMap, HttpFailure};
use crate::sanitize::for_terminal;

/// What a request is about, for messages and the page to point at.
#[derive(Debug, Clone)]
pub(crate) enum Subject {
    /// A dataset: `owner/slug[/versions/N]`.
    Dataset(String),
    /// A competition: its name.
    Competition(String),
    /// A model instance: `owner/model/framework/variation[/N]`.
    Model(String),
    /// Anything else (a search): how to name it.
    Other(String),
}

impl Subject {
    /// How messages name it: `alice/titanic/versions/3`, `competition titanic`.
    fn name(&self) -> String {
        match self {
            Subject::Dataset(d) | Subject::Other(d) => d.clone(),
            Subject::Competition(c) => format!("competition {c}"),
            Subject::Model(m) => format!("model {m}"),
        }
    }

    /// Its page on kaggle.com.
    fn page(&self) -> String {
        match self {
            Subject::Dataset(d) | Subject::Other(d) => format!(
                "https://www.kaggle.com/datasets/{}",
                d.split("/versions/").next().unwrap_or("")
            ),
            Subject::Competition(c) => format!("https://www.kaggle.com/competitions/{c}"),
            Subject::Model(m) => format!("https://www.kaggle.com/models/{m}"),
        }
    }

    /// The version it names, if any, and what it is a version of.
    fn version(&self) -> Option<(String, String)> {
        match self {
            Subject::Dataset(d) => d
                .split_once("/versions/")
                .map(|(ds, v)| (v.to_string(), ds.to_string())),
            Subject::Model(m) => {
                let (handle, v) = m.rsplit_once('/')?;
                (handle.matches('/').count() == 3 && v.parse::<u32>().is_ok())
                    .then(|| (v.to_string(), format!("model {handle}")))
            }
            _ => None,
        }
    }
}

/// Maps Kaggle failures to errors that say what to do.
pub(crate) struct KaggleErrors {
    /// What the requests are about.
    pub subject: Subject,
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
        if !f.from_api && !http::is_transient_status(f.status) {
            return denied(format!(
                "Kaggle storage refused the download of {} (HTTP {status}) even with a fresh link; try again later",
                for_terminal(&f.what)
            ));
        }
        match (status, &self.auth.credential) {
            (401 | 403, None) => Error::CredentialsMissing {
                hub: src,
                what: self.subject.name(),
                status,
                looked: self.auth.looked_list(),
                how: self.auth.how_to_set(),
            },
            (401, Some(_)) => Error::Denied {
                hub: src,
                message: format!(
                    "the credential from {} was rejected (HTTP 401{}); create a new token at https://www.kaggle.com/settings",
                    self.origin(),
                    shown(&msg)
                ),
                hint: Some(Hint::CheckCredentials),
            },
            (403, Some(_)) => self.forbidden(&msg),
            (404, _) => self.not_found(f, &msg),
            _ => f.generic_error(src),
        }
    }
}

impl KaggleErrors {
    fn origin(&self) -> &str {
        self.auth.origin.as_deref().unwrap_or("the environment")
    }

    /// HTTP 403 with a credential: a competition's rules not accepted, or no access.
    fn forbidden(&self, msg: &str) -> Error {
        if let Subject::Competition(c) = &self.subject
            && msg.to_ascii_lowercase().contains("rules")
        {
            return denied(format!(
                "the rules of competition {c} have not been accepted by the account from {}: accept them at https://www.kaggle.com/competitions/{c}/rules with that account, then run again",
                self.origin()
            ));
        }
        denied(format!(
            "the account from {} has no access to {}{}; it may be private, or require accepting its terms at {}",
            self.origin(),
            self.subject.name(),
            shown(msg),
            self.subject.page()
        ))
    }

    /// HTTP 404: the id, or the version it names, does not exist.
    fn not_found(&self, f: &HttpFailure, msg: &str) -> Error {
        let page = self.subject.page();
        let message = match self.subject.version() {
            Some((v, of)) => format!(
                "{} not found on Kaggle{}: version {v} of {of} may not exist; check the id and the versions at {page}",
                for_terminal(&f.what),
                shown(msg)
            ),
            None => format!(
                "{} not found on Kaggle{}; check the id at {page}",
                for_terminal(&f.what),
                shown(msg)
            ),
        };
        Error::NotFound {
            hub: Hub::Kaggle,
            message,
            hint: None,
        }
    }
}

/// The service's own message, in parentheses, when it sent one.
fn shown(msg: &str) -> String {
    if msg.is_empty() {
        String::new()
    } else {
        format!(" ({msg})")
    }
}

fn denied(message: String) -> Error {
    Error::Denied {
        hub: Hub::Kaggle,
        message,
        hint: None,
    }
}
