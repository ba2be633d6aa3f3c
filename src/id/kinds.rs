//! The kinds beside datasets (protocol/kinds.md): the Hub's repo types, Kaggle competitions
//! (`competitions/NAME`, `/competitions/NAME`, `/c/NAME`) and Kaggle models (kagglehub's handle
//! `OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION]`).

use super::{
    DatasetId, Hint, KAGGLE_HOSTS, bad, bad_hint, check_common, check_segment, decode,
    url_segments, with_suggestions,
};
use crate::error::{Hub, Result};

/// The type of a Hugging Face repository: one protocol, different path prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum RepoKind {
    /// A dataset repo (`/api/datasets`, `/datasets/{id}/resolve`).
    #[default]
    Dataset,
    /// A model repo (`/api/models`, `/{id}/resolve`: no prefix).
    Model,
    /// A space (`/api/spaces`, `/spaces/{id}/resolve`).
    Space,
}

impl RepoKind {
    /// `datasets`, `models`, `spaces`: the API's path segment and the hf-cache folder prefix.
    pub fn plural(self) -> &'static str {
        match self {
            RepoKind::Dataset => "datasets",
            RepoKind::Model => "models",
            RepoKind::Space => "spaces",
        }
    }

    /// `dataset`, `model`, `space`.
    pub fn singular(self) -> &'static str {
        match self {
            RepoKind::Dataset => "dataset",
            RepoKind::Model => "model",
            RepoKind::Space => "space",
        }
    }

    /// The prefix of file URLs (`/datasets`, nothing for models, `/spaces`).
    pub fn resolve_prefix(self) -> &'static str {
        match self {
            RepoKind::Dataset => "/datasets",
            RepoKind::Model => "",
            RepoKind::Space => "/spaces",
        }
    }

    /// The kind named by `s` (`model`, `models`, `dataset`, ...), if any.
    pub fn parse(s: &str) -> Option<RepoKind> {
        match s {
            "dataset" | "datasets" => Some(RepoKind::Dataset),
            "model" | "models" => Some(RepoKind::Model),
            "space" | "spaces" => Some(RepoKind::Space),
            _ => None,
        }
    }
}

/// A Kaggle competition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompetitionId {
    /// The competition's name (`titanic`).
    pub name: String,
}

impl std::fmt::Display for CompetitionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "competitions/{}", self.name)
    }
}

/// A Kaggle model instance: kagglehub's handle `OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KaggleModelId {
    /// The owner (user or organisation) slug.
    pub owner: String,
    /// The model slug.
    pub model: String,
    /// The framework as users write it (`pyTorch`, `tensorFlow2`, `keras`, ...).
    pub framework: String,
    /// The variation (instance) slug.
    pub variation: String,
    /// A pinned version; `None` means the current one.
    pub version: Option<u32>,
}

impl KaggleModelId {
    /// `OWNER/MODEL/FRAMEWORK/VARIATION`, the handle without a version.
    pub fn handle(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.owner, self.model, self.framework, self.variation
        )
    }

    /// The framework as the API's enum reads back (`pytorch`, `PyTorch` → `pyTorch`), so that
    /// every spelling of one instance shares a folder and a record.
    pub fn canonical_framework(&self) -> String {
        super::framework_enum(&self.framework)
            .and_then(super::framework_handle)
            .unwrap_or_else(|| self.framework.clone())
    }

    /// The handle with the canonical framework spelling, without a version.
    pub fn canonical_handle(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.owner,
            self.model,
            self.canonical_framework(),
            self.variation
        )
    }

    /// The default folder: `models/OWNER_MODEL_FRAMEWORK_VARIATION` (DESIGN §4), with the
    /// canonical framework spelling.
    pub fn folder_name(&self) -> String {
        format!(
            "models/{}_{}_{}_{}",
            self.owner,
            self.model,
            self.canonical_framework(),
            self.variation
        )
    }
}

impl std::fmt::Display for KaggleModelId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "models/{}", self.handle())?;
        match self.version {
            Some(v) => write!(f, "/{v}"),
            None => Ok(()),
        }
    }
}

/// Parses anything on Kaggle: a competition (`competitions/NAME`, its URLs), a model
/// (`models/OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION]`, its URL) or a dataset (every form of
/// [`super::parse_kaggle`]). A `kaggle:` prefix is accepted too.
pub fn parse_kaggle_ref(input: &str) -> Result<DatasetId> {
    with_suggestions(input, parse_ref_with)
}

fn parse_ref_with(input: &str, hint: Hint<'_>) -> Result<DatasetId> {
    check_common(input, Hub::Kaggle, hint)?;
    let raw = input.strip_prefix("kaggle:").unwrap_or(input);
    let segs: Vec<&str> = match url_segments(raw, KAGGLE_HOSTS) {
        Some(s) => s,
        None => raw.trim_end_matches('/').split('/').collect(),
    };
    match segs.as_slice() {
        ["competitions" | "c", rest @ ..] => competition(input, rest, hint),
        ["models" | "m", rest @ ..] => model(input, rest, hint),
        // A kagglehub model handle given without `models/`: say so, rather than suggest the
        // dataset its first two parts would name.
        [_, _, f, _, ..] if segs.len() <= 5 && super::framework_enum(f).is_some() => {
            super::parse_kaggle(input)
                .map(DatasetId::Kaggle)
                .map_err(|_| {
                    bad_hint(
                        input,
                        Hub::Kaggle,
                        "a model handle needs the models/ prefix",
                        hint.check(input, format!("kaggle:models/{}", segs.join("/"))),
                    )
                })
        }
        _ => super::parse_kaggle(input).map(DatasetId::Kaggle),
    }
}

/// Tabs of a competition's page: the competition itself.
const COMPETITION_TABS: &[&str] = &[
    "data",
    "rules",
    "overview",
    "leaderboard",
    "discussion",
    "code",
    "submissions",
    "team",
    "host",
    "models",
];

fn competition(input: &str, segs: &[&str], hint: Hint<'_>) -> Result<DatasetId> {
    let src = Hub::Kaggle;
    let Some((name, tail)) = segs.split_first() else {
        return Err(bad(input, src, "the id names no competition"));
    };
    check_segment(name).map_err(|r| bad(input, src, r))?;
    if let Some(t) = tail.first()
        && !COMPETITION_TABS.contains(t)
    {
        return Err(bad_hint(
            input,
            src,
            &format!("unsupported competition page {:?}", decode(t)),
            hint.check(input, format!("kaggle:competitions/{name}")),
        ));
    }
    Ok(DatasetId::Competition(CompetitionId {
        name: name.to_string(),
    }))
}

fn model(input: &str, segs: &[&str], hint: Hint<'_>) -> Result<DatasetId> {
    let src = Hub::Kaggle;
    // The web's long form: OWNER/MODEL/frameworks/F/variations/V[/versions/N].
    let (owner, model, framework, variation, version) = match segs {
        [o, m, "frameworks", f, "variations", v, rest @ ..] => (*o, *m, *f, *v, version_of(rest)),
        [o, m, f, v, rest @ ..] => (*o, *m, *f, *v, version_of(rest)),
        _ => {
            return Err(bad(
                input,
                src,
                "a model is OWNER/MODEL/FRAMEWORK/VARIATION[/VERSION]",
            ));
        }
    };
    let version = match version {
        Ok(v) => v,
        Err(()) => {
            return Err(bad_hint(
                input,
                src,
                "the model version must be a positive whole number",
                hint.check(
                    input,
                    format!("kaggle:models/{owner}/{model}/{framework}/{variation}"),
                ),
            ));
        }
    };
    for s in [owner, model, framework, variation] {
        check_segment(s).map_err(|r| bad(input, src, r))?;
    }
    Ok(DatasetId::KaggleModel(KaggleModelId {
        owner: owner.to_string(),
        model: model.to_string(),
        framework: framework.to_string(),
        variation: variation.to_string(),
        version,
    }))
}

/// `[]`, `[N]` or `["versions", N]` after a model's variation.
fn version_of(rest: &[&str]) -> std::result::Result<Option<u32>, ()> {
    let text = match rest {
        [] => return Ok(None),
        [v] | ["versions", v] => v,
        _ => return Err(()),
    };
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(()),
    }
}
