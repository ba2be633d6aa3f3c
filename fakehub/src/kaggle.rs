//! The Kaggle side: datasets with versions, the `datasets.DatasetApiService` RPCs (under
//! `/v1/` and `/api/v1/`), the classic `GET /api/v1/datasets/...` routes, auth RPCs, and the
//! GCS-like storage origin.
//!
//! Behaviour follows `shared/protocol/kaggle.md` (§2–§8, §11).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, BufWriter, Cursor, Seek, Write};
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use crate::Ctx;
use crate::http::{Request, Response, serve_blob};
use crate::sign::SigError;
use crate::store::{Blob, CHUNK, anonymous_temp_file};
use crate::util::{
    contains_ci, enc_path, http_date, iso8601, now_ms, parse_iso8601, parse_query, pct_decode,
};

/// Whether `r` is an `owner/slug` reference.
pub(crate) fn valid_reference(r: &str) -> bool {
    r.split('/').count() == 2
        && r.split('/').all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c))
        })
}

/// Builder for a Kaggle dataset, registered with [`crate::FakeHub::add_kaggle_dataset`].
#[derive(Clone, Debug)]
pub struct KaggleDataset {
    pub(crate) reference: String,
    pub(crate) files: Vec<(String, Blob)>,
    pub(crate) disk_files: Vec<(String, PathBuf)>,
    pub(crate) zipped: BTreeSet<String>,
    pub(crate) raw_archive: Option<Vec<u8>>,
    pub(crate) private: bool,
    pub(crate) owner_user: Option<String>,
    pub(crate) owner_name: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) subtitle: String,
    pub(crate) description: String,
    pub(crate) downloads: u64,
    pub(crate) votes: u64,
    pub(crate) views: u64,
    pub(crate) kernels: u64,
    pub(crate) topics: u64,
    pub(crate) usability: f64,
    pub(crate) featured: bool,
    pub(crate) license: String,
    pub(crate) tags: Vec<String>,
    pub(crate) last_updated: Option<i64>,
    pub(crate) file_types: Option<Vec<String>>,
    pub(crate) hashes: Hashes,
}

impl KaggleDataset {
    /// A public dataset `owner/slug` with no files yet.
    ///
    /// # Panics
    /// If `reference` is not `owner/slug`.
    pub fn new(reference: &str) -> Self {
        assert!(
            valid_reference(reference),
            "fakehub: invalid Kaggle reference {reference:?} (want owner/slug)"
        );
        KaggleDataset {
            reference: reference.to_string(),
            files: Vec::new(),
            disk_files: Vec::new(),
            zipped: BTreeSet::new(),
            raw_archive: None,
            private: false,
            owner_user: None,
            owner_name: None,
            title: None,
            subtitle: String::new(),
            description: String::new(),
            downloads: 0,
            votes: 0,
            views: 0,
            kernels: 0,
            topics: 0,
            usability: 0.0,
            featured: false,
            license: "unknown".to_string(),
            tags: Vec::new(),
            last_updated: None,
            file_types: None,
            hashes: Hashes::Full,
        }
    }

    /// Adds a file (dataset-relative path, may contain `/`) to version 1.
    pub fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.push((path.to_string(), Blob::from_bytes(bytes)));
        self
    }

    /// Adds a file streamed from `disk` to version 1.
    pub fn file_from_disk(mut self, path: &str, disk: PathBuf) -> Self {
        self.disk_files.push((path.to_string(), disk));
        self
    }

    /// Single-file `DownloadDataset` serves this file as `<basename>.zip` (one member named
    /// `<basename>`), at a `.../compressed/<path>.zip` URL. Applies to every version.
    pub fn zipped_file(mut self, path: &str) -> Self {
        self.zipped.insert(path.to_string());
        self
    }

    /// Serve exactly these bytes as version 1's whole-dataset archive (for hostile archives);
    /// the file list still comes from [`KaggleDataset::file`].
    pub fn raw_archive(mut self, zip_bytes: Vec<u8>) -> Self {
        self.raw_archive = Some(zip_bytes);
        self
    }

    /// Private datasets: anonymous callers get 401, other users 403.
    pub fn private(mut self, yes: bool) -> Self {
        self.private = yes;
        self
    }

    /// The Kaggle user owning the dataset (default: the owner part of the reference).
    pub fn owner_user(mut self, user: &str) -> Self {
        self.owner_user = Some(user.to_string());
        self
    }

    /// Display name of the owner (`ownerName`, `creatorName`).
    pub fn owner_name(mut self, name: &str) -> Self {
        self.owner_name = Some(name.to_string());
        self
    }

    /// Title (default: the slug).
    pub fn title(mut self, t: &str) -> Self {
        self.title = Some(t.to_string());
        self
    }

    /// Subtitle.
    pub fn subtitle(mut self, t: &str) -> Self {
        self.subtitle = t.to_string();
        self
    }

    /// Description.
    pub fn description(mut self, d: &str) -> Self {
        self.description = d.to_string();
        self
    }

    /// `downloadCount`.
    pub fn downloads(mut self, n: u64) -> Self {
        self.downloads = n;
        self
    }

    /// `voteCount`.
    pub fn votes(mut self, n: u64) -> Self {
        self.votes = n;
        self
    }

    /// `viewCount`.
    pub fn views(mut self, n: u64) -> Self {
        self.views = n;
        self
    }

    /// `kernelCount` (used by the NOTEBOOK_COUNT sort).
    pub fn kernel_count(mut self, n: u64) -> Self {
        self.kernels = n;
        self
    }

    /// `usabilityRating` (0.0–1.0).
    pub fn usability_rating(mut self, r: f64) -> Self {
        self.usability = r;
        self
    }

    /// `isFeatured`.
    pub fn featured(mut self, yes: bool) -> Self {
        self.featured = yes;
        self
    }

    /// License name, e.g. `CC0-1.0` (group CC), `GPL 2` (GPL), `ODbL` (ODB); anything else is
    /// group OTHER. Default `unknown`.
    pub fn license(mut self, name: &str) -> Self {
        self.license = name.to_string();
        self
    }

    /// Tags (matched by `tagIds` against tag ref or name).
    pub fn tags(mut self, t: &[&str]) -> Self {
        self.tags = t.iter().map(|s| s.to_string()).collect();
        self
    }

    /// `lastUpdated` (ISO-8601); also the date of version 1.
    ///
    /// # Panics
    /// If `iso` is not an ISO-8601 date.
    pub fn last_updated(mut self, iso: &str) -> Self {
        self.last_updated = Some(
            parse_iso8601(iso).unwrap_or_else(|| panic!("fakehub: not an ISO-8601 date: {iso:?}")),
        );
        self
    }

    /// Overrides the file-type groups used by the `fileType` filter (`csv`, `sqlite`, `json`,
    /// `bigQuery`, `parquet`); by default they come from the file extensions.
    pub fn file_types(mut self, types: &[&str]) -> Self {
        self.file_types = Some(types.iter().map(|s| s.to_string()).collect());
        self
    }

    /// Storage objects carry no MD5: `x-goog-hash` has only `crc32c=` (as for GCS composite
    /// objects) and the ETag is not an MD5.
    pub fn no_md5(mut self) -> Self {
        self.hashes = Hashes::Crc32cOnly;
        self
    }

    /// Storage objects carry no `x-goog-hash` header at all.
    pub fn no_hash(mut self) -> Self {
        self.hashes = Hashes::None;
        self
    }
}

/// Which digests storage advertises in `x-goog-hash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hashes {
    /// `crc32c=…,md5=…` and an MD5 ETag.
    Full,
    /// `crc32c=…` only (GCS composite objects).
    Crc32cOnly,
    /// No `x-goog-hash` header.
    None,
}

#[derive(Clone, Debug)]
struct KFile {
    blob: Blob,
    key: String,
}

struct KVersion {
    number: u32,
    files: BTreeMap<String, KFile>,
    created_ms: i64,
    bundle_key: String,
}

impl KVersion {
    fn total_bytes(&self) -> u64 {
        self.files.values().map(|f| f.blob.len()).sum()
    }
}

struct DsState {
    id: u64,
    meta: KaggleDataset,
    owner: String,
    slug: String,
    versions: Vec<KVersion>,
    last_updated_ms: i64,
}

impl DsState {
    fn owner_user(&self) -> &str {
        self.meta.owner_user.as_deref().unwrap_or(&self.owner)
    }

    fn current(&self) -> &KVersion {
        self.versions
            .last()
            .expect("a dataset always has version 1")
    }

    fn version(&self, n: u32) -> Option<&KVersion> {
        self.versions.iter().find(|v| v.number == n)
    }

    fn owner_name(&self) -> &str {
        self.meta.owner_name.as_deref().unwrap_or(&self.owner)
    }
}

struct StorageObject {
    blob: Blob,
    content_type: &'static str,
    last_modified_ms: i64,
    hashes: Hashes,
    generation: u64,
}

/// All Kaggle state.
#[derive(Default)]
pub(crate) struct KaggleState {
    datasets: HashMap<String, DsState>,
    order: Vec<String>,
    users: HashMap<String, String>,
    tokens: HashMap<String, String>,
    objects: HashMap<String, StorageObject>,
    next_id: u64,
    next_version_id: u64,
}

enum KCaller {
    Anon,
    User(String),
    Invalid,
}

/// Kaggle's error body: `{"code": N, "message": "..."}` with `application/json`.
pub(crate) fn kaggle_error(code: u16, message: &str) -> Response {
    Response::json(code, &json!({"code": code, "message": message}))
}

/// The Kaggle error for an injected status.
pub(crate) fn injected_error(status: u16) -> Response {
    let msg = match status {
        401 => "Unauthenticated",
        403 => "Permission denied",
        404 => "NotFound",
        429 => "Too many requests",
        500 => "Internal server error",
        503 => "Service unavailable",
        s => crate::http::reason(s),
    };
    kaggle_error(status, msg)
}

fn gcs_xml(status: u16, code: &str, msg: &str, details: Option<&str>) -> Response {
    let d = details
        .map(|d| format!("<Details>{d}</Details>"))
        .unwrap_or_default();
    Response::new(status).bytes(
        "application/xml; charset=UTF-8",
        format!("<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{msg}</Message>{d}</Error>"),
    )
}

/// GCS's answer to an expired signed URL.
pub(crate) fn expired_error() -> Response {
    gcs_xml(
        403,
        "ExpiredToken",
        "The provided token has expired.",
        Some(&format!(
            "Request signature expired at: {}",
            iso8601(now_ms()).replace(".000Z", "+00:00")
        )),
    )
}

/// GCS-style error for an injected status.
pub(crate) fn storage_error(status: u16) -> Response {
    match status {
        403 => gcs_xml(403, "AccessDenied", "Access denied.", None),
        404 => gcs_xml(404, "NoSuchKey", "The specified key does not exist.", None),
        429 => gcs_xml(429, "SlowDown", "Please reduce your request rate.", None),
        500 => gcs_xml(
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
            None,
        ),
        503 => gcs_xml(503, "ServiceUnavailable", "Service Unavailable", None),
        s => gcs_xml(
            s,
            &crate::http::reason(s).replace(' ', ""),
            crate::http::reason(s),
            None,
        ),
    }
}

fn zip_err(e: zip::result::ZipError) -> io::Error {
    io::Error::other(e)
}

fn write_zip<W: Write + Seek>(w: W, files: &[(String, Blob)], level: Option<i64>) -> io::Result<W> {
    use zip::write::SimpleFileOptions;
    let mut z = zip::ZipWriter::new(w);
    let when = zip::DateTime::from_date_and_time(2024, 1, 1, 0, 0, 0).map_err(io::Error::other)?;
    let mut buf = vec![0u8; CHUNK];
    for (name, blob) in files {
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(level)
            .last_modified_time(when)
            .large_file(blob.len() >= u64::from(u32::MAX));
        z.start_file(name.as_str(), opts).map_err(zip_err)?;
        if let Some(m) = blob.as_mem() {
            z.write_all(m)?;
        } else {
            let r = blob.reader()?;
            let mut pos = 0;
            while pos < blob.len() {
                let n = (blob.len() - pos).min(CHUNK as u64) as usize;
                r.read_exact_at(&mut buf[..n], pos)?;
                z.write_all(&buf[..n])?;
                pos += n as u64;
            }
        }
    }
    z.finish().map_err(zip_err)
}

/// Builds a deflate zip of `files`; in memory when small, else in an anonymous temp file.
pub(crate) fn build_zip(files: &[(String, Blob)]) -> io::Result<Blob> {
    let total: u64 = files.iter().map(|(_, b)| b.len()).sum();
    let on_disk = total > 64 * 1024 * 1024 || files.iter().any(|(_, b)| b.as_mem().is_none());
    if on_disk {
        let f = anonymous_temp_file()?;
        let w = write_zip(BufWriter::with_capacity(1 << 20, f), files, Some(1))?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_data().ok();
        Blob::from_open_file(f)
    } else {
        let c = write_zip(Cursor::new(Vec::new()), files, None)?;
        Ok(Blob::from_bytes(c.into_inner()))
    }
}

fn content_type_for(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "zip" => "application/zip",
        "csv" => "text/csv",
        "json" => "application/json",
        "txt" | "md" => "text/plain",
        _ => "application/octet-stream",
    }
}

fn license_group(name: &str) -> &'static str {
    let l = name.to_ascii_uppercase();
    if l.starts_with("CC") {
        "CC"
    } else if l.contains("GPL") {
        "GPL"
    } else if l.contains("ODBL") || l.contains("ODC") || l.contains("PDDL") || l.starts_with("ODB")
    {
        "ODB"
    } else {
        "OTHER"
    }
}

fn file_type_groups(ds: &DsState) -> BTreeSet<String> {
    if let Some(t) = &ds.meta.file_types {
        return t.iter().map(|s| normalize_enum_name(s)).collect();
    }
    ds.current()
        .files
        .keys()
        .filter_map(|p| {
            let ext = p.rsplit('.').next()?.to_ascii_lowercase();
            Some(
                match ext.as_str() {
                    "csv" => "CSV",
                    "sqlite" | "sqlite3" | "db" => "SQLITE",
                    "json" | "jsonl" => "JSON",
                    "parquet" => "PARQUET",
                    _ => return None,
                }
                .to_string(),
            )
        })
        .collect()
}

/// `bigQuery` → `BIG_QUERY`, `votes` → `VOTES`, `DATASET_SORT_BY_VOTES` unchanged.
fn normalize_enum_name(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_uppercase());
    }
    out.replace('-', "_")
}

/// Parses an enum given by full name, suffix, any case, or number. Absent → 0 (the default).
fn parse_enum(
    v: Option<&Value>,
    prefix: &str,
    names: &[&str],
    field: &str,
) -> Result<usize, Response> {
    let bad = || kaggle_error(400, &format!("Invalid value for {field}"));
    match v {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|n| n as usize)
            .filter(|n| *n < names.len())
            .ok_or_else(bad),
        Some(Value::String(s)) if s.is_empty() => Ok(0),
        Some(Value::String(s)) => {
            let up = normalize_enum_name(s);
            let short = up.strip_prefix(prefix).unwrap_or(&up);
            names.iter().position(|n| *n == short).ok_or_else(bad)
        }
        Some(_) => Err(bad()),
    }
}

const SORTS: &[&str] = &[
    "HOTTEST",
    "VOTES",
    "UPDATED",
    "ACTIVE",
    "PUBLISHED",
    "RELEVANCE",
    "LAST_VIEWED",
    "USABILITY",
    "DOWNLOAD_COUNT",
    "NOTEBOOK_COUNT",
];
const FILE_TYPES: &[&str] = &["ALL", "CSV", "SQLITE", "JSON", "BIG_QUERY", "PARQUET"];
const LICENSES: &[&str] = &["ALL", "CC", "GPL", "ODB", "OTHER"];
const GROUPS: &[&str] = &[
    "PUBLIC",
    "MY",
    "USER",
    "USER_SHARED_WITH_ME",
    "UPVOTED",
    "MY_PRIVATE",
    "MY_PUBLIC",
    "ORGANIZATION",
    "BOOKMARKED",
    "COLLABORATION",
    "SHARED_WITH_USER",
    "FEATURED",
    "ALL",
    "UNFEATURED",
];

type Body = Map<String, Value>;

fn get_str<'a>(b: &'a Body, k: &str) -> Result<Option<&'a str>, Response> {
    match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(kaggle_error(400, &format!("Invalid value for {k}"))),
    }
}

/// Integers arrive as JSON numbers, or (proto3 JSON for int64, and classic query strings) as
/// decimal strings.
fn get_int(b: &Body, k: &str) -> Result<Option<i64>, Response> {
    let bad = || kaggle_error(400, &format!("Invalid value for {k}"));
    match b.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

fn encode_token(offset: usize) -> String {
    STANDARD.encode(format!("fakehub-kaggle:{offset}"))
}

fn decode_token(t: &str) -> Option<usize> {
    String::from_utf8(STANDARD.decode(t).ok()?)
        .ok()?
        .strip_prefix("fakehub-kaggle:")?
        .parse()
        .ok()
}

/// Resolves paging fields to (offset, page size).
fn paging(
    b: &Body,
    default: usize,
    max: usize,
    allow_page: bool,
) -> Result<(usize, usize), Response> {
    let size = match get_int(b, "pageSize")? {
        None | Some(0) => default,
        Some(n) if n < 0 => return Err(kaggle_error(400, "Invalid value for pageSize")),
        Some(n) => (n as usize).min(max),
    }
    .max(1);
    if let Some(t) = get_str(b, "pageToken")?.filter(|t| !t.is_empty()) {
        let off = decode_token(t).ok_or_else(|| kaggle_error(400, "Invalid page token"))?;
        return Ok((off, size));
    }
    if allow_page {
        let page = match get_int(b, "page")? {
            None | Some(0) => 1,
            Some(n) if n < 0 => return Err(kaggle_error(400, "Invalid value for page")),
            Some(n) => n as usize,
        };
        return Ok(((page - 1).saturating_mul(size), size));
    }
    Ok((0, size))
}

impl KaggleState {
    pub(crate) fn add_user(&mut self, user: &str, key: &str) {
        self.users.insert(user.to_string(), key.to_string());
    }

    pub(crate) fn add_token(&mut self, token: &str, user: &str) {
        self.tokens.insert(token.to_string(), user.to_string());
    }

    fn put_object(&mut self, key: String, blob: Blob, created_ms: i64, hashes: Hashes) {
        // Digests are computed once, now, rather than on the first download.
        if hashes == Hashes::Full {
            blob.md5();
        }
        blob.crc32c();
        self.objects.insert(
            key.clone(),
            StorageObject {
                content_type: content_type_for(&key),
                blob,
                last_modified_ms: created_ms,
                hashes,
                generation: (created_ms.max(0) as u64) * 1000 + self.objects.len() as u64 % 1000,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn make_version(
        &mut self,
        ds_id: u64,
        number: u32,
        files: Vec<(String, Blob)>,
        zipped: &BTreeSet<String>,
        raw_archive: Option<Vec<u8>>,
        created_ms: i64,
        hashes: Hashes,
    ) -> io::Result<KVersion> {
        self.next_version_id += 1;
        let vid = 1_000_000 + self.next_version_id;
        let prefix = format!("kaggle-data-sets/{ds_id}/{vid}");
        let files: Vec<(String, Blob)> = files
            .into_iter()
            .map(|(p, b)| (p.trim_matches('/').to_string(), b))
            .collect();
        let archive = match raw_archive {
            Some(bytes) => Blob::from_bytes(bytes),
            None => build_zip(&files)?,
        };
        let bundle_key = format!("{prefix}/bundle/archive.zip");
        self.put_object(bundle_key.clone(), archive, created_ms, hashes);
        let mut map = BTreeMap::new();
        for (path, blob) in files {
            let is_zipped = zipped.contains(&path);
            let key = if is_zipped {
                let base = path.rsplit('/').next().unwrap_or(&path).to_string();
                let z = build_zip(&[(base, blob.clone())])?;
                let key = format!("{prefix}/compressed/{path}.zip");
                self.put_object(key.clone(), z, created_ms, hashes);
                key
            } else {
                let key = format!("{prefix}/{path}");
                self.put_object(key.clone(), blob.clone(), created_ms, hashes);
                key
            };
            map.insert(path, KFile { blob, key });
        }
        Ok(KVersion {
            number,
            files: map,
            created_ms,
            bundle_key,
        })
    }

    pub(crate) fn add_dataset(&mut self, mut ds: KaggleDataset) -> io::Result<()> {
        let key = ds.reference.to_ascii_lowercase();
        assert!(
            !self.datasets.contains_key(&key),
            "fakehub: Kaggle dataset {:?} already exists",
            ds.reference
        );
        let mut files = std::mem::take(&mut ds.files);
        for (p, d) in &ds.disk_files {
            files.push((p.clone(), Blob::from_file(d)?));
        }
        self.next_id += 1;
        let id = 100_000 + self.next_id;
        let created = ds.last_updated.unwrap_or_else(now_ms);
        let raw = ds.raw_archive.take();
        let zipped = ds.zipped.clone();
        let v1 = self.make_version(id, 1, files, &zipped, raw, created, ds.hashes)?;
        let (owner, slug) = ds
            .reference
            .split_once('/')
            .map(|(o, s)| (o.to_string(), s.to_string()))
            .expect("validated in KaggleDataset::new");
        self.order.push(key.clone());
        self.datasets.insert(
            key,
            DsState {
                id,
                owner,
                slug,
                versions: vec![v1],
                last_updated_ms: created,
                meta: ds,
            },
        );
        Ok(())
    }

    pub(crate) fn add_version(
        &mut self,
        reference: &str,
        files: Vec<(String, Blob)>,
    ) -> io::Result<u32> {
        let key = reference.to_ascii_lowercase();
        let (id, number, zipped, hashes, prev) = {
            let ds = self
                .datasets
                .get(&key)
                .unwrap_or_else(|| panic!("fakehub: no Kaggle dataset {reference:?}"));
            (
                ds.id,
                ds.current().number + 1,
                ds.meta.zipped.clone(),
                ds.meta.hashes,
                ds.last_updated_ms,
            )
        };
        let created = now_ms().max(prev + 1000);
        let v = self.make_version(id, number, files, &zipped, None, created, hashes)?;
        let ds = self.datasets.get_mut(&key).expect("checked above");
        ds.versions.push(v);
        ds.last_updated_ms = created;
        Ok(number)
    }

    /// The bytes of a version's whole-dataset archive.
    pub(crate) fn archive(&self, reference: &str, version: u32) -> Option<Blob> {
        let ds = self.datasets.get(&reference.to_ascii_lowercase())?;
        let v = ds.version(version)?;
        self.objects.get(&v.bundle_key).map(|o| o.blob.clone())
    }

    fn caller(&self, req: &Request) -> KCaller {
        let Some(v) = req.header("authorization") else {
            return KCaller::Anon;
        };
        let Some((scheme, cred)) = v.trim().split_once(' ') else {
            return KCaller::Invalid;
        };
        let cred = cred.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let Some(pair) = STANDARD
                .decode(cred)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
            else {
                return KCaller::Invalid;
            };
            match pair.split_once(':') {
                Some((u, k)) if self.users.get(u).is_some_and(|want| want == k) => {
                    KCaller::User(u.to_string())
                }
                _ => KCaller::Invalid,
            }
        } else if scheme.eq_ignore_ascii_case("bearer") {
            match self.tokens.get(cred) {
                Some(u) => KCaller::User(u.clone()),
                None => KCaller::Invalid,
            }
        } else {
            KCaller::Invalid
        }
    }

    fn find(&self, owner: &str, slug: &str, caller: &KCaller) -> Result<&DsState, Response> {
        let ds = self
            .datasets
            .get(&format!("{owner}/{slug}").to_ascii_lowercase())
            .ok_or_else(|| kaggle_error(404, "NotFound"))?;
        if ds.meta.private {
            match caller {
                KCaller::User(u) if u == ds.owner_user() => {}
                KCaller::User(_) => return Err(kaggle_error(403, "Permission denied")),
                _ => return Err(kaggle_error(401, "Unauthenticated")),
            }
        }
        Ok(ds)
    }

    fn find_from_body(&self, b: &Body, caller: &KCaller) -> Result<&DsState, Response> {
        let owner = get_str(b, "ownerSlug")?.unwrap_or("");
        let slug = get_str(b, "datasetSlug")?.unwrap_or("");
        if owner.is_empty() || slug.is_empty() {
            return Err(kaggle_error(400, "ownerSlug and datasetSlug are required"));
        }
        self.find(owner, slug, caller)
    }

    fn version_from_body<'a>(&self, ds: &'a DsState, b: &Body) -> Result<&'a KVersion, Response> {
        match get_int(b, "datasetVersionNumber")? {
            None | Some(0) => Ok(ds.current()),
            Some(n) => u32::try_from(n)
                .ok()
                .and_then(|n| ds.version(n))
                .ok_or_else(|| kaggle_error(404, "NotFound")),
        }
    }

    fn file_json(&self, ds: &DsState, v: &KVersion, name: &str, f: &KFile) -> Value {
        let ext = name
            .rsplit('/')
            .next()
            .and_then(|b| b.rsplit_once('.'))
            .map(|(_, e)| format!(".{e}"))
            .unwrap_or_default();
        json!({
            "ref": name,
            "datasetRef": ds.meta.reference,
            "ownerRef": ds.owner,
            "name": name,
            "creationDate": iso8601(v.created_ms),
            "description": "",
            "fileType": ext,
            "url": format!("https://www.kaggle.com/datasets/{}/versions/{}?select={}", ds.meta.reference, v.number, enc_path(name)),
            "totalBytes": f.blob.len(),
            "columns": [],
        })
    }

    fn api_dataset(&self, ds: &DsState, with_files: bool) -> Value {
        let cur = ds.current();
        let files: Vec<Value> = if with_files {
            cur.files
                .iter()
                .map(|(n, f)| self.file_json(ds, cur, n, f))
                .collect()
        } else {
            vec![]
        };
        let tags: Vec<Value> = ds
            .meta
            .tags
            .iter()
            .map(|t| {
                let slug = t.to_ascii_lowercase().replace(' ', "-");
                let count = self.datasets.values().filter(|d| d.meta.tags.contains(t)).count();
                json!({"ref": slug, "name": t, "description": "", "fullPath": format!("data type > {slug}"),
                       "competitionCount": 0, "datasetCount": count, "scriptCount": 0, "totalCount": count})
            })
            .collect();
        let versions: Vec<Value> = ds
            .versions
            .iter()
            .rev()
            .map(|v| {
                json!({"versionNumber": v.number, "creationDate": iso8601(v.created_ms),
                       "creatorName": ds.owner_name(), "creatorRef": ds.owner,
                       "versionNotes": if v.number == 1 { "Initial release".to_string() } else { format!("Version {}", v.number) },
                       "status": "ready"})
            })
            .collect();
        json!({
            "id": ds.id,
            "ref": ds.meta.reference,
            "title": ds.meta.title.clone().unwrap_or_else(|| ds.slug.clone()),
            "subtitle": ds.meta.subtitle,
            "description": ds.meta.description,
            "url": format!("https://www.kaggle.com/datasets/{}", ds.meta.reference),
            "totalBytes": cur.total_bytes(),
            "lastUpdated": iso8601(ds.last_updated_ms),
            "downloadCount": ds.meta.downloads,
            "voteCount": ds.meta.votes,
            "viewCount": ds.meta.views,
            "kernelCount": ds.meta.kernels,
            "topicCount": ds.meta.topics,
            "usabilityRating": ds.meta.usability,
            "licenseName": ds.meta.license,
            "ownerName": ds.owner_name(),
            "ownerRef": ds.owner,
            "creatorName": ds.owner_name(),
            "creatorUrl": ds.owner,
            "isPrivate": ds.meta.private,
            "isFeatured": ds.meta.featured,
            "currentVersionNumber": cur.number,
            "thumbnailImageUrl": format!("https://storage.googleapis.com/kaggle-datasets-images/{}/thumbnail.png", ds.id),
            "tags": tags,
            "files": files,
            "versions": versions,
        })
    }

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

    fn list_datasets(&self, ctx: &Ctx, caller: &KCaller, b: &Body) -> Result<Value, Response> {
        let group =
            GROUPS[parse_enum(b.get("group"), "DATASET_SELECTION_GROUP_", GROUPS, "group")?];
        let sort = SORTS[parse_enum(b.get("sortBy"), "DATASET_SORT_BY_", SORTS, "sortBy")?];
        let ftype = FILE_TYPES[parse_enum(
            b.get("fileType"),
            "DATASET_FILE_TYPE_GROUP_",
            FILE_TYPES,
            "fileType",
        )?];
        let lic = LICENSES[parse_enum(
            b.get("license"),
            "DATASET_LICENSE_GROUP_",
            LICENSES,
            "license",
        )?];
        let search = get_str(b, "search")?.unwrap_or("");
        let user = get_str(b, "user")?.unwrap_or("");
        let tag_ids: Vec<&str> = get_str(b, "tagIds")?
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        let min = get_int(b, "minSize")?.unwrap_or(0).max(0) as u64;
        let max = get_int(b, "maxSize")?.unwrap_or(0).max(0) as u64;
        let (offset, size) = paging(
            b,
            ctx.opts.kaggle_page_size_default,
            ctx.opts.kaggle_page_size_max,
            true,
        )?;
        let me = match caller {
            KCaller::User(u) => Some(u.as_str()),
            _ => None,
        };
        if matches!(group, "MY" | "MY_PRIVATE" | "MY_PUBLIC") && me.is_none() {
            return Err(kaggle_error(401, "Unauthenticated"));
        }
        if group == "USER" && user.is_empty() {
            return Err(kaggle_error(
                400,
                "user is required for DATASET_SELECTION_GROUP_USER",
            ));
        }
        let terms: Vec<&str> = search.split_whitespace().collect();
        let mut list: Vec<&DsState> = self
            .order
            .iter()
            .filter_map(|k| self.datasets.get(k))
            .filter(|d| {
                let mine = me == Some(d.owner_user());
                match group {
                    "MY" => mine,
                    "MY_PRIVATE" => mine && d.meta.private,
                    "MY_PUBLIC" => mine && !d.meta.private,
                    "USER" => (!d.meta.private || mine) && d.owner.eq_ignore_ascii_case(user),
                    "PUBLIC" | "ALL" => !d.meta.private,
                    "FEATURED" => !d.meta.private && d.meta.featured,
                    "UNFEATURED" => !d.meta.private && !d.meta.featured,
                    _ => false,
                }
            })
            .filter(|d| user.is_empty() || d.owner.eq_ignore_ascii_case(user))
            .filter(|d| {
                let title = d.meta.title.as_deref().unwrap_or(&d.slug);
                terms
                    .iter()
                    .all(|t| contains_ci(title, t) || contains_ci(&d.meta.reference, t))
            })
            .filter(|d| ftype == "ALL" || file_type_groups(d).contains(ftype))
            .filter(|d| lic == "ALL" || license_group(&d.meta.license) == lic)
            .filter(|d| {
                tag_ids.iter().all(|t| {
                    d.meta.tags.iter().any(|dt| {
                        dt.eq_ignore_ascii_case(t)
                            || dt.to_ascii_lowercase().replace(' ', "-") == t.to_ascii_lowercase()
                    })
                })
            })
            .filter(|d| {
                let tb = d.current().total_bytes();
                tb >= min && (max == 0 || tb <= max)
            })
            .collect();
        let key = |d: &DsState| -> f64 {
            match sort {
                "VOTES" => d.meta.votes as f64,
                "UPDATED" | "ACTIVE" | "LAST_VIEWED" => d.last_updated_ms as f64,
                "PUBLISHED" => d.versions[0].created_ms as f64,
                "USABILITY" => d.meta.usability,
                "DOWNLOAD_COUNT" => d.meta.downloads as f64,
                "NOTEBOOK_COUNT" => d.meta.kernels as f64,
                // HOTTEST / RELEVANCE: a simple popularity score.
                _ => (d.meta.votes * 10 + d.meta.downloads) as f64,
            }
        };
        list.sort_by(|a, b| {
            key(b)
                .total_cmp(&key(a))
                .then_with(|| a.meta.reference.cmp(&b.meta.reference))
        });
        let end = offset.saturating_add(size).min(list.len());
        let page: Vec<Value> = list
            .get(offset.min(list.len())..end)
            .unwrap_or(&[])
            .iter()
            .map(|d| self.api_dataset(d, false))
            .collect();
        let next = if end < list.len() {
            encode_token(end)
        } else {
            String::new()
        };
        Ok(json!({"datasets": page, "nextPageToken": next}))
    }

    fn list_files(&self, ctx: &Ctx, caller: &KCaller, b: &Body) -> Result<Value, Response> {
        let ds = self.find_from_body(b, caller)?;
        let v = self.version_from_body(ds, b)?;
        let (offset, size) = paging(
            b,
            ctx.opts.kaggle_page_size_default,
            ctx.opts.kaggle_page_size_max,
            false,
        )?;
        let all: Vec<(&String, &KFile)> = v.files.iter().collect();
        let end = offset.saturating_add(size).min(all.len());
        let files: Vec<Value> = all
            .get(offset.min(all.len())..end)
            .unwrap_or(&[])
            .iter()
            .map(|(n, f)| self.file_json(ds, v, n, f))
            .collect();
        let next = if end < all.len() {
            encode_token(end)
        } else {
            String::new()
        };
        Ok(json!({"datasetFiles": files, "errorMessage": null, "nextPageToken": next}))
    }

    fn list_tree(&self, ctx: &Ctx, caller: &KCaller, b: &Body) -> Result<Value, Response> {
        let ds = self.find_from_body(b, caller)?;
        let v = self.version_from_body(ds, b)?;
        let dir = get_str(b, "path")?
            .unwrap_or("")
            .trim_matches('/')
            .to_string();
        let (offset, size) = paging(
            b,
            ctx.opts.kaggle_page_size_max,
            ctx.opts.kaggle_page_size_max,
            false,
        )?;
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut dirs: BTreeMap<String, (u64, u64)> = BTreeMap::new(); // child dir → (dirs, files)
        let mut files = Vec::new();
        let mut found = dir.is_empty();
        for (name, f) in &v.files {
            let Some(rest) = name.strip_prefix(&prefix) else {
                continue;
            };
            found = true;
            match rest.split_once('/') {
                None => files.push(json!({"name": rest, "creationDate": iso8601(v.created_ms),
                    "totalBytes": f.blob.len(), "relativeUrl": name, "description": ""})),
                Some((d, _)) => {
                    dirs.entry(d.to_string()).or_default();
                }
            }
        }
        if !found {
            return Err(kaggle_error(404, "NotFound"));
        }
        // Direct children counts of each child directory.
        for (d, counts) in dirs.iter_mut() {
            let p = format!("{prefix}{d}/");
            let mut sub = BTreeSet::new();
            for name in v.files.keys() {
                if let Some(r) = name.strip_prefix(&p) {
                    match r.split_once('/') {
                        None => counts.1 += 1,
                        Some((s, _)) => {
                            sub.insert(s.to_string());
                        }
                    }
                }
            }
            counts.0 = sub.len() as u64;
        }
        let dir_json: Vec<Value> = dirs
            .iter()
            .map(|(d, (nd, nf))| {
                json!({"name": d, "relativeUrl": format!("{prefix}{d}"), "totalDirectories": nd,
                       "totalFiles": nf, "totalChildren": nd + nf})
            })
            .collect();
        let (nd, nf) = (dir_json.len(), files.len());
        let children: Vec<(bool, Value)> = dir_json
            .into_iter()
            .map(|d| (true, d))
            .chain(files.into_iter().map(|f| (false, f)))
            .collect();
        let end = offset.saturating_add(size).min(children.len());
        let page = children.get(offset.min(children.len())..end).unwrap_or(&[]);
        let next = if end < children.len() {
            encode_token(end)
        } else {
            String::new()
        };
        Ok(json!({
            "files": page.iter().filter(|(d, _)| !d).map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            "directories": page.iter().filter(|(d, _)| *d).map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            "totalChildren": nd + nf, "totalDirectories": nd, "totalFiles": nf,
            "nextPageToken": next,
        }))
    }

    fn metadata(&self, caller: &KCaller, b: &Body) -> Result<Value, Response> {
        let ds = self.find_from_body(b, caller)?;
        let cur = ds.current();
        Ok(json!({
            "info": {
                "datasetId": ds.id,
                "datasetSlug": ds.slug,
                "ownerUser": ds.owner,
                "usabilityRating": ds.meta.usability,
                "totalViews": ds.meta.views,
                "totalVotes": ds.meta.votes,
                "totalDownloads": ds.meta.downloads,
                "title": ds.meta.title.clone().unwrap_or_else(|| ds.slug.clone()),
                "subtitle": ds.meta.subtitle,
                "description": ds.meta.description,
                "isPrivate": ds.meta.private,
                "keywords": ds.meta.tags,
                "licenses": [{"name": ds.meta.license}],
                "collaborators": [],
                "data": cur.files.iter().map(|(n, f)| json!({"name": n, "description": "", "totalBytes": f.blob.len(), "columns": []})).collect::<Vec<_>>(),
                "expectedUpdateFrequency": "",
                "userSpecifiedSources": "",
            },
            "errorMessage": "",
        }))
    }

    fn download(&self, ctx: &Ctx, caller: &KCaller, b: &Body) -> Response {
        let r = (|| -> Result<String, Response> {
            let ds = self.find_from_body(b, caller)?;
            let v = self.version_from_body(ds, b)?;
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
            Ok(key) => {
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
            Err(e) => e,
        }
    }

    /// Classic `GET /api/v1/datasets/...` routes (kaggle ≤ 1.6, kagglehub ≤ 0.3).
    fn classic(&self, ctx: &Ctx, req: &Request, rest: &str) -> Response {
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
        match ctx.signer.check_gcs(&path, req.query()) {
            Ok(()) => {}
            Err(SigError::Missing) => {
                return gcs_xml(
                    403,
                    "AccessDenied",
                    "Access denied.",
                    Some(
                        "Anonymous caller does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).",
                    ),
                );
            }
            Err(SigError::Invalid) => {
                return gcs_xml(
                    403,
                    "SignatureDoesNotMatch",
                    "Access denied.",
                    Some(
                        "The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.",
                    ),
                );
            }
            Err(SigError::Expired) => return expired_error(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_in_every_form() {
        let p = |v: Value| parse_enum(Some(&v), "DATASET_SORT_BY_", SORTS, "sortBy").ok();
        assert_eq!(p(json!("DATASET_SORT_BY_VOTES")), Some(1));
        assert_eq!(p(json!("votes")), Some(1));
        assert_eq!(p(json!("dataset_sort_by_download_count")), Some(8));
        assert_eq!(p(json!("downloadCount")), Some(8));
        assert_eq!(p(json!(2)), Some(2));
        assert_eq!(p(json!("nope")), None);
        let f = |v: Value| {
            parse_enum(Some(&v), "DATASET_FILE_TYPE_GROUP_", FILE_TYPES, "fileType").ok()
        };
        assert_eq!(f(json!("bigQuery")), Some(4));
    }

    #[test]
    fn license_groups() {
        assert_eq!(license_group("CC0-1.0"), "CC");
        assert_eq!(license_group("CC-BY-SA-4.0"), "CC");
        assert_eq!(license_group("GPL 2"), "GPL");
        assert_eq!(license_group("ODbL"), "ODB");
        assert_eq!(license_group("MIT"), "OTHER");
    }

    #[test]
    fn zip_has_members() {
        let z = build_zip(&[("a/b.csv".into(), Blob::from_bytes(b"x,y\n1,2\n".to_vec()))]).unwrap();
        let bytes = z.to_vec().unwrap();
        let mut ar = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(ar.len(), 1);
        let mut f = ar.by_name("a/b.csv").unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        assert_eq!(s, "x,y\n1,2\n");
    }
}
