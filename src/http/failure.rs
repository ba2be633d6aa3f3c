//! Failed answers: what was received ([`HttpFailure`]), the protocol hook that turns it into a
//! precise error ([`ErrorMap`]), and the generic errors for everything else.

use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};

use super::retry::is_transient_status;
use super::url::{display_url, origin_of};
use super::{Reply, is_redirect_loop};
use crate::error::Error;

/// Describes a transport error in one line without the URL's query.
pub fn describe_transport_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "connection broke while reading the response"
    } else if e.is_request() {
        "request failed"
    } else {
        "network error"
    };
    // Walk to the innermost cause for detail (e.g. "connection refused"), which carries no URL.
    let mut inner: &dyn std::error::Error = e;
    while let Some(s) = inner.source() {
        inner = s;
    }
    let detail = inner.to_string();
    if detail.is_empty() || e.url().is_some_and(|u| detail.contains(u.as_str())) {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

/// A failed HTTP answer, handed to the protocol module to turn into a precise error.
#[derive(Debug)]
pub struct HttpFailure {
    /// Final status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The start of the body (at most 4 KiB), lossily decoded.
    pub body: String,
    /// The URL that answered (may be a CDN URL; show it only through `display_url`).
    pub url: Url,
    /// Whether the answer came from the API origin (vs. a CDN / storage host).
    pub from_api: bool,
    /// Attempts made.
    pub attempts: u32,
    /// What was being fetched.
    pub what: String,
}

impl HttpFailure {
    /// Builds a failure from a response, reading up to 4 KiB of its body.
    pub async fn from_response(
        resp: reqwest::Response,
        api_origin: &str,
        attempts: u32,
        what: &str,
    ) -> HttpFailure {
        let status = resp.status();
        let headers = resp.headers().clone();
        let url = resp.url().clone();
        let from_api = origin_of(&url) == api_origin;
        let mut body = Vec::new();
        let mut resp = resp;
        while body.len() < 4096 {
            match resp.chunk().await {
                Ok(Some(c)) => body.extend_from_slice(&c[..c.len().min(4096 - body.len())]),
                _ => break,
            }
        }
        HttpFailure {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            url,
            from_api,
            attempts,
            what: what.to_string(),
        }
    }

    /// A failure from a complete small answer.
    pub fn from_reply(reply: &Reply, api_origin: &str, what: &str) -> HttpFailure {
        let n = reply.body.len().min(4096);
        HttpFailure {
            status: reply.status,
            headers: reply.headers.clone(),
            body: String::from_utf8_lossy(&reply.body[..n]).into_owned(),
            url: reply.url.clone(),
            from_api: origin_of(&reply.url) == api_origin,
            attempts: reply.attempts,
            what: what.to_string(),
        }
    }

    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The generic error for statuses a protocol module does not treat specially.
    pub fn generic_error(&self, source: crate::error::Hub) -> Error {
        let url = display_url(&self.url);
        let s = self.status;
        if is_redirect_loop(s) {
            return Error::Network {
                message: format!("too many redirects fetching {url}"),
                attempts: self.attempts,
            };
        }
        if is_transient_status(s) {
            let why = if s.as_u16() == 429 {
                "rate limited"
            } else {
                "service error"
            };
            Error::Network {
                message: format!("{source} {why}: HTTP {s} for {url}"),
                attempts: self.attempts,
            }
        } else if s.as_u16() == 401 || s.as_u16() == 403 {
            Error::Denied {
                hub: source,
                message: format!("access denied (HTTP {s}) for {url}"),
                hint: Some(crate::error::Hint::CheckCredentials),
            }
        } else if s.as_u16() == 404 {
            Error::NotFound {
                hub: source,
                message: format!("{} not found (HTTP 404 for {url})", self.what),
                hint: None,
            }
        } else {
            Error::Network {
                message: format!("{source} answered HTTP {s} for {url}"),
                attempts: self.attempts,
            }
        }
    }
}

/// Turns HTTP failures into errors with protocol knowledge (error codes, hints).
pub trait ErrorMap: Send + Sync {
    /// The error for a final failed answer.
    fn map(&self, failure: &HttpFailure) -> Error;
}
