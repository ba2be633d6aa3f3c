//! Kaggle search beyond datasets: `ListModels` (one hit per framework and variation, since a
//! download names one) and `ListCompetitions`. Fields and enums as kagglesdk 0.1.38 declares them
//! (`models/types/model_api_service.py` `ApiListModelsRequest`, `ApiModel`, `ApiModelInstance`;
//! `models/types/model_enums.py` `ListModelsOrderBy`; `competitions/types/
//! competition_api_service.py` `ApiListCompetitionsRequest`, `ApiCompetition`;
//! `competitions/types/competition_enums.py` `CompetitionSortBy`).

use serde::Deserialize;
use serde_json::json;

use super::api::{ApiTag, KaggleClient, Service};
use super::search::{pages, tag_name};
use crate::error::{Hub, Result};
use crate::id::{DatasetId, framework_handle, parse_kaggle_ref};
use crate::source::search::{Hit, Query, SearchKind, SortBy, short};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ListModels {
    models: Vec<ApiModel>,
    next_page_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ApiModel {
    #[serde(rename = "ref")]
    reference: String,
    title: String,
    subtitle: String,
    author: String,
    slug: String,
    instances: Vec<ApiInstance>,
    tags: Vec<ApiTag>,
    vote_count: Option<u64>,
    update_time: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ApiInstance {
    slug: String,
    framework: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ListCompetitions {
    competitions: Vec<ApiCompetition>,
    next_page_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ApiCompetition {
    #[serde(rename = "ref")]
    reference: String,
    title: Option<String>,
    url: Option<String>,
    description: Option<String>,
    category: Option<String>,
    reward: Option<String>,
    tags: Vec<ApiTag>,
    deadline: Option<String>,
    date_created: Option<String>,
}

/// Searches Kaggle models: one hit per instance (framework and variation).
pub(super) async fn models(client: &KaggleClient<'_>, q: &Query) -> Result<Vec<Hit>> {
    let sort = match q.sort {
        SortBy::Downloads => "LIST_MODELS_ORDER_BY_DOWNLOAD_COUNT",
        SortBy::Likes => "LIST_MODELS_ORDER_BY_VOTE_COUNT",
        SortBy::Updated => "LIST_MODELS_ORDER_BY_UPDATE_TIME",
    };
    let mut body = json!({"search": q.text, "sortBy": sort, "pageSize": q.limit.clamp(1, 50)});
    if let Some(a) = &q.author {
        body["owner"] = json!(a);
    }
    pages(
        client,
        (Service::Models, "ListModels"),
        body,
        q,
        |r: ListModels| {
            let hits = r
                .models
                .into_iter()
                .flat_map(|m| model_hits(m, q))
                .collect();
            (hits, r.next_page_token)
        },
    )
    .await
}

/// Searches Kaggle competitions (the list the kaggle CLI shows: the general group).
pub(super) async fn competitions(client: &KaggleClient<'_>, q: &Query) -> Result<Vec<Hit>> {
    let sort = match q.sort {
        SortBy::Downloads | SortBy::Likes => "COMPETITION_SORT_BY_NUMBER_OF_TEAMS",
        SortBy::Updated => "COMPETITION_SORT_BY_RECENTLY_CREATED",
    };
    let body = json!({"search": q.text, "sortBy": sort, "pageSize": q.limit.clamp(1, 100)});
    pages(
        client,
        (Service::Competitions, "ListCompetitions"),
        body,
        q,
        |r: ListCompetitions| {
            let hits = r
                .competitions
                .into_iter()
                .map(|c| competition_hit(c, q))
                .collect();
            (hits, r.next_page_token)
        },
    )
    .await
}

/// Whether hits with these tags pass `--tag` (every tag asked for, by reference or name; Kaggle
/// filters datasets by tag itself, but not models or competitions).
fn tags_match(q: &Query, tags: &[ApiTag]) -> bool {
    q.tags.iter().all(|want| {
        tags.iter()
            .any(|t| t.reference.eq_ignore_ascii_case(want) || t.name.eq_ignore_ascii_case(want))
    })
}

fn model_hits(m: ApiModel, q: &Query) -> Vec<Option<Hit>> {
    if !tags_match(q, &m.tags) {
        return vec![None];
    }
    let (owner, slug) = match m.reference.split_once('/') {
        Some((o, s)) => (o.to_string(), s.to_string()),
        None => (m.author.clone(), m.slug.clone()),
    };
    let title = if m.title.is_empty() { &slug } else { &m.title };
    let mut hits: Vec<Option<Hit>> = m
        .instances
        .iter()
        .map(|i| {
            let framework = framework_handle(&i.framework)?;
            let handle = format!("{owner}/{slug}/{framework}/{}", i.slug);
            let DatasetId::KaggleModel(id) = parse_kaggle_ref(&format!("models/{handle}")).ok()?
            else {
                return None;
            };
            Some(Hit {
                reference: format!("kaggle:models/{}", id.handle()),
                kind: SearchKind::Model,
                url: format!("https://www.kaggle.com/models/{}", id.handle()),
                id: id.handle(),
                title: short(&format!("{title} ({framework}, {})", i.slug), 200),
                source: Hub::Kaggle,
                downloads: None,
                likes: m.vote_count,
                size_bytes: None,
                updated: m.update_time.clone(),
                tags: m
                    .tags
                    .iter()
                    .map(|t| tag_name(&t.name, &t.reference))
                    .collect(),
                description: Some(short(&m.subtitle, 300)).filter(|d| !d.is_empty()),
            })
        })
        .collect();
    if hits.is_empty() {
        hits.push(None); // a model without instances counts as a listed item, not a hit
    }
    hits
}

/// The competition a `ref` names: its name, or (newer answers) its URL.
fn competition_name(reference: &str) -> Option<String> {
    let parsed = if reference.contains("://") {
        parse_kaggle_ref(reference)
    } else {
        parse_kaggle_ref(&format!("competitions/{reference}"))
    };
    match parsed.ok()? {
        DatasetId::Competition(c) => Some(c.name),
        _ => None,
    }
}

fn competition_hit(c: ApiCompetition, q: &Query) -> Option<Hit> {
    if !tags_match(q, &c.tags) {
        return None;
    }
    let name =
        competition_name(&c.reference).or_else(|| c.url.as_deref().and_then(competition_name))?;
    let facts: Vec<String> = [
        c.category.clone(),
        c.reward.clone().filter(|r| !r.is_empty()),
        c.deadline
            .as_deref()
            .map(|d| format!("deadline {}", d.get(..10).unwrap_or(d))),
    ]
    .into_iter()
    .flatten()
    .collect();
    let description = match c.description.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => format!("{}: {d}", facts.join(", ")),
        None => facts.join(", "),
    };
    Some(Hit {
        reference: format!("kaggle:competitions/{name}"),
        kind: SearchKind::Competition,
        url: format!("https://www.kaggle.com/competitions/{name}"),
        title: short(c.title.as_deref().unwrap_or(&name), 200),
        id: format!("competitions/{name}"),
        source: Hub::Kaggle,
        downloads: None,
        likes: None,
        size_bytes: None,
        updated: c.date_created,
        tags: c
            .tags
            .iter()
            .map(|t| tag_name(&t.name, &t.reference))
            .collect(),
        description: Some(short(&description, 300)).filter(|d| !d.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_names_round_trip() {
        for (e, h) in [
            ("MODEL_FRAMEWORK_PY_TORCH", "pyTorch"),
            ("MODEL_FRAMEWORK_TENSOR_FLOW_2", "tensorFlow2"),
            ("MODEL_FRAMEWORK_KERAS", "keras"),
            ("MODEL_FRAMEWORK_GEMMA_CPP", "gemmaCpp"),
        ] {
            assert_eq!(framework_handle(e).as_deref(), Some(h));
            assert_eq!(crate::id::framework_enum(h), Some(e));
        }
        assert_eq!(framework_handle("MODEL_FRAMEWORK_UNSPECIFIED"), None);
        assert_eq!(framework_handle("MODEL_FRAMEWORK_NO_SUCH"), None);
        assert_eq!(framework_handle("PY_TORCH"), None);
    }

    #[test]
    fn competition_refs_as_names_or_urls() {
        assert_eq!(competition_name("titanic").as_deref(), Some("titanic"));
        assert_eq!(
            competition_name("https://www.kaggle.com/competitions/titanic").as_deref(),
            Some("titanic")
        );
        assert_eq!(competition_name("../x"), None);
    }
}
