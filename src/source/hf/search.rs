//! Hub search: `GET /api/datasets?search=…` (`/api/models`, `/api/spaces`) with the `expand=`
//! fields each type takes (huggingface_hub `hf_api.py` `ExpandDatasetProperty_T`,
//! `ExpandModelProperty_T`, `ExpandSpaceProperty_T`), following `Link: rel="next"` until the
//! limit; filters the Hub cannot apply are applied here.

use reqwest::Url;

use super::api::HfClient;
use crate::error::{Hub, Result};
use crate::http::{self, HttpFailure, Request, endpoint_join, quote};
use crate::id::RepoKind;
use crate::sanitize::for_terminal;
use crate::source::search::{Hit, Query, SearchKind, SortBy, short, size_ok};

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
    /// Models: the task (`text-classification`).
    #[serde(rename = "pipeline_tag")]
    pipeline_tag: Option<String>,
    /// Spaces: `gradio`, `streamlit`, `docker`, `static`.
    sdk: Option<String>,
}

/// Searches the Hub.
pub(crate) async fn search(client: &HfClient<'_>, q: &Query) -> Result<Vec<Hit>> {
    let kind = repo_kind(q.kind);
    let mut url = search_url(&client.endpoint, q, kind)?;
    let errors = client.errors(kind, &format!("search {:?}", q.text), "main");
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
            let f = HttpFailure::from_reply(&reply, &http::origin_of(&req.url), "search");
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
        hits.extend(
            items
                .into_iter()
                .filter_map(|it| hit_of(it, q, kind, &base)),
        );
        match next {
            Some(n) if hits.len() < q.limit && got > 0 && pages < 1000 => url = n,
            _ => break,
        }
    }
    hits.truncate(q.limit);
    Ok(hits)
}

/// The repo type searched for a kind the Hub has.
fn repo_kind(kind: SearchKind) -> RepoKind {
    match kind {
        SearchKind::Model => RepoKind::Model,
        SearchKind::Space => RepoKind::Space,
        SearchKind::Dataset | SearchKind::Competition => RepoKind::Dataset,
    }
}

/// The fields a result page carries, per type: only names the Hub accepts for that type (an
/// unknown `expand` is a 400).
fn expand_fields(kind: RepoKind) -> &'static [&'static str] {
    match kind {
        RepoKind::Dataset => &[
            "author",
            "cardData",
            "description",
            "downloads",
            "lastModified",
            "likes",
            "private",
            "tags",
            "usedStorage",
        ],
        RepoKind::Model => &[
            "author",
            "cardData",
            "downloads",
            "lastModified",
            "likes",
            "pipeline_tag",
            "private",
            "tags",
            "usedStorage",
        ],
        RepoKind::Space => &[
            "author",
            "cardData",
            "lastModified",
            "likes",
            "private",
            "sdk",
            "tags",
            "usedStorage",
        ],
    }
}

/// The URL of the first result page: the text, sort, the filters the Hub applies itself, and
/// the fields hits are made of.
fn search_url(endpoint: &Url, q: &Query, kind: RepoKind) -> Result<Url> {
    let sort = match q.sort {
        // Spaces have no download count: the closest ranking is likes.
        SortBy::Downloads if kind == RepoKind::Space => "likes",
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
        && !crate::source::kaggle::search::is_license_group(l)
    {
        filters.push(format!("license:{}", l.to_ascii_lowercase()));
    }
    for f in &filters {
        query.push_str(&format!("&filter={}", quote(f, false)));
    }
    for e in expand_fields(kind) {
        query.push_str(&format!("&expand={e}"));
    }
    endpoint_join(endpoint, &format!("/api/{}?{query}", kind.plural()))
}

/// A repo of a result page as a hit (its page under `base`), unless its id is none we could
/// download or it fails a filter the Hub could not apply (size, license group).
fn hit_of(it: HfItem, q: &Query, kind: RepoKind, base: &str) -> Option<Hit> {
    if crate::id::parse_hf_as(&it.id, kind).is_err() {
        return None; // an id we could not download is not worth showing
    }
    let title = it
        .card_data
        .as_ref()
        .and_then(|c| c.get("pretty_name").or_else(|| c.get("title")))
        .and_then(|v| v.as_str())
        .map(|t| short(t, 200))
        .unwrap_or_else(|| it.id.rsplit('/').next().unwrap_or(&it.id).to_string());
    if !size_ok(q, it.used_storage)
        || q.license
            .as_deref()
            .is_some_and(|l| !license_matches(l, &it.tags))
    {
        return None;
    }
    let (prefix, page) = match kind {
        RepoKind::Dataset => (String::new(), format!("{base}/datasets/{}", it.id)),
        RepoKind::Model => ("models/".to_string(), format!("{base}/{}", it.id)),
        RepoKind::Space => ("spaces/".to_string(), format!("{base}/spaces/{}", it.id)),
    };
    Some(Hit {
        reference: format!("hf:{prefix}{}", it.id),
        kind: q.kind,
        url: page,
        id: it.id,
        title,
        source: Hub::HuggingFace,
        downloads: it.downloads,
        likes: it.likes,
        size_bytes: it.used_storage,
        updated: it.last_modified,
        tags: it.tags.iter().map(|t| for_terminal(t)).collect(),
        description: it
            .description
            .as_deref()
            .or(it.pipeline_tag.as_deref())
            .or(it.sdk.as_deref())
            .map(|d| short(d, 300))
            .filter(|d| !d.is_empty()),
    })
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
pub(crate) fn license_matches(license: &str, tags: &[String]) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
                assert!(license_matches(group, &tags(l)), "{group} {l}");
            }
            for l in no {
                assert!(!license_matches(group, &tags(l)), "{group} {l}");
            }
        }
        assert!(!license_matches("cc", &["format:csv".to_string()]));
        assert!(license_matches("all", &[]));
    }
}
