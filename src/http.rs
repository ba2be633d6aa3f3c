//! The HTTP layer: one shared connection pool, redirects followed by hand so that credentials
//! never cross to another origin, and retries of transient failures with backoff that honours
//! `Retry-After` and the Hub's `RateLimit` header.
//!
//! Only idempotent requests are retried (GET, HEAD, and the Kaggle RPC reads, which are POSTs
//! without side effects). Waits go through a [`Sleeper`], so tests can run retries instantly.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};

use crate::credentials::Credential;
use crate::error::{Error, Result};
use crate::progress::{Event, Reporter};

/// How transient failures are retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `retries + 1` attempts in all).
    pub retries: u32,
    /// First backoff delay; doubles each attempt, with jitter.
    pub base_delay: Duration,
    /// Largest computed backoff delay.
    pub max_delay: Duration,
    /// Largest wait of any kind, including one asked for by the server (`Retry-After`).
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_wait: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (1-based: the wait after the first failure is
    /// `attempt = 1`). A server-requested wait wins over backoff; everything is capped by
    /// `max_wait`. `jitter` is a number in `[0, 1)`.
    pub fn wait(&self, attempt: u32, server_wait: Option<Duration>, jitter: f64) -> Duration {
        let w = match server_wait {
            Some(w) => w,
            None => {
                let exp = self
                    .base_delay
                    .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
                    .min(self.max_delay);
                // "Equal jitter": half fixed, half random, so waits spread out but never collapse.
                exp / 2 + exp.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
            }
        };
        w.min(self.max_wait)
    }
}

/// Something that waits. The production one sleeps on the tokio timer.
pub trait Sleeper: Send + Sync {
    /// Waits for `d`.
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// Sleeps for real.
#[derive(Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(d))
    }
}

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

/// The scheme, host and port of a URL: credentials only travel to the origin they belong to.
pub fn origin_of(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// A URL safe to show: the query (which carries signatures on CDN URLs) and any user info are
/// removed.
pub fn display_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
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

/// Whether a status is worth retrying.
pub fn is_transient_status(s: StatusCode) -> bool {
    matches!(s.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Parses `Retry-After`: delta-seconds or an HTTP-date (relative to `now`).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(1e9)));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses the Hub's `RateLimit: "api";r=<remaining>;t=<reset secs>` header. Returns the reset
/// time only when no requests remain (`r=0`), as huggingface_hub does.
pub fn parse_ratelimit(value: &str) -> Option<Duration> {
    let mut remaining = None;
    let mut reset = None;
    for part in value.split(';') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("r=") {
            remaining = v.trim().parse::<u64>().ok();
        } else if let Some(v) = part.strip_prefix("t=") {
            reset = v.trim().parse::<u64>().ok();
        }
    }
    match (remaining, reset) {
        (Some(0), Some(t)) => Some(Duration::from_secs(t)),
        _ => None,
    }
}

/// The wait a response asks for, from `RateLimit` (when exhausted) or `Retry-After`.
pub fn server_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let rl = headers
        .get("ratelimit")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_ratelimit);
    rl.or_else(|| {
        headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now))
    })
}

fn jitter() -> f64 {
    rand::random::<f64>()
}

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
                                    "the response is not valid JSON (cut short?)".to_string(),
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
    /// Parses the body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Protocol {
            url: display_url(&self.url),
            message: format!("unexpected JSON ({e})"),
        })
    }
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

/// Parses the `rel="next"` URL out of an RFC 8288 `Link` header, resolved against `base`.
/// Only `http(s)` URLs on the same origin as `base` are accepted (a hostile next link must not
/// send the credential elsewhere; credentials are origin-bound anyway, this keeps pagination
/// on the API).
pub fn parse_link_next(value: &str, base: &Url) -> Option<Url> {
    for part in split_link_values(value) {
        let part = part.trim();
        let Some(end) = part.find('>') else { continue };
        if !part.starts_with('<') {
            continue;
        }
        let target = &part[1..end];
        let params = &part[end + 1..];
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            let Some(v) = p.strip_prefix("rel=") else {
                return false;
            };
            v.trim_matches('"')
                .split_whitespace()
                .any(|r| r.eq_ignore_ascii_case("next"))
        });
        if is_next {
            let url = base.join(target).ok()?;
            if matches!(url.scheme(), "http" | "https") && origin_of(&url) == origin_of(base) {
                return Some(url);
            }
            return None;
        }
    }
    None
}

/// Splits a Link header on the commas between link-values (not those inside `<...>` or quotes).
fn split_link_values(v: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut in_angle, mut in_quote, mut start) = (false, false, 0);
    for (i, c) in v.char_indices() {
        match c {
            '<' if !in_quote => in_angle = true,
            '>' if !in_quote => in_angle = false,
            '"' if !in_angle => in_quote = !in_quote,
            ',' if !in_angle && !in_quote => {
                out.push(&v[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&v[start..]);
    out
}

/// Reads a base URL from `var` (else `default`; a trailing `/` stripped): an http(s) URL.
pub(crate) fn endpoint(env: &crate::env::Env, var: &str, default: &str) -> Result<Url> {
    let raw = env.get(var).unwrap_or(default).trim_end_matches('/');
    let url = Url::parse(raw).map_err(|e| {
        Error::usage(format!(
            "{var}={raw:?} is not a valid URL ({e}); unset it or fix it"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::usage(format!(
            "{var}={raw:?} must be an http(s) URL"
        )));
    }
    Ok(url)
}

/// Joins `path` (already percent-encoded) onto an endpoint, keeping any base path of a mirror.
pub(crate) fn endpoint_join(base: &Url, path: &str) -> Result<Url> {
    let s = format!("{}{}", base.as_str().trim_end_matches('/'), path);
    Url::parse(&s).map_err(|e| Error::usage(format!("cannot build a URL from {}: {e}", base)))
}

/// Percent-encodes like Python's `urllib.parse.quote(s, safe=…)`: letters, digits and `_.-~`
/// stay, plus `/` when `keep_slash`.
pub(crate) fn quote(s: &str, keep_slash: bool) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const BASE: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'_')
        .remove(b'.')
        .remove(b'-')
        .remove(b'~');
    const KEEP_SLASH: &AsciiSet = &BASE.remove(b'/');
    utf8_percent_encode(s, if keep_slash { KEEP_SLASH } else { BASE }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn ratelimit_header() {
        assert_eq!(
            parse_ratelimit("\"api\";r=0;t=12"),
            Some(Duration::from_secs(12))
        );
        assert_eq!(parse_ratelimit("\"api\";r=5;t=12"), None);
        assert_eq!(parse_ratelimit("garbage"), None);
    }

    #[test]
    fn waits_honour_server_and_caps() {
        let p = RetryPolicy {
            retries: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(60),
        };
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(3)), 0.5),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(600)), 0.5),
            Duration::from_secs(60)
        );
        assert_eq!(p.wait(1, None, 0.0), Duration::from_millis(500));
        assert_eq!(p.wait(3, None, 1.0), Duration::from_secs(4));
        assert_eq!(p.wait(10, None, 1.0), Duration::from_secs(8));
        assert!(p.wait(2, None, 0.3) >= Duration::from_secs(1));
    }

    #[test]
    fn link_next() {
        let base = Url::parse("https://huggingface.co/api/datasets?search=x").unwrap();
        let v = r#"<https://huggingface.co/api/datasets?search=x&cursor=abc%3D%3D>; rel="next""#;
        assert_eq!(
            parse_link_next(v, &base).unwrap().as_str(),
            "https://huggingface.co/api/datasets?search=x&cursor=abc%3D%3D"
        );
        let two = r#"<https://huggingface.co/a?p=1>; rel="prev", <https://huggingface.co/a?p=3>; rel="next""#;
        assert_eq!(parse_link_next(two, &base).unwrap().query(), Some("p=3"));
        assert!(parse_link_next(r#"<https://evil.example/x>; rel="next""#, &base).is_none());
        assert!(parse_link_next(r#"<https://huggingface.co/a>; rel="prev""#, &base).is_none());
        assert!(parse_link_next("", &base).is_none());
        assert!(parse_link_next("<<<>>>,,;", &base).is_none());
    }

    #[test]
    fn urls_are_shown_without_query() {
        let u = Url::parse("https://user:pw@cdn.example/x/y?X-Goog-Signature=abc").unwrap();
        assert_eq!(display_url(&u), "https://cdn.example/x/y");
    }

    #[test]
    fn quoting_matches_python() {
        assert_eq!(
            quote("refs/convert/parquet", false),
            "refs%2Fconvert%2Fparquet"
        );
        assert_eq!(quote("data/a b#?.csv", true), "data/a%20b%23%3F.csv");
        assert_eq!(quote("ünï", true), "%C3%BCn%C3%AF");
        assert_eq!(quote("a+b~c", true), "a%2Bb~c");
    }

    #[test]
    fn endpoints() {
        let env = crate::env::Env::from_pairs([("HF_ENDPOINT", "http://127.0.0.1:9/")]);
        assert_eq!(
            endpoint(&env, "HF_ENDPOINT", "https://huggingface.co")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/"
        );
        assert_eq!(
            endpoint_join(
                &endpoint(&env, "HF_ENDPOINT", "https://huggingface.co").unwrap(),
                "/api/datasets"
            )
            .unwrap()
            .as_str(),
            "http://127.0.0.1:9/api/datasets"
        );
        let mirror = crate::env::Env::from_pairs([("HF_ENDPOINT", "https://proxy.corp/hf/")]);
        assert_eq!(
            endpoint_join(
                &endpoint(&mirror, "HF_ENDPOINT", "https://huggingface.co").unwrap(),
                "/api/x"
            )
            .unwrap()
            .as_str(),
            "https://proxy.corp/hf/api/x"
        );
        assert!(
            endpoint(
                &crate::env::Env::from_pairs([("HF_ENDPOINT", "ftp://x")]),
                "HF_ENDPOINT",
                "x"
            )
            .is_err()
        );
    }
}
