//! `models.ModelApiService/ListModels`: the models (each with its instances) matching `search`
//! and `owner`, ordered by `sortBy`, paged by `pageToken`. Fields as kagglesdk 0.1.38 declares
//! them (`models/types/model_api_service.py`, `ApiListModelsRequest`, `ApiListModelsResponse`,
//! `ApiModel`; `models/types/model_enums.py`, `ListModelsOrderBy`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::access::KCaller;
use super::list::parse_enum;
use super::model_store::ModelState;
use super::params::{Body, get_str, page_of, paging};
use super::state::KaggleState;
use crate::http::Response;
use crate::util::iso8601;

/// `ListModelsOrderBy` without its `LIST_MODELS_ORDER_BY_` prefix, in enum order.
const ORDERS: &[&str] = &[
    "UNSPECIFIED",
    "HOTNESS",
    "DOWNLOAD_COUNT",
    "VOTE_COUNT",
    "NOTEBOOK_COUNT",
    "PUBLISH_TIME",
    "CREATE_TIME",
    "UPDATE_TIME",
    "VIEW_TIME_DESC",
];

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_ascii_lowercase()
        .contains(&needle.to_ascii_lowercase())
}

impl KaggleState {
    /// `ListModels`: models visible to the caller (private ones only to their owner).
    pub(super) fn list_models(&self, caller: &KCaller, b: &Body) -> Result<Value, Response> {
        let order = ORDERS[parse_enum(b.get("sortBy"), "LIST_MODELS_ORDER_BY_", ORDERS, "sortBy")?];
        let terms: Vec<String> = get_str(b, "search")?
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let owner = get_str(b, "owner")?.filter(|o| !o.is_empty());
        let (offset, size) = paging(b, 20, 50, false)?;
        // One model per owner/slug, its instances in key order (deterministic pages).
        let mut models: BTreeMap<(String, String), Vec<&ModelState>> = BTreeMap::new();
        for m in self.models.values() {
            let visible =
                !m.meta.private || matches!(caller, KCaller::User(u) if u == m.owner_user());
            if visible {
                models
                    .entry((m.meta.owner.clone(), m.meta.model.clone()))
                    .or_default()
                    .push(m);
            }
        }
        let mut list: Vec<((String, String), Vec<&ModelState>)> = models
            .into_iter()
            .filter(|((o, _), _)| owner.is_none_or(|w| o.eq_ignore_ascii_case(w)))
            .filter(|((o, s), _)| terms.iter().all(|t| contains_ci(s, t) || contains_ci(o, t)))
            .collect();
        for (_, instances) in &mut list {
            instances.sort_by_key(|m| m.id);
        }
        let updated = |ms: &[&ModelState]| ms.iter().map(|m| m.current().created_ms).max();
        let created = |ms: &[&ModelState]| ms.iter().map(|m| m.versions[0].created_ms).min();
        match order {
            "UPDATE_TIME" => list.sort_by_key(|(_, ms)| std::cmp::Reverse(updated(ms))),
            "PUBLISH_TIME" | "CREATE_TIME" => {
                list.sort_by_key(|(_, ms)| std::cmp::Reverse(created(ms)))
            }
            // No downloads, votes or views are modelled: key order.
            _ => {}
        }
        let (page, next) = page_of(&list, offset, size);
        let models: Vec<Value> = page
            .iter()
            .map(|((owner, slug), instances)| {
                json!({
                    "id": instances[0].id,
                    "ref": format!("{owner}/{slug}"),
                    "title": slug,
                    "subtitle": "",
                    "author": owner,
                    "slug": slug,
                    "isPrivate": instances.iter().any(|m| m.meta.private),
                    "description": "",
                    "instances": instances.iter().map(|m| Self::api_model_instance(m)).collect::<Vec<_>>(),
                    "tags": [],
                    "publishTime": created(instances).map(iso8601),
                    "provenanceSources": "",
                    "url": format!("https://www.kaggle.com/models/{owner}/{slug}"),
                    "modelVersionLinks": [],
                    "voteCount": 0,
                    "updateTime": updated(instances).map(iso8601),
                })
            })
            .collect();
        Ok(json!({"models": models, "nextPageToken": next, "totalResults": list.len()}))
    }
}
