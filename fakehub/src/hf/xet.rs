//! The Xet routes (hub-docs `docs/xet/auth.md`, `api.md`, `download-protocol.md`, and what
//! hf_xet requests): the Hub's `xet-read-token` route, the CAS (`/v2/reconstructions/{id}`,
//! `/v1/reconstructions/{id}`, `Range`, 401 on a bad token, 416 past the end) on its own origin,
//! and xorbs on the CDN origin behind signed URLs that authorize exactly the ranges they name
//! (several ranges → `multipart/byteranges`).

use serde_json::{Value, json};

use super::errors::{cdn_error, hf_error, rev_not_found};
use super::state::{HfState, RepoId};
use super::xet_store::{Hash, TermDef, hex_of};
use crate::Ctx;
use crate::http::{Request, Response};
use crate::sign::SigError;
use crate::util::now_ms;

/// Chunk ranges `[start, end)` of one xorb.
type ChunkRanges = Vec<(u32, u32)>;

/// The multipart boundary of xorb answers.
const BOUNDARY: &str = "fakehub-xorb-ranges";

impl HfState {
    /// `GET /api/{type}s/{repo}/xet-read-token/{rev}`: a token for the CAS, in the JSON body and
    /// in the `X-Xet-*` headers (older huggingface_hub reads those).
    pub(super) fn xet_token(
        &self,
        ctx: &Ctx,
        req: &Request,
        id: RepoId,
        rev: &str,
        base: &str,
    ) -> Response {
        let repo = match self.visible_repo(req, id, true, base) {
            Ok(r) => r,
            Err(e) => return e,
        };
        if repo.resolve_rev(rev).is_none() {
            return rev_not_found(rev);
        }
        let exp = (now_ms() / 1000) as u64 + ctx.opts.xet_token_ttl;
        let token = ctx.signer.token(exp);
        Response::json(
            200,
            &json!({"accessToken": token, "exp": exp, "casUrl": ctx.cas_url}),
        )
        .header("X-Xet-Access-Token", token)
        .header("X-Xet-Token-Expiration", exp.to_string())
        .header("X-Xet-Cas-Url", ctx.cas_url)
    }

    /// The CAS origin.
    pub(crate) fn handle_cas(&self, ctx: &Ctx, req: &Request) -> Response {
        let path = req.path();
        let (version, id) = match path.strip_prefix("/v2/reconstructions/") {
            Some(id) => (2, id),
            None => match path.strip_prefix("/v1/reconstructions/") {
                Some(id) => (1, id),
                None => return hf_error(404, None, "Not found"),
            },
        };
        if req.method != "GET" {
            return hf_error(405, None, "Method not allowed");
        }
        let ok = req
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .is_some_and(|t| ctx.signer.check_token(t));
        if !ok {
            return hf_error(401, None, "Unauthorized");
        }
        if version == 2 && !ctx.opts.xet_v2 {
            return hf_error(404, None, "Not found");
        }
        if id.len() != 64 || !id.bytes().all(|c| c.is_ascii_hexdigit()) {
            return hf_error(400, None, "Invalid file id");
        }
        let Some(size) = self.xet.files.get(id).map(|f| f.0) else {
            return hf_error(404, None, "File not found");
        };
        let (first, last) = match req.header("range").and_then(parse_one_range) {
            Some(r) => r,
            None if req.header("range").is_some() => return hf_error(400, None, "Invalid range"),
            None => (0, size.saturating_sub(1)),
        };
        let Some((offset, terms)) = self.xet.reconstruct(id, first, last) else {
            return hf_error(416, None, "Range not satisfiable")
                .header("Content-Range", format!("bytes */{size}"));
        };
        Response::json(200, &self.reconstruction(ctx, version, offset, &terms))
    }

    /// The reconstruction answer: terms, and per xorb the merged chunk ranges with signed URLs.
    fn reconstruction(&self, ctx: &Ctx, version: u8, offset: u64, terms: &[TermDef]) -> Value {
        let mut per_xorb: Vec<(Hash, ChunkRanges)> = Vec::new();
        for t in terms {
            let list = match per_xorb.iter_mut().find(|(x, _)| *x == t.xorb) {
                Some((_, l)) => l,
                None => {
                    per_xorb.push((t.xorb, Vec::new()));
                    &mut per_xorb.last_mut().expect("pushed").1
                }
            };
            list.push((t.start, t.end));
        }
        let mut fetch = serde_json::Map::new();
        for (x, mut ranges) in per_xorb {
            ranges.sort();
            let mut merged: Vec<(u32, u32)> = Vec::new();
            for r in ranges {
                match merged.last_mut() {
                    Some(m) if r.0 <= m.1 => m.1 = m.1.max(r.1),
                    _ => merged.push(r),
                }
            }
            let xorb = &self.xet.xorbs[&x];
            let bytes =
                |c: (u32, u32)| (xorb.offsets[c.0 as usize], xorb.offsets[c.1 as usize] - 1);
            let path = format!("/xorbs/default/{}", hex_of(&x));
            let entry = if version == 2 {
                let header = format!(
                    "bytes={}",
                    merged
                        .iter()
                        .map(|c| format!("{}-{}", bytes(*c).0, bytes(*c).1))
                        .collect::<Vec<_>>()
                        .join(",")
                );
                json!([{
                    "url": ctx.signer.xorb_url(ctx.cdn_url, &path, &header),
                    "ranges": merged.iter().map(|c| json!({
                        "chunks": {"start": c.0, "end": c.1},
                        "bytes": {"start": bytes(*c).0, "end": bytes(*c).1},
                    })).collect::<Vec<_>>(),
                }])
            } else {
                Value::Array(
                    merged
                        .iter()
                        .map(|c| {
                            let (a, b) = bytes(*c);
                            json!({
                                "range": {"start": c.0, "end": c.1},
                                "url": ctx.signer.xorb_url(ctx.cdn_url, &path, &format!("bytes={a}-{b}")),
                                "url_range": {"start": a, "end": b},
                            })
                        })
                        .collect(),
                )
            };
            fetch.insert(hex_of(&x), entry);
        }
        let terms: Vec<Value> = terms
            .iter()
            .map(|t| json!({"hash": hex_of(&t.xorb), "unpacked_length": t.unpacked, "range": {"start": t.start, "end": t.end}}))
            .collect();
        let key = if version == 2 { "xorbs" } else { "fetch_info" };
        json!({"offset_into_first_range": offset, "terms": terms, key: fetch})
    }

    /// `GET /xorbs/default/{hash}` on the CDN origin: exactly the signed ranges.
    pub(super) fn serve_xorb(&self, ctx: &Ctx, req: &Request, hash: &str) -> Response {
        let signed = match ctx.signer.check_xorb(req.path(), req.query()) {
            Ok(r) => r,
            Err(SigError::Missing | SigError::Invalid | SigError::Expired) => {
                return cdn_error(403);
            }
        };
        let asked = req.header("range").unwrap_or("").replace(' ', "");
        if asked != signed {
            // The URL authorizes exactly its ranges (download-protocol.md).
            return cdn_error(403);
        }
        let Some(xorb) = self
            .xet
            .xorbs
            .iter()
            .find(|(x, _)| hex_of(x) == hash)
            .map(|(_, x)| x)
        else {
            return cdn_error(404);
        };
        let Ok(data) = xorb.bytes.to_vec() else {
            return cdn_error(500);
        };
        let size = data.len() as u64;
        let ranges: Option<Vec<(u64, u64)>> = signed
            .trim_start_matches("bytes=")
            .split(',')
            .map(|r| {
                let (a, b) = r.split_once('-')?;
                let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
                (a <= b && b < size).then_some((a, b))
            })
            .collect();
        let Some(ranges) = ranges else {
            return cdn_error(416);
        };
        if let [(a, b)] = ranges[..] {
            return Response::new(206)
                .header("Content-Range", format!("bytes {a}-{b}/{size}"))
                .bytes(
                    "application/octet-stream",
                    data[a as usize..=b as usize].to_vec(),
                );
        }
        let mut body = Vec::new();
        for (a, b) in ranges {
            body.extend_from_slice(
                format!("\r\n--{BOUNDARY}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes {a}-{b}/{size}\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(&data[a as usize..=b as usize]);
        }
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        Response::new(206).bytes(&format!("multipart/byteranges; boundary={BOUNDARY}"), body)
    }
}

/// `bytes=a-b` (one inclusive range; an open end means to the end).
fn parse_one_range(h: &str) -> Option<(u64, u64)> {
    let (a, b) = h.trim().strip_prefix("bytes=")?.split_once('-')?;
    let a: u64 = a.trim().parse().ok()?;
    let b: u64 = match b.trim() {
        "" => u64::MAX,
        b => b.parse().ok()?,
    };
    (a <= b).then_some((a, b))
}
