//! The Hub's API as dsfetch uses it (protocol/hf.md): revision info, the recursive tree (all
//! pages), the token check. No HEAD per file: the tree already gives size and checksum.

use std::collections::{BTreeMap, HashSet};

use reqwest::Url;
use serde::Deserialize;

use super::errors::HfErrors;
use crate::credentials::{Credential, Resolved};
use crate::error::{Error, Hub, Result};
use crate::http::{self, ErrorMap, Http, HttpFailure, Request, endpoint_join, quote};
use crate::id::RepoKind;
use crate::progress::Reporter;
use crate::sanitize::for_terminal;
use crate::snapshot::RemoteFile;
use crate::verify::{Expected, is_hex};

/// A client for one Hub endpoint with one (optional) credential.
pub(crate) struct HfClient<'a> {
    /// The HTTP client.
    pub http: &'a Http,
    /// `HF_ENDPOINT`.
    pub endpoint: Url,
    /// Credential resolution (the credential, and where it came from, for messages).
    pub auth: &'a Resolved,
    /// Progress sink (retry events, debug lines).
    pub reporter: &'a dyn Reporter,
}

/// Repo info at a revision (only the fields dsfetch uses).
#[derive(Debug, Clone, Deserialize)]
pub struct RepoInfo {
    /// The commit the revision resolves to.
    pub sha: Option<String>,
}

/// One entry of a tree listing.
#[derive(Debug, Clone, Deserialize)]
pub struct TreeEntry {
    /// `file` or `directory`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Git object id (blob sha1 for files).
    #[serde(default)]
    pub oid: Option<String>,
    /// Size (the real size for LFS files).
    #[serde(default)]
    pub size: Option<u64>,
    /// Repo path.
    pub path: String,
    /// LFS pointer info.
    #[serde(default)]
    pub lfs: Option<LfsInfo>,
    /// The Xet file id, for a file stored in Xet (64 hex).
    #[serde(default, rename = "xetHash")]
    pub xet_hash: Option<String>,
}

/// LFS info of a tree entry.
#[derive(Debug, Clone, Deserialize)]
pub struct LfsInfo {
    /// SHA-256 of the content.
    pub oid: String,
    /// Size of the content.
    pub size: u64,
}

impl<'a> HfClient<'a> {
    pub(crate) fn credential(&self) -> Option<&Credential> {
        self.auth.credential.as_ref()
    }

    /// The error mapper for requests about the `kind` repo `repo` at `revision`.
    pub(crate) fn errors(&self, kind: RepoKind, repo: &str, revision: &str) -> HfErrors {
        HfErrors {
            kind,
            repo: repo.to_string(),
            revision: revision.to_string(),
            endpoint: self.endpoint.clone(),
            token_origin: self.auth.origin.clone(),
            looked: self.auth.looked_list(),
        }
    }

    /// GETs `url` and parses its JSON; a failure goes through `errors`.
    pub(super) async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        what: &str,
        errors: &HfErrors,
    ) -> Result<(T, reqwest::header::HeaderMap, Url)> {
        let req = Request::get(url, what).auth(self.credential());
        let reply = self.http.call(&req, self.reporter, 64 << 20, true).await?;
        if !reply.status.is_success() {
            let f = HttpFailure::from_reply(&reply, &http::origin_of(&req.url), what);
            return Err(ErrorMap::map(errors, &f));
        }
        Ok((reply.json()?, reply.headers, reply.url))
    }

    /// Checks the credential with one cheap call (`GET /api/whoami-v2`). Returns the account
    /// name when the Hub accepts it, or a `Denied` error when it rejects it.
    pub async fn whoami(&self) -> Result<String> {
        let url = endpoint_join(&self.endpoint, "/api/whoami-v2")?;
        let req = Request::get(url, "token check").auth(self.credential());
        let reply = self.http.call(&req, self.reporter, 1 << 20, true).await?;
        let status = reply.status;
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(Error::Denied {
                hub: Hub::HuggingFace,
                message: format!(
                    "the token from {} was rejected (HTTP {status}); create a new one at https://huggingface.co/settings/tokens",
                    self.auth.origin.as_deref().unwrap_or("the environment")
                ),
                hint: None,
            });
        }
        if !status.is_success() {
            let f = HttpFailure::from_reply(&reply, &http::origin_of(&req.url), "token check");
            return Err(f.generic_error(Hub::HuggingFace));
        }
        let v: serde_json::Value = reply.json()?;
        Ok(for_terminal(
            v.get("name").and_then(|n| n.as_str()).unwrap_or("?"),
        ))
    }

    /// Resolves `revision` of the `kind` repo `repo` to a commit
    /// (`GET /api/{datasets|models|spaces}/{repo}/revision/{rev}`).
    pub async fn resolve_commit(
        &self,
        kind: RepoKind,
        repo: &str,
        revision: &str,
    ) -> Result<String> {
        let errors = self.errors(kind, repo, revision);
        let url = endpoint_join(
            &self.endpoint,
            &format!(
                "/api/{}/{repo}/revision/{}",
                kind.plural(),
                quote(revision, false)
            ),
        )?;
        let (info, _, final_url): (RepoInfo, _, _) = self
            .get_json(url, &format!("revision {revision} of {repo}"), &errors)
            .await?;
        match info.sha {
            Some(s) if is_hex(&s, 40) => Ok(s.to_ascii_lowercase()),
            _ => Err(Error::Protocol {
                url: http::display_url(&final_url),
                message: "the revision info has no valid commit sha".into(),
            }),
        }
    }

    /// The other repo types under which `repo` exists (one cheap `GET /api/{type}/{repo}` each,
    /// no retries): for a "not found" that is really a type mix-up (`acme/bert` is a model).
    pub async fn other_kinds(&self, kind: RepoKind, repo: &str) -> Vec<RepoKind> {
        let mut found = Vec::new();
        for k in [RepoKind::Model, RepoKind::Dataset, RepoKind::Space] {
            if k == kind {
                continue;
            }
            let Ok(url) = endpoint_join(&self.endpoint, &format!("/api/{}/{repo}", k.plural()))
            else {
                continue;
            };
            let req = Request::get(url, "repo type check").auth(self.credential());
            if let Ok(Ok(resp)) = self
                .http
                .cancellable(self.http.execute_once(&req, self.reporter))
                .await
                && resp.status().is_success()
            {
                found.push(k);
            }
        }
        found
    }

    /// Lists the files of `repo` at `commit` (recursive tree, all pages) that `keep` selects,
    /// validated (see [`validate_tree`]).
    pub async fn list_files(
        &self,
        kind: RepoKind,
        repo: &str,
        commit: &str,
        revision: &str,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<Listing> {
        let (entries, url) = self.list_tree(kind, repo, commit, revision).await?;
        validate_tree(entries, &url, keep)
    }

    /// The recursive tree of `repo` at `commit`, every page, as the Hub sends it (not
    /// validated), and the listing's URL for messages.
    pub async fn list_tree(
        &self,
        kind: RepoKind,
        repo: &str,
        commit: &str,
        revision: &str,
    ) -> Result<(Vec<TreeEntry>, String)> {
        let errors = self.errors(kind, repo, revision);
        let mut url = endpoint_join(
            &self.endpoint,
            &format!(
                "/api/{}/{repo}/tree/{}?recursive=true&expand=false",
                kind.plural(),
                quote(commit, false)
            ),
        )?;
        let mut entries: Vec<TreeEntry> = Vec::new();
        let mut seen_pages = HashSet::new();
        loop {
            if !seen_pages.insert(url.to_string()) || seen_pages.len() > 100_000 {
                return Err(Error::Protocol {
                    url: http::display_url(&url),
                    message: "the tree listing's pagination loops".into(),
                });
            }
            let (page, headers, final_url): (Vec<TreeEntry>, _, _) = self
                .get_json(url.clone(), &format!("file list of {repo}"), &errors)
                .await?;
            entries.extend(page);
            let next = headers
                .get_all(reqwest::header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(|v| http::parse_link_next(v, &final_url));
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
        Ok((entries, http::display_url(&url)))
    }
}

/// The validated files of a listing that a selection keeps, and the unsafe names it left out.
#[derive(Debug, Default)]
pub struct Listing {
    /// Files to consider, sorted by path.
    pub(crate) files: Vec<RemoteFile>,
    /// Unsafe names that the selection excluded (never written), with the reason.
    pub skipped_unsafe: Vec<(String, String)>,
}

/// Turns raw tree entries into validated files, keeping only those `keep` selects. Hostile names
/// among them are refused here, before anything is written; hostile names that `keep` leaves out
/// are only reported (they are never written).
pub fn validate_tree(
    entries: Vec<TreeEntry>,
    url: &str,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Listing> {
    let mut files: BTreeMap<String, RemoteFile> = BTreeMap::new();
    let mut skipped_unsafe = Vec::new();
    for e in entries {
        if e.kind != "file" {
            continue;
        }
        if let Err(reason) = crate::paths::check_relative(&e.path) {
            if !keep(&e.path) {
                skipped_unsafe.push((for_terminal(&e.path), reason));
                continue;
            }
            return Err(Error::Unsafe {
                what: "file name",
                name: for_terminal(&e.path),
                reason: format!(
                    "{reason}; nothing was downloaded; {}",
                    crate::paths::exclude_hint(&e.path)
                ),
            });
        }
        if !keep(&e.path) {
            continue;
        }
        let bad = |m: &str| Error::Protocol {
            url: url.to_string(),
            message: format!("{m} for {:?}", for_terminal(&e.path)),
        };
        let (size, expected) = match &e.lfs {
            Some(l) => {
                if !is_hex(&l.oid, 64) {
                    return Err(bad("malformed LFS sha256"));
                }
                (l.size, Expected::Sha256(l.oid.to_ascii_lowercase()))
            }
            None => {
                let oid = e.oid.as_deref().unwrap_or("");
                if !is_hex(oid, 40) {
                    return Err(bad("malformed git oid"));
                }
                (
                    e.size.ok_or_else(|| bad("missing size"))?,
                    Expected::GitSha1(oid.to_ascii_lowercase()),
                )
            }
        };
        if files.contains_key(&e.path) {
            return Err(bad("duplicate entry"));
        }
        // A Xet file id is used only with an LFS sha256 to check against (as huggingface_hub
        // does); anything but 64 hex is ignored, and the bridge serves the file.
        let xet_hash = e
            .xet_hash
            .filter(|h| e.lfs.is_some() && is_hex(h, 64))
            .map(|h| h.to_ascii_lowercase());
        files.insert(
            e.path.clone(),
            RemoteFile {
                upstream: expected.digest().to_string(),
                path: e.path,
                size: Some(size),
                expected: Some(expected),
                may_be_wrapped: false,
                xet_hash,
            },
        );
    }
    // A path that is both a file and a folder ("a" and "a/b") cannot be written.
    for p in files.keys() {
        let mut prefix = p.as_str();
        while let Some((parent, _)) = prefix.rsplit_once('/') {
            if files.contains_key(parent) {
                return Err(Error::Unsafe {
                    what: "file name",
                    name: for_terminal(parent),
                    reason: "it is listed both as a file and as a folder; nothing was downloaded"
                        .into(),
                });
            }
            prefix = parent;
        }
    }
    Ok(Listing {
        files: files.into_values().collect(),
        skipped_unsafe,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, oid: &str, lfs: Option<&str>) -> TreeEntry {
        TreeEntry {
            kind: "file".into(),
            oid: Some(oid.into()),
            size: Some(3),
            path: path.into(),
            lfs: lfs.map(|o| LfsInfo {
                oid: o.into(),
                size: 3,
            }),
            xet_hash: None,
        }
    }

    #[test]
    fn tree_validation() {
        let all = |_: &str| true;
        let sha1 = "a".repeat(40);
        let sha256 = "b".repeat(64);
        let ok = validate_tree(
            vec![
                entry("a/b.csv", &sha1, None),
                entry("c.bin", &sha1, Some(&sha256)),
            ],
            "u",
            &all,
        )
        .unwrap()
        .files;
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].expected, Some(Expected::Sha256(sha256.clone())));
        assert!(validate_tree(vec![entry("../evil", &sha1, None)], "u", &all).is_err());
        assert!(validate_tree(vec![entry("/etc/passwd", &sha1, None)], "u", &all).is_err());
        assert!(
            validate_tree(
                vec![entry("a", &sha1, None), entry("a/b", &sha1, None)],
                "u",
                &all
            )
            .is_err()
        );
        assert!(validate_tree(vec![entry("a", "zz", None)], "u", &all).is_err());
        // What the selection leaves out is never refused: unsafe names are reported, conflicts
        // and malformed entries ignored.
        let only_ok = validate_tree(
            vec![
                entry("ok.csv", &sha1, None),
                entry("../evil", &sha1, None),
                entry("a", &sha1, None),
                entry("a/b", "zz", None),
            ],
            "u",
            &|p: &str| p == "ok.csv",
        )
        .unwrap();
        assert_eq!(only_ok.files.len(), 1);
        assert_eq!(only_ok.skipped_unsafe.len(), 1);
        assert_eq!(only_ok.skipped_unsafe[0].0, "../evil");
        assert!(validate_tree(vec![entry("a", &sha1, Some("short"))], "u", &all).is_err());
    }
}
