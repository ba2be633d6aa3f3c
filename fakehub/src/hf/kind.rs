//! Repo types (dataset, model, space): their URL prefixes, the fields `expand` may name, and the
//! default field sets of info and list answers, which differ per type (kinds.md).

/// The type of a Hugging Face repo. The type is part of a repo's identity: a model and a dataset
/// may share an id, as on the Hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HfRepoType {
    /// A dataset repo: `/api/datasets/…`, files at `/datasets/{id}/resolve/…`.
    Dataset,
    /// A model repo: `/api/models/…`, files at `/{id}/resolve/…` (no prefix).
    Model,
    /// A Space: `/api/spaces/…`, files at `/spaces/{id}/resolve/…`.
    Space,
}

/// First segments a model id may not start with: they name other routes (or the Hub's own
/// pages), so no such model is reachable at `/{id}/resolve/…`.
pub(crate) const RESERVED: &[&str] = &["api", "datasets", "spaces", "models", "v1"];

impl HfRepoType {
    /// `datasets`, `models` or `spaces`: the segment after `/api/`.
    pub fn plural(self) -> &'static str {
        match self {
            HfRepoType::Dataset => "datasets",
            HfRepoType::Model => "models",
            HfRepoType::Space => "spaces",
        }
    }

    /// `dataset`, `model` or `space`, as error messages name the type.
    pub(crate) fn singular(self) -> &'static str {
        match self {
            HfRepoType::Dataset => "dataset",
            HfRepoType::Model => "model",
            HfRepoType::Space => "space",
        }
    }

    /// The prefix of file and web URLs: `datasets/`, `` (models) or `spaces/`.
    pub(crate) fn url_prefix(self) -> &'static str {
        match self {
            HfRepoType::Dataset => "datasets/",
            HfRepoType::Model => "",
            HfRepoType::Space => "spaces/",
        }
    }

    /// The type from `datasets`, `models` or `spaces`.
    pub(crate) fn from_plural(s: &str) -> Option<HfRepoType> {
        match s {
            "datasets" => Some(HfRepoType::Dataset),
            "models" => Some(HfRepoType::Model),
            "spaces" => Some(HfRepoType::Space),
            _ => None,
        }
    }

    /// Splits a fixture key into its type and id: `models/o/n` and `spaces/o/n` name a model
    /// and a Space, `datasets/o/n` and a bare `o/n` a dataset.
    pub(crate) fn parse_key(key: &str) -> (HfRepoType, &str) {
        if let Some((p, rest)) = key.split_once('/')
            && let Some(t) = HfRepoType::from_plural(p)
            && !rest.is_empty()
        {
            return (t, rest);
        }
        (HfRepoType::Dataset, key)
    }

    /// The names `expand` accepts for this type (huggingface_hub's `Expand*Property_T`, plus
    /// `xetEnabled` that hh 0.36 sent).
    pub(crate) fn expandable(self) -> &'static [&'static str] {
        match self {
            HfRepoType::Dataset => &[
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
            ],
            HfRepoType::Model => &[
                "author",
                "baseModels",
                "cardData",
                "childrenModelCount",
                "config",
                "createdAt",
                "disabled",
                "downloads",
                "downloadsAllTime",
                "evalResults",
                "gated",
                "gguf",
                "inference",
                "inferenceProviderMapping",
                "lastModified",
                "library_name",
                "likes",
                "mask_token",
                "model-index",
                "pipeline_tag",
                "private",
                "resourceGroup",
                "safetensors",
                "sha",
                "siblings",
                "spaces",
                "tags",
                "transformersInfo",
                "trendingScore",
                "usedStorage",
                "widgetData",
                "xetEnabled",
            ],
            HfRepoType::Space => &[
                "author",
                "cardData",
                "createdAt",
                "datasets",
                "disabled",
                "lastModified",
                "likes",
                "models",
                "private",
                "region",
                "resourceGroup",
                "runtime",
                "sdk",
                "sha",
                "siblings",
                "subdomain",
                "tags",
                "trendingScore",
                "usedStorage",
                "xetEnabled",
            ],
        }
    }

    /// The fields of a search item when nothing is expanded.
    pub(crate) fn list_default(self) -> &'static [&'static str] {
        match self {
            HfRepoType::Dataset => &[
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
            ],
            HfRepoType::Model => &[
                "likes",
                "trendingScore",
                "private",
                "downloads",
                "tags",
                "pipeline_tag",
                "library_name",
                "createdAt",
                "modelId",
            ],
            HfRepoType::Space => &[
                "likes",
                "trendingScore",
                "private",
                "sdk",
                "tags",
                "createdAt",
            ],
        }
    }

    /// The fields of a repo info answer when nothing is expanded.
    pub(crate) fn info_default(self) -> &'static [&'static str] {
        match self {
            HfRepoType::Dataset => &[
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
            ],
            HfRepoType::Model => &[
                "modelId",
                "author",
                "sha",
                "lastModified",
                "private",
                "disabled",
                "gated",
                "pipeline_tag",
                "library_name",
                "tags",
                "downloads",
                "likes",
                "config",
                "cardData",
                "siblings",
                "spaces",
                "createdAt",
                "safetensors",
                "usedStorage",
            ],
            HfRepoType::Space => &[
                "author",
                "sha",
                "lastModified",
                "private",
                "gated",
                "disabled",
                "host",
                "subdomain",
                "likes",
                "sdk",
                "tags",
                "runtime",
                "cardData",
                "siblings",
                "createdAt",
                "usedStorage",
                "models",
                "datasets",
            ],
        }
    }

    /// Fields kept as `null` when absent (the others are left out).
    pub(crate) fn keeps_null(self, field: &str) -> bool {
        match self {
            HfRepoType::Dataset => matches!(
                field,
                "paperswithcode_id" | "resourceGroup" | "citation" | "description" | "author"
            ),
            HfRepoType::Model | HfRepoType::Space => matches!(field, "resourceGroup" | "author"),
        }
    }
}
