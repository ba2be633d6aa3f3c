//! Who is calling (Basic key or Bearer token), and which datasets and versions they may see.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::errors::kaggle_error;
use super::params::{Body, get_int, get_str};
use super::state::{DsState, KVersion, KaggleState};
use crate::http::{Request, Response};

/// The caller a request's `Authorization` header names.
pub(super) enum KCaller {
    Anon,
    User(String),
    Invalid,
}

impl KaggleState {
    pub(super) fn caller(&self, req: &Request) -> KCaller {
        let Some(v) = req.header("authorization") else {
            return KCaller::Anon;
        };
        let Some((scheme, cred)) = v.trim().split_once(' ') else {
            return KCaller::Invalid;
        };
        let cred = cred.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let Some(pair) = STANDARD
                .decode(cred)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
            else {
                return KCaller::Invalid;
            };
            match pair.split_once(':') {
                Some((u, k)) if self.users.get(u).is_some_and(|want| want == k) => {
                    KCaller::User(u.to_string())
                }
                _ => KCaller::Invalid,
            }
        } else if scheme.eq_ignore_ascii_case("bearer") {
            match self.tokens.get(cred) {
                Some(u) => KCaller::User(u.clone()),
                None => KCaller::Invalid,
            }
        } else {
            KCaller::Invalid
        }
    }

    fn find(&self, owner: &str, slug: &str, caller: &KCaller) -> Result<&DsState, Response> {
        let ds = self
            .datasets
            .get(&format!("{owner}/{slug}").to_ascii_lowercase())
            .ok_or_else(|| kaggle_error(404, "NotFound"))?;
        if ds.meta.private {
            match caller {
                KCaller::User(u) if u == ds.owner_user() => {}
                KCaller::User(_) => return Err(kaggle_error(403, "Permission denied")),
                _ => return Err(kaggle_error(401, "Unauthenticated")),
            }
        }
        Ok(ds)
    }

    pub(super) fn find_from_body(&self, b: &Body, caller: &KCaller) -> Result<&DsState, Response> {
        let owner = get_str(b, "ownerSlug")?.unwrap_or("");
        let slug = get_str(b, "datasetSlug")?.unwrap_or("");
        if owner.is_empty() || slug.is_empty() {
            return Err(kaggle_error(400, "ownerSlug and datasetSlug are required"));
        }
        self.find(owner, slug, caller)
    }

    fn version_from_body<'a>(&self, ds: &'a DsState, b: &Body) -> Result<&'a KVersion, Response> {
        match get_int(b, "datasetVersionNumber")? {
            None | Some(0) => Ok(ds.current()),
            Some(n) => u32::try_from(n)
                .ok()
                .and_then(|n| ds.version(n))
                .ok_or_else(|| kaggle_error(404, "NotFound")),
        }
    }

    /// The dataset a body names and its version `datasetVersionNumber` (the current one when
    /// absent or 0).
    pub(super) fn dataset_version(
        &self,
        b: &Body,
        caller: &KCaller,
    ) -> Result<(&DsState, &KVersion), Response> {
        let ds = self.find_from_body(b, caller)?;
        Ok((ds, self.version_from_body(ds, b)?))
    }
}
