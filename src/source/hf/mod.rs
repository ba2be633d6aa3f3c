//! The Hugging Face Hub as a source (protocol/hf.md): the revision resolves to a commit once,
//! the recursive tree at that commit is listed to the end, and every file is fetched from
//! `/datasets/{repo}/resolve/{commit}/{path}` (LFS files redirect to a signed CDN URL; the token
//! is never sent there).

mod about;
pub(crate) mod api;
mod errors;
pub(crate) mod search;

use std::sync::Arc;

use reqwest::Url;

pub(crate) use about::about;
pub(crate) use api::HfClient;

use super::Source;
use crate::env::Env;
use crate::error::{Error, Hint, Hub, Result};
use crate::http::{self, ErrorMap, Request, endpoint_join, quote};
use crate::id::{HfId, RepoKind};
use crate::pattern::Selection;
use crate::progress::Event;
use crate::sanitize::for_terminal;
use crate::snapshot::{Names, Pin, RemoteFile, Snapshot};
use crate::verify::is_hex;

/// `HF_ENDPOINT` (default `https://huggingface.co`, trailing `/` stripped).
pub(crate) fn endpoint(env: &Env) -> Result<Url> {
    http::endpoint(env, "HF_ENDPOINT", "https://huggingface.co")
}

/// One Hub repo (dataset, model or space) at one revision.
pub(crate) struct HfSource<'a> {
    client: HfClient<'a>,
    id: HfId,
    /// The revision asked for (the id's own, or the one given as an option), else `main`.
    revision: String,
}

impl<'a> HfSource<'a> {
    /// The repo `id` at `revision` (which may also be given in the id, but not differently).
    pub(crate) fn new(client: HfClient<'a>, id: &HfId, revision: Option<&str>) -> Result<Self> {
        if let (Some(a), Some(b)) = (revision, id.revision.as_deref())
            && a != b
        {
            return Err(Error::usage_with(
                format!("the id names revision {b:?} but the revision option says {a:?}"),
                Hint::GiveOnlyOne,
            ));
        }
        let revision = revision
            .or(id.revision.as_deref())
            .unwrap_or("main")
            .to_string();
        Ok(HfSource {
            client,
            id: id.clone(),
            revision,
        })
    }

    /// A repo-not-found error, with the other types the id exists as (`acme/bert` asked for as
    /// a dataset is a model): the id form that fetches it.
    async fn with_other_kinds(&self, e: Error) -> Error {
        let Error::NotFound { hub, message, hint } = e else {
            return e;
        };
        if !message.contains(errors::REPO_NOT_FOUND) {
            return Error::NotFound { hub, message, hint };
        }
        let others = self.client.other_kinds(self.id.kind, &self.id.repo).await;
        let Some(k) = others.first() else {
            return Error::NotFound { hub, message, hint };
        };
        Error::NotFound {
            hub,
            message: format!(
                "there is no {} {repo}, but there is a {kind} {repo}: download hf:{plural}/{repo} (or use --type {kind})",
                self.id.kind.singular(),
                repo = self.id.repo,
                kind = k.singular(),
                plural = k.plural(),
            ),
            hint: None,
        }
    }

    /// Whether `path` is inside the folder or file a URL named (`/tree/main/data`).
    fn in_scope(&self, path: &str) -> bool {
        match &self.id.path {
            Some(p) => {
                path == p
                    || path
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            }
            None => true,
        }
    }
}

impl Source for HfSource<'_> {
    fn names(&self) -> Names {
        Names {
            folder: self.id.folder_name(),
            hf_cache: Some(format!(
                "{}--{}",
                self.id.kind.plural(),
                self.id.repo.replace('/', "--")
            )),
            kagglehub: None,
        }
    }

    async fn resolve(&self, selection: &Selection) -> Result<Snapshot> {
        let (kind, repo) = (self.id.kind, self.id.repo.as_str());
        let label = format!(
            "hf:{}",
            HfId {
                revision: Some(self.revision.clone()),
                path: None,
                ..self.id.clone()
            }
        );
        let commit = if is_hex(&self.revision, 40) {
            self.revision.to_ascii_lowercase()
        } else {
            match self.client.resolve_commit(kind, repo, &self.revision).await {
                Ok(c) => c,
                Err(e) => return Err(self.with_other_kinds(e).await),
            }
        };
        let keep = |path: &str| self.in_scope(path) && selection.matches(path);
        let listing = self
            .client
            .list_files(kind, repo, &commit, &self.revision, &keep)
            .await?;
        for (name, reason) in &listing.skipped_unsafe {
            self.client.reporter.on_event(&Event::Warn(&format!(
                "skipped the unsafe file name {name:?} in {label} ({reason}); the selection leaves it out, and it is never written"
            )));
        }
        if listing.files.is_empty() {
            return Err(Error::NotFound {
                hub: Hub::HuggingFace,
                message: format!(
                    "no file in {} {repo} at {} matches the include/exclude patterns; list the files at {}{}/{repo}/tree/{}",
                    kind.singular(),
                    for_terminal(&self.revision),
                    self.client.endpoint.as_str().trim_end_matches('/'),
                    match kind {
                        RepoKind::Model => String::new(),
                        k => format!("/{}", k.plural()),
                    },
                    quote(&self.revision, false)
                ),
                hint: Some(Hint::CheckPatterns),
            });
        }
        Ok(Snapshot {
            hub: Hub::HuggingFace,
            // The kind is part of the identity: a model and a dataset may share OWNER/NAME.
            id: match kind {
                RepoKind::Dataset => repo.to_string(),
                k => format!("{}/{repo}", k.plural()),
            },
            label,
            pin: Pin::Commit {
                revision: self.revision.clone(),
                commit,
            },
            files: listing.files,
            archive: None,
            whole: false,
        })
    }

    fn file_request(&self, snap: &Snapshot, file: &RemoteFile) -> Result<Request> {
        let commit = snap.pin.commit().unwrap_or(&self.revision);
        let url = endpoint_join(
            &self.client.endpoint,
            &format!(
                "{}/{}/resolve/{}/{}",
                self.id.kind.resolve_prefix(),
                self.id.repo,
                quote(commit, false),
                quote(&file.path, true)
            ),
        )?;
        Ok(Request::get(url, file.path.clone()).auth(self.client.credential()))
    }

    fn archive_request(&self, snap: &Snapshot) -> Result<Request> {
        Err(Error::Protocol {
            url: snap.label.clone(),
            message: "a Hub repo has no archive".into(),
        })
    }

    async fn archive_contents(&self, _snap: &Snapshot) -> Result<Vec<RemoteFile>> {
        Ok(Vec::new())
    }

    fn xet_token_request(&self, snap: &Snapshot) -> Option<Request> {
        // hub-docs `docs/xet/auth.md`: `/api/{type}s/{repo}/xet-read-token/{revision}`, pinned
        // to the snapshot's commit as huggingface_hub's tree-cache path does.
        let commit = snap.pin.commit().unwrap_or(&self.revision);
        let url = endpoint_join(
            &self.client.endpoint,
            &format!(
                "/api/{}/{}/xet-read-token/{}",
                self.id.kind.plural(),
                self.id.repo,
                quote(commit, false)
            ),
        )
        .ok()?;
        Some(Request::get(url, "Xet token").auth(self.client.credential()))
    }

    fn errors(&self, _snap: &Snapshot) -> Arc<dyn ErrorMap> {
        Arc::new(
            self.client
                .errors(self.id.kind, &self.id.repo, &self.revision),
        )
    }
}
