//! `models.ModelApiService`: `GetModelInstance`, `ListModelInstanceVersionFiles` and
//! `DownloadModelInstanceVersion` (`ListModels` is in `model_list.rs`).

use serde_json::{Value, json};

use super::access::KCaller;
use super::download::redirect;
use super::errors::kaggle_error;
use super::model::{FRAMEWORKS, framework_url_name};
use super::model_store::{MVersion, ModelState, model_key};
use super::params::{Body, get_int, get_str, page_of, paging};
use super::state::KaggleState;
use crate::Ctx;
use crate::http::Response;
use crate::util::iso8601;

/// The `framework` field: exactly a `ModelFramework` member name as kagglesdk's
/// `EnumSerializer` writes it (`MODEL_FRAMEWORK_PY_TORCH`), or its number as proto3 JSON allows.
/// Anything else, `MODEL_FRAMEWORK_UNSPECIFIED` and a missing field (what the SDK sends for
/// UNSPECIFIED) are a 400, as a proto3 JSON parser refuses an unknown enum value.
fn framework_field(b: &Body) -> Result<&'static str, Response> {
    let found = match b.get("framework") {
        Some(Value::String(s)) => FRAMEWORKS.iter().find(|(n, _)| n == s),
        Some(Value::Number(n)) => FRAMEWORKS
            .iter()
            .find(|(_, v)| Some(u64::from(*v)) == n.as_u64()),
        None | Some(Value::Null) => return Err(kaggle_error(400, "framework is required")),
        Some(_) => None,
    };
    match found {
        Some((n, _)) if *n != "MODEL_FRAMEWORK_UNSPECIFIED" => Ok(n),
        Some(_) => Err(kaggle_error(400, "framework is required")),
        None => Err(kaggle_error(
            400,
            &format!("Invalid value for framework: {}", b["framework"]),
        )),
    }
}

impl KaggleState {
    /// The instance a body names (400 for a bad framework or a missing slug, 404 when absent,
    /// 401/403 when private and not the owner's).
    fn model_instance(&self, b: &Body, caller: &KCaller) -> Result<&ModelState, Response> {
        let framework = framework_field(b)?;
        let field = |k: &str| -> Result<&str, Response> {
            match get_str(b, k)? {
                Some(s) if !s.is_empty() => Ok(s),
                _ => Err(kaggle_error(400, &format!("{k} is required"))),
            }
        };
        let (owner, model, instance) = (
            field("ownerSlug")?,
            field("modelSlug")?,
            field("instanceSlug")?,
        );
        let m = self
            .models
            .get(&model_key(owner, model, framework, instance))
            .ok_or_else(|| kaggle_error(404, "NotFound"))?;
        if m.meta.private {
            match caller {
                KCaller::User(u) if u == m.owner_user() => {}
                KCaller::User(_) => return Err(kaggle_error(403, "Permission denied")),
                _ => return Err(kaggle_error(401, "Unauthenticated")),
            }
        }
        Ok(m)
    }

    /// The version `versionNumber` names; the current one when absent or 0 if `default_current`.
    fn model_version<'a>(
        m: &'a ModelState,
        b: &Body,
        default_current: bool,
    ) -> Result<&'a MVersion, Response> {
        match get_int(b, "versionNumber")? {
            None | Some(0) if default_current => Ok(m.current()),
            None => Err(kaggle_error(404, "NotFound")),
            Some(n) => u32::try_from(n)
                .ok()
                .and_then(|n| m.version(n))
                .ok_or_else(|| kaggle_error(404, "NotFound")),
        }
    }

    pub(super) fn api_model_instance(m: &ModelState) -> Value {
        let v = m.current();
        let meta = &m.meta;
        json!({
            "id": m.id,
            "slug": meta.variation,
            "framework": meta.framework,
            "fineTunable": false,
            "overview": "",
            "usage": "",
            "downloadUrl": "",
            "versionId": v.id,
            "versionNumber": v.number,
            "trainingData": [],
            "url": format!("https://www.kaggle.com/models/{}/{}/{}/{}", meta.owner, meta.model,
                           framework_url_name(meta.framework), meta.variation),
            "licenseName": meta.license,
            "modelInstanceType": "MODEL_INSTANCE_TYPE_BASE_MODEL",
            "externalBaseModelUrl": "",
            "totalUncompressedBytes": v.total_bytes(),
        })
    }

    /// `ListModelInstanceVersionFiles`: the version's files, paged.
    fn list_model_files(&self, ctx: &Ctx, caller: &KCaller, b: &Body) -> Result<Value, Response> {
        let m = self.model_instance(b, caller)?;
        let v = Self::model_version(m, b, true)?;
        let (offset, size) = paging(
            b,
            ctx.opts.kaggle_page_size_default,
            ctx.opts.kaggle_page_size_max,
            false,
        )?;
        let all: Vec<(&String, u64)> = v.files.iter().map(|(n, f)| (n, f.blob.len())).collect();
        let (page, next) = page_of(&all, offset, size);
        let files: Vec<Value> = page
            .iter()
            .map(|(n, len)| json!({"name": n, "size": len, "creationDate": iso8601(v.created_ms)}))
            .collect();
        Ok(json!({"files": files, "nextPageToken": next}))
    }

    /// `DownloadModelInstanceVersion`: a 302 to the version's `archive.tar.gz`, or with `path`
    /// to that file, raw.
    fn download_model(&self, ctx: &Ctx, caller: &KCaller, b: &Body) -> Response {
        let r = (|| -> Result<String, Response> {
            let m = self.model_instance(b, caller)?;
            let v = Self::model_version(m, b, false)?;
            match get_str(b, "path")?.filter(|p| !p.is_empty()) {
                None => Ok(v.bundle_key.clone()),
                Some(p) => v
                    .files
                    .get(p.trim_start_matches('/'))
                    .map(|f| f.key.clone())
                    .ok_or_else(|| kaggle_error(404, "NotFound")),
            }
        })();
        match r {
            Ok(key) => redirect(ctx, &key),
            Err(e) => e,
        }
    }

    /// The model RPCs.
    pub(super) fn model_rpc(
        &self,
        ctx: &Ctx,
        caller: &KCaller,
        method: &str,
        b: &Body,
    ) -> Response {
        let r = match method {
            "GetModelInstance" => self.model_instance(b, caller).map(Self::api_model_instance),
            "ListModelInstanceVersionFiles" => self.list_model_files(ctx, caller, b),
            "ListModels" => self.list_models(caller, b),
            "DownloadModelInstanceVersion" => return self.download_model(ctx, caller, b),
            _ => Err(kaggle_error(404, "NotFound")),
        };
        match r {
            Ok(v) => Response::json(200, &v),
            Err(e) => e,
        }
    }
}
