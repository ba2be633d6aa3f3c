//! What a hub is to the pipeline: a [`Source`] resolves an id to a [`Snapshot`] (the pinned
//! version or commit, and the files a selection keeps, or a whole archive) and says how to fetch
//! each file. Each hub (and, later, each kind of repository) is one folder here.
//!
//! [`Hubs`] builds the hub clients of a run: one HTTP client, one reporter, and each hub's
//! credentials resolved once, the way the official tools resolve them.

pub mod about;
pub(crate) mod hf;
pub(crate) mod kaggle;
pub mod search;

use std::sync::{Arc, OnceLock};

use crate::credentials::{self, Resolved};
use crate::env::Env;
use crate::error::{Error, Hub, Result};
use crate::http::{ErrorMap, Http, Request};
use crate::pattern::Selection;
use crate::progress::{Event, Reporter};
use crate::snapshot::{Names, RemoteFile, Snapshot};

/// A hub (and kind of repository) as the pipeline sees it. One value describes one dataset as
/// the user asked for it (id, version or revision, named files).
pub(crate) trait Source: Sync {
    /// Where the dataset goes in each layout (known before any request).
    fn names(&self) -> Names;

    /// Resolves the dataset to a pinned snapshot with the files `selection` keeps, or to a whole
    /// archive. Unsafe names among the kept files are refused here, before anything is written.
    async fn resolve(&self, selection: &Selection) -> Result<Snapshot>;

    /// The first request for one file of the snapshot (it may redirect to a CDN or storage).
    fn file_request(&self, snap: &Snapshot, file: &RemoteFile) -> Result<Request>;

    /// The first request for the snapshot's whole archive.
    fn archive_request(&self, snap: &Snapshot) -> Result<Request>;

    /// What the snapshot's archive holds, from the hub's file list (for a dry run).
    async fn archive_contents(&self, snap: &Snapshot) -> Result<Vec<RemoteFile>>;

    /// How this hub's failures turn into errors, for transfers of this snapshot.
    fn errors(&self, snap: &Snapshot) -> Arc<dyn ErrorMap>;

    /// Whether these credentials may download the snapshot, checked without downloading it,
    /// for a dry run (which makes no download request). Most hubs already answered that while
    /// resolving; a Kaggle competition (listing is public, downloading needs accepted rules)
    /// asks with [`probe_download`].
    async fn check_access(&self, _snap: &Snapshot, _http: &Http) -> Result<()> {
        Ok(())
    }

    /// The request for the snapshot's Xet read token, for hubs that store files in Xet.
    fn xet_token_request(&self, _snap: &Snapshot) -> Option<Request> {
        None
    }
}

/// Sends the snapshot's first download request to its first hop only: a redirect or a success
/// means the download is allowed; an error answer becomes the error a download would give.
pub(crate) async fn probe_download<S: Source>(
    source: &S,
    snap: &Snapshot,
    http: &Http,
    reporter: &dyn Reporter,
) -> Result<()> {
    let req = match snap.files.first() {
        Some(f) => source.file_request(snap, f)?,
        None => source.archive_request(snap)?,
    };
    let reply = http.first_hop(&req, reporter, 64 << 10).await?;
    if reply.status.is_success() || reply.status.is_redirection() {
        return Ok(());
    }
    let f =
        crate::http::HttpFailure::from_reply(&reply, &crate::http::origin_of(&req.url), &req.what);
    Err(source.errors(snap).map(&f))
}

/// The hubs of a run: clients built from one HTTP client, the environment and a reporter, with
/// each hub's credentials resolved once (only when that hub is used).
pub struct Hubs<'a> {
    pub(crate) http: &'a Http,
    pub(crate) env: &'a Env,
    pub(crate) reporter: &'a dyn Reporter,
    /// An explicit Hugging Face token: how the front end names the option, and its value.
    hf_token: Option<(&'a str, Option<&'a str>)>,
    hf: OnceLock<Result<Resolved>>,
    kaggle: OnceLock<Result<Resolved>>,
}

impl<'a> Hubs<'a> {
    /// The hubs, reached through `http`, configured by `env`, reporting to `reporter`.
    pub fn new(http: &'a Http, env: &'a Env, reporter: &'a dyn Reporter) -> Hubs<'a> {
        Hubs {
            http,
            env,
            reporter,
            hf_token: None,
            hf: OnceLock::new(),
            kaggle: OnceLock::new(),
        }
    }

    /// Takes a Hugging Face token given explicitly (it wins over the environment); `option` is
    /// how the front end names where it came from (`--token`).
    pub fn with_hf_token(mut self, option: &'a str, token: Option<&'a str>) -> Hubs<'a> {
        self.hf_token = Some((option, token));
        self
    }

    /// The reporter of the run.
    pub fn reporter(&self) -> &'a dyn Reporter {
        self.reporter
    }

    /// The credential resolution for `hub` (which credential, where it came from, what else was
    /// found), resolved on first use. Kaggle's warnings (a readable kaggle.json) are reported
    /// once.
    pub fn credentials(&self, hub: Hub) -> Result<&Resolved> {
        let r = match hub {
            Hub::HuggingFace => self
                .hf
                .get_or_init(|| credentials::resolve_hf(self.hf_token, self.env)),
            Hub::Kaggle => self.kaggle.get_or_init(|| {
                let r = credentials::resolve_kaggle(self.env);
                if let Ok(k) = &r {
                    for w in &k.warnings {
                        self.reporter.on_event(&Event::Warn(w));
                    }
                }
                r
            }),
        };
        r.as_ref().map_err(Error::duplicate)
    }

    /// The Hugging Face client (`HF_ENDPOINT`, the resolved token).
    pub(crate) fn hf(&self) -> Result<hf::HfClient<'_>> {
        Ok(hf::HfClient {
            http: self.http,
            endpoint: hf::endpoint(self.env)?,
            auth: self.credentials(Hub::HuggingFace)?,
            reporter: self.reporter,
        })
    }

    /// The Kaggle client (`KAGGLE_API_ENDPOINT`, the resolved credential).
    pub(crate) fn kaggle(&self) -> Result<kaggle::KaggleClient<'_>> {
        Ok(kaggle::KaggleClient {
            http: self.http,
            endpoint: kaggle::endpoint(self.env)?,
            auth: self.credentials(Hub::Kaggle)?,
            reporter: self.reporter,
        })
    }

    /// Checks `hub`'s credential with one cheap authenticated call; returns the account name,
    /// or an auth error when the hub rejects it.
    pub async fn check(&self, hub: Hub) -> Result<String> {
        match hub {
            Hub::HuggingFace => self.hf()?.whoami().await,
            Hub::Kaggle => self.kaggle()?.hello().await,
        }
    }
}
