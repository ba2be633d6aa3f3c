//! The HTTP layer: one shared connection pool, redirects followed by hand so that credentials
//! never cross to another origin, and retries of transient failures with backoff that honours
//! `Retry-After` and the Hub's `RateLimit` header.
//!
//! Only idempotent requests are retried (GET, HEAD, and the Kaggle RPC reads, which are POSTs
//! without side effects). Waits go through a [`Sleeper`], so tests can run retries instantly.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};

use crate::credentials::Credential;
use crate::error::{Error, Result};
use crate::progress::{Event, Reporter};

mod failure;
mod headers;
mod retry;
#[cfg(test)]
mod tests;
mod url;

pub use failure::{ErrorMap, HttpFailure, describe_transport_error};
pub use headers::{parse_link_next, parse_ratelimit, parse_retry_after, server_wait};
use retry::jitter;
pub use retry::{RetryPolicy, Sleeper, TokioSleeper, is_transient_status};
pub use url::{display_url, origin_of};
pub(crate) use url::{endpoint, endpoint_join, quote};

/// Settings of the HTTP client.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Longest silence allowed while reading a response (a stalled transfer fails after this).
    pub read_timeout: Duration,
    /// Retry policy.
    pub retry: RetryPolicy,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }
}

/// A credential bound to the one origin it may be sent to.
#[derive(Clone, Debug)]
pub struct BoundAuth {
    /// The credential.
    pub credential: Credential,
    /// The origin (see [`origin_of`]) of the API that owns it.
    pub origin: String,
}

/// One request, re-sendable for retries and redirects.
#[derive(Clone, Debug)]
pub struct Request {
    /// HTTP method.
    pub method: Method,
    /// Absolute URL.
    pub url: Url,
    /// Extra headers (Range, Content-Type, ...). Never put Authorization here: use `auth`.
    pub headers: HeaderMap,
    /// Body, for POST.
    pub body: Option<Bytes>,
    /// Credential, sent only while the request stays on its origin.
    pub auth: Option<BoundAuth>,
    /// A short name for messages and retry events (`tree of acme/corpus`, a file path).
    pub what: String,
}

impl Request {
    /// A GET with no extra headers.
    pub fn get(url: Url, what: impl Into<String>) -> Request {
        Request {
            method: Method::GET,
            url,
            headers: HeaderMap::new(),
            body: None,
            auth: None,
            what: what.into(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Request {
        self.headers.insert(name, value);
        self
    }

    /// Sets the credential and the origin it is bound to (the request's own origin).
    pub fn auth(mut self, credential: Option<&Credential>) -> Request {
        self.auth = credential.map(|c| BoundAuth {
            credential: c.clone(),
            origin: origin_of(&self.url),
        });
        self
    }
}

/// The shared HTTP client.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    /// The retry policy, also used by the download loop for mid-body failures.
    pub retry: RetryPolicy,
    sleeper: Arc<dyn Sleeper>,
    /// Cancellation shared by everything using this client.
    pub cancel: crate::cancel::Cancel,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Http {
    /// Builds the client: rustls with the platform's roots, proxies from the environment,
    /// no automatic redirects, no compression (sizes are checked byte for byte).
    pub fn new(config: &HttpConfig) -> Result<Http> {
        Http::with_sleeper(config, Arc::new(TokioSleeper))
    }

    /// Like [`Http::new`] with a custom sleeper (tests).
    pub fn with_sleeper(config: &HttpConfig, sleeper: Arc<dyn Sleeper>) -> Result<Http> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("dsfetch/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .pool_max_idle_per_host(256)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::usage(format!("cannot set up HTTP client: {e}")))?;
        Ok(Http {
            client,
            retry: config.retry.clone(),
            sleeper,
            cancel: crate::cancel::Cancel::new(),
        })
    }

    /// Uses `cancel` as this client's cancellation signal.
    pub fn with_cancel(mut self, cancel: crate::cancel::Cancel) -> Http {
        self.cancel = cancel;
        self
    }

    /// Waits for `d` with the configured sleeper; fails with `Interrupted` on cancellation.
    pub async fn sleep(&self, d: Duration) -> Result<()> {
        if !d.is_zero() {
            tokio::select! {
                _ = self.sleeper.sleep(d) => {}
                _ = self.cancel.cancelled() => return Err(Error::Interrupted),
            }
        }
        if self.cancel.is_cancelled() {
            return Err(Error::Interrupted);
        }
        Ok(())
    }

    /// Runs `fut` unless the run is cancelled first.
    pub async fn cancellable<T>(&self, fut: impl Future<Output = T>) -> Result<T> {
        tokio::select! {
            v = fut => Ok(v),
            _ = self.cancel.cancelled() => Err(Error::Interrupted),
        }
    }

    /// Sends `req` once, following up to [`MAX_REDIRECTS`] redirects (a response that still
    /// redirects after that is returned as is; see [`is_redirect_loop`]). On every hop, `Authorization` is sent
    /// only if the hop's origin is the credential's origin; 301/302/303 turn into a body-less GET.
    pub async fn execute_once(
        &self,
        req: &Request,
        reporter: &dyn Reporter,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut method = req.method.clone();
        let mut url = req.url.clone();
        let mut body = req.body.clone();
        for hop in 0..=MAX_REDIRECTS {
            let mut rb = self
                .client
                .request(method.clone(), url.clone())
                .headers(req.headers.clone());
            if let Some(a) = &req.auth
                && origin_of(&url) == a.origin
            {
                rb = rb.header(reqwest::header::AUTHORIZATION, a.credential.header_value());
            }
            if let Some(b) = &body {
                rb = rb.body(b.clone());
            }
            let resp = rb.send().await?;
            reporter.on_event(&Event::Debug(&format!(
                "{} {} -> {}",
                method,
                display_url(&url),
                resp.status()
            )));
            let status = resp.status();
            // The last hop's answer is returned as is: a 3xx here means "too many redirects".
            if !status.is_redirection()
                || status == StatusCode::NOT_MODIFIED
                || hop == MAX_REDIRECTS
            {
                return Ok(resp);
            }
            let Some(loc) = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| url.join(l).ok())
            else {
                return Ok(resp);
            };
            if matches!(status.as_u16(), 301..=303) && method != Method::HEAD {
                method = Method::GET;
                body = None;
            }
            url = loc;
        }
        unreachable!("the loop returns on its last hop")
    }

    /// Sends `req` to its first hop only (no redirect followed, no retry) and reads at most
    /// `limit` bytes of the answer: whether a server would serve a download, without fetching
    /// it (a redirect to storage is the usual yes).
    pub async fn first_hop(
        &self,
        req: &Request,
        reporter: &dyn Reporter,
        limit: usize,
    ) -> Result<Reply> {
        let mut rb = self
            .client
            .request(req.method.clone(), req.url.clone())
            .headers(req.headers.clone());
        if let Some(a) = &req.auth
            && origin_of(&req.url) == a.origin
        {
            rb = rb.header(reqwest::header::AUTHORIZATION, a.credential.header_value());
        }
        if let Some(b) = &req.body {
            rb = rb.body(b.clone());
        }
        let resp = self
            .cancellable(rb.send())
            .await?
            .map_err(|e| Error::Network {
                message: format!(
                    "{} {}: {}",
                    req.method,
                    display_url(&req.url),
                    describe_transport_error(&e)
                ),
                attempts: 1,
            })?;
        let (status, headers, url) = (resp.status(), resp.headers().clone(), resp.url().clone());
        reporter.on_event(&Event::Debug(&format!(
            "{} {} -> {status} (access check)",
            req.method,
            display_url(&req.url)
        )));
        let body = match status.is_redirection() {
            true => Vec::new(),
            false => self
                .cancellable(read_limited(resp, limit))
                .await?
                .unwrap_or_default(),
        };
        Ok(Reply {
            status,
            headers,
            url,
            body,
            attempts: 1,
        })
    }

    /// Sends `req` and reads its (small) body, with retries of everything transient: connect
    /// errors, timeouts, 408, 429, 5xx, too many redirects, a body cut short, and (when `json`)
    /// a success answer whose body is not valid JSON. Honours `Retry-After` / `RateLimit`.
    /// Returns the final answer whatever its status; fails only when every attempt failed at the
    /// transport level.
    pub async fn call(
        &self,
        req: &Request,
        reporter: &dyn Reporter,
        limit: usize,
        json: bool,
    ) -> Result<Reply> {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let last = attempt > self.retry.retries;
            let (reason, server): (String, Option<Duration>) = match self
                .cancellable(self.execute_once(req, reporter))
                .await?
            {
                Err(e) => (describe_transport_error(&e), None),
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    let url = resp.url().clone();
                    let retryable_status = is_transient_status(status) || is_redirect_loop(status);
                    if retryable_status && !last {
                        let reason = if is_redirect_loop(status) {
                            "too many redirects".to_string()
                        } else {
                            format!("HTTP {status}")
                        };
                        (reason, server_wait(&headers, SystemTime::now()))
                    } else {
                        match self.cancellable(read_limited(resp, limit)).await? {
                            Ok(body)
                                if json
                                    && status.is_success()
                                    && serde_json::from_slice::<serde::de::IgnoredAny>(&body)
                                        .is_err()
                                    && !last =>
                            {
                                (
                                    format!(
                                        "the response is not valid JSON ({})",
                                        answer_summary(status, &headers, body.len())
                                    ),
                                    None,
                                )
                            }
                            Ok(body) => {
                                return Ok(Reply {
                                    status,
                                    headers,
                                    url,
                                    body,
                                    attempts: attempt,
                                });
                            }
                            Err(Error::Protocol { url, message }) => {
                                return Err(Error::Protocol { url, message });
                            }
                            Err(e) => (e.to_string(), None),
                        }
                    }
                }
            };
            if last {
                return Err(Error::Network {
                    message: format!("{} {}: {reason}", req.method, display_url(&req.url)),
                    attempts: attempt,
                });
            }
            let wait = self.retry.wait(attempt, server, jitter());
            reporter.on_event(&Event::Retry {
                what: &req.what,
                attempt,
                wait,
                reason: &reason,
            });
            self.sleep(wait).await?;
        }
    }
}

/// Hops followed per request before giving up with "too many redirects".
pub const MAX_REDIRECTS: usize = 10;

/// Whether a final status is a redirect that [`Http::execute_once`] stopped following.
pub fn is_redirect_loop(s: StatusCode) -> bool {
    s.is_redirection() && s != StatusCode::NOT_MODIFIED
}

/// A complete answer to a small request (API calls): status, headers, body.
#[derive(Debug)]
pub struct Reply {
    /// Final status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The URL that answered.
    pub url: Url,
    /// The body.
    pub body: Vec<u8>,
    /// Attempts made.
    pub attempts: u32,
}

impl Reply {
    /// Parses the body as JSON. A body that is not JSON at all is described by what came back
    /// (status, type, length): an HTML page here is a proxy's or a captive portal's.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Protocol {
            url: display_url(&self.url),
            message: match serde_json::from_slice::<serde::de::IgnoredAny>(&self.body) {
                Ok(_) => format!("unexpected JSON ({e})"),
                Err(_) => format!(
                    "the answer is not JSON ({}){}",
                    answer_summary(self.status, &self.headers, self.body.len()),
                    if is_html(&self.headers) {
                        ": a proxy's or captive portal's page? check the network and HTTPS_PROXY"
                    } else {
                        ""
                    }
                ),
            },
        })
    }
}

/// What came back, in words: `HTTP 200, text/html, 51 bytes`.
fn answer_summary(status: StatusCode, headers: &HeaderMap, len: usize) -> String {
    let ctype = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(crate::sanitize::for_terminal)
        .unwrap_or_else(|| "no Content-Type".into());
    format!("HTTP {}, {ctype}, {len} bytes", status.as_u16())
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
}

/// Reads a whole (small) body, refusing more than `limit` bytes.
pub async fn read_limited(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
    let url = display_url(resp.url());
    let mut out = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if out.len() + c.len() > limit {
                    return Err(Error::Protocol {
                        url,
                        message: format!("response larger than {limit} bytes"),
                    });
                }
                out.extend_from_slice(&c);
            }
            Ok(None) => return Ok(out),
            Err(e) => {
                return Err(Error::Network {
                    message: format!("reading {url}: {}", describe_transport_error(&e)),
                    attempts: 1,
                });
            }
        }
    }
}
