//! Who is calling, and what they may see: tokens, private and gated repos, disabled repos.

use std::sync::Arc;

use super::errors::{hf_error, invalid_credentials, rev_not_found};
use super::state::{Commit, HfState, RepoId, RepoState, key};
use crate::http::{Request, Response};

/// The caller a request's `Authorization` header names.
pub(super) enum Caller {
    Anon,
    User(String),
    Invalid,
}

impl RepoState {
    fn is_owner(&self, c: &Caller) -> bool {
        match c {
            Caller::User(u) => {
                self.owner_user.as_deref() == Some(u.as_str())
                    || (self.owner_user.is_none() && self.namespace.as_deref() == Some(u.as_str()))
                    || self.grants.contains(u)
            }
            _ => false,
        }
    }

    pub(super) fn visible_to(&self, c: &Caller) -> bool {
        !self.private || self.is_owner(c)
    }

    fn gate_open_for(&self, c: &Caller) -> bool {
        self.gated.is_none() || self.is_owner(c)
    }
}

impl HfState {
    pub(super) fn caller(&self, req: &Request) -> Caller {
        let Some(v) = req.header("authorization") else {
            return Caller::Anon;
        };
        let Some((scheme, tok)) = v.trim().split_once(' ') else {
            return Caller::Invalid;
        };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Caller::Invalid;
        }
        match self.tokens.get(tok.trim()) {
            Some(u) => Caller::User(u.clone()),
            None => Caller::Invalid,
        }
    }

    /// Access checks common to every repo route. `gate` applies the gated-repo check.
    fn check_repo(
        &self,
        (kind, id): RepoId,
        caller: &Caller,
        gate: bool,
        base: &str,
    ) -> Result<&RepoState, Response> {
        if let Caller::Invalid = caller {
            return Err(invalid_credentials());
        }
        let repo = self
            .repos
            .get(&key(kind, id))
            .filter(|r| r.visible_to(caller));
        let Some(repo) = repo else {
            return Err(match caller {
                Caller::User(_) => hf_error(404, Some("RepoNotFound"), "Repository not found"),
                _ => hf_error(401, Some("RepoNotFound"), "Invalid username or password."),
            });
        };
        if repo.disabled {
            return Err(hf_error(403, None, "Access to this resource is disabled."));
        }
        if gate && !repo.gate_open_for(caller) {
            let (what, page) = (kind.singular(), format!("{base}/{}{id}", kind.url_prefix()));
            return Err(match caller {
                Caller::User(_) => hf_error(
                    403,
                    Some("GatedRepo"),
                    &format!(
                        "Access to {what} {id} is restricted and you are not in the authorized list. Visit {page} to ask for access."
                    ),
                ),
                _ => hf_error(
                    401,
                    Some("GatedRepo"),
                    &format!(
                        "Access to {what} {id} is restricted. You must have access to it and be authenticated to access it. Please log in. Visit {page} to ask for access."
                    ),
                ),
            });
        }
        Ok(repo)
    }

    /// The repo `id` if the request's caller may see it (and, with `gate`, pass its gate);
    /// otherwise the Hub's error answer.
    pub(super) fn visible_repo(
        &self,
        req: &Request,
        id: RepoId,
        gate: bool,
        base: &str,
    ) -> Result<&RepoState, Response> {
        self.check_repo(id, &self.caller(req), gate, base)
    }

    /// The commit `rev` names in the repo `id`, if the request's caller may see the repo.
    pub(super) fn commit_at(
        &self,
        req: &Request,
        id: RepoId,
        rev: &str,
        base: &str,
    ) -> Result<&Arc<Commit>, Response> {
        let repo = self.visible_repo(req, id, false, base)?;
        repo.resolve_rev(rev).ok_or_else(|| rev_not_found(rev))
    }
}
