//! Kaggle model instances and their versions, with the storage objects behind them: each
//! version's `archive.tar.gz` and raw files.

use std::collections::BTreeMap;
use std::io;

use super::dataset::Hashes;
use super::model::{KaggleModel, parse_handle};
use super::state::{KFile, KaggleState};
use crate::store::Blob;
use crate::tarball::build_tar_gz;
use crate::util::now_ms;

/// A version of a model instance.
pub(super) struct MVersion {
    pub(super) number: u32,
    pub(super) id: u64,
    pub(super) files: BTreeMap<String, KFile>,
    pub(super) created_ms: i64,
    pub(super) bundle_key: String,
}

impl MVersion {
    pub(super) fn total_bytes(&self) -> u64 {
        self.files.values().map(|f| f.blob.len()).sum()
    }
}

/// A registered model instance and its versions, oldest first.
pub(super) struct ModelState {
    pub(super) id: u64,
    pub(super) meta: KaggleModel,
    pub(super) versions: Vec<MVersion>,
}

impl ModelState {
    pub(super) fn current(&self) -> &MVersion {
        self.versions
            .last()
            .expect("a model instance always has version 1")
    }

    pub(super) fn version(&self, n: u32) -> Option<&MVersion> {
        self.versions.iter().find(|v| v.number == n)
    }

    pub(super) fn owner_user(&self) -> &str {
        self.meta.owner_user.as_deref().unwrap_or(&self.meta.owner)
    }
}

/// The map key of an instance: `owner/model/FRAMEWORK_ENUM/variation`, lower-cased.
pub(super) fn model_key(owner: &str, model: &str, framework: &str, variation: &str) -> String {
    format!("{owner}/{model}/{framework}/{variation}").to_ascii_lowercase()
}

impl KaggleState {
    fn make_model_version(
        &mut self,
        instance_id: u64,
        number: u32,
        files: Vec<(String, Blob)>,
        raw_archive: Option<Vec<u8>>,
        created_ms: i64,
    ) -> io::Result<MVersion> {
        let vid = self.new_version_id();
        let prefix = format!("kaggle-models-data/{instance_id}/{vid}");
        let files: Vec<(String, Blob)> = files
            .into_iter()
            .map(|(p, b)| (p.trim_matches('/').to_string(), b))
            .collect();
        let archive = match raw_archive {
            Some(bytes) => Blob::from_bytes(bytes),
            None => build_tar_gz(&files)?,
        };
        let bundle_key = format!("{prefix}/bundle/archive.tar.gz");
        self.put_object(bundle_key.clone(), archive, created_ms, Hashes::Full);
        let mut map = BTreeMap::new();
        for (path, blob) in files {
            let key = format!("{prefix}/{path}");
            self.put_object(key.clone(), blob.clone(), created_ms, Hashes::Full);
            map.insert(path, KFile { blob, key });
        }
        Ok(MVersion {
            number,
            id: vid,
            files: map,
            created_ms,
            bundle_key,
        })
    }

    pub(crate) fn add_model(&mut self, mut m: KaggleModel) -> io::Result<()> {
        let key = model_key(&m.owner, &m.model, m.framework, &m.variation);
        assert!(
            !self.models.contains_key(&key),
            "fakehub: Kaggle model instance {key:?} already exists"
        );
        let mut files = std::mem::take(&mut m.files);
        for (p, d) in &m.disk_files {
            files.push((p.clone(), Blob::from_file(d)?));
        }
        self.next_id += 1;
        let id = 500_000 + self.next_id;
        let raw = m.raw_archive.take();
        let v1 = self.make_model_version(id, 1, files, raw, now_ms())?;
        self.models.insert(
            key,
            ModelState {
                id,
                meta: m,
                versions: vec![v1],
            },
        );
        Ok(())
    }

    fn model_by_handle(&self, handle: &str) -> Option<(String, &ModelState)> {
        let ([owner, model, _, variation], fw) = parse_handle(handle)?;
        let key = model_key(owner, model, fw, variation);
        self.models.get(&key).map(|m| (key, m))
    }

    /// Adds a version with exactly `files` and makes it current; returns its number.
    pub(crate) fn add_model_version(
        &mut self,
        handle: &str,
        files: Vec<(String, Blob)>,
    ) -> io::Result<u32> {
        let (key, m) = self
            .model_by_handle(handle)
            .unwrap_or_else(|| panic!("fakehub: no Kaggle model instance {handle:?}"));
        let (id, number, prev) = (m.id, m.current().number + 1, m.current().created_ms);
        let v = self.make_model_version(id, number, files, None, now_ms().max(prev + 1000))?;
        self.models
            .get_mut(&key)
            .expect("found above")
            .versions
            .push(v);
        Ok(number)
    }

    /// The bytes of a version's `archive.tar.gz`.
    pub(crate) fn model_archive(&self, handle: &str, version: u32) -> Option<Blob> {
        let (_, m) = self.model_by_handle(handle)?;
        let v = m.version(version)?;
        self.objects.get(&v.bundle_key).map(|o| o.blob.clone())
    }
}
