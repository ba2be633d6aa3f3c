//! Identifiers of datasets and the other kinds of repository (HF models and spaces, Kaggle
//! competitions and models): parsing and validation of every form in DESIGN.md section 1.
//!
//! Ids are validated before any request is made: no `..`, no empty segment, no whitespace or
//! control characters. Anything that fits no accepted form is a usage error that lists the forms.

use crate::error::{Error, Hub, Result};

mod frameworks;
mod hf;
mod kaggle;
mod kinds;
#[cfg(test)]
mod tests;

pub use frameworks::{framework_enum, framework_handle};
pub use hf::{parse_hf, parse_hf_as};
pub use kaggle::parse_kaggle;
pub use kinds::{CompetitionId, KaggleModelId, RepoKind, parse_kaggle_ref};

/// A Hugging Face repository (dataset, model or space), optionally at a revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HfId {
    /// Dataset, model or space.
    pub kind: RepoKind,
    /// `owner/name`, or a canonical `name` without owner.
    pub repo: String,
    /// Branch, tag, commit or special ref, when one was given in the id.
    pub revision: Option<String>,
    /// A folder or file inside the repo named by a URL (`/tree/main/data`, `hf://…/data`).
    pub path: Option<String>,
}

impl HfId {
    /// The owner part, if the repo has one.
    pub fn owner(&self) -> Option<&str> {
        self.repo.split_once('/').map(|(o, _)| o)
    }

    /// The name part.
    pub fn name(&self) -> &str {
        self.repo.rsplit('/').next().unwrap_or(&self.repo)
    }

    /// The default folder under the download root: `OWNER_NAME` (or `NAME`) for a dataset,
    /// `models/OWNER_NAME` and `spaces/OWNER_NAME` for the other kinds (DESIGN §4).
    pub fn folder_name(&self) -> String {
        let name = self.repo.replace('/', "_");
        match self.kind {
            RepoKind::Dataset => name,
            k => format!("{}/{name}", k.plural()),
        }
    }
}

impl std::fmt::Display for HfId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A dataset is written bare, unless its owner reads as a kind (`datasets/models/x`).
        let ambiguous = self
            .owner()
            .is_some_and(|o| RepoKind::parse(o).is_some() && o.ends_with('s'));
        if self.kind != RepoKind::Dataset || ambiguous {
            write!(f, "{}/", self.kind.plural())?;
        }
        match &self.revision {
            Some(rev) => write!(f, "{}@{}", self.repo, rev),
            None => f.write_str(&self.repo),
        }
    }
}

/// A Kaggle dataset, optionally at a version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KaggleId {
    /// The owner (user or organisation) slug.
    pub owner: String,
    /// The dataset slug.
    pub slug: String,
    /// A pinned version number; `None` means the current version.
    pub version: Option<u32>,
}

impl KaggleId {
    /// `owner/slug`.
    pub fn reference(&self) -> String {
        format!("{}/{}", self.owner, self.slug)
    }
}

impl std::fmt::Display for KaggleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.version {
            Some(v) => write!(f, "{}/{}/versions/{}", self.owner, self.slug, v),
            None => write!(f, "{}/{}", self.owner, self.slug),
        }
    }
}

/// Something to download from either hub: a dataset, or another kind of repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DatasetId {
    /// A Kaggle dataset.
    Kaggle(KaggleId),
    /// A Hugging Face repo (dataset, model or space).
    Hf(HfId),
    /// A Kaggle competition's data.
    Competition(CompetitionId),
    /// A Kaggle model instance (kagglehub's handle).
    KaggleModel(KaggleModelId),
}

impl DatasetId {
    /// Which hub.
    pub fn source(&self) -> Hub {
        match self {
            DatasetId::Hf(_) => Hub::HuggingFace,
            DatasetId::Kaggle(_) | DatasetId::Competition(_) | DatasetId::KaggleModel(_) => {
                Hub::Kaggle
            }
        }
    }

    /// The default folder under the download root (DESIGN §4).
    pub fn folder_name(&self) -> String {
        match self {
            DatasetId::Hf(h) => h.folder_name(),
            DatasetId::Kaggle(k) => k.slug.clone(),
            DatasetId::Competition(c) => format!("competitions/{}", c.name),
            DatasetId::KaggleModel(m) => m.folder_name(),
        }
    }

    /// The id without hub prefix or revision, as reports name it: `OWNER/NAME` (an HF dataset),
    /// `models/OWNER/NAME`, `OWNER/SLUG`, `competitions/NAME`, `models/HANDLE`.
    pub fn reference(&self) -> String {
        match self {
            DatasetId::Hf(h) if h.kind == RepoKind::Dataset => h.repo.clone(),
            DatasetId::Hf(h) => format!("{}/{}", h.kind.plural(), h.repo),
            DatasetId::Kaggle(k) => k.reference(),
            DatasetId::Competition(c) => c.to_string(),
            DatasetId::KaggleModel(m) => m.to_string(),
        }
    }

    /// What it is, in a word (`dataset`, `model`, `space`, `competition`).
    pub fn kind_word(&self) -> &'static str {
        match self {
            DatasetId::Hf(h) => h.kind.singular(),
            DatasetId::Kaggle(_) => "dataset",
            DatasetId::Competition(_) => "competition",
            DatasetId::KaggleModel(_) => "model",
        }
    }
}

impl std::fmt::Display for DatasetId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatasetId::Kaggle(k) => write!(f, "kaggle:{k}"),
            DatasetId::Hf(h) => write!(f, "hf:{h}"),
            DatasetId::Competition(c) => write!(f, "kaggle:{c}"),
            DatasetId::KaggleModel(m) => write!(f, "kaggle:{m}"),
        }
    }
}

const HF_FORMS: &str = "OWNER/NAME, NAME, OWNER/NAME@REV, models/OWNER/NAME, spaces/OWNER/NAME, https://huggingface.co/[datasets/|spaces/]OWNER/NAME[/tree/REV], hf://[datasets/|spaces/]OWNER/NAME[@REV]";
const KAGGLE_FORMS: &str = "OWNER/SLUG, OWNER/SLUG/versions/N, OWNER/SLUG/N, competitions/NAME, models/OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION], https://www.kaggle.com/datasets/OWNER/SLUG[/versions/N], https://www.kaggle.com/competitions/NAME, https://www.kaggle.com/models/OWNER/MODEL/FRAMEWORK/VARIATION";

const HF_HOSTS: &[&str] = &["huggingface.co/", "www.huggingface.co/", "hf.co/"];
const KAGGLE_HOSTS: &[&str] = &["www.kaggle.com/", "kaggle.com/"];

fn bad(input: &str, source: Hub, reason: &str) -> Error {
    bad_hint(input, source, reason, None)
}

/// A refused id: the reason, the closest accepted form when there is one, and every form.
fn bad_hint(input: &str, source: Hub, reason: &str, hint: Option<String>) -> Error {
    let forms = match source {
        Hub::Kaggle => KAGGLE_FORMS,
        Hub::HuggingFace => HF_FORMS,
    };
    let clean = crate::sanitize::for_terminal;
    match hint {
        Some(h) => Error::usage(format!(
            "invalid {source} id {:?}: {reason}; did you mean {}? (accepted forms: {forms})",
            clean(input),
            clean(&h)
        )),
        None => Error::usage(format!(
            "invalid {source} id {:?}: {reason}; accepted forms: {forms}",
            clean(input)
        )),
    }
}

/// Checks one path segment of an id (owner, name, slug).
fn check_segment(seg: &str) -> std::result::Result<(), &'static str> {
    if seg.is_empty() {
        return Err("empty segment");
    }
    if seg == "." || seg == ".." {
        return Err("'.' and '..' are not allowed");
    }
    if seg.len() > 96 {
        return Err("segment longer than 96 characters");
    }
    if !seg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("only letters, digits, '-', '_' and '.' are allowed in owner and name");
    }
    Ok(())
}

fn check_common(input: &str, source: Hub, hint: Hint<'_>) -> Result<()> {
    if input.is_empty() {
        return Err(bad(input, source, "empty id"));
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        // Blanks around a pasted id are the usual cause.
        let trimmed = input.trim().to_string();
        return Err(bad_hint(
            input,
            source,
            "whitespace or control character",
            hint.check(input, trimmed),
        ));
    }
    Ok(())
}

/// Whether suggestions are computed, and how a suggestion is checked (it must be accepted).
#[derive(Clone, Copy)]
struct Hint<'a>(Option<&'a dyn Fn(&str) -> bool>);

impl Hint<'_> {
    /// `candidate`, when suggestions are on, it differs from `input` and it is accepted.
    fn check(&self, input: &str, candidate: String) -> Option<String> {
        let accepts = self.0?;
        (candidate != input && !candidate.is_empty() && accepts(&candidate)).then_some(candidate)
    }
}

/// Runs `parse` on `input` with suggestions on. A suggestion is offered only if `parse` accepts
/// it, checked with suggestions off so that checking one never suggests again.
fn with_suggestions<T>(input: &str, parse: fn(&str, Hint<'_>) -> Result<T>) -> Result<T> {
    let accepts = |c: &str| parse(c, Hint(None)).is_ok();
    parse(input, Hint(Some(&accepts)))
}

/// The path segments of a URL on one of `hosts` (the scheme may be left out, as when copied
/// from some address bars), without query, fragment and trailing slashes.
fn url_segments<'a>(input: &'a str, hosts: &[&str]) -> Option<Vec<&'a str>> {
    let rest = input
        .strip_prefix("https://")
        .or_else(|| input.strip_prefix("http://"))
        .unwrap_or(input);
    let path = hosts.iter().find_map(|h| rest.strip_prefix(h))?;
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path.trim_end_matches('/');
    Some(if path.is_empty() {
        Vec::new()
    } else {
        path.split('/').collect()
    })
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Parses an id for either hub: `kaggle:ID`, `hf:ID`, or a Kaggle / Hugging Face URL.
pub fn parse_any(input: &str) -> Result<DatasetId> {
    if input.starts_with("kaggle:") || url_segments(input, KAGGLE_HOSTS).is_some() {
        return parse_kaggle_ref(input);
    }
    if input.starts_with("hf:")
        || input.starts_with("hf://")
        || url_segments(input, HF_HOSTS).is_some()
    {
        return parse_hf(input).map(DatasetId::Hf);
    }
    // Either hub could be meant: show both prefixed forms when the id fits them.
    let trimmed = input.trim().trim_end_matches('/');
    let both: Vec<String> = [format!("hf:{trimmed}"), format!("kaggle:{trimmed}")]
        .into_iter()
        .filter(|c| parse_any(c).is_ok())
        .collect();
    let hint = if both.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", both.join(" or "))
    };
    Err(Error::usage_with(
        format!(
            "cannot tell which hub {:?} is on: prefix it with kaggle: or hf: (e.g. kaggle:OWNER/SLUG, hf:OWNER/NAME@REV), or pass a kaggle.com / huggingface.co URL{}",
            crate::sanitize::for_terminal(input),
            crate::sanitize::for_terminal(&hint)
        ),
        crate::error::Hint::NameTheHub,
    ))
}
