//! One classifier for every answer to a transfer request, single stream or chunk: what the
//! answer is (the bytes asked for, the whole object, another range, an expired signed URL, a
//! transient failure, a page that is not the file...), so that each retry loop only decides
//! what to do about it.
//!
//! The rules, in order:
//! - A single stream first checks that a 200 / 206 can be the file at all ([`not_the_file`]).
//! - 206: the `Content-Range` must start where the request did; a probe (first span of a file
//!   of unknown size) that reveals a larger object switches to parallel chunks; a chunk also
//!   checks the object's size against its layout. A storage MD5 (`x-goog-hash`) other than the
//!   one the partial bytes came with means the object changed under a matching validator.
//! - 200: the whole object (the range was ignored, or `If-Range` said the object changed).
//! - 416: the server refuses the range.
//! - 401 / 403 / 410 from another origin than the API: the signed CDN / storage URL expired.
//! - 408, 429, 5xx, too many redirects: transient, with the wait the server asked for.
//! - Anything else is final.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};

use super::sidecar::parse_content_range;
use crate::http;

/// The parts of an answer the classifier looks at (the body stays unread).
pub(crate) struct Answer<'r> {
    /// Final status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: &'r HeaderMap,
    /// The URL that answered.
    pub url: &'r Url,
    /// The body's length, when known in advance.
    pub content_length: Option<u64>,
}

impl<'r> Answer<'r> {
    /// The answer `resp` gives.
    pub fn of(resp: &'r reqwest::Response) -> Answer<'r> {
        Answer {
            status: resp.status(),
            headers: resp.headers(),
            url: resp.url(),
            content_length: resp.content_length(),
        }
    }
}

/// What a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    /// The file from `offset` on (all of it when 0) in one stream. `probe`: only its first
    /// span, asked when the size is unknown so that the answer tells it.
    Stream {
        /// The first byte asked for.
        offset: u64,
        /// Whether this is the probe.
        probe: bool,
    },
    /// Bytes of one chunk from `pos` on, in a layout for an object of `total` bytes.
    Chunk {
        /// The first byte asked for.
        pos: u64,
        /// The object's size the layout was made for.
        total: u64,
    },
}

/// What an answer must agree with.
pub(crate) struct Expect<'a> {
    /// What the request asked for.
    pub asked: Asked,
    /// The file's dataset-relative path (an HTML answer is the file only when it is named so).
    pub rel_path: &'a str,
    /// The published size, when known.
    pub size: Option<u64>,
    /// The origin of the API (see [`http::origin_of`]): a denial from it is not an expired URL.
    pub api_origin: &'a str,
    /// Whether the storage's MD5 is taken from the answer's `x-goog-hash` (Kaggle).
    pub md5_from_server: bool,
    /// The storage MD5 the partial bytes came with, when known.
    pub md5: Option<[u8; 16]>,
}

/// What an answer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// 206 from the byte asked for: write the body.
    Range {
        /// Where the answer's range ends (exclusive).
        end: u64,
        /// The object's size, when the answer says.
        total: Option<u64>,
        /// The storage's MD5 the answer carries (`None` unless taken from the server).
        md5: Option<[u8; 16]>,
    },
    /// 200: the whole object from byte 0 (the range, if any, was ignored, or `If-Range` said
    /// the object changed).
    Whole {
        /// The body's length, when known.
        length: Option<u64>,
        /// The storage's MD5 the answer carries (`None` unless taken from the server).
        md5: Option<[u8; 16]>,
    },
    /// A probe's first span, of an object of `total` bytes larger than it: fetch the rest in
    /// parallel chunks.
    Larger {
        /// The object's size.
        total: u64,
        /// The storage's MD5 the answer carries (`None` unless taken from the server).
        md5: Option<[u8; 16]>,
    },
    /// A chunk's answer for an object of another size than the layout's.
    OtherObject,
    /// 206 with another range than the one asked for (or no readable `Content-Range`).
    OtherRange,
    /// The storage's MD5 changed: the object changed under a matching validator, never splice
    /// the two versions.
    Changed {
        /// The new MD5.
        md5: [u8; 16],
    },
    /// 416: the server refuses the range.
    Refused,
    /// 401 / 403 / 410 from the CDN / storage: the signed URL expired, ask the API again.
    Expired,
    /// A 200 / 206 to a single stream that cannot be the file's bytes; says what came back.
    NotTheFile(String),
    /// Worth another try, after the server's wait if it asked for one.
    Transient {
        /// The status.
        status: StatusCode,
        /// The wait from `Retry-After` / `RateLimit`.
        wait: Option<Duration>,
    },
    /// A final failure: the protocol module turns the answer into an error.
    Failed,
}

impl Verdict {
    /// Why the answer is retried, as a `Retry` event says it (for the verdicts a loop retries).
    pub fn reason(&self) -> Cow<'_, str> {
        match self {
            Verdict::NotTheFile(r) => Cow::Borrowed(r),
            Verdict::OtherRange => "server answered a different range than requested".into(),
            Verdict::Refused => "server refused the resume range".into(),
            Verdict::Transient { status, .. } => format!("HTTP {}", status.as_u16()).into(),
            Verdict::Expired => "the download URL expired".into(),
            Verdict::Changed { .. } | Verdict::OtherObject => "the object changed".into(),
            Verdict::Range { .. } | Verdict::Whole { .. } | Verdict::Larger { .. } => {
                "no failure".into()
            }
            Verdict::Failed => "the server refused the request".into(),
        }
    }
}

/// Classifies `answer` to a request described by `expect` (see the module documentation).
pub(crate) fn classify(answer: &Answer<'_>, expect: &Expect<'_>) -> Verdict {
    if let Asked::Stream { .. } = expect.asked
        && let Some(reason) = not_the_file(answer, expect.rel_path, expect.size)
    {
        return Verdict::NotTheFile(reason);
    }
    let status = answer.status;
    match status.as_u16() {
        206 => partial(answer, expect),
        200 => Verdict::Whole {
            length: answer.content_length,
            md5: md5_of(answer, expect),
        },
        416 => Verdict::Refused,
        401 | 403 | 410 if http::origin_of(answer.url) != expect.api_origin => Verdict::Expired,
        _ if http::is_transient_status(status) || http::is_redirect_loop(status) => {
            Verdict::Transient {
                status,
                wait: http::server_wait(answer.headers, SystemTime::now()),
            }
        }
        _ => Verdict::Failed,
    }
}

/// Classifies a 206.
fn partial(answer: &Answer<'_>, expect: &Expect<'_>) -> Verdict {
    let md5 = md5_of(answer, expect);
    let verdict = match (expect.asked, content_range(answer.headers)) {
        (Asked::Stream { probe: true, .. }, Some((0, end, Some(t)))) if t > end + 1 => {
            return Verdict::Larger { total: t, md5 };
        }
        (Asked::Stream { offset, .. }, Some((a, b, total))) if a == offset => Verdict::Range {
            end: b + 1,
            total,
            md5,
        },
        (Asked::Chunk { pos, total: layout }, Some((a, b, total)))
            if a == pos && total.is_none_or(|t| t == layout) =>
        {
            Verdict::Range {
                end: b + 1,
                total,
                md5,
            }
        }
        // Another object (or size) than the layout: start over in one stream.
        (Asked::Chunk { total: layout, .. }, Some((_, _, Some(t)))) if t != layout => {
            return Verdict::OtherObject;
        }
        _ => return Verdict::OtherRange,
    };
    match (md5, expect.md5) {
        (Some(new), Some(old)) if new != old => Verdict::Changed { md5: new },
        _ => verdict,
    }
}

/// `Content-Range` as (first, last, total).
fn content_range(headers: &HeaderMap) -> Option<(u64, u64, Option<u64>)> {
    headers
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_content_range)
}

/// The storage's MD5 from `x-goog-hash`, when the expectation takes it from the server.
fn md5_of(answer: &Answer<'_>, expect: &Expect<'_>) -> Option<[u8; 16]> {
    if !expect.md5_from_server {
        return None;
    }
    crate::verify::parse_goog_md5(
        answer
            .headers
            .get_all("x-goog-hash")
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
}

/// The validator for `If-Range`: the `ETag`, else `Last-Modified`.
pub(crate) fn validator_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::ETAG)
        .or_else(|| headers.get(reqwest::header::LAST_MODIFIED))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Whether a file named `path` may legitimately be served as HTML.
fn may_be_html(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".html", ".htm", ".xhtml", ".shtml"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Why a successful-looking answer (200 or 206) cannot be the bytes of the file at `rel_path`
/// of published size `size`, if it cannot: an HTML page for a file that is not HTML (a captive
/// portal or a proxy's error page), or a length that contradicts the published size. The reason
/// names what came back: status, type and length.
fn not_the_file(answer: &Answer<'_>, rel_path: &str, size: Option<u64>) -> Option<String> {
    let status = answer.status.as_u16();
    if status != 200 && status != 206 {
        return None;
    }
    let ctype = answer
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| crate::sanitize::for_terminal(v.trim()))
        .filter(|v| !v.is_empty());
    let len = answer.content_length;
    let what = || {
        format!(
            "HTTP {status} with {}{}",
            len.map_or_else(|| "a body".to_string(), |n| format!("{n} bytes")),
            ctype
                .as_deref()
                .map(|t| format!(" of {t}"))
                .unwrap_or_default()
        )
    };
    let html = ctype.as_deref().is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        t.starts_with("text/html") || t.starts_with("application/xhtml")
    });
    if html && !may_be_html(rel_path) {
        return Some(format!(
            "the server answered {} instead of the file (a proxy or captive portal page?)",
            what()
        ));
    }
    let announced = match status {
        200 => len,
        _ => content_range(answer.headers).and_then(|(_, _, t)| t),
    };
    match (size, announced) {
        (Some(size), Some(n)) if n != size => Some(format!(
            "the server answered {} for a file of {size} bytes",
            what()
        )),
        _ => None,
    }
}
