//! Tree listings (`/api/datasets/{repo}/tree/{rev}/{path}`) and `paths-info`.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::errors::{bad_request, hf_error};
use super::query::{cursor_offset, is_true, paged};
use super::state::{Commit, HfState, RepoId, normalize_path};
use crate::Ctx;
use crate::http::{Request, Response};
use crate::util::{iso8601, parse_query};

impl HfState {
    fn tree_entry(&self, c: &Commit, path: &str, is_dir: bool, expand: bool) -> Value {
        let mut v = if is_dir {
            let mut h = Sha1::new();
            h.update(format!("tree\0{}\0{path}", c.sha).as_bytes());
            json!({"type": "directory", "oid": hex::encode(h.finalize()), "size": 0, "path": path})
        } else {
            let e = &c.files[path];
            let mut v = json!({"type": "file", "oid": e.oid, "size": e.size(), "path": path});
            if let Some(s) = &e.sha256 {
                v["lfs"] = json!({"oid": s, "size": e.size(), "pointerSize": e.pointer_size});
            }
            if let Some(x) = &e.xet_hash {
                v["xetHash"] = json!(x);
            }
            if expand {
                v["securityFileStatus"] = json!({"status": "safe", "avScan": {"virusFound": false, "virusNames": null}, "pickleImportScan": null});
            }
            v
        };
        if expand {
            v["lastCommit"] = json!({"id": c.sha, "title": c.title, "date": iso8601(c.date_ms)});
        }
        v
    }

    fn dirs_of(c: &Commit) -> BTreeSet<String> {
        let mut dirs = BTreeSet::new();
        for p in c.files.keys() {
            let mut cur = p.as_str();
            while let Some((parent, _)) = cur.rsplit_once('/') {
                if !dirs.insert(parent.to_string()) {
                    break;
                }
                cur = parent;
            }
        }
        dirs
    }

    pub(super) fn tree(
        &self,
        ctx: &Ctx,
        req: &Request,
        id: RepoId,
        rev: &str,
        dir: &str,
        base: &str,
    ) -> Response {
        let commit = match self.commit_at(req, id, rev, base) {
            Ok(c) => c,
            Err(e) => return e,
        };
        let Some(q) = parse_query(req.query()) else {
            return bad_request("Invalid query string");
        };
        let one = |k: &str| {
            q.iter()
                .rev()
                .find(|(a, _)| a == k)
                .map(|(_, v)| v.as_str())
        };
        let recursive = is_true(one("recursive"));
        let expand = is_true(one("expand"));
        let offset = match cursor_offset(one("cursor")) {
            Ok(o) => o,
            Err(r) => return r,
        };
        let dirs = Self::dirs_of(commit);
        if !dir.is_empty() && !dirs.contains(dir) {
            return hf_error(
                404,
                Some("EntryNotFound"),
                &format!("{dir} does not exist on \"{rev}\""),
            )
            .header("X-Repo-Commit", commit.sha.clone());
        }
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let under = |p: &str| -> bool {
            p.strip_prefix(prefix.as_str())
                .is_some_and(|rest| !rest.is_empty() && (recursive || !rest.contains('/')))
        };
        let mut listing: Vec<(&str, bool)> = dirs
            .iter()
            .filter(|d| under(d))
            .map(|d| (d.as_str(), true))
            .chain(
                commit
                    .files
                    .keys()
                    .filter(|p| under(p))
                    .map(|p| (p.as_str(), false)),
            )
            .collect();
        listing.sort_by(|a, b| a.0.cmp(b.0));
        let page = if expand {
            ctx.opts.hf_page_size.min(50)
        } else {
            ctx.opts.hf_page_size
        }
        .max(1);
        paged(
            req,
            base,
            &listing,
            offset,
            page,
            |(p, d): &(&str, bool)| self.tree_entry(commit, p, *d, expand),
        )
    }

    pub(super) fn paths_info(&self, req: &Request, id: RepoId, rev: &str, base: &str) -> Response {
        let commit = match self.commit_at(req, id, rev, base) {
            Ok(c) => c,
            Err(e) => return e,
        };
        let ct = req
            .header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let (paths, expand) = if ct.starts_with("application/json") {
            let Ok(v) = serde_json::from_slice::<Value>(&req.body) else {
                return bad_request("Invalid JSON body");
            };
            let paths: Vec<String> = match v.get("paths") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|p| p.as_str().map(str::to_string))
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => vec![],
            };
            (
                paths,
                v.get("expand").and_then(Value::as_bool).unwrap_or(false),
            )
        } else {
            let Some(q) = std::str::from_utf8(&req.body).ok().and_then(parse_query) else {
                return bad_request("Invalid form body");
            };
            let paths = q
                .iter()
                .filter(|(k, _)| k == "paths" || k == "paths[]")
                .map(|(_, v)| v.clone())
                .collect();
            let expand = is_true(
                q.iter()
                    .rev()
                    .find(|(k, _)| k == "expand")
                    .map(|(_, v)| v.as_str()),
            );
            (paths, expand)
        };
        let dirs = Self::dirs_of(commit);
        let mut seen = HashSet::new();
        let out: Vec<Value> = paths
            .iter()
            .map(|p| normalize_path(p))
            .filter(|p| seen.insert(p.clone()))
            .filter_map(|p| {
                if commit.files.contains_key(&p) {
                    Some(self.tree_entry(commit, &p, false, expand))
                } else if dirs.contains(&p) {
                    Some(self.tree_entry(commit, &p, true, expand))
                } else {
                    None
                }
            })
            .collect();
        Response::json(200, &Value::Array(out))
    }
}
