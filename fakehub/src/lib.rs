//! `fakehub`: a faithful fake of the Hugging Face Hub (datasets, models, Spaces) and of Kaggle's
//! dataset, competition and model APIs, with byte-level fault injection, for dsfetch's
//! integration tests and benchmarks.
//!
//! A [`FakeHub`] runs three real HTTP/1.1 listeners on loopback, each its own origin:
//!
//! - the **API** origin ([`FakeHub::api_url`]): Hugging Face `/api/{datasets,models,spaces}…`,
//!   `/datasets/{repo}/resolve/…`, `/{repo}/resolve/…` (models), `/spaces/{repo}/resolve/…` and
//!   `/api/resolve-cache/…`, plus the Kaggle RPCs `POST /v1/<service>/<Method>` and
//!   `/api/v1/<service>/<Method>` and the classic `GET /api/v1/datasets/…` and
//!   `/api/v1/competitions/data/…` routes. Use it as both `HF_ENDPOINT` and `KAGGLE_API_ENDPOINT`;
//! - the **HF CDN** origin ([`FakeHub::cdn_url`]): LFS blobs behind CloudFront-like signed URLs,
//!   the target of resolve's `302`;
//! - the **Kaggle storage** origin ([`FakeHub::storage_url`]): archives and files behind GCS
//!   V4-like signed URLs, the target of the download RPCs' `302`.
//!
//! Wire behaviour follows `shared/protocol/hf.md`, `shared/protocol/kaggle.md` and
//! `shared/protocol/kinds.md`. Every request is recorded ([`FakeHub::requests`]) and can be
//! disturbed by queued [`Fault`] rules.
//!
//! ```no_run
//! use fakehub::{FakeHub, HfRepo, KaggleCompetition, KaggleDataset, KaggleModel};
//! let hub = FakeHub::start();
//! let sha = hub.add_hf_repo(HfRepo::new("acme/corpus").file("README.md", "hi").lfs_file("data.bin", vec![0u8; 1024]));
//! hub.add_hf_repo(HfRepo::model("acme/bert").file("config.json", "{}").pipeline_tag("fill-mask"));
//! hub.hf_commit("models/acme/bert", "main", vec![], &["config.json"]); // `models/…`: the model
//! hub.add_kaggle_dataset(KaggleDataset::new("alice/titanic").file("titanic.csv", "a,b\n1,2\n"));
//! hub.add_kaggle_competition(KaggleCompetition::new("titanic").file("train.csv", "x").rules_required(true));
//! hub.kaggle_accept_rules("titanic", "alice");
//! hub.add_kaggle_model(KaggleModel::new("google/gemma/pyTorch/2b").file("model.bin", vec![0u8; 16]));
//! println!("HF_ENDPOINT={} commit {sha}", hub.api_url());
//! ```

#![deny(missing_docs)]

mod faults;
mod hf;
mod http;
mod kaggle;
mod server;
mod sign;
mod store;
pub mod tarball;
mod util;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;
use std::time::Duration;

pub use faults::{Fault, FaultKind, Origin, Recorded};
pub use hf::{HfFile, HfRepo, HfRepoType};
pub use kaggle::{KaggleCompetition, KaggleDataset, KaggleModel};
pub use store::Blob;

use faults::{FaultState, RequestLog};
use hf::HfState;
use kaggle::KaggleState;
use sign::Signer;

/// Settings of a [`FakeHub`]. Build with struct update syntax from `Options::default()`.
#[derive(Clone, Debug)]
pub struct Options {
    /// Bytes per second per connection on the CDN and storage origins (`None` = uncapped).
    pub cdn_rate: Option<u64>,
    /// Delay added before every API-origin response.
    pub api_latency: Duration,
    /// Page size cap of HF search and tree listings (default 1000).
    pub hf_page_size: usize,
    /// Kaggle `pageSize` when the request has none (default 20).
    pub kaggle_page_size_default: usize,
    /// Largest Kaggle `pageSize` honoured; larger ones are clamped (default 200).
    pub kaggle_page_size_max: usize,
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// API port (0 = any free port).
    pub api_port: u16,
    /// HF CDN port (0 = any free port).
    pub cdn_port: u16,
    /// Kaggle storage port (0 = any free port).
    pub storage_port: u16,
    /// Tokio worker threads of the server runtime (default 2).
    pub worker_threads: usize,
    /// Xet CAS port (0 = any free port).
    pub cas_port: u16,
    /// Seconds a Xet access token is valid (`exp` = now + this; default 3600).
    pub xet_token_ttl: u64,
    /// Whether the CAS serves `/v2/reconstructions` (otherwise 404, and clients use `/v1/`).
    pub xet_v2: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cdn_rate: None,
            api_latency: Duration::ZERO,
            hf_page_size: 1000,
            kaggle_page_size_default: 20,
            kaggle_page_size_max: 200,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            api_port: 0,
            cdn_port: 0,
            storage_port: 0,
            worker_threads: 2,
            cas_port: 0,
            xet_token_ttl: 3600,
            xet_v2: true,
        }
    }
}

/// What request handlers need besides the protocol state.
pub(crate) struct Ctx<'a> {
    pub opts: &'a Options,
    pub signer: &'a Signer,
    pub api_url: &'a str,
    pub cdn_url: &'a str,
    pub storage_url: &'a str,
    pub cas_url: &'a str,
    pub started_ms: i64,
}

/// State shared by the listeners and the [`FakeHub`] handle.
pub(crate) struct Shared {
    pub opts: Options,
    pub api_url: String,
    pub cdn_url: String,
    pub storage_url: String,
    pub cas_url: String,
    pub started_ms: i64,
    pub signer: Signer,
    pub hf: RwLock<HfState>,
    pub kaggle: RwLock<KaggleState>,
    pub faults: Mutex<FaultState>,
    pub log: Mutex<RequestLog>,
}

/// Locks ignoring poisoning: a panicking handler must not take the whole fake down.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn ctx(&self) -> Ctx<'_> {
        Ctx {
            opts: &self.opts,
            signer: &self.signer,
            api_url: &self.api_url,
            cdn_url: &self.cdn_url,
            storage_url: &self.storage_url,
            cas_url: &self.cas_url,
            started_ms: self.started_ms,
        }
    }

    /// Routes a request to the protocol handlers.
    pub(crate) fn route(&self, origin: Origin, req: &http::Request) -> http::Response {
        let ctx = self.ctx();
        match origin {
            Origin::Api if is_kaggle_path(req.path()) => read(&self.kaggle).handle_api(&ctx, req),
            Origin::Api | Origin::Any => read(&self.hf).handle_api(&ctx, req),
            Origin::Cdn => read(&self.hf).handle_cdn(&ctx, req),
            Origin::Storage => read(&self.kaggle).handle_storage(&ctx, req),
            Origin::Cas => read(&self.hf).handle_cas(&ctx, req),
        }
    }
}

/// Whether an API-origin path belongs to the Kaggle side.
pub(crate) fn is_kaggle_path(path: &str) -> bool {
    path.starts_with("/v1/") || path.starts_with("/api/v1/")
}

fn url_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v) if v.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V4(v) => v.to_string(),
        IpAddr::V6(v) if v.is_unspecified() => "[::1]".to_string(),
        IpAddr::V6(v) => format!("[{v}]"),
    }
}

/// A running fake. Starts on its own thread with its own tokio runtime; dropping it stops the
/// listeners.
pub struct FakeHub {
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeHub {
    /// Starts with default [`Options`].
    ///
    /// # Panics
    /// If the listeners cannot be bound or the runtime cannot start.
    pub fn start() -> FakeHub {
        FakeHub::start_with(Options::default())
    }

    /// Starts with the given options.
    ///
    /// # Panics
    /// If the listeners cannot be bound or the runtime cannot start (see [`FakeHub::try_start_with`]).
    pub fn start_with(opts: Options) -> FakeHub {
        FakeHub::try_start_with(opts).unwrap_or_else(|e| panic!("fakehub: cannot start: {e}"))
    }

    /// Starts with the given options, reporting bind or runtime errors.
    ///
    /// # Errors
    /// When a port cannot be bound or the runtime cannot be built.
    pub fn try_start_with(opts: Options) -> io::Result<FakeHub> {
        let bind = |port| -> io::Result<StdListener> {
            let l = StdListener::bind(SocketAddr::new(opts.bind, port))?;
            l.set_nonblocking(true)?;
            Ok(l)
        };
        let api = bind(opts.api_port)?;
        let cdn = bind(opts.cdn_port)?;
        let storage = bind(opts.storage_port)?;
        let cas = bind(opts.cas_port)?;
        let host = url_host(opts.bind);
        let url = |l: &StdListener| -> io::Result<String> {
            Ok(format!("http://{host}:{}", l.local_addr()?.port()))
        };
        let shared = Arc::new(Shared {
            api_url: url(&api)?,
            cdn_url: url(&cdn)?,
            storage_url: url(&storage)?,
            cas_url: url(&cas)?,
            started_ms: util::now_ms(),
            signer: Signer::new(),
            hf: RwLock::new(HfState::default()),
            kaggle: RwLock::new(KaggleState::default()),
            faults: Mutex::new(FaultState::default()),
            log: Mutex::new(RequestLog::default()),
            opts,
        });
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(shared.opts.worker_threads.max(1))
            .thread_name("fakehub")
            .enable_all()
            .build()?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
        let sh = shared.clone();
        let thread = std::thread::Builder::new()
            .name("fakehub-main".into())
            .spawn(move || {
                let started = rt.block_on(async {
                    let mut ls = Vec::new();
                    for (l, o) in [
                        (api, Origin::Api),
                        (cdn, Origin::Cdn),
                        (storage, Origin::Storage),
                        (cas, Origin::Cas),
                    ] {
                        ls.push((tokio::net::TcpListener::from_std(l)?, o));
                    }
                    for (l, o) in ls {
                        tokio::spawn(server::run_listener(l, o, sh.clone()));
                    }
                    io::Result::Ok(())
                });
                let ok = started.is_ok();
                let _ = ready_tx.send(started);
                if ok {
                    rt.block_on(async {
                        let _ = stop_rx.await;
                    });
                }
                rt.shutdown_timeout(Duration::from_millis(500));
            })?;
        ready_rx
            .recv()
            .map_err(|_| io::Error::other("fakehub runtime thread died"))??;
        Ok(FakeHub {
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` of the API origin (use as `HF_ENDPOINT` and `KAGGLE_API_ENDPOINT`).
    pub fn api_url(&self) -> String {
        self.shared.api_url.clone()
    }

    /// Base URL of the HF CDN origin.
    pub fn cdn_url(&self) -> String {
        self.shared.cdn_url.clone()
    }

    /// Base URL of the Kaggle storage origin.
    pub fn storage_url(&self) -> String {
        self.shared.storage_url.clone()
    }

    /// Base URL of the Xet CAS origin (the `casUrl` of Xet tokens).
    pub fn cas_url(&self) -> String {
        self.shared.cas_url.clone()
    }

    /// The options the fake runs with.
    pub fn options(&self) -> &Options {
        &self.shared.opts
    }

    // ---- Hugging Face ----
    //
    // The methods below that take a `repo_id` name a dataset by its bare id (`owner/name`) and
    // a model or a Space by its id prefixed with `models/` or `spaces/` (`datasets/` also names
    // a dataset), as the Hub's own URLs do: `hf_commit("models/acme/bert", …)`.

    /// Registers a repo (dataset, model or Space: see [`HfRepo::kind`]) with one commit on
    /// `main`; returns that commit's sha. A model and a dataset may share an id.
    ///
    /// # Panics
    /// On an invalid or duplicate repo id (a model id may not start with `api`, `datasets`,
    /// `spaces`, `models` or `v1`), or an unreadable disk file.
    pub fn add_hf_repo(&self, repo: HfRepo) -> String {
        let id = repo.id.clone();
        write(&self.shared.hf)
            .add_repo(repo)
            .unwrap_or_else(|e| panic!("fakehub: cannot add HF repo {id}: {e}"))
    }

    /// Adds a commit on top of `branch` (created from main's tree when missing) with `files`
    /// added or replaced and `deleted` paths removed; returns the new sha. The repo's
    /// `lastModified` moves to the commit date. `repo_id`: `o/n` (dataset), `models/o/n`,
    /// `spaces/o/n`.
    ///
    /// # Panics
    /// If the repo does not exist.
    pub fn hf_commit(
        &self,
        repo_id: &str,
        branch: &str,
        files: Vec<HfFile>,
        deleted: &[&str],
    ) -> String {
        write(&self.shared.hf).commit(repo_id, branch, files, deleted)
    }

    /// Creates a standalone commit holding exactly `files` at `rev`: `refs/convert/NAME`,
    /// `refs/pr/N`, `refs/heads/B`, `refs/tags/T`, an existing branch name, or otherwise a tag
    /// name. Returns its sha. `repo_id`: `o/n` (dataset), `models/o/n`, `spaces/o/n`.
    ///
    /// # Panics
    /// If the repo does not exist or `refs/pr/N` has a non-numeric N.
    pub fn hf_set_ref(&self, repo_id: &str, rev: &str, files: Vec<HfFile>) -> String {
        write(&self.shared.hf).set_ref(repo_id, rev, files)
    }

    /// The commit `rev` currently resolves to in `repo_id` (`o/n` for a dataset, `models/o/n`,
    /// `spaces/o/n`), if any.
    pub fn hf_rev_sha(&self, repo_id: &str, rev: &str) -> Option<String> {
        read(&self.shared.hf).rev_sha(repo_id, rev)
    }

    /// Registers a valid HF token for `user`.
    pub fn hf_add_token(&self, token: &str, user: &str) {
        write(&self.shared.hf).add_token(token, user);
    }

    /// Grants `user` access to a gated or private repo (`o/n` for a dataset, `models/o/n`,
    /// `spaces/o/n`).
    ///
    /// # Panics
    /// If the repo does not exist.
    pub fn hf_grant(&self, repo_id: &str, user: &str) {
        write(&self.shared.hf).grant(repo_id, user);
    }

    // ---- Kaggle ----

    /// Registers a dataset (version 1 = its files; archives are built now).
    ///
    /// # Panics
    /// On a duplicate reference, an unreadable disk file, or an I/O error building archives.
    pub fn add_kaggle_dataset(&self, ds: KaggleDataset) {
        let r = ds.reference.clone();
        write(&self.shared.kaggle)
            .add_dataset(ds)
            .unwrap_or_else(|e| panic!("fakehub: cannot add Kaggle dataset {r}: {e}"));
    }

    /// Adds a new version with exactly `files` and makes it current; returns its number.
    ///
    /// # Panics
    /// If the dataset does not exist or archives cannot be built.
    pub fn kaggle_add_version(&self, reference: &str, files: Vec<(String, Vec<u8>)>) -> u32 {
        let files = files
            .into_iter()
            .map(|(p, b)| (p, Blob::from_bytes(b)))
            .collect();
        write(&self.shared.kaggle)
            .add_version(reference, files)
            .unwrap_or_else(|e| panic!("fakehub: cannot add a version to {reference}: {e}"))
    }

    /// The exact bytes served as the whole-dataset archive of `version`, if it exists.
    pub fn kaggle_archive(&self, reference: &str, version: u32) -> Option<Vec<u8>> {
        let blob = read(&self.shared.kaggle).archive(reference, version)?;
        blob.to_vec().ok()
    }

    /// Registers valid Basic credentials (`username:key`).
    pub fn kaggle_add_user(&self, username: &str, key: &str) {
        write(&self.shared.kaggle).add_user(username, key);
    }

    /// Registers a valid Bearer token for `username`.
    pub fn kaggle_add_token(&self, token: &str, username: &str) {
        write(&self.shared.kaggle).add_token(token, username);
    }

    /// Registers a competition with its data files (see [`KaggleCompetition`]).
    ///
    /// # Panics
    /// On a duplicate name, an unreadable disk file, or an I/O error building archives.
    pub fn add_kaggle_competition(&self, c: KaggleCompetition) {
        let n = c.name.clone();
        write(&self.shared.kaggle)
            .add_competition(c)
            .unwrap_or_else(|e| panic!("fakehub: cannot add Kaggle competition {n}: {e}"));
    }

    /// Records that `username` accepted the rules of competition `name` (downloads then work
    /// for them, and `userHasEntered` is true).
    ///
    /// # Panics
    /// If the competition does not exist.
    pub fn kaggle_accept_rules(&self, name: &str, username: &str) {
        write(&self.shared.kaggle).accept_rules(name, username);
    }

    /// Whether downloads of competition `name` need accepted rules (as
    /// [`KaggleCompetition::rules_required`]).
    ///
    /// # Panics
    /// If the competition does not exist.
    pub fn kaggle_competition_rules_required(&self, name: &str, yes: bool) {
        write(&self.shared.kaggle).set_rules_required(name, yes);
    }

    /// Replaces the competition's data with exactly `files` (new storage objects, a later
    /// `Last-Modified`; URLs issued before keep serving the old data).
    ///
    /// # Panics
    /// If the competition does not exist or archives cannot be built.
    pub fn kaggle_competition_set_files(&self, name: &str, files: Vec<(String, Vec<u8>)>) {
        let files = files
            .into_iter()
            .map(|(p, b)| (p, Blob::from_bytes(b)))
            .collect();
        write(&self.shared.kaggle)
            .set_competition_files(name, files)
            .unwrap_or_else(|e| panic!("fakehub: cannot replace the files of {name}: {e}"));
    }

    /// The exact bytes `DownloadDataFiles` serves now for competition `name`, if it exists.
    pub fn kaggle_competition_archive(&self, name: &str) -> Option<Vec<u8>> {
        let blob = read(&self.shared.kaggle).competition_archive(name)?;
        blob.to_vec().ok()
    }

    /// Registers a model instance as version 1 (see [`KaggleModel`]); its `archive.tar.gz` is
    /// built now.
    ///
    /// # Panics
    /// On a duplicate instance, an unreadable disk file, or an I/O error building archives.
    pub fn add_kaggle_model(&self, m: KaggleModel) {
        write(&self.shared.kaggle)
            .add_model(m)
            .unwrap_or_else(|e| panic!("fakehub: cannot add a Kaggle model: {e}"));
    }

    /// Adds a version with exactly `files` to the instance `handle`
    /// (`OWNER/MODEL/FRAMEWORK/VARIATION`, the framework in any spelling [`KaggleModel::new`]
    /// takes) and makes it current; returns its number.
    ///
    /// # Panics
    /// If the instance does not exist or the archive cannot be built.
    pub fn kaggle_model_add_version(&self, handle: &str, files: Vec<(String, Vec<u8>)>) -> u32 {
        let files = files
            .into_iter()
            .map(|(p, b)| (p, Blob::from_bytes(b)))
            .collect();
        write(&self.shared.kaggle)
            .add_model_version(handle, files)
            .unwrap_or_else(|e| panic!("fakehub: cannot add a version to {handle}: {e}"))
    }

    /// The exact bytes served as `archive.tar.gz` of `version` of the instance `handle`.
    pub fn kaggle_model_archive(&self, handle: &str, version: u32) -> Option<Vec<u8>> {
        let blob = read(&self.shared.kaggle).model_archive(handle, version)?;
        blob.to_vec().ok()
    }

    // ---- Faults and recording ----

    /// Queues a fault rule (see [`Fault`] for the matching order).
    pub fn fault(&self, f: Fault) {
        lock(&self.shared.faults).push(f);
    }

    /// Removes every queued rule and the random fault generator.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Seeded random faults on `origin` for requests no rule matched: each request has chance
    /// `probability` of getting one of `kinds`. Deterministic given the seed and the order of
    /// requests per path (query ignored). Replaces a previous generator.
    pub fn random_faults(
        &self,
        seed: u64,
        probability: f64,
        kinds: Vec<FaultKind>,
        origin: Origin,
    ) {
        lock(&self.shared.faults).set_random(seed, probability, kinds, origin);
    }

    /// Every request recorded so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.log).all()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Every signed CDN and storage URL issued so far now answers 403 (CloudFront
    /// `AccessDenied` / GCS `ExpiredToken`). URLs issued later work.
    pub fn expire_signed_urls(&self) {
        self.shared.signer.expire_all();
    }

    /// Every Xet access token issued so far is refused by the CAS from now on (401).
    pub fn expire_xet_tokens(&self) {
        self.shared.signer.expire_tokens();
    }

    /// The Xet file id of `path` at `rev` in `repo_id`, when the file is Xet-backed.
    pub fn hf_xet_hash(&self, repo_id: &str, rev: &str, path: &str) -> Option<String> {
        read(&self.shared.hf).xet_hash(repo_id, rev, path)
    }
}

impl Drop for FakeHub {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl std::fmt::Debug for FakeHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeHub")
            .field("api", &self.shared.api_url)
            .field("cdn", &self.shared.cdn_url)
            .field("storage", &self.shared.storage_url)
            .finish()
    }
}

pub mod data_dir;
