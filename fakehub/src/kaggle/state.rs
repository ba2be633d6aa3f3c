//! Datasets, their versions and files, and the storage objects behind them: what
//! [`KaggleState`] holds and how fixtures change it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;

use super::archive::build_zip;
use super::competition_store::CompState;
use super::dataset::{Hashes, KaggleDataset};
use super::model_store::ModelState;
use crate::store::Blob;
use crate::util::now_ms;

/// A file of a version, and the key of the storage object serving it.
#[derive(Clone, Debug)]
pub(super) struct KFile {
    pub(super) blob: Blob,
    pub(super) key: String,
}

/// A version: its files, and the key of its whole-dataset archive.
pub(super) struct KVersion {
    pub(super) number: u32,
    pub(super) files: BTreeMap<String, KFile>,
    pub(super) created_ms: i64,
    pub(super) bundle_key: String,
}

impl KVersion {
    pub(super) fn total_bytes(&self) -> u64 {
        self.files.values().map(|f| f.blob.len()).sum()
    }
}

/// A registered dataset: the builder's metadata and every version, oldest first.
pub(super) struct DsState {
    pub(super) id: u64,
    pub(super) meta: KaggleDataset,
    pub(super) owner: String,
    pub(super) slug: String,
    pub(super) versions: Vec<KVersion>,
    pub(super) last_updated_ms: i64,
}

impl DsState {
    pub(super) fn owner_user(&self) -> &str {
        self.meta.owner_user.as_deref().unwrap_or(&self.owner)
    }

    pub(super) fn current(&self) -> &KVersion {
        self.versions
            .last()
            .expect("a dataset always has version 1")
    }

    pub(super) fn version(&self, n: u32) -> Option<&KVersion> {
        self.versions.iter().find(|v| v.number == n)
    }

    pub(super) fn owner_name(&self) -> &str {
        self.meta.owner_name.as_deref().unwrap_or(&self.owner)
    }
}

/// An object of the storage origin, with what its headers report.
pub(super) struct StorageObject {
    pub(super) blob: Blob,
    pub(super) content_type: &'static str,
    pub(super) last_modified_ms: i64,
    pub(super) hashes: Hashes,
    pub(super) generation: u64,
}

/// All Kaggle state.
#[derive(Default)]
pub(crate) struct KaggleState {
    pub(super) datasets: HashMap<String, DsState>,
    pub(super) order: Vec<String>,
    /// Competitions by lower-cased name, and their order of registration.
    pub(super) competitions: HashMap<String, CompState>,
    pub(super) comp_order: Vec<String>,
    /// Model instances by lower-cased `owner/model/FRAMEWORK_ENUM/variation`.
    pub(super) models: HashMap<String, ModelState>,
    pub(super) users: HashMap<String, String>,
    pub(super) tokens: HashMap<String, String>,
    pub(super) objects: HashMap<String, StorageObject>,
    pub(super) next_id: u64,
    pub(super) next_version_id: u64,
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

impl KaggleState {
    pub(crate) fn add_user(&mut self, user: &str, key: &str) {
        self.users.insert(user.to_string(), key.to_string());
    }

    pub(crate) fn add_token(&mut self, token: &str, user: &str) {
        self.tokens.insert(token.to_string(), user.to_string());
    }

    pub(super) fn put_object(&mut self, key: String, blob: Blob, created_ms: i64, hashes: Hashes) {
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

    /// Stores a databundle under `prefix`: its whole archive at `{prefix}/bundle/archive.zip`
    /// (`raw_archive` verbatim, or a zip of `files`), and each file at `{prefix}/{path}`, or as
    /// `{prefix}/compressed/{path}.zip` (one member, its basename) when in `zipped`. Returns the
    /// archive's key and the files.
    pub(super) fn put_bundle(
        &mut self,
        prefix: &str,
        files: Vec<(String, Blob)>,
        zipped: &BTreeSet<String>,
        raw_archive: Option<Vec<u8>>,
        created_ms: i64,
        hashes: Hashes,
    ) -> io::Result<(String, BTreeMap<String, KFile>)> {
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
            let key = if zipped.contains(&path) {
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
        Ok((bundle_key, map))
    }

    /// A new version id (the second number of storage paths).
    pub(super) fn new_version_id(&mut self) -> u64 {
        self.next_version_id += 1;
        1_000_000 + self.next_version_id
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
        let vid = self.new_version_id();
        let prefix = format!("kaggle-data-sets/{ds_id}/{vid}");
        let (bundle_key, files) =
            self.put_bundle(&prefix, files, zipped, raw_archive, created_ms, hashes)?;
        Ok(KVersion {
            number,
            files,
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
}
