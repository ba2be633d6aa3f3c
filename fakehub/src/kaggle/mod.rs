//! The Kaggle side: datasets with versions, the `datasets.DatasetApiService` RPCs (under
//! `/v1/` and `/api/v1/`), the classic `GET /api/v1/datasets/...` routes, auth RPCs, and the
//! GCS-like storage origin.
//!
//! Behaviour follows `shared/protocol/kaggle.md` (§2–§8, §11).
//!
//! Layout: `dataset` holds the public builder, `state` the datasets with their versions and the
//! storage objects (`archive` builds the zips), and `access` who is calling and what they may
//! see. `rpc` routes the RPCs and `classic` the classic routes to `list` (ListDatasets), `files`
//! (ListDatasetFiles, ListTreeDatasetFiles), `view` (GetDataset, GetDatasetMetadata) and
//! `download` (DownloadDataset and the storage origin). `params` reads request fields and pages,
//! and `errors` builds the error answers.

mod access;
mod archive;
mod classic;
mod dataset;
mod download;
mod errors;
mod files;
mod list;
mod params;
mod rpc;
mod state;
mod view;

#[cfg(test)]
mod tests;

pub use dataset::KaggleDataset;
pub(crate) use dataset::valid_reference;
pub(crate) use errors::{expired_error, injected_error, kaggle_error, storage_error};
pub(crate) use state::KaggleState;
