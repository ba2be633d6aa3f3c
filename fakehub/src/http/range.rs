//! `Range` and `If-Range` handling, and serving a blob with them.

use super::request::Request;
use super::response::{Body, Response};
use crate::store::Blob;

/// What a `Range` header asks of a representation of `size` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RangeAsk {
    /// No usable range: send everything with 200.
    Full,
    /// Inclusive byte range, already clamped to the size.
    Part(u64, u64),
    /// 416.
    Unsatisfiable,
}

/// Interprets a `Range` header (RFC 9110 §14): single `bytes=` ranges only; a syntactically
/// invalid or multi-range header is ignored (full 200), an end past EOF is clamped.
pub(crate) fn parse_range(header: Option<&str>, size: u64) -> RangeAsk {
    let Some(h) = header else {
        return RangeAsk::Full;
    };
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return RangeAsk::Full;
    };
    if spec.contains(',') {
        return RangeAsk::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeAsk::Full;
    };
    let num = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    if a.trim().is_empty() {
        // suffix range
        let Some(n) = num(b) else {
            return RangeAsk::Full;
        };
        if n == 0 || size == 0 {
            return RangeAsk::Unsatisfiable;
        }
        return RangeAsk::Part(size.saturating_sub(n), size - 1);
    }
    let Some(start) = num(a) else {
        return RangeAsk::Full;
    };
    let end = if b.trim().is_empty() {
        u64::MAX
    } else {
        match num(b) {
            Some(e) if e >= start => e,
            _ => return RangeAsk::Full,
        }
    };
    if start >= size {
        return RangeAsk::Unsatisfiable;
    }
    RangeAsk::Part(start, end.min(size - 1))
}

/// `If-Range` evaluation: true when the validator matches the current representation (so the
/// `Range` applies). Weak entity tags never match.
pub(crate) fn if_range_matches(
    value: &str,
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> bool {
    let v = value.trim();
    if v.starts_with("W/") {
        return false;
    }
    if v.starts_with('"') {
        return etag.is_some_and(|e| e == v);
    }
    match (last_modified, httpdate::parse_http_date(v)) {
        (Some(lm), Ok(d)) => httpdate::parse_http_date(lm).is_ok_and(|l| l == d),
        _ => false,
    }
}

/// Builds a 200/206/416 response serving `blob`, honouring `Range` and (when given validators)
/// `If-Range`. `headers` are added to every answer; `on_416` builds the error body.
pub(crate) fn serve_blob(
    req: &Request,
    blob: &Blob,
    headers: Vec<(String, String)>,
    etag: Option<&str>,
    last_modified: Option<&str>,
    on_416: impl FnOnce() -> Response,
) -> Response {
    let size = blob.len();
    let mut ask = parse_range(req.header("range"), size);
    if ask != RangeAsk::Full
        && let Some(ir) = req.header("if-range")
        && !if_range_matches(ir, etag, last_modified)
    {
        ask = RangeAsk::Full;
    }
    let mut resp = match ask {
        RangeAsk::Full => {
            let mut r = Response::new(200);
            r.body = Body::Blob {
                blob: blob.clone(),
                start: 0,
                len: size,
            };
            r
        }
        RangeAsk::Part(a, b) => {
            let mut r = Response::new(206).header("Content-Range", format!("bytes {a}-{b}/{size}"));
            r.body = Body::Blob {
                blob: blob.clone(),
                start: a,
                len: b - a + 1,
            };
            r
        }
        RangeAsk::Unsatisfiable => {
            let r = on_416();
            return r.header("Content-Range", format!("bytes */{size}"));
        }
    };
    resp.headers.extend(headers);
    resp
}
