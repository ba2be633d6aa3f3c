//! `search`: both hubs at once, each paginated until the limit, merged into one ranking.
//!
//! Hugging Face: `GET /api/datasets?search=…` (`/api/models`, `/api/spaces`) following
//! `Link: rel="next"` ([`super::hf::search`]). Kaggle: the `ListDatasets` RPC (`ListModels`,
//! `ListCompetitions`) following `nextPageToken` ([`super::kaggle::search`]). One hub failing
//! does not hide the other: its error is returned next to the other's results.

use serde::Serialize;

use super::Hubs;
use crate::error::{Error, Hub, Result};
use crate::progress::Event;
use crate::sanitize::for_terminal;

/// Sort order, mapped to each service's own sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Most downloaded first (HF `downloads`, Kaggle `DATASET_SORT_BY_DOWNLOAD_COUNT`).
    Downloads,
    /// Most liked / voted first (HF `likes`, Kaggle `DATASET_SORT_BY_VOTES`).
    Likes,
    /// Most recently updated first (HF `lastModified`, Kaggle `DATASET_SORT_BY_UPDATED`).
    Updated,
}

/// The kind of thing searched for; datasets by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    /// Datasets, on both hubs.
    #[default]
    Dataset,
    /// Hub models and Kaggle models (one hit per framework and variation).
    Model,
    /// Hub spaces.
    Space,
    /// Kaggle competitions.
    Competition,
}

impl SearchKind {
    /// The hubs that have this kind.
    pub fn hubs(self) -> &'static [Hub] {
        match self {
            SearchKind::Dataset | SearchKind::Model => &[Hub::Kaggle, Hub::HuggingFace],
            SearchKind::Space => &[Hub::HuggingFace],
            SearchKind::Competition => &[Hub::Kaggle],
        }
    }

    /// `datasets`, `models`, `spaces`, `competitions`.
    pub fn plural(self) -> &'static str {
        match self {
            SearchKind::Dataset => "datasets",
            SearchKind::Model => "models",
            SearchKind::Space => "spaces",
            SearchKind::Competition => "competitions",
        }
    }
}

/// What to search for.
#[derive(Debug, Clone)]
pub struct Query {
    /// Free text.
    pub text: String,
    /// Datasets, models, spaces or competitions.
    pub kind: SearchKind,
    /// Which hubs (those without the kind are left out).
    pub sources: Vec<Hub>,
    /// Most results in all.
    pub limit: usize,
    /// Ranking.
    pub sort: SortBy,
    /// HF author / Kaggle user.
    pub author: Option<String>,
    /// HF `filter` tags / Kaggle tag ids.
    pub tags: Vec<String>,
    /// Kaggle file type (`csv`, `sqlite`, `json`, `bigQuery`, `parquet`); on HF a `format:` tag.
    pub file_type: Option<String>,
    /// License: a group (`cc`, `gpl`, `odb`, `other`, `all`) on both hubs, or a Hugging Face
    /// license id (`mit`, `apache-2.0`) when only the Hub is searched.
    pub license: Option<String>,
    /// Smallest size in bytes.
    pub min_size: Option<u64>,
    /// Largest size in bytes.
    pub max_size: Option<u64>,
}

/// One search result (DESIGN.md section 6).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// `owner/name` or `owner/slug`, `competitions/NAME`, a Kaggle model's handle (`ref` is
    /// what `dsfetch download` takes).
    pub id: String,
    /// The id with its source prefix, ready for `dsfetch download` or a manifest.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Dataset, model, space or competition.
    pub kind: SearchKind,
    /// Title (sanitised).
    pub title: String,
    /// `Kaggle` or `HuggingFace`.
    pub source: Hub,
    /// The dataset's page.
    pub url: String,
    /// Downloads.
    pub downloads: Option<u64>,
    /// Likes (HF) or votes (Kaggle).
    pub likes: Option<u64>,
    /// Size in bytes, when known.
    pub size_bytes: Option<u64>,
    /// Last update, ISO 8601.
    pub updated: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Short description (sanitised, at most 300 characters).
    pub description: Option<String>,
}

/// The merged results, and the error of any source that failed.
#[derive(Debug)]
pub struct Results {
    /// Hits, best first.
    pub hits: Vec<Hit>,
    /// Sources that failed, with their errors.
    pub failures: Vec<(Hub, Error)>,
}

/// Searches every hub of the query at once; a hub that fails is reported in
/// [`Results::failures`] beside the other's hits. Fails only when every hub failed (with the
/// first one's error, the others in `failures`).
pub async fn search(hubs: &Hubs<'_>, q: &Query) -> Result<Results> {
    validate_query(q)?;
    let sources = searched(q)?;
    let hf = async {
        if !sources.contains(&Hub::HuggingFace) {
            return None;
        }
        Some(async { super::hf::search::search(&hubs.hf()?, q).await }.await)
    };
    let kaggle = async {
        if !sources.contains(&Hub::Kaggle) {
            return None;
        }
        Some(async { super::kaggle::search::search(&hubs.kaggle()?, q).await }.await)
    };
    let (k, h) = tokio::join!(kaggle, hf);
    let mut hits = Vec::new();
    let mut failures = Vec::new();
    for (hub, r) in [(Hub::Kaggle, k), (Hub::HuggingFace, h)] {
        match r {
            Some(Ok(v)) => hits.extend(v),
            Some(Err(e)) => failures.push((hub, e)),
            None => {}
        }
    }
    if failures.len() == sources.len() && !failures.is_empty() {
        // Every hub failed: the first one's error decides the exit; the others are reported.
        let (_, first) = failures.remove(0);
        for (hub, e) in failures {
            hubs.reporter
                .on_event(&Event::Warn(&format!("{hub} search failed too: {e}")));
        }
        return Err(first);
    }
    Ok(Results {
        hits: merge(hits, q.sort, q.limit),
        failures,
    })
}

pub(crate) fn short(s: &str, n: usize) -> String {
    let clean = for_terminal(s);
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.chars().count() <= n {
        clean
    } else {
        format!("{}…", clean.chars().take(n - 1).collect::<String>())
    }
}

pub(crate) fn size_ok(q: &Query, size: Option<u64>) -> bool {
    match size {
        Some(s) => q.min_size.is_none_or(|m| s >= m) && q.max_size.is_none_or(|m| s <= m),
        None => q.min_size.is_none() && q.max_size.is_none(),
    }
}

/// The hubs searched: those asked for that have the kind.
fn searched(q: &Query) -> Result<Vec<Hub>> {
    let hubs: Vec<Hub> = q
        .sources
        .iter()
        .copied()
        .filter(|h| q.kind.hubs().contains(h))
        .collect();
    if hubs.is_empty() {
        let only = q.kind.hubs().first().copied().unwrap_or(Hub::HuggingFace);
        return Err(Error::usage(format!(
            "{} are on {only} only: search them with --source {}",
            q.kind.plural(),
            match only {
                Hub::Kaggle => "kaggle",
                Hub::HuggingFace => "hf",
            }
        )));
    }
    Ok(hubs)
}

/// Filters that only datasets have on Kaggle: refused for other kinds when Kaggle is searched
/// (Kaggle's model and competition lists carry no file types, licenses or sizes to filter on).
fn check_kind_filters(q: &Query) -> Result<()> {
    if q.kind == SearchKind::Dataset {
        return Ok(());
    }
    if q.file_type.is_some() {
        return Err(Error::usage(format!(
            "--file-type applies to datasets, not to {}",
            q.kind.plural()
        )));
    }
    if q.kind == SearchKind::Competition && q.author.is_some() {
        return Err(Error::usage("--author does not apply to competitions"));
    }
    let kaggle = searched(q)?.contains(&Hub::Kaggle);
    if kaggle && (q.license.is_some() || q.min_size.is_some() || q.max_size.is_some()) {
        return Err(Error::usage(match q.kind {
            SearchKind::Model => "--license and the size filters apply to Kaggle datasets, not Kaggle models: add --source hf to filter Hub models".to_string(),
            k => format!("--license and the size filters do not apply to {}", k.plural()),
        }));
    }
    Ok(())
}

/// Checks the filter values (file type, license, sizes) before any request.
pub fn validate_query(q: &Query) -> Result<()> {
    searched(q)?;
    check_kind_filters(q)?;
    if let Some(ft) = &q.file_type {
        super::kaggle::search::kaggle_enum("", ft, super::kaggle::search::KAGGLE_FILE_TYPES)?;
    }
    if let Some(l) = &q.license
        && !super::kaggle::search::is_license_group(l)
    {
        if searched(q)?.contains(&Hub::Kaggle) {
            return Err(Error::usage(format!(
                "license {l:?} is not one of the groups all, cc, gpl, odb, other; a Hugging Face license id such as mit or apache-2.0 needs --source hf"
            )));
        }
        let id_like = !l.is_empty()
            && l.len() <= 64
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if !id_like {
            return Err(Error::usage(format!(
                "license {l:?} is neither a group (all, cc, gpl, odb, other) nor a Hugging Face license id such as mit or apache-2.0"
            )));
        }
    }
    if let (Some(a), Some(b)) = (q.min_size, q.max_size)
        && a > b
    {
        return Err(Error::usage(
            "the minimum size is larger than the maximum size",
        ));
    }
    Ok(())
}

/// Orders hits by the sort key, best first (unknown values last); ties keep each hub's own
/// order (a hub ranks by more than the key), then go by hub and reference.
pub fn merge(hits: Vec<Hit>, sort: SortBy, limit: usize) -> Vec<Hit> {
    let mut seen: std::collections::HashMap<Hub, usize> = std::collections::HashMap::new();
    let mut ranked: Vec<(usize, Hit)> = hits
        .into_iter()
        .map(|h| {
            let n = seen.entry(h.source).or_default();
            *n += 1;
            (*n, h)
        })
        .collect();
    ranked.sort_by(|(ra, a), (rb, b)| {
        let ord = match sort {
            SortBy::Downloads => b.downloads.unwrap_or(0).cmp(&a.downloads.unwrap_or(0)),
            SortBy::Likes => b.likes.unwrap_or(0).cmp(&a.likes.unwrap_or(0)),
            SortBy::Updated => b
                .updated
                .as_deref()
                .unwrap_or("")
                .cmp(a.updated.as_deref().unwrap_or("")),
        };
        ord.then(ra.cmp(rb))
            .then_with(|| a.source.to_string().cmp(&b.source.to_string()))
            .then_with(|| a.reference.cmp(&b.reference))
    });
    ranked.into_iter().map(|(_, h)| h).take(limit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: &str, downloads: u64, updated: &str) -> Hit {
        Hit {
            id: id.into(),
            reference: format!("hf:{id}"),
            kind: SearchKind::Dataset,
            title: id.into(),
            source: Hub::HuggingFace,
            url: String::new(),
            downloads: Some(downloads),
            likes: None,
            size_bytes: None,
            updated: Some(updated.into()),
            tags: vec![],
            description: None,
        }
    }

    #[test]
    fn merge_orders_and_limits() {
        let hits = vec![
            hit("a/a", 5, "2024-01-01"),
            hit("b/b", 50, "2023-01-01"),
            hit("c/c", 7, "2025-01-01"),
        ];
        let by_dl = merge(hits.clone(), SortBy::Downloads, 2);
        assert_eq!(
            by_dl.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            vec!["b/b", "c/c"]
        );
        let by_date = merge(hits, SortBy::Updated, 3);
        assert_eq!(by_date[0].id, "c/c");
    }

    #[test]
    fn short_sanitises_and_truncates() {
        assert_eq!(short("a\u{1b}[2Jb\n  c", 10), "ab c");
        assert_eq!(short("abcdefghijkl", 5), "abcd…");
    }
}
