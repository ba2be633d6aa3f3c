//! File downloads: `resolve` (a 302 to the CDN for LFS files, a 307 to the `resolve-cache` hop
//! or the bytes themselves), and the CDN origin serving LFS blobs behind signed URLs.

use sha2::{Digest, Sha256};

use super::errors::{cdn_error, cdn_xml, hf_error, rev_not_found};
use super::state::{Commit, Entry, HfState, RepoId, RepoState};
use crate::Ctx;
use crate::http::{Request, Response, serve_blob};
use crate::sign::SigError;
use crate::util::{enc_component, enc_path, http_date, parse_query, pct_decode};

impl HfState {
    /// `file` at `rev`: a 302 to the CDN for an LFS file; for other files, a 307 to the
    /// `resolve-cache` hop when `allow_cache_hop` and the repo is public, ungated and namespaced
    /// (and the file not empty); else the bytes.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn resolve(
        &self,
        ctx: &Ctx,
        req: &Request,
        id: RepoId,
        rev: &str,
        file: &str,
        base: &str,
        allow_cache_hop: bool,
    ) -> Response {
        let repo = match self.visible_repo(req, id, true, base) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let commit = if allow_cache_hop {
            repo.resolve_rev(rev)
        } else {
            repo.commits.get(&rev.to_ascii_lowercase())
        };
        let Some(commit) = commit else {
            return rev_not_found(rev);
        };
        let Some(e) = commit.files.get(file) else {
            return hf_error(404, Some("EntryNotFound"), "Entry not found")
                .header("X-Repo-Commit", commit.sha.clone());
        };
        let basename = file.rsplit('/').next().unwrap_or(file);
        if let Some(sha) = &e.sha256 {
            let r = lfs_redirect(ctx, repo, commit, e, sha, basename);
            return match &e.xet_hash {
                // protocol/hf.md §5.3: the file id and where to get a token and the
                // reconstruction, beside the 302 to the bridge for clients that do not speak Xet.
                Some(x) => r.header("X-Xet-Hash", x.clone()).header(
                    "Link",
                    format!(
                        "<{base}/api/{}/{}/xet-read-token/{}>; rel=\"xet-auth\", <{}/v1/reconstructions/{x}>; rel=\"xet-reconstruction-info\"",
                        repo.kind.plural(),
                        repo.id,
                        commit.sha,
                        ctx.cas_url
                    ),
                ),
                None => r,
            };
        }
        let direct = repo.private
            || repo.gated.is_some()
            || repo.namespace.is_none()
            || e.size() == 0
            || !allow_cache_hop;
        if !direct {
            return cache_redirect(repo, commit, e, rev, file);
        }
        serve_file(req, commit, e, file, basename)
    }

    /// The CDN origin: `/repos/<aa>/<bb>/<repo hash>/<sha256>?<CloudFront signature>`.
    pub(crate) fn handle_cdn(&self, ctx: &Ctx, req: &Request) -> Response {
        if req.method != "GET" && req.method != "HEAD" {
            return cdn_xml(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            );
        }
        let Some(path) = pct_decode(req.path()) else {
            return cdn_error(404);
        };
        let segs: Vec<&str> = path.split('/').collect();
        if let ["", "xorbs", "default", hash] = segs.as_slice() {
            return self.serve_xorb(ctx, req, hash);
        }
        let sha = match segs.as_slice() {
            ["", "repos", _, _, _, sha] if sha.len() == 64 => *sha,
            _ => return cdn_error(404),
        };
        match ctx.signer.check_cdn(&path, req.query()) {
            Ok(()) => {}
            Err(SigError::Missing) => {
                return cdn_xml(
                    403,
                    "MissingKey",
                    "Missing Key-Pair-Id query parameter or cookie value",
                );
            }
            Err(SigError::Invalid | SigError::Expired) => return cdn_error(403),
        }
        let Some(blob) = self.cdn_blobs.get(sha) else {
            return cdn_error(404);
        };
        let etag = format!("\"{sha}\"");
        let last_modified = http_date(ctx.started_ms);
        let q = parse_query(req.query()).unwrap_or_default();
        let mut headers = vec![
            (
                "Content-Type".to_string(),
                "application/octet-stream".to_string(),
            ),
            ("ETag".to_string(), etag.clone()),
            ("Last-Modified".to_string(), last_modified.clone()),
            ("Accept-Ranges".to_string(), "bytes".to_string()),
            ("X-Cache".to_string(), "Hit from cloudfront".to_string()),
        ];
        if let Some((_, d)) = q.iter().find(|(k, _)| k == "response-content-disposition") {
            headers.push(("Content-Disposition".to_string(), d.clone()));
        }
        serve_blob(
            req,
            blob,
            headers,
            Some(&etag),
            Some(&last_modified),
            || {
                cdn_xml(
                    416,
                    "InvalidRange",
                    "The requested range is not satisfiable",
                )
            },
        )
    }
}

/// The 302 to the CDN's signed URL of an LFS file.
fn lfs_redirect(
    ctx: &Ctx,
    repo: &RepoState,
    commit: &Commit,
    e: &Entry,
    sha: &str,
    basename: &str,
) -> Response {
    let mut rh = Sha256::new();
    rh.update(format!("{}/{}", repo.kind.plural(), repo.id).as_bytes());
    let rhash = hex::encode(rh.finalize());
    let cdn_path = format!("/repos/{}/{}/{rhash}/{sha}", &rhash[..2], &rhash[2..4]);
    let loc = ctx.signer.cdn_url(ctx.cdn_url, &cdn_path, basename);
    Response::new(302)
        .header("Location", loc.clone())
        .header("X-Repo-Commit", commit.sha.clone())
        .header("X-Linked-Etag", format!("\"{sha}\""))
        .header("X-Linked-Size", e.size().to_string())
        .header("ETag", format!("\"{}\"", e.oid))
        .header("Vary", "Origin, Accept")
        .bytes(
            "text/plain; charset=utf-8",
            format!("Found. Redirecting to {loc}"),
        )
}

/// The 307 to the `resolve-cache` hop, for small files of public namespaced repos (the hop is
/// `/api/resolve-cache/{datasets,models,spaces}/…` whatever the repo type).
fn cache_redirect(repo: &RepoState, commit: &Commit, e: &Entry, rev: &str, file: &str) -> Response {
    let loc = format!(
        "/api/resolve-cache/{}/{}/{}/{}?{}=&etag=%22{}%22",
        repo.kind.plural(),
        repo.id,
        commit.sha,
        enc_path(file),
        enc_component(&format!(
            "/{}{}/resolve/{rev}/{file}",
            repo.kind.url_prefix(),
            repo.id
        )),
        e.oid
    );
    Response::new(307)
        .header("Location", loc.clone())
        .header("X-Repo-Commit", commit.sha.clone())
        .header("Vary", "Origin, Accept")
        .bytes(
            "text/plain; charset=utf-8",
            format!("Temporary Redirect. Redirecting to {loc}"),
        )
}

/// The file itself: 200, or 206 / 416 for a `Range`.
fn serve_file(req: &Request, commit: &Commit, e: &Entry, file: &str, basename: &str) -> Response {
    let etag = format!("\"{}\"", e.oid);
    let headers = vec![
        (
            "Content-Type".to_string(),
            content_type_for(file).to_string(),
        ),
        ("ETag".to_string(), etag.clone()),
        ("X-Repo-Commit".to_string(), commit.sha.clone()),
        ("Accept-Ranges".to_string(), "bytes".to_string()),
        (
            "Content-Disposition".to_string(),
            format!(
                "inline; filename*=UTF-8''{}; filename=\"{}\";",
                enc_component(basename),
                basename.replace(['"', '\\'], "_")
            ),
        ),
    ];
    let sha = commit.sha.clone();
    serve_blob(req, &e.blob, headers, Some(&etag), None, move || {
        hf_error(416, None, "Requested range not satisfiable").header("X-Repo-Commit", sha)
    })
}

fn content_type_for(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "json" => "application/json; charset=utf-8",
        "md" | "txt" | "csv" | "tsv" | "py" | "yaml" | "yml" | "gitattributes" => {
            "text/plain; charset=utf-8"
        }
        _ => "application/octet-stream",
    }
}
