//! Error answers: Kaggle's JSON `{"code", "message"}`, and GCS's XML on the storage origin.

use serde_json::json;

use crate::http::Response;
use crate::util::{iso8601, now_ms};

/// Kaggle's error body: `{"code": N, "message": "..."}` with `application/json`.
pub(crate) fn kaggle_error(code: u16, message: &str) -> Response {
    Response::json(code, &json!({"code": code, "message": message}))
}

/// The Kaggle error for an injected status.
pub(crate) fn injected_error(status: u16) -> Response {
    let msg = match status {
        401 => "Unauthenticated",
        403 => "Permission denied",
        404 => "NotFound",
        429 => "Too many requests",
        500 => "Internal server error",
        503 => "Service unavailable",
        s => crate::http::reason(s),
    };
    kaggle_error(status, msg)
}

pub(super) fn gcs_xml(status: u16, code: &str, msg: &str, details: Option<&str>) -> Response {
    let d = details
        .map(|d| format!("<Details>{d}</Details>"))
        .unwrap_or_default();
    Response::new(status).bytes(
        "application/xml; charset=UTF-8",
        format!("<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{msg}</Message>{d}</Error>"),
    )
}

/// GCS's answer to an expired signed URL.
pub(crate) fn expired_error() -> Response {
    gcs_xml(
        403,
        "ExpiredToken",
        "The provided token has expired.",
        Some(&format!(
            "Request signature expired at: {}",
            iso8601(now_ms()).replace(".000Z", "+00:00")
        )),
    )
}

/// GCS-style error for an injected status.
pub(crate) fn storage_error(status: u16) -> Response {
    match status {
        403 => gcs_xml(403, "AccessDenied", "Access denied.", None),
        404 => gcs_xml(404, "NoSuchKey", "The specified key does not exist.", None),
        429 => gcs_xml(429, "SlowDown", "Please reduce your request rate.", None),
        500 => gcs_xml(
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
            None,
        ),
        503 => gcs_xml(503, "ServiceUnavailable", "Service Unavailable", None),
        s => gcs_xml(
            s,
            &crate::http::reason(s).replace(' ', ""),
            crate::http::reason(s),
            None,
        ),
    }
}
