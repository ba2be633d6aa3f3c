//! Parsing of the response headers that steer retries and pagination: `Retry-After`, the Hub's
//! `RateLimit`, and RFC 8288 `Link`.

use std::time::{Duration, SystemTime};

use reqwest::Url;
use reqwest::header::HeaderMap;

use super::url::origin_of;

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
