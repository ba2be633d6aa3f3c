//! A version's files: `ListDatasetFiles` (flat, paged) and `ListTreeDatasetFiles` (one
//! directory level).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::access::KCaller;
use super::errors::kaggle_error;
use super::params::{Body, get_str, page_of, paging};
use super::state::{KFile, KaggleState};
use crate::Ctx;
use crate::http::Response;
use crate::util::iso8601;

impl KaggleState {
    /// `ListDatasetFiles`: every file of the version, paged.
    pub(super) fn list_files(
        &self,
        ctx: &Ctx,
        caller: &KCaller,
        b: &Body,
    ) -> Result<Value, Response> {
        let (ds, v) = self.dataset_version(b, caller)?;
        let (offset, size) = paging(
            b,
            ctx.opts.kaggle_page_size_default,
            ctx.opts.kaggle_page_size_max,
            false,
        )?;
        let all: Vec<(&String, &KFile)> = v.files.iter().collect();
        let (page, next) = page_of(&all, offset, size);
        let files: Vec<Value> = page
            .iter()
            .map(|(n, f)| self.file_json(ds, v, n, f))
            .collect();
        Ok(json!({"datasetFiles": files, "errorMessage": null, "nextPageToken": next}))
    }

    /// `ListTreeDatasetFiles`: the files and directories right under `path`, with their counts.
    pub(super) fn list_tree(
        &self,
        ctx: &Ctx,
        caller: &KCaller,
        b: &Body,
    ) -> Result<Value, Response> {
        let (_, v) = self.dataset_version(b, caller)?;
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
        let (page, next) = page_of(&children, offset, size);
        Ok(json!({
            "files": page.iter().filter(|(d, _)| !d).map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            "directories": page.iter().filter(|(d, _)| *d).map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            "totalChildren": nd + nf, "totalDirectories": nd, "totalFiles": nf,
            "nextPageToken": next,
        }))
    }
}
