//! The Hugging Face Hub side: dataset repos with commits and refs, the `/api/datasets…`
//! routes, `/datasets/{repo}/resolve/…`, the `resolve-cache` hop, and the CDN origin.
//!
//! Behaviour follows `shared/protocol/hf.md` (§2–§6, §10).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use crate::Ctx;
use crate::http::{Request, Response, serve_blob};
use crate::sign::SigError;
use crate::store::Blob;
use crate::util::{
    contains_ci, enc_component, enc_path, http_date, iso8601, now_ms, parse_iso8601, parse_query,
    pct_decode,
};

/// One file of an HF repo commit.
#[derive(Clone, Debug)]
pub struct HfFile {
    /// Repo-relative path with `/` separators.
    pub path: String,
    /// The file's bytes.
    pub content: Blob,
    /// Whether the file is stored with Git LFS (served through the CDN by a 302).
    pub lfs: bool,
}

impl HfFile {
    /// A regular git file.
    pub fn regular(path: &str, bytes: impl Into<Vec<u8>>) -> HfFile {
        HfFile {
            path: path.to_string(),
            content: Blob::from_bytes(bytes),
            lfs: false,
        }
    }

    /// An LFS file held in memory.
    pub fn lfs(path: &str, bytes: impl Into<Vec<u8>>) -> HfFile {
        HfFile {
            path: path.to_string(),
            content: Blob::from_bytes(bytes),
            lfs: true,
        }
    }

    /// A file with the given content and storage kind.
    pub fn new(path: &str, content: Blob, lfs: bool) -> HfFile {
        HfFile {
            path: path.to_string(),
            content,
            lfs,
        }
    }
}

/// Builder for a Hugging Face dataset repo, registered with [`crate::FakeHub::add_hf_repo`].
#[derive(Clone, Debug)]
pub struct HfRepo {
    pub(crate) id: String,
    pub(crate) files: Vec<HfFile>,
    pub(crate) disk_files: Vec<(String, PathBuf)>,
    pub(crate) private: bool,
    pub(crate) gated: Option<String>,
    pub(crate) disabled: bool,
    pub(crate) downloads: u64,
    pub(crate) downloads_all_time: Option<u64>,
    pub(crate) likes: u64,
    pub(crate) trending_score: f64,
    pub(crate) tags: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) citation: Option<String>,
    pub(crate) last_modified: Option<i64>,
    pub(crate) created_at: Option<i64>,
    pub(crate) owner_user: Option<String>,
}

fn parse_date_arg(iso: &str) -> i64 {
    parse_iso8601(iso).unwrap_or_else(|| panic!("fakehub: not an ISO-8601 date: {iso:?}"))
}

impl HfRepo {
    /// A public, ungated repo `owner/name` (or a canonical `name`) with no files yet.
    pub fn new(id: &str) -> HfRepo {
        HfRepo {
            id: id.to_string(),
            files: Vec::new(),
            disk_files: Vec::new(),
            private: false,
            gated: None,
            disabled: false,
            downloads: 0,
            downloads_all_time: None,
            likes: 0,
            trending_score: 0.0,
            tags: Vec::new(),
            description: None,
            citation: None,
            last_modified: None,
            created_at: None,
            owner_user: None,
        }
    }

    /// Adds a regular (git) file to the first commit on `main`.
    pub fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push(HfFile::regular(path, bytes));
        self
    }

    /// Adds an LFS file (served from the CDN origin).
    pub fn lfs_file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push(HfFile::lfs(path, bytes));
        self
    }

    /// Adds an LFS file streamed from `disk` (hashed once when the repo is added).
    pub fn lfs_file_from_disk(mut self, path: &str, disk: PathBuf) -> Self {
        self.disk_files.push((path.to_string(), disk));
        self
    }

    /// Adds a file with explicit content and kind.
    pub fn hf_file(mut self, f: HfFile) -> Self {
        self.files.push(f);
        self
    }

    /// Private repos are visible only to their owner and granted users.
    pub fn private(mut self, yes: bool) -> Self {
        self.private = yes;
        self
    }

    /// Gating mode: `Some("auto")`, `Some("manual")`, or `None` (not gated).
    pub fn gated(mut self, mode: Option<&str>) -> Self {
        self.gated = mode.map(str::to_string);
        self
    }

    /// A disabled repo answers 403 "Access to this resource is disabled." everywhere.
    pub fn disabled(mut self, yes: bool) -> Self {
        self.disabled = yes;
        self
    }

    /// The `downloads` counter (last 30 days).
    pub fn downloads(mut self, n: u64) -> Self {
        self.downloads = n;
        self
    }

    /// The `downloadsAllTime` counter (defaults to `downloads`).
    pub fn downloads_all_time(mut self, n: u64) -> Self {
        self.downloads_all_time = Some(n);
        self
    }

    /// The `likes` counter.
    pub fn likes(mut self, n: u64) -> Self {
        self.likes = n;
        self
    }

    /// The `trendingScore`.
    pub fn trending_score(mut self, s: f64) -> Self {
        self.trending_score = s;
        self
    }

    /// Repo tags, e.g. `task_categories:text-classification`, `language:en`.
    pub fn tags(mut self, t: &[&str]) -> Self {
        self.tags = t.iter().map(|s| s.to_string()).collect();
        self
    }

    /// The `description` field.
    pub fn description(mut self, d: &str) -> Self {
        self.description = Some(d.to_string());
        self
    }

    /// The `citation` field.
    pub fn citation(mut self, c: &str) -> Self {
        self.citation = Some(c.to_string());
        self
    }

    /// `lastModified` (ISO-8601); also the date of the first commit.
    ///
    /// # Panics
    /// If `iso` is not an ISO-8601 date.
    pub fn last_modified(mut self, iso: &str) -> Self {
        self.last_modified = Some(parse_date_arg(iso));
        self
    }

    /// `createdAt` (ISO-8601).
    ///
    /// # Panics
    /// If `iso` is not an ISO-8601 date.
    pub fn created_at(mut self, iso: &str) -> Self {
        self.created_at = Some(parse_date_arg(iso));
        self
    }

    /// The token user owning the repo (sees it when private, passes its gate).
    pub fn owner_user(mut self, user: &str) -> Self {
        self.owner_user = Some(user.to_string());
        self
    }
}

#[derive(Clone, Debug)]
struct Entry {
    blob: Blob,
    /// Git blob oid: of the content, or of the LFS pointer file.
    oid: String,
    sha256: Option<String>,
    pointer_size: u64,
}

impl Entry {
    fn size(&self) -> u64 {
        self.blob.len()
    }
}

#[derive(Debug)]
struct Commit {
    sha: String,
    files: BTreeMap<String, Entry>,
    date_ms: i64,
    title: String,
}

struct RepoState {
    id: String,
    namespace: Option<String>,
    object_id: String,
    private: bool,
    gated: Option<String>,
    disabled: bool,
    downloads: u64,
    downloads_all_time: u64,
    likes: u64,
    trending_score: f64,
    tags: Vec<String>,
    description: Option<String>,
    citation: Option<String>,
    created_ms: i64,
    last_modified_ms: i64,
    owner_user: Option<String>,
    grants: HashSet<String>,
    commits: HashMap<String, Arc<Commit>>,
    branches: BTreeMap<String, String>,
    tag_refs: BTreeMap<String, String>,
    converts: BTreeMap<String, String>,
    prs: BTreeMap<u64, String>,
}

enum Caller {
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

    fn visible_to(&self, c: &Caller) -> bool {
        !self.private || self.is_owner(c)
    }

    fn gate_open_for(&self, c: &Caller) -> bool {
        self.gated.is_none() || self.is_owner(c)
    }

    fn main_commit(&self) -> Option<&Arc<Commit>> {
        self.branches.get("main").and_then(|s| self.commits.get(s))
    }

    /// Resolves a branch, tag, special ref or full commit sha.
    fn resolve_rev(&self, rev: &str) -> Option<&Arc<Commit>> {
        let sha = if let Some(b) = rev.strip_prefix("refs/heads/") {
            self.branches.get(b)
        } else if let Some(t) = rev.strip_prefix("refs/tags/") {
            self.tag_refs.get(t)
        } else if let Some(c) = rev.strip_prefix("refs/convert/") {
            self.converts.get(c)
        } else if let Some(p) = rev.strip_prefix("refs/pr/") {
            p.parse::<u64>().ok().and_then(|n| self.prs.get(&n))
        } else {
            self.branches.get(rev).or_else(|| self.tag_refs.get(rev))
        };
        match sha {
            Some(s) => self.commits.get(s),
            None if rev.len() == 40 && rev.bytes().all(|c| c.is_ascii_hexdigit()) => {
                self.commits.get(&rev.to_ascii_lowercase())
            }
            None => None,
        }
    }

    fn gated_json(&self) -> Value {
        match &self.gated {
            None => Value::Bool(false),
            Some(m) => Value::String(m.clone()),
        }
    }

    fn card_data(&self) -> Value {
        let mut m = Map::new();
        for t in &self.tags {
            if let Some((k, v)) = t.split_once(':')
                && k != "region"
            {
                let e = m
                    .entry(k.to_string())
                    .or_insert_with(|| Value::Array(vec![]));
                if let Value::Array(a) = e {
                    a.push(Value::String(v.to_string()));
                }
            }
        }
        Value::Object(m)
    }
}

/// All Hugging Face state.
#[derive(Default)]
pub(crate) struct HfState {
    repos: HashMap<String, RepoState>,
    order: Vec<String>,
    tokens: HashMap<String, String>,
    /// LFS content by sha256, as served by the CDN.
    cdn_blobs: HashMap<String, Blob>,
    counter: u64,
}

fn make_entry(f: &HfFile) -> Entry {
    if f.lfs {
        let sha = f.content.sha256_hex();
        let pointer = format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {}\n",
            f.content.len()
        );
        Entry {
            blob: f.content.clone(),
            oid: Blob::from_bytes(pointer.as_bytes().to_vec()).git_sha1_hex(),
            sha256: Some(sha),
            pointer_size: pointer.len() as u64,
        }
    } else {
        Entry {
            blob: f.content.clone(),
            oid: f.content.git_sha1_hex(),
            sha256: None,
            pointer_size: 0,
        }
    }
}

fn normalize_path(p: &str) -> String {
    p.trim_matches('/').to_string()
}

/// Whether `id` is `owner/name` or a canonical `name`.
pub(crate) fn valid_repo_id(id: &str) -> bool {
    let segs: Vec<&str> = id.split('/').collect();
    (segs.len() == 1 || segs.len() == 2)
        && segs.iter().all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c))
        })
}

fn validate_repo_id(id: &str) {
    assert!(
        valid_repo_id(id),
        "fakehub: invalid HF repo id {id:?} (want owner/name or name)"
    );
}

fn hf_error(status: u16, code: Option<&str>, msg: &str) -> Response {
    let mut r = Response::json(status, &json!({ "error": msg }));
    if let Some(c) = code {
        r = r.header("X-Error-Code", c);
    }
    r.header("X-Error-Message", msg)
}

/// The HF error shape for an injected status (fault injection).
pub(crate) fn injected_error(status: u16, path: &str) -> Response {
    let msg = match status {
        429 => "You have been rate-limited; you can retry this action later.".to_string(),
        500 => "Internal Error - We're working hard to fix this as soon as possible!".to_string(),
        502 => "Bad Gateway".to_string(),
        503 => "Service Unavailable".to_string(),
        504 => "Gateway Timeout".to_string(),
        s => format!("{s} {}", crate::http::reason(s)),
    };
    let _ = path;
    hf_error(status, None, &msg)
}

/// The rate-limit bucket hub-docs assigns to a path.
pub(crate) fn ratelimit_bucket(path: &str) -> &'static str {
    if path.contains("/resolve/") {
        "resolvers"
    } else {
        "api"
    }
}

fn cdn_xml(status: u16, code: &str, msg: &str) -> Response {
    Response::new(status).bytes(
        "application/xml",
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{msg}</Message></Error>"),
    )
}

/// CDN-style error for an injected status or expired URL.
pub(crate) fn cdn_error(status: u16) -> Response {
    match status {
        403 => cdn_xml(403, "AccessDenied", "Access denied"),
        404 => cdn_xml(404, "NoSuchKey", "The specified key does not exist."),
        429 => cdn_xml(429, "SlowDown", "Please reduce your request rate."),
        500 => cdn_xml(
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
        ),
        503 => cdn_xml(503, "ServiceUnavailable", "Service Unavailable"),
        s => cdn_xml(
            s,
            crate::http::reason(s).replace(' ', "").as_str(),
            crate::http::reason(s),
        ),
    }
}

fn too_many_expand(v: &str) -> Response {
    hf_error(
        400,
        None,
        &format!(
            "\"expand\" must be one of {} (got {v:?})",
            EXPANDABLE.join(", ")
        ),
    )
}

const EXPANDABLE: &[&str] = &[
    "author",
    "cardData",
    "citation",
    "createdAt",
    "description",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "gated",
    "lastModified",
    "likes",
    "mainSize",
    "paperswithcode_id",
    "private",
    "resourceGroup",
    "sha",
    "siblings",
    "tags",
    "trendingScore",
    "usedStorage",
    "xetEnabled",
];

const LIST_DEFAULT: &[&str] = &[
    "author",
    "disabled",
    "gated",
    "lastModified",
    "likes",
    "trendingScore",
    "private",
    "sha",
    "downloads",
    "tags",
    "createdAt",
    "description",
];

const INFO_DEFAULT: &[&str] = &[
    "author",
    "sha",
    "createdAt",
    "lastModified",
    "private",
    "gated",
    "disabled",
    "downloads",
    "likes",
    "tags",
    "description",
    "citation",
    "cardData",
    "siblings",
    "usedStorage",
];

/// Parsed `/datasets/...` or `/api/datasets/...` remainder: repo id, then the rest segments.
struct RepoPath<'a> {
    repo: String,
    rest: Vec<&'a str>,
}

/// Splits raw path segments into a repo id and the rest, knowing which second segments are
/// route keywords (so that canonical, namespace-less repos work).
fn split_repo<'a>(st: &HfState, segs: &[&'a str], keywords: &[&str]) -> Option<RepoPath<'a>> {
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
    if !st.repos.contains_key(&two) && keywords.contains(&s1.as_str()) {
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
fn take_rev<'a>(segs: &'a [&'a str]) -> Option<(String, &'a [&'a str])> {
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

/// All values of a query key, in order.
fn qall<'a>(q: &'a [(String, String)], k: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    q.iter()
        .filter(move |(a, _)| a == k)
        .map(|(_, v)| v.as_str())
}

fn is_true(v: Option<&str>) -> bool {
    matches!(
        v.map(str::to_ascii_lowercase).as_deref(),
        Some("true" | "1" | "yes")
    )
}

fn encode_cursor(offset: usize) -> String {
    STANDARD.encode(format!("fakehub:{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let raw = STANDARD.decode(c).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("fakehub:")?
        .parse()
        .ok()
}

/// The raw query with any `cursor` removed, plus the new cursor.
fn next_link(base: &str, path: &str, raw_query: &str, offset: usize) -> String {
    let mut parts: Vec<&str> = raw_query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor=") && *p != "cursor")
        .collect();
    let c = format!("cursor={}", enc_component(&encode_cursor(offset)));
    parts.push(&c);
    format!("<{base}{path}?{}>; rel=\"next\"", parts.join("&"))
}

impl HfState {
    pub(crate) fn add_token(&mut self, token: &str, user: &str) {
        self.tokens.insert(token.to_string(), user.to_string());
    }

    pub(crate) fn grant(&mut self, repo: &str, user: &str) {
        let r = self
            .repos
            .get_mut(repo)
            .unwrap_or_else(|| panic!("fakehub: no HF repo {repo:?}"));
        r.grants.insert(user.to_string());
    }

    fn new_commit(
        &mut self,
        repo: &str,
        files: BTreeMap<String, Entry>,
        date_ms: i64,
        title: &str,
    ) -> Arc<Commit> {
        self.counter += 1;
        let mut h = Sha1::new();
        h.update(format!("commit\0{repo}\0{}\0{date_ms}\0", self.counter).as_bytes());
        for (p, e) in &files {
            h.update(p.as_bytes());
            h.update([0]);
            h.update(e.oid.as_bytes());
        }
        let sha = hex::encode(h.finalize());
        for e in files.values() {
            if let Some(s) = &e.sha256 {
                self.cdn_blobs.insert(s.clone(), e.blob.clone());
            }
        }
        Arc::new(Commit {
            sha,
            files,
            date_ms,
            title: title.to_string(),
        })
    }

    /// File paths are kept verbatim: a hostile fixture ("/abs", "../x") must reach the client
    /// exactly as written, as a hostile server would send it.
    fn entries(files: &[HfFile]) -> BTreeMap<String, Entry> {
        files
            .iter()
            .map(|f| (f.path.clone(), make_entry(f)))
            .collect()
    }

    /// Registers a repo; returns the sha of its first commit on `main`.
    pub(crate) fn add_repo(&mut self, repo: HfRepo) -> io::Result<String> {
        validate_repo_id(&repo.id);
        assert!(
            !self.repos.contains_key(&repo.id),
            "fakehub: HF repo {:?} already exists",
            repo.id
        );
        let mut files = repo.files.clone();
        for (p, d) in &repo.disk_files {
            files.push(HfFile::new(p, Blob::from_file(d)?, true));
        }
        let now = now_ms();
        let last = repo.last_modified.unwrap_or(now);
        let entries = Self::entries(&files);
        let commit = self.new_commit(&repo.id, entries, last, "initial commit");
        let sha = commit.sha.clone();
        let mut h = Sha1::new();
        h.update(repo.id.as_bytes());
        let object_id = hex::encode(h.finalize())[..24].to_string();
        let st = RepoState {
            id: repo.id.clone(),
            namespace: repo.id.split_once('/').map(|(o, _)| o.to_string()),
            object_id,
            private: repo.private,
            gated: repo.gated.clone(),
            disabled: repo.disabled,
            downloads: repo.downloads,
            downloads_all_time: repo.downloads_all_time.unwrap_or(repo.downloads),
            likes: repo.likes,
            trending_score: repo.trending_score,
            tags: repo.tags.clone(),
            description: repo.description.clone(),
            citation: repo.citation.clone(),
            created_ms: repo.created_at.unwrap_or(last.min(now)),
            last_modified_ms: last,
            owner_user: repo.owner_user.clone(),
            grants: HashSet::new(),
            commits: HashMap::from([(sha.clone(), commit)]),
            branches: BTreeMap::from([("main".to_string(), sha.clone())]),
            tag_refs: BTreeMap::new(),
            converts: BTreeMap::new(),
            prs: BTreeMap::new(),
        };
        self.order.push(repo.id.clone());
        self.repos.insert(repo.id, st);
        Ok(sha)
    }

    /// New commit on `branch` (created from main if missing). Returns its sha.
    pub(crate) fn commit(
        &mut self,
        repo_id: &str,
        branch: &str,
        files: Vec<HfFile>,
        deleted: &[&str],
    ) -> String {
        let r = self
            .repos
            .get(repo_id)
            .unwrap_or_else(|| panic!("fakehub: no HF repo {repo_id:?}"));
        let base = r
            .branches
            .get(branch)
            .or_else(|| r.branches.get("main"))
            .and_then(|s| r.commits.get(s))
            .map(|c| c.files.clone())
            .unwrap_or_default();
        let mut tree = base;
        for d in deleted {
            tree.remove(&normalize_path(d));
        }
        tree.extend(Self::entries(&files));
        let now = now_ms().max(r.last_modified_ms + 1);
        let c = self.new_commit(repo_id, tree, now, &format!("Update {branch}"));
        let sha = c.sha.clone();
        let r = self.repos.get_mut(repo_id).expect("checked above");
        r.commits.insert(sha.clone(), c);
        r.branches.insert(branch.to_string(), sha.clone());
        r.last_modified_ms = now;
        sha
    }

    /// Standalone commit at `rev` (a tag, branch, `refs/convert/x`, `refs/pr/N`).
    pub(crate) fn set_ref(&mut self, repo_id: &str, rev: &str, files: Vec<HfFile>) -> String {
        assert!(
            self.repos.contains_key(repo_id),
            "fakehub: no HF repo {repo_id:?}"
        );
        let c = self.new_commit(
            repo_id,
            Self::entries(&files),
            now_ms(),
            &format!("Update {rev}"),
        );
        let sha = c.sha.clone();
        let r = self.repos.get_mut(repo_id).expect("checked above");
        r.commits.insert(sha.clone(), c);
        if let Some(b) = rev.strip_prefix("refs/heads/") {
            r.branches.insert(b.to_string(), sha.clone());
        } else if let Some(t) = rev.strip_prefix("refs/tags/") {
            r.tag_refs.insert(t.to_string(), sha.clone());
        } else if let Some(c) = rev.strip_prefix("refs/convert/") {
            r.converts.insert(c.to_string(), sha.clone());
        } else if let Some(p) = rev.strip_prefix("refs/pr/") {
            let n = p
                .parse()
                .unwrap_or_else(|_| panic!("fakehub: bad PR ref {rev:?}"));
            r.prs.insert(n, sha.clone());
        } else if r.branches.contains_key(rev) {
            r.branches.insert(rev.to_string(), sha.clone());
        } else {
            r.tag_refs.insert(rev.to_string(), sha.clone());
        }
        sha
    }

    /// Sha the revision resolves to, if any.
    pub(crate) fn rev_sha(&self, repo_id: &str, rev: &str) -> Option<String> {
        self.repos
            .get(repo_id)?
            .resolve_rev(rev)
            .map(|c| c.sha.clone())
    }

    fn caller(&self, req: &Request) -> Caller {
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
        id: &str,
        caller: &Caller,
        gate: bool,
        base: &str,
    ) -> Result<&RepoState, Response> {
        if let Caller::Invalid = caller {
            return Err(invalid_credentials());
        }
        let repo = self.repos.get(id).filter(|r| r.visible_to(caller));
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
            return Err(match caller {
                Caller::User(_) => hf_error(
                    403,
                    Some("GatedRepo"),
                    &format!(
                        "Access to dataset {id} is restricted and you are not in the authorized list. Visit {base}/datasets/{id} to ask for access."
                    ),
                ),
                _ => hf_error(
                    401,
                    Some("GatedRepo"),
                    &format!(
                        "Access to dataset {id} is restricted. You must have access to it and be authenticated to access it. Please log in. Visit {base}/datasets/{id} to ask for access."
                    ),
                ),
            });
        }
        Ok(repo)
    }

    /// Entry point for HF routes on the API origin.
    pub(crate) fn handle_api(&self, ctx: &Ctx, req: &Request) -> Response {
        let path = req.path();
        let base = req.base_url(ctx.api_url);
        let get_like = req.method == "GET" || req.method == "HEAD";
        if path == "/api/datasets" || path == "/api/datasets/" {
            return if get_like {
                self.search(ctx, req, &base)
            } else {
                method_not_allowed()
            };
        }
        if path == "/api/whoami-v2" {
            return self.whoami(req);
        }
        if let Some(rest) = path.strip_prefix("/api/datasets/") {
            let segs: Vec<&str> = rest.split('/').collect();
            let kw = ["revision", "tree", "refs", "paths-info", "resolve"];
            let Some(rp) = split_repo(self, &segs, &kw) else {
                return not_found_route();
            };
            return match (rp.rest.first().copied(), req.method.as_str()) {
                (None, "GET" | "HEAD") => self.info(ctx, req, &rp.repo, None, &base),
                (Some(""), "GET" | "HEAD") if rp.rest.len() == 1 => {
                    self.info(ctx, req, &rp.repo, None, &base)
                }
                (Some("revision"), "GET" | "HEAD") => match take_rev(&rp.rest[1..]) {
                    Some((rev, rest)) if rest.iter().all(|s| s.is_empty()) => {
                        self.info(ctx, req, &rp.repo, Some(&rev), &base)
                    }
                    _ => not_found_route(),
                },
                (Some("tree"), "GET" | "HEAD") => match take_rev(&rp.rest[1..]) {
                    Some((rev, rest)) => match join_decode(rest) {
                        Some(p) => self.tree(ctx, req, &rp.repo, &rev, &p, &base),
                        None => bad_request("Invalid path"),
                    },
                    None => not_found_route(),
                },
                (Some("refs"), "GET" | "HEAD") if rp.rest.len() == 1 => {
                    self.refs(req, &rp.repo, &base)
                }
                (Some("paths-info"), "POST") => match take_rev(&rp.rest[1..]) {
                    Some((rev, rest)) if rest.iter().all(|s| s.is_empty()) => {
                        self.paths_info(req, &rp.repo, &rev, &base)
                    }
                    _ => not_found_route(),
                },
                (Some("revision" | "tree" | "refs"), _) | (Some("paths-info"), _) => {
                    method_not_allowed()
                }
                _ => not_found_route(),
            };
        }
        if let Some(rest) = path.strip_prefix("/api/resolve-cache/datasets/") {
            if !get_like {
                return method_not_allowed();
            }
            let segs: Vec<&str> = rest.split('/').collect();
            // canonical repo when the second segment is a commit and the first is a repo
            let hexy = |s: &str| s.len() == 40 && s.bytes().all(|c| c.is_ascii_hexdigit());
            let (repo, commit, file) =
                if segs.len() >= 3 && hexy(segs[1]) && self.repos.contains_key(segs[0]) {
                    (segs[0].to_string(), segs[1], &segs[2..])
                } else if segs.len() >= 4 {
                    (format!("{}/{}", segs[0], segs[1]), segs[2], &segs[3..])
                } else {
                    return not_found_route();
                };
            let Some(file) = join_decode(file) else {
                return bad_request("Invalid path");
            };
            return self.resolve(ctx, req, &repo, commit, &file, &base, false);
        }
        if let Some(rest) = path.strip_prefix("/datasets/") {
            let segs: Vec<&str> = rest.split('/').collect();
            let Some(rp) = split_repo(self, &segs, &["resolve"]) else {
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
            return self.resolve(ctx, req, &rp.repo, &rev, &file, &base, true);
        }
        not_found_route()
    }

    fn whoami(&self, req: &Request) -> Response {
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

    fn prop(&self, r: &RepoState, c: &Commit, name: &str, blobs: bool) -> Value {
        let size: u64 = c.files.values().map(Entry::size).sum();
        match name {
            "author" => r.namespace.clone().map(Value::String).unwrap_or(Value::Null),
            "cardData" => r.card_data(),
            "citation" => r.citation.clone().map(Value::String).unwrap_or(Value::Null),
            "createdAt" => Value::String(iso8601(r.created_ms)),
            "description" => r
                .description
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
            "disabled" => Value::Bool(r.disabled),
            "downloads" => json!(r.downloads),
            "downloadsAllTime" => json!(r.downloads_all_time),
            "gated" => r.gated_json(),
            "lastModified" => Value::String(iso8601(r.last_modified_ms)),
            "likes" => json!(r.likes),
            "mainSize" | "usedStorage" => json!(size),
            "paperswithcode_id" | "resourceGroup" => Value::Null,
            "private" => Value::Bool(r.private),
            "sha" => Value::String(c.sha.clone()),
            "siblings" => Value::Array(
                c.files
                    .iter()
                    .map(|(p, e)| {
                        if blobs {
                            let mut o = json!({"rfilename": p, "blobId": e.oid, "size": e.size()});
                            if let Some(s) = &e.sha256 {
                                o["lfs"] = json!({"sha256": s, "size": e.size(), "pointerSize": e.pointer_size});
                            }
                            o
                        } else {
                            json!({ "rfilename": p })
                        }
                    })
                    .collect(),
            ),
            "tags" => json!(r.tags),
            "trendingScore" => json!(r.trending_score),
            "xetEnabled" => Value::Bool(false),
            _ => Value::Null,
        }
    }

    fn item(&self, r: &RepoState, c: &Commit, props: &[&str], blobs: bool) -> Value {
        let mut m = Map::new();
        m.insert("_id".into(), Value::String(r.object_id.clone()));
        m.insert("id".into(), Value::String(r.id.clone()));
        for p in props {
            let v = self.prop(r, c, p, blobs);
            // Like the Hub, leave out absent optional fields unless explicitly expanded.
            if v.is_null()
                && !matches!(
                    *p,
                    "paperswithcode_id" | "resourceGroup" | "citation" | "description" | "author"
                )
            {
                continue;
            }
            m.insert((*p).to_string(), v);
        }
        Value::Object(m)
    }

    /// Reads `expand`/`expand[]` values; `Err` is the 400 for an unknown one.
    fn expand_props(q: &[(String, String)]) -> Result<Vec<&str>, Response> {
        let mut out = Vec::new();
        for (k, v) in q {
            if k == "expand" || k == "expand[]" {
                match EXPANDABLE.iter().find(|e| **e == v) {
                    Some(e) => {
                        if !out.contains(e) {
                            out.push(*e);
                        }
                    }
                    None => return Err(too_many_expand(v)),
                }
            }
        }
        Ok(out)
    }

    fn search(&self, ctx: &Ctx, req: &Request, base: &str) -> Response {
        let caller = self.caller(req);
        if let Caller::Invalid = caller {
            return invalid_credentials();
        }
        let Some(q) = parse_query(req.query()) else {
            return bad_request("Invalid query string");
        };
        let all = |k: &'static str| qall(&q, k);
        let one = |k: &'static str| qall(&q, k).last();
        let expand = match Self::expand_props(&q) {
            Ok(e) => e,
            Err(r) => return r,
        };
        let full = is_true(one("full"));
        let limit = match one("limit") {
            None | Some("") => None,
            Some(l) => match l.parse::<usize>() {
                Ok(n) => Some(n),
                Err(_) => return bad_request("\"limit\" must be a number"),
            },
        };
        let offset = match one("cursor") {
            None => 0,
            Some(c) => match decode_cursor(c) {
                Some(o) => o,
                None => return bad_request("Invalid cursor"),
            },
        };
        let searches: Vec<&str> = all("search").filter(|s| !s.is_empty()).collect();
        let authors: Vec<&str> = all("author").filter(|s| !s.is_empty()).collect();
        let filters: Vec<&str> = all("filter").filter(|s| !s.is_empty()).collect();
        let gated = one("gated").map(|g| is_true(Some(g)));
        let mut items: Vec<(&RepoState, &Arc<Commit>)> = self
            .order
            .iter()
            .filter_map(|id| self.repos.get(id))
            .filter(|r| r.visible_to(&caller))
            .filter(|r| searches.iter().all(|s| contains_ci(&r.id, s)))
            .filter(|r| {
                authors.is_empty()
                    || authors.iter().any(|a| {
                        r.namespace
                            .as_deref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(a))
                    })
            })
            .filter(|r| {
                filters
                    .iter()
                    .all(|f| r.tags.iter().any(|t| t.eq_ignore_ascii_case(f)))
            })
            .filter(|r| gated.is_none_or(|g| g == r.gated.is_some()))
            .filter_map(|r| r.main_commit().map(|c| (r, c)))
            .collect();
        if let Some(sort) = one("sort").filter(|s| !s.is_empty()) {
            let key = |r: &RepoState| -> f64 {
                match sort {
                    "downloads" => r.downloads as f64,
                    "likes" | "likes30d" => r.likes as f64,
                    "lastModified" | "last_modified" => r.last_modified_ms as f64,
                    "createdAt" | "created_at" => r.created_ms as f64,
                    "trendingScore" | "trending_score" => r.trending_score,
                    _ => 0.0,
                }
            };
            let known = [
                "downloads",
                "likes",
                "likes30d",
                "lastModified",
                "last_modified",
                "createdAt",
                "created_at",
                "trendingScore",
                "trending_score",
                "id",
                "mainSize",
            ];
            if !known.contains(&sort) {
                return bad_request(&format!("Invalid sort parameter: {sort}"));
            }
            // `direction=-1` (or none) sorts descending; any other value ascending.
            let asc = one("direction").is_some_and(|d| d != "-1");
            items.sort_by(|a, b| {
                let o = match sort {
                    "id" => b.0.id.cmp(&a.0.id),
                    "mainSize" => {
                        let s = |c: &Commit| c.files.values().map(Entry::size).sum::<u64>();
                        s(a.1).cmp(&s(b.1))
                    }
                    _ => key(a.0).total_cmp(&key(b.0)),
                };
                if asc { o } else { o.reverse() }
            });
        }
        let page = limit
            .unwrap_or(ctx.opts.hf_page_size)
            .min(ctx.opts.hf_page_size)
            .max(1);
        let props: Vec<&str> = if !expand.is_empty() {
            expand
        } else if full {
            let mut p = LIST_DEFAULT.to_vec();
            p.extend(["cardData", "siblings"]);
            p
        } else {
            LIST_DEFAULT.to_vec()
        };
        let end = offset.saturating_add(page).min(items.len());
        let body: Vec<Value> = items
            .get(offset..end)
            .unwrap_or(&[])
            .iter()
            .map(|(r, c)| self.item(r, c, &props, false))
            .collect();
        let mut resp = Response::json(200, &Value::Array(body));
        if end < items.len() {
            resp = resp.header("Link", next_link(base, req.path(), req.query(), end));
        }
        resp
    }

    fn info(&self, _ctx: &Ctx, req: &Request, id: &str, rev: Option<&str>, base: &str) -> Response {
        let caller = self.caller(req);
        let repo = match self.check_repo(id, &caller, false, base) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let Some(q) = parse_query(req.query()) else {
            return bad_request("Invalid query string");
        };
        let expand = match Self::expand_props(&q) {
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
            return hf_error(
                404,
                Some("RevisionNotFound"),
                &format!("Invalid rev id: {}", rev.unwrap_or("main")),
            );
        };
        let props: Vec<&str> = if expand.is_empty() {
            INFO_DEFAULT.to_vec()
        } else {
            expand
        };
        Response::json(200, &self.item(repo, commit, &props, blobs))
    }

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

    fn tree(
        &self,
        ctx: &Ctx,
        req: &Request,
        id: &str,
        rev: &str,
        dir: &str,
        base: &str,
    ) -> Response {
        let caller = self.caller(req);
        let repo = match self.check_repo(id, &caller, false, base) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let Some(commit) = repo.resolve_rev(rev) else {
            return hf_error(
                404,
                Some("RevisionNotFound"),
                &format!("Invalid rev id: {rev}"),
            );
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
        let offset = match one("cursor") {
            None => 0,
            Some(c) => match decode_cursor(c) {
                Some(o) => o,
                None => return bad_request("Invalid cursor"),
            },
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
        let end = offset.saturating_add(page).min(listing.len());
        let body: Vec<Value> = listing
            .get(offset..end)
            .unwrap_or(&[])
            .iter()
            .map(|(p, d)| self.tree_entry(commit, p, *d, expand))
            .collect();
        let mut resp = Response::json(200, &Value::Array(body));
        if end < listing.len() {
            resp = resp.header("Link", next_link(base, req.path(), req.query(), end));
        }
        resp
    }

    fn paths_info(&self, req: &Request, id: &str, rev: &str, base: &str) -> Response {
        let caller = self.caller(req);
        let repo = match self.check_repo(id, &caller, false, base) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let Some(commit) = repo.resolve_rev(rev) else {
            return hf_error(
                404,
                Some("RevisionNotFound"),
                &format!("Invalid rev id: {rev}"),
            );
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

    fn refs(&self, req: &Request, id: &str, base: &str) -> Response {
        let caller = self.caller(req);
        let repo = match self.check_repo(id, &caller, false, base) {
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

    #[allow(clippy::too_many_arguments)]
    fn resolve(
        &self,
        ctx: &Ctx,
        req: &Request,
        id: &str,
        rev: &str,
        file: &str,
        base: &str,
        allow_cache_hop: bool,
    ) -> Response {
        let caller = self.caller(req);
        let repo = match self.check_repo(id, &caller, true, base) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let commit = if allow_cache_hop {
            repo.resolve_rev(rev)
        } else {
            repo.commits.get(&rev.to_ascii_lowercase())
        };
        let Some(commit) = commit else {
            return hf_error(
                404,
                Some("RevisionNotFound"),
                &format!("Invalid rev id: {rev}"),
            );
        };
        let Some(e) = commit.files.get(file) else {
            return hf_error(404, Some("EntryNotFound"), "Entry not found")
                .header("X-Repo-Commit", commit.sha.clone());
        };
        let basename = file.rsplit('/').next().unwrap_or(file);
        if let Some(sha) = &e.sha256 {
            let mut rh = Sha256::new();
            rh.update(format!("datasets/{}", repo.id).as_bytes());
            let rhash = hex::encode(rh.finalize());
            let cdn_path = format!("/repos/{}/{}/{rhash}/{sha}", &rhash[..2], &rhash[2..4]);
            let loc = ctx.signer.cdn_url(ctx.cdn_url, &cdn_path, basename);
            return Response::new(302)
                .header("Location", loc.clone())
                .header("X-Repo-Commit", commit.sha.clone())
                .header("X-Linked-Etag", format!("\"{sha}\""))
                .header("X-Linked-Size", e.size().to_string())
                .header("ETag", format!("\"{}\"", e.oid))
                .header("Vary", "Origin, Accept")
                .bytes(
                    "text/plain; charset=utf-8",
                    format!("Found. Redirecting to {loc}"),
                );
        }
        let direct = repo.private
            || repo.gated.is_some()
            || repo.namespace.is_none()
            || e.size() == 0
            || !allow_cache_hop;
        if !direct {
            let loc = format!(
                "/api/resolve-cache/datasets/{}/{}/{}?{}=&etag=%22{}%22",
                repo.id,
                commit.sha,
                enc_path(file),
                enc_component(&format!("/datasets/{}/resolve/{rev}/{file}", repo.id)),
                e.oid
            );
            return Response::new(307)
                .header("Location", loc.clone())
                .header("X-Repo-Commit", commit.sha.clone())
                .header("Vary", "Origin, Accept")
                .bytes(
                    "text/plain; charset=utf-8",
                    format!("Temporary Redirect. Redirecting to {loc}"),
                );
        }
        let etag = format!("\"{}\"", e.oid);
        let headers = vec![
            (
                "Content-Type".to_string(),
                content_type_for(file).to_string(),
            ),
            ("ETag".to_string(), etag.clone()),
            ("X-Repo-Commit".to_string(), commit.sha.clone()),
            ("Accept-Ranges".to_string(), "bytes".to_string()),
            (
                "Content-Disposition".to_string(),
                format!(
                    "inline; filename*=UTF-8''{}; filename=\"{}\";",
                    enc_component(basename),
                    basename.replace(['"', '\\'], "_")
                ),
            ),
        ];
        let sha = commit.sha.clone();
        serve_blob(req, &e.blob, headers, Some(&etag), None, move || {
            hf_error(416, None, "Requested range not satisfiable").header("X-Repo-Commit", sha)
        })
    }

    /// The CDN origin: `/repos/<aa>/<bb>/<repo hash>/<sha256>?<CloudFront signature>`.
    pub(crate) fn handle_cdn(&self, ctx: &Ctx, req: &Request) -> Response {
        if req.method != "GET" && req.method != "HEAD" {
            return cdn_xml(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            );
        }
        let Some(path) = pct_decode(req.path()) else {
            return cdn_error(404);
        };
        let segs: Vec<&str> = path.split('/').collect();
        let sha = match segs.as_slice() {
            ["", "repos", _, _, _, sha] if sha.len() == 64 => *sha,
            _ => return cdn_error(404),
        };
        match ctx.signer.check_cdn(&path, req.query()) {
            Ok(()) => {}
            Err(SigError::Missing) => {
                return cdn_xml(
                    403,
                    "MissingKey",
                    "Missing Key-Pair-Id query parameter or cookie value",
                );
            }
            Err(SigError::Invalid | SigError::Expired) => return cdn_error(403),
        }
        let Some(blob) = self.cdn_blobs.get(sha) else {
            return cdn_error(404);
        };
        let etag = format!("\"{sha}\"");
        let last_modified = http_date(ctx.started_ms);
        let q = parse_query(req.query()).unwrap_or_default();
        let mut headers = vec![
            (
                "Content-Type".to_string(),
                "application/octet-stream".to_string(),
            ),
            ("ETag".to_string(), etag.clone()),
            ("Last-Modified".to_string(), last_modified.clone()),
            ("Accept-Ranges".to_string(), "bytes".to_string()),
            ("X-Cache".to_string(), "Hit from cloudfront".to_string()),
        ];
        if let Some((_, d)) = q.iter().find(|(k, _)| k == "response-content-disposition") {
            headers.push(("Content-Disposition".to_string(), d.clone()));
        }
        serve_blob(
            req,
            blob,
            headers,
            Some(&etag),
            Some(&last_modified),
            || {
                cdn_xml(
                    416,
                    "InvalidRange",
                    "The requested range is not satisfiable",
                )
            },
        )
    }
}

fn content_type_for(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "json" => "application/json; charset=utf-8",
        "md" | "txt" | "csv" | "tsv" | "py" | "yaml" | "yml" | "gitattributes" => {
            "text/plain; charset=utf-8"
        }
        _ => "application/octet-stream",
    }
}

fn invalid_credentials() -> Response {
    hf_error(401, None, "Invalid credentials in Authorization header")
}

fn bad_request(msg: &str) -> Response {
    hf_error(400, None, msg)
}

fn not_found_route() -> Response {
    hf_error(
        404,
        None,
        "Sorry, we can't find the page you are looking for.",
    )
}

fn method_not_allowed() -> Response {
    hf_error(405, None, "Method not allowed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_roundtrip() {
        assert_eq!(decode_cursor(&encode_cursor(1234)), Some(1234));
        assert_eq!(decode_cursor("!!"), None);
        let l = next_link(
            "http://h",
            "/api/datasets",
            "search=x&cursor=abc&limit=2",
            4,
        );
        assert!(
            l.starts_with("<http://h/api/datasets?search=x&limit=2&cursor="),
            "{l}"
        );
        assert!(l.ends_with(">; rel=\"next\""));
    }

    #[test]
    fn rev_and_repo_splitting() {
        let segs = ["refs%2Fconvert%2Fparquet", "a", "b.parquet"];
        let (rev, rest) = take_rev(&segs).unwrap();
        assert_eq!(rev, "refs/convert/parquet");
        assert_eq!(rest, &["a", "b.parquet"]);
        let segs = ["refs", "pr", "3", "x"];
        let (rev, rest) = take_rev(&segs).unwrap();
        assert_eq!((rev.as_str(), rest), ("refs/pr/3", &["x"][..]));
        let st = HfState::default();
        let rp = split_repo(&st, &["squad", "resolve", "main", "x"], &["resolve"]).unwrap();
        assert_eq!(rp.repo, "squad");
        let rp = split_repo(&st, &["o", "n", "resolve", "main"], &["resolve"]).unwrap();
        assert_eq!((rp.repo.as_str(), rp.rest.len()), ("o/n", 2));
    }

    #[test]
    fn lfs_pointer_entry() {
        let e = make_entry(&HfFile::lfs("x.bin", b"hello".to_vec()));
        assert_eq!(
            e.sha256.as_deref(),
            Some("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        );
        // version line (43) + oid line (76) + "size 5\n" (7); the Hub reports 127 for 22 bytes
        assert_eq!(e.pointer_size, 126);
    }
}
