//! The RPC routes, `POST /v1/<service>/<Method>` and `/api/v1/<service>/<Method>`, with the
//! auth RPCs (`Hello`, `IntrospectToken`); competition and model RPCs go to `competition_api`
//! and `model_api`.

use serde_json::{Map, Value, json};

use super::access::KCaller;
use super::errors::kaggle_error;
use super::params::Body;
use super::state::KaggleState;
use crate::Ctx;
use crate::http::{Request, Response};
use crate::util::now_ms;

impl KaggleState {
    /// Entry point for Kaggle routes on the API origin (paths under `/v1/` or `/api/v1/`).
    pub(crate) fn handle_api(&self, ctx: &Ctx, req: &Request) -> Response {
        let path = req.path();
        let rest = path
            .strip_prefix("/api/v1/")
            .or_else(|| path.strip_prefix("/v1/"))
            .unwrap_or("");
        if let Some((service, method)) = rest.split_once('/')
            && service.contains('.')
        {
            if req.method != "POST" {
                return kaggle_error(405, "Method not allowed");
            }
            let body: Body = if req.body.iter().all(u8::is_ascii_whitespace) {
                Map::new()
            } else {
                match serde_json::from_slice::<Value>(&req.body) {
                    Ok(Value::Object(m)) => m,
                    _ => return kaggle_error(400, "Invalid JSON request body"),
                }
            };
            return self.rpc(ctx, req, service, method, &body);
        }
        if let Some(rest) = path.strip_prefix("/api/v1/datasets/") {
            return self.classic(ctx, req, rest);
        }
        if let Some(rest) = path.strip_prefix("/api/v1/competitions/") {
            return self.competition_classic(ctx, req, rest);
        }
        kaggle_error(404, "NotFound")
    }

    fn rpc(&self, ctx: &Ctx, req: &Request, service: &str, method: &str, b: &Body) -> Response {
        if service == "security.OAuthService" && method == "IntrospectToken" {
            return self.introspect(b);
        }
        let caller = self.caller(req);
        if let KCaller::Invalid = caller {
            return kaggle_error(401, "Unauthenticated");
        }
        match service {
            "competitions.CompetitionApiService" => {
                return self.competition_rpc(ctx, &caller, method, b);
            }
            "models.ModelApiService" => return self.model_rpc(ctx, &caller, method, b),
            _ => {}
        }
        let r = match (service, method) {
            ("api.v1.DiagnosticsService", "Hello") => match &caller {
                KCaller::User(u) => Ok(json!({ "userName": u })),
                _ => Err(kaggle_error(401, "Unauthenticated")),
            },
            ("datasets.DatasetApiService", "ListDatasets") => self.list_datasets(ctx, &caller, b),
            ("datasets.DatasetApiService", "GetDataset") => self
                .find_from_body(b, &caller)
                .map(|ds| self.api_dataset(ds, true)),
            ("datasets.DatasetApiService", "GetDatasetMetadata") => self.metadata(&caller, b),
            ("datasets.DatasetApiService", "GetDatasetStatus") => self
                .find_from_body(b, &caller)
                .map(|_| json!({"status": "READY"})),
            ("datasets.DatasetApiService", "ListDatasetFiles") => self.list_files(ctx, &caller, b),
            ("datasets.DatasetApiService", "ListTreeDatasetFiles") => {
                self.list_tree(ctx, &caller, b)
            }
            ("datasets.DatasetApiService", "DownloadDataset") => {
                return self.download(ctx, &caller, b);
            }
            _ => Err(kaggle_error(404, "NotFound")),
        };
        match r {
            Ok(v) => Response::json(200, &v),
            Err(e) => e,
        }
    }

    fn introspect(&self, b: &Body) -> Response {
        let tok = b.get("token").and_then(Value::as_str).unwrap_or("");
        match self.tokens.get(tok) {
            Some(u) => Response::json(
                200,
                &json!({"active": true, "clientId": "fakehub", "username": u,
                        "userId": crate::util::fnv1a(u.as_bytes()) % 10_000_000,
                        "scope": "resources.admin:*", "exp": now_ms() / 1000 + 3600}),
            ),
            None => Response::json(200, &json!({"active": false})),
        }
    }
}
