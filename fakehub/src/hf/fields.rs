//! Repo JSON: each field's value (the field sets per type are in `kind`).

use serde_json::{Map, Value, json};

use super::errors::hf_error;
use super::kind::HfRepoType;
use super::state::{Commit, HfState, RepoState};
use crate::http::Response;
use crate::util::iso8601;

fn bad_expand(kind: HfRepoType, v: &str) -> Response {
    hf_error(
        400,
        None,
        &format!(
            "\"expand\" must be one of {} (got {v:?})",
            kind.expandable().join(", ")
        ),
    )
}

impl RepoState {
    /// A Space's host name, `owner-name.hf.space`.
    fn subdomain(&self) -> String {
        let slug: String = self
            .id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        format!("{slug}.hf.space")
    }

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
            _ => Self::kind_prop(r, name),
        }
    }

    /// The model and Space fields.
    fn kind_prop(r: &RepoState, name: &str) -> Value {
        let opt = |v: &Option<String>| v.clone().map(Value::String).unwrap_or(Value::Null);
        match name {
            "modelId" => Value::String(r.id.clone()),
            "pipeline_tag" => opt(&r.meta.pipeline_tag),
            "library_name" => opt(&r.meta.library_name),
            "config" => r.meta.config.clone().unwrap_or(Value::Null),
            "safetensors" if r.meta.safetensors.is_empty() => Value::Null,
            "safetensors" => {
                let params: Map<String, Value> = r
                    .meta
                    .safetensors
                    .iter()
                    .map(|(d, n)| (d.clone(), json!(n)))
                    .collect();
                let total: u64 = r.meta.safetensors.iter().map(|(_, n)| n).sum();
                json!({"parameters": params, "total": total})
            }
            "spaces" | "models" | "datasets" => json!([]),
            "sdk" => Value::String(r.meta.sdk.clone().unwrap_or_else(|| "gradio".into())),
            "runtime" => {
                let stage = r.meta.stage.clone().unwrap_or_else(|| "RUNNING".into());
                json!({"stage": stage, "hardware": {"current": "cpu-basic", "requested": "cpu-basic"},
                       "storage": null, "gcTimeout": 172800, "replicas": {"current": 1, "requested": 1},
                       "devMode": false, "domains": [{"domain": r.subdomain(), "stage": "READY"}]})
            }
            "subdomain" => Value::String(r.subdomain()),
            "host" => Value::String(format!("https://{}", r.subdomain())),
            "region" => Value::String("us".into()),
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
            if v.is_null() && !r.kind.keeps_null(p) {
                continue;
            }
            m.insert((*p).to_string(), v);
        }
        Value::Object(m)
    }

    /// Reads `expand`/`expand[]` values; `Err` is the 400 for an unknown one.
    pub(super) fn expand_props(
        kind: HfRepoType,
        q: &[(String, String)],
    ) -> Result<Vec<&'static str>, Response> {
        let mut out = Vec::new();
        for (k, v) in q {
            if k == "expand" || k == "expand[]" {
                match kind.expandable().iter().find(|e| **e == v) {
                    Some(e) => {
                        if !out.contains(e) {
                            out.push(*e);
                        }
                    }
                    None => return Err(bad_expand(kind, v)),
                }
            }
        }
        Ok(out)
    }
}
