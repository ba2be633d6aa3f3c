//! File reconstructions (hub-docs `docs/xet/api.md` §1 and §10, `download-protocol.md`): the
//! terms that make a byte range of a file (each a chunk range of one xorb) and where to fetch
//! them. The v2 answer lists, per xorb, signed URLs covering several byte ranges; the v1 answer
//! (`fetch_info`) one URL per range. Both come out of here as one validated [`Recon`], every
//! count and length bounded: the answer is hostile until checked.

use std::collections::HashMap;

use reqwest::Url;
use serde::Deserialize;

use super::hash::{Hash, from_hex};
use super::xorb::{HEADER, MAX_CHUNK, MAX_COMPRESSED};

/// Most terms (or fetch ranges) in one answer.
const MAX_ITEMS: usize = 1 << 20;
/// Most chunks in one term or range (a 64 MiB xorb of 8 KiB chunks has 8192; small last chunks
/// of many files can make more).
const MAX_SPAN: u32 = 1 << 16;

/// One term: chunks `[chunks.0, chunks.1)` of `xorb`, `unpacked` bytes once decompressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub xorb: Hash,
    pub chunks: (u32, u32),
    pub unpacked: u64,
}

/// A byte range of a serialized xorb and the chunks it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct XRange {
    /// Chunk indices `[start, end)`.
    pub chunks: (u32, u32),
    /// Bytes `[start, end]` (inclusive, as in `Range`).
    pub bytes: (u64, u64),
}

/// One signed URL and the ranges of one xorb it serves (all asked in one request).
#[derive(Debug, Clone)]
pub(crate) struct Fetch {
    pub xorb: Hash,
    pub url: Url,
    pub ranges: Vec<XRange>,
}

impl Fetch {
    /// The `Range` header the URL is signed for.
    pub fn range_header(&self) -> String {
        let parts: Vec<String> = self
            .ranges
            .iter()
            .map(|r| format!("{}-{}", r.bytes.0, r.bytes.1))
            .collect();
        format!("bytes={}", parts.join(","))
    }
}

/// A validated reconstruction.
#[derive(Debug, Clone)]
pub(crate) struct Recon {
    /// Bytes of the first term before the range asked for.
    pub offset: u64,
    pub terms: Vec<Term>,
    pub fetches: Vec<Fetch>,
}

#[derive(Deserialize)]
struct Span<T> {
    start: T,
    end: T,
}

#[derive(Deserialize)]
struct RawTerm {
    hash: String,
    unpacked_length: u64,
    range: Span<u32>,
}

#[derive(Deserialize)]
struct RawRange {
    chunks: Span<u32>,
    bytes: Span<u64>,
}

#[derive(Deserialize)]
struct RawMulti {
    url: String,
    ranges: Vec<RawRange>,
}

#[derive(Deserialize)]
struct RawV1Fetch {
    range: Span<u32>,
    url: String,
    url_range: Span<u64>,
}

#[derive(Deserialize)]
struct Raw {
    offset_into_first_range: u64,
    terms: Vec<RawTerm>,
    #[serde(default)]
    xorbs: Option<HashMap<String, Vec<RawMulti>>>,
    #[serde(default)]
    fetch_info: Option<HashMap<String, Vec<RawV1Fetch>>>,
}

fn hash_of(s: &str) -> Result<Hash, String> {
    from_hex(s).ok_or_else(|| format!("malformed xorb hash {:?}", crate::sanitize::for_terminal(s)))
}

fn url_of(s: &str) -> Result<Url, String> {
    let u = Url::parse(s).map_err(|_| "a fetch URL is not a URL".to_string())?;
    if s.len() > 64_000 || !matches!(u.scheme(), "http" | "https") {
        return Err("a fetch URL is not an http(s) URL".into());
    }
    Ok(u)
}

fn check_range(r: XRange) -> Result<XRange, String> {
    let (cs, ce) = r.chunks;
    let (bs, be) = r.bytes;
    let n = u64::from(ce.saturating_sub(cs));
    let len = be.checked_sub(bs).map(|l| l + 1);
    match len {
        Some(len)
            if cs < ce
                && ce - cs <= MAX_SPAN
                && len >= n * (HEADER as u64 + 1)
                && len <= n * (HEADER + MAX_COMPRESSED) as u64 =>
        {
            Ok(r)
        }
        _ => Err(format!(
            "a fetch range (chunks {cs}..{ce}, bytes {bs}-{be}) is impossible"
        )),
    }
}

/// Parses and checks a reconstruction answer (v1 or v2 shape).
pub(crate) fn parse(body: &[u8]) -> Result<Recon, String> {
    let raw: Raw = serde_json::from_slice(body).map_err(|e| format!("unexpected JSON ({e})"))?;
    if raw.terms.len() > MAX_ITEMS {
        return Err("too many terms".into());
    }
    let mut terms = Vec::with_capacity(raw.terms.len());
    for t in &raw.terms {
        let (s, e) = (t.range.start, t.range.end);
        if s >= e || e - s > MAX_SPAN {
            return Err(format!("a term has the chunk range {s}..{e}"));
        }
        if t.unpacked_length == 0 || t.unpacked_length > u64::from(e - s) * MAX_CHUNK as u64 {
            return Err(format!(
                "a term of {} chunks claims {} bytes",
                e - s,
                t.unpacked_length
            ));
        }
        terms.push(Term {
            xorb: hash_of(&t.hash)?,
            chunks: (s, e),
            unpacked: t.unpacked_length,
        });
    }
    let mut fetches = Vec::new();
    let mut count = 0usize;
    if let Some(x) = &raw.xorbs {
        for (h, list) in x {
            let xorb = hash_of(h)?;
            for m in list {
                count += m.ranges.len();
                let ranges = m
                    .ranges
                    .iter()
                    .map(|r| {
                        check_range(XRange {
                            chunks: (r.chunks.start, r.chunks.end),
                            bytes: (r.bytes.start, r.bytes.end),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if ranges.is_empty() || ranges.windows(2).any(|w| w[0].bytes.1 >= w[1].bytes.0) {
                    return Err("a fetch's ranges are empty, unordered or overlapping".into());
                }
                fetches.push(Fetch {
                    xorb,
                    url: url_of(&m.url)?,
                    ranges,
                });
            }
        }
    } else if let Some(v1) = &raw.fetch_info {
        for (h, list) in v1 {
            let xorb = hash_of(h)?;
            for f in list {
                count += 1;
                let r = check_range(XRange {
                    chunks: (f.range.start, f.range.end),
                    bytes: (f.url_range.start, f.url_range.end),
                })?;
                fetches.push(Fetch {
                    xorb,
                    url: url_of(&f.url)?,
                    ranges: vec![r],
                });
            }
        }
    } else {
        return Err("the answer has neither `xorbs` nor `fetch_info`".into());
    }
    if count > MAX_ITEMS {
        return Err("too many fetch ranges".into());
    }
    // A stable order, whatever the map's.
    fetches.sort_by(|a, b| (a.xorb, a.ranges[0].bytes).cmp(&(b.xorb, b.ranges[0].bytes)));
    Ok(Recon {
        offset: raw.offset_into_first_range,
        terms,
        fetches,
    })
}

impl Recon {
    /// For each term, the fetch (index) and range (index) that serve its chunks; an error when
    /// a term's chunks are not inside one range of one fetch of its xorb.
    pub fn assign(&self) -> Result<Vec<(usize, usize)>, String> {
        self.terms
            .iter()
            .map(|t| {
                self.fetches
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.xorb == t.xorb)
                    .find_map(|(fi, f)| {
                        f.ranges
                            .iter()
                            .position(|r| r.chunks.0 <= t.chunks.0 && t.chunks.1 <= r.chunks.1)
                            .map(|ri| (fi, ri))
                    })
                    .ok_or_else(|| {
                        format!(
                            "no fetch covers chunks {}..{} of xorb {}",
                            t.chunks.0,
                            t.chunks.1,
                            super::hash::to_hex(&t.xorb)
                        )
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: &str = "a1b2c3d4e5f6789012345678901234567890abcdef1234567890abcdef123456";

    #[test]
    fn v2_and_v1_answers_parse_to_the_same_plan() {
        let v2 = format!(
            r#"{{"offset_into_first_range":0,"terms":[{{"hash":"{X}","unpacked_length":263873,"range":{{"start":0,"end":4}}}}],
            "xorbs":{{"{X}":[{{"url":"https://t.example/xorb/{X}?X-Xet-Signed-Range=bytes%3D0-131071","ranges":[{{"chunks":{{"start":0,"end":4}},"bytes":{{"start":0,"end":131071}}}}]}}]}}}}"#
        );
        let r = parse(v2.as_bytes()).unwrap();
        assert_eq!(r.fetches[0].range_header(), "bytes=0-131071");
        assert_eq!(r.assign().unwrap(), vec![(0, 0)]);
        let v1 = format!(
            r#"{{"offset_into_first_range":0,"terms":[{{"hash":"{X}","unpacked_length":263873,"range":{{"start":0,"end":4}}}}],
            "fetch_info":{{"{X}":[{{"range":{{"start":0,"end":4}},"url":"https://t.example/x","url_range":{{"start":0,"end":131071}}}}]}}}}"#
        );
        let r1 = parse(v1.as_bytes()).unwrap();
        assert_eq!(r1.fetches[0].ranges, r.fetches[0].ranges);
    }

    #[test]
    fn impossible_answers_are_refused() {
        let term = |range: &str, len: u64| {
            format!(
                r#"{{"offset_into_first_range":0,"terms":[{{"hash":"{X}","unpacked_length":{len},"range":{range}}}],"xorbs":{{}}}}"#
            )
        };
        assert!(parse(term(r#"{"start":3,"end":3}"#, 10).as_bytes()).is_err());
        assert!(parse(term(r#"{"start":0,"end":1}"#, 0).as_bytes()).is_err());
        assert!(parse(term(r#"{"start":0,"end":1}"#, 200_000).as_bytes()).is_err());
        assert!(parse(term(r#"{"start":0,"end":100000}"#, 10).as_bytes()).is_err());
        // A term no fetch covers.
        let r = parse(term(r#"{"start":0,"end":1}"#, 10).as_bytes()).unwrap();
        assert!(r.assign().is_err());
        let bad_range = format!(
            r#"{{"offset_into_first_range":0,"terms":[],"xorbs":{{"{X}":[{{"url":"https://t/x","ranges":[{{"chunks":{{"start":0,"end":4}},"bytes":{{"start":0,"end":9}}}}]}}]}}}}"#
        );
        assert!(parse(bad_range.as_bytes()).is_err(), "4 chunks in 10 bytes");
        let file_url = bad_range
            .replace("https://t/x", "file:///etc/passwd")
            .replace("\"end\":9", "\"end\":131071");
        assert!(parse(file_url.as_bytes()).is_err());
    }
}
