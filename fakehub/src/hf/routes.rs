//! API-origin routing: which route a path names, and its repo id, revision and file path.

use super::errors::{bad_request, method_not_allowed, not_found_route};
use super::kind::HfRepoType;
use super::state::{HfState, key, normalize_path};
use crate::Ctx;
use crate::http::{Request, Response};
use crate::util::pct_decode;

/// Parsed `/datasets/...` or `/api/datasets/...` remainder: repo id, then the rest segments.
pub(super) struct RepoPath<'a> {
    pub(super) repo: String,
    pub(super) rest: Vec<&'a str>,
}

/// Splits raw path segments into a repo id and the rest, knowing which second segments are
/// route keywords (so that canonical, namespace-less repos work).
pub(super) fn split_repo<'a>(
    st: &HfState,
    kind: HfRepoType,
    segs: &[&'a str],
    keywords: &[&str],
) -> Option<RepoPath<'a>> {
    let s0 = pct_decode(segs.first()?)?;
    if s0.is_empty() {
        return None;
    }
    if segs.len() == 1 {
        return Some(RepoPath {
            repo: s0,
            rest: vec![],
        });
    }
    let s1 = pct_decode(segs[1])?;
    let two = format!("{s0}/{s1}");
    if !st.repos.contains_key(&key(kind, &two)) && keywords.contains(&s1.as_str()) {
        return Some(RepoPath {
            repo: s0,
            rest: segs[1..].to_vec(),
        });
    }
    if s1.is_empty() {
        return None;
    }
    Some(RepoPath {
        repo: two,
        rest: segs[2..].to_vec(),
    })
}

/// Takes a revision from the front of `segs`: one (possibly `%2F`-encoded) segment, or a raw
/// `refs/{convert,pr,heads,tags}/x`. Returns the decoded revision and the remaining segments.
pub(super) fn take_rev<'a>(segs: &'a [&'a str]) -> Option<(String, &'a [&'a str])> {
    let first = pct_decode(segs.first()?)?;
    if first == "refs" && segs.len() >= 3 && ["convert", "pr", "heads", "tags"].contains(&segs[1]) {
        let rev = format!("refs/{}/{}", segs[1], pct_decode(segs[2])?);
        return Some((rev, &segs[3..]));
    }
    if first.is_empty() {
        return None;
    }
    Some((first, &segs[1..]))
}

fn join_decode(segs: &[&str]) -> Option<String> {
    pct_decode(&segs.join("/")).map(|p| normalize_path(&p))
}

impl HfState {
    /// Entry point for HF routes on the API origin.
    pub(crate) fn handle_api(&self, ctx: &Ctx, req: &Request) -> Response {
        let path = req.path();
        let base = req.base_url(ctx.api_url);
        let get_like = req.method == "GET" || req.method == "HEAD";
        if path == "/api/whoami-v2" {
            return self.whoami(req);
        }
        if let Some(rest) = path.strip_prefix("/api/resolve-cache/") {
            let Some((kind, rest)) = rest
                .split_once('/')
                .and_then(|(p, r)| Some((HfRepoType::from_plural(p)?, r)))
            else {
                return not_found_route();
            };
            if !get_like {
                return method_not_allowed();
            }
            return self.resolve_cache_route(ctx, req, kind, rest, &base);
        }
        if let Some(rest) = path.strip_prefix("/api/") {
            let (p, rest) = rest.split_once('/').unwrap_or((rest, ""));
            let Some(kind) = HfRepoType::from_plural(p) else {
                return not_found_route();
            };
            if rest.is_empty() {
                return if get_like {
                    self.search(ctx, req, kind, &base)
                } else {
                    method_not_allowed()
                };
            }
            return self.repo_api(ctx, req, kind, rest, &base);
        }
        if let Some(rest) = path.strip_prefix("/datasets/") {
            return self.resolve_route(ctx, req, HfRepoType::Dataset, rest, &base, get_like);
        }
        if let Some(rest) = path.strip_prefix("/spaces/") {
            return self.resolve_route(ctx, req, HfRepoType::Space, rest, &base, get_like);
        }
        // Models have no prefix: `/{id}/resolve/…`. The reserved first segments above never
        // reach here, and model ids may not start with them.
        match path.strip_prefix('/') {
            Some(rest) if path.contains("/resolve/") => {
                self.resolve_route(ctx, req, HfRepoType::Model, rest, &base, get_like)
            }
            _ => not_found_route(),
        }
    }

    /// `/api/{type}s/{repo}[/revision/{rev} | /tree/{rev}/{path} | /refs | /paths-info/{rev}]`.
    fn repo_api(
        &self,
        ctx: &Ctx,
        req: &Request,
        kind: HfRepoType,
        rest: &str,
        base: &str,
    ) -> Response {
        let segs: Vec<&str> = rest.split('/').collect();
        let kw = [
            "revision",
            "tree",
            "refs",
            "paths-info",
            "resolve",
            "xet-read-token",
        ];
        let Some(rp) = split_repo(self, kind, &segs, &kw) else {
            return not_found_route();
        };
        let id = (kind, rp.repo.as_str());
        match (rp.rest.first().copied(), req.method.as_str()) {
            (None, "GET" | "HEAD") => self.info(ctx, req, id, None, base),
            (Some(""), "GET" | "HEAD") if rp.rest.len() == 1 => self.info(ctx, req, id, None, base),
            (Some("revision"), "GET" | "HEAD") => match take_rev(&rp.rest[1..]) {
                Some((rev, rest)) if rest.iter().all(|s| s.is_empty()) => {
                    self.info(ctx, req, id, Some(&rev), base)
                }
                _ => not_found_route(),
            },
            (Some("tree"), "GET" | "HEAD") => match take_rev(&rp.rest[1..]) {
                Some((rev, rest)) => match join_decode(rest) {
                    Some(p) => self.tree(ctx, req, id, &rev, &p, base),
                    None => bad_request("Invalid path"),
                },
                None => not_found_route(),
            },
            (Some("refs"), "GET" | "HEAD") if rp.rest.len() == 1 => self.refs(req, id, base),
            (Some("xet-read-token"), "GET") => match take_rev(&rp.rest[1..]) {
                Some((rev, rest)) if rest.iter().all(|s| s.is_empty()) => {
                    self.xet_token(ctx, req, id, &rev, base)
                }
                _ => not_found_route(),
            },
            (Some("paths-info"), "POST") => match take_rev(&rp.rest[1..]) {
                Some((rev, rest)) if rest.iter().all(|s| s.is_empty()) => {
                    self.paths_info(req, id, &rev, base)
                }
                _ => not_found_route(),
            },
            (Some("revision" | "tree" | "refs"), _) | (Some("paths-info"), _) => {
                method_not_allowed()
            }
            _ => not_found_route(),
        }
    }

    /// `/api/resolve-cache/{type}s/{repo}/{commit}/{file}`: the hop after resolve's 307.
    fn resolve_cache_route(
        &self,
        ctx: &Ctx,
        req: &Request,
        kind: HfRepoType,
        rest: &str,
        base: &str,
    ) -> Response {
        let segs: Vec<&str> = rest.split('/').collect();
        // canonical repo when the second segment is a commit and the first is a repo
        let hexy = |s: &str| s.len() == 40 && s.bytes().all(|c| c.is_ascii_hexdigit());
        let (repo, commit, file) =
            if segs.len() >= 3 && hexy(segs[1]) && self.repos.contains_key(&key(kind, segs[0])) {
                (segs[0].to_string(), segs[1], &segs[2..])
            } else if segs.len() >= 4 {
                (format!("{}/{}", segs[0], segs[1]), segs[2], &segs[3..])
            } else {
                return not_found_route();
            };
        let Some(file) = join_decode(file) else {
            return bad_request("Invalid path");
        };
        self.resolve(ctx, req, (kind, &repo), commit, &file, base, false)
    }

    /// `/datasets/{repo}/resolve/{rev}/{file}`, `/spaces/…` and, for models, `/{repo}/resolve/…`.
    fn resolve_route(
        &self,
        ctx: &Ctx,
        req: &Request,
        kind: HfRepoType,
        rest: &str,
        base: &str,
        get_like: bool,
    ) -> Response {
        let segs: Vec<&str> = rest.split('/').collect();
        let Some(rp) = split_repo(self, kind, &segs, &["resolve"]) else {
            return not_found_route();
        };
        if rp.rest.first() != Some(&"resolve") {
            return not_found_route();
        }
        if !get_like {
            return method_not_allowed();
        }
        let Some((rev, rest)) = take_rev(&rp.rest[1..]) else {
            return not_found_route();
        };
        let Some(file) = join_decode(rest) else {
            return bad_request("Invalid path");
        };
        self.resolve(ctx, req, (kind, &rp.repo), &rev, &file, base, true)
    }
}
