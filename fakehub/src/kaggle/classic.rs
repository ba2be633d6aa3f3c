//! The classic `GET /api/v1/datasets/...` routes, mapped onto the RPCs' handlers.

use serde_json::{Map, Value};

use super::access::KCaller;
use super::errors::kaggle_error;
use super::params::Body;
use super::state::KaggleState;
use crate::Ctx;
use crate::http::{Request, Response};
use crate::util::{parse_query, pct_decode};

impl KaggleState {
    /// Classic `GET /api/v1/datasets/...` routes (kaggle ≤ 1.6, kagglehub ≤ 0.3).
    pub(super) fn classic(&self, ctx: &Ctx, req: &Request, rest: &str) -> Response {
        if req.method != "GET" && req.method != "HEAD" {
            return kaggle_error(405, "Method not allowed");
        }
        let caller = self.caller(req);
        if let KCaller::Invalid = caller {
            return kaggle_error(401, "Unauthenticated");
        }
        let Some(q) = parse_query(req.query()) else {
            return kaggle_error(400, "Invalid query string");
        };
        let mut b = Map::new();
        for (k, v) in q {
            let k = match k.as_str() {
                "filetype" => "fileType".to_string(),
                "tagids" => "tagIds".to_string(),
                "dataset_version_number" => "datasetVersionNumber".to_string(),
                "file_name" => "fileName".to_string(),
                _ => k,
            };
            b.insert(k, Value::String(v));
        }
        let segs: Vec<String> = match rest.split('/').map(pct_decode).collect::<Option<Vec<_>>>() {
            Some(s) => s,
            None => return kaggle_error(400, "Invalid path"),
        };
        let with_slugs = |b: &mut Body| -> bool {
            if segs.len() < 3 || segs[1].is_empty() || segs[2].is_empty() {
                return false;
            }
            b.insert("ownerSlug".into(), Value::String(segs[1].clone()));
            b.insert("datasetSlug".into(), Value::String(segs[2].clone()));
            true
        };
        let op = segs.first().map(String::as_str).unwrap_or("");
        let result: Result<Value, Response> = match op {
            "list" if segs.len() == 1 => self
                .list_datasets(ctx, &caller, &b)
                .map(|v| v.get("datasets").cloned().unwrap_or(Value::Array(vec![]))),
            "list" if with_slugs(&mut b) && segs.len() == 3 => self.list_files(ctx, &caller, &b),
            "list-tree" if with_slugs(&mut b) && segs.len() == 3 => {
                self.list_tree(ctx, &caller, &b)
            }
            "view" if with_slugs(&mut b) && segs.len() == 3 => self
                .find_from_body(&b, &caller)
                .map(|ds| self.api_dataset(ds, true)),
            "metadata" if with_slugs(&mut b) && segs.len() == 3 => self.metadata(&caller, &b),
            "status" if with_slugs(&mut b) && segs.len() == 3 => self
                .find_from_body(&b, &caller)
                .map(|_| Value::String("ready".into())),
            "download" if with_slugs(&mut b) => {
                if segs.len() > 3 {
                    b.insert("fileName".into(), Value::String(segs[3..].join("/")));
                }
                return self.download(ctx, &caller, &b);
            }
            _ => Err(kaggle_error(404, "NotFound")),
        };
        match result {
            Ok(v) => Response::json(200, &v),
            Err(e) => e,
        }
    }
}
