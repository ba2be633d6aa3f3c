//! The Kaggle side: datasets with versions, competitions, model instances with versions, the
//! `datasets.DatasetApiService`, `competitions.CompetitionApiService` and
//! `models.ModelApiService` RPCs (under `/v1/` and `/api/v1/`), the classic
//! `GET /api/v1/datasets/...` and `/api/v1/competitions/data/...` routes, auth RPCs, and the
//! GCS-like storage origin.
//!
//! Behaviour follows `shared/protocol/kaggle.md` (§2–§8, §11) and `kinds.md`.
//!
//! Layout: `dataset` holds the public builder, `state` the datasets with their versions and the
//! storage objects (`archive` builds the zips), and `access` who is calling and what they may
//! see. `rpc` routes the RPCs and `classic` the classic routes to `list` (ListDatasets), `files`
//! (ListDatasetFiles, ListTreeDatasetFiles), `view` (GetDataset, GetDatasetMetadata) and
//! `download` (DownloadDataset, the storage redirect and origin). Competitions: `competition`
//! (builder), `competition_store` (state), `competition_api` (RPCs and classic routes). Models:
//! `model` (builder, frameworks), `model_store` (versions, `archive.tar.gz`), `model_api`
//! (RPCs). `params` reads request fields and pages, and `errors` builds the error answers.

mod access;
mod archive;
mod classic;
mod competition;
mod competition_api;
mod competition_store;
mod dataset;
mod download;
mod errors;
mod files;
mod list;
mod model;
mod model_api;
mod model_list;
mod model_store;
mod params;
mod rpc;
mod state;
mod view;

#[cfg(test)]
mod tests;

pub use competition::KaggleCompetition;
pub(crate) use competition::valid_competition_name;
pub use dataset::KaggleDataset;
pub(crate) use dataset::valid_reference;
pub use model::KaggleModel;

/// Whether `handle` is `owner/model/framework/variation` with a known framework.
pub(crate) fn valid_model_handle(handle: &str) -> bool {
    model::parse_handle(handle).is_some()
}
pub(crate) use errors::{expired_error, injected_error, kaggle_error, storage_error};
pub(crate) use state::KaggleState;
