//! Error answers: the Hub's JSON errors with `X-Error-Code` / `X-Error-Message`, and the CDN's
//! XML ones.

use serde_json::json;

use crate::http::Response;

pub(super) fn hf_error(status: u16, code: Option<&str>, msg: &str) -> Response {
    let mut r = Response::json(status, &json!({ "error": msg }));
    if let Some(c) = code {
        r = r.header("X-Error-Code", c);
    }
    r.header("X-Error-Message", msg)
}

/// The HF error shape for an injected status (fault injection).
pub(crate) fn injected_error(status: u16, path: &str) -> Response {
    let msg = match status {
        429 => "You have been rate-limited; you can retry this action later.".to_string(),
        500 => "Internal Error - We're working hard to fix this as soon as possible!".to_string(),
        502 => "Bad Gateway".to_string(),
        503 => "Service Unavailable".to_string(),
        504 => "Gateway Timeout".to_string(),
        s => format!("{s} {}", crate::http::reason(s)),
    };
    let _ = path;
    hf_error(status, None, &msg)
}

/// The rate-limit bucket hub-docs assigns to a path.
pub(crate) fn ratelimit_bucket(path: &str) -> &'static str {
    if path.contains("/resolve/") {
        "resolvers"
    } else {
        "api"
    }
}

pub(super) fn cdn_xml(status: u16, code: &str, msg: &str) -> Response {
    Response::new(status).bytes(
        "application/xml",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{msg}</Message></Error>"),
    )
}

/// CDN-style error for an injected status or expired URL.
pub(crate) fn cdn_error(status: u16) -> Response {
    match status {
        403 => cdn_xml(403, "AccessDenied", "Access denied"),
        404 => cdn_xml(404, "NoSuchKey", "The specified key does not exist."),
        429 => cdn_xml(429, "SlowDown", "Please reduce your request rate."),
        500 => cdn_xml(
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
        ),
        503 => cdn_xml(503, "ServiceUnavailable", "Service Unavailable"),
        s => cdn_xml(
            s,
            crate::http::reason(s).replace(' ', "").as_str(),
            crate::http::reason(s),
        ),
    }
}

/// 404 `RevisionNotFound`: `rev` names no commit of the repo.
pub(super) fn rev_not_found(rev: &str) -> Response {
    hf_error(
        404,
        Some("RevisionNotFound"),
        &format!("Invalid rev id: {rev}"),
    )
}

pub(super) fn invalid_credentials() -> Response {
    hf_error(401, None, "Invalid credentials in Authorization header")
}

pub(super) fn bad_request(msg: &str) -> Response {
    hf_error(400, None, msg)
}

pub(super) fn not_found_route() -> Response {
    hf_error(
        404,
        None,
        "Sorry, we can't find the page you are looking for.",
    )
}

pub(super) fn method_not_allowed() -> Response {
    hf_error(405, None, "Method not allowed")
}
