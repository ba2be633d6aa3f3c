//! `DownloadDataset` (a 302 to a signed storage URL), the redirect every download RPC answers
//! with, and the GCS-like storage origin.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::access::KCaller;
use super::dataset::Hashes;
use super::errors::{expired_error, gcs_xml, kaggle_error, storage_error};
use super::params::{Body, get_str};
use super::state::KaggleState;
use crate::Ctx;
use crate::http::{Request, Response, serve_blob};
use crate::sign::SigError;
use crate::util::{http_date, pct_decode};

impl KaggleState {
    /// `DownloadDataset`: a 302 to the signed storage URL of the version's archive, or of one
    /// file (zipped or not) with `fileName`.
    pub(super) fn download(&self, ctx: &Ctx, caller: &KCaller, b: &Body) -> Response {
        let r = (|| -> Result<String, Response> {
            let (_, v) = self.dataset_version(b, caller)?;
            match get_str(b, "fileName")?.filter(|f| !f.is_empty()) {
                None => Ok(v.bundle_key.clone()),
                Some(f) => v
                    .files
                    .get(f.trim_start_matches('/'))
                    .map(|kf| kf.key.clone())
                    .ok_or_else(|| kaggle_error(404, "NotFound")),
            }
        })();
        match r {
            Ok(key) => redirect(ctx, &key),
            Err(e) => e,
        }
    }

    /// The storage origin: `/kaggle-data-sets/...?X-Goog-...`.
    pub(crate) fn handle_storage(&self, ctx: &Ctx, req: &Request) -> Response {
        if req.method != "GET" && req.method != "HEAD" {
            return gcs_xml(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                None,
            );
        }
        let Some(path) = pct_decode(req.path()) else {
            return storage_error(404);
        };
        if let Err(e) = ctx.signer.check_gcs(&path, req.query()) {
            return signature_error(e);
        }
        let Some(obj) = self.objects.get(path.trim_start_matches('/')) else {
            return storage_error(404);
        };
        let crc = STANDARD.encode(obj.blob.crc32c().to_be_bytes());
        let md5 = (obj.hashes == Hashes::Full).then(|| obj.blob.md5());
        let etag = match md5 {
            Some(m) => format!("\"{}\"", hex::encode(m)),
            None => format!("\"{:08x}{:x}-1\"", obj.blob.crc32c(), obj.blob.len()),
        };
        let hash = match (obj.hashes, md5) {
            (Hashes::None, _) => None,
            (_, Some(m)) => Some(format!("crc32c={crc},md5={}", STANDARD.encode(m))),
            (_, None) => Some(format!("crc32c={crc}")),
        };
        let last_modified = http_date(obj.last_modified_ms);
        let headers = vec![
            ("Content-Type".to_string(), obj.content_type.to_string()),
            ("ETag".to_string(), etag.clone()),
            ("Last-Modified".to_string(), last_modified.clone()),
            ("Accept-Ranges".to_string(), "bytes".to_string()),
            ("x-goog-generation".to_string(), obj.generation.to_string()),
            ("x-goog-metageneration".to_string(), "1".to_string()),
            (
                "x-goog-stored-content-encoding".to_string(),
                "identity".to_string(),
            ),
            (
                "x-goog-stored-content-length".to_string(),
                obj.blob.len().to_string(),
            ),
            ("x-goog-storage-class".to_string(), "STANDARD".to_string()),
            (
                "Cache-Control".to_string(),
                "private, max-age=0".to_string(),
            ),
        ];
        let mut headers = headers;
        if let Some(h) = hash {
            headers.push(("x-goog-hash".to_string(), h));
        }
        let range = req.header("range").unwrap_or("").to_string();
        serve_blob(
            req,
            &obj.blob,
            headers,
            Some(&etag),
            Some(&last_modified),
            move || {
                gcs_xml(
                    416,
                    "InvalidRange",
                    "The requested range cannot be satisfied.",
                    Some(&range),
                )
            },
        )
    }
}

/// The 302 to the signed storage URL of the object `key`.
pub(super) fn redirect(ctx: &Ctx, key: &str) -> Response {
    let path = format!(
        "/{}",
        key.split('/')
            .map(crate::util::enc_component)
            .collect::<Vec<_>>()
            .join("/")
    );
    let loc = ctx.signer.gcs_url(ctx.storage_url, &path);
    Response::new(302).header("Location", loc)
}

/// GCS's answer to a missing, wrong or expired signature.
fn signature_error(e: SigError) -> Response {
    match e {
        SigError::Missing => gcs_xml(
            403,
            "AccessDenied",
            "Access denied.",
            Some(
                "Anonymous caller does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).",
            ),
        ),
        SigError::Invalid => gcs_xml(
            403,
            "SignatureDoesNotMatch",
            "Access denied.",
            Some(
                "The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.",
            ),
        ),
        SigError::Expired => expired_error(),
    }
}
