//! Repo info (`/api/datasets/{repo}`, `…/revision/{rev}`), refs, and `/api/whoami-v2`.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::access::Caller;
use super::errors::{bad_request, hf_error, invalid_credentials, rev_not_found};
use super::query::is_true;
use super::state::{HfState, RepoId};
use crate::Ctx;
use crate::http::{Request, Response};
use crate::util::parse_query;

impl HfState {
    pub(super) fn whoami(&self, req: &Request) -> Response {
        match self.caller(req) {
            Caller::User(u) => Response::json(
                200,
                &json!({
                    "type": "user",
                    "id": hex::encode(&Sha1::digest(u.as_bytes())[..12]),
                    "name": u,
                    "fullname": u,
                    "email": null,
                    "emailVerified": false,
                    "canPay": false,
                    "isPro": false,
                    "periodEnd": null,
                    "avatarUrl": "",
                    "orgs": [],
                    "auth": {"type": "access_token", "accessToken": {"displayName": "fakehub", "role": "read"}},
                }),
            ),
            Caller::Invalid => invalid_credentials(),
            Caller::Anon => hf_error(401, None, "Invalid username or password."),
        }
    }

    pub(super) fn info(
        &self,
        _ctx: &Ctx,
        req: &Request,
        id: RepoId,
        rev: Option<&str>,
        base: &str,
    ) -> Response {
        let repo = match self.visible_repo(req, id, false, base) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let Some(q) = parse_query(req.query()) else {
            return bad_request("Invalid query string");
        };
        let expand = match Self::expand_props(id.0, &q) {
            Ok(e) => e,
            Err(r) => return r,
        };
        let blobs = is_true(
            q.iter()
                .rev()
                .find(|(k, _)| k == "blobs")
                .map(|(_, v)| v.as_str()),
        );
        let commit = match rev {
            None => repo.main_commit(),
            Some(r) => repo.resolve_rev(r),
        };
        let Some(commit) = commit else {
            return rev_not_found(rev.unwrap_or("main"));
        };
        let props: Vec<&str> = if expand.is_empty() {
            id.0.info_default().to_vec()
        } else {
            expand
        };
        Response::json(200, &self.item(repo, commit, &props, blobs))
    }

    pub(super) fn refs(&self, req: &Request, id: RepoId, base: &str) -> Response {
        let repo = match self.visible_repo(req, id, false, base) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let q = parse_query(req.query()).unwrap_or_default();
        let prs = q
            .iter()
            .any(|(k, v)| k == "include_prs" && (v == "1" || is_true(Some(v))));
        let list = |m: &BTreeMap<String, String>, prefix: &str| -> Value {
            m.iter()
                .map(|(n, s)| json!({"name": n, "ref": format!("{prefix}{n}"), "targetCommit": s}))
                .collect()
        };
        let mut v = json!({
            "branches": list(&repo.branches, "refs/heads/"),
            "tags": list(&repo.tag_refs, "refs/tags/"),
            "converts": list(&repo.converts, "refs/convert/"),
        });
        if prs {
            v["pullRequests"] = repo
                .prs
                .iter()
                .map(|(n, s)| json!({"name": n.to_string(), "ref": format!("refs/pr/{n}"), "targetCommit": s}))
                .collect();
        }
        Response::json(200, &v)
    }
}
