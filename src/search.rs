//! `search`: both hubs at once, each paginated until the limit, merged into one ranking.
//!
//! Hugging Face: `GET /api/datasets?search=…` following `Link: rel="next"`. Kaggle: the
//! `ListDatasets` RPC following `nextPageToken`. One source failing does not hide the other: its
//! error is returned next to the other's results.

use serde::Serialize;
use serde_json::json;

use crate::download::{endpoint_join, quote};
use crate::error::{Error, Result, Source};
use crate::hf::HfClient;
use crate::http::{self, Request};
use crate::kaggle::{KaggleClient, ListDatasetsResponse};
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

/// What to search for.
#[derive(Debug, Clone)]
pub struct Query {
    /// Free text.
    pub text: String,
    /// Which hubs.
    pub sources: Vec<Source>,
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
    /// `owner/name` or `owner/slug` (prefix it with `hf:` / `kaggle:` for `dsfetch download`).
    pub id: String,
    /// The id with its source prefix, ready for `dsfetch download` or a manifest.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Title (sanitised).
    pub title: String,
    /// `Kaggle` or `HuggingFace`.
    pub source: Source,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The merged results, and the error of any source that failed.
#[derive(Debug)]
pub struct Results {
    /// Hits, best first.
    pub hits: Vec<Hit>,
    /// Sources that failed, with their errors.
    pub failures: Vec<(Source, Error)>,
}

fn short(s: &str, n: usize) -> String {
    let clean = for_terminal(s);
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.chars().count() <= n {
        clean
    } else {
        format!("{}…", clean.chars().take(n - 1).collect::<String>())
    }
}

fn size_ok(q: &Query, size: Option<u64>) -> bool {
    match size {
        Some(s) => q.min_size.is_none_or(|m| s >= m) && q.max_size.is_none_or(|m| s <= m),
        None => q.min_size.is_none() && q.max_size.is_none(),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct HfItem {
    id: String,
    downloads: Option<u64>,
    likes: Option<u64>,
    last_modified: Option<String>,
    tags: Vec<String>,
    description: Option<String>,
    used_storage: Option<u64>,
    card_data: Option<serde_json::Value>,
}

/// Searches the Hub.
pub async fn search_hf(client: &HfClient<'_>, q: &Query) -> Result<Vec<Hit>> {
    let sort = match q.sort {
        SortBy::Downloads => "downloads",
        SortBy::Likes => "likes",
        SortBy::Updated => "lastModified",
    };
    let mut query = format!(
        "search={}&sort={sort}&limit={}",
        quote(&q.text, false),
        q.limit.clamp(1, 1000)
    );
    if let Some(a) = &q.author {
        query.push_str(&format!("&author={}", quote(a, false)));
    }
    let mut filters: Vec<String> = q.tags.clone();
    if let Some(ft) = &q.file_type {
        filters.push(format!("format:{}", ft.to_ascii_lowercase()));
    }
    // An exact license id is a Hub filter; a group (several ids) is matched on the tags below.
    if let Some(l) = &q.license
        && !is_license_group(l)
    {
        filters.push(format!("license:{}", l.to_ascii_lowercase()));
    }
    for f in &filters {
        query.push_str(&format!("&filter={}", quote(f, false)));
    }
    for e in [
        "author",
        "cardData",
        "description",
        "downloads",
        "lastModified",
        "likes",
        "private",
        "tags",
        "usedStorage",
    ] {
        query.push_str(&format!("&expand={e}"));
    }
    let mut url = endpoint_join(&client.endpoint, &format!("/api/datasets?{query}"))?;
    let errors = client.errors(&format!("search {:?}", q.text), "main");
    let mut hits = Vec::new();
    let base = client.endpoint.as_str().trim_end_matches('/').to_string();
    let mut pages = 0;
    loop {
        pages += 1;
        let req =
            Request::get(url.clone(), "Hugging Face search").auth(client.auth.credential.as_ref());
        let reply = client
            .http
            .call(&req, client.reporter, 32 << 20, true)
            .await?;
        if !reply.status.is_success() {
            let f =
                crate::http::HttpFailure::from_reply(&reply, &http::origin_of(&req.url), "search");
            return Err(crate::http::ErrorMap::map(&errors, &f));
        }
        let next = reply
            .headers
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| http::parse_link_next(v, &reply.url));
        let items: Vec<HfItem> = reply.json()?;
        let got = items.len();
        for it in items {
            if crate::id::parse_hf(&it.id).is_err() {
                continue; // an id we could not download is not worth showing
            }
            let title = it
                .card_data
                .as_ref()
                .and_then(|c| c.get("pretty_name"))
                .and_then(|v| v.as_str())
                .map(|t| short(t, 200))
                .unwrap_or_else(|| it.id.rsplit('/').next().unwrap_or(&it.id).to_string());
            if !size_ok(q, it.used_storage)
                || q.license
                    .as_deref()
                    .is_some_and(|l| !hf_license_matches(l, &it.tags))
            {
                continue;
            }
            hits.push(Hit {
                reference: format!("hf:{}", it.id),
                url: format!("{base}/datasets/{}", it.id),
                id: it.id,
                title,
                source: Source::HuggingFace,
                downloads: it.downloads,
                likes: it.likes,
                size_bytes: it.used_storage,
                updated: it.last_modified,
                tags: it.tags.iter().map(|t| for_terminal(t)).collect(),
                description: it
                    .description
                    .as_deref()
                    .map(|d| short(d, 300))
                    .filter(|d| !d.is_empty()),
            });
        }
        match next {
            Some(n) if hits.len() < q.limit && got > 0 && pages < 1000 => url = n,
            _ => break,
        }
    }
    hits.truncate(q.limit);
    Ok(hits)
}

fn kaggle_enum(prefix: &str, value: &str, allowed: &[(&str, &str)]) -> Result<String> {
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

fn is_license_group(l: &str) -> bool {
    KAGGLE_LICENSES
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case(l))
}

/// Creative Commons licenses on the Hub: `cc0-1.0`, `cc-by-4.0`, `cc-by-nc-sa-4.0`, ...
fn is_cc(l: &str) -> bool {
    l == "cc" || l.starts_with("cc0") || l.starts_with("cc-")
}

/// GNU licenses on the Hub: `gpl-3.0`, `lgpl-2.1`, `agpl-3.0`, ...
fn is_gpl(l: &str) -> bool {
    ["gpl", "lgpl", "agpl"]
        .iter()
        .any(|p| l == *p || l.strip_prefix(p).is_some_and(|r| r.starts_with('-')))
}

/// Open Data Commons licenses on the Hub: `odbl`, `odc-by`, `pddl`.
fn is_odb(l: &str) -> bool {
    l.starts_with("odbl") || l.starts_with("odc-") || l == "pddl"
}

/// Whether a Hub dataset with these tags passes `--license`: a group matches any of its
/// `license:` tags by family (`other`: a license tag outside cc, gpl and odb); an id matches
/// exactly. A dataset without a license tag passes only `all`.
pub fn hf_license_matches(license: &str, tags: &[String]) -> bool {
    let license = license.to_ascii_lowercase();
    let mut ids = tags
        .iter()
        .filter_map(|t| t.strip_prefix("license:"))
        .map(|l| l.to_ascii_lowercase());
    match license.as_str() {
        "all" => true,
        "cc" => ids.any(|l| is_cc(&l)),
        "gpl" => ids.any(|l| is_gpl(&l)),
        "odb" => ids.any(|l| is_odb(&l)),
        "other" => ids.any(|l| !is_cc(&l) && !is_gpl(&l) && !is_odb(&l)),
        id => ids.any(|l| l == id),
    }
}

/// Checks the filter values (file type, license, sizes) before any request.
pub fn validate_query(q: &Query) -> Result<()> {
    if let Some(ft) = &q.file_type {
        kaggle_enum("", ft, KAGGLE_FILE_TYPES)?;
    }
    if let Some(l) = &q.license
        && !is_license_group(l)
    {
        if q.sources.contains(&Source::Kaggle) {
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
        return Err(Error::usage("--min-size is larger than --max-size"));
    }
    Ok(())
}

const KAGGLE_FILE_TYPES: &[(&str, &str)] = &[
    ("all", "ALL"),
    ("csv", "CSV"),
    ("sqlite", "SQLITE"),
    ("json", "JSON"),
    ("bigQuery", "BIG_QUERY"),
    ("parquet", "PARQUET"),
];
const KAGGLE_LICENSES: &[(&str, &str)] = &[
    ("all", "ALL"),
    ("cc", "CC"),
    ("gpl", "GPL"),
    ("odb", "ODB"),
    ("other", "OTHER"),
];

/// Searches Kaggle.
pub async fn search_kaggle(client: &KaggleClient<'_>, q: &Query) -> Result<Vec<Hit>> {
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
    let mut hits = Vec::new();
    let mut page = 1u32;
    let mut seen_tokens = std::collections::HashSet::new();
    loop {
        let resp: ListDatasetsResponse = client
            .call(
                "ListDatasets",
                body.clone(),
                &format!("Kaggle search {:?}", q.text),
                "search",
            )
            .await?;
        let got = resp.datasets.len();
        for d in resp.datasets {
            let Ok(id) = crate::id::parse_kaggle(&d.reference) else {
                continue;
            };
            let size = d.total_bytes;
            if size.is_some() && !size_ok(q, size) {
                continue;
            }
            hits.push(Hit {
                reference: format!("kaggle:{}", id.reference()),
                url: format!("https://www.kaggle.com/datasets/{}", id.reference()),
                id: id.reference(),
                title: short(&d.title, 200),
                source: Source::Kaggle,
                downloads: d.download_count,
                likes: d.vote_count,
                size_bytes: size,
                updated: d.last_updated,
                tags: d
                    .tags
                    .iter()
                    .map(|t| {
                        for_terminal(if t.name.is_empty() {
                            &t.reference
                        } else {
                            &t.name
                        })
                    })
                    .collect(),
                description: d
                    .subtitle
                    .as_deref()
                    .or(d.description.as_deref())
                    .map(|s| short(s, 300))
                    .filter(|s| !s.is_empty()),
            });
        }
        if hits.len() >= q.limit || got == 0 {
            break;
        }
        match resp.next_page_token.filter(|t| !t.is_empty()) {
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

/// Orders hits by the sort key, best first (unknown values last), ties by id.
pub fn merge(mut hits: Vec<Hit>, sort: SortBy, limit: usize) -> Vec<Hit> {
    hits.sort_by(|a, b| {
        let ord = match sort {
            SortBy::Downloads => b.downloads.unwrap_or(0).cmp(&a.downloads.unwrap_or(0)),
            SortBy::Likes => b.likes.unwrap_or(0).cmp(&a.likes.unwrap_or(0)),
            SortBy::Updated => b
                .updated
                .as_deref()
                .unwrap_or("")
                .cmp(a.updated.as_deref().unwrap_or("")),
        };
        ord.then_with(|| a.reference.cmp(&b.reference))
    });
    hits.truncate(limit);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: &str, downloads: u64, updated: &str) -> Hit {
        Hit {
            id: id.into(),
            reference: format!("hf:{id}"),
            title: id.into(),
            source: Source::HuggingFace,
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
    fn license_groups_on_hub_tags() {
        let tags = |l: &str| vec!["format:csv".to_string(), format!("license:{l}")];
        for (group, yes, no) in [
            (
                "cc",
                &["cc0-1.0", "cc-by-4.0", "cc-by-nc-sa-4.0"][..],
                &["mit", "odbl"][..],
            ),
            (
                "gpl",
                &["gpl-3.0", "lgpl-2.1", "agpl-3.0", "gpl"],
                &["apache-2.0", "gplx"],
            ),
            ("odb", &["odbl", "odc-by", "pddl"], &["cc-by-4.0", "mit"]),
            (
                "other",
                &["mit", "apache-2.0", "openrail", "other"],
                &["cc0-1.0", "gpl-2.0", "odbl"],
            ),
            ("MIT", &["mit"], &["apache-2.0"]),
        ] {
            for l in yes {
                assert!(hf_license_matches(group, &tags(l)), "{group} {l}");
            }
            for l in no {
                assert!(!hf_license_matches(group, &tags(l)), "{group} {l}");
            }
        }
        assert!(!hf_license_matches("cc", &["format:csv".to_string()]));
        assert!(hf_license_matches("all", &[]));
    }

    #[test]
    fn short_sanitises_and_truncates() {
        assert_eq!(short("a\u{1b}[2Jb\n  c", 10), "ab c");
        assert_eq!(short("abcdefghijkl", 5), "abcd…");
    }
}
