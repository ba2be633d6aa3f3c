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

#[cfg(test)]
mod tests {
    use super::Verdict::{Expired, Failed, OtherObject, OtherRange, Refused};
    use super::*;
    use reqwest::header::HeaderValue;

    const API: &str = "https://hub.test:443";
    const CR: &str = "content-range";
    const HASH: &str = "x-goog-hash";
    const MD5_A: &str = "md5=XUFAKrxLKna5cZ2REBfFkg=="; // md5("hello")
    const MD5_B: &str = "md5=1B2M2Y8AsgTpgAmY7PhCfg=="; // md5("")
    const AT0: Asked = stream(0, false);
    const AT5: Asked = stream(5, false);
    const PROBE: Asked = stream(0, true);
    const CHUNK: Asked = Asked::Chunk { pos: 10, total: 30 };

    const fn stream(offset: u64, probe: bool) -> Asked {
        Asked::Stream { offset, probe }
    }

    /// An answer from the storage, for `data/train.bin` of unknown size, with no MD5 known.
    struct Ans {
        status: u16,
        headers: HeaderMap,
        length: Option<u64>,
        url: &'static str,
        path: &'static str,
        size: Option<u64>,
        md5: Option<[u8; 16]>,
    }

    fn ans(status: u16) -> Ans {
        Ans {
            status,
            headers: HeaderMap::new(),
            length: None,
            url: "https://cdn.test/blob?sig=x",
            path: "data/train.bin",
            size: None,
            md5: None,
        }
    }

    impl Ans {
        fn h(mut self, name: &'static str, value: &'static str) -> Ans {
            self.headers.append(name, HeaderValue::from_static(value));
            self
        }
        fn len(mut self, n: u64) -> Ans {
            self.length = Some(n);
            self
        }
        fn by_api(mut self) -> Ans {
            self.url = "https://hub.test/api/resolve";
            self
        }
        fn size(mut self, n: u64) -> Ans {
            self.size = Some(n);
            self
        }
        fn known_md5(mut self, v: &str) -> Ans {
            self.md5 = md5(v);
            self
        }
        /// The verdict for a request that asked `asked`, taking MD5s from the server.
        fn to(&self, asked: Asked) -> Verdict {
            self.classify(asked, true)
        }
        fn classify(&self, asked: Asked, md5_from_server: bool) -> Verdict {
            let url = Url::parse(self.url).unwrap();
            let answer = Answer {
                status: StatusCode::from_u16(self.status).unwrap(),
                headers: &self.headers,
                url: &url,
                content_length: self.length,
            };
            let expect = Expect {
                asked,
                rel_path: self.path,
                size: self.size,
                api_origin: API,
                md5_from_server,
                md5: self.md5,
            };
            classify(&answer, &expect)
        }
    }

    fn md5(v: &str) -> Option<[u8; 16]> {
        crate::verify::parse_goog_md5([v])
    }

    fn range(end: u64, total: Option<u64>) -> Verdict {
        let md5 = None;
        Verdict::Range { end, total, md5 }
    }

    fn whole(length: Option<u64>) -> Verdict {
        Verdict::Whole { length, md5: None }
    }

    fn larger(total: u64, md5: Option<[u8; 16]>) -> Verdict {
        Verdict::Larger { total, md5 }
    }

    fn transient(status: u16, secs: Option<u64>) -> Verdict {
        let status = StatusCode::from_u16(status).unwrap();
        let wait = secs.map(Duration::from_secs);
        Verdict::Transient { status, wait }
    }

    fn check(table: &[(Ans, Asked, Verdict)]) {
        for (i, (a, asked, want)) in table.iter().enumerate() {
            assert_eq!(a.to(*asked), *want, "row {i}");
        }
    }

    #[test]
    fn partial_answers() {
        check(&[
            // A single stream: the range must start where the request did.
            (ans(206).h(CR, "bytes 5-9/10"), AT5, range(10, Some(10))),
            (ans(206).h(CR, "bytes 5-9/*"), AT5, range(10, None)),
            (ans(206).h(CR, "bytes 0-9/10"), AT5, OtherRange),
            (ans(206).h(CR, "bytes 6-9/10"), AT5, OtherRange),
            (ans(206), AT5, OtherRange),
            (ans(206).h(CR, "bytes 0-3/100"), AT0, range(4, Some(100))),
            // The probe: a larger object goes parallel, a small one is complete.
            (ans(206).h(CR, "bytes 0-3/100"), PROBE, larger(100, None)),
            (ans(206).h(CR, "bytes 0-3/4"), PROBE, range(4, Some(4))),
            (ans(206).h(CR, "bytes 0-3/*"), PROBE, range(4, None)),
            // A chunk: the object must also have the layout's size.
            (ans(206).h(CR, "bytes 10-19/30"), CHUNK, range(20, Some(30))),
            (ans(206).h(CR, "bytes 10-14/*"), CHUNK, range(15, None)),
            (ans(206).h(CR, "bytes 10-19/31"), CHUNK, OtherObject),
            (ans(206).h(CR, "bytes 0-9/31"), CHUNK, OtherObject),
            (ans(206).h(CR, "bytes 0-9/30"), CHUNK, OtherRange),
            (ans(206).h(CR, "bytes 0-9/*"), CHUNK, OtherRange),
            (ans(206).h(CR, "items 10-19/30"), CHUNK, OtherRange),
            // A published size: the stream refuses another total, the chunk sees another object.
            (
                ans(206).h(CR, "bytes 5-9/10").size(10),
                AT5,
                range(10, Some(10)),
            ),
            (
                ans(206).h(CR, "bytes 10-19/31").size(30),
                CHUNK,
                OtherObject,
            ),
        ]);
        let other = ans(206).h(CR, "bytes 5-9/11").size(10).to(AT5);
        let msg = "the server answered HTTP 206 with a body for a file of 10 bytes";
        assert_eq!(other, Verdict::NotTheFile(msg.into()));
    }

    #[test]
    fn other_answers() {
        check(&[
            // 200 to a ranged request: the whole object; 416: the range refused.
            (ans(200).len(10), AT5, whole(Some(10))),
            (ans(200), AT0, whole(None)),
            (ans(200).len(30), CHUNK, whole(Some(30))),
            (ans(416), AT5, Refused),
            (ans(416), CHUNK, Refused),
            // Denied by the storage: the signed URL expired; by the API: final.
            (ans(401), AT0, Expired),
            (ans(403), CHUNK, Expired),
            (ans(410), AT5, Expired),
            (ans(401).by_api(), AT0, Failed),
            (ans(403).by_api(), CHUNK, Failed),
            (ans(410).by_api(), AT5, Failed),
            // Transient, with the wait the server asked for.
            (ans(429).h("retry-after", "7"), AT0, transient(429, Some(7))),
            (
                ans(429).h("ratelimit", "\"api\";r=0;t=3"),
                CHUNK,
                transient(429, Some(3)),
            ),
            (ans(429), CHUNK, transient(429, None)),
            (
                ans(503).h("retry-after", "2"),
                CHUNK,
                transient(503, Some(2)),
            ),
            (ans(500), AT0, transient(500, None)),
            (ans(502).by_api(), AT0, transient(502, None)),
            (ans(408), AT5, transient(408, None)),
            (ans(302), AT0, transient(302, None)),
            // Final.
            (ans(404), AT0, Failed),
            (ans(404).by_api(), CHUNK, Failed),
            (ans(501), CHUNK, Failed),
            (ans(304), AT0, Failed),
        ]);
    }

    #[test]
    fn what_cannot_be_the_file() {
        let page = || {
            ans(200)
                .h("content-type", "text/html; charset=utf-8")
                .len(120)
        };
        let msg = "the server answered HTTP 200 with 120 bytes of text/html; charset=utf-8 \
                   instead of the file (a proxy or captive portal page?)";
        assert_eq!(page().to(AT0), Verdict::NotTheFile(msg.into()));
        assert_eq!(page().to(AT5), Verdict::NotTheFile(msg.into()));
        let xhtml = ans(206)
            .h("content-type", "application/xhtml+xml")
            .h(CR, "bytes 5-9/10");
        assert!(matches!(xhtml.to(AT5), Verdict::NotTheFile(_)));
        // An HTML file may be HTML; a chunk does not look at the type.
        let file = Ans {
            path: "docs/Index.HTML",
            ..page()
        };
        assert_eq!(file.to(AT0), whole(Some(120)));
        assert_eq!(page().to(CHUNK), whole(Some(120)));
        // A length that contradicts the published size.
        let short = ans(200).len(9).size(10);
        let msg = "the server answered HTTP 200 with 9 bytes for a file of 10 bytes";
        assert_eq!(short.to(AT0), Verdict::NotTheFile(msg.into()));
        assert_eq!(ans(200).len(10).size(10).to(AT0), whole(Some(10)));
        assert_eq!(ans(200).size(10).to(AT0), whole(None));
        // Only a 200 / 206 is judged so.
        assert_eq!(ans(404).h("content-type", "text/html").to(AT0), Failed);
    }

    #[test]
    fn storage_md5() {
        let (a, b) = (md5(MD5_A), md5(MD5_B));
        let at5 = || ans(206).h(CR, "bytes 5-9/10").h(HASH, MD5_A);
        let learnt = Verdict::Range {
            end: 10,
            total: Some(10),
            md5: a,
        };
        // Learnt, kept, or (206 only) the object changed: never splice two versions.
        assert_eq!(at5().to(AT5), learnt);
        assert_eq!(at5().known_md5(MD5_A).to(AT5), learnt);
        let changed = Verdict::Changed { md5: a.unwrap() };
        assert_eq!(at5().known_md5(MD5_B).to(AT5), changed);
        let chunk = ans(206).h(CR, "bytes 10-19/30").h(HASH, MD5_A);
        assert_eq!(chunk.known_md5(MD5_B).to(CHUNK), changed);
        let all = ans(200).h(HASH, MD5_A).known_md5(MD5_B);
        assert_eq!(
            all.to(AT0),
            Verdict::Whole {
                length: None,
                md5: a
            }
        );
        // The probe's MD5 goes with the size; a range mismatch wins over an MD5 change.
        let probe = ans(206)
            .h(CR, "bytes 0-3/100")
            .h(HASH, MD5_B)
            .known_md5(MD5_A);
        assert_eq!(probe.to(PROBE), larger(100, b));
        let other = ans(206)
            .h(CR, "bytes 0-9/10")
            .h(HASH, MD5_A)
            .known_md5(MD5_B);
        assert_eq!(other.to(AT5), OtherRange);
        // Not taken from the server (Hugging Face): ignored.
        let hf = at5().known_md5(MD5_B);
        assert_eq!(hf.classify(AT5, false), range(10, Some(10)));
    }

    #[test]
    fn reasons_read_as_before() {
        assert_eq!(transient(429, None).reason(), "HTTP 429");
        let range = "server answered a different range than requested";
        assert_eq!(OtherRange.reason(), range);
        assert_eq!(Refused.reason(), "server refused the resume range");
        assert_eq!(Verdict::NotTheFile("page".into()).reason(), "page");
    }
}
