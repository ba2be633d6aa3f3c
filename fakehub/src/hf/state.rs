//! Repos, their commits and refs: what [`HfState`] holds and how fixtures change it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::sync::Arc;

use sha1::{Digest, Sha1};

use super::kind::{HfRepoType, RESERVED};
use super::repo::{HfFile, HfRepo, KindMeta};
use crate::store::Blob;
use crate::util::now_ms;

/// A file of a commit.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) blob: Blob,
    /// Git blob oid: of the content, or of the LFS pointer file.
    pub(super) oid: String,
    pub(super) sha256: Option<String>,
    pub(super) pointer_size: u64,
    /// Stored in Xet: asked by the fixture, then its file id once ingested.
    pub(super) wants_xet: bool,
    pub(super) xet_hash: Option<String>,
}

impl Entry {
    pub(super) fn size(&self) -> u64 {
        self.blob.len()
    }
}

/// A commit: its sha, its whole tree of files, its date and title.
#[derive(Debug)]
pub(super) struct Commit {
    pub(super) sha: String,
    pub(super) files: BTreeMap<String, Entry>,
    pub(super) date_ms: i64,
    pub(super) title: String,
}

impl Commit {
    /// Total size of the commit's files.
    pub(super) fn size(&self) -> u64 {
        self.files.values().map(Entry::size).sum()
    }
}

/// A registered repo: its metadata, who may see it, its commits and refs.
pub(super) struct RepoState {
    pub(super) kind: HfRepoType,
    pub(super) id: String,
    pub(super) meta: KindMeta,
    pub(super) namespace: Option<String>,
    pub(super) object_id: String,
    pub(super) private: bool,
    pub(super) gated: Option<String>,
    pub(super) disabled: bool,
    pub(super) downloads: u64,
    pub(super) downloads_all_time: u64,
    pub(super) likes: u64,
    pub(super) trending_score: f64,
    pub(super) tags: Vec<String>,
    pub(super) description: Option<String>,
    pub(super) citation: Option<String>,
    pub(super) created_ms: i64,
    pub(super) last_modified_ms: i64,
    pub(super) owner_user: Option<String>,
    pub(super) grants: HashSet<String>,
    pub(super) commits: HashMap<String, Arc<Commit>>,
    pub(super) branches: BTreeMap<String, String>,
    pub(super) tag_refs: BTreeMap<String, String>,
    pub(super) converts: BTreeMap<String, String>,
    pub(super) prs: BTreeMap<u64, String>,
}

impl RepoState {
    pub(super) fn main_commit(&self) -> Option<&Arc<Commit>> {
        self.branches.get("main").and_then(|s| self.commits.get(s))
    }

    /// Resolves a branch, tag, special ref or full commit sha.
    pub(super) fn resolve_rev(&self, rev: &str) -> Option<&Arc<Commit>> {
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
}

/// A repo's identity: its type and its id.
pub(super) type RepoKey = (HfRepoType, String);

/// A repo named by a request: its type and its id.
pub(super) type RepoId<'a> = (HfRepoType, &'a str);

pub(super) fn key(kind: HfRepoType, id: &str) -> RepoKey {
    (kind, id.to_string())
}

/// All Hugging Face state.
#[derive(Default)]
pub(crate) struct HfState {
    pub(super) repos: HashMap<RepoKey, RepoState>,
    pub(super) order: Vec<RepoKey>,
    pub(super) tokens: HashMap<String, String>,
    /// LFS content by sha256, as served by the CDN.
    pub(super) cdn_blobs: HashMap<String, Blob>,
    pub(super) counter: u64,
    /// Xet storage: xorbs and file reconstructions.
    pub(super) xet: super::xet_store::XetStore,
}

pub(super) fn make_entry(f: &HfFile) -> Entry {
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
            wants_xet: f.xet,
            xet_hash: None,
        }
    } else {
        Entry {
            blob: f.content.clone(),
            oid: f.content.git_sha1_hex(),
            sha256: None,
            pointer_size: 0,
            wants_xet: false,
            xet_hash: None,
        }
    }
}

pub(super) fn normalize_path(p: &str) -> String {
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

/// What commit shas and object ids are derived from: the id, prefixed for models and Spaces.
fn hash_name(kind: HfRepoType, id: &str) -> String {
    match kind {
        HfRepoType::Dataset => id.to_string(),
        _ => format!("{}/{id}", kind.plural()),
    }
}

fn validate_repo_id(kind: HfRepoType, id: &str) {
    assert!(
        valid_repo_id(id),
        "fakehub: invalid HF repo id {id:?} (want owner/name or name)"
    );
    let first = id.split('/').next().unwrap_or("");
    assert!(
        kind != HfRepoType::Model || !RESERVED.contains(&first),
        "fakehub: model id {id:?} starts with a reserved name ({RESERVED:?})"
    );
}

impl HfState {
    /// The Xet file id of `path` at `rev`, if it is Xet-backed.
    pub(crate) fn xet_hash(&self, repo_key: &str, rev: &str, path: &str) -> Option<String> {
        let (kind, id) = HfRepoType::parse_key(repo_key);
        let repo = self.repos.get(&key(kind, id))?;
        repo.resolve_rev(rev)?.files.get(path)?.xet_hash.clone()
    }

    pub(crate) fn add_token(&mut self, token: &str, user: &str) {
        self.tokens.insert(token.to_string(), user.to_string());
    }

    /// The repo a fixture key (`o/n`, `datasets/o/n`, `models/o/n`, `spaces/o/n`) names.
    fn repo_mut(&mut self, repo_key: &str) -> &mut RepoState {
        let (kind, id) = HfRepoType::parse_key(repo_key);
        self.repos
            .get_mut(&key(kind, id))
            .unwrap_or_else(|| panic!("fakehub: no HF {} {id:?}", kind.singular()))
    }

    pub(crate) fn grant(&mut self, repo_key: &str, user: &str) {
        self.repo_mut(repo_key).grants.insert(user.to_string());
    }

    fn new_commit(
        &mut self,
        repo: &str,
        mut files: BTreeMap<String, Entry>,
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
        for e in files.values_mut() {
            if e.wants_xet && e.sha256.is_some() && e.xet_hash.is_none() {
                e.xet_hash = Some(
                    self.xet
                        .ingest(&e.blob)
                        .unwrap_or_else(|err| panic!("fakehub: cannot store a Xet file: {err}")),
                );
            }
        }
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
        validate_repo_id(repo.kind, &repo.id);
        let k = key(repo.kind, &repo.id);
        assert!(
            !self.repos.contains_key(&k),
            "fakehub: HF {} {:?} already exists",
            repo.kind.singular(),
            repo.id
        );
        let mut files = repo.files.clone();
        for (p, d) in &repo.disk_files {
            files.push(HfFile::new(p, Blob::from_file(d)?, true));
        }
        let now = now_ms();
        let last = repo.last_modified.unwrap_or(now);
        let entries = Self::entries(&files);
        let name = hash_name(repo.kind, &repo.id);
        let commit = self.new_commit(&name, entries, last, "initial commit");
        let sha = commit.sha.clone();
        let mut h = Sha1::new();
        h.update(name.as_bytes());
        let object_id = hex::encode(h.finalize())[..24].to_string();
        let st = RepoState {
            kind: repo.kind,
            id: repo.id.clone(),
            meta: repo.meta.clone(),
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
        self.order.push(k.clone());
        self.repos.insert(k, st);
        Ok(sha)
    }

    /// New commit on `branch` (created from main if missing). Returns its sha.
    pub(crate) fn commit(
        &mut self,
        repo_key: &str,
        branch: &str,
        files: Vec<HfFile>,
        deleted: &[&str],
    ) -> String {
        let r = self.repo_mut(repo_key);
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
        let name = hash_name(r.kind, &r.id);
        let c = self.new_commit(&name, tree, now, &format!("Update {branch}"));
        let sha = c.sha.clone();
        let r = self.repo_mut(repo_key);
        r.commits.insert(sha.clone(), c);
        r.branches.insert(branch.to_string(), sha.clone());
        r.last_modified_ms = now;
        sha
    }

    /// Standalone commit at `rev` (a tag, branch, `refs/convert/x`, `refs/pr/N`).
    pub(crate) fn set_ref(&mut self, repo_key: &str, rev: &str, files: Vec<HfFile>) -> String {
        let r = self.repo_mut(repo_key);
        let name = hash_name(r.kind, &r.id);
        let c = self.new_commit(
            &name,
            Self::entries(&files),
            now_ms(),
            &format!("Update {rev}"),
        );
        let sha = c.sha.clone();
        let r = self.repo_mut(repo_key);
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
    pub(crate) fn rev_sha(&self, repo_key: &str, rev: &str) -> Option<String> {
        let (kind, id) = HfRepoType::parse_key(repo_key);
        self.repos
            .get(&key(kind, id))?
            .resolve_rev(rev)
            .map(|c| c.sha.clone())
    }
}
