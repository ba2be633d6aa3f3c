//! Competitions, their data files and who accepted their rules: what [`KaggleState`] holds for
//! them and how fixtures change it.

use std::collections::{BTreeMap, HashSet};
use std::io;

use super::competition::KaggleCompetition;
use super::dataset::Hashes;
use super::state::{KFile, KaggleState};
use crate::store::Blob;
use crate::util::now_ms;

/// A registered competition: the builder's metadata, its current data, and who accepted its
/// rules.
pub(super) struct CompState {
    pub(super) id: u64,
    pub(super) meta: KaggleCompetition,
    pub(super) files: BTreeMap<String, KFile>,
    pub(super) bundle_key: String,
    /// When the current data was published (`creationDate`, storage `Last-Modified`).
    pub(super) data_ms: i64,
    pub(super) created_ms: i64,
    pub(super) deadline_ms: i64,
    pub(super) accepted: HashSet<String>,
}

impl CompState {
    /// Whether `user` may download (rules accepted, or none to accept).
    pub(super) fn may_download(&self, user: &str) -> bool {
        !self.meta.rules_required || self.accepted.contains(user)
    }
}

/// One year, in milliseconds.
const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;

impl KaggleState {
    /// Stores a new databundle of `files` for competition `id`; returns its archive key and files.
    fn put_comp_bundle(
        &mut self,
        id: u64,
        files: Vec<(String, Blob)>,
        meta: &KaggleCompetition,
        raw: Option<Vec<u8>>,
        data_ms: i64,
    ) -> io::Result<(String, BTreeMap<String, KFile>)> {
        let dbv = self.new_version_id();
        let prefix = format!("kaggle-competitions-data/kaggle-v2/{id}/{dbv}");
        self.put_bundle(&prefix, files, &meta.zipped, raw, data_ms, Hashes::Full)
    }

    pub(crate) fn add_competition(&mut self, mut c: KaggleCompetition) -> io::Result<()> {
        let key = c.name.to_ascii_lowercase();
        assert!(
            !self.competitions.contains_key(&key),
            "fakehub: Kaggle competition {:?} already exists",
            c.name
        );
        let mut files = std::mem::take(&mut c.files);
        for (p, d) in &c.disk_files {
            files.push((p.clone(), Blob::from_file(d)?));
        }
        self.next_id += 1;
        let id = 10_000 + self.next_id;
        let created_ms = c.created.unwrap_or_else(now_ms);
        let raw = c.raw_archive.take();
        let (bundle_key, files) = self.put_comp_bundle(id, files, &c, raw, created_ms)?;
        let deadline_ms = c.deadline.unwrap_or(created_ms.max(now_ms()) + YEAR_MS);
        self.comp_order.push(key.clone());
        self.competitions.insert(
            key,
            CompState {
                id,
                meta: c,
                files,
                bundle_key,
                data_ms: created_ms,
                created_ms,
                deadline_ms,
                accepted: HashSet::new(),
            },
        );
        Ok(())
    }

    fn competition_mut(&mut self, name: &str) -> &mut CompState {
        self.competitions
            .get_mut(&name.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("fakehub: no Kaggle competition {name:?}"))
    }

    pub(crate) fn accept_rules(&mut self, name: &str, user: &str) {
        self.competition_mut(name).accepted.insert(user.to_string());
    }

    pub(crate) fn set_rules_required(&mut self, name: &str, yes: bool) {
        self.competition_mut(name).meta.rules_required = yes;
    }

    /// Replaces the competition's data with exactly `files`, published now (at least a second
    /// after the previous data, so that `Last-Modified` moves). Objects of the old data stay.
    pub(crate) fn set_competition_files(
        &mut self,
        name: &str,
        files: Vec<(String, Blob)>,
    ) -> io::Result<()> {
        let c = self.competition_mut(name);
        let (id, meta, prev) = (c.id, c.meta.clone(), c.data_ms);
        let data_ms = now_ms().max(prev + 1000);
        let (bundle_key, files) = self.put_comp_bundle(id, files, &meta, None, data_ms)?;
        let c = self.competition_mut(name);
        c.bundle_key = bundle_key;
        c.files = files;
        c.data_ms = data_ms;
        Ok(())
    }

    /// The bytes served by `DownloadDataFiles` now.
    pub(crate) fn competition_archive(&self, name: &str) -> Option<Blob> {
        let c = self.competitions.get(&name.to_ascii_lowercase())?;
        self.objects.get(&c.bundle_key).map(|o| o.blob.clone())
    }
}
