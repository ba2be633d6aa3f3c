//! The public builders: [`HfRepo`] and the [`HfFile`]s of its commits.

use std::path::PathBuf;

use super::kind::HfRepoType;
use crate::store::Blob;
use crate::util::parse_iso8601;

/// One file of an HF repo commit.
#[derive(Clone, Debug)]
pub struct HfFile {
    /// Repo-relative path with `/` separators.
    pub path: String,
    /// The file's bytes.
    pub content: Blob,
    /// Whether the file is stored with Git LFS (served through the CDN by a 302).
    pub lfs: bool,
    /// Whether the (LFS) file is stored in Xet: the tree gives its `xetHash`, resolve its
    /// `X-Xet-Hash` and `xet-auth` link, and the CAS its reconstruction.
    pub xet: bool,
}

impl HfFile {
    /// A regular git file.
    pub fn regular(path: &str, bytes: impl Into<Vec<u8>>) -> HfFile {
        HfFile {
            path: path.to_string(),
            content: Blob::from_bytes(bytes),
            lfs: false,
            xet: false,
        }
    }

    /// An LFS file held in memory.
    pub fn lfs(path: &str, bytes: impl Into<Vec<u8>>) -> HfFile {
        HfFile {
            path: path.to_string(),
            content: Blob::from_bytes(bytes),
            lfs: true,
            xet: false,
        }
    }

    /// A Xet-backed LFS file held in memory.
    pub fn xet(path: &str, bytes: impl Into<Vec<u8>>) -> HfFile {
        HfFile {
            xet: true,
            ..HfFile::lfs(path, bytes)
        }
    }

    /// A file with the given content and storage kind.
    pub fn new(path: &str, content: Blob, lfs: bool) -> HfFile {
        HfFile {
            path: path.to_string(),
            content,
            lfs,
            xet: false,
        }
    }
}

/// Builder for a Hugging Face repo (a dataset, a model or a Space), registered with
/// [`crate::FakeHub::add_hf_repo`].
#[derive(Clone, Debug)]
pub struct HfRepo {
    pub(crate) id: String,
    pub(crate) kind: HfRepoType,
    pub(crate) meta: KindMeta,
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
    /// A public, ungated **dataset** repo `owner/name` (or a canonical `name`) with no files yet.
    pub fn new(id: &str) -> HfRepo {
        HfRepo {
            id: id.to_string(),
            kind: HfRepoType::Dataset,
            meta: KindMeta::default(),
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

    /// A public, ungated **model** repo `owner/name` (or a canonical `name`), served under
    /// `/api/models/…` with its files at `/{id}/resolve/…`.
    pub fn model(id: &str) -> HfRepo {
        HfRepo::new(id).kind(HfRepoType::Model)
    }

    /// A public, ungated **Space** `owner/name`, served under `/api/spaces/…` with its files at
    /// `/spaces/{id}/resolve/…`. Its `sdk` defaults to `gradio` and its runtime stage to `RUNNING`.
    pub fn space(id: &str) -> HfRepo {
        HfRepo::new(id).kind(HfRepoType::Space)
    }

    /// Sets the repo type ([`HfRepo::new`] makes a dataset).
    pub fn kind(mut self, kind: HfRepoType) -> Self {
        self.kind = kind;
        self
    }

    /// Model `pipeline_tag`, e.g. `text-classification` (the `pipeline_tag` search filter
    /// matches it).
    pub fn pipeline_tag(mut self, tag: &str) -> Self {
        self.meta.pipeline_tag = Some(tag.to_string());
        self
    }

    /// Model `library_name`, e.g. `transformers`.
    pub fn library_name(mut self, name: &str) -> Self {
        self.meta.library_name = Some(name.to_string());
        self
    }

    /// Model `config`, as a JSON object text (e.g. `{"model_type":"bert"}`).
    ///
    /// # Panics
    /// If `json` is not valid JSON.
    pub fn config(mut self, json: &str) -> Self {
        self.meta.config = Some(
            serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("fakehub: model config is not JSON ({e}): {json:?}")),
        );
        self
    }

    /// Model `safetensors`: parameter counts per dtype, e.g. `&[("F32", 109_482_240)]`;
    /// `total` is their sum.
    pub fn safetensors(mut self, params: &[(&str, u64)]) -> Self {
        self.meta.safetensors = params.iter().map(|(d, n)| (d.to_string(), *n)).collect();
        self
    }

    /// Space `sdk`: `gradio` (default), `streamlit`, `docker` or `static`.
    pub fn sdk(mut self, sdk: &str) -> Self {
        self.meta.sdk = Some(sdk.to_string());
        self
    }

    /// Space runtime `stage`, e.g. `RUNNING` (default), `SLEEPING`, `BUILDING`.
    pub fn space_stage(mut self, stage: &str) -> Self {
        self.meta.stage = Some(stage.to_string());
        self
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

    /// Adds a Xet-backed LFS file (chunked into xorbs when the repo is added).
    pub fn xet_file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push(HfFile::xet(path, bytes));
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

/// What only some repo types have: model and Space metadata.
#[derive(Clone, Debug, Default)]
pub(crate) struct KindMeta {
    pub(crate) pipeline_tag: Option<String>,
    pub(crate) library_name: Option<String>,
    pub(crate) config: Option<serde_json::Value>,
    pub(crate) safetensors: Vec<(String, u64)>,
    pub(crate) sdk: Option<String>,
    pub(crate) stage: Option<String>,
}
