//! Dataset JSON: `GetDataset` (and list items), dataset files, and `GetDatasetMetadata`.

use serde_json::{Value, json};

use super::access::KCaller;
use super::params::Body;
use super::state::{DsState, KFile, KVersion, KaggleState};
use crate::http::Response;
use crate::util::{enc_path, iso8601};

impl KaggleState {
    pub(super) fn file_json(&self, ds: &DsState, v: &KVersion, name: &str, f: &KFile) -> Value {
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

    pub(super) fn api_dataset(&self, ds: &DsState, with_files: bool) -> Value {
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

    pub(super) fn metadata(&self, caller: &KCaller, b: &Body) -> Result<Value, Response> {
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
}
