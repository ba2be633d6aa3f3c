//! Kaggle search: the `ListDatasets` RPC (`ListModels`, `ListCompetitions` for the other kinds,
//! in [`super::search_kinds`]), following `nextPageToken` (or page numbers) until the limit,
//! with Kaggle's own sort, group, file-type, license and size filters.

use serde_json::json;

use super::api::{ApiDataset, KaggleClient, ListDatasetsResponse, Service};
use super::errors::Subject;
use crate::error::{Error, Hub, Result};
use crate::sanitize::for_terminal;
use crate::source::search::{Hit, Query, SearchKind, SortBy, short, size_ok};

pub(crate) fn kaggle_enum(prefix: &str, value: &str, allowed: &[(&str, &str)]) -> Result<String> {
    allowed
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(value))
        .map(|(_, v)| format!("{prefix}{v}"))
        .ok_or_else(|| {
            Error::usage(format!(
                "{value:?} is not one of {}",
                allowed
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

pub(crate) fn is_license_group(l: &str) -> bool {
    KAGGLE_LICENSES
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case(l))
}

pub(crate) const KAGGLE_FILE_TYPES: &[(&str, &str)] = &[
    ("all", "ALL"),
    ("csv", "CSV"),
    ("sqlite", "SQLITE"),
    ("json", "JSON"),
    ("bigQuery", "BIG_QUERY"),
    ("parquet", "PARQUET"),
];
pub(crate) const KAGGLE_LICENSES: &[(&str, &str)] = &[
    ("all", "ALL"),
    ("cc", "CC"),
    ("gpl", "GPL"),
    ("odb", "ODB"),
    ("other", "OTHER"),
];

/// Searches Kaggle for the query's kind.
pub(crate) async fn search(client: &KaggleClient<'_>, q: &Query) -> Result<Vec<Hit>> {
    match q.kind {
        SearchKind::Model => super::search_kinds::models(client, q).await,
        SearchKind::Competition => super::search_kinds::competitions(client, q).await,
        SearchKind::Dataset | SearchKind::Space => {
            let body = request_body(q)?;
            pages(
                client,
                (Service::Datasets, "ListDatasets"),
                body,
                q,
                |r: ListDatasetsResponse| {
                    let hits = r.datasets.into_iter().map(|d| hit_of(d, q)).collect();
                    (hits, r.next_page_token)
                },
            )
            .await
        }
    }
}

/// Calls a list RPC page after page, by `nextPageToken` (or, without one, by page number),
/// until `q.limit` hits or the end. `split` turns a page into its items (a hit each, `None`
/// for one that is left out) and the next token.
pub(super) async fn pages<P: serde::de::DeserializeOwned>(
    client: &KaggleClient<'_>,
    (service, method): (Service, &str),
    mut body: serde_json::Value,
    q: &Query,
    mut split: impl FnMut(P) -> (Vec<Option<Hit>>, Option<String>),
) -> Result<Vec<Hit>> {
    let mut hits = Vec::new();
    let mut page = 1u32;
    let mut seen_tokens = std::collections::HashSet::new();
    loop {
        let resp: P = client
            .call(
                service,
                method,
                body.clone(),
                &format!("Kaggle search {:?}", q.text),
                &Subject::Other("search".into()),
            )
            .await?;
        let (items, next) = split(resp);
        let got = items.len();
        hits.extend(items.into_iter().flatten());
        if hits.len() >= q.limit || got == 0 {
            break;
        }
        match next.filter(|t| !t.is_empty()) {
            Some(t) if seen_tokens.insert(t.clone()) => {
                body["pageToken"] = json!(t);
                body.as_object_mut().map(|o| o.remove("page"));
            }
            Some(_) => break,
            None => {
                // No token: page numbers (the other paging style the API offers).
                page += 1;
                if page > 500 || got < q.limit.clamp(1, 200) {
                    break;
                }
                body["page"] = json!(page);
            }
        }
    }
    hits.truncate(q.limit);
    Ok(hits)
}

/// The `ListDatasets` request for the first page: sort, text and Kaggle's own filters.
fn request_body(q: &Query) -> Result<serde_json::Value> {
    let sort = match q.sort {
        SortBy::Downloads => "DATASET_SORT_BY_DOWNLOAD_COUNT",
        SortBy::Likes => "DATASET_SORT_BY_VOTES",
        SortBy::Updated => "DATASET_SORT_BY_UPDATED",
    };
    let mut body = json!({"sortBy": sort, "search": q.text, "pageSize": q.limit.clamp(1, 200)});
    if let Some(a) = &q.author {
        body["group"] = json!("DATASET_SELECTION_GROUP_USER");
        body["user"] = json!(a);
    }
    if !q.tags.is_empty() {
        body["tagIds"] = json!(q.tags.join(","));
    }
    if let Some(ft) = &q.file_type {
        body["fileType"] = json!(kaggle_enum(
            "DATASET_FILE_TYPE_GROUP_",
            ft,
            KAGGLE_FILE_TYPES
        )?);
    }
    if let Some(l) = &q.license {
        body["license"] = json!(kaggle_enum("DATASET_LICENSE_GROUP_", l, KAGGLE_LICENSES)?);
    }
    if let Some(m) = q.min_size {
        body["minSize"] = json!(m);
    }
    if let Some(m) = q.max_size {
        body["maxSize"] = json!(m);
    }
    Ok(body)
}

/// A dataset of a result page as a hit, unless its reference is no id we could download or
/// its size is outside the asked range.
fn hit_of(d: ApiDataset, q: &Query) -> Option<Hit> {
    let id = crate::id::parse_kaggle(&d.reference).ok()?;
    let size = d.total_bytes;
    if size.is_some() && !size_ok(q, size) {
        return None;
    }
    Some(Hit {
        reference: format!("kaggle:{}", id.reference()),
        kind: SearchKind::Dataset,
        url: format!("https://www.kaggle.com/datasets/{}", id.reference()),
        id: id.reference(),
        title: short(&d.title, 200),
        source: Hub::Kaggle,
        downloads: d.download_count,
        likes: d.vote_count,
        size_bytes: size,
        updated: d.last_updated,
        tags: d
            .tags
            .iter()
            .map(|t| tag_name(&t.name, &t.reference))
            .collect(),
        description: d
            .subtitle
            .as_deref()
            .or(d.description.as_deref())
            .map(|s| short(s, 300))
            .filter(|s| !s.is_empty()),
    })
}

/// A tag as shown: its name, else its reference.
pub(super) fn tag_name(name: &str, reference: &str) -> String {
    for_terminal(if name.is_empty() { reference } else { name })
}
