//! Repo JSON: the fields `expand` may name, the default sets, and each field's value.

use serde_json::{Map, Value, json};

use super::errors::hf_error;
use super::state::{Commit, HfState, RepoState};
use crate::http::Response;
use crate::util::iso8601;

fn too_many_expand(v: &str) -> Response {
    hf_error(
        400,
        None,
        &format!(
            "\"expand\" must be one of {} (got {v:?})",
            EXPANDABLE.join(", ")
        ),
    )
}

const EXPANDABLE: &[&str] = &[
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
];

pub(super) const LIST_DEFAULT: &[&str] = &[
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
];

pub(super) const INFO_DEFAULT: &[&str] = &[
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
];

impl RepoState {
    fn gated_json(&self) -> Value {
        match &self.gated {
            None => Value::Bool(false),
            Some(m) => Value::String(m.clone()),
        }
    }

    fn card_data(&self) -> Value {
        let mut m = Map::new();
        for t in &self.tags {
            if let Some((k, v)) = t.split_once(':')
                && k != "region"
            {
                let e = m
                    .entry(k.to_string())
                    .or_insert_with(|| Value::Array(vec![]));
                if let Value::Array(a) = e {
                    a.push(Value::String(v.to_string()));
                }
            }
        }
        Value::Object(m)
    }
}

impl HfState {
    fn prop(&self, r: &RepoState, c: &Commit, name: &str, blobs: bool) -> Value {
        let size = c.size();
        match name {
            "author" => r.namespace.clone().map(Value::String).unwrap_or(Value::Null),
            "cardData" => r.card_data(),
            "citation" => r.citation.clone().map(Value::String).unwrap_or(Value::Null),
            "createdAt" => Value::String(iso8601(r.created_ms)),
            "description" => r
                .description
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
            "disabled" => Value::Bool(r.disabled),
            "downloads" => json!(r.downloads),
            "downloadsAllTime" => json!(r.downloads_all_time),
            "gated" => r.gated_json(),
            "lastModified" => Value::String(iso8601(r.last_modified_ms)),
            "likes" => json!(r.likes),
            "mainSize" | "usedStorage" => json!(size),
            "paperswithcode_id" | "resourceGroup" => Value::Null,
            "private" => Value::Bool(r.private),
            "sha" => Value::String(c.sha.clone()),
            "siblings" => Value::Array(
                c.files
                    .iter()
                    .map(|(p, e)| {
                        if blobs {
                            let mut o = json!({"rfilename": p, "blobId": e.oid, "size": e.size()});
                            if let Some(s) = &e.sha256 {
                                o["lfs"] = json!({"sha256": s, "size": e.size(), "pointerSize": e.pointer_size});
                            }
                            o
                        } else {
                            json!({ "rfilename": p })
                        }
                    })
                    .collect(),
            ),
            "tags" => json!(r.tags),
            "trendingScore" => json!(r.trending_score),
            "xetEnabled" => Value::Bool(false),
            _ => Value::Null,
        }
    }

    pub(super) fn item(&self, r: &RepoState, c: &Commit, props: &[&str], blobs: bool) -> Value {
        let mut m = Map::new();
        m.insert("_id".into(), Value::String(r.object_id.clone()));
        m.insert("id".into(), Value::String(r.id.clone()));
        for p in props {
            let v = self.prop(r, c, p, blobs);
            // Like the Hub, leave out absent optional fields unless explicitly expanded.
            if v.is_null()
                && !matches!(
                    *p,
                    "paperswithcode_id" | "resourceGroup" | "citation" | "description" | "author"
                )
            {
                continue;
            }
            m.insert((*p).to_string(), v);
        }
        Value::Object(m)
    }

    /// Reads `expand`/`expand[]` values; `Err` is the 400 for an unknown one.
    pub(super) fn expand_props(q: &[(String, String)]) -> Result<Vec<&str>, Response> {
        let mut out = Vec::new();
        for (k, v) in q {
            if k == "expand" || k == "expand[]" {
                match EXPANDABLE.iter().find(|e| **e == v) {
                    Some(e) => {
                        if !out.contains(e) {
                            out.push(*e);
                        }
                    }
                    None => return Err(too_many_expand(v)),
                }
            }
        }
        Ok(out)
    }
}
