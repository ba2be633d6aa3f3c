//! The Hugging Face Hub: revision info, tree listing, error mapping and `download hf`.
//!
//! Protocol per `protocol/hf.md`: the revision resolves to a commit once
//! (`/api/datasets/{repo}/revision/{rev}`), the recursive tree at that commit is listed following
//! `Link: rel="next"` to the end, and every file is fetched from
//! `/datasets/{repo}/resolve/{commit}/{path}` (LFS files redirect to a signed CDN URL; the token
//! is never sent there). No HEAD per file: the tree already gives size and checksum.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use reqwest::Url;
use serde::Deserialize;

use crate::credentials::{Credential, Resolved};
use crate::download::Layout;
use crate::download::{
    self, DownloadOptions, DownloadReport, Folder, ReportFile, endpoint_join, quote,
};
use crate::error::{Error, Result, Source};
use crate::http::{self, Http, Request};
use crate::http::{ErrorMap, HttpFailure};
use crate::id::HfId;
use crate::progress::{Event, Reporter};
use crate::record::{self, FileEntry};
use crate::sanitize::for_terminal;
use crate::transfer::{Fetcher, FileSpec};
use crate::verify::{Expected, is_hex};

/// A client for one Hub endpoint with one (optional) credential.
pub struct HfClient<'a> {
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
    /// The canonical repo id.
    pub id: Option<String>,
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
}

/// LFS info of a tree entry.
#[derive(Debug, Clone, Deserialize)]
pub struct LfsInfo {
    /// SHA-256 of the content.
    pub oid: String,
    /// Size of the content.
    pub size: u64,
}

/// A validated file of a repo at a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFile {
    /// Repo path (validated safe relative path).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// What the content must hash to.
    pub expected: Expected,
}

impl RepoFile {
    /// The content identity (sha256 for LFS, git oid otherwise), as stored in the record.
    pub fn upstream(&self) -> &str {
        match &self.expected {
            Expected::Sha256(h) | Expected::GitSha1(h) => h,
            Expected::Md5(_) => "",
        }
    }
}

/// Maps Hub failures (X-Error-Code, X-Error-Message) to errors that say what to do.
pub struct HfErrors {
    /// The repo.
    pub repo: String,
    /// The revision asked for.
    pub revision: String,
    /// The endpoint (for the dataset's URL in messages).
    pub endpoint: Url,
    /// Where the credential came from, or `None` when anonymous.
    pub token_origin: Option<String>,
    /// Places looked at for a token.
    pub looked: String,
}

impl HfErrors {
    fn dataset_url(&self) -> String {
        format!(
            "{}/datasets/{}",
            self.endpoint.as_str().trim_end_matches('/'),
            self.repo
        )
    }
}

impl ErrorMap for HfErrors {
    fn map(&self, f: &HttpFailure) -> Error {
        let src = Source::HuggingFace;
        if http::is_redirect_loop(f.status) {
            return f.generic_error(src);
        }
        let code = f.header("x-error-code").unwrap_or("");
        let server_msg = f
            .header("x-error-message")
            .map(str::to_string)
            .or_else(|| {
                serde_json::from_str::<serde_json::Value>(&f.body)
                    .ok()
                    .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            })
            .unwrap_or_default();
        let server_msg = for_terminal(&server_msg);
        let status = f.status.as_u16();
        let repo = &self.repo;
        let set_token = format!(
            "no token was found (looked at {}); set HF_TOKEN or run `hf auth login`",
            self.looked
        );
        if !f.from_api && !http::is_transient_status(f.status) {
            // A CDN answer we could not recover from (expired URLs are re-requested before this).
            return Error::Denied {
                hub: src,
                message: format!(
                    "the download server refused {} (HTTP {status}) even with a fresh link; try again later",
                    for_terminal(&f.what)
                ),
            };
        }
        match code {
            "GatedRepo" => {
                let fix = match &self.token_origin {
                    None => format!(
                        "request access at {} and then set HF_TOKEN to a token of the approved account ({set_token})",
                        self.dataset_url()
                    ),
                    Some(o) => format!(
                        "the account of the token from {o} has not been granted access; request it at {}",
                        self.dataset_url()
                    ),
                };
                return Error::Denied {
                    hub: src,
                    message: format!("dataset {repo} is gated: {fix}"),
                };
            }
            "RevisionNotFound" => {
                return Error::NotFound {
                    hub: src,
                    message: format!(
                        "revision {:?} not found in dataset {repo}; check the branch, tag or commit at {}/tree/main",
                        for_terminal(&self.revision),
                        self.dataset_url()
                    ),
                };
            }
            "EntryNotFound" => {
                return Error::NotFound {
                    hub: src,
                    message: format!(
                        "{} not found in dataset {repo} at revision {:?}",
                        for_terminal(&f.what),
                        for_terminal(&self.revision)
                    ),
                };
            }
            _ => {}
        }
        if status == 401 && server_msg.contains("Invalid credentials") {
            let origin = self.token_origin.as_deref().unwrap_or("the environment");
            return Error::Denied {
                hub: src,
                message: format!(
                    "the token from {origin} was rejected (invalid or expired); create a new one at https://huggingface.co/settings/tokens and set HF_TOKEN"
                ),
            };
        }
        if code == "RepoNotFound" || (status == 401 && f.from_api) || (status == 404 && f.from_api)
        {
            let hint = match &self.token_origin {
                None => format!("check the id; if it is private, {set_token}"),
                Some(o) => {
                    format!("check the id; the token from {o} cannot see it if it is private")
                }
            };
            return Error::NotFound {
                hub: src,
                message: format!("dataset {repo} not found on the Hugging Face Hub: {hint}"),
            };
        }
        if status == 403 {
            let message = if server_msg == "Access to this resource is disabled." {
                format!("dataset {repo} has been disabled and cannot be downloaded")
            } else if server_msg.is_empty() {
                format!(
                    "access to dataset {repo} was denied (HTTP 403); check the token's permissions with `dsfetch auth`"
                )
            } else {
                format!(
                    "access to dataset {repo} was denied: {server_msg}; check the token's permissions with `dsfetch auth`"
                )
            };
            return Error::Denied { hub: src, message };
        }
        f.generic_error(src)
    }
}

impl<'a> HfClient<'a> {
    fn credential(&self) -> Option<&Credential> {
        self.auth.credential.as_ref()
    }

    /// The error mapper for requests about `repo` at `revision`.
    pub fn errors(&self, repo: &str, revision: &str) -> HfErrors {
        HfErrors {
            repo: repo.to_string(),
            revision: revision.to_string(),
            endpoint: self.endpoint.clone(),
            token_origin: self.auth.origin.clone(),
            looked: self.auth.looked_list(),
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        what: &str,
        errors: &HfErrors,
    ) -> Result<(T, reqwest::header::HeaderMap, Url)> {
        let req = Request::get(url, what).auth(self.credential());
        let reply = self.http.call(&req, self.reporter, 64 << 20, true).await?;
        if !reply.status.is_success() {
            let f = HttpFailure::from_reply(&reply, &http::origin_of(&req.url), what);
            return Err(errors.map(&f));
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
                hub: Source::HuggingFace,
                message: format!(
                    "the token from {} was rejected (HTTP {status}); create a new one at https://huggingface.co/settings/tokens",
                    self.auth.origin.as_deref().unwrap_or("the environment")
                ),
            });
        }
        if !status.is_success() {
            let f = HttpFailure::from_reply(&reply, &http::origin_of(&req.url), "token check");
            return Err(f.generic_error(Source::HuggingFace));
        }
        let v: serde_json::Value = reply.json()?;
        Ok(for_terminal(
            v.get("name").and_then(|n| n.as_str()).unwrap_or("?"),
        ))
    }

    /// Resolves `revision` of `repo` to a commit (`GET /api/datasets/{repo}/revision/{rev}`).
    pub async fn resolve_commit(&self, repo: &str, revision: &str) -> Result<String> {
        let errors = self.errors(repo, revision);
        let url = endpoint_join(
            &self.endpoint,
            &format!("/api/datasets/{repo}/revision/{}", quote(revision, false)),
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

    /// Lists the files of `repo` at `commit` (recursive tree, all pages) that `keep` selects,
    /// validated (see [`validate_tree`]).
    pub async fn list_files(
        &self,
        repo: &str,
        commit: &str,
        revision: &str,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<Listing> {
        let errors = self.errors(repo, revision);
        let mut url = endpoint_join(
            &self.endpoint,
            &format!(
                "/api/datasets/{repo}/tree/{}?recursive=true&expand=false",
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
        validate_tree(entries, &http::display_url(&url), keep)
    }
}

/// The validated files of a listing that a selection keeps, and the unsafe names it left out.
#[derive(Debug, Default)]
pub struct Listing {
    /// Files to consider, sorted by path.
    pub files: Vec<RepoFile>,
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
    let mut files: BTreeMap<String, RepoFile> = BTreeMap::new();
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
                reason: format!("{reason}; nothing was downloaded"),
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
        files.insert(
            e.path.clone(),
            RepoFile {
                path: e.path,
                size,
                expected,
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

/// Downloads `id` (at `revision`, which overrides the id's own) into its folder.
pub async fn download(
    client: &HfClient<'_>,
    id: &HfId,
    revision: Option<&str>,
    opts: &DownloadOptions,
) -> Result<DownloadReport> {
    if let (Some(a), Some(b)) = (revision, id.revision.as_deref())
        && a != b
    {
        return Err(Error::usage(format!(
            "the id names revision {b:?} but --revision says {a:?}; give only one"
        )));
    }
    let revision = revision
        .or(id.revision.as_deref())
        .unwrap_or("main")
        .to_string();
    let repo = id.repo.as_str();
    let dataset_label = format!("hf:{repo}@{revision}");
    // Checked before any request: a layout that does not apply is a usage error.
    let place = Placement::new(opts, id)?;

    let commit = if is_hex(&revision, 40) {
        revision.to_ascii_lowercase()
    } else {
        client.resolve_commit(repo, &revision).await?
    };
    // A URL naming a folder or file inside the repo narrows the selection to it.
    let in_scope = |path: &str| match &id.path {
        Some(p) => {
            path == p
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        }
        None => true,
    };
    let keep = |path: &str| in_scope(path) && opts.selection.matches(path);
    let listing = client.list_files(repo, &commit, &revision, &keep).await?;
    for (name, reason) in &listing.skipped_unsafe {
        client.reporter.on_event(&Event::Warn(&format!(
            "skipped the unsafe file name {name:?} in {dataset_label} ({reason}); your selection leaves it out, and it is never written"
        )));
    }
    let selected = listing.files;
    if selected.is_empty() {
        return Err(Error::NotFound {
            hub: Source::HuggingFace,
            message: format!(
                "no file in dataset {repo} at {revision} matches the --include/--exclude patterns; list the files at {}/datasets/{repo}/tree/{}",
                client.endpoint.as_str().trim_end_matches('/'),
                quote(&revision, false)
            ),
        });
    }

    if let Some(locked) = &opts.locked {
        download::check_locked_set(
            locked,
            selected.iter().map(|f| f.path.as_str()),
            &dataset_label,
        )?;
        for f in &selected {
            let sha256 = match &f.expected {
                Expected::Sha256(h) => Some(h.as_str()),
                _ => None,
            };
            download::check_lock(&dataset_label, &f.path, locked.get(&f.path), f.size, sha256)?;
        }
    }
    let root = place.root.clone();
    let folder = Folder::open(
        root.clone(),
        place.state.clone(),
        Source::HuggingFace,
        repo,
        opts.force,
        opts.dry_run,
        client.reporter,
    )
    .await?;
    let mut todo = Vec::new();
    let mut report_files = Vec::new();
    let mut kept: Vec<FileEntry> = Vec::new();
    let mut foreign = Vec::new();
    for f in &selected {
        let locked = opts.locked.as_ref().and_then(|l| l.get(&f.path));
        match place.present(&folder, f, locked).filter(|_| !opts.force) {
            Some(e) => kept.push(e),
            None => match folder.foreign(&f.path).filter(|_| !place.cache) {
                Some(local) => foreign.push((f.clone(), local)),
                None => todo.push(f.clone()),
            },
        }
    }
    // Files in the folder that dsfetch did not write: identical content is adopted, anything
    // else is refused (nothing is downloaded) unless --force.
    let (adopted, refused) = adopt_identical(foreign, opts).await?;
    kept.extend(adopted);
    let refused_paths: Vec<String> = refused.iter().map(|f| f.path.clone()).collect();
    download::refuse_foreign(
        &root,
        &refused_paths,
        opts.force,
        opts.dry_run,
        client.reporter,
    )?;
    todo.extend(refused);
    todo.sort_by(|a, b| a.path.cmp(&b.path));
    for e in &kept {
        report_files.push(ReportFile {
            path: e.path.clone(),
            size: e.size,
            sha256: Some(e.sha256.clone()),
            skipped: true,
        });
    }
    let total_bytes: u64 = selected.iter().map(|f| f.size).sum();
    let todo_bytes: u64 = todo.iter().map(|f| f.size).sum();
    client.reporter.on_event(&Event::Plan {
        dataset: &dataset_label,
        files: todo.len(),
        bytes: todo_bytes,
        skipped: report_files.len(),
    });
    let skipped = report_files.len();
    let report_path = place.report_path(&commit);
    download::warn_if_short_of_space(&root, todo_bytes, client.reporter);
    if opts.dry_run {
        for f in &todo {
            report_files.push(ReportFile {
                path: f.path.clone(),
                size: f.size,
                sha256: match &f.expected {
                    Expected::Sha256(h) => Some(h.clone()),
                    _ => None,
                },
                skipped: false,
            });
        }
        report_files.sort_by(|a, b| a.path.cmp(&b.path));
        return Ok(DownloadReport {
            dataset_id: repo.to_string(),
            source: Source::HuggingFace,
            file_path: report_path,
            revision: Some(revision),
            commit: Some(commit),
            version: None,
            files: report_files,
            bytes_downloaded: 0,
            downloaded: 0,
            skipped,
            total_bytes,
            dry_run: true,
        });
    }

    let errors = Arc::new(client.errors(repo, &revision));
    let fetcher = Fetcher {
        http: client.http,
        reporter: client.reporter,
        dataset: &dataset_label,
        connections: opts.connections.clone(),
        parallel: opts.parallel.clone(),
        large_files: Arc::new(tokio::sync::Semaphore::new(
            crate::transfer::MAX_PARALLEL_FILES,
        )),
    };
    let tmp = folder.tmp();
    let by_path: BTreeMap<&str, &RepoFile> = todo.iter().map(|f| (f.path.as_str(), f)).collect();
    // One transfer per distinct content: identical files (licences, `.gitkeep`, labels shared by
    // splits) share a partial file and, in the cache, a blob.
    let mut groups: BTreeMap<&str, Vec<&RepoFile>> = BTreeMap::new();
    for f in &todo {
        groups.entry(f.upstream()).or_default().push(f);
    }
    let commit_ref = commit.as_str();
    let (place_ref, folder_ref) = (&place, &folder);
    let fetched = download::run_concurrently(
        groups.into_values().collect(),
        opts.jobs,
        |group: Vec<&RepoFile>| {
            let fetcher = fetcher.clone();
            let errors = errors.clone();
            let tmp = tmp.clone();
            async move {
                let f = group[0];
                let url = endpoint_join(
                    &client.endpoint,
                    &format!(
                        "/datasets/{repo}/resolve/{}/{}",
                        quote(commit_ref, false),
                        quote(&f.path, true)
                    ),
                )?;
                let dest = place_ref.dest(f)?;
                let spec = FileSpec {
                    rel_path: &f.path,
                    root: &place_ref.root,
                    part: tmp.join(format!("{}.part", f.upstream())),
                    dest: Some(dest.clone()),
                    size: Some(f.size),
                    expected: Some(f.expected.clone()),
                    md5_from_server: false,
                    request: Request::get(url, f.path.clone()).auth(client.credential()),
                    lock: opts.locked.as_ref().and_then(|l| l.get(&f.path)).cloned(),
                    errors: errors.as_ref(),
                    on_parallel: None,
                    tail_first: false,
                };
                let got = fetcher.fetch(&spec).await?;
                let mut placed = Vec::with_capacity(group.len());
                for (i, g) in group.iter().enumerate() {
                    if i > 0 && !place_ref.cache {
                        // Same bytes at another path of the folder: a verified copy, moved into place.
                        let staged = tmp.join(format!("{}.copy", g.upstream()));
                        let target = place_ref.dest(g)?;
                        copy_verified(&dest, &staged, &place_ref.root, &target).await?;
                    }
                    folder_ref.journal(&FileEntry {
                        path: g.path.clone(),
                        size: got.size,
                        sha256: got.sha256.clone(),
                        upstream: Some(g.upstream().to_string()),
                    })?;
                    placed.push(crate::transfer::Fetched {
                        path: std::path::PathBuf::from(&g.path),
                        final_url: None,
                        transferred: if i == 0 { got.transferred } else { 0 },
                        ..got.clone()
                    });
                }
                Ok(placed)
            }
        },
    )
    .await?;
    let fetched: Vec<crate::transfer::Fetched> = fetched.into_iter().flatten().collect();

    let mut bytes_downloaded = 0;
    let mut entries = kept;
    for got in &fetched {
        let path = got.path.to_string_lossy().into_owned();
        bytes_downloaded += got.transferred;
        let upstream = by_path.get(path.as_str()).map(|f| f.upstream().to_string());
        report_files.push(ReportFile {
            path: path.clone(),
            size: got.size,
            sha256: Some(got.sha256.clone()),
            skipped: false,
        });
        entries.push(FileEntry {
            path,
            size: got.size,
            sha256: got.sha256.clone(),
            upstream,
        });
    }
    place.finish(&selected, &revision, &commit)?;
    // Keep record entries of unselected files that are still current at this commit.
    let selected_paths: HashSet<&str> = selected.iter().map(|f| f.path.as_str()).collect();
    let mut rec = folder.record.clone();
    let prior_same_commit = rec.commit.as_deref() == Some(commit.as_str());
    rec.files
        .retain(|e| !selected_paths.contains(e.path.as_str()) && prior_same_commit);
    rec.files.extend(entries);
    rec.revision = Some(revision.clone());
    rec.commit = Some(commit.clone());
    folder.save(&rec)?;
    if !place.cache {
        folder.remove_stale(&rec, client.reporter);
    }
    folder.tidy();
    report_files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(DownloadReport {
        dataset_id: repo.to_string(),
        source: Source::HuggingFace,
        file_path: report_path,
        revision: Some(revision),
        commit: Some(commit),
        version: None,
        files: report_files,
        bytes_downloaded,
        downloaded: fetched.len(),
        skipped,
        total_bytes,
        dry_run: false,
    })
}

/// Splits files found in the folder without dsfetch having written them into those whose
/// content is already the right one (adopted, as record entries) and the others (blocking
/// hashing, off the runtime).
async fn adopt_identical(
    found: Vec<(RepoFile, std::path::PathBuf)>,
    opts: &DownloadOptions,
) -> Result<(Vec<FileEntry>, Vec<RepoFile>)> {
    if found.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let locked = opts.locked.clone();
    tokio::task::spawn_blocking(move || {
        let mut adopted = Vec::new();
        let mut other = Vec::new();
        for (f, local) in found {
            let sha = crate::verify::file_matches(&local, f.size, &f.expected).filter(|h| {
                let l = locked.as_ref().and_then(|l| l.get(&f.path));
                l.is_none_or(|l| &l.sha256 == h)
            });
            match sha {
                Some(sha256) => adopted.push(FileEntry {
                    upstream: Some(f.upstream().to_string()),
                    path: f.path,
                    size: f.size,
                    sha256,
                }),
                None => other.push(f),
            }
        }
        (adopted, other)
    })
    .await
    .map_err(|e| Error::Conflict(format!("hashing task failed: {e}")))
}

/// Copies the verified file `src` to `staged` (synced, so that a rename after a power cut never
/// names lost data), then moves it to `dest` inside `root`.
async fn copy_verified(
    src: &std::path::Path,
    staged: &std::path::Path,
    root: &std::path::Path,
    dest: &std::path::Path,
) -> Result<()> {
    let (from, to) = (src.to_path_buf(), staged.to_path_buf());
    tokio::task::spawn_blocking(move || -> Result<()> {
        std::fs::copy(&from, &to).map_err(|e| Error::io("copying", &to, e))?;
        std::fs::File::open(&to)
            .and_then(|f| f.sync_data())
            .map_err(|e| Error::io("syncing", &to, e))
    })
    .await
    .map_err(|e| Error::Conflict(format!("copying task failed: {e}")))??;
    crate::paths::move_into_place(root, staged, dest)
}

/// Where a repo's files go: a plain folder, or the huggingface_hub cache layout
/// (`datasets--O--N/blobs/<etag>`, `snapshots/<commit>/<path>` as relative symlinks to the blobs,
/// `refs/<rev>` holding the bare commit), as protocol/hf.md §7 describes.
struct Placement {
    /// Folder layout: the dataset folder. Cache layout: `<cache>/datasets--O--N`.
    root: PathBuf,
    /// Where dsfetch keeps its lock, record and partial files.
    state: PathBuf,
    /// Cache layout.
    cache: bool,
}

impl Placement {
    fn new(opts: &DownloadOptions, id: &HfId) -> Result<Placement> {
        match &opts.layout {
            Layout::Folder => {
                let root = opts.folder(&id.folder_name());
                Ok(Placement {
                    state: record::state_dir(&root),
                    root,
                    cache: false,
                })
            }
            Layout::HfCache(cache) => {
                if opts.output.is_some() {
                    return Err(Error::usage(
                        "-o/--output cannot be combined with --layout hf-cache (the cache decides where files go)",
                    ));
                }
                let repo_folder = format!("datasets--{}", id.repo.replace('/', "--"));
                Ok(Placement {
                    root: cache.join(&repo_folder),
                    // The cache's own lock folder: huggingface_hub's cache scanner ignores it.
                    state: cache
                        .join(".locks")
                        .join(&repo_folder)
                        .join(crate::paths::STATE_DIR),
                    cache: true,
                })
            }
            Layout::Kagglehub(_) => Err(Error::usage(
                "--layout kagglehub is for Kaggle datasets; use hf-cache or folder",
            )),
        }
    }

    /// The final path of a file's bytes.
    fn dest(&self, f: &RepoFile) -> Result<PathBuf> {
        if self.cache {
            Ok(self.root.join("blobs").join(f.upstream()))
        } else {
            crate::paths::join_safe(&self.root, &f.path, "file name")
        }
    }

    /// The folder to report: the dataset folder, or the snapshot folder of the commit.
    fn report_path(&self, commit: &str) -> PathBuf {
        if self.cache {
            self.root.join("snapshots").join(commit)
        } else {
            self.root.clone()
        }
    }

    /// The local copy of `f`, when present and current (under a lockfile: also re-hashed).
    fn present(
        &self,
        folder: &Folder,
        f: &RepoFile,
        locked: Option<&download::LockedFile>,
    ) -> Option<FileEntry> {
        if !self.cache {
            let e = folder.has(&f.path, f.upstream())?;
            if let Some(l) = locked
                && (e.sha256 != l.sha256 || !download::local_matches(&self.root, &f.path, l))
            {
                return None;
            }
            return Some(e.clone());
        }
        // Blobs are content-addressed: a blob of the right size is this content.
        let blob = self.dest(f).ok()?;
        let md = std::fs::symlink_metadata(&blob).ok()?;
        if !md.is_file() || md.len() != f.size {
            return None;
        }
        let sha256 = if locked.is_some() {
            // Under a lockfile the blob itself is re-hashed (once) and must match the lock.
            crate::verify::sha256_file(&blob).ok()?.1
        } else {
            match &f.expected {
                Expected::Sha256(h) => h.clone(),
                _ => match folder
                    .record
                    .files
                    .iter()
                    .find(|e| e.upstream.as_deref() == Some(f.upstream()))
                {
                    Some(e) => e.sha256.clone(),
                    None => crate::verify::sha256_file(&blob).ok()?.1,
                },
            }
        };
        if locked.is_some_and(|l| l.sha256 != sha256) {
            return None;
        }
        Some(FileEntry {
            path: f.path.clone(),
            size: f.size,
            sha256,
            upstream: Some(f.upstream().to_string()),
        })
    }

    /// Cache layout: links every selected file into `snapshots/<commit>/` and writes
    /// `refs/<revision>` (the bare commit, no newline) unless the revision is the commit.
    fn finish(&self, files: &[RepoFile], revision: &str, commit: &str) -> Result<()> {
        if !self.cache {
            return Ok(());
        }
        let snap = self.root.join("snapshots").join(commit);
        for f in files {
            let link = crate::paths::join_safe(&snap, &f.path, "file name")?;
            let parent = link.parent().unwrap_or(&snap);
            crate::paths::ensure_no_symlink_between(&self.root, parent)?;
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
            let ups = 2 + f.path.matches('/').count();
            let target = format!("{}blobs/{}", "../".repeat(ups), f.upstream());
            if std::fs::symlink_metadata(&link).is_ok() {
                std::fs::remove_file(&link).map_err(|e| Error::io("replacing", &link, e))?;
            }
            #[cfg(unix)]
            std::os::unix::fs::symlink(&target, &link)
                .map_err(|e| Error::io("linking", &link, e))?;
            #[cfg(not(unix))]
            std::fs::copy(self.dest(f)?, &link).map_err(|e| Error::io("copying", &link, e))?;
        }
        if !is_hex(revision, 40) {
            crate::paths::check_relative(revision)
                .map_err(|r| Error::usage(format!("revision {revision:?}: {r}")))?;
            let refs = self.root.join("refs");
            let ref_file = crate::paths::join_safe(&refs, revision, "revision")?;
            let parent = ref_file.parent().unwrap_or(&refs);
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
            let tmp = parent.join(format!(
                ".{}.dsfetch-tmp",
                ref_file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("ref")
            ));
            std::fs::write(&tmp, commit).map_err(|e| Error::io("writing", &tmp, e))?;
            std::fs::rename(&tmp, &ref_file).map_err(|e| Error::io("writing", &ref_file, e))?;
        }
        Ok(())
    }
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
        assert_eq!(ok[1].expected, Expected::Sha256(sha256.clone()));
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
